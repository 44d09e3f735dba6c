"""Recovering the crashing stack without symbols, and saying how each frame was found.

Tiers (reference/dumps.md §4): (0) bugcheck parameters and the exception/context records they point to give
the faulting instruction exactly; (1) a scan of the crashing thread's stack for values inside loaded modules
finds every true return address, mixed with noise; the noise is cut where the dump holds the module's PE
header (a hit outside an executable section is dropped) and trust is raised where the bytes before a hit
decode as a CALL. Each frame carries ``how`` (context / exception / scan) and ``confidence``.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Iterator, Mapping

from workbench.core.dumps import bugchecks
from workbench.core.dumps.fault import decode_memory_operand, exception_record
from workbench.core.dumps.images import ImageBase, images_in_memory
from workbench.core.dumps.kdump import KernelDump, VirtualMemory, stack_window
from workbench.core.dumps.model import BadAccess, CrashReport, Frame, Module
from workbench.core.dumps.unwind import REG_NAMES, RSP, UnwindError, context_registers, unwind_step

#: (pc offset, sp offset, context size) in the CONTEXT of each architecture (reference/dumps.md §2.4).
CONTEXT_REGS = {"x64": (0xF8, 0x98, 0x4D0), "arm64": (0x108, 0x100, 0x390), "x86": (0xB8, 0xC4, 0x2CC)}
#: Offsets of Rip and Rsp in the x64 KTRAP_FRAME [unverified, reference/dumps.md §4.1].
TRAP_X64 = (0x168, 0x180)
#: The registers an x64 KTRAP_FRAME saves (the volatile ones and rbx, rdi, rsi, rbp) and its size.
TRAP_X64_REGS = {"rax": 0x30, "rcx": 0x38, "rdx": 0x40, "r8": 0x48, "r9": 0x50, "r10": 0x58, "r11": 0x60,
                 "rbx": 0x140, "rdi": 0x148, "rsi": 0x150, "rbp": 0x158, "rip": 0x168, "rsp": 0x180}
TRAP_SIZE = 0x190
MAX_FRAMES = 128
MIN_OFFSET = 0x1000  # a "return address" in the PE header page is data, not code

Reader = Callable[[int, int], bytes | None]


def context_pc_sp(ctx: bytes | None, arch: str | None) -> tuple[int, int] | None:
    """(instruction pointer, stack pointer) from a raw CONTEXT, or None when too short or unknown."""
    if ctx is None or arch not in CONTEXT_REGS:
        return None
    pc_off, sp_off, _ = CONTEXT_REGS[arch]
    fmt = "<I" if arch == "x86" else "<Q"
    if len(ctx) < max(pc_off, sp_off) + struct.calcsize(fmt):
        return None
    return struct.unpack_from(fmt, ctx, pc_off)[0], struct.unpack_from(fmt, ctx, sp_off)[0]


def trap_registers(trap: bytes | None) -> dict[str, int]:
    """The registers an x64 trap frame holds (the others it does not save are left out, not zero)."""
    if trap is None or len(trap) < TRAP_SIZE:
        return {}
    return {name: struct.unpack_from("<Q", trap, off)[0] for name, off in TRAP_X64_REGS.items()}


class SectionMap:
    """Executable ranges of modules whose PE header page is readable (in the dump or from an image file)."""

    def __init__(self, read: Reader) -> None:
        self._read = read
        self._cache: dict[int, list[tuple[int, int, bool]] | None] = {}

    def executable(self, module: Module, address: int) -> bool | None:
        """True/False when the module's section table is known, None when it is not."""
        assert module.base is not None
        sections = self._cache.get(module.base, ...)
        if sections is ...:
            sections = self._cache[module.base] = _sections(self._read, module.base)
        if not sections:
            return None
        rva = address - module.base
        for start, end, exe in sections:
            if start <= rva < end:
                return exe
        return False


