"""How a table of timeline rows follows the shared bus, and tells it what the user picked.

The timeline pane and the event-logs pane both show rows of ``timeline`` (the event-logs pane adds the EVTX
fields after the timeline's ten), through block-paged models with the same lookups. The rules that keep them
in step with every other pane live here once:

* the cursor moves the table to the nearest row in time, unless the current row is already at that moment
  (usually the row the user just clicked, which must not jump to the first row of its tick);
* a selection from another pane shows the same row when the table shows it, else the row nearest its time;
* a row the user makes current becomes the bus's selection; several rows become the bus's time range.

Moving the table because the bus said so never tells the bus again (``_programmatic``), which is what keeps
panes from echoing each other.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QItemSelectionModel, QModelIndex
from PySide6.QtWidgets import QAbstractItemView, QTableView

from workbench.gui.bus import CursorBus, Selection

#: Positions in a timeline record (``TimelineModel.record``; ``EventsModel`` keeps the same first ten).
ID, TS, LINE, FILE_ID = 0, 1, 5, 9


class FollowsBus:
    """Mixin for a pane with ``bus``, ``origin``, ``table`` and a block-paged ``model`` over ``timeline``
    (TimelineModel, EventsModel): ``record``, ``id_of``, ``row_for_id``, ``row_for_time``, ``row_for_line``.

    The pane calls :meth:`connect_bus` once its table exists. :meth:`_row_shown` is the hook for what else the
    pane shows about the current row (the event-logs pane's details); ``-1`` means none.
    """

    bus: CursorBus
    origin: str
    model: Any
    table: QTableView
    #: the column a shown row is scrolled to
    time_column = 0
    _programmatic = False

    def connect_bus(self) -> None:
        self.table.selectionModel().currentRowChanged.connect(self._on_current_row)
        self.table.selectionModel().selectionChanged.connect(self._on_selection_range)
        self.bus.cursorChanged.connect(self._on_cursor)
        self.bus.selectionChanged.connect(self._on_selection)

    def _row_shown(self, row: int) -> None:
        """The table's current row changed to ``row`` (-1: none); by default nothing else to update."""

    def current_row(self) -> int:
        index = self.table.currentIndex()
        return index.row() if index.isValid() else -1

    # ------------------------------------------------------------------------------------ bus → view

    def _on_cursor(self, ts: int | None) -> None:
        if ts is None:
            return
        rec = self.model.record(self.current_row())
        if rec is not None and rec[TS] == ts:
            return  # already on a row of that moment (usually: the one the user just clicked)
        self.show_row(self.model.row_for_time(ts))

    def _on_selection(self, sel: Selection | None) -> None:
        if sel is None or sel.origin == self.origin:
            return
        row, exact = -1, False
        if sel.row_id is not None:
            row = self.model.row_for_id(sel.row_id)
            exact = row >= 0 and self.model.id_of(row) == sel.row_id
        elif sel.file_id is not None:
            row = self.model.row_for_line(sel.file_id, sel.line)
            rec = self.model.record(row)
            exact = rec is not None and rec[FILE_ID] == sel.file_id
        if not exact:
            # not a row of this table (another source, or filtered out): the row nearest its moment, unless
            # the table is already on a row of that moment
            current = self.model.record(self.current_row())
            if sel.ts is None or (current is not None and current[TS] == sel.ts):
                return
            row = self.model.row_for_time(sel.ts)
        if row >= 0:
            self.show_row(row)

    def show_row(self, row: int) -> None:
        """Make ``row`` current and centred without telling the bus (the bus told us)."""
        if row < 0 or row >= self.model.rowCount():
            self._row_shown(-1)
            return
        index = self.model.index(row, self.time_column)
        self._programmatic = True
        try:
            self.table.selectionModel().setCurrentIndex(
                index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
            self.table.scrollTo(index, QAbstractItemView.ScrollHint.PositionAtCenter)
        finally:
            self._programmatic = False
        self._row_shown(row)

    # ------------------------------------------------------------------------------------ view → bus

    def _on_current_row(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if self._programmatic or not current.isValid():
            return
        self._row_shown(current.row())
        rec = self.model.record(current.row())
        if rec is None:
            return
        self.bus.select(Selection("row", ts=rec[TS], row_id=rec[ID], file_id=rec[FILE_ID], line=rec[LINE],
                                  origin=self.origin))

    def _on_selection_range(self, *_args: object) -> None:
        """Several rows selected: their time span becomes the bus's range (the strip shades it); one row or
        none clears it. Read from the selection's ranges, never ``selectedRows()``, which would list every
        row of a Ctrl+A over millions."""
        ranges = self.table.selectionModel().selection()
        if ranges.isEmpty():
            self.bus.set_range(None)
            return
        top = min(r.top() for r in ranges)
        bottom = max(r.bottom() for r in ranges)
        first, last = self.model.record(top), self.model.record(bottom)
        if top == bottom or first is None or last is None or first[TS] is None or last[TS] is None:
            self.bus.set_range(None)
            return
        self.bus.set_range((first[TS], last[TS]))
