"""``workbench compare A.zip B.7z C/ [X.wbcustomer] [--name N] [--json | --format md|html|txt|eml -o F]``.

Several archives of one customer side by side (issue 17): each is opened as its own case (ingested once,
read from its database after that), and the customer case file (``NAME.wbcustomer``, beside the first
archive, or ``--case-file``) lists them, so the window and later runs find the same group and its notes. A
``.wbcustomer`` file among the arguments is opened and the archives given join it.

Without ``--json`` or ``--format`` a table is printed: one column per machine, the suspects common to the
failures, the differences. ``--json`` prints the comparison (``workbench.compare/1``); ``--format`` writes the
customer case's summary (the four sections, per machine and then what they share).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from workbench.commands.common import progress_printer
from workbench.core.errors import UserActionRequired
from workbench.core.printable import one_line, one_line_values

NAME = "compare"
HELP = "compare several archives of one customer (machines, or uploads of one machine)"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("cases", nargs="+", metavar="CASE",
                   help="archives, folders or log files (one per machine or upload), and/or a .wbcustomer file")
    p.add_argument("--name", help="the customer case's name (kept in its file; default: the archives' names)")
    p.add_argument("--case-file", type=Path, metavar="FILE",
                   help="where the customer case file goes (default: NAME.wbcustomer beside the first archive, or "
                        "the workbench home when that folder is read-only)")
    p.add_argument("--reference", action="append", default=[], metavar="CASE",
                   help="a machine that upgraded fine (or should count as such), whatever its logs let the verdict "
                        "say; repeatable")
    p.add_argument("--failing", action="append", default=[], metavar="CASE",
                   help="a machine that failed, whatever its logs let the verdict say; repeatable")
    p.add_argument("--password", help="password of the encrypted archives (the same for all)")
    p.add_argument("--json", action="store_true", help="print the comparison (workbench.compare/1)")
    p.add_argument("--format", "-f", choices=("md", "html", "txt", "eml"),
                   help="write the customer case's summary in this format instead of the table")
    p.add_argument("--lang", choices=("zh", "en"), default="zh", help="language of the summary (default zh)")
    p.add_argument("--redact", action="store_true", help="summary: replace personal values with pseudonyms")
    p.add_argument("--attach-markdown", action="store_true", help="eml: attach the summary as Markdown")
    p.add_argument("--now", help="summary: generation time to print (ISO-8601), for reproducible exports")
    p.add_argument("-o", "--output", help="file to write the summary or JSON to (default: standard output)")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress or file names on stderr")


def open_customer(args: argparse.Namespace) -> Any:
    """The customer case the arguments name: a ``.wbcustomer`` among them (or ``--case-file`` when it exists)
    joined by the archives given, else a new one beside the first archive. Saved before anything is read."""
    from workbench.core.case import source_digest
    from workbench.core.customer.case_file import CUSTOMER_SUFFIX, create_or_update

    files = [Path(c).expanduser() for c in args.cases]
    customer_files = [f for f in files if f.suffix.lower() == CUSTOMER_SUFFIX]
    if len(customer_files) > 1:
        raise UserActionRequired("give one .wbcustomer file at a time.")
    sources: list[tuple[Path, str]] = []
    roles: dict[str, str] = {}
    reference = {Path(c).expanduser().resolve() for c in args.reference}
    failing = {Path(c).expanduser().resolve() for c in args.failing}
    for path in [f for f in files if f not in customer_files] + sorted((reference | failing) - set(
            f.resolve() for f in files)):
        if not path.exists():
            raise UserActionRequired(f"{path}: no such file or folder.")
        try:
            digest = source_digest(path.resolve())
        except PermissionError as exc:
            raise UserActionRequired(f"{path}: cannot be read ({exc.strerror}).") from exc
        sources.append((path.resolve(), digest))
        if path.resolve() in reference:
            roles[digest] = "reference"
        elif path.resolve() in failing:
            roles[digest] = "failing"
    target = customer_files[0] if customer_files else args.case_file
    customer = create_or_update(sources, name=args.name, file=target, roles=roles)
    if not customer.members:
        raise UserActionRequired(f"{customer.file}: the customer case lists no archive; give the archives too.")
    written = customer.save()
    if not args.quiet:
        sys.stderr.write(f"customer case: {written}\n")
    return customer


def run(args: argparse.Namespace) -> int:
    from workbench.core.customer.compare import build_comparison
    from workbench.core.customer.members import load_machines
    from workbench.core.output_file import check_output

    if args.output:  # said before any archive is read
        check_output(args.output)
    customer = open_customer(args)
    show = progress_printer(args.quiet)

    def progress(index: int, total: int, name: str, p: Any) -> None:
        if show is not None and p is not None:
            show(p)

    machines = load_machines(customer, password=args.password, progress=progress)
    customer.save()  # a member whose archive changed follows it (its new sha256)
    comparison = build_comparison(machines, customer)
    if args.format:
        from workbench.commands.report import _now
        from workbench.core.customer.summary import export_combined_summary

        data = export_combined_summary(comparison, machines, args.format, lang=args.lang, now=_now(args.now),
                                       customer=customer, redact=args.redact, attach_markdown=args.attach_markdown)
        _write(args, data)
    elif args.json:
        _write(args, (json.dumps(comparison, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))
    else:
        # no value from a case (a computer name, a product) prints a control or a line break
        print_comparison(one_line_values(comparison), "zh" if args.lang == "zh" else "en")
    for m in machines:
        if m.error and not args.quiet:
            sys.stderr.write(f"workbench: {one_line(m.error)}\n")
    if any(m.error_kind == "password" for m in machines):
        return 2
    problems = any(m.error for m in machines) or any(e["problems"] for e in comparison["machines"])
    return 1 if problems else 0


def _write(args: argparse.Namespace, data: bytes) -> None:
    """The JSON or the summary to ``-o FILE`` (named on stderr) or to standard output, as ``report`` writes."""
    from workbench.commands.terminal import write_result

    write_result(data, args.output, args.quiet)


def _cell(text: Any, width: int) -> str:
    value = "—" if text in (None, "") else " ".join(str(text).split())
    return value[: width - 1] + "…" if len(value) > width else value.ljust(width)


def print_comparison(c: dict[str, Any], lang: str = "en") -> None:
    """The comparison as a table: one column per machine, then the suspects and the differences."""
    zh = lang == "zh"
    out = sys.stdout.write
    width = 30
    out((c["summary_zh"] if zh else c["summary"]) + "\n\n")
    label_width = 18
    machines = c["machines"]
    out(" " * label_width + "".join(_cell(m["label"], width) for m in machines) + "\n")
    rows = [
        ("computer", [m["computer"] for m in machines]),
        ("os", [m["system"]["os_name"] for m in machines]),
        ("build", [f"{m['build_from'] or '?'} → {m['build_to'] or '?'}" for m in machines]),
        ("state", [m["state_text_zh" if zh else "state_text"] for m in machines]),
        ("phase", [m["verdict"].get("phase_text_zh" if zh else "phase_text") for m in machines]),
        ("code", [m["code"] for m in machines]),
        ("culprit", [(m["culprit"] or {}).get("module") for m in machines]),
        ("owner", [", ".join(x for x in ((m["culprit"] or {}).get("product"), (m["culprit"] or {}).get("vendor")) if x)
                   for m in machines]),
        ("failure_time", [m["failure_time"] for m in machines]),
        ("collected", [m["collected"] for m in machines]),
        ("upload", [m["upload_text_zh" if zh else "upload_text"] for m in machines]),
    ]
    labels = {f["field"]: f["label_zh" if zh else "label"] for f in c["fields"]}
    for field, values in rows:
        out(_cell(labels[field], label_width) + "".join(_cell(v, width) for v in values) + "\n")
    out("\n" + ("共同嫌疑（失败的机器都有、成功的机器都没有）" if zh else "Suspects common to the failures") + "\n")
    if not c["common_suspects"]:
        out("  —\n")
    for n, p in enumerate(c["common_suspects"], 1):
        cells = "  ".join(f"{k}:{'/'.join(v['versions']) or '✓'}" if v["present"] else f"{k}:—"
                          for k, v in p["machines"].items())
        out(f"  {n}. {p['label_zh' if zh else 'label']}   {cells}\n")
        for r in p["reasons_zh" if zh else "reasons"]:
            out(f"       - {r}\n")
    diffs = c["differences"]
    out("\n" + ("差异" if zh else "Differences") + f" ({len(diffs)})\n")
    for d in diffs[:40]:
        values = "  ".join(f"{k}:{v if v is not None else '—'}" for k, v in d["values_zh" if zh else "values"].items())
        out(f"  [{d['kind_text_zh' if zh else 'kind_text']}] {d['label_zh' if zh else 'label']}: {values}\n")
