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


def test_stamps_as_datetime_reads_them() -> None:
    """Times come from a cache of minutes and a cache of level columns: every stamp, valid or not (hour 24,
    second 60, a 29 February outside a leap year, a letter or a space in a digit's place), gives the time
    ``datetime`` gives it, or no stamp where ``datetime`` refuses it, however often the same minute comes."""
    import random
    from datetime import datetime

    from workbench.core.parsers import setupact

    rnd = random.Random(5)
    stamps = ["2024-02-29 23:59:59", "2023-02-29 00:00:00", "2026-12-31 24:00:00", "2026-12-31 23:60:00",
              "2026-12-31 23:59:60", "0001-01-01 00:00:00", "9999-12-31 23:59:59"]
    for _ in range(5000):
        chars = list(f"2026-0{rnd.randint(1, 9)}-{rnd.randint(1, 31):02} {rnd.randint(0, 23):02}:"
                     f"{rnd.randint(0, 59):02}:{rnd.randint(0, 59):02}")
        if rnd.random() < 0.3:
            chars[rnd.choice([2, 6, 9, 12, 15, 18])] = rnd.choice("x 9+")
        stamps.append("".join(chars))
    setupact._MINUTES.clear()
    for stamp in stamps * 2:  # the second time from the caches
        line = f"{stamp}, Error      [0x0601c2] IBS    something"
        try:
            expected = datetime(int(stamp[0:4]), int(stamp[5:7]), int(stamp[8:10]), int(stamp[11:13]),
                                int(stamp[14:16]), int(stamp[17:19]))
        except ValueError:
            assert split_line(line) is None, stamp
            continue
        parts = split_line(line)
        assert parts is not None and parts[1] == "error", stamp
        assert parts[0] == round((expected - datetime(1970, 1, 1)).total_seconds() * 1_000_000), stamp
