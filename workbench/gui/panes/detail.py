"""Source detail: every field of the selected timeline row, including the parser's own detail columns.

Parsers keep source-specific fields (EVTX event data, Procmon operation and path, ...) in detail tables joined
to the timeline by (file_id, line); this pane shows them for whatever row the bus selects, until dedicated
panes for each source exist.
"""

from __future__ import annotations

from PySide6.QtWidgets import QHeaderView, QVBoxLayout, QWidget

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
        bus.selectionChanged.connect(self._on_selection)

    def set_view(self, view: StoreView | None) -> None:
        self._view = view
        self.model.row_id = None
        self.model.set_view(view)

    def _on_selection(self, sel: Selection | None) -> None:
        if self._view is None:
            return
        row_id = None if sel is None else sel.row_id
        if sel is not None and row_id is None and sel.file_id is not None:
            sql = "SELECT min(id) FROM timeline WHERE file_id = ?" + (" AND line = ?" if sel.line is not None else "")
            params = (sel.file_id,) + ((sel.line,) if sel.line is not None else ())
            row_id = self._view.store.scalar(sql, params)
        self.model.show_row(row_id)
