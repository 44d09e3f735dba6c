"""The ingest pipeline end to end: catalogue, parse, clock, sort, reopen, cancel, failing parsers."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.archives import make_zip, setupact_bytes
from workbench.core.case import Case
from workbench.core.errors import IngestCancelled
from workbench.core.ingest import Ingest, Progress
from workbench.core.parsers.base import CaseFile, Mediator
from workbench.core.plugins import hookimpl
from workbench.core.plugins.manager import build_plugin_manager
from workbench.core.timeline import parse_time, query_timeline

ROLLBACK = "$WINDOWS.~BT/Sources/Rollback/setupact.log"


def test_core_imports_without_qt() -> None:
    """Every module of workbench.core imports, and a case ingests, with Qt made unimportable."""
    code = textwrap.dedent(
        """
        import importlib, pkgutil, sys, tempfile, os
        class NoQt:
            def find_spec(self, name, path=None, target=None):
                if name.split('.')[0] in ('PySide6', 'shiboken6', 'pyqtgraph', 'PyQt5', 'PyQt6'):
                    raise ImportError('Qt is not allowed in workbench.core: ' + name)
        sys.meta_path.insert(0, NoQt())
        import workbench.core
        for m in pkgutil.walk_packages(workbench.core.__path__, 'workbench.core.'):
            importlib.import_module(m.name)
        os.environ['WORKBENCH_HOME'] = tempfile.mkdtemp()
        from workbench.core.case import Case
        from workbench.core.analysis import build_analysis
        from workbench.demo import demo_case_path
        case = Case.open(demo_case_path()); case.ensure_ingested()
        assert build_analysis(case.store)['schema'] == 'workbench.analysis/1'
        assert not [m for m in sys.modules if m.startswith(('PySide6', 'shiboken6', 'pyqtgraph'))]
        print('ok')
        """
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=Path(__file__).parents[2])
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().endswith("ok")


def test_reopen_reads_the_database(tmp_path: Path) -> None:
    src = make_zip(tmp_path / "c.zip", {ROLLBACK: setupact_bytes()})
    case = Case.open(src)
    assert case.ensure_ingested() is True
    first = case.store.scalar("SELECT count(*) FROM timeline")
    case.close()
    again = Case.open(src)
    assert again.folder == case.folder
    assert again.ensure_ingested() is False
    assert again.store.scalar("SELECT count(*) FROM timeline") == first == 3


def test_progress_reports_every_stage(tmp_path: Path) -> None:
    src = make_zip(tmp_path / "c.zip", {ROLLBACK: setupact_bytes(), "x/setuperr.log": setupact_bytes()})
    seen: list[Progress] = []
    Case.open(src).ensure_ingested(progress=seen.append)
    stages = [p.stage for p in seen]
    for stage in ("catalogue", "extract", "parse", "finalize", "analyze", "done"):
        assert stage in stages
    assert stages.index("catalogue") < stages.index("extract") < stages.index("parse") < stages.index("done")


def test_cancel_stops_and_the_next_open_ingests_again(tmp_path: Path) -> None:
    src = make_zip(tmp_path / "c.zip", {f"d{i}/setupact.log": setupact_bytes() for i in range(20)})
    case = Case.open(src)
    calls = {"n": 0}

    def cancel() -> bool:
        calls["n"] += 1
        return calls["n"] > 5

    with pytest.raises(IngestCancelled):
        case.ensure_ingested(cancel=cancel)
    assert case.store.get_meta("ingest_state") == "cancelled"  # a state of its own (issue 16); an error stops as "interrupted"
    assert case.ensure_ingested() is True
    assert case.store.scalar("SELECT count(*) FROM files WHERE status = 'parsed'") == 20


class _BrokenParser:
    """A real parser that fails half way, as a hostile file can make any parser do."""

    name = "broken"
    kinds = frozenset({"setuperr"})
    tables: dict[str, str] = {}
    version = 1

    def parse(self, file: CaseFile, mediator: Mediator) -> None:
        mediator.event(line=1, message="read before the failure", utc=0)
        raise ValueError("unexpected structure at offset 42")


class _BrokenPlugin:
    @hookimpl
    def workbench_parsers(self) -> list[_BrokenParser]:
        return [_BrokenParser()]


def test_a_failing_parser_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    src = make_zip(tmp_path / "c.zip", {ROLLBACK: setupact_bytes(), "Panther/setuperr.log": setupact_bytes()})
    pm, _ = build_plugin_manager(entry_points=False, extra=(_BrokenPlugin(),))
    case = Case.open(src)
    case.ensure_ingested(plugin_manager=pm)
    rows = {r["path"]: r for r in case.store.query("SELECT * FROM files")}
    assert rows[ROLLBACK]["status"] == "parsed"
    assert rows["Panther/setuperr.log"]["status"] == "failed"
    assert "offset 42" in rows["Panther/setuperr.log"]["reason"]
    problems = case.store.query("SELECT * FROM problems")
    assert problems[0]["file"] == "Panther/setuperr.log" and "broken could not read it" in problems[0]["error"]
    assert case.store.scalar("SELECT count(*) FROM timeline WHERE source = 'broken'") == 1


class _ZonePlugin:
    """Stands for msinfo32: says the machine ran on China Standard Time."""

    class _Parser:
        name = "zone"
        kinds = frozenset({"msinfo_nfo"})
        tables: dict[str, str] = {}
        version = 1

        def parse(self, file: CaseFile, mediator: Mediator) -> None:
            mediator.fact("system.time_zone", "China Standard Time", line=1, text="时区 中国标准时间", weight=10)

    @hookimpl
    def workbench_parsers(self) -> list:  # type: ignore[type-arg]
        return [self._Parser()]


def test_local_times_become_utc_with_the_case_time_zone(tmp_path: Path) -> None:
    src = make_zip(tmp_path / "c.zip", {ROLLBACK: setupact_bytes(), "SYSSUM.NFO": "<MsInfo></MsInfo>".encode("utf-16")})
    pm, _ = build_plugin_manager(entry_points=False, extra=(_ZonePlugin(),))
    case = Case.open(src)
    case.ensure_ingested(plugin_manager=pm)
    assert case.store.get_meta("time_zone") == "China Standard Time"
    rows = list(query_timeline(case.store))
    first = rows[0].as_dict()
    assert first["time_local"] == "2021-05-18T03:11:02"
    assert first["time_utc"] == "2021-05-17T19:11:02Z"
    # a user's time without a zone is on the case clock
    assert parse_time("2021-05-18T03:11:03", case.store) == rows[1].ts
    window = list(query_timeline(case.store, start=parse_time("2021-05-18T03:11:03", case.store)))
    assert [r.line for r in window] == [2, 3]


def test_timeline_is_time_ordered_across_files(tmp_path: Path) -> None:
    late = setupact_bytes().replace(b"2021-05-18", b"2021-05-19")
    src = make_zip(tmp_path / "c.zip", {"b/setupact.log": late, "a/setupact.log": setupact_bytes()})
    case = Case.open(src)
    case.ensure_ingested()
    ts = [r.ts for r in query_timeline(case.store)]
    assert ts == sorted(ts)
    ids = [r.id for r in query_timeline(case.store)]
    assert ids == list(range(1, len(ids) + 1))  # rowid = position in time, for block paging


def test_full_text_search(tmp_path: Path) -> None:
    src = make_zip(tmp_path / "c.zip", {ROLLBACK: setupact_bytes()})
    case = Case.open(src)
    case.ensure_ingested()
    hits = list(query_timeline(case.store, text='"post reboot"'))
    assert len(hits) == 1 and "0xC1900101" in hits[0].message


def test_the_ingest_puts_back_the_connection_settings_it_changed(tmp_path: Path) -> None:
    """No zeroing of freed pages while the ingest sorts and indexes (it drops a copy of rows still in the
    file), whatever the SQLite build's default, and the connection has that default again afterwards; the
    full-text index was built with the larger term buffer and still answers."""
    src = make_zip(tmp_path / "c.zip", {ROLLBACK: setupact_bytes()})
    case = Case.open(src)
    conn = case.store.conn
    conn.execute("PRAGMA secure_delete = 1")
    seen = []
    conn.set_trace_callback(lambda sql: seen.append(conn.execute("PRAGMA secure_delete").fetchone()[0])
                            if sql.startswith("DROP TABLE timeline") else None)
    case.ensure_ingested()
    conn.set_trace_callback(None)
    assert seen == [0]
    assert conn.execute("PRAGMA secure_delete").fetchone()[0] == 1
    from workbench.core.ingest import FTS_HASH_BYTES
    assert case.store.scalar("SELECT v FROM timeline_fts_config WHERE k = 'hashsize'") == FTS_HASH_BYTES
    assert len(list(query_timeline(case.store, text='"post reboot"'))) == 1


def _in_order_log() -> bytes:
    lines = [f"2021-05-18 04:{m:02d}:{sec:02d}, Info                  SP     step {m * 60 + sec}\r\n"
             for m in range(20) for sec in range(0, 60, 7)]
    lines.insert(30, "[8312] [0xc142011c] WIMGAPI line without a stamp\r\n")  # takes the time of the line before
    return setupact_bytes("".join(lines))


@pytest.mark.parametrize("files, in_order", [
    ({ROLLBACK: b"", "Panther/setupact.log": b""}, False),  # two logs of one time span: interleaved by the sort
    ({ROLLBACK: b""}, True),  # one log read in time order: copied as it stands
])
def test_rows_already_in_time_order_are_kept_as_they_stand_and_end_the_same(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, files: dict[str, bytes], in_order: bool) -> None:
    """The check that lets the copy skip its sort says yes only when the sort would change nothing: the
    store (every table, the full-text answers) is what the sort gives, whatever it said."""
    from tests.unit.test_store_equivalence import store_digest
    from workbench.core import ingest as ingest_module

    src = make_zip(tmp_path / "c.zip", {name: _in_order_log() for name in files})
    said = []
    check = ingest_module._in_time_order
    monkeypatch.setattr(ingest_module, "_in_time_order", lambda *a: said.append(check(*a)) or said[-1])
    case = Case.open(src, home=tmp_path / "fast")
    case.ensure_ingested()
    fast = store_digest(case)
    case.close()
    assert said == [in_order]
    monkeypatch.setattr(ingest_module, "_in_time_order", lambda *a: False)
    case = Case.open(src, home=tmp_path / "sorted")
    case.ensure_ingested()
    assert store_digest(case) == fast
    ts = [r[0] for r in case.store.conn.execute("SELECT ts FROM timeline ORDER BY id")]
    assert ts == sorted(ts) and len(ts) > 100
    case.close()


def test_parser_versions_change_triggers_reingest(tmp_path: Path) -> None:
    src = make_zip(tmp_path / "c.zip", {ROLLBACK: setupact_bytes()})
    case = Case.open(src)
    case.ensure_ingested()
    ingest = Ingest(case)
    assert case.is_ingested(ingest.fingerprint)
    case.store.set_meta("parsers", "setuplog:0")
    assert not case.is_ingested(ingest.fingerprint)


def test_notes_survive_a_reingest(tmp_path: Path) -> None:
    from workbench.core.store import NotesStore

    src = make_zip(tmp_path / "c.zip", {ROLLBACK: setupact_bytes()})
    case = Case.open(src)
    case.ensure_ingested()
    with NotesStore.open(case.folder) as notes:
        notes.save("客户已卸载安全软件")
        case.ensure_ingested(force=True)
        assert [n.body for n in notes.notes()] == ["客户已卸载安全软件"]


_INGEST_CHILD = """
import sys
from workbench.core.case import Case
case = Case.open(sys.argv[1])
ran = case.ensure_ingested()
print(int(ran), case.store.scalar("SELECT count(*) FROM timeline"))
"""


def test_two_processes_on_one_case_do_not_corrupt_it(tmp_path: Path) -> None:
    src = make_zip(tmp_path / "c.zip", {f"d{i}/setupact.log": setupact_bytes("".join(
        f"2021-05-18 04:{n // 60:02d}:{n % 60:02d}, Info                  SP     line {n}\r\n" for n in range(597)))
        for i in range(30)})
    procs = [subprocess.Popen([sys.executable, "-c", _INGEST_CHILD, str(src)], stdout=subprocess.PIPE, text=True,
                              cwd=Path(__file__).parents[2]) for _ in range(2)]
    outs = [p.communicate(timeout=300)[0].split() for p in procs]
    assert all(p.returncode == 0 for p in procs)
    assert sorted(int(o[0]) for o in outs) == [0, 1]  # exactly one of them ingested
    assert {int(o[1]) for o in outs} == {30 * 3 * 200}


def test_a_new_case_database_held_by_another_connection_is_waited_for(tmp_path: Path) -> None:
    """The switch to WAL needs the database to itself and SQLite refuses it at once (no busy wait) while
    another connection holds it: a second process opening the same new case at that moment failed with
    'database is locked' (seen once in CI). The open now waits, up to its busy timeout, and then says so."""
    import sqlite3
    import threading
    import time

    from workbench.core.store import CaseStore

    db = tmp_path / "case.sqlite"
    other = sqlite3.connect(db, check_same_thread=False, isolation_level=None)
    other.execute("CREATE TABLE t(x)")
    other.execute("BEGIN EXCLUSIVE")
    threading.Timer(0.4, lambda: other.execute("COMMIT")).start()
    started = time.monotonic()
    store = CaseStore.open(db, busy_timeout_ms=10_000)
    try:
        assert time.monotonic() - started >= 0.3
        assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        store.close()
    other.close()
    # held past the timeout: the open gives up with SQLite's sentence (the case says who holds it), no hang
    held = tmp_path / "held.sqlite"
    other = sqlite3.connect(held, isolation_level=None)
    other.execute("CREATE TABLE t(x)")
    other.execute("BEGIN EXCLUSIVE")
    started = time.monotonic()
    try:
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            CaseStore.open(held, busy_timeout_ms=300)
        assert time.monotonic() - started < 10
    finally:
        other.execute("COMMIT")
        other.close()


def test_user_tables_and_meta_survive_a_reingest(tmp_path: Path) -> None:
    src = make_zip(tmp_path / "c.zip", {ROLLBACK: setupact_bytes()})
    case = Case.open(src)
    case.ensure_ingested()
    case.store.conn.execute("CREATE TABLE user_list (term TEXT)")
    case.store.conn.execute("INSERT INTO user_list VALUES ('zhangwei')")
    case.store.set_meta("user.report_lang", "zh")
    case.ensure_ingested(force=True)
    assert case.store.scalar("SELECT term FROM user_list") == "zhangwei"
    assert case.store.get_meta("user.report_lang") == "zh"


def test_progress_inside_a_large_file(tmp_path: Path) -> None:
    body = "".join(f"2021-05-18 04:{n // 60 % 60:02d}:{n % 60:02d}, Info                  SP     line {n}\r\n"
                   for n in range(60_000))
    src = make_zip(tmp_path / "c.zip", {ROLLBACK: setupact_bytes(body)})
    seen: list[Progress] = []
    Case.open(src).ensure_ingested(progress=seen.append)
    inside = [p for p in seen if p.stage == "parse" and p.file_total]
    assert inside, "the parser reported no position"
    assert all(0 <= p.file_done <= p.file_total for p in inside)
    assert inside[-1].file_done > inside[0].file_done


def test_overlapping_parse_stages_put_the_collector_back_when_the_last_ends() -> None:
    """Two ingests in one process (a window reading two cases) each run the collector seldom while they
    parse; the first to end must not hand the other the default back, nor the last leave the seldom one."""
    import gc

    from workbench.core.parsers.base import GC_THRESHOLD, few_collections

    before = gc.get_threshold()
    first, second = few_collections(), few_collections()
    first.__enter__()
    second.__enter__()
    first.__exit__(None, None, None)
    assert gc.get_threshold()[0] == GC_THRESHOLD
    second.__exit__(None, None, None)
    assert gc.get_threshold() == before
