"""The case's problems: every file or archive part that could not be read, and why, in one sentence."""

from __future__ import annotations

from PySide6.QtWidgets import QHeaderView, QVBoxLayout, QWidget

from workbench.gui.bus import CursorBus
from workbench.gui.models.rows import ProblemsModel
from workbench.gui.models.store_view import StoreView
from workbench.gui.panes.common import make_table


class ProblemsPane(QWidget):
    """A read-only list; it answers "what did not load" after an ingest that reported trouble."""

    def __init__(self, bus: CursorBus, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ProblemsPane")
        self.model = ProblemsModel(self)
        self.table = make_table(self.model, self)
        self.table.setObjectName("problemsTable")
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        self.table.setColumnWidth(0, 320)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table)

    def set_view(self, view: StoreView | None) -> None:
        self.model.set_view(view)