def _sections(read: Reader, base: int) -> list[tuple[int, int, bool]] | None:
    """(start RVA, end RVA, executable) of each section, read from the PE header at ``base``."""
    dos = read(base, 0x40)
    if dos is None or dos[:2] != b"MZ":
        return None
    lfanew = struct.unpack_from("<I", dos, 0x3C)[0]
    if lfanew > 0x1000:
        return None
    nt = read(base + lfanew, 24)
    if nt is None or nt[:4] != b"PE\0\0":
        return None
    nsec, = struct.unpack_from("<H", nt, 6)
    opt_size, = struct.unpack_from("<H", nt, 20)
    table = read(base + lfanew + 24 + opt_size, nsec * 40)
    if table is None or nsec == 0:
        return None
    out = []
    for i in range(nsec):
        vsize, vaddr = struct.unpack_from("<II", table, i * 40 + 8)
        chars, = struct.unpack_from("<I", table, i * 40 + 36)
        out.append((vaddr, vaddr + max(vsize, 1), bool(chars & 0x20000000)))  # IMAGE_SCN_MEM_EXECUTE
    return out


def _ff2_length(modrm: int, sib: int | None) -> int | None:
    """Length of an ``FF /2`` (CALL r/m) instruction from its ModRM (and SIB) byte; None if not /2."""
    if (modrm >> 3) & 7 != 2:
        return None
    mod, rm = modrm >> 6, modrm & 7
    if mod == 3:
        return 2
    length = 2 + (1 if rm == 4 else 0)
    if mod == 0:
        if rm == 5:
            return 6  # [rip+disp32]
        if rm == 4 and sib is not None and sib & 7 == 5:
            return length + 4
        return length
    return length + (1 if mod == 1 else 4)


def looks_like_call_site(read: Reader, address: int, arch: str | None) -> bool | None:
    """Do the bytes before ``address`` decode as a CALL? None when those bytes are not available.

    x86/x64: E8 rel32 (5 bytes), or FF /2 (CALL r/m, 2-7 bytes, optionally after a REX prefix on x64) whose
    decoded length ends exactly at ``address``.
    """
    if arch not in ("x64", "x86"):
        return None
    before = read(address - 8, 8)
    if before is None:
        return None
    if before[3] == 0xE8:
        return True
    for start in range(1, 7):
        if before[start] != 0xFF:
            continue
        sib = before[start + 2] if start + 2 < 8 else None
        length = _ff2_length(before[start + 1], sib)
        if length is not None and start + length == 8:
            return True
    return False


class CodeView:
    """Reads code and section tables from the dump's memory, falling back to matched module images."""

    def __init__(self, report: CrashReport, read: Reader, images: Mapping[str, ImageBase] | None = None) -> None:
        self.report = report
        self._read = read
        self.images = images or {}
        self.sections = SectionMap(read)

    def image_of(self, module: Module | None) -> ImageBase | None:
        return self.images.get(module.name.lower()) if module is not None else None

    def read(self, va: int, size: int) -> bytes | None:
        data = self._read(va, size)
        if data is not None:
            return data
        module = self.report.module_at(va)
        image = self.image_of(module)
        if image is None or module is None or module.base is None:
            return None
        return image.read_rva(va - module.base, size)

    def executable(self, module: Module, address: int) -> bool | None:
        image = self.image_of(module)
        if image is not None and module.base is not None:
            return image.executable(address - module.base)
        return self.sections.executable(module, address)


def scan_hits(report: CrashReport, view: CodeView, stack_read: Reader, start: int, end: int,
              word: int) -> Iterator[Frame]:
    """Pointer-sized slots in [start, end) whose value lies in a loaded module's code, as scan frames."""
    fmt = "<Q" if word == 8 else "<I"
    data = stack_read(start, end - start) if end > start else None
    if data is None:
        return
    for off in range(0, len(data) - word + 1, word):
        value = struct.unpack_from(fmt, data, off)[0]
        module = report.module_at(value)
        if module is None or module.base is None or value - module.base < MIN_OFFSET:
            continue
        exe = view.executable(module, value)
        if exe is False:
            continue  # a pointer into .data/.rdata/.pdata, not a return address
        call = looks_like_call_site(view.read, value, report.arch)
        if call is False:
            continue
        source = "the module image" if view.image_of(module) is not None and stack_read(value - 8, 8) is None \
            else "the dump"
        if call:
            confidence, note = "high", f"stack scan; the bytes before it are a CALL (checked in {source})"
        elif exe:
            confidence, note = "medium", "stack scan; inside an executable section (call site not in the dump)"
        else:
            confidence, note = "low", "stack scan; only known to point inside the module"
        yield report.resolve(value, how="scan", confidence=confidence, sp=start + off, note=note)


