"""``workbench processes CASE [--json]``: the process tree of the case's Procmon captures, for scripts and tests."""

from __future__ import annotations

import argparse
import sys

from workbench.commands.common import add_case_arguments, open_case
from workbench.core.clock_text import CaseTimes
from workbench.core.printable import dump_json, one_line
from workbench.core.processes import ProcessNode, hex32, process_tree, walk

NAME = "processes"
HELP = ("print the process tree of the Procmon captures (parent, times on the case clock, command line, company, "
        "exit status, marks: setup, third-party, suspect, abnormal-exit)")


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_case_arguments(p)
    p.add_argument("--json", action="store_true", help="the tree as JSON (nested children)")


def _when(times: CaseTimes, n: ProcessNode, us: int | None) -> str | None:
    """A process's time on the case clock, as every other output shows it (``T`` joins date and time, so the
    line stays one token per field)."""
    text = times.wall(times.stored(us, n.basis), n.basis, micro=True)
    return text.replace(" ", "T", 1).replace(" UTC", "Z") if text else None


def _line(n: ProcessNode, times: CaseTimes) -> str:
    if n.process == -1:
        return "[unknown parent]"
    parts = [f"{one_line(n.name)} pid={n.pid} parent={n.parent_pid}"]
    parts.append(f"start={_when(times, n, n.start) or '?'} end={_when(times, n, n.end) or '-'}")
    if n.exit_status is not None:
        parts.append(f"exit={hex32(n.exit_status)}")
    if n.company:
        parts.append(f"company={one_line(repr(n.company))}")
    if n.marks:
        parts.append("[" + one_line(",".join(n.marks)) + "]")
    if n.command_line:
        parts.append(f"cmd={one_line(repr(n.command_line))}")
    return " ".join(parts)


def run(args: argparse.Namespace) -> int:
    case = open_case(args)
    roots = process_tree(case.store)
    times = CaseTimes(case.store)
    if args.json:
        files = {r["id"]: r["path"] for r in case.store.query("SELECT id, path FROM files")}
        out = [dict(n.as_dict(times=times), file=files.get(n.file_id)) for n in roots]
        sys.stdout.write(dump_json(out, indent=2) + "\n")
    else:
        if not roots:
            sys.stdout.write("no Procmon capture in this case\n")
        else:
            sys.stdout.write(f"times on the case clock: {one_line(times.label())}\n")
        for depth, n in walk(roots):
            sys.stdout.write("  " * depth + _line(n, times) + "\n")
    return 0
