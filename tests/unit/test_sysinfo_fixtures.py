"""The machine and WER readers on every file of ../shared/fixtures/sysinfo and wer, against expected.json."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from tests.conftest import fixture_file
from workbench.core import clock
from workbench.core.case import Case

pytestmark = pytest.mark.fixtures


def _ingest(path: Path) -> Case:
    case = Case.open(path)
    case.ensure_ingested()
    return case


def _expected(shared: Path, folder: str) -> dict:
    return json.loads(fixture_file(shared, f"{folder}/expected.json").read_text("utf-8"))


SYSINFO = ["zh-CN_SYSSUM.NFO", "en-US_SYSSUM.NFO", "zh-CN_msinfo32_report.txt", "zh-CN_systeminfo.txt",
           "en-US_systeminfo_utf16.txt"]
KINDS = {".NFO": "msinfo_nfo", "report.txt": "msinfo_text", "systeminfo.txt": "systeminfo",
         "systeminfo_utf16.txt": "systeminfo"}


@pytest.mark.parametrize("name", SYSINFO)
def test_sysinfo_file_gives_the_expected_facts(shared_fixtures: Path, name: str) -> None:
    expected = _expected(shared_fixtures, "sysinfo")[name]
    case = _ingest(fixture_file(shared_fixtures, f"sysinfo/{name}"))
    s = case.store
    kind = next(v for k, v in KINDS.items() if name.endswith(k))
    assert s.scalar("SELECT kind FROM files") == kind
    assert s.scalar("SELECT status FROM files") == "parsed", s.query("SELECT * FROM problems")
    for key in ("os_name", "os_version", "os_build", "computer", "manufacturer", "model", "time_zone"):
        if key in expected:
            row = s.fact(f"system.{key}")
            assert row is not None and row["value"] == expected[key], (key, row and row["value"])
            assert row["file_id"] is not None and row["line"] is not None  # every fact keeps its line
    if "utc_offset_minutes" in expected:
        stated = s.query("SELECT value FROM facts WHERE name = 'system.utc_offset_minutes' AND file_id IS NOT NULL")
        assert [int(r["value"]) for r in stated] == [expected["utc_offset_minutes"]]
        assert s.get_meta("utc_offset_minutes") == str(expected["utc_offset_minutes"])  # the case clock
        assert s.get_meta("time_zone_basis") == {"msinfo_nfo": "nfo"}.get(kind, kind)
    if "installed" in expected:
        assert s.fact("system.install_date")["value"] == expected["installed"]
    software = s.query("SELECT name, kind, third_party FROM installed_software") if kind != "systeminfo" else []
    third = {(r["kind"], r["name"]) for r in software if r["third_party"] == 1}
    for driver in expected.get("third_party_drivers", []):
        assert ("driver", driver) in third
    for service in expected.get("third_party_services", []):
        assert ("service", service) in third
    if "third_party_drivers" in expected:
        assert ("driver", "ndis.sys") in {(r["kind"], r["name"]) for r in software if r["third_party"] == 0}


WER = ["zh-CN_AppCrash_TiWorker.exe_9a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3_6a1d2c3b_0d6f3a2e/Report.wer",
       "en-US_NonCritical_WinSetupDiag02_4f1e6b2a9c3d5e7f8091a2b3c4d5e6f708192a3b_00000000_7c2e9b41/Report.wer"]


@pytest.mark.parametrize("name", WER, ids=["appcrash-zh", "winsetupdiag02-en"])
def test_wer_report_gives_the_expected_values(shared_fixtures: Path, name: str) -> None:
    expected = _expected(shared_fixtures, "wer")[name]
    case = _ingest(fixture_file(shared_fixtures, f"wer/{name}"))
    s = case.store
    assert s.scalar("SELECT kind FROM files") == "wer_report"
    r = s.query("SELECT * FROM wer_reports")[0]
    assert r["event_type"] == expected["event_type"]
    want = datetime.fromisoformat(expected["time_utc"])
    assert abs(r["event_time"] - clock.datetime_to_us(want)) < 1000  # EventTime is a UTC FILETIME
    t = s.query("SELECT ts, basis, source FROM timeline")[0]
    assert (t["ts"], t["basis"], t["source"]) == (r["event_time"], "utc", "wer")
    for key, column in (("app", "app_name"), ("app_version", "app_version"), ("fault_module", "fault_module"),
                        ("fault_module_version", "fault_module_version"), ("exception_code", "exception_code"),
                        ("fault_offset", "fault_offset"), ("os_version", "os_version")):
        if key in expected:
            assert r[column] == expected[key], key
    if "third_party_loaded" in expected:
        assert json.loads(r["third_party_modules"]) == expected["third_party_loaded"]
        assert len(json.loads(r["loaded_modules"])) > len(expected["third_party_loaded"])
    if expected.get("is_bugcheck") is False:
        assert s.fact("crash.bugcheck_code") is None  # a user-mode exception is not a bug check
        finding = s.query("SELECT * FROM findings WHERE rule_id = 'wer.setup_process_crash'")
        assert len(finding) == 1 and expected["fault_module"] in finding[0]["title"]
        data = json.loads(finding[0]["data"])
        assert data["module"] == expected["fault_module"] and data["exception_code"] == expected["exception_code"]
        assert expected["fault_module"] in data["title"]["zh"] and expected["fault_module"] in data["summary"]["zh"]
        assert data["report"].endswith("Report.wer")
    if "result_code" in expected:
        assert s.fact("upgrade.result_code")["value"] == expected["result_code"]
        assert s.fact("upgrade.extend_code")["value"].upper() == expected["extend_code"].upper()
        assert s.fact("upgrade.source_build")["value"] == expected["source_build"]
        assert s.fact("upgrade.target_build")["value"] == expected["target_build"]
        assert s.fact("setup.scenario")["value"] == expected["scenario"]
        assert s.fact("setup.wer_mode")["value"] == expected["mode"]
        assert s.fact("setup.wer_result")["value"] == expected["result"]
        params = json.loads(r["params"])
        assert params["P5"] == expected["result_code"] and params["P6"] == expected["extend_code"]
