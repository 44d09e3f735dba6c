"""The event logs as a table: the timeline's EVTX rows joined with ``evtx_records``, paged in blocks.

Why not the timeline model with a proxy: a case can hold millions of event records, and every filter of this
pane (log, level, provider, event ID, time window, full text) is answered by SQLite, not by Qt. A filter is
turned into one ``SELECT t.id ... ORDER BY t.id`` whose result is kept as a compact ``array('q')`` (8 bytes a
row); view row ``r`` shows timeline id ``ids[r]``. Because ``timeline.id`` is the position in time after an
ingest, that array is in time order, and "the row nearest to a time" is a bisect. When the matching ids are
one contiguous run (a case of event logs only, or a time window over it) no array is kept at all: row ``r`` is
id ``first + r``.

Rows are read in blocks of :data:`BLOCK` by ``id IN (...)`` (or ``BETWEEN``) with the EVTX detail columns
joined; only :data:`MAX_BLOCKS` blocks are cached (the glue-style cached table model of the house style).

Value lists for the filter boxes and the group-by summary are ``GROUP BY`` queries on the store, so their
counts are the store's, whatever the size of the case.
"""

from __future__ import annotations

import json
import re
import sqlite3
from array import array
from bisect import bisect_left
from dataclasses import dataclass, replace
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt

from workbench.core import clock
from workbench.gui.models.blocks import BLOCK, Block, BlockCache, read_timeline_block
from workbench.gui.models.labels import level_label
from workbench.gui.models.store_view import StoreView, format_wall_us
from workbench.gui.models.table import HeaderedTableModel
from workbench.gui.theme import level_color

EVTX_TABLE = "evtx_records"
MAX_BLOCKS = 64
#: Groups listed in the summary table (the biggest first); a case rarely has more distinct event IDs.
MAX_GROUPS = 500

E_TIME, E_CHANNEL, E_LEVEL, E_PROVIDER, E_EVENT, E_COMPUTER, E_MESSAGE = range(7)
#: Record tuple layout: the timeline's ten fields (as in TimelineModel.record), then the EVTX columns.
R_ID, R_TS, R_LOCAL, R_SOURCE, R_PATH, R_LINE, R_LEVEL, R_COMPONENT, R_MESSAGE, R_FILE_ID = range(10)
R_CHANNEL, R_PROVIDER, R_EVENT, R_COMPUTER = range(10, 14)

LEVEL_ORDER = ("critical", "error", "warning", "info", "verbose")
#: Facets a filter box can list: the name used in :class:`EventFilter`, and the SQL expression it groups by.
FACETS = {"channel": "e.channel", "level": "t.level", "provider": "e.provider", "event_id": "e.event_id"}
FACETS_FIELD = {"channel": "channels", "level": "levels", "provider": "providers", "event_id": "event_ids"}
#: Group-by modes of the summary table: the key columns of each mode.
GROUPINGS: dict[str, tuple[str, ...]] = {
    "event": ("event_id", "provider"), "event_id": ("event_id",), "provider": ("provider",),
    "channel": ("channel",)}

_EVENT_TOKEN = re.compile(r"^(-?)\s*(\d+)(?:\s*-\s*(\d+))?$")


@dataclass(frozen=True)
class EventFilter:
    """What the pane shows. Every field ``None``/empty means "no condition".

    ``event_ids`` and ``exclude_ids`` are sets of (lo, hi) ranges, as Event Viewer's "41, 6005-6009, -7036";
    ``start``/``end`` are UTC µs, inclusive; ``text`` is a full-text query over message and provider.
    A ``None`` inside ``channels``/``providers`` means "records whose channel/provider could not be read".
    """

    channels: tuple[str | None, ...] | None = None
    levels: tuple[str, ...] | None = None
    providers: tuple[str | None, ...] | None = None
    event_ids: tuple[tuple[int, int], ...] | None = None
    exclude_ids: tuple[tuple[int, int], ...] = ()
    start: int | None = None
    end: int | None = None
    text: str = ""

    @property
    def empty(self) -> bool:
        return self == EventFilter()

    def without(self, facet: str) -> EventFilter:
        """This filter with one facet's condition dropped (the counts of that facet's own value list)."""
        if facet == "event_id":
            return replace(self, event_ids=None, exclude_ids=())
        return replace(self, **{FACETS_FIELD[facet]: None})


