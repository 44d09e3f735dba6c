"""The engineer's notes: a SQLite database of their own, ``notes.sqlite``, beside the case database.

Why not in ``case.sqlite``: SQLite locks a whole database file for writing, and an ingest's finalize and
analyze stages hold that lock for up to a minute on a large case (46 s measured). A note saved into the same
file had to wait that long, and an app killed meanwhile lost everything typed since. Nothing but notes is
written to ``notes.sqlite``, so a save waits at most for another window's save (milliseconds), whatever an
ingest is doing. Re-ingesting a case (:meth:`CaseStore.reset_ingested`) never opens this file.

Why WAL and ``synchronous = FULL``: WAL lets readers (the summary, a bundle export, another window) read while
a save commits, without either waiting. With WAL, ``NORMAL`` already keeps every committed save through a
killed process, but may lose the last ones to a power cut or an OS crash; ``FULL`` syncs the log at each
commit, so a save that returned is on the disk. Saves come at most twice a second and hold a few kilobytes,
so the sync costs nothing the user notices, and notes are the one thing in a case no re-ingest can rebuild.

Cases written by older workbenches kept notes in ``case.sqlite``; :func:`move_legacy_notes` moves them here
when such a case is opened.
"""

from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from workbench.core.store.snapshot import copy_database

log = logging.getLogger(__name__)

#: the file, in the case folder beside ``case.sqlite``
NOTES_DATABASE = "notes.sqlite"
#: ``PRAGMA user_version`` of a notes database with the tables below (0: a new, empty file)
USER_VERSION = 1
#: the tables older workbenches kept notes in, inside ``case.sqlite``
LEGACY_TABLES = ("notes", "note_versions")
#: how long a legacy move waits for the case database's write lock before leaving the drop to a later open
LEGACY_LOCK_WAIT_MS = 1000

