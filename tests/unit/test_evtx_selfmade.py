"""The EVTX parser on event logs the tests write themselves (workbench.writers.evtx), so every feature is
covered where ../shared/fixtures is absent: counts over several chunks, messages and facts of the events an
upgrade case turns on, duplicates across copies, damage the test makes, truncation, a dirty header, raw XML.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import evtx
import pytest

from tests.unit.test_evtx_parser import LOGS, file_id, ingest_folder
from workbench.core.parsers import evtx as evtx_parser
from workbench.writers.evtx import Event, evtx_bytes, os_binary, write_evtx

T = datetime(2026, 11, 2, 6, 0, 0, tzinfo=timezone.utc)
PC = "TEST-PC07"


def upgrade_story() -> list[Event]:
    """A System log around a feature update that rolled back: boots on 19045, 22631, then 19045 again."""
    at = lambda minutes: T + timedelta(minutes=minutes)  # noqa: E731
    return [
        Event("EventLog", 6013, at(0), data=["", "", "", "", "86400", "60", "-480 China Standard Time"],
              binary=os_binary("Windows 10 Pro", "19045", "19045.1.amd64fre"), computer=PC, qualifiers=32768),
        Event("EventLog", 6009, at(1), data=["10.00.", "19045", "", "Multiprocessor Free", "0"], computer=PC,
              qualifiers=32768),
        Event("User32", 1074, at(10), data={
            "param1": "C:\\$WINDOWS.~BT\\Sources\\SetupHost.exe (TEST-PC07)", "param2": PC,
            "param3": "Operating System: Upgrade (Planned)", "param4": "0x80020003", "param5": "restart",
            "param6": "", "param7": "NT AUTHORITY\\SYSTEM"}, computer=PC, qualifiers=32768),
        Event("EventLog", 6006, at(11), data=[], computer=PC, qualifiers=32768),
        Event("EventLog", 6009, at(20), data=["10.00.", "22631", "", "Multiprocessor Free", "0"], computer=PC,
              qualifiers=32768),
        Event("EventLog", 6009, at(50), data=["10.00.", "19045", "", "Multiprocessor Free", "0"], computer=PC,
              qualifiers=32768),
        Event("EventLog", 6008, at(50), level=2, data=["14:49:02", "2026/11/2", "", "", "1234", "", "", "", ""],
              computer=PC, qualifiers=32768),
        Event("Microsoft-Windows-Kernel-Power", 41, at(50), level=1, data={
            "BugcheckCode": 126, "BugcheckParameter1": "0xffffffffc0000005", "BugcheckParameter2": "0xfffff8064a2b1c47",
            "BugcheckParameter3": "0xffff8a0c1f2e6f38", "BugcheckParameter4": "0xffff8a0c1f2e6770",
            "SleepInProgress": False, "PowerButtonTimestamp": 0}, computer=PC),
        Event("Microsoft-Windows-WER-SystemErrorReporting", 1001, at(51), level=2, data={
            "param1": "0x0000007e (0xffffffffc0000005, 0xfffff8064a2b1c47, 0xffff8a0c1f2e6f38, 0xffff8a0c1f2e6770)",
            "param2": "C:\\$WINDOWS.~BT\\Sources\\Rollback\\setupmem.dmp", "param3": "110226-12345-01"},
            computer=PC, qualifiers=16384),
        Event("Service Control Manager", 7026, at(52), level=2, data={"param1": "\nlwfmgr"}, computer=PC,
              qualifiers=49152),
    ]


def wer_setup_failure() -> Event:
    """Application's WER 1001 for Setup's WinSetupDiag02 report: rollback, 0xC1900101 - 0x40017."""
    params = ["1", "5", "9", "1", "c1900101", "40017", "19045", "vb_release", "22631", "ni_release"]
    return Event("Windows Error Reporting", 1001, T + timedelta(minutes=53), channel="Application", computer=PC,
                 data=["0", "5", "WinSetupDiag02", "Not available", "0", *params, "", "", "", "", ""])


def make_logs(root: Path, copies: tuple[str, ...] = (LOGS,), fill: int = 0) -> None:
    """System (the story, plus ``fill`` service events so it spans several chunks) and Application."""
    filler = [Event("Service Control Manager", 7036, T + timedelta(minutes=60, seconds=n), computer=PC,
                    data={"param1": f"Service {n % 40}", "param2": "running" if n % 2 else "stopped"},
                    qualifiers=16384) for n in range(fill)]
    for where in copies:
        write_evtx(root / where / "System.evtx", upgrade_story() + filler)
        write_evtx(root / where / "Application.evtx", [wer_setup_failure()])


def message(store, provider: str, event_id: int) -> str:  # type: ignore[no-untyped-def]
    return str(store.scalar(
        "SELECT t.message FROM evtx_records e JOIN timeline t ON t.file_id = e.file_id AND t.line = e.line "
        "WHERE e.provider = ? AND e.event_id = ?", (provider, event_id)))


def test_the_writer_makes_logs_evtx_rs_reads_like_real_ones(tmp_path: Path) -> None:
    path = write_evtx(tmp_path / "System.evtx", upgrade_story())
    records = [json.loads(r["data"])["Event"] for r in evtx.PyEvtxParser(str(path)).records_json()]
    assert len(records) == len(upgrade_story())
    first = records[0]["System"]
    assert first["EventID"] == {"#attributes": {"Qualifiers": 32768}, "#text": 6013}  # typed, as Windows writes
    assert first["TimeCreated"]["#attributes"]["SystemTime"] == "2026-11-02T06:00:00.000000Z"
    assert first["Computer"] == PC and first["Channel"] == "System" and first["EventRecordID"] == 1
    assert records[0]["EventData"]["Data"]["#text"][-1] == "-480 China Standard Time"
    assert records[7]["EventData"]["BugcheckCode"] == 126 and records[7]["EventData"]["SleepInProgress"] is False


def test_a_self_made_upgrade_story_reads_into_messages_and_facts(tmp_path: Path) -> None:
    root = tmp_path / "case"
    make_logs(root, fill=3000)  # about 10 chunks of 64 KiB
    case = ingest_folder(root)
    store = case.store
    system = file_id(case, "System.evtx")
    assert len(evtx_bytes(upgrade_story())) == 4096 + 65536
    assert store.scalar("SELECT count(*) FROM evtx_records WHERE file_id = ?", (system,)) == 3010
    assert store.scalar("SELECT count(*) FROM problems") == 0
    assert store.scalar("SELECT status FROM files WHERE id = ?", (system,)) == "parsed"
    assert "bugcheck 0x0000007E" in message(store, "Microsoft-Windows-Kernel-Power", 41)
    assert "setupmem.dmp" in message(store, "Microsoft-Windows-WER-SystemErrorReporting", 1001)
    assert "was unexpected" in message(store, "EventLog", 6008)
    assert "did not load: lwfmgr" in message(store, "Service Control Manager", 7026)
    assert "China Standard Time (UTC+08:00)" in message(store, "EventLog", 6013)
    assert "SetupHost.exe" in message(store, "User32", 1074)
    wer = message(store, "Windows Error Reporting", 1001)
    assert "0xC1900101 - 0x40017" in wer and "mode Rollback" in wer
    facts = {r[0]: r[1] for r in store.conn.execute("SELECT name, value FROM facts")}
    assert facts["system.time_zone"] == "China Standard Time"
    assert facts["system.os_build"] == "19045" and facts["system.computer"] == PC
    assert facts["upgrade.result_code"] == "0xC1900101" and facts["upgrade.extend_code"] == "0x40017"
    assert facts["evtx.bugcheck_code"] == "0x0000007E"
    changes = [r[0] for r in store.conn.execute("SELECT value FROM facts WHERE name = 'evtx.build_change' "
                                                "ORDER BY ts")]
    assert changes == ["19045 -> 22631", "22631 -> 19045"]
    assert store.get_meta("time_zone") == "China Standard Time"  # nothing better known: 6013 clocks the case
    assert store.scalar("SELECT count(DISTINCT ts - local) FROM timeline WHERE source = 'evtx'") == 1
    assert store.scalar("SELECT min(ts - local) FROM timeline WHERE source = 'evtx'") == -8 * 3_600_000_000
    case.close()


def test_copies_of_a_self_made_log_are_read_once(tmp_path: Path) -> None:
    root = tmp_path / "case"
    make_logs(root, copies=(LOGS, f"Windows.old/{LOGS}"))
    case = ingest_folder(root)
    assert case.store.scalar("SELECT count(*) FROM evtx_records") == len(upgrade_story()) + 1
    healths = sorted(json.loads(r[0])["duplicates"] for r in case.store.conn.execute(
        "SELECT value FROM facts WHERE name = 'evtx.file_health'"))
    assert healths == [0, 0, 1, len(upgrade_story())]
    case.close()


def test_a_chunk_damaged_by_the_test_is_named_and_the_rest_reads(tmp_path: Path) -> None:
    root = tmp_path / "case"
    make_logs(root, fill=3000)
    path = root / LOGS / "System.evtx"
    data = bytearray(path.read_bytes())
    chunks = (len(data) - 4096) // 65536
    assert chunks >= 5
    start = evtx_parser.FILE_HEADER + 2 * evtx_parser.CHUNK_SIZE
    data[start:start + 512] = b"\xab" * 512  # chunk 2's header is gone
    path.write_bytes(bytes(data))
    case = ingest_folder(root)
    store = case.store
    fid = file_id(case, "System.evtx")
    count = store.scalar("SELECT count(*) FROM evtx_records WHERE file_id = ?", (fid,))
    assert 0 < count < 3010
    errors = [r[0] for r in store.conn.execute("SELECT error FROM problems WHERE file_id = ?", (fid,))]
    assert any(f"damaged chunk 2 (at byte {start})" in e for e in errors), errors
    assert store.scalar("SELECT status FROM files WHERE id = ?", (fid,)) == "partial"
    assert store.scalar("SELECT count(*) FROM evtx_records WHERE file_id = ?", (file_id(case, "Application.evtx"),)) == 1
    case.close()


@pytest.mark.parametrize("cut", [4096 + 65536 + 30000, 4096 + 3 * 65536 + 100])
def test_a_self_made_log_cut_short_keeps_the_records_before_the_cut(tmp_path: Path, cut: int) -> None:
    root = tmp_path / "case"
    make_logs(root, fill=3000)
    path = root / LOGS / "System.evtx"
    path.write_bytes(path.read_bytes()[:cut])
    case = ingest_folder(root)
    count = case.store.scalar("SELECT count(*) FROM evtx_records WHERE file_id = ?", (file_id(case, "System.evtx"),))
    assert 0 < count < 3010
    assert case.store.get_meta("ingest_state") == "complete"
    case.close()


def test_a_dirty_header_is_reported_in_the_file_health(tmp_path: Path) -> None:
    root = tmp_path / "case"
    write_evtx(root / LOGS / "System.evtx", upgrade_story(), dirty=True)
    case = ingest_folder(root)
    (health,) = [json.loads(r[0]) for r in case.store.conn.execute(
        "SELECT value FROM facts WHERE name = 'evtx.file_health'")]
    assert health["dirty"] is True and health["records"] == len(upgrade_story())
    case.close()


def test_raw_xml_of_a_self_made_record_on_demand(tmp_path: Path) -> None:
    root = tmp_path / "case"
    make_logs(root)
    case = ingest_folder(root)
    fid, line = case.store.conn.execute(
        "SELECT file_id, line FROM evtx_records WHERE provider = 'Microsoft-Windows-Kernel-Power'").fetchone()
    xml = evtx_parser.record_xml_for_row(case.store, fid, line)
    assert xml is not None and '<Data Name="BugcheckCode">126</Data>' in xml and f"<EventRecordID>{line}<" in xml
    case.close()


def test_record_numbers_given_by_the_events_are_what_the_headers_say() -> None:
    import struct

    events = [Event("EventLog", 6005, T + timedelta(seconds=n), data=[], record_id=rid)
              for n, rid in enumerate((10, 20, 30))]
    data = evtx_bytes(events)
    next_record = struct.unpack_from("<Q", data, 0x18)[0]
    first, last = struct.unpack_from("<QQ", data, 4096 + 8)
    assert (first, last, next_record) == (10, 30, 31)


def test_templates_shared_per_chunk_read_the_same_as_inline_ones(tmp_path: Path) -> None:
    """Windows defines a template once per chunk and later records point back at it: such a log (smaller, as
    real ones are) reads record for record like one with every template inline, across chunk boundaries."""
    filler = [Event("Service Control Manager", 7036, T + timedelta(seconds=n), computer=PC,
                    data={"param1": f"Service {n % 40}", "param2": "running" if n % 2 else "stopped"})
              for n in range(3000)]
    events = upgrade_story() + filler + [wer_setup_failure()]
    inline = write_evtx(tmp_path / "inline" / "System.evtx", events)
    shared = write_evtx(tmp_path / "shared" / "System.evtx", events, shared_templates=True)
    assert shared.stat().st_size < inline.stat().st_size / 2
    assert evtx_parser.read_header(shared)["header_chunks"] > 3

    def records(path: Path) -> list[dict]:
        return [json.loads(r["data"]) for r in evtx.PyEvtxParser(str(path)).records_json()]

    assert records(shared) == records(inline) and len(records(shared)) == len(events)


def test_a_damaged_signature_is_read_without_a_copy_anywhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A log whose 'ElfFile' signature is gone is read through a view that puts it back: nothing is written
    to the temp folder (full copies there outlived killed runs, and a full temp folder failed every log)."""
    import tempfile

    tmp = tmp_path / "systmp"
    tmp.mkdir()
    monkeypatch.setenv("TMPDIR", str(tmp))
    monkeypatch.setattr(tempfile, "tempdir", str(tmp))
    root = tmp_path / "case"
    make_logs(root, fill=2000)
    system = root / LOGS / "System.evtx"
    data = system.read_bytes()
    system.write_bytes(b"\0" * 8 + data[8:])
    tmp.chmod(0o500)  # a temp folder nothing can be written to, as when it is full
    try:
        case = ingest_folder(root)
    finally:
        tmp.chmod(0o700)
    store = case.store
    fid = file_id(case, "System.evtx")
    assert store.scalar("SELECT count(*) FROM evtx_records WHERE file_id = ?", (fid,)) == len(upgrade_story()) + 2000
    assert list(tmp.iterdir()) == []
    line = store.scalar("SELECT max(line) FROM evtx_records WHERE file_id = ?", (fid,))
    xml = evtx_parser.record_xml_for_row(store, fid, line)
    assert xml is not None and f"<EventRecordID>{line}<" in xml
    assert system.read_bytes()[:8] == b"\0" * 8  # the case's own file is never written to
    case.close()
