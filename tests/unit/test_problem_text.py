"""Problem sentences in Chinese: the common templates with their values, any other with a Chinese lead."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from tests.cases import chinese_nested_case
from workbench.core.case import Case
from workbench.core.problem_text import problem_text

CJK = re.compile(r"[\u4e00-\u9fff]")


def test_templates_keep_their_values() -> None:
    assert problem_text("row 12: 9 fields where the header has 11; skipped", "zh") == \
        "第 12 行：有 9 个字段，表头有 11 个；已跳过"
    assert problem_text("evtx could not read it: ValueError: bad chunk", "zh") == \
        "evtx 无法读取此文件：ValueError: bad chunk"
    assert problem_text("row 12: 9 fields where the header has 11; skipped", "en").startswith("row 12")
    other = problem_text("a sentence no template knows, cut short at byte 7", "zh")
    assert other.startswith("文件被截断") and "cut short at byte 7" in other


def test_every_problem_of_damaged_cases_reads_in_chinese(tmp_path: Path) -> None:
    source = chinese_nested_case(tmp_path)
    data = source.read_bytes()
    broken = tmp_path / "broken.zip"
    broken.write_bytes(data[: len(data) * 2 // 3])  # the directory and the last members are gone
    extra = tmp_path / "extra.zip"
    with zipfile.ZipFile(extra, "w") as zf:
        zf.writestr("logs/System.evtx", b"not an event log at all" * 10)
        zf.writestr("logs/empty.evtx", b"")
        zf.writestr("procmon/Logfile.CSV", b'"Time of Day","Process Name"\r\n"1","2"\r\n')
    problems: list[str] = []
    for src in (broken, extra):
        case = Case.open(src)
        case.ensure_ingested()
        problems += [r[0] for r in case.store.conn.execute("SELECT error FROM problems")]
        case.close()
    assert len(problems) >= 3
    for sentence in problems:
        assert CJK.search(problem_text(sentence, "zh")), sentence


def test_names_zero_bytes_long_lines_and_xml_read_in_chinese(tmp_path: Path) -> None:
    """The review's hostile and long-line cases: every problem is a Chinese sentence, the note of an unsafe
    name too (not "不安全的文件名 …: 'CON' is a Windows device name"), with the values kept."""
    src = tmp_path / "hostile.zip"
    with zipfile.ZipFile(src, "w") as zf:
        for name in ("names/CON", "names/a.log:hidden", "/abs/path.txt", "C:/Windows/evil.txt", "../../x.txt"):
            zf.writestr(name, b"x")
        zf.writestr("zero/setupact.log", b"\0" * 4096)
        zf.writestr("Panther/diagerr.xml", b"<?xml version='1.0'?><DiagnosticRowset><Row a='1'></Rowset>")
        zf.writestr("Panther/setupact.log", b"2024-06-10 10:00:00, Info                  MOUPG  line one\r\n"
                    b"2024-06-10 10:00:00, Info                  MOUPG  long " + b"A" * 70_000 + b"\r\n")
    case = Case.open(src, home=tmp_path / "home")
    case.ensure_ingested()
    problems = [r[0] for r in case.store.conn.execute("SELECT error FROM problems")]
    case.close()
    said = [problem_text(p, "zh") for p in problems]
    for sentence, zh in zip(problems, said, strict=True):
        assert "（原文）" not in zh and not re.search(r"[a-z]{4,} [a-z]{4,} [a-z]{4,}", zh), (sentence, zh)
    assert "不安全的文件名 'names/CON'：'CON' 是 Windows 设备名（从不按此名写成文件）" in said
    assert "不安全的文件名 'C:/Windows/evil.txt'：已去掉盘符 C:" in said
    assert any(z.startswith("只有零字节（4,096 字节）") or z.startswith("只有零字节（4096 字节）") for z in said)
    assert any(z.startswith("第 2 行长 70,") for z in said)
    assert any(z.startswith("XML 格式不正确（第 1 行") for z in said)


def test_times_in_finding_texts_are_data_written_on_the_case_clock() -> None:
    """A finding's text carries its time as data: the case clock when the reader has one (the window, the
    report), the ISO time the JSON writes otherwise — never a raw UTC time inside a Chinese sentence."""
    from workbench.core.clock import resolve_zone
    from workbench.core.clock_text import CaseTimes
    from workbench.core.finding_text import bilingual, finding_texts

    us = 1_717_986_707_200_000  # 2024-06-10T02:31:47.2Z
    data = {"times": {"crash": [us, "utc"]}, **bilingual(summary=("crashed ({time:crash})", "崩溃（{time:crash}）"))}
    row = {"title": "t", "summary": "crashed (2024-06-10T02:31:47.200000Z)", "remediation": None, "data": data}
    shanghai = CaseTimes(zone=resolve_zone("Asia/Shanghai"))
    assert finding_texts(row, "zh", shanghai)["summary"] == "崩溃（2024-06-10 10:31:47）"
    assert finding_texts(row, "en", shanghai)["summary"] == "crashed (2024-06-10 10:31:47)"
    assert finding_texts(row, "zh")["summary"] == "崩溃（2024-06-10T02:31:47.200000Z）"
    assert finding_texts({**row, "data": {}}, "zh")["summary"] == row["summary"]  # an older case: its column


def test_the_catalogue_reasons_of_a_stopped_ingest_read_in_chinese() -> None:
    """What the Files pane says of each file after a Cancel or a stop (core/ingest.py's reasons)."""
    from workbench.core import ingest

    for reason, zh in ((ingest._CANCELLED_COPY, "解压时已取消"),
                       ("not read: the ingest was cancelled before this file", "已取消"),
                       ("not read: the ingest stopped before this file", "已停止"),
                       ("cancelled after 266238 rows; a resume reads the file again", "读取 266238 行后已取消")):
        said = problem_text(reason, "zh")
        assert zh in said and "（原文）" not in said, reason
