"""The unified timeline as a Qt table, paged from SQLite in blocks of rows.

After an ingest, ``timeline.id`` is the row's position in time (1, 2, 3, ...), so row ``r`` of the view is
``id = r + 1`` and a block is one ``id BETWEEN`` range read through the primary key: cheap at any depth of a
multi-million-row table, with no ``OFFSET`` and no ``fetchMore``. Only a bounded number of blocks is kept
(glue-qt's cached table model does the same).

A filter (levels, source, component, text) does not put a proxy model over the rows: one SQL query reads
the matching ids once into a compact ``array('q')`` (8 bytes a row) and view row ``r`` is ``ids[r]``; blocks
are then read by ``id IN``. The text filter goes through the full-text index (``timeline_fts``), so it costs
the same on five million rows as on five hundred.
"""

from __future__ import annotations

import sqlite3
from array import array
from bisect import bisect_left
from typing import Any

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, Qt

from workbench.core import clock
from workbench.core.moment import nearest_row_id
from workbench.gui.models.blocks import BLOCK, Block, BlockCache, read_timeline_block
from workbench.gui.models.labels import level_label
from workbench.gui.models.store_view import ERROR_LEVELS, StoreView, format_wall_us
from workbench.gui.models.table import HeaderedTableModel
from workbench.gui.theme import level_color, level_shade

MAX_BLOCKS = 64

_SQL = ("SELECT t.id, t.ts, t.local, t.source, f.path, t.line, t.level, t.component, t.message, t.file_id "
        "FROM timeline t LEFT JOIN files f ON f.id = t.file_id WHERE t.id BETWEEN ? AND ?")

COL_TIME, COL_SOURCE, COL_FILE, COL_LINE, COL_LEVEL, COL_COMPONENT, COL_MESSAGE = range(7)


def short_path(path: str | None) -> str:
    """The last two parts of a case path (``Panther/setupact.log``): enough to tell same-named logs apart."""
    if not path:
        return ""
    inner = path.rsplit("::", 1)[-1].replace("\\", "/")
    parts = [p for p in inner.split("/") if p]
    return "/".join(parts[-2:])


def fts_query(text: str) -> str:
    """A user's words as an FTS5 query: each word a quoted prefix term, all required. Quoting keeps text
    that is not FTS syntax (``0x8007..``, ``C:\\Windows``, a lone quote) from being an error."""
    words = [w.replace('"', '""') for w in text.split()]
    return " ".join(f'"{w}"*' for w in words if w)


