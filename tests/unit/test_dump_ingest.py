"""Dumps through the real ingest pipeline: facts, findings, detail tables, the upgrade's dump winning."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.conftest import fixture_file
from tests.unit import dumpgen
from tests.unit.test_dump_text_user import LWFMGR_KV
from workbench.core.analysis import build_analysis
from workbench.core.case import Case

T_UPGRADE = 1_700_000_000_000_000  # 2023-11-14
DAY = 86_400_000_000


def ingest(folder: Path) -> Case:
    case = Case.open(folder)
    case.ensure_ingested(force=True)
    return case


def write(folder: Path, rel: str, data: bytes | str) -> None:
    path = folder / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        path.write_text(data, "utf-8")
    else:
        path.write_bytes(data)


def test_upgrade_dump_wins_over_newer_unrelated_minidump(tmp_path: Path) -> None:
    src = tmp_path / "case"
    write(src, "$WINDOWS.~BT/Sources/Rollback/setupmem.dmp", dumpgen.lwfmgr_case(T_UPGRADE))
    # a *newer* unrelated minidump: latest-time alone would pick it
    write(src, "Windows/Minidump/010124-1-01.dmp", dumpgen.unrelated_d1(T_UPGRADE + 30 * DAY))
    case = ingest(src)
    store = case.store
    a = build_analysis(store)
    crash = a["crash"]
    assert crash["bugcheck_code"] == "0x0000007E"
    assert crash["bugcheck_name"] == "SYSTEM_THREAD_EXCEPTION_NOT_HANDLED"
    assert crash["culprit_module"] == "lwfmgr.sys"
    assert crash["parameters"][0] == "0xffffffffc0000005"
    assert crash["frames"][1] == {"module": "lwfmgr.sys", "symbol": None, "offset": "0x5167"}
    assert store.fact("crash.culprit_third_party")["value"] == "true"
    assert store.fact("crash.fault_module")["value"] == "ndis.sys"
    ids = {f["id"]: f for f in a["findings"]}
    assert ids["crash.upgrade_bugcheck"]["severity"] == "critical"
    assert "lwfmgr.sys" in ids["crash.upgrade_bugcheck"]["title"]
    assert ids["crash.upgrade_bugcheck"]["evidence"][0]["file"].endswith("setupmem.dmp")
    assert ids["crash.unrelated_dump"]["severity"] == "low"
    assert "Minidump" in ids["crash.unrelated_dump"]["evidence"][0]["file"]
    # detail tables per dump file
    rows = store.query("SELECT d.name, d.microsoft, d.on_stack FROM dump_drivers d JOIN files f "
                       "ON f.id = d.file_id WHERE f.path LIKE '%setupmem.dmp' ORDER BY d.idx")
    assert [(r["name"], r["microsoft"], r["on_stack"]) for r in rows] == [
        ("ntoskrnl.exe", 1, 1), ("ndis.sys", 1, 1), ("lwfmgr.sys", 0, 1)]
    frames = store.query("SELECT label, how, confidence FROM dump_frames d JOIN files f ON f.id = d.file_id "
                         "WHERE d.culprit = 1 AND f.path LIKE '%setupmem.dmp'")
    assert [(f["label"], f["how"], f["confidence"]) for f in frames] == [("lwfmgr.sys+0x5167", "scan", "high")]
    event = store.query("SELECT ts, level, message FROM timeline WHERE source = 'kernel_dump' ORDER BY ts")
    assert event[0]["ts"] == T_UPGRADE and event[0]["level"] == "critical"
    assert "lwfmgr.sys" in event[0]["message"]
    case.close()


def test_dump_in_setup_window_is_raised(tmp_path: Path) -> None:
    """No rollback path: the minidump written while the setup logs ran wins over an older one."""
    src = tmp_path / "case"
    write(src, "Windows/Minidump/111423-1-01.dmp", dumpgen.lwfmgr_case(T_UPGRADE))
    write(src, "Windows/Minidump/010124-1-01.dmp", dumpgen.unrelated_d1(T_UPGRADE + 60 * DAY))
    # setupact.log covering the upgrade (local time; no zone known -> treated as UTC)
    write(src, "Windows/Panther/setupact.log",
          "2023-11-14 20:00:00, Info                  SP     Setup started\n"
          "2023-11-14 22:10:00, Info                  SP     Rebooting for second boot\n")
    case = ingest(src)
    a = build_analysis(case.store)
    assert a["crash"]["culprit_module"] == "lwfmgr.sys"
    assert a["crash"]["bugcheck_code"] == "0x0000007E"
    case.close()


def test_windbg_text_and_garbage_in_a_case(tmp_path: Path) -> None:
    src = tmp_path / "case"
    write(src, "notes/setupmem_kv.txt", LWFMGR_KV)
    good = dumpgen.lwfmgr_case(T_UPGRADE)
    write(src, "Windows/Minidump/cut.dmp", good[:0x2000 + 0x900])
    write(src, "Windows/Minidump/garbage.dmp", b"PAGEDU64" + bytes(50))
    write(src, "crash/garbage_user.dmp", b"MDMP" + bytes(10))
    case = ingest(src)
    store = case.store
    kinds = {r["path"].rsplit("/", 1)[-1]: (r["kind"], r["status"]) for r in
             store.query("SELECT path, kind, status FROM files")}
    assert kinds["setupmem_kv.txt"] == ("windbg_text", "parsed")
    assert kinds["cut.dmp"] == ("kernel_dump", "partial")
    assert kinds["garbage.dmp"][1] == "partial"
    assert kinds["garbage_user.dmp"] == ("user_dump", "partial")
    problems = [r["error"] for r in store.query("SELECT error FROM problems")]
    assert any("cut short" in p for p in problems)
    a = build_analysis(store)
    # the engineer's kv of setupmem.dmp (weight 32) outranks the cut-off Minidump (weight 10)
    assert a["crash"]["culprit_module"] == "lwfmgr.sys"
    frames = a["crash"]["frames"]
    assert {"module": "ndis.sys", "symbol": "NdisFDeregisterFilterDriver", "offset": "0x47"} in frames
    case.close()


def test_dump_and_its_windbg_text_make_one_finding(tmp_path: Path) -> None:
    src = tmp_path / "case"
    write(src, "$WINDOWS.~BT/Sources/Rollback/setupmem.dmp", dumpgen.lwfmgr_case(T_UPGRADE))
    write(src, "engineer/setupmem_kv.txt", LWFMGR_KV)
    case = ingest(src)
    a = build_analysis(case.store)
    upgrade = [f for f in a["findings"] if f["id"] == "crash.upgrade_bugcheck"]
    assert len(upgrade) == 1
    # every source's evidence (the signatures reading the same crash are told under it, with their lines)
    files = sorted({e["file"].rsplit("/", 1)[-1] for e in upgrade[0]["evidence"]})
    assert files == ["setupmem.dmp", "setupmem_kv.txt"]
    # the text names ndis's export (it had symbols); it is the engineer's view of the same dump and wins
    assert a["crash"]["frames"][9]["symbol"] == "NdisFDeregisterFilterDriver"
    case.close()


@pytest.mark.fixtures
def test_fixture_dumps_ingest(shared_fixtures: Path, tmp_path: Path) -> None:
    src = tmp_path / "case"
    bin_dir = fixture_file(shared_fixtures, "dumps/bin")
    rollback = src / "$WINDOWS.~BT/Sources/Rollback"
    rollback.mkdir(parents=True)
    shutil.copy(bin_dir / "kernel_triage_x64_1000007E_amdppm.dmp", rollback / "setupmem.dmp")
    minidump = src / "Windows/Minidump"
    minidump.mkdir(parents=True)
    shutil.copy(bin_dir / "kernel_triage_arm64_1C8_powerbutton.dmp", minidump / "091421-1-01.dmp")
    for user in bin_dir.glob("user_*.dmp"):
        shutil.copy(user, src / user.name)
    case = ingest(src)
    store = case.store
    statuses = {r["path"].rsplit("/", 1)[-1]: r["status"] for r in store.query("SELECT path, status FROM files")}
    assert set(statuses.values()) == {"parsed"}, statuses
    a = build_analysis(store)
    assert a["crash"]["bugcheck_code"] == "0x1000007E"
    assert a["crash"]["bugcheck_name"] == "SYSTEM_THREAD_EXCEPTION_NOT_HANDLED_M"
    assert a["crash"]["culprit_module"] == "amdppm.sys"
    assert a["crash"]["frames"][0] == {"module": "amdppm.sys", "symbol": None, "offset": "0x334c"}
    # amdppm.sys is Microsoft's: a signature asking for a third-party culprit must be able to tell
    assert case.store.fact("crash.culprit_third_party")["value"] == "false"
    assert case.store.fact("crash.fault_module")["value"] == "amdppm.sys"
    summary = store.query("SELECT source_kind, parameter_meanings FROM dump_summary WHERE upgrade_path = 1")
    assert json.loads(summary[0]["parameter_meanings"])[3] == "address of the CONTEXT record"
    assert store.scalar("SELECT count(*) FROM dump_summary WHERE source_kind = 'user_dump'") == 5
    case.close()
