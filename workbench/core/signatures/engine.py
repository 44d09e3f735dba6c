"""Scanning a case with signatures: one SQL query per distinct selection, conditions over the small results.

The expensive part (finding rows) is SQLite's; Python only combines the few rows each selection matched.
Identical selections in different signatures (many SetupDiag rules look at the same rollback lines) run
once. Every match becomes a finding ranked by level and by closeness to the failure, unlike SetupDiag,
which reports only the first profile that matches.
"""

from __future__ import annotations

import functools
import json
import logging
import re
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from workbench.core.signatures.compiler import (
    _TOKEN_RUN,
    Alternative,
    CompiledSelection,
    Needle,
    _compiled,
    register_functions,
    render_terms,
)
from workbench.core.signatures.condition import Match, ValueOf, evaluate
from workbench.core.signatures.loader import Signature
from workbench.core.store import CaseStore

log = logging.getLogger(__name__)

__all__ = ["Row", "Hit", "scan", "write_findings", "SEVERITY_OF_LEVEL", "failure_anchor", "dedupe_evidence"]

#: Rows kept per selection (the latest ones): more than any real signature needs, few enough that a
#: too-broad selection (``message|contains: error``) cannot stall a scan.
MAX_ROWS = 2000
MAX_TEXT = 2000
PREFIX_TERMS = 200
SEVERITY_OF_LEVEL = {"critical": "critical", "high": "high", "medium": "medium", "low": "low",
                     "informational": "info"}
#: On the 0-100 scale every analyzer uses: at the failure 100, ten minutes from it 50. The score only
#: orders findings of one severity.
HALF_SCORE_US = 600 * 1_000_000
#: ``{sel.field}`` or ``{sel.field|other.field|...}``: the first that has a value
_TEMPLATE = re.compile(r"\{([A-Za-z_][A-Za-z0-9_\-]*\.[A-Za-z_][A-Za-z0-9_]*(?:\|[A-Za-z_][A-Za-z0-9_\-]*\.[A-Za-z_][A-Za-z0-9_]*)*)\}")


@dataclass(frozen=True)
class Row:
    """A row a selection matched: where it is (``file_id``, ``line``), when (``ts``), what it says (``text``)."""

    key: tuple[object, ...]
    ts: int | None
    file_id: int | None
    line: int | None
    text: str | None
    fields: dict[str, Any] = field(hash=False, compare=False)

    def evidence(self) -> dict[str, Any]:
        text = self.text if self.text is None or len(self.text) <= MAX_TEXT else self.text[:MAX_TEXT] + "…"
        return {"file_id": self.file_id, "line": self.line, "ts": self.ts, "text": text}


@dataclass
class Hit:
    """A signature that fired on a case: the rows that show it and the details line it fills in, in every
    language the signature writes it in (``en`` always)."""

    signature: Signature
    evidence: list[Row]
    matches: dict[str, list[Row]]
    details_by_lang: dict[str, str]
    ts: int | None
    score: float = 0.0

    @property
    def details(self) -> str:
        """The English details line (the finding's ``summary`` column)."""
        return self.details_by_lang.get("en", "")


# ------------------------------------------------------------------------------------------- queries


