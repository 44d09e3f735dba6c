"""What went wrong in a crash: the address an access violation touched, and whether it was NULL.

The brief's engineer wrote "passed a NULL filter handle": ``mov rcx,qword ptr [rbx+158h]`` with ``rbx = 0``.
Every source states part of that, and :func:`derive` joins the parts a source has:

- the exception record (``Parameter[0]`` read 0 / write 1 / execute 8, ``Parameter[1]`` the address), from a
  dump's record or WinDbg's ``EXCEPTION_RECORD:`` / ``.exr`` text, ``Attempt to read from address …``,
  ``READ_ADDRESS:`` / ``WRITE_ADDRESS:``, ``EXCEPTION_PARAMETER1/2``;
- the bug check parameters that carry the address (0x0A, 0xD1, 0x50: P1; 0x1E: P3/P4 are the exception's
  parameters 0 and 1);
- the faulting instruction (``FAULTING_IP:`` or the disassembly after a ``.cxr``/``.trap`` register block)
  and the value of the register its memory operand is built on, from that register block.

An address below 64 KiB is a NULL pointer plus a field offset: Windows never maps the first 64 KiB, so an
access there is a NULL pointer dereference (Microsoft's "Access Violation C0000005" episode of *Inside*).
"""

from __future__ import annotations

import re

from workbench.core.dumps import bugchecks
from workbench.core.dumps.model import BadAccess, CrashReport

#: Below this an address is a NULL pointer plus an offset (the first 64 KiB are never mapped).
NULL_LIMIT = 0x10000
ACCESS_VIOLATION = 0xC0000005
#: ExceptionInformation[0] of an access violation (winnt.h: EXCEPTION_READ_FAULT, _WRITE_, _EXECUTE_).
ACCESS = {0: "read", 1: "write", 8: "execute"}

#: A memory operand: ``[rbx+158h]``, ``[rax+rcx*8-10h]``, ``[ecx]``, ``qword ptr gs:[rax+20h]``.
MEMORY_OPERAND = re.compile(r"\[([^\]]+)\]")
_REGISTER = re.compile(r"^(?:[re]?(?:ax|bx|cx|dx|si|di|bp|sp)|r(?:[89]|1[0-5])[dwb]?|[re]ip)$", re.I)
#: WinDbg's effective address after the operands: ``ds:002b:00000000`00000158=????????`` or ``ds:00000000=??``.
EFFECTIVE = re.compile(r"\b[a-z]s:(?:[0-9a-f]{4}:)?([0-9a-f`]{1,17})=", re.I)


def is_null(address: int | None) -> bool:
    """True for an address in the first 64 KiB: a NULL pointer (plus a field offset)."""
    return address is not None and 0 <= address < NULL_LIMIT


def memory_operand(instruction: str) -> tuple[str, str | None, int] | None:
    """(operand text, base register, displacement) of an instruction's memory operand, None without one.

    ``mov rcx,qword ptr [rbx+158h]`` → ``("rbx+158h", "rbx", 0x158)``. The base is the first register of the
    operand (an index register scaled by ``*`` is not a base); displacements are hex, with or without ``h``.
    """
    m = MEMORY_OPERAND.search(instruction)
    if not m:
        return None
    text = m.group(1).strip()
    base: str | None = None
    disp = 0
    for sign, term in re.findall(r"([+-]?)\s*([^+-]+)", text.replace(" ", "")):
        term = term.strip()
        if "*" in term:
            continue
        if _REGISTER.match(term):
            base = base or term.lower()
            continue
        hex_text = term[:-1] if term.lower().endswith("h") else term
        hex_text = hex_text[2:] if hex_text.lower().startswith("0x") else hex_text
        try:
            value = int(hex_text.replace("`", ""), 16)
        except ValueError:
            continue
        disp += -value if sign == "-" else value
    return text, base, disp


def effective_address(instruction: str) -> int | None:
    """The address WinDbg computed for the memory operand (``ds:002b:00000000`00000158=????????``)."""
    m = EFFECTIVE.search(instruction)
    if not m:
        return None
    try:
        return int(m.group(1).replace("`", ""), 16)
    except ValueError:
        return None