def scan_stack(report: CrashReport, read: Reader, start: int, end: int, word: int,
               sections: SectionMap | None = None, limit: int = MAX_FRAMES) -> list[Frame]:
    """Every scan hit in [start, end) (no unwinding): the BlueScreenView-style list."""
    view = CodeView(report, read)
    if sections is not None:
        view.sections = sections
    frames = []
    for frame in scan_hits(report, view, read, start, end, word):
        frames.append(frame)
        if len(frames) >= limit:
            break
    return frames


def walk_stack(report: CrashReport, stack_read: Reader, first: Frame, regs: dict[int, int] | None, end: int,
               word: int, images: Mapping[str, ImageBase] | None = None, limit: int = MAX_FRAMES) -> list[Frame]:
    """From the fault frame outward: .pdata unwinding through modules whose image is in the case, a stack
    scan elsewhere. An unwind that started from exact registers gives exact frames; one that started from
    a scan hit is only as good as that guess (medium)."""
    view = CodeView(report, stack_read, images)
    frames = [first]
    if first.address is None or first.sp is None:
        return frames
    trusted = regs is not None
    regs = dict(regs) if regs else {RSP: first.sp}
    regs[RSP] = first.sp
    pc, is_first = first.address, True
    scan_from = first.sp + (word if report.arch != "arm64" else 0)

    def read8(va: int) -> int | None:
        data = stack_read(va, 8)
        return None if data is None else struct.unpack("<Q", data)[0]

    while len(frames) < limit:
        module = report.module_at(pc)
        image = view.image_of(module)
        if image is not None and module is not None and module.base is not None and report.arch == "x64":
            try:
                ret, new_regs, machframe = unwind_step(image, pc - module.base, regs, read8, is_first)
            except UnwindError:
                ret = None
            if ret is not None and report.module_at(ret) is not None and regs[RSP] < new_regs[RSP] < end:
                note = ("unwound with the image's .pdata" + (" through a machine (trap) frame" if machframe else "")
                        + ("" if trusted else ", starting from a stack-scan guess"))
                frame = report.resolve(ret, how="unwind", confidence="exact" if trusted else "medium",
                                       sp=new_regs[RSP], note=note)
                frames.append(frame)
                pc, regs, is_first = ret, new_regs, False
                scan_from = new_regs[RSP]
                continue
        hit = next(scan_hits(report, view, stack_read, scan_from, end, word), None)
        if hit is None:
            break
        frames.append(hit)
        assert hit.sp is not None and hit.address is not None
        pc, regs, trusted, is_first = hit.address, {RSP: hit.sp + word}, False, False
        scan_from = hit.sp + word
    name_frames(report, frames, view)
    return frames


def name_frames(report: CrashReport, frames: list[Frame], view: CodeView) -> None:
    """Export names from matched images: ``ndis.sys!NdisFDeregisterFilterDriver+0x47``."""
    for frame in frames:
        if frame.address is None or frame.symbol:
            continue
        module = report.module_at(frame.address)
        image = view.image_of(module)
        if image is None or module is None or module.base is None:
            continue
        name, offset, note = image.symbolize(frame.address - module.base)
        if name:
            frame.symbol, frame.offset = name, offset
        if note:
            frame.note = f"{frame.note}; {note}" if frame.note else note


