"""Plain text files of a case — the customer's description (``说明.txt``), an engineer's notes, an unknown
``.log`` — indexed line by line (GBK, UTF-8 or UTF-16, as Windows saved them) into ``text_lines`` so the case
search finds what the customer wrote ("蓝屏") and a viewer can show the file at a line.

They have no times, so they add no timeline rows, and they stay "skipped" in the catalogue (no parser reads
them): the index is built once, after the parse, in one transaction — an archive of a hundred thousand small
text members must not pay a parse (and a commit) per member. Bounded: each file up to :data:`MAX_LINES`
lines, all of them up to :data:`MAX_BYTES`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from workbench.core.plugins import hookimpl
from workbench.core.store import CaseStore
from workbench.core.textio import read_lines

TABLE = "text_lines"
DDL = f"CREATE TABLE IF NOT EXISTS {TABLE} (file_id INTEGER NOT NULL, line INTEGER NOT NULL, text TEXT)"
#: Kinds indexed: plain text, and the customer's description (which its own parser also reads for the verdict).
TEXT_KINDS = "('text', 'description')"
#: Lines indexed per file: a description is a page; a multi-MB unknown text is read up to here.
MAX_LINES = 200_000
#: Bytes of text files indexed in all (the largest files are left out first).
MAX_BYTES = 64 * 1024 * 1024


def index_text_files(store: CaseStore) -> int:
    """(Re)build ``text_lines`` from the case's text files; returns the lines indexed."""
    files = store.conn.execute(
        f"SELECT id, blob, size FROM files WHERE kind IN {TEXT_KINDS} AND blob IS NOT NULL ORDER BY size, id").fetchall()
    total = 0
    lines = 0
    with store.conn:
        store.conn.execute(DDL)
        store.conn.execute(f"DELETE FROM {TABLE}")
        for file_id, blob, size in files:
            total += size or 0
            if total > MAX_BYTES:
                break
            rows: list[tuple[int, int, str]] = []
            try:
                for ln in read_lines(Path(blob)):
                    if ln.number > MAX_LINES:
                        break
                    rows.append((file_id, ln.number, ln.text))
            except OSError:
                continue
            store.conn.executemany(f"INSERT INTO {TABLE} (file_id, line, text) VALUES (?, ?, ?)", rows)
            lines += len(rows)
    return lines


def search_text_lines(store: Any, query: str, limit: int) -> list[tuple[int, int, str, str]]:
    """(file id, line, text, path) of the text lines holding ``query`` (case-insensitive for Latin letters;
    any script, Chinese included, since it is a substring match, not words)."""
    conn = store.conn
    if not query.strip() or not conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                                             (TABLE,)).fetchone():
        return []
    pattern = "%" + query.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return [tuple(r) for r in conn.execute(
        f"SELECT t.file_id, t.line, t.text, f.path FROM {TABLE} t JOIN files f ON f.id = t.file_id "
        "WHERE t.text LIKE ? ESCAPE '\\' ORDER BY t.file_id, t.line LIMIT ?", (pattern, limit))]


@hookimpl
def workbench_analyze(store: CaseStore) -> None:
    index_text_files(store)