class _Tables:
    """What the case store holds, asked once per scan: which tables exist and their columns."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        self._columns: dict[str, set[str]] = {}
        self.fts_ready = self._fts_ready()

    def _fts_ready(self) -> bool:
        """True when the timeline's full-text index covers the rows (it is rebuilt after each ingest).

        The index is external-content (no copy of the rows, no per-row sizes), so freshness is checked by
        looking up the first and the last timeline rows through it; a store whose index was never built
        (a test's hand-made store, an ingest that stopped early) is scanned without the prefilter.
        """
        if "timeline_fts" not in self.names or "timeline" not in self.names:
            return False
        try:
            for order in ("DESC", "ASC"):
                row = self.conn.execute("SELECT id, message FROM timeline WHERE message IS NOT NULL AND "
                                        f"message != '' ORDER BY id {order} LIMIT 1").fetchone()
                if row is None:
                    return True  # no message at all: a prefilter on message cannot hide anything
                m = _TOKEN_RUN.search(row[1])
                if m is None:
                    return False
                hit = self.conn.execute("SELECT 1 FROM timeline_fts WHERE timeline_fts MATCH ? AND rowid = ?",
                                        (f'message : "{m.group(0)}"', row[0])).fetchone()
                if hit is None:
                    return False
        except sqlite3.Error:
            return False
        return True

    # -------------------------------------------------------------------- choosing full-text terms

    def _vocab(self) -> bool:
        if not hasattr(self, "_has_vocab"):
            try:
                self.conn.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.wb_timeline_vocab "
                                  "USING fts5vocab(main, timeline_fts, row)")
                self._has_vocab = True
            except sqlite3.Error:
                self._has_vocab = False
            self._docs: dict[tuple[str, bool], int] = {}
        return self._has_vocab

    def docs(self, term: str, prefix: bool) -> int:
        """How many timeline rows hold ``term`` (or a token starting with it): the cost of using it."""
        key = (term.lower(), prefix)
        if key not in self._docs:
            if prefix:
                # at most PREFIX_TERMS distinct tokens are counted: past that the prefix is too common anyway
                row = self.conn.execute(
                    "SELECT CASE WHEN count(*) >= ? THEN 1 << 40 ELSE sum(doc) END FROM (SELECT doc FROM "
                    "temp.wb_timeline_vocab WHERE term >= ? AND term < ? LIMIT ?)",
                    (PREFIX_TERMS, key[0], key[0] + "\U0010ffff", PREFIX_TERMS)).fetchone()
            else:
                row = self.conn.execute("SELECT doc FROM temp.wb_timeline_vocab WHERE term = ?", (key[0],)).fetchone()
            self._docs[key] = int(row[0] or 0) if row else 0
        return self._docs[key]

    def fts_query(self, tree: tuple[Alternative, ...]) -> str:
        """The cheapest prefilter the tree allows: per alternative, the clause whose rarest terms are rarest.

        Any subset of the terms is still a superset filter (every matching row has all of them), so dropping
        common words changes nothing but speed.
        """
        if not self._vocab():
            from workbench.core.signatures.compiler import render_tree

            return render_tree(tree)

        def best(needle: Needle) -> tuple[int, str]:
            cost, term = min((self.docs(t, p), render_terms(((t, p),))) for t, p in needle)
            return cost, term

        alts: list[str] = []
        for alt in tree:
            options: list[tuple[int, str]] = []
            for op, needles in alt:
                picks = [best(n) for n in needles]
                if op == "and":
                    options.append(min(picks))
                else:
                    options.append((sum(c for c, _ in picks), " OR ".join(q for _, q in picks)))
            cost, query = min(options)
            alts.append(f"({query})")
        return "message : (" + " OR ".join(alts) + ")"

    def columns(self, table: str) -> set[str]:
        if table not in self._columns:
            self._columns[table] = {r[1] for r in self.conn.execute(f'PRAGMA table_info("{table}")')}
        return self._columns[table]


def _run(conn: sqlite3.Connection, tables: _Tables, sel: CompiledSelection,
         problems: list[str], owner: Signature) -> list[Row]:
    table = sel.table
    if table not in tables.names:
        return []  # that source is not in this case (or its parser is not installed): nothing to match
    cols = tables.columns(table)
    missing = sel.columns - cols
    if missing:
        problems.append(f"{owner.path}: signature {owner.id}, selection {sel.name!r}: table {table!r} has no "
                        f"column {', '.join(sorted(missing))}; the selection matched nothing")
        return []
    params: tuple[Any, ...] = sel.params
    if table == "timeline":
        where = sel.where
        if sel.fts_tree and tables.fts_ready:
            where = f"id IN (SELECT rowid FROM timeline_fts WHERE timeline_fts MATCH ?) AND {where}"
            params = (tables.fts_query(sel.fts_tree), *params)
        sql = (f"SELECT id, ts, file_id, line, source, level, component, message FROM timeline "
               f"WHERE {where} ORDER BY id DESC LIMIT {MAX_ROWS}")
    elif table == "facts":
        sql = (f"SELECT id, name, value, file_id, line, ts, text, weight FROM facts "
               f"WHERE {sel.where} ORDER BY id DESC LIMIT {MAX_ROWS}")
    elif {"file_id", "line"} <= cols:
        # detail rows get their time and text from the timeline row they belong to, when they lack their own
        sql = ("SELECT d.*, (SELECT t.ts FROM timeline t WHERE t.file_id = d.file_id AND t.line = d.line "
               "LIMIT 1) AS _t_ts, (SELECT t.message FROM timeline t WHERE t.file_id = d.file_id AND "
               f"t.line = d.line LIMIT 1) AS _t_message FROM (SELECT rowid AS _rowid, * FROM \"{table}\" "
               f"WHERE {sel.where} ORDER BY rowid DESC LIMIT {MAX_ROWS}) d ORDER BY d._rowid DESC")
    else:
        sql = f'SELECT rowid AS _rowid, * FROM "{table}" WHERE {sel.where} ORDER BY rowid DESC LIMIT {MAX_ROWS}'
    try:
        cur = conn.execute(sql, params)
    except sqlite3.Error as exc:
        problems.append(f"{owner.path}: signature {owner.id}, selection {sel.name!r}: {exc}")
        return []
    names = [d[0] for d in cur.description]
    rows: list[Row] = []
    for values in cur:
        f = dict(zip(names, values, strict=True))
        if table == "timeline":
            rows.append(Row(("timeline", f["id"]), f["ts"], f["file_id"], f["line"], f["message"], f))
        elif table == "facts":
            text = f["text"] or f"{f['name']} = {f['value']}"
            if f["file_id"] is not None and f["line"] is not None:
                # the log line the fact was read from, as written (the fact's text says how it was read:
                # "post-reboot event: ..."), so evidence is a quote in every language
                quoted = conn.execute("SELECT message FROM timeline WHERE file_id = ? AND line = ? LIMIT 1",
                                      (f["file_id"], f["line"])).fetchone()
                if quoted and quoted[0] and quoted[0] in text:
                    text = quoted[0]
            rows.append(Row(("facts", f["id"]), f["ts"], f["file_id"], f["line"], text, f))
        elif table == "files":  # the catalogue: a file being there is the evidence (a dump, a folder)
            text = f"{f.get('path')} ({f.get('kind')}, {f.get('size')} bytes)"
            rows.append(Row(("files", f["_rowid"]), None, f.get("id"), None, text, f))
        else:
            ts = f.get("ts") if isinstance(f.get("ts"), int) else f.get("_t_ts")
            # a row that names itself (a stack frame's ``label``: ndis!NdisFDeregisterFilterDriver+0x47) is
            # quoted by that name; others by the columns the selection tested
            text = f.get("_t_message") or (str(f["label"]) if f.get("label") else ", ".join(
                f"{k}={v}" for k, v in f.items() if k in sel.columns and v is not None))
            rows.append(Row((table, f["_rowid"]), ts, f.get("file_id"), f.get("line"), text, f))
    rows.reverse()  # fetched newest first, so a capped selection keeps the rows nearest the failure
    return rows


# ------------------------------------------------------------------------------------------- details


def _field_value(row: Row, sel: CompiledSelection | None, name: str) -> Any:
    """A named group of the selection's regexes (the author's explicit choice), else a column, else text."""
    if sel is not None:
        for column, pattern, cased in sel.regexes:
            m = _compiled(pattern, cased).search(str(row.fields.get(column) or ""))
            if m and name in m.groupdict():
                return m.group(name)
    if name in row.fields and not name.startswith("_"):
        return row.fields[name]
    if name == "text":
        return row.text
    return None


def value_of(sig: Signature, selection: str, row: Match, name: str) -> Any:
    """The value ``with same NAME`` compares: the first of the selection's ``as:`` fields with a value."""
    if not isinstance(row, Row):
        return None
    sel = sig.selections.get(selection)
    for field_name in sig.values.get(selection, {}).get(name, [name]):
        value = _field_value(row, sel, field_name)
        if value is not None and str(value).strip():
            return value
    return None


