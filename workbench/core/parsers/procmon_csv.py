"""Procmon CSV exports ("File > Save... > CSV"): any column set, any locale.

Format facts (reference/procmon.md §3.1): UTF-8 with BOM, every field quoted, CRLF, and Detail fields that
hold bare ``\\r`` (so the file is read with the ``csv`` module, never split on lines). Columns are whatever
was displayed, in display order, so they are mapped by header name. ``Time of Day`` follows the exporting
machine's locale and time zone (``6:55:07.0236729 AM``, ``18:11:37,4666062``); the optional ``Date & Time``
column gives the date (``7/31/2020 6:55:07 AM``, ``31.07.2020 18:11:37``). Numbers may carry thousands
separators, including U+00A0 (ru-RU). Times are local wall clock: events go in on the ``local`` basis.

There is no process table: processes are rebuilt from the rows. A process is (PID, start): a new one begins
at its ``Process Start`` row, or when a PID shows up again after its ``Process Exit``. Parents come from the
``Parent PID`` column or the ``Process Start`` detail (``Parent PID: n``), resolved to the parent's instance
at the end, when every process's lifetime is known.
"""

from __future__ import annotations

import csv
import re
import sys
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any, TextIO

from workbench.core.captures import UNDATED
from workbench.core.clock import datetime_to_us
from workbench.core.parsers.base import CaseFile, Mediator
from workbench.core.parsers.procmon_common import (
    COUNT_COLUMN,
    INDEXES,
    TABLES,
    ProcessRecord,
    class_of_operation,
    level_of,
    message_of,
    parse_exit_status,
    write_processes,
)
from workbench.core.plugins import hookimpl
from workbench.core.textio import MAX_LINE, sniff_encoding

DAY_US = 86_400_000_000
MAX_ROW_PROBLEMS = 20
DETAIL_KEEP = 512  # characters of a non-Process detail kept per event (the rest stays in the file)
#: Characters kept of the end of an over-long line, so the fields after a huge one (and the row's closing
#: quote) still reach the CSV reader; the start keeps textio.MAX_LINE characters.
LONG_LINE_TAIL = 4096

#: Procmon's column names (its CSV header). Lower-cased for matching.
KNOWN_COLUMNS = frozenset(c.lower() for c in (
    "Date & Time", "Process Name", "PID", "Operation", "Result", "Detail", "Sequence", "Company", "Description",
    "Command Line", "User", "Image Path", "Session", "Path", "TID", "Relative Time", "Duration", "Time of Day",
    "Version", "Event Class", "Authentication ID", "Virtualized", "Integrity", "Category", "Parent PID",
    "Architecture", "Completion Time", "Process Start"))

_TIME = re.compile(r"(\d{1,2}):(\d{2}):(\d{2})(?:[.,](\d+))?")
_PM = re.compile(r"\b(PM|P\.M\.|p\.m\.|pm)\b|下午|午後|오후")
_AM = re.compile(r"\b(AM|A\.M\.|a\.m\.|am)\b|上午|午前|오전")
_DATE = re.compile(r"(\d{1,4})\D{1,3}(\d{1,2})\D{1,3}(\d{1,4})")


def parse_time_of_day(text: str) -> int | None:
    """Microseconds since midnight from a locale-formatted time (12- or 24-hour, dot or comma fraction)."""
    m = _TIME.search(text)
    if m is None:
        return None
    hour, minute, second = int(m.group(1)), int(m.group(2)), int(m.group(3))
    frac = m.group(4) or ""
    micro = int((frac + "000000")[:6])
    if _PM.search(text) and hour < 12:
        hour += 12
    elif _AM.search(text) and hour == 12:
        hour = 0
    if hour > 23 or minute > 59 or second > 60:
        return None
    return ((hour * 60 + minute) * 60 + second) * 1_000_000 + micro


def parse_date(text: str) -> date | None:
    """The date part of a locale-formatted ``Date & Time``: Y/M/D, M/D/Y (12-hour en-US) or D.M.Y / D/M/Y."""
    m = _DATE.search(text)
    if m is None:
        return None
    a, b, c = (int(g) for g in m.groups())
    twelve_hour = bool(_PM.search(text) or _AM.search(text))
    try:
        if a > 31:
            return date(a, b, c)
        year = c if c >= 100 else 2000 + c
        if a > 12:
            return date(year, b, a)
        if b > 12:
            return date(year, a, b)
        sep = text[m.end(1):m.start(2)]
        if "." in sep or not twelve_hour:
            return date(year, b, a)  # 31.07.2020, 31/07/2020 (24-hour locales put the day first)
        return date(year, a, b)
    except ValueError:
        return None


