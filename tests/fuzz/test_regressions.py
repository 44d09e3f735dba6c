"""Inputs the long fuzz run (bench/fuzz_run.py) found, rebuilt here from text the project writes itself.

Each stays as a test so the fix is proven and kept; while the core is unfixed they are strict xfails, which
turn into failures the moment the fix lands (then the marker goes).
"""

from __future__ import annotations

from pathlib import Path

from tests.fuzz.harness import Runner
from tests.fuzz.seeds import Target
from workbench.core.parsers.base import CaseFile, Mediator
from workbench.core.plugins import hookimpl

#: a kd session whose ``lm`` listing runs into a pasted stack row: " c <Child-SP> <RetAddr> <site>" matches
#: the lm row pattern with start 0xc and end a kernel stack address, so the module "size" is ~2^64
LM_INTO_STACK = (
    "kd> lm\r\n"
    "start             end                 module name\r\n"
    "fffff807`66600000 fffff807`67646000   nt         (pdb symbols)\r\n"
    " c ffffa1088a4af090 fffff80784da150b EvilDriver+0x11ed\r\n"
    " d ffffa1088a4af0c0 fffff80784da1440 EvilDriver+0x150b\r\n"
).encode("ascii")


def test_windbg_lm_row_with_a_stack_address_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    out = Runner(tmp_path).run(Target("windbg_text", "windbg_kv.txt", []), LM_INTO_STACK)
    assert out.failures(256, 256) == [], out.crash


class _HugeInteger:
    """A parser that hands the mediator an integer SQLite cannot hold (any 64-bit kernel address does)."""

    name = "huge_integer"
    kinds = frozenset({"fuzz_probe"})
    tables = {"huge_rows": "CREATE TABLE IF NOT EXISTS huge_rows (file_id INTEGER, value INTEGER)"}
    version = 1

    def parse(self, file: CaseFile, mediator: Mediator) -> None:
        mediator.event(line=1, message="before the bad row", level="info")
        mediator.detail("huge_rows", {"file_id": file.id, "value": 0xFFFFF80766600000})


class _Plugin:
    @hookimpl
    def workbench_parsers(self) -> list[object]:
        return [_HugeInteger()]


def test_a_batch_the_store_rejects_fails_only_its_file(tmp_path: Path) -> None:
    out = Runner(tmp_path, extra=(_Plugin(),)).run(Target("fuzz_probe", "probe.bin", []), b"x")
    assert out.crash is None, out.crash
    assert out.status == "failed" and out.problems  # the file is named, the rest of the case loads
    assert out.companion_rows == 3
