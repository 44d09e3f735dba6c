"""A long line is one line (issue 18, 8): the lines after it keep their true numbers in every text parser, the
long line is cut for storage with a problem naming the file and the line, and memory stays flat however long
the line is."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tracemalloc
from pathlib import Path

import pytest

from tests.unit.procmon_scenario import upgrade_scenario
from tests.unit.test_dump_text_user import LWFMGR_KV
from tests.unit.test_setup_parsers import SETUPAPI, _line
from workbench.core.case import Case
from workbench.core.textio import MAX_LINE, iter_lines, read_lines
from workbench.writers.procmon import write_csv

LONG = 300 * 1024  # bytes of the long line: several 64 KiB pieces, which used to count as several lines


def _ingest(path: Path) -> Case:
    case = Case.open(path)
    case.ensure_ingested()
    return case


def _problems(case: Case) -> list[tuple[str, str]]:
    return [(r["file"], r["error"]) for r in case.store.query("SELECT file, error FROM problems")]


@pytest.mark.parametrize("codec,bom", [("utf-8", b"\xef\xbb\xbf"), ("utf-8", b""), ("gbk", b""),
                                       ("utf-16-le", b"\xff\xfe"), ("utf-16-be", b"\xfe\xff")])
def test_reader_keeps_numbers_offsets_and_the_start_of_a_long_line(codec: str, bom: bytes) -> None:
    lines = ["first 升级", "中" * LONG, "third", "x" * (3 * 1024 * 1024 + 5), "fifth 回滚"]
    data = bom + "\r\n".join(lines).encode(codec)
    got = list(iter_lines(io.BytesIO(data)))
    assert [ln.number for ln in got] == [1, 2, 3, 4, 5]
    assert [ln.text for ln in got[::2]] == ["first 升级", "third", "fifth 回滚"]
    assert [ln.cut for ln in got] == [False, True, False, True, False]
    # the long lines keep their start, decoded cleanly (no half character, no mojibake), and say their size
    assert set(got[1].text) == {"中"} and 0 < len(got[1].text.encode(codec)) <= 2 * MAX_LINE
    cr = len("\r".encode(codec))
    assert got[1].length == len(lines[1].encode(codec)) + cr  # the line's bytes with its CR
    assert got[3].length == len(lines[3].encode(codec)) + cr
    for ln in got:  # every offset is where the line starts in the file
        head = ln.text[:4].encode(codec)
        assert data[ln.offset:ln.offset + len(head)] == head


def test_a_last_line_without_newline_is_cut_too() -> None:
    got = list(iter_lines(io.BytesIO(b"one\n" + b"A" * (5 * MAX_LINE))))
    assert [(ln.number, len(ln.text), ln.length) for ln in got] == [(1, 3, None), (2, MAX_LINE, 5 * MAX_LINE)]


def test_reader_memory_does_not_grow_with_the_line(tmp_path: Path) -> None:
    path = tmp_path / "x.log"
    with open(path, "wb") as fh:
        fh.write(b"one\r\n")
        for _ in range(40):
            fh.write(b"B" * (1 << 20))
        fh.write(b"\r\nlast\r\n")
    tracemalloc.start()
    got = [(ln.number, ln.length) for ln in read_lines(path)]
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert got == [(1, None), (2, 40 * (1 << 20) + 1), (3, None)]
    assert peak < 4 * (1 << 20), f"peak {peak / 2**20:.1f} MiB for a 40 MiB line"


def test_setupact_line_after_a_long_line_keeps_its_number(tmp_path: Path) -> None:
    panther = tmp_path / "case" / "Panther"
    panther.mkdir(parents=True)
    rows = [_line("Info", "SP", f"line {i}") for i in range(1, 5)]
    rows.append(_line("Info", "SP", "Q" * LONG))
    rows.append(_line("Error", "SP", "Operation failed: 0x80070002"))
    (panther / "setupact.log").write_bytes("\r\n".join(rows).encode("utf-8"))
    case = _ingest(tmp_path / "case")
    try:
        lines = {r["message"][:20]: r["line"] for r in case.store.query("SELECT line, message FROM timeline")}
        assert lines["Operation failed: 0x"] == 6
        assert lines["Q" * 20] == 5 and len(lines) == 6
        assert _problems(case) == [("Panther/setupact.log",
                                    f"line 5 is {len(rows[4]) + 1:,} bytes long; only its first 64 KiB are kept")]
    finally:
        case.close()


def test_setupapi_line_numbers_after_a_long_line(tmp_path: Path) -> None:
    lines = SETUPAPI.split("\n")
    lines.insert(3, "     Comment = " + "Z" * LONG)  # an over-long header line before the sections
    path = tmp_path / "Windows" / "INF" / "setupapi.dev.log"
    path.parent.mkdir(parents=True)
    path.write_bytes("\r\n".join(lines).encode("gbk"))
    case = _ingest(tmp_path / "Windows")
    try:
        end = case.store.scalar("SELECT end_line FROM setupapi_sections WHERE device LIKE 'USB%'")
        assert end == 23  # line 22 of the original, one line later: not 22 + four 64 KiB pieces
        assert [p for _, p in _problems(case) if "line 4 is" in p]
    finally:
        case.close()


def test_rollbackinfo_ini_line_numbers_after_a_long_line(tmp_path: Path) -> None:
    path = tmp_path / "Rollback" / "rollbackinfo.ini"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"[Rollback]\r\nNote=" + b"n" * LONG + b"\r\nFailurePhase=4\r\n")
    case = _ingest(tmp_path / "Rollback")
    try:
        rows = {r["key"]: r["line"] for r in case.store.query("SELECT key, line FROM setup_ini")}
        assert rows == {"Note": 2, "FailurePhase": 3}
        assert any("line 2 is" in p for _, p in _problems(case))
    finally:
        case.close()


def test_windbg_text_with_a_long_line_is_read_and_noted(tmp_path: Path) -> None:
    lines = LWFMGR_KV.split("\n")
    lines.insert(3, "*" * LONG)
    path = tmp_path / "kv.txt"
    path.write_text("\r\n".join(lines), "utf-8")
    case = _ingest(path)
    try:
        assert case.store.scalar("SELECT kind FROM files") == "windbg_text"
        assert any("line 4 is" in p for _, p in _problems(case))
        assert "lwfmgr" in json.dumps([dict(r) for r in case.store.query("SELECT * FROM facts")]).lower()
    finally:
        case.close()


def test_procmon_csv_long_field_is_one_row_cut_at_both_ends(tmp_path: Path) -> None:
    procs, events = upgrade_scenario()
    path = write_csv(tmp_path / "Logfile.CSV", procs, events)
    rows = path.read_bytes().split(b"\r\n")
    # row 4 (the header is row 1) gets a 1 MB path: its later fields and the rows after it must survive
    fields = rows[3].split(b'","')
    fields[4] = b"C:\\" + b"p" * (1 << 20)
    rows[3] = b'","'.join(fields)
    path.write_bytes(b"\r\n".join(rows))
    case = _ingest(path)
    try:
        s = case.store
        assert s.scalar("SELECT count(*) FROM procmon_events") == len(events)
        assert s.scalar("SELECT max(line) FROM procmon_events") == len(events)
        long_path = s.scalar("SELECT path FROM procmon_events WHERE line = 3")
        assert long_path.startswith("C:\\ppp") and " … " in long_path and len(long_path) < 80_000
        assert [p for _, p in _problems(case) if p.startswith("line ") and " is 1,048," in p]
    finally:
        case.close()


# The peak is read from /proc/self/status (VmHWM, this process's own memory since exec), not from getrusage:
# Linux keeps ru_maxrss across exec, so a child of a big pytest process would report the parent's size.
_RSS = """
import json, re, sys
from workbench.cli import main
code = main(["analyze", sys.argv[1], "--json", "--quiet"])
peak = int(re.search(r"VmHWM:\\s+(\\d+) kB", open("/proc/self/status").read()).group(1))
print(json.dumps({"code": code, "rss_kib": peak}), file=sys.stderr)
"""


def _peak_rss_kib(case: Path, home: Path) -> tuple[int, dict]:
    env = dict(os.environ, WORKBENCH_HOME=str(home))
    proc = subprocess.run([sys.executable, "-c", _RSS, str(case)], capture_output=True, text=True, env=env,
                          timeout=600)
    result = json.loads(proc.stderr.strip().splitlines()[-1])
    return result["rss_kib"], json.loads(proc.stdout)


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="peak memory is read from Linux's /proc")
def test_a_200_mb_line_costs_no_more_memory_than_a_short_one(tmp_path: Path) -> None:
    """Measured: the whole ``analyze`` of a case whose setupact.log holds one 200 MB line, against the same
    case without it, each in its own process."""
    def build(name: str, long_mb: int) -> Path:
        folder = tmp_path / name / "Panther"
        folder.mkdir(parents=True)
        with open(folder / "setupact.log", "wb") as fh:
            fh.write(("\r\n".join(_line("Info", "SP", f"line {i}") for i in range(1, 5)) + "\r\n").encode())
            fh.write(_line("Info", "SP", "").encode())
            block = b"A" * (1 << 20)
            for _ in range(long_mb):
                fh.write(block)
            fh.write(("\r\n" + _line("Error", "SP", "the real line 6") + "\r\n").encode())
        return folder.parent

    small, small_out = _peak_rss_kib(build("small", 0), tmp_path / "h1")
    big, big_out = _peak_rss_kib(build("big", 200), tmp_path / "h2")
    (tmp_path / "big" / "Panther" / "setupact.log").unlink()  # 200 MB less on the test disk at once
    assert small_out["case"]["problems"] == []
    assert [p["error"][:30] for p in big_out["case"]["problems"]] == ["line 5 is 209,715,251 bytes lo"]
    assert big - small < 64 * 1024, f"{big / 1024:.0f} MiB with a 200 MB line, {small / 1024:.0f} MiB without"
    assert big < 300 * 1024