def parse_number(text: str) -> int | None:
    """``1,234``, ``1 234`` (NBSP), ``1.234`` or ``0x4d2`` to an int; None when it is not a number."""
    raw = text.strip().replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
    if not raw:
        return None
    try:
        if raw.lower().startswith("0x"):
            return int(raw, 16)
        return int(raw.replace(",", "").replace(".", "").replace("'", ""))
    except ValueError:
        return None


def _detail_field(detail: str, key: str) -> str | None:
    """The value after ``key:`` in a Procmon detail (``Parent PID: 4, Command line: ...``)."""
    at = detail.find(key + ":")
    if at < 0:
        return None
    rest = detail[at + len(key) + 1:].lstrip()
    return rest


def _command_line(detail: str) -> str | None:
    """The command line of a Process Create/Start detail: up to ``, Current directory:`` or the end."""
    rest = _detail_field(detail, "Command line")
    if rest is None:
        return None
    cut = rest.find(", Current directory:")
    return (rest if cut < 0 else rest[:cut]).strip()


def compact_detail(operation: str, detail: str) -> str:
    """The detail kept in ``procmon_events``: Process Start without its environment block, others capped."""
    if operation == "Process Start":
        cut = detail.find(", Environment:")
        return detail if cut < 0 else detail[:cut]
    return detail if len(detail) <= DETAIL_KEEP else detail[:DETAIL_KEEP] + "…"


class ProcessBuilder:
    """Rebuilds processes from rows: instances by (PID, start), parents resolved once all lifetimes are known."""

    def __init__(self, basis: str) -> None:
        self.basis = basis
        self.records: list[ProcessRecord] = []
        self.live: dict[int, ProcessRecord] = {}
        self.exited: set[int] = set()  # record indexes whose Process Exit was seen

    def get(self, pid: int | None, name: str, operation: str, line: int, ts: int | None) -> ProcessRecord:
        key = pid if pid is not None else -1
        rec = self.live.get(key)
        # A PID names a new process only when it starts again after its exit; rows after a Process Exit
        # (thread exits, closes) still belong to the old one, and filtered exports repeat Start rows.
        starting = operation in ("Process Start", "Process Create(child)")
        fresh = rec is None or (starting and rec.process in self.exited and rec.start != ts)
        if fresh:
            rec = ProcessRecord(process=len(self.records), pid=pid, basis=self.basis, name=name, first_line=line)
            self.records.append(rec)
            self.live[key] = rec
        assert rec is not None
        if not rec.name:
            rec.name = name
        if operation == "Process Start" and rec.start is None:
            rec.start = ts
        return rec

    def exit(self, rec: ProcessRecord, ts: int | None, status: int | None, line: int) -> None:
        rec.end, rec.exit_status, rec.exit_line = ts, status, line
        self.exited.add(rec.process)

    def resolve_parents(self, first_ts: dict[int, int | None]) -> None:
        """Point each process at the instance of its parent PID that was alive when it started."""
        by_pid: dict[int, list[ProcessRecord]] = {}
        for rec in self.records:
            if rec.pid is not None:
                by_pid.setdefault(rec.pid, []).append(rec)
        for rec in self.records:
            if rec.parent_pid is None or rec.parent_pid == rec.pid:
                continue
            born = rec.start if rec.start is not None else first_ts.get(rec.process)
            best = None
            for cand in by_pid.get(rec.parent_pid, ()):
                if cand is rec:
                    continue
                c_start = cand.start if cand.start is not None else first_ts.get(cand.process)
                if born is not None and c_start is not None and cand.start is not None and c_start > born:
                    continue  # started after the child: not its parent
                if born is not None and cand.end is not None and cand.end < born:
                    continue  # gone before the child started
                best = cand
            if best is not None:
                rec.parent_process = best.process


