"""Reading files in a worker process while the process that owns the case database writes what is read.

Why: on two cores the parse (Rust EVTX iteration, JSON decoding, building rows) and the store's work
(inserting, committing, later sorting and indexing) can overlap instead of taking turns under one GIL. The
worker runs the same parsers through the same :class:`~workbench.core.parsers.base.Mediator`; only the
mediator's :class:`~workbench.core.parsers.base.RowSink` differs: :class:`PipeSink` sends each batch down a
pipe, and the ingest (:mod:`workbench.core.ingest`) writes the batches in the order they were sent. The
worker never writes the database (it reads it once, to build the full-text index into a file of its own), so
a worker that dies (a hostile file, a kill) leaves nothing half-written, and a main process that dies leaves a
worker that stops at its next send, or at its next check while it builds that index.

Windows and frozen builds: the worker is started with the ``spawn`` method on every platform (what Windows
has; no state inherited by fork), its entry point is a module-level function, and the frozen app's entry
script calls :func:`multiprocessing.freeze_support`. Parsers reach the worker pickled, with any memory a
resume rebuilt (EVTX's duplicate keys); a parser that cannot be pickled (or unpickled there) is read in the
main process instead, which is also the reference mode (``workers=0``) the tests compare against.

Messages, worker to main, each a tuple whose first item says what it is; ``n`` is the file's position in the
job list:
    (ROWS, n, table, columns, rows)   (FACTS, n, rows)   (PROBLEM, n, file, error, file_id, offset)
    (PROGRESS, n, position)   (COMMIT, n)   (DONE, n, events, problems)   (CANCELLED, n, events)
    (FAILED, n, events, problems, sentence, traceback)   (MACHINE, n, sentence)   (END,)
MACHINE is the machine's failure, not the file's (:func:`workbench.core.environment.machine_failure`: a full
disk or temp folder, out of memory): the worker stops the job list there, and the ingest stops as it does when
that happens in one process (the case left unfinished, no file blamed).
Main to worker: ("parsers", pickled {kind: parser}) answered by (READY,) or (REFUSED, sentence); ("files",
[(n, kind, CaseFile), ...], case folder) answered by the stream above; ("cancel",) while a file is read;
(FULLTEXT, request, database, side file, hash bytes, order) answered by (FULLTEXT, request, (rows, highest id),
None) or (FULLTEXT, request, None, sentence): once the files are read, the worker builds the timeline's
full-text index beside the database, in the order the main process is rewriting the timeline in (or in the
order of its ids, when ``order`` is None) while that process sorts and indexes the rows
(:mod:`workbench.core.store.fulltext_side`; the database is only read there, and the build stops if the main
process dies); ("quit",).
"""

from __future__ import annotations

import logging
import multiprocessing
import pickle
import threading
import time
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

ROWS, FACTS, PROBLEM, PROGRESS, COMMIT, DONE, CANCELLED, FAILED, MACHINE, END = (
    "r", "f", "p", "g", "c", "d", "x", "e", "m", "end")
READY, REFUSED, FULLTEXT = "ready", "refused", "fulltext"
#: Position reports per file at most this often (the first always goes): the GUI redraws on each.
PROGRESS_EVERY_S = 0.02
#: Parser modules imported as the worker starts (while the main process catalogues and extracts).
_WARM_IMPORTS = ("orjson", "workbench.core.parsers.setupact", "workbench.core.parsers.evtx",
                 "workbench.core.parsers.pml", "workbench.core.parsers.procmon_csv",
                 "procmon_parser.consts")  # the PML parser's names of operations, imported as a capture starts


class WorkerLost(Exception):
    """The worker process ended without being asked to (killed, or a crash in native code)."""

    def __init__(self, exitcode: int | None) -> None:
        super().__init__(f"the reading process stopped unexpectedly (exit code {exitcode})")
        self.exitcode = exitcode


# ------------------------------------------------------------------------------------------ the worker side


class PipeSink:
    """The :class:`~workbench.core.parsers.base.RowSink` of the worker: every batch goes down the pipe, tagged
    with the file's position, in the order the mediator hands it over."""

    def __init__(self, conn: Any) -> None:
        self._send = conn.send
        self.n = 0

    def insert_rows(self, table: str, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]) -> None:
        self._send((ROWS, self.n, table, tuple(columns), rows))

    def insert_facts(self, rows: Sequence[tuple[Any, ...]]) -> None:
        self._send((FACTS, self.n, list(rows)))

    def add_problem(self, file: str, error: str, file_id: int | None = None, offset: int | None = None) -> None:
        self._send((PROBLEM, self.n, file, error, file_id, offset))


