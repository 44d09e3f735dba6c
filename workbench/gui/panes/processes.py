"""The Procmon process tree: who started whom, when, how each ended, and which are not Microsoft's.

Moving the cursor selects the process alive at that moment; clicking a process moves every pane to its
start (its first event row in the timeline).
"""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QLabel, QTreeView, QVBoxLayout, QWidget

from workbench.gui.bus import CursorBus, Selection
from workbench.gui.models.processes_model import P_COMMAND, P_NAME, ProcessesModel
from workbench.gui.models.store_view import StoreView

ORIGIN = "processes"


class ProcessesPane(QWidget):
    """A tree view over :class:`ProcessesModel` on the bus."""

    def __init__(self, bus: CursorBus, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ProcessesPane")
        self.bus = bus
        self.model = ProcessesModel(self)
        self.tree = QTreeView(self)
        self.tree.setObjectName("processTree")
        self.tree.setModel(self.model)
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(True)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.tree.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.tree.header().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.tree.header().setStretchLastSection(True)
        self.empty = QLabel(self.tr("No Procmon capture in this case."), self)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tree)
        layout.addWidget(self.empty)
        self._programmatic = False
        self.tree.selectionModel().currentRowChanged.connect(self._on_current)
        bus.cursorChanged.connect(self._on_cursor)

    def set_view(self, view: StoreView | None) -> None:
        self.model.set_view(view)
        has = self.model.rowCount() > 0
        self.tree.setVisible(has or view is None)
        self.empty.setVisible(view is not None and not has)
        if has:
            self.tree.expandToDepth(2)
            self.tree.resizeColumnToContents(P_NAME)
            for col in range(1, P_COMMAND):
                self.tree.resizeColumnToContents(col)

    def current_item(self) -> object | None:
        return self.model.item(self.tree.currentIndex())

    def _on_cursor(self, ts: int | None) -> None:
        if ts is None or self.model.rowCount() == 0:
            return
        item = self.model.alive_at(ts)
        if item is None or item is self.current_item():
            return
        index = self.model.index_of(item)
        self._programmatic = True
        try:
            self.tree.selectionModel().setCurrentIndex(
                index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
            self.tree.scrollTo(index, QAbstractItemView.ScrollHint.PositionAtCenter)
        finally:
            self._programmatic = False

    def _on_current(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if self._programmatic:
            return
        item = self.model.item(current)
        if item is None or item.start is None:
            return
        self.bus.select(Selection("process", ts=item.start, file_id=item.node.file_id, line=item.node.first_line,
                                  origin=ORIGIN))
