"""Value correlation in the condition language: ``A and B with same driver`` (grammar, normalisation,
evaluation, loading) and the built-in signature that uses it, on its samples and on the demo case."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from workbench.core.case import Case
from workbench.core.signatures.condition import (
    And,
    ConditionError,
    Name,
    Not,
    Or,
    Then,
    evaluate,
    normalize_value,
    parse_condition,
    same_value_names,
)
from workbench.core.signatures.engine import scan
from workbench.core.signatures.loader import Signature, load_signature
from workbench.core.signatures.packs import builtin_pack_roots, load_packs
from workbench.core.signatures.testing import SampleRunner

MIN = 60_000_000
SIG_ID = "beyond.third_party_driver_dump_and_setupapi"
SIGNATURES = load_packs(builtin_pack_roots()).ordered()


@dataclass(frozen=True)
class M:
    key: tuple[object, ...]
    ts: int | None
    value: str | None = field(default=None, compare=False)


def value_of(_sel: str, row: Any, _name: str) -> object:
    return row.value if isinstance(row, M) else None


# ------------------------------------------------------------------------------------------- grammar


def test_with_same_parses_on_and_and_then_chains() -> None:
    assert parse_condition("a and b with same driver") == And((Name("a"), Name("b")), None, "driver")
    assert parse_condition("a then b within 1h with same driver") == Then((Name("a"), Name("b")), 60 * MIN,
                                                                          "driver")
    assert parse_condition("a and b within 30m WITH SAME module") == And((Name("a"), Name("b")), 30 * MIN, "module")
    # binds like 'within': to the nearest chain; the rest of the grammar is unchanged
    assert parse_condition("c and (a and b with same x)") == And((Name("c"), And((Name("a"), Name("b")), None, "x")))
    assert parse_condition("a and b with same x or c") == Or((And((Name("a"), Name("b")), None, "x"), Name("c")))
    assert parse_condition("a and not b") == And((Name("a"), Not(Name("b"))))


@pytest.mark.parametrize(("text", "words"), [
    ("a with same driver", "needs two or more operands"),
    ("a and b with driver", "'with' must be followed by 'same NAME'"),
    ("a and b with same", "needs a value name"),
    ("a and b with same and", "needs a value name"),
    ("a and b with same dr-iver", "needs a value name"),
    ("a and same", "unexpected keyword 'same'"),
])
def test_with_same_mistakes(text: str, words: str) -> None:
    with pytest.raises(ConditionError, match=words):
        parse_condition(text)


def test_same_value_names_lists_the_selections_that_supply_each_value() -> None:
    node = parse_condition("t and (d and (s1 or s2) with same driver)")
    assert same_value_names(node, ["t", "d", "s1", "s2"]) == {"driver": {"d", "s1", "s2"}}
    assert same_value_names(parse_condition("a and b within 5m"), ["a", "b"]) == {}


# ------------------------------------------------------------------------------------------- normalisation


@pytest.mark.parametrize("text", [
    "lwfmgr", "LWFMGR", "lwfmgr.sys", "LwfMgr.SYS", "lwfmgr.inf", " 'lwfmgr.inf' ",
    r"C:\Windows\System32\DriverStore\FileRepository\lwfmgr.inf_amd64_5f7e21c0\lwfmgr.inf",
    r"Device Install (DiInstallDriver) - C:\WINDOWS\System32\drivers\lwfmgr.sys",
    r"\SystemRoot\System32\drivers\lwfmgr.sys", "c:/windows/system32/drivers/lwfmgr.sys",
    "lwfmgr+0x5167", "lwfmgr.sys+0x5167", "lwfmgr!FilterAttach+0x12", "lwfmgr.dll",
])
def test_normalisation_makes_one_driver_compare_equal(text: str) -> None:
    assert normalize_value(text) == "lwfmgr"


def test_normalisation_keeps_other_names_apart() -> None:
    assert normalize_value("lwfmgr2.sys") != normalize_value("lwfmgr.sys")
    assert normalize_value("oem42.inf") == "oem42"
    assert normalize_value("lwfmgr.inf_amd64_5f7e21c0") == "lwfmgr.inf_amd64_5f7e21c0"  # a folder, not a file
    assert normalize_value(".sys") == ".sys"  # an extension alone is not dropped to nothing
    assert normalize_value(None) is None and normalize_value("") is None and normalize_value("  ") is None


# ------------------------------------------------------------------------------------------- evaluation


def test_same_value_evaluation_keeps_only_rows_that_share_the_value() -> None:
    dump = [M(("d", 0), None, "lwfmgr.sys")]
    setupapi = [M(("s", 0), 10 * MIN, r"C:\x\e1d68x64.inf"), M(("s", 1), 20 * MIN, r"C:\x\LWFMGR.INF")]
    matches = {"dump": dump, "setupapi": setupapi}
    found: dict[str, str] = {}
    ok, ev = evaluate(parse_condition("dump and setupapi with same driver"), matches, value_of, found)
    assert ok and ev == [dump[0], setupapi[1]]
    assert found == {"driver": "lwfmgr"}
    other = {"dump": dump, "setupapi": [setupapi[0]]}
    assert evaluate(parse_condition("dump and setupapi with same driver"), other, value_of) == (False, [])
    # without a way to read values the correlation never holds; the plain 'and' still does
    assert evaluate(parse_condition("dump and setupapi with same driver"), matches)[0] is False
    assert evaluate(parse_condition("dump and setupapi"), matches)[0] is True


def test_same_value_combines_with_time_and_not() -> None:
    a = [M(("a", 0), 0, "x.sys"), M(("a", 1), 100 * MIN, "y.sys")]
    b = [M(("b", 0), 5 * MIN, "y.inf"), M(("b", 1), 110 * MIN, "x.inf")]
    m = {"a": a, "b": b, "c": []}
    # x: 0 -> 110 (too far for 30m), y: 100 then 5 (wrong order for 'then'), so only 'within 2h' holds
    assert evaluate(parse_condition("a then b within 30m with same drv"), m, value_of)[0] is False
    assert evaluate(parse_condition("a then b with same drv"), m, value_of)[0] is True
    ok, ev = evaluate(parse_condition("a and b within 2h with same drv"), m, value_of)
    assert ok and {r.key for r in ev} >= {("a", 0), ("b", 1)}
    # a 'not' operand is true without rows and constrains no value
    ok, ev = evaluate(parse_condition("a and b and not c with same drv"), m, value_of)
    assert ok and ev
    # rows without a value never correlate
    blank = {"a": [M(("a", 0), 0, None)], "b": [M(("b", 0), 0, None)]}
    assert evaluate(parse_condition("a and b with same drv"), blank, value_of)[0] is False


def test_same_value_through_quantifiers_and_alternatives() -> None:
    m = {"d": [M(("d", 0), 0, "lwfmgr.sys")], "s1": [M(("s1", 0), 0, "a.inf")], "s2": [M(("s2", 0), 0, "lwfmgr.inf")]}
    ok, ev = evaluate(parse_condition("d and 1 of s* with same driver"), m, value_of)
    assert ok and [r.key for r in ev] == [("d", 0), ("s2", 0)]
    ok, ev = evaluate(parse_condition("d and (s1 or s2) with same driver"), m, value_of)
    assert ok and [r.key for r in ev] == [("d", 0), ("s2", 0)]


# ------------------------------------------------------------------------------------------- loading

SIG = """\
title: Same driver
id: test.same_driver
level: high
detection:
  dump:
    table: facts
    name: crash.culprit_module
    as: {driver: value}
  setupapi:
    table: setupapi_sections
    status: unfinished
    as:
      driver: [inf_original, title]
  timeline_sel:
    message|re: 'Failed to start service .(?P<driver>\\w+)'
  condition: dump and setupapi and timeline_sel with same driver