def parse_event_ids(text: str) -> tuple[tuple[tuple[int, int], ...] | None, tuple[tuple[int, int], ...]]:
    """Event Viewer's event ID syntax: ``"41, 6005-6009, -7036"`` → (included ranges or None, excluded ranges).

    Raises ValueError on anything else, so the pane can say the text is not understood instead of guessing."""
    include: list[tuple[int, int]] = []
    exclude: list[tuple[int, int]] = []
    for token in (t.strip() for t in text.replace(";", ",").split(",")):
        if not token:
            continue
        m = _EVENT_TOKEN.match(token)
        if m is None:
            raise ValueError(token)
        lo = int(m.group(2))
        hi = int(m.group(3)) if m.group(3) else lo
        (exclude if m.group(1) else include).append((min(lo, hi), max(lo, hi)))
    return (tuple(include) or None), tuple(exclude)


def fts_phrase(text: str) -> str:
    """The text as one FTS5 phrase: what a query that is not valid FTS syntax is searched as."""
    return '"' + text.replace('"', '""') + '"'


def strip_prefix(message: str | None, channel: str | None, event_id: int | None) -> str:
    """The message without the ``"<channel> <event id>: "`` the parser puts first for the merged timeline:
    this table shows both in their own columns."""
    text = message or ""
    if event_id is not None:
        prefix = f"{channel or ''} {event_id}: " if channel else f"{event_id}: "
        if text.startswith(prefix):
            text = text[len(prefix):]
    return text.replace("\n", " ⏎ ")


@dataclass(frozen=True)
class CountQuery:
    """One GROUP BY of the value lists or the summary: SQL, parameters, the full-text query among them (to
    retry it as a phrase), and what it counts (a facet name, or ``group:<mode>`` for the summary)."""

    sql: str
    params: list[Any]
    text: str
    what: str


def run_counts(conn: sqlite3.Connection, query: CountQuery) -> list[tuple[Any, ...]]:
    """Run a :class:`CountQuery`; text that is not FTS syntax is counted as a phrase, as the table reads it.
    Levels come back in severity order, everything else biggest first."""
    try:
        rows = conn.execute(query.sql, query.params).fetchall()
    except sqlite3.OperationalError:
        if not query.text:
            return []
        params = [fts_phrase(p) if p == query.text else p for p in query.params]
        try:
            rows = conn.execute(query.sql, params).fetchall()
        except sqlite3.OperationalError:
            return []
    if query.what == "level":
        order = {lv: n for n, lv in enumerate(LEVEL_ORDER)}
        rows.sort(key=lambda r: (order.get(r[0], 99), str(r[0])))
    return [(*r[:-1], int(r[-1])) for r in rows]


