"""One call per crash source: read it, recover the stack (with module images when the case has them), blame.

The parsers call these without images (images may be parsed after the dump); the analyze hook calls them
again with the case's images when some match the dump's modules, and the result replaces the first one.
"""

from __future__ import annotations

import os
from pathlib import Path

from workbench.core.dumps.culprit import choose_culprit
from workbench.core.dumps.images import ImageLibrary, apply_images
from workbench.core.dumps.kdump import read_kernel_dump
from workbench.core.dumps.model import CrashReport
from workbench.core.dumps.stack import recover_kernel_stack
from workbench.core.dumps.udump import read_user_dump, recover_user_stack

Problems = list[tuple[str, int | None]]


def analyse_kernel_dump(path: Path, images: ImageLibrary | None = None) -> tuple[CrashReport, Problems]:
    """A kernel dump to a report. Raises :class:`~workbench.core.dumps.kdump.DumpFormatError` for non-dumps."""
    with open(path, "rb") as fh:  # full and bitmap dumps read their pages on demand: keep the file open
        dump = read_kernel_dump(fh, os.path.getsize(path))
        matched = apply_images(dump.report.modules, images) if images else None
        recover_kernel_stack(dump, matched)
    _note_images(dump.report, images, matched)
    choose_culprit(dump.report)
    return dump.report, dump.problems


def analyse_user_dump(path: Path, images: ImageLibrary | None = None) -> tuple[CrashReport, Problems]:
    """A user-mode minidump to a report. Raises DumpFormatError for non-minidumps."""
    with open(path, "rb") as fh:
        report, memory, problems = read_user_dump(fh, os.path.getsize(path))
    if images:
        matched = apply_images(report.modules, images)
        recover_user_stack(report, memory, matched)
        _note_images(report, images, matched)
    choose_culprit(report)
    return report, problems


def _note_images(report: CrashReport, images: ImageLibrary | None, matched: dict | None) -> None:
    if images is None:
        return
    if matched:
        report.stack_quality.append("module images from the case used (name, timestamp and size match): "
                                    + ", ".join(sorted(matched)))
    for text in images.mismatches:
        report.stack_quality.append(text)
