"""One Procmon capture, however many exports of it the case holds: dated once, stored once.

Engineers send a capture as the PML and, for good measure, its CSV (or XML) export. Each reader stores what
its file holds, so the same events would be on the timeline twice and every Procmon finding said twice. And a
CSV exported with Procmon's default columns has a time of day but no date.

After every file is parsed (before the timeline is put on the case clock), :func:`reconcile_captures`:

1. Finds exports of the same capture: the events of one (process id, operation, path) are, for at least
   :data:`SAME_SHARE` of the smaller file's first events, events of the other.
2. Dates an export that has only times of day (its reader flags it with ``procmon.time_of_day_only``):
   from a PML (or dated export) of the same capture, whose UTC times give the day and the exporting machine's
   offset; else from the day the setup logs cover at that time of day; else not at all (its rows keep no
   time, rather than a false 1 January 1970). Which one it was is said in a ``procmon.dated_from`` fact.
3. Keeps the richest export of each capture (PML, then XML, then CSV) and removes the others' rows from the
   timeline and the Procmon tables, saying so on the file (``files.reason``) and in a ``procmon.same_capture``
   fact.

The offset between an export's wall clock and the PML's UTC is a clock reading of the machine that exported
it (``procmon.export_offset_minutes``): the case clock uses it, weakly, when nothing better says the zone.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from workbench.core import clock
from workbench.core.store import CaseStore

DAY_US = 86_400_000_000
QUARTER_US = 15 * 60 * 1_000_000
#: events compared from the start of each export
SAMPLE = 1000
#: events of the richer file read to match a sample against
REFERENCE = 200_000
#: share of the smaller export's sampled events found in the other: same capture
SAME_SHARE = 0.9
RICHNESS = {"pml": 3, "procmon_xml": 2, "procmon_csv": 1}
UNDATED = "procmon.time_of_day_only"


@dataclass
class Export:
    """One Procmon file of the case: its id, path, kind and whether its times lack a date."""

    file_id: int
    path: str
    kind: str
    undated: bool
    basis: str  # the clock its timeline rows are on: 'utc' (PML) or 'local' (CSV, XML)

    @property
    def richness(self) -> int:
        return RICHNESS.get(self.kind, 0) * 2 + (0 if self.undated else 1)


def _exports(store: CaseStore) -> list[Export]:
    exists = store.scalar("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'procmon_events'")
    if not exists:
        return []
    undated = {r[0] for r in store.conn.execute("SELECT file_id FROM facts WHERE name = ?", (UNDATED,))}
    out = []
    for r in store.query("SELECT id, path, kind FROM files WHERE kind IN ('pml', 'procmon_csv', 'procmon_xml') "
                         "AND status IN ('parsed', 'partial') ORDER BY id"):
        basis = "utc" if r["kind"] == "pml" else "local"
        out.append(Export(r["id"], r["path"], r["kind"], r["id"] in undated, basis))
    return out


def _events(store: CaseStore, export: Export, limit: int) -> list[tuple[tuple[Any, ...], int | None]]:
    """(pid, operation, path) and the timeline time (UTC for a PML, wall clock for an export) of the first
    ``limit`` events, in capture order.

    Read before the timeline is indexed: the timeline is walked in insertion order for this file's rows (a
    reader writes its rows together), the events through their (file_id, line) index in line order, which is
    the order a reader writes them in; never joined row by row."""
    pids = dict(store.conn.execute("SELECT process, pid FROM procmon_processes WHERE file_id = ?",
                                   (export.file_id,)).fetchall())
    column = "ts" if export.basis == "utc" else "local"
    times = dict(store.conn.execute(f"SELECT line, {column} FROM timeline WHERE file_id = ? ORDER BY rowid LIMIT ?",
                                    (export.file_id, limit)).fetchall())
    rows = store.conn.execute(
        "SELECT process, operation, lower(coalesce(path, '')), line FROM procmon_events WHERE file_id = ? "
        "ORDER BY line, rowid LIMIT ?", (export.file_id, limit)).fetchall()
    return [((pids.get(r[0]), r[1], r[2]), times.get(r[3])) for r in rows]


def same_capture(small: list[tuple[tuple[Any, ...], int | None]],
                 big: list[tuple[tuple[Any, ...], int | None]]) -> list[tuple[int | None, int | None]] | None:
    """The time pairs (small's time, big's time) of matched events when ``small`` is an export of the same
    capture as ``big``; None when fewer than :data:`SAME_SHARE` of its events are found there."""
    if not small:
        return None
    queues: dict[tuple[Any, ...], list[int | None]] = defaultdict(list)
    for key, ts in big:
        queues[key].append(ts)
    taken: Counter[tuple[Any, ...]] = Counter()
    pairs: list[tuple[int | None, int | None]] = []
    for key, ts in small:
        q = queues.get(key)
        n = taken[key]
        if q is not None and n < len(q):
            pairs.append((ts, q[n]))
            taken[key] += 1
    return pairs if len(pairs) >= SAME_SHARE * len(small) else None


def split_offset(diff_us: int) -> tuple[int, int] | None:
    """``local_rel - utc`` of an undated export split into (days to add to its rows, the exporting machine's
    offset in minutes), the offset a multiple of 15 minutes within -12 h .. +14 h (the smallest one when two
    fit). None when no zone fits."""
    options = []
    for days in range(int(-diff_us // DAY_US) - 1, int(-diff_us // DAY_US) + 3):
        offset_us = diff_us + days * DAY_US
        quarters = round(offset_us / QUARTER_US)
        if abs(offset_us - quarters * QUARTER_US) > 90_000_000:  # more than 90 s off a quarter hour
            continue
        minutes = quarters * 15
        if clock.valid_offset(minutes):
            options.append((abs(minutes), days, minutes))
    if not options:
        return None
    _, days, minutes = min(options)
    return days, minutes


def _fact(store: CaseStore, name: str, value: str, file_id: int, text: str, weight: int = 0,
          ts: int | None = None, basis: str | None = None) -> None:
    store.insert_facts([(name, value, file_id, None, ts, basis, text, weight)])


def _shift(store: CaseStore, export: Export, days: int) -> None:
    """Move an undated export's rows ``days`` days on (their wall clock starts on 1970-01-01)."""
    shift = days * DAY_US
    store.conn.execute("UPDATE timeline SET local = local + ? WHERE file_id = ? AND local IS NOT NULL",
                       (shift, export.file_id))
    store.conn.execute("UPDATE procmon_processes SET start = start + ? WHERE file_id = ? AND basis = 'local' "
                       "AND start IS NOT NULL", (shift, export.file_id))
    store.conn.execute("UPDATE procmon_processes SET \"end\" = \"end\" + ? WHERE file_id = ? AND basis = 'local' "
                       "AND \"end\" IS NOT NULL", (shift, export.file_id))


