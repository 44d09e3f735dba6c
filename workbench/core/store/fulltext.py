"""The case's full-text query: FTS5 for words, a substring match for Chinese, Japanese and Korean.

The timeline's index (``timeline_fts``, FTS5 ``unicode61``) splits text at spaces and punctuation. Chinese has
no spaces, so a whole run of characters is one token: "…第二次重启蓝屏后回滚。" is the single token
``第二次重启蓝屏后回滚`` and a search for 蓝屏 finds nothing. SQLite's stock tokenizers offer no way out from
Python (no custom tokenizer; ``trigram`` cannot find two-character words, which most Chinese words are).

So a query is read as FTS5 syntax (words, ``"phrases"``, ``prefix*``, ``AND``/``OR``/``NOT``, parentheses)
and split: every part without CJK goes to the index as it is, every term with CJK becomes a substring match
(case-insensitive for ASCII letters) of the rows that hold any character beyond ASCII — an index
(``timeline_wide``, built with the timeline's other indexes) lists those, a small share of a case. The parts
are combined with INTERSECT / UNION / EXCEPT. A query without CJK is passed to the index unchanged, so
Latin searches cost what they did. A CJK term's answer is exactly a substring match: a run of CJK in a row
is one token, so "the token holds 蓝屏" and "the row holds 蓝屏" are the same, and the prefix star adds
nothing to a substring (``回滚*`` = 回滚).
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from typing import Any

__all__ = ["QuerySyntaxError", "TIMELINE", "Target", "WIDE_ROWS", "has_cjk", "match_sql"]

#: CJK radicals to Yi, Hangul syllables, compatibility ideographs, fullwidth forms, and the supplementary
#: ideograph planes: scripts written without spaces between words.
_CJK = re.compile("[\u2e80-\ua4cf\uac00-\ud7af\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef\U00020000-\U0003ffff]")

#: The rows that may hold CJK (any character beyond ASCII in the message or the component): the condition of
#: the partial index ``timeline_wide`` (schema.TIMELINE_INDEXES), written the same way so the planner uses it.
WIDE_ROWS = ("(length(message) <> length(CAST(message AS BLOB)) "
             "OR length(component) <> length(CAST(component AS BLOB)))")



@dataclass(frozen=True)
class Target:
    """Where a query is answered: the full-text table's MATCH, and the substring scan of the rows a CJK term
    is looked for in (each a SELECT of row ids with its parameters as ``?``)."""

    fts: str
    substring: str


#: The case's timeline: its index, and the rows beyond ASCII (the partial index ``timeline_wide``).
TIMELINE = Target(
    fts="SELECT rowid FROM timeline_fts WHERE timeline_fts MATCH ?",
    substring=(f"SELECT id FROM timeline WHERE {WIDE_ROWS} "
               "AND (instr(lower(message), ?) > 0 OR instr(lower(component), ?) > 0)"),
)


def has_cjk(text: str) -> bool:
    """Whether ``text`` holds a character of a script written without spaces (Chinese, Japanese, Korean)."""
    return _CJK.search(text) is not None


# ------------------------------------------------------------------------------------------- parsing


class QuerySyntaxError(sqlite3.OperationalError):
    """A query with CJK that is not FTS5 syntax, or uses syntax this reader does not take apart (NEAR, column
    filters). An ``OperationalError`` as SQLite's own for a bad query, so callers handle both alike."""


@dataclass(frozen=True)
class _Token:
    kind: str  # term | ( | ) | AND | OR | NOT
    text: str  # the source text (a term as typed, with its quotes and star)
    value: str = ""  # a term's words (quotes undone, no star)


_EDGES = re.compile(r"^\W+|\W+$")
_BARE = re.compile(r"[\w\u0080-\U0010ffff\x1a]+", re.UNICODE)


def _tokens(query: str) -> list[_Token]:
    out: list[_Token] = []
    i, n = 0, len(query)
    while i < n:
        c = query[i]
        if c.isspace():
            i += 1
        elif c in "()":
            out.append(_Token(c, c))
            i += 1
        elif c == '"':
            j, value = i + 1, []
            while True:
                k = query.find('"', j)
                if k < 0:
                    raise QuerySyntaxError("unterminated string")
                value.append(query[j:k])
                if k + 1 < n and query[k + 1] == '"':  # "" is a quote inside the phrase
                    value.append('"')
                    j = k + 2
                    continue
                j = k + 1
                break
            star = j < n and query[j] == "*"
            end = j + (1 if star else 0)
            out.append(_Token("term", query[i:end], "".join(value)))
            i = end
        else:
            m = _BARE.match(query, i)
            if m is None:
                raise QuerySyntaxError(f"syntax error near {c!r}")
            word = m.group(0)
            end = m.end()
            if word in ("AND", "OR", "NOT"):
                out.append(_Token(word, word))
            elif word == "NEAR" or (end < n and query[end] in ":^+{"):
                raise QuerySyntaxError(f"{word} is not taken apart with CJK")
            else:
                star = end < n and query[end] == "*"
                out.append(_Token("term", query[i:end + (1 if star else 0)], word))
                end += 1 if star else 0
            i = end
    return out


