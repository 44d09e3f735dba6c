"""The EVTX parser through the real ingest pipeline: fixture counts, listed events, damage, duplicates, speed path.

Real logs come from ../shared/fixtures/evtx (expected.json is the oracle: evtx-rs skip_errors counts, first
and last TimeCreated, signal events); here damaged inputs are made by mutating a fixture's bytes. The same
features on logs the tests write themselves, for when the fixtures are absent: test_evtx_selfmade.py.
"""

from __future__ import annotations

import json
import shutil
from datetime import datetime, timezone
from pathlib import Path

import pluggy
import pytest

from tests.archives import setupact_bytes
from workbench.core import identify
from workbench.core.case import Case
from workbench.core.errors import IngestCancelled
from workbench.core.ingest import Ingest
from workbench.core.parsers import evtx as evtx_parser
from workbench.core.parsers import setupact
from workbench.core.plugins import hookspecs

LOGS = "Windows/System32/winevt/Logs"

#: expected.json signal labels -> (provider, event id) as the records name them.
SIGNALS = {
    "SCM": "Service Control Manager",
    "WUClient": "Microsoft-Windows-WindowsUpdateClient",
    "Kernel-Power": "Microsoft-Windows-Kernel-Power",
    "EventLog": "EventLog",
    "BugCheck": "Microsoft-Windows-WER-SystemErrorReporting",
    "Application Error": "Application Error",
    "WER": "Windows Error Reporting",
    "Setup": "Microsoft-Windows-Setup",
}


def plugin_manager() -> pluggy.PluginManager:
    """Only the plugins these tests are about, so a teammate's unfinished plugin cannot fail them."""
    pm = pluggy.PluginManager("workbench")
    pm.add_hookspecs(hookspecs)
    for module in (identify, setupact, evtx_parser):
        pm.register(module, name=module.__name__)
    return pm


def ingest_folder(folder: Path, home: Path | None = None, **kwargs: object) -> Case:
    case = Case.open(folder, home=home)
    Ingest(case, plugin_manager=plugin_manager()).run(**kwargs)  # type: ignore[arg-type]
    return case


def evtx_dir(shared: Path) -> Path:
    folder = shared / "evtx"
    if not (folder / "expected.json").exists():
        pytest.skip(f"no EVTX fixtures with expected.json in {folder}")
    return folder


def file_id(case: Case, name: str) -> int:
    fid = case.store.scalar("SELECT id FROM files WHERE path LIKE ?", (f"%/{name}",))
    assert fid is not None, name
    return int(fid)


# ------------------------------------------------------------------------------------------ every fixture


@pytest.fixture(scope="module")
def fixture_case(tmp_path_factory: pytest.TempPathFactory, shared_fixtures: Path) -> tuple[Case, dict]:
    """One case holding every fixture file, each in its own folder (names repeat: system.evtx twice)."""
    folder = evtx_dir(shared_fixtures)
    expected = json.loads((folder / "expected.json").read_text("utf-8"))
    root = tmp_path_factory.mktemp("fixture_case") / "case"
    for rel in expected:
        target = root / rel.replace("/", "__") / LOGS / Path(rel).name
        target.parent.mkdir(parents=True)
        shutil.copy(folder / rel, target)
    case = ingest_folder(root, home=tmp_path_factory.mktemp("home"))
    yield case, expected
    case.close()


