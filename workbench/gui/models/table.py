"""What every flat table model of the workbench shares: fixed column headers and a row total.

Models differ in where their rows come from (a list in memory, blocks paged from the store); the Qt
bookkeeping around headers and counts is the same, and lives here once.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt


class HeaderedTableModel(QAbstractTableModel):
    """A flat table with ``self._headers``; subclasses say how many rows they have in :meth:`row_total`."""

    _headers: list[str]
    #: show 1-based row numbers in the vertical header (paged views where the position matters)
    ROW_NUMBERS = True

    def row_total(self) -> int:
        raise NotImplementedError

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self.row_total()

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._headers)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return self._headers[section] if 0 <= section < len(self._headers) else None
        return str(section + 1) if self.ROW_NUMBERS else None
