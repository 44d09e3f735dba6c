"""``workbench files CASE``: the catalogue, with hash, kind and what ingest did with each file."""

from __future__ import annotations

import argparse
import sys

from workbench.commands.common import add_case_arguments, open_case
from workbench.core.printable import dump_json, one_line

NAME = "files"
HELP = "list the catalogue: every file, its hash, kind and ingest status"


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_case_arguments(p)
    p.add_argument("--json", action="store_true")


def run(args: argparse.Namespace) -> int:
    case = open_case(args)
    rows = case.store.query(
        "SELECT path, size, sha256, kind, role, status, reason, parser, records FROM files ORDER BY id")
    if args.json:
        sys.stdout.write(dump_json([dict(r) for r in rows], indent=2) + "\n")
    else:
        for r in rows:
            size = "" if r["size"] is None else str(r["size"])
            sys.stdout.write(
                f"{r['status']:8} {r['kind'] or '-':17} {size:>11} {(r['sha256'] or '')[:12]:12} {one_line(r['path'])}"
                + (f"  ({one_line(r['reason'])})" if r["reason"] else "") + "\n"
            )
    return 1 if case.store.scalar("SELECT count(*) FROM problems") else 0
