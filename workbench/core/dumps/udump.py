"""User-mode minidumps (``MDMP``): a process crash of Setup (SetupHost.exe, mighost.exe ...) or a service.

Read by a small reader of our own from the documented layout (reference/dumps.md §2.5, verified against the
skelsec ``minidump`` library on the fixtures): the streams needed are SystemInfo, ModuleList, Exception and
MemoryList/Memory64List. Our own reader keeps the parse streamed and quiet (the library logs tracebacks
through the root logger on ordinary dumps). The exception stream's context is used, not the thread list's:
the crashing thread's own context shows the dump writer's wait, not the fault.
"""

from __future__ import annotations

import struct
from collections.abc import Mapping
from typing import BinaryIO

from workbench.core.dumps.fault import exception_record
from workbench.core.dumps.images import ImageBase
from workbench.core.dumps.kdump import DumpFormatError, VirtualMemory
from workbench.core.dumps.model import CrashReport, Module
from workbench.core.dumps.stack import CONTEXT_REGS, CodeView, context_pc_sp, read_fault_operand, walk_stack
from workbench.core.dumps.unwind import REG_NAMES, context_registers

ARCH = {0: "x86", 9: "x64", 12: "arm64"}
MAX_STREAMS = 4096
MAX_MODULES = 8192
STACK_SCAN_BYTES = 64 * 1024


def _read_at(fh: BinaryIO, offset: int, size: int) -> bytes:
    fh.seek(offset)
    return fh.read(size)


def _string(fh: BinaryIO, rva: int) -> str | None:
    raw = _read_at(fh, rva, 4)
    if len(raw) < 4:
        return None
    length = struct.unpack("<I", raw)[0]
    if length > 4096:
        return None
    data = fh.read(length)
    return data.decode("utf-16-le", "replace") if len(data) == length else None


