"""What the case-taking subcommands share: their arguments, opening and ingesting the case, progress."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from workbench.core.case import Case
from workbench.core.ingest import Progress


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

    def show(p: Progress) -> None:
        extra = f" {p.bytes_done / 2**20:.0f}/{p.bytes_total / 2**20:.0f} MB" if p.bytes_total else ""
        if p.eta_s is not None:
            extra += f" {int(p.eta_s) // 60}:{int(p.eta_s) % 60:02d} left"
        text = f"\r{p.stage:9} {p.done}/{p.total}{extra} {p.current[-50:]:50}"
        if text != last[0]:
            sys.stderr.write(text)
            sys.stderr.flush()
            last[0] = text
        if p.stage == "done":
            sys.stderr.write("\r" + " " * 90 + "\r")

    return show


def open_case(args: argparse.Namespace) -> Case:
    """Open the case named on the command line and ingest it unless its database is current."""
    case = Case.open(args.case, password=args.password, name_encoding=args.name_encoding)
    case.ensure_ingested(progress=progress_printer(args.quiet), force=args.reingest)
    return case
