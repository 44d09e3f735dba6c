"""Kernel crash dumps (``PAGEDU64`` / ``PAGEDUMP``), read by the project itself: no library reads triage dumps.

Layout from reference/dumps.md §2 (kdmp-parser, volatility3 and rizin agree; checked on the real fixtures):
the 0x2000-byte 64-bit header (0x1000 for 32-bit) with the bugcheck, CONTEXT and EXCEPTION_RECORD, then for
DumpType 4 (triage, what ``setupmem.dmp`` and ``Minidump\\*.dmp`` are) the ``TRIAGE_DUMP`` block: the driver
list, the crashing thread's stack bytes mapped at ``TopOfStack`` and extra memory blocks. Full and bitmap
dumps (DumpType 1, 5, 6; x64) are read through their page tables by :mod:`.fullmem`; other types (the
``RDMP`` forms 8-10, 32-bit full dumps) get their header only: bugcheck, context, time.

The file is read with seeks, never whole: a ``MEMORY.DMP`` can be tens of gigabytes.
"""

from __future__ import annotations

import bisect
import struct
from dataclasses import dataclass, field
from typing import BinaryIO, Protocol

from workbench.core.dumps import bugchecks
from workbench.core.dumps.model import CrashReport, Module

PAGE_PATTERN = 0x45474150  # "PAGE": what unused header fields hold
FILETIME_EPOCH_US = 11644473600 * 1_000_000

DUMP_TYPES = {1: "full", 2: "kernel (summary)", 3: "header only", 4: "triage (minidump)", 5: "bitmap",
              6: "live kernel bitmap", 7: "automatic", 8: "kernel memory (.dump /k)",
              9: "kernel and user memory (.dump /ka)", 10: "complete memory (.dump /f)"}
MACHINES = {0x8664: "x64", 0xAA64: "arm64", 0x14C: "x86"}


class DumpFormatError(ValueError):
    """The bytes are not a kernel dump this reader understands; the message is one sentence for the user."""


@dataclass(frozen=True)
class Layout:
    """Where one header flavour keeps its fields (64-bit ``DUMP_HEADER64`` or 32-bit ``DUMP_HEADER``)."""

    bits: int
    header_size: int
    machine: int
    processors: int
    bugcheck: int
    params: int
    context: int
    exception: int
    dump_type: int
    system_time: int
    attributes: int | None


L64 = Layout(64, 0x2000, 0x30, 0x34, 0x38, 0x40, 0x348, 0xF00, 0xF98, 0xFA8, 0x1050)
L32 = Layout(32, 0x1000, 0x20, 0x24, 0x28, 0x2C, 0x320, 0x7D0, 0xF88, 0xFC0, None)

# Triage header fields (offsets from the start of TRIAGE_DUMP64 / TRIAGE_DUMP32).
TRIAGE64 = dict(size_of_dump=0x04, valid_offset=0x08, context=0x0C, exception=0x10, unloaded=0x18,
                process=0x20, thread=0x24, call_stack=0x28, call_stack_size=0x2C, driver_list=0x30,
                driver_count=0x34, string_pool=0x38, string_pool_size=0x3C, top_of_stack=0x48,
                data_blocks=0x78, data_blocks_count=0x7C)
# 32-bit: the same fields with 32-bit pointers and no IA64 backing store; derived from the 64-bit layout
# [unverified against a real x86 triage dump: none is public].
TRIAGE32 = dict(size_of_dump=0x04, valid_offset=0x08, context=0x0C, exception=0x10, unloaded=0x18,
                process=0x20, thread=0x24, call_stack=0x28, call_stack_size=0x2C, driver_list=0x30,
                driver_count=0x34, string_pool=0x38, string_pool_size=0x3C, top_of_stack=0x48,
                data_blocks=0x5C, data_blocks_count=0x60)
# DUMP_DRIVER_ENTRY: u32 name offset, then a KLDR_DATA_TABLE_ENTRY copy at +8 (64) / +4 (32).
DRIVER64 = dict(stride=0x90, base=0x38, size=0x48, checksum=0x80, timestamp=0x88)
DRIVER32 = dict(stride=0x4C, base=0x1C, size=0x24, checksum=0x44, timestamp=0x48)
TRGD = 0x44475254  # the marker at ValidOffset; missing means the triage dump was cut short


