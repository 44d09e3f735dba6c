"""``workbench analyze CASE [--json] [--packs DIR] [--reported TEXT]``: ingest a case and print its analysis.

Without ``--json`` the verdict comes first (what broke the upgrade, made by whom, why, what to do), then the
rest. ``--reported`` keeps what the customer reported with the case; the verdict compares it with the logs.

``--packs DIR`` adds signature packs for this run (as ``WORKBENCH_PACKS`` does); an ingested case is not
ingested again for them: its signature findings are scanned anew, and scanned back without them on the next
run that does not name them.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from workbench.commands.common import (
    add_case_arguments,
    add_reported_argument,
    apply_reported,
    open_case,
    report_problems,
)

NAME = "analyze"
HELP = "ingest a case and print its analysis"


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_case_arguments(p)
    p.add_argument("--json", action="store_true", help="print the analysis object (workbench.analysis/1)")
    p.add_argument("--packs", action="append", default=[], metavar="DIR", type=Path,
                   help="also run the signature packs in DIR (repeatable; in addition to WORKBENCH_PACKS)")
    add_reported_argument(p)
    p.add_argument("--lang", choices=("en", "zh"), default="en", help="language of the verdict printed without --json")


def run(args: argparse.Namespace) -> int:
    from workbench.core.analysis import build_analysis
    from workbench.core.errors import UserActionRequired
    from workbench.core.printable import dump_json, one_line_values
    from workbench.core.signatures.plugin import extra_packs_of, rescan_case

    for folder in args.packs:
        if not folder.is_dir():
            raise UserActionRequired(f"{folder}: no such folder (--packs).")
    case = open_case(args)
    apply_reported(case, args)
    extra = [p.resolve() for p in args.packs]
    if extra or extra_packs_of(case.store):
        rescan_case(case.store, extra)
    analysis = build_analysis(case.store)
    if args.json:
        sys.stdout.write(dump_json(analysis, indent=2) + "\n")
    else:
        # no value from the case prints a control or a line break: a multi-line evidence text (a stack excerpt)
        # is split into its lines first, each then escaped on its own
        print_analysis(one_line_values(with_evidence_lines(analysis)), args.lang)
    report_problems(analysis["case"]["problems"])
    return 1 if analysis["case"]["problems"] else 0


#: Evidence items printed under each reasoning step, and lines of one multi-line item (a stack excerpt).
EVIDENCE_PER_STEP = 2
MAX_EVIDENCE_LINES = 12


def with_evidence_lines(analysis: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``analysis`` whose verdict evidence items also carry ``lines``: their text split at line ends,
    so the text output prints each line on its own (escaped one by one) instead of one line with ``\\x0a``."""
    verdict = dict(analysis.get("verdict") or {})
    verdict["reasoning"] = [
        {**step, "evidence": [{**e, "lines": str(e.get("text") or "").replace("\r\n", "\n").split("\n")}
                              for e in step.get("evidence") or []]}
        for step in verdict.get("reasoning") or []]
    return {**analysis, "verdict": verdict}


#: Verdict states as the headline says them.
STATE_WORDS = {"en": {"failed": "FAILED", "succeeded": "SUCCEEDED", "not_an_upgrade": "NOT THE FAILED UPGRADE'S LOGS",
                      "incomplete": "INCOMPLETE"},
               "zh": {"failed": "升级失败", "succeeded": "升级成功", "not_an_upgrade": "不是失败升级的日志",
                      "incomplete": "信息不全"}}


def print_verdict(v: dict[str, Any], lang: str = "en") -> None:
    """The verdict as an engineer reads it first: state and summary, culprit, reasoning with one evidence
    line each, and what to do next."""
    out = sys.stdout.write
    zh = lang == "zh"
    label = (lambda en, cn: cn if zh else en)  # noqa: E731
    out(f"{label('Verdict', '结论'):9} {STATE_WORDS[lang].get(v['state'], v['state'])} "
        f"({label('confidence', '可信度')} {v['confidence']})\n")
    out(f"          {v['summary_zh'] if zh else v['summary']}\n")
    c = v.get("culprit")
    if c:
        owner = ", ".join(x for x in (c.get("product"), c.get("vendor")) if x)
        out(f"{label('Culprit', '肇事模块'):9} {c['module']} [{c['kind']}]" + (f"  {owner}" if owner else "") + "\n")
    for i, step in enumerate(v.get("reasoning") or [], 1):
        out(f"  {i}. {step['step_zh'] if zh else step['step']}\n")
        for e in (step.get("evidence") or [])[:EVIDENCE_PER_STEP]:
            where = e.get("file") or ""
            if e.get("line") is not None:
                where = f"{where or '?'}:{e['line']}"
            lines = e.get("lines") or [e.get("text") or ""]
            if len(lines) == 1:
                out(f"       {where}  {lines[0][:160]}\n" if where else f"       {lines[0][:160]}\n")
                continue
            out(f"       {where}\n" if where else "")
            for text in lines[:MAX_EVIDENCE_LINES]:
                out(f"         {text[:160]}\n")
            if len(lines) > MAX_EVIDENCE_LINES:
                out(f"         … {len(lines) - MAX_EVIDENCE_LINES}\n")
    steps = v.get("next_steps_zh" if zh else "next_steps") or []
    if steps:
        out(f"{label('Next', '下一步')}\n")
        for s in steps:
            out(f"  - {s}\n")
    out("\n")


def print_analysis(a: dict[str, Any], lang: str = "en") -> None:
    out = sys.stdout.write
    print_verdict(a["verdict"], lang)
    c = a["case"]
    out(f"Case      {c['source']}\n          {c['files']} files, sha256 {(c['sha256'] or '')[:16]}\n")
    s, u = a["system"], a["upgrade"]
    out(f"System    {s['os_name'] or '?'} {s['os_version'] or ''} build {s['os_build'] or '?'}"
        f"  computer {s['computer'] or '?'}  clock {s['clock']['label']}"
        f"{' (' + s['time_zone_basis'] + ')' if s['time_zone_basis'] not in (None, 'inferred') else ''}\n")
    if u["result_code"] or u["extend_code"]:
        out(f"Upgrade   {u['result_code'] or '?'} - {u['extend_code'] or '?'}  phase {u['phase'] or '?'}  "
            f"operation {u['operation'] or '?'}  rollback {u['rollback']}\n")
    else:
        out("Upgrade   no result code found\n")
    cr = a["crash"]
    if cr["bugcheck_code"] or cr["culprit_module"]:
        out(f"Crash     {cr['bugcheck_code'] or 'bug check'} {cr['bugcheck_name'] or ''}  "
            f"culprit {cr['culprit_module'] or '?'}\n")
    for o in a.get("other_crashes") or []:
        out(f"Other     {o['file']}: {o['bugcheck_code'] or o['exception_code'] or '?'}  not the upgrade's: "
            f"{o['why_not']}\n")
    for f in a["findings"]:
        out(f"[{f['severity']:8}] {f['title']}\n          {f['summary'] or ''}\n")
    if c["problems"]:
        out(f"Problems  {len(c['problems'])}\n")
        for p in c["problems"][:50]:
            out(f"  {p['file']}: {p['error']}\n")
