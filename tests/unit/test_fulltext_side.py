"""The full-text index built beside the case database (core/store/fulltext_side.py) is the one FTS5 builds in
place: same bytes, same answers; one built from other rows is refused and the case's index left as it was."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest

from workbench.core.ingest import (
    FTS_HASH_BYTES,
    _clock_rows,
    _copy_order,
    _rebuild_fulltext,
    _sort_rows,
    sort_timeline,
)
from workbench.core.store import CaseStore, fulltext_side
from workbench.core.store.fulltext import WIDE_ROWS

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


def _unsorted(path: Path, rows: int = 4000) -> CaseStore:
    """Rows as a case's files leave them before the rewrite: three files read one after the other, their times
    interleaved; wall-clock rows (a setup log) among UTC ones (an event log), a few without a time or a line,
    ties across files, and ids with a gap (rows of a resumed file dropped)."""
    store = CaseStore.open(path)
    store.set_meta("time_zone_user", "Asia/Shanghai")
    made = []
    for i in range(rows):
        file_id = 1 + i % 3
        t = (i * 7919) % (rows // 2) * 1_000_000 + 1_600_000_000_000_000
        basis = "local" if file_id == 2 else "utc"
        utc, local = (None, t) if basis == "local" else (t, None)
        if i % 97 == 0:
            utc = local = None
        message = " ".join(WORDS[(i * k) % len(WORDS)] for k in range(1, 2 + i % 5))
        made.append((file_id, (utc, local, basis, "setupact", file_id, None if i % 89 == 0 else i, "info",
                               f"app{i % 13}", message)))
    made.sort(key=lambda r: r[0])  # file by file, as they are read
    with store.conn:
        store.conn.executemany(
            "INSERT INTO timeline (ts, local, basis, source, file_id, line, level, component, message) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", [r for _, r in made])
        store.conn.execute("DELETE FROM timeline WHERE id BETWEEN 100 AND 120")
    return store


def test_an_index_built_in_the_order_of_the_rewrite_is_the_one_built_after_it(tmp_path: Path) -> None:
    """The worker indexes the rows in the order the rewrite gives them, under the ids it gives them, while it
    runs: read before the rewrite committed or after, the index is the one built in place afterwards."""
    reference = _unsorted(tmp_path / "a" / "case.sqlite")
    sort_timeline(reference)
    with reference.conn:
        _rebuild_fulltext(reference.conn)
    ids = [r[0] for r in reference.conn.execute("SELECT id FROM timeline ORDER BY id")]
    assert ids == list(range(1, len(ids) + 1))

    store = _unsorted(tmp_path / "b" / "case.sqlite")
    zone, lo, hi, _ = _clock_rows(store)
    order = _copy_order(store.conn, zone, lo, hi)
    assert order != "id"  # the rows need the sort
    rows = (_sort_rows(zone, lo, hi, "message, component"), order)
    side = fulltext_side.side_path(store.path)
    before = fulltext_side.build(store.path, side, FTS_HASH_BYTES, order=rows)
    assert before == (len(ids), len(ids))
    sort_timeline(store)
    fulltext_side.install(store.path, side, before, FTS_HASH_BYTES)
    assert _index(store.conn) == _index(reference.conn)
    assert _answers(store.conn) == _answers(reference.conn)

    after = fulltext_side.build(store.path, side, FTS_HASH_BYTES, order=rows)  # the rewritten rows, same order
    assert after == before
    fulltext_side.install(store.path, side, after, FTS_HASH_BYTES)
    assert _index(store.conn) == _index(reference.conn)
    store.conn.execute("INSERT INTO timeline_fts(timeline_fts) VALUES ('integrity-check')")


def test_the_rewrite_builds_the_timeline_indexes_it_used_to_build_afterwards(tmp_path: Path) -> None:
    from workbench.core.store import schema as S

    store = _unsorted(tmp_path / "case.sqlite", rows=500)
    sort_timeline(store)
    names = {r[0] for r in store.conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'timeline'")}
    assert names == {ddl.split()[5] for ddl in S.TIMELINE_INDEXES}
    for ddl in S.TIMELINE_INDEXES:  # what index_timeline runs: nothing left to build
        store.conn.execute(ddl)
    assert store.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    plan = store.conn.execute(f"EXPLAIN QUERY PLAN SELECT id FROM timeline WHERE {WIDE_ROWS}").fetchall()
    assert "timeline_wide" in repr(plan)  # the partial index a CJK search reads still answers it


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


def test_a_side_file_that_says_other_rows_is_refused(tmp_path: Path) -> None:
    """What the builder answers is checked against what the file itself says it was built from (a stale file
    of another run, with an answer that happens to match the timeline, is not installed)."""
    store = _store(tmp_path / "case.sqlite", rows=300)
    side = fulltext_side.side_path(store.path)
    fulltext_side.build(store.path, side, FTS_HASH_BYTES)
    with sqlite3.connect(side) as scratch:
        scratch.execute("UPDATE built_from SET rows = 299")
    with pytest.raises(ValueError, match="299 rows"):
        fulltext_side.install(store.path, side, (300, 300), FTS_HASH_BYTES)
    assert _answers(store.conn)["failed"] == []


def test_a_build_stops_when_it_is_no_longer_wanted_and_a_stopped_one_is_replaced(tmp_path: Path) -> None:
    store = _store(tmp_path / "case.sqlite", rows=20_000)
    side = fulltext_side.side_path(store.path)
    with pytest.raises(sqlite3.OperationalError, match="interrupt"):
        fulltext_side.build(store.path, side, FTS_HASH_BYTES, wanted=lambda: False)
    assert fulltext_side.build(store.path, side, FTS_HASH_BYTES, wanted=lambda: True) == (20_000, 20_000)
    fulltext_side.remove(side)
    fulltext_side.remove(side)  # gone already: nothing to say
    assert not side.exists()
    assert store.conn.execute("SELECT count(*) FROM timeline").fetchone()[0] == 20_000  # only read


def test_an_answer_to_another_request_is_not_taken_for_this_one(tmp_path: Path) -> None:
    """The worker answers each build with its request's number: an answer left over (a build the ingest
    stopped waiting for) is dropped, never installed as the index of the next."""
    from workbench.core import parse_worker

    small = _store(tmp_path / "a" / "case.sqlite", rows=10)
    big = _store(tmp_path / "b" / "case.sqlite", rows=700)
    worker = parse_worker.ParseWorker()
    try:
        first = worker.build_fulltext(small.path, fulltext_side.side_path(small.path), FTS_HASH_BYTES)
        second = worker.build_fulltext(big.path, fulltext_side.side_path(big.path), FTS_HASH_BYTES)
        assert worker.fulltext_built(second) == (700, 700)
        assert first != second
    finally:
        worker.stop()
