"""Crash dumps and debugger text: kernel dumps (PAGEDU64/PAGEDUMP), user minidumps (MDMP), WinDbg/kd output,
and the driver/program images that make their stacks exact.

Each crash parser turns its file into a CrashReport (:mod:`workbench.core.dumps.pipeline`), the culprit rule
runs the same way on all three, and :mod:`workbench.core.dumps.record` writes the rows. A file that is not
what its kind said, or is cut short, becomes a problem row; whatever was read is kept. Images are only
catalogued here (name, timestamp, size, company); the analyze hook matches them to dumps once all files are
parsed, because an image may come after the dump in the case.
"""

from __future__ import annotations

from posixpath import basename
from struct import error as struct_error

from workbench.core.dumps.kdump import DumpFormatError
from workbench.core.dumps.pipeline import analyse_kernel_dump, analyse_user_dump
from workbench.core.dumps.record import TABLES, record
from workbench.core.dumps.windbg import parse_windbg_text
from workbench.core.parsers.base import CaseFile, Mediator
from workbench.core.plugins import hookimpl
from workbench.core.textio import read_lines

MAX_TEXT_LINES = 2_000_000
MACHINES = {0x8664: "x64", 0x14C: "x86", 0xAA64: "arm64"}


class KernelDumpParser:
    """Kernel crash dumps: header, bugcheck, triage driver list and stack, culprit."""

    name = "kernel_dump"
    kinds = frozenset({"kernel_dump"})
    tables = TABLES
    version = 3  # 2: crash.bad_access (the exception record's parameters, the fault's registers); 3: modules' versions

    def parse(self, file: CaseFile, mediator: Mediator) -> None:
        try:
            report, problems = analyse_kernel_dump(file.location)
        except DumpFormatError as exc:
            mediator.problem(str(exc), 0)
            return
        mediator.check()
        for text, offset in problems:
            mediator.problem(text, offset)
        record(report, file, mediator)


class UserDumpParser:
    """User-mode minidumps of crashed processes: exception, modules, stack, culprit."""

    name = "user_dump"
    kinds = frozenset({"user_dump"})
    tables = TABLES
    version = 3  # 2: crash.bad_access; 3: modules' version resources

    def parse(self, file: CaseFile, mediator: Mediator) -> None:
        try:
            report, problems = analyse_user_dump(file.location)
        except DumpFormatError as exc:
            mediator.problem(str(exc), 0)
            return
        except (struct_error, ValueError, IndexError) as exc:  # a hostile layout: a problem row, not a crash
            mediator.problem(f"the minidump could not be read: {type(exc).__name__}: {exc}", None)
            return
        mediator.check()
        for text, offset in problems:
            mediator.problem(text, offset)
        record(report, file, mediator)


class WinDbgTextParser:
    """WinDbg/kd output an engineer saved: bugcheck, arguments, stack listings, module lists."""

    name = "windbg_text"
    kinds = frozenset({"windbg_text"})
    tables = TABLES
    version = 4  # 2: true line numbers after a line past 64 KiB; 3: crash.bad_access (registers, the record);
    # 4: lmv's ProductName / FileDescription / File version, tolerant call sites (nt! ?? ::FNODOBFM::...)

    def parse(self, file: CaseFile, mediator: Mediator) -> None:
        def lines():
            for ln in read_lines(file.location, mediator.problem):
                if ln.number % 20000 == 0:
                    mediator.check(ln.offset)
                if ln.number > MAX_TEXT_LINES:
                    mediator.problem(f"only the first {MAX_TEXT_LINES} lines were read", ln.offset)
                    return
                yield ln.text

        report = parse_windbg_text(lines())
        if report.bugcheck_code is None and not report.frames and not report.modules:
            mediator.problem("no bugcheck, stack listing or module list found in this debugger text", None)
            return
        from workbench.core.dumps.culprit import choose_culprit

        choose_culprit(report)
        record(report, file, mediator)


class PeImageParser:
    """Driver and program images in the case: catalogued so the analyze hook can match them to dumps."""

    name = "pe_image"
    kinds = frozenset({"pe_image"})
    tables = TABLES
    version = 1

    def parse(self, file: CaseFile, mediator: Mediator) -> None:
        from workbench.core.dumps.images import PeImage

        try:
            image = PeImage(file.location, basename(file.path.replace("::", "/")))
            functions = len(image.functions()[0])
            exports = len(image.exports()[0])
            version = image.version()
        except Exception as exc:  # noqa: BLE001 - pefile raises many types on damaged files
            mediator.problem(f"not a readable PE image: {type(exc).__name__}: {exc}", 0)
            return
        mediator.detail("pe_images", {
            "file_id": file.id, "name": image.name, "machine": MACHINES.get(image.machine, hex(image.machine)),
            "timestamp": image.timestamp, "size_of_image": image.size_of_image, "checksum": image.checksum,
            "company": version.get("CompanyName"), "file_version": version.get("FileVersion"),
            "product": version.get("ProductName"), "functions": functions, "exports": exports,
        })


@hookimpl
def workbench_parsers() -> list[object]:
    return [KernelDumpParser(), UserDumpParser(), WinDbgTextParser(), PeImageParser()]