_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS notes (
        id INTEGER PRIMARY KEY,
        body TEXT NOT NULL,
        updated TEXT NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS note_versions (
        id INTEGER PRIMARY KEY,
        note_id INTEGER NOT NULL,
        body TEXT NOT NULL,
        saved TEXT NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS note_versions_note ON note_versions(note_id, id)",
    # notes copied from an older case.sqlite, by fingerprint: what makes the move idempotent
    """CREATE TABLE IF NOT EXISTS moved_from_case (
        fingerprint TEXT PRIMARY KEY,
        note_id INTEGER NOT NULL
    )""",
)


@dataclass(frozen=True)
class Note:
    id: int
    body: str
    updated: str


@dataclass(frozen=True)
class NoteVersion:
    id: int
    note_id: int
    body: str
    saved: str


class NotesStore:
    """The notes of one case and their versions. Open it with :meth:`open`; it is created (empty) when missing."""

    #: saves of one note closer together than this update the latest version instead of adding one
    VERSION_BURST_SECONDS = 60

    def __init__(self, path: Path, conn: sqlite3.Connection) -> None:
        self.path = path
        self.conn = conn

    @classmethod
    def open(cls, folder: Path, *, busy_timeout_ms: int = 5000) -> NotesStore:
        """The notes of the case whose folder is ``folder``.

        ``busy_timeout_ms`` bounds the wait for another writer. Only another window's save or a legacy move
        ever writes this file, each for milliseconds, so the default is never reached in practice; when it is
        (a stuck process), the save fails and the notes pane keeps the text and retries.
        """
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / NOTES_DATABASE
        conn = sqlite3.connect(path, check_same_thread=False)
        try:
            conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = FULL")
            store = cls(path, conn)
            if conn.execute("PRAGMA user_version").fetchone()[0] < USER_VERSION:
                with store._writing():
                    for ddl in _SCHEMA:
                        conn.execute(ddl)
                    conn.execute(f"PRAGMA user_version = {USER_VERSION}")
        except BaseException:
            conn.close()
            raise
        return store

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> NotesStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _writing(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, taking the write lock first: a transaction that read before writing could
        find, in WAL mode, that another window wrote meanwhile, and fail without waiting."""
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
            self.conn.commit()
        except BaseException:  # a failed commit too (a full disk): never leave the connection in a transaction
            self.conn.rollback()
            raise

    # ------------------------------------------------------------------------------------------ writing

    def save(self, body: str, note_id: int | None = None) -> int:
        """Save a note (a new one when ``note_id`` is None), and keep a version of it; returns its id.

        Committed at once: a note is never lost to a crash. The editor saves up to twice a second while the
        user types; a version per save would grow the file by megabytes an hour. Saves within
        :attr:`VERSION_BURST_SECONDS` of the version they would follow update that version (its ``saved``
        time stays the start of the burst).
        """
        moment = datetime.now(timezone.utc)
        now = moment.isoformat(timespec="seconds")
        with self._writing() as conn:
            if note_id is None:
                cur = conn.execute("INSERT INTO notes (body, updated) VALUES (?, ?)", (body, now))
                note_id = int(cur.lastrowid or 0)
            else:
                conn.execute("UPDATE notes SET body = ?, updated = ? WHERE id = ?", (body, now, note_id))
            last = conn.execute(
                "SELECT id, saved FROM note_versions WHERE note_id = ? ORDER BY id DESC LIMIT 1", (note_id,)
            ).fetchone()
            if last is not None and _seconds_between(last[1], moment) < self.VERSION_BURST_SECONDS:
                conn.execute("UPDATE note_versions SET body = ? WHERE id = ?", (body, last[0]))
            else:
                conn.execute("INSERT INTO note_versions (note_id, body, saved) VALUES (?, ?, ?)",
                             (note_id, body, now))
        return note_id

    # ------------------------------------------------------------------------------------------ reading

    def notes(self) -> list[Note]:
        """The case's notes in the order they were first written."""
        return [Note(*row) for row in self.conn.execute("SELECT id, body, updated FROM notes ORDER BY id")]

    def versions(self, note_id: int) -> list[NoteVersion]:
        """Every saved version of a note, oldest first, for the pane's history list."""
        return [NoteVersion(*row) for row in self.conn.execute(
            "SELECT id, note_id, body, saved FROM note_versions WHERE note_id = ? ORDER BY id", (note_id,))]

    def copy_to(self, target: Path) -> None:
        """A consistent, compact copy of the notes in ``target`` (for a case bundle), a single file: a save
        committed meanwhile neither waits for it nor tears it (:func:`copy_database`)."""
        copy_database(self.conn, target)

    # ------------------------------------------------------------------------------------------ moving in

    def _adopt(self, notes: list[tuple[int, str, str]], versions: dict[int, list[tuple[str, str]]]) -> int:
        """Copy legacy notes (id, body, updated) and their versions (body, saved) that were not copied before."""
        moved = 0
        with self._writing() as conn:
            for old_id, body, updated in notes:
                fingerprint = hashlib.sha256(json.dumps([old_id, body, updated], ensure_ascii=False)
                                             .encode("utf-8")).hexdigest()
                if conn.execute("SELECT 1 FROM moved_from_case WHERE fingerprint = ?", (fingerprint,)).fetchone():
                    continue
                taken = conn.execute("SELECT 1 FROM notes WHERE id = ?", (old_id,)).fetchone() is not None
                cur = conn.execute("INSERT INTO notes (id, body, updated) VALUES (?, ?, ?)",
                                   (None if taken else old_id, body, updated))
                note_id = int(cur.lastrowid or 0)
                conn.executemany("INSERT INTO note_versions (note_id, body, saved) VALUES (?, ?, ?)",
                                 [(note_id, b, s) for b, s in versions.get(old_id, [])])
                conn.execute("INSERT INTO moved_from_case (fingerprint, note_id) VALUES (?, ?)",
                             (fingerprint, note_id))
                moved += 1
        return moved


def move_legacy_notes(case_conn: sqlite3.Connection, folder: Path) -> int:
    """Move the notes an older workbench kept in the case database (``case_conn``) to the case's notes
    database in ``folder``; returns how many notes were copied (0 when there is nothing to move).

    Copied first, each note with its versions, in one transaction of ``notes.sqlite``; only then are the old
    tables dropped from ``case.sqlite``, so at every instant each note is complete in at least one file.
    Idempotent: a fingerprint of each copied note (its old id, text and time) is recorded in the same
    transaction, and a note whose fingerprint is there is not copied again. That covers an app killed between
    the copy and the drop, and a drop left for later because an ingest held the case's write lock (waited for
    at most :data:`LEGACY_LOCK_WAIT_MS`: the copy needs no lock on the case database, and opening a case must
    not wait for a minute-long ingest transaction). A note an older workbench changed since has another
    fingerprint and is copied as well: a duplicate is better than a loss.
    """
    if not _legacy_tables(case_conn):
        return 0
    locked = _try_write_lock(case_conn)
    # read again: another process may have moved and dropped them while this one waited for the lock
    present = _legacy_tables(case_conn)
    if not present:
        if locked:
            case_conn.rollback()
        return 0
    try:
        notes: list[tuple[int, str, str]] = []
        versions: dict[int, list[tuple[str, str]]] = {}
        if "notes" in present:
            notes = case_conn.execute("SELECT id, body, updated FROM notes ORDER BY id").fetchall()
        if "note_versions" in present:
            for note_id, body, saved in case_conn.execute(
                    "SELECT note_id, body, saved FROM note_versions ORDER BY id"):
                versions.setdefault(note_id, []).append((body, saved))
        moved = 0
        if notes:
            with NotesStore.open(folder) as store:
                moved = store._adopt(notes, versions)
        if locked:
            for table in reversed(LEGACY_TABLES):
                case_conn.execute(f"DROP TABLE IF EXISTS {table}")
    except sqlite3.OperationalError as exc:
        if locked:
            case_conn.rollback()
        elif "no such table" in str(exc):
            return 0  # without the lock: another window moved and dropped them between the two reads
        raise
    except BaseException:
        if locked:
            case_conn.rollback()
        raise
    if locked:
        case_conn.commit()
    else:
        log.info("%s: notes copied to %s; the old tables stay until the case database is free", folder,
                 NOTES_DATABASE)
    return moved


def _legacy_tables(conn: sqlite3.Connection) -> set[str]:
    return {row[0] for row in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name IN (?, ?)", LEGACY_TABLES)}


def _try_write_lock(conn: sqlite3.Connection) -> bool:
    """Take the case database's write lock, waiting at most :data:`LEGACY_LOCK_WAIT_MS`; False when busy."""
    if conn.in_transaction:
        return False
    before = int(conn.execute("PRAGMA busy_timeout").fetchone()[0])
    conn.execute(f"PRAGMA busy_timeout = {LEGACY_LOCK_WAIT_MS}")
    try:
        conn.execute("BEGIN IMMEDIATE")
        return True
    except sqlite3.OperationalError:
        return False
    finally:
        conn.execute(f"PRAGMA busy_timeout = {before}")


def _seconds_between(saved: str, moment: datetime) -> float:
    try:
        return abs((moment - datetime.fromisoformat(saved)).total_seconds())
    except ValueError:
        return float("inf")
