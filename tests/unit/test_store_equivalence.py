"""Reading files in a parse worker changes nothing in the store: every table, row for row, is what the
one-process path (``workers=0``, the reference mode) writes, on cases the tests build and on the fixtures.

A digest of each table's ordered contents is compared: the timeline by id (a row's id is its position in
time), facts, findings, evidence and problems by id (the order they were written in), the catalogue, and
every parser's detail table by rowid; and the full-text index answers the same queries with the same rows,
from the same terms (the worker builds it beside the database, the reference mode in place).
"""

from __future__ import annotations

import errno
import hashlib
from pathlib import Path

import pytest

from tests.cases import chinese_nested_case, downlevel_procmon_case, multi_file_case
from workbench.core import parse_worker
from workbench.core.case import Case
from workbench.core.errors import EnvironmentFailure
from workbench.core.ingest import Ingest, Progress
from workbench.core.plugins import hookimpl

FIXTURES = Path(__file__).resolve().parents[3] / "shared" / "fixtures"
#: Words searched in both stores: what the search pane and ``workbench timeline --search`` answer.
QUERIES = ("error", "0x80070002", "setuphost*", '"operation failed"', "System", "lwfmgr OR vUserHCI", "error NOT setup*")


def store_digest(case: Case) -> dict[str, str]:
    """SHA-256 of every table's rows in their stored order (case-folder paths made relative)."""
    store = case.store
    folder = str(case.folder)

    def digest(sql: str) -> str:
        h = hashlib.sha256()
        for row in store.conn.execute(sql):
            h.update(repr(tuple(v.replace(folder, "<case>") if isinstance(v, str) else v for v in row)).encode())
        return h.hexdigest()

    out = {
        "timeline": digest("SELECT * FROM timeline ORDER BY id"),
        "files": digest("SELECT * FROM files ORDER BY id"),
        "problems": digest("SELECT * FROM problems ORDER BY id"),
        "facts": digest("SELECT * FROM facts ORDER BY id"),
        "findings": digest("SELECT * FROM findings ORDER BY id"),
        "evidence": digest("SELECT * FROM evidence ORDER BY id"),
    }
    for table in store.detail_tables():
        out[table] = digest(f'SELECT * FROM "{table}" ORDER BY rowid')
    # the full-text index's contents (built beside the database by a worker, or here, in segments of other
    # sizes): every term, in how many rows and how often
    store.conn.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.fulltext_terms USING fts5vocab(main, timeline_fts, row)")
    out["fulltext terms"] = digest("SELECT term, doc, cnt FROM temp.fulltext_terms ORDER BY term")
    out["fulltext config"] = digest("SELECT * FROM timeline_fts_config ORDER BY k")
    for query in QUERIES:
        out[f"search {query}"] = digest("SELECT rowid FROM timeline_fts WHERE timeline_fts MATCH "
                                        f"'{query.replace(chr(39), chr(39) * 2)}' ORDER BY rowid")
    out["rows"] = str(store.scalar("SELECT count(*) FROM timeline"))
    return out


def _ingest(source: Path, home: Path, workers: int, progress=None) -> dict[str, str]:
    case = Case.open(source, home=home)
    try:
        ingest = Ingest(case, workers=workers)
        ingest.run(progress=(lambda p: progress(p, ingest)) if progress else None)
        assert case.store.get_meta("ingest_state") == "complete"
        return store_digest(case)
    finally:
        case.close()


def _same(source: Path, tmp: Path) -> dict[str, str]:
    reference = _ingest(source, tmp / "home-one-process", workers=0)
    worker = _ingest(source, tmp / "home-worker", workers=1)
    assert worker.keys() == reference.keys()
    for key in reference:
        assert worker[key] == reference[key], key
    return reference


@pytest.mark.parametrize("build", [multi_file_case, chinese_nested_case, downlevel_procmon_case])
def test_a_worker_writes_what_one_process_writes(tmp_path: Path, build) -> None:
    digest = _same(build(tmp_path / "src"), tmp_path)
    assert int(digest["rows"]) > 0


