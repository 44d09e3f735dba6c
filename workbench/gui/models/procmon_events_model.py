"""One process's Procmon events as a Qt table, paged from ``procmon_events`` in blocks of rows.

A busy process writes millions of events, so the model never holds them: it keeps the process's event
lines in a compact ``array('q')`` (8 bytes an event, read once when the process is chosen) and reads the
rows a view shows in blocks of :data:`BLOCK` by ``line IN (...)`` through the ``(file_id, line)`` index,
keeping only the newest :data:`MAX_BLOCKS` blocks (the timeline model does the same with timeline ids).
Event lines are positions in the capture, which is in time order, so "the event nearest a moment" is a
binary search that reads a handful of rows.

Stacks and full details are not in the store; :func:`read_details` reads them from the capture on demand.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from pathlib import Path
from typing import Any

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, Qt

from workbench.core.parsers.procmon_common import WARNING_RESULTS, parse_exit_status
from workbench.gui.models.blocks import BLOCK, Block, BlockCache
from workbench.gui.models.store_view import StoreView
from workbench.gui.models.table import HeaderedTableModel
from workbench.gui.theme import color

MAX_BLOCKS = 32
# the result before the path: a denial must be visible in a narrow pane without scrolling sideways
E_TIME, E_OPERATION, E_RESULT, E_PATH, E_DETAIL, E_TID, E_CLASS = range(7)
#: view column -> position in a block row
_FIELD = {E_TIME: 1, E_OPERATION: 4, E_RESULT: 6, E_PATH: 5, E_DETAIL: 7, E_TID: 2, E_CLASS: 3}
#: the columns of one block row
_SQL = ("SELECT e.line, t.ts, e.tid, e.class, e.operation, e.path, e.result, e.detail, t.id "
        "FROM procmon_events e LEFT JOIN timeline t ON t.file_id = e.file_id AND t.line = e.line "
        "WHERE e.file_id = ? AND e.line IN ({marks})")


class ProcmonEventsModel(HeaderedTableModel):
    """The events of one process ``(file_id, process)`` in capture order."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._headers = [self.tr("Time"), self.tr("Operation"), self.tr("Result"), self.tr("Path"), self.tr("Detail"),
                         self.tr("TID"), self.tr("Class")]
        self._view: StoreView | None = None
        self.key: tuple[int, int] | None = None
        self._lines = array("q")
        self._blocks = BlockCache(MAX_BLOCKS)

    def set_view(self, view: StoreView | None) -> None:
        """Another case (or none): no process is shown until :meth:`show_process`."""
        self._view = view
        self.show_process(None)

    def show_process(self, key: tuple[int, int] | None) -> None:
        """Show the events of process ``key`` = (file_id, process index); None shows nothing."""
        if key is not None and key == self.key and self._view is not None:
            return
        self.beginResetModel()
        self.key = None if key is None else (int(key[0]), int(key[1]))
        self._lines = array("q")
        self._blocks.clear()
        if self._view is not None and self.key is not None and self._view.store.scalar(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'procmon_events'"):
            cur = self._view.store.conn.execute(
                "SELECT line FROM procmon_events WHERE file_id = ? AND process = ? ORDER BY line", self.key)
            while chunk := cur.fetchmany(50_000):
                self._lines.extend(r[0] for r in chunk)
        self.endResetModel()

    @property
    def view(self) -> StoreView | None:
        return self._view

    # ----------------------------------------------------------------------------------- paging

    def _block(self, number: int) -> Block:
        return self._blocks.get(number, self._read_block)

    def _read_block(self, number: int) -> Block:
        lines = self._lines[number * BLOCK:(number + 1) * BLOCK]
        block: Block = [None] * len(lines)
        if self._view is not None and self.key is not None and lines:
            position = {line: n for n, line in enumerate(lines)}
            sql = _SQL.format(marks=",".join("?" * len(lines)))
            for r in self._view.store.conn.execute(sql, (self.key[0], *lines)):
                block[position[r[0]]] = tuple(r)
        return block

    def record(self, row: int) -> tuple[Any, ...] | None:
        """(line, ts, tid, class, operation, path, result, detail, timeline id) of row ``row``."""
        if not 0 <= row < len(self._lines):
            return None
        block = self._block(row // BLOCK)
        offset = row % BLOCK
        return block[offset] if offset < len(block) else None

    def line_of(self, row: int) -> int | None:
        return int(self._lines[row]) if 0 <= row < len(self._lines) else None

    def row_for_line(self, line: int | None) -> int:
        """The row of capture line ``line`` in this process, or -1 when it is not this process's."""
        if line is None:
            return -1
        at = bisect_left(self._lines, line)
        return at if at < len(self._lines) and self._lines[at] == line else -1

    def _ts(self, row: int) -> int | None:
        rec = self.record(row)
        return None if rec is None else rec[1]

    def row_for_time(self, ts: int) -> int:
        """The row nearest ``ts`` (UTC µs): binary search over capture order, then the nearer neighbour."""
        n = len(self._lines)
        if n == 0:
            return -1
        lo, hi = 0, n
        while lo < hi:  # first row whose time is > ts; rows without a time count as early
            mid = (lo + hi) // 2
            t = self._ts(mid)
            if t is None or t <= ts:
                lo = mid + 1
            else:
                hi = mid
        candidates = [r for r in (lo - 1, lo) if 0 <= r < n]

        def distance(r: int) -> int:
            t = self._ts(r)
            return abs(t - ts) if t is not None else 1 << 62

        best = min(candidates, key=lambda r: (distance(r), r))
        # among events sharing that time, the first
        t = self._ts(best)
        while best > 0 and t is not None and self._ts(best - 1) == t:
            best -= 1
        return best

    # ----------------------------------------------------------------------------------- Qt model API

    def row_total(self) -> int:
        return len(self._lines)

    def display(self, rec: tuple[Any, ...], col: int) -> str:
        if col == E_TIME:
            return self._view.format_ts(rec[1]) if self._view is not None and rec[1] is not None else ""
        value = rec[_FIELD[col]]
        return "" if value is None else str(value).replace("\n", " ")

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        rec = self.record(index.row())
        if rec is None:
            return None
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self.display(rec, col)
        if role == Qt.ItemDataRole.ToolTipRole and col in (E_PATH, E_DETAIL):
            return self.display(rec, col) or None
        if role == Qt.ItemDataRole.ForegroundRole:
            if rec[4] == "Process Exit":
                status = parse_exit_status(rec[7] or "")
                if status is not None and status >= 0x80000000:
                    return color("error")
            if rec[6] in WARNING_RESULTS:
                return color("warning")
            return None
        return None

    def rows_as_text(self, rows: list[int]) -> str:
        """Rows as tab-separated text, in the columns' order, for the clipboard."""
        out = []
        for row in sorted(set(rows)):
            rec = self.record(row)
            if rec is not None:
                out.append("\t".join(self.display(rec, c) for c in range(len(self._headers))))
        return "\n".join(out)


def read_details(view: StoreView, file_id: int, line: int) -> dict[str, Any]:
    """Everything known about one event: the stored row, and for a PML the full details and the stack read
    from the capture now (they are never stored; see :mod:`workbench.core.parsers.pml`).

    Returns ``{"row": {...}, "details": {...}, "stack": [...], "note": str | None}``; ``note`` says why
    details or a stack are missing (an export has none; the capture file is gone; it cannot be read).
    """
    store = view.store
    row = store.conn.execute("SELECT e.line, t.ts, e.tid, e.class, e.operation, e.path, e.result, e.detail "
                             "FROM procmon_events e LEFT JOIN timeline t ON t.file_id = e.file_id AND t.line = e.line "
                             "WHERE e.file_id = ? AND e.line = ?", (file_id, line)).fetchone()
    out: dict[str, Any] = {"row": dict(zip(("line", "ts", "tid", "class", "operation", "path", "result", "detail"),
                                           row, strict=True)) if row else {},
                           "details": {}, "stack": [], "note": None}
    meta = store.conn.execute("SELECT kind, blob FROM files WHERE id = ?", (file_id,)).fetchone()
    kind, blob = (meta[0], meta[1]) if meta else (None, None)
    if kind != "pml":
        out["note"] = "A Procmon export (CSV/XML) carries no stacks; the row above is all it holds."
        return out
    if not blob or not Path(blob).exists():
        out["note"] = "The capture file is no longer in the case folder, so its stack cannot be read."
        return out
    from workbench.core.parsers.pml import read_event_details

    try:
        full = read_event_details(Path(blob), line)
    except Exception as exc:  # a damaged or cut-short capture: say so in the panel, never crash the GUI
        out["note"] = f"The event could not be read from the capture ({type(exc).__name__}: {exc})."
        return out
    out["details"] = full.get("details") or {}
    out["stack"] = list(full.get("stack") or [])
    if not out["stack"]:
        out["note"] = "Procmon recorded no stack for this event."
    return out
