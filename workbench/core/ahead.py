"""Analysis read ahead: the read-only part of an analyzer, run on a thread while the ingest finishes the store.

Why: once the timeline is rewritten in time order and committed, the rows an analyzer like the Procmon one
reads no longer change, but its hook runs only after the full-text index is copied in and the analyzers
registered before it have run (about 4 s of the large case, the main process's alone while the parse worker
sits idle). A plugin offers that part through ``workbench_analyze_ahead`` as a function of a read-only
:class:`~workbench.core.store.CaseStore`; the ingest starts each one on a thread with a connection of its own
as soon as the rows are final, and the plugin's ``workbench_analyze`` takes the result with :func:`result`.
SQLite releases the GIL while it steps, so the reading overlaps the main connection's work on the second core.

The findings are written by the plugin's own hook, at its turn, so their ids and order do not change; outside
an ingest (a test, a resumed run that never started one) :func:`result` computes the same thing in place.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from workbench.core.store import CaseStore

log = logging.getLogger(__name__)

#: A read-ahead function: it gets a read-only store of its own (and may open more on ``store.path``).
AheadFn = Callable[[CaseStore], Any]


class ReadAhead:
    """The read-ahead functions of one ingest, each on its own thread and read-only connection."""

    def __init__(self, store: CaseStore, functions: Mapping[str, AheadFn]) -> None:
        self._futures: dict[str, Future[Any]] = {}
        self._stores: list[CaseStore] = []
        self._lock = threading.Lock()
        self._closed = False
        self._threads: list[threading.Thread] = []
        for key, fn in functions.items():
            future: Future[Any] = Future()
            self._futures[key] = future
            thread = threading.Thread(target=self._run, args=(store, fn, future), name=f"ahead {key}",
                                      daemon=True)
            self._threads.append(thread)
            thread.start()

    @classmethod
    def start(cls, store: CaseStore, offers: list[Mapping[str, AheadFn] | None]) -> ReadAhead:
        """Start every function the plugins offered (the hook's answers, each a mapping of key to function;
        a key offered twice keeps the first)."""
        functions: dict[str, AheadFn] = {}
        for offer in offers:
            for key, fn in (offer or {}).items():
                functions.setdefault(key, fn)
        return cls(store, functions)

    def _run(self, store: CaseStore, fn: AheadFn, future: Future[Any]) -> None:
        if not future.set_running_or_notify_cancel():
            return
        _owner.read_ahead = self  # for another_reader, called on this thread
        try:
            with self._reader(store.path) as reader:
                answer = fn(reader)
        except BaseException as exc:  # handed to the hook, which reads in place instead
            future.set_exception(exc)
        else:
            future.set_result(answer)

    @contextmanager
    def _reader(self, path: Path) -> Iterator[CaseStore]:
        """A read-only store on ``path``, interrupted by :meth:`close` while it is open."""
        with self._lock:
            if self._closed:
                raise RuntimeError("read ahead closed")
            reader = CaseStore.open(path, readonly=True)
            self._stores.append(reader)
        try:
            yield reader
        finally:
            with self._lock:
                self._stores.remove(reader)
            reader.close()

    def take(self, key: str) -> Future[Any] | None:
        """The future of ``key``'s function (once: a second take gets None), or None when none was started."""
        return self._futures.pop(key, None)

    def close(self) -> None:
        """Stop what still runs and wait for the threads; results not taken go.

        ``interrupt()`` stops only the statement under way (one that lands between two statements is forgotten),
        so it is repeated until the threads end: a function asks many questions with Python between them. (A
        progress handler would stop them at once, but it takes the GIL every few thousand steps of SQLite,
        which is what these threads run without.)"""
        with self._lock:
            self._closed = True
        while any(thread.is_alive() for thread in self._threads):
            with self._lock:
                for reader in self._stores:
                    try:
                        reader.conn.interrupt()
                    except sqlite3.Error:
                        pass
            for thread in self._threads:
                thread.join(0.01)
        self._futures.clear()


#: The ReadAhead whose function runs on the current thread (see :func:`another_reader`).
_owner = threading.local()


@contextmanager
def another_reader(store: CaseStore) -> Iterator[CaseStore]:
    """A second read-only store on ``store.path`` for a read-ahead function to hand to a thread of its own,
    closed after; opened on a read-ahead's thread, the ingest's stop interrupts it with the first."""
    owner: ReadAhead | None = getattr(_owner, "read_ahead", None)
    if owner is not None:
        with owner._reader(store.path) as reader:
            yield reader
        return
    with CaseStore.open(store.path, readonly=True) as reader:
        yield reader


def result(store: CaseStore, key: str, compute: AheadFn) -> Any:
    """What ``compute`` gives on ``store``: the read-ahead's answer when the ingest started one for ``key``,
    else (or when it failed) ``compute(store)`` in place, on the store's own connection."""
    ahead: ReadAhead | None = getattr(store, "read_ahead", None)
    future = ahead.take(key) if ahead is not None else None
    if future is not None:
        try:
            return future.result()
        except Exception as exc:
            log.warning("read ahead %s failed, read in place: %s: %s", key, type(exc).__name__, exc)
    return compute(store)
