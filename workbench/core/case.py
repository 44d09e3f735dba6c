"""A case: a source (archive, folder or file), its own folder in the user's data directory, and its store.

The case folder is named after the source's SHA-256, so the same archive opened twice, from anywhere,
finds the same database; everything the workbench writes for a case (the case database, the notes database,
extracted members) stays inside that folder. The source itself is only ever opened for reading.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import logging
import os
import queue
import sqlite3
import stat
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workbench.core.archive.limits import ExtractionLimits
from workbench.core.environment import cannot_write, machine_failure
from workbench.core.errors import EnvironmentFailure, UserActionRequired
from workbench.core.locking import case_lock
from workbench.core.scratch import sweep
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


#: A source at least this big takes long enough to hash that the ingest's modules are imported meanwhile.
WARM_IMPORT_BYTES = 64 * 1024 * 1024


def _import_while_hashing(source: Path) -> threading.Thread | None:
    """Import the ingest and the built-in plugins on a second thread while a big source is hashed.

    SHA-256 runs in C with the interpreter let go between blocks, so the imports (0.2 s of modules and their
    compiled patterns) are done when the catalogue needs them instead of after the hash: the first screen of a
    1.1 GiB case comes that much sooner. The caller joins the thread once the hash is done, so no module is
    ever imported by both threads at once. An import that fails here fails again, reported, when the plugin
    manager is built.
    """
    try:
        if not source.is_file() or source.stat().st_size < WARM_IMPORT_BYTES:
            return None
    except OSError:
        return None
    from workbench.core.archive.volumes import volume_set  # noqa: F401  (the hash's own, imported first)
    from workbench.core.plugins.manager import BUILTIN_PLUGINS

    def run() -> None:
        for name in ("workbench.core.ingest", *BUILTIN_PLUGINS):
            try:
                importlib.import_module(name)
            except Exception:  # said when the plugin manager imports it again
                continue

    thread = threading.Thread(target=run, name="import-while-hashing", daemon=True)
    thread.start()
    return thread


#: Bytes per read while hashing, and how many such buffers the reading thread may fill ahead of the hash.
HASH_BLOCK = 4 * 1024 * 1024
HASH_BUFFERS = 4


def _hash_files(parts: list[Path]) -> str:
    """SHA-256 of the parts' bytes in order, read on a second thread while this one hashes what it read.

    Both the read and SHA-256 let the interpreter go, so they overlap: on a 1.1 GiB archive in the page cache,
    0.81 s against 0.93 s read-then-hash (the hash alone is the floor). Memory is the buffers, 16 MiB.
    """
    digest = hashlib.sha256()
    free: queue.SimpleQueue[bytearray] = queue.SimpleQueue()
    full: queue.SimpleQueue[tuple[bytearray, int] | BaseException | None] = queue.SimpleQueue()
    for _ in range(HASH_BUFFERS):
        free.put(bytearray(HASH_BLOCK))
    stop = threading.Event()

    def read() -> None:
        try:
            for path in parts:
                with open(path, "rb", buffering=0) as fh:
                    while not stop.is_set():
                        buffer = free.get()
                        n = fh.readinto(buffer)
                        if not n:
                            free.put(buffer)
                            break
                        full.put((buffer, n))
            full.put(None)
        except BaseException as exc:  # handed to the hashing thread, which raises it as the open's error
            full.put(exc)

    reader = threading.Thread(target=read, name="hash-read", daemon=True)
    reader.start()
    try:
        while (item := full.get()) is not None:
            if isinstance(item, BaseException):
                raise item
            buffer, n = item
            digest.update(memoryview(buffer)[:n])
            free.put(buffer)
    finally:
        stop.set()
        free.put(bytearray(0))  # a reader waiting for a buffer wakes, sees the stop and ends
        reader.join()
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


def _identity(stats: list[os.stat_result]) -> dict[str, int]:
    """What must be unchanged for a cached digest to be offered at all: sizes, times and file ids.

    ``st_ctime_ns`` (on POSIX, the last change of the file or its times, which no user can set back) catches
    bytes replaced with the size and modification time kept; on Windows it is the creation time, which is why
    the cache alone is never the answer where the digest is shown (see :func:`source_digest`).
    """
    return {"size": sum(s.st_size for s in stats), "mtime_ns": max(s.st_mtime_ns for s in stats),
            "ctime_ns": max(s.st_ctime_ns for s in stats), "ino": sum(s.st_ino for s in stats)}


_SPECIAL_FILES = ((stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
                  (stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISSOCK, "a socket"))


def unreadable_source(path: Path, *, allow_empty: bool = False) -> str | None:
    """Why ``path`` (resolved) cannot be a case, as one sentence, or None when it can be read.

    A device, a pipe or a socket is refused before the first byte is read: ``/dev/zero`` never ends, so hashing
    it would run forever, and a pipe would hang waiting for a writer. A folder with no file anywhere under it
    gives nothing to analyse: saying so beats an empty, "incomplete" case the user has to puzzle over.
    """
    mode = path.stat().st_mode
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return None if allow_empty else _empty_folder(path)
    kind = next((name for test, name in _SPECIAL_FILES if test(mode)), "a special file")
    return (f"{path}: this is {kind}, not a file or folder; give the archive, folder or log file to read.")


def _empty_folder(folder: Path) -> str | None:
    """The sentence for a folder with no regular file under it (the walk stops at the first file found)."""
    entries = 0
    errors: list[OSError] = []
    for root, dirs, files in os.walk(folder, onerror=errors.append):
        entries += len(dirs) + len(files)
        for name in files:
            if stat.S_ISREG(os.lstat(os.path.join(root, name)).st_mode):
                return None
    if errors:  # a folder that cannot be listed is not empty: say what stopped us
        raise errors[0]
    if not entries:
        return f"{folder}: the folder is empty; give the folder that holds the collected logs."
    return (f"{folder}: the folder holds no file to read (only empty folders, links or special files); give the "
            "folder that holds the collected logs.")


def source_digest(source: Path, home: Path | None = None, *, verify: bool = True, allow_empty: bool = False) -> str:
    """SHA-256 of a file, or of all volumes of a split archive (``*.001``) back to back.

    With ``verify`` (the default) the digest is always computed from the bytes read now: replacing an
    archive's bytes while keeping its size and modification time must not leave the old digest (it names
    the case folder and is shown as the evidence hash). Without it, a digest cached for the same path, size,
    times and file id is returned, for a caller that shows the case at once and re-hashes it afterwards
    (:meth:`Case.verify_source`). A folder's identity is its listing; its files are hashed as they are read.
    A device, a pipe or an empty folder is refused with one sentence (:func:`unreadable_source`).
    """
    refusal = unreadable_source(source, allow_empty=allow_empty)
    if refusal:
        raise UserActionRequired(refusal)
    if source.is_dir():
        return _listing_digest(source)
    from workbench.core.archive.volumes import volume_set

    parts = volume_set(source) or [source]
    identity = _identity([p.stat() for p in parts])
    index = cases_root(home) / "_index"
    key = hashlib.sha1(str(source.resolve()).encode("utf-8", "surrogateescape")).hexdigest()
    entry = index / f"{key}.json"
    if not verify:
        try:
            cached = json.loads(entry.read_text("utf-8"))
            if all(cached.get(k) == v for k, v in identity.items()):
                return str(cached["sha256"])
        except (OSError, ValueError, KeyError):
            pass
    digest = _hash_files(parts)
    try:
        index.mkdir(parents=True, exist_ok=True)
        entry.write_text(json.dumps({**identity, "sha256": digest}), "utf-8")
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


def _open_folder(folder: Path) -> tuple[CaseStore, bool]:
    """The case database of ``folder``, made on first use; (store, read-only).

    A folder that cannot be written but holds a case database (a case on a read-only disk, a DVD, a locked
    share) is opened read-only as it is; any other failure to write is the machine's, said in one sentence.
    """
    try:
        folder.mkdir(parents=True, exist_ok=True)
        sweep(folder)  # temporary files of runs that were killed
        store = open_case_store(folder)
    except (OSError, sqlite3.OperationalError) as exc:
        if (folder / CASE_DATABASE).is_file() and not os.access(folder, os.W_OK):
            return CaseStore.open(folder / CASE_DATABASE, readonly=True, immutable=True), True
        if isinstance(exc, OSError):
            raise cannot_write(exc, folder) from exc
        if "locked" in str(exc) or "busy" in str(exc):
            raise EnvironmentFailure(f"The case database in {folder} is held by another program (another window "
                                     "or a workbench command on the same case); close it or wait, then open the "
                                     "case again.") from exc
        raise EnvironmentFailure(f"The workbench cannot write the case database in {folder} ({exc}); free some "
                                 "space, or set WORKBENCH_HOME to a folder you can write.") from exc
    try:
        if store.get_meta("created") is None:
            from datetime import datetime, timezone

            store.set_meta("created", datetime.now(timezone.utc).isoformat(timespec="seconds"))
    except sqlite3.OperationalError as exc:
        store.close()
        raise machine_failure(exc, folder) or EnvironmentFailure(
            f"The workbench cannot write the case database in {folder} ({exc}).") from exc
    return store, False


@dataclass
class Case:
    """An opened case. ``store`` is ready to read; :meth:`ensure_ingested` fills it on first open."""

    source: Path
    digest: str
    folder: Path
    store: CaseStore
    password: str | None = None
    name_encoding: str | None = None

    #: True when ``digest`` was computed from the source's bytes by this open (see :func:`source_digest`)
    digest_verified: bool = True
    #: True for an ingested case on a read-only disk, opened as it is (nothing can be written there)
    readonly: bool = False

    @classmethod
    def open(cls, source: str | Path, *, home: Path | None = None, password: str | None = None,
             name_encoding: str | None = None, verify: bool = True, allow_empty: bool = False) -> Case:
        """Open (and create on first use) the case of ``source``.

        ``verify=False`` lets a window show a case it has seen before without first re-reading gigabytes:
        the digest may then come from the cache, ``digest_verified`` is False, and the caller runs
        :meth:`verify_source` before it shows or exports the digest. ``allow_empty``: an empty folder is a case
        (the signature tests build one from rows alone); otherwise it is refused with a sentence.
        """
        path = Path(source).expanduser()
        if path.suffix.lower() == ".wbcase" and path.is_file():
            # a case bundle carries a finished database, not logs (core/bundle.py)
            from workbench.core.bundle import open_bundle

            return open_bundle(path, home=home, password=password, name_encoding=name_encoding)
        if not path.exists():
            raise UserActionRequired(f"{path}: no such file or folder.")
        warming = None
        try:
            path = path.resolve()
            warming = _import_while_hashing(path)
            digest = source_digest(path, home, verify=verify, allow_empty=allow_empty)
        except PermissionError as exc:
            raise UserActionRequired(f"{path}: cannot be read ({exc.strerror}).") from exc
        finally:
            if warming is not None:
                warming.join()
        folder = cases_root(home) / digest[:24]
        store, readonly = _open_folder(folder)
        case = cls(path, digest, folder, store, password, name_encoding)
        case.digest_verified = verify or path.is_dir()
        case.readonly = readonly
        return case

    def verify_source(self, home: Path | None = None) -> bool:
        """Re-hash the source's bytes; True when they are still those the case was opened by.

        False means the file was replaced: the case folder (named after the old digest) is not this file's,
        and the caller opens the source again, which finds or creates the right one.
        """
        if self.source.is_dir():
            return True
        same = source_digest(self.source, home or self.folder.parent.parent) == self.digest
        self.digest_verified = same
        return same

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
        if self.readonly:
            if not force and self.store.get_meta("ingest_state") == "complete":
                return False  # read as it was ingested, by whichever version did
            raise EnvironmentFailure(f"{self.folder} is on a disk that cannot be written and holds "
                                     f"{'a case to ingest again' if force else 'an unfinished case'}; copy the "
                                     "case folder to a writable disk, or set WORKBENCH_HOME to one.")
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
