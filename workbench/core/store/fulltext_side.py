"""The timeline's full-text index built beside the case database by the other core, then copied in.

Why: building ``timeline_fts`` is a fifth of finalizing a large case (12 s of 7 M rows), and the process that
owns the database spends that time alone while the parse worker waits. FTS5 keeps an index in two shadow
tables (``<name>_data``: the segments, ``<name>_idx``: their keys) whose bytes depend only on the rows indexed,
their order, the columns and the tokenizer options. So the worker reads the timeline (a WAL reader, it writes
nothing there) into a contentless FTS5 table of the same columns and options in a file of its own
(:func:`build`), in the order the owner is rewriting it in and under the ids the rewrite gives, while the owner
rewrites it; the owner then copies the two shadow tables into ``timeline_fts`` (:func:`install`) in a fraction
of the build. Built both ways from the same rows, the shadow tables are byte for byte the same but for the
structure record's first four bytes, a counter of changes (tests/unit/test_fulltext_side.py); the ingest gives
the worker a smaller term buffer than it uses in place (``ingest.FTS_SIDE_HASH_BYTES``, for memory), which cuts
the same postings into other segments.

The copy is made by a connection of its own: FTS5 caches an index's structure per connection and notices a
change only when another connection commits one, so the owner's connection reads the copied index afresh.
What the side file was built from (rows, highest id) is written into it with the index and checked against
the timeline before the copy, so an index of other rows (a stale file, another run's) is never installed.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from pathlib import Path

from workbench.core.store import schema as S

__all__ = ["build", "install", "remove", "side_path"]

log = logging.getLogger(__name__)

#: The side table's name: its shadow tables are named as the case's are.
_NAME = "timeline_fts"
#: SQLite virtual-machine steps between two checks that the build is still wanted (a few per millisecond).
_CHECK_EVERY = 100_000


def side_path(db: Path) -> Path:
    """Where the side index of the case database ``db`` is built: beside it, in the case's own folder."""
    return Path(db).with_name("fulltext-side.sqlite")


def _files(out: Path) -> tuple[Path, Path]:
    """The side file and the journal SQLite may leave beside it."""
    out = Path(out)
    return out, out.with_name(out.name + "-journal")


def build(db: Path, out: Path, hash_bytes: int, wanted: Callable[[], bool] | None = None,
          order: tuple[str, str] | None = None) -> tuple[int, int]:
    """Index the timeline of ``db`` into a new file ``out`` (replaced if a stopped run left one); returns (rows,
    highest id) indexed, also written into ``out``. ``db`` is only read: one read transaction, a snapshot of the
    committed timeline. ``wanted`` is asked now and then; when it says no (the process that asked is gone)
    the build stops with ``sqlite3.OperationalError``.

    ``order``, when given, is the order the timeline is about to be rewritten in, as (a query over the
    unqualified table ``timeline`` giving ``message``, ``component`` and the columns the terms name, the ORDER
    BY terms: a total order): the rows are indexed in that order under the ids the rewrite gives them, 1 to n,
    so the index is built while the rewrite runs instead of after it. Read before or after the rewrite, the
    sequence is the same (the terms give each row the same place in both)."""
    for leftover in _files(out):  # raises when one cannot go (held by a killed run's worker): built in place then
        leftover.unlink(missing_ok=True)
    conn = sqlite3.connect(out, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode = OFF")  # a scratch file: a failed build is thrown away, not rolled back
        conn.execute("PRAGMA synchronous = OFF")
        conn.execute("PRAGMA secure_delete = 0")  # FTS5's merges free pages of a file thrown away afterwards
        if wanted is not None:
            conn.set_progress_handler(lambda: 0 if wanted() else 1, _CHECK_EVERY)
        conn.execute("ATTACH DATABASE ? AS src", (str(db),))
        conn.execute(f"CREATE VIRTUAL TABLE main.{_NAME} USING fts5({S.FTS_COLUMNS}, content='', {S.FTS_OPTIONS})")
        conn.execute(f"INSERT INTO main.{_NAME}({_NAME}, rank) VALUES ('hashsize', ?)", (int(hash_bytes),))
        conn.execute("CREATE TABLE main.built_from (rows INTEGER NOT NULL, top INTEGER NOT NULL)")
        conn.execute("BEGIN")
        if order is None:
            rows, top = conn.execute("SELECT count(*), coalesce(max(id), 0) FROM src.timeline").fetchone()
            conn.execute(f"INSERT INTO main.{_NAME}(rowid, message, component) "
                         "SELECT id, message, component FROM src.timeline ORDER BY id")
        else:  # ``timeline`` resolves to src's: this file has no table of that name
            source, terms = order
            rows = top = conn.execute("SELECT count(*) FROM src.timeline").fetchone()[0]
            conn.execute(f"INSERT INTO main.{_NAME}(rowid, message, component) SELECT row_number() OVER "
                         f"(ORDER BY {terms}), message, component FROM ({source}) ORDER BY {terms}")
        conn.execute("INSERT INTO main.built_from VALUES (?, ?)", (rows, top))
        conn.execute("COMMIT")
        conn.execute("DETACH DATABASE src")
        return int(rows), int(top)
    finally:
        conn.close()


def remove(out: Path) -> None:
    """Delete the side file; one still open elsewhere (Windows: a worker of a run that was killed) is left to
    the next build, which replaces it."""
    for path in _files(out):
        try:
            path.unlink(missing_ok=True)
        except OSError as exc:
            log.info("side index %s not removed: %s", path, exc)


def install(db: Path, out: Path, built: tuple[int, int], hash_bytes: int) -> None:
    """Replace the index of ``timeline_fts`` in ``db`` by the one built in ``out``, in one transaction of a
    connection of its own. Raises ``ValueError`` when the side index is not of this timeline (other rows, other
    options) and ``sqlite3.Error`` when the copy fails; the database is then as it was."""
    conn = sqlite3.connect(db, isolation_level=None, timeout=30)
    try:
        conn.execute("PRAGMA secure_delete = 0")  # the old index's pages hold nothing the file does not hold
        # as the ingest's own connection: the write-ahead log is copied by its checkpoint thread, not by this
        # commit in the main thread
        conn.execute("PRAGMA wal_autocheckpoint = 0")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("ATTACH DATABASE ? AS side", (str(out),))
        conn.execute("BEGIN IMMEDIATE")
        try:
            have = tuple(conn.execute("SELECT count(*), coalesce(max(id), 0) FROM main.timeline").fetchone())
            inside = tuple(conn.execute("SELECT rows, top FROM side.built_from").fetchone() or (None, None))
            if not have == inside == tuple(built):
                raise ValueError(f"the side index holds {inside[0]} rows up to id {inside[1]} (its builder said "
                                 f"{built[0]} up to {built[1]}), the timeline {have[0]} up to {have[1]}")
            versions = [conn.execute(f"SELECT v FROM {schema}.{_NAME}_config WHERE k = 'version'").fetchone()
                        for schema in ("main", "side")]
            if versions[0] != versions[1]:
                raise ValueError(f"the side index is of FTS5 version {versions[1]}, the case's {versions[0]}")
            conn.execute(f"INSERT INTO main.{_NAME}({_NAME}, rank) VALUES ('hashsize', ?)", (int(hash_bytes),))
            for shadow in ("data", "idx"):
                conn.execute(f"DELETE FROM main.{_NAME}_{shadow}")
                conn.execute(f"INSERT INTO main.{_NAME}_{shadow} SELECT * FROM side.{_NAME}_{shadow}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    finally:
        conn.close()
