"""The event logs as a table: the timeline's EVTX rows with their channel, provider, event id and computer.

It is the timeline model with a fixed filter (rows of EVTX files, found through the ``(file_id, line)``
index rather than a scan of ``source``) and the EVTX parser's detail table joined in; paging, lookups and
"nearest row to a time" are the timeline model's.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, Qt

from workbench.gui.models.store_view import StoreView, format_wall_us
from workbench.gui.models.timeline_model import TimelineModel

EVTX_TABLE = "evtx_records"
E_TIME, E_LEVEL, E_CHANNEL, E_PROVIDER, E_EVENT, E_COMPUTER, E_MESSAGE = range(7)


class EventsModel(TimelineModel):
    """EVTX rows in time order. Record tuples are the timeline's ten fields, then channel, provider, event id,
    computer."""

    COLUMN_SAMPLES = ((E_TIME, "2021-05-18 03:11:02.123"), (E_LEVEL, "warning"), (E_CHANNEL, "Application"),
                      (E_PROVIDER, "Microsoft-Windows-Kernel-Power"), (E_EVENT, "10016"), (E_COMPUTER, "DEMO-PC01"))

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.source = "evtx"
        self._headers = [self.tr("Time"), self.tr("Level"), self.tr("Channel"), self.tr("Provider"),
                         self.tr("Event ID"), self.tr("Computer"), self.tr("Message")]
        self._joined = False

    def set_view(self, view: StoreView | None) -> None:
        self._joined = view is not None and bool(view.store.scalar(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?", (EVTX_TABLE,)))
        super().set_view(view)

    def set_filter(self, levels: tuple[str, ...] | None = None, source: str | None = None) -> None:
        super().set_filter(levels, "evtx")  # this pane only ever shows event logs

    def source_clause(self, source: str) -> tuple[str, list[Any]]:
        return "file_id IN (SELECT id FROM files WHERE kind = 'evtx')", []

    def sources(self) -> list[str]:
        return ["evtx"]

    def select_sql(self) -> str:
        base = super().select_sql()
        if not self._joined:
            return base.replace(" FROM timeline t", ", NULL, NULL, NULL, NULL FROM timeline t", 1)
        return (base.replace(" FROM timeline t", ", e.channel, e.provider, e.event_id, e.computer FROM timeline t", 1)
                + f" LEFT JOIN {EVTX_TABLE} e ON e.file_id = t.file_id AND e.line = t.line")

    def _cell(self, rec: tuple[Any, ...], col: int) -> str:
        if col == E_TIME:
            return format_wall_us(rec[2])
        if col == E_LEVEL:
            return rec[6] or ""
        if col == E_MESSAGE:
            return (rec[8] or "").replace("\n", " ⏎ ")
        value = rec[10 + col - E_CHANNEL] if len(rec) > 10 else None
        if col == E_PROVIDER and value is None:
            value = rec[7]  # the timeline's component is the provider
        return "" if value is None else str(value)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            rec = self.record(index.row())
            return None if rec is None else self._cell(rec, index.column())
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == E_MESSAGE:
            rec = self.record(index.row())
            return None if rec is None else rec[8]
        if role == Qt.ItemDataRole.ForegroundRole:
            return super().data(index, role)
        return None

    def rows_as_text(self, rows: list[int]) -> str:
        out = []
        for row in sorted(set(rows)):
            rec = self.record(row)
            if rec is not None:
                out.append("\t".join(self._cell(rec, c) for c in range(len(self._headers))))
        return "\n".join(out)
