"""Nothing lost: SIGKILL in the middle of an ingest or of note saving, and two processes on one case.

Why real processes and SIGKILL: a crash or a user killing the app gives no chance to clean up, so what
must hold is what is on disk at that instant. Each test kills a child process at a known point (the child
reports where it is on stdout), then opens the case again in this process and checks that the store is
intact, the ingest restarts and ends with exactly what a clean ingest gives, the user's notes are there,
and the original archive is byte for byte what it was.
"""

from __future__ import annotations

import hashlib
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.archives import make_zip, setupact_bytes, zip_bytes
from workbench.core.case import Case
from workbench.core.store import NotesStore

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")

#: the child: ingest the case, and when the pipeline reaches STAGE with done >= N, say so and hold on
_INGEST_CHILD = """
import sys, time
from workbench.core.case import Case
src, stage, at_least, hold = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4] == "hold"
case = Case.open(src)
said = False
def progress(p):
    global said
    if not said and p.stage == stage and p.done >= at_least:
        said = True
        print("AT", p.stage, p.done, flush=True)
        if hold:
            time.sleep(120)
case.ensure_ingested(progress=progress)
print("DONE", flush=True)
"""

_NOTES_CHILD = """
import sys
from workbench.core.case import Case
from workbench.core.store import NotesStore
case = Case.open(sys.argv[1])
notes = NotesStore.open(case.folder)
note = None
for i in range(1_000_000):
    note = notes.save(f"note {i}: " + "客户已卸载安全软件。" * 20, note)
    print(i, flush=True)
"""


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _case_archive(tmp_path: Path, logs: int = 40, lines: int = 1500) -> Path:
    """Enough rows that every stage lasts long enough to be killed in, plus a nested zip and a damaged file."""
    body = "".join(f"2021-05-18 04:{n // 60 % 60:02d}:{n % 60:02d}, Info                  SP     line {n} "
                   f"of a long log\r\n" for n in range(lines))
    files = {f"pc/{i:02d}/$WINDOWS.~BT/Sources/Panther/setupact.log": setupact_bytes(body) for i in range(logs)}
    files["pc/nested/logs.zip"] = zip_bytes({"Rollback/setupact.log": setupact_bytes(),
                                             "Rollback/setuperr.log": setupact_bytes()})
    files["pc/broken/setupapi.dev.log"] = b"\x00\xff" * 5000
    return make_zip(tmp_path / "case.zip", files)


def _summary(case: Case) -> dict[str, object]:
    """What a finished ingest must look like, independent of when it ran."""
    store = case.store
    return {
        "files": sorted((r["path"], r["status"], r["sha256"], r["records"]) for r in store.query(
            "SELECT path, status, sha256, records FROM files")),
        "timeline": store.scalar("SELECT count(*) FROM timeline"),
        "fts": store.scalar("SELECT count(*) FROM timeline_fts WHERE timeline_fts MATCH 'line'"),
        "problems": sorted((r["file"], r["error"]) for r in store.query("SELECT file, error FROM problems")),
        "facts": store.scalar("SELECT count(*) FROM facts"),
        "sorted": store.scalar("SELECT count(*) FROM timeline a JOIN timeline b ON b.id = a.id + 1 "
                               "WHERE b.ts < a.ts"),
        "state": store.get_meta("ingest_state"),
    }


def _integrity(case: Case) -> None:
    assert case.store.scalar("PRAGMA integrity_check") == "ok"
    assert case.store.scalar("PRAGMA foreign_key_check") is None


def _reference(tmp_path: Path, src: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, object]:
    monkeypatch.setenv("WORKBENCH_HOME", str(tmp_path / "reference-home"))
    case = Case.open(src)
    case.ensure_ingested()
    ref = _summary(case)
    case.close()
    return ref


def _spawn(code: str, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-c", code, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, cwd=ROOT, env=dict(os.environ))


def _read_line(proc: subprocess.Popen[str], timeout: float = 120.0) -> str:
    """One line from the child, or fail (with its stderr) when it ends or hangs first."""
    import selectors

    assert proc.stdout is not None
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ)
    if not sel.select(timeout):
        proc.kill()
        raise AssertionError("the child said nothing in time")
    line = proc.stdout.readline()
    if not line:
        proc.wait()
        raise AssertionError(f"the child ended early: {proc.stderr.read() if proc.stderr else ''}")
    return line.strip()


def _kill(proc: subprocess.Popen[str]) -> None:
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL


@pytest.mark.slow  # each case ingests twice (reference and recovery) in about 5 s
@pytest.mark.parametrize("stage, at_least, hold", [
    ("catalogue", 0, True),
    ("extract", 20, True),
    ("parse", 15, True),
    ("finalize", 0, True),
    ("finalize", 0, False),  # killed while the rows are rewritten in time order
    ("finalize", 1, True),  # the sorted rows committed, their indexes not yet built: the resume builds them
    ("finalize", 1, False),  # killed while the indexes and the full-text index are built
    ("analyze", 0, True),
])
def test_killed_ingest_restarts_cleanly(tmp_path: Path, wb_home: Path, monkeypatch: pytest.MonkeyPatch,
                                        stage: str, at_least: int, hold: bool) -> None:
    src = _case_archive(tmp_path)
    digest = _sha(src)
    ref = _reference(tmp_path, src, monkeypatch)
    assert ref["state"] == "complete" and ref["timeline"] > 40 * 1500
    monkeypatch.setenv("WORKBENCH_HOME", str(wb_home))

    proc = _spawn(_INGEST_CHILD, str(src), stage, str(at_least), "hold" if hold else "go")
    assert _read_line(proc).startswith(f"AT {stage}")
    if not hold:
        time.sleep(0.15)  # into the middle of the finalize transaction
    _kill(proc)

    case = Case.open(src)
    _integrity(case)
    assert case.store.get_meta("ingest_state") != "complete", "the kill came after the ingest finished"
    assert case.ensure_ingested() is True  # an interrupted ingest is never taken for a finished one
    _integrity(case)
    assert _summary(case) == ref
    blobs = {p.name for p in case.blobs.iterdir()}
    kept = {Path(r["blob"]).name for r in case.store.query("SELECT blob FROM files WHERE blob IS NOT NULL")}
    assert kept <= blobs and len(blobs - kept) == 0, "stray blobs left by the killed ingest"
    assert not (case.folder / "ingest.lock").exists() or _lock_is_free(case.folder)
    case.close()
    assert _sha(src) == digest


