"""Procmon CSV and XML exports: locales, any column set, damaged rows, files from other programs."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from tests.conftest import fixture_file
from tests.unit.procmon_scenario import upgrade_scenario
from workbench.core.case import Case
from workbench.core.parsers.procmon_csv import parse_date, parse_number, parse_time_of_day
from workbench.writers.procmon import write_csv


def _ingest(path: Path) -> Case:
    case = Case.open(path)
    case.ensure_ingested()
    return case


def test_locale_times_dates_and_numbers() -> None:
    us = 1_000_000
    assert parse_time_of_day("6:55:07.0236729 AM") == (6 * 3600 + 55 * 60 + 7) * us + 23672
    assert parse_time_of_day("12:00:01.5 AM") == 1 * us + 500000
    assert parse_time_of_day("6:55:07.0236729 PM") == (18 * 3600 + 55 * 60 + 7) * us + 23672
    assert parse_time_of_day("18:11:37,4666062") == (18 * 3600 + 11 * 60 + 37) * us + 466606
    assert parse_time_of_day("下午 6:55:07.1") == (18 * 3600 + 55 * 60 + 7) * us + 100000
    assert parse_time_of_day("n/a") is None
    assert parse_date("7/31/2020 6:55:07 AM") == date(2020, 7, 31)
    assert parse_date("6/10/2024 6:13:20 AM") == date(2024, 6, 10)
    assert parse_date("10/06/2024 06:13:20") == date(2024, 6, 10)  # it-IT: day first
    assert parse_date("10.06.2024 06:13:20") == date(2024, 6, 10)  # ru-RU
    assert parse_date("2024/6/10 6:13:20") == date(2024, 6, 10)
    assert parse_number("1\u00a0896\u00a0448") == 1896448
    assert parse_number("16,384") == 16384
    assert parse_number("0x4d2") == 1234
    assert parse_number("n/a") is None


@pytest.mark.parametrize("locale", ["en", "it", "ru"])
def test_every_locale_gives_the_same_events_and_processes(tmp_path: Path, locale: str) -> None:
    procs, events = upgrade_scenario()
    case = _ingest(write_csv(tmp_path / f"Logfile_{locale}.CSV", procs, events, locale=locale, utc_offset_h=8))
    s = case.store
    assert s.scalar("SELECT kind FROM files") == "procmon_csv"
    assert s.scalar("SELECT count(*) FROM timeline WHERE basis = 'local'") == 31
    first = s.scalar("SELECT min(local) FROM timeline")
    # 2024-06-10 06:13:20 UTC written by a UTC+8 machine: 14:13:20 wall clock
    assert first == (1718000000 + 8 * 3600) * 1_000_000
    crash = s.query("SELECT * FROM procmon_processes WHERE exit_status = ?", (0xC0000005,))
    assert [(r["name"], r["pid"], r["basis"]) for r in crash] == [("dismhost.exe", 7000, "local")]
    assert s.scalar("SELECT count(*) FROM procmon_processes WHERE pid = 7000") == 2
    assert s.scalar("SELECT count(*) FROM procmon_events WHERE result = 'SHARING VIOLATION'") == 1
    # Process Start keeps its command line but not the environment block
    start = s.scalar("SELECT detail FROM procmon_events WHERE operation = 'Process Start' LIMIT 1")
    assert start.startswith("Parent PID: 3344, Command line:") and "Environment" not in start
    assert not s.query("SELECT * FROM problems")


def test_any_column_order_and_no_date_column(tmp_path: Path) -> None:
    procs, events = upgrade_scenario()
    cols = ("Operation", "TID", "Process Name", "Event Class", "PID", "Result", "Time of Day", "Path", "Detail",
            "Image Path", "Company")
    case = _ingest(write_csv(tmp_path / "export.csv", procs, events, columns=cols))
    s = case.store
    assert s.scalar("SELECT kind FROM files") == "procmon_csv"
    assert s.scalar("SELECT count(*) FROM procmon_events WHERE class = 'Network'") == 1
    assert s.scalar("SELECT company FROM procmon_processes WHERE name = 'ctagent.exe'") == "Contoso Ltd."
    assert s.scalar("SELECT tid FROM procmon_events WHERE operation = 'RegOpenKey' AND result = 'ACCESS DENIED'") \
        == 7104
    assert "no Date & Time column" in s.scalar("SELECT error FROM problems")
    # nothing else in this case dates the times of day: the export file's own date does (said so), never 1970
    assert s.fact("procmon.dated_from")["value"] == "file date"
    first = s.scalar("SELECT min(local) FROM timeline")
    assert first % 86_400_000_000 == (6 * 3600 + 13 * 60 + 20) * 1_000_000
    assert first > 946_684_800_000_000  # after 2000-01-01


def test_damaged_rows_give_problems_and_the_rest_is_read(tmp_path: Path) -> None:
    procs, events = upgrade_scenario()
    path = write_csv(tmp_path / "Logfile.CSV", procs, events)
    lines = path.read_bytes().split(b"\r\n")
    lines[5] = b'"garbage","only two"'
    lines[7] = lines[7].replace(b"AM", b"XX").replace(b":", b";")  # both time columns unreadable
    path.write_bytes(b"\r\n".join(lines))
    s = _ingest(path).store
    assert s.scalar("SELECT count(*) FROM procmon_events") == 30
    errors = [r[0] for r in s.conn.execute("SELECT error FROM problems")]
    assert any("row 6: 2 fields" in e for e in errors)
    assert any("row 8: unreadable time" in e for e in errors)


def test_csv_of_another_program_is_not_read_as_procmon(tmp_path: Path) -> None:
    from workbench.core.parsers.base import CaseFile, Mediator
    from workbench.core.parsers.procmon_csv import ProcmonCsvParser
    from workbench.core.store import CaseStore

    other = tmp_path / "inventory.csv"
    other.write_text('"Name","Version","Publisher"\r\n"7-Zip","23.01","Igor Pavlov"\r\n', "utf-8")
    case = _ingest(other)
    assert case.store.scalar("SELECT kind FROM files") != "procmon_csv"
    # handed to the parser anyway (renamed, misidentified): a clear problem, no rows
    store = CaseStore.open(tmp_path / "db.sqlite")
    parser = ProcmonCsvParser()
    store.create_tables(parser.tables.values())
    med = Mediator(store, CaseFile(1, "inventory.csv", "procmon_csv", None, other), parser.name)
    parser.parse(med.file, med)
    med.flush()
    assert "not a Procmon CSV export" in store.scalar("SELECT error FROM problems")
    assert store.scalar("SELECT count(*) FROM procmon_events") == 0


@pytest.mark.fixtures
def test_italian_export(shared_fixtures: Path) -> None:
    s = _ingest(fixture_file(shared_fixtures, "procmon/gpl-3.0/zingus-crysis-nanny_Logfile.CSV")).store
    assert s.scalar("SELECT count(*) FROM procmon_events") == 1321
    rows = s.query("SELECT name, pid, parent_pid, exit_status FROM procmon_processes WHERE exit_status IS NOT NULL "
                   "ORDER BY process")
    assert [(r["pid"], r["exit_status"]) for r in rows] == [(25220, 1), (8260, 0xC0000142)]
    assert s.scalar("SELECT min(local) FROM timeline") % 86_400_000_000 == (18 * 3600 + 11 * 60 + 37) * 10**6 + 466606


@pytest.mark.fixtures
def test_russian_xml_export(shared_fixtures: Path) -> None:
    s = _ingest(fixture_file(shared_fixtures, "procmon/no-license/epicmine901-epic_Logfile.XML")).store
    assert s.scalar("SELECT kind FROM files") == "procmon_xml"
    assert s.scalar("SELECT count(*) FROM procmon_processes") == 185
    assert s.scalar("SELECT count(*) FROM procmon_events") == 543
    statuses = {r[0] for r in s.conn.execute("SELECT exit_status FROM procmon_processes WHERE exit_status IS NOT NULL")}
    assert {2, 0x80004005} <= statuses
    integrity = s.scalar("SELECT integrity FROM procmon_processes WHERE name = 'Procmon64.exe'")
    assert integrity.startswith("Обязательная метка")
    # local times got the capture's date from the process list: the first event is on the day MpCmdRun started
    first_local = s.scalar("SELECT min(local) FROM timeline")
    start_utc = s.scalar("SELECT start FROM procmon_processes WHERE name = 'MpCmdRun.exe' ORDER BY start LIMIT 1")
    assert abs(first_local - start_utc) < 15 * 3600 * 10**6
    assert first_local % 86_400_000_000 == (19 * 3600 + 4 * 60 + 47) * 10**6 + 395537
