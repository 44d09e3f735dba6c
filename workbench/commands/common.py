"""What the case-taking subcommands share: their arguments, opening and ingesting the case, progress."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any

from workbench.commands import terminal
from workbench.core.case import Case
from workbench.core.ingest import Progress
from workbench.core.printable import one_line


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
    err = terminal.unwrapped(sys.stderr)  # our CR must move the cursor; the member name is escaped

    def show(p: Progress) -> None:
        extra = f" {p.bytes_done / 2**20:.0f}/{p.bytes_total / 2**20:.0f} MB" if p.bytes_total else ""
        if p.eta_s is not None:
            extra += f" {int(p.eta_s) // 60}:{int(p.eta_s) % 60:02d} left"
        text = f"\r{p.stage:9} {p.done}/{p.total}{extra} {one_line(p.current)[-50:]:50}"
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
    rezone = False
    if getattr(args, "tz", None) is not None:
        from workbench.core.clock_case import set_user_zone

        rezone = set_user_zone(case.store, args.tz)  # a new clock: every time is read again
    case.ensure_ingested(progress=progress_printer(args.quiet), force=args.reingest or rezone)
    return case


def report_problems(problems: list[dict[str, Any]]) -> None:
    """One sentence on stderr when the case has problems (exit code 1), naming the first, so a script that
    reads only stderr and the exit code (``--json`` on stdout) still learns what went wrong."""
    if not problems:
        return
    first = f"{problems[0]['file']}: {problems[0]['error']}"
    first = one_line(first)
    more = f" (and {len(problems) - 1} more, listed in case.problems)" if len(problems) > 1 else ""
    sys.stderr.write(f"workbench: the case has problems{more}; first: {first.rstrip('.')}.\n")