@dataclass
class KernelDump:
    """What the reader got out of a kernel dump, before the stack analysis."""

    report: CrashReport
    bits: int
    machine: int
    dump_type_value: int
    processors: int | None = None
    header_context: bytes | None = None
    header_exception: bytes | None = None
    top_of_stack: int | None = None
    memory: MemoryReader = field(default_factory=lambda: VirtualMemory())
    problems: list[tuple[str, int | None]] = field(default_factory=list)
    triage: dict[str, int] = field(default_factory=dict)


class MemoryReader(Protocol):
    """Anything that reads virtual memory of the crashed system: ``read(va, size) -> bytes | None``."""

    def read(self, va: int, size: int) -> bytes | None: ...


MAX_FULL_STACK = 0x8000  # how far above the stack pointer a full dump's stack is scanned


class VirtualMemory:
    """The virtual memory a triage dump carries: the stack window plus the data blocks, as sorted ranges."""

    def __init__(self) -> None:
        self._ranges: list[tuple[int, bytes]] = []
        self._starts: list[int] = []

    def add(self, va: int, data: bytes) -> None:
        if not data:
            return
        i = bisect.bisect_left(self._starts, va)
        self._starts.insert(i, va)
        self._ranges.insert(i, (va, data))

    def read(self, va: int, size: int) -> bytes | None:
        """``size`` bytes at ``va`` when captured ranges hold all of them (adjacent ranges are joined), else None.

        Data blocks are mostly 256-byte runs, so a PE header page or a CONTEXT often spans several.
        """
        if size <= 0:
            return b""
        i = bisect.bisect_right(self._starts, va) - 1
        found = None
        for j in range(i, max(i - 4, -1), -1):
            start, data = self._ranges[j]
            if start <= va < start + len(data):
                found = j
                break
        if found is None:
            return None
        start, data = self._ranges[found]
        out = bytearray(data[va - start: va - start + size])
        cursor = start + len(data)
        j = found + 1
        while len(out) < size and j < len(self._ranges):
            nstart, ndata = self._ranges[j]
            if nstart > cursor:
                return None  # a gap
            if nstart + len(ndata) > cursor:
                out += ndata[cursor - nstart: cursor - nstart + size - len(out)]
                cursor = nstart + len(ndata)
            j += 1
        return bytes(out) if len(out) == size else None

    def __len__(self) -> int:
        return sum(len(d) for _, d in self._ranges)


def stack_window(dump: KernelDump, sp: int | None) -> tuple[int, int] | None:
    """[start, end) of the crashing thread's stack the dump holds: the triage copy, or for full and bitmap
    dumps the readable pages above ``sp`` (up to :data:`MAX_FULL_STACK`)."""
    if dump.top_of_stack is not None:
        return dump.top_of_stack, dump.top_of_stack + dump.triage.get("call_stack_size", 0)
    if sp is None or isinstance(dump.memory, VirtualMemory):
        return None
    end = sp
    while end < sp + MAX_FULL_STACK and dump.memory.read(end, 1) is not None:
        end = (end & ~0xFFF) + 0x1000
    return (sp, min(end, sp + MAX_FULL_STACK)) if end > sp else None


def _u32(buf: bytes, off: int) -> int:
    return int(struct.unpack_from("<I", buf, off)[0])


def _u64(buf: bytes, off: int) -> int:
    return int(struct.unpack_from("<Q", buf, off)[0])


def _absent(value: int) -> bool:
    return value in (PAGE_PATTERN, 0x4547415045474150)


def filetime_to_us(value: int) -> int | None:
    """FILETIME (100 ns since 1601, UTC) to µs since 1970; None when absent or out of range."""
    if value <= 0 or _absent(value):
        return None
    us = value // 10 - FILETIME_EPOCH_US
    if us < 0 or us > 4_102_444_800_000_000:  # after 2100: not a real crash time
        return None
    return us


