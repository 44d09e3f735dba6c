"""x64 stack unwinding from a module's ``.pdata`` / ``UNWIND_INFO``: what WinDbg does without PDBs.

Format facts from Microsoft's "x64 exception handling" documentation: a RUNTIME_FUNCTION (begin, end,
unwind RVA) covers each non-leaf function; its UNWIND_INFO lists the prolog's operations newest first, so
applying them in order undoes the prolog. Codes whose prolog offset lies past the current instruction have
not run yet and are skipped. Chained entries (UNW_FLAG_CHAININFO) continue with the parent's codes.
``UWOP_PUSH_MACHFRAME`` (trap and interrupt frames: ``nt!KiPageFault``) restores RIP and RSP from the
machine frame, which is how an unwind gets from the page-fault handler back to the faulting driver.
Not handled: epilog detection (an instruction pointer inside an epilog; never true of a return address).
"""

from __future__ import annotations

import struct
from collections.abc import Callable

from workbench.core.dumps.images import ImageBase

RSP, RBP = 4, 5
REG_NAMES = ("rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
             "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15")
#: Register offsets in the x64 CONTEXT: Rax at 0x78, then the others in REG_NAMES order.
CONTEXT_GPR = 0x78

Read8 = Callable[[int], int | None]


def context_registers(ctx: bytes) -> dict[int, int]:
    """The 16 general registers of an x64 CONTEXT (index as in :data:`REG_NAMES`)."""
    if len(ctx) < CONTEXT_GPR + 16 * 8:
        return {}
    return {i: struct.unpack_from("<Q", ctx, CONTEXT_GPR + 8 * i)[0] for i in range(16)}


class UnwindError(Exception):
    """The unwind data or the stack memory needed for one step is missing."""


def _need(value: int | None) -> int:
    if value is None:
        raise UnwindError("stack memory not in the dump")
    return value


def unwind_step(image: ImageBase, rva: int, regs: dict[int, int], read8: Read8,
                first: bool) -> tuple[int, dict[int, int], bool]:
    """One frame up: (caller's instruction pointer, caller's registers, via a machine frame?).

    ``rva`` is the instruction pointer's offset in ``image``; ``regs`` must hold at least RSP (and the frame
    register when the function uses one). ``first`` is True for the frame the context stopped in (its
    instruction may sit inside the prolog); a return address is past its call, so the prolog has run.
    """
    regs = dict(regs)
    entry = image.function_at(rva)
    if entry is None:  # a leaf function: nothing pushed, the return address is at RSP
        ret = _need(read8(regs[RSP]))
        regs[RSP] += 8
        return ret, regs, False
    offset = rva - entry[0]
    chained = False
    for _ in range(32):
        head = image.read_rva(entry[2], 4)
        if head is None:
            raise UnwindError("UNWIND_INFO outside the image")
        version, flags = head[0] & 7, head[0] >> 3
        count, frame = head[2], head[3]
        frame_reg, frame_off = frame & 0xF, (frame >> 4) * 16
        codes = image.read_rva(entry[2] + 4, count * 2) or b""
        if len(codes) < count * 2:
            raise UnwindError("unwind codes outside the image")
        i = 0
        while i < count:
            code_off, op_info = codes[2 * i], codes[2 * i + 1]
            op, info = op_info & 0xF, op_info >> 4
            slots = {1: 2 if info == 0 else 3, 4: 2, 5: 3, 8: 2, 9: 3, 7: 3}.get(op, 1)
            if op == 6:
                slots = 1 if version >= 2 else 2  # v2: UWOP_EPILOG; v1: the old SAVE_XMM
            executed = chained or not first or code_off <= offset
            if executed:
                if op == 0:  # UWOP_PUSH_NONVOL
                    regs[info] = _need(read8(regs[RSP]))
                    regs[RSP] += 8
                elif op == 1:  # UWOP_ALLOC_LARGE
                    if info == 0:
                        size = struct.unpack_from("<H", codes, 2 * i + 2)[0] * 8
                    else:
                        size = struct.unpack_from("<I", codes, 2 * i + 2)[0]
                    regs[RSP] += size
                elif op == 2:  # UWOP_ALLOC_SMALL
                    regs[RSP] += info * 8 + 8
                elif op == 3:  # UWOP_SET_FPREG
                    if frame_reg not in regs:
                        raise UnwindError("frame register unknown")
                    regs[RSP] = regs[frame_reg] - frame_off
                elif op == 4:  # UWOP_SAVE_NONVOL
                    slot = struct.unpack_from("<H", codes, 2 * i + 2)[0] * 8
                    regs[info] = _need(read8(regs[RSP] + slot))
                elif op == 5:  # UWOP_SAVE_NONVOL_FAR
                    slot = struct.unpack_from("<I", codes, 2 * i + 2)[0]
                    regs[info] = _need(read8(regs[RSP] + slot))
                elif op == 10:  # UWOP_PUSH_MACHFRAME
                    base = regs[RSP] + (8 if info else 0)
                    ret = _need(read8(base))
                    regs[RSP] = _need(read8(base + 0x18))
                    return ret, regs, True
            i += slots
        if not flags & 0x4:  # UNW_FLAG_CHAININFO
            break
        parent = image.read_rva(entry[2] + 4 + ((count + 1) & ~1) * 2, 12)
        if parent is None:
            raise UnwindError("chained unwind entry outside the image")
        entry = struct.unpack("<III", parent)
        chained = True
    ret = _need(read8(regs[RSP]))
    regs[RSP] += 8
    return ret, regs, False
