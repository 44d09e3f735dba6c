"""The per-case SQLite database: the one place every source, fact and finding of a case lives.

Panes, the CLI and signatures read it; only the ingest pipeline (through the mediator) writes it, plus the
user's own choices (time zone, redaction list). WAL mode lets a GUI read while an ingest writes, and two
windows on one case wait for each other instead of corrupting it. The engineer's notes live in a database of
their own beside it (:mod:`workbench.core.store.notes_store`), so saving one never waits for an ingest.
"""

from __future__ import annotations

import itertools
import sqlite3
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlite_utils

from workbench.core.store import schema

if TYPE_CHECKING:
    from workbench.core.ahead import ReadAhead

#: Rows per multi-row INSERT (see :func:`insert_rows`); measured best between 100 and 500.
ROWS_PER_INSERT = 100


def insert_rows(conn: Any, table: str, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]) -> None:
    """Insert ``rows`` (tuples in ``columns`` order) with ``INSERT ... VALUES (...), (...), ...`` statements
    of :data:`ROWS_PER_INSERT` rows, the remainder through ``executemany``.

    Same rows, same order, same rowids as an ``executemany`` of one-row INSERTs, at about 3/4 of its cost:
    one statement step per hundred rows instead of a step, a reset and a GIL release per row.
    """
    width = len(columns)
    per = max(1, min(ROWS_PER_INSERT, 32_000 // max(width, 1)))
    head = f"INSERT INTO {table} ({', '.join(columns)}) VALUES "
    one = "(" + ", ".join("?" * width) + ")"
    chain = itertools.chain.from_iterable
    n = len(rows)
    start = 0
    if n >= per:
        full = head + ", ".join([one] * per)
        while n - start >= per:
            conn.execute(full, list(chain(rows[start:start + per])))
            start += per
    if start < n:
        conn.executemany(head + one, rows[start:])


class CaseStore:
    """A case database. Open it with :meth:`open`; it is created (empty) when missing."""

    def __init__(self, path: Path, conn: sqlite3.Connection) -> None:
        self.path = path
        self.conn = conn
        self.db = sqlite_utils.Database(conn)
        #: while an ingest's analysis runs, its :class:`~workbench.core.ahead.ReadAhead` (else None)
        self.read_ahead: ReadAhead | None = None

    # ------------------------------------------------------------------------------------------ lifecycle

    @classmethod
    def open(cls, path: Path, *, readonly: bool = False, immutable: bool = False,
             busy_timeout_ms: int = 30000) -> CaseStore:
        """Open (and create) a case database. ``busy_timeout_ms`` is how long a write waits for another
        connection's transaction (an ingest's finalize can hold one for a minute): the GUI passes a short
        one and retries, so typing never freezes the window.

        ``immutable`` (with ``readonly``) is for a case on a read-only disk: a WAL database otherwise needs
        to create its shared-memory file beside it, and cannot be opened at all there."""
        if readonly:
            uri = Path(path).resolve().as_uri() + ("?mode=ro&immutable=1" if immutable else "?mode=ro")
            conn = sqlite3.connect(uri, uri=True, check_same_thread=False)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(path, check_same_thread=False)
        conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        if not readonly:
            _enter_wal(conn, busy_timeout_ms)
            conn.execute("PRAGMA synchronous = NORMAL")
        store = cls(path, conn)
        if not readonly:
            store.create_schema()
        return store

    @contextmanager
    def bulk_writing(self) -> Iterator[None]:
        """No zeroing of freed pages during an ingest's bulk work on this connection, put back afterwards.

        The SQLite of some systems (Debian's, this one's) is built with ``secure_delete`` on: every page it
        frees is overwritten with zeros. Finalizing drops the unsorted timeline (gigabytes of zeros on a 4.7 M-row
        case: 4 s), and each FTS merge wrote zeros over the segments it replaced. What is freed here is a copy
        of rows still in the file, so zeroing it hides nothing. (``PRAGMA threads`` was tried too: no faster on
        two cores, and each sorter thread holds its own cache, +130 MiB.)
        """
        conn = self.conn
        secure = conn.execute("PRAGMA secure_delete").fetchone()[0]
        conn.execute("PRAGMA secure_delete = 0")
        try:
            yield
        finally:
            conn.execute(f"PRAGMA secure_delete = {int(secure)}")

    def create_schema(self) -> None:
        with self.conn:
            for ddl in schema.TABLES:
                self.conn.execute(ddl)
            for ddl in schema.OTHER_INDEXES:
                self.conn.execute(ddl)
            self.conn.execute(schema.FTS)

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> CaseStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------------------------------ meta

    def get_meta(self, key: str, default: str | None = None) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else default

    def set_meta(self, key: str, value: str | None) -> None:
        with self.conn:
            self.conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, value))

    # ------------------------------------------------------------------------------------------ writing

    def reset_ingested(self, parser_tables: Iterable[str] = ()) -> None:
        """Empty every table an ingest fills and drop the parsers' detail tables and the timeline's indexes (the
        ingest's rewrite of the timeline builds them; kept, every insert of the parse would update them).

        What the user made survives: any table or ``user.*`` meta key that is not the output of an ingest
        (a redaction list, ...); notes are in their own file, which this never opens. Only tables named in
        ``parser_tables`` are dropped.
        """
        with self.conn:
            for table in schema.INGESTED_TABLES:
                self.conn.execute(f"DELETE FROM {table}")
            for (index,) in self.conn.execute(  # the rewrite builds them again; the inserts need not keep them
                    "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'timeline' "
                    "AND sql IS NOT NULL").fetchall():
                self.conn.execute(f'DROP INDEX "{index}"')
            existing = set(self.detail_tables())
            for table in set(parser_tables) & existing:  # several parsers may share one table
                self.conn.execute(f"DROP TABLE IF EXISTS {table}")
            self.conn.execute(
                "DELETE FROM meta WHERE key NOT IN ('created', 'time_zone_user') AND key NOT LIKE 'user.%'")
            self.conn.execute("INSERT INTO timeline_fts(timeline_fts) VALUES ('delete-all')")

    def detail_tables(self) -> list[str]:
        """Tables beyond the core schema: parsers' detail tables and what plugins keep in the case."""
        known = {ddl.split("EXISTS", 1)[1].split("(", 1)[0].strip() for ddl in schema.TABLES}
        names = [r[0] for r in self.conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'timeline_fts%' "
            "AND name NOT LIKE 'sqlite_%'")]
        return [n for n in names if n not in known]

    def add_file(self, **row: Any) -> int:
        cur = self.conn.execute(
            f"INSERT INTO files ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})", tuple(row.values())
        )
        return int(cur.lastrowid or 0)

    def update_file(self, file_id: int, **row: Any) -> None:
        sets = ", ".join(f"{k} = ?" for k in row)
        self.conn.execute(f"UPDATE files SET {sets} WHERE id = ?", (*row.values(), file_id))

    def add_files(self, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> range:
        """Insert many catalogue rows (values in ``columns`` order) with one statement; returns their ids.

        One ``executemany`` instead of an INSERT per member: 100 000 rows in 0.6 s instead of 1.2 s.
        ``executemany`` reports no row ids, so the ids are given here, counting on from the highest one (what
        SQLite would pick); the ingest holding the case lock is the only writer of ``files``.
        """
        first = int(self.scalar("SELECT coalesce(max(id), 0) FROM files")) + 1
        names = ", ".join(("id", *columns))
        marks = ", ".join("?" * (len(columns) + 1))
        self.conn.executemany(f"INSERT INTO files ({names}) VALUES ({marks})",
                              ((first + n, *row) for n, row in enumerate(rows)))
        return range(first, first + len(rows))

    def update_files(self, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
        """Set ``columns`` on many files with one statement; each row is the values in order, then the id."""
        sets = ", ".join(f"{c} = ?" for c in columns)
        self.conn.executemany(f"UPDATE files SET {sets} WHERE id = ?", rows)

    def create_tables(self, ddls: Iterable[str]) -> None:
        """Create tables (``CREATE TABLE IF NOT EXISTS`` statements: the parsers' detail tables)."""
        with self.conn:
            for ddl in ddls:
                self.conn.execute(ddl)

    def insert_rows(self, table: str, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]) -> None:
        """Rows of ``table`` as tuples in ``columns`` order (the timeline, a parser's detail table): what a
        parser's mediator hands over (the store is a :class:`~workbench.core.parsers.base.RowSink`)."""
        insert_rows(self.conn, table, columns, rows)

    def add_problem(self, file: str, error: str, file_id: int | None = None, offset: int | None = None) -> None:
        self.conn.execute(
            "INSERT INTO problems (file_id, file, offset, error) VALUES (?, ?, ?, ?)", (file_id, file, offset, error)
        )

    def insert_timeline(self, rows: Sequence[tuple[Any, ...]]) -> None:
        """Rows of (ts, local, basis, source, file_id, line, level, component, message)."""
        self.conn.executemany(
            "INSERT INTO timeline (ts, local, basis, source, file_id, line, level, component, message) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )

    def insert_facts(self, rows: Sequence[tuple[Any, ...]]) -> None:
        """Rows of (name, value, file_id, line, ts, basis, text, weight)."""
        self.conn.executemany(
            "INSERT INTO facts (name, value, file_id, line, ts, basis, text, weight) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )

    def add_finding(self, *, rule_id: str, title: str, severity: str, summary: str | None = None,
                    remediation: str | None = None, score: float = 0.0, ts: int | None = None,
                    data: str | None = None, evidence: Iterable[dict[str, Any]] = ()) -> int:
        """Record a finding and its evidence rows (dicts with ``file_id``, ``line``, ``ts`` (UTC µs), ``text``).

        ``severity`` is critical, high, medium, low or info; ``score`` orders findings of one severity
        (higher = closer to the failure). ``data`` is a JSON text for what the finding's views need.
        """
        cur = self.conn.execute(
            "INSERT INTO findings (rule_id, title, severity, summary, remediation, score, ts, data) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (rule_id, title, severity, summary, remediation, score, ts, data),
        )
        finding_id = int(cur.lastrowid or 0)
        self.conn.executemany(
            "INSERT INTO evidence (finding_id, file_id, line, ts, text) VALUES (?, ?, ?, ?, ?)",
            [(finding_id, e.get("file_id"), e.get("line"), e.get("ts"), e.get("text")) for e in evidence],
        )
        return finding_id

    def commit(self) -> None:
        self.conn.commit()

    def empty_wal(self, wait_ms: int = 2000) -> bool:
        """Commit, copy the write-ahead log into the database file and empty it; False when that would wait
        longer than ``wait_ms`` (a reader on an older snapshot, a checkpoint under way) or the database is not
        in WAL mode.

        Why: a transaction that reads pages no longer in the log still searches the log's index for each of
        them, one block of 4096 frames after another, and a log is only started again from its beginning
        when nothing reads from it. An ingest's log grows to the size of what it wrote while the window and
        the checkpoint thread read; the rewrite in time order, which reads the whole timeline and appends
        gigabytes, then searched an index of 1.6 GB of spent frames (measured: 30.0 s for its statement
        after a log left as it was, 27.2 s after one emptied in 0.45 s)."""
        conn = self.conn
        conn.commit()
        timeout = conn.execute("PRAGMA busy_timeout").fetchone()[0]
        conn.execute(f"PRAGMA busy_timeout = {int(wait_ms)}")
        try:
            row = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        except sqlite3.Error:
            return False
        finally:
            conn.execute(f"PRAGMA busy_timeout = {int(timeout)}")
        return row is not None and row[0] == 0 and row[1] == 0

    # ------------------------------------------------------------------------------------------ reading

    def query(self, sql: str, params: Iterable[Any] = ()) -> list[sqlite3.Row]:
        cur = self.conn.execute(sql, tuple(params))
        cur.row_factory = sqlite3.Row
        return cur.fetchall()

    def iter_query(self, sql: str, params: Iterable[Any] = (), batch: int = 2000) -> Iterator[sqlite3.Row]:
        cur = self.conn.execute(sql, tuple(params))
        cur.row_factory = sqlite3.Row
        while rows := cur.fetchmany(batch):
            yield from rows

    def scalar(self, sql: str, params: Iterable[Any] = ()) -> Any:
        row = self.conn.execute(sql, tuple(params)).fetchone()
        return row[0] if row else None

    def fact(self, name: str) -> sqlite3.Row | None:
        """The strongest value recorded for fact ``name`` (highest weight, then the latest in time)."""
        rows = self.query(
            "SELECT f.*, files.path AS file FROM facts f LEFT JOIN files ON files.id = f.file_id "
            "WHERE name = ? ORDER BY weight DESC, ts IS NULL, ts DESC, f.id DESC LIMIT 1",
            (name,),
        )
        return rows[0] if rows else None


def _enter_wal(conn: sqlite3.Connection, busy_timeout_ms: int) -> None:
    """Put the database in WAL mode (it stays so in the file), waiting for another process that opens the same
    new case at the same moment.

    Changing the journal mode needs the database to itself, and there SQLite answers "database is locked" at
    once instead of waiting out the busy timeout (a wait could deadlock two connections that both hold a read
    lock). Two windows, or a window and ``workbench analyze``, opening one case for the first time hit exactly
    that; so the change is retried here until the busy timeout, and skipped when the file is already WAL.
    """
    deadline = time.monotonic() + busy_timeout_ms / 1000
    while True:
        try:
            if str(conn.execute("PRAGMA journal_mode").fetchone()[0]).lower() != "wal":
                conn.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if not ("locked" in str(exc) or "busy" in str(exc)) or time.monotonic() >= deadline:
                raise
            time.sleep(0.05)
