"""Small read-only table models for the case's short tables (catalogue, problems, search hits).

The findings pane's models live in :mod:`.findings_model`.

These tables hold thousands of rows at most (the timeline, which holds millions, has its own block-paged
model), so each model reads its rows once per case into a list of tuples and answers Qt from it.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from workbench.core import search
from workbench.core.parsers.text_lines import TABLE as TEXT_TABLE
from workbench.core.parsers.text_lines import search_text_lines, text_lines_indexed
from workbench.core.problem_text import problem_text
from workbench.core.store import CaseStore
from workbench.core.store.fulltext import match_sql
from workbench.gui.i18n import ui_language
from workbench.gui.models.labels import (
    clock_basis_label,
    field_label,
    level_label,
    role_label,
    size_text,
    status_label,
)
from workbench.gui.models.store_view import StoreView, format_wall_us
from workbench.gui.models.table import HeaderedTableModel
from workbench.gui.models.timeline_model import short_path
from workbench.gui.theme import color

#: The meaning (theme.color) of each finding severity and file status shown in colour.
SEVERITY_COLORS = {"critical": "critical", "high": "error", "medium": "warning"}


STATUS_COLORS = {"failed": "error", "partial": "warning", "skipped": "muted", "cancelled": "warning",
                 "interrupted": "warning"}
SEARCH_LIMIT = 5000
#: Detail-table columns holding a UTC time in µs (evtx_records, wer_reports, dumps): shown as times, not numbers.
UTC_US_COLUMNS = frozenset({"ts", "event_time", "crash_ts"})
#: Hits in the case's text files listed after the timeline's.
TEXT_LIMIT = 500



class RowsModel(HeaderedTableModel):
    """A table of tuples with fixed headers; subclasses fill ``self._rows`` in :meth:`load`."""

    ROW_NUMBERS = False

    def __init__(self, headers: list[str], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._headers = headers
        self._rows: list[tuple[Any, ...]] = []
        self._view: StoreView | None = None

    @property
    def view(self) -> StoreView | None:
        return self._view

    def set_view(self, view: StoreView | None) -> None:
        """Read the rows of another case (or none)."""
        self._view = view
        self.refresh()

    def refresh(self) -> None:
        """Read the rows again (after an ingest stage wrote more of them)."""
        self.beginResetModel()
        try:
            self._rows = self.load(self._view) if self._view is not None else []
        except sqlite3.Error:
            self._rows = []  # the table is being rebuilt by an ingest; the next refresh reads it
        self.endResetModel()

    def load(self, view: StoreView) -> list[tuple[Any, ...]]:
        raise NotImplementedError

    def row_tuple(self, row: int) -> tuple[Any, ...] | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def display(self, rec: tuple[Any, ...], column: int) -> Any:
        value = rec[column]
        return "" if value is None else value

    def foreground(self, rec: tuple[Any, ...]) -> QColor | None:
        return None

    def row_total(self) -> int:
        return len(self._rows)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._rows)):
            return None
        rec = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            value = self.display(rec, index.column())
            return value if isinstance(value, str) else str(value)
        if role == Qt.ItemDataRole.ToolTipRole:
            value = self.display(rec, index.column())
            return value if isinstance(value, str) and len(value) > 40 else None
        if role == Qt.ItemDataRole.ForegroundRole:
            return self.foreground(rec)
        return None

    def rows_as_text(self, rows: list[int]) -> str:
        """Rows as tab-separated text, the way they read on screen, for the clipboard."""
        out = []
        for row in sorted(set(rows)):
            rec = self.row_tuple(row)
            if rec is not None:
                out.append("\t".join(str(self.display(rec, c)) for c in range(len(self._headers))))
        return "\n".join(out)


class FilesModel(RowsModel):
    """The catalogue: every file of the case, its kind, role, size, status and why."""

    COLUMNS = ("path", "kind", "role", "size", "status", "records", "reason")

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__([self.tr("Path"), self.tr("Kind"), self.tr("Role"), self.tr("Size"), self.tr("Status"),
                          self.tr("Records"), self.tr("Reason")], parent)
        self._reading: tuple[str | None, int] = (None, 0)

    def set_reading(self, path: str | None, rows: int) -> None:
        """The file the ingest is reading now, and its rows so far: the catalogue records it as pending with
        0 records until it is done, while the table already shows its rows."""
        if (path, rows) == self._reading:
            return
        before = self._reading[0]
        self._reading = (path, rows)
        for n, rec in enumerate(self._rows):
            if rec[0] is not None and rec[0] in (path, before):
                self.dataChanged.emit(self.index(n, 4), self.index(n, 5))

    def load(self, view: StoreView) -> list[tuple[Any, ...]]:
        return [tuple(r) for r in view.store.conn.execute(
            "SELECT path, kind, role, size, status, records, reason, id FROM files ORDER BY id")]

    def display(self, rec: tuple[Any, ...], column: int) -> Any:
        reading = rec[0] == self._reading[0] and rec[4] == "pending"
        if column == 4 and reading:
            return status_label("reading")
        if column == 5 and reading:
            return f"{self._reading[1]:,}"
        if column == 2:
            return role_label(rec[2])
        if column == 3:
            return size_text(rec[3])
        if column == 4:
            return status_label(rec[4])
        if column == 5 and isinstance(rec[5], int):
            return f"{rec[5]:,}"  # as the table's and the overview's counts are written
        if column == 6:  # the catalogue's reason, said as the Problems pane says its sentences
            return problem_text(rec[6] or "", ui_language())
        return super().display(rec, column)

    def foreground(self, rec: tuple[Any, ...]) -> QColor | None:
        name = STATUS_COLORS.get(rec[4] or "")
        return color(name) if name else None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.ToolTipRole and index.isValid() and index.column() in (0, 6):
            rec = self.row_tuple(index.row())  # the whole path (shown elided), the reason as the store says it
            return rec[index.column()] if rec is not None else None
        return super().data(index, role)

    def file_id(self, row: int) -> int | None:
        rec = self.row_tuple(row)
        return None if rec is None else int(rec[7])

    def row_of_file(self, file_id: int) -> int:
        return next((n for n, rec in enumerate(self._rows) if rec[7] == file_id), -1)


class ProblemsModel(RowsModel):
    """What could not be read: one row per problem the ingest recorded, naming the file."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__([self.tr("File"), self.tr("Problem")], parent)

    def load(self, view: StoreView) -> list[tuple[Any, ...]]:
        return [tuple(r) for r in view.store.conn.execute("SELECT file, error, file_id FROM problems ORDER BY id")]

    def display(self, rec: tuple[Any, ...], column: int) -> Any:
        if column == 1:  # in the interface's language; the English the store keeps is in the tooltip
            return problem_text(rec[1] or "", ui_language())
        return super().display(rec, column)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.ToolTipRole and index.isValid() and index.column() == 1:
            rec = self.row_tuple(index.row())
            return rec[1] if rec is not None else None
        return super().data(index, role)