def render_details(sig: Signature, matches: dict[str, list[Row]], evidence: Sequence[Row],
                   same: dict[str, str] | None = None, lang: str = "en") -> str:
    """Fill ``{selection.field}`` from the latest row of that selection (the one closest to the failure).

    ``field`` is a named group of one of the selection's ``|re`` patterns (these win over columns of the same
    name: ``id``, ``message``), a column of the row, ``text`` (the evidence text) or ``count`` (how many rows
    the selection matched). ``{a.x|b.y}`` takes the first that has a value; none shows as ``?``.
    ``{same.NAME}`` is the (normalised) value a ``with same NAME`` condition agreed on. ``lang`` picks the
    template (English when the signature has none in that language); every language fills the same values.
    """
    in_evidence = {r.key for r in evidence}

    def latest(rows: list[Row]) -> Row | None:
        preferred = [r for r in rows if r.key in in_evidence] or rows
        return max(preferred, key=lambda r: (r.ts is not None, r.ts or 0, str(r.key))) if preferred else None

    def one(ref: str) -> str | None:
        sel_name, name = ref.split(".", 1)
        if sel_name == "same" and same and name in same:
            return same[name]
        rows = matches.get(sel_name, [])
        if name == "count":
            return str(len(rows))
        row = latest(rows)
        value = None if row is None else _field_value(row, sig.selections.get(sel_name), name)
        text = "" if value is None else str(value).strip().replace("\n", " ")
        return (text if len(text) <= 300 else text[:300] + "…") or None

    def fill(m: re.Match[str]) -> str:
        for ref in m.group(1).split("|"):
            value = one(ref)
            if value is not None:
                return value
        return "?"

    return _TEMPLATE.sub(fill, sig.details.get(lang) or sig.details.get("en", ""))