class ProcmonCsvParser:
    """Reads Procmon CSV exports into the timeline (local time), ``procmon_events`` and ``procmon_processes``."""

    name = "procmon_csv"
    kinds = frozenset({"procmon_csv"})
    tables = TABLES
    indexes = INDEXES
    version = 2

    def parse(self, file: CaseFile, mediator: Mediator) -> None:
        with open(file.location, "rb") as raw:
            head = raw.read(65536)
        codec, bom = sniff_encoding(head)
        if codec == "utf-8":
            codec = "utf-8-sig"
        elif not bom and not codec.startswith("utf-16"):
            try:  # Procmon writes UTF-8; a re-saved export may have lost its BOM
                head[:-4].decode("utf-8")
                codec = "utf-8"
            except UnicodeDecodeError:
                pass
        csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
        with open(file.location, encoding=codec, errors="replace", newline="") as fh:
            mediator.watch(fh.buffer)  # progress in bytes: the csv reader hides the offsets
            self._parse(csv.reader(bounded_lines(fh, mediator.problem)), file, mediator)

    def _parse(self, rows: Iterator[list[str]], file: CaseFile, mediator: Mediator) -> None:
        try:
            header = next(rows)
        except (StopIteration, csv.Error):
            mediator.problem("empty file: no CSV header", 0)
            return
        cols = {name.strip().lstrip("\ufeff").lower(): i for i, name in enumerate(header)}
        known = [c for c in cols if c in KNOWN_COLUMNS]
        if "operation" not in cols or len(known) < 3:
            mediator.problem("not a Procmon CSV export: the header (" + ", ".join(header[:8])[:200]
                             + ") lacks Procmon's columns (Time of Day, Process Name, PID, Operation, ...)", 0)
            return
        width = len(header)

        def col(name: str) -> int | None:
            return cols.get(name.lower())

        c_tod, c_dt, c_name, c_pid = col("Time of Day"), col("Date & Time"), col("Process Name"), col("PID")
        c_path, c_res, c_det = col("Path"), col("Result"), col("Detail")
        c_op = cols["operation"]
        c_tid, c_class, c_ppid = col("TID"), col("Event Class"), col("Parent PID")
        extra = {k: col(v) for k, v in (("image", "Image Path"), ("command_line", "Command Line"),
                                         ("company", "Company"), ("description", "Description"),
                                         ("version", "Version"), ("user", "User"), ("integrity", "Integrity"),
                                         ("session", "Session"), ("arch", "Architecture"))}
        present = {k: v for k, v in extra.items() if v is not None}
        if c_tod is None and c_dt is None:
            mediator.problem("the export has no Time of Day or Date & Time column: events have no time", 0)
        elif c_dt is None:
            # dated after every file is read, from a PML of the same capture or the setup logs
            # (workbench.core.captures); until then the rows count from 1970-01-01
            mediator.fact(UNDATED, "true", text="the export has a Time of Day column but no Date & Time column")

        fid = file.id
        builder = ProcessBuilder("local")
        first_ts: dict[int, int | None] = {}
        day_base: int | None = None  # µs of midnight of the current row's date
        last_tod: int | None = None
        bad = 0
        line = 0
        for line, row in enumerate(rows, start=1):
            if line % 5000 == 0:
                mediator.check()
            if len(row) != width:
                if not row or row == [""]:
                    continue
                bad += 1
                if bad <= MAX_ROW_PROBLEMS:
                    mediator.problem(f"row {line + 1}: {len(row)} fields where the header has {width}; skipped", None)
                continue
            operation = row[c_op].strip()
            name = row[c_name] if c_name is not None else ""
            pid = parse_number(row[c_pid]) if c_pid is not None else None
            path = row[c_path] if c_path is not None else ""
            result = row[c_res] if c_res is not None else ""
            detail = row[c_det] if c_det is not None else ""
            klass = row[c_class] if c_class is not None and row[c_class] else class_of_operation(operation)
            # time: date from Date & Time (when present), fraction from Time of Day
            tod = parse_time_of_day(row[c_tod]) if c_tod is not None else None
            if c_dt is not None:
                d = parse_date(row[c_dt])
                if d is not None:
                    day_base = datetime_to_us_date(d)
                if tod is None:
                    tod = parse_time_of_day(row[c_dt])
            elif tod is not None:
                if day_base is None:
                    day_base = 0
                elif last_tod is not None and tod < last_tod - DAY_US // 2:
                    day_base += DAY_US  # past midnight
            last_tod = tod if tod is not None else last_tod
            ts = day_base + tod if tod is not None and day_base is not None else None
            if ts is None and (c_tod is not None or c_dt is not None):
                bad += 1
                if bad <= MAX_ROW_PROBLEMS:
                    shown = row[c_tod] if c_tod is not None else row[c_dt] if c_dt is not None else ""
                    mediator.problem(f"row {line + 1}: unreadable time {shown!r}", None)

            rec = builder.get(pid, name, operation, line, ts)
            first_ts.setdefault(rec.process, ts)
            rec.last_line = line
            rec.counts[COUNT_COLUMN.get(klass, 5)] += 1
            if c_ppid is not None and rec.parent_pid is None:
                rec.parent_pid = parse_number(row[c_ppid])
            for key, idx in present.items():
                value = row[idx]
                if not value or value == "n/a":
                    continue
                if key == "session":
                    rec.session = parse_number(value)
                elif key == "arch":
                    rec.is_64bit = 1 if "64" in value else 0
                elif not getattr(rec, key):
                    setattr(rec, key, value)
            status = None
            if operation == "Process Start":
                ppid = _detail_field(detail, "Parent PID")
                if ppid is not None:
                    rec.parent_pid = parse_number(ppid.split(",", 1)[0])
                cmd = _command_line(detail)
                if cmd and not rec.command_line:
                    rec.command_line = cmd
            elif operation == "Process Create":
                child = _detail_field(detail, "PID")
                child_pid = parse_number(child.split(",", 1)[0]) if child else None
                if child_pid is not None:
                    # the child's image and command line, in case its own rows lack them
                    crec = builder.get(child_pid, path.rsplit("\\", 1)[-1], "Process Create(child)", line, None)
                    first_ts.setdefault(crec.process, ts)
                    crec.parent_pid = crec.parent_pid if crec.parent_pid is not None else pid
                    crec.image = crec.image or path
                    crec.command_line = crec.command_line or (_command_line(detail) or "")
            elif operation == "Process Exit":
                status = parse_exit_status(detail)
                builder.exit(rec, ts, status, line)
            kept = compact_detail(operation, detail) if detail else None
            mediator.event(line=line, message=message_of(operation, path, result,
                                                         kept if klass == "Process" else None),
                           level=level_of(klass, operation, result, status), component=name or None,
                           local=ts, source="procmon")
            mediator.detail("procmon_events", {
                "file_id": fid, "line": line, "process": rec.process,
                "tid": parse_number(row[c_tid]) if c_tid is not None else None, "class": klass,
                "operation": operation, "path": path, "result": result, "detail": kept})
        if bad > MAX_ROW_PROBLEMS:
            mediator.problem(f"{bad} rows in all could not be read fully", None)
        builder.resolve_parents(first_ts)
        write_processes(mediator, builder.records)