def test_every_fixture_matches_the_oracle(fixture_case: tuple[Case, dict]) -> None:
    """Record counts (what the best parser recovers), first/last TimeCreated, and a problem iff damage."""
    case, expected = fixture_case
    store = case.store
    for rel, facts in expected.items():
        fid = store.scalar("SELECT id FROM files WHERE path LIKE ?", (rel.replace("/", "__") + "/%",))
        want = facts["records"]["evtx_rs_0.14_skip_errors"]
        got = store.scalar("SELECT count(*) FROM evtx_records WHERE file_id = ?", (fid,))
        assert got == want, rel
        assert store.scalar("SELECT count(*) FROM timeline WHERE file_id = ?", (fid,)) == want, rel
        assert store.scalar("SELECT records FROM files WHERE id = ?", (fid,)) == want, rel
        lo, hi = store.conn.execute("SELECT min(ts), max(ts) FROM evtx_records WHERE file_id = ?", (fid,)).fetchone()
        first = datetime.fromtimestamp(lo / 1e6, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
        last = datetime.fromtimestamp(hi / 1e6, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
        assert (first, last) == (facts["first_time_created"], facts["last_time_created"]), rel
        problems = store.scalar("SELECT count(*) FROM problems WHERE file_id = ?", (fid,))
        status = store.scalar("SELECT status FROM files WHERE id = ?", (fid,))
        if facts["records"]["evtx_rs_warnings"]:
            assert problems >= 1 and status == "partial", rel
        else:
            assert problems == 0 and status == "parsed", rel
        health = json.loads(store.scalar(
            "SELECT value FROM facts WHERE name = 'evtx.file_health' AND file_id = ?", (fid,)))
        assert health["records"] == want and health["dirty"] == facts["dirty"], rel
        assert health["channel"] == facts["channel"], rel


def test_signal_events_are_counted_and_readable(fixture_case: tuple[Case, dict]) -> None:
    case, expected = fixture_case
    store = case.store
    for rel, facts in expected.items():
        fid = store.scalar("SELECT id FROM files WHERE path LIKE ?", (rel.replace("/", "__") + "/%",))
        for label, count in facts["signals"].items():
            head = label.split(" (")[0]
            name, _, eid = head.rpartition(" ")
            provider = SIGNALS[name]
            got = store.scalar("SELECT count(*) FROM evtx_records WHERE file_id = ? AND provider = ? "
                               "AND event_id = ?", (fid, provider, int(eid)))
            assert got == count, (rel, label)


def _message(store, provider: str, eid: int, file_like: str) -> str:
    row = store.conn.execute(
        "SELECT t.message FROM evtx_records e JOIN timeline t ON t.file_id = e.file_id AND t.line = e.line "
        "JOIN files f ON f.id = e.file_id WHERE e.provider = ? AND e.event_id = ? AND f.path LIKE ? LIMIT 1",
        (provider, eid, f"%{file_like}%")).fetchone()
    assert row is not None, (provider, eid, file_like)
    return row[0]


def test_listed_events_have_readable_messages(fixture_case: tuple[Case, dict]) -> None:
    store = fixture_case[0].store
    bugcheck = _message(store, "Microsoft-Windows-WER-SystemErrorReporting", 1001, "python-evtx__system")
    assert "bugcheck 0x00010001" in bugcheck and "MEMORY.DMP" in bugcheck and bugcheck.startswith("System 1001:")
    assert "rebooted without cleanly shutting down" in _message(store, "Microsoft-Windows-Kernel-Power", 41,
                                                                 "plaso__System.evtx")
    assert "8/25/2015" in _message(store, "EventLog", 6008, "plaso__System.evtx")
    assert "unexpected" in _message(store, "EventLog", 6008, "plaso__System.evtx")
    sync = _message(store, "Service Control Manager", 7031, "zero-data-size")
    assert "Sync Host_Session2 service terminated unexpectedly" in sync and "Restart the service" in sync
    assert "failed to start: error 50 (The request is not supported)" in _message(
        store, "Service Control Manager", 7000, "omerbenamram-evtx__system")
    crash = _message(store, "Application Error", 1000, "many-events-application")
    assert "rundll32.exe" in crash and "KERNELBASE.dll" in crash and "0xC0000005" in crash
    wu = _message(store, "Microsoft-Windows-WindowsUpdateClient", 20, "2-vss_7-System")
    assert wu.startswith("System 20: Windows Update: Installation failure") and "0x8024001e" in wu
    boot = _message(store, "EventLog", 6009, "2-vss_7-System")
    assert "build 17134" in boot
    pnp = _message(store, "Microsoft-Windows-Kernel-PnP", 219, "omerbenamram-evtx__system")
    assert "failed to load for device" in pnp and "(status 0xC0000365)" in pnp
    assert "installed: Windows 10 Pro 10.0 build 15063" in _message(store, "Microsoft-Windows-Setup", 2004,
                                                                    "omerbenamram-evtx__system")
    tz = _message(store, "EventLog", 6013, "2-vss_7-System")
    assert "Pacific Standard Time (UTC-08:00)" in tz and "Windows 10 Enterprise" in tz


def test_facts_from_system_logs(fixture_case: tuple[Case, dict]) -> None:
    store = fixture_case[0].store
    zones = {r[0] for r in store.conn.execute("SELECT value FROM facts WHERE name = 'system.time_zone'")}
    assert {"Pacific Standard Time", "Romance Standard Time", "Eastern Standard Time"} <= zones
    assert store.scalar("SELECT max(weight) FROM facts WHERE name = 'system.time_zone'") == 5
    builds = {r[0] for r in store.conn.execute("SELECT value FROM facts WHERE name = 'evtx.boot_build'")}
    assert {"17134", "15063", "7601"} <= builds
    code = store.scalar("SELECT value FROM facts WHERE name = 'evtx.bugcheck_code'")
    assert code == "0x00010001"
    # the 6013 zone is a fallback: a stronger source (msinfo32, weight 10) wins
    store.insert_facts([("system.time_zone", "China Standard Time", None, None, None, None, "nfo", 10)])
    assert store.fact("system.time_zone")["value"] == "China Standard Time"
    store.conn.execute("DELETE FROM facts WHERE text = 'nfo'")


def test_damaged_records_are_kept_and_flagged(fixture_case: tuple[Case, dict]) -> None:
    store = fixture_case[0].store
    rows = store.conn.execute(
        "SELECT e.provider, e.ts, e.channel, t.message FROM evtx_records e JOIN files f ON f.id = e.file_id "
        "JOIN timeline t ON t.file_id = e.file_id AND t.line = e.line "
        "WHERE e.damaged = 1 AND f.path LIKE '%bad_chunk_magic%'").fetchall()
    assert rows and all(r[0] is None for r in rows)
    assert rows[0][3].startswith("(no channel) 0: (damaged record: no provider, no time, no channel)")
    lang = store.conn.execute(
        "SELECT count(*) FROM evtx_records e JOIN files f ON f.id = e.file_id "
        "WHERE e.damaged = 1 AND e.channel IS NULL AND f.path LIKE '%LanguagePackSetup%'").fetchone()[0]
    assert lang == 1


def test_problems_name_the_damaged_chunks(fixture_case: tuple[Case, dict]) -> None:
    store = fixture_case[0].store
    errors = [r[0] for r in store.conn.execute(
        "SELECT p.error FROM problems p JOIN files f ON f.id = p.file_id WHERE f.path LIKE '%bad_chunk_magic%'")]
    assert any("damaged chunk 6 (at byte 397312)" in e for e in errors)
    # sysmon: chunk 9 is zero-filled past the header's chunk count (unused space, not damage)
    sysmon = [r[0] for r in store.conn.execute(
        "SELECT p.error FROM problems p JOIN files f ON f.id = p.file_id WHERE f.path LIKE '%sysmon%'")]
    assert not any("chunk 9 " in e for e in sysmon) and any("chunk 10 " in e for e in sysmon)


def test_timeline_is_on_the_case_clock(fixture_case: tuple[Case, dict]) -> None:
    store = fixture_case[0].store
    zone = store.get_meta("time_zone")
    assert zone  # from a 6013 fact: nothing better is in this case
    row = store.conn.execute("SELECT ts, local, basis FROM timeline WHERE source = 'evtx' AND ts IS NOT NULL "
                             "LIMIT 1").fetchone()
    assert row[2] == "utc" and row[1] is not None


def test_raw_xml_on_demand(fixture_case: tuple[Case, dict]) -> None:
    store = fixture_case[0].store
    fid, line = store.conn.execute(
        "SELECT e.file_id, e.line FROM evtx_records e WHERE e.provider = 'Microsoft-Windows-WER-SystemErrorReporting'"
        " AND e.event_id = 1001").fetchone()
    xml = evtx_parser.record_xml_for_row(store, fid, line)
    assert xml is not None and "<EventID" in xml and f"<EventRecordID>{line}</EventRecordID>" in xml
    assert "MEMORY.DMP" in xml
    assert evtx_parser.record_xml_for_row(store, fid, 10**12) is None


# ------------------------------------------------------------------------------------------ duplicates


def test_duplicate_copies_are_read_once(tmp_path: Path, shared_fixtures: Path) -> None:
    source = evtx_dir(shared_fixtures) / "omerbenamram-evtx" / "2-vss_7-System.evtx"
    root = tmp_path / "case"
    for where in (LOGS, f"Windows.old/{LOGS}", "$WINDOWS.~BT/Sources/Rollback/evtlogs"):
        (root / where).mkdir(parents=True)
        shutil.copy(source, root / where / "System.evtx")
    case = ingest_folder(root)
    store = case.store
    assert store.scalar("SELECT count(*) FROM evtx_records") == 1160
    assert store.scalar("SELECT count(*) FROM timeline") == 1160
    healths = [json.loads(r[0]) for r in store.conn.execute(
        "SELECT value FROM facts WHERE name = 'evtx.file_health' ORDER BY file_id")]
    assert sorted(h["duplicates"] for h in healths) == [0, 1160, 1160]
    # a second ingest of the same case reads everything again (the memory of duplicates is per ingest)
    Ingest(case, plugin_manager=plugin_manager()).run()
    assert store.scalar("SELECT count(*) FROM evtx_records") == 1160
    case.close()


# ------------------------------------------------------------------------------------------ bad files


def test_empty_and_non_evtx_files_are_problems_and_the_rest_loads(tmp_path: Path) -> None:
    """Needs no fixture: a 0-byte .evtx and a text file named .evtx beside a setup log."""
    root = tmp_path / "case"
    (root / LOGS).mkdir(parents=True)
    (root / LOGS / "System.evtx").write_bytes(b"")
    (root / LOGS / "Application.evtx").write_bytes(b"this is not an event log\r\n" * 100)
    (root / LOGS / "Setup.evtx").write_bytes(b"\x00" * 70000)
    rollback = root / "$WINDOWS.~BT" / "Sources" / "Rollback"
    rollback.mkdir(parents=True)
    (rollback / "setupact.log").write_bytes(setupact_bytes())
    case = ingest_folder(root)
    store = case.store
    assert store.get_meta("ingest_state") == "complete"
    problems = {r[0].rsplit("/", 1)[-1]: r[1] for r in store.conn.execute("SELECT file, error FROM problems")}
    assert "empty (0 bytes)" in problems["System.evtx"]
    assert "not a Windows event log" in problems["Application.evtx"]
    assert problems["Setup.evtx"].startswith("only zero bytes (70000 bytes)")  # allocated, never written
    kinds = {r[0].rsplit("/", 1)[-1]: (r[1], r[2]) for r in store.conn.execute("SELECT path, kind, status FROM files")}
    assert kinds["System.evtx"] == ("evtx", "partial")
    assert kinds["setupact.log"] == ("setupact", "parsed")
    assert store.scalar("SELECT count(*) FROM timeline WHERE source = 'setupact'") == 3
    case.close()


def test_a_chunk_the_test_corrupts(tmp_path: Path, shared_fixtures: Path) -> None:
    """Overwrite chunk 5's header of a clean 27-chunk log: the other chunks load, the problem names chunk 5."""
    source = evtx_dir(shared_fixtures) / "plaso" / "System.evtx"
    data = bytearray(source.read_bytes())
    start = evtx_parser.FILE_HEADER + 5 * evtx_parser.CHUNK_SIZE
    assert data[start:start + 8] == evtx_parser.CHUNK_MAGIC
    data[start:start + 512] = b"\xab" * 512
    # and garble records in the middle of chunk 12
    middle = evtx_parser.FILE_HEADER + 12 * evtx_parser.CHUNK_SIZE + 0x3000
    data[middle:middle + 4096] = bytes(range(256)) * 16
    root = tmp_path / "case"
    (root / LOGS).mkdir(parents=True)
    (root / LOGS / "System.evtx").write_bytes(bytes(data))
    shutil.copy(evtx_dir(shared_fixtures) / "omerbenamram-evtx" / "Application_no_crc32.evtx",
                root / LOGS / "Application.evtx")
    case = ingest_folder(root)
    store = case.store
    fid = file_id(case, "System.evtx")
    count = store.scalar("SELECT count(*) FROM evtx_records WHERE file_id = ?", (fid,))
    assert 4000 < count < 5009
    errors = [r[0] for r in store.conn.execute("SELECT error FROM problems WHERE file_id = ?", (fid,))]
    assert any("damaged chunk 5 (at byte 331776)" in e for e in errors)
    assert store.scalar("SELECT status FROM files WHERE id = ?", (fid,)) == "partial"
    other = file_id(case, "Application.evtx")
    assert store.scalar("SELECT count(*) FROM evtx_records WHERE file_id = ?", (other,)) == 17
    case.close()


def test_a_truncated_log(tmp_path: Path, shared_fixtures: Path) -> None:
    source = evtx_dir(shared_fixtures) / "python-evtx" / "system.evtx"
    root = tmp_path / "case"
    (root / LOGS).mkdir(parents=True)
    (root / LOGS / "System.evtx").write_bytes(source.read_bytes()[: 4096 + 3 * 65536 + 20000])
    case = ingest_folder(root)
    count = case.store.scalar("SELECT count(*) FROM evtx_records")
    assert 0 < count < 1601
    assert case.store.get_meta("ingest_state") == "complete"
    case.close()


@pytest.mark.parametrize("workers", [0, 1])
def test_cancel_stops_the_parse_in_the_middle_of_a_file(tmp_path: Path, shared_fixtures: Path, workers: int) -> None:
    source = evtx_dir(shared_fixtures) / "plaso" / "System.evtx"
    root = tmp_path / "case"
    (root / LOGS).mkdir(parents=True)
    shutil.copy(source, root / LOGS / "System.evtx")
    asked = {"stop": False}

    def progress(p) -> None:  # the first position reported inside the file: cancel from then on
        if p.stage == "parse" and 0 < p.file_done < p.file_total:
            asked["stop"] = True

    case = Case.open(root)
    with pytest.raises(IngestCancelled):
        Ingest(case, plugin_manager=plugin_manager(), workers=workers).run(progress, lambda: asked["stop"])
    stored = case.store.scalar("SELECT count(*) FROM evtx_records")
    assert 0 < stored < 5009
    assert case.store.scalar("SELECT records FROM files WHERE kind = 'evtx'") == stored
    assert case.store.get_meta("ingest_state") == "cancelled"
    case.close()


def test_systemtime_parsing() -> None:
    us = evtx_parser.systemtime_us
    assert us("2012-03-14T04:17:38.276340Z") == int(
        datetime(2012, 3, 14, 4, 17, 38, 276340, tzinfo=timezone.utc).timestamp() * 1_000_000)
    assert us("2012-03-14T04:17:38Z") == int(datetime(2012, 3, 14, 4, 17, 38, tzinfo=timezone.utc).timestamp()) * 10**6
    assert us("2012-03-14T04:17:38.2763402Z") == us("2012-03-14T04:17:38.276340Z")
    assert us("1601-01-01T00:00:00Z") == -11644473600 * 10**6
    assert us(None) is None and us("garbage-garbage-garb") is None and us("") is None


def test_boot_builds_mark_the_upgrade_and_the_rollback() -> None:
    """Facts per file: a 6009 on another build than the boot before is a build change; repeats are dropped."""
    last: dict = {}
    seen = []
    for build in ("19045", "19045", "22631", "19045"):
        record = {"provider": "EventLog", "event_id": 6009, "channel": "System", "computer": "PC01", "level": 4,
                  "data": {"Data": ["10.00.", build, "", "Multiprocessor Free", "0"]}}
        seen += [(name, value) for name, value, _text, _weight in evtx_parser.EvtxParser._facts(record, last)]
    assert seen == [("evtx.boot_build", "19045"), ("evtx.build_change", "19045 -> 22631"),
                    ("evtx.boot_build", "22631"), ("evtx.build_change", "22631 -> 19045"),
                    ("evtx.boot_build", "19045")]


def test_identify_claims_evtx_by_name_but_not_archives() -> None:
    assert evtx_parser.workbench_identify(name="x/System.evtx", head=b"") == "evtx"
    assert evtx_parser.workbench_identify(name="x/renamed.bin", head=b"ElfFile\x00" + b"\x00" * 100) == "evtx"
    assert evtx_parser.workbench_identify(name="x/logs.evtx", head=b"PK\x03\x04rest") is None
    assert evtx_parser.workbench_identify(name="x/notes.txt", head=b"hello") is None


def test_a_damaged_file_signature_with_intact_chunks(tmp_path: Path, shared_fixtures: Path) -> None:
    """evtx-rs refuses a file whose 'ElfFile' signature is gone; its chunks are still read, through a view
    that puts the signature back (no copy anywhere)."""
    source = evtx_dir(shared_fixtures) / "plaso" / "System.evtx"
    root = tmp_path / "case"
    (root / LOGS).mkdir(parents=True)
    damaged = root / LOGS / "System.evtx"
    damaged.write_bytes(b"\x00" * 8 + source.read_bytes()[8:])
    before = damaged.read_bytes()
    case = ingest_folder(root)
    store = case.store
    assert store.scalar("SELECT count(*) FROM evtx_records") == 5009
    errors = [r[0] for r in store.conn.execute("SELECT error FROM problems")]
    assert errors == ["the file header is damaged (no 'ElfFile' signature) but its chunks are intact: records "
                      "were read with the signature put back"]
    assert damaged.read_bytes() == before  # the case's file is never written to
    fid, line = store.conn.execute("SELECT file_id, max(line) FROM evtx_records").fetchone()
    xml = evtx_parser.record_xml_for_row(store, fid, line)
    assert xml is not None and f"<EventRecordID>{line}</EventRecordID>" in xml
    case.close()


def test_6013_zone_becomes_the_case_clock(tmp_path: Path, shared_fixtures: Path) -> None:
    """Nothing better known: the System log's own 6013 zone (Pacific) clocks its UTC rows, DST included."""
    root = tmp_path / "case"
    (root / LOGS).mkdir(parents=True)
    shutil.copy(evtx_dir(shared_fixtures) / "omerbenamram-evtx" / "2-vss_7-System.evtx", root / LOGS / "System.evtx")
    case = ingest_folder(root)
    store = case.store
    assert store.get_meta("time_zone") == "Pacific Standard Time"
    assert store.get_meta("time_zone_iana") == "America/Los_Angeles"
    assert (store.get_meta("time_zone_basis"), store.get_meta("utc_offset_minutes")) == ("evtx_6013", "-480")
    hour = 3_600_000_000
    offsets = {r[0] for r in store.conn.execute(
        "SELECT ts - local FROM timeline WHERE basis = 'utc' AND ts IS NOT NULL")}
    assert offsets == {7 * hour}  # July-August 2018: daylight time, UTC-7
    case.close()
