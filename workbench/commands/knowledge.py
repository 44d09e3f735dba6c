"""``workbench knowledge list [--category C] [--json] | show NAME | activity FRAME... | validate [DIR]``.

Look at the knowledge tables the verdict uses: third-party modules known in upgrade failures and what the
Windows functions on a crash stack say the thread was doing. ``activity`` takes frames as arguments or, with
``-``, a stack pasted on standard input (top first, as WinDbg prints it). ``validate DIR`` reads a folder of
tables a third party wrote, without installing it. Exit codes: 0 good, 1 errors in the tables, 2 a wrong
argument (an unknown module).
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

from workbench.core.errors import UserActionRequired

NAME = "knowledge"
HELP = "list and show known third-party modules and stack activities"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--dir", dest="tables", action="append", default=[], metavar="DIR", type=Path,
                   help="also read the knowledge tables in DIR (repeatable)")
    sub = p.add_subparsers(dest="action", required=True)
    ls = sub.add_parser("list", help="list the known modules")
    ls.add_argument("--category", help="only this category (edr, antivirus, dlp, audio, ...)")
    ls.add_argument("--json", action="store_true", help="print a JSON list")
    show = sub.add_parser("show", help="one module: vendor, product, what it breaks, the fix, the source")
    show.add_argument("name", help="a file name, with or without extension, or a path")
    show.add_argument("--json", action="store_true")
    act = sub.add_parser("activity", help="what a stack says the thread was doing")
    act.add_argument("frames", nargs="+", help="frames top first (nt!IopLoadDriver+0x4bd ...), or - to read stdin")
    act.add_argument("--all", action="store_true", help="every matching rule, best first")
    val = sub.add_parser("validate", help="read the tables (in DIR, default all) and report every error")
    val.add_argument("dir", nargs="?", type=Path)


def _module_dict(m: Any) -> dict[str, Any]:
    d = asdict(m)
    d["file"] = str(m.file) if m.file else None
    d.pop("untranslated", None)
    return d


def run(args: argparse.Namespace) -> int:
    from workbench.core.knowledge import load_folders, load_knowledge

    out = sys.stdout.write
    if args.action == "validate" and args.dir is not None:
        if not args.dir.is_dir():
            raise UserActionRequired(f"{args.dir}: no such folder.")
        know = load_folders([args.dir])
    else:
        know = load_knowledge(extra=args.tables)
    if args.action == "validate":
        for e in know.errors:
            out(f"{e}\n")
        for note in know.notes:
            out(f"note: {note}\n")
        out(f"{len(know.modules())} modules, {len(know.rules)} activities, {len(know.errors)} errors\n")
        return 1 if know.errors else 0
    for e in know.errors:
        sys.stderr.write(f"error: {e}\n")
    if args.action == "list":
        modules = know.modules(args.category)
        if args.json:
            out(json.dumps([_module_dict(m) for m in modules], ensure_ascii=False, indent=2) + "\n")
        else:
            for m in modules:
                out(f"{m.module:32} {m.category:20} {m.vendor:28} {m.product}\n")
            out(f"{len(modules)} modules\n")
        return 1 if know.errors else 0
    if args.action == "show":
        m = know.module(args.name)
        if m is None:
            raise UserActionRequired(f"no known module named {args.name!r} (see `workbench knowledge list`).")
        if args.json:
            out(json.dumps(_module_dict(m), ensure_ascii=False, indent=2) + "\n")
            return 0
        cat = know.category(m.category)
        vendor = f"{m.vendor} ({m.vendor_zh})" if m.vendor_zh else m.vendor
        lines = [f"{m.module}  ({m.file}:{m.line})"]
        if m.aliases:
            lines.append(f"also: {', '.join(m.aliases)}")
        lines += [f"vendor: {vendor}", f"product: {m.product}",
                  f"category: {m.category}" + (f" - {cat.name} / {cat.name_zh}" if cat else ""),
                  f"kind: {m.kind}"]
        if m.versions:
            lines.append(f"versions: {m.versions}")
        if m.altitude:
            lines.append(f"altitude: {m.altitude}")
        lines += ["", f"breaks: {m.breaks}", f"影响：{m.breaks_zh}", "", f"fix: {m.fix}", f"处理：{m.fix_zh}", ""]
        lines += [f"source: {s}" for s in m.sources]
        out("\n".join(lines) + "\n")
        return 0
    frames = args.frames
    if frames == ["-"]:
        frames = [ln for ln in sys.stdin.read().splitlines() if ln.strip()]
    found = know.activities(frames)
    if not found:
        out("no Windows function on this stack is in the activity table\n")
        return 0
    for act in found if args.all else found[:1]:
        out(f"{act.activity}\n{act.activity_zh}\n  [{act.id}, priority {act.priority}: {' <- '.join(act.functions)}]\n")
    return 0
