"""What a parser is, and the mediator it hands its records to.

After plaso: a parser reads one file and never touches storage. It calls the :class:`Mediator` for each
timeline event, detail row, fact and problem; the mediator batches them and hands each batch to a
:class:`RowSink`, an interface that only takes rows. Behind it is the case store's writer, which lives with
the ingest in the process that owns the database: the store itself when a file is read in that process, or a
pipe to it when the file is read in a parse worker (:mod:`workbench.core.parse_worker`). A parser that raises
is caught by the pipeline and its file marked failed, with what it had already handed over kept.
"""

from __future__ import annotations

import gc
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from workbench.core.clock import datetime_to_us
from workbench.core.errors import IngestCancelled

LEVELS = ("critical", "error", "warning", "info", "verbose")
BATCH = 5000
#: While a file is read, what is batched is written and committed this long after the file started, then at
#: this interval: a window shows the first rows within a second, and the rest as it streams in.
FIRST_COMMIT_S = 0.15
COMMIT_EVERY_S = 0.5
TIMELINE_COLUMNS = ("ts", "local", "basis", "source", "file_id", "line", "level", "component", "message")


class RowSink(Protocol):
    """Where a mediator's batches go: rows of a table (the timeline or a parser's detail table), facts, problems.

    :class:`workbench.core.store.CaseStore` is one (rows are written at once); the parse worker's pipe is the
    other (rows go to the process that owns the database, which writes them in the order they were sent).
    """

    def insert_rows(self, table: str, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]) -> None: ...

    def insert_facts(self, rows: Sequence[tuple[Any, ...]]) -> None: ...

    def add_problem(self, file: str, error: str, file_id: int | None = None, offset: int | None = None) -> None: ...


#: New containers between two collections of the youngest generation while files are read (default 700).
GC_THRESHOLD = 100_000


@contextmanager
def few_collections() -> Iterator[None]:
    """The cyclic garbage collector run seldom while files are read (the parse stage, here or in the worker).

    Reading makes rows (tuples kept until their batch is sent) and per-record dicts by the million: with the
    default threshold (a collection every 700 new containers) the collector ran hundreds of times over the
    16,000 fixture event records, 4-8 % of the parse (measured), 4 % of a setupact.log. Nothing a parse makes
    holds a cycle, so collecting later frees nothing later; the thresholds are put back when the last of the
    parse stages running in this process (a window may ingest two cases at once) ends.
    """
    global _saved_thresholds, _parsing
    with _gc_lock:
        if _parsing == 0:
            _saved_thresholds = gc.get_threshold()
            gc.set_threshold(GC_THRESHOLD, *_saved_thresholds[1:])
        _parsing += 1
    try:
        yield
    finally:
        with _gc_lock:
            _parsing -= 1
            if _parsing == 0:
                gc.set_threshold(*_saved_thresholds)


_gc_lock = threading.Lock()
_parsing = 0  # parse stages running in this process
_saved_thresholds: tuple[int, ...] = gc.get_threshold()


@dataclass(frozen=True)
class CaseFile:
    """The file a parser is given: its catalogue id, logical path, kind, folder role and readable location,
    and the SHA-256 of its bytes when the catalogue has it (a parser may know a copy it has read before)."""

    id: int
    path: str
    kind: str
    role: str | None
    location: Path
    sha256: str | None = None


@runtime_checkable
class Parser(Protocol):
    """One module per source format.

    ``name`` is stored with every row it produces; ``kinds`` are the file kinds (from ``workbench_identify``)
    it reads; ``tables`` maps detail-table names to their ``CREATE TABLE IF NOT EXISTS`` statements;
    ``version`` is bumped when output changes, which makes existing cases re-ingest. An optional ``indexes``
    (``CREATE INDEX IF NOT EXISTS`` statements on those tables) is made with the tables, before the first file
    is read, and kept up to date by the inserts: rows come file by file, so each index grows at its end or at
    a few places, cheaper than a pass over the whole table per index afterwards.

    A parser that remembers something across the files of one case (EVTX drops records already read from
    another copy) also has ``resume(store, parsed_file_ids)``: a resumed ingest calls it before the first
    file it reads, and the parser rebuilds that memory from what the store holds for the files already
    parsed, so the rows come out as if the ingest had never stopped.
    """

    name: str
    kinds: frozenset[str]
    tables: dict[str, str]
    version: int

    def parse(self, file: CaseFile, mediator: Mediator) -> None: ...