#: x64 general registers by number (ModRM/SIB encoding with REX.B/REX.X as bit 3).
GPR64 = ("rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
         "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15")
_PREFIXES = frozenset({0xF0, 0xF2, 0xF3, 0x2E, 0x36, 0x3E, 0x26, 0x64, 0x65, 0x66, 0x67})
#: One-byte opcodes that take a ModRM byte and access its memory operand (LEA 8D computes, never touches).
_MODRM_ONE = frozenset(
    [o for base in range(0x00, 0x40, 8) for o in range(base, base + 4)]
    + [0x63, 0x69, 0x6B] + list(range(0x80, 0x8D)) + [0x8E, 0x8F, 0xC0, 0xC1, 0xC6, 0xC7, 0xD0, 0xD1, 0xD2, 0xD3]
    + list(range(0xD8, 0xE0)) + [0xF6, 0xF7, 0xFE, 0xFF])
#: Two-byte (0F xx) opcodes without a ModRM byte; every other one has one.
_NO_MODRM_TWO = frozenset([0x05, 0x06, 0x07, 0x08, 0x09, 0x0B, 0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x77, 0xA0,
                           0xA1, 0xA2, 0xA8, 0xA9, 0xAA] + list(range(0x80, 0x90)) + list(range(0xC8, 0xD0)))


def decode_memory_operand(code: bytes) -> tuple[str, str | None, int, int] | None:
    """The memory operand of the x64 instruction at the start of ``code`` as WinDbg writes it, with its base
    register and displacement: ``48 8b 8b 58 01 00 00`` (mov rcx,qword ptr [rbx+158h]) → ``("rbx+158h",
    "rbx", 0x158, 7)``, the last value the bytes read up to the operand's end (an immediate may follow).
    None when the instruction has no memory operand, or is not one this small decoder knows
    (VEX/EVEX forms, LEA, string instructions): the caller then says only what the exception record says.
    """
    i = 0
    while i < len(code) and code[i] in _PREFIXES:
        i += 1
    rex = 0
    if i < len(code) and 0x40 <= code[i] <= 0x4F:
        rex, i = code[i], i + 1
    if i >= len(code):
        return None
    op = code[i]
    i += 1
    if op == 0x0F:
        if i >= len(code):
            return None
        op2 = code[i]
        i += 1
        if op2 in (0x38, 0x3A):
            i += 1  # three-byte opcode: one more opcode byte, then ModRM
        elif op2 in _NO_MODRM_TWO:
            return None
    elif op not in _MODRM_ONE:
        return None
    if i >= len(code):
        return None
    modrm = code[i]
    i += 1
    mod, rm = modrm >> 6, modrm & 7
    if mod == 3:
        return None  # a register operand: no memory touched
    base: str | None = None
    index: str | None = None
    scale = 1
    if rm == 4:  # a SIB byte follows
        if i >= len(code):
            return None
        sib = code[i]
        i += 1
        scale = 1 << (sib >> 6)
        idx = ((sib >> 3) & 7) | ((rex & 2) << 2)
        index = None if idx == 4 else GPR64[idx]
        b = sib & 7
        base = None if (b == 5 and mod == 0) else GPR64[b | ((rex & 1) << 3)]
        disp_size = 4 if (b == 5 and mod == 0) else {0: 0, 1: 1, 2: 4}[mod]
    elif rm == 5 and mod == 0:
        base, disp_size = "rip", 4
    else:
        base = GPR64[rm | ((rex & 1) << 3)]
        disp_size = {0: 0, 1: 1, 2: 4}[mod]
    if i + disp_size > len(code):
        return None
    disp = int.from_bytes(code[i:i + disp_size], "little", signed=True) if disp_size else 0
    parts = [p for p in (base, f"{index}*{scale}" if index and scale > 1 else index) if p]
    text = "+".join(parts)
    if disp or not parts:  # MASM hex as WinDbg writes it: 8, 28h, 158h, 0A8h
        digits = f"{abs(disp):X}"
        shown = digits if abs(disp) < 10 else ("0" if digits[0] in "ABCDEF" else "") + digits + "h"
        text += ("-" if disp < 0 else "+" if parts else "") + shown
    return text, base, disp, i + disp_size