# ------------------------------------------------------------------------------------------- scan

#: When two rows stand for the same log line, the one whose text is that line wins: the timeline's row,
#: then a detail table's, then a fact (whose text may be a summary) and a catalogue entry.
_EVIDENCE_PREFERENCE = {"timeline": 0, "facts": 2, "files": 3}


def dedupe_evidence(rows: Iterable[Row]) -> list[Row]:
    """One evidence row per (file_id, line), in time order.

    Several selections (or a timeline selection and a fact read from the same line) often match one log
    line; listing it twice tells the engineer nothing and makes the evidence look stronger than it is.
    Rows without a line (a catalogue entry, a fact with no line) are kept once each by their own key.
    """
    best: dict[tuple[object, ...], Row] = {}
    for row in rows:
        where: tuple[object, ...] = (("line", row.file_id, row.line) if row.file_id is not None
                                     and row.line is not None else ("key", *row.key))
        kept = best.get(where)
        if kept is None or _evidence_rank(row) < _evidence_rank(kept):
            best[where] = row
    return sorted(best.values(), key=lambda r: (r.ts is None, r.ts or 0, str(r.key)))


def _evidence_rank(row: Row) -> tuple[int, int, str]:
    return (_EVIDENCE_PREFERENCE.get(str(row.key[0]), 1), row.ts is None, str(row.key))



