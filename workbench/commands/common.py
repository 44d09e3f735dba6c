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
    p.add_argument("--tz", metavar="ZONE",
                   help='the case time zone: +08:00, "China Standard Time" or Asia/Shanghai; kept in the case '
                        "(auto: back to the zone the case's sources give)")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress on stderr")


def add_reported_argument(p: argparse.ArgumentParser) -> None:
    """``--reported``: what the customer reported, kept with the case (the overview's field shows it too)."""
    p.add_argument("--reported", metavar="TEXT",
                   help='what the customer reported, e.g. "0xC1900101-0x40017 10:35" (kept with the case; '
                        '"" clears it); the verdict says when the logs show another failure')


def apply_reported(case: Case, args: argparse.Namespace) -> None:
    """Store ``--reported`` when given (an empty text clears the stored one)."""
    if getattr(args, "reported", None) is not None:
        from workbench.core.verdict import set_reported

        set_reported(case.store, args.reported)


def progress_printer(quiet: bool) -> Callable[[Progress], None] | None:
    """A one-line progress display on stderr, only when stderr is a terminal."""
    if quiet or not sys.stderr.isatty():
        return None
    last = [""]

    def show(p: Progress) -> None:
        text = f"\r{p.stage:9} {p.done}/{p.total} {p.current[-60:]:60}"
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
    rezone = False
    if getattr(args, "tz", None) is not None:
        from workbench.core.clock_case import set_user_zone

        rezone = set_user_zone(case.store, args.tz)  # a new clock: every time is read again
    case.ensure_ingested(progress=progress_printer(args.quiet), force=args.reingest or rezone)
    return case
