"""Procmon XML exports ("Save... > XML"): the process list, then the events, streamed with ``iterparse``.

Layout (reference/procmon.md §3.2, Procmon 4.01 sample): ``<procmon><processlist><process>`` with
ProcessIndex, ProcessId, ParentProcessId, ParentProcessIndex, CreateTime/FinishTime (raw FILETIME, UTC),
Integrity, Owner, names, command line, company, version, description and a ``<modulelist>``; then
``<eventlist><event>`` with ProcessIndex, Time_of_Day (locale-formatted local time, no date), Process_Name,
PID, Operation, Path, Result, Detail, and one element per other displayed column (spaces become ``_``).

Events are local wall-clock times of day. The date, and the capture machine's offset from UTC, come from the
process list: a ``Process Start`` event happens at its process's CreateTime (UTC), so the two give the
local date and the offset (rounded to a quarter hour). Elements are cleared as they are read, so a big
export stays in bounded memory.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime, timezone

from workbench.core.captures import UNDATED
from workbench.core.clock import datetime_to_us
from workbench.core.parsers.base import CaseFile, Mediator
from workbench.core.parsers.procmon_common import (
    COUNT_COLUMN,
    INDEXES,
    TABLES,
    ProcessRecord,
    class_of_operation,
    filetime_to_us,
    level_of,
    message_of,
    parse_exit_status,
    write_processes,
)
from workbench.core.parsers.procmon_csv import compact_detail, parse_date, parse_number, parse_time_of_day
from workbench.core.plugins import hookimpl

DAY_US = 86_400_000_000
QUARTER_US = 15 * 60 * 1_000_000


def _int(text: str | None) -> int | None:
    return parse_number(text) if text else None


class ProcmonXmlParser:
    """Reads Procmon XML exports: processes from the process list, events into the timeline (local time)."""

    name = "procmon_xml"
    kinds = frozenset({"procmon_xml"})
    tables = TABLES
    indexes = INDEXES
    version = 2

    def parse(self, file: CaseFile, mediator: Mediator) -> None:
        fid = file.id
        procs: dict[int, ProcessRecord] = {}
        pending: list[tuple[int, dict[str, str]]] = []  # events before the clock is known (a few at most)
        state: dict[str, int | None] = {"day": None, "last": None}
        line = 0
        anchors = 0
        source = open(file.location, "rb")  # noqa: SIM115 - closed below; iterparse reads it as it goes
        mediator.watch(source)  # progress in bytes: iterparse hides the offsets
        try:
            context = ET.iterparse(source, events=("start", "end"))
            holder: ET.Element | None = None  # <processlist> / <eventlist>: emptied as we go (bounded memory)
            for ev, elem in context:
                tag = elem.tag
                if ev == "start":
                    if tag in ("processlist", "eventlist"):
                        holder = elem
                    continue
                if tag == "process":
                    rec = self._process(elem)
                    procs[rec.process] = rec
                    if holder is not None:
                        holder.clear()
                elif tag == "event":
                    line += 1
                    fields = {child.tag: (child.text or "") for child in elem if child.tag != "stack"}
                    if holder is not None:
                        holder.clear()
                    if state["day"] is None:
                        pending.append((line, fields))
                        anchors += fields.get("Operation") == "Process Start"
                        if anchors >= 1 or len(pending) >= 2000:
                            state["day"] = self._day_base(pending, procs, mediator)
                            for ln, f in pending:
                                self._event(ln, f, procs, state, fid, mediator)
                            pending = []
                        continue
                    self._event(line, fields, procs, state, fid, mediator)
                    if line % 5000 == 0:
                        mediator.check()
        except ET.ParseError as exc:
            mediator.problem(f"the XML is damaged or cut short ({exc}); the processes and events before that "
                             "point were kept", None)
        finally:
            source.close()
        if pending:
            state["day"] = self._day_base(pending, procs, mediator)
            for ln, f in pending:
                self._event(ln, f, procs, state, fid, mediator)
        if not procs and not line:
            mediator.problem("no <process> or <event> elements: not a Procmon XML export", 0)
        write_processes(mediator, list(procs.values()))

    @staticmethod
    def _process(elem: ET.Element) -> ProcessRecord:
        g = {child.tag: (child.text or "") for child in elem if child.tag != "modulelist"}
        rec = ProcessRecord(
            process=_int(g.get("ProcessIndex")) or 0, pid=_int(g.get("ProcessId")),
            parent_pid=_int(g.get("ParentProcessId")), parent_process=_int(g.get("ParentProcessIndex")),
            basis="utc", start=filetime_to_us(_int(g.get("CreateTime")) or 0),
            end=filetime_to_us(_int(g.get("FinishTime")) or 0), name=g.get("ProcessName", ""),
            image=g.get("ImagePath", ""), command_line=g.get("CommandLine", ""), user=g.get("Owner", ""),
            integrity=g.get("Integrity", ""), company=g.get("CompanyName", ""),
            description=g.get("Description", ""), version=g.get("Version", ""),
            is_64bit=_int(g.get("Is64bit")))
        modules = elem.find("modulelist")
        if modules is not None:
            for m in modules:
                mg = {c.tag: (c.text or "") for c in m}
                rec.modules.append((mg.get("BaseAddress") or None, _int(mg.get("Size")), mg.get("Path", ""),
                                    mg.get("Company", ""), mg.get("Description", ""), mg.get("Version", "")))
        return rec

    @staticmethod
    def _day_base(pending: list[tuple[int, dict[str, str]]], procs: dict[int, ProcessRecord],
                  mediator: Mediator) -> int:
        """Local midnight (µs) of the first events, from a Process Start and its process's CreateTime."""
        for _line, f in pending:
            if f.get("Operation") != "Process Start":
                continue
            rec = procs.get(_int(f.get("ProcessIndex")) or -1)
            tod = parse_time_of_day(f.get("Time_of_Day", ""))
            if rec is None or rec.start is None or tod is None:
                continue
            utc_tod = rec.start % DAY_US
            offset = (tod - utc_tod) % DAY_US
            if offset > DAY_US // 2:
                offset -= DAY_US  # west of Greenwich
            offset = round(offset / QUARTER_US) * QUARTER_US
            mediator.fact("procmon.export_offset_minutes", str(offset // 60_000_000), utc=rec.start,
                          text=f"Process Start of {rec.name} at {f.get('Time_of_Day', '')} on the export's wall "
                               "clock, created at its process's CreateTime (UTC)")
            local_start = rec.start + offset
            return local_start - local_start % DAY_US
        for _line, f in pending:  # an explicit date column, when the export has one
            for key, value in f.items():
                if key.startswith("Date"):
                    d = parse_date(value)
                    if d is not None:
                        return datetime_to_us(datetime(d.year, d.month, d.day))
        starts = [r.start for r in procs.values() if r.start]
        if starts:
            mediator.problem("no Process Start event to tie the export's local times to a date: the date of the "
                             "newest process start (UTC) is used, which may be a day off", None)
            newest = datetime.fromtimestamp(max(starts) / 1e6, tz=timezone.utc)
            return datetime_to_us(datetime(newest.year, newest.month, newest.day))
        # dated after every file is read, from a PML of the same capture or the setup logs
        # (workbench.core.captures); until then the rows count from 1970-01-01
        mediator.fact(UNDATED, "true", text="the export has times of day but no date and no process start times")
        return 0

    @staticmethod
    def _event(line: int, f: dict[str, str], procs: dict[int, ProcessRecord], state: dict[str, int | None],
               fid: int, mediator: Mediator) -> None:
        operation = f.get("Operation", "")
        path = f.get("Path", "")
        result = f.get("Result", "")
        detail = f.get("Detail", "")
        klass = f.get("Event_Class") or class_of_operation(operation)
        tod = parse_time_of_day(f.get("Time_of_Day", ""))
        ts = None
        if tod is not None:
            last = state["last"]
            if last is not None and tod < last - DAY_US // 2:
                state["day"] = (state["day"] or 0) + DAY_US
            state["last"] = tod
            ts = (state["day"] or 0) + tod
        pidx = _int(f.get("ProcessIndex"))
        rec = procs.get(pidx) if pidx is not None else None
        if rec is None:
            pidx = pidx if pidx is not None else -(_int(f.get("PID")) or 0) - 1
            rec = procs[pidx] = ProcessRecord(process=pidx, pid=_int(f.get("PID")), basis="utc",
                                              name=f.get("Process_Name", ""))
        if rec.first_line is None:
            rec.first_line = line
        rec.last_line = line
        rec.counts[COUNT_COLUMN.get(klass, 5)] += 1
        status = None
        if operation == "Process Exit":
            status = parse_exit_status(detail.replace("\u00a0", ""))
            rec.exit_status, rec.exit_line = status, line
        kept = compact_detail(operation, detail) if detail else None
        mediator.event(line=line, message=message_of(operation, path, result, kept if klass == "Process" else None),
                       level=level_of(klass, operation, result, status), component=rec.name or None, local=ts,
                       source="procmon")
        mediator.detail("procmon_events", {
            "file_id": fid, "line": line, "process": rec.process, "tid": _int(f.get("TID")), "class": klass,
            "operation": operation, "path": path, "result": result, "detail": kept})


@hookimpl
def workbench_parsers() -> list[ProcmonXmlParser]:
    return [ProcmonXmlParser()]