def failure_anchor(conn: sqlite3.Connection) -> int | None:
    """When the upgrade failed, as well as the store can tell: the result-code fact, else the last error.

    Findings are scored by their distance from this moment (Microsoft: "the last failure in the log file is
    typically the fatal error, not the first one").
    """
    row = conn.execute("SELECT ts FROM facts WHERE name = 'upgrade.result_code' AND ts IS NOT NULL "
                       "ORDER BY weight DESC, ts DESC LIMIT 1").fetchone()
    if row:
        return int(row[0])
    row = conn.execute("SELECT max(ts) FROM timeline WHERE level IN ('critical', 'error')").fetchone()
    if row and row[0] is not None:
        return int(row[0])
    row = conn.execute("SELECT max(ts) FROM timeline").fetchone()
    return int(row[0]) if row and row[0] is not None else None


def scan(store: CaseStore | sqlite3.Connection, signatures: Iterable[Signature],
         problems: list[str] | None = None, *, use_fulltext: bool = True) -> list[Hit]:
    """Every signature that fires on the case, best first (level, then closeness to the failure).

    Nothing is written; :func:`write_findings` does that. ``problems`` collects selections that could not
    run on this case (a detail table without a column the signature expects). ``use_fulltext=False`` scans
    without the full-text prefilter (same answer, slower: the benchmark's baseline).
    """
    conn = store.conn if isinstance(store, CaseStore) else store
    register_functions(conn)
    problems = problems if problems is not None else []
    tables = _Tables(conn)
    tables.fts_ready = tables.fts_ready and use_fulltext
    cache: dict[tuple[Any, ...], list[Row]] = {}
    anchor = failure_anchor(conn)
    hits: list[Hit] = []
    for sig in signatures:
        matches: dict[str, list[Row]] = {}
        for name, sel in sig.selections.items():
            if sel.key not in cache:
                cache[sel.key] = _run(conn, tables, sel, problems, sig)
            matches[name] = cache[sel.key]
        same: dict[str, str] = {}
        values: ValueOf | None = None
        if sig.same_names:
            values = functools.partial(value_of, sig)
        ok, found = evaluate(sig.condition, matches, values, same)
        if not ok:
            continue
        # evaluate() hands back the Row objects it was given
        rows = [r for r in found if isinstance(r, Row)]
        evidence = dedupe_evidence(rows)
        times = [r.ts for r in evidence if r.ts is not None]
        ts = max(times) if times else None
        score = 0.0
        if ts is not None and anchor is not None:
            score = 100.0 / (1.0 + abs(ts - anchor) / HALF_SCORE_US)
        # details read the rows as matched (a fact that lined up in a pair), not only the deduplicated ones
        details = {lang: render_details(sig, matches, rows, same, lang) for lang in sig.details}
        hits.append(Hit(sig, evidence, matches, details, ts, round(score, 2)))
    order = list(SEVERITY_OF_LEVEL)
    hits.sort(key=lambda h: (order.index(h.signature.level), -h.score, h.signature.id))
    return hits


def write_findings(store: CaseStore, hits: Iterable[Hit]) -> int:
    """Record hits as findings with their evidence rows; returns how many were written.

    The columns hold the English texts (scripts and older readers see what they always saw); ``data`` holds
    ``title``, ``summary`` and ``remediation`` in every language the signature has, which the report and the
    findings pane read through :func:`workbench.core.finding_text.finding_texts`.
    """
    n = 0
    for hit in hits:
        sig = hit.signature
        data = {
            "signature": sig.id,
            "level": sig.level,
            "status": sig.status,
            "file": str(sig.path),
            "title": sig.title,
            "summary": hit.details_by_lang,
            "description": sig.description,
            "remediation": sig.remediation,
            "references": sig.references,
            "setupdiag": sig.setupdiag or None,
            "matched": {name: len(rows) for name, rows in hit.matches.items()},
        }
        store.add_finding(
            rule_id=sig.id, title=sig.title["en"], severity=SEVERITY_OF_LEVEL[sig.level], summary=hit.details,
            remediation=sig.remediation.get("en"), score=hit.score, ts=hit.ts,
            data=json.dumps(data, ensure_ascii=False), evidence=[r.evidence() for r in hit.evidence],
        )
        n += 1
    return n
