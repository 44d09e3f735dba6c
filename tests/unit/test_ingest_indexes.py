"""Where the ingest makes its indexes: the parsers' detail indexes with their tables, before the first file is
read (kept up to date by the inserts); the timeline's in the rewrite that puts it in time order, none of them
while the parse inserts; a re-ingest starts without the old timeline's."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tests.cases import multi_file_case
from workbench.core.case import Case
from workbench.core.ingest import Ingest, Progress
from workbench.core.parsers.evtx import INDEXES as EVTX_INDEXES
from workbench.core.parsers.procmon_common import INDEXES as PROCMON_INDEXES
from workbench.core.store import schema as S


def _name(ddl: str) -> str:
    return ddl.split()[5]  # CREATE INDEX IF NOT EXISTS <name> ON ...


def _indexes(db: Path) -> dict[str, set[str]]:
    """Index names per table, read by a connection of its own (as a window reads while the ingest runs)."""
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        out: dict[str, set[str]] = {}
        for name, table in conn.execute("SELECT name, tbl_name FROM sqlite_master WHERE type = 'index' "
                                        "AND sql IS NOT NULL"):
            out.setdefault(table, set()).add(name)
        return out


def test_detail_indexes_come_with_their_tables_and_the_timeline_s_with_the_rewrite(tmp_path: Path) -> None:
    source = multi_file_case(tmp_path / "src", lines=600)
    case = Case.open(source, home=tmp_path / "home")
    seen: list[dict[str, set[str]]] = []

    def progress(p: Progress) -> None:
        if p.stage == "parse" and p.done >= 1 and not seen:
            seen.append(_indexes(case.store.path))

    try:
        Ingest(case, workers=0).run(progress=progress)
        assert seen, "no progress reported while the files were read"
        during = seen[0]
        assert {_name(d) for d in PROCMON_INDEXES} <= during.get("procmon_events", set())
        assert {_name(d) for d in EVTX_INDEXES} <= during.get("evtx_records", set())
        assert not during.get("timeline")  # the parse's inserts keep none of the timeline's up to date
        after = _indexes(case.store.path)
        assert after["timeline"] == {_name(d) for d in S.TIMELINE_INDEXES}
        assert case.store.scalar("PRAGMA integrity_check") == "ok"
        # a re-ingest empties the timeline and drops its indexes with it, until its own rewrite makes them
        case.store.reset_ingested(["procmon_events", "evtx_records"])
        assert not _indexes(case.store.path).get("timeline")
    finally:
        case.close()


def test_the_log_is_emptied_before_the_rewrite_unless_a_reader_holds_an_older_snapshot(tmp_path: Path) -> None:
    """``CaseStore.empty_wal`` copies the write-ahead log in and empties it (the rewrite then reads the timeline
    without searching an index of spent frames); a reader on an older snapshot makes it give up within its wait,
    not block; a database not in WAL mode says no."""
    import os
    import time

    from workbench.core.store import CaseStore

    store = CaseStore.open(tmp_path / "c.sqlite")
    store.conn.execute("CREATE TABLE x (a)")
    store.conn.executemany("INSERT INTO x VALUES (?)", [(b"z" * 1000,) for _ in range(3000)])
    store.commit()
    wal = tmp_path / "c.sqlite-wal"
    assert os.path.getsize(wal) > 3_000_000
    reader = CaseStore.open(tmp_path / "c.sqlite", readonly=True)
    reader.conn.execute("BEGIN")
    assert reader.scalar("SELECT count(*) FROM x") == 3000
    store.conn.execute("INSERT INTO x VALUES (1)")
    began = time.monotonic()
    assert not store.empty_wal(200)
    assert time.monotonic() - began < 2
    reader.conn.execute("COMMIT")
    assert store.empty_wal()
    assert os.path.getsize(wal) == 0 and store.scalar("SELECT count(*) FROM x") == 3001
    assert store.scalar("PRAGMA busy_timeout") == 30000  # put back
    reader.close()
    assert not CaseStore(tmp_path / "m", sqlite3.connect(":memory:")).empty_wal()


def test_the_checkpoint_thread_settles_so_the_ingest_can_empty_the_log(tmp_path: Path) -> None:
    """The ingest's checkpoint thread is poked after every commit; a checkpoint of the ingest's own is refused
    while one of the thread's runs, so the ingest lets the thread settle first, then empties the log."""
    import os

    from workbench.core.ingest import _Checkpointer
    from workbench.core.store import CaseStore

    store = CaseStore.open(tmp_path / "c.sqlite")
    store.conn.execute("CREATE TABLE x (a)")
    thread = _Checkpointer(store.path)
    try:
        for _ in range(20):
            store.conn.executemany("INSERT INTO x VALUES (?)", [(b"z" * 4000,) for _ in range(500)])
            store.commit()
            thread.poke()
        thread.settle(10.0)
        assert not thread._running and not thread._wake.is_set()
        assert store.empty_wal(0)
        assert os.path.getsize(tmp_path / "c.sqlite-wal") == 0
    finally:
        thread.close()
    assert store.scalar("SELECT count(*) FROM x") == 10_000


def test_a_long_log_is_emptied_before_the_rewrite_and_a_short_one_left(tmp_path: Path, monkeypatch) -> None:
    """The ingest empties the write-ahead log before the rewrite when it is past ``LONG_WAL_BYTES`` (then with
    nothing in it, the rewrite's first frame is the log's first), and leaves a shorter one to the checkpoint
    thread."""
    from workbench.core import ingest
    from workbench.core.store import CaseStore

    calls: list[bool] = []
    real = CaseStore.empty_wal

    def spy(self: CaseStore, wait_ms: int = 2000) -> bool:
        done = real(self, wait_ms)
        calls.append(done)
        return done

    monkeypatch.setattr(CaseStore, "empty_wal", spy)
    source = multi_file_case(tmp_path / "src", lines=2000)
    for limit, expected in ((0, [True]), (1 << 62, [])):
        monkeypatch.setattr(ingest, "LONG_WAL_BYTES", limit)
        calls.clear()
        case = Case.open(source, home=tmp_path / f"home-{limit}")
        Ingest(case).run()
        assert calls == expected, limit
        assert case.store.get_meta("ingest_state") == "complete"
        case.close()
