"""A case: a source (archive, folder or file), its own folder in the user's data directory, and its store.

The case folder is named after the source's SHA-256, so the same archive opened twice, from anywhere,
finds the same database; everything the workbench writes for a case (the case database, the notes database,
extracted members) stays inside that folder. The source itself is only ever opened for reading.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workbench.core.archive.limits import ExtractionLimits
from workbench.core.errors import UserActionRequired
from workbench.core.locking import case_lock
from workbench.core.store import SCHEMA_VERSION, CaseStore
from workbench.core.store.notes_store import NOTES_DATABASE, move_legacy_notes

log = logging.getLogger(__name__)

APP_NAME = "CaseWorkbench"
#: the case database, in the case folder (the notes are beside it: store/notes_store.py)
CASE_DATABASE = "case.sqlite"


def workbench_home() -> Path:
    """The per-user data folder (``WORKBENCH_HOME`` overrides it, for tests and portable installs)."""
    env = os.environ.get("WORKBENCH_HOME")
    if env:
        return Path(env)
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def cases_root(home: Path | None = None) -> Path:
    return (home or workbench_home()) / "cases"


def _hash_files(parts: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in parts:
        with open(path, "rb") as fh:
            while chunk := fh.read(4 * 1024 * 1024):
                digest.update(chunk)
    return digest.hexdigest()


def _listing_digest(folder: Path) -> str:
    """A folder's identity: names, sizes and modification times of everything below it (not the bytes)."""
    digest = hashlib.sha256(b"folder\0")
    for root, dirs, files in os.walk(folder):
        dirs.sort()
        for name in sorted(files):
            p = Path(root, name)
            try:
                st = p.lstat()
            except OSError:
                continue
            rel = p.relative_to(folder).as_posix()
            digest.update(f"{rel}\0{st.st_size}\0{st.st_mtime_ns}\n".encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


def source_digest(source: Path, home: Path | None = None) -> str:
    """SHA-256 of a file, or of all volumes of a split archive (``*.001``) back to back.

    Cached by path, size and modification time, so a reopen does not re-read gigabytes.
    """
    if source.is_dir():
        return _listing_digest(source)
    from workbench.core.archive.volumes import volume_set

    parts = volume_set(source) or [source]
    stats = [p.stat() for p in parts]
    size, mtime_ns = sum(s.st_size for s in stats), max(s.st_mtime_ns for s in stats)
    index = cases_root(home) / "_index"
    key = hashlib.sha1(str(source.resolve()).encode("utf-8", "surrogateescape")).hexdigest()
    entry = index / f"{key}.json"
    try:
        cached = json.loads(entry.read_text("utf-8"))
        if cached["size"] == size and cached["mtime_ns"] == mtime_ns:
            return str(cached["sha256"])
    except (OSError, ValueError, KeyError):
        pass
    digest = _hash_files(parts)
    try:
        index.mkdir(parents=True, exist_ok=True)
        entry.write_text(json.dumps({"size": size, "mtime_ns": mtime_ns, "sha256": digest}), "utf-8")
    except OSError:
        pass  # a read-only home only costs a re-hash next time
    return digest


def open_case_store(folder: Path) -> CaseStore:
    """The case database of ``folder`` (``case.sqlite``), opened for writing.

    A case written by an older workbench still holds its notes in that database; they are moved to the
    case's notes database here, before anything reads or writes notes (:func:`move_legacy_notes`).
    """
    store = CaseStore.open(folder / CASE_DATABASE)
    try:
        move_legacy_notes(store.conn, folder)
    except sqlite3.DatabaseError as exc:
        # a damaged notes.sqlite: the old notes stay where they are (nothing was dropped) and the case opens
        log.warning("%s: the notes could not be moved to %s: %s", folder, NOTES_DATABASE, exc)
    except BaseException:
        store.close()
        raise
    return store


@dataclass
class Case:
    """An opened case. ``store`` is ready to read; :meth:`ensure_ingested` fills it on first open."""

    source: Path
    digest: str
    folder: Path
    store: CaseStore
    password: str | None = None
    name_encoding: str | None = None

    @classmethod
    def open(cls, source: str | Path, *, home: Path | None = None, password: str | None = None,
             name_encoding: str | None = None) -> Case:
        path = Path(source).expanduser()
        if path.suffix.lower() == ".wbcase" and path.is_file():
            # a case bundle carries a finished database, not logs (core/bundle.py)
            from workbench.core.bundle import open_bundle

            return open_bundle(path, home=home, password=password, name_encoding=name_encoding)
        if not path.exists():
            raise UserActionRequired(f"{path}: no such file or folder.")
        try:
            path = path.resolve()
            digest = source_digest(path, home)
        except PermissionError as exc:
            raise UserActionRequired(f"{path}: cannot be read ({exc.strerror}).") from exc
        folder = cases_root(home) / digest[:24]
        folder.mkdir(parents=True, exist_ok=True)
        store = open_case_store(folder)
        if store.get_meta("created") is None:
            from datetime import datetime, timezone

            store.set_meta("created", datetime.now(timezone.utc).isoformat(timespec="seconds"))
        return cls(path, digest, folder, store, password, name_encoding)

    @property
    def blobs(self) -> Path:
        return self.folder / "blobs"

    def is_ingested(self, fingerprint: str) -> bool:
        """True when a complete ingest by the same schema and parsers is in the store."""
        return (
            self.store.get_meta("ingest_state") == "complete"
            and self.store.get_meta("schema_version") == str(SCHEMA_VERSION)
            and self.store.get_meta("parsers") == fingerprint
        )

    def ensure_ingested(self, progress: Callable | None = None, cancel: Callable[[], bool] | None = None,
                        *, force: bool = False, plugin_manager: Any = None,
                        limits: ExtractionLimits | None = None) -> bool:
        """Ingest unless the store already holds this case; returns True when an ingest ran.

        An ingest that stopped before its end (cancelled, an error such as a full disk, or a process killed
        mid-way) is resumed from its first unfinished file rather than started again, unless ``force``.
        """
        from workbench.core.ingest import Ingest

        ingest = Ingest(self, plugin_manager=plugin_manager, limits=limits)
        if not force and self.is_ingested(ingest.fingerprint):
            return False
        with case_lock(self.folder):
            # another window may have ingested the case while we waited for the lock
            if not force and self.is_ingested(ingest.fingerprint):
                return False
            ingest.run(progress=progress, cancel=cancel, resume=not force)
        return True

    def close(self) -> None:
        self.store.close()