class EventsModel(HeaderedTableModel):
    """EVTX records in time order under an :class:`EventFilter`; times on the case clock."""

    COLUMN_SAMPLES = ((E_TIME, "2021-05-18 03:11:02.123"), (E_CHANNEL, "Application"), (E_LEVEL, "warning"),
                      (E_PROVIDER, "Service Control Manager"), (E_EVENT, "10016"), (E_COMPUTER, "DEMO-PC01"))

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._view: StoreView | None = None
        self._joined = False
        self._evtx_files: tuple[int, ...] = ()
        self.filter = EventFilter()
        self.error: str | None = None  # why the last text filter was searched as a phrase, or failed
        self.total = 0  # EVTX rows in the case, whatever the filter
        self._rows = 0
        self._first = 1  # contiguous case: row r is id first + r
        self._ids: array | None = None
        self._unfiltered: tuple[array | None, int, int] | None = None  # (ids, first, rows) with no filter
        self._blocks = BlockCache(MAX_BLOCKS)
        self._headers = [self.tr("Time"), self.tr("Log"), self.tr("Level"), self.tr("Provider"), self.tr("Event ID"),
                         self.tr("Computer"), self.tr("Message")]

    # ------------------------------------------------------------------------------------ loading

    @property
    def view(self) -> StoreView | None:
        return self._view

    @property
    def source(self) -> str:
        """Kept for callers of the old timeline-derived model: this table only ever shows event logs."""
        return "evtx"

    @property
    def filtered(self) -> bool:
        return not self.filter.empty

    def set_view(self, view: StoreView | None) -> None:
        """Show another case (or none), unfiltered."""
        self.beginResetModel()
        self._view = view
        self.filter = EventFilter()
        self._unfiltered = None
        self._joined = False
        self._evtx_files = ()
        if view is not None:
            conn = view.store.conn
            self._joined = bool(conn.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?",
                                             (EVTX_TABLE,)).fetchone()[0])
            self._evtx_files = tuple(r[0] for r in conn.execute("SELECT id FROM files WHERE kind = 'evtx'"))
        self._load()
        self.total = self._rows
        self.endResetModel()

    def set_filters(self, flt: EventFilter) -> None:
        """Show only the records ``flt`` matches (an equal filter does nothing: no reset, no echo)."""
        if flt == self.filter and self._view is not None:
            return
        self.beginResetModel()
        self.filter = flt
        self._load()
        self.endResetModel()

    def set_filter(self, levels: tuple[str, ...] | None = None, source: str | None = None) -> None:
        """The timeline model's level filter (menus and older callers); ``source`` is always the event logs."""
        self.set_filters(replace(self.filter, levels=levels or None))

    def _file_clause(self) -> str:
        if not self._evtx_files:
            return "0"
        return f"t.file_id IN ({','.join(str(int(f)) for f in self._evtx_files)})"

    def where(self, flt: EventFilter) -> tuple[str, list[Any], bool]:
        """The WHERE clause (over ``timeline t`` joined with ``evtx_records e``) of a filter, its parameters,
        and whether it needs the join at all (level, time and text are timeline columns)."""
        where = [self._file_clause()]
        params: list[Any] = []
        join = False

        def values(column: str, wanted: tuple[Any, ...]) -> None:
            parts = []
            named = [v for v in wanted if v is not None]
            if named:
                parts.append(f"{column} IN ({','.join('?' * len(named))})")
                params.extend(named)
            if len(named) < len(wanted):
                parts.append(f"{column} IS NULL")
            where.append("(" + " OR ".join(parts) + ")" if parts else "0")

        if flt.levels is not None:
            values("t.level", flt.levels)
        if flt.channels is not None:
            join = True
            values("e.channel", flt.channels)
        if flt.providers is not None:
            join = True
            values("e.provider", flt.providers)
        if flt.event_ids is not None:
            join = True
            where.append("(" + " OR ".join("e.event_id BETWEEN ? AND ?" for _ in flt.event_ids) + ")")
            params += [v for span in flt.event_ids for v in span]
        for lo, hi in flt.exclude_ids:
            join = True
            where.append("(e.event_id IS NULL OR e.event_id NOT BETWEEN ? AND ?)")
            params += [lo, hi]
        span = self._id_span(flt.start, flt.end)
        if span is not None:
            where.append("t.id BETWEEN ? AND ?")
            params += list(span)
        if flt.text.strip():
            where.append("t.id IN (SELECT rowid FROM timeline_fts WHERE timeline_fts MATCH ?)")
            params.append(flt.text.strip())
        return " AND ".join(where), params, join and self._joined

    def _id_span(self, start: int | None, end: int | None) -> tuple[int, int] | None:
        """A time window as an id range: ids are positions in time, so ``ts BETWEEN`` is an ``id BETWEEN``
        read through the ``ts`` index at its two ends instead of a scan."""
        if self._view is None or (start is None and end is None):
            return None
        conn = self._view.store.conn
        lo = 1 if start is None else conn.execute("SELECT min(id) FROM timeline WHERE ts >= ?", (start,)).fetchone()[0]
        hi = (conn.execute("SELECT max(id) FROM timeline WHERE ts IS NOT NULL").fetchone()[0] if end is None else
              conn.execute("SELECT max(id) FROM timeline WHERE ts <= ?", (end,)).fetchone()[0])
        if lo is None or hi is None:
            return (1, 0)  # nothing in the window
        return int(lo), int(hi)

    def _from(self, join: bool) -> str:
        if join:
            return f"timeline t JOIN {EVTX_TABLE} e ON e.file_id = t.file_id AND e.line = t.line"
        return "timeline t"

    def _load(self) -> None:
        self._blocks.clear()
        self._rows = 0
        self._ids = None
        self._first = 1
        self.error = None
        if self._view is None or not self._evtx_files:
            return
        if self.filter.empty and self._unfiltered is not None:
            # every record again (a cleared filter): the case's id list is kept, re-reading it costs seconds
            self._ids, self._first, self._rows = self._unfiltered
            return
        conn = self._view.store.conn
        where, params, join = self.where(self.filter)
        if self._try_contiguous(where, params, join):
            return
        sql = f"SELECT DISTINCT t.id FROM {self._from(join)} WHERE {where} ORDER BY t.id"
        try:
            cur = conn.execute(sql, params)
        except sqlite3.OperationalError as exc:
            if not self.filter.text.strip():
                raise
            # Not FTS syntax (a path with a backslash, "0x8007...", a lone quote): search it as a phrase.
            self.error = str(exc)
            params[-1] = fts_phrase(self.filter.text.strip())
            try:
                cur = conn.execute(sql, params)
            except sqlite3.OperationalError as exc2:
                self.error = str(exc2)
                return
        ids = array("q")
        while chunk := cur.fetchmany(100_000):
            ids.extend(r[0] for r in chunk)
        self._ids = ids
        self._rows = len(ids)
        self._keep_unfiltered()

    def _keep_unfiltered(self) -> None:
        if self.filter.empty:
            self._unfiltered = (self._ids, self._first, self._rows)

    def _try_contiguous(self, where: str, params: list[Any], join: bool) -> bool:
        """Without text or EVTX-column conditions, check whether the matching ids are one unbroken run
        (count = max - min + 1, read from indexes); then no id array is needed, whatever the row count."""
        if join or self.filter.text.strip() or self._view is None:
            return False
        lo, hi, n = self._view.store.conn.execute(
            f"SELECT min(t.id), max(t.id), count(*) FROM timeline t WHERE {where}", params).fetchone()
        if not n:
            return True  # nothing matches: zero rows, no array
        if hi - lo + 1 != n:
            return False
        self._first, self._rows = int(lo), int(n)
        self._keep_unfiltered()
        return True

    def select_sql(self) -> str:
        """The SELECT a block is read with (no WHERE): the timeline's ten fields, then the EVTX columns."""
        base = ("SELECT t.id, t.ts, t.local, t.source, f.path, t.line, t.level, t.component, t.message, t.file_id")
        if not self._joined:
            return base + ", NULL, NULL, NULL, NULL FROM timeline t LEFT JOIN files f ON f.id = t.file_id"
        return (base + f", e.channel, e.provider, e.event_id, e.computer FROM timeline t "
                f"LEFT JOIN files f ON f.id = t.file_id LEFT JOIN {EVTX_TABLE} e "
                "ON e.file_id = t.file_id AND e.line = t.line")

    def _block(self, number: int) -> Block:
        return self._blocks.get(number, self._read_block)

    def _read_block(self, number: int) -> Block:
        if self._view is None:
            return [None] * BLOCK
        return read_timeline_block(self._view.store.conn, self.select_sql(), number, self._rows, self._first,
                                   self._ids)

    def record(self, row: int) -> tuple[Any, ...] | None:
        """The record shown at ``row``: see the ``R_*`` positions (the first ten are TimelineModel's)."""
        if row < 0 or row >= self._rows:
            return None
        return self._block(row // BLOCK)[row % BLOCK]

    # ------------------------------------------------------------------------------------ lookups

    def id_of(self, row: int) -> int:
        return int(self._ids[row]) if self._ids is not None else self._first + row

    def row_for_id(self, row_id: int) -> int:
        """The row showing timeline id ``row_id``, else the first shown row after it (-1: none shown)."""
        if self._rows == 0:
            return -1
        if self._ids is None:
            return min(max(row_id - self._first, 0), self._rows - 1)
        return min(bisect_left(self._ids, row_id), self._rows - 1)

    def row_for_time(self, ts: int) -> int:
        """The shown row nearest in time to ``ts`` (UTC µs); of rows sharing that time, the first."""
        if self._view is None or self._rows == 0:
            return -1
        conn = self._view.store.conn
        after = conn.execute("SELECT min(id) FROM timeline WHERE ts >= ?", (ts,)).fetchone()[0]
        pivot = self.row_for_id(int(after)) if after is not None else self._rows - 1
        if after is not None and self.id_of(pivot) < int(after):
            pivot = self._rows  # every shown row is before the moment

        def distance(row: int) -> int:
            rec = self.record(row)
            return abs(rec[R_TS] - ts) if rec is not None and rec[R_TS] is not None else 1 << 62

        candidates = [r for r in (pivot - 1, pivot) if 0 <= r < self._rows]
        if not candidates:
            return -1
        best = min(candidates, key=lambda r: (distance(r), r))
        rec = self.record(best)
        if rec is None or rec[R_TS] is None:
            return best
        # walk back over earlier rows of exactly that time (few: a burst of events in one tick)
        while best > 0:
            prev = self.record(best - 1)
            if prev is None or prev[R_TS] != rec[R_TS]:
                break
            best -= 1
        return best

    def row_for_line(self, file_id: int, line: int | None) -> int:
        """The row of EVTX record ``line`` of file ``file_id`` (-1 when it is not shown)."""
        if self._view is None or line is None:
            return -1
        found = self._view.store.scalar("SELECT min(id) FROM timeline WHERE file_id = ? AND line = ?", (file_id, line))
        if found is None:
            return -1
        row = self.row_for_id(int(found))
        return row if row >= 0 and self.id_of(row) == int(found) else -1

    # ------------------------------------------------------------------------------------ facets and groups

    def facet_query(self, name: str, flt: EventFilter | None = None) -> CountQuery | None:
        """The GROUP BY behind one facet's value list (``channel``, ``level``, ``provider``, ``event_id``) over
        the records ``flt`` matches (default: every EVTX record). Built here (it needs the time window's id
        range), run by :func:`run_counts` on any connection, so a big case can count off the GUI thread."""
        if self._view is None or not self._evtx_files or (name != "level" and not self._joined):
            return None
        flt = flt or EventFilter()
        if flt.empty and name != "level":
            # the whole case: evtx_records alone, through its (channel) and (provider, event_id) indexes
            column = FACETS[name][2:]
            return CountQuery(f"SELECT {column} AS v, count(*) FROM {EVTX_TABLE} GROUP BY v ORDER BY 2 DESC, 1",
                              [], "", name)
        where, params, join = self.where(flt)
        sql = (f"SELECT {FACETS[name]} AS v, count(*) FROM {self._from(join or name != 'level')} WHERE {where} "
               "GROUP BY v ORDER BY 2 DESC, 1")
        return CountQuery(sql, params, flt.text.strip(), name)

    def groups_query(self, mode: str, flt: EventFilter | None = None) -> CountQuery | None:
        """The GROUP BY of the summary table: ``GROUPINGS[mode]`` key values and a count per group of the
        records under ``flt`` (default: the current filter), biggest first, at most :data:`MAX_GROUPS`."""
        if self._view is None or not self._evtx_files or not self._joined:
            return None
        keys = GROUPINGS[mode]
        flt = self.filter if flt is None else flt
        cols = ", ".join(FACETS[k] for k in keys)
        if flt.empty:
            plain = ", ".join(FACETS[k][2:] for k in keys)
            return CountQuery(f"SELECT {plain}, count(*) FROM {EVTX_TABLE} GROUP BY {plain} "
                              f"ORDER BY {len(keys) + 1} DESC, 1 LIMIT {MAX_GROUPS}", [], "", f"group:{mode}")
        where, params, _ = self.where(flt)
        sql = (f"SELECT {cols}, count(*) FROM {self._from(True)} WHERE {where} GROUP BY {cols} "
               f"ORDER BY {len(keys) + 1} DESC, 1 LIMIT {MAX_GROUPS}")
        return CountQuery(sql, params, flt.text.strip(), f"group:{mode}")

    def facet(self, name: str, flt: EventFilter | None = None) -> list[tuple[Any, int]]:
        """(value, count) of one facet, run now on the GUI's connection (small cases, tests)."""
        query = self.facet_query(name, flt)
        return [] if query is None or self._view is None else run_counts(self._view.store.conn, query)

    def groups(self, mode: str, flt: EventFilter | None = None) -> list[tuple[Any, ...]]:
        """Counts per group, run now on the GUI's connection (small cases, tests)."""
        query = self.groups_query(mode, flt)
        return [] if query is None or self._view is None else run_counts(self._view.store.conn, query)

    def details(self, row: int) -> list[tuple[str, str]]:
        """Every field of the record at ``row``: times on both clocks, the EVTX columns, then each
        EventData / UserData field (nested ones as ``a.b``), for the side panel."""
        rec = self.record(row)
        if rec is None or self._view is None:
            return []
        out: list[tuple[str, str]] = [
            (self.tr("Time (case clock)"), format_wall_us(rec[R_LOCAL])),
            (self.tr("Time (UTC)"), clock.format_us(rec[R_TS]) or self.tr("(no time)")),
            (self.tr("Log"), _text(rec[R_CHANNEL])), (self.tr("Level"), _text(rec[R_LEVEL])),
            (self.tr("Provider"), _text(rec[R_PROVIDER] if rec[R_PROVIDER] is not None else rec[R_COMPONENT])),
            (self.tr("Event ID"), _text(rec[R_EVENT])), (self.tr("Record number"), _text(rec[R_LINE])),
            (self.tr("Computer"), _text(rec[R_COMPUTER])), (self.tr("File"), _text(rec[R_PATH])),
            (self.tr("Message"), rec[R_MESSAGE] or ""),
        ]
        if not self._joined:
            return out
        found = self._view.store.conn.execute(
            f"SELECT level, data, damaged FROM {EVTX_TABLE} WHERE file_id = ? AND line = ? LIMIT 1",
            (rec[R_FILE_ID], rec[R_LINE])).fetchone()
        if found is None:
            return out
        if found[2]:
            out.append((self.tr("Damaged"), self.tr("yes: provider, time or channel could not be read")))
        if found[0] is not None:
            out.append((self.tr("Level (as written)"), str(found[0])))
        try:
            data = json.loads(found[1]) if found[1] else {}
        except ValueError:
            data = {"data": found[1]}
        out.extend(_flatten(data))
        return out

    # ------------------------------------------------------------------------------------ Qt model API

    def row_total(self) -> int:
        return self._rows

    def cell(self, rec: tuple[Any, ...], col: int) -> str:
        """The text of one cell, as shown and as copied."""
        if col == E_TIME:  # an event log's time is UTC: marked so while the case has no zone
            return self._view.format_ts(rec[R_TS], basis="utc") if self._view is not None else format_wall_us(rec[R_LOCAL])
        if col == E_CHANNEL:
            return _text(rec[R_CHANNEL])
        if col == E_LEVEL:
            return level_label(rec[R_LEVEL])
        if col == E_PROVIDER:
            return _text(rec[R_PROVIDER] if rec[R_PROVIDER] is not None else rec[R_COMPONENT])
        if col == E_EVENT:
            return _text(rec[R_EVENT])
        if col == E_COMPUTER:
            return _text(rec[R_COMPUTER])
        if col == E_MESSAGE:
            return strip_prefix(rec[R_MESSAGE], rec[R_CHANNEL], rec[R_EVENT])
        return ""

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        rec = self.record(index.row())
        if rec is None:
            return None
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self.cell(rec, col)
        if role == Qt.ItemDataRole.ToolTipRole:
            if col == E_TIME:
                return f"UTC {clock.format_us(rec[R_TS]) or '?'}"
            if col == E_MESSAGE:
                return rec[R_MESSAGE]
            return None
        if role == Qt.ItemDataRole.ForegroundRole:
            return level_color(rec[R_LEVEL])
        if role == Qt.ItemDataRole.TextAlignmentRole and col == E_EVENT:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def rows_as_text(self, rows: list[int]) -> str:
        """Rows as tab-separated text, the way they read on screen, for the clipboard."""
        out = []
        for row in sorted(set(rows)):
            rec = self.record(row)
            if rec is not None:
                out.append("\t".join(self.cell(rec, c).replace("\t", " ") for c in range(len(self._headers))))
        return "\n".join(out)


class GroupsModel(QAbstractTableModel):
    """The group-by summary: one row per group (event ID and provider, or provider, ...) with its count.

    A few hundred rows at most (:data:`MAX_GROUPS`), read in one query, so a plain list is right here."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.mode = "event"
        self._rows: list[tuple[Any, ...]] = []
        self._names = {"event_id": self.tr("Event ID"), "provider": self.tr("Provider"), "channel": self.tr("Log")}

    def set_groups(self, mode: str, rows: list[tuple[Any, ...]]) -> None:
        self.beginResetModel()
        self.mode = mode
        self._rows = rows
        self.endResetModel()

    def keys(self, row: int) -> dict[str, Any] | None:
        """The key values of the group at ``row`` (``{"event_id": 41, "provider": "..."}``)."""
        if not 0 <= row < len(self._rows):
            return None
        return dict(zip(GROUPINGS[self.mode], self._rows[row], strict=False))

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(GROUPINGS[self.mode]) + 1

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.DisplayRole or orientation != Qt.Orientation.Horizontal:
            return None
        keys = GROUPINGS[self.mode]
        if section == 0:
            return self.tr("Count")
        return self._names[keys[section - 1]] if 0 < section <= len(keys) else None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Column 0 is the count (first, as in Hayabusa's eid-metrics: the eye reads the size first)."""
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        rec = self._rows[index.row()]
        col = index.column()
        numeric = col == 0 or GROUPINGS[self.mode][col - 1] == "event_id"
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{rec[-1]:,}" if col == 0 else _text(rec[col - 1])
        if role == Qt.ItemDataRole.TextAlignmentRole and numeric:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole and col > 0:
            return _text(rec[col - 1]) or None
        return None


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _flatten(data: Any, prefix: str = "") -> list[tuple[str, str]]:
    """EventData/UserData JSON as (name, value) rows: nested objects become ``outer.inner``, lists of plain
    values one comma-separated value, lists of objects ``name[0].inner``."""
    if isinstance(data, dict):
        out: list[tuple[str, str]] = []
        for key, value in data.items():
            out.extend(_flatten(value, f"{prefix}.{key}" if prefix else str(key)))
        return out
    if isinstance(data, list):
        if all(not isinstance(v, (dict, list)) for v in data):
            return [(prefix or "Data", ", ".join(_text(v) for v in data))]
        out = []
        for n, value in enumerate(data):
            out.extend(_flatten(value, f"{prefix}[{n}]"))
        return out
    return [(prefix or "Data", _text(data))]
