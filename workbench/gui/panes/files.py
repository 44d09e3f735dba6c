"""The file catalogue: every file of the case, what it was recognised as, and what became of it."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex
from PySide6.QtWidgets import QHeaderView, QVBoxLayout, QWidget

from workbench.gui.bus import CursorBus, Selection
from workbench.gui.models.rows import FilesModel
from workbench.gui.models.store_view import StoreView
from workbench.gui.panes.common import make_table

ORIGIN = "files"


class FilesPane(QWidget):
    """The catalogue table; activating a file moves the cursor to its first timeline row."""

    def __init__(self, bus: CursorBus, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("FilesPane")
        self.bus = bus
        self.model = FilesModel(self)
        self.table = make_table(self.model, self)
        self.table.setObjectName("filesTable")
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.setColumnWidth(0, 380)
        self.table.activated.connect(self._on_activated)
        self.table.doubleClicked.connect(self._on_activated)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table)
        self._view: StoreView | None = None

    def set_view(self, view: StoreView | None) -> None:
        self._view = view
        self.model.set_view(view)

    def refresh(self) -> None:
        self.model.refresh()

    def _on_activated(self, index: QModelIndex) -> None:
        file_id = self.model.file_id(index.row()) if index.isValid() else None
        if file_id is None or self._view is None:
            return
        row = self._view.store.conn.execute(
            "SELECT id, ts, line FROM timeline WHERE file_id = ? ORDER BY id LIMIT 1", (file_id,)).fetchone()
        if row is not None:
            self.bus.select(Selection("row", ts=row[1], row_id=row[0], file_id=file_id, line=row[2], origin=ORIGIN))