def test_the_worker_builds_the_full_text_index_beside_the_database(tmp_path: Path, monkeypatch, caplog) -> None:
    """With a parse worker the index is built there and copied in, not built again here, and its scratch file
    is gone afterwards; the rows it answers are the reference's (the test above)."""
    from workbench.core.store import fulltext_side

    installed: list[tuple[int, int]] = []
    install = fulltext_side.install

    def counted(db, out, built, hash_bytes):
        installed.append(built)
        return install(db, out, built, hash_bytes)

    monkeypatch.setattr(fulltext_side, "install", counted)
    source = multi_file_case(tmp_path / "src")
    case = Case.open(source, home=tmp_path / "home")
    try:
        with caplog.at_level("WARNING", logger="workbench.core.ingest"):
            Ingest(case, workers=1).run()
        rows = case.store.scalar("SELECT count(*) FROM timeline")
        assert installed == [(rows, case.store.scalar("SELECT max(id) FROM timeline"))]
        assert not [r for r in caplog.records if "full-text index built in this process" in r.getMessage()]
        assert not fulltext_side.side_path(case.store.path).exists()
        assert case.store.get_meta("search_index") == "ready"
    finally:
        case.close()


def _resumed_from_index_is(source: Path, home: Path, reference: dict[str, str]) -> None:
    """The next run of a case stopped in its index stage goes on from there to the reference's store."""
    case = Case.open(source, home=home)
    try:
        assert case.ensure_ingested()
        assert case.store.get_meta("ingest_resumed_from") == "index"
        got = store_digest(case)
    finally:
        case.close()
    for key in reference:
        assert got[key] == reference[key], key


def test_an_interrupt_while_the_worker_builds_the_index_stops_it_and_the_resume_ends_the_same(
        tmp_path: Path, monkeypatch) -> None:
    """Ctrl+C (or any error) in the index stage before the worker answered: the worker is stopped, so it cannot
    write its scratch file after the ingest removed it or answer the next ingest; nothing is left in the case
    folder, and the next run goes on from the indexes to the reference's store."""
    from workbench.core.store import fulltext_side

    source = multi_file_case(tmp_path / "src")
    reference = _ingest(source, tmp_path / "home-one-process", workers=0)
    seen: list[parse_worker.ParseWorker] = []

    def interrupted(self, request):
        seen.append(self)
        raise KeyboardInterrupt

    monkeypatch.setattr(parse_worker.ParseWorker, "fulltext_built", interrupted)
    case = Case.open(source, home=tmp_path / "home")
    try:
        with pytest.raises(KeyboardInterrupt):
            Ingest(case, workers=1).run()
        assert seen and not seen[0].alive()
        assert case.store.get_meta("ingest_state") == "interrupted"
        assert case.store.get_meta("ingest_stage") == "index"
        assert not fulltext_side.side_path(case.store.path).exists()
    finally:
        case.close()
    monkeypatch.undo()
    _resumed_from_index_is(source, tmp_path / "home", reference)


