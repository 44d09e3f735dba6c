"""``workbench export-case CASE -o X.wbcase [--with-source]``: write a case bundle to hand to a colleague.

The bundle holds the case database (timeline, findings, notes and their history), the analysis as JSON and
the notes as Markdown. The customer's original archive goes in only with ``--with-source``: it is their full
data and usually the bulk of the size, and the colleague can read the case without it. The colleague opens the
bundle directly: ``workbench X.wbcase`` (window) or ``workbench analyze X.wbcase``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from workbench.commands.common import add_case_arguments, open_case

NAME = "export-case"
HELP = "write the case (database, notes, findings) as a .wbcase bundle for a colleague"


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_case_arguments(p)
    p.add_argument("-o", "--output", metavar="X.wbcase",
                   help="bundle to write (default: <case name>.wbcase in the current folder)")
    p.add_argument("--with-source", action="store_true",
                   help="also include the original archive/folder, so the receiver can ingest the case again")


def default_output(case_arg: str) -> Path:
    """``<name>.wbcase`` in the current folder: ``case.7z`` and ``case.7z.001`` both give ``case.wbcase``."""
    name = Path(case_arg).name
    for suffix in (".001", ".zip", ".7z", ".wbcase", ".log", ".txt"):
        if name.lower().endswith(suffix):
            name = name[: -len(suffix)]
    return Path.cwd() / f"{name or 'case'}.wbcase"


def run(args: argparse.Namespace) -> int:
    from workbench.core.bundle import BUNDLE_SUFFIX, export_case
    from workbench.core.errors import UserActionRequired
    from workbench.core.output_file import check_output

    out = Path(args.output) if args.output else default_output(args.case)
    if out.suffix.lower() != BUNDLE_SUFFIX:
        raise UserActionRequired(f"{out}: a case bundle must end in {BUNDLE_SUFFIX} (that is how the workbench "
                                 "and Windows recognise it).")
    check_output(out, new_folders=True)  # before the case is read
    case = open_case(args)
    try:
        manifest = export_case(case, out, with_source=args.with_source)
    finally:
        case.close()
    counts = manifest["counts"]
    size = out.stat().st_size
    sys.stdout.write(f"{out}\n")
    if not args.quiet:
        sys.stderr.write(f"workbench: wrote {size / 1024**2:.1f} MiB: {counts['files']} files, "
                         f"{counts['timeline']} timeline rows, {counts['findings']} findings, {counts['notes']} notes"
                         f"{', with the source' if manifest['source'] else ', without the source archive'}.\n")
    return 0
