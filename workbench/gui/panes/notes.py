"""The engineer's notes on a case: Markdown, saved as they type, with quotes that link back to evidence.

"Add selected row" quotes whatever the bus has selected (a timeline row, a search hit, a finding's first
evidence line) with a ``workbench:evidence`` link (:mod:`workbench.core.report.notes`); clicking such a link
in the preview moves every pane back to it. Notes are the one thing the window writes to the case store:
through :meth:`CaseStore.save_note` on a connection of their own, committed at once, with every saved version
kept (History…) and never touched by a re-ingest.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, QUrl
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from workbench.core.report.notes import list_notes, note_versions, parse_evidence_url, quote_evidence
from workbench.core.store import CaseStore
from workbench.gui.bus import CursorBus, Selection
from workbench.gui.models.store_view import StoreView
from workbench.gui.models.timeline_model import short_path

ORIGIN = "notes"
AUTOSAVE_MS = 1500


class NotesPane(QWidget):
    """Pick a note, edit it (Markdown) with a live preview; saved a moment after typing stops."""

    def __init__(self, bus: CursorBus, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("NotesPane")
        self.bus = bus
        self.picker = QComboBox(self)
        self.picker.setObjectName("notePicker")
        self.picker.currentIndexChanged.connect(self._on_pick)
        new = QPushButton(self.tr("New note"), self)
        new.clicked.connect(self.new_note)
        self.quote_button = QPushButton(self.tr("Add selected row"), self)
        self.quote_button.setToolTip(self.tr("Quote the selected row, with a link back to it"))
        self.quote_button.clicked.connect(self.quote_selection)
        history = QPushButton(self.tr("History…"), self)
        history.clicked.connect(self.history_dialog)
        self.editor = QPlainTextEdit(self)
        self.editor.setObjectName("noteEditor")
        self.editor.setPlaceholderText(self.tr("What was tried, what fixed it, next steps… (Markdown)"))
        self.editor.textChanged.connect(self._on_text)
        self.preview = QTextBrowser(self)
        self.preview.setObjectName("notePreview")
        self.preview.setOpenLinks(False)
        self.preview.anchorClicked.connect(self._on_link)
        self.saved_label = QLabel(self)
        bar = QHBoxLayout()
        bar.setContentsMargins(2, 2, 2, 0)
        bar.addWidget(self.picker, 1)
        bar.addWidget(new)
        bar.addWidget(self.quote_button)
        bar.addWidget(history)
        split = QSplitter(Qt.Orientation.Vertical, self)
        split.addWidget(self.editor)
        split.addWidget(self.preview)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(split, 1)
        layout.addWidget(self.saved_label)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(AUTOSAVE_MS)
        self._timer.timeout.connect(self.save_now)
        self._view: StoreView | None = None
        self._writer: CaseStore | None = None
        self.note_id: int | None = None
        self._saved_body = ""
        self._loading = False
        self.setEnabled(False)

    # ------------------------------------------------------------------------------------ case

    def set_view(self, view: StoreView | None) -> None:
        self.save_now()
        if self._writer is not None:
            self._writer.close()
            self._writer = None
        self._view = view
        self.setEnabled(view is not None)
        self._reload(select=None)

    def _reload(self, select: int | None) -> None:
        notes = list_notes(self._view.store) if self._view is not None else []
        self._loading = True
        try:
            self.picker.clear()
            for note in notes:
                title = next((ln.strip("# ").strip() for ln in note.body.splitlines() if ln.strip()), "")
                self.picker.addItem(title[:60] or self.tr("(empty note)"), note.id)
            index = self.picker.findData(select) if select is not None else self.picker.count() - 1
            self.picker.setCurrentIndex(index)
        finally:
            self._loading = False
        self._on_pick(self.picker.currentIndex())

    def _on_pick(self, index: int) -> None:
        if self._loading:
            return
        self.save_now()
        note_id = self.picker.itemData(index) if index >= 0 else None
        body = ""
        if note_id is not None and self._view is not None:
            body = next((n.body for n in list_notes(self._view.store) if n.id == note_id), "")
        self.note_id = note_id
        self._set_body(body)

    def _set_body(self, body: str) -> None:
        self._loading = True
        try:
            self.editor.setPlainText(body)
        finally:
            self._loading = False
        self._saved_body = body
        self.preview.setMarkdown(body)
        self.saved_label.setText("")

    # ------------------------------------------------------------------------------------ editing

    def new_note(self) -> None:
        self.save_now()
        self.note_id = None
        self._set_body("")
        self.editor.setFocus()

    def _on_text(self) -> None:
        if self._loading:
            return
        self.preview.setMarkdown(self.editor.toPlainText())
        self.saved_label.setText(self.tr("Editing…"))
        self._timer.start()

    def save_now(self) -> None:
        """Save the note if it changed (a version is kept for each save)."""
        self._timer.stop()
        body = self.editor.toPlainText()
        if self._view is None or body == self._saved_body or (self.note_id is None and not body.strip()):
            return
        if self._writer is None:
            self._writer = CaseStore.open(self._view.database)
        first = self.note_id is None
        self.note_id = self._writer.save_note(body, self.note_id)
        self._saved_body = body
        self.saved_label.setText(self.tr("Saved."))
        if first:
            self._reload(select=self.note_id)

    def quote_selection(self) -> None:
        """Append a quote of the bus's selected row to the note, with a link back to it."""
        sel = self.bus.selection
        if sel is None or self._view is None:
            return
        conn = self._view.store.conn
        row = None
        if sel.row_id is not None:
            row = conn.execute("SELECT t.message, t.file_id, t.line, t.ts, f.path FROM timeline t LEFT JOIN files f "
                               "ON f.id = t.file_id WHERE t.id = ?", (sel.row_id,)).fetchone()
        elif sel.file_id is not None:
            row = conn.execute("SELECT t.message, t.file_id, t.line, t.ts, f.path FROM timeline t LEFT JOIN files f "
                               "ON f.id = t.file_id WHERE t.file_id = ? AND (? IS NULL OR t.line = ?) ORDER BY t.id "
                               "LIMIT 1", (sel.file_id, sel.line, sel.line)).fetchone()
        if row is None:
            return
        quote = quote_evidence(row[0] or "", source=short_path(row[4]), line=row[2], file_id=row[1], ts=row[3])
        text = self.editor.toPlainText()
        self.editor.setPlainText((text.rstrip("\n") + "\n\n" if text.strip() else "") + quote)
        self.save_now()

    def history_dialog(self) -> None:
        if self._view is None or self.note_id is None:
            return
        versions = note_versions(self._writer or self._view.store, self.note_id)
        if not versions:
            return
        labels = [f"{v.saved} — {v.body.strip().splitlines()[0][:50] if v.body.strip() else ''}" for v in versions]
        choice, ok = QInputDialog.getItem(self, self.tr("Note history"), self.tr("Bring back the version saved at:"),
                                          labels[::-1], 0, False)
        if ok:
            self.restore_version(versions[len(versions) - 1 - labels[::-1].index(choice)].body)

    def restore_version(self, body: str) -> None:
        """Put an older version back as the current text (saved as a new version: nothing is lost)."""
        self.editor.setPlainText(body)
        self.save_now()

    def _on_link(self, url: QUrl) -> None:
        link = parse_evidence_url(url.toString())
        if link is not None:
            self.bus.select(Selection("evidence", ts=link.ts, file_id=link.file_id, line=link.line, origin=ORIGIN))
