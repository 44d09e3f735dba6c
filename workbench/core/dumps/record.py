"""Handing a :class:`CrashReport` to the mediator: detail rows, one timeline event, and the crash.* facts.

Weights decide which crash source the analysis JSON shows (highest weight wins, then the latest time): the
upgrade's own dump (``Rollback\\setupmem.dmp``, ``NewOS\\Rollback``) outranks a saved WinDbg analysis, which
outranks any other kernel dump; an older ``Minidump\\*.dmp`` never outranks the upgrade's. The analyze hook
(:mod:`workbench.core.dumps.analyze`) raises a dump whose crash time falls inside the setup timeline.
"""

from __future__ import annotations

import json

from workbench.core.dumps import bugchecks
from workbench.core.dumps.culprit import classify
from workbench.core.dumps.fault import derive
from workbench.core.dumps.model import CrashReport, Module
from workbench.core.parsers.base import CaseFile, Mediator

WEIGHT_UPGRADE_DUMP = 30
WEIGHT_TEXT_OF_UPGRADE_DUMP = 32  # an engineer's WinDbg analysis of setupmem.dmp: same crash, real symbols
WEIGHT_IN_SETUP_WINDOW = 25  # given by the analyze hook
WEIGHT_TEXT = 12
WEIGHT_OTHER_KERNEL_DUMP = 10
WEIGHT_USER_DUMP = 3

TABLES: dict[str, str] = {
    "dump_summary": """CREATE TABLE IF NOT EXISTS dump_summary (
        file_id INTEGER PRIMARY KEY,
        source_kind TEXT,          -- kernel_dump | user_dump | windbg_text
        arch TEXT, os_build INTEGER, dump_type TEXT,
        crash_ts INTEGER,          -- UTC µs
        bugcheck_code TEXT, bugcheck_name TEXT,
        parameters TEXT,           -- JSON list of hex strings
        parameter_meanings TEXT,   -- JSON list of sentences (null when the code is not described)
        exception_code TEXT, exception_address TEXT, process_name TEXT,
        culprit TEXT, culprit_reason TEXT, stack_quality TEXT,
        upgrade_path INTEGER,      -- 1 when the path says it is the upgrade's own dump
        weight INTEGER,
        privacy TEXT               -- what the file carries beyond the crash (secondary data), for export
    )""",
    "dump_drivers": """CREATE TABLE IF NOT EXISTS dump_drivers (
        file_id INTEGER, idx INTEGER, name TEXT, path TEXT,
        base TEXT, size INTEGER, timestamp INTEGER, checksum INTEGER,  -- addresses as hex text (> 2^63)
        microsoft INTEGER, microsoft_reason TEXT, on_stack INTEGER,
        company TEXT, product TEXT, description TEXT, file_version TEXT,  -- the version resource, when read
        company_source TEXT        -- image | debugger (an lmv listing)
    )""",
    "pe_images": """CREATE TABLE IF NOT EXISTS pe_images (
        file_id INTEGER PRIMARY KEY, name TEXT, machine TEXT, timestamp INTEGER, size_of_image INTEGER,
        checksum INTEGER, company TEXT, file_version TEXT, product TEXT, functions INTEGER, exports INTEGER
    )""",
    "dump_frames": """CREATE TABLE IF NOT EXISTS dump_frames (
        file_id INTEGER, idx INTEGER, address TEXT, module TEXT, symbol TEXT, offset TEXT, label TEXT,
        how TEXT,                  -- context | exception | text | unwind | scan
        confidence TEXT,           -- exact | high | medium | low
        sp TEXT, note TEXT, culprit INTEGER
    )""",
}


def upgrade_path(path: str) -> bool:
    """True for the dump Setup writes on a bugcheck during the upgrade (reference/dumps.md §0)."""
    low = path.replace("\\", "/").lower()
    return low.endswith("setupmem.dmp") or "/rollback/" in f"/{low}" or "newos/rollback" in low


def _hex(value: int | None) -> str | None:
    return None if value is None else f"0x{value:x}"


