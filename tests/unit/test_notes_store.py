"""Notes in their own database (notes.sqlite): a save never waits for an ingest holding case.sqlite, notes of
cases written by older workbenches (inside case.sqlite) move over once, and nothing else touches them."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest

from tests.archives import make_zip, setupact_bytes
from workbench.core.case import Case
from workbench.core.store import NotesStore
from workbench.core.store.notes_store import NOTES_DATABASE, move_legacy_notes

#: (id, body, updated, [(version body, saved), ...]) as an older workbench kept them in case.sqlite
LEGACY = [
    (1, "# Cause\nlwfmgr.sys", "2026-11-20T08:05:00+00:00",
     [("# Cause", "2026-11-20T08:00:00+00:00"), ("# Cause\nlwfmgr.sys", "2026-11-20T08:05:00+00:00")]),
    (2, "客户已卸载安全软件", "2026-11-20T09:00:00+00:00", [("客户已卸载安全软件", "2026-11-20T09:00:00+00:00")]),
]


def write_legacy_notes(database: Path, notes: list = LEGACY) -> None:
    """Put notes into ``database`` the way workbenches before notes.sqlite did (same tables, same columns)."""
    conn = sqlite3.connect(database)
    try:
        with conn:
            conn.execute("CREATE TABLE IF NOT EXISTS notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL, "
                         "updated TEXT NOT NULL)")
            conn.execute("CREATE TABLE IF NOT EXISTS note_versions (id INTEGER PRIMARY KEY, note_id INTEGER NOT "
                         "NULL, body TEXT NOT NULL, saved TEXT NOT NULL)")
            for note_id, body, updated, versions in notes:
                conn.execute("INSERT INTO notes (id, body, updated) VALUES (?, ?, ?)", (note_id, body, updated))
                conn.executemany("INSERT INTO note_versions (note_id, body, saved) VALUES (?, ?, ?)",
                                 [(note_id, b, s) for b, s in versions])
    finally:
        conn.close()


def legacy_tables(database: Path) -> set[str]:
    conn = sqlite3.connect(database)
    try:
        return {r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('notes', 'note_versions')")}
    finally:
        conn.close()


def _snapshot(folder: Path) -> list[tuple[str, str, list[tuple[str, str]]]]:
    with NotesStore.open(folder) as store:
        return [(n.body, n.updated, [(v.body, v.saved) for v in store.versions(n.id)]) for n in store.notes()]


def _expected(notes: list = LEGACY) -> list[tuple[str, str, list[tuple[str, str]]]]:
    return [(body, updated, versions) for _, body, updated, versions in notes]


def ingested(source: Path) -> tuple[Path, Path]:
    """Ingest ``source`` once and close it: (its case database, its case folder)."""
    case = Case.open(source)
    case.ensure_ingested()
    database, folder = case.store.path, case.folder
    case.close()
    return database, folder


@pytest.fixture
def case_source(tmp_path: Path) -> Path:
    return make_zip(tmp_path / "c.zip", {"Panther/setupact.log": setupact_bytes()})


def test_a_save_never_waits_for_the_case_database_write_lock(case_source: Path) -> None:
    """An ingest's finalize/analyze holds case.sqlite's write lock for up to a minute: saves go on regardless."""
    database, folder = ingested(case_source)
    ingest = sqlite3.connect(database, timeout=0.1)
    ingest.execute("BEGIN IMMEDIATE")  # the write lock, as the ingest's long transaction holds it
    ingest.execute("DELETE FROM timeline")  # and uncommitted writes
    try:
        started = time.perf_counter()
        with NotesStore.open(folder) as notes:
            note = notes.save("typed while the ingest finalizes")
            for n in range(20):
                notes.save(f"typed while the ingest finalizes, {n}", note)
        took = time.perf_counter() - started
        assert took < 0.5, f"21 saves took {took:.3f} s while the case database was locked"
        reopened = Case.open(case_source)  # another window opening the case meanwhile reads the notes too
        try:
            with NotesStore.open(reopened.folder) as notes:
                assert [n.body for n in notes.notes()] == ["typed while the ingest finalizes, 19"]
        finally:
            reopened.close()
    finally:
        ingest.rollback()
        ingest.close()
    assert NOTES_DATABASE in {p.name for p in folder.iterdir()}


def test_notes_of_an_older_case_move_once_and_survive_a_reingest(case_source: Path) -> None:
    database, folder = ingested(case_source)
    (folder / NOTES_DATABASE).unlink(missing_ok=True)
    write_legacy_notes(database)

    case = Case.open(case_source)  # the first open with this workbench moves them
    assert legacy_tables(database) == set()
    assert _snapshot(folder) == _expected()
    with NotesStore.open(folder) as notes:
        assert [n.id for n in notes.notes()] == [1, 2]  # ids kept where free: notes.md names them the same
    case.close()

    case = Case.open(case_source)  # idempotent: nothing is copied twice
    assert case.ensure_ingested(force=True) is True  # a re-ingest never touches the notes
    case.close()
    assert _snapshot(folder) == _expected()
    assert {p.name for p in folder.iterdir()} >= {"case.sqlite", NOTES_DATABASE}


def test_a_move_whose_drop_waited_is_not_copied_again(case_source: Path) -> None:
    """The copy never waits for the case database; when an ingest holds it, the old tables stay until a later
    open, and the notes copied already are recognised then (as after a kill between the copy and the drop)."""
    database, folder = ingested(case_source)
    write_legacy_notes(database)
    ingest = sqlite3.connect(database, timeout=0.1)
    ingest.execute("BEGIN IMMEDIATE")
    try:
        started = time.perf_counter()
        case = Case.open(case_source)
        assert time.perf_counter() - started < 5.0
        case.close()
    finally:
        ingest.rollback()
        ingest.close()
    assert legacy_tables(database) == {"notes", "note_versions"}  # the drop had to wait
    assert _snapshot(folder) == _expected()  # but the notes are there already
    with NotesStore.open(folder) as notes:
        note = notes.save("written after the move")
    Case.open(case_source).close()
    assert legacy_tables(database) == set()
    assert _snapshot(folder)[:2] == _expected() and len(_snapshot(folder)) == 3
    with NotesStore.open(folder) as notes:
        assert notes.notes()[-1].id == note


def test_a_legacy_note_never_replaces_a_note_with_its_id(tmp_path: Path) -> None:
    """Notes the new database holds already (an older workbench still writing the case, say) keep their ids;
    a legacy note whose id is taken gets another one, and a legacy note changed since it moved moves again."""
    folder = tmp_path / "case"
    with NotesStore.open(folder) as notes:
        assert notes.save("written with notes.sqlite") == 1
    database = folder / "case.sqlite"
    write_legacy_notes(database)
    conn = sqlite3.connect(database)
    try:
        conn.execute("BEGIN IMMEDIATE")  # held by this same process's ingest: the copy runs, the drop waits
        assert move_legacy_notes(conn, folder) == 2
        conn.rollback()
        conn.execute("UPDATE notes SET body = 'changed later', updated = 'x' WHERE id = 2")
        conn.commit()
        assert move_legacy_notes(conn, folder) == 1  # the changed one only: a duplicate, never a loss
        assert move_legacy_notes(conn, folder) == 0
    finally:
        conn.close()
    assert legacy_tables(database) == set()
    with NotesStore.open(folder) as notes:
        assert [(n.id, n.body) for n in notes.notes()] == [
            (1, "written with notes.sqlite"), (2, "# Cause\nlwfmgr.sys"), (3, "客户已卸载安全软件"), (4, "changed later")]
        assert [v.body for v in notes.versions(2)] == ["# Cause", "# Cause\nlwfmgr.sys"]


def test_version_bursts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with NotesStore.open(tmp_path) as notes:
        note = notes.save("a")
        for text in ("ab", "abc", "abcd"):
            notes.save(text, note)
        assert [v.body for v in notes.versions(note)] == ["abcd"]  # one burst of typing, one version
        notes.conn.execute("UPDATE note_versions SET saved = '2020-01-01T00:00:00+00:00'")
        notes.conn.commit()
        notes.save("abcde", note)
        assert [v.body for v in notes.versions(note)] == ["abcd", "abcde"]
        monkeypatch.setattr(NotesStore, "VERSION_BURST_SECONDS", 0)
        notes.save("abcdef", note)
        assert [v.body for v in notes.versions(note)] == ["abcd", "abcde", "abcdef"]
        assert [n.body for n in notes.notes()] == ["abcdef"]
        assert notes.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert notes.conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL


def test_a_move_another_window_finished_while_this_one_waited_is_not_an_error(
        case_source: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two windows open an old case at once: the second waits for the write lock while the first moves the
    notes and drops the old tables; the second then finds nothing to move and opens the case."""
    from workbench.core.store import notes_store

    database, folder = ingested(case_source)
    (folder / NOTES_DATABASE).unlink(missing_ok=True)
    write_legacy_notes(database)
    take_lock = notes_store._try_write_lock

    def other_window_first(conn: sqlite3.Connection) -> bool:
        monkeypatch.setattr(notes_store, "_try_write_lock", take_lock)  # the other window takes it at once
        other = sqlite3.connect(database)
        try:
            assert move_legacy_notes(other, folder) == 2
        finally:
            other.close()
        return take_lock(conn)

    conn = sqlite3.connect(database)
    try:
        monkeypatch.setattr(notes_store, "_try_write_lock", other_window_first)
        assert move_legacy_notes(conn, folder) == 0
    finally:
        conn.close()
    assert _snapshot(folder) == _expected() and legacy_tables(database) == set()


def test_a_damaged_notes_database_does_not_stop_an_old_case_opening(case_source: Path) -> None:
    database, folder = ingested(case_source)
    write_legacy_notes(database)
    (folder / NOTES_DATABASE).write_bytes(b"this is not a database" * 100)
    case = Case.open(case_source)  # opens; the old notes stay where they were, nothing dropped
    case.close()
    assert legacy_tables(database) == {"notes", "note_versions"}
