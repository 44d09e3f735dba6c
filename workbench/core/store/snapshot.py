"""A consistent single-file copy of an open SQLite database: what a case bundle carries."""

from __future__ import annotations

import sqlite3
from pathlib import Path


def copy_database(conn: sqlite3.Connection, target: Path) -> None:
    """Copy the database ``conn`` has open to ``target``, compacted, in one snapshot.

    ``VACUUM INTO`` reads one snapshot, write-ahead log included: a write committed meanwhile by another
    connection neither waits for it nor tears it. The copy is switched to the rollback journal, so it is one
    file with no ``-wal``/``-shm`` to carry along, and opens like any database.
    """
    target.unlink(missing_ok=True)
    conn.execute("VACUUM INTO ?", (str(target),))
    copy = sqlite3.connect(target)
    try:
        copy.execute("PRAGMA journal_mode = DELETE")
    finally:
        copy.close()
