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


#: Every label the text output prints, in English and Chinese (values from the case stay as written).
LABELS: dict[str, tuple[str, str]] = {
    "verdict": ("Verdict", "结论"), "confidence": ("confidence", "可信度"), "culprit": ("Culprit", "肇事模块"),
    "next": ("Next", "下一步"), "case": ("Case", "案例"), "files": ("{n} files", "{n} 个文件"),
    "system": ("System", "系统"), "build": ("build", "版本"), "computer": ("computer", "计算机"),
    "clock": ("clock", "时钟"), "upgrade": ("Upgrade", "升级"), "phase": ("phase", "阶段"),
    "operation": ("operation", "操作"), "rollback": ("rollback", "回滚"),
    "no_code": ("no result code found", "未找到升级结果代码"), "crash": ("Crash", "崩溃"),
    "bug_check": ("bug check", "蓝屏"), "other": ("Other", "其他崩溃"), "not_upgrade": ("not the upgrade's", "与本次升级无关"),
    "also": ("also seen as", "同一原因的其他发现"), "problems": ("Problems", "问题"),
    "inbox": ("(Windows' own)", "（Windows 自带）"),
}
CONFIDENCE_WORDS = {"en": {"high": "high", "medium": "medium", "low": "low"},
                    "zh": {"high": "高", "medium": "中", "low": "低"}}


def _label(key: str, lang: str, **values: Any) -> str:
    en, zh = LABELS[key]
    return (zh if lang == "zh" else en).format(**values)


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
    confidence = CONFIDENCE_WORDS[lang].get(v["confidence"], v["confidence"])
    out(f"{_label('verdict', lang):9} {STATE_WORDS[lang].get(v['state'], v['state'])} "
        f"({_label('confidence', lang)} {confidence})\n")
    out(f"          {v['summary_zh'] if zh else v['summary']}\n")
    c = v.get("culprit")
    if c:
        vendor = (c.get("vendor_zh") or c.get("vendor")) if zh else c.get("vendor")
        owner = ", ".join(x for x in (c.get("product"), vendor) if x)
        if c.get("third_party") is False:
            owner = owner or _label("inbox", lang)
        out(f"{_label('culprit', lang):9} {c['module']} [{c['kind']}]" + (f"  {owner}" if owner else "") + "\n")
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
        out(f"{_label('next', lang)}\n")
        for s in steps:
            out(f"  - {s}\n")
    out("\n")


def print_analysis(a: dict[str, Any], lang: str = "en") -> None:
    """The verdict, then the case, the machine, the codes, the crash and the findings (one per cause, each with
    the titles it is also seen as), every label in ``lang``; a finding's texts in Chinese where it has them
    (an untranslated summary is left out of the Chinese output, its title kept: a name more than a sentence)."""
    from workbench.core.finding_text import SEVERITY_NAMES

    out = sys.stdout.write
    zh = lang == "zh"
    print_verdict(a["verdict"], lang)
    c = a["case"]
    out(f"{_label('case', lang):9} {c['source']}\n          {_label('files', lang, n=c['files'])}, "
        f"sha256 {(c['sha256'] or '')[:16]}\n")
    s, u = a["system"], a["upgrade"]
    clock = (s["clock"].get("label_zh") if zh else None) or s["clock"]["label"]
    out(f"{_label('system', lang):9} {s['os_name'] or '?'} {s['os_version'] or ''} {_label('build', lang)} "
        f"{s['os_build'] or '?'}  {_label('computer', lang)} {s['computer'] or '?'}  {_label('clock', lang)} {clock}"
        f"{' (' + s['time_zone_basis'] + ')' if s['time_zone_basis'] not in (None, 'inferred') else ''}\n")
    if u["result_code"] or u["extend_code"]:
        out(f"{_label('upgrade', lang):9} {u['result_code'] or '?'} - {u['extend_code'] or '?'}  {_label('phase', lang)} "
            f"{u['phase'] or '?'}  {_label('operation', lang)} {u['operation'] or '?'}  {_label('rollback', lang)} "
            f"{u['rollback']}\n")
    else:
        out(f"{_label('upgrade', lang):9} {_label('no_code', lang)}\n")
    cr = a["crash"]
    if cr["bugcheck_code"] or cr["culprit_module"]:
        out(f"{_label('crash', lang):9} {cr['bugcheck_code'] or _label('bug_check', lang)} {cr['bugcheck_name'] or ''}  "
            f"{_label('culprit', lang).lower()} {cr['culprit_module'] or '?'}\n")
    for o in a.get("other_crashes") or []:
        why = (o.get("why_not_zh") or o["why_not"]) if zh else o["why_not"]
        out(f"{_label('other', lang):9} {o['file']}: {o['bugcheck_code'] or o['exception_code'] or '?'}  "
            f"{_label('not_upgrade', lang)}{'：' if zh else ': '}{why}\n")
    for f in a["findings"]:
        title = (f.get("title_zh") or f["title"]) if zh else f["title"]
        summary = f.get("summary_zh") if zh else f["summary"]
        severity = SEVERITY_NAMES[lang].get(f["severity"], f["severity"])
        out(f"[{severity:8}] {title}\n")
        if summary:
            out(f"          {summary}\n")
        also = [(x.get("title_zh") or x["title"]) if zh else x["title"] for x in f.get("also") or []]
        if also:
            out(f"          {_label('also', lang)}{'：' if zh else ': '}{'; '.join(t for t in also if t)}\n")
    if c["problems"]:
        out(f"{_label('problems', lang):9} {len(c['problems'])}\n")
        for p in c["problems"][:50]:
            out(f"  {p['file']}: {p['error']}\n")
