"""The Machines pane: a customer case's machines side by side, one column per machine.

Shows the comparison (:class:`ComparisonModel`), says while the members are read, and asks for what the
window does: show a machine in every pane (click its column's header, or double-click any of its cells), open
it in a second window, add machines, export the combined summary. The pane only emits requests; the window's
customer-case controller (:mod:`workbench.gui.customer`) acts on them, so the pane knows no other pane.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import QHeaderView, QLabel, QTableView, QToolBar, QVBoxLayout, QWidget

from workbench.gui.bus import CursorBus
from workbench.gui.i18n import ui_language
from workbench.gui.models.machines_model import ComparisonModel
from workbench.gui.models.store_view import StoreView


class MachinesPane(QWidget):
    """The comparison table and the customer case's actions."""

    machineChosen = Signal(int)  # column: show this machine in every pane
    windowRequested = Signal(int)  # column: show this machine in a second window
    addRequested = Signal()
    exportRequested = Signal()

    def __init__(self, bus: CursorBus, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("MachinesPane")
        self.bus = bus
        self.model = ComparisonModel(self)
        self.model.language = ui_language()
        self.model.section_titles = {"suspects": self.tr("Suspects common to the failures"),
                                     "software": self.tr("Other third-party software"),
                                     "findings": self.tr("Findings")}
        self.toolbar = QToolBar(self)
        self.toolbar.setObjectName("machinesTools")
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.add_action = self.toolbar.addAction(self.tr("Add machine…"), self.addRequested.emit)
        self.show_action = self.toolbar.addAction(self.tr("Show this machine"), self._show_selected)
        self.window_action = self.toolbar.addAction(self.tr("Open in a new window"), self._window_selected)
        self.export_action = self.toolbar.addAction(self.tr("Export combined summary…"), self.exportRequested.emit)
        self.summary = QLabel(self)
        self.summary.setObjectName("machinesSummary")
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status = QLabel(self)
        self.status.setObjectName("machinesStatus")
        self.table = QTableView(self)
        self.table.setObjectName("machinesTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectColumns)
        self.table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().setMaximumWidth(420)  # long finding titles are elided (full in the tooltip)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 6)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setDefaultSectionSize(220)
        header.setSectionsClickable(True)
        header.sectionClicked.connect(self.machineChosen.emit)  # a machine's header shows it in every pane
        self.table.doubleClicked.connect(self._on_double_click)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.toolbar)
        layout.addWidget(self.summary)
        layout.addWidget(self.status)
        layout.addWidget(self.table, 1)
        self.legend = QLabel(self.tr("Versions where a source gives them; ✓ present without a version; — absent; "
                                     "⚠ named the culprit on that machine. Click a machine's header to show it in "
                                     "every pane."), self)
        self.legend.setObjectName("machinesLegend")
        self.legend.setWordWrap(True)
        layout.addWidget(self.legend)
        self.status.hide()
        self._view_database: str | None = None
        self.set_comparison(None)

    # ------------------------------------------------------------------------------------ content

    def set_comparison(self, comparison: dict[str, Any] | None) -> None:
        self.model.set_comparison(comparison)
        has = comparison is not None
        for action in (self.show_action, self.window_action, self.export_action):
            action.setEnabled(has)
        if comparison is None:
            self.summary.setText(self.tr("No customer case is open. Add machines (File › Add machine to this case, "
                                         "or drop several archives on the window) to compare them side by side."))
        else:
            key = "summary_zh" if self.model.language == "zh" else "summary"
            self.summary.setText(str(comparison.get(key) or ""))
            self.table.resizeColumnsToContents()
            header = self.table.horizontalHeader()
            for column in range(self.model.columnCount()):
                header.resizeSection(column, min(max(header.sectionSize(column), 160), 320))
        self._mark_current()

    def set_progress(self, text: str | None) -> None:
        """A line saying which member is being read (None hides it)."""
        self.status.setVisible(bool(text))
        self.status.setText(text or "")

    def set_view(self, view: StoreView | None) -> None:
        """The window switched cases: mark the machine it shows, when it is one of these."""
        self._view_database = str(view.database) if view is not None else None
        self._mark_current()

    def _mark_current(self) -> None:
        current = None
        for column in range(self.model.columnCount()):
            m = self.model.machine(column)
            if m is not None and self._view_database and m.get("database") == self._view_database:
                current = column
        self.model.set_current(current)

    # ------------------------------------------------------------------------------------ requests

    def selected_column(self) -> int | None:
        index = self.table.currentIndex()
        if index.isValid():
            return index.column()
        columns = self.table.selectionModel().selectedColumns() if self.table.selectionModel() else []
        return columns[0].column() if columns else None

    def _on_double_click(self, index: QModelIndex) -> None:
        if index.isValid():
            self.machineChosen.emit(index.column())

    def _show_selected(self) -> None:
        column = self.selected_column()
        if column is not None:
            self.machineChosen.emit(column)

    def _window_selected(self) -> None:
        column = self.selected_column()
        if column is not None:
            self.windowRequested.emit(column)
