"""One moment everywhere: the time and the timeline row a finding, an evidence line or a time is about.

Every view of a case (the window's panes, a report's links) points at a moment the same way: a UTC time and,
when there is one, the row of the timeline that says it. A finding's moment is its anchor evidence — the
first evidence line that is a row of the timeline, at that row's time — so the finding, its evidence and
every pane that follows it agree to the microsecond; only a finding with no such line falls back to its own
time. The lookups here are the ones the panes use to find "their" row for a moment, kept in one place.
"""

from __future__ import annotations

from dataclasses import dataclass

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


def finding_moment(store: CaseStore, finding_id: int) -> Moment:
    """The moment a finding is about: the evidence line at the finding's own time when one is a timeline row
    (the analyzer chose that moment), else its first evidence line that is a timeline row (at that row's
    time; evidence naming a file without a line stands for the file's first row), else its first evidence
    with a time, else the finding's own time."""
    own = store.scalar("SELECT ts FROM findings WHERE id = ?", (finding_id,))
    evidence = store.conn.execute("SELECT file_id, line, ts FROM evidence WHERE finding_id = ? ORDER BY id",
                                  (finding_id,)).fetchall()
    # evidence naming a whole file (a dump: "setupmem.dmp") is about that file's first row (the crash)
    rows = [m for m in (row_of_line(store, f, ln) for f, ln, _ in evidence if f is not None)
            if m is not None and m.ts is not None]
    if rows:
        return next((m for m in rows if m.ts == own), rows[0])
    timed = next(((f, ln, t) for f, ln, t in evidence if t is not None), None)
    if own is None and timed is not None:
        return Moment(timed[2], None, timed[0], timed[1])
    first = next(((f, ln) for f, ln, _ in evidence if f is not None), (None, None))
    return Moment(own, None, first[0], first[1])