def read_user_dump(fh: BinaryIO, file_size: int) -> tuple[CrashReport, VirtualMemory, list[tuple[str, int | None]]]:
    """Parse a user-mode minidump into a report (modules, exception, frames) plus its memory and problems."""
    head = _read_at(fh, 0, 32)
    if len(head) < 32 or head[:4] != b"MDMP":
        raise DumpFormatError("not a user-mode minidump: the file does not start with MDMP, or is cut short")
    nstreams, dir_rva = struct.unpack_from("<II", head, 8)
    stamp = struct.unpack_from("<I", head, 0x14)[0]
    problems: list[tuple[str, int | None]] = []
    report = CrashReport(source_kind="user_dump", kernel=False, dump_type="user-mode minidump")
    report.crash_time_us = stamp * 1_000_000 if stamp else None
    if nstreams > MAX_STREAMS:
        raise DumpFormatError(f"implausible stream count {nstreams}: not a readable minidump")
    directory = _read_at(fh, dir_rva, nstreams * 12)
    if len(directory) < nstreams * 12:
        problems.append(("the stream directory is cut short", dir_rva))
        nstreams = len(directory) // 12
    streams: dict[int, tuple[int, int]] = {}
    for i in range(nstreams):
        stype, size, rva = struct.unpack_from("<III", directory, i * 12)
        if rva + size > file_size:
            problems.append((f"stream type {stype} lies past the end of the file (cut short)", rva))
            continue
        streams.setdefault(stype, (size, rva))
    memory = VirtualMemory()
    if 7 in streams:
        si = _read_at(fh, streams[7][1], 0x18)
        if len(si) >= 0x18:
            arch_id = struct.unpack_from("<H", si, 0)[0]
            report.arch = ARCH.get(arch_id)
            report.os_build = struct.unpack_from("<I", si, 0x10)[0]
    if 4 in streams:
        size, rva = streams[4]
        raw = _read_at(fh, rva, size)
        count = struct.unpack_from("<I", raw, 0)[0] if len(raw) >= 4 else 0
        count = min(count, (len(raw) - 4) // 108, MAX_MODULES)
        for i in range(count):
            e = 4 + i * 108
            base, msize, checksum, ts, name_rva = struct.unpack_from("<QIIII", raw, e)
            path = _string(fh, name_rva) or f"module{i}"
            name = path.replace("\\", "/").rsplit("/", 1)[-1]
            report.modules.append(Module(name=name, base=base, size=msize, timestamp=ts, checksum=checksum,
                                         path=path))
    if report.modules:
        report.process_name = report.modules[0].name  # the module list starts with the process's own image
    _read_memory(fh, streams, memory, problems)
    context = None
    if 6 in streams:
        size, rva = streams[6]
        exc = _read_at(fh, rva, min(size, 0xA8))
        if len(exc) >= 0xA8:
            # MINIDUMP_EXCEPTION (at 8) has the EXCEPTION_RECORD64 layout, whatever the dump's architecture
            report.exception_code, report.exception_address, report.exception_parameters = \
                exception_record(exc[8:0xA0], True) or (None, None, [])
            ctx_size, ctx_rva = struct.unpack_from("<II", exc, 0xA0)
            if report.arch in CONTEXT_REGS and ctx_rva + ctx_size <= file_size:
                context = _read_at(fh, ctx_rva, min(ctx_size, 0x1000))
        else:
            problems.append(("the exception stream is cut short", rva))
    report.raw_context = context
    recover_user_stack(report, memory)
    return report, memory, problems


def recover_user_stack(report: CrashReport, memory: VirtualMemory, images: Mapping[str, ImageBase] | None = None) -> None:
    """Frames from the exception context: unwound through matched images (x64), scanned elsewhere."""
    pc_sp = context_pc_sp(report.raw_context, report.arch)
    if pc_sp is not None:
        first = report.resolve(pc_sp[0], how="context", confidence="exact", sp=pc_sp[1],
                               note="CONTEXT of the exception stream")
        word = 4 if report.arch == "x86" else 8
        end = pc_sp[1] + _readable(memory, pc_sp[1], word)
        regs = context_registers(report.raw_context or b"") if report.arch == "x64" else None
        if regs:
            report.registers = {REG_NAMES[i]: v for i, v in regs.items()}
        report.frames = walk_stack(report, memory.read, first, regs or None, end, word, images)
        read_fault_operand(report, CodeView(report, memory.read, images), pc_sp[0])
    elif report.exception_address:
        report.frames = [report.resolve(report.exception_address, how="exception", confidence="exact",
                                        note="exception address of the exception stream")]
    report.stack_quality = [q for q in report.stack_quality if not q.startswith("frames after the first")]
    if any(f.how == "scan" for f in report.frames):
        report.stack_quality.append("frames after the first are stack-scan hits where no module image was "
                                    "there to unwind with")


def _readable(memory: VirtualMemory, start: int, word: int) -> int:
    """How many bytes from ``start`` the dump holds (up to :data:`STACK_SCAN_BYTES`)."""
    lo, hi = 0, STACK_SCAN_BYTES // word
    while lo < hi:  # binary search on the longest readable run
        mid = (lo + hi + 1) // 2
        if memory.read(start, mid * word) is not None:
            lo = mid
        else:
            hi = mid - 1
    return lo * word


def _read_memory(fh: BinaryIO, streams: dict[int, tuple[int, int]], memory: VirtualMemory,
                 problems: list[tuple[str, int | None]]) -> None:
    if 5 in streams:
        size, rva = streams[5]
        raw = _read_at(fh, rva, size)
        count = struct.unpack_from("<I", raw, 0)[0] if len(raw) >= 4 else 0
        count = min(count, (len(raw) - 4) // 16)
        for i in range(count):
            start, dsize, drva = struct.unpack_from("<QII", raw, 4 + i * 16)
            if dsize <= (1 << 24):
                data = _read_at(fh, drva, dsize)
                if len(data) < dsize:
                    problems.append((f"memory range {start:#x} is cut short", drva))
                memory.add(start, data)
    elif 9 in streams:
        size, rva = streams[9]
        raw = _read_at(fh, rva, size)
        if len(raw) < 16:
            return
        count, base_rva = struct.unpack_from("<QQ", raw, 0)
        count = min(count, (len(raw) - 16) // 16)
        offset = base_rva
        for i in range(count):
            start, dsize = struct.unpack_from("<QQ", raw, 16 + i * 16)
            if dsize <= (1 << 20):  # only small ranges: a full-memory dump's stacks, not its heaps
                memory.add(start, _read_at(fh, offset, dsize))
            offset += dsize