class TimelineModel(HeaderedTableModel):
    """Rows of ``timeline`` in time order; times on the case clock (the ``local`` column)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._view: StoreView | None = None
        self._rows = 0
        self._ids: array | None = None  # the filtered ids, in time order; None = every row
        self.levels: tuple[str, ...] | None = None
        self.source: str | None = None
        self.component: str | None = None
        self.text: str | None = None
        self.text_error: str | None = None  # why the text filter matched nothing it could read
        self._blocks = BlockCache(MAX_BLOCKS)
        self._headers = [self.tr("Time"), self.tr("Source"), self.tr("File"), self.tr("Line"), self.tr("Level"),
                         self.tr("Component"), self.tr("Message")]

    # ----------------------------------------------------------------------------------- loading

    def set_view(self, view: StoreView | None) -> None:
        """Show another case (or none); the row count is the highest id, read once."""
        self.beginResetModel()
        self._view = view
        self._load()
        self.endResetModel()

    def set_filter(self, levels: tuple[str, ...] | None = None, source: str | None = None) -> None:
        """Show only rows of these levels and/or this source (None: no condition)."""
        self.set_filters(levels, source, self.component, self.text)

    def set_search(self, component: str | None = None, text: str | None = None) -> None:
        """Show only rows of this component (exact) and/or whose message or component contains the words of
        ``text`` (full-text, each word as a prefix: ``lwfm`` finds ``lwfmgr.sys``). None or "": no condition."""
        self.set_filters(self.levels, self.source, component, text)

    def set_filters(self, levels: tuple[str, ...] | None, source: str | None, component: str | None,
                    text: str | None) -> None:
        """Every condition at once: one query and one reset when several change together."""
        wanted = (levels or None, source or None, component or None, (text or "").strip() or None)
        if wanted == (self.levels, self.source, self.component, self.text):
            return
        self.beginResetModel()
        self.levels, self.source, self.component, self.text = wanted
        self._load()
        self.endResetModel()

    def grow(self) -> int:
        """Show the rows an ingest still running has added since (ids only grow while files are read): they
        are appended to the table, no reset, so the user's place and selection stay. Returns how many."""
        if self._view is None or self._ids is not None:
            return 0
        try:
            last = int(self._view.store.scalar("SELECT coalesce(max(id), 0) FROM timeline") or 0)
        except sqlite3.Error:
            return 0
        if last <= self._rows:
            return 0
        self._blocks.forget(self._rows // BLOCK)  # the block that was read partly filled
        added = last - self._rows
        self.beginInsertRows(QModelIndex(), self._rows, last - 1)
        self._rows = last
        self.endInsertRows()
        return added

    @property
    def filtered(self) -> bool:
        return self._ids is not None

    def filter_clauses(self) -> tuple[list[str], list[Any]]:
        """The WHERE conditions (ANDed) and parameters of the current filter; empty when nothing is filtered."""
        where: list[str] = []
        params: list[Any] = []
        if self.levels is not None:
            where.append(f"level IN ({','.join('?' * len(self.levels))})")
            params += list(self.levels)
        if self.source is not None:
            clause, extra = self.source_clause(self.source)
            where.append(clause)
            params += extra
        if self.component is not None:
            where.append("component = ?")
            params.append(self.component)
        if self.text is not None:
            where.append("id IN (SELECT rowid FROM timeline_fts WHERE timeline_fts MATCH ?)")
            params.append(fts_query(self.text))
        return where, params

    def _load(self) -> None:
        self._blocks.clear()
        self._rows = 0
        self._ids = None
        self.text_error = None
        if self._view is None:
            return
        conn = self._view.store.conn
        where, params = self.filter_clauses()
        if not where:
            self._rows = int(conn.execute("SELECT coalesce(max(id), 0) FROM timeline").fetchone()[0] or 0)
            return
        ids = array("q")
        sql = f"SELECT id FROM timeline WHERE {' AND '.join(where)} ORDER BY id"
        if len(where) == 1 and self.text is not None:
            # text alone: the full-text index already holds the ids in order; no pass over the timeline
            sql = "SELECT rowid FROM timeline_fts WHERE timeline_fts MATCH ? ORDER BY rowid"
        try:
            cur = conn.execute(sql, params)
            while chunk := cur.fetchmany(50_000):
                ids.extend(r[0] for r in chunk)
        except sqlite3.OperationalError as exc:  # no full-text index in this store, or it is being rebuilt
            self.text_error = str(exc)
            ids = array("q")
        self._ids = ids
        self._rows = len(ids)

    def components(self, limit: int = 500) -> list[str]:
        """The most frequent components (for the filter box), busiest first; one grouped pass over the table."""
        if self._view is None:
            return []
        where: list[str] = []
        params: list[Any] = []
        if self.source is not None:
            clause, params = self.source_clause(self.source)
            where.append(clause)
        sql = ("SELECT component FROM timeline WHERE component IS NOT NULL AND component != '' "
               + "".join(f" AND {w}" for w in where) + " GROUP BY component ORDER BY count(*) DESC, component LIMIT ?")
        return [r[0] for r in self._view.store.conn.execute(sql, (*params, limit))]

    def source_clause(self, source: str) -> tuple[str, list[Any]]:
        """The WHERE condition for one source (subclasses may use an indexed column instead)."""
        return "source = ?", [source]

    def sources(self) -> list[str]:
        """The sources present in the case, for the filter box."""
        if self._view is None:
            return []
        return [r[0] for r in self._view.store.conn.execute("SELECT DISTINCT source FROM timeline ORDER BY 1")]

    @property
    def view(self) -> StoreView | None:
        return self._view

    def select_sql(self) -> str:
        """The SELECT (without WHERE) a block is read with; subclasses append joined columns after these ten."""
        return _SQL.split(" WHERE ")[0]

    def _block(self, number: int) -> Block:
        return self._blocks.get(number, self._read_block)

    def _read_block(self, number: int) -> Block:
        if self._view is None:
            return [None] * BLOCK
        return read_timeline_block(self._view.store.conn, self.select_sql(), number, self._rows, 1, self._ids)

    def record(self, row: int) -> tuple[Any, ...] | None:
        """(id, ts, local, source, path, line, level, component, message, file_id) of view row ``row``."""
        if row < 0 or row >= self._rows:
            return None
        return self._block(row // BLOCK)[row % BLOCK]

    # ----------------------------------------------------------------------------------- Qt model API

    def row_total(self) -> int:
        return self._rows

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        rec = self.record(index.row())
        if rec is None:
            return None
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if col == COL_TIME:
                return self.time_text(rec)
            if col == COL_SOURCE:
                return rec[3]
            if col == COL_FILE:
                return short_path(rec[4])
            if col == COL_LINE:
                return "" if rec[5] is None else str(rec[5])
            if col == COL_LEVEL:
                return level_label(rec[6])
            if col == COL_COMPONENT:
                return rec[7] or ""
            if col == COL_MESSAGE:
                return (rec[8] or "").replace("\n", " ⏎ ")
            return None
        if role == Qt.ItemDataRole.ToolTipRole:
            if col == COL_TIME:
                return f"UTC {clock.format_us(rec[1]) or '?'}"
            if col == COL_FILE:
                return rec[4]
            if col == COL_MESSAGE:
                return rec[8]
            return None
        if role == Qt.ItemDataRole.ForegroundRole:
            return level_color(rec[6])
        if role == Qt.ItemDataRole.BackgroundRole:
            # error lines are shaded too, so they stand out where the level column is off screen
            return level_shade(rec[6])
        return None

    # ----------------------------------------------------------------------------------- lookups

    def row_for_id(self, row_id: int) -> int:
        """The view row showing ``row_id``; under a filter, the nearest shown row at or after it."""
        if self._ids is None:
            return row_id - 1 if 0 < row_id <= self._rows else -1
        if not self._ids:
            return -1
        return min(bisect_left(self._ids, row_id), len(self._ids) - 1)

    def id_of(self, row: int) -> int:
        return int(self._ids[row]) if self._ids is not None else row + 1

    def row_for_time(self, ts: int) -> int:
        """The row nearest to ``ts`` (UTC µs): the last row at or before it, else the first after it."""
        if self._view is None or self._rows == 0:
            return -1
        try:
            found = nearest_row_id(self._view.store, ts)
        except sqlite3.Error:
            return -1
        if found is None:
            return -1
        row = self.row_for_id(found)
        if self._ids is not None and row >= 0:
            # filtered: the shown row at or after that id, or the one before it, whichever is nearer in time
            def distance(r: int) -> int:
                rec = self.record(r)
                return abs(rec[1] - ts) if rec is not None and rec[1] is not None else 1 << 62

            row = min((r for r in (row - 1, row) if 0 <= r < self._rows), key=lambda r: (distance(r), r))
        return row

    def row_for_line(self, file_id: int, line: int | None) -> int:
        """The row of a source line (``file_id``, ``line``); the file's first row when ``line`` is None."""
        if self._view is None:
            return -1
        if line is None:
            found = self._view.store.scalar("SELECT min(id) FROM timeline WHERE file_id = ?", (file_id,))
        else:
            found = self._view.store.scalar("SELECT min(id) FROM timeline WHERE file_id = ? AND line = ?",
                                            (file_id, line))
        return -1 if found is None else self.row_for_id(int(found))

    def next_error(self, row: int, forward: bool = True) -> int:
        """The next (or previous) error or critical row after ``row``; -1 when there is none."""
        if self._view is None:
            return -1
        marks = ",".join("?" * len(ERROR_LEVELS))
        if forward:
            sql = f"SELECT min(id) FROM timeline WHERE id > ? AND level IN ({marks})"
        else:
            sql = f"SELECT max(id) FROM timeline WHERE id < ? AND level IN ({marks})"
        where, extra = self.filter_clauses()  # only errors this view shows
        sql += "".join(f" AND {w}" for w in where)
        current = self.id_of(row) if 0 <= row < self._rows else (0 if row < 0 else (self.id_of(self._rows - 1) + 1
                                                                                    if self._rows else 0))
        try:
            found = self._view.store.scalar(sql, (current, *ERROR_LEVELS, *extra))
        except sqlite3.OperationalError:
            return -1
        if found is None:
            return -1
        row = self.row_for_id(int(found))
        return row if 0 <= row < self._rows and self.id_of(row) == int(found) else -1

    def time_text(self, rec: tuple[Any, ...]) -> str:
        """A row's time on the case clock (its file says which clock it was written on, while no zone is known)."""
        if self._view is None:
            return format_wall_us(rec[2])
        return self._view.format_ts(rec[1] if rec[1] is not None else rec[2], file_id=rec[9])

    def rows_as_text(self, rows: list[int]) -> str:
        """Rows as tab-separated text (time, source, file, line, level, component, message) for the clipboard."""
        lines = []
        for row in sorted(set(rows)):
            rec = self.record(row)
            if rec is None:
                continue
            lines.append("\t".join([self.time_text(rec), rec[3] or "", rec[4] or "",
                                    "" if rec[5] is None else str(rec[5]), rec[6] or "", rec[7] or "",
                                    (rec[8] or "").replace("\n", " ")]))
        return "\n".join(lines)
