"""The engineer's notes on a case: Markdown with a live preview, saved as they type, quotes linking to evidence.

The summary ends with the notes, so losing them is the worst thing the GUI could do: every change is written
through :meth:`NotesStore.save` (the case's notes database, committed at once) at most :data:`AUTOSAVE_MS`
after the first unsaved keystroke. The timer is a throttle, not a debounce: it is not restarted by further
typing, so a crash or a killed process loses at most the last second even while the user never stops typing.
Notes have a database of their own because an ingest holds the case database's write lock for up to a minute;
nothing holds the notes database for longer than another window's save, so a save never waits for an ingest.
Each save keeps a version (History…).

"Add to notes" in any pane sends evidence over the bus (:meth:`CursorBus.add_to_notes`); this pane turns it
into a Markdown quote with a ``workbench:evidence`` link (:mod:`workbench.core.report.notes`). The preview uses
the same escaped Markdown subset as the e-mail summary (:func:`workbench.core.report.markdown.to_html`), so
what the engineer sees is what the customer gets, plus those links made clickable: a click moves every pane
back to the evidence.
"""

from __future__ import annotations

import re
import sqlite3
from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, Qt, QTimer, QUrl
from PySide6.QtGui import QFontDatabase, QTextCursor
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDockWidget,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QPlainTextEdit,
    QSplitter,
    QTextBrowser,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from workbench.core.moment import row_of_line
from workbench.core.report.markdown import STYLES, to_html
from workbench.core.report.notes import LINK_SCHEME, parse_evidence_url, plain_links, quote_evidence
from workbench.core.store import NotesStore
from workbench.core.store.notes_store import Note, NoteVersion
from workbench.gui.bus import CursorBus, Selection
from workbench.gui.models.store_view import StoreView
from workbench.gui.models.timeline_model import short_path
from workbench.gui.theme import color, style_tag

ORIGIN = "notes"
#: Longest time between the first unsaved keystroke and its save (the "at most the last second" promise).
AUTOSAVE_MS = 500
#: Versions saved closer together than this are one burst of typing; History shows the last of each burst.
BURST_SECONDS = 60

_EVIDENCE_LINK = re.compile(r"\[([^\]\n<]*)\]\((" + LINK_SCHEME + r":evidence\?[^)\s<>\"']*)\)")
_LITERAL = re.compile(r"(<pre\b.*?</pre>|<code\b.*?</code>)", re.DOTALL)
_QUOTE_OPEN = f'<blockquote style="{STYLES["blockquote"]}">'


def _qt_quote_open() -> str:
    """The quote bar drawn as a two-cell table, in the theme's quote colours."""
    bar, bg, fg = (color(n).name() for n in ("quote_bar", "quote_bg", "quote_fg"))
    return ('<table width="100%" cellspacing="0" cellpadding="4" style="margin:0 0 8px 0;"><tr>'
            f'<td width="3" bgcolor="{bar}"></td><td bgcolor="{bg}" style="color:{fg};">')


def preview_html(body: str) -> str:
    """The note as the preview shows it: the summary's safe Markdown subset, with evidence links clickable.

    :func:`to_html` escapes everything and links only http/https/mailto; a ``workbench:`` link is ours, so
    it is linked here, after escaping (its label and URL are already escaped text), and never inside code.
    """
    html = str(to_html(body, heading_offset=1))
    parts = _LITERAL.split(html)
    for n in range(0, len(parts), 2):  # even parts are outside <pre>/<code>
        parts[n] = _EVIDENCE_LINK.sub(r'<a href="\2">\1</a>', parts[n])
    # Qt's rich text ignores border-left, so the e-mail's quote bar is drawn as a two-cell table here (the
    # tags come from to_html; case text is escaped, so no "<blockquote" in it can be matched)
    html = "".join(parts).replace(_QUOTE_OPEN, _qt_quote_open()).replace("</blockquote>", "</td></tr></table>")
    return style_tag() + html


def _title(body: str) -> str:
    return next((ln.strip("# ").strip() for ln in body.splitlines() if ln.strip()), "")


