"""What the case-taking subcommands share: their arguments, opening and ingesting the case, progress."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from workbench.commands import terminal
from workbench.core.case import Case
from workbench.core.ingest import Progress
from workbench.core.printable import one_line


def add_case_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("case", help="a .zip, a .7z, a folder or a single log file")
    p.add_argument("--password", help="password of an encrypted archive")
    p.add_argument("--name-encoding", help="code page of legacy zip names (default: guess UTF-8, GBK, CP437)")
    p.add_argument("--reingest", action="store_true", help="ingest again even if the case database is current")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress on stderr")


def progress_printer(quiet: bool) -> Callable[[Progress], None] | None:
    """A one-line progress display on stderr, only when stderr is a terminal."""
    if quiet or not sys.stderr.isatty():
        return None
    last = [""]
    err = terminal.unwrapped(sys.stderr)  # our CR must move the cursor; the member name is escaped

    def show(p: Progress) -> None:
        text = f"\r{p.stage:9} {p.done}/{p.total} {one_line(p.current)[-60:]:60}"
        if text != last[0]:
            err.write(text)
            err.flush()
            last[0] = text
        if p.stage == "done":
            err.write("\r" + " " * 90 + "\r")

    return show


def open_case(args: argparse.Namespace) -> Case:
    """Open the case named on the command line and ingest it unless its database is current."""
    case = Case.open(args.case, password=args.password, name_encoding=args.name_encoding)
    case.ensure_ingested(progress=progress_printer(args.quiet), force=args.reingest)
    return case
