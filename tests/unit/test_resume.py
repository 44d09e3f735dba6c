"""A stopped ingest is a state of its own, and a resume gives the rows an uninterrupted ingest gives.

Stopped by Cancel, by an error that escapes the pipeline (a full disk, Ctrl+C), or by a killed process (the
state stays ``running`` with no process holding the case lock): each is resumed from its first unfinished
file, by the core, so ``workbench analyze`` resumes too.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cases import chinese_nested_case, multi_file_case
from workbench.core.case import Case
from workbench.core.errors import EnvironmentFailure, IngestCancelled
from workbench.core.ingest import Progress


def _snapshot(store) -> dict:
    """Everything an ingest produces, in a form two runs can be compared by (row ids of the timeline too:
    they are positions in time)."""
    out = {
        "timeline": store.conn.execute("SELECT * FROM timeline ORDER BY id").fetchall(),
        "facts": sorted(store.conn.execute("SELECT name, value, file_id, line, ts, basis, text, weight FROM facts")
                        .fetchall(), key=repr),
        "findings": sorted(store.conn.execute("SELECT rule_id, title, severity, summary, score, ts FROM findings")
                           .fetchall(), key=repr),
        "evidence": sorted(store.conn.execute("SELECT file_id, line, ts, text FROM evidence").fetchall(), key=repr),
        "files": store.conn.execute("SELECT id, path, status, records, reason FROM files ORDER BY id").fetchall(),
        "problems": sorted(store.conn.execute("SELECT file_id, file, error FROM problems").fetchall(), key=repr),
    }
    for table in store.detail_tables():
        out[table] = sorted(store.conn.execute(f'SELECT * FROM "{table}"').fetchall(), key=repr)
    return out


def _reference(source: Path, home: Path) -> dict:
    case = Case.open(source, home=home)
    try:
        case.ensure_ingested()
        assert case.store.get_meta("ingest_state") == "complete"
        return _snapshot(case.store)
    finally:
        case.close()


def _cancel_in_file(ordinal: int):
    """A cancel callback that fires once the parse of the ``ordinal``-th file reported a position."""
    state = {"go": False}

    def progress(p: Progress) -> None:
        if p.stage == "parse" and p.done == ordinal and p.file_done > 0:
            state["go"] = True

    return progress, lambda: state["go"]


def test_cancel_is_a_state_of_its_own_and_resume_gives_the_same_rows(tmp_path: Path) -> None:
    source = multi_file_case(tmp_path / "src", lines=100_000)
    expected = _reference(source, tmp_path / "home-reference")

    case = Case.open(source)
    progress, cancel = _cancel_in_file(4)  # three event logs, then m0, m1 (cancelled in it)... then the copy
    with pytest.raises(IngestCancelled):
        case.ensure_ingested(progress=progress, cancel=cancel)
    store = case.store
    assert store.get_meta("ingest_state") == "cancelled"
    assert store.get_meta("ingest_stage") == "parse"
    statuses = store.conn.execute("SELECT status, records, reason FROM files WHERE kind IN "
                                  "('setupact', 'evtx', 'pml') ORDER BY id").fetchall()
    assert [s for s, _, _ in statuses[:4]] == ["parsed"] * 4
    status, records, reason = statuses[4]
    assert status == "cancelled" and records > 0 and f"after {records} rows" in reason
    assert {s for s, _, _ in statuses[5:]} == {"cancelled"} and all(r == 0 for _, r, _ in statuses[5:])
    # the rows read so far are in the store (a window shows them); nothing was analyzed
    assert store.scalar("SELECT count(*) FROM timeline WHERE file_id = (SELECT id FROM files WHERE "
                        "status = 'cancelled' AND records > 0)") == records
    assert store.scalar("SELECT count(*) FROM findings") == 0
    case.close()

    # the next open continues from the cancelled file, and ends where an uninterrupted ingest ends
    again = Case.open(source)
    reports: list[Progress] = []
    assert again.ensure_ingested(progress=reports.append)
    assert again.store.get_meta("ingest_state") == "complete"
    assert again.store.get_meta("ingest_resumed_from") == "parse"
    parsed = [p.current for p in reports if p.stage == "parse" and p.file_done == 0 and p.current]
    assert len(parsed) == len(statuses) - 4  # the four finished files were not read again
    got = _snapshot(again.store)
    again.close()
    assert got.keys() == expected.keys()
    for key in expected:
        assert got[key] == expected[key], key


def test_progress_is_by_bytes_with_an_eta(tmp_path: Path) -> None:
    from tests.cases import large_log_case

    source = large_log_case(tmp_path, megabytes=12)
    case = Case.open(source)
    reports: list[Progress] = []
    case.ensure_ingested(progress=reports.append)
    case.close()
    parse = [p for p in reports if p.stage == "parse" and p.file_total > 1_000_000]
    assert len(parse) > 5, "the big file reported its position as it went"
    positions = [p.file_done for p in parse]
    assert positions == sorted(positions) and positions[-1] > 0.9 * parse[-1].file_total
    assert all(p.bytes_total >= p.file_total and p.bytes_done >= p.file_done for p in parse)
    assert any(p.eta_s is not None for p in parse)
    assert parse[-1].rows > 10_000


def test_rows_are_committed_while_a_file_is_read(tmp_path: Path) -> None:
    """A second connection (the window's) sees rows before the file is done: the first within a second."""
    import time

    from tests.cases import large_log_case
    from workbench.core.store import CaseStore

    source = large_log_case(tmp_path, megabytes=12)
    case = Case.open(source)
    seen: list[tuple[float, int, int]] = []
    started = time.monotonic()

    def progress(p: Progress) -> None:
        if p.stage == "parse" and p.file_total > 1_000_000 and p.file_done < p.file_total:
            reader = CaseStore.open(case.folder / "case.sqlite", readonly=True)
            try:
                seen.append((time.monotonic() - started, p.file_done, reader.scalar("SELECT count(*) FROM timeline")))
            finally:
                reader.close()

    case.ensure_ingested(progress=progress)
    case.close()
    visible = [(t, rows) for t, _, rows in seen if rows > 0]
    assert visible, "no row was visible to a reader before the file was done"
    assert visible[0][0] < 1.5


def test_an_error_that_escapes_the_pipeline_is_resumed(tmp_path: Path) -> None:
    """A full disk, Ctrl+C: the run stops as ``interrupted`` at the stage it was in; the next resumes there."""
    source = multi_file_case(tmp_path / "src", lines=100_000)
    expected = _reference(source, tmp_path / "home-reference")
    for stage, error in (("parse", KeyboardInterrupt()), ("finalize", OSError(28, "No space left on device")),
                         ("index", OSError(28, "No space left on device"))):
        case = Case.open(source, home=tmp_path / f"home-{stage}")

        def progress(p: Progress, stage: str = stage, error: BaseException = error) -> None:
            if stage == "index":  # the rows sorted and committed, their indexes not built yet
                if p.stage == "finalize" and p.done == 1:
                    raise error
            elif p.stage == stage and (stage != "parse" or (p.done == 5 and p.file_done > 0)):
                raise error

        # a full disk reaches the caller as the one-sentence environment failure, its OSError as the cause
        with pytest.raises(EnvironmentFailure if isinstance(error, OSError) else type(error)) as raised:
            case.ensure_ingested(progress=progress)
        if isinstance(error, OSError):
            assert raised.value.__cause__ is error
        assert case.store.get_meta("ingest_state") == "interrupted"
        assert case.store.get_meta("ingest_stage") == stage
        case.close()
        again = Case.open(source, home=tmp_path / f"home-{stage}")
        assert again.ensure_ingested()
        assert again.store.get_meta("ingest_resumed_from") == stage
        got = _snapshot(again.store)
        again.close()
        for key in expected:
            assert got[key] == expected[key], (stage, key)


_KILLER = """
import os, sqlite3, sys
from workbench.core.case import Case
case = Case.open(sys.argv[1])
db = (case.folder / "case.sqlite").resolve().as_uri() + "?mode=ro"
def progress(p):
    # killed mid-file, once rows of it are committed for the window to see (asked as the window asks: the
    # parse worker's read position runs ahead of the rows the main process has committed)
    if p.stage == "parse" and p.done == 5 and 0 < p.file_done < p.file_total:
        seen = sqlite3.connect(db, uri=True)
        try:
            rows = seen.execute("SELECT count(*) FROM timeline WHERE file_id = 6").fetchone()[0]
        finally:
            seen.close()
        if rows:
            os._exit(9)
case.ensure_ingested(progress=progress)
"""


def test_a_killed_ingest_is_resumed_by_workbench_analyze(tmp_path: Path, wb_home: Path) -> None:
    source = multi_file_case(tmp_path / "src", lines=110_000)
    expected = _reference(source, tmp_path / "home-reference")
    env = {**os.environ, "WORKBENCH_HOME": str(wb_home)}
    killed = subprocess.run([sys.executable, "-c", _KILLER, str(source)], env=env, capture_output=True, text=True,
                            timeout=300)
    assert killed.returncode == 9, killed.stderr
    case = Case.open(source)
    assert case.store.get_meta("ingest_state") == "running"  # nobody holds the case lock: it died
    assert case.store.scalar("SELECT count(*) FROM timeline WHERE file_id = 6") > 0  # m1's rows so far
    case.close()
    done = subprocess.run([sys.executable, "-m", "workbench", "analyze", str(source), "--json"], env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode in (0, 1), done.stderr
    assert json.loads(done.stdout)["findings"]
    case = Case.open(source)
    assert case.store.get_meta("ingest_state") == "complete"
    assert case.store.get_meta("ingest_resumed_from") == "parse"
    got = _snapshot(case.store)
    case.close()
    for key in expected:
        assert got[key] == expected[key], key


def test_a_nested_archive_cancelled_while_extracting_starts_again(tmp_path: Path) -> None:
    """Cancelled before extraction ended: the member list may be short, so the next open extracts again."""
    source = chinese_nested_case(tmp_path)
    expected = _reference(source, tmp_path / "home-reference")
    case = Case.open(source)
    with pytest.raises(IngestCancelled):
        case.ensure_ingested(cancel=lambda: True)
    assert case.store.get_meta("ingest_state") == "cancelled"
    assert case.store.get_meta("ingest_stage") == "extract"
    case.close()
    again = Case.open(source)
    assert again.ensure_ingested()
    assert again.store.get_meta("ingest_resumed_from") is None
    got = _snapshot(again.store)
    again.close()
    for key in expected:
        assert got[key] == expected[key], key


def test_a_resume_keeps_what_extraction_said_of_each_file(tmp_path: Path) -> None:
    """A member with an unsafe name is still 'parsed' after a resume; one cut short in the archive stays
    'partial' with its reason — exactly as an uninterrupted ingest leaves them."""
    from tests.archives import make_zip
    from tests.cases import write_large_setupact

    big = write_large_setupact(tmp_path / "big.log", megabytes=5).read_bytes()
    source = make_zip(tmp_path / "odd.zip", {"../../evil/setupact.log": big[:200_000], "m/Panther/setupact.log": big})
    expected = _reference(source, tmp_path / "home-reference")
    case = Case.open(source)
    progress, cancel = _cancel_in_file(1)
    with pytest.raises(IngestCancelled):
        case.ensure_ingested(progress=progress, cancel=cancel)
    case.close()
    again = Case.open(source)
    assert again.ensure_ingested()
    got = _snapshot(again.store)
    again.close()
    assert [f[2] for f in got["files"]] == ["parsed", "parsed"]
    for key in expected:
        assert got[key] == expected[key], key