class NotesPane(QWidget):
    """Pick a note, edit it (Markdown) with a live preview; saved within a second of typing."""

    def __init__(self, bus: CursorBus, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("NotesPane")
        self.bus = bus
        self.picker = QComboBox(self)
        self.picker.setObjectName("notePicker")
        self.picker.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.picker.setMinimumContentsLength(8)
        self.picker.setPlaceholderText(self.tr("(new note)"))
        self.picker.currentIndexChanged.connect(self._on_pick)
        # a tool bar, not a row of buttons: in a narrow dock it folds into its » menu instead of forcing the
        # whole window wider than a 1366-pixel laptop screen
        self.toolbar = QToolBar(self)
        self.toolbar.setObjectName("noteTools")
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.new_action = self.toolbar.addAction(self.tr("New note"), self.new_note)
        self.undo_action = self.toolbar.addAction(self.tr("Undo"))
        self.redo_action = self.toolbar.addAction(self.tr("Redo"))
        self.quote_action = self.toolbar.addAction(self.tr("Add selected row"), self.quote_selection)
        self.quote_action.setToolTip(self.tr("Quote the selected row, with a link back to it"))
        self.history_action = self.toolbar.addAction(self.tr("History…"), self.history_dialog)
        self.editor = QPlainTextEdit(self)
        self.editor.setObjectName("noteEditor")
        self.editor.setPlaceholderText(self.tr("What was tried, what fixed it, next steps… (Markdown)"))
        self.editor.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))  # quoted log columns
        self.editor.textChanged.connect(self._on_text)
        self.undo_action.triggered.connect(self.editor.undo)
        self.redo_action.triggered.connect(self.editor.redo)
        self.undo_action.setEnabled(False)
        self.redo_action.setEnabled(False)
        self.editor.undoAvailable.connect(self.undo_action.setEnabled)
        self.editor.redoAvailable.connect(self.redo_action.setEnabled)
        self.preview = QTextBrowser(self)
        self.preview.setObjectName("notePreview")
        self.preview.setOpenLinks(False)
        self.preview.anchorClicked.connect(self._on_link)
        self.saved_label = QLabel(self)
        self.saved_label.setObjectName("noteSaved")
        bar = QHBoxLayout()
        bar.setContentsMargins(2, 2, 2, 0)
        bar.addWidget(self.picker, 1)
        bar.addWidget(self.toolbar, 2)
        self.split = QSplitter(Qt.Orientation.Vertical, self)
        self.split.addWidget(self.editor)
        self.split.addWidget(self.preview)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.split, 1)
        layout.addWidget(self.saved_label)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(AUTOSAVE_MS)
        self._timer.timeout.connect(self.save_now)
        self._view: StoreView | None = None
        self._notes: NotesStore | None = None
        #: where the notes are kept when not beside the case's database (a customer case's notes folder)
        self.notes_folder: Path | None = None
        self.note_id: int | None = None
        self._saved_body = ""
        self._loading = False
        bus.addToNotes.connect(self.add_evidence)
        self.setEnabled(False)


    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt API)
        """A theme switch: lay the HTML out again in the new colours (links included)."""
        super().changeEvent(event)
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            self._restyle()

    def _restyle(self) -> None:
        self.preview.setHtml(preview_html(self.editor.toPlainText()))

    # ------------------------------------------------------------------------------------ case

    def set_view(self, view: StoreView | None) -> None:
        """Switch to another case (or none): what is typed so far is saved to the old one first."""
        self.save_now()
        if self._notes is not None:
            self._notes.close()
            self._notes = None
        self._view = view
        self.setEnabled(view is not None)
        self._reload(select=None)

    def _store(self) -> NotesStore | None:
        """The case's notes database (opened on first use), beside the view's case database, or in
        :attr:`notes_folder` when a customer case holds the notes."""
        if self._view is None:
            return None
        if self._notes is None:
            self._notes = NotesStore.open(self.notes_folder or self._view.database.parent)
        return self._notes

    def set_notes_folder(self, folder: Path | None) -> None:
        """Keep the notes in ``folder`` (a customer case's) whichever case is shown; None: each case's own.
        What is typed so far is saved where it was being written first."""
        if folder == self.notes_folder:
            return
        self.save_now()
        if self._notes is not None:
            self._notes.close()
            self._notes = None
        self.notes_folder = folder
        self._reload(select=None)

    def _saved_notes(self) -> list[Note]:
        try:
            store = self._store()
            return store.notes() if store is not None else []
        except sqlite3.Error as exc:  # a damaged notes.sqlite: say so; typing still retries saving
            self.saved_label.setText(self.tr("Notes cannot be read (%1).").replace("%1", str(exc)))
            return []

    def _reload(self, select: int | None, *, load_body: bool = True) -> None:
        """Fill the picker; ``load_body=False`` when the editor already holds that note (its first save):
        reloading it would reset the undo history and move the cursor away from where the user types."""
        notes = self._saved_notes()
        self._loading = True
        try:
            self.picker.clear()
            for note in notes:
                self.picker.addItem(_title(note.body)[:60] or self.tr("(empty note)"), note.id)
            index = self.picker.findData(select) if select is not None else self.picker.count() - 1
            self.picker.setCurrentIndex(index)
        finally:
            self._loading = False
        if load_body:
            self._on_pick(self.picker.currentIndex())

    def _on_pick(self, index: int) -> None:
        if self._loading:
            return
        note_id = self.picker.itemData(index) if index >= 0 else None  # before saving: a first save refills
        self.save_now()
        if note_id is not None and self.picker.currentData() != note_id:
            self._loading = True
            try:
                self.picker.setCurrentIndex(self.picker.findData(note_id))
            finally:
                self._loading = False
        body = ""
        if note_id is not None:
            body = next((n.body for n in self._saved_notes() if n.id == note_id), "")
        self.note_id = note_id
        self._set_body(body)

    def _set_body(self, body: str) -> None:
        """Show another note: a fresh undo history, since undoing into a different note would be nonsense."""
        self._loading = True
        try:
            self.editor.setPlainText(body)
        finally:
            self._loading = False
        self._saved_body = body
        self.preview.setHtml(preview_html(body))
        self.saved_label.setText("")

    # ------------------------------------------------------------------------------------ editing

    def new_note(self) -> None:
        """Start an empty note; it is created in the case when its first character is saved."""
        self.save_now()
        self.note_id = None
        self._loading = True
        try:
            self.picker.setCurrentIndex(-1)  # shows the placeholder until the first save lists the new note
        finally:
            self._loading = False
        self._set_body("")
        self.editor.setFocus()

    def _on_text(self) -> None:
        if self._loading:
            return
        self.preview.setHtml(preview_html(self.editor.toPlainText()))
        self.saved_label.setText(self.tr("Editing…"))
        if not self._timer.isActive():  # a throttle: typing on does not push the save further away
            self._timer.start()

    def save_now(self) -> None:
        """Save the note if it changed (a version is kept for each save)."""
        self._timer.stop()
        body = self.editor.toPlainText()
        if self._view is None or body == self._saved_body or (self.note_id is None and not body.strip()):
            return
        first = self.note_id is None
        try:
            store = self._store()
            assert store is not None
            self.note_id = store.save(body, self.note_id)
        except sqlite3.Error as exc:  # a full disk, a locked file: say so and try again, never drop the text
            self.saved_label.setText(self.tr("Not saved (%1); retrying…").replace("%1", str(exc)))
            self._timer.start()
            return
        self._saved_body = body
        self.saved_label.setText(self.tr("Saved at %1.").replace("%1", datetime.now().strftime("%H:%M:%S")))
        if first:
            self._reload(select=self.note_id, load_body=False)
        elif (index := self.picker.findData(self.note_id)) >= 0:
            self.picker.setItemText(index, _title(body)[:60] or self.tr("(empty note)"))

    def _replace_all(self, body: str) -> None:
        """Replace the text as one undoable edit (``setPlainText`` would wipe the undo history)."""
        cursor = QTextCursor(self.editor.document())
        cursor.beginEditBlock()
        cursor.select(QTextCursor.SelectionType.Document)
        cursor.insertText(body)
        cursor.endEditBlock()

    def insert_quote(self, quote: str) -> None:
        """Append ``quote`` as its own paragraph (one undo step), show it, and save at once."""
        text = self.editor.toPlainText()
        cursor = QTextCursor(self.editor.document())
        cursor.movePosition(QTextCursor.MoveOperation.End)
        cursor.beginEditBlock()
        if text.strip():
            cursor.insertText("\n" * (2 - min(2, len(text) - len(text.rstrip("\n")))))
        cursor.insertText(quote)
        cursor.endEditBlock()
        self.editor.setTextCursor(cursor)
        self.editor.ensureCursorVisible()
        self.save_now()

    def add_evidence(self, evidence: dict[str, Any]) -> None:
        """Quote evidence sent by a pane's "Add to notes" (see :meth:`CursorBus.add_to_notes`).

        A request without text but with a timeline row or a file line is looked up in the store, so a pane
        may send only where the evidence is.
        """
        if self._view is None:
            return
        text = evidence.get("text")
        if not text or not evidence.get("source"):
            row = self._row_for(evidence.get("row_id"), evidence.get("file_id"), evidence.get("line"))
            if row is None and not text:
                return
            if row is not None:
                text = text or row[0] or ""
                evidence = {"source": short_path(row[4]), "line": row[2], "file_id": row[1], "ts": row[3], **{
                    k: v for k, v in evidence.items() if v is not None}}
        quote = quote_evidence(str(text), source=evidence.get("source"), line=evidence.get("line"),
                               file_id=evidence.get("file_id"), ts=evidence.get("ts"),
                               when=self._when(evidence.get("ts"), evidence.get("file_id")))
        if all(evidence.get(k) is None for k in ("file_id", "line", "ts")):
            # nowhere to go back to (a stack frame with no log line): a plain quote, no dead link
            quote = plain_links(quote)
            if not evidence.get("source"):
                quote = quote.rsplit("\n>\n", 1)[0] + "\n"
        self.insert_quote(quote)
        self._tell_added()

    def _tell_added(self) -> None:
        """Feedback without taking the user away from the pane they quote from: a closed notes dock opens,
        a dock tabbed behind another stays there and the status bar says where the quote went."""
        dock = self.parentWidget()
        if isinstance(dock, QDockWidget) and dock.isHidden():
            dock.show()
            dock.raise_()
        elif not self.isVisible() and isinstance(window := self.window(), QMainWindow):
            title = self.picker.currentText() or self.tr("(new note)")
            window.statusBar().showMessage(self.tr("Added to the note “%1”.").replace("%1", title), 5000)

    def _row_for(self, row_id: int | None, file_id: int | None, line: int | None) -> tuple[Any, ...] | None:
        if self._view is None:
            return None
        conn = self._view.store.conn
        sql = "SELECT t.message, t.file_id, t.line, t.ts, f.path FROM timeline t LEFT JOIN files f ON f.id = t.file_id "
        if row_id is not None:
            return conn.execute(sql + "WHERE t.id = ?", (row_id,)).fetchone()
        if file_id is not None:
            return conn.execute(sql + "WHERE t.file_id = ? AND (? IS NULL OR t.line = ?) ORDER BY t.id LIMIT 1",
                                (file_id, line, line)).fetchone()
        return None

    def quote_selection(self) -> None:
        """Append a quote of the bus's selected row to the note, with a link back to it."""
        sel = self.bus.selection
        if sel is None:
            return
        row = self._row_for(sel.row_id, sel.file_id, sel.line)
        if row is not None:
            self.insert_quote(quote_evidence(row[0] or "", source=short_path(row[4]), line=row[2], file_id=row[1],
                                             ts=row[3], when=self._when(row[3], row[1])))

    def _when(self, ts: int | None, file_id: int | None = None) -> str | None:
        """A quoted time on the case clock, as the panes and findings show it (not in UTC)."""
        return self._view.format_ts(ts, micro=False, file_id=file_id) if self._view is not None and ts is not None \
            else None

    # ------------------------------------------------------------------------------------ history

    def versions(self) -> list[NoteVersion]:
        """Every saved version of the current note, oldest first."""
        store = self._store()
        if store is None or self.note_id is None:
            return []
        return store.versions(self.note_id)

    def history_dialog(self) -> None:
        """Browse the saved versions with a preview; "Restore" brings the chosen one back."""
        self.save_now()
        versions = self.versions()
        if not versions:
            return
        dialog = HistoryDialog(versions, self)
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.chosen is not None:
            self.restore_version(dialog.chosen.body)

    def restore_version(self, body: str) -> None:
        """Put an older version back as the current text: undoable, and saved as a new version (nothing lost)."""
        self._replace_all(body)
        self.save_now()

    def _on_link(self, url: QUrl) -> None:
        link = parse_evidence_url(url.toString())
        if link is None:
            return
        found = row_of_line(self._view.store, link.file_id, link.line) \
            if self._view is not None and link.file_id is not None and link.line is not None else None
        timeless = found is None or found.ts is None  # a text file's line, or a description's (rows, no times)
        if timeless and link.ts is None and link.file_id is not None and self._view is not None:
            from workbench.gui.text_viewer import show_text_file

            if show_text_file(self, self._view, self.bus, link.file_id, link.line):
                return  # a line without a moment: the file opens at that line
        self.bus.select(Selection("evidence", ts=found.ts if found and found.ts is not None else link.ts,
                                  row_id=found.row_id if found else None, file_id=link.file_id, line=link.line,
                                  origin=ORIGIN))


