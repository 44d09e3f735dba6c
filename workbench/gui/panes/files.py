"""The file catalogue: every file of the case, what it was recognised as, and what became of it."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QSignalBlocker, Qt
from PySide6.QtWidgets import QHeaderView, QMainWindow, QVBoxLayout, QWidget

from workbench.core.moment import row_of_line
from workbench.gui.bus import CursorBus, Selection
from workbench.gui.models.rows import FilesModel
from workbench.gui.models.store_view import StoreView
from workbench.gui.panes.common import make_table

ORIGIN = "files"


class FilesPane(QWidget):
    """The catalogue table; activating a file moves the cursor to its first timeline row (or shows a text
    file); a row picked elsewhere selects its file."""

    def __init__(self, bus: CursorBus, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("FilesPane")
        self.bus = bus
        self.model = FilesModel(self)
        self.table = make_table(self.model, self)
        self.table.setObjectName("filesTable")
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.setColumnWidth(0, 380)
        # a nested archive's path is long: its middle goes, so the file's own name stays in view (the
        # tooltip has the whole path)
        self.table.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.table.activated.connect(self._on_activated)
        self.table.doubleClicked.connect(self._on_activated)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table)
        self._view: StoreView | None = None
        self.moment: int | None = None
        bus.momentChanged.connect(self._on_moment)

    def set_view(self, view: StoreView | None) -> None:
        self._view = view
        self.moment = None
        self.model.set_view(view)

    def refresh(self) -> None:
        self.model.refresh()

    def _on_activated(self, index: QModelIndex) -> None:
        """A file with timeline rows moves every pane to its first row; a text file without rows (the
        customer's description, an engineer's notes, msinfo32) opens in the text viewer."""
        file_id = self.model.file_id(index.row()) if index.isValid() else None
        if file_id is None or self._view is None:
            return
        first = row_of_line(self._view.store, file_id, None)
        if first is not None and first.ts is not None:
            self.bus.select(Selection("row", ts=first.ts, row_id=first.row_id, file_id=file_id, line=first.line,
                                      origin=ORIGIN))
            return
        rec = self.model.row_tuple(index.row())
        if rec is not None and rec[1] == "archive":
            # an archive has no rows of its own: its members are listed after it, named "archive::member"
            inside = next((n for n in range(self.model.rowCount())
                           if (self.model.row_tuple(n) or ("",))[0].startswith(f"{rec[0]}::")), -1)
            if inside >= 0:
                self.table.selectRow(inside)
                self.table.scrollTo(self.model.index(inside, 0))
            window = self.window()
            if isinstance(window, QMainWindow):
                window.statusBar().showMessage(self.tr("An archive: its files are listed under its name."), 6000)
            return
        if not self.open_text(file_id):
            window = self.window()
            if isinstance(window, QMainWindow):
                window.statusBar().showMessage(self.tr("This file has no timeline rows and is not text."), 6000)

    def open_text(self, file_id: int, line: int | None = None) -> bool:
        """Show a file of the case as text (decoded as Windows wrote it); False when it cannot be shown."""
        if self._view is None:
            return False
        from workbench.gui.text_viewer import show_text_file

        return show_text_file(self, self._view, self.bus, file_id, line)

    def _on_moment(self, sel: Selection | None) -> None:
        """Select the file the picked row comes from (none for a moment without a row)."""
        if sel is None:
            return
        self.moment = sel.ts
        row = self.model.row_of_file(sel.file_id) if sel.file_id is not None else -1
        sm = self.table.selectionModel()
        blocker = QSignalBlocker(sm)
        if row >= 0:
            index = self.model.index(row, 0)
            sm.setCurrentIndex(index, sm.SelectionFlag.ClearAndSelect | sm.SelectionFlag.Rows)
            self.table.scrollTo(index)
        else:
            sm.clear()
        del blocker
        self.table.viewport().update()
