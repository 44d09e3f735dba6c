"""``workbench timeline CASE``: the unified timeline as JSON lines or CSV."""

from __future__ import annotations

import argparse
import sys

from workbench.commands.common import add_case_arguments, open_case
from workbench.core.printable import dump_json

NAME = "timeline"
HELP = "print the unified timeline"


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_case_arguments(p)
    p.add_argument("--source", help="a source (setupact, evtx, ...), folder role (rollback, ...) or path part")
    p.add_argument("--from", dest="start", help="first time (ISO-8601; no zone = the case clock)")
    p.add_argument("--to", dest="end", help="last time (ISO-8601; no zone = the case clock)")
    p.add_argument("--level", choices=["critical", "error", "warning", "info", "verbose"])
    p.add_argument("--search", help="full-text query over messages (SQLite FTS5 syntax)")
    p.add_argument("--limit", type=int)
    p.add_argument("--format", choices=["jsonl", "csv"], default="jsonl")


def run(args: argparse.Namespace) -> int:
    from workbench.core.spreadsheet import write_csv
    from workbench.core.timeline import FIELDS, check_search, parse_time, query_timeline

    case = open_case(args)
    store = case.store
    if args.search:
        check_search(store, args.search)  # a bad query is a sentence before any output, even the CSV header
    rows = query_timeline(
        store,
        source=args.source,
        start=parse_time(args.start, store) if args.start else None,
        end=parse_time(args.end, store) if args.end else None,
        text=args.search,
        level=args.level,
        limit=args.limit,
    )
    out = sys.stdout
    if args.format == "csv":
        write_csv(out, FIELDS, (row.as_dict() for row in rows))
    else:
        for row in rows:
            out.write(dump_json(row.as_dict()) + "\n")
    return 0