@dataclass
class Hits:
    """What one search found: its rows as :class:`SearchModel` shows them, and what the pane says of them."""

    rows: list[tuple[Any, ...]] = field(default_factory=list)
    error: str | None = None
    truncated: bool = False
    indexing: bool = False  # the rows were read one by one: the ingest had not indexed them yet (slower)
    text_hits: int = 0  # of the rows, how many are lines of the case's text files (at the end)


def find_hits(store: CaseStore, query: str) -> Hits:
    """Full-text hits of ``query`` over the timeline, then the case's text files' lines. Touches only ``store``
    (the search pane runs it in a thread on a connection of its own while the index is being built)."""
    query = query.strip()
    if not query:
        return Hits()
    conn = store.conn
    # until the ingest has indexed the rows, they are read through a temporary index (search.py): slower
    indexing = not search.index_ready(store)

    def hits(query: str) -> list[Any]:
        if not indexing:
            sql, params = match_sql(query)
            return conn.execute(
                "SELECT t.local, t.source, t.level, t.message, t.id, t.ts, t.file_id, t.line FROM timeline t "
                f"WHERE t.id IN ({sql}) ORDER BY t.id LIMIT ?", (*params, SEARCH_LIMIT + 1)).fetchall()
        search.check_query(conn, query)
        rows = conn.execute("SELECT t.id, t.message, t.component, t.local, t.source, t.level, t.ts, t.file_id, "
                            "t.line FROM timeline t ORDER BY t.id")
        return [(r[3], r[4], r[5], r[1], r[0], r[6], r[7], r[8])
                for r in search.matching(conn, query, rows, SEARCH_LIMIT + 1)]

    try:
        rows = hits(query)
    except sqlite3.OperationalError:
        # Not valid FTS syntax (a path with a backslash, a lone quote, "0x8007..."): search it as a phrase.
        try:
            rows = hits('"' + query.replace('"', '""') + '"')
        except sqlite3.OperationalError as exc:
            return Hits(error=str(exc), indexing=indexing)
    out = [tuple(r) for r in rows[:SEARCH_LIMIT]]
    # the case's text files (the customer's description, notes): no time, listed after the timeline's hits.
    # A line that is also a timeline row without a time (the description's, which its parser reads too) is
    # listed once, as a line of its file: it opens the viewer there, as a text file's line does
    texts = {(t[0], t[1]): t for t in search_text_lines(store, query, TEXT_LIMIT)}
    timeless = [r for r in out if r[5] is None and r[6] is not None]
    if timeless:
        keys = {(r[6], r[7]) for r in timeless}
        lines = conn.execute(
            f"SELECT t.file_id, t.line, t.text, f.path FROM {TEXT_TABLE} t JOIN files f ON f.id = t.file_id "
            f"WHERE t.file_id IN ({','.join('?' * len({k[0] for k in keys}))})",
            sorted({k[0] for k in keys})).fetchall() if text_lines_indexed(store) else []
        held = {(r[0], r[1]): tuple(r) for r in lines if (r[0], r[1]) in keys}
        out = [r for r in out if (r[6], r[7]) not in held]
        texts = {**held, **texts}
    ordered = sorted(texts.values(), key=lambda t: (t[0], t[1]))
    out += [(None, short_path(path), None, text, None, None, file_id, line) for file_id, line, text, path in ordered]
    return Hits(out, None, len(rows) > SEARCH_LIMIT, indexing, len(ordered))


