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
    from workbench.core.printable import dump_json, one_line_values
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
        print_analysis(one_line_values(analysis))  # no value from the case prints a control or a line break
    return 1 if analysis["case"]["problems"] else 0


def print_analysis(a: dict[str, Any]) -> None:
    out = sys.stdout.write
    c = a["case"]
    out(f"Case      {c['source']}\n          {c['files']} files, sha256 {(c['sha256'] or '')[:16]}\n")
    s, u = a["system"], a["upgrade"]
    out(f"System    {s['os_name'] or '?'} {s['os_version'] or ''} build {s['os_build'] or '?'}"
        f"  computer {s['computer'] or '?'}  time zone {s['time_zone'] or 'unknown (UTC assumed)'}\n")
    if u["result_code"] or u["extend_code"]:
        out(f"Upgrade   {u['result_code'] or '?'} - {u['extend_code'] or '?'}  phase {u['phase'] or '?'}  "
            f"operation {u['operation'] or '?'}  rollback {u['rollback']}\n")
    else:
        out("Upgrade   no result code found\n")
    cr = a["crash"]
    if cr["bugcheck_code"]:
        out(f"Crash     {cr['bugcheck_code']} {cr['bugcheck_name'] or ''}  culprit {cr['culprit_module'] or '?'}\n")
    for f in a["findings"]:
        out(f"[{f['severity']:8}] {f['title']}\n          {f['summary'] or ''}\n")
    if c["problems"]:
        out(f"Problems  {len(c['problems'])}\n")
        for p in c["problems"][:50]:
            out(f"  {p['file']}: {p['error']}\n")
