"""CSV the project writes, safe to open in a spreadsheet program.

A timeline exported as CSV is opened in Excel or LibreOffice, and its cells hold what the case holds: log
lines a customer's machine (or anyone who can write to a log) chose. A cell that starts with ``=``, ``+``,
``-`` or ``@`` is read as a formula (``=HYPERLINK("http://…","click")`` becomes a live link, DDE payloads run
commands), and so is one starting with a tab or a carriage return followed by such a character. OWASP's "CSV
Injection" advice, which spreadsheet vendors point to, is to put a single quote before such a cell: the
program then shows the text as text. The full-width forms (``＝＋－＠``) are treated the same as a
precaution, since an East Asian input method turns them into the ASCII ones on entry.

Every CSV writer of the project goes through :func:`write_csv`, so no export can forget the rule. Only text
cells are touched: numbers (a line number, a negative offset) stay numbers.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TextIO

#: First characters that make a spreadsheet read a cell as a formula (OWASP, CSV Injection).
FORMULA_STARTS = frozenset("=+-@\t\r＝＋－＠")


def spreadsheet_cell(value: Any) -> Any:
    """``value`` as a CSV cell no spreadsheet runs: text starting like a formula gets a leading ``'``."""
    if isinstance(value, str) and value[:1] in FORMULA_STARTS:
        return "'" + value
    return value


def write_csv(out: TextIO, fields: Sequence[str], rows: Iterable[Mapping[str, Any]]) -> int:
    """Write a header and ``rows`` (dicts keyed by ``fields``) as CSV with every cell made safe; returns
    the number of rows written."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([spreadsheet_cell(f) for f in fields])
    n = 0
    for row in rows:
        writer.writerow([spreadsheet_cell(row.get(f)) for f in fields])
        n += 1
    return n
