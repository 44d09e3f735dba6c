"""Reading the unified timeline: every source on one clock, in time order, filtered in SQL."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from workbench.core import clock, search
from workbench.core.errors import UserActionRequired
from workbench.core.store import CaseStore
from workbench.core.store.fulltext import match_sql


@dataclass(frozen=True)
class TimelineRow:
    id: int
    ts: int | None
    local: int | None
    source: str
    file: str
    line: int | None
    level: str | None
    component: str | None
    message: str
    basis: str = "utc"  # the clock the source wrote: 'utc' or 'local'
    zone_known: bool = True

    def as_dict(self) -> dict[str, object]:
        """The row as the CLI prints it: UTC ISO-8601 and the case's wall clock side by side.

        Until the case has a time zone, each row says only the time its source wrote: a local source's wall
        clock as ``time_local`` (never passed off as UTC), a UTC source's time as ``time_utc``."""
        known = self.zone_known
        return {
            "time_utc": clock.format_us(self.ts, utc=True) if known or self.basis == "utc" else None,
            "time_local": clock.format_us(self.local, utc=False) if known or self.basis == "local" else None,
            "source": self.source,
            "file": self.file,
            "line": self.line,
            "level": self.level,
            "component": self.component,
            "message": self.message,
        }


FIELDS = ("time_utc", "time_local", "source", "file", "line", "level", "component", "message")


def parse_time(text: str, store: CaseStore) -> int:
    """A time the user typed: ISO-8601 with ``Z`` or an offset is exact; without one it is the case clock."""
    raw = text.strip()
    try:
        dt = datetime.fromisoformat(raw.replace("Z", "+00:00").replace(" ", "T", 1))
    except ValueError as exc:
        raise UserActionRequired(f"{text!r} is not a time; write it like 2021-05-18T03:11:02 or ...Z for UTC.") \
            from exc
    if dt.tzinfo is not None:
        return clock.datetime_to_us(dt.astimezone(timezone.utc))
    zone = clock.resolve_zone(store.get_meta("time_zone_iana"))
    if zone is None:
        return clock.datetime_to_us(dt)
    return clock.datetime_to_us(dt.replace(tzinfo=zone).astimezone(timezone.utc))


def check_search(store: CaseStore, text: str) -> None:
    """Raise :class:`UserActionRequired` with a sentence when ``text`` is not a query the full-text index takes.

    SQLite reports a bad FTS5 query only when the statement runs ("unterminated string", "fts5: syntax
    error near ...", "no such column: foo" for ``foo:bar``); that is the user's typing, not a fault of the case.
    """
    try:
        if search.index_ready(store):
            sql, params = match_sql(text)
            store.conn.execute(f"SELECT * FROM ({sql}) LIMIT 1", params).fetchone()
        else:  # the index is still being built: the temporary table the rows are read through answers
            search.check_query(store.conn, text)
    except sqlite3.OperationalError as exc:
        if "no such table" in str(exc):
            raise  # no index in this store: not the query's fault
        raise UserActionRequired(
            f"the search {text!r} is not valid full-text syntax ({exc}); write words, \"a phrase\" in double "
            "quotes, prefix* or AND / OR / NOT.") from exc


def query_timeline(store: CaseStore, *, source: str | None = None, start: int | None = None,
                   end: int | None = None, text: str | None = None, level: str | None = None,
                   limit: int | None = None) -> Iterator[TimelineRow]:
    """Rows in time order. ``source`` matches a source name (setupact, evtx, ...), a folder role
    (rollback, downlevel, ...) or part of a file path; ``text`` is a full-text query; ``start``/``end`` are
    UTC microseconds (end inclusive).

    A ``text`` that is not FTS5 syntax (a lone ``"``) raises :class:`UserActionRequired` before the first row
    (:func:`check_search`, which a caller that prints a header first calls itself).
    """
    if text:
        check_search(store, text)
    where: list[str] = []
    params: list[object] = []
    if source:
        where.append("(t.source = ? OR f.role = ? OR f.kind = ? OR f.path LIKE ?)")
        params += [source, source, source, f"%{source}%"]
    if start is not None:
        where.append("t.ts >= ?")
        params.append(start)
    if end is not None:
        where.append("t.ts <= ?")
        params.append(end)
    if level:
        where.append("t.level = ?")
        params.append(level)
    indexed = not text or search.index_ready(store)
    if text and indexed:
        sql, extra = match_sql(text)
        where.append(f"t.id IN ({sql})")
        params += extra
    sql = (
        "SELECT t.id, t.message, t.component, t.ts, t.local, t.source, f.path AS file, t.line, t.level, t.basis "
        "FROM timeline t JOIN files f ON f.id = t.file_id"
        + (" WHERE " + " AND ".join(where) if where else "")
        + " ORDER BY t.id"
        + (f" LIMIT {int(limit)}" if limit and indexed else "")
    )
    known = clock.resolve_zone(store.get_meta("time_zone_iana")) is not None
    rows: Iterator[Any] = store.conn.execute(sql, params)
    if not indexed:  # the index is still being built: the rows are read through a temporary one (slower)
        rows = search.matching(store.conn, str(text), rows, limit)
    for r in rows:
        yield TimelineRow(r[0], r[3], r[4], r[5], r[6], r[7], r[8], r[2], r[1] or "", r[9], known)
