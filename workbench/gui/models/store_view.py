"""The GUI's read-only window on one case database, and the case clock used to show times.

Every model reads through one :class:`StoreView`: a read-only SQLite connection opened on the GUI thread
(the ingest worker writes through its own connection in another thread; WAL lets both run).
"""

from __future__ import annotations

import sqlite3
from datetime import datetime, tzinfo
from pathlib import Path

from workbench.core import clock
from workbench.core.clock_text import LOCAL, CaseTimes
from workbench.core.store import CaseStore

ERROR_LEVELS = ("critical", "error")


class StoreView:
    """A case store opened for reading, plus the case time zone every pane shows times in."""

    def __init__(self, database: Path) -> None:
        self.database = database
        self.store = CaseStore.open(database, readonly=True)
        self.reload_clock()

    def reload_clock(self) -> None:
        """Read the case zone again (an ingest or a user choice may have changed it)."""
        self.zone_name: str | None = self.store.get_meta("time_zone")
        self.times = CaseTimes(self.store)
        self.zone: tzinfo | None = self.times.zone

    def close(self) -> None:
        self.store.close()

    @property
    def ingest_state(self) -> str | None:
        """``running``, ``cancelled``, ``interrupted`` or ``complete`` (see :mod:`workbench.core.ingest`)."""
        try:
            return self.store.get_meta("ingest_state")
        except sqlite3.Error:
            return None

    def read_counts(self) -> tuple[int, int, int, int, int]:
        """How far an ingest read, as every pane says it: (files read to the end, files cut off part-way by a
        cancel or a stop, files not started, files to read in all, timeline rows). A file the stop came before
        is not "cut off": the core marks it with the stop's status and a reason saying it was not read (and
        no rows). Zeros while the ingest rebuilds a table."""
        stopped = "status IN ('cancelled', 'interrupted')"
        unread = f"({stopped} AND coalesce(records, 0) = 0 AND coalesce(reason, '') LIKE 'not read:%')"
        try:
            row = self.store.conn.execute(
                f"SELECT sum(parser IS NOT NULL), sum({stopped} AND NOT {unread}), sum({unread}), "
                f"sum(parser IS NOT NULL OR {stopped} OR status = 'pending'), "
                "(SELECT coalesce(max(id), 0) FROM timeline) FROM files").fetchone()
        except sqlite3.Error:
            return 0, 0, 0, 0, 0
        return tuple(int(v or 0) for v in row)  # type: ignore[return-value]

    @property
    def complete(self) -> bool:
        """Whether the case was read to the end and analyzed: panes built on the analysis (the strip, the
        event logs, the processes, the dump) show nothing of a case that was not, and say why. A database with
        no ingest state at all was not written by the pipeline (a test's, a benchmark's): taken as it is."""
        return self.ingest_state in (None, "complete")

    @property
    def zone_label(self) -> str:
        """What the status bar and the overview call the case clock, in the interface's language: the zone and
        its offset, an inferred offset, or *local, zone unknown* (never UTC for a local source)."""
        from workbench.core.clock_case import clock_label
        from workbench.gui.i18n import ui_language

        return clock_label(self.store, ui_language())

    def to_local(self, ts: int | None) -> datetime | None:
        """A UTC µs time as a datetime on the case clock (UTC when the case has no zone)."""
        if ts is None:
            return None
        dt = clock.us_to_datetime(ts)
        return dt.astimezone(self.zone) if self.zone is not None else dt

    def format_ts(self, ts: int | None, *, micro: bool = True, basis: str | None = None,
                  file_id: int | None = None) -> str:
        """A stored time on the case clock, the one clock every pane shows (:meth:`CaseTimes.wall`): without a
        zone, a local source's wall clock as it is and a UTC source's time marked UTC. ``basis`` (``utc`` /
        ``local``) or ``file_id`` (the file it was read from) say which clock the time is on; a time given with
        neither is shown as stored, unmarked."""
        if ts is None:
            return ""
        if basis is None and file_id is None and not self.times.known:
            basis = LOCAL
        return self.times.wall(ts, basis, file_id, micro=micro) or ""

    def offset_seconds(self, ts: int | None) -> int:
        """The case zone's offset from UTC at ``ts`` (seconds east), 0 without a zone."""
        dt = self.to_local(ts if ts is not None else 0)
        off = dt.utcoffset() if dt is not None else None
        return int(off.total_seconds()) if off is not None else 0

    def timeline_bounds(self) -> tuple[int, int] | None:
        row = self.store.conn.execute("SELECT min(ts), max(ts) FROM timeline WHERE ts IS NOT NULL").fetchone()
        if row is None or row[0] is None:
            return None
        return int(row[0]), int(row[1])


def format_wall(dt: datetime, micro: bool = True) -> str:
    text = dt.strftime("%Y-%m-%d %H:%M:%S")
    if micro and dt.microsecond:
        text += f".{dt.microsecond // 1000:03d}"
    return text


def format_wall_us(local_us: int | None) -> str:
    """A wall-clock µs value (the timeline's ``local`` column) as text."""
    if local_us is None:
        return ""
    return format_wall(clock.us_to_datetime(local_us))
