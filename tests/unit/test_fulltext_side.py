"""The full-text index built beside the case database (core/store/fulltext_side.py) is the one FTS5 builds in
place: same bytes, same answers; one built from other rows is refused and the case's index left as it was."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest

from workbench.core.ingest import FTS_HASH_BYTES, _rebuild_fulltext
from workbench.core.store import CaseStore, fulltext_side
from workbench.core.store import schema as S

WORDS = ["SetupHost", "0x80070002", "failed", "蓝屏", "回滚。", "driver", "C:\\$WINDOWS.~BT\\Sources", "lwfmgr.sys",
         "Überprüfung", "ACCESS DENIED", "post-reboot", "DataSafe"]
QUERIES = ("failed", '"ACCESS DENIED"', "setup*", "lwfmgr", "failed NOT driver", "message : driver",
           "component : app7", "0x80070002 OR DataSafe")


def _store(path: Path, rows: int = 6000) -> CaseStore:
    store = CaseStore.open(path)
    with store.conn:
        store.conn.executemany(
            "INSERT INTO timeline (ts, local, basis, source, file_id, line, level, component, message) "
            "VALUES (?, ?, 'utc', 'setupact', 1, ?, 'info', ?, ?)",
            [(i * 1000, i * 1000, i, f"app{i % 13}",
              " ".join(WORDS[(i * k) % len(WORDS)] for k in range(1, 2 + i % 5))) for i in range(rows)])
    return store


def _index(conn: sqlite3.Connection) -> tuple[str, ...]:
    def digest(sql: str) -> str:
        return hashlib.sha256(repr(conn.execute(sql).fetchall()).encode()).hexdigest()

    return (digest("SELECT id, CASE WHEN id = 10 THEN substr(block, 5) ELSE block END FROM timeline_fts_data "
                   "ORDER BY id"),
            digest("SELECT * FROM timeline_fts_idx ORDER BY segid, term"),
            digest("SELECT * FROM timeline_fts_config ORDER BY k"))


def _answers(conn: sqlite3.Connection) -> dict[str, list[int]]:
    return {q: [r[0] for r in conn.execute("SELECT rowid FROM timeline_fts WHERE timeline_fts MATCH ? "
                                           "ORDER BY rowid", (q,))] for q in QUERIES}


def test_the_index_built_beside_is_the_one_built_in_place(tmp_path: Path) -> None:
    reference = _store(tmp_path / "a" / "case.sqlite")
    with reference.conn:
        _rebuild_fulltext(reference.conn)
    store = _store(tmp_path / "b" / "case.sqlite")
    assert _answers(store.conn)["failed"] == []  # nothing indexed yet
    side = fulltext_side.side_path(store.path)
    assert side.parent == store.path.parent  # inside the case's own folder
    built = fulltext_side.build(store.path, side, FTS_HASH_BYTES)
    assert built == (6000, 6000)
    fulltext_side.install(store.path, side, built, FTS_HASH_BYTES)
    assert _index(store.conn) == _index(reference.conn)
    answers = _answers(store.conn)  # read through the connection that had the empty index cached
    assert answers == _answers(reference.conn) and all(answers[q] for q in ("failed", "setup*"))
    store.conn.execute("INSERT INTO timeline_fts(timeline_fts) VALUES ('integrity-check')")


def test_an_index_of_other_rows_is_refused_and_the_case_keeps_its_own(tmp_path: Path) -> None:
    store = _store(tmp_path / "case.sqlite", rows=500)
    with store.conn:
        _rebuild_fulltext(store.conn)
    before = _index(store.conn)
    side = fulltext_side.side_path(store.path)
    built = fulltext_side.build(store.path, side, FTS_HASH_BYTES)
    with store.conn:
        store.conn.execute("INSERT INTO timeline (ts, local, basis, source, file_id, line, message) "
                           "VALUES (1, 1, 'utc', 'setupact', 1, 9999, 'a row the side index has not seen')")
    with pytest.raises(ValueError, match="501"):
        fulltext_side.install(store.path, side, built, FTS_HASH_BYTES)
    assert _index(store.conn) == before


def test_a_stopped_build_leaves_nothing_in_the_way(tmp_path: Path) -> None:
    store = _store(tmp_path / "case.sqlite", rows=50)
    side = fulltext_side.side_path(store.path)
    side.write_bytes(b"the half-written file of a killed worker")
    assert fulltext_side.build(store.path, side, FTS_HASH_BYTES) == (50, 50)
    assert S.FTS_OPTIONS in S.FTS and S.FTS_COLUMNS in S.FTS  # the side table is declared from the same parts
