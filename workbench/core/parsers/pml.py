"""Process Monitor's native capture (``.PML``, format version 9, 32- and 64-bit): our own fast reader.

Why our own: procmon-parser decodes every detail and stack into Python objects (about 25k events/s here);
the timeline only needs class, operation, path and result, so we read the fixed event header with one
``struct`` call per event from a memory map, take the path straight out of the detail blob, and leave stacks
and full details in the file (:func:`read_event_details` fetches them by event index when a view asks).

Layout (reference/procmon.md §2, checked against the fixture captures): a 0x3A8-byte header; the events back
to back in time order; the event-offset array (u32 offset + u8 flags per event); the process table; the
strings table; icons; hosts and ports. A capture cut short loses the tables at the end, so when the offset
array is missing the reader walks the events record by record (each record says its own length) and keeps
every event that is whole; processes are then known by index only.

Times are FILETIME (UTC), so events go into the timeline on the ``utc`` basis.
"""

from __future__ import annotations

import mmap
import struct
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from workbench.core.parsers.base import BATCH, CaseFile, Mediator
from workbench.core.parsers.procmon_common import (
    CLASS_NAMES,
    COUNT_COLUMN,
    INDEXES,
    TABLES,
    WARNING_RESULTS,
    ProcessRecord,
    filetime_to_us,
    write_processes,
)
from workbench.core.plugins import hookimpl

HEADER_SIZE = 0x3A8
EVENT_HEADER = struct.Struct("<IIIHHIQQIHHII")  # see §2.3: process index ... extra-detail offset
EVENT_HEADER_SIZE = EVENT_HEADER.size  # 0x34
_U16 = struct.Struct("<H")
_U32 = struct.Struct("<I")
_U64 = struct.Struct("<Q")
_EPOCH_FT = 116444736000000000
CHUNK = 16384  # event offsets read per slice of the array: bounded memory on captures of millions of events
MAX_EVENT_PROBLEMS = 20

# Registry details: where the key path starts after its u16 string info, by operation (§2.3 / procmon-parser
# docs): RegLoadKey/RegRenameKey carry a second string info; Open/Create an access mask; Query* a length
# and class; Enum* and Set* a length, an index or type, and a class.
_REG_PATH_AT = {12: 4, 14: 4, 0: 8, 1: 8, 3: 12, 5: 12, 6: 16, 7: 16, 8: 16, 4: 16}


class PmlFormatError(Exception):
    """The file is not a PML we can read at all (the sentence says why)."""


@lru_cache(maxsize=1)
def operation_names() -> tuple[dict[tuple[int, int], str], dict[tuple[int, int], str]]:
    """(class, operation) -> name, and (file-system operation, sub-operation) -> name.

    The numbering is Procmon's; procmon-parser (a dependency) keeps the enums, so we take the names from it
    instead of retyping hundreds of them. Imported lazily: only the first PML pays for it.
    """
    from procmon_parser import consts as C

    ops: dict[tuple[int, int], str] = {}
    for klass, enum in C.EventClassOperation.items():
        for member in enum:
            ops[(int(klass), int(member))] = member.csv_name
    subs: dict[tuple[int, int], str] = {}
    for parent, enum in C.FilesystemSubOperations.items():
        for member in enum:
            subs[(int(parent), int(member))] = member.csv_name
    return ops, subs


@lru_cache(maxsize=4096)
def result_name(code: int) -> str:
    """NTSTATUS to the text Procmon prints (``SUCCESS``, ``ACCESS DENIED``, ...; hex when it has no name, and
    nothing for STATUS_PENDING, as Procmon's own export)."""
    from procmon_parser.consts import get_error_message

    return str(get_error_message(code))


@dataclass
class PmlHeader:
    version: int
    is_64bit: bool
    computer: str
    system_root: str
    events: int
    events_offset: int
    offsets_offset: int
    process_offset: int
    strings_offset: int
    icon_offset: int
    hosts_offset: int
    os_major: int
    os_minor: int
    os_build: int
    cpus: int
    ram: int


def _wstr(buf: Any, start: int, size: int) -> str:
    text = bytes(buf[start:start + size]).decode("utf-16-le", "replace")
    cut = text.find("\x00")
    return text if cut < 0 else text[:cut]