class Mediator:
    """The go-between from one parser run to a :class:`RowSink`. Cheap to call per record: rows are batched.

    ``commit`` (when given) is called every half second while the file is read, after what is batched was
    handed over: the pipeline makes the rows so far visible to readers then.
    """

    def __init__(self, sink: RowSink, file: CaseFile, source: str,
                 cancel: Callable[[], bool] | None = None,
                 progress: Callable[[int], None] | None = None,
                 commit: Callable[[], None] | None = None) -> None:
        self.sink = sink
        self.file = file
        self.source = source
        self._cancel = cancel
        self._progress = progress
        self._commit = commit
        self._commit_at = time.monotonic() + FIRST_COMMIT_S
        self._watched: Any = None
        self._events: list[tuple[Any, ...]] = []
        self._details: dict[str, tuple[tuple[str, ...], list[tuple[Any, ...]]]] = {}
        self._facts: list[tuple[Any, ...]] = []
        self.events = 0
        self.problems = 0
        self._ticks = 0

    # ------------------------------------------------------------------------------------- records

    def event(self, *, line: int | None, message: str, level: str | None = None, component: str | None = None,
              local: int | None = None, utc: int | None = None, source: str | None = None) -> None:
        """One timeline row. Give ``local`` (wall-clock µs, as the source wrote it) or ``utc`` (µs), or neither.

        ``level`` is one of :data:`LEVELS`. Times are converted to the other clock once the case time zone
        is known (see :mod:`workbench.core.clock`).
        """
        row: tuple[Any, ...]
        if utc is not None:
            row = (utc, None, "utc", source or self.source, self.file.id, line, level, component, message)
        else:
            row = (None, local, "local", source or self.source, self.file.id, line, level, component, message)
        self._events.append(row)
        self.events += 1
        if len(self._events) >= BATCH:
            self._flush_events()

    def detail(self, table: str, row: dict[str, Any]) -> None:
        """A row of one of the parser's own tables. Every row of a table must have the same keys, in order."""
        entry = self._details.get(table)
        if entry is None:
            entry = self._details[table] = (tuple(row), [])
        entry[1].append(tuple(row.values()))
        if len(entry[1]) >= BATCH:
            self._flush_detail(table)

    def event_rows(self, rows: list[tuple[Any, ...]]) -> None:
        """Timeline rows already built, for parsers with a tight loop: each is ``(ts, local, basis, source,
        file_id, line, level, component, message)`` exactly as :meth:`event` would build it."""
        if rows:
            self._flush_events()
            self.events += len(rows)
            self.sink.insert_rows("timeline", TIMELINE_COLUMNS, rows)

    def detail_rows(self, table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
        """Rows of one of the parser's own tables already built as tuples in ``columns`` order (see
        :meth:`detail`)."""
        if rows:
            if table in self._details:
                self._flush_detail(table)
            self.sink.insert_rows(table, columns, rows)

    def fact(self, name: str, value: str | None, *, line: int | None = None, text: str | None = None,
             local: int | None = None, utc: int | None = None, weight: int = 0) -> None:
        """A fact about the machine or the upgrade (``system.os_build``, ``upgrade.result_code``, ...).

        ``text`` is the evidence line it was read from. Where sources disagree, the highest ``weight`` wins,
        then the latest time. Times are stored as given (UTC, or the local wall clock when only that is known).
        """
        ts, basis = (utc, "utc") if utc is not None else (local, "local" if local is not None else None)
        self._facts.append((name, value, self.file.id, line, ts, basis, text, weight))

    def problem(self, error: str, offset: int | None = None) -> None:
        """Something in the file could not be read; the parse goes on. ``error`` is a sentence."""
        self.problems += 1
        self.sink.add_problem(self.file.path, error, self.file.id, offset)

    # ------------------------------------------------------------------------------------- control

    def watch(self, fh: Any) -> None:
        """The binary file object the parser reads through: its position is the progress :meth:`check`
        reports when the parser gives none (for parsers whose reader hides byte offsets: csv, XML)."""
        self._watched = fh

    def check(self, position: int | None = None) -> None:
        """Call every so often: raises :class:`IngestCancelled` when asked to stop, reports progress, and
        (when the pipeline gave a ``commit``) makes the rows so far visible to readers every half second."""
        self._ticks += 1
        if self._cancel is not None and self._cancel():
            raise IngestCancelled("ingest cancelled")
        if self._commit is not None and time.monotonic() >= self._commit_at:
            self.flush()
            self._commit()
            self._commit_at = time.monotonic() + COMMIT_EVERY_S
        if self._progress is not None:
            if position is None and self._watched is not None:
                try:
                    position = self._watched.tell()
                except (OSError, ValueError):
                    position = None
            if position is not None:
                self._progress(position)

    def flush(self) -> None:
        """Hand over what is batched. Each batch is taken out before it is handed over, so a batch the store
        rejects (a value SQLite cannot hold) is dropped with its error, never written again."""
        self._flush_events()
        for table in list(self._details):
            self._flush_detail(table)
        if self._facts:
            facts, self._facts = self._facts, []
            self.sink.insert_facts(facts)

    def _flush_events(self) -> None:
        if self._events:
            rows, self._events = self._events, []
            self.sink.insert_rows("timeline", TIMELINE_COLUMNS, rows)

    def _flush_detail(self, table: str) -> None:
        columns, rows = self._details[table]
        if rows:
            self._details[table] = (columns, [])
            self.sink.insert_rows(table, columns, rows)


def wall_us(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0,
            micro: int = 0) -> int:
    """Wall-clock microseconds for a date and time with no zone (what setup logs write)."""
    from datetime import datetime

    return datetime_to_us(datetime(year, month, day, hour, minute, second, micro))
