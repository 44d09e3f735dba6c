"""Analysis read ahead (workbench/core/ahead.py): an analyzer's reading on a thread of its own, read-only, from
the moment the timeline is final, with the same findings as reading in place at the hook's turn."""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time
from pathlib import Path

import pytest

from tests.unit.procmon_scenario import upgrade_scenario
from workbench.core import ahead, processes
from workbench.core.ahead import ReadAhead
from workbench.core.case import Case
from workbench.core.ingest import Ingest
from workbench.core.plugins import hookimpl
from workbench.core.plugins.manager import build_plugin_manager
from workbench.core.store import CaseStore
from workbench.writers.procmon import write_pml


def _store(tmp_path: Path) -> CaseStore:
    store = CaseStore.open(tmp_path / "case.sqlite")
    store.conn.execute("CREATE TABLE t (x)")
    store.conn.executemany("INSERT INTO t VALUES (?)", [(i,) for i in range(10)])
    store.commit()
    return store


def test_without_an_ingest_the_function_runs_in_place(tmp_path: Path) -> None:
    store = _store(tmp_path)
    assert store.read_ahead is None
    assert ahead.result(store, "k", lambda s: (s is store, s.scalar("SELECT count(*) FROM t"))) == (True, 10)


def test_read_ahead_reads_on_a_thread_through_a_read_only_connection_of_its_own(tmp_path: Path) -> None:
    store = _store(tmp_path)

    def read(reader: CaseStore) -> tuple[str, bool, int, str]:
        try:
            reader.conn.execute("INSERT INTO t VALUES (99)")
            wrote = "wrote"
        except sqlite3.OperationalError as exc:
            wrote = str(exc)
        return threading.current_thread().name, reader is not store, reader.scalar("SELECT count(*) FROM t"), wrote

    store.read_ahead = ReadAhead.start(store, [{"k": read}, None, {"k": lambda s: "a second offer of k"}])
    try:
        name, other, count, wrote = ahead.result(store, "k", lambda s: "in place")
        assert name == "ahead k" and other and count == 10 and "readonly" in wrote
        assert ahead.result(store, "k", lambda s: "in place") == "in place"  # an answer is taken once
    finally:
        store.read_ahead.close()
    assert store.scalar("SELECT count(*) FROM t") == 10


