"""CSV the project writes, safe to open in a spreadsheet program.

A timeline exported as CSV is opened in Excel or LibreOffice, and its cells hold what the case holds: log
lines a customer's machine (or anyone who can write to a log) chose. A cell that starts with ``=``, ``+``,
``-`` or ``@`` is read as a formula (``=HYPERLINK("http://…","click")`` becomes a live link, DDE payloads run
commands), and so is one starting with a tab or a carriage return followed by such a character. OWASP's "CSV
Injection" advice, which spreadsheet vendors point to, is to put a single quote before such a cell: the
program then shows the text as text. The full-width forms (``＝＋－＠``) are treated the same as a
precaution, since an East Asian input method turns them into the ASCII ones on entry.

A cell never carries a raw control character either: a CSV is as often read on a terminal (``timeline
--format csv | head``) as in a spreadsheet, and an ESC, BEL, C1 or bidi control from a log would recolour,
retitle or reorder that terminal. Cells get the terminal's own rule (:func:`workbench.core.printable.printable`):
such characters appear as ``\x1b``, ``\u202e``; tab, LF and CRLF stay (a spreadsheet shows them as the log had
them), a lone CR is escaped. The formula rule is applied to the escaped text, so a cell that still starts
with a tab or a CRLF gets its quote, and one that started with a lone CR starts with ``\x0d`` (text) instead.

Every CSV writer of the project goes through :func:`write_csv`, so no export can forget the rules. Only text
cells are touched: numbers (a line number, a negative offset) stay numbers.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TextIO

from workbench.core.printable import printable

#: First characters that make a spreadsheet read a cell as a formula (OWASP, CSV Injection).
FORMULA_STARTS = frozenset("=+-@\t\r＝＋－＠")


def spreadsheet_cell(value: Any) -> Any:
    """``value`` as a CSV cell no spreadsheet runs and no terminal obeys: controls escaped, then text starting
    like a formula gets a leading ``'``."""
    if not isinstance(value, str):
        return value
    value = printable(value)
    return "'" + value if value[:1] in FORMULA_STARTS else value


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
