"""WinDbg / kd text the engineer saved or pasted: ``!analyze -v``, ``k``/``kn``/``kv``/``kb``, ``lm``/``lmv``, MEX.

Section-aware (reference/dumps.md §6): ``lm`` rows, disassembly lines and stack rows all look like "address
address text", so a row is read by the listing it sits in, which the header line before it decides
(``# Child-SP RetAddr Call Site``, ``ChildEBP RetAddr``, ``STACK_TEXT:``, ``start end module name``). A
listing ends at a blank line, a prompt or the next header. ``!analyze`` key lines (``KEY:  value``) are read
as a block of named values. The result is the same :class:`CrashReport` the binary dumps give.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from workbench.core.dumps.culprit import file_name_for
from workbench.core.dumps.model import BadAccess, CrashReport, Frame, Module

HEX = r"[0-9a-fA-F]{1,8}(?:`[0-9a-fA-F]{8})?|[0-9a-fA-F]{9,16}"
PROMPT = re.compile(r"^\s*(?:(\d+): kd>|kd>|(\d+):(\d+)(?::\w+)?>)\s*(.*)$", re.I)
BUGCHECK_TITLE = re.compile(r"^([A-Z][A-Z0-9_]{3,}) \(([0-9a-fA-F]+)\)\s*$")
ARG = re.compile(r"^Arg([1-4]):\s*([0-9a-fA-F`]+)(?:,\s*(.*))?$")
KEY = re.compile(r"^([A-Z][A-Z0-9_]+):\s*(.*)$")
KV_KEY = re.compile(r"^\s+Key\s*:\s*(.+?)\s*$")
KV_VALUE = re.compile(r"^\s+Value\s*:\s*(.*?)\s*$")

STACK_HEADERS = (
    re.compile(r"^\s*#?\s*Child-SP\s+(?:Child-BSP\s+)?RetAddr\s*(?::\s*Args to Child\s*)?:?\s*Call Site", re.I),
    re.compile(r"^\s*#?\s*Child-SP\s+Return\s+Call Site", re.I),  # MEX !mex.t
    re.compile(r"^\s*#?\s*ChildEBP\s+RetAddr", re.I),
    re.compile(r"^\s*FramePtr\s+RetAddr\s+Param1", re.I),
)
LM_HEADER = re.compile(r"^\s*start\s+end\s+module name\s*$", re.I)
UNLOADED = re.compile(r"^\s*Unloaded modules:\s*$", re.I)

A = rf"(?:{HEX})"
# x64 k/kn/kv/kb and STACK_TEXT: [nn] child-sp retaddr [: args :] call site ("(Inline Function)" allowed)
ROW_X64 = re.compile(
    rf"^\s*(?:(?P<n>[0-9a-fA-F]{{1,4}})\s+)?(?P<sp>{A}|\(Inline Function\)|\.\.\.)\s+"
    rf"(?P<ret>{A}|-+`-+|\.\.\.)\s+(?::\s*(?:.*?)\s*:\s*)?(?P<site>\S.*)$")
# STACK_TEXT with the doc's elisions: "... : nt!KeBugCheckEx+0x104 ..."
ROW_ELIDED = re.compile(r"^\s*\.\.\.\s*:\s*(?P<site>\S+)\s*(?:\.\.\.)?\s*$")
# x86 kb/kv (3 args) and the NT4 FramePtr form; ChildEBP k (no args)
ROW_X86_ARGS = re.compile(
    r"^\s*(?:(?P<n>[0-9a-fA-F]{1,4})\s+)?(?P<sp>[0-9a-fA-F]{8})\s+(?P<ret>[0-9a-fA-F]{8})\s+"
    r"[0-9a-fA-F]{8}\s+[0-9a-fA-F]{8}\s+[0-9a-fA-F]{8}\s+(?P<site>\S.*)$")
ROW_X86 = re.compile(
    r"^\s*(?:(?P<n>[0-9a-fA-F]{1,4})\s+)?(?P<sp>[0-9a-fA-F]{8})\s+(?P<ret>[0-9a-fA-F]{8})\s+(?P<site>\S.*)$")
LM_ROW = re.compile(rf"^\s*(?P<start>{A})\s+(?P<end>{A})\s+(?P<name>\S+)\s*(?P<rest>.*)$")
SYMBOL = re.compile(r"^(?P<mod>[A-Za-z0-9_.\-]+?)(?:!(?P<fn>.+?))?(?:\+(?:0x)?(?P<off>[0-9a-fA-F]+))?$")
# "Debug session time: Mon May 20 07:12:40.118 2024 (UTC + 0:00)": for a dump, when it was written (the crash),
# on the debugging machine's clock with its offset from UTC (older debuggers print no offset: taken as UTC);
# "System Uptime: 0 days 0:00:41.905": how long the crashed system had been up
SESSION_TIME = re.compile(r"^Debug session time:\s*\w{3}\s+(?P<mon>\w{3})\s+(?P<day>\d{1,2})\s+"
                          r"(?P<h>\d{1,2}):(?P<m>\d{2}):(?P<s>\d{2})(?:\.(?P<frac>\d{1,6}))?\s+(?P<year>\d{4})"
                          r"(?:\s*\(UTC\s*(?P<sign>[+-])\s*(?P<oh>\d{1,2}):(?P<om>\d{2})\))?")
UPTIME = re.compile(r"^System Uptime:\s*(?P<d>\d+) days? (?P<h>\d+):(?P<m>\d{2}):(?P<s>\d{2})(?:\.(?P<frac>\d+))?")
_MONTHS = {m: i for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov",
                                       "dec"), 1)}
UNNAMED_CODE = re.compile(r"^(?P<mod>[A-Za-z0-9_.\-]+)!\s*\?\?\s*::(?P<name>[^+\s]+(?: [^+\s]+)*?)"
                          r"(?:\+(?:0x)?(?P<off>[0-9a-fA-F]+))?$")
ARROWS = re.compile(r"\s*(?:<-|->)\s*")
# what went wrong (reference/dumps.md §6.3-6.4): register dumps, disassembly, the exception record's lines
REGISTER_PAIR = re.compile(r"\b([re]?(?:ax|bx|cx|dx|si|di|bp|sp|ip)|r(?:[89]|1[0-5]))=([0-9a-fA-F]{8}(?:`?[0-9a-fA-F]{8})?)\b")
CODE_LABEL = re.compile(r"^\S+?(?:!\S+|\+(?:0x)?[0-9a-fA-F]+):\s*$")  # nt!KiPageFault+0x42e: / app+0x14c7e:
DISASM = re.compile(r"^\s*(?:[0-9a-fA-F]{4}:)?(?:0x)?(?P<addr>[0-9a-fA-F]{8}(?:`?[0-9a-fA-F]{8})?)\s+"
                    r"(?P<bytes>(?:[0-9a-fA-F]{2}){1,15})\s+(?P<ins>[a-z][a-z0-9]{1,11}(?:\s+\S.*)?)$")
EXR_ADDRESS = re.compile(r"^ExceptionAddress:\s*([0-9a-fA-F`]+)")
EXR_CODE = re.compile(r"^ExceptionCode:\s*([0-9a-fA-F]{8})\b")
EXR_PARAM = re.compile(r"^Parameter\[(\d+)\]:\s*([0-9a-fA-F`]+)")
ATTEMPT = re.compile(r"^Attempt to (read|write|execute) (?:from|to)? ?(?:address )?([0-9a-fA-F`]+)", re.I)


def _hex(text: str) -> int:
    """An address or value as WinDbg prints it (``fffff806`4a2b1c47``); ValueError for anything else."""
    return int(text.replace("`", ""), 16)


#: A loaded module's image is never larger than this; a bigger "end - start" is not an ``lm`` row
#: (a stack row like `` c ffffa108... EvilDriver+0x150b`` has the same shape).
MAX_IMAGE_SIZE = 0x7FFFFFFF


def parse_symbol(site: str) -> tuple[str | None, str | None, int | None, int | None]:
    """(module, function, offset, bare address) from a call-site text like ``ndis!NdisF...+0x47 [src @ 12]``."""
    site = site.strip()
    site = re.sub(r"\s*\[[^\]]*@\s*\d+\]\s*$", "", site)  # source file and line
    site = re.sub(r"\s*\((?:FPO|TrapFrame|CONTEXT|Inline)[^)]*\)\s*", " ", site).strip()
    # code WinDbg has no symbol for (basic-block-reordered "cold" code, typically an exception filter) is
    # printed "nt! ?? ::FNODOBFM::`string'+0x1611" (or without the space): one call site, with spaces in it
    unnamed = UNNAMED_CODE.match(site)
    if unnamed:
        off = int(unnamed["off"], 16) if unnamed["off"] else None
        return unnamed["mod"], f"?? ::{unnamed['name']}", off, None
    site = site.split()[0] if site else site
    if not site:
        return None, None, None, None
    bare = site.replace("`", "")
    if re.fullmatch(r"(?:0x)?[0-9a-fA-F]{8,16}", bare):
        return None, None, None, int(bare, 16)
    m = SYMBOL.match(site)
    if not m:
        return None, None, None, None
    off = int(m["off"], 16) if m["off"] else None
    return m["mod"], m["fn"], off, None


@dataclass
class _Stack:
    """One stack listing and what came right before it (which decides whether it is the fault context)."""

    frames: list[Frame] = field(default_factory=list)
    after_cxr: bool = False
    stack_text: bool = False
    warnings: list[str] = field(default_factory=list)


@dataclass
class _Registers:
    """One register dump (``r``, ``.cxr``, ``.trap``, ``CONTEXT:`` of ``!analyze``) and the instruction after it."""

    values: dict[str, int] = field(default_factory=dict)
    lines: dict[str, tuple[int, str]] = field(default_factory=dict)  # register -> (line, text) showing it
    switched: bool = False  # shown after .cxr/.trap/.ecxr or as !analyze's CONTEXT/TRAP_FRAME: the fault's
    instruction: tuple[int, str, int] | None = None  # (line, text, address)


@dataclass
class _Fault:
    """What the text says went wrong, gathered line by line and joined by :meth:`finish`."""

    bad: BadAccess = field(default_factory=BadAccess)
    blocks: list[_Registers] = field(default_factory=list)
    faulting_ip: tuple[int, str, int] | None = None  # the disassembly under FAULTING_IP:
    want_disasm: int = 0  # lines left in which a disassembly line belongs to the block or key before it
    after_key: str | None = None  # FAULTING_IP, CONTEXT, TRAP_FRAME: what the next lines belong to
    params: dict[int, int] = field(default_factory=dict)

    def line(self, number: int, text: str, stripped: str, switched: bool, report: CrashReport) -> bool:
        """Read one line; True when it was a line of the fault (the caller looks no further)."""
        pairs = REGISTER_PAIR.findall(stripped)
        if len(pairs) >= 2 and not re.sub(r"\b\w+=[0-9a-fA-F`]+\b|\biopl=\d\b|\b[a-z]{2}\b", "", stripped).strip():
            block = self.blocks[-1] if self.blocks and self.want_disasm and not self.blocks[-1].instruction \
                else None
            if block is None:
                block = _Registers(switched=switched or self.after_key in ("CONTEXT", "TRAP_FRAME"))
                self.blocks.append(block)
            for name, value in pairs:
                block.values[name.lower()] = _hex(value)
                block.lines[name.lower()] = (number, stripped)
            self.want_disasm = 4
            return True
        if self.want_disasm:
            self.want_disasm -= 1
            if CODE_LABEL.match(stripped) or stripped.startswith(("iopl=", "cs=", "vip=", "CtxFlags")):
                return True
            m = DISASM.match(text)
            if m:
                instruction = (number, stripped, _hex(m["addr"]))
                if self.after_key == "FAULTING_IP":
                    self.faulting_ip = self.faulting_ip or instruction
                elif self.blocks and self.blocks[-1].instruction is None:
                    self.blocks[-1].instruction = instruction
                self.want_disasm = 0
                return True
        m = EXR_ADDRESS.match(stripped)
        if m:
            report.exception_address = report.exception_address or _hex(m[1])
            return True
        m = EXR_CODE.match(stripped)
        if m:
            report.exception_code = report.exception_code or int(m[1], 16)
            return True
        m = EXR_PARAM.match(stripped)
        if m:
            i, value = int(m[1]), _hex(m[2])
            self.params.setdefault(i, value)
            if i == 1:
                self.bad.see(number, stripped)
            return True
        m = ATTEMPT.match(stripped)
        if m:
            self.bad.access = self.bad.access or m[1].lower()
            if self.bad.address is None:
                self.bad.address = _hex(m[2])
            self.bad.see(number, stripped)
            return True
        return False

    def key(self, number: int, key: str, value: str, line: str) -> None:
        """A ``KEY: value`` line of ``!analyze -v``: the ones that say what was touched, and which block follows."""
        self.after_key = key
        self.want_disasm = 3 if key == "FAULTING_IP" else 0
        first = value.split()[0] if value.split() else ""
        if key in ("READ_ADDRESS", "WRITE_ADDRESS") and re.fullmatch(r"[0-9a-fA-F`]{1,17}", first):
            self.bad.address = _hex(first)
            self.bad.access = self.bad.access or ("read" if key == "READ_ADDRESS" else "write")
            self.bad.see(number, line)
        elif key == "EXCEPTION_PARAMETER2" and re.fullmatch(r"[0-9a-fA-F`]{1,17}", first):
            self.params.setdefault(1, _hex(first))
        elif key == "EXCEPTION_PARAMETER1" and re.fullmatch(r"[0-9a-fA-F`]{1,17}", first):
            self.params.setdefault(0, _hex(first))

    def finish(self, report: CrashReport) -> None:
        """The fault's register block (its ``rip`` is the exception address, else the last one shown after a
        context switch), its instruction (FAULTING_IP's first), and what the operand's register held."""
        if self.params and not report.exception_parameters:
            report.exception_parameters = [self.params.get(i, 0) for i in range(max(self.params) + 1)]
        fault_at = report.exception_address or (self.faulting_ip[2] if self.faulting_ip else None)
        chosen = None
        if fault_at is not None:
            chosen = next((b for b in reversed(self.blocks)
                           if fault_at in (b.values.get("rip"), b.values.get("eip"))
                           or (b.instruction and b.instruction[2] == fault_at)), None)
        if chosen is None:
            chosen = next((b for b in reversed(self.blocks) if b.switched), None)
        instruction = self.faulting_ip or (chosen.instruction if chosen else None)
        if chosen is not None and chosen.instruction and self.faulting_ip and \
                chosen.instruction[2] == self.faulting_ip[2]:
            instruction = chosen.instruction  # the same instruction, with WinDbg's effective address after it
        bad = self.bad
        said, bad.evidence = bad.evidence, []  # the instruction and its register first: the lines an engineer quotes
        if chosen is not None:
            report.registers = dict(chosen.values)
        if instruction is not None:
            decoded = DISASM.match(instruction[1])
            bad.instruction = re.sub(r"\s+", " ", decoded["ins"]).strip() if decoded else instruction[1]
            bad.instruction = re.sub(r"\s+[a-z]s:(?:[0-9a-fA-F]{4}:)?[0-9a-fA-F`]+=\S*$", "", bad.instruction)
            bad.see(instruction[0], instruction[1])
            from workbench.core.dumps.fault import effective_address, memory_operand

            operand = memory_operand(bad.instruction)
            if operand is not None and operand[1] and chosen is not None and operand[1] in chosen.lines:
                bad.see(*chosen.lines[operand[1]])
            if bad.address is None:
                bad.address = effective_address(instruction[1])
        for item in said:
            bad.see(*item)
        if bad.address is not None or bad.instruction or bad.evidence:
            report.bad_access = bad


def _frame_from_row(site: str, ret: str | None, sp: str | None) -> Frame | None:
    mod, fn, off, bare = parse_symbol(site)
    if mod is None and bare is None:
        return None
    sp_val = _hex(sp) if sp and re.fullmatch(A, sp) else None
    return Frame(address=bare, module=mod, symbol=fn, offset=off, how="text", confidence="high", sp=sp_val,
                 note="copied from the debugger's own stack listing")


def parse_windbg_text(lines: Iterable[str]) -> CrashReport:
    """Read a saved debugger session into a report; frames keep the debugger's module names until the end."""
    report = CrashReport(source_kind="windbg_text", kernel=True)
    stacks: list[_Stack] = []
    mode: str | None = None  # stack | lm | unloaded | key
    current: _Stack | None = None
    last_command = ""
    key: str | None = None
    kv_key: str | None = None
    lm_module: Module | None = None
    saw_kernel = saw_user = False
    context_switched = False  # a .cxr/.trap/.ecxr was run: later listings show the fault's own stack
    params: dict[int, int] = {}
    fault = _Fault()
    for number, raw in enumerate(lines, 1):  # the file's line numbers: evidence points at them
        line = raw.rstrip("\r\n")
        stripped = line.strip()
        prompt = PROMPT.match(line)
        if prompt:
            mode, key, current = None, None, None
            fault.after_key, fault.want_disasm = None, 0
            last_command = prompt[4].strip().lower()
            if last_command.startswith((".cxr", ".trap", ".ecxr", ".exr")) and not last_command.startswith(".exr"):
                context_switched = True
            if prompt[1] is not None or line.strip().lower().startswith("kd>"):
                saw_kernel = True
            else:
                saw_user = True
            continue
        if any(h.match(line) for h in STACK_HEADERS):
            current = _Stack(after_cxr=context_switched)
            stacks.append(current)
            mode = "stack"
            continue
        if LM_HEADER.match(line):
            mode, lm_module = "lm", None
            continue
        if UNLOADED.match(line):
            mode = "unloaded"
            continue
        if not stripped:
            if mode in ("stack", "lm", "unloaded") and current is not None and current.frames or mode in (
                    "lm", "unloaded"):
                mode = None
            key = None
            fault.after_key, fault.want_disasm = None, 0
            continue
        if mode == "stack" and current is not None:
            if stripped.startswith(("WARNING", "***")):
                current.warnings.append(stripped)
                continue
            if stripped == "...":
                continue
            frame = _stack_row(line)
            if frame is not None:
                current.frames.append(frame)
                continue
            mode = None  # the listing ended without a blank line
        if mode in ("lm", "unloaded"):
            if _lm_row(line, report, mode == "unloaded") is not None:
                lm_module = report.modules[-1] if mode == "lm" else None
                continue
            if lm_module is not None and line.startswith((" ", "\t")):
                _lm_detail(stripped, lm_module)
                continue
            if stripped.startswith(("Browse", "Unable to enumerate")):
                continue
            mode = None
        if mode != "stack" and fault.line(number, line, stripped, context_switched, report):
            continue
        # !analyze -v
        m = BUGCHECK_TITLE.match(stripped)
        if m and report.bugcheck_code is None:
            report.bugcheck_code = int(m[2], 16)
            report.extra["bugcheck_name_text"] = m[1]
            saw_kernel = True
            continue
        m = ARG.match(stripped)
        if m:
            params.setdefault(int(m[1]) - 1, _hex(m[2]))
            continue
        m = re.match(r"^BugCheck ([0-9a-fA-F]+), \{([^}]*)\}", stripped)  # the preamble's one-line form
        if m:
            report.bugcheck_code = report.bugcheck_code or int(m[1], 16)
            for i, v in enumerate(x.strip() for x in m[2].split(",")):
                if v:
                    params.setdefault(i, _hex(v))
            saw_kernel = True
            continue
        m = re.match(r"^Probably caused by\s*:\s*(\S+)(?:\s*\(\s*(.*?)\s*\))?", stripped)
        if m:
            report.extra["probably_caused_by"] = m[1]
            if m[2]:
                report.extra["probably_caused_by_at"] = m[2]
            continue
        m = re.match(r"^Bugcheck code ([0-9a-fA-F]+)$", stripped)
        if m:
            report.bugcheck_code = int(m[1], 16)
            continue
        m = re.match(r"^Arguments\s+((?:[0-9a-fA-F`]+\s*){1,4})$", stripped)
        if m:
            for i, v in enumerate(m[1].split()):
                params.setdefault(i, _hex(v))
            continue
        if report.crash_time_us is None and stripped.startswith("Debug session time:"):
            report.crash_time_us = session_time_us(stripped)
            if report.crash_time_us is not None:
                report.extra.update(session_time_line=str(number), session_time_text=stripped)
            continue
        if stripped.startswith("System Uptime:") and "uptime_us" not in report.extra:
            up = uptime_us(stripped)
            if up is not None:
                report.extra.update(uptime_us=str(up), uptime_line=str(number), uptime_text=stripped)
            continue
        if stripped.startswith("Mini Kernel Dump File"):
            report.dump_type = "triage (minidump)"
        m = re.match(r"^Loading Dump File \[(.+)\]$", stripped)
        if m:
            report.extra["dump_file"] = m[1]
        m = re.match(r"^Windows .*Kernel Version (\d+)\b.*\b(x64|x86|ARM64)\b", stripped, re.I)
        if m:
            report.os_build, report.arch = int(m[1]), m[2].lower()
        if mode == "kv":
            mk, mv = KV_KEY.match(line), KV_VALUE.match(line)
            if mk:
                kv_key = mk[1]
                continue
            if mv and kv_key:
                report.extra["kv." + kv_key] = mv[1]
                continue
        m = KEY.match(line)
        if m:
            key = m[1]
            value = m[2].strip()
            if key == "STACK_TEXT":
                current = _Stack(stack_text=True)
                stacks.append(current)
                mode = "stack"
                continue
            mode = "kv" if key == "KEY_VALUES_STRING" else None
            if value:
                report.extra.setdefault(key, value)
            _analyze_key(report, key, value, params)
            fault.key(number, key, value, stripped)
            continue
        if ARROWS.search(stripped) and "!" in stripped and current is None:
            _arrow_list(stripped, stacks)
    for i, v in params.items():
        while len(report.parameters) <= i:
            report.parameters.append(0)
        report.parameters[i] = v
    fault.finish(report)
    if report.extra.get("kv.AV.Fault") and report.bad_access is not None and report.bad_access.access is None:
        report.bad_access.access = report.extra["kv.AV.Fault"].lower()
    chosen = _choose_stack(stacks)
    report.kernel = _is_kernel(saw_kernel, saw_user, report, chosen)
    if chosen is not None:
        report.frames = chosen.frames
        report.stack_quality.extend(chosen.warnings)
    _finish(report)
    return report


def _stack_row(line: str) -> Frame | None:
    m = ROW_ELIDED.match(line)
    if m:
        return _frame_from_row(m["site"], None, None)
    # x86 forms first: their 3 argument columns would otherwise read as a call site
    for rx in (ROW_X86_ARGS, ROW_X86, ROW_X64):
        m = rx.match(line)
        if m:
            site = m["site"]
            if rx is ROW_X64 and site.startswith(":"):
                site = site.lstrip(": ")
            frame = _frame_from_row(site, m["ret"], m["sp"])
            if frame is not None:
                return frame
    return None


def session_time_us(line: str) -> int | None:
    """UTC µs of a ``Debug session time:`` line (the crash, for a dump), or None when it does not read as one."""
    m = SESSION_TIME.match(line)
    if not m or m["mon"].lower() not in _MONTHS:
        return None
    from datetime import datetime, timedelta, timezone

    offset = timedelta(hours=int(m["oh"] or 0), minutes=int(m["om"] or 0)) * (-1 if m["sign"] == "-" else 1)
    try:
        when = datetime(int(m["year"]), _MONTHS[m["mon"].lower()], int(m["day"]), int(m["h"]), int(m["m"]),
                        int(m["s"]), int((m["frac"] or "0").ljust(6, "0")[:6]), tzinfo=timezone(offset))
    except ValueError:
        return None
    return int(when.astimezone(timezone.utc).timestamp()) * 1_000_000 + when.microsecond


def uptime_us(line: str) -> int | None:
    """µs of a ``System Uptime:`` line (how long the crashed system had run), or None."""
    m = UPTIME.match(line)
    if not m:
        return None
    seconds = ((int(m["d"]) * 24 + int(m["h"])) * 60 + int(m["m"])) * 60 + int(m["s"])
    return seconds * 1_000_000 + int((m["frac"] or "0").ljust(6, "0")[:6])


def _lm_row(line: str, report: CrashReport, unloaded: bool) -> Module | None:
    m = LM_ROW.match(line)
    if not m:
        return None
    try:
        start, end = _hex(m["start"]), _hex(m["end"])
    except ValueError:
        return None
    name = m["name"]
    if end <= start or end - start > MAX_IMAGE_SIZE or start < 0x10000 or "+" in name or "!" in name:
        return None
    rest = m["rest"].strip()
    module = Module(name=name, base=start, size=end - start, debugger_name=None if "." in name else name)
    path = re.sub(r"^\((?:deferred|no symbols|export symbols|pdb symbols|private pdb symbols)\)\s*", "", rest)
    if path and not path.lower().endswith(".pdb") and "\\" not in path[:1]:
        module.path = path
    if unloaded:
        report.extra.setdefault("unloaded_modules", "")
        report.extra["unloaded_modules"] += (" " if report.extra["unloaded_modules"] else "") + name
        return module
    report.modules.append(module)
    report._index = None
    return module


def _lm_detail(text: str, module: Module) -> None:
    key, _, value = text.partition(":")
    key, value = key.strip().lower(), value.strip()
    if key == "image path":
        module.path = value
    elif key == "image name":
        module.name = value
    elif key == "timestamp":
        m = re.search(r"\(([0-9A-Fa-f]{8})\)|^([0-9A-Fa-f]{8})\b", value)
        if m:
            module.timestamp = int(m[1] or m[2], 16)
    elif key == "checksum":
        module.checksum = int(value.split()[0], 16) if value else None
    elif key == "imagesize":
        module.size = int(value.split()[0], 16) if value else module.size
    elif key == "companyname" and value:
        # lmv prints the image's version resource as the debugger read it (the engineer's own analysis)
        module.company, module.company_source = value, "debugger"
    elif key == "productname" and value:
        module.product = value
    elif key == "filedescription" and value:
        module.description = value
    elif key in ("file version", "fileversion") and value:
        module.file_version = module.file_version or value


def _analyze_key(report: CrashReport, key: str, value: str, params: dict[int, int]) -> None:
    if not value:
        return
    if key == "BUGCHECK_CODE":
        report.bugcheck_code = int(value.split()[0], 16)
    elif key.startswith("BUGCHECK_P") and key[-1] in "1234":
        params.setdefault(int(key[-1]) - 1, _hex(value.split()[0]))
    elif key == "PROCESS_NAME":
        report.process_name = value
    elif key == "EXCEPTION_CODE_STR":
        report.exception_code = int(value.split()[0], 16)
    elif key == "OSPLATFORM_TYPE":
        report.arch = report.arch or value.lower()


def _is_kernel(saw_kernel: bool, saw_user: bool, report: CrashReport, chosen: _Stack | None) -> bool:
    """Kernel or user mode: the prompt says it (``kd>`` / ``0:000>``), else the stack addresses do."""
    if saw_kernel or report.bugcheck_code is not None:
        return True
    if saw_user:
        return False
    sps = [f.sp for f in (chosen.frames if chosen else []) if f.sp]
    if sps:
        if report.arch is None:
            report.arch = "x64" if any(sp > 0xFFFFFFFF for sp in sps) else None
        return all(sp >= 0xFFFF800000000000 or 0x80000000 <= sp <= 0xFFFFFFFF for sp in sps)
    return True


def _arrow_list(text: str, stacks: list[_Stack]) -> None:
    """An engineer's condensed ``nt!KeBugCheckEx <- ... <- lwfmgr+0x5167`` notation (innermost first)."""
    parts = [p for p in ARROWS.split(text) if p]
    if "->" in text:
        parts.reverse()  # caller -> callee: the fault is last
    stack = _Stack()
    for p in parts:
        frame = _frame_from_row(p, None, None)
        if frame is not None:
            stack.frames.append(frame)
    if len(stack.frames) >= 2:
        stacks.append(stack)


def _choose_stack(stacks: list[_Stack]) -> _Stack | None:
    """The listing of the fault: STACK_TEXT, else one after ``.cxr``/``.trap``, else the last one."""
    stacks = [s for s in stacks if s.frames]
    if not stacks:
        return None
    for pick in (lambda s: s.stack_text, lambda s: s.after_cxr):
        found = [s for s in stacks if pick(s)]
        if found:
            return found[-1]
    return stacks[-1]


def _finish(report: CrashReport) -> None:
    """Debugger module names to file names, using ``lm`` rows and ``IMAGE_NAME`` where the text has them."""
    image = report.extra.get("IMAGE_NAME") or report.extra.get("probably_caused_by")
    module_name = report.extra.get("MODULE_NAME")
    by_debugger: dict[str, str] = {}
    for m in report.modules:
        if m.debugger_name:
            if "." not in m.name:
                m.name = file_name_for(m.name, report.kernel) if m.path is None else \
                    m.path.replace("\\", "/").rsplit("/", 1)[-1]
            by_debugger[m.debugger_name.lower()] = m.name
    if image and module_name:
        by_debugger.setdefault(module_name.lower(), image)
    for f in report.frames:
        if f.module is None:
            continue
        low = f.module.lower()
        name = by_debugger.get(low)
        if name is None:
            name = file_name_for(f.module, report.kernel)
            by_debugger[low] = name
        if report.find_module(name) is None:
            report.modules.append(Module(name=name, debugger_name=f.module))
            report._index = None
        f.module = name
    if report.bugcheck_code is None and report.exception_code is None and report.frames:
        report.stack_quality.append("no bugcheck code in the text: only the stack was read")
    if image:
        report.extra["debugger_verdict"] = image
