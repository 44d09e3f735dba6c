"""The fixed-column setupact format, continuation lines, lines without a stamp, free text."""

from __future__ import annotations

from pathlib import Path

from workbench.core.case import Case
from workbench.core.parsers.setupact import split_line
from workbench.core.timeline import query_timeline


def test_split_fixed_columns() -> None:
    local, level, msg_id, component, message = split_line(
        "2019-03-29 00:25:29, Info       [0x0601c2] IBS    InstallWindows:Setup Phase = 2")  # type: ignore[misc]
    assert (level, msg_id, component, message) == ("info", "0x0601c2", "IBS", "InstallWindows:Setup Phase = 2")
    parts = split_line("2021-06-09 12:08:20, Error                        [recenv.exe] Failed. Error: 0x3")
    assert parts is not None and parts[3] == "" and parts[4] == "[recenv.exe] Failed. Error: 0x3"
    parts = split_line("2021-06-09 12:08:20, Fatal Error           SP     boom")
    assert parts is not None and parts[1] == "critical" and parts[3] == "SP"
    assert split_line("AudMig: Migrated property") is None
    assert split_line("2021-13-45 99:08:20, Info   bad date") is None


def test_continuations_unstamped_lines_and_binary_tail(tmp_path: Path) -> None:
    text = (
        "2021-05-18 03:11:02, Info                  SP     Host system information:\r\n"
        "                                   VM: NO\r\n"
        "                                   Model : OfficeBook\r\n"
        "[8312] [0xc142011c] WIMGetMountedImageHandle:(2897)\r\n"
        "2021-05-18 03:11:05, Error                 MOUPG  Result = 0x80070032\r\n"
    )
    path = tmp_path / "Rollback" / "setupact.log"
    path.parent.mkdir()
    path.write_bytes(b"\xef\xbb\xbf" + text.encode() + b"\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c" * 30)
    case = Case.open(path)
    case.ensure_ingested()
    rows = list(query_timeline(case.store))
    assert [r.line for r in rows] == [1, 4, 5]
    assert rows[0].message == "Host system information:\nVM: NO\nModel : OfficeBook"
    assert rows[1].message.startswith("[8312]") and rows[1].local == rows[0].local
    assert rows[2].level == "error" and rows[2].component == "MOUPG"
    problems = case.store.query("SELECT * FROM problems")
    assert problems and "binary" in problems[0]["error"]
    assert case.store.scalar("SELECT status FROM files") == "partial"


def test_free_text_windows_setupact(tmp_path: Path) -> None:
    path = tmp_path / "Windows" / "setupact.log"
    path.parent.mkdir()
    path.write_bytes(b"AudMig: Device Ids perfect match\r\nAudMig: Migrated {a45c},2 property at 1\r\n")
    case = Case.open(path)
    case.ensure_ingested()
    rows = list(query_timeline(case.store))
    assert [r.message for r in rows] == ["AudMig: Device Ids perfect match", "AudMig: Migrated {a45c},2 property at 1"]
    assert rows[0].ts is None


def test_empty_and_garbage_logs(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "setupact.log").write_bytes(b"")
    (tmp_path / "empty" / "setuperr.log").write_bytes(bytes(range(256)) * 40)
    case = Case.open(tmp_path / "empty")
    case.ensure_ingested()
    rows = {r["path"]: r for r in case.store.query("SELECT * FROM files")}
    assert rows["setupact.log"]["status"] == "parsed" and rows["setupact.log"]["records"] == 0
    assert rows["setuperr.log"]["status"] in ("skipped", "partial")


def test_real_rollback_log(shared_fixtures: Path, tmp_path: Path) -> None:
    src = shared_fixtures / "setup" / "baslr_w10-logs__Rollback__setupact.log"
    case = Case.open(src)
    case.ensure_ingested()
    count = case.store.scalar("SELECT count(*) FROM timeline")
    assert count > 5000
    hits = list(query_timeline(case.store, text='"Reporting post reboot event"'))
    assert hits and "0x30018" in hits[0].message
    assert hits[0].component == "MOUPG" and hits[0].line == 5377
