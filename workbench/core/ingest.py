"""The ingest pipeline: catalogue → extract (hash, identify, keep) → parse → clock and sort → analyze.

Every stage reports through ``progress`` and stops at ``cancel``, so the GUI (in a worker thread), the CLI
and the tests drive the same code. A file that cannot be read becomes a problem row naming it; the rest of
the case goes on. Members are stored in the case folder under numbered names of our own (``blobs/000042``),
never under the names the archive gives them.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import pickle
import re
import sqlite3
import threading
import time
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import pluggy

from workbench.core import clock, parse_worker, search
from workbench.core.ahead import ReadAhead
from workbench.core.archive import ExtractionBudget, ExtractionLimits, Member, open_reader
from workbench.core.attempt import mark_deployment_logs
from workbench.core.case import Case
from workbench.core.clock_case import apply_case_clock, decide_case_clock, prepare_clock
from workbench.core.environment import machine_failure, writing_failed
from workbench.core.errors import ArchiveError, EnvironmentFailure, IngestCancelled, UserActionRequired
from workbench.core.identify import HEAD, role_of
from workbench.core.parsers.base import CaseFile, Mediator, Parser, few_collections
from workbench.core.store import SCHEMA_VERSION, CaseStore, fulltext_side
from workbench.core.store import schema as S

log = logging.getLogger(__name__)

#: Kinds kept on disk even without a parser: they are opened from the GUI or expanded.
KEEP_WITHOUT_PARSER = frozenset({"archive", "image", "text", "windbg_text"})
MAX_KEPT_TEXT = 256 * 1024 * 1024
#: Bytes to read below which files are read in this process rather than in a worker (``workers=None``): a
#: worker's start (an interpreter, the parsers' imports) costs a few tenths of a second on a cold start.
WORKER_MIN_BYTES = 4 * 1024 * 1024
#: A write-ahead log this long is emptied before the rewrite in time order (:meth:`Ingest._empty_long_wal`).
LONG_WAL_BYTES = 256 * 1024 * 1024


@dataclass(frozen=True)
class Progress:
    """Where an ingest is: ``stage`` (catalogue, extract, parse, finalize, analyze), counts, current file.

    ``done``/``total`` count files (members extracted, files parsed). While a file is parsed,
    ``file_done``/``file_total`` say how far into it the parser is (bytes, when the parser reports its
    position through ``Mediator.check``; 0/0 otherwise). ``bytes_done``/``bytes_total`` are the same for
    the whole stage (the files done plus the position in the current one), ``eta_s`` the seconds the stage
    still needs at the rate measured so far (None until there is a rate), ``rows`` the timeline rows stored
    so far: a view can show what it has while the rest streams in.
    """

    stage: str
    done: int
    total: int
    current: str = ""
    file_done: int = 0
    file_total: int = 0
    bytes_done: int = 0
    bytes_total: int = 0
    eta_s: float | None = None
    rows: int = 0


ProgressFn = Callable[[Progress], None]

#: ``ingest_state`` meta values. ``running`` found by an ingest that holds the case lock means the last one
#: died (a kill, a crash, a power cut): it is resumed like an interrupted one.
RUNNING, CANCELLED, INTERRUPTED, COMPLETE = "running", "cancelled", "interrupted", "complete"
#: The catalogue's reason for the member a Cancel stopped while it was copied out of the archive.
_CANCELLED_COPY = "cancelled while it was extracted; a resume extracts it again"
#: ``ingest_stage`` meta: how far the last run got. Extraction is redone whole when it did not finish (it is
#: the cheap part, and a member list cut short cannot be trusted); from ``parse`` on, a resume continues.
STAGES = ("extract", "parse", "finalize", "index", "analyze")


class _Rate:
    """Seconds left for a stage, from the bytes done since it started (None for its first 0.2 s)."""

    def __init__(self) -> None:
        self.started = time.monotonic()

    def eta(self, done: int, total: int) -> float | None:
        elapsed = time.monotonic() - self.started
        if done <= 0 or total <= 0 or elapsed < 0.2:
            return None
        return max(0.0, (total - done) * elapsed / done)


# An archive of 100 000 empty members took 19 s to ingest, 5.2 s now (bench/run --only archive:
# many_members_s); the per-member costs that went are noted where they were.

#: Catalogue rows are inserted, and extracted members' rows updated, this many per statement (executemany):
#: 100 000 rows inserted and updated in 1.1 s instead of 2.2 s with a statement per row.
WRITE_BATCH = 2000
#: While extracting, what is written is committed at least this often (it was every 50 members): the GUI
#: reads the catalogue as it fills, and a kill loses little (an unfinished ingest runs again on reopen).
COMMIT_SECONDS = 0.5
#: Extract progress is reported at most this often, and always for the last member: a report per member was
#: a Progress, a callback and, in the GUI, a queued signal for each of 100 000 members.
REPORT_SECONDS = 0.08

#: Why a member whose kind has no parser is left alone (``skipped``), by kind.
_SKIP_REASONS = {"unknown": "not a file kind the workbench reads", "text": "plain text, kept for viewing",
                 "image": "image, kept for viewing"}
_NO_READER = "no reader for this kind of file yet"
_EMPTY = "empty file (0 bytes)"
#: Words in a name-cleaning note that make the name unsafe to write as given (reported as a problem).
_UNSAFE_WORDS = ("traversal", "absolute", "drive", "UNC", "device name", "data stream", "Unicode normalization",
                 "letter case")
_CATALOGUE_COLUMNS = ("path", "container", "size", "compressed_size", "mtime", "status", "reason", "role",
                      "notes", "blob")
_EXTRACTED_COLUMNS = ("sha256", "kind", "size", "status", "reason", "blob")
_BLOB_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0)


def _normal_form(name: str) -> str:
    """How a name writes its accents: the two twins of a pair look identical, so the problem says which is which."""
    if unicodedata.is_normalized("NFC", name):
        return "composed (NFC)"
    return "decomposed (NFD)" if unicodedata.is_normalized("NFD", name) else "partly decomposed"


#: finds the first byte that is not NUL without copying (a file of zeros is a collection that lost its data)
_NONZERO = re.compile(rb"[^\x00]")
_ZEROS = ("only zero bytes ({size} bytes): the file was allocated but never written, as a crash or a power "
          "loss leaves it; there is nothing to read")


def _write_whole(path: str, data: bytes) -> None:
    """Write a small member's bytes with one open and one write: no buffered file object to build."""
    fd = os.open(path, _BLOB_FLAGS, 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
    finally:
        os.close(fd)


class _MemberWriter:
    """Hashes a member, decides its kind from the first 64 KiB, and keeps the bytes when worth keeping.

    Most members of a collection are smaller than 64 KiB (logs, INF files, driver folders): those are decided
    when they close, from all their bytes, and kept (when kept) with a single write.
    """

    __slots__ = ("ingest", "file_id", "member", "path", "digest", "size", "buffer", "buffered", "kind", "fh",
                 "blob", "zeros")

    def __init__(self, ingest: Ingest, file_id: int, member: Member, path: str) -> None:
        self.ingest = ingest
        self.file_id = file_id
        self.member = member
        self.path = path
        self.digest = hashlib.sha256()
        self.size = 0
        self.buffer: list[bytes] = []
        self.buffered = 0
        self.kind: str | None = None
        self.fh: BinaryIO | None = None
        self.blob: str | None = None
        self.zeros = True  # every byte so far is NUL

    def write(self, data: bytes) -> None:
        self.digest.update(data)
        self.size += len(data)
        if self.zeros and _NONZERO.search(data) is not None:
            self.zeros = False
        if self.kind is None:
            self.buffer.append(data)
            self.buffered += len(data)
            if self.buffered >= HEAD:
                self._decide(closing=False)
        elif self.fh is not None:
            try:
                self.fh.write(data)
            except OSError as exc:  # our own disk, not the member: the ingest stops, the case stays unfinished
                raise writing_failed(exc, Path(self.blob or self.ingest.case.folder)) from exc

    def _decide(self, closing: bool) -> None:
        head = b"".join(self.buffer)
        self.buffer = []
        self.kind = self.ingest.identify(self.path, head[:HEAD])
        if not head and closing and self.kind not in self.ingest.parsers:
            return  # no byte to keep and nothing to parse: no file (a create cost ~60 µs, more than the rest)
        if self.member.local_path is None and self.ingest.worth_keeping(self.kind, self.member.size):
            self.blob = self.ingest.blob_path(self.file_id)
            try:
                if closing:
                    _write_whole(self.blob, head)
                else:
                    self.fh = open(self.blob, "wb")
                    self.fh.write(head)
            except OSError as exc:
                raise writing_failed(exc, Path(self.blob)) from exc

    def close(self, error: str | None = None, *, keep: bool = True) -> None:
        if self.kind is None:
            self._decide(closing=True)
        if self.fh is not None:
            try:
                self.fh.close()
            except OSError as exc:
                raise writing_failed(exc, Path(self.blob or self.ingest.case.folder)) from exc
        if not keep and self.blob is not None:  # a bomb's zeros are no evidence, and would fill the disk
            os.remove(self.blob)
            self.blob = None
        self.ingest.member_done(self, error, keep)


def _first_answer(hook: Any, names: tuple[str, ...]) -> Callable[..., Any]:
    """A caller of a first-result hook that calls its implementations in pluggy's order, without pluggy.

    pluggy's dispatch cost as much as identifying an empty member does (6 µs a call, a call a member). Only
    plain implementations are called directly, as pluggy calls them (last registered first, tryfirst and
    trylast already in its order), stopping at the first answer that is not None; when one is a wrapper or
    takes keyword-only arguments, every call goes through the hook as before.
    """
    impls = hook.get_hookimpls()
    if any(i.hookwrapper or i.wrapper or i.kwargnames for i in impls):
        return lambda *args: hook(**dict(zip(names, args, strict=True)))
    calls = [(i.function, tuple(names.index(a) for a in i.argnames)) for i in reversed(impls)]

    def first(*args: Any) -> Any:
        for function, picks in calls:
            answer = function(*[args[n] for n in picks])
            if answer is not None:
                return answer
        return None

    return first


class _Checkpointer:
    """Copies the write-ahead log into the database file from a second connection, in a thread.

    While an ingest runs, its own connection does no automatic checkpoints (each one stopped the pipeline
    while it copied every page written so far); this thread does them instead when poked after a commit,
    with the GIL released inside SQLite, so the copy of what is committed overlaps with the next stage on
    the other core. PASSIVE checkpoints never wait for readers or the writer; what one leaves is taken by
    the next, and the ingest's last one runs on its own connection when the thread is done.
    """

    def __init__(self, path: Path) -> None:
        self._path = path
        self._wake = threading.Event()
        self._stop = False
        self._running = False
        self._settled = threading.Condition()
        self._thread = threading.Thread(target=self._run, name="workbench-checkpoint", daemon=True)
        self._thread.start()

    def poke(self) -> None:
        self._wake.set()

    def settle(self, timeout: float) -> None:
        """Wait (up to ``timeout`` seconds) until no checkpoint runs here or is asked for: a checkpoint of the
        ingest's own (:meth:`CaseStore.empty_wal`) is refused while another one runs."""
        with self._settled:
            self._settled.wait_for(lambda: not self._running and not self._wake.is_set(), timeout)

    def _run(self) -> None:
        try:
            conn = sqlite3.connect(self._path, timeout=0, check_same_thread=False)
        except sqlite3.Error:
            return
        try:
            while True:
                self._wake.wait()
                with self._settled:
                    self._wake.clear()
                    self._running = True
                try:
                    if self._stop:
                        return
                    conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                except sqlite3.Error:  # busy (another checkpointer): the next poke or the last one catches up
                    pass
                finally:
                    with self._settled:
                        self._running = False
                        self._settled.notify_all()
        finally:
            conn.close()

    def close(self) -> None:
        self._stop = True
        self._wake.set()
        self._thread.join()


class _Rejected(Exception):
    """The store refused a batch a parse worker sent (a value SQLite cannot hold): the file fails there."""

    def __init__(self, events: int, error: str) -> None:
        super().__init__(error)
        self.events = events
        self.error = error


class Ingest:
    """One run of the pipeline over a case. Build it, then :meth:`run`."""

    def __init__(self, case: Case, *, plugin_manager: pluggy.PluginManager | None = None,
                 limits: ExtractionLimits | None = None, workers: int | None = None) -> None:
        if plugin_manager is None:
            from workbench.core.plugins.manager import build_plugin_manager

            plugin_manager, _ = build_plugin_manager()
        self.case = case
        self.store: CaseStore = case.store
        #: Parse workers: None decides by size (:data:`WORKER_MIN_BYTES`, or ``WORKBENCH_PARSE_WORKERS``),
        #: 0 reads every file in this process (the reference mode), 1 in a worker process.
        self.workers = workers
        self._worker_file = 0  # the position (in the parse list) of the file the worker is reading
        self.worker: parse_worker.ParseWorker | None = None  # while files are read in a worker
        self._parsed_in_worker = False  # this run read files in a worker (which then builds the full-text index)
        self.pm = plugin_manager
        self.limits = limits or ExtractionLimits()
        self.parsers: dict[str, Parser] = {}
        # pluggy returns the last registered plugin's answer first; walk back so later registrations win
        for group in reversed(self.pm.hook.workbench_parsers()):
            for parser in group or ():
                for kind in parser.kinds:
                    self.parsers[kind] = parser
        self._progress: ProgressFn | None = None
        self._cancel: Callable[[], bool] | None = None
        self._nested: list[tuple[int, str, Path, int]] = []
        # one budget for the whole case: a bomb nested inside archives is still bounded by the case total
        self._budget = ExtractionBudget(self.limits)
        self._checkpointer: _Checkpointer | None = None
        self._done = 0
        self._total_members = 0
        self._depth = 0
        self._blob_dir: str | None = None
        self._extracted: list[tuple[Any, ...]] = []  # rows of _EXTRACTED_COLUMNS + id, not yet written
        self._committed_at = 0.0
        self._reported_at = 0.0
        self._unreported: str | None = None  # the last member done whose progress is not yet reported
        self._identify = _first_answer(self.pm.hook.workbench_identify, ("name", "head"))
        self._bytes_done = 0  # extract: bytes of the members done in the current archive
        self._bytes_total = 0
        self._rate = _Rate()
        self._rows = 0  # timeline rows stored so far

    @property
    def fingerprint(self) -> str:
        """Which parsers (and versions) produced a store; a change makes a reopened case ingest again."""
        names = sorted({f"{p.name}:{p.version}" for p in self.parsers.values()})
        return ",".join(names)

    # --------------------------------------------------------------------------------------- helpers

    def identify(self, path: str, head: bytes) -> str:
        kind = self._identify(path, head)
        return kind or "unknown"

    def worth_keeping(self, kind: str, size: int | None) -> bool:
        if kind in self.parsers:
            return True
        if kind == "text" and size is not None and size > MAX_KEPT_TEXT:
            return False
        return kind in KEEP_WITHOUT_PARSER

    def blob_path(self, file_id: int) -> str:
        """Where a kept member's bytes go: ``blobs/<file id>``, a name of our own (the folder made once)."""
        if self._blob_dir is None:
            self.case.blobs.mkdir(parents=True, exist_ok=True)
            self._blob_dir = str(self.case.blobs)
        return f"{self._blob_dir}{os.sep}{file_id:07d}"

    def _report(self, stage: str, done: int, total: int, current: str = "") -> None:
        if self._progress is not None:
            self._progress(Progress(stage, done, total, current, rows=self._rows))

    def _report_extract(self, path: str) -> None:
        if self._progress is not None:
            self._progress(Progress("extract", self._done, self._total_members, path,
                                    bytes_done=self._bytes_done, bytes_total=self._bytes_total,
                                    eta_s=self._rate.eta(self._bytes_done, self._bytes_total)))

    def _report_member(self, path: str) -> None:
        """Extract progress for the member just done, at most every :data:`REPORT_SECONDS`."""
        now = time.monotonic()
        if now - self._reported_at >= REPORT_SECONDS:
            self._reported_at = now
            self._unreported = None
            self._report_extract(path)
        else:
            self._unreported = path

    def _report_last_member(self) -> None:
        """The report the throttle held back for the last member, so a view ends on the true count."""
        if self._unreported is not None:
            path, self._unreported = self._unreported, None
            self._reported_at = time.monotonic()
            self._report_extract(path)

    def _committed(self) -> None:
        """After a commit: let the checkpoint thread copy what is committed while the pipeline goes on."""
        if self._checkpointer is not None:
            self._checkpointer.poke()

    def _check_cancel(self) -> None:
        if self._cancel is not None and self._cancel():
            raise IngestCancelled("ingest cancelled")

    # --------------------------------------------------------------------------------------- the run

    def run(self, progress: ProgressFn | None = None, cancel: Callable[[], bool] | None = None, *,
            resume: bool = False) -> None:
        """Ingest the case from its source. Raises :class:`UserActionRequired` (password) before writing rows.

        ``resume``: continue a run that stopped (cancelled, interrupted by an error, or killed) from where it
        stopped, when :meth:`resume_stage` says the store allows it; else start again. A resumed run gives the
        same rows as one that never stopped: the files it had not finished are read again from their start.
        """
        self._progress, self._cancel = progress, cancel
        self._budget = ExtractionBudget(self.limits)
        store = self.store
        started = time.perf_counter()
        parsers = list({id(p): p for p in self.parsers.values()}.values())
        stage = self.resume_stage() if resume else None
        resuming = stage is not None
        if stage is None:
            store.reset_ingested(table for p in parsers for table in p.tables)
            store.set_meta("ingest_stage", STAGES[0])
        store.set_meta("ingest_state", RUNNING)
        if stage in (None, "parse", "finalize"):
            store.set_meta(search.META, search.BUILDING)  # until finalize indexes the rows for full text
        store.set_meta("ingest_resumed_from", stage)
        store.set_meta("schema_version", str(SCHEMA_VERSION))
        store.set_meta("source", str(self.case.source))
        store.set_meta("sha256", self.case.digest)
        store.set_meta("parsers", self.fingerprint)  # what the rows so far were read with (a resume checks it)
        store.create_tables(ddl for p in parsers for ddl in p.tables.values())
        autocheckpoint = store.scalar("PRAGMA wal_autocheckpoint")
        if store.scalar("PRAGMA journal_mode") == "wal" and autocheckpoint:
            store.conn.execute("PRAGMA wal_autocheckpoint = 0")
            self._checkpointer = _Checkpointer(store.path)
        try:
            with store.bulk_writing():
                self._run_stages(stage, resuming, started)
        except IngestCancelled:
            self._stopped(CANCELLED)
            raise
        except BaseException as exc:
            self._stopped(INTERRUPTED)
            failure = machine_failure(exc, self.case.folder) if isinstance(exc, Exception) else None
            if failure is not None and failure is not exc:
                raise failure from exc
            raise
        finally:
            if self._checkpointer is not None:
                self._checkpointer.close()
                self._checkpointer = None
                try:
                    store.conn.execute(f"PRAGMA wal_autocheckpoint = {int(autocheckpoint)}")
                except sqlite3.Error:
                    pass
        self._report("done", 1, 1)

    def _run_stages(self, stage: str | None, resuming: bool, started: float) -> None:
        """The stages from ``stage`` on (None: from extraction), each recorded in ``ingest_stage`` as it begins."""
        store = self.store
        if stage is None:
            self._expand(self.case.source, container="", depth=0, top=True)
            while self._nested:
                file_id, path, blob, depth = self._nested.pop(0)
                self._expand_nested(file_id, path, blob, depth)
            store.commit()
            # problems up to here are the extraction's: a resume keeps them, and drops a re-read file's others;
            # files extraction left 'partial' (and why) are put back so when they are read again
            store.set_meta("ingest_problems_mark", str(store.scalar("SELECT coalesce(max(id), 0) FROM problems")))
            store.set_meta("ingest_partial_files", json.dumps(dict(store.conn.execute(
                "SELECT id, reason FROM files WHERE status = 'partial'").fetchall())))
            store.set_meta("ingest_stage", "parse")
            stage = "parse"
        if stage == "parse":
            # the detail indexes are kept up to date while the rows come, rather than built afterwards by a pass
            # over each table of its own: rows come file by file and each index grows at its end or at a few
            # places per file (5 M Procmon events: about 3 s more in the inserts, against 8.6 s to build the four)
            with store.conn:
                for ddl in self._detail_indexes():
                    store.conn.execute(ddl)
            if resuming:
                if self._worker_likely():
                    parse_worker.prestart()  # starts while the unfinished files are put back
                self._prepare_parse_resume()
            self._parse_all()
            self._parse_commit()
            store.set_meta("ingest_stage", "finalize")
            stage = "finalize"
        try:
            if stage in ("finalize", "index"):
                # the parse worker, idle now, builds the full-text index while this process sorts and indexes
                worker = parse_worker.take_idle() if self._parsed_in_worker else None
                request = None
                try:
                    if stage == "finalize":
                        self._report("finalize", 0, 1)
                        self._empty_long_wal()
                        prepare_clock(store)
                        # one transaction: a run stopped inside it left the table as it was
                        request = sort_timeline(store, then="index", worker=worker)
                        self._committed()
                        stage = "index"
                    self._read_ahead()  # the rows are final: analyzers' reading starts beside what follows
                    self._report("finalize", 1, 1)  # the rows are in time order, with their indexes
                    index_timeline(store, self._detail_indexes(), worker, request)
                except BaseException:
                    if worker is not None and request is not None:  # a failure before index_timeline waited
                        _abandon_fulltext(store, worker)
                    raise
                finally:
                    if worker is not None:
                        parse_worker.give_back(worker, healthy=worker.alive())
                mark_deployment_logs(store)
                self._committed()
                store.set_meta("ingest_facts_mark", str(store.scalar("SELECT coalesce(max(id), 0) FROM facts")))
                store.set_meta("ingest_stage", "analyze")
            else:
                self._forget_analysis()  # an analysis cut short: its findings and facts go, it runs again
                self._read_ahead()
            self._report("analyze", 0, 1)
            self.pm.hook.workbench_analyze(store=store)
        finally:
            if store.read_ahead is not None:
                store.read_ahead.close()
                store.read_ahead = None
        store.commit()
        store.set_meta("ingest_seconds", f"{time.perf_counter() - started:.3f}")
        store.set_meta("ingest_state", COMPLETE)

    # --------------------------------------------------------------------------------------- stop, resume

    def _empty_long_wal(self) -> None:
        """Before the rewrite, which reads the whole timeline: a write-ahead log past :data:`LONG_WAL_BYTES` is
        copied in and emptied (:meth:`CaseStore.empty_wal`), once the checkpoint thread has settled. A shorter
        one is left to the thread: waiting for its copy costs more than searching its index saves (a 36 MB
        capture's finalize: 0.30 s → 0.35 s)."""
        try:
            size = os.path.getsize(f"{self.store.path}-wal")
        except OSError:
            return
        if size < LONG_WAL_BYTES:
            return
        if self._checkpointer is not None:
            self._checkpointer.settle(5.0)
        self.store.empty_wal()

    def _read_ahead(self) -> None:
        """Start the analyzers' read-only work (``workbench_analyze_ahead``, :mod:`workbench.core.ahead`) on
        threads; the rows it reads are committed and no longer change."""
        self.store.commit()
        try:
            offers = self.pm.hook.workbench_analyze_ahead(store=self.store)
        except Exception as exc:  # a plugin's offer broken: every analyzer reads in place, as without one
            log.error("no analysis read ahead: %s: %s", type(exc).__name__, exc)
            return
        self.store.read_ahead = ReadAhead.start(self.store, offers)

    def resume_stage(self) -> str | None:
        """The stage a resume continues at (``parse``, ``finalize``, ``index``, ``analyze``), or None: start again.

        Only a run that stopped (``cancelled``, ``interrupted``, or ``running`` left by a process that died:
        the caller holds the case lock) of the same schema and parsers, past its extraction, is continued.
        """
        store = self.store
        state = store.get_meta("ingest_state")
        stage = store.get_meta("ingest_stage")
        if state not in (RUNNING, CANCELLED, INTERRUPTED) or stage not in STAGES[1:]:
            return None
        if store.get_meta("schema_version") != str(SCHEMA_VERSION) or store.get_meta("parsers") != self.fingerprint:
            return None
        if store.get_meta("sha256") != self.case.digest:
            return None
        return stage

    def _unfinished_files(self) -> list[int]:
        """Files a parser has not finished with: never started, cancelled or cut off in the middle."""
        kinds = sorted(self.parsers)
        return [r[0] for r in self.store.conn.execute(
            "SELECT id FROM files WHERE parser IS NULL AND blob IS NOT NULL AND status IN "
            f"('pending', 'partial', '{CANCELLED}', '{INTERRUPTED}') AND kind IN ({','.join('?' * len(kinds))})",
            kinds)]

    def _stopped(self, state: str) -> None:
        """Record how the run ended before the exception goes on: every file not read is marked with
        ``state`` (the one being read already is, with its rows so far). When even that cannot be written
        (a full disk), ``ingest_state`` stays ``running``, which the next open resumes all the same."""
        store = self.store
        why = ("not read: the ingest was cancelled before this file" if state == CANCELLED else
               "not read: the ingest stopped before this file")
        try:
            store.commit()
            kinds = sorted(self.parsers)
            store.conn.execute(
                f"UPDATE files SET status = ?, reason = ? WHERE parser IS NULL AND status = 'pending' "
                f"AND (kind IS NULL OR kind IN ({','.join('?' * len(kinds))}))", (state, why, *kinds))
            store.commit()
            store.set_meta("ingest_state", state)
        except sqlite3.Error as exc:
            log.warning("the state of the stopped ingest could not be recorded: %s", exc)

    def _prepare_parse_resume(self) -> None:
        """Forget what the unfinished files left (rows, details, facts, their parse problems) and put them
        back as extraction left them, then let parsers that remember earlier files rebuild that memory."""
        store = self.store
        partial: dict[str, str | None] = json.loads(store.get_meta("ingest_partial_files") or "{}")
        with store.conn:
            for fid in self._unfinished_files():
                self._forget_file(fid)
                store.conn.execute("UPDATE files SET status = ?, reason = ?, records = 0 WHERE id = ?",
                                   ("partial", partial[str(fid)], fid) if str(fid) in partial else ("pending", None, fid))
        self._rebuild_parsers()

    def _forget_file(self, file_id: int) -> None:
        """Drop what a file's unfinished read left: its rows, details and facts, and its parse problems (those
        of extraction, before ``ingest_problems_mark``, stay). The caller commits."""
        store = self.store
        mark = int(store.get_meta("ingest_problems_mark") or 0)
        tables = [t for t in store.detail_tables()
                  if "file_id" in {c[1] for c in store.conn.execute(f'PRAGMA table_info("{t}")')}]
        for table in ("timeline", "facts", *tables):
            store.conn.execute(f'DELETE FROM "{table}" WHERE file_id = ?', (file_id,))
        store.conn.execute("DELETE FROM problems WHERE file_id = ? AND id > ?", (file_id, mark))

    def _rebuild_parsers(self) -> None:
        """Parsers that remember earlier files (EVTX's duplicate keys) rebuild that memory from the store, for
        the files already parsed: before a resumed parse, and before a new worker takes over mid-parse."""
        done = [r[0] for r in self.store.conn.execute("SELECT id FROM files WHERE parser IS NOT NULL ORDER BY id")]
        for parser in {id(p): p for p in self.parsers.values()}.values():
            rebuild = getattr(parser, "resume", None)
            if rebuild is not None:
                rebuild(self.store, done)

    def _forget_analysis(self) -> None:
        """Undo an analysis that did not finish: findings, evidence and the facts it had added."""
        store = self.store
        mark = int(store.get_meta("ingest_facts_mark") or 0)
        with store.conn:
            store.conn.execute("DELETE FROM evidence")
            store.conn.execute("DELETE FROM findings")
            store.conn.execute("DELETE FROM facts WHERE id > ?", (mark,))

    # --------------------------------------------------------------------------------------- extract

    def _expand(self, source: Path, container: str, depth: int, top: bool = False) -> None:
        """List and extract one archive/folder/file into the catalogue (nested archives are queued)."""
        label = source.name if top else container
        try:
            reader = open_reader(source, self.case.password, self.case.name_encoding)
        except ArchiveError as exc:
            if not top:
                raise
            self.store.add_problem(label, str(exc))  # the case opens, empty, and says why
            return
        with reader:
            members = reader.members()
            prefix = f"{container}::" if container else ""
            ids = self._catalogue(members, container, prefix)
            self.store.commit()
            total = len(members)
            self._report("catalogue", total, total, label)
            if top and self._worker_likely():
                # the worker's start-up (a few tenths of a second of the other core) overlaps the extraction;
                # started after the catalogue, so the first screen does not share a core with it
                parse_worker.prestart()

            self._total_members = total
            self._done = 0
            self._bytes_done = 0
            self._bytes_total = sum(m.size or 0 for m in members if not m.is_dir)
            self._rate = _Rate()
            self._depth = depth
            self._blob_dir = None
            self._committed_at = time.monotonic()

            def open_writer(member: Member) -> _MemberWriter | None:
                fid = ids.get(id(member))
                if fid is None:
                    return None
                return _MemberWriter(self, fid, member, prefix + member.path)

            try:
                reader.extract(open_writer, self._budget, self._cancel)
            except ArchiveError as exc:  # a bomb limit, or damage past recovery: keep what was read
                self.store.add_problem(label, str(exc))
            finally:  # also on cancel: the rows of the members done are written before the ingest stops
                self._write_extracted()
            self._report_last_member()
            for where, error in reader.problems:
                self.store.add_problem(f"{prefix}{where}" if where else label, error)
            # members the archive listed but never delivered (a damaged solid block, a cut-off zip)
            self.store.conn.execute(
                "UPDATE files SET status = 'failed', reason = 'listed in the archive but its data could not be read' "
                "WHERE status = 'pending' AND sha256 IS NULL AND container = ?", (container,))
            self.store.commit()

    def _catalogue(self, members: list[Member], container: str, prefix: str) -> dict[int, int]:
        """Write a catalogue row for every member but folders; returns the file ids by ``id(member)``.

        Rows go in batches of :data:`WRITE_BATCH` through one statement each, not an INSERT per member.
        """
        ids: dict[int, int] = {}
        rows: list[tuple[Any, ...]] = []
        batch: list[tuple[Member, list[str]]] = []  # each row's member and its unsafe-name notes
        first_by_case: dict[str, str] = {}  # Windows cannot hold two names that differ only by case
        for member in members:
            if member.is_dir:
                continue
            key = member.path if member.path.isascii() else unicodedata.normalize("NFC", member.path)
            twin = first_by_case.setdefault(key.casefold(), member.path)
            if twin != member.path:
                if unicodedata.normalize("NFC", twin) == key:  # é as one character, or as e and an accent
                    member.notes.append(f"the same name as {twin!r} in another Unicode normalization (this one "
                                        f"{_normal_form(member.path)}, that one {_normal_form(twin)}: one file on "
                                        "macOS, two on Windows; both kept)")
                else:
                    member.notes.append(f"differs only by letter case from {twin!r} (both kept)")
            unsafe = [n for n in member.notes if any(w in n for w in _UNSAFE_WORDS)] if member.notes else []
            path = prefix + member.path
            status, reason = ("skipped", "symbolic link: listed, not followed") if member.is_link else ("pending", None)
            rows.append((path, container, member.size, member.compressed_size, member.mtime, status, reason,
                         role_of(path), "; ".join(member.notes) or None, member.local_path))
            batch.append((member, unsafe))
            if len(rows) >= WRITE_BATCH:
                self._write_catalogue(rows, batch, ids, prefix)
                rows, batch = [], []
        self._write_catalogue(rows, batch, ids, prefix)
        return ids

    def _write_catalogue(self, rows: list[tuple[Any, ...]], batch: list[tuple[Member, list[str]]],
                         ids: dict[int, int], prefix: str) -> None:
        """Insert a batch of catalogue rows, then the problems naming its unsafe names (with their file ids)."""
        if not rows:
            return
        for (member, unsafe), fid in zip(batch, self.store.add_files(_CATALOGUE_COLUMNS, rows), strict=True):
            ids[id(member)] = fid
            for note in unsafe:
                self.store.add_problem(prefix + member.path, f"unsafe name {member.raw_name!r}: {note}", fid)

    def _expand_nested(self, file_id: int, path: str, blob: Path, depth: int) -> None:
        if depth > self.limits.max_depth:
            self.store.update_file(file_id, status="skipped",
                                   reason=f"archive nested deeper than {self.limits.max_depth} levels; not opened")
            self.store.add_problem(path, f"archive nested deeper than {self.limits.max_depth} levels; not opened",
                                   file_id)
            return
        try:
            self._expand(blob, container=path, depth=depth)
        except EnvironmentFailure:
            raise  # the machine's, not the nested archive's
        except UserActionRequired as exc:
            reason = str(exc).replace(blob.name, path, 1)
            self.store.update_file(file_id, status="failed", reason=reason)
            self.store.add_problem(path, reason, file_id)
            return
        except ArchiveError as exc:
            reason = str(exc).replace(blob.name, path, 1)
            self.store.update_file(file_id, status="failed", reason=reason)
            self.store.add_problem(path, reason, file_id)
            return
        count = self.store.scalar("SELECT count(*) FROM files WHERE container = ?", (path,))
        self.store.update_file(file_id, status="expanded", reason=f"archive: {count} files inside", records=count)

    def member_done(self, writer: _MemberWriter, error: str | None, keep: bool = True) -> None:
        """Called as each member's bytes end: record hash, kind and what happens next to it.

        The row waits for the next batch (:meth:`_write_extracted`); nothing reads it before then.
        """
        kind = writer.kind or "unknown"
        status, reason = "pending", None
        if error is None and writer.zeros and writer.size:  # named setupact.log or MEMORY.DMP, it holds nothing
            error = _ZEROS.format(size=writer.size)
            keep = False
            if writer.blob is not None:
                os.remove(writer.blob)
                writer.blob = None
        # the user's Cancel stopped its copy: the member is not damaged (no problem, not "failed"); a resume
        # starts a run stopped in the extraction again, which copies it whole
        cancelled = error is not None and self._cancel is not None and self._cancel()
        if cancelled:
            status, reason = CANCELLED, _CANCELLED_COPY
        elif error is not None:
            status, reason = ("partial" if writer.size and keep else "failed"), error
            self.store.add_problem(writer.path, error, writer.file_id)
        location = writer.blob or writer.member.local_path
        if cancelled:
            pass
        elif kind == "archive" and location is not None and error is None:
            self._nested.append((writer.file_id, writer.path, Path(location), self._depth + 1))
        elif kind not in self.parsers and error is None:
            status, reason = "skipped", (_SKIP_REASONS.get(kind, _NO_READER) if writer.size else _EMPTY)
        self._extracted.append((writer.digest.hexdigest(), kind, writer.size, status, reason, location,
                                writer.file_id))
        self._done += 1
        self._bytes_done += writer.size
        if len(self._extracted) >= WRITE_BATCH or time.monotonic() - self._committed_at >= COMMIT_SECONDS:
            self._write_extracted()
        self._report_member(writer.path)

    def _write_extracted(self) -> None:
        """Write the batched rows of members done, commit, and let the checkpoint thread copy them."""
        if self._extracted:
            self.store.update_files(_EXTRACTED_COLUMNS, self._extracted)
            self._extracted = []
        self.store.commit()
        self._committed_at = time.monotonic()
        self._committed()

    # --------------------------------------------------------------------------------------- parse

    def _parse_all(self) -> None:
        rows = self.store.query(
            "SELECT id, path, kind, role, blob, sha256 FROM files WHERE status IN ('pending', 'partial') "
            "AND parser IS NULL AND kind IS NOT NULL AND blob IS NOT NULL ORDER BY id"
        )
        todo = [CaseFile(r["id"], r["path"], r["kind"], r["role"], Path(r["blob"]), r["sha256"])
                for r in rows if r["kind"] in self.parsers]
        sizes = []
        for file in todo:
            try:
                sizes.append(file.location.stat().st_size)
            except OSError:
                sizes.append(0)
        self._rows = int(self.store.scalar("SELECT count(*) FROM timeline") or 0)
        self._rate = _Rate()
        total_bytes = sum(sizes)
        start = 0
        with few_collections():  # here the rows are read, or unpickled from the worker, by the million
            if todo and self._use_worker(total_bytes):
                start = self._parse_in_worker(todo, sizes, total_bytes)
            done_bytes = sum(sizes[:start])
            for n in range(start, len(todo)):
                self._check_cancel()
                file = todo[n]
                self._report_parse(n, len(todo), file.path, 0, sizes[n], done_bytes, total_bytes)
                self._parse_one(self.parsers[file.kind], file, n, len(todo), (done_bytes, total_bytes))
                done_bytes += sizes[n]
        self._report_parse(len(todo), len(todo), "", 0, 0, done_bytes, total_bytes)

    def _report_parse(self, n: int, total: int, path: str, position: int, size: int, before: int,
                      total_bytes: int) -> None:
        if self._progress is not None:
            done = before + min(position, size)
            self._progress(Progress("parse", n, total, path, min(position, size), size, done, total_bytes,
                                    self._rate.eta(done, total_bytes), self._rows))

    def _parse_one(self, parser: Parser, file: CaseFile, n: int = 0, total: int = 1,
                   stage_bytes: tuple[int, int] = (0, 0)) -> None:
        """Read one file in this process: the reference path, and the one for parsers a worker cannot take."""
        store = self.store
        progress = None
        rows_before = self._rows
        mediator: Mediator
        if self._progress is not None:
            try:
                size = file.location.stat().st_size
            except OSError:
                size = 0

            def progress(position: int) -> None:
                self._rows = rows_before + mediator.events
                self._report_parse(n, total, file.path, position, size, *stage_bytes)

        mediator = Mediator(store, file, parser.name, self._cancel, progress, self._parse_commit)
        before = store.scalar("SELECT status FROM files WHERE id = ?", (file.id,))
        try:
            parser.parse(file, mediator)
            mediator.flush()
        except IngestCancelled:
            mediator.flush()
            self._file_cancelled(file, mediator.events)
            raise
        except Exception as exc:  # a parser bug or a hostile file: keep what was read, name the file
            failure = machine_failure(exc, self.case.folder)
            if failure is not None:  # a full disk is not a property of the file: stop, leave the case unfinished
                raise failure from exc
            try:
                mediator.flush()  # what is still batched; a batch that failed before is not retried
            except Exception as again:  # the rest of the batched rows are bad too: say so, go on
                log.error("rows of %s could not be stored: %s", file.path, again)
            log.exception("parser %s failed on %s", parser.name, file.path)
            self._file_failed(file, parser.name, mediator.events, f"{type(exc).__name__}: {exc}")
            self._rows = rows_before + mediator.events
            return
        self._file_done(file, parser.name, mediator.events, mediator.problems, before)
        self._rows = rows_before + mediator.events

    def _file_cancelled(self, file: CaseFile, events: int) -> None:
        # the rows read so far stay (a view shows them); parser stays NULL, so a resume reads it again
        self.store.update_file(file.id, status=CANCELLED, records=events,
                               reason=f"cancelled after {events} rows; a resume reads the file again")

    def _file_failed(self, file: CaseFile, parser_name: str, events: int, error: str) -> None:
        store = self.store
        store.update_file(file.id, status="failed", parser=parser_name, records=events,
                          reason=f"{parser_name} could not read it: {error}")
        store.add_problem(file.path, f"{parser_name} could not read it: {error}", file.id)
        store.commit()

    def _file_done(self, file: CaseFile, parser_name: str, events: int, problems: int, before: str | None) -> None:
        store = self.store
        status = "partial" if (problems or before == "partial") else "parsed"
        store.update_file(file.id, status=status, parser=parser_name, records=events,
                          reason=None if status == "parsed" else
                          store.scalar("SELECT reason FROM files WHERE id = ?", (file.id,))
                          or f"{problems} problem(s) while reading")
        # committed with the next rows when the last commit is recent (a commit per small file cost a tenth of
        # reading the fixture event logs); a kill loses at most that half second, which a resume reads again
        if time.monotonic() - self._committed_at >= COMMIT_SECONDS:
            self._parse_commit()

    def _parse_commit(self) -> None:
        self.store.commit()
        self._committed_at = time.monotonic()
        self._committed()

    # --------------------------------------------------------------------------------------- parse worker

    def _use_worker(self, total_bytes: int) -> bool:
        """Whether this ingest reads its files in a worker process (see :mod:`workbench.core.parse_worker`):
        always with ``workers=1``, never with 0 (the reference mode), else when there is a second core and
        enough to read for the overlap to pay for a process (the tests' small cases are read here, as before)."""
        workers = self.workers
        if workers is None:
            env = os.environ.get("WORKBENCH_PARSE_WORKERS", "").strip()
            workers = int(env) if env.isdigit() else None
        if workers is None:
            return total_bytes >= WORKER_MIN_BYTES and (os.cpu_count() or 1) > 1
        return workers > 0

    def _worker_likely(self) -> bool:
        """Whether the parse will probably want a worker, judged before extraction from the source's size."""
        if self.workers is not None or os.environ.get("WORKBENCH_PARSE_WORKERS", "").strip().isdigit():
            return self._use_worker(0)
        source = Path(self.case.source)
        try:
            if source.is_file():
                return source.stat().st_size >= WORKER_MIN_BYTES
            seen = 0
            for folder, _dirs, names in os.walk(source):
                for name in names:
                    seen += os.stat(os.path.join(folder, name)).st_size
                    if seen >= WORKER_MIN_BYTES:
                        return True
        except OSError:
            return False
        return False

    def _detail_indexes(self) -> list[str]:
        """The parsers' detail-table indexes (``Parser.indexes``), each once."""
        parsers = {id(p): p for p in self.parsers.values()}.values()
        return list(dict.fromkeys(ddl for p in parsers for ddl in getattr(p, "indexes", ())))

    def _parsers_blob(self, kinds: set[str]) -> bytes | None:
        """The parsers of ``kinds`` pickled for the worker (one object per parser, as here), or None when one
        cannot be pickled (it is then read in this process)."""
        wanted = {kind: self.parsers[kind] for kind in sorted(kinds)}
        try:
            return pickle.dumps(wanted, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as exc:
            log.info("parsers read in the main process: %s", exc)
            return None

    def _parse_in_worker(self, todo: list[CaseFile], sizes: list[int], total_bytes: int) -> int:
        """Read ``todo`` in a worker process, writing what it sends as it comes; returns how many files were
        done there (the rest, if any, is read in this process: a parser the worker could not take).

        A worker that dies while reading a file (killed, or a crash in native code) is replaced: the file's
        rows so far are dropped and it is read again by the new worker; when that one dies on it too, the file
        is marked failed, named, and the rest of the case goes on.
        """
        blob = self._parsers_blob({f.kind for f in todo})
        if blob is None:
            return 0
        self._parsed_in_worker = True
        tries: dict[int, int] = {}
        n = 0
        worker: parse_worker.ParseWorker | None = None
        healthy = False
        try:
            while n < len(todo):
                if worker is None:
                    worker = self.worker = parse_worker.take()
                    try:
                        refused = worker.load(blob)
                    except parse_worker.WorkerLost as lost:  # it could not even start (see parse_worker)
                        refused = str(lost)
                    if refused is not None:
                        log.warning("files read in the main process: the reading process could not take the "
                                    "parsers: %s", refused)
                        healthy = worker.alive()
                        return n
                try:
                    worker.send(("files", [(i, todo[i].kind, todo[i]) for i in range(n, len(todo))],
                                 self.case.folder))
                    n = self._apply_worker(worker, todo, sizes, total_bytes, n)
                except _Rejected as rejected:  # as a parser here fails when the store rejects its rows
                    worker.stop()
                    worker = None
                    i = self._worker_file
                    parser = self.parsers[todo[i].kind]
                    log.error("rows of %s could not be stored: %s", todo[i].path, rejected.error)
                    self._file_failed(todo[i], parser.name, rejected.events, rejected.error)
                    n = i + 1
                    self._rebuild_parsers()
                    blob = self._parsers_blob({f.kind for f in todo[n:]}) or b""
                    if not blob:
                        return n
                except parse_worker.WorkerLost as lost:
                    worker.stop()
                    worker = None
                    i = self._worker_file
                    with self.store.conn:
                        self._forget_file(todo[i].id)
                    tries[i] = tries.get(i, 0) + 1
                    if tries[i] >= 2:
                        parser = self.parsers[todo[i].kind]
                        log.error("the reading process died twice on %s", todo[i].path)
                        self._file_failed(todo[i], parser.name, 0, str(lost))
                        i += 1
                    n = i
                    self._rebuild_parsers()
                    blob = self._parsers_blob({f.kind for f in todo[n:]}) or b""
                    if not blob:
                        return n
            healthy = True
            return n
        finally:
            self.worker = None
            if worker is not None:
                parse_worker.give_back(worker, healthy)

    def _apply_worker(self, worker: parse_worker.ParseWorker, todo: list[CaseFile], sizes: list[int],
                      total_bytes: int, first: int) -> int:
        """Write what the worker sends for ``todo[first:]`` in the order it was sent; returns ``len(todo)``.

        Cancel is asked of the worker, which stops at its next check like a parser here does; the file it was
        reading is marked cancelled with the rows so far, and :class:`IngestCancelled` raised.
        """
        store = self.store
        total = len(todo)
        done_bytes = sum(sizes[:first])
        n = first
        self._worker_file = n
        before = store.scalar("SELECT status FROM files WHERE id = ?", (todo[n].id,))
        rows_before = self._rows
        applied = 0
        asked_cancel = False
        self._report_parse(n, total, todo[n].path, 0, sizes[n], done_bytes, total_bytes)
        while True:
            if not asked_cancel and self._cancel is not None and self._cancel():
                worker.send(("cancel",))
                asked_cancel = True
            message = worker.recv(0.05)
            if message is None:
                continue
            tag = message[0]
            try:
                if tag == parse_worker.ROWS:
                    _, _, table, columns, rows = message
                    if table == "timeline":
                        applied += len(rows)  # counted before, as the mediator counts a batch it hands over
                    store.insert_rows(table, columns, rows)
                elif tag == parse_worker.FACTS:
                    store.insert_facts(message[2])
                elif tag == parse_worker.PROBLEM:
                    store.add_problem(*message[2:])
            except Exception as exc:  # a value the store cannot hold: this file fails, the others go on
                failure = machine_failure(exc, self.case.folder)
                if failure is not None:  # a full disk is not a property of the file: stop, leave the case unfinished
                    raise failure from exc
                raise _Rejected(applied, f"{type(exc).__name__}: {exc}") from exc
            if tag in (parse_worker.ROWS, parse_worker.FACTS, parse_worker.PROBLEM):
                continue
            if tag == parse_worker.PROGRESS:
                self._rows = rows_before + applied
                self._report_parse(n, total, todo[n].path, message[2], sizes[n], done_bytes, total_bytes)
            elif tag == parse_worker.COMMIT:
                self._parse_commit()
            elif tag in (parse_worker.DONE, parse_worker.FAILED):
                file = todo[n]
                parser_name = self.parsers[file.kind].name
                if tag == parse_worker.DONE:
                    self._file_done(file, parser_name, message[2], message[3], before)
                else:
                    log.error("parser %s failed on %s\n%s", parser_name, file.path, message[5])
                    self._file_failed(file, parser_name, message[2], message[4])
                self._rows = rows_before + applied
                done_bytes += sizes[n]
                n += 1
                if n == total:
                    continue  # the END that follows
                self._worker_file = n
                before = store.scalar("SELECT status FROM files WHERE id = ?", (todo[n].id,))
                rows_before = self._rows
                applied = 0
                if asked_cancel:
                    continue  # the worker stops in this file at its first check
                self._report_parse(n, total, todo[n].path, 0, sizes[n], done_bytes, total_bytes)
            elif tag == parse_worker.MACHINE:  # as in :meth:`_parse_one`: the file is not blamed, the run stops
                raise EnvironmentFailure(message[2])
            elif tag == parse_worker.CANCELLED:
                self._file_cancelled(todo[n], applied)
                self._rows = rows_before + applied
                raise IngestCancelled("ingest cancelled")
            elif tag == parse_worker.END:
                return total


# ------------------------------------------------------------------------------------------- finalize


def finalize_timeline(store: CaseStore) -> None:
    """Put every row on the case clock, rewrite the timeline in time order and index it, in one transaction: a
    case re-clocked without its source (a bundle), which nothing resumes, is left as it was or finished."""
    conn = store.conn
    zone, lo, hi, to_local = _clock_rows(store)
    order = _copy_order(conn, zone, lo, hi)
    with _finalize_cache(conn), conn:
        _sorted_copy(conn, zone, lo, hi, to_local, order)
        _rebuild_fulltext(conn)
    store.set_meta(search.META, search.READY)


def sort_timeline(store: CaseStore, then: str | None = None,
                  worker: parse_worker.ParseWorker | None = None) -> int | None:
    """Put every row on the case clock, then rewrite the timeline in time order with its own indexes, in one
    transaction (a run stopped inside it left the table as it was); ``then``: the ``ingest_stage`` written in
    that transaction.

    The clock is the one :func:`~workbench.core.clock_case.decide_case_clock` picks (the user's, a stated
    zone, an inferred offset, or none: then local rows keep their wall clock). After this, ``timeline.id`` is
    the row's position in time, which is what lets views page the table by rowid ranges instead of ORDER BY
    ... OFFSET. With ``worker`` (the parse worker, idle once the files are read), the worker is first asked to
    build the full-text index in the order of the rewrite, from the rows as committed: it reads and indexes
    them on the other core while this one rewrites them. Returns that request's number for
    :func:`index_timeline`, or None. When the rewrite fails, the worker is stopped (the caller sees it dead).
    """
    conn = store.conn
    zone, lo, hi, to_local = _clock_rows(store)
    order = _copy_order(conn, zone, lo, hi)
    request = _ask_fulltext(store, worker, (_sort_rows(zone, lo, hi, "message, component"), order))
    try:
        with _finalize_cache(conn), conn:
            _sorted_copy(conn, zone, lo, hi, to_local, order, then)
    except BaseException:
        if worker is not None and request is not None:
            _abandon_fulltext(store, worker)
        raise
    return request


def _clock_rows(store: CaseStore) -> tuple[Any, int, int, str]:
    """Decide the case clock and write it down; returns its zone, the rows' time span and the SQL that gives a
    UTC row its wall clock."""
    cc = decide_case_clock(store)
    apply_case_clock(store, cc)
    lo, hi = store.conn.execute(
        "SELECT min(coalesce(ts, local)), max(coalesce(ts, local)) FROM timeline").fetchone()
    lo = lo if lo is not None else 0
    hi = hi if hi is not None else 0
    # The clock is applied inside the sorted copy rather than by two UPDATEs before it: each UPDATE rewrote
    # every row once more (measured: 15% of finalizing 16k event-log rows).
    return cc.zone, lo, hi, clock.utc_to_local_sql(cc.zone, lo, hi, "ts")


def _ask_fulltext(store: CaseStore, worker: parse_worker.ParseWorker | None,
                  order: tuple[str, str] | None = None) -> int | None:
    """Ask ``worker`` to build the full-text index beside the database (in ``order``: see
    :func:`~workbench.core.store.fulltext_side.build`); the request's number, or None when there is no worker, no
    row to index (FTS5 would write an empty index's totals in place otherwise) or the worker is gone."""
    if worker is None or store.conn.execute("SELECT max(id) FROM timeline").fetchone()[0] is None:
        return None
    try:
        return worker.build_fulltext(store.path, fulltext_side.side_path(store.path), FTS_SIDE_HASH_BYTES, order)
    except parse_worker.WorkerLost as lost:
        log.warning("full-text index built in this process: %s", lost)
        return None


def _abandon_fulltext(store: CaseStore, worker: parse_worker.ParseWorker) -> None:
    """Stop ``worker``, which may still be building the full-text index beside ``store``, and remove its file:
    it must not write that file after it is removed, nor answer the next ingest."""
    worker.stop()
    fulltext_side.remove(fulltext_side.side_path(store.path))


def index_timeline(store: CaseStore, detail_indexes: Iterable[str] = (),
                   worker: parse_worker.ParseWorker | None = None, request: int | None = None) -> None:
    """Build the parsers' ``detail_indexes`` and the full-text index (and the timeline's own indexes when the
    rewrite that builds them was made by an earlier version).

    With ``worker`` (the parse worker, idle once the files are read) the full-text index is built there,
    beside the database, and then copied in (:mod:`workbench.core.store.fulltext_side`): the build asked for by
    :func:`sort_timeline` (``request``), which runs while the timeline is rewritten, or else (a resumed run, a
    caller of its own) one asked for here, in the order of the ids. Without one, or when that fails, it is
    built here, as it always was. When this stage fails before the worker has answered, the worker is stopped
    (the caller sees it dead): it must not write its file after this one has removed it, nor answer the next
    ingest.
    """
    conn = store.conn
    side = fulltext_side.side_path(store.path)
    if worker is not None and request is None:
        request = _ask_fulltext(store, worker)
    if request is None:
        worker = None
    answered = False
    try:
        with _finalize_cache(conn):
            with conn:
                for ddl in (*S.TIMELINE_INDEXES, *detail_indexes):
                    conn.execute(ddl)
                if worker is None:
                    _rebuild_fulltext(conn)
            if worker is not None and request is not None:
                try:
                    built = worker.fulltext_built(request)
                    answered = True
                    fulltext_side.install(store.path, side, built, FTS_HASH_BYTES)
                except (parse_worker.WorkerLost, RuntimeError, ValueError, sqlite3.Error) as exc:
                    answered = True
                    log.warning("full-text index built in this process: the one built beside it failed: %s", exc)
                    with conn:
                        _rebuild_fulltext(conn)
    except BaseException:
        if worker is not None and not answered:
            worker.stop()
        raise
    finally:
        fulltext_side.remove(side)
    store.set_meta(search.META, search.READY)


def _rebuild_fulltext(conn: Any) -> None:
    # FTS5 writes a segment each time its in-memory terms reach ``hashsize`` (1 MiB by default) and then merges
    # the segments: a larger one writes fewer and merges less (measured on 4.7 M rows: 14 s -> 7 s)
    conn.execute("INSERT INTO timeline_fts(timeline_fts, rank) VALUES ('hashsize', ?)", (FTS_HASH_BYTES,))
    conn.execute("INSERT INTO timeline_fts(timeline_fts) VALUES ('rebuild')")


@contextmanager
def _finalize_cache(conn: Any) -> Iterator[None]:
    """A bigger page cache for the sort, the index builds and the FTS rebuild (measured: a fifth off the
    indexes on 92k Procmon rows); bounded, and put back afterwards for the connection's later readers."""
    cache_size = conn.execute("PRAGMA cache_size").fetchone()[0]
    conn.execute(f"PRAGMA cache_size = {FINALIZE_CACHE_KIB}")
    try:
        yield
    finally:
        conn.execute(f"PRAGMA cache_size = {int(cache_size)}")


#: PRAGMA cache_size while finalizing (negative: KiB), 64 MiB.
FINALIZE_CACHE_KIB = -65536
#: FTS5's in-memory term buffer while the index is rebuilt, 32 MiB (within the ingest's memory target).
FTS_HASH_BYTES = 32 * 1024 * 1024
#: The same while the worker builds the index beside the database, 8 MiB: it runs beside this process's rewrite
#: of the timeline, within the same memory target (FTS5 holds about 2.5 times its buffer: on 7 M rows 107 MiB for
#: the worker at 32 MiB, 59 MiB at 8), and its time is hidden by the rewrite's (14.3 s at 32 MiB, 14.7 s at 8).
FTS_SIDE_HASH_BYTES = 8 * 1024 * 1024


def _sort_time(zone: Any, lo: int, hi: int, table: str = "") -> str:
    """SQL for the time a timeline row sorts by: a wall-clock row's on the case clock, else its UTC (NULL when
    it has none); ``table`` names the row (``a.``) where a query reads two. The sort and the check that it may be
    skipped (:func:`_in_time_order`) both read it here, so they cannot disagree."""
    t = f"{table}." if table else ""
    return (f"(CASE WHEN {t}basis = 'local' AND {t}local IS NOT NULL THEN "
            f"{clock.local_to_utc_sql(zone, lo, hi, t + 'local')} ELSE {t}ts END)")


def _in_time_order(conn: Any, zone: Any, lo: int, hi: int) -> bool:
    """Whether the rows already stand in the order the sort would give them (one capture, one log: a parser
    reads them in time order), so the copy can keep their order instead of sorting (a capture of 92 k events:
    0.04 s against 0.08-0.15 s to copy). Each row is compared with the row of the next id on the sort's own key
    (the clock applied, rows without a time last, a row without a line first among equals); the pass stops at
    the first row out of order, and a missing next id (rows of a resumed file dropped) counts as one. A sample
    read first answers most unordered tables without that pass."""

    def parts(t: str) -> str:
        at = _sort_time(zone, lo, hi, t)
        return f"{at} IS NULL, ifnull({at}, 0), {t}.file_id, ifnull({t}.line, {-(1 << 63)})"

    def key(t: str) -> str:
        return f"({parts(t)})"

    last = conn.execute("SELECT max(id) FROM timeline").fetchone()[0]
    if last is None:
        return True
    # Rows in order have every sample of them in order: a thousand rows spread over the ids, read by id, show
    # rows of several sources interleaved at once (7 M rows of a large case: 3.5 s less than the full pass).
    step = max(1, last // 1024)
    sample = [tuple(r) for r in conn.execute(
        f"WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + {step} FROM s WHERE i + {step} <= ?) "
        f"SELECT {parts('t')} FROM s JOIN timeline t ON t.id = s.i ORDER BY s.i", (last,))]
    try:
        if any(a > b for a, b in zip(sample, sample[1:], strict=False)):
            return False
    except TypeError:  # a plugin's text in a number's place: SQLite orders what Python cannot, in the pass below
        pass
    row = conn.execute(f"SELECT 1 FROM timeline a LEFT JOIN timeline b ON b.id = a.id + 1 WHERE a.id < ? "
                       f"AND (b.id IS NULL OR {key('a')} > {key('b')}) LIMIT 1", (last,)).fetchone()
    return row is None


def _copy_order(conn: Any, zone: Any, lo: int, hi: int) -> str:
    """The ORDER BY terms of the rewrite, over :func:`_sort_rows`: the ids when the rows already stand in time
    order, else the time on the case clock (rows without one last), the file and line, then the id: rows of
    one file and time keep the order they were read in, so a resumed ingest (whose re-read files have later
    ids) sorts exactly as one that never stopped. Either is a total order (the id comes last)."""
    return "id" if _in_time_order(conn, zone, lo, hi) else "ts IS NULL, ts, file_id, line, id"


def _sort_rows(zone: Any, lo: int, hi: int, columns: str, to_local: str | None = None) -> str:
    """The timeline's rows as the rewrite reads them: ``ts`` the time they sort by (:func:`_sort_time`), with
    ``file_id``, ``line``, ``id`` and ``columns``; with ``to_local``, ``local`` is each UTC row's wall clock.
    The rewrite and the full-text index built beside it (in its order) read them here, so they cannot
    disagree."""
    local = f", CASE WHEN basis = 'utc' AND ts IS NOT NULL THEN {to_local} ELSE local END AS local" \
        if to_local is not None else ""
    return f"SELECT {_sort_time(zone, lo, hi)} AS ts{local}, file_id, line, id, {columns} FROM timeline"


def _sorted_copy(conn: Any, zone: Any, lo: int, hi: int, to_local: str, order: str,
                 then: str | None = None) -> None:
    """The rewrite in ``order`` (:func:`_copy_order`), with the timeline's indexes; the caller holds the
    transaction.

    The indexes are made on the empty table and kept up to date while it fills: the rows come in time order,
    so each index grows at its end or at a few places (one per file, one per level), and no index needs a pass
    over the table of its own afterwards (7 M rows already in time order: 17 s to copy them with their indexes,
    against 8 s to copy them and 12 s to build the indexes after)."""
    if zone is not None:  # without a zone a wall-clock time stays one: it is never passed off as UTC
        conn.execute(f"UPDATE facts SET ts = {clock.local_to_utc_sql(zone, lo, hi, 'ts')}, basis = 'utc' "
                     "WHERE basis = 'local' AND ts IS NOT NULL")
    for ddl in S.TIMELINE_INDEXES:
        conn.execute(f"DROP INDEX IF EXISTS {S.index_name(ddl)}")
    ddl = next(t for t in S.TABLES if "EXISTS timeline (" in t)
    conn.execute("DROP TABLE IF EXISTS timeline_sorted")
    conn.execute(ddl.replace("EXISTS timeline (", "EXISTS timeline_sorted ("))
    for ddl in S.TIMELINE_INDEXES:
        if " ON timeline(" not in ddl:
            raise ValueError(f"not an index of the timeline in the schema's form: {ddl}")
        conn.execute(ddl.replace(" ON timeline(", " ON timeline_sorted("))
    columns = "basis, source, level, component, message"
    conn.execute(
        "INSERT INTO timeline_sorted (ts, local, basis, source, file_id, line, level, component, message) "
        "SELECT ts, local, basis, source, file_id, line, level, component, message "
        f"FROM ({_sort_rows(zone, lo, hi, columns, to_local)}) ORDER BY {order}"
    )
    conn.execute("DROP TABLE timeline")
    conn.execute("ALTER TABLE timeline_sorted RENAME TO timeline")
    # with the rows: the full-text index no longer matches their ids until index_timeline rebuilds it (a
    # search reads the rows meanwhile), and a run stopped after this goes on from the indexes
    conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (search.META, search.BUILDING))
    if then is not None:
        conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('ingest_stage', ?)", (then,))