details: '{same.driver} ({dump.value})'
remediation:
  en: fix it
samples:
  positive: samples/good
"""


def write_sig(folder: Path, text: str) -> Path:
    (folder / "signatures").mkdir(parents=True, exist_ok=True)
    (folder / "samples" / "good").mkdir(parents=True, exist_ok=True)
    path = folder / "signatures" / "sig.yml"
    path.write_text(text, "utf-8")
    return path


def test_loader_reads_as_mappings_and_named_groups(tmp_path: Path) -> None:
    sig, errors = load_signature(write_sig(tmp_path, SIG))
    assert not errors and sig is not None
    assert sig.values == {"dump": {"driver": ["value"]}, "setupapi": {"driver": ["inf_original", "title"]}}
    assert sig.same_names == {"driver"}
    assert "as" not in sig.selections["dump"].columns


@pytest.mark.parametrize(("edit", "line", "words"), [
    (("    as: {driver: value}\n", ""), 15, "selection 'dump' has no field 'driver'"),
    (("(?P<driver>", "(?P<drv>"), 16, "selection 'timeline_sel' has no field 'driver'"),
    (("    as: {driver: value}", "    as: value"), 5, "'as:' must map a value name"),
    (("    as: {driver: value}", "    as: {driver: 'not a field'}"), 5, "must name a field"),
    (("{same.driver}", "{same.drv}"), 17, "no selection 'same'"),
])
def test_loader_mistakes(tmp_path: Path, edit: tuple[str, str], line: int, words: str) -> None:
    assert edit[0] in SIG
    sig, errors = load_signature(write_sig(tmp_path, SIG.replace(edit[0], edit[1], 1)))
    assert sig is None
    assert any(e.line == line and words in e.message for e in errors), [str(e) for e in errors]


# ------------------------------------------------------------------------------------------- the built-in signature


def _builtin() -> Signature:
    return next(s for s in SIGNATURES if s.id == SIG_ID)


def test_builtin_signature_fires_on_its_sample_and_not_on_the_other_driver() -> None:
    sig = _builtin()
    runner = SampleRunner()
    try:
        for sample in sig.samples_positive:
            # the boot filter-driver shape reads the same dump and says so (samples.also_fires)
            assert [i for i in runner.fired(sample, SIGNATURES) if i not in sig.also_fires] == [SIG_ID]
        assert sig.samples_negative
        for sample in sig.samples_negative:
            assert SIG_ID not in runner.fired(sample, SIGNATURES)
    finally:
        runner.close()


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Case]:
    from workbench.demo import write_demo_case

    root = tmp_path_factory.mktemp("demo")
    case = Case.open(write_demo_case(root / "demo-case.zip"), home=root / "home")
    case.ensure_ingested()
    yield case
    case.close()


def test_builtin_signature_fires_on_the_demo_case_naming_the_driver(demo: Case) -> None:
    hit = next(h for h in scan(demo.store, SIGNATURES) if h.signature.id == SIG_ID)
    assert hit.signature.level == "critical"
    assert hit.details.startswith("lwfmgr: the crash dump blames lwfmgr.sys")
    assert "lwfmgr.inf" in hit.details
    texts = " ".join(r.text or "" for r in hit.evidence)
    assert "lwfmgr.inf" in texts and "lwfmgr.sys" in texts
    assert "e1d68x64" not in texts  # the section that finished is not evidence
