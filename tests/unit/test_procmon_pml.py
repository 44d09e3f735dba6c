"""Our PML reader: generated 64/32-bit captures, cross-checked against procmon-parser; damaged files; the store."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import pytest
from procmon_parser import ProcmonLogsReader

from tests.conftest import fixture_file
from tests.unit.procmon_scenario import at, upgrade_scenario
from workbench.core.case import Case
from workbench.core.parsers.pml import PmlFile, PmlFormatError, read_event_details, result_name
from workbench.writers.procmon import Ev, write_pml


def _ours(path: Path) -> list[tuple[str, str, str, int]]:
    with PmlFile(path) as pml:
        return [(op, p, result_name(res), pml.processes[pidx].pid)
                for (_i, _o, pidx, _t, _k, op, p, res, _ft, _d, _s) in pml.iter_events()]


def _theirs(path: Path) -> list[tuple[str, str, str, int]]:
    with open(path, "rb") as fh:
        out = []
        for e in ProcmonLogsReader(fh, should_get_stacktrace=False, should_get_details=True):
            row = e.get_compatible_csv_info()
            out.append((row["Operation"], row["Path"], row["Result"], e.process.pid))
        return out


@pytest.mark.parametrize("is_64bit", [True, False])
def test_generated_capture_reads_like_procmon_parser(tmp_path: Path, is_64bit: bool) -> None:
    procs, events = upgrade_scenario()
    path = write_pml(tmp_path / "cap.pml", procs, events, is_64bit=is_64bit)
    ours = _ours(path)
    assert len(ours) == len(events) == 31
    assert ours == _theirs(path)
    assert ("CreateFile", "C:\\$WINDOWS.~BT\\Sources\\SafeOS\\winre.wim", "SHARING VIOLATION", 7000) in ours
    assert ("TCP Connect", "10.0.0.5:50000 -> 93.184.216.34:443", "SUCCESS", 7000) in ours
    with PmlFile(path) as pml:
        assert pml.header.is_64bit is is_64bit
        assert pml.header.computer == "TEST-PC"
        host = pml.processes[6]
        assert (host.name, host.pid, host.parent_process) == ("SetupHost.exe", 6412, 5)
        assert [m[2] for m in host.modules][1] == "C:\\Program Files\\Contoso\\cthook64.dll"
        exits = {pml.processes[e[2]].name: e[10] for e in pml.iter_events() if e[5] == "Process Exit"}
    assert exits["SetupHost.exe"] == 0x8007001F


def test_ingest_puts_events_processes_and_modules_in_the_store(tmp_path: Path) -> None:
    procs, events = upgrade_scenario()
    path = write_pml(tmp_path / "Logfile.PML", procs, events)
    case = Case.open(path)
    case.ensure_ingested()
    s = case.store
    assert s.scalar("SELECT count(*) FROM timeline WHERE source = 'procmon' AND basis = 'utc'") == 31
    assert s.scalar("SELECT count(*) FROM procmon_events") == 31
    # the timeline row of the crash joins to its detail row by (file_id, line)
    row = s.query("SELECT t.ts, t.level, t.component, e.operation, e.detail FROM timeline t JOIN procmon_events e "
                  "ON e.file_id = t.file_id AND e.line = t.line WHERE e.detail = 'Exit Status: -1073741819'")[0]
    assert (row["level"], row["component"], row["operation"]) == ("error", "dismhost.exe", "Process Exit")
    assert row["ts"] == (at(20) - 116444736000000000) // 10
    p = {r["process"]: r for r in s.query("SELECT * FROM procmon_processes")}
    assert len(p) == 10
    assert p[7]["exit_status"] == 0xC0000005 and p[9]["exit_status"] == 0
    assert (p[7]["pid"], p[9]["pid"]) == (7000, 7000)  # PID reused: two processes
    assert p[6]["n_process"] == 6 and p[6]["n_registry"] == 1 and p[6]["n_file"] == 1
    assert s.scalar("SELECT count(*) FROM procmon_modules WHERE path LIKE '%cthook64.dll'") == 1
    assert s.scalar("SELECT status FROM files WHERE kind = 'pml'") == "parsed"
    assert not s.query("SELECT * FROM problems")


def test_truncated_capture_keeps_the_events_before_the_cut(tmp_path: Path) -> None:
    procs, events = upgrade_scenario()
    full = write_pml(tmp_path / "full.pml", procs, events).read_bytes()
    cut = tmp_path / "cut.pml"
    cut.write_bytes(full[: len(full) // 2])
    case = Case.open(cut)
    case.ensure_ingested()
    s = case.store
    n = s.scalar("SELECT count(*) FROM procmon_events")
    assert 0 < n < 31
    # what was read is right: the first events, in order, with their operations
    ops = [r[0] for r in s.conn.execute("SELECT operation FROM procmon_events ORDER BY line LIMIT 3")]
    assert ops == ["Process Create", "Process Start", "Load Image"]
    errors = " ".join(r[0] for r in s.conn.execute("SELECT error FROM problems"))
    assert "cut short" in errors and "recovered" in errors
    assert s.scalar("SELECT status FROM files WHERE kind = 'pml'") == "partial"


def test_capture_not_closed_cleanly_is_walked(tmp_path: Path) -> None:
    procs, events = upgrade_scenario()
    data = bytearray(write_pml(tmp_path / "full.pml", procs, events).read_bytes())
    struct.pack_into("<QQQQ", data, 0x248, 0, 0, 0, 0)  # Procmon died: no tables, no offsets
    path = tmp_path / "dirty.pml"
    path.write_bytes(bytes(data))
    with PmlFile(path) as pml:
        got = [e[5] for e in pml.iter_events()]
        assert "not closed cleanly" in pml.problems[0][0]
    # every event is still there (the record walk stops at the first bytes that are not an event)
    assert got[:31] == [e[5] for e in PmlFile(tmp_path / "full.pml").iter_events()]


def test_garbage_and_wrong_version_are_refused_with_a_reason(tmp_path: Path) -> None:
    short = tmp_path / "a.pml"
    short.write_bytes(b"PML_" + b"\x01" * 100)
    with pytest.raises(PmlFormatError, match="too short"):
        PmlFile(short)
    other = tmp_path / "b.pml"
    other.write_bytes(b"PML_" + struct.pack("<I", 7) + b"\0" * 1000)
    with pytest.raises(PmlFormatError, match="version 7"):
        PmlFile(other)
    case = Case.open(other)
    case.ensure_ingested()
    assert "version 7" in case.store.scalar("SELECT error FROM problems")


def test_stack_and_details_are_read_on_demand(tmp_path: Path) -> None:
    procs, events = upgrade_scenario()
    events[9] = Ev(6, events[9].time, 3, 0x14, path=events[9].path, tid=6416,
                   stack=(0x7FFB10000000 + 0x1234, 0x7FF700000000 + 0x10))
    path = write_pml(tmp_path / "stack.pml", procs, events)
    info = read_event_details(path, 9)
    assert info["operation"] == "CreateFile"
    assert info["stack"] == ["cthook64.dll+0x1234", "SetupHost.exe+0x10"]
    assert "Desired Access" in info["details"]


def _fixture_pml(shared: Path, tmp_path: Path, name: str) -> Path:
    src = fixture_file(shared, f"procmon/procmon-parser/{name}")
    out = tmp_path / f"{name}.pml"
    out.write_bytes(zlib.decompress(src.read_bytes()))
    return out


@pytest.mark.fixtures
@pytest.mark.parametrize("name", ["CompressedLogFileUTC32FilesystemPML", "CompressedLogfileTests64bitUTCPML"])
def test_real_captures_read_like_procmon_parser(shared_fixtures: Path, tmp_path: Path, name: str) -> None:
    path = _fixture_pml(shared_fixtures, tmp_path, name)
    assert _ours(path) == _theirs(path)


@pytest.mark.fixtures
def test_real_process_capture_table(shared_fixtures: Path) -> None:
    path = fixture_file(shared_fixtures, "procmon/procmon-parser-decompressed/LogFileUTC64Process.PML")
    with PmlFile(path) as pml:
        assert len(pml.processes) == 74
        statuses = [e[10] for e in pml.iter_events() if e[10]]
    assert 0xC000042C in statuses


def test_capture_cut_inside_its_strings_table_keeps_events_and_processes(tmp_path: Path) -> None:
    procs, events = upgrade_scenario()
    full = write_pml(tmp_path / "full.pml", procs, events).read_bytes()
    path = tmp_path / "cut.pml"
    path.write_bytes(full[: len(full) - 120])  # the end of the strings table, icons and hosts are gone
    with PmlFile(path) as pml:
        assert len(list(pml.iter_events())) == 31
        assert len(pml.processes) == 10
        assert pml.processes[4].name == "setup.exe" and pml.processes[4].pid == 5120
        assert "strings table is cut short" in pml.problems[0][0]


def _peak_parse_memory(tmp_path: Path, copies: int) -> tuple[int, int]:
    """(events, peak bytes traced) while parsing the scenario repeated ``copies`` times into a store."""
    import tracemalloc

    from workbench.core.parsers.base import CaseFile, Mediator
    from workbench.core.parsers.pml import PmlParser
    from workbench.core.store import CaseStore

    procs, events = upgrade_scenario()
    many = [Ev(**{**e.__dict__, "time": e.time + k * 600_000_000}) for k in range(copies) for e in events]
    path = write_pml(tmp_path / f"big{copies}.pml", procs, many)
    store = CaseStore.open(tmp_path / f"db{copies}.sqlite")
    parser = PmlParser()
    store.create_tables(parser.tables.values())
    med = Mediator(store, CaseFile(1, path.name, "pml", None, path), parser.name)
    tracemalloc.start()
    parser.parse(med.file, med)
    med.flush()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    store.commit()
    return med.events, peak


def test_memory_stays_bounded_as_the_capture_grows(tmp_path: Path) -> None:
    small_n, small = _peak_parse_memory(tmp_path, 200)
    big_n, big = _peak_parse_memory(tmp_path, 1600)
    assert (small_n, big_n) == (200 * 31, 1600 * 31)
    # eight times the events, about the same peak: rows go to the store in batches, nothing accumulates
    assert big < small * 1.5, (small, big)
