"""Which module to blame: the first third-party module on the stack after the bugcheck and dispatch frames.

The rule is the one engineers (and !analyze) apply by hand (reference/dumps.md §4.4): walk from the fault
outward, skip the bugcheck and exception-dispatch plumbing and the kernel helpers that crash on behalf of
their caller (pool, heap, memcpy), and blame the first module that is not Microsoft's. Microsoft-ness comes
from the image's version resource when the image is in the case, else from a maintained list of inbox
modules; never from how a name looks (amdppm.sys is Microsoft's). When every module on the stack is
Microsoft's, the module holding the fault is named, and the reasoning says so.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

from workbench.core.dumps.model import CrashReport, Frame, Module

#: Functions that raise or dispatch the crash rather than cause it (WinDbg names, case-insensitive).
PLUMBING = re.compile(
    r"^_?(KeBugCheck(Ex|2)?|KiBugCheckDispatch|KiBugCheckDebugBreak|DbgBreakPoint(WithStatus)?|"
    r"KiPageFault|KiGeneralProtectionFault|KiSegmentNotPresentFault|KiExceptionDispatch|KiDispatchException|"
    r"KiDivideErrorFault|KiInvalidOpcodeFault|KiDoubleFaultAbort|KiStackFault|KiRaiseSecurityCheckFailure|"
    r"KiFastFailDispatch|KiTrap\w*|RtlDispatchException|RtlpExecuteHandlerForException|RtlRaiseStatus|"
    r"RtlRaiseException|_?C_specific_handler|_?except_handler\d?|Psp\w*\$filt\$\d+|"
    r"PspUnhandledExceptionInSystemThread|PspSystemThreadStartup\$filt\$\d+|ExRaiseStatus|"
    r"KiExceptionExit|KiInterruptDispatch\w*|KiIpiInterrupt|KeAccumulateTicks|KeClockInterruptNotify|"
    r"KiUpdateRunTime|KiUpdateTime|HalpTimerClockInterrupt|KiCallInterruptServiceRoutine|"
    r"RtlFailFast|__fastfail|VerifierBugCheckIfAppropriate|ViErrorFinishReport|Vf\w+Report)"
    r"(@\d+)?$", re.I)

#: Frames that take the fault (a trap handler or the exception dispatcher): everything above the last of them
#: on a stack is the handling of the exception (filters, handlers, the bug check), whatever its name — WinDbg
#: prints a handler's cold code as ``nt! ?? ::FNODOBFM::`string'``, which no list of names can hold.
DISPATCH = re.compile(
    r"^_?(KiPageFault|KiGeneralProtectionFault|KiSegmentNotPresentFault|KiExceptionDispatch|KiDispatchException|"
    r"KiDivideErrorFault|KiInvalidOpcodeFault|KiDoubleFaultAbort|KiStackFault|KiRaiseSecurityCheckFailure|"
    r"KiFastFailDispatch|KiTrap\w*|KiBreakpointTrap|KiDebugTrapOrFault|KiAlignmentFault|KiFloatingErrorFault|"
    r"KiXmmException|RtlRaiseStatus|RtlRaiseException|ExRaiseStatus)(@\d+)?$", re.I)


def handling_frames(symbols: list[str | None]) -> int:
    """How many frames at the top of a stack (given by their symbols, top first) only handle the fault: up to
    and including the last trap or dispatch frame, else the leading bug-check and dispatch plumbing."""
    last = max((i for i, sym in enumerate(symbols) if sym and DISPATCH.match(sym)), default=None)
    if last is not None:
        return last + 1
    n = 0
    while n < len(symbols) and symbols[n] and PLUMBING.match(symbols[n] or ""):
        n += 1
    return n


#: Kernel helpers that fault on behalf of their caller: blame whoever called them.
HELPERS = re.compile(
    r"^_?(Rtlp?Hp\w+|RtlpHeap\w*|Rtlp?\w*Heap\w*|ExFreePool\w*|ExAllocatePool\w*|ExFreeHeapPool|"
    r"ExpFree\w+|Mi\w*Pool\w*|memcpy|memmove|memset|RtlCopyMemory|RtlMoveMemory|RtlFillMemory|RtlZeroMemory|"
    r"RtlCompareMemory|RtlCopyUnicodeString|RtlInitUnicodeString|Obf?DereferenceObject\w*|ObfReferenceObject|"
    r"KeAcquire\w+|KeRelease\w+|ExAcquire\w+|ExRelease\w+|IofCallDriver|IofCompleteRequest|"
    r"Vi\w+|Verifier\w+|SLIC_\w+|\w+_wrapper)(@\d+)?$", re.I)

#: Debugger module names that are not ``<name>.sys`` files.
DEBUGGER_FILE_NAMES = {
    "nt": "ntoskrnl.exe", "hal": "hal.dll", "kdcom": "kdcom.dll", "ci": "ci.dll", "pshed": "pshed.dll",
    "bootvid": "bootvid.dll", "werkernel": "werkernel.sys", "clipsp": "clipsp.sys", "cdd": "cdd.dll",
    "win32k": "win32k.sys", "win32kbase": "win32kbase.sys", "win32kfull": "win32kfull.sys",
}


@lru_cache(maxsize=1)
@lru_cache(maxsize=1)
def inbox_modules() -> frozenset[str]:
    """File names (lower case) of modules Windows ships in the box (``inbox_modules.txt``)."""
    text = resources.files(__package__).joinpath("inbox_modules.txt").read_text("utf-8")
    return frozenset(ln.strip().lower() for ln in text.splitlines() if ln.strip() and not ln.startswith("#"))


def file_name_for(debugger_name: str, kernel: bool) -> str:
    """The file a debugger module name stands for: ``nt`` -> ``ntoskrnl.exe``, ``lwfmgr`` -> ``lwfmgr.sys``.

    User-mode names are looked up in the inbox list with ``.dll`` and ``.exe``; an unknown user-mode name is
    returned as it is, because guessing its extension would put a wrong file name in a summary.
    """
    if "." in debugger_name:
        return debugger_name
    low = debugger_name.lower()
    if low in DEBUGGER_FILE_NAMES:
        return DEBUGGER_FILE_NAMES[low]
    inbox = inbox_modules()
    for ext in ((".sys", ".dll", ".exe") if kernel else (".dll", ".exe", ".sys")):
        if low + ext in inbox:
            return debugger_name + ext
    return debugger_name + ".sys" if kernel else debugger_name


def classify(module: Module) -> tuple[bool, str]:
    """Microsoft's or not, with the reason shown to the engineer.

    The image's version resource (read by :mod:`workbench.core.dumps.images` when the file is in the case)
    wins over the inbox list: a third-party driver that took an inbox name is still third-party.
    """
    if module.company:
        ms = "microsoft" in module.company.lower()
        where = "the engineer's lmv listing of the module" if module.company_source == "debugger" \
            else "version resource of the image in the case"
        return ms, f"{where}: CompanyName {module.company!r}"
    names = {module.name.lower()}
    if module.debugger_name:
        names.add(module.debugger_name.lower())
    if module.path:
        names.add(module.path.replace("\\", "/").rsplit("/", 1)[-1].lower())
    inbox = inbox_modules()
    if names & inbox:
        return True, "on the list of modules Windows ships in the box (no image in the case to confirm)"
    # dump_<driver>.sys is the copy of the boot storage driver that writes the crash dump: it is Microsoft's
    # exactly when that driver is (dump_iaStorAC.sys is Intel's RST, dump_stornvme.sys is Windows')
    copies = {n[5:] for n in names if n.startswith("dump_")}
    if copies & inbox:
        return True, f"the crash-dump copy of {sorted(copies & inbox)[0]}, which Windows ships in the box"
    if copies:
        return False, f"the crash-dump copy of {sorted(copies)[0]}, which is not a module Windows ships in the box"
    return False, "not a module Windows ships in the box"


def _module_for_frame(report: CrashReport, frame: Frame) -> Module:
    assert frame.module is not None
    found = report.find_module(frame.module)
    if found is None:
        found = Module(name=frame.module)
        report.modules.append(found)
        report._index = None
    return found


def choose_culprit(report: CrashReport) -> None:
    """Fill ``report.culprit``, ``culprit_frame`` and ``culprit_reason`` from the frames (and mark modules)."""
    for module in report.modules:
        module.microsoft, module.microsoft_reason = classify(module)
    skipped: list[str] = []
    first_real: int | None = None
    handling = handling_frames([f.symbol for f in report.frames])
    for i, frame in enumerate(report.frames):
        if frame.module is None:
            continue
        if i < handling or (frame.symbol and PLUMBING.match(frame.symbol)):
            skipped.append(frame.label())
            continue
        module = _module_for_frame(report, frame)
        if module.microsoft is None:
            module.microsoft, module.microsoft_reason = classify(module)
        if frame.symbol and HELPERS.match(frame.symbol) and module.microsoft:
            if first_real is None:
                first_real = i
            skipped.append(frame.label())
            continue
        if first_real is None:
            first_real = i
        if not module.microsoft:
            report.culprit = module.name
            report.culprit_frame = i
            steps = [f"first module on the stack that is not Microsoft's: {frame.label()} "
                     f"(frame {i}, found by {frame.how}, confidence {frame.confidence}; {module.microsoft_reason})"]
            if skipped:
                span = skipped[0] if len(skipped) == 1 else f"{skipped[0]} ... {skipped[-1]}"
                steps.append(f"{len(skipped)} bugcheck, exception-dispatch or helper frames skipped ({span})")
            if first_real is not None and first_real != i:
                steps.append(f"the fault itself is in {report.frames[first_real].label()}")
            verdict = report.extra.get("debugger_verdict")
            if verdict:
                agrees = verdict.lower() == module.name.lower()
                steps.append(f"the debugger's own analysis {'agrees' if agrees else 'named ' + verdict}")
            report.culprit_reason = "; ".join(steps)
            return
    if first_real is not None:
        frame = report.frames[first_real]
        module = _module_for_frame(report, frame)
        report.culprit = module.name
        report.culprit_frame = first_real
        report.culprit_reason = (
            f"every module on the recovered stack is Microsoft's; the fault is in {frame.label()} "
            f"(found by {frame.how}, confidence {frame.confidence}; {module.microsoft_reason}). "
            "A Microsoft module at fault often means bad input from a driver further up, or hardware")
        return
    verdict = report.extra.get("debugger_verdict")
    if verdict:
        report.culprit = verdict
        report.culprit_reason = (f"no stack in the source; the debugger's own analysis named {verdict} "
                                 "(IMAGE_NAME or 'Probably caused by' in the text)")
        return
    report.culprit_reason = "no frame on the stack could be placed in a loaded module"
