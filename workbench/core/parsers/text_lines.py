"""Plain text files of a case — the customer's description (``说明.txt``), an engineer's notes, an unknown
``.log`` — read line by line (GBK, UTF-8 or UTF-16, as Windows saved them) into ``text_lines`` so the case
search finds what the customer wrote ("蓝屏") and a viewer can show the file at a line.

They have no times, so they add no timeline rows: a text file is not on the case clock.
"""

from __future__ import annotations

from workbench.core.parsers.base import CaseFile, Mediator
from workbench.core.plugins import hookimpl
from workbench.core.textio import read_lines

TABLE = "text_lines"
DDL = {TABLE: f"CREATE TABLE IF NOT EXISTS {TABLE} (file_id INTEGER NOT NULL, line INTEGER NOT NULL, text TEXT)"}
#: Lines kept per file: a description is a page; a multi-MB unknown text is read for search up to here.
MAX_LINES = 200_000


class TextLinesParser:
    """Reads ``text`` files into ``text_lines`` (file, line number, decoded text)."""

    name = "text"
    kinds = frozenset({"text"})
    tables = DDL
    version = 1

    def parse(self, file: CaseFile, mediator: Mediator) -> None:
        rows: list[tuple[int, int, str]] = []
        for ln in read_lines(file.location):
            if ln.number % 4096 == 0:
                mediator.check(ln.offset)
                mediator.detail_rows(TABLE, ("file_id", "line", "text"), rows)
                rows = []
            if ln.number > MAX_LINES:
                mediator.problem(f"only the first {MAX_LINES} lines were kept for the search and the viewer",
                                 ln.offset)
                break
            rows.append((file.id, ln.number, ln.text))
        mediator.detail_rows(TABLE, ("file_id", "line", "text"), rows)


def search_text_lines(store: object, query: str, limit: int) -> list[tuple[int, int, str, str]]:
    """(file id, line, text, path) of the text lines holding ``query`` (case-insensitive for Latin letters;
    any script, Chinese included, since it is a substring match, not words)."""
    conn = store.conn  # type: ignore[attr-defined]
    if not query.strip() or not conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                                             (TABLE,)).fetchone():
        return []
    pattern = "%" + query.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return [tuple(r) for r in conn.execute(
        f"SELECT t.file_id, t.line, t.text, f.path FROM {TABLE} t JOIN files f ON f.id = t.file_id "
        "WHERE t.text LIKE ? ESCAPE '\\' ORDER BY t.file_id, t.line LIMIT ?", (pattern, limit))]


@hookimpl
def workbench_parsers() -> list[TextLinesParser]:
    return [TextLinesParser()]