@dataclass(frozen=True)
class _Node:
    op: str  # term | and | or | not
    parts: tuple[Any, ...]  # _Token for a term, _Node children otherwise

    def cjk(self) -> bool:
        if self.op == "term":
            return has_cjk(self.parts[0].value)
        return any(p.cjk() for p in self.parts)

    def fts(self) -> str:
        """This node as FTS5 text (for the parts without CJK, which the index answers)."""
        if self.op == "term":
            return str(self.parts[0].text)
        joiner = {"and": " AND ", "or": " OR ", "not": " NOT "}[self.op]
        return "(" + joiner.join(p.fts() for p in self.parts) + ")"


class _Parser:
    """FTS5's precedence: NOT binds tightest, then AND (also implicit, between two terms), then OR."""

    def __init__(self, tokens: list[_Token]) -> None:
        self.tokens = tokens
        self.i = 0

    def peek(self) -> str | None:
        return self.tokens[self.i].kind if self.i < len(self.tokens) else None

    def take(self) -> _Token:
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def parse(self) -> _Node:
        node = self.or_()
        if self.peek() is not None:
            raise QuerySyntaxError(f"syntax error near {self.tokens[self.i].text!r}")
        return node

    def or_(self) -> _Node:
        parts = [self.and_()]
        while self.peek() == "OR":
            self.take()
            parts.append(self.and_())
        return parts[0] if len(parts) == 1 else _Node("or", tuple(parts))

    def and_(self) -> _Node:
        parts = [self.not_()]
        while self.peek() in ("AND", "term", "("):
            if self.peek() == "AND":
                self.take()
            parts.append(self.not_())
        return parts[0] if len(parts) == 1 else _Node("and", tuple(parts))

    def not_(self) -> _Node:
        node = self.atom()
        while self.peek() == "NOT":
            self.take()
            node = _Node("not", (node, self.atom()))
        return node

    def atom(self) -> _Node:
        kind = self.peek()
        if kind == "term":
            return _Node("term", (self.take(),))
        if kind == "(":
            self.take()
            node = self.or_()
            if self.peek() != ")":
                raise QuerySyntaxError("unbalanced parenthesis")
            self.take()
            return node
        raise QuerySyntaxError("syntax error near " + (repr(self.tokens[self.i].text) if kind else "the end"))


# ------------------------------------------------------------------------------------------- SQL


def _sql(node: _Node, params: list[Any], target: Target) -> str:
    if not node.cjk():
        params.append(node.fts())
        return target.fts
    if node.op == "term":
        # the index drops punctuation round a term, so does this ("回滚*" typed into a filter, "蓝屏。")
        needle = _EDGES.sub("", " ".join(node.parts[0].value.split())).lower()
        if not needle:
            raise QuerySyntaxError(f"nothing to search in {node.parts[0].text!r}")
        params += [needle, needle]
        return target.substring
    op = {"and": " INTERSECT ", "or": " UNION ", "not": " EXCEPT "}[node.op]
    return op.join(f"SELECT * FROM ({_sql(p, params, target)})" for p in node.parts)


def match_sql(query: str, target: Target = TIMELINE) -> tuple[str, list[Any]]:
    """A SELECT of the ids of the timeline rows ``query`` matches, and its parameters: to be used as
    ``t.id IN (<sql>)`` (add ``ORDER BY 1`` when the order matters). ``target`` is another table of the same
    columns to answer from (the block of rows searched while the index is built, :mod:`workbench.core.search`).

    A query without CJK is FTS5's own (its syntax errors are raised by SQLite when the statement runs, as
    before). One with CJK is taken apart (see the module's docstring); syntax this reader does not take
    apart together with CJK (NEAR, ``column:``), or broken syntax, raises :class:`QuerySyntaxError` (an
    ``sqlite3.OperationalError``, as SQLite's for a bad query) before anything runs.
    """
    if not has_cjk(query):
        return target.fts, [query]
    node = _Parser(_tokens(query)).parse()
    params: list[Any] = []
    return _sql(node, params, target), params
