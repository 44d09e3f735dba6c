"""``workbench analyze CASE [--json] [--packs DIR]``: ingest a case and print its analysis.

``--packs DIR`` adds signature packs for this run (as ``WORKBENCH_PACKS`` does); an ingested case is not
ingested again for them: its signature findings are scanned anew, and scanned back without them on the next
run that does not name them.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from workbench.commands.common import add_case_arguments, open_case
from workbench.core.printable import dump_json, one_line

NAME = "analyze"
HELP = "ingest a case and print its analysis"


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_case_arguments(p)
    p.add_argument("--json", action="store_true", help="print the analysis object (workbench.analysis/1)")
    p.add_argument("--packs", action="append", default=[], metavar="DIR", type=Path,
                   help="also run the signature packs in DIR (repeatable; in addition to WORKBENCH_PACKS)")


def run(args: argparse.Namespace) -> int:
    from workbench.core.analysis import build_analysis
    from workbench.core.errors import UserActionRequired
    from workbench.core.signatures.plugin import extra_packs_of, rescan_case

    for folder in args.packs:
        if not folder.is_dir():
            raise UserActionRequired(f"{folder}: no such folder (--packs).")
    case = open_case(args)
    extra = [p.resolve() for p in args.packs]
    if extra or extra_packs_of(case.store):
        rescan_case(case.store, extra)
    analysis = build_analysis(case.store)
    if args.json:
        sys.stdout.write(dump_json(analysis, indent=2) + "\n")
    else:
        print_analysis(analysis)
    return 1 if analysis["case"]["problems"] else 0


def print_analysis(a: dict[str, Any]) -> None:
    """The analysis as text; every value from the case goes through :func:`~workbench.core.printable.one_line` (no raw controls, no CR/LF)."""
    out = sys.stdout.write
    c = a["case"]
    out(f"Case      {one_line(c['source'])}\n          {c['files']} files, sha256 {(c['sha256'] or '')[:16]}\n")
    s, u = a["system"], a["upgrade"]
    out(f"System    {one_line(s['os_name'] or '?')} {one_line(s['os_version'] or '')} build {one_line(s['os_build'] or '?')}"
        f"  computer {one_line(s['computer'] or '?')}  time zone {one_line(s['time_zone'] or 'unknown (UTC assumed)')}\n")
    if u["result_code"] or u["extend_code"]:
        out(f"Upgrade   {one_line(u['result_code'] or '?')} - {one_line(u['extend_code'] or '?')}  phase {one_line(u['phase'] or '?')}"
            f"  operation {one_line(u['operation'] or '?')}  rollback {one_line(u['rollback'])}\n")
    else:
        out("Upgrade   no result code found\n")
    cr = a["crash"]
    if cr["bugcheck_code"]:
        out(f"Crash     {one_line(cr['bugcheck_code'])} {one_line(cr['bugcheck_name'] or '')}  "
            f"culprit {one_line(cr['culprit_module'] or '?')}\n")
    for f in a["findings"]:
        out(f"[{one_line(f['severity']):8}] {one_line(f['title'])}\n          {one_line(f['summary'] or '')}\n")
    if c["problems"]:
        out(f"Problems  {len(c['problems'])}\n")
        for p in c["problems"][:50]:
            out(f"  {one_line(p['file'])}: {one_line(p['error'])}\n")
