"""The condition language of a signature: how named selections combine into "this signature fires".

Grammar (keywords are case-insensitive; ``not`` binds tightest, then ``then``, then ``and``, then ``or``)::

    expr      := and_expr ("or" and_expr)*
    and_expr  := then_expr ("and" then_expr)* ["within" DURATION] [SAME]
    then_expr := unary ("then" unary)* ["within" DURATION] [SAME]
    SAME      := "with" "same" VALUE_NAME
    unary     := "not" unary | "(" expr ")" | QUANT "of" (PATTERN | "them") | NAME
    QUANT     := "1" | "2" | ... | "all" | "any"
    DURATION  := 30s | 10m | 2h | 1d

Like Sigma, a selection is true for a case when it matched at least one row, and ``1 of sel_*`` /
``all of them`` quantify over selection names (``them`` skips names starting with ``_``). Unlike Sigma's
per-event conditions, ours are per case, because upgrade failures are told by lines from different logs:
``A and B within 30m`` needs one match of A and one of B no more than 30 minutes apart, ``A then B`` needs
a match of A at or before a match of B. Rows without a time never satisfy a time operator.

Value correlation (after Sigma's correlation rules): ``A and B with same driver`` needs a row of A and a row
of B that carry the same value named ``driver``; each selection says which field carries it (the signature's
``as:`` mapping, else a named ``re`` group or a column called ``driver``). Values are compared after
:func:`normalize_value` (case, path, extension), so ``lwfmgr.sys`` in a dump and ``...\\lwfmgr.inf`` in a
setupapi section are the same driver. It combines with time: ``A then B within 1h with same driver``.

Evaluation returns the evidence rows that made the condition true (the rows of the true branches, and for
time operators only the rows that formed a qualifying pair), so a finding shows why it fired.
"""

from __future__ import annotations

import fnmatch
import re
from bisect import bisect_left
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

__all__ = [
    "ConditionError", "Node", "Name", "Not", "And", "Or", "Then", "Quantified", "Match",
    "parse_condition", "parse_duration", "evaluate", "selection_names", "normalize_value", "same_value_names",
    "ValueOf",
]

#: Evidence rows kept per time-operator result: enough to show, few enough to stay fast on noisy logs.
MAX_EVIDENCE = 50


class ConditionError(ValueError):
    """A condition that does not parse or names a selection that does not exist. ``column`` is 1-based."""

    def __init__(self, message: str, column: int | None = None) -> None:
        super().__init__(message if column is None else f"{message} (at column {column})")
        self.column = column


class Match(Protocol):
    """What evaluation needs from a matched row: a stable key and its time (UTC µs, or None)."""

    @property
    def key(self) -> tuple[object, ...]: ...

    @property
    def ts(self) -> int | None: ...


# ------------------------------------------------------------------------------------------- the tree


@dataclass(frozen=True)
class Name:
    name: str


@dataclass(frozen=True)
class Not:
    operand: Node


@dataclass(frozen=True)
class And:
    operands: tuple[Node, ...]
    within_us: int | None = None
    same: str | None = None  # "with same NAME": the operands' rows must share this value


@dataclass(frozen=True)
class Or:
    operands: tuple[Node, ...]


@dataclass(frozen=True)
class Then:
    operands: tuple[Node, ...]
    within_us: int | None = None
    same: str | None = None


@dataclass(frozen=True)
class Quantified:
    count: int | None  # None = all
    pattern: str       # a glob over selection names, or "them"


Node = Name | Not | And | Or | Then | Quantified

# ------------------------------------------------------------------------------------------- parsing

_TOKEN = re.compile(r"\s*(?:(?P<lp>\()|(?P<rp>\))|(?P<word>[A-Za-z0-9_*?.\-]+))")
_DURATION = re.compile(r"^(\d+)(s|m|h|d)$", re.I)
_UNIT_US = {"s": 1_000_000, "m": 60_000_000, "h": 3_600_000_000, "d": 86_400_000_000}
_KEYWORDS = {"and", "or", "not", "then", "within", "of", "them", "with", "same"}
_VALUE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
#: Extensions a driver or module name is written with in one source and without in another.
_VALUE_EXTENSIONS = (".sys", ".inf", ".dll", ".exe", ".cat", ".pnf", ".mui", ".drv", ".efi")


