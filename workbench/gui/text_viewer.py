"""A case file shown as text: the customer's description, an engineer's notes, msinfo32, any file without
timeline rows — decoded the way Windows saved it (GBK, UTF-8, UTF-16), at a line, with the searched words
marked, and "Add to notes" quoting the selected lines with their file and line numbers.

It is a window of its own beside the panes (one per file, raised when opened again), not a pane: a text
file has no time, so there is no moment for the bus to move the panes to.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence, QTextCharFormat, QTextCursor, QTextDocument
from PySide6.QtWidgets import QDialog, QLabel, QPlainTextEdit, QTextEdit, QVBoxLayout, QWidget

from workbench.core.textio import read_lines
from workbench.gui.bus import CursorBus
from workbench.gui.models.store_view import StoreView
from workbench.gui.models.timeline_model import short_path
from workbench.gui.theme import color

#: Lines shown at most (a text file of a case is a page or two; an unknown log can be huge).
MAX_LINES = 200_000


class TextViewer(QDialog):
    """One text file of the case, read-only."""

    def __init__(self, view: StoreView, bus: CursorBus, file_id: int, path: str, location: Path,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("TextViewer")
        self.setWindowTitle(short_path(path) or path)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.resize(820, 560)
        self.bus = bus
        self.file_id = file_id
        self.path = path
        self.where = QLabel(path, self)
        self.where.setWordWrap(True)
        self.text = QPlainTextEdit(self)
        self.text.setObjectName("textViewerBody")
        self.text.setReadOnly(True)
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        lines = []
        for ln in read_lines(location):
            if ln.number > MAX_LINES:
                lines.append(self.tr("(only the first %1 lines are shown)").replace("%1", str(MAX_LINES)))
                break
            lines.append(ln.text)
        self.text.setPlainText("\n".join(lines))
        add = QAction(self.tr("Add to notes"), self.text)
        add.setObjectName("addToNotes")
        add.setShortcut(QKeySequence("Ctrl+Shift+N"))
        add.triggered.connect(self.add_to_notes)
        self.text.addAction(add)
        self.text.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        layout = QVBoxLayout(self)
        layout.addWidget(self.where)
        layout.addWidget(self.text, 1)

    def go_to_line(self, line: int | None, words: str = "") -> None:
        """Put line ``line`` (1-based) in view and mark it; mark ``words`` wherever they are."""
        marks: list[QTextEdit.ExtraSelection] = []
        if words.strip():
            doc = self.text.document()
            cursor = QTextCursor(doc)
            while True:
                cursor = doc.find(words.strip(), cursor, QTextDocument.FindFlag(0))
                if cursor.isNull():
                    break
                mark = QTextEdit.ExtraSelection()
                mark.cursor = cursor
                fmt = QTextCharFormat()
                fmt.setBackground(color("match_bg"))
                fmt.setForeground(color("match_fg"))
                mark.format = fmt
                marks.append(mark)
        if line is not None and line >= 1:
            block = self.text.document().findBlockByNumber(line - 1)
            if block.isValid():
                cursor = QTextCursor(block)
                cursor.select(QTextCursor.SelectionType.LineUnderCursor)
                self.text.setTextCursor(cursor)
                self.text.centerCursor()
        self.text.setExtraSelections(marks)

    def selected_lines(self) -> tuple[int, str]:
        """The first selected line's number and the selected lines' text (the current line without one)."""
        cursor = self.text.textCursor()
        doc = self.text.document()
        first = doc.findBlock(cursor.selectionStart()).blockNumber()
        last = doc.findBlock(cursor.selectionEnd()).blockNumber() if cursor.hasSelection() else first
        text = "\n".join(doc.findBlockByNumber(n).text() for n in range(first, last + 1))
        return first + 1, text

    def add_to_notes(self) -> None:
        line, text = self.selected_lines()
        if text.strip():
            self.bus.add_to_notes({"text": text, "source": short_path(self.path) or self.path, "file_id": self.file_id,
                                   "line": line})


_OPEN: dict[tuple[str, int], TextViewer] = {}


def show_text_file(parent: QWidget, view: StoreView, bus: CursorBus, file_id: int, line: int | None = None,
                   words: str = "") -> bool:
    """Open (or raise) the viewer of case file ``file_id`` at ``line``; False when it has no readable bytes
    in the case folder (a member not kept, an archive)."""
    row = view.store.conn.execute("SELECT path, blob, kind FROM files WHERE id = ?", (file_id,)).fetchone()
    if row is None or not row[1] or not Path(row[1]).is_file() or row[2] in ("archive", "image"):
        return False
    key = (str(view.database), file_id)
    viewer = _OPEN.get(key)
    if viewer is None:
        viewer = TextViewer(view, bus, file_id, row[0], Path(row[1]), parent.window() if parent else None)
        _OPEN[key] = viewer
        viewer.destroyed.connect(lambda *_: _OPEN.pop(key, None))
    viewer.go_to_line(line, words)
    viewer.show()
    viewer.raise_()
    return True
