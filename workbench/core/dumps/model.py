"""What every crash source (kernel dump, user dump, WinDbg text) is turned into, so one analysis serves all.

A :class:`CrashReport` holds the bugcheck or exception, the loaded modules and the recovered frames. Each
frame says how it was found (``how``) and how far to trust it (``confidence``), after rust-minidump's
"Found by" trust levels: a frame read from a context record is exact, a stack-scan hit is a guess.
"""

from __future__ import annotations

import bisect
import json
from dataclasses import dataclass, field
from typing import Any

#: How a frame was found, strongest first. ``text`` = copied from a debugger's own listing.
HOW = ("context", "exception", "text", "unwind", "scan")
CONFIDENCE = ("exact", "high", "medium", "low")


@dataclass
class Module:
    """A loaded module (driver or DLL): ``name`` is the file name (``amdppm.sys``), ``path`` the full image path."""

    name: str
    base: int | None = None
    size: int | None = None
    timestamp: int | None = None
    checksum: int | None = None
    path: str | None = None
    debugger_name: str | None = None  # nt, Ntfs, NETIO: what WinDbg calls it
    company: str | None = None  # from the image's version resource, when the image is in the case
    company_source: str | None = None  # image (its version resource) | debugger (the engineer's lmv listing)
    product: str | None = None  # ProductName, FileDescription, file version: from the same version resource
    description: str | None = None
    file_version: str | None = None
    image_path: str | None = None  # the matched image file in the case (name + timestamp + size agree)
    microsoft: bool | None = None  # filled by the culprit analysis, with the reason below
    microsoft_reason: str | None = None

    @property
    def end(self) -> int | None:
        return None if self.base is None or self.size is None else self.base + self.size


@dataclass
class Frame:
    """One stack frame. ``offset`` is from ``symbol`` when known, else from the module base."""

    address: int | None
    module: str | None
    symbol: str | None = None
    offset: int | None = None
    how: str = "scan"
    confidence: str = "low"
    sp: int | None = None
    note: str | None = None

    def label(self) -> str:
        """``ndis!NdisFDeregisterFilterDriver+0x47``, ``lwfmgr.sys+0x5167`` or a bare address."""
        if self.module is None:
            return f"0x{self.address:x}" if self.address is not None else "?"
        text = self.module + (f"!{self.symbol}" if self.symbol else "")
        if self.offset:
            text += f"+0x{self.offset:x}"
        return text

    def as_fact(self) -> dict[str, Any]:
        return {"module": self.module, "symbol": self.symbol,
                "offset": f"0x{self.offset:x}" if self.offset is not None else None}


@dataclass
class BadAccess:
    """What an access violation touched: the address, how (read/write/execute), the faulting instruction and
    the register its memory operand was built on, each from where the source states it; ``evidence`` holds
    the lines that show it, as ``(line number or None, text)``. Built by :mod:`workbench.core.dumps.fault`."""

    address: int | None = None
    access: str | None = None  # read | write | execute
    instruction: str | None = None  # "mov rcx,qword ptr [rbx+158h]"
    operand: str | None = None  # "rbx+158h"
    register: str | None = None  # the operand's base register, "rbx"
    register_value: int | None = None
    evidence: list[tuple[int | None, str]] = field(default_factory=list)

    def see(self, line: int | None, text: str) -> None:
        """Keep one line that shows a part of the bad access (each once)."""
        item = (line, text.strip())
        if item[1] and item not in self.evidence:
            self.evidence.append(item)

    def as_json(self) -> str:
        return json.dumps({
            "address": None if self.address is None else f"0x{self.address:x}", "access": self.access,
            "instruction": self.instruction, "operand": self.operand, "register": self.register,
            "register_value": None if self.register_value is None else f"0x{self.register_value:x}",
            "evidence": [{"line": ln, "text": t} for ln, t in self.evidence]})


@dataclass
class CrashReport:
    """Everything one crash source says. Unknown values stay None: they are never guessed."""

    source_kind: str  # kernel_dump | user_dump | windbg_text
    kernel: bool = True
    arch: str | None = None  # x64 | x86 | arm64
    os_build: int | None = None
    dump_type: str | None = None
    crash_time_us: int | None = None  # UTC
    bugcheck_code: int | None = None
    parameters: list[int] = field(default_factory=list)
    exception_code: int | None = None
    exception_address: int | None = None
    exception_parameters: list[int] = field(default_factory=list)  # ExceptionInformation[] of the record
    registers: dict[str, int] = field(default_factory=dict)  # the fault's context, when the source has it
    bad_access: BadAccess | None = None  # what an access violation touched (workbench.core.dumps.fault)
    process_name: str | None = None
    modules: list[Module] = field(default_factory=list)
    frames: list[Frame] = field(default_factory=list)
    culprit: str | None = None
    culprit_frame: int | None = None  # index into frames
    culprit_reason: str | None = None
    stack_quality: list[str] = field(default_factory=list)  # warnings about how the stack was recovered
    extra: dict[str, str] = field(default_factory=dict)  # other named values (IMAGE_NAME, FAILURE_BUCKET_ID...)
    raw_context: bytes | None = field(default=None, repr=False)  # the fault's CONTEXT, when the source has one
    _index: list[tuple[int, int, Module]] | None = field(default=None, repr=False)

    # ------------------------------------------------------------------------------------- modules

    def module_at(self, address: int) -> Module | None:
        """The module whose [base, base+size) holds ``address`` (binary search; modules may be unsorted)."""
        if self._index is None:
            self._index = sorted(
                ((m.base, m.base + m.size, m) for m in self.modules if m.base is not None and m.size),
                key=lambda t: t[0])
            self._starts = [t[0] for t in self._index]
        i = bisect.bisect_right(self._starts, address) - 1
        if i >= 0:
            start, end, module = self._index[i]
            if start <= address < end:
                return module
        return None

    def resolve(self, address: int, *, how: str, confidence: str, sp: int | None = None,
                note: str | None = None) -> Frame:
        """A frame for ``address`` as module+offset (no symbols: a triage dump carries none)."""
        module = self.module_at(address)
        if module is None:
            return Frame(address, None, None, None, how, confidence, sp, note)
        assert module.base is not None
        return Frame(address, module.name, None, address - module.base, how, confidence, sp, note)

    def find_module(self, name: str) -> Module | None:
        low = name.lower()
        for m in self.modules:
            if m.name.lower() == low or (m.debugger_name or "").lower() == low:
                return m
        return None

    # ------------------------------------------------------------------------------------- output

    @property
    def fault_frame(self) -> Frame | None:
        return next((f for f in self.frames if f.how in ("context", "exception")), None)

    def frames_json(self, limit: int = 64) -> str:
        return json.dumps([f.as_fact() for f in self.frames[:limit]])

    def parameters_json(self) -> str:
        width = 16 if self.arch in (None, "x64", "arm64") else 8
        return json.dumps([f"0x{p:0{width}x}" for p in self.parameters])