def bounded_lines(fh: TextIO, problem: Callable[[str, int | None], None]) -> Iterator[str]:
    """The physical lines of a CSV, line ends kept (the CSV reader needs them), none held whole when huge.

    A line longer than :data:`MAX_LINE` characters yields its start, `` … `` and its last
    :data:`LONG_LINE_TAIL` characters, read past in bounded pieces: one row stays one row (its later fields
    and closing quote survive), and a 200 MB Detail costs no more memory than a short one. Each such line is
    named through ``problem`` by its number as an editor counts lines (a bare CR ends one, as in Procmon's
    Detail fields).
    """
    number = 0
    while True:
        line = fh.readline(MAX_LINE)
        if not line:
            return
        number += 1
        if len(line) < MAX_LINE or line[-1] in "\r\n":
            yield line
            continue
        size, tail = len(line), ""
        while True:
            more = fh.readline(MAX_LINE)
            if not more:
                break
            size += len(more)
            tail = (tail + more)[-LONG_LINE_TAIL:]
            if more[-1] in "\r\n":
                break
        problem(f"line {number} is {size:,} characters long; only its first {MAX_LINE // 1024} Ki and last "
                f"{LONG_LINE_TAIL // 1024} Ki characters are kept", None)
        yield line + " … " + tail


def datetime_to_us_date(d: date) -> int:
    """Wall-clock µs of midnight of ``d``."""
    from datetime import datetime

    return datetime_to_us(datetime(d.year, d.month, d.day))


def read_row(path: Path, line: int) -> dict[str, Any] | None:
    """Row ``line`` of a Procmon CSV as {column: value}: the full detail of one event, read on demand."""
    with open(path, encoding="utf-8-sig", errors="replace", newline="") as fh:
        rows = csv.reader(fh)
        header = next(rows, None)
        if header is None:
            return None
        for n, row in enumerate(rows, start=1):
            if n == line:
                return dict(zip(header, row, strict=False))
    return None


@hookimpl
def workbench_parsers() -> list[ProcmonCsvParser]:
    return [ProcmonCsvParser()]