def test_a_failed_read_ahead_is_read_in_place(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    store = _store(tmp_path)

    def broken(reader: CaseStore) -> None:
        reader.scalar("SELECT * FROM no_such_table")

    store.read_ahead = ReadAhead.start(store, [{"k": broken}])
    try:
        with caplog.at_level(logging.WARNING, logger="workbench.core.ahead"):
            assert ahead.result(store, "k", lambda s: s.scalar("SELECT max(x) FROM t")) == 9
    finally:
        store.read_ahead.close()
    assert "read ahead k failed" in caplog.text and "no_such_table" in caplog.text


def _closes_within(work: ReadAhead, seconds: float) -> None:
    """``work.close()`` returns within ``seconds`` (on a thread of its own: a close that cannot stop the read
    fails here instead of hanging the run)."""
    time.sleep(0.1)  # the endless statement under way
    closer = threading.Thread(target=work.close, daemon=True)
    closer.start()
    closer.join(seconds)
    assert not closer.is_alive(), "close() did not stop the read"


def _endless(on: CaseStore, started: threading.Event) -> int:
    """A statement that never ends by itself, on ``on``."""
    started.set()
    return int(on.scalar("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c"))


def test_close_stops_a_read_still_running(tmp_path: Path) -> None:
    """An ingest that fails or is cancelled before its analysis interrupts what is still read and waits for it."""
    store = _store(tmp_path)
    started = threading.Event()
    work = ReadAhead.start(store, [{"k": lambda reader: _endless(reader, started)}])
    assert started.wait(10)
    _closes_within(work, 5)
    assert work.take("k") is None
    assert not [t for t in threading.enumerate() if t.name == "ahead k"]


def test_close_stops_a_second_reader_a_function_opened(tmp_path: Path) -> None:
    """Procmon's rules read on two connections: the second, opened with another_reader on the read-ahead's
    thread, is interrupted with the first; outside a read ahead another_reader is a plain read-only store."""
    store = _store(tmp_path)
    started = threading.Event()

    def endless_on_the_second(reader: CaseStore) -> int:
        with ahead.another_reader(reader) as second:
            assert second is not reader
            return _endless(second, started)

    work = ReadAhead.start(store, [{"k": endless_on_the_second}])
    assert started.wait(10)
    _closes_within(work, 5)
    with ahead.another_reader(store) as plain, pytest.raises(sqlite3.OperationalError, match="readonly"):
        plain.conn.execute("INSERT INTO t VALUES (1)")


def test_close_stops_a_function_asking_many_short_questions(tmp_path: Path) -> None:
    """An interrupt between two statements is forgotten: close() interrupts again until the thread ends."""
    store = _store(tmp_path)
    started = threading.Event()

    def many(reader: CaseStore) -> int:
        asked = 0
        while True:
            asked += len(reader.conn.execute(  # a few milliseconds' statement, run to its end
                "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 20000) "
                "SELECT x FROM c").fetchall())
            started.set()
            time.sleep(0.02)  # Python between the statements, where an interrupt is forgotten

    work = ReadAhead.start(store, [{"k": many}])
    assert started.wait(10)
    _closes_within(work, 1.5)


class _Spy:
    """A plugin that reads ahead what the ingest lets it read, and records what its hook got."""

    def __init__(self) -> None:
        self.got: object = None

    @hookimpl
    def workbench_analyze_ahead(self, store: CaseStore) -> dict[str, object]:
        return {"spy.rows": self.read}

    @staticmethod
    def read(reader: CaseStore) -> tuple[str, int, int, int]:
        out_of_order = reader.scalar("SELECT count(*) FROM timeline a JOIN timeline b ON b.id = a.id + 1 "
                                     "WHERE b.ts < a.ts")
        return (threading.current_thread().name, reader.scalar("SELECT count(*) FROM timeline"), out_of_order,
                reader.scalar("SELECT count(*) FROM timeline WHERE basis = 'utc' AND local IS NULL"))

    @hookimpl
    def workbench_analyze(self, store: CaseStore) -> None:
        self.got = ahead.result(store, "spy.rows", lambda s: "in place")


@pytest.mark.parametrize("workers", [0, 1])
def test_an_ingest_reads_ahead_the_final_timeline_and_the_procmon_findings_do_not_change(
        tmp_path: Path, workers: int) -> None:
    """The ingest starts the read ahead once the rows are on the case clock in time order (both ways of
    reading the files): the spy reads every row, in time order, with its wall clock; the Procmon findings it
    wrote from its read ahead (two threads, two connections) are those read in place on the store after."""
    procs, events = upgrade_scenario()
    case = Case.open(write_pml(tmp_path / "cap.pml", procs, events))
    spy = _Spy()
    pm, _ = build_plugin_manager(extra=(spy,), entry_points=False, user=False)
    Ingest(case, plugin_manager=pm, workers=workers).run()
    store = case.store
    assert store.read_ahead is None  # closed with the analysis
    assert isinstance(spy.got, tuple), spy.got
    name, rows, out_of_order, without_wall_clock = spy.got
    assert name == "ahead spy.rows" and rows == store.scalar("SELECT count(*) FROM timeline") > 0
    assert out_of_order == 0 and without_wall_clock == 0

    written = [(f["rule_id"], f["title"], f["severity"], f["summary"]) for f in store.query(
        "SELECT rule_id, title, severity, summary FROM findings WHERE rule_id LIKE 'procmon.%' ORDER BY id")]
    in_place = processes.analyze(store)
    assert written == [(f["rule_id"], f["title"], f["severity"], f["summary"]) for f in in_place]
    assert any(r == "procmon.setup_access_denied" for r, *_ in written)
    evidence = [tuple(r) for r in store.conn.execute(
        "SELECT e.file_id, e.line, e.ts, e.text FROM evidence e JOIN findings f ON f.id = e.finding_id "
        "WHERE f.rule_id LIKE 'procmon.%' ORDER BY e.id")]
    assert evidence == [(e["file_id"], e["line"], e["ts"], e["text"]) for f in in_place for e in f["evidence"]]
    with CaseStore.open(store.path, readonly=True) as alongside:
        split = processes.analyze(store, alongside)
    assert json.dumps(split, sort_keys=True, default=str) == json.dumps(in_place, sort_keys=True, default=str)