def burst_ends(versions: list[NoteVersion], gap_seconds: int = BURST_SECONDS) -> list[NoteVersion]:
    """The last version of each burst of saves: autosave keeps one per second of typing, a reader wants
    the states the note rested in."""
    out: list[NoteVersion] = []
    for n, v in enumerate(versions):
        nxt = versions[n + 1] if n + 1 < len(versions) else None
        if nxt is None or _seconds(nxt.saved) - _seconds(v.saved) >= gap_seconds:
            out.append(v)
    return out


def _seconds(iso: str) -> float:
    try:
        return datetime.fromisoformat(iso).timestamp()
    except ValueError:
        return 0.0


class HistoryDialog(QDialog):
    """Saved versions of one note, newest first, each previewed as it would render."""

    def __init__(self, versions: list[NoteVersion], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("NoteHistory")
        self.setWindowTitle(self.tr("Note history"))
        self.resize(760, 480)
        self._versions = versions
        self.chosen: NoteVersion | None = None
        self.every = QCheckBox(self.tr("Show every save"), self)
        self.every.setToolTip(self.tr("Otherwise only the last save of each burst of typing is listed"))
        self.every.toggled.connect(self._fill)
        self.list = QListWidget(self)
        self.list.setObjectName("versionList")
        self.list.currentItemChanged.connect(self._on_current)
        self.preview = QTextBrowser(self)
        self.preview.setOpenLinks(False)
        split = QSplitter(Qt.Orientation.Horizontal, self)
        split.addWidget(self.list)
        split.addWidget(self.preview)
        split.setSizes([260, 500])
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.restore = buttons.addButton(self.tr("Restore this version"), QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.every)
        layout.addWidget(split, 1)
        layout.addWidget(buttons)
        self._fill()

    def shown(self) -> list[NoteVersion]:
        """The versions listed, newest first."""
        versions = self._versions if self.every.isChecked() else burst_ends(self._versions)
        return versions[::-1]

    def _fill(self) -> None:
        self.list.clear()
        for v in self.shown():
            try:
                when = datetime.fromisoformat(v.saved).astimezone().strftime("%Y-%m-%d %H:%M:%S")
            except ValueError:
                when = v.saved
            size = self.tr("%1 characters").replace("%1", str(len(v.body)))  # tells same-second saves apart
            item = QListWidgetItem(f"{when}  {_title(v.body)[:32]}  · {size}")
            item.setData(Qt.ItemDataRole.UserRole, v.id)
            self.list.addItem(item)
        self.list.setCurrentRow(0)

    def _on_current(self, item: QListWidgetItem | None, _previous: QListWidgetItem | None) -> None:
        vid = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        self.chosen = next((v for v in self._versions if v.id == vid), None)
        self.preview.setHtml(preview_html(self.chosen.body) if self.chosen else "")
        self.restore.setEnabled(self.chosen is not None)