def recover_kernel_stack(dump: KernelDump, images: Mapping[str, ImageBase] | None = None) -> None:
    """Fill ``dump.report.frames``: the fault from the context the bugcheck names, then unwind or scan."""
    report = dump.report
    arch = report.arch
    if arch is None:
        return
    word = 4 if arch == "x86" else 8
    mem = dump.memory
    if not isinstance(mem, VirtualMemory) and arch == "x64":
        # a full or bitmap dump maps the module images themselves: .pdata and exports without any files
        in_memory = images_in_memory(mem.read, report.modules)
        if in_memory:
            images = {**in_memory, **(images or {})}
            report.stack_quality.append(f"module images read from the dump's own memory: {len(in_memory)}")
    code = report.bugcheck_code or 0
    params = report.parameters
    ctx_size = CONTEXT_REGS[arch][2]

    # tier 0: the exception record and context the parameters point to (0x7E P3/P4, 0x3B P3, ...)
    i_exr = bugchecks.parameter_role(code, "exception_record")
    if i_exr is not None and i_exr < len(params):
        record = exception_record(mem.read(params[i_exr], 0x98 if word == 8 else 0x50), word == 8)
        if record is not None:
            report.exception_code, report.exception_address, report.exception_parameters = record
    fault: tuple[int, int] | None = None
    fault_ctx: bytes | None = None
    how_note = ""
    i_ctx = bugchecks.parameter_role(code, "context")
    if i_ctx is not None and i_ctx < len(params):
        fault_ctx = mem.read(params[i_ctx], ctx_size)
        fault = context_pc_sp(fault_ctx, arch)
        how_note = f"CONTEXT record at bugcheck parameter {i_ctx + 1}"
    i_trap = bugchecks.parameter_role(code, "trap_frame")
    if fault is None and i_trap is not None and i_trap < len(params) and arch == "x64":
        trap = mem.read(params[i_trap], TRAP_X64[1] + 8)
        if trap is not None:
            fault = (struct.unpack_from("<Q", trap, TRAP_X64[0])[0], struct.unpack_from("<Q", trap, TRAP_X64[1])[0])
            how_note = f"trap frame at bugcheck parameter {i_trap + 1}"
            fault_ctx = None
            report.registers = trap_registers(mem.read(params[i_trap], TRAP_SIZE))
    if fault is not None and report.module_at(fault[0]) is None:
        report.stack_quality.append(f"the {how_note} points outside every loaded module; not used")
        fault, fault_ctx = None, None
    header = context_pc_sp(dump.header_context, arch)
    if fault is None and header is not None and report.module_at(header[0]) is not None:
        fault, fault_ctx, how_note = header, dump.header_context, "CONTEXT in the dump header"
    window = stack_window(dump, fault[1] if fault is not None else (header[1] if header else None))
    top, end = window if window is not None else (None, 0)
    frames: list[Frame] = []
    if fault is not None:
        first = report.resolve(fault[0], how="context", confidence="exact", sp=fault[1], note=how_note)
        regs = context_registers(fault_ctx) if fault_ctx is not None and arch == "x64" else None
        if regs:  # the fault's registers: what a NULL in the faulting instruction's operand is read from
            report.registers = {REG_NAMES[i]: v for i, v in regs.items()}
        if top is not None and top <= fault[1] < end:
            frames = walk_stack(report, mem.read, first, regs, end, word, images)
        else:
            frames = [first]
            name_frames(report, frames, CodeView(report, mem.read, images))
    else:
        i_addr = bugchecks.parameter_role(code, "fault_address")
        if i_addr is not None and i_addr < len(params) and report.module_at(params[i_addr]):
            frames.append(report.resolve(params[i_addr], how="exception", confidence="exact",
                                         note=f"faulting address in bugcheck parameter {i_addr + 1}"))
        report.stack_quality.append("no usable context record: frames after the first come from a raw scan of "
                                    "the whole stack copy, bugcheck machinery included")
        if top is not None:
            view = CodeView(report, mem.read, images)
            for hit in scan_hits(report, view, mem.read, top, end, word):
                frames.append(hit)
                if len(frames) >= MAX_FRAMES:
                    break
            name_frames(report, frames, view)
    if any(f.how == "scan" for f in frames):
        report.stack_quality.append(
            "some frames are stack-scan hits: true return addresses mixed with stale ones; the module images "
            "(.pdata) in the case would make them exact")
    report.frames = frames
    if fault is not None:
        read_fault_operand(report, CodeView(report, mem.read, images), fault[0])


def read_fault_operand(report: CrashReport, view: CodeView, pc: int) -> None:
    """The faulting instruction's memory operand, decoded from its bytes (in the dump's memory or a matched
    module image): which register a NULL came in (``[rbx+158h]``). Nothing when the bytes are not there."""
    if report.arch != "x64":
        return
    code = view.read(pc, 16)
    decoded = decode_memory_operand(code) if code is not None else None
    if decoded is None or code is None:
        return
    where = report.resolve(pc, how="context", confidence="exact").label()
    bad = report.bad_access or BadAccess()
    bad.operand, bad.register = decoded[0], decoded[1]
    bad.see(None, f"code at {where}: {code[:decoded[3]].hex(' ')} (memory operand [{decoded[0]}])")
    report.bad_access = bad
