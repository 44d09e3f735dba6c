"""The dump analysis's reasons, frame notes and stack-quality sentences read in Chinese (review of issue 16:
the crash dump pane's Note column and "Why" panel were English in the Chinese interface)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.unit import dumpgen
from workbench.core.dumps.pipeline import analyse_kernel_dump
from workbench.core.dumps.windbg import parse_windbg_text
from workbench.core.dumps.wording import dump_text
from workbench.demo import WINDBG_KV

#: three English words in a row: a sentence left untranslated (module names and symbols are single words)
ENGLISH = re.compile(r"\b[a-z]{3,}\b [a-z]{3,}\b [a-z]{3,}\b")


def test_a_culprit_reason_is_said_step_by_step() -> None:
    reason = ("first module on the stack that is not Microsoft's: nwflt.sys+0x5167 (frame 1, found by text, "
              "confidence high; the engineer's lmv listing of the module: CompanyName 'Northwind Systems Co., "
              "Ltd.'); 9 bugcheck, exception-dispatch or helper frames skipped (nt!KeBugCheckEx ... "
              "nt!KiPageFault+0x42e); the fault itself is in ndis.sys!NdisFDeregisterFilterDriver+0x47; the "
              "debugger's own analysis named ndis.sys")
    assert dump_text(reason, "zh") == (
        "调用栈上第一个不属于 Microsoft 的模块：nwflt.sys+0x5167（第 1 帧，来自调试器文本，可信度高；工程师的 lmv 模块"
        "列表：CompanyName 'Northwind Systems Co., Ltd.'）；跳过了 9 个蓝屏处理、异常分派或辅助函数帧"
        "（nt!KeBugCheckEx ... nt!KiPageFault+0x42e）；故障本身发生在 ndis.sys!NdisFDeregisterFilterDriver+0x47；"
        "调试器自己的分析认定为 ndis.sys")
    assert dump_text(reason, "en") == reason
    assert dump_text("a shape nobody wrote; the debugger's own analysis agrees", "zh") == \
        "a shape nobody wrote；调试器自己的分析结论相同"


@pytest.mark.parametrize("source", ["text", "dump"])
def test_every_sentence_of_an_analysis_reads_in_chinese(source: str, tmp_path: Path) -> None:
    if source == "text":
        report = parse_windbg_text(WINDBG_KV.splitlines())
    else:
        path = tmp_path / "setupmem.dmp"
        path.write_bytes(dumpgen.lwfmgr_case())
        report, _problems = analyse_kernel_dump(path)
    from workbench.core.dumps.culprit import choose_culprit

    if not report.culprit_reason:
        choose_culprit(report)
    sentences = [report.culprit_reason, *report.stack_quality, *(f.note for f in report.frames),
                 *(m.microsoft_reason for m in report.modules)]
    sentences = [s for s in sentences if s]
    assert len(sentences) >= 3
    for sentence in sentences:
        said = dump_text(sentence, "zh")
        assert not ENGLISH.search(said.replace("Co., Ltd.", "")), (sentence, said)