def _lock_is_free(folder: Path) -> bool:
    """The OS lock dies with its process: a fresh non-blocking lock must succeed at once."""
    import fcntl

    fd = os.open(folder / "ingest.lock", os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        fcntl.flock(fd, fcntl.LOCK_UN)
        return True
    except OSError:
        return False
    finally:
        os.close(fd)


def test_killed_while_saving_notes_keeps_every_acknowledged_note(tmp_path: Path) -> None:
    src = make_zip(tmp_path / "c.zip", {"Panther/setupact.log": setupact_bytes()})
    digest = _sha(src)
    case = Case.open(src)
    case.ensure_ingested()
    case.close()
    proc = _spawn(_NOTES_CHILD, str(src))
    last = -1
    while last < 300:
        last = int(_read_line(proc))
    _kill(proc)
    assert proc.stdout is not None
    for line in proc.stdout.read().split():  # acknowledged before the kill but not yet read here
        last = int(line)
    case = Case.open(src)
    _integrity(case)
    assert case.ensure_ingested() is False  # notes never make a finished case look unfinished
    with NotesStore.open(case.folder) as notes:
        assert notes.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        (note,) = notes.notes()
        versions = notes.versions(note.id)  # kept per burst of typing, so fewer than the saves
    saved = int(note.body.split(":", 1)[0].split()[1])
    assert saved in (last, last + 1), (saved, last)  # at most the save in flight is lost
    assert note.body.endswith("客户已卸载安全软件。")
    assert versions and versions[-1].body == note.body
    numbers = [int(v.body.split(":", 1)[0].split()[1]) for v in versions]
    assert numbers == sorted(numbers) and numbers[-1] == saved
    case.close()
    assert _sha(src) == digest


_NOTES_DURING_INGEST = """
import sys, time
from workbench.core.case import Case
from workbench.core.store import NotesStore
case = Case.open(sys.argv[1])
notes = NotesStore.open(case.folder)
slowest = 0.0
for i in range(int(sys.argv[2])):
    t = time.perf_counter()
    notes.save(f"window B note {i}")
    slowest = max(slowest, time.perf_counter() - t)
    time.sleep(0.02)
print("SAVED", i + 1, f"{slowest:.3f}", flush=True)
"""


def test_notes_typed_in_one_window_while_another_ingests(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Window A ingests (and re-ingests) while window B saves notes: every note lands, the case is right."""
    src = _case_archive(tmp_path, logs=30, lines=1000)
    ref = _reference(tmp_path, src, monkeypatch)
    monkeypatch.setenv("WORKBENCH_HOME", str(tmp_path / "home"))
    Case.open(src).close()  # create the store so both windows race on the same one
    ingest = _spawn(_INGEST_CHILD, str(src), "done", "0", "go")
    notes = _spawn(_NOTES_DURING_INGEST, str(src), "150")
    out_notes, err_notes = notes.communicate(timeout=300)
    out_ingest, err_ingest = ingest.communicate(timeout=300)
    assert notes.returncode == 0, err_notes
    assert ingest.returncode == 0, err_ingest
    assert "DONE" in out_ingest
    saved = out_notes.split()
    assert saved[:2] == ["SAVED", "150"]
    # the notes database is not the one the ingest locks: a save waits for nothing (2 s: a busy machine)
    assert float(saved[2]) < 2.0, f"a note save waited {saved[2]} s for the ingest"
    case = Case.open(src)
    _integrity(case)
    with NotesStore.open(case.folder) as notes:
        assert sorted(n.body for n in notes.notes()) == sorted(f"window B note {i}" for i in range(150))
    assert _summary(case) == ref
    case.close()


def test_a_reader_never_sees_a_half_written_store(tmp_path: Path) -> None:
    """While an ingest runs in another process, a read-only connection always opens and reads (WAL)."""
    src = _case_archive(tmp_path, logs=30, lines=1000)
    opened = Case.open(src)  # the window that shows the case opened it (schema made) before the ingest starts
    database = opened.folder / "case.sqlite"
    opened.close()
    proc = _spawn(_INGEST_CHILD, str(src), "done", "0", "go")
    reads = 0
    deadline = time.monotonic() + 300
    while proc.poll() is None and time.monotonic() < deadline:
        conn = sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=30)
        try:
            conn.execute("SELECT count(*) FROM files").fetchone()
            conn.execute("SELECT count(*) FROM timeline").fetchone()
            reads += 1
        finally:
            conn.close()
        time.sleep(0.02)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert reads > 5
