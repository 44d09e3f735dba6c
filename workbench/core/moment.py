"""One moment everywhere: the time and the timeline row a finding, an evidence line or a time is about.

Every view of a case (the window's panes, a report's links) points at a moment the same way: a UTC time and,
when there is one, the row of the timeline that says it. A finding's moment is its anchor evidence — the
first evidence line that is a row of the timeline, at that row's time — so the finding, its evidence and
every pane that follows it agree to the microsecond; only a finding with no such line falls back to its own
time. The lookups here are the ones the panes use to find "their" row for a moment, kept in one place.

A row without a time of a crash source — an engineer's WinDbg text that has no ``Debug session time``, or its
stack frames — stands for the crash it records: its moment is that crash's (the dump's crash time, else the
row where the setup logs report the same bug check, else the verdict's failure moment), so a finding about
it, its evidence and every pane are at the crash, not at whatever moment was picked before.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from workbench.core.store import CaseStore


@dataclass(frozen=True)
class Moment:
    """A UTC time (µs) and the timeline row that says it (``row_id``, ``file_id``, ``line``; any may be None)."""

    ts: int | None
    row_id: int | None = None
    file_id: int | None = None
    line: int | None = None


def row_of_line(store: CaseStore, file_id: int | None, line: int | None) -> Moment | None:
    """The timeline row of source line (``file_id``, ``line``) — the file's first row when ``line`` is None."""
    if file_id is None:
        return None
    if line is None:
        row = store.conn.execute("SELECT id, ts, line FROM timeline WHERE file_id = ? ORDER BY id LIMIT 1",
                                 (file_id,)).fetchone()
    else:
        row = store.conn.execute("SELECT id, ts, line FROM timeline WHERE file_id = ? AND line = ? ORDER BY id "
                                 "LIMIT 1", (file_id, line)).fetchone()
    return None if row is None else Moment(row[1], row[0], file_id, row[2])


def nearest_row_id(store: CaseStore, ts: int) -> int | None:
    """The timeline row nearest ``ts``: the last at or before it or the first after it, whichever is nearer
    (before wins a tie); among rows of that same time, the first. None for a timeline without times."""
    conn = store.conn
    before = conn.execute("SELECT id, ts FROM timeline WHERE ts <= ? ORDER BY ts DESC, id DESC LIMIT 1",
                          (ts,)).fetchone()
    after = conn.execute("SELECT id, ts FROM timeline WHERE ts > ? ORDER BY ts, id LIMIT 1", (ts,)).fetchone()
    if before is None and after is None:
        return None
    if before is None:
        best = after
    elif after is None:
        best = before
    else:
        best = before if ts - before[1] <= after[1] - ts else after
    first = conn.execute("SELECT min(id) FROM timeline WHERE ts = ?", (best[1],)).fetchone()[0]
    return int(first or best[0])


def crash_time_from_logs(store: CaseStore, code: str, own_file: int) -> dict[str, Any] | None:
    """When a crash source carries no crash time: the row where the setup logs report the same bug check
    (``crash.bugcheck_code`` fact with a time, e.g. the rollback setupact.log's "Crash 0x0000007E detected"):
    ``ts``, ``file_id``, ``line``, ``text``, ``path``."""
    row = store.conn.execute(
        "SELECT fa.ts, fa.file_id, fa.line, fa.text, f.path FROM facts fa LEFT JOIN files f ON f.id = fa.file_id "
        "WHERE fa.name = 'crash.bugcheck_code' AND upper(fa.value) = upper(?) AND fa.ts IS NOT NULL "
        "AND fa.file_id IS NOT ? ORDER BY fa.weight DESC, fa.ts LIMIT 1", (code, own_file)).fetchone()
    if row is None:
        return None
    return {"ts": row[0], "file_id": row[1], "line": row[2], "text": row[3], "path": row[4]}


def crash_moment(store: CaseStore, file_id: int | None) -> Moment | None:
    """The moment of the crash a crash source (``dump_summary``: a dump, a WinDbg text) records: its own
    crash time, else the setup logs' report of its bug check (at that log row), else — for the upgrade's crash
    — the verdict's failure moment. None for a file that is no crash source, or a crash of no known time."""
    if file_id is None or not store.scalar(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'dump_summary'"):
        return None
    row = store.conn.execute("SELECT crash_ts, bugcheck_code FROM dump_summary WHERE file_id = ?",
                             (file_id,)).fetchone()
    if row is None:
        return None
    if row[0] is not None:
        own = row_of_line(store, file_id, None)
        if own is not None and own.ts == row[0]:
            return own
        return Moment(int(row[0]), nearest_row_id(store, int(row[0])), file_id, None)
    told = crash_time_from_logs(store, row[1], file_id) if row[1] else None
    if told is not None:
        at = row_of_line(store, told["file_id"], told["line"])
        return Moment(int(told["ts"]), at.row_id if at else nearest_row_id(store, int(told["ts"])),
                      told["file_id"], told["line"])
    if store.scalar("SELECT count(*) FROM facts WHERE name = 'crash.related' AND value = 'true' AND file_id = ?",
                    (file_id,)):
        from workbench.core.verdict.build import failure_moment

        ts = failure_moment(store)[0]
        if ts is not None:
            return Moment(ts, nearest_row_id(store, ts), file_id, None)
    return None


def line_moment(store: CaseStore, file_id: int | None, line: int | None) -> Moment | None:
    """The moment of source line (``file_id``, ``line``; None: the file's first row): its row at its time; a
    row without a time of a crash source stands for its crash (:func:`crash_moment`)."""
    found = row_of_line(store, file_id, line)
    if found is not None and found.ts is not None:
        return found
    return crash_moment(store, file_id) or found


def finding_moment(store: CaseStore, finding_id: int) -> Moment:
    """The moment a finding is about: the evidence line at the finding's own time when one is a timeline row
    (the analyzer chose that moment), else its first evidence line that is a timeline row (at that row's
    time; evidence naming a file without a line stands for the file's first row, a timeless line of a crash
    source for its crash), else its first evidence with a time, else the finding's own time."""
    own = store.scalar("SELECT ts FROM findings WHERE id = ?", (finding_id,))
    evidence = store.conn.execute("SELECT file_id, line, ts FROM evidence WHERE finding_id = ? ORDER BY id",
                                  (finding_id,)).fetchall()
    # evidence naming a whole file (a dump: "setupmem.dmp") is about that file's first row (the crash); a
    # timeless line of a crash source (a WinDbg frame) about its crash
    rows = [m for m in (line_moment(store, f, ln) for f, ln, _ in evidence if f is not None)
            if m is not None and m.ts is not None]
    if rows:
        return next((m for m in rows if m.ts == own), rows[0])
    timed = next(((f, ln, t) for f, ln, t in evidence if t is not None), None)
    if own is None and timed is not None:
        return Moment(timed[2], None, timed[0], timed[1])
    first = next(((f, ln) for f, ln, _ in evidence if f is not None), (None, None))
    return Moment(own, None, first[0], first[1])