def _serve(conn: Any) -> None:
    """The worker process: wait for parsers and job lists, read the files, send what they hold.

    Ends on "quit", or when the main process is gone (the pipe breaks): nothing of the case database is written
    here (the full-text index is built into a scratch file beside it, which the main process copies in).
    """
    import importlib

    for name in _WARM_IMPORTS:
        try:
            importlib.import_module(name)
        except Exception:  # a missing optional reader: the job that needs it says so
            pass
    parsers: dict[str, Any] = {}
    try:
        while True:
            command = conn.recv()
            if command[0] == "quit":
                return
            if command[0] == "parsers":
                try:
                    parsers = pickle.loads(command[1])
                except Exception as exc:  # a user plugin this process cannot import: main reads instead
                    conn.send((REFUSED, f"{type(exc).__name__}: {exc}"))
                else:
                    conn.send((READY,))
            elif command[0] == "files":
                from workbench.core.parsers.base import few_collections

                with few_collections():
                    _read_files(conn, parsers, command[1], command[2])
            elif command[0] == FULLTEXT:
                _build_fulltext(conn, *command[1:])
            # a "cancel" that arrives after the last file was done is stale: ignored
    except (EOFError, BrokenPipeError, ConnectionResetError, OSError):
        return  # the main process is gone


def _read_files(conn: Any, parsers: dict[str, Any], jobs: list[tuple[int, str, Any]], folder: Path) -> None:
    from workbench.core.environment import machine_failure
    from workbench.core.errors import IngestCancelled
    from workbench.core.parsers.base import Mediator

    sink = PipeSink(conn)
    send = conn.send
    cancelled = False

    def cancel() -> bool:
        nonlocal cancelled
        while not cancelled and conn.poll():
            if conn.recv()[0] == "cancel":
                cancelled = True
        return cancelled

    for n, kind, file in jobs:
        parser = parsers[kind]
        sink.n = n
        reported = [0.0]

        def progress(position: int, n: int = n, reported: list[float] = reported) -> None:
            now = time.monotonic()
            if now - reported[0] >= PROGRESS_EVERY_S:
                reported[0] = now
                send((PROGRESS, n, position))

        def commit(n: int = n) -> None:
            send((COMMIT, n))

        mediator = Mediator(sink, file, parser.name, cancel, progress, commit)
        try:
            parser.parse(file, mediator)
            mediator.flush()
        except IngestCancelled:
            mediator.flush()
            send((CANCELLED, n, mediator.events))
            return
        except (BrokenPipeError, ConnectionResetError, EOFError):
            raise
        except Exception as exc:  # a parser bug or a hostile file: what was read is kept, the file named
            failure = machine_failure(exc, folder)
            if failure is not None:  # not the file's: the ingest stops there, as in one process
                send((MACHINE, n, str(failure)))
                return
            try:
                mediator.flush()
            except (BrokenPipeError, ConnectionResetError, EOFError):
                raise
            except Exception:
                pass
            send((FAILED, n, mediator.events, mediator.problems, f"{type(exc).__name__}: {exc}",
                  traceback.format_exc()))
            continue
        send((DONE, n, mediator.events, mediator.problems))
    send((END,))


def _build_fulltext(conn: Any, request: int, db: str, out: str, hash_bytes: int,
                    order: tuple[str, str] | None = None) -> None:
    import gc

    from workbench.core.store import fulltext_side

    gc.collect()  # what the parse left (its caches, the last batches) goes before the index takes memory
    parent = multiprocessing.parent_process()
    try:  # stops when the main process is gone (killed): nobody would install it, and it holds the database
        built = fulltext_side.build(Path(db), Path(out), hash_bytes,
                                    wanted=parent.is_alive if parent is not None else None, order=order)
    except Exception as exc:  # the main process builds the index itself then, as without a worker
        conn.send((FULLTEXT, request, None, f"{type(exc).__name__}: {exc}"))
    else:
        conn.send((FULLTEXT, request, built, None))


# ------------------------------------------------------------------------------------------ the main side


