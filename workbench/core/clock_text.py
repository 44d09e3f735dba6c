"""How a stored time is written: the one place that decides whether it is UTC or a wall clock of no known zone.

Once a case has a time zone, finalizing put every stored time (timeline, facts, evidence) on UTC, and a time
is written ``…Z`` in JSON and on the case clock for people. Until it has one, a time read from a local source
(setup logs, setupapi, a Procmon CSV) is stored as that source's own wall clock: it is written *without* the
``Z`` of UTC in JSON and as it is for people, under the label *local, zone unknown*; a time from a UTC source
(EVTX, PML, dumps, WER) stays UTC and says so (``…Z``, or ``… UTC`` for people), since no clock can show the
two together. Which clock a stored time is on is decided here only, from the case zone, the basis the writer
recorded (a fact's ``basis``, a timeline row's) and the clock of the file's timeline rows — evidence rows keep
no basis, and some facts are stamped after the clock was applied, so the file is the reliable witness.

Every writer of times (the analysis JSON, the verdict, the system facts, reports, compare, the CLI, the
window) goes through :class:`CaseTimes`, so no output can disagree with another on what a time means.
"""

from __future__ import annotations

from datetime import datetime, timezone, tzinfo
from typing import Any

from workbench.core import clock
from workbench.core.store import CaseStore

UTC = "utc"
LOCAL = "local"
#: what follows a UTC time shown to people while the case has no zone (the same in every language)
UTC_MARK = " UTC"


class CaseTimes:
    """A case's clock as it writes stored times. Cheap to make (one meta read); the clock of each file is
    looked up once, and only while the zone is unknown."""

    def __init__(self, store: CaseStore | None = None, *, zone: tzinfo | None = None) -> None:
        self.store = store
        self.zone: tzinfo | None = zone if store is None else clock.resolve_zone(store.get_meta("time_zone_iana"))
        self._file_basis: dict[int, str | None] = {}

    @property
    def known(self) -> bool:
        """Whether the case has a time zone (every stored time is then UTC)."""
        return self.zone is not None

    def file_basis(self, file_id: int | None) -> str | None:
        """The clock a file's timeline rows are on (``utc``/``local``), None for a file without rows."""
        if file_id is None or self.store is None:
            return None
        if file_id not in self._file_basis:
            row = self.store.conn.execute("SELECT basis FROM timeline WHERE file_id = ? LIMIT 1",
                                          (file_id,)).fetchone()
            self._file_basis[file_id] = row[0] if row is not None else None
        return self._file_basis[file_id]

    def is_utc(self, basis: str | None = None, file_id: int | None = None) -> bool:
        """Whether a stored time is UTC: always once the zone is known; without one, unless the writer said
        ``local`` or the file it was read from is a local source. ``basis`` None with no file: UTC (a time the
        workbench computed, a dump's or an event's)."""
        if self.known:
            return True
        return basis != LOCAL and self.file_basis(file_id) != LOCAL

    def basis(self, basis: str | None = None, file_id: int | None = None) -> str:
        """``utc`` or ``local``: what :meth:`is_utc` decides, as the word the store uses."""
        return UTC if self.is_utc(basis, file_id) else LOCAL

    def stored(self, us: int | None, basis: str | None) -> int | None:
        """A time read on its source's own clock and kept so (a Procmon process's start and end) in the form the
        store keeps times: UTC once the zone is known, else as read. Pass the result with the same ``basis``."""
        if us is None or basis != LOCAL or self.zone is None:
            return us
        wall = clock.us_to_datetime(us).replace(tzinfo=None)
        return clock.datetime_to_us(wall.replace(tzinfo=self.zone).astimezone(timezone.utc))

    def from_wall(self, text: str) -> int | None:
        """A time people wrote on the machine's clock (``2024-06-10 10:35``: the customer's report) as a stored
        time (on :data:`LOCAL` basis), or None when ``text`` is not one."""
        try:
            dt = datetime.fromisoformat(text.strip().replace(" ", "T", 1))
        except ValueError:
            return None
        return self.stored(clock.datetime_to_us(dt.replace(tzinfo=None)), LOCAL)

    def iso(self, us: int | None, basis: str | None = None, file_id: int | None = None) -> str | None:
        """ISO-8601 text for JSON: ``…Z`` for a UTC time, no suffix for a wall clock of no known zone."""
        if us is None:
            return None
        return clock.format_us(us, utc=self.is_utc(basis, file_id))

    def wall(self, us: int | None, basis: str | None = None, file_id: int | None = None, *,
             micro: bool = False) -> str | None:
        """Text for people on the case clock (``2024-06-10 10:31:48``, milliseconds with ``micro``): a UTC time
        in the case's zone; without a zone a local source's wall clock as it is, a UTC time marked `` UTC``."""
        if us is None:
            return None
        dt = clock.us_to_datetime(us)
        utc = self.is_utc(basis, file_id)
        if self.zone is not None:
            dt = dt.astimezone(self.zone)
        text = dt.strftime("%Y-%m-%d %H:%M:%S")
        if micro and dt.microsecond:
            text += f".{dt.microsecond // 1000:03d}"
        return text + (UTC_MARK if utc and self.zone is None else "")

    def wall_of_iso(self, text: str | None, *, micro: bool = False) -> str | None:
        """An ISO time as :meth:`iso` wrote it (``Z``: UTC; none: a wall clock) on the case clock for people."""
        if not text:
            return None
        try:
            dt = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return text
        return self.wall(clock.datetime_to_us(dt), LOCAL if dt.tzinfo is None else UTC, micro=micro)

    def label(self, lang: str = "en") -> str:
        """The case clock's name (:func:`workbench.core.clock_case.clock_label`): ``local, zone unknown``
        until a zone is known."""
        from workbench.core.clock_case import UNKNOWN, clock_label

        if self.store is None:
            return UNKNOWN["zh" if lang == "zh" else "en"] if self.zone is None else clock.zone_key(self.zone)
        return clock_label(self.store, lang)


def iso_time(store: CaseStore, us: int | None, basis: str | None = None, file_id: int | None = None) -> str | None:
    """:meth:`CaseTimes.iso` for one time."""
    return CaseTimes(store).iso(us, basis, file_id)


def stamped(times: CaseTimes, row: Any, ts_key: str = "ts") -> str | None:
    """:meth:`CaseTimes.iso` of a database row with ``ts`` and, where it has them, ``basis`` and ``file_id``."""
    keys = row.keys() if hasattr(row, "keys") else ()
    return times.iso(row[ts_key], row["basis"] if "basis" in keys else None,
                     row["file_id"] if "file_id" in keys else None)