def read_kernel_dump(fh: BinaryIO, file_size: int) -> KernelDump:
    """Parse a kernel dump from an open binary file. Raises :class:`DumpFormatError` for non-dumps.

    Damage past the header (a cut-off triage block, a driver name out of range) becomes a problem entry and
    the parse goes on with what was read.
    """
    fh.seek(0)
    head = fh.read(0x2000)
    if len(head) < 8 or head[:4] != b"PAGE":
        raise DumpFormatError("not a kernel dump: the file does not start with PAGEDU64 or PAGEDUMP")
    if head[4:8] == b"DU64":
        lay = L64
    elif head[4:8] == b"DUMP":
        lay = L32
    else:
        raise DumpFormatError(f"not a kernel dump: unknown signature {head[:8]!r}")
    if len(head) < lay.header_size:
        raise DumpFormatError(f"the dump is cut short inside its {lay.header_size:#x}-byte header "
                              f"({len(head)} bytes in the file)")
    wide = lay.bits == 64
    rd = _u64 if wide else _u32
    machine = _u32(head, lay.machine)
    arch = MACHINES.get(machine)
    dump_type = _u32(head, lay.dump_type)
    report = CrashReport(source_kind="kernel_dump", kernel=True, arch=arch)
    report.os_build = _u32(head, 0x0C) if not _absent(_u32(head, 0x0C)) else None
    report.dump_type = DUMP_TYPES.get(dump_type, f"unknown ({dump_type})")
    report.bugcheck_code = _u32(head, lay.bugcheck)
    step = 8 if wide else 4
    report.parameters = [rd(head, lay.params + i * step) for i in range(4)]
    report.crash_time_us = filetime_to_us(_u64(head, lay.system_time))
    ctx_size = 0x4D0 if machine == 0x8664 else (0x390 if machine == 0xAA64 else 0x2CC)
    dump = KernelDump(report=report, bits=lay.bits, machine=machine, dump_type_value=dump_type,
                      processors=_u32(head, lay.processors))
    dump.header_context = head[lay.context: lay.context + ctx_size]
    dump.header_exception = head[lay.exception: lay.exception + (0x98 if wide else 0x50)]
    exc_code = _u32(dump.header_exception, 0)
    if not _absent(exc_code) and exc_code:
        from workbench.core.dumps.fault import exception_record

        record = exception_record(dump.header_exception, wide)
        if record is not None:
            report.exception_code, report.exception_address, params = record
            report.exception_parameters = [p for p in params if not _absent(p)]
    if lay.attributes is not None and not _absent(_u32(head, lay.attributes)):
        report.extra["dump_attributes"] = f"0x{_u32(head, lay.attributes):x}"
    if arch is None:
        dump.problems.append((f"unknown processor type {machine:#x}; frames are not recovered", lay.machine))
    if dump_type == 4:
        _read_triage(fh, file_size, lay, dump)
    elif dump_type in (1, 5, 6):
        _read_physical(fh, file_size, head, lay, dump)
    return dump


def _read_physical(fh: BinaryIO, file_size: int, head: bytes, lay: Layout, dump: KernelDump) -> None:
    """Full/bitmap dumps: memory through the page tables, and the module list from PsLoadedModuleList."""
    from workbench.core.dumps.fullmem import PhysicalMemory, TranslatedMemory, walk_module_list

    if lay.bits != 64 or dump.machine != 0x8664:
        dump.problems.append(("only the header of this full/bitmap dump is read (x64 paging only)", None))
        return
    try:
        physical = PhysicalMemory.full(fh, head, file_size) if dump.dump_type_value == 1 \
            else PhysicalMemory.bitmap(fh, file_size)
    except ValueError as exc:
        dump.problems.append((f"the page data of this dump could not be read: {exc}", 0x2000))
        return
    if physical.expected_size > file_size:
        dump.problems.append((f"the dump is cut short: its pages need {physical.expected_size} bytes and the file "
                              f"has {file_size}; missing pages read as absent", file_size))
    memory = TranslatedMemory(physical, _u64(head, 0x10))
    dump.memory = memory
    dump.report.modules = walk_module_list(memory, _u64(head, 0x20))
    if not dump.report.modules:
        dump.problems.append(("the loaded-module list could not be walked (PsLoadedModuleList not in the dump)",
                              0x20))