def _untime(store: CaseStore, export: Export) -> None:
    """An export no date can be found for: its rows keep their order but no time."""
    store.conn.execute("UPDATE timeline SET local = NULL, ts = NULL WHERE file_id = ?", (export.file_id,))
    store.conn.execute("UPDATE procmon_processes SET start = NULL, \"end\" = NULL WHERE file_id = ? "
                       "AND basis = 'local'", (export.file_id,))


def _drop(store: CaseStore, export: Export, kept: Export) -> None:
    """Remove a duplicate export's rows: the richer file of the same capture holds them."""
    n = store.scalar("SELECT count(*) FROM timeline WHERE file_id = ?", (export.file_id,))
    for table in ("timeline", "procmon_events", "procmon_processes", "procmon_modules"):
        store.conn.execute(f"DELETE FROM {table} WHERE file_id = ?", (export.file_id,))
    reason = (f"an export of the same Procmon capture as {kept.path}: its {n} events are shown once, "
              f"from that file")
    store.conn.execute("UPDATE files SET reason = ?, records = 0 WHERE id = ?", (reason, export.file_id))
    _fact(store, "procmon.same_capture", kept.path, export.file_id, reason)


def _day_from_setup_logs(store: CaseStore, export: Export) -> tuple[int, str] | None:
    """The day (µs of its midnight) whose setup-log rows cover the export's times of day, with the log that
    says so: the day with most setup rows within the export's span (the latest of equals)."""
    lo, hi = store.conn.execute("SELECT min(local), max(local) FROM timeline WHERE file_id = ? "
                                "AND local IS NOT NULL", (export.file_id,)).fetchone()
    if lo is None:
        return None
    margin = 3600 * 1_000_000
    days = store.conn.execute(
        "SELECT local / ? AS day, count(*) FROM timeline WHERE basis = 'local' AND local IS NOT NULL "
        "AND source IN ('setupact', 'setuperr', 'setupapi') AND local >= 946684800000000 GROUP BY day",
        (DAY_US,)).fetchall()
    best: tuple[int, int] | None = None
    for day, _count in days:
        base = int(day) * DAY_US
        hits = store.scalar(
            "SELECT count(*) FROM timeline WHERE basis = 'local' AND source IN ('setupact', 'setuperr', 'setupapi') "
            "AND local BETWEEN ? AND ?", (base + lo - margin, base + hi + margin))
        if hits and (best is None or (hits, day) >= (best[1], best[0])):
            best = (int(day), int(hits))
    if best is None:
        return None
    base = best[0] * DAY_US
    row = store.conn.execute(
        "SELECT f.path FROM timeline t JOIN files f ON f.id = t.file_id WHERE t.basis = 'local' "
        "AND t.source IN ('setupact', 'setuperr', 'setupapi') AND t.local BETWEEN ? AND ? LIMIT 1",
        (base + lo - margin, base + hi + margin)).fetchone()
    return base, row[0] if row else "the setup logs"


