"""``workbench report CASE [--format md|html|txt|eml] [--lang zh|en] [--redact] [-o FILE]``: the case summary.

The summary an engineer sends: case description, analysis (findings with evidence, stack, interfering
process, key timeline), progress, recommendation and the engineer's notes. ``--redact`` replaces user,
computer and domain names, people's names, network and street addresses, phone, ID-card and serial numbers,
Wi-Fi names, QQ/WeChat accounts and recovery or product keys with pseudonyms (notes included);
``--redact-preview`` lists what would be replaced; ``--redact-add``/``--redact-keep`` edit the
case's own list, which the GUI shares.
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime, timezone

from workbench.commands.common import add_case_arguments, add_reported_argument, apply_reported, open_case
from workbench.core.errors import UserActionRequired

NAME = "report"
HELP = "write the case summary (Markdown, HTML, text or e-mail), optionally redacted"


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_case_arguments(p)
    p.add_argument("--format", "-f", choices=("md", "html", "txt", "eml"), default="md", help="output format")
    p.add_argument("--lang", choices=("zh", "en"), default="zh", help="language of the summary (default zh)")
    p.add_argument("--redact", action="store_true", help="replace personal values with pseudonyms")
    p.add_argument("--redact-preview", action="store_true",
                   help="list what --redact would replace (category, value, pseudonym, count, origin) and stop")
    p.add_argument("--redact-add", action="append", default=[], metavar="[CATEGORY=]VALUE",
                   help="always redact VALUE in this case (CATEGORY: user, computer, domain, wifi, ...; "
                        "default other); repeatable")
    p.add_argument("--redact-keep", action="append", default=[], metavar="VALUE",
                   help="never redact VALUE in this case (a false positive); repeatable")
    p.add_argument("--attach-markdown", action="store_true", help="eml: attach the summary as Markdown")
    p.add_argument("--attach-evidence", action="store_true", help="eml: attach the evidence excerpts as text")
    p.add_argument("--now", help="generation time to print (ISO-8601, e.g. 2026-11-25T08:30:00Z), "
                                 "for reproducible exports")
    p.add_argument("-o", "--output", help="file to write (default: standard output)")
    add_reported_argument(p)


def _now(text: str | None) -> datetime:
    if not text:
        return datetime.now(timezone.utc)
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError as exc:
        raise UserActionRequired(f"--now {text!r} is not an ISO-8601 time such as 2026-11-25T08:30:00Z.") from exc
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def run(args: argparse.Namespace) -> int:
    from workbench.commands.terminal import write_result
    from workbench.core.output_file import check_output
    from workbench.core.printable import one_line
    from workbench.core.report import redact as R
    from workbench.core.report.export import export_summary, prepared_summary

    if args.output:  # a folder that does not exist is said before the case is read, not after
        check_output(args.output)
    case = open_case(args)
    apply_reported(case, args)
    store = case.store
    for item in args.redact_add:
        category, sep, value = item.partition("=")
        if not sep or category not in R.PREFIXES:
            category, value = "other", item
        R.add_redaction_term(store, value, category)
    for value in args.redact_keep:
        R.keep_term(store, value)
    now = _now(args.now)
    if args.redact_preview:
        summary = prepared_summary(store, lang=args.lang, now=now)
        rows = R.Redactor.for_case(store).preview(summary)
        out = sys.stdout.write
        if not rows:
            out("nothing to redact\n")
        for r in rows:
            out(f"{r.pseudonym:12} {r.category:9} {r.count:4}x  {one_line(r.value)}    ({one_line(r.origin)})\n")
        return 0
    data = export_summary(store, args.format, lang=args.lang, redact=args.redact, now=now,
                          attach_markdown=args.attach_markdown, attach_evidence=args.attach_evidence)
    write_result(data, args.output, args.quiet)
    return 0