def record(report: CrashReport, file: CaseFile, mediator: Mediator, *, event: bool = True) -> None:
    """Write one crash source's rows and facts. Facts are only written for what the source really says.

    ``event=False`` when the analyze hook writes a dump again with images: the timeline is sorted by then,
    and the first parse's event row stays.
    """
    on_path = upgrade_path(file.path)
    if report.source_kind == "kernel_dump":
        weight = WEIGHT_UPGRADE_DUMP if on_path else WEIGHT_OTHER_KERNEL_DUMP
    elif report.source_kind == "windbg_text":
        dumped = report.extra.get("dump_file", "")
        # the text names the dump it was made from, or its own name says so (setupmem_kv.txt)
        of_upgrade = (dumped and upgrade_path(dumped)) or "setupmem" in file.path.replace("\\", "/").rsplit("/", 1)[-1].lower()
        weight = WEIGHT_TEXT_OF_UPGRADE_DUMP if of_upgrade else WEIGHT_TEXT
    else:
        weight = WEIGHT_USER_DUMP + (5 if on_path else 0)
    code = report.bugcheck_code
    name = None
    if code is not None:
        name = bugchecks.bugcheck_name(code) or report.extra.get("bugcheck_name_text")
    meanings = bugchecks.parameter_meanings(code) if code is not None else None
    culprit_idx = report.culprit_frame
    mediator.detail("dump_summary", {
        "file_id": file.id, "source_kind": report.source_kind, "arch": report.arch, "os_build": report.os_build,
        "dump_type": report.dump_type, "crash_ts": report.crash_time_us,
        "bugcheck_code": bugchecks.format_code(code) if code is not None else None, "bugcheck_name": name,
        "parameters": report.parameters_json() if report.parameters else None,
        "parameter_meanings": json.dumps([m.text for m in meanings]) if meanings else None,
        "exception_code": _hex(report.exception_code), "exception_address": _hex(report.exception_address),
        "process_name": report.process_name, "culprit": report.culprit, "culprit_reason": report.culprit_reason,
        "stack_quality": json.dumps(report.stack_quality) if report.stack_quality else None,
        "upgrade_path": int(on_path), "weight": weight, "privacy": report.extra.get("privacy"),
    })
    on_stack = {f.module.lower() for f in report.frames if f.module}
    for i, m in enumerate(report.modules):
        mediator.detail("dump_drivers", {
            "file_id": file.id, "idx": i, "name": m.name, "path": m.path, "base": _hex(m.base), "size": m.size,
            "timestamp": m.timestamp, "checksum": m.checksum,
            "microsoft": None if m.microsoft is None else int(m.microsoft), "microsoft_reason": m.microsoft_reason,
            "on_stack": int(m.name.lower() in on_stack), "company": m.company, "product": m.product,
            "description": m.description, "file_version": m.file_version, "company_source": m.company_source,
        })
    for i, f in enumerate(report.frames):
        mediator.detail("dump_frames", {
            "file_id": file.id, "idx": i, "address": _hex(f.address), "module": f.module, "symbol": f.symbol,
            "offset": _hex(f.offset), "label": f.label(), "how": f.how, "confidence": f.confidence,
            "sp": _hex(f.sp), "note": f.note, "culprit": int(i == culprit_idx),
        })
    message = describe(report, file.path)
    if event:
        level = "critical" if code is not None else ("error" if report.exception_code is not None else "info")
        mediator.event(line=1, message=message, level=level, component="dump", utc=report.crash_time_us)
    evidence = message
    utc = report.crash_time_us
    if code is not None:
        mediator.fact("crash.bugcheck_code", bugchecks.format_code(code), line=1, text=evidence, utc=utc,
                      weight=weight)
        if name:
            mediator.fact("crash.bugcheck_name", name, line=1, text=evidence, utc=utc, weight=weight)
        if report.parameters:
            mediator.fact("crash.parameters", report.parameters_json(), line=1, text=evidence, utc=utc,
                          weight=weight)
    elif report.exception_code is not None:
        mediator.fact("crash.exception_code", f"0x{report.exception_code:08X}", line=1, text=evidence, utc=utc,
                      weight=weight)
    if report.culprit:
        mediator.fact("crash.culprit_module", report.culprit, line=1,
                      text=f"{report.culprit}: {report.culprit_reason}", utc=utc, weight=weight)
        # the culprit is Microsoft's own module when nothing third-party is on the stack: say which it is
        module = report.find_module(report.culprit)
        microsoft = classify(module)[0] if module is not None else classify(Module(name=report.culprit))[0]
        mediator.fact("crash.culprit_third_party", "false" if microsoft else "true", line=1,
                      text=f"{report.culprit}: {report.culprit_reason}", utc=utc, weight=weight)
    bad = derive(report)
    if bad is not None:
        # what the access violation touched, with the source's own lines (a debugger text's line numbers)
        line, text = next(((ln, t) for ln, t in bad.evidence if ln is not None), (1, evidence))
        mediator.fact("crash.bad_access", bad.as_json(), line=line, text=text, utc=utc, weight=weight)
    fault = report.fault_frame or (report.frames[0] if report.frames else None)
    if fault is not None and fault.module:
        mediator.fact("crash.fault_module", fault.module, line=1, text=f"fault at {fault.label()}", utc=utc,
                      weight=weight)
    if report.frames:
        mediator.fact("crash.frames", report.frames_json(), line=1, text=evidence, utc=utc, weight=weight)
    if report.extra.get("uptime_us", "").isdigit():
        # how long the crashed system had been up (a debugger's System Uptime): a crash seconds after the start
        # is a failing boot; the line quoted is the debugger's own, with its Debug session time
        line = int(report.extra.get("uptime_line") or 1)
        text = "\n".join(t for t in (report.extra.get("session_time_text"), report.extra.get("uptime_text")) if t)
        mediator.fact("crash.uptime_us", report.extra["uptime_us"], line=line, text=text, utc=utc, weight=weight)
    if report.os_build and report.source_kind == "kernel_dump":
        # the build that crashed: after a failed second boot that is the *target* build
        mediator.fact("crash.os_build", str(report.os_build), line=1, text=evidence, utc=utc, weight=weight)


def describe(report: CrashReport, path: str) -> str:
    """The timeline line for a crash: what stopped, where, and who is blamed."""
    parts = []
    if report.bugcheck_code is not None:
        code = report.bugcheck_code
        parts.append(f"Bugcheck {bugchecks.format_code(code)} "
                     f"{bugchecks.bugcheck_name(code) or report.extra.get('bugcheck_name_text') or '(unknown)'}")
    elif report.exception_code is not None:
        parts.append(f"Exception 0x{report.exception_code:08X}"
                     + (f" in {report.process_name}" if report.process_name else ""))
    else:
        parts.append("Debugger output")
    fault = report.fault_frame
    if fault is not None:
        parts.append(f"at {fault.label()}")
    if report.culprit:
        parts.append(f"- culprit {report.culprit}")
    kind = {"kernel_dump": f"{report.dump_type} kernel dump", "user_dump": "user-mode minidump",
            "windbg_text": "WinDbg text"}.get(report.source_kind, report.source_kind)
    build = f", build {report.os_build}" if report.os_build else ""
    return " ".join(parts) + f" ({kind}{build})"