class ParseWorker:
    """A worker process and its end of the pipe, as the ingest drives it."""

    def __init__(self) -> None:
        context = multiprocessing.get_context("spawn")
        self.conn, child = context.Pipe(duplex=True)
        self.process = context.Process(target=_serve, args=(child,), name="workbench-parse", daemon=True)
        self.process.start()
        child.close()
        self.started = time.monotonic()
        self._requests = 0  # full-text builds asked of it (their answers carry the number)

    def alive(self) -> bool:
        return self.process.is_alive()

    def send(self, message: tuple[Any, ...]) -> None:
        try:
            self.conn.send(message)
        except (BrokenPipeError, ConnectionResetError, EOFError, OSError) as exc:
            raise WorkerLost(self._exitcode()) from exc

    def recv(self, timeout: float) -> tuple[Any, ...] | None:
        """The next message, or None when nothing came within ``timeout`` seconds (the worker is alive)."""
        try:
            if self.conn.poll(timeout):
                message: tuple[Any, ...] = self.conn.recv()
                return message
        except (EOFError, ConnectionResetError, BrokenPipeError, OSError) as exc:
            raise WorkerLost(self._exitcode()) from exc
        if not self.process.is_alive():
            raise WorkerLost(self._exitcode())
        return None

    def load(self, parsers_blob: bytes, timeout: float = 120.0) -> str | None:
        """Hand the worker its parsers; None when it took them, else why not (it cannot import one)."""
        self.send(("parsers", parsers_blob))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            answer = self.recv(0.1)
            if answer is None:
                continue
            if answer[0] == READY:
                return None
            if answer[0] == REFUSED:
                return str(answer[1])
        return "the reading process did not answer"

    def build_fulltext(self, db: Path, out: Path, hash_bytes: int, order: tuple[str, str] | None = None) -> int:
        """Ask for the timeline's full-text index of ``db`` to be built into ``out`` (in ``order``: see
        :func:`workbench.core.store.fulltext_side.build`); returns the request's number, which
        :meth:`fulltext_built` waits for the answer to."""
        self._requests += 1
        self.send((FULLTEXT, self._requests, str(db), str(out), int(hash_bytes), order))
        return self._requests

    def fulltext_built(self, request: int) -> tuple[int, int]:
        """(rows, highest id) of the index built for ``request``; raises :class:`WorkerLost` when the worker
        died and ``RuntimeError`` (its sentence) when it could not build it. Any other message is dropped."""
        while True:
            answer = self.recv(0.1)
            if answer is None or answer[0] != FULLTEXT or answer[1] != request:
                continue
            if answer[2] is None:
                raise RuntimeError(str(answer[3]))
            rows, top = answer[2]
            return int(rows), int(top)

    def _exitcode(self) -> int | None:
        self.process.join(1.0)
        return self.process.exitcode

    def stop(self) -> None:
        """End the process now (after a cancel, an error, or at exit): it writes nothing of the case database (at
        most its scratch full-text file, which the caller removes)."""
        try:
            if self.process.is_alive():
                self.process.kill()
            self.process.join(5.0)
        finally:
            self.conn.close()


_lock = threading.Lock()
_idle: ParseWorker | None = None


def take() -> ParseWorker:
    """A worker for one ingest: the idle one (started by :func:`prestart` or left by the last ingest), else
    a new one. Give it back with :func:`give_back` when the ingest is done with it."""
    return take_idle() or ParseWorker()


def take_idle() -> ParseWorker | None:
    """The idle worker if there is one alive (the parse's, given back, or one :func:`prestart` started),
    without starting one; give it back with :func:`give_back`."""
    global _idle
    with _lock:
        worker, _idle = _idle, None
    if worker is not None and not worker.alive():
        worker.stop()
        return None
    return worker


def give_back(worker: ParseWorker, healthy: bool) -> None:
    """Keep a healthy worker for the next ingest (a window opens more cases); stop any other."""
    global _idle
    if healthy and worker.alive():
        with _lock:
            if _idle is None:
                _idle = worker
                return
    worker.stop()


def prestart() -> None:
    """Start a worker now, so its start-up (an interpreter and the parsers' imports, a few tenths of a second)
    overlaps the catalogue and the extraction instead of delaying the parse."""
    global _idle
    with _lock:
        if _idle is not None and _idle.alive():
            return
        old, _idle = _idle, None
    if old is not None:
        old.stop()
    give_back(ParseWorker(), healthy=True)


def shutdown() -> None:
    """Stop the idle worker (tests; the interpreter's exit stops it anyway, it is a daemon)."""
    global _idle
    with _lock:
        worker, _idle = _idle, None
    if worker is not None:
        worker.stop()
