"""Full-text search over the timeline that answers right before its index is built, only slower.

The index (``timeline_fts``) is built once the rows are sorted, at the end of the ingest; the rows are visible
long before (they are committed while each file is read). Until the index covers them, a search reads the
rows themselves, a block at a time, through a temporary full-text table of the same kind (same columns, same
tokenizer): every query (words, ``"phrases"``, ``prefix*``, ``AND/OR/NOT``, ``column : term``, and Chinese
terms as substrings, :mod:`workbench.core.store.fulltext`) then matches exactly the rows the index will
match, in the order the rows are stored. Views say "indexing…" meanwhile (:func:`index_ready`).
"""

from __future__ import annotations

import itertools
import sqlite3
from collections.abc import Iterator, Sequence
from typing import Any

from workbench.core.store import CaseStore
from workbench.core.store.fulltext import Target, match_sql

#: ``meta`` key: ``building`` from the start of an ingest until the index covers the timeline, then ``ready``.
META = "search_index"
BUILDING, READY = "building", "ready"
#: Rows read per block when there is no index yet (one temporary table fill and one query per block).
BLOCK = 20_000
_TEMP = "wb_search_block"
#: The block's table as the place a query is answered (its words by MATCH, CJK terms by a substring scan).
_BLOCK = Target(fts=f"SELECT rowid FROM temp.{_TEMP} WHERE {_TEMP} MATCH ?",
                substring=(f"SELECT rowid FROM temp.{_TEMP} "
                           "WHERE instr(lower(message), ?) > 0 OR instr(lower(component), ?) > 0"))


def index_ready(store: CaseStore) -> bool:
    """Whether ``timeline_fts`` covers the timeline. A store from before the ``search_index`` key has its
    index when its ingest completed."""
    try:
        state = store.get_meta(META)
        if state is not None:
            return state == READY
        return store.get_meta("ingest_state") in ("complete", None)
    except sqlite3.Error:
        return False


def _block_table(conn: Any) -> None:
    conn.execute(f"CREATE VIRTUAL TABLE IF NOT EXISTS temp.{_TEMP} USING fts5(message, component, "
                 "tokenize='unicode61', columnsize=0)")


def matching(conn: Any, query: str, rows: Iterator[Sequence[Any]], limit: int | None = None) -> Iterator[Sequence[Any]]:
    """The rows of ``rows`` (each ``(id, message, component, ...)``, in the order wanted) that ``query``
    matches, read a block at a time through a temporary full-text table: what ``timeline_fts MATCH`` answers,
    without the index. Stops after ``limit`` matches. Raises ``sqlite3.OperationalError`` for a query that
    is not FTS5 syntax, as the index does."""
    _block_table(conn)
    sql, params = match_sql(query, _BLOCK)
    found = 0

    def hits(block: list[Sequence[Any]]) -> list[Sequence[Any]]:
        conn.execute(f"DELETE FROM temp.{_TEMP}")
        conn.executemany(f"INSERT INTO temp.{_TEMP}(rowid, message, component) VALUES (?, ?, ?)",
                         [(r[0], r[1], r[2]) for r in block])
        ids = {r[0] for r in conn.execute(sql, params)}
        return [r for r in block if r[0] in ids]

    rows = iter(rows)
    try:
        while block := list(itertools.islice(rows, BLOCK)):
            for hit in hits(block):
                yield hit
                found += 1
                if limit is not None and found >= limit:
                    return
    finally:
        try:
            conn.execute(f"DELETE FROM temp.{_TEMP}")
        except sqlite3.Error:
            pass


def check_query(conn: Any, query: str) -> None:
    """Raise ``sqlite3.OperationalError`` when ``query`` is not valid FTS5 syntax (before any row is read)."""
    _block_table(conn)
    sql, params = match_sql(query, _BLOCK)
    conn.execute(f"SELECT * FROM ({sql}) LIMIT 0", params).fetchall()