def normalize_value(value: object) -> str | None:
    """The form two correlated values are compared in; None (never equal) for an empty value.

    Lowercased and trimmed (also of quotes); a path keeps its last part (``\\`` or ``/``); a module reference
    loses what follows ``!`` or ``+`` (``lwfmgr!Filter+0x12``, ``lwfmgr+0x5167``); then one extension of
    :data:`_VALUE_EXTENSIONS` is dropped. So ``lwfmgr``, ``LWFMGR.SYS``, ``lwfmgr.inf`` and
    ``C:\\Windows\\...\\lwfmgr.inf`` all give ``lwfmgr``.
    """
    if value is None:
        return None
    text = str(value).strip().strip("'\"").strip().lower()
    text = re.split(r"[\\/]", text)[-1]
    text = re.split(r"[!+]", text, maxsplit=1)[0].strip()
    for ext in _VALUE_EXTENSIONS:
        if text.endswith(ext) and len(text) > len(ext):
            text = text[: -len(ext)]
            break
    return text or None


def parse_duration(text: str) -> int:
    """``30m`` → microseconds. Units: s, m, h, d (a plain number is not accepted: the unit is the point)."""
    m = _DURATION.match(text.strip())
    if not m:
        raise ConditionError(f"bad duration {text!r}: write a number and a unit, like 30s, 10m, 2h or 1d")
    return int(m.group(1)) * _UNIT_US[m.group(2).lower()]


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens: list[tuple[str, str, int]] = []  # (kind, value, column)
        pos = 0
        while pos < len(text):
            if text[pos:].strip() == "":
                break
            m = _TOKEN.match(text, pos)
            if not m or m.end() == pos:
                col = pos + 1 + (len(text[pos:]) - len(text[pos:].lstrip()))
                raise ConditionError(f"unexpected character {text[col - 1]!r}", col)
            kind = m.lastgroup or "word"
            start = m.start(kind) + 1
            self.tokens.append((kind, m.group(kind), start))
            pos = m.end()
        self.i = 0

    def peek(self) -> tuple[str, str, int] | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def peek_word(self) -> str | None:
        tok = self.peek()
        return tok[1].lower() if tok and tok[0] == "word" else None

    def take(self) -> tuple[str, str, int]:
        tok = self.peek()
        if tok is None:
            raise ConditionError("the condition ends too early", len(self.text) + 1)
        self.i += 1
        return tok

    def parse(self) -> Node:
        if not self.tokens:
            raise ConditionError("the condition is empty")
        node = self.expr()
        tok = self.peek()
        if tok is not None:
            raise ConditionError(f"unexpected {tok[1]!r}", tok[2])
        return node

    def expr(self) -> Node:
        operands = [self.and_expr()]
        while self.peek_word() == "or":
            self.take()
            operands.append(self.and_expr())
        return operands[0] if len(operands) == 1 else Or(tuple(operands))

    def _same(self) -> str | None:
        if self.peek_word() != "with":
            return None
        col = self.take()[2]
        if self.peek_word() != "same":
            raise ConditionError("'with' must be followed by 'same NAME' (with same driver)", col)
        self.take()
        tok = self.peek()
        if tok is None or tok[0] != "word" or tok[1].lower() in _KEYWORDS or not _VALUE_NAME.fullmatch(tok[1]):
            raise ConditionError("'with same' needs a value name (letters, digits, '_'), like 'with same driver'",
                                 tok[2] if tok else len(self.text) + 1)
        self.take()
        return tok[1]

    def _within(self) -> int | None:
        if self.peek_word() != "within":
            return None
        self.take()
        kind, value, col = self.take()
        try:
            return parse_duration(value)
        except ConditionError as exc:
            raise ConditionError(str(exc), col) from None

    def and_expr(self) -> Node:
        operands = [self.then_expr()]
        while self.peek_word() == "and":
            self.take()
            operands.append(self.then_expr())
        if self.peek_word() in ("within", "with"):
            col = self.peek()[2]  # type: ignore[index]
            if len(operands) < 2:
                word = self.peek_word()
                raise ConditionError(f"'{word}' needs two or more operands joined by 'and' or 'then'", col)
            within = self._within()
            return And(tuple(operands), within, self._same())
        return operands[0] if len(operands) == 1 else And(tuple(operands))

    def then_expr(self) -> Node:
        operands = [self.unary()]
        while self.peek_word() == "then":
            self.take()
            operands.append(self.unary())
        if len(operands) == 1:
            return operands[0]
        within = self._within()
        return Then(tuple(operands), within, self._same())

    def unary(self) -> Node:
        kind, value, col = self.take()
        if kind == "lp":
            node = self.expr()
            close = self.peek()
            if close is None or close[0] != "rp":
                raise ConditionError("missing ')'", close[2] if close else len(self.text) + 1)
            self.take()
            return node
        if kind == "rp":
            raise ConditionError("unexpected ')'", col)
        low = value.lower()
        if low == "not":
            return Not(self.unary())
        if self.peek_word() == "of":
            if low in ("all",):
                count = None
            elif low in ("any",):
                count = 1
            elif low.isdigit() and int(low) > 0:
                count = int(low)
            else:
                raise ConditionError(f"'{value} of': write 1 of, 2 of, any of or all of", col)
            self.take()
            kind2, target, col2 = self.take()
            if kind2 != "word" or (target.lower() in _KEYWORDS and target.lower() != "them"):
                raise ConditionError("'of' needs a selection name pattern (sel_*) or 'them'", col2)
            return Quantified(count, "them" if target.lower() == "them" else target)
        if low in _KEYWORDS:
            raise ConditionError(f"unexpected keyword {value!r}", col)
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.\-]*", value):
            raise ConditionError(f"{value!r} is not a selection name", col)
        return Name(value)