def _read_triage(fh: BinaryIO, file_size: int, lay: Layout, dump: KernelDump) -> None:
    wide = lay.bits == 64
    fields = TRIAGE64 if wide else TRIAGE32
    fh.seek(lay.header_size)
    block = fh.read(0x100)
    if len(block) < 0x80:
        dump.problems.append(("the triage block after the header is missing (file cut short)", lay.header_size))
        return
    t = {k: (_u64(block, o) if (k == "top_of_stack" and wide) else _u32(block, o)) for k, o in fields.items()}
    dump.triage = t
    dump.top_of_stack = t["top_of_stack"]
    if t["valid_offset"] + 4 > file_size:
        dump.problems.append((f"the triage dump is cut short: it should be {t['size_of_dump']} bytes and the "
                              f"end marker at {t['valid_offset']:#x} is past the end ({file_size} bytes)",
                              file_size))
    else:
        fh.seek(t["valid_offset"])
        marker = fh.read(4)
        if len(marker) < 4 or _u32(marker, 0) != TRGD:
            dump.problems.append(("the triage end marker TRGD is missing at its offset: the dump may be damaged",
                                  t["valid_offset"]))
    # secondary data after the dump proper: SMBIOS strings, disk model, sometimes Wi-Fi names (§2.2)
    if t["size_of_dump"] + 8 <= file_size:
        fh.seek(t["size_of_dump"])
        if fh.read(8) == b"DumpBlob":
            dump.report.extra["privacy"] = (
                f"the dump carries {file_size - t['size_of_dump']} bytes of secondary data (DumpBlob: hardware "
                "and driver-log strings, on some machines network names); redact it before sharing the file")
    # the crashing thread's stack, mapped at TopOfStack
    size = min(t["call_stack_size"], 1 << 20)
    if t["call_stack"] and size:
        fh.seek(t["call_stack"])
        stack = fh.read(size)
        if len(stack) < size:
            dump.problems.append(("the stack copy is cut short", t["call_stack"]))
        _triage_memory(dump).add(t["top_of_stack"], stack)
    _read_drivers(fh, file_size, wide, t, dump)
    _read_data_blocks(fh, file_size, wide, t, dump)


def _read_drivers(fh: BinaryIO, file_size: int, wide: bool, t: dict[str, int], dump: KernelDump) -> None:
    d = DRIVER64 if wide else DRIVER32
    count, offset = t["driver_count"], t["driver_list"]
    if count > 4096:
        dump.problems.append((f"implausible driver count {count}; the driver list is not read", offset))
        return
    fh.seek(offset)
    raw = fh.read(count * d["stride"])
    if len(raw) < count * d["stride"]:
        dump.problems.append(("the driver list is cut short", offset + len(raw)))
        count = len(raw) // d["stride"]
    rd = _u64 if wide else _u32
    for i in range(count):
        e = i * d["stride"]
        name_off = _u32(raw, e)
        path = _read_name(fh, file_size, name_off)
        if path is None:
            dump.problems.append((f"driver {i}: its name is outside the file", offset + e))
            path = f"driver{i}"
        name = path.replace("\\", "/").rsplit("/", 1)[-1]
        dump.report.modules.append(Module(
            name=name, base=rd(raw, e + d["base"]), size=_u32(raw, e + d["size"]),
            timestamp=_u32(raw, e + d["timestamp"]), checksum=_u32(raw, e + d["checksum"]), path=path))


def _read_name(fh: BinaryIO, file_size: int, offset: int) -> str | None:
    if offset <= 0 or offset + 4 > file_size:
        return None
    fh.seek(offset)
    raw = fh.read(4)
    length = _u32(raw, 0) if len(raw) == 4 else 0
    if length == 0 or length > 1024:
        return None
    text = fh.read(length * 2)
    if len(text) < length * 2:
        return None
    return text.decode("utf-16-le", "replace")


def _read_data_blocks(fh: BinaryIO, file_size: int, wide: bool, t: dict[str, int], dump: KernelDump) -> None:
    count, offset = t["data_blocks_count"], t["data_blocks"]
    if not count or not offset:
        return
    if count > 1_000_000:
        dump.problems.append((f"implausible data block count {count}; extra memory not read", offset))
        return
    fh.seek(offset)
    raw = fh.read(count * 16)
    count = len(raw) // 16
    for i in range(count):
        va, foff, size = struct.unpack_from("<QII", raw, i * 16)
        if foff + size > file_size or size > (1 << 24):
            dump.problems.append((f"data block {i} lies outside the file", offset + i * 16))
            continue
        fh.seek(foff)
        _triage_memory(dump).add(va, fh.read(size))


def _triage_memory(dump: KernelDump) -> VirtualMemory:
    """A triage dump's memory is the blocks it carries, held in a :class:`VirtualMemory` we fill."""
    assert isinstance(dump.memory, VirtualMemory)
    return dump.memory


def describe(dump: KernelDump) -> str:
    """One line for the timeline: ``Bugcheck 0x0000007E SYSTEM_THREAD_... (kernel triage dump, build 19041)``."""
    r = dump.report
    code = r.bugcheck_code or 0
    name = bugchecks.bugcheck_name(code) or "unknown"
    return f"Bugcheck {bugchecks.format_code(code)} {name} ({r.dump_type} kernel dump, build {r.os_build})"
