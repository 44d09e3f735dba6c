"""Selections compiled to SQL: a signature never loops over rows in Python.

A selection is a mapping of ``field|modifier|modifier: value`` conditions, all of which must hold (a list of
such mappings means any of them). ``table:`` names where it looks: ``timeline`` (the default), ``facts``, or
any detail table a parser declares (``setupapi_sections``, ``evtx_records``, ``procmon_events``, ...). The
detail tables are written by other parsers at their own pace, so their columns are checked when a case is
scanned, not when the signature loads; a missing table simply matches nothing.

Modifiers (after Sigma): ``contains``, ``startswith``, ``endswith``, ``re`` (Python regular expression;
named groups become template fields), ``all`` (every listed value must hold, not any), ``cased`` (match case;
the default ignores it), ``gt``/``gte``/``lt``/``lte`` (numbers), ``not`` (negate this one field). A value
of ``null`` means the column is empty.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

__all__ = ["CompiledSelection", "SelectionError", "compile_selection", "KNOWN_COLUMNS", "register_functions"]

#: Columns of the core tables, checked when a signature loads (detail tables are checked at scan time).
KNOWN_COLUMNS: dict[str, frozenset[str]] = {
    "timeline": frozenset({"id", "ts", "local", "basis", "source", "file_id", "line", "level", "component",
                           "message"}),
    "facts": frozenset({"id", "name", "value", "file_id", "line", "ts", "basis", "text", "weight"}),
    "files": frozenset({"id", "path", "container", "size", "compressed_size", "mtime", "sha256", "kind", "role",
                        "status", "reason", "parser", "records", "blob", "notes"}),
}
MODIFIERS = frozenset({"contains", "startswith", "endswith", "re", "all", "cased", "gt", "gte", "lt", "lte",
                       "not"})
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class SelectionError(ValueError):
    """A selection that cannot be compiled; ``line`` is the YAML line when known."""

    def __init__(self, message: str, line: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


@dataclass(frozen=True)
class CompiledSelection:
    """One selection as SQL: ``SELECT ... FROM {table} WHERE {where}`` with ``params``."""

    name: str
    table: str
    where: str
    params: tuple[Any, ...]
    columns: frozenset[str]
    regexes: tuple[tuple[str, str, bool], ...] = field(default=())  # (column, pattern, cased) for groups
    fts: str | None = None  # a full-text query every matching timeline row satisfies (a prefilter)
    fts_tree: tuple[Alternative, ...] | None = field(default=None, compare=False)

    @property
    def key(self) -> tuple[str, str, tuple[Any, ...], str | None]:
        """Two selections with the same key match the same rows, so a scan runs the query once."""
        return (self.table, self.where, self.params, self.fts)


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


@lru_cache(maxsize=1024)
def _compiled(pattern: str, cased: bool) -> re.Pattern[str]:
    return re.compile(pattern, 0 if cased else re.IGNORECASE)


def _regexp(pattern: str, value: Any) -> int:
    if value is None:
        return 0
    return 1 if _compiled(pattern, True).search(str(value)) else 0


def _regexp_i(pattern: str, value: Any) -> int:
    if value is None:
        return 0
    return 1 if _compiled(pattern, False).search(str(value)) else 0


def register_functions(conn: sqlite3.Connection) -> None:
    """Give a connection ``REGEXP`` (``x REGEXP p``, case-sensitive) and ``regexp_i(p, x)`` (ignoring case).

    Registering again while a statement is open fails in SQLite, so a connection that has them is left alone.
    """
    try:
        conn.execute("SELECT regexp_i('a', 'a'), 'a' REGEXP 'a'").fetchall()
        return
    except sqlite3.OperationalError:
        pass
    conn.create_function("REGEXP", 2, _regexp, deterministic=True)
    conn.create_function("regexp_i", 2, _regexp_i, deterministic=True)


def _one(column: str, mods: list[str], value: Any) -> tuple[str, list[Any]]:
    """SQL for ``column`` against one value under ``mods``."""
    cased = "cased" in mods
    col = f'"{column}"'
    if value is None:
        return f"{col} IS NULL", []
    if isinstance(value, bool):
        value = int(value)
    for op, sql_op in (("gt", ">"), ("gte", ">="), ("lt", "<"), ("lte", "<=")):
        if op in mods:
            if not isinstance(value, (int, float)):
                raise SelectionError(f"'{column}|{op}' needs a number, not {value!r}")
            return f"{col} {sql_op} ?", [value]
    if isinstance(value, (int, float)) and not any(m in mods for m in ("contains", "startswith", "endswith", "re")):
        return f"{col} = ?", [value]
    text = str(value)
    if "re" in mods:
        try:
            _compiled(text, cased)
        except re.error as exc:
            raise SelectionError(f"'{column}|re' {text!r} is not a valid regular expression: {exc}") from None
        return (f"{col} REGEXP ?" if cased else f"regexp_i(?, {col})"), [text]
    if not text:
        raise SelectionError(f"'{column}' has an empty value; it would match everything")
    if "contains" in mods or "startswith" in mods or "endswith" in mods:
        if cased:
            if "contains" in mods:
                return f"instr({col}, ?) > 0", [text]
            if "startswith" in mods:
                return f"substr({col}, 1, ?) = ?", [len(text), text]
            return f"substr({col}, -?) = ?", [len(text), text]
        pat = _like_escape(text)
        pat = f"%{pat}%" if "contains" in mods else (f"{pat}%" if "startswith" in mods else f"%{pat}")
        # LIKE ignores case for ASCII only; setup logs are ASCII where it matters (codes, components)
        return f"{col} LIKE ? ESCAPE '\\'", [pat]
    return (f"{col} = ?" if cased else f"{col} = ? COLLATE NOCASE"), [text]


# ------------------------------------------------------------------------------- full-text prefilter
#
# LIKE over every timeline row costs ~15 ms per 100k rows and selection; a hundred signatures would take
# seconds. The timeline already has an FTS5 index (unicode61 tokens) over ``message``, so a ``contains`` or
# ``re`` condition also yields full-text terms every matching row must contain; SQLite then runs LIKE or
# the regex only on the few candidate rows. Only tokens known to be whole words in the message may be used:
# a token between two separators of the needle, or the last token as a prefix (``"tok"*``). The first token
# of a needle may be the end of a longer word ("rollback" inside "xrollback"), so it is used only when the
# needle starts with a separator (or a regex puts ``\b`` or ``^`` before it). A needle with no usable token
# gets no prefilter: correctness first.
#
# The terms are kept as a tree (alternatives of clauses of needles of terms) so the engine can query only
# the rarest term of each needle, as the index counts them in the case at hand: a common word ("error")
# would make the index read a million-entry list for nothing.

#: (token, is_prefix)
Term = tuple[str, bool]
#: every term must be in the row
Needle = tuple[Term, ...]
#: ("or" | "and", needles): any / every needle of one field condition
Clause = tuple[str, tuple[Needle, ...]]
#: every clause must hold; a selection's tree is a tuple of alternatives, any of which may hold
Alternative = tuple[Clause, ...]

_TOKEN_RUN = re.compile(r"[^\W_]+")


def needle_terms(needle: str, left_bounded: bool = False, right_bounded: bool = False) -> Needle | None:
    """Full-text terms every text containing ``needle`` has (case-insensitively), or None when none is safe.

    ``left_bounded``/``right_bounded`` say the needle is known to start/end at a word boundary.
    """
    exact: list[Term] = []
    prefix: list[Term] = []
    for m in _TOKEN_RUN.finditer(needle):
        left = m.start() > 0 or left_bounded
        right = m.end() < len(needle) or right_bounded
        if left and right:
            exact.append((m.group(0), False))
        elif left:
            prefix.append((m.group(0), True))
    # Prefix terms are kept too: the engine weighs every term by how many rows hold it in the case and
    # sends only the rarest (a prefix like "0x" expands to every code in a log and is never the rarest).
    terms = exact + prefix
    return tuple(terms) if terms else None


def render_terms(terms: Needle) -> str:
    return " AND ".join(f'"{t}"*' if p else f'"{t}"' for t, p in terms)


def fts_for_needle(needle: str) -> str | None:
    """An FTS5 expression every text containing ``needle`` matches, or None (for tests and ``show``)."""
    terms = needle_terms(needle)
    return render_terms(terms) if terms else None


_BOUNDARY_AT = {"AT_BEGINNING", "AT_BEGINNING_STRING", "AT_BOUNDARY", "AT_END", "AT_END_STRING"}


def _regex_literal_runs(pattern: str, cased: bool) -> list[tuple[str, bool, bool]]:
    """Literal text every match of ``pattern`` must contain: (run, starts at a boundary, ends at one)."""
    try:
        import re._parser as sre  # Python 3.11+
    except ImportError:  # pragma: no cover - Python 3.10
        import sre_parse as sre  # type: ignore[no-redef,unused-ignore]
    try:
        parsed = sre.parse(pattern, 0 if cased else re.IGNORECASE)
    except Exception:
        return []
    runs: list[tuple[str, bool, bool]] = []
    cur: list[str] = []
    state = {"left": False}

    def flush(right: bool = False) -> None:
        if cur:
            runs.append(("".join(cur), state["left"], right))
            cur.clear()
        state["left"] = False

    def walk(seq: Any) -> None:
        for op, av in seq:
            name = str(op)
            if name == "LITERAL":
                cur.append(chr(av))
            elif name == "SUBPATTERN":
                walk(av[-1])
            elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT") and av[0] >= 1:
                flush()
                walk(av[2])
                flush()
            elif name == "AT" and str(av) in _BOUNDARY_AT:
                flush(right=True)
                state["left"] = True
            else:
                flush()

    walk(parsed)
    flush()
    return runs


def regex_terms(pattern: str, cased: bool) -> Needle | None:
    """Terms every text matching ``pattern`` contains, from its literal runs; or None."""
    terms: list[Term] = []
    for run, left, right in _regex_literal_runs(pattern, cased):
        t = needle_terms(run, left, right)
        if t:
            terms.extend(t)
    return tuple(dict.fromkeys(terms)) if terms else None


def fts_for_regex(pattern: str, cased: bool) -> str | None:
    terms = regex_terms(pattern, cased)
    return render_terms(terms) if terms else None


def _field_clause(column: str, mods: list[str], values: list[Any]) -> Clause | None:
    if column != "message" or "not" in mods:
        return None
    needles: list[Needle | None] = []
    for v in values:
        if not isinstance(v, str):
            return None
        if "re" in mods:
            needles.append(regex_terms(v, "cased" in mods))
        elif "contains" in mods or "startswith" in mods or "endswith" in mods:
            needles.append(needle_terms(v, left_bounded="startswith" in mods, right_bounded="endswith" in mods))
        else:
            needles.append(needle_terms(v, True, True))  # equality: the whole message, every token is whole
    if "all" in mods:
        usable = tuple(n for n in needles if n)
        return ("and", usable) if usable else None
    if not all(needles):
        return None  # one value of an 'any of' list cannot be prefiltered: the whole field cannot
    return ("or", tuple(n for n in needles if n))


def render_tree(tree: tuple[Alternative, ...]) -> str:
    """The whole prefilter as one FTS5 query (every term; the engine usually sends a cheaper subset)."""
    def clause(c: Clause) -> str:
        op, needles = c
        return f" {op.upper()} ".join(f"({render_terms(n)})" for n in needles)
    alts = [" AND ".join(f"({clause(c)})" for c in alt) for alt in tree]
    return "message : (" + " OR ".join(f"({a})" for a in alts) + ")"


def _field(key: str, value: Any) -> tuple[str, list[Any], str, list[str]]:
    parts = key.split("|")
    column, mods = parts[0], [m.lower() for m in parts[1:]]
    if not _IDENT.match(column):
        raise SelectionError(f"{column!r} is not a column name")
    for m in mods:
        if m not in MODIFIERS:
            raise SelectionError(f"unknown modifier {m!r} in {key!r} (known: {', '.join(sorted(MODIFIERS))})")
    if sum(m in mods for m in ("contains", "startswith", "endswith", "re", "gt", "gte", "lt", "lte")) > 1:
        raise SelectionError(f"{key!r} combines modifiers that exclude each other")
    values = value if isinstance(value, list) else [value]
    if not values:
        raise SelectionError(f"{key!r} has an empty list")
    if any(isinstance(v, (dict, list)) for v in values):
        raise SelectionError(f"{key!r} values must be text, numbers or null")
    parts_sql: list[str] = []
    params: list[Any] = []
    for v in values:
        sql, p = _one(column, mods, v)
        parts_sql.append(sql)
        params.extend(p)
    joiner = " AND " if "all" in mods else " OR "
    sql = parts_sql[0] if len(parts_sql) == 1 else "(" + joiner.join(parts_sql) + ")"
    if "not" in mods:
        # a NULL column is "not X" too; without coalesce SQL would drop it
        sql = f"NOT coalesce({sql}, 0)"
    return sql, params, column, mods


def compile_selection(name: str, spec: Any) -> CompiledSelection:
    """Compile a selection spec (mapping, or list of mappings meaning any of them) into SQL."""
    alternatives = spec if isinstance(spec, list) else [spec]
    if not alternatives or not all(isinstance(a, dict) and a for a in alternatives):
        raise SelectionError("a selection is a mapping of 'field|modifier: value' (or a list of such mappings)")
    tables = {str(a.get("table", "timeline")) for a in alternatives}
    if len(tables) != 1:
        raise SelectionError("every alternative of one selection must look in the same table")
    table = tables.pop()
    if not _IDENT.match(table):
        raise SelectionError(f"{table!r} is not a table name")
    known = KNOWN_COLUMNS.get(table)
    ors: list[str] = []
    params: list[Any] = []
    columns: set[str] = set()
    regexes: list[tuple[str, str, bool]] = []
    tree: list[Alternative | None] = []
    for alt in alternatives:
        ands: list[tuple[int, str, list[Any]]] = []
        clauses: list[Clause] = []
        for key, value in alt.items():
            if key == "table":
                continue
            line = getattr(alt, "lines", {}).get(key, 0)
            key = str(key)
            if table == "timeline" and key == "level":
                # levels are lower-case by contract; an exact comparison lets SQLite use the level index
                values = value if isinstance(value, list) else [value]
                key, value = "level|cased", [v.lower() if isinstance(v, str) else v for v in values]
            try:
                sql, p, column, mods = _field(key, value)
            except SelectionError as exc:
                raise SelectionError(exc.message, line) from None
            if known is not None and column not in known:
                raise SelectionError(f"table {table!r} has no column {column!r} (it has: "
                                     f"{', '.join(sorted(known))})", line)
            columns.add(column)
            if "re" in mods and "not" not in mods:
                for v in value if isinstance(value, list) else [value]:
                    if isinstance(v, str) and _compiled(v, "cased" in mods).groupindex:
                        regexes.append((column, v, "cased" in mods))
            # cheap tests first: SQLite stops at the first false term of an AND
            cost = 2 if "re" in mods else (1 if any(m in mods for m in ("contains", "startswith", "endswith"))
                                           else 0)
            ands.append((cost, sql, p))
            if table == "timeline":
                c = _field_clause(column, mods, value if isinstance(value, list) else [value])
                if c:
                    clauses.append(c)
        if not ands:
            raise SelectionError("a selection needs at least one field condition besides 'table'")
        ands.sort(key=lambda t: t[0])
        for _cost, _sql, p in ands:
            params.extend(p)
        sqls = [a[1] for a in ands]
        ors.append(sqls[0] if len(sqls) == 1 else "(" + " AND ".join(sqls) + ")")
        tree.append(tuple(clauses) if clauses else None)
    where = ors[0] if len(ors) == 1 else "(" + " OR ".join(ors) + ")"
    fts_tree = tuple(a for a in tree if a) if tree and all(tree) else None
    fts = render_tree(fts_tree) if fts_tree else None
    return CompiledSelection(name, table, where, tuple(params), frozenset(columns), tuple(regexes), fts,
                             fts_tree)