def parse_condition(text: str) -> Node:
    """Parse a condition into a tree; raises :class:`ConditionError` naming the column of the problem."""
    return _Parser(str(text)).parse()


def _expand(pattern: str, names: Sequence[str]) -> list[str]:
    if pattern == "them":
        return [n for n in names if not n.startswith("_")]
    return [n for n in names if fnmatch.fnmatchcase(n, pattern)]


def selection_names(node: Node, names: Sequence[str]) -> set[str]:
    """The selections a condition refers to. Raises when a name or pattern matches no selection."""
    out: set[str] = set()
    if isinstance(node, Name):
        if node.name not in names:
            raise ConditionError(f"the condition names {node.name!r}, which is not a selection "
                                 f"(selections: {', '.join(names) or 'none'})")
        out.add(node.name)
    elif isinstance(node, Quantified):
        found = _expand(node.pattern, names)
        if not found:
            raise ConditionError(f"'{node.pattern}' matches no selection")
        if node.count is not None and node.count > len(found):
            raise ConditionError(f"'{node.count} of {node.pattern}' asks for more than the {len(found)} "
                                 "selections it matches")
        out.update(found)
    elif isinstance(node, Not):
        out |= selection_names(node.operand, names)
    else:
        for op in node.operands:
            out |= selection_names(op, names)
    return out


def same_value_names(node: Node, names: Sequence[str]) -> dict[str, set[str]]:
    """For each ``with same NAME`` in the tree, the selections that must supply NAME."""
    out: dict[str, set[str]] = {}
    if isinstance(node, Not):
        return same_value_names(node.operand, names)
    if isinstance(node, (And, Or, Then)):
        if isinstance(node, (And, Then)) and node.same:
            for op in node.operands:
                out.setdefault(node.same, set()).update(selection_names(op, names))
        for op in node.operands:
            for k, v in same_value_names(op, names).items():
                out.setdefault(k, set()).update(v)
    return out


# ------------------------------------------------------------------------------------------- evaluation

#: ``value_of(selection, row, name)``: the raw value of ``name`` in a row that selection matched.
ValueOf = Callable[[str, Match, str], object]


