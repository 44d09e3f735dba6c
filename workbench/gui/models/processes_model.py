"""The Procmon process tree as a Qt tree model, from :func:`workbench.core.processes.process_tree`.

A capture holds hundreds of processes, not millions, so the whole tree is read once per case. Times are
kept as UTC µs (captures written in local time are put on the case clock here) so "the process alive at the
cursor" is one comparison.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timezone
from typing import Any

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QFont

from workbench.core import clock
from workbench.core.processes import ProcessNode, hex32, process_tree
from workbench.gui.models.store_view import StoreView

P_NAME, P_PID, P_START, P_END, P_EXIT, P_COMPANY, P_MARKS, P_COMMAND = range(8)
THIRD_PARTY = QColor(190, 90, 0)
ABNORMAL = QColor(200, 30, 30)


@dataclass(eq=False)
class ProcessItem:
    """A tree node: the core's process plus its UTC times and its place in the tree."""

    node: ProcessNode
    start: int | None
    end: int | None
    parent: ProcessItem | None = None
    row: int = 0
    children: list[ProcessItem] = field(default_factory=list)


class ProcessesModel(QAbstractItemModel):
    """Processes per capture, children under their parent, ordered by start time."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._headers = [self.tr("Process"), self.tr("PID"), self.tr("Start"), self.tr("End"), self.tr("Exit"),
                         self.tr("Company"), self.tr("Marks"), self.tr("Command line")]
        self._roots: list[ProcessItem] = []
        self._all: list[ProcessItem] = []
        self._view: StoreView | None = None

    def set_view(self, view: StoreView | None) -> None:
        self.beginResetModel()
        self._view = view
        self._roots, self._all = [], []
        if view is not None:
            self._roots = self._wrap(process_tree(view.store), None)
        self.endResetModel()

    def _utc(self, us: int | None, basis: str) -> int | None:
        if us is None or basis == "utc" or self._view is None or self._view.zone is None:
            return us
        wall = clock.us_to_datetime(us).replace(tzinfo=None)
        return clock.datetime_to_us(wall.replace(tzinfo=self._view.zone).astimezone(timezone.utc))

    def _wrap(self, nodes: list[ProcessNode], parent: ProcessItem | None) -> list[ProcessItem]:
        items = []
        for row, node in enumerate(nodes):
            item = ProcessItem(node, self._utc(node.start, node.basis), self._utc(node.end, node.basis), parent, row)
            self._all.append(item)
            item.children = self._wrap(node.children, item)
            items.append(item)
        return items

    # ----------------------------------------------------------------------------------- Qt model API

    def _item(self, index: QModelIndex | QPersistentModelIndex) -> ProcessItem | None:
        return index.internalPointer() if index.isValid() else None

    def index(self, row: int, column: int,
              parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> QModelIndex:  # noqa: B008
        if column < 0 or column >= len(self._headers):
            return QModelIndex()
        siblings = self._item(parent).children if parent.isValid() else self._roots
        if 0 <= row < len(siblings):
            return self.createIndex(row, column, siblings[row])
        return QModelIndex()

    def parent(self, index: QModelIndex | QPersistentModelIndex = QModelIndex()) -> QModelIndex:  # type: ignore[override]  # noqa: B008,E501
        item = self._item(index)
        if item is None or item.parent is None:
            return QModelIndex()
        return self.createIndex(item.parent.row, 0, item.parent)

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        if parent.isValid():
            return len(self._item(parent).children) if parent.column() == 0 else 0
        return len(self._roots)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return len(self._headers)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal \
                and 0 <= section < len(self._headers):
            return self._headers[section]
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        item = self._item(index)
        if item is None:
            return None
        n = item.node
        if role == Qt.ItemDataRole.DisplayRole:
            col = index.column()
            if col == P_NAME:
                return n.name
            if col == P_PID:
                return "" if n.pid is None else str(n.pid)
            if col in (P_START, P_END):
                us = item.start if col == P_START else item.end
                return self._view.format_ts(us) if self._view is not None and us is not None else ""
            if col == P_EXIT:
                return hex32(n.exit_status) or ""
            if col == P_COMPANY:
                return n.company
            if col == P_MARKS:
                return ", ".join(n.marks)
            if col == P_COMMAND:
                return n.command_line
            return None
        if role == Qt.ItemDataRole.ToolTipRole and index.column() in (P_NAME, P_COMMAND):
            return n.image or n.command_line or None
        if role == Qt.ItemDataRole.ForegroundRole:
            if n.abnormal_exit:
                return ABNORMAL
            if n.third_party:
                return THIRD_PARTY
            return None
        if role == Qt.ItemDataRole.FontRole and n.setup and index.column() == P_NAME:
            font = QFont()
            font.setBold(True)
            return font
        return None

    # ----------------------------------------------------------------------------------- lookups

    def item(self, index: QModelIndex | QPersistentModelIndex) -> ProcessItem | None:
        return self._item(index)

    def index_of(self, item: ProcessItem) -> QModelIndex:
        return self.createIndex(item.row, 0, item)

    def alive_at(self, ts: int) -> ProcessItem | None:
        """The process running at ``ts`` that started last (the most specific one), else the last to start
        before it."""
        alive = [i for i in self._all if i.start is not None and i.start <= ts and (i.end is None or ts <= i.end)]
        if not alive:
            alive = [i for i in self._all if i.start is not None and i.start <= ts]
        return max(alive, key=lambda i: (i.start, i.node.process)) if alive else None
