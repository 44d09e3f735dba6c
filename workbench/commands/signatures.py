"""``workbench signatures list [--json] | show ID | validate [DIR] | test [DIR]``: work with signature packs.

``validate`` and ``test`` take a pack folder (or a folder of packs) so a third party can write, check and
test a pack without installing it; without DIR they check every pack the workbench would load. Exit codes:
0 all good, 1 a signature has errors or a test failed, 2 a wrong argument (an unknown id).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from workbench.core.errors import UserActionRequired

NAME = "signatures"
HELP = "list, show, validate and test signature packs"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--packs", action="append", default=[], metavar="DIR",
                   help="also load the packs in DIR (repeatable)")
    sub = p.add_subparsers(dest="action", required=True)
    ls = sub.add_parser("list", help="list every loaded signature")
    ls.add_argument("--json", action="store_true", help="print a JSON list")
    show = sub.add_parser("show", help="print one signature: its file, fields and compiled SQL")
    show.add_argument("id")
    val = sub.add_parser("validate", help="load the packs in DIR (default: all) and report every error")
    val.add_argument("dir", nargs="?", type=Path)
    test = sub.add_parser("test", help="run each signature on its samples")
    test.add_argument("dir", nargs="?", type=Path)
    test.add_argument("--id", action="append", default=[], help="only these signature ids (repeatable)")


def _summary(sig: Any) -> dict[str, Any]:
    return {
        "id": sig.id, "title": sig.title["en"], "title_zh": sig.title.get("zh"), "level": sig.level,
        "status": sig.status,
        "setupdiag": sig.setupdiag or None, "sources": sig.sources, "file": str(sig.path),
    }


def run(args: argparse.Namespace) -> int:
    from workbench.core.signatures.packs import discover, load_packs, untranslated_builtins

    extra = [Path(p) for p in args.packs]
    if args.action in ("validate", "test") and args.dir is not None:
        if not args.dir.is_dir():
            raise UserActionRequired(f"{args.dir}: no such folder.")
        packs = load_packs([args.dir], "command line")
    else:
        packs = discover(extra=extra)
    out = sys.stdout.write
    if args.action == "list":
        summaries = [_summary(s) for s in packs.ordered()]
        if args.json:
            out(json.dumps(summaries, ensure_ascii=False, indent=2) + "\n")
        else:
            for row in summaries:
                sd = f"  [SetupDiag {row['setupdiag']['rule']}]" if row["setupdiag"] else ""
                out(f"{row['id']:60} {row['level']:13} {row['title']}{sd}\n")
            out(f"{len(summaries)} signatures in {len(packs.packs)} packs\n")
        for e in packs.errors:
            sys.stderr.write(f"error: {e}\n")
        return 1 if packs.errors else 0
    if args.action == "show":
        sig = packs.signatures.get(args.id)
        if sig is None:
            raise UserActionRequired(f"no signature with id {args.id!r} (see `workbench signatures list`).")
        titles = "".join(f"{text}\n" for text in sig.title.values())
        out(f"{sig.id}  ({sig.path}:{sig.line})\n{titles}level {sig.level}, status {sig.status}\n")
        if sig.setupdiag:
            out(f"SetupDiag rule {sig.setupdiag['rule']} {{{sig.setupdiag['guid']}}}\n")
        if sig.description:
            out(f"\n{sig.description}\n")
        out(f"\ncondition: {sig.condition_text}\n")
        for name, sel in sig.selections.items():
            out(f"  {name}: SELECT ... FROM {sel.table} WHERE {sel.where}\n      params {list(sel.params)}\n")
        out("\n")
        for lang, text in sig.details.items():
            out(f"details ({lang}): {text}\n")
        for lang, text in sig.remediation.items():
            out(f"remediation ({lang}): {text}\n")
        for ref in sig.references:
            out(f"reference: {ref}\n")
        return 0
    if args.action == "validate":
        for e in packs.errors:
            out(f"{e}\n")
        warnings = untranslated_builtins(packs)
        for w in warnings:
            out(f"warning: {w}\n")
        for note in packs.notes:
            out(f"note: {note}\n")
        out(f"{len(packs.signatures)} signatures valid, {len(packs.errors)} errors"
            + (f", {len(warnings)} warnings\n" if warnings else "\n"))
        return 1 if packs.errors else 0
    # test
    from workbench.core.signatures.testing import SampleRunner, test_signatures

    chosen = [s for s in packs.ordered() if not args.id or s.id in args.id]
    if args.id and not chosen:
        raise UserActionRequired(f"none of {', '.join(args.id)} is loaded.")
    for e in packs.errors:
        out(f"error: {e}\n")
    started = time.perf_counter()
    with SampleRunner() as runner:
        results = test_signatures(chosen, runner, universe=packs.ordered())
    failed = [r for r in results if not r.ok]
    untested = [s.id for s in chosen if not s.samples_positive]
    for r in results:
        mark = "ok  " if r.ok else "FAIL"
        out(f"{mark} {r.signature:60} {r.kind:8} {r.message}\n")
    for sid in untested:
        out(f"FAIL {sid:60} no positive sample\n")
    out(f"{len(results) - len(failed)}/{len(results)} sample checks passed in "
        f"{time.perf_counter() - started:.1f}s\n")
    return 1 if failed or untested or packs.errors else 0