def _union(groups: Sequence[Sequence[Match]]) -> list[Match]:
    seen: set[tuple[object, ...]] = set()
    out: list[Match] = []
    for group in groups:
        for m in group:
            if m.key not in seen:
                seen.add(m.key)
                out.append(m)
    return out


def _timed(rows: Sequence[Match]) -> list[Match]:
    return sorted((m for m in rows if m.ts is not None), key=lambda m: m.ts)  # type: ignore[arg-type,return-value]


def _within_all(groups: list[list[Match]], window: int | None) -> list[Match]:
    """Rows that show the groups close in time: each row of the rarest group with the nearest row of every
    other group, when all of them lie within ``window``.

    The rare rows are the signal (two Kernel-Power 41 events), the common ones the context (two thousand
    setup-log lines saying Setup ran): listing every row of a window, as :func:`_covering_windows` does,
    buries the signal under the context. With three or more groups the nearest rows may lie further apart
    than the window even where a window holds them all; then the covering windows' rows are the evidence.
    """
    timed = [_timed(g) for g in groups]
    if any(not g for g in timed):
        return []
    rare = min(range(len(timed)), key=lambda i: (len(timed[i]), i))
    stamps = [[int(m.ts or 0) for m in g] for g in timed]
    keep: list[Match] = []
    kept: set[tuple[object, ...]] = set()
    for pivot in timed[rare]:
        t = int(pivot.ts or 0)
        chosen = [pivot]
        for gi, (g, ts_list) in enumerate(zip(timed, stamps, strict=True)):
            if gi == rare:
                continue
            at = bisect_left(ts_list, t)
            near = [g[i] for i in (at - 1, at) if 0 <= i < len(g)]
            chosen.append(min(near, key=lambda m: abs(int(m.ts or 0) - t)))
        span = max(int(m.ts or 0) for m in chosen) - min(int(m.ts or 0) for m in chosen)
        if window is not None and span > window:
            continue
        for m in chosen:
            if m.key not in kept and len(keep) < MAX_EVIDENCE:
                kept.add(m.key)
                keep.append(m)
    if keep or len(groups) < 3:
        return keep
    return _covering_windows(groups, window)


def _covering_windows(groups: list[list[Match]], window: int | None) -> list[Match]:
    """Rows from windows of length ``window`` that hold at least one row of every group (any order)."""
    tagged = sorted(((m.ts, gi, m) for gi, g in enumerate(groups) for m in _timed(g)),
                    key=lambda t: (t[0], t[1]))
    need = len(groups)
    counts = [0] * need
    covered = 0
    lo = 0
    keep: list[Match] = []
    kept: set[tuple[object, ...]] = set()
    for hi, (ts_hi, g_hi, _m) in enumerate(tagged):
        if counts[g_hi] == 0:
            covered += 1
        counts[g_hi] += 1
        while window is not None and tagged[lo][0] < ts_hi - window:  # type: ignore[operator]
            g_lo = tagged[lo][1]
            counts[g_lo] -= 1
            if counts[g_lo] == 0:
                covered -= 1
            lo += 1
        if covered == need:
            if len(keep) >= MAX_EVIDENCE:
                break
            for _ts, _g, m in tagged[lo:hi + 1]:
                if m.key not in kept and len(keep) < MAX_EVIDENCE:
                    kept.add(m.key)
                    keep.append(m)
    return keep


def _sequence(groups: list[list[Match]], window: int | None) -> list[Match]:
    """Rows of chains a1 <= a2 <= ... (one per group, in order) whose span is at most ``window``."""
    timed = [_timed(g) for g in groups]
    stamps = [[int(m.ts or 0) for m in g] for g in timed]  # _timed keeps only timed rows
    keep: list[Match] = []
    kept: set[tuple[object, ...]] = set()
    for start in timed[0]:
        if len(keep) >= MAX_EVIDENCE:
            break
        chain = [start]
        t = int(start.ts or 0)
        for g, ts_list in zip(timed[1:], stamps[1:], strict=True):
            at = bisect_left(ts_list, t)  # the earliest row at or after the previous link
            if at == len(g):
                break
            nxt = g[at]
            chain.append(nxt)
            t = int(nxt.ts or 0)
        else:
            if window is None or chain[-1].ts - start.ts <= window:  # type: ignore[operator]
                for m in chain:
                    if m.key not in kept and len(keep) < MAX_EVIDENCE:
                        kept.add(m.key)
                        keep.append(m)
    return keep


