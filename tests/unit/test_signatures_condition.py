"""The condition language: parsing (with the column of a mistake) and evaluation over selection matches."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from workbench.core.signatures.condition import (
    And,
    ConditionError,
    Name,
    Not,
    Or,
    Quantified,
    Then,
    evaluate,
    parse_condition,
    parse_duration,
    selection_names,
)

MIN = 60_000_000


@dataclass(frozen=True)
class M:
    key: tuple[object, ...]
    ts: int | None


def rows(name: str, *minutes: int | None) -> list[M]:
    return [M((name, i), None if m is None else m * MIN) for i, m in enumerate(minutes)]


def test_precedence_not_then_and_or() -> None:
    assert parse_condition("a or b and not c") == Or((Name("a"), And((Name("b"), Not(Name("c"))))))
    assert parse_condition("a and b then c") == And((Name("a"), Then((Name("b"), Name("c")))))
    assert parse_condition("(a or b) and c") == And((Or((Name("a"), Name("b"))), Name("c")))
    assert parse_condition("NOT a AND b") == And((Not(Name("a")), Name("b")))


def test_quantifiers_and_durations() -> None:
    assert parse_condition("1 of sel_*") == Quantified(1, "sel_*")
    assert parse_condition("all of them") == Quantified(None, "them")
    assert parse_condition("any of x*") == Quantified(1, "x*")
    assert parse_condition("a and b within 30m") == And((Name("a"), Name("b")), 30 * MIN)
    assert parse_condition("a then b within 2h") == Then((Name("a"), Name("b")), 120 * MIN)
    assert parse_duration("45s") == 45_000_000
    assert parse_duration("1d") == 86_400_000_000


@pytest.mark.parametrize(("text", "column", "words"), [
    ("a and", 6, "ends too early"),
    ("a b", 3, "unexpected 'b'"),
    ("(a or b", 8, "missing ')'"),
    ("a within 5m", 3, "'within' needs two"),
    ("a and b within 5", 16, "bad duration"),
    ("0 of sel*", 1, "'0 of'"),
    ("a and or b", 7, "unexpected keyword"),
    ("a & b", 3, "unexpected character '&'"),
    ("", None, "empty"),
])
def test_parse_errors_name_the_column(text: str, column: int | None, words: str) -> None:
    with pytest.raises(ConditionError) as info:
        parse_condition(text)
    assert info.value.column == column
    assert words in str(info.value)


def test_selection_names_checks_references() -> None:
    names = ["sel_a", "sel_b", "_helper", "other"]
    assert selection_names(parse_condition("1 of sel_* and not other"), names) == {"sel_a", "sel_b", "other"}
    assert selection_names(parse_condition("all of them"), names) == {"sel_a", "sel_b", "other"}
    with pytest.raises(ConditionError, match="not a selection"):
        selection_names(parse_condition("missing"), names)
    with pytest.raises(ConditionError, match="matches no selection"):
        selection_names(parse_condition("1 of nope*"), names)
    with pytest.raises(ConditionError, match="more than"):
        selection_names(parse_condition("3 of sel_*"), names)


def test_boolean_evaluation_returns_the_evidence_of_true_branches() -> None:
    m = {"a": rows("a", 1), "b": [], "c": rows("c", 5, 6)}
    ok, ev = evaluate(parse_condition("a or b"), m)
    assert ok and [r.key for r in ev] == [("a", 0)]
    assert evaluate(parse_condition("a and b"), m) == (False, [])
    ok, ev = evaluate(parse_condition("a and not b"), m)
    assert ok and [r.key for r in ev] == [("a", 0)]
    assert evaluate(parse_condition("not a"), m)[0] is False
    ok, ev = evaluate(parse_condition("1 of them"), m)
    assert ok and len(ev) == 3
    assert evaluate(parse_condition("all of them"), m)[0] is False
    assert evaluate(parse_condition("2 of them"), m)[0] is True


def test_within_needs_rows_close_in_time_and_keeps_only_those() -> None:
    m = {"a": rows("a", 0, 100), "b": rows("b", 125)}
    ok, ev = evaluate(parse_condition("a and b within 30m"), m)
    assert ok and {r.key for r in ev} == {("a", 1), ("b", 0)}
    assert evaluate(parse_condition("a and b within 20m"), m) == (False, [])
    # order does not matter for within
    m2 = {"a": rows("a", 50), "b": rows("b", 40)}
    assert evaluate(parse_condition("a and b within 15m"), m2)[0] is True
    # rows without a time never satisfy a time operator
    assert evaluate(parse_condition("a and b within 1d"), {"a": rows("a", None), "b": rows("b", 1)})[0] is False


def test_then_needs_order_and_optional_span() -> None:
    m = {"a": rows("a", 10), "b": rows("b", 5, 40), "c": rows("c", 41)}
    ok, ev = evaluate(parse_condition("a then b"), m)
    assert ok and {r.key for r in ev} == {("a", 0), ("b", 1)}
    assert evaluate(parse_condition("c then a"), m)[0] is False
    assert evaluate(parse_condition("a then b then c"), m)[0] is True
    assert evaluate(parse_condition("a then b within 20m"), m)[0] is False
    assert evaluate(parse_condition("a then b within 30m"), m)[0] is True


def test_time_operators_ignore_a_negated_operand() -> None:
    m = {"a": rows("a", 1), "b": rows("b", 3), "c": []}
    assert evaluate(parse_condition("a and b and not c within 5m"), m)[0] is True
    assert evaluate(parse_condition("a and b and not a within 5m"), m)[0] is False
