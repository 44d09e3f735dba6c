"""Bugcheck names and what their four parameters mean.

Names come from ``bugcheck_codes.tsv`` beside this module (425 codes from Microsoft's driver docs). The
"_M" twins (0x1000007E, 0x1000008E, ...) are the same stop with the high bit set by the kernel; they have
their own rows where documented, and otherwise borrow the base code's name and parameters
(reference/dumps.md §4.1). Parameter meanings are given for the codes upgrade failures actually show, and say
which parameter is an address the stack recovery can use.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

#: The kernel sets this bit on some bugchecks ("_M" twins); the meaning is the base code's.
M_BIT = 0x10000000


@dataclass(frozen=True)
class ParamMeaning:
    """What one bugcheck parameter holds; ``role`` marks the ones stack recovery reads."""

    text: str
    role: str | None = None  # exception_code | fault_address | exception_record | context | trap_frame


_P = ParamMeaning

#: Parameter meanings of the common codes (MicrosoftDocs bug-check-0x*.md pages, reference/dumps.md §4.1).
PARAMETERS: dict[int, tuple[ParamMeaning, ...]] = {
    0x0A: (_P("memory referenced"), _P("IRQL at the time of the reference"),
           _P("bitfield: bit 0 = write, bit 3 = execute"), _P("address of the instruction that referenced memory",
                                                                "fault_address")),
    0x1E: (_P("exception code not handled", "exception_code"), _P("address where the exception occurred",
                                                                   "fault_address"),
           _P("exception parameter 0"), _P("exception parameter 1")),
    0x3B: (_P("exception code", "exception_code"), _P("address of the instruction that caused the exception",
                                                      "fault_address"),
           _P("address of the CONTEXT record", "context"), _P("reserved")),
    0x50: (_P("memory referenced"), _P("access type: 0 read, 2 write, 10 execute (1 write on old builds)"),
           _P("address of the instruction that referenced memory, if known", "fault_address"),
           _P("fault type")),
    0x7B: (_P("address of the boot device's UNICODE_STRING or device object"), _P("0"), _P("0"), _P("0")),
    0x7E: (_P("exception code not handled", "exception_code"), _P("address where the exception occurred",
                                                                   "fault_address"),
           _P("address of the EXCEPTION_RECORD", "exception_record"), _P("address of the CONTEXT record",
                                                                          "context")),
    0x7F: (_P("trap number (8 = double fault)"), _P("reserved"), _P("reserved"), _P("reserved")),
    0x8E: (_P("exception code not handled", "exception_code"), _P("address where the exception occurred",
                                                                   "fault_address"),
           _P("address of the trap frame", "trap_frame"), _P("reserved")),
    0x9F: (_P("subtype (3 = a device object blocked an IRP too long)"), _P("physical device object"),
           _P("nt!_TRIAGE_9F_POWER / functional device object"), _P("the blocked IRP")),
    0xC4: (_P("violation code or rule id"), _P("depends on parameter 1"), _P("depends on parameter 1"),
           _P("depends on parameter 1")),
    0xD1: (_P("memory referenced"), _P("IRQL at the time of the reference"),
           _P("0 read, 1 write, 2 or 8 execute"), _P("address of the instruction that referenced memory",
                                                     "fault_address")),
    0xEF: (_P("the process object that died"), _P("0 = a process terminated, 1 = a thread terminated"),
           _P("reserved"), _P("reserved")),
    0xFC: (_P("virtual address whose execution was attempted", "fault_address"), _P("page table entry"),
           _P("reserved"), _P("reserved")),
    0x116: (_P("the video context or TDR recovery object"), _P("the responsible device driver's address"),
            _P("error code of the failed operation"), _P("internal context")),
    0x124: (_P("error source (0 = machine check exception)"), _P("address of the WHEA_ERROR_RECORD"),
            _P("high 32 bits of MCi_STATUS"), _P("low 32 bits of MCi_STATUS")),
    0x133: (_P("0 = a single DPC or ISR ran too long, 1 = cumulative DPC time too long"),
            _P("DPC time count (ticks) or watchdog period"), _P("DPC time allotment (ticks) or cast to nt!DPC_WATCHDOG_GLOBAL_TRIAGE_BLOCK"),
            _P("reserved")),
    0x139: (_P("type of corruption (3 = LIST_ENTRY corrupted)"), _P("address of the trap frame", "trap_frame"),
            _P("address of the exception record", "exception_record"), _P("reserved")),
}


@lru_cache(maxsize=1)
def _names() -> dict[int, str]:
    text = resources.files(__package__).joinpath("bugcheck_codes.tsv").read_text("utf-8")
    names: dict[int, str] = {}
    for line in text.splitlines():
        if not line or line.startswith("#") or line.startswith("code\t"):
            continue
        code, name, *_ = line.split("\t")
        names[int(code, 16)] = name
    return names


def format_code(code: int) -> str:
    """``0x0000007E``: the form the analysis JSON and WinDbg's ``.bugcheck`` show (8 hex digits, upper case)."""
    return f"0x{code & 0xFFFFFFFF:08X}"


def base_code(code: int) -> int:
    """The documented code a "_M" twin stands for (0x1000007E -> 0x7E); other codes unchanged."""
    code &= 0xFFFFFFFF
    if code & M_BIT and (code & ~M_BIT) in _names():
        return code & ~M_BIT
    return code


def bugcheck_name(code: int) -> str | None:
    """The bugcheck's symbolic name, or None when the table does not know it (show ``0x… (unknown)``)."""
    code &= 0xFFFFFFFF
    names = _names()
    if code in names:
        return names[code]
    base = base_code(code)
    if base != code:
        return names[base] + "_M"
    return None


def parameter_meanings(code: int) -> tuple[ParamMeaning, ...] | None:
    """Meanings of P1..P4 for the common codes (the base code's for "_M" twins); None when not described."""
    return PARAMETERS.get(base_code(code))


def parameter_role(code: int, role: str) -> int | None:
    """Index (0-3) of the parameter holding ``role`` (``fault_address``, ``context``, ...), or None."""
    meanings = parameter_meanings(code)
    if not meanings:
        return None
    for i, m in enumerate(meanings):
        if m.role == role:
            return i
    return None


def code_count() -> int:
    """How many codes the table holds (a sanity figure for tests and the about box)."""
    return len(_names())