class SearchModel(RowsModel):
    """Full-text hits over every source (``timeline_fts``), in time order, at most :data:`SEARCH_LIMIT`."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__([self.tr("Time"), self.tr("Message"), self.tr("Source"), self.tr("Level")], parent)
        self.query = ""
        self.error: str | None = None
        self.truncated = False
        self.indexing = False  # the last search ran before the ingest indexed the rows (slower, still right)
        self.text_hits = 0  # of the rows, how many are lines of the case's text files (at the end)

    def search(self, query: str) -> None:
        self.query = query.strip()
        self.text_hits = 0
        self.refresh()

    def load(self, view: StoreView) -> list[tuple[Any, ...]]:
        return self._take(find_hits(view.store, self.query))

    def _take(self, found: Hits) -> list[tuple[Any, ...]]:
        """Keep what the pane says of ``found`` (error, truncated, indexing, text hits); its rows."""
        self.error, self.truncated, self.indexing, self.text_hits = (found.error, found.truncated, found.indexing,
                                                                     found.text_hits)
        return found.rows

    def use_view(self, view: StoreView | None) -> None:
        """Take ``view`` without reading it: the search pane searches it in a thread (no index yet)."""
        self._view = view

    def apply(self, query: str, found: Hits) -> None:
        """Show hits found elsewhere (the search pane's thread, while the index is being built)."""
        self.beginResetModel()
        self.query = query.strip()
        self._rows = self._take(found)
        self.endResetModel()

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.ToolTipRole and index.isValid() and index.column() == 1:
            rec = self.row_tuple(index.row())
            if rec is not None:  # source and level too: a narrow pane hides their columns
                return f"{rec[1]} · {level_label(rec[2])}\n{rec[3] or ''}"
        return super().data(index, role)

    def display(self, rec: tuple[Any, ...], column: int) -> Any:
        if column == 0:
            return format_wall_us(rec[0]) if rec[4] is not None else self.tr("text, line %1").replace("%1", str(rec[7]))
        if column == 1:
            return (rec[3] or "").replace("\n", " ")
        if column == 3:
            return level_label(rec[2])
        return super().display(rec, {2: 1}[column])

    def row_of_hit(self, row_id: int) -> int:
        """The row of the hit on timeline row ``row_id`` (-1: not a hit)."""
        return next((n for n, rec in enumerate(self._rows) if rec[4] == row_id), -1)

    def hit(self, row: int) -> dict[str, Any] | None:
        rec = self.row_tuple(row)
        if rec is None:
            return None
        return {"row_id": rec[4], "ts": rec[5], "file_id": rec[6], "line": rec[7], "text_file": rec[4] is None}


class DetailModel(RowsModel):
    """Field / value pairs of one timeline row: its own columns, then the rows of every parser detail table
    that joins to it on (file_id, line)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__([self.tr("Field"), self.tr("Value")], parent)
        self.row_id: int | None = None

    def show_row(self, row_id: int | None) -> None:
        self.row_id = row_id
        self.refresh()

    def load(self, view: StoreView) -> list[tuple[Any, ...]]:
        if self.row_id is None:
            return []
        conn = view.store.conn
        row = conn.execute(
            "SELECT t.ts, t.local, t.basis, t.source, f.path, t.line, t.level, t.component, t.message, t.file_id "
            "FROM timeline t LEFT JOIN files f ON f.id = t.file_id WHERE t.id = ?", (self.row_id,)).fetchone()
        if row is None:
            return []
        from workbench.core import clock

        out: list[tuple[Any, ...]] = [
            (self.tr("time (case clock)"), format_wall_us(row[1]) if row[1] is not None or row[0] is None else
             self.tr("set when the case is read to the end")),  # a row read mid-ingest: the clock comes last
            (self.tr("time (UTC)"), clock.format_us(row[0]) or ""),
            (self.tr("clock written by the source"), clock_basis_label(row[2])), (self.tr("source"), row[3]),
            (self.tr("file"), row[4]),
            (self.tr("line / record"), row[5]), (self.tr("level"), level_label(row[6])), (self.tr("component"), row[7]), (self.tr("message"), row[8]),
        ]
        for table in view.store.detail_tables():
            cols = [c[1] for c in conn.execute(f'PRAGMA table_info("{table}")')]
            if "file_id" not in cols or "line" not in cols:
                continue
            try:
                details = conn.execute(f'SELECT * FROM "{table}" WHERE file_id = ? AND line = ? LIMIT 20',
                                       (row[9], row[5])).fetchall()
            except sqlite3.Error:
                continue
            for detail in details:
                for name, value in zip(cols, detail, strict=False):
                    if name in ("file_id", "line", "id"):
                        continue
                    if isinstance(value, bytes):
                        value = value.hex(" ") if len(value) <= 64 else f"{len(value)} bytes"
                    if name == "level" and isinstance(value, str):
                        value = level_label(value)
                    if name in UTC_US_COLUMNS and isinstance(value, int):
                        value = clock.format_us(value) or value  # a time, as the row's own UTC time is shown
                    out.append((field_label(table, name), value))
        return out

    def display(self, rec: tuple[Any, ...], column: int) -> Any:
        value = rec[column]
        if isinstance(value, (dict, list)):
            return json.dumps(value, ensure_ascii=False)
        return "" if value is None else value
