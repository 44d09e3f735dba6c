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