def test_an_interrupt_between_the_rewrite_and_the_index_stage_stops_the_worker_s_build(
        tmp_path: Path, monkeypatch) -> None:
    """The worker starts the full-text index as the rewrite starts; a Ctrl+C after the rewrite committed and
    before the index stage waited for the worker (here: in the progress report between the two) stops the
    worker too, leaves no scratch file, and the run goes on from the index stage to the reference's store."""
    from workbench.core.store import fulltext_side

    source = multi_file_case(tmp_path / "src")
    reference = _ingest(source, tmp_path / "home-one-process", workers=0)
    asked: list[parse_worker.ParseWorker] = []
    build_fulltext = parse_worker.ParseWorker.build_fulltext

    def recorded(self, *args, **kwargs):
        asked.append(self)
        return build_fulltext(self, *args, **kwargs)

    def progress(p: Progress) -> None:
        if p.stage == "finalize" and p.done == 1:
            raise KeyboardInterrupt

    monkeypatch.setattr(parse_worker.ParseWorker, "build_fulltext", recorded)
    case = Case.open(source, home=tmp_path / "home")
    try:
        with pytest.raises(KeyboardInterrupt):
            Ingest(case, workers=1).run(progress=progress)
        assert case.store.get_meta("ingest_stage") == "index"
        assert len(asked) == 1 and not asked[0].alive()  # asked as the rewrite began, stopped with the run
        assert parse_worker.take_idle() is None  # and not kept for the next ingest
        assert not fulltext_side.side_path(case.store.path).exists()
    finally:
        case.close()
    monkeypatch.undo()
    _resumed_from_index_is(source, tmp_path / "home", reference)


@pytest.mark.skipif(not FIXTURES.is_dir(), reason=f"shared fixtures not found at {FIXTURES}")
@pytest.mark.parametrize("folder", ["evtx", "procmon", "setup", "sysinfo", "wer", "dumps"])
def test_the_fixture_cases_are_the_same_read_either_way(tmp_path: Path, folder: str) -> None:
    if not (FIXTURES / folder).is_dir():
        pytest.skip(f"no {folder} fixtures")
    _same(FIXTURES / folder, tmp_path)


def _killer(kills: list[int], times: int, ordinal: int):
    """A progress callback that kills the parse worker while it reads the ``ordinal``-th file (``times``
    times: each new worker is killed in that file again, until ``times`` kills)."""

    def progress(p: Progress, ingest: Ingest) -> None:
        worker = ingest.worker
        if (p.stage == "parse" and p.done == ordinal and p.file_done > 0 and worker is not None
                and len(kills) < times and worker.process.pid not in kills):
            kills.append(worker.process.pid)
            worker.process.kill()  # SIGKILL (TerminateProcess on Windows): no chance to clean up
            worker.process.join(5)

    return progress


def test_a_killed_worker_is_replaced_and_the_rows_are_the_same(tmp_path: Path) -> None:
    source = multi_file_case(tmp_path / "src", lines=45_000)
    reference = _ingest(source, tmp_path / "home-one-process", workers=0)
    kills: list[int] = []
    got = _ingest(source, tmp_path / "home-killed", workers=1, progress=_killer(kills, 1, 4))
    assert len(kills) == 1
    for key in reference:
        assert got[key] == reference[key], key


def test_a_file_that_kills_its_worker_twice_is_failed_and_the_rest_is_read(tmp_path: Path) -> None:
    source = multi_file_case(tmp_path / "src", lines=45_000)
    kills: list[int] = []
    case = Case.open(source, home=tmp_path / "home")
    try:
        ingest = Ingest(case, workers=1)
        progress = _killer(kills, 2, 4)
        ingest.run(progress=lambda p: progress(p, ingest))
        assert len(kills) == 2
        rows = case.store.conn.execute("SELECT path, status, reason FROM files WHERE kind = 'setupact' "
                                       "ORDER BY id").fetchall()
        path, status, reason = rows[1]  # the 5th file read: m1 (three event logs and m0 before it)
        assert status == "failed" and "stopped unexpectedly" in reason, rows[1]
        assert case.store.scalar("SELECT count(*) FROM timeline WHERE file_id = (SELECT id FROM files "
                                 "WHERE path = ?)", (path,)) == 0
        assert case.store.scalar("SELECT count(*) FROM problems WHERE file = ? AND error LIKE '%stopped "
                                 "unexpectedly%'", (path,)) == 1
        assert all(s == "parsed" for _, s, _ in rows[2:]), rows
        assert case.store.get_meta("ingest_state") == "complete"
    finally:
        case.close()


def teardown_module() -> None:
    parse_worker.shutdown()


