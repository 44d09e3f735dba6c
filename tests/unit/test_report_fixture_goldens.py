"""Golden summaries of the real fixture cases: what the e-mail says for a real rollback and a real
down-level failure, laid out as a collector gathers them. Rewrite with ``UPDATE_GOLDEN=1`` and review the
diff when an analyzer changes its wording on purpose. Skips when ../shared/fixtures is absent.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.unit.test_report_summary import NOW, check_golden
from workbench.core.case import Case
from workbench.core.report import export_summary

CASES = {
    "baslr-rollback": {
        "$WINDOWS.~BT/Sources/Rollback/setupact.log": "baslr_w10-logs__Rollback__setupact.log",
        "$WINDOWS.~BT/Sources/Rollback/setuperr.log": "baslr_w10-logs__Rollback__setuperr.log",
        "$WINDOWS.~BT/Sources/Rollback/setupapi/setupapi.dev.log":
            "baslr_w10-logs__Rollback__setupapi__setupapi.dev.log",
        "$WINDOWS.~BT/Sources/Panther/setuperr.log": "baslr_w10-logs__Panther__setuperr.log",
    },
    "rickak77-downlevel": {
        "$WINDOWS.~BT/Sources/Panther/setupact.log": "rickaK77_Setup-Log__setupact.log",
    },
}


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_fixture_case_golden_summary(name: str, lang: str, shared_fixtures: Path, tmp_path: Path) -> None:
    folder = tmp_path / name
    for target, source in CASES[name].items():
        path = folder / target
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shared_fixtures / "setup" / source, path)
    case = Case.open(folder)
    case.ensure_ingested()
    text = export_summary(case.store, "md", lang=lang, now=NOW).decode("utf-8")
    # the case folder's name is the temp path; the summary names the source by its base name only
    check_golden(f"fixture-{name}.{lang}.md", text)
