"""Upgrade reconstruction on the real setup logs (../shared/fixtures/setup), through the real ingest pipeline."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.conftest import fixture_file
from workbench.core.analysis import build_analysis
from workbench.core.case import Case
from workbench.core.store import CaseStore

BASLR = {
    "$WINDOWS.~BT/Sources/Rollback/setupact.log": "setup/baslr_w10-logs__Rollback__setupact.log",
    "$WINDOWS.~BT/Sources/Rollback/setuperr.log": "setup/baslr_w10-logs__Rollback__setuperr.log",
    "$WINDOWS.~BT/Sources/Rollback/setupapi/setupapi.dev.log":
        "setup/baslr_w10-logs__Rollback__setupapi__setupapi.dev.log",
}
RICK = {"$WINDOWS.~BT/Sources/Panther/setupact.log": "setup/rickaK77_Setup-Log__setupact.log"}
SAMSUNG = {
    "$Windows.~WS/Sources/Panther/setupact.log": "setup/copyleft21_samsung__setupact.log",
    "$Windows.~WS/Sources/Panther/setuperr.log": "setup/copyleft21_samsung__setuperr.log",
}


def _case(shared: Path, tmp_path: Path, *layouts: dict[str, str]) -> CaseStore:
    root = tmp_path / "case"
    for layout in layouts:
        for dst, src in layout.items():
            target = root / dst
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(fixture_file(shared, src), target)
    case = Case.open(root)
    case.ensure_ingested()
    return case.store


def _fact(store: CaseStore, name: str) -> dict:
    row = store.fact(name)
    assert row is not None, f"no fact {name}"
    return dict(row)


@pytest.mark.fixtures
def test_baslr_rollback_0x30018(shared_fixtures: Path, tmp_path: Path) -> None:
    store = _case(shared_fixtures, tmp_path, BASLR)
    up = build_analysis(store)["upgrade"]
    assert up["result_code"] == "0xC1900101"
    assert up["extend_code"] == "0x30018"
    assert up["phase"] == "FIRST_BOOT"
    assert up["operation"] == "SYSPREP"
    assert up["rollback"] is True
    assert (up["source_build"], up["target_build"]) == ("18363", "19041")
    # the winning evidence is the post-reboot report in the Rollback log, with its line
    code = _fact(store, "upgrade.result_code")
    assert code["file"].endswith("Sources/Rollback/setupact.log")
    assert "Reporting post reboot event -> [0xC1900101, 0x30018]" in code["text"]
    assert code["line"] in (5377, 5680)
    assert _fact(store, "setup.code_layer")["value"] == "SP"
    assert _fact(store, "setup.sp_phase_string")["value"] == "FirstBoot,Start"
    assert _fact(store, "setup.rollback_count")["value"] == "18"
    # rollback phases 0/1/2 and the reboot between WinPE and the old OS
    phases = json.loads(_fact(store, "setup.phases")["value"])
    names = [p["name"] for p in phases if p["kind"] == "rollback"]
    assert [n.split(":")[0] for n in names] == ["Rollback phase 0", "Rollback phase 1", "Rollback phase 2"]
    assert all(p["start"] is not None for p in phases)
    ends = [p["end_text"] for p in phases if p["kind"] == "rollback"]
    assert ends == ["2021-05-18T03:12:23", "2021-05-18T05:12:58", "2021-05-18T05:13:22"]
    reboots = json.loads(_fact(store, "setup.reboots")["value"])
    assert any("Boot Session" in r["why"] for r in reboots)
    assert any("rollback" in r["why"] for r in reboots)


@pytest.mark.fixtures
def test_baslr_unfinished_device_install(shared_fixtures: Path, tmp_path: Path) -> None:
    store = _case(shared_fixtures, tmp_path, BASLR)
    hang = _fact(store, "setupapi.unfinished_section")
    info = json.loads(hang["value"])
    # The install really running (not one queued behind it) is the PCIe root port 8C14 of the Intel
    # chipset package lynxpointsystem.inf; it got to "Restarting device" and never ended.
    assert info["inf_original"] == "lynxpointsystem.inf" and info["inf"] == "oem0.inf"
    assert "DEV_8C14" in info["device"]
    assert info["description"] == "Intel(R) 8 Series/C220 Series PCI Express Root Port #3 - 8C14"
    assert info["state"] == "installing"
    assert hang["line"] == 961 and hang["file"].endswith("Rollback/setupapi/setupapi.dev.log")
    rows = store.query("SELECT device, status, state FROM setupapi_sections WHERE status = 'unfinished'")
    assert len(rows) == 10
    assert sum(r["state"] == "waiting" for r in rows) == 7
    done = store.scalar("SELECT count(*) FROM setupapi_sections WHERE status = 'SUCCESS'")
    assert done == 15
    # the binary tail is a problem naming the file, and the file is partial, not failed
    problems = store.query("SELECT file, error FROM problems")
    assert any(p["file"].endswith("setupapi.dev.log") and "binary" in p["error"] for p in problems)
    assert store.scalar("SELECT status FROM files WHERE path LIKE '%setupapi.dev.log'") == "partial"
    # on the timeline as an error row, and named in the failure finding
    assert store.scalar("SELECT count(*) FROM timeline WHERE component = 'setupapi.unfinished_section' "
                        "AND level = 'error'") == 10
    finding = store.query("SELECT * FROM findings WHERE rule_id = 'upgrade.failure'")[0]
    assert "lynxpointsystem.inf" in finding["summary"] and "0x30018" in finding["title"]


@pytest.mark.fixtures
def test_rick_downlevel_moupg_code(shared_fixtures: Path, tmp_path: Path) -> None:
    store = _case(shared_fixtures, tmp_path, RICK)
    up = build_analysis(store)["upgrade"]
    assert (up["result_code"], up["extend_code"], up["phase"]) == ("0x80070032", "0x50013", "DOWNLEVEL")
    # a MOUPG code: the SP table would say UNINSTALL / REGISTER_ASYNC_PROCESS, so no operation is decoded
    assert up["operation"] is None
    assert up["rollback"] is False
    assert (up["source_build"], up["target_build"]) == ("17134", "19041")
    assert _fact(store, "setup.code_layer")["value"] == "MOUPG"
    assert _fact(store, "setup.outcome")["value"] == "failed"
    assert (_fact(store, "setup.moupg_phase")["value"], _fact(store, "setup.moupg_subphase")["value"]) == ("5", "0x13")
    assert _fact(store, "setup.mapped_result")["value"] == "0xC1900108"
    # the origin of 0x80070032, and the DISM failure that preceded it
    origin = _fact(store, "setup.origin_error")
    assert "Disk provisioning is not available" in origin["value"] and origin["line"] == 5904
    chain = json.loads(_fact(store, "setup.preceding_errors")["value"])
    dism = [c for c in chain if c["component"] == "DISM" and c["code"] == "0x80040154"]
    assert dism and dism[0]["line"] == 3101 and dism[0]["line"] < origin["line"]
    failed = _fact(store, "setup.first_failed_operation")
    assert failed["value"].startswith("Set boot command") and failed["line"] == 3143
    assert _fact(store, "setup.first_failed_operation_error")["value"] == "0x80040154"
    finding = store.query("SELECT * FROM findings WHERE rule_id = 'upgrade.failure'")[0]
    assert "DISM 0x80040154" in finding["summary"]
    lines = {r["line"] for r in store.query("SELECT line FROM evidence WHERE finding_id = ?", (finding["id"],))}
    assert {3101, 3143} <= lines


@pytest.mark.fixtures
def test_rollback_evidence_beats_downlevel(shared_fixtures: Path, tmp_path: Path) -> None:
    # one case holding a down-level failure log and a rollback: the post-reboot report wins
    store = _case(shared_fixtures, tmp_path, RICK, BASLR)
    up = build_analysis(store)["upgrade"]
    assert (up["result_code"], up["extend_code"], up["phase"], up["rollback"]) == (
        "0xC1900101", "0x30018", "FIRST_BOOT", True)


@pytest.mark.fixtures
def test_earlier_attempts_in_panther_setuperr_do_not_explain_the_rollback(shared_fixtures: Path,
                                                                         tmp_path: Path) -> None:
    panther = {"$WINDOWS.~BT/Sources/Panther/setuperr.log": "setup/baslr_w10-logs__Panther__setuperr.log"}
    store = _case(shared_fixtures, tmp_path, BASLR, panther)
    assert build_analysis(store)["upgrade"]["extend_code"] == "0x30018"
    # Panther's setuperr holds a sysprep failure of another attempt: listed, but not named as the cause
    assert store.fact("setup.first_failed_operation") is None
    listed = json.loads(_fact(store, "setup.failed_operations")["value"])
    assert listed[0]["operation"].startswith("Run sysprep specialization offline")


@pytest.mark.fixtures
def test_samsung_media_creation_tool_cancel(shared_fixtures: Path, tmp_path: Path) -> None:
    store = _case(shared_fixtures, tmp_path, SAMSUNG)
    up = build_analysis(store)["upgrade"]
    assert up["extend_code"] == "0x20018" and up["phase"] == "DOWNLEVEL" and up["operation"] is None
    assert _fact(store, "setup.client")["value"] == "Media Creation Tool / web setup"
    assert _fact(store, "setup.scenario")["value"] == "Media Creation Tool"
    assert _fact(store, "setup.outcome")["value"] == "cancelled by the user"


def test_no_setup_logs_no_upgrade_facts(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("nothing to see\n")
    case = Case.open(path)
    case.ensure_ingested()
    up = build_analysis(case.store)["upgrade"]
    assert all(v is None for v in up.values())


def test_generated_crash_header_and_post_reboot(tmp_path: Path) -> None:
    """A rollback log the test writes: a crash header with parameters, and an OOBE-boot post-reboot report."""
    lines = [
        "2024-01-02 10:00:00, Info                  SP     Initiating rollback/uninstall, phase = 0",
        "2024-01-02 10:00:00, Info                  SP     Current phase : 4",
        "2024-01-02 10:00:00, Info                  SP     Current op    : 23",
        "2024-01-02 10:00:01, Info                  SP     Crash 0x0000007E detected",
        "2024-01-02 10:00:01, Info                  SP     Bugcheck parameter 1: 0xFFFFFFFFC0000005",
        "2024-01-02 10:20:00, Info                  SP     Initiating rollback/uninstall, phase = 1",
        "2024-01-02 10:21:00, Info                  MOUPG  SetupHost: Reporting post reboot event -> [0xC1900101, 0x40017]",
    ]
    path = tmp_path / "$WINDOWS.~BT" / "Sources" / "Rollback" / "setupact.log"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"\xef\xbb\xbf" + "\r\n".join(lines).encode() + b"\r\n")
    case = Case.open(tmp_path / "$WINDOWS.~BT")
    case.ensure_ingested()
    store = case.store
    up = build_analysis(store)["upgrade"]
    assert (up["result_code"], up["extend_code"], up["phase"], up["operation"], up["rollback"]) == (
        "0xC1900101", "0x40017", "OOBE_BOOT", "BOOT", True)
    assert _fact(store, "setup.header_extend_code")["value"] == "0x40017"
    assert _fact(store, "setup.crash_detected")["value"] == "true"
    assert _fact(store, "crash.bugcheck_code")["value"] == "0x0000007E"
    assert _fact(store, "setup.bugcheck_parameter1")["value"] == "0xFFFFFFFFC0000005"
    assert json.loads(_fact(store, "crash.parameters")["value"]) == ["0xFFFFFFFFC0000005"]
    bands = [p for p in json.loads(_fact(store, "setup.phases")["value"]) if p["kind"] == "file"]
    assert [b["phase"] for b in bands] == ["ROLLBACK"]


def test_generated_imageexit_safeos_code(tmp_path: Path) -> None:
    """``setupact_rollback.log`` ImageExit lines (SupportArticles 0x800F0818): SP codes, decoded with the table."""
    lines = [
        "2024-05-01 09:00:00, Info                  MOUPG  ImageExit: Initializing SetupResult: [0x800f0818]",
        "2024-05-01 09:00:00, Info                  MOUPG  ImageExit: Initializing Extended: [0x20003]",
    ]
    path = tmp_path / "$WINDOWS.~BT" / "Sources" / "Rollback" / "setupact_rollback.log"
    path.parent.mkdir(parents=True)
    path.write_text("\r\n".join(lines) + "\r\n", "utf-8")
    case = Case.open(tmp_path / "$WINDOWS.~BT")
    case.ensure_ingested()
    up = build_analysis(case.store)["upgrade"]
    assert (up["result_code"], up["extend_code"], up["phase"], up["operation"]) == (
        "0x800F0818", "0x20003", "SAFE_OS", "INSTALL_UPDATES")
