"""Source detail: every field of the selected timeline row, including the parser's own detail columns.

Parsers keep source-specific fields (EVTX event data, Procmon operation and path, ...) in detail tables joined
to the timeline by (file_id, line); this pane shows them for whatever row the bus selects, until dedicated
panes for each source exist.
"""

from __future__ import annotations

import sqlite3

from PySide6.QtWidgets import QHeaderView, QVBoxLayout, QWidget

from workbench.core.moment import nearest_row_id, row_of_line
from workbench.gui.bus import CursorBus, Selection
from workbench.gui.models.rows import DetailModel
from workbench.gui.models.store_view import StoreView
from workbench.gui.panes.common import make_table


class DetailPane(QWidget):
    """Field/value table of the selected row."""

    def __init__(self, bus: CursorBus, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("DetailPane")
        self.model = DetailModel(self)
        self.table = make_table(self.model, self)
        self.table.setObjectName("detailTable")
        self.table.setWordWrap(True)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        # a few dozen rows at most: let long values (messages, paths) wrap onto more lines
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table)
        self._view: StoreView | None = None
        self.moment: int | None = None
        bus.momentChanged.connect(self._on_moment)

    def set_view(self, view: StoreView | None) -> None:
        self._view = view
        self.moment = None
        self.model.row_id = None
        self.model.set_view(view)

    def _on_moment(self, sel: Selection | None) -> None:
        """The fields of the picked row, or of the timeline row nearest the moment (never an older row)."""
        if self._view is None or sel is None:
            return
        self.moment = sel.ts
        row_id = sel.row_id
        try:
            if row_id is None and sel.file_id is not None:
                found = row_of_line(self._view.store, sel.file_id, sel.line)
                row_id = found.row_id if found is not None else None
            if row_id is None and sel.ts is not None:
                row_id = nearest_row_id(self._view.store, sel.ts)
        except sqlite3.Error:
            row_id = None
        self.model.show_row(row_id)