def _same_value(node: And | Then, results: list[tuple[bool, list[Match]]], matches: Mapping[str, Sequence[Match]],
                value_of: ValueOf | None, found: dict[str, str] | None) -> list[Match]:
    """Rows of the operands that share one value of ``node.same`` (and, with a time operator, line up).

    Works over the rows already matched (at most a scan's per-selection cap each), so it is bounded: one
    dictionary per operand from normalised value to rows, then their intersection. The latest qualifying
    value wins (the one closest to the failure); its normalised form goes into ``found``.
    """
    assert node.same is not None
    names = list(matches)
    groups: list[dict[str, list[Match]]] = []
    for op, (_ok, rows) in zip(node.operands, results, strict=True):
        if not rows:
            continue  # a 'not' operand: true without rows, it carries no value
        keys = {m.key for m in rows}
        by_value: dict[str, list[Match]] = {}
        seen: set[tuple[str, tuple[object, ...]]] = set()
        for sel in sorted(selection_names(op, names)):
            for m in matches.get(sel, ()):
                if m.key not in keys or value_of is None:
                    continue
                v = normalize_value(value_of(sel, m, node.same))
                if v is not None and (v, m.key) not in seen:
                    seen.add((v, m.key))
                    by_value.setdefault(v, []).append(m)
        groups.append(by_value)
    if not groups:
        return []
    common = set(groups[0]).intersection(*groups[1:])

    def latest(value: str) -> tuple[int, str]:
        return (max((int(m.ts) for g in groups for m in g[value] if m.ts is not None), default=-1), value)

    for value in sorted(common, key=latest, reverse=True):
        parts = [g[value] for g in groups]
        if node.within_us is None and isinstance(node, And):
            rows = _union(parts)[:MAX_EVIDENCE]
        elif isinstance(node, And):
            rows = _within_all(parts, node.within_us)
        else:
            rows = _sequence(parts, node.within_us)
        if rows:
            if found is not None:
                found.setdefault(node.same, value)
            return rows
    return []


def evaluate(node: Node, matches: Mapping[str, Sequence[Match]], value_of: ValueOf | None = None,
             found: dict[str, str] | None = None) -> tuple[bool, list[Match]]:
    """Is the condition true for these selection matches, and which rows show it?

    ``matches`` maps every selection name to the rows it matched (possibly none). ``value_of`` gives the
    values ``with same NAME`` compares (without it such a condition is never true); the normalised value
    each ``with same`` agreed on goes into ``found`` (NAME → value).
    """
    names = list(matches)
    if isinstance(node, Name):
        rows = list(matches.get(node.name, ()))
        return bool(rows), rows
    if isinstance(node, Quantified):
        chosen = _expand(node.pattern, names)
        hits = [list(matches[n]) for n in chosen if matches[n]]
        need = len(chosen) if node.count is None else node.count
        ok = len(hits) >= need and bool(chosen)
        return ok, (_union(hits) if ok else [])
    if isinstance(node, Not):
        ok, _rows = evaluate(node.operand, matches, value_of)
        return (not ok), []
    results = [evaluate(op, matches, value_of, found) for op in node.operands]
    if isinstance(node, Or):
        true = [rows for ok, rows in results if ok]
        return bool(true), _union(true)
    if not all(ok for ok, _ in results):
        return False, []
    if isinstance(node, (And, Then)) and node.same is not None:
        rows = _same_value(node, results, matches, value_of, found)
        return bool(rows), rows
    if isinstance(node, And) and node.within_us is None:
        return True, _union([rows for _, rows in results])
    # Operands that are true without rows (a 'not') constrain nothing in time; the rest must line up.
    groups = [rows for _, rows in results if rows]
    if not groups:
        return True, []
    rows = _within_all(groups, node.within_us) if isinstance(node, And) else _sequence(groups, node.within_us)
    return bool(rows), rows
