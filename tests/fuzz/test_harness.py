"""The fuzz harness itself: it must see each way a parser can misbehave, or the fuzz tests prove nothing."""

from __future__ import annotations

import time
from pathlib import Path

from tests.fuzz.harness import COMPANION_ROWS, Runner
from tests.fuzz.seeds import Target
from workbench.core.parsers.base import CaseFile, Mediator
from workbench.core.plugins import hookimpl


class _Misbehaving:
    """A parser whose first input byte chooses its failure: R raise, S spin, M hog memory, P problem, else ok."""

    name = "misbehaving"
    kinds = frozenset({"fuzz_probe"})
    tables: dict[str, str] = {}
    version = 1

    def parse(self, file: CaseFile, mediator: Mediator) -> None:
        first = file.location.read_bytes()[:1]
        if first == b"R":
            raise ValueError("bad length field")
        if first == b"S":
            end = time.monotonic() + 60
            while time.monotonic() < end:  # a Python loop: the per-input alarm interrupts it
                pass
        if first == b"M":
            hog = bytearray(400 * 1024 * 1024)
            hog[::4096] = b"x" * len(hog[::4096])  # touch every page so it is resident
            time.sleep(0.3)  # held long enough for the sampler to see it, as a real leak would be
        if first == b"P":
            mediator.problem("record 3 is cut short", 12)
        if first == b"A":
            mediator.fact("probe.analyzer_crash", "yes")
        mediator.event(line=1, message="probe", level="info")


class _Plugin:
    @hookimpl
    def workbench_parsers(self) -> list[object]:
        return [_Misbehaving()]

    @hookimpl
    def workbench_analyze(self, store: object) -> None:
        if store.fact("probe.analyzer_crash") is not None:  # type: ignore[attr-defined]
            raise KeyError("an analyzer trusted a fact from a damaged file")


TARGET = Target("fuzz_probe", "probe.bin", [b"ok"])


def _run(tmp_path: Path, data: bytes, timeout_s: float = 5.0):  # type: ignore[no-untyped-def]
    return Runner(tmp_path, timeout_s=timeout_s, extra=(_Plugin(),)).run(TARGET, data)


def test_a_good_input_passes(tmp_path: Path) -> None:
    out = _run(tmp_path, b"ok")
    assert out.status == "parsed" and out.companion_rows == COMPANION_ROWS
    assert out.failures(128, 128) == []


def test_a_parser_exception_is_a_problem_row_and_is_counted(tmp_path: Path) -> None:
    out = _run(tmp_path, b"R")
    assert out.status == "failed" and out.parser_raised
    assert any("ValueError: bad length field" in p for p in out.problems)
    assert out.failures(128, 128) == []  # the pipeline's contract held; the bench still counts it


def test_a_problem_row_names_the_file(tmp_path: Path) -> None:
    out = _run(tmp_path, b"P")
    assert out.status == "partial" and out.problems == ["record 3 is cut short"]


def test_a_hang_is_caught(tmp_path: Path) -> None:
    out = _run(tmp_path, b"S", timeout_s=0.5)
    assert out.timed_out and out.seconds < 5
    assert any("timeout" in f for f in out.failures(128, 128))


def test_memory_hog_is_caught(tmp_path: Path) -> None:
    out = _run(tmp_path, b"M")
    assert any("memory peaked" in f for f in out.failures(128, 1024))


def test_an_escaping_exception_is_caught(tmp_path: Path) -> None:
    out = _run(tmp_path, b"A")
    assert out.crash and "KeyError" in out.crash
    assert any("escaped the pipeline" in f for f in out.failures(128, 128))
