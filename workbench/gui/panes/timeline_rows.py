"""How a table of timeline rows follows the shared bus, and tells it what the user picked.

The timeline pane and the event-logs pane both show rows of ``timeline`` (the event-logs pane adds the EVTX
fields after the timeline's ten), through block-paged models with the same lookups. The rules that keep them
in step with every other pane live here once:

* every moment another pane publishes (a pick, or the cursor alone) shows the same row when the table shows
  it, else the row nearest its time; a moment without a time (or an empty table) clears the current row;
* a row the user makes current — or clicks again — becomes the bus's selection; several rows become the
  bus's time range.

Moving the table because the bus said so never tells the bus again (``_programmatic``), which is what keeps
panes from echoing each other.
"""

from __future__ import annotations

import time
from typing import Any

from PySide6.QtCore import QItemSelectionModel, QModelIndex
from PySide6.QtWidgets import QAbstractItemView, QTableView

from workbench.gui.bus import CursorBus, Selection

#: A click this soon after the same row was published is the click that published it (press made it current).
REPUBLISH_S = 0.6
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

    #: the moment (UTC µs) this pane last answered; None before any
    moment: int | None = None

    def connect_bus(self) -> None:
        self.table.selectionModel().currentRowChanged.connect(self._on_current_row)
        self.table.selectionModel().selectionChanged.connect(self._on_selection_range)
        self.table.clicked.connect(self._on_click)
        self.bus.momentChanged.connect(self._on_moment)

    def _row_shown(self, row: int) -> None:
        """The table's current row changed to ``row`` (-1: none); by default nothing else to update."""

    def current_row(self) -> int:
        index = self.table.currentIndex()
        return index.row() if index.isValid() else -1

    # ------------------------------------------------------------------------------------ bus → view

    def row_for_moment(self, sel: Selection) -> int:
        """This table's row for a moment: the selected row itself when the table shows it, else the row
        nearest its time (-1: none — an empty table, or a moment without a time)."""
        if sel.row_id is not None:
            row = self.model.row_for_id(sel.row_id)
            if row >= 0 and self.model.id_of(row) == sel.row_id:
                return row
        elif sel.file_id is not None:
            row = self.model.row_for_line(sel.file_id, sel.line)
            rec = self.model.record(row)
            if rec is not None and rec[FILE_ID] == sel.file_id:
                return row
        return -1 if sel.ts is None else self.model.row_for_time(sel.ts)

    def _on_moment(self, sel: Selection | None) -> None:
        if sel is None:
            return
        self.moment = sel.ts
        if sel.origin == self.origin:
            return  # this pane made the pick: it shows it already
        row = self.row_for_moment(sel)
        if row >= 0:
            self.show_row(row)
        else:
            self.clear_row()

    def clear_row(self) -> None:
        """Nothing at this moment: no current row rather than a row of another moment."""
        self._programmatic = True
        try:
            self.table.selectionModel().clear()
        finally:
            self._programmatic = False
        self._row_shown(-1)

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
        self._publish(current.row())

    def _publish(self, row: int) -> None:
        rec = self.model.record(row)
        if rec is None:
            return
        self._published = (rec[ID], time.monotonic())
        self.bus.select(Selection("row", ts=rec[TS], row_id=rec[ID], file_id=rec[FILE_ID], line=rec[LINE],
                                  origin=self.origin))

    def _on_click(self, index: QModelIndex) -> None:
        """A click on the row that is already current publishes it again (other panes may have moved on);
        the click that made it current has just published it."""
        if not index.isValid() or index.row() != self.current_row():
            return
        rec = self.model.record(index.row())
        last = getattr(self, "_published", None)
        if rec is None or (last is not None and last[0] == rec[ID] and time.monotonic() - last[1] < REPUBLISH_S):
            return
        self._publish(index.row())

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