@dataclass
class PmlFile:
    """An open PML: header, strings and process tables, and the events read from a memory map.

    Use as a context manager. ``problems`` collects what could not be read (truncation, bad records) as
    (sentence, byte offset) pairs; the parser turns them into problem rows.
    """

    path: Path
    header: PmlHeader = field(init=False)
    problems: list[tuple[str, int | None]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._fh = open(self.path, "rb")
        size = self.size = self._fh.seek(0, 2)
        if size < HEADER_SIZE:
            self._fh.close()
            raise PmlFormatError(f"too short for a Procmon capture ({size} bytes; the header alone is 936)")
        self.mm: Any = mmap.mmap(self._fh.fileno(), 0, access=mmap.ACCESS_READ)
        mm = self.mm
        if mm[:4] != b"PML_":
            self.close()
            raise PmlFormatError("not a Process Monitor capture (no PML_ signature)")
        version, is64 = struct.unpack_from("<II", mm, 4)
        if version != 9:
            self.close()
            raise PmlFormatError(f"PML format version {version}; only version 9 (Procmon 3.4 and later) is known")
        offs = struct.unpack_from("<QQQQQQ", mm, 0x240)
        osv = struct.unpack_from("<IIII", mm, 0x270)
        cpus, ram, _hsize, hosts = struct.unpack_from("<IQQQ", mm, 0x38C)
        self.header = PmlHeader(
            version=version, is_64bit=bool(is64), computer=_wstr(mm, 0x0C, 0x20),
            system_root=_wstr(mm, 0x2C, 0x208), events=_U32.unpack_from(mm, 0x234)[0],
            events_offset=offs[0] or HEADER_SIZE, offsets_offset=offs[1], process_offset=offs[2],
            strings_offset=offs[3], icon_offset=offs[4], hosts_offset=hosts,
            os_major=osv[1], os_minor=osv[2], os_build=osv[3], cpus=cpus, ram=ram)
        self.pvoid = 8 if is64 else 4
        self.strings: list[str] = []
        self.processes: dict[int, ProcessRecord] = {}
        self.hosts: dict[bytes, str] = {}
        self.ports: dict[tuple[int, bool], str] = {}
        h = self.header
        self.tables_ok = bool(h.offsets_offset and h.process_offset and h.strings_offset) and \
            h.offsets_offset + 5 * h.events <= size and h.strings_offset < size and h.process_offset < size
        if not self.tables_ok:
            if not (h.offsets_offset and h.process_offset):
                self.problems.append(("the capture was not closed cleanly (Procmon was stopped or crashed while "
                                      "writing it): no event index or process table; events were recovered by "
                                      "walking the records, processes are known by index only", None))
            else:
                self.problems.append((f"the capture is cut short ({size:,} bytes, but its tables start at byte "
                                      f"{min(h.offsets_offset, h.process_offset):,}): events were recovered by "
                                      "walking the records, processes are known by index only", size))
            return
        try:
            self._read_strings()
            self._read_processes()
        except (struct.error, IndexError, ValueError) as exc:
            self.problems.append((f"the process table could not be read ({exc}); processes are known by index "
                                  "only", h.process_offset))
        try:
            self._read_hosts()
        except (struct.error, IndexError, ValueError):
            self.hosts, self.ports = {}, {}  # names are a nicety: addresses are shown instead

    # ----------------------------------------------------------------------------------------- tables

    def close(self) -> None:
        try:
            self.mm.close()
        except (AttributeError, ValueError, BufferError):
            pass
        self._fh.close()

    def __enter__(self) -> PmlFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _read_strings(self) -> None:
        mm, base = self.mm, self.header.strings_offset
        count = _U32.unpack_from(mm, base)[0]
        if base + 4 + 4 * count > self.size:
            count = max(0, (self.size - base - 4) // 4)
        offsets = struct.unpack_from(f"<{count}I", mm, base + 4)
        out = []
        for rel in offsets:
            at = base + rel
            if at + 4 > self.size:  # the table is cut short: names from here on are unknown
                self.problems.append((f"the strings table is cut short at byte {self.size:,}; some process names, "
                                      "command lines and module paths are missing", self.size))
                break
            n = _U32.unpack_from(mm, at)[0]
            out.append(_wstr(mm, at + 4, n))
        self.strings = out

    def _read_hosts(self) -> None:
        """Host and port names Procmon resolved at capture time (network paths show them, as Procmon does)."""
        mm, at = self.mm, self.header.hosts_offset
        self.hosts, self.ports = {}, {}
        if not at or at >= self.size:
            return
        count = _U32.unpack_from(mm, at)[0]
        at += 4
        for _ in range(count):
            ip = bytes(mm[at:at + 16])
            n = _U32.unpack_from(mm, at + 16)[0]
            self.hosts[ip] = _wstr(mm, at + 20, n)
            at += 20 + n
        count = _U32.unpack_from(mm, at)[0]
        at += 4
        for _ in range(count):
            port, tcp, n = struct.unpack_from("<HHI", mm, at)
            self.ports[(port, bool(tcp))] = _wstr(mm, at + 8, n)
            at += 8 + n

    def string(self, index: int) -> str:
        return self.strings[index] if 0 <= index < len(self.strings) else ""

    def _read_processes(self) -> None:
        mm, base, pv = self.mm, self.header.process_offset, self.pvoid
        count = _U32.unpack_from(mm, base)[0]
        offsets = struct.unpack_from(f"<{count}I", mm, base + 4 + 4 * count)
        s = self.string
        for rel in offsets:
            at = base + rel
            (index, pid, ppid, pindex, _auth, session, _unk, start, end, _virt, is64,
             integ, user, name, image, cmd, company, version, desc) = struct.unpack_from("<IIIIQIIQQII8I", mm, at)
            rec = ProcessRecord(
                process=index, pid=pid, parent_pid=ppid, parent_process=pindex, basis="utc",
                start=filetime_to_us(start), end=filetime_to_us(end), name=s(name), image=s(image),
                command_line=s(cmd), user=s(user), integrity=s(integ), company=s(company),
                description=s(desc), version=s(version), session=session, is_64bit=int(bool(is64)))
            mat = at + 0x60 + pv
            nmod = _U32.unpack_from(mm, mat)[0]
            mat += 4
            mfmt = struct.Struct("<" + ("Q" if pv == 8 else "I") * 2 + "I4II")
            for _ in range(nmod):
                _u, mbase, msize, mpath, mver, mcomp, mdesc, _ts = mfmt.unpack_from(mm, mat)
                rec.modules.append((mbase, msize, s(mpath), s(mcomp), s(mdesc), s(mver)))
                mat += mfmt.size + 0x18
            self.processes[index] = rec

    # ----------------------------------------------------------------------------------------- events

    def event_offsets(self) -> Iterator[int]:
        """Every event's byte offset: from the offset array, or by walking records when it is missing."""
        h = self.header
        if self.tables_ok:
            rec = struct.Struct("<" + "IB" * CHUNK)
            mm = self.mm
            done = 0
            while done < h.events:
                n = min(CHUNK, h.events - done)
                start = h.offsets_offset + 5 * done
                if n == CHUNK:
                    values = rec.unpack_from(mm, start)
                else:
                    values = struct.unpack_from("<" + "IB" * n, mm, start)
                yield from values[::2]
                done += n
            return
        yield from self._walk()

    def _walk(self) -> Iterator[int]:
        """Event offsets found by following each record's own length from the first event on."""
        mm, pv = self.mm, self.pvoid
        limit = self.size
        h = self.header
        if h.offsets_offset and h.events_offset < h.offsets_offset < limit:
            limit = h.offsets_offset
        off = h.events_offset
        unpack = EVENT_HEADER.unpack_from
        while off + EVENT_HEADER_SIZE <= limit:
            (_p, _t, cls, _op, _u1, _u2, _dur, ft, _res, depth, _u3, dsize, extra) = unpack(mm, off)
            end = off + EVENT_HEADER_SIZE + depth * pv + dsize
            if extra:
                if off + extra + 2 > limit:
                    break
                end = off + extra + 2 + _U16.unpack_from(mm, off + extra)[0]
            if cls > 6 or end > limit or end <= off or ft < _EPOCH_FT:
                if end > limit:
                    break
                self.problems.append((f"unreadable event record at byte {off:,}; the rest of the file was "
                                      "skipped", off))
                return
            yield off
            off = end
        if off < limit and limit == self.size:
            self.problems.append((f"the last event record (at byte {off:,}) is incomplete and was skipped", off))

    def iter_events(self) -> Iterator[tuple[int, int, int, int, str, str, str, int, int, str | None, int | None]]:
        """(index, offset, process index, tid, class name, operation, path, result code, filetime, detail,
        exit status) per event, in file order; detail only for Process-class events.

        The hot loop of the ingest: one struct call for the header, one slice-and-decode for the path.
        """
        ops, subs = operation_names()
        mm, pv = self.mm, self.pvoid
        unpack = EVENT_HEADER.unpack_from
        u16 = _U16.unpack_from
        pvoid_fmt = _U64.unpack_from if pv == 8 else _U32.unpack_from
        fs_path_at = 4 + pv * 5 + 0x14
        classes = CLASS_NAMES
        reg_at = _REG_PATH_AT
        sub_parents = {parent for parent, _ in subs}
        bad = 0
        for index, off in enumerate(self.event_offsets()):
            try:
                (pidx, tid, cls, op, _u1, _u2, _dur, ft, res, depth, _u3, _dsize, _extra) = unpack(mm, off)
                d = off + EVENT_HEADER_SIZE + depth * pv
                path = ""
                detail = None
                exit_status = None
                if cls == 3 or cls == 6:  # file system / IPC: sub-op, parameter block, then the path
                    sub = mm[d]
                    name = None
                    if sub and op in sub_parents:
                        name = subs.get((op, sub)) or "<Unknown>"
                    if name is None:
                        name = ops.get((3, op)) or f"<Unknown {op}>"
                    at = d + fs_path_at
                    info = u16(mm, at)[0]
                    n = info & 0x7FFF
                    if info & 0x8000:
                        end = at + 4 + n
                        path = mm[at + 4:end].decode("latin-1")
                    else:
                        end = at + 4 + 2 * n
                        path = mm[at + 4:end].decode("utf-16-le", "replace")
                    if name == "QueryDirectory":  # Procmon shows directory + the search filter that follows
                        filt, _ = self._dstr(end + 2, u16(mm, end)[0])
                        if filt:
                            path = path + filt if path.endswith("\\") else f"{path}\\{filt}"
                elif cls == 2:  # registry: string info first, then operation fields, then the key path
                    name = ops.get((2, op)) or f"<Unknown {op}>"
                    info = u16(mm, d)[0]
                    n = info & 0x7FFF
                    if n:
                        at = d + reg_at.get(op, 2)
                        if info & 0x8000:
                            path = mm[at:at + n].decode("latin-1")
                        else:
                            path = mm[at:at + 2 * n].decode("utf-16-le", "replace")
                elif cls == 1:
                    name = ops.get((1, op)) or f"<Unknown {op}>"
                    path, detail, exit_status = self._process_detail(op, d, tid, pvoid_fmt)
                elif cls == 5:
                    name, path = self._network(op, d, ops)
                else:
                    name = ops.get((cls, op)) or f"<Unknown {op}>"
                if "\x00" in path:
                    path = path[:path.index("\x00")]
            except (struct.error, IndexError, ValueError) as exc:
                bad += 1
                if bad <= MAX_EVENT_PROBLEMS:
                    self.problems.append((f"event {index} at byte {off:,} could not be read ({exc}); skipped", off))
                continue
            yield index, off, pidx, tid, classes.get(cls, "Unknown"), name, path, res, ft, detail, exit_status
        if bad > MAX_EVENT_PROBLEMS:
            self.problems.append((f"{bad} events in all could not be read", None))

    def _dstr(self, at: int, info: int) -> tuple[str, int]:
        """A detail string (u16 info: bit 15 = ASCII, low bits = characters) and where the next one starts."""
        n = info & 0x7FFF
        if info & 0x8000:
            return self.mm[at:at + n].decode("latin-1"), at + n
        return self.mm[at:at + 2 * n].decode("utf-16-le", "replace"), at + 2 * n

    def _process_detail(self, op: int, d: int, tid: int, pvoid_fmt: Any) -> tuple[str, str | None, int | None]:
        """Path, compact detail and exit status of a Process-class event (the fields the tree needs)."""
        mm = self.mm
        if op in (0, 1):  # Process Defined / Process Create: the child's PID, image path and command line
            pid = _U32.unpack_from(mm, d + 4)[0]
            s1, s2 = mm[d + 0x2C], mm[d + 0x2D]
            pinfo, cinfo = struct.unpack_from("<HH", mm, d + 0x2E)
            path, at = self._dstr(d + 0x34 + s1 + s2, pinfo)
            cmd, _ = self._dstr(at, cinfo)
            return path, f"PID: {pid}, Command line: {cmd}", None
        if op == 7:  # Process Start: parent PID, command line, current directory (environment left in file)
            ppid, cinfo, dinfo = struct.unpack_from("<IHH", mm, d)
            cmd, at = self._dstr(d + 12, cinfo)
            cwd, _ = self._dstr(at, dinfo)
            return "", f"Parent PID: {ppid}, Command line: {cmd}, Current directory: {cwd}", None
        if op == 2:  # Process Exit: u32 status, printed signed as Procmon does
            status = _U32.unpack_from(mm, d)[0]
            signed = status - (1 << 32) if status & 0x80000000 else status
            return "", f"Exit Status: {signed}", status
        if op == 5:  # Load Image
            base = pvoid_fmt(mm, d)[0]
            pv = self.pvoid
            size, info = struct.unpack_from("<IH", mm, d + pv)
            path, _ = self._dstr(d + pv + 8, info)
            return path, f"Image Base: 0x{base:x}, Image Size: 0x{size:x}", None
        if op == 3:
            return "", f"Thread ID: {_U32.unpack_from(mm, d)[0]}", None
        if op == 4:
            return "", f"Thread ID: {tid}", None
        return "", None, None

    def _network(self, op: int, d: int, ops: dict[tuple[int, int], str]) -> tuple[str, str]:
        """``TCP Send`` and ``a.b.c.d:port -> e.f.g.h:port`` (addresses, not host names)."""
        import ipaddress

        mm = self.mm
        flags = _U16.unpack_from(mm, d)[0]
        src, dst = bytes(mm[d + 8:d + 24]), bytes(mm[d + 24:d + 40])
        sport, dport = struct.unpack_from("<HH", mm, d + 40)

        hosts, ports = self.hosts, self.ports
        tcp = bool(flags & 4)

        def addr(raw: bytes, v4: bool) -> str:
            known = hosts.get(raw)
            if known:
                return known
            if v4:
                return str(ipaddress.IPv4Address(raw[:4]))
            return ":".join(f"{int(g, 16):x}" for g in ipaddress.IPv6Address(raw).exploded.split(":"))

        name = f"{'TCP' if tcp else 'UDP'} {ops.get((5, op), f'<Unknown {op}>')}"
        return name, (f"{addr(src, bool(flags & 1))}:{ports.get((sport, tcp), sport)} -> "
                      f"{addr(dst, bool(flags & 2))}:{ports.get((dport, tcp), dport)}")


def read_event_details(path: Path, index: int) -> dict[str, Any]:
    """Full details and the stack of one event, read from the capture when a view asks for them.

    procmon-parser decodes one event by random access in well under a millisecond, so nothing of this is
    stored at ingest. Stack frames are resolved to module+offset with the process's module list.
    """
    from procmon_parser import ProcmonLogsReader

    with open(path, "rb") as fh:
        reader = ProcmonLogsReader(fh, should_get_stacktrace=True, should_get_details=True)
        event = reader[index]
        frames = []
        modules = list(getattr(event.process, "modules", []) or [])
        for address in event.stacktrace or []:
            where = f"0x{address:x}"
            for m in modules:
                if m.base_address <= address < m.base_address + m.size:
                    where = f"{Path(m.path.replace(chr(92), '/')).name}+0x{address - m.base_address:x}"
                    break
            frames.append(where)
        return {"operation": event.operation.csv_name if hasattr(event.operation, "csv_name") else str(event.operation),
                "path": event.path, "details": {k: str(v) for k, v in event.details.items()},
                "category": event.category, "stack": frames}


class PmlParser:
    """Reads a PML into the timeline (UTC), ``procmon_events``, ``procmon_processes`` and modules."""

    name = "procmon_pml"
    kinds = frozenset({"pml"})
    tables = TABLES
    indexes = INDEXES
    version = 1

    def parse(self, file: CaseFile, mediator: Mediator) -> None:
        try:
            pml = PmlFile(file.location)
        except PmlFormatError as exc:
            mediator.problem(f"cannot read this Procmon capture: {exc}", 0)
            return
        with pml:
            self._parse(pml, file, mediator)

    def _parse(self, pml: PmlFile, file: CaseFile, mediator: Mediator) -> None:
        h = pml.header
        fid = file.id
        mediator.fact("system.computer", h.computer or None, text=f"Procmon capture header: {h.computer}", weight=1)
        if h.os_build:
            mediator.fact("procmon.os_build", str(h.os_build),
                          text=f"Procmon capture header: Windows {h.os_major}.{h.os_minor} build {h.os_build}")
        procs = pml.processes
        # per process: [name, counters, first line, last line]; per (class, operation): counter and level
        state: dict[int, list[Any]] = {idx: [rec.name or f"process #{idx}", rec.counts, None, None]
                                       for idx, rec in procs.items()}
        kinds: dict[tuple[str, str], tuple[int, str]] = {}
        results: dict[int, str] = {}
        warning = WARNING_RESULTS
        source = "procmon"
        # rows are built as tuples here and handed over in batches (Mediator.event_rows/detail_rows): the
        # per-event keyword call and dict of Mediator.event/detail cost a quarter of the parse
        columns = ("file_id", "line", "process", "tid", "class", "operation", "path", "result", "detail")
        events: list[tuple[Any, ...]] = []
        details: list[tuple[Any, ...]] = []
        add_event = events.append
        add_detail = details.append
        for (index, off, pidx, tid, klass, op, path, res, ft, det, status) in pml.iter_events():
            result = results.get(res)
            if result is None:
                result = results[res] = result_name(res)
            kind = kinds.get((klass, op))
            if kind is None:
                base = "info" if klass == "Process" and op != "Load Image" and not op.startswith("Thread") \
                    else "verbose"
                kind = kinds[(klass, op)] = (COUNT_COLUMN.get(klass, 5), base)
            if status is not None:
                rec = procs.get(pidx)
                if rec is not None:
                    rec.exit_status, rec.exit_line = status, index
                level = "error" if status >= 0x80000000 else "info"
            elif result in warning:
                level = "warning"
            else:
                level = kind[1]
            st = state.get(pidx)
            if st is None:
                rec = procs[pidx] = ProcessRecord(process=pidx, name="")
                st = state[pidx] = [f"process #{pidx}", rec.counts, index, index]
            elif st[2] is None:
                st[2] = index
            st[1][kind[0]] += 1
            st[3] = index
            msg = f"{op} {path}" if path else op
            if res and result:
                msg = f"{msg} → {result}"
            if det is not None:
                msg = f"{msg} ({det})"
            add_event(((ft - _EPOCH_FT) // 10, None, "utc", source, fid, index, level, st[0], msg))
            add_detail((fid, index, pidx, tid, klass, op, path, result, det))
            if len(events) >= BATCH:
                mediator.event_rows(events)
                mediator.detail_rows("procmon_events", columns, details)
                events = []
                details = []
                add_event = events.append
                add_detail = details.append
            if index & 0x1FFF == 0:
                mediator.check(off)
        mediator.event_rows(events)
        mediator.detail_rows("procmon_events", columns, details)
        for idx, rec in procs.items():
            rec.first_line, rec.last_line = state[idx][2], state[idx][3]
        write_processes(mediator, list(procs.values()))
        if h.events and mediator.events < h.events and pml.tables_ok:
            mediator.problem(f"{h.events - mediator.events} of {h.events} events could not be read", None)
        elif not pml.tables_ok and h.events:
            mediator.problem(f"recovered {mediator.events:,} events of the {h.events:,} the header announces"
                             if h.events > mediator.events else f"recovered {mediator.events:,} events", None)
        for sentence, offset in pml.problems:
            mediator.problem(sentence, offset)


@hookimpl
def workbench_parsers() -> list[PmlParser]:
    return [PmlParser()]
