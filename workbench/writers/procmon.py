"""Writing small Procmon captures: PML (Procmon's own log, 32- and 64-bit) and the matching CSV export.

Written from the format notes in reference/procmon.md §2 (no code taken from elsewhere), for the demo case's
capture and for the tests, so every reader feature is exercised without the shared fixtures. procmon-parser
reads the PMLs back (checked in test_procmon_pml.py), which is what tells us the layout is right.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

EPOCH_FT = 116444736000000000
HEADER_SIZE = 0x3A8


def ft(dt: datetime) -> int:
    """FILETIME of an aware datetime."""
    delta = dt - datetime(1970, 1, 1, tzinfo=timezone.utc)
    return EPOCH_FT + (delta.days * 86400 + delta.seconds) * 10_000_000 + delta.microseconds * 10


@dataclass
class Proc:
    index: int
    pid: int
    ppid: int
    name: str
    image: str = ""
    cmd: str = ""
    company: str = "Microsoft Corporation"
    description: str = ""
    version: str = "10.0"
    user: str = "NT AUTHORITY\\SYSTEM"
    integrity: str = "System"
    parent_index: int = 0
    start: int = 0  # FILETIME
    end: int = 0
    modules: list[tuple[int, int, str, str]] = field(default_factory=list)  # base, size, path, company


@dataclass
class Ev:
    proc: int  # process index
    time: int  # FILETIME
    cls: int  # 1 process, 2 registry, 3 file system, 4 profiling, 5 network
    op: int
    path: str = ""
    result: int = 0
    tid: int = 100
    sub: int = 0  # file-system sub operation
    pid: int = 0  # Process Create: the child's PID
    ppid: int = 0  # Process Start
    cmd: str = ""
    status: int = 0  # Process Exit
    stack: tuple[int, ...] = ()


def _ustr(text: str) -> tuple[int, bytes]:
    raw = text.encode("utf-16-le")
    return len(raw) // 2, raw


class _Strings:
    def __init__(self) -> None:
        self.items: list[str] = [""]
        self.index: dict[str, int] = {"": 0}

    def __call__(self, text: str) -> int:
        if text not in self.index:
            self.index[text] = len(self.items)
            self.items.append(text)
        return self.index[text]

    def table(self) -> bytes:
        blobs = []
        for s in self.items:
            raw = (s.encode("utf-16-le") + b"\0\0") if s else b""
            blobs.append(struct.pack("<I", len(raw)) + raw)
        head = 4 + 4 * len(blobs)
        offsets, at = [], head
        for b in blobs:
            offsets.append(at)
            at += len(b)
        return struct.pack(f"<I{len(blobs)}I", len(blobs), *offsets) + b"".join(blobs)


def _detail(ev: Ev, pv: int) -> bytes:
    pfmt = "<Q" if pv == 8 else "<I"
    if ev.cls in (3, 6):
        n, raw = _ustr(ev.path)
        # + 8 bytes of per-operation fields after the path (CreateFile: desired access, SID length)
        return struct.pack("<B3x", ev.sub) + b"\0" * (pv * 5 + 0x14) + struct.pack("<H2x", n) + raw + b"\0" * 8
    if ev.cls == 2:
        n, raw = _ustr(ev.path)
        gap = {12: 4, 14: 4, 0: 8, 1: 8, 3: 12, 5: 12, 6: 16, 7: 16, 8: 16, 4: 16}.get(ev.op, 2) - 2
        return struct.pack("<H", n) + b"\0" * gap + raw
    if ev.cls == 1:
        if ev.op in (0, 1):  # Process Create
            pn, praw = _ustr(ev.path)
            cn, craw = _ustr(ev.cmd)
            return (struct.pack("<4xI", ev.pid) + b"\0" * 0x24 + struct.pack("<BBHH2x", 0, 0, pn, cn)
                    + praw + craw)
        if ev.op == 7:  # Process Start
            cn, craw = _ustr(ev.cmd)
            dn, draw = _ustr("C:\\Windows\\system32\\")
            env = "A=1\0B=2\0\0".encode("utf-16-le")
            return struct.pack("<IHHI", ev.ppid, cn, dn, len(env) // 2) + craw + draw + env
        if ev.op == 2:  # Process Exit
            return struct.pack("<IQQQQQQ", ev.status & 0xFFFFFFFF, 1000, 2000, 0, 0, 0, 0)
        if ev.op == 5:  # Load Image
            n, raw = _ustr(ev.path)
            return struct.pack(pfmt, 0x7FF600000000 if pv == 8 else 0x10000000) + struct.pack("<IH2x", 0x5000, n) + raw
        if ev.op == 3:
            return struct.pack("<I", ev.tid + 4)
        return b""
    if ev.cls == 5:
        src = bytes([10, 0, 0, 5]) + b"\0" * 12
        dst = bytes([93, 184, 216, 34]) + b"\0" * 12
        return struct.pack("<HHI", 1 | 2 | 4, 0, 512) + src + dst + struct.pack("<HH", 50000, 443) + b"\0\0\0\0"
    return b""


def write_pml(path: Path, procs: list[Proc], events: list[Ev], *, is_64bit: bool = True,
              computer: str = "TEST-PC", build: int = 19045) -> Path:
    """Write a PML holding ``procs`` (the process table) and ``events`` (in the order given)."""
    path.write_bytes(pml_bytes(procs, events, is_64bit=is_64bit, computer=computer, build=build))
    return path


def pml_bytes(procs: list[Proc], events: list[Ev], *, is_64bit: bool = True, computer: str = "TEST-PC",
              build: int = 19045) -> bytes:
    """A PML file's bytes: the header, ``events`` in the order given, their offsets, ``procs`` as the process
    table, the strings table, an empty icon table and host table."""
    pv = 8 if is_64bit else 4
    pfmt = "Q" if pv == 8 else "I"
    strings = _Strings()
    body = bytearray()
    offsets = []
    for n, ev in enumerate(events):
        detail = _detail(ev, pv)
        stack = struct.pack(f"<{len(ev.stack)}{pfmt}", *ev.stack)
        head = struct.pack("<IIIHHIQQIHHII", ev.proc, ev.tid, ev.cls, ev.op, 0, n, 10, ev.time, ev.result,
                           len(ev.stack), 0, len(detail), 0)
        offsets.append(HEADER_SIZE + len(body))
        body += head + stack + detail
    events_offset = HEADER_SIZE
    offsets_offset = events_offset + len(body)
    offs = b"".join(struct.pack("<IB", o, 0) for o in offsets)
    process_offset = offsets_offset + len(offs)
    records = []
    for p in procs:
        rec = struct.pack("<IIIIQIIQQII8III", p.index, p.pid, p.ppid, p.parent_index, 0x3E7, 1, 0, p.start, p.end,
                          0, 1, strings(p.integrity), strings(p.user), strings(p.name), strings(p.image),
                          strings(p.cmd), strings(p.company), strings(p.version), strings(p.description), 0, 0)
        rec += struct.pack(f"<{pfmt}I", 1, len(p.modules))
        for base, size, mpath, mcompany in p.modules:
            rec += struct.pack(f"<{pfmt}{pfmt}I4II", 0, base if pv == 8 else base & 0x7FFFFFFF, size, strings(mpath), strings("1.0"),
                               strings(mcompany), strings(""), 0) + b"\0" * 0x18
        records.append(rec)
    head = 4 + 8 * len(procs)
    rel, at = [], head
    for r in records:
        rel.append(at)
        at += len(r)
    ptable = struct.pack(f"<I{len(procs)}I{len(procs)}I", len(procs), *[p.index for p in procs], *rel) + b"".join(records)
    strings_offset = process_offset + len(ptable)
    stable = strings.table()
    icon_offset = strings_offset + len(stable)
    icons = struct.pack("<I", 0)
    hosts_offset = icon_offset + len(icons)
    hosts = struct.pack("<II", 0, 0)
    header = bytearray(HEADER_SIZE)
    struct.pack_into("<4sII", header, 0, b"PML_", 9, 1 if is_64bit else 0)
    name = computer.encode("utf-16-le")[:0x1E]
    header[0x0C:0x0C + len(name)] = name
    root = "C:\\Windows".encode("utf-16-le")
    header[0x2C:0x2C + len(root)] = root
    struct.pack_into("<IQQQQQQQ", header, 0x234, len(events), 0, events_offset, offsets_offset, process_offset,
                     strings_offset, icon_offset, 0x7FFFFFFEFFFF)
    struct.pack_into("<IIIII", header, 0x270, 284, 10, 0, build, 2)
    struct.pack_into("<IQQQ", header, 0x38C, 2, 4 << 30, HEADER_SIZE, hosts_offset)
    return bytes(header) + bytes(body) + offs + ptable + stable + icons + hosts


OP_NAMES = {(1, 1): "Process Create", (1, 7): "Process Start", (1, 2): "Process Exit", (1, 5): "Load Image",
            (1, 3): "Thread Create", (2, 0): "RegOpenKey", (3, 0x14): "CreateFile", (5, 5): "TCP Connect"}
CLASS = {1: "Process", 2: "Registry", 3: "File System", 5: "Network"}
RESULTS = {0: "SUCCESS", 0xC0000043: "SHARING VIOLATION", 0xC0000022: "ACCESS DENIED"}


def write_csv(path: Path, procs: list[Proc], events: list[Ev], *, locale: str = "en",
              columns: tuple[str, ...] = ("Time of Day", "Process Name", "PID", "Operation", "Path", "Result",
                                          "Detail", "Parent PID", "Date & Time"),
              utc_offset_h: int = 0, utc_offset_minutes: int | None = None) -> Path:
    """The events as Procmon would export them: quoted fields, BOM, CRLF; ``locale`` 'en' (12-hour,
    M/D/Y), 'it' (24-hour, decimal comma, D/M/Y) or 'ru' (24-hour, decimal comma, D.M.Y, NBSP numbers).
    Times are on the exporting machine's wall clock: UTC plus ``utc_offset_minutes`` (else ``utc_offset_h``)."""
    by_index = {p.index: p for p in procs}
    offset = timedelta(minutes=utc_offset_minutes) if utc_offset_minutes is not None else timedelta(hours=utc_offset_h)

    def when(filetime: int) -> tuple[str, str]:
        micro = (filetime - EPOCH_FT) // 10
        frac = (filetime - EPOCH_FT) % 10_000_000
        dt = datetime(1970, 1, 1) + timedelta(microseconds=micro) + offset
        if locale == "en":
            h12 = dt.hour % 12 or 12
            ampm = "AM" if dt.hour < 12 else "PM"
            return (f"{h12}:{dt:%M:%S}.{frac:07d} {ampm}", f"{dt.month}/{dt.day}/{dt.year} {h12}:{dt:%M:%S} {ampm}")
        sep = "." if locale == "ru" else "/"
        return (f"{dt:%H:%M:%S},{frac:07d}", f"{dt.day:02d}{sep}{dt.month:02d}{sep}{dt.year} {dt:%H:%M:%S}")

    def q(text: str) -> str:
        return '"' + text.replace('"', '""') + '"'

    lines = [",".join(q(c) for c in columns)]
    for ev in events:
        p = by_index[ev.proc]
        tod, dt = when(ev.time)
        op = OP_NAMES[(ev.cls, ev.op)]
        detail = ""
        if op == "Process Create":
            detail = f"PID: {ev.pid}, Command line: {ev.cmd}"
        elif op == "Process Start":
            detail = f"Parent PID: {ev.ppid}, Command line: {ev.cmd}, Current directory: C:\\Windows\\system32\\, " \
                     "Environment: \r;\tA=1\r;\tB=2"
        elif op == "Process Exit":
            signed = ev.status - (1 << 32) if ev.status & 0x80000000 else ev.status
            pb = "1\u00a0896\u00a0448" if locale == "ru" else "1,896,448"
            detail = f"Exit Status: {signed}, User Time: 0.0000000 seconds, Private Bytes: {pb}"
        path_ = ev.path if ev.cls != 5 else "10.0.0.5:50000 -> 93.184.216.34:https"
        values = {"Time of Day": tod, "Date & Time": dt, "Process Name": p.name, "PID": str(p.pid),
                  "Operation": op, "Path": path_, "Result": RESULTS[ev.result], "Detail": detail,
                  "Parent PID": str(p.ppid), "TID": str(ev.tid), "Event Class": CLASS[ev.cls],
                  "Image Path": p.image, "Company": p.company, "Command Line": p.cmd}
        lines.append(",".join(q(values[c]) for c in columns))
    path.write_bytes(("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8"))
    return path