def _from_bugcheck(report: CrashReport, bad: BadAccess) -> None:
    """The address and access type where the bug check's parameters carry them."""
    if report.bugcheck_code is None or not report.parameters:
        return
    code = bugchecks.base_code(report.bugcheck_code)
    params = report.parameters
    label = f"BugCheck {bugchecks.format_code(report.bugcheck_code)}"
    if code in (0x0A, 0xD1) and len(params) >= 3:
        if bad.address is None:
            bad.address = params[0]
            bad.see(None, f"{label}: P1 memory referenced 0x{params[0]:x}")
        if bad.access is None:
            bad.access = "execute" if params[2] & 8 else "write" if params[2] & 1 else "read"
    elif code == 0x50 and len(params) >= 2:
        if bad.address is None:
            bad.address = params[0]
            bad.see(None, f"{label}: P1 memory referenced 0x{params[0]:x}")
        if bad.access is None:
            bad.access = {0: "read", 1: "write", 2: "write", 10: "execute"}.get(params[1])
    elif code == 0x1E and len(params) >= 4 and params[0] & 0xFFFFFFFF == ACCESS_VIOLATION:
        if bad.access is None:
            bad.access = ACCESS.get(params[2])
        if bad.address is None:
            bad.address = params[3]
            bad.see(None, f"{label}: P4 (exception parameter 1) 0x{params[3]:x}")


def derive(report: CrashReport) -> BadAccess | None:
    """Join what ``report`` says about the bad access (the text parser may have filled ``bad_access`` with
    what it read); None when the source says nothing about one. Stored back on ``report.bad_access``."""
    bad = report.bad_access or BadAccess()
    code = report.exception_code
    params = report.exception_parameters
    if code is not None and code & 0xFFFFFFFF == ACCESS_VIOLATION and len(params) >= 2:
        if bad.access is None:
            bad.access = ACCESS.get(params[0])
        if bad.address is None:
            bad.address = params[1]
            if not any("Parameter" in t or "PARAMETER2" in t for _, t in bad.evidence):  # the text's own line
                bad.see(None, f"EXCEPTION_RECORD: ExceptionCode c0000005, Parameter[0] {params[0]:x}, "
                              f"Parameter[1] {params[1]:x}")
    _from_bugcheck(report, bad)
    operand = memory_operand(bad.instruction) if bad.instruction else None
    if operand is not None:
        bad.operand, bad.register, _ = operand
    if bad.operand and bad.register and bad.register_value is None and bad.register in report.registers:
        bad.register_value = report.registers[bad.register]
    if bad.address is None and bad.instruction:
        bad.address = effective_address(bad.instruction)
    if bad.address is None and operand is not None and bad.register_value is not None:
        bad.address = (bad.register_value + operand[2]) & 0xFFFFFFFFFFFFFFFF
    if bad.address is None and bad.register_value is None and bad.instruction is None and bad.operand is None:
        report.bad_access = None
        return None
    report.bad_access = bad
    return bad


def exception_record(raw: bytes | None, wide: bool) -> tuple[int, int, list[int]] | None:
    """(code, address, ExceptionInformation[]) of an EXCEPTION_RECORD64 (``wide``) or EXCEPTION_RECORD32.

    winnt.h layout: code u32 @0, flags u32 @4, next record @8, address @0x10 (x64) / @0x0C (x86), then
    NumberParameters u32 @0x18 / @0x10 and up to 15 parameters from @0x20 / @0x14.
    """
    import struct

    if raw is None or len(raw) < (0x20 if wide else 0x14):
        return None
    code = struct.unpack_from("<I", raw, 0)[0]
    address = struct.unpack_from("<Q" if wide else "<I", raw, 0x10 if wide else 0x0C)[0]
    count = min(struct.unpack_from("<I", raw, 0x18 if wide else 0x10)[0], 15)
    first, size = (0x20, 8) if wide else (0x14, 4)
    count = max(0, min(count, (len(raw) - first) // size))
    params = [struct.unpack_from("<Q" if wide else "<I", raw, first + i * size)[0] for i in range(count)]
    return code, address, params