class _HugeLineParser:
    """Reads a setup log like the real parser, then hands over a row with a line number SQLite cannot hold."""

    name = "setuplog"
    kinds = frozenset({"setupact"})
    tables: dict = {}
    version = 99

    def parse(self, file, mediator) -> None:
        for n in range(3):
            mediator.event(line=n + 1, message=f"line {n}", level="info", local=n)
        mediator.flush()
        mediator.event(line=2**70, message="too big", level="info", local=9)
        mediator.flush()


class _HugeLinePlugin:
    @hookimpl
    def workbench_parsers(self) -> list:
        return [_HugeLineParser()]


@pytest.mark.parametrize("workers", [0, 1])
def test_a_batch_the_store_rejects_fails_that_file_and_the_rest_is_read(tmp_path: Path, workers: int) -> None:
    from workbench.core.plugins.manager import build_plugin_manager

    source = multi_file_case(tmp_path / "src", lines=2000)
    pm, _ = build_plugin_manager(extra=(_HugeLinePlugin(),), entry_points=False, user=False)
    case = Case.open(source, home=tmp_path / "home")
    try:
        Ingest(case, plugin_manager=pm, workers=workers).run()
        rows = case.store.conn.execute("SELECT kind, status, records, reason FROM files WHERE kind IN "
                                       "('setupact', 'evtx', 'pml') ORDER BY id").fetchall()
        setup = [r for r in rows if r[0] == "setupact"]
        assert setup and all(s == "failed" and "OverflowError" in why for _, s, _, why in setup), setup
        assert all(s in ("parsed", "partial") for k, s, _, _ in rows if k != "setupact"), rows
        assert case.store.scalar("SELECT count(*) FROM timeline WHERE source = 'setuplog'") == 3 * len(setup)
        assert case.store.get_meta("ingest_state") == "complete"
    finally:
        case.close()


class _FullDiskParser:
    """Reads a setup log like the real parser, then meets a full disk (its temp folder, say) in the second one."""

    name = "setuplog"
    kinds = frozenset({"setupact"})
    tables: dict = {}
    version = 98

    def __init__(self) -> None:
        self.seen = 0

    def parse(self, file, mediator) -> None:
        self.seen += 1
        for n in range(3):
            mediator.event(line=n + 1, message=f"line {n}", level="info", local=n)
        mediator.flush()
        if self.seen == 2:
            raise OSError(errno.ENOSPC, "No space left on device", "/tmp/wb-scratch")


class _FullDiskPlugin:
    @hookimpl
    def workbench_parsers(self) -> list:
        return [_FullDiskParser()]


@pytest.mark.parametrize("workers", [0, 1])
def test_a_full_disk_in_a_parser_stops_the_ingest_either_way(tmp_path: Path, workers: int) -> None:
    """The machine's failure met while a file is read (here or in the worker) is not the file's: the ingest
    stops with the one sentence, no file is blamed, and the case is left unfinished for the next run."""
    from workbench.core.plugins.manager import build_plugin_manager

    source = multi_file_case(tmp_path / "src", lines=2000)
    pm, _ = build_plugin_manager(extra=(_FullDiskPlugin(),), entry_points=False, user=False)
    case = Case.open(source, home=tmp_path / "home")
    try:
        with pytest.raises(EnvironmentFailure) as raised:
            Ingest(case, plugin_manager=pm, workers=workers).run()
        assert "the disk is full" in str(raised.value) and "/tmp/wb-scratch" in str(raised.value)
        assert case.store.get_meta("ingest_state") == "interrupted"
        assert case.store.scalar("SELECT count(*) FROM files WHERE status IN ('failed', 'partial')") == 0
        assert case.store.scalar("SELECT count(*) FROM problems") == 0
        statuses = [r[0] for r in case.store.conn.execute(
            "SELECT status FROM files WHERE kind = 'setupact' ORDER BY id")]
        assert statuses[0] == "parsed" and set(statuses[1:]) == {"interrupted"}, statuses
    finally:
        case.close()