def _day_from_mtime(store: CaseStore, export: Export) -> tuple[int, str] | None:
    """The export file's own date (as the archive or folder gives it): the capture ended that day, or the
    day before when the file's time of day is earlier than the capture's last."""
    mtime = store.scalar("SELECT mtime FROM files WHERE id = ?", (export.file_id,))
    try:
        when = datetime.fromisoformat(str(mtime).replace("Z", "")) if mtime else None
    except ValueError:
        when = None
    if when is None or when.year < 2000:
        return None
    last = store.scalar("SELECT max(local) FROM timeline WHERE file_id = ?", (export.file_id,))
    base = clock.datetime_to_us(datetime(when.year, when.month, when.day))
    tod = clock.datetime_to_us(when) - base
    if last is not None and last % DAY_US > tod:
        base -= DAY_US
    return base - (int(last or 0) // DAY_US) * DAY_US, str(mtime)


def reconcile_captures(store: CaseStore) -> None:
    """Date the undated exports and keep one copy of each capture (see the module's docstring)."""
    exports = _exports(store)
    if len(exports) < 2 and not any(e.undated for e in exports):
        return  # one dated capture: nothing to date or merge
    # each export's first events, read only for an export some richer file may hold: every read walks the
    # unindexed timeline from its start (a case of 100 rolled-over PMLs, none richer than another, spent 50 s
    # reading samples nothing compared)
    samples: dict[int, list[tuple[tuple[Any, ...], int | None]]] = {}
    dropped: set[int] = set()
    dated: set[int] = set()
    for export in sorted(exports, key=lambda e: e.richness):
        if export.file_id in dropped:
            continue
        for other in sorted(exports, key=lambda e: -e.richness):
            if other.file_id in (export.file_id, *dropped) or other.richness <= export.richness:
                continue
            if export.file_id not in samples:
                samples[export.file_id] = _events(store, export, SAMPLE)
            pairs = same_capture(samples[export.file_id], _events(store, other, REFERENCE))
            if pairs is None:
                continue
            if export.undated or other.basis == "utc":
                _date_from(store, export, other, pairs, dated)
            _drop(store, export, other)
            dropped.add(export.file_id)
            break
    for export in exports:
        if export.undated and export.file_id not in dated and export.file_id not in dropped:
            found = _day_from_setup_logs(store, export)
            how = "setup logs"
            if found is None:
                found, how = _day_from_mtime(store, export), "file date"
            if found is None:
                _untime(store, export)
                _fact(store, "procmon.dated_from", "none", export.file_id,
                      "the export has times of day but no date, and neither a PML of the same capture nor a setup "
                      "log covers that time of day: its events are kept without a time")
                store.add_problem(export.path, "the export has no Date & Time column (times of day only) and "
                                  "nothing in the case dates them: its events are kept without a time (export "
                                  "with Procmon's Date & Time column, or add the PML)", export.file_id)
            else:
                base, log = found
                _shift(store, export, base // DAY_US)
                day = clock.format_us(base, utc=False) or ""
                why = (f"times of day dated {day[:10]} from {log}, the setup log covering that time of day"
                       if how == "setup logs" else
                       f"times of day dated {day[:10]} from the export file's own date ({log}): nothing else in the "
                       "case dates them, and an export is written after its capture (it may be a later day)")
                _fact(store, "procmon.dated_from", how, export.file_id, why)
                if how == "file date":
                    store.add_problem(export.path, "the export has no Date & Time column (times of day only): its "
                                      f"events are dated {day[:10]} from the file's own date, which may be later "
                                      "than the capture (export with Procmon's Date & Time column, or add the PML)",
                                      export.file_id)
    store.commit()


def _date_from(store: CaseStore, export: Export, other: Export, pairs: list[tuple[int | None, int | None]],
               dated: set[int]) -> None:
    """Date an undated export (or read the exporting machine's offset) from a richer file of the same capture."""
    diffs = [a - b for a, b in pairs if a is not None and b is not None]
    if not diffs:
        return
    diff = int(statistics.median(diffs))
    if other.basis == "utc":
        split = split_offset(diff) if export.undated else (0, round(diff / QUARTER_US) * 15)
        if split is None:
            return
        days, minutes = split
        if clock.valid_offset(minutes):
            ts = next((b for _a, b in pairs if b is not None), None)
            _fact(store, "procmon.export_offset_minutes", str(minutes), export.file_id,
                  f"{export.path}: the export's wall clock is {clock.offset_text(minutes)} from the UTC of "
                  f"{other.path}, the same capture", ts=ts, basis="utc")
    else:
        days = round(-diff / DAY_US)  # both wall clocks: only the day differs
    if export.undated:
        _shift(store, export, days)
        dated.add(export.file_id)
        _fact(store, "procmon.dated_from", other.path, export.file_id,
              f"times of day dated from {other.path}, an export of the same capture")
