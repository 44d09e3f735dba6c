"""The summary on real collected logs (../shared/fixtures), with the full ingest pipeline.

What other issues' analyzers conclude on these logs is still changing, so these tests check the summary's
structure and redaction rather than a golden text: every format and language renders, and the user and
computer names the real logs carry never reach a redacted export, even when the engineer quoted them.
"""

from __future__ import annotations

import shutil
from datetime import datetime, timezone
from pathlib import Path

import pytest

from tests.conftest import fixture_file
from workbench.core.case import Case
from workbench.core.report import Redactor, build_summary, export_summary, render_summary
from workbench.core.report.notes import quote_evidence
from workbench.core.store import NotesStore

NOW = datetime(2026, 11, 25, 8, 30, tzinfo=timezone.utc)


def _case(shared: Path, tmp_path: Path, files: dict[str, str]) -> Case:
    folder = tmp_path / "case"
    for target, source in files.items():
        path = folder / target
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(fixture_file(shared, source), path)
    case = Case.open(folder)
    case.ensure_ingested()
    return case


def _quote_lines(case: Case, needle: str, count: int = 3) -> None:
    """Quote lines holding ``needle`` into a note, as "Add to notes" does."""
    rows = case.store.query(
        "SELECT t.file_id, t.line, t.ts, t.message, f.path FROM timeline t JOIN files f ON f.id = t.file_id "
        "WHERE t.message LIKE ? ORDER BY t.id LIMIT ?", (f"%{needle}%", count))
    assert rows, f"no line holds {needle!r}"
    body = "\n".join(quote_evidence(r["message"], source=r["path"], line=r["line"], file_id=r["file_id"], ts=r["ts"])
                     for r in rows)
    with NotesStore.open(case.folder) as notes:
        notes.save(body)


@pytest.mark.fixtures
def test_rollback_case_renders_in_every_format(shared_fixtures: Path, tmp_path: Path) -> None:
    case = _case(shared_fixtures, tmp_path, {
        "Rollback/setupact.log": "setup/baslr_w10-logs__Rollback__setupact.log",
        "Rollback/setuperr.log": "setup/baslr_w10-logs__Rollback__setuperr.log",
        "Rollback/setupapi/setupapi.dev.log": "setup/baslr_w10-logs__Rollback__setupapi__setupapi.dev.log",
    })
    try:
        for lang, heading in (("en", "## Case description"), ("zh", "## 案例描述")):
            summary = build_summary(case.store, lang=lang, now=NOW)
            md = render_summary(summary, "md")
            assert heading in md
            if summary["upgrade"]["result_code"]:
                assert summary["upgrade"]["result_code"] in md
            assert summary["timeline"], "the key timeline quotes the errors nearest the failure"
            for fmt in ("html", "txt"):
                assert render_summary(summary, fmt)
        assert export_summary(case.store, "eml", lang="zh", now=NOW).startswith(b"Subject:")
    finally:
        case.close()


@pytest.mark.fixtures
def test_real_profile_and_computer_names_are_redacted(shared_fixtures: Path, tmp_path: Path) -> None:
    case = _case(shared_fixtures, tmp_path, {
        "Panther/setupact.log": "setup/rickaK77_Setup-Log__setupact.log",
        "Other/Panther/setupact.log": "setup/bitbtrust_Errorcode__setupact.log",
    })
    try:
        _quote_lines(case, "Users\\steele07")
        _quote_lines(case, "Users\\BILH_Admin")
        _quote_lines(case, "Computer name is")
        plain = export_summary(case.store, "txt", lang="en", now=NOW).decode("utf-8")
        learned = {v.casefold(): c for c, v, _ in Redactor.for_case(case.store).learned.values()}
        outputs = [export_summary(case.store, fmt, lang="zh", redact=True, now=NOW).decode("utf-8")
                   for fmt in ("md", "html", "txt")]
    finally:
        case.close()
    assert learned.get("steele07") == "user" and learned.get("bilh_admin") == "user"
    assert learned.get("win-1jofitdq334") == "computer"
    assert "public" not in learned and "user" not in learned  # generic profiles stay readable
    for value in ("steele07", "BILH_Admin", "WIN-1JOFITDQ334"):
        assert value in plain
        for text in outputs:
            assert value.lower() not in text.lower()
    assert all("USER-1" in text and "PC-1" in text for text in outputs)
