"""Every time the workbench writes says which clock it is on (:mod:`workbench.core.clock_text`).

A case whose zone is unknown keeps its local sources on their own wall clock: no writer may pass those times
off as UTC — not the findings, the verdict's evidence, the system facts, the processes, a report's header or
body in any format or language, nor the comparison of machines. The case is the Chinese down-level crash of
:mod:`tests.unit.clockcase` with only its setup log (nothing states or betrays the zone).
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from tests.unit.clockcase import CRASH_UTC, build_case, report_wer
from workbench.cli import main
from workbench.core import clock
from workbench.core.analysis import build_analysis
from workbench.core.case import Case
from workbench.core.clock_text import CaseTimes
from workbench.core.report.export import export_summary
from workbench.writers.procmon import ft

NOW = datetime(2024, 4, 1, 9, 0, tzinfo=timezone.utc)
#: the MigHost line of clockcase's setupact.log: SetupHost died at 02:41:31 UTC, 10:41:31 on the +08:00 wall
WALL = "2024-03-12T10:41:31"
#: an older crash WER saw, in UTC
OLD_CRASH = datetime(2024, 3, 7, 2, 41, 31, tzinfo=timezone.utc)


def _ingest(path: Path) -> Case:
    case = Case.open(path)
    case.ensure_ingested()
    return case


def _times(obj: Any) -> list[str]:
    """Every ``time``/``start``/``end`` value in a JSON object, wherever it sits."""
    out: list[str] = []
    if isinstance(obj, dict):
        for k, v in obj.items():
            if k in ("time", "start", "end", "start_time", "end_time") and isinstance(v, str):
                out.append(v)
            else:
                out += _times(v)
    elif isinstance(obj, list):
        for v in obj:
            out += _times(v)
    return out


@pytest.fixture(scope="module")
def unknown_zone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("clock_text") / "case"
    build_case(root, 480, with_nfo=False, with_pml=False, with_csv=False, with_wer=False, with_deployment=True)
    # a WER report of an earlier crash (five days before, UTC): no moment pairs with it, so the zone stays unknown
    wer = report_wer().decode("utf-16").replace(f"EventTime={ft(CRASH_UTC)}", f"EventTime={ft(OLD_CRASH)}")
    (root / "ProgramData/Microsoft/Windows/WER/ReportArchive/AppCrash_SetupHost.exe_1/Report.wer").parent.mkdir(
        parents=True)
    (root / "ProgramData/Microsoft/Windows/WER/ReportArchive/AppCrash_SetupHost.exe_1/Report.wer").write_bytes(
        wer.encode("utf-16"))
    (root / "问题描述.txt").write_bytes("问题：升级失败，错误代码 0xC1900101 - 0x40017，时间 2024-03-12 10:40 左右。\r\n"
                                        .encode("gbk"))
    return root


def test_the_analysis_json_never_labels_a_local_time_utc(unknown_zone: Path) -> None:
    case = _ingest(unknown_zone)
    a = build_analysis(case.store)
    assert a["system"]["time_zone"] is None and a["system"]["clock"]["label"] == "local, zone unknown"
    # verdict evidence, system facts (the upgrade's source build too), findings: setupact's wall clock, bare
    verdict_times = _times(a["verdict"])
    assert not [t for t in verdict_times if t.startswith("2024-03-12") and t.endswith("Z")]
    assert WALL in verdict_times
    fact_times = _times(a["system"]["facts"])
    assert fact_times and not [t for t in fact_times if t.startswith("2024-03-12") and t.endswith("Z")]
    assert {r["fact"] for r in a["system"]["facts"]["os_build"]} >= {"upgrade.source_build", "system.os_build"}
    assert not [t for t in _times(a["findings"]) if t.endswith("Z") and not t.startswith("2024-03-07T02:41:31")]
    assert "2024-03-07T02:41:31Z" in _times(a["findings"])  # the WER report's own time is UTC
    # the failed attempt kept in the case is on the same wall clock
    attempt = json.loads(case.store.fact("setup.attempt")["value"])
    assert not attempt["start_time"].endswith("Z") and not attempt["end_time"].endswith("Z")


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("fmt", ["md", "html", "txt"])
def test_reports_name_the_clock_and_show_the_wall_clock(unknown_zone: Path, fmt: str, lang: str) -> None:
    case = _ingest(unknown_zone)
    text = export_summary(case.store, fmt, lang=lang, now=NOW).decode("utf-8")
    assert "UTC assumed" not in text and "按 UTC" not in text
    assert ("local, zone unknown" if lang == "en" else "本地时间，时区未知") in text
    assert WALL.replace("T", " ") in text  # the crash line's time as setupact wrote it
    assert "2024-03-07 02:41:31 UTC" in text  # WER's time is UTC, and says so
    assert not re.search(r"2024-03-12[ T]\d\d:\d\d:\d\d(?:\.\d+)?(?:Z| UTC)", text)  # no local time called UTC


def test_compare_gives_no_utc_for_a_wall_clock(unknown_zone: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["compare", str(unknown_zone), "--json", "-q"]) in (0, 1)
    (machine,) = json.loads(capsys.readouterr().out)["machines"]
    assert machine["failure_time"] and machine["failure_time"].startswith("2024-03-12 10:4")
    assert machine["failure_time_utc"] is None and machine["last_log_utc"] is None


def test_one_helper_decides_utc_or_wall_clock() -> None:
    us = clock.datetime_to_us(datetime(2024, 3, 12, 2, 41, 31))
    unknown = CaseTimes(zone=None)
    assert unknown.iso(us, "local") == "2024-03-12T02:41:31" and unknown.iso(us, "utc") == "2024-03-12T02:41:31Z"
    assert unknown.wall(us, "local") == "2024-03-12 02:41:31" and unknown.wall(us, "utc") == "2024-03-12 02:41:31 UTC"
    known = CaseTimes(zone=clock.resolve_zone("China Standard Time"))
    # once the zone is known every stored time is UTC, whatever its source wrote
    assert known.iso(us, "local") == "2024-03-12T02:41:31Z" and known.wall(us, "local") == "2024-03-12 10:41:31"
    # a time kept on its source's clock (a Procmon CSV process's start) is put on UTC first
    assert known.stored(clock.datetime_to_us(datetime(2024, 3, 12, 10, 41, 31)), "local") == us
    assert known.from_wall("2024-03-12 10:41:31") == us and unknown.from_wall("2024-03-12 10:41:31") == \
        clock.datetime_to_us(datetime(2024, 3, 12, 10, 41, 31))
    assert unknown.wall_of_iso("2024-03-12T02:41:31Z") == "2024-03-12 02:41:31 UTC"
    assert known.wall_of_iso("2024-03-12T02:41:31Z") == "2024-03-12 10:41:31"


def test_one_os_in_two_languages_is_no_disagreement(tmp_path: Path) -> None:
    """The NFO of a Chinese Windows says ``Microsoft Windows 10 企业版``, setupact ``Windows 10 Enterprise``:
    one reading of the machine, both kept with their sources."""
    from workbench.core.machine import os_name_key

    case = _ingest(build_case(tmp_path / "case", 480, with_pml=False, with_csv=False))
    s = build_analysis(case.store)["system"]
    names = {r["value"] for r in s["facts"]["os_name"]}
    assert {"Microsoft Windows 10 企业版", "Windows 10 Enterprise"} <= names
    assert "os_name" not in {d["fact"] for d in s["disagreements"]}
    pairs = [("Microsoft Windows 11 专业版", "Windows 11 Pro"), ("Microsoft Windows 10 家庭中文版", "Windows 10 Home China"),
             ("Microsoft Windows 10 专业工作站版", "Windows 10 Pro for Workstations"),
             ("Microsoft Windows 10 教育版", "Windows 10 Education"), ("Microsoft Windows 10 家庭版", "Windows 10 Home"),
             ("Microsoft Windows 11 专业教育版", "Windows 11 Pro Education"), ("Windows 10 Professional", "Windows 10 Pro"),
             ("Microsoft® Windows 10 企业版 LTSC", "Windows 10 Enterprise LTSC")]
    for zh, en in pairs:
        assert os_name_key(zh) == os_name_key(en), (zh, en)
    assert os_name_key("Windows 10 Pro") != os_name_key("Windows 10 Pro for Workstations")
    assert os_name_key("Microsoft Windows 10 家庭版") != os_name_key("Windows 10 Home China")
