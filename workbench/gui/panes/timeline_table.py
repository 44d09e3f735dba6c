"""The unified timeline table: every source's rows on the case clock, following the bus cursor.

Moving the cursor (a finding, a search hit, a click on the strip) scrolls here to the nearest row; picking a
row here sets the selection (and so the cursor) for the other panes. Error lines are shaded. The filter bar
(level, source, component, text) narrows the rows in SQL through the model, never with a proxy model over
all of them; the text box waits for a pause in typing before it asks.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from workbench.gui.bus import CursorBus
from workbench.gui.models.store_view import StoreView
from workbench.gui.models.timeline_model import (
    COL_COMPONENT,
    COL_FILE,
    COL_LEVEL,
    COL_LINE,
    COL_SOURCE,
    COL_TIME,
    TimelineModel,
    short_path,
)
from workbench.gui.panes.common import add_notes_action, make_table
from workbench.gui.panes.timeline_rows import FollowsBus

ORIGIN = "timeline"
LEVEL_FILTERS: dict[str, tuple[str, ...] | None] = {
    "all": None, "warnings": ("critical", "error", "warning"), "errors": ("critical", "error")}


class _LazyComboBox(QComboBox):
    """A combo box that fills itself the first time it opens."""

    def __init__(self, fill: Callable[[], None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._fill = fill

    def showPopup(self) -> None:  # noqa: N802 (Qt API)
        self._fill()
        super().showPopup()


class TimelinePane(FollowsBus, QWidget):
    """A block-paged table over ``timeline`` that follows and sets the shared cursor."""

    def __init__(self, bus: CursorBus, parent: QWidget | None = None, *, model: TimelineModel | None = None,
                 origin: str = ORIGIN) -> None:
        super().__init__(parent)
        self.setObjectName("TimelinePane" if model is None else type(model).__name__.replace("Model", "Pane"))
        self.bus = bus
        self.origin = origin
        self.model = model if model is not None else TimelineModel(self)
        self.table = make_table(self.model, self)
        add_notes_action(self.table, bus, self.notes_evidence)
        self.table.setObjectName("timelineTable" if model is None else f"{origin}Table")
        self.table.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        hh = self.table.horizontalHeader()
        hh.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        width = self.table.fontMetrics().horizontalAdvance
        samples = getattr(self.model, "COLUMN_SAMPLES", None) or (
            (COL_TIME, "2021-05-18 03:11:02.123"), (COL_SOURCE, "setupapi"), (COL_FILE, "Rollback/setupact.log"),
            (COL_LINE, "123456"), (COL_LEVEL, "warning"), (COL_COMPONENT, "MOUPG"))
        for col, sample in samples:
            header = str(self.model.headerData(col, Qt.Orientation.Horizontal))
            self.table.setColumnWidth(col, max(width(sample), width(header)) + 18)
        self.empty = QLabel(self.tr("No timeline rows in this case yet."), self)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.hide()
        self.level_box = QComboBox(self)
        self.level_box.setObjectName("levelFilter")
        for label, key in ((self.tr("All levels"), "all"), (self.tr("Warnings and errors"), "warnings"),
                           (self.tr("Errors only"), "errors")):
            self.level_box.addItem(label, key)
        self.source_box = _LazyComboBox(self._fill_sources, self)
        self.source_box.setObjectName("sourceFilter")
        self.component_box = _LazyComboBox(self._fill_components, self)
        self.component_box.setObjectName("componentFilter")
        for box in (self.source_box, self.component_box):
            # filled after the first show: size to the items, within reason
            box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
            box.setMaximumWidth(220)
        self.text_edit = QLineEdit(self)
        self.text_edit.setObjectName("textFilter")
        self.text_edit.setPlaceholderText(self.tr("Filter: words in the message or component"))
        self.text_edit.setClearButtonEnabled(True)
        self.text_edit.setMinimumWidth(120)
        self._text_timer = QTimer(self)
        self._text_timer.setSingleShot(True)
        self._text_timer.setInterval(300)  # one query when the typing pauses, not one per key
        self._text_timer.timeout.connect(self._apply_filter)
        self.text_edit.textChanged.connect(self._text_timer.start)
        self.text_edit.returnPressed.connect(self._apply_filter)
        self.level_box.currentIndexChanged.connect(self._apply_filter)
        self.source_box.currentIndexChanged.connect(self._apply_filter)
        self.component_box.currentIndexChanged.connect(self._apply_filter)
        self.count_label = QLabel(self)
        # what the rows are while a case is still being read, or was not read to the end (set_banner)
        self.banner = QLabel(self)
        self.banner.setObjectName("timelineBanner")
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet("QLabel#timelineBanner { background: palette(alternate-base); "
                                  "border: 1px solid palette(mid); padding: 3px; }")
        self.banner.hide()
        bar = QHBoxLayout()
        bar.setContentsMargins(2, 2, 2, 0)
        bar.addWidget(QLabel(self.tr("Show:"), self))
        bar.addWidget(self.level_box)
        bar.addWidget(self.source_box)
        bar.addWidget(self.component_box)
        bar.addWidget(self.text_edit, 1)
        bar.addWidget(self.count_label)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(bar)
        layout.addWidget(self.banner)
        layout.addWidget(self.table)
        layout.addWidget(self.empty)
        self.time_column = COL_TIME
        self.connect_bus()

    def set_view(self, view: StoreView | None) -> None:
        self.model.set_view(view)
        self.empty.setVisible(view is not None and self.model.rowCount() == 0)
        self.source_box.blockSignals(True)
        self.source_box.clear()
        self.source_box.addItem(self.tr("All sources"), None)
        self.source_box.blockSignals(False)
        self._sources_filled = False  # listing sources scans the timeline: only when the box is opened
        self._reset_components()
        self.text_edit.blockSignals(True)
        self.text_edit.clear()  # words typed for another case mean nothing here
        self.text_edit.blockSignals(False)
        self._apply_filter()
        self.open_on_attempt(view)

    def open_on_attempt(self, view: StoreView | None) -> None:
        """Scroll (without moving the shared cursor) to the first row of the failed attempt, so the table
        opens where the strip does, not on a year-old deployment log's first line."""
        if view is None or not self.model.rowCount():
            return
        from workbench.core.attempt import failed_attempt

        span = failed_attempt(view.store)
        if span is None:
            return
        row = self.model.row_for_time(span.start)
        if 0 <= row < self.model.rowCount():
            self.table.doItemsLayout()  # the reset's layout is deferred: without it the scroll range is still 0
            self.table.scrollTo(self.model.index(row, COL_TIME), QAbstractItemView.ScrollHint.PositionAtTop)

    def set_banner(self, text: str | None) -> None:
        """Say above the rows what they are (a case still being read, an ingest cancelled); None hides it."""
        self.banner.setText(text or "")
        self.banner.setVisible(bool(text))

    def grow(self) -> int:
        """Append the rows an ingest wrote since the last call (see :meth:`TimelineModel.grow`)."""
        added = self.model.grow()
        if added:
            self.empty.hide()
            self.count_label.setText(self.tr("%1 rows").replace("%1", f"{self.model.rowCount():,}"))
        return added

    def _reset_components(self) -> None:
        self.component_box.blockSignals(True)
        self.component_box.clear()
        self.component_box.addItem(self.tr("All components"), None)
        self.component_box.blockSignals(False)
        self._components_filled = False  # like sources: a grouped scan, only when the box is opened

    def _fill_components(self) -> None:
        if getattr(self, "_components_filled", True):
            return
        self._components_filled = True
        self.component_box.blockSignals(True)
        for component in self.model.components():
            self.component_box.addItem(component, component)
        self.component_box.blockSignals(False)

    def _fill_sources(self) -> None:
        if getattr(self, "_sources_filled", True):
            return
        self._sources_filled = True
        self.source_box.blockSignals(True)
        for source in self.model.sources():
            self.source_box.addItem(source, source)
        self.source_box.blockSignals(False)

    def set_filter(self, levels: str = "all", source: str | None = None, component: str | None = None,
                   text: str = "") -> None:
        """Filter as the boxes do: ``levels`` is a key of :data:`LEVEL_FILTERS` (tests and menus use this)."""
        for box in (self.level_box, self.source_box, self.component_box, self.text_edit):
            box.blockSignals(True)
        try:
            self.level_box.setCurrentIndex(max(0, self.level_box.findData(levels)))
            self._fill_sources()
            self.source_box.setCurrentIndex(max(0, self.source_box.findData(source)))
            if component:
                self._fill_components()  # a grouped scan: only when a component is asked for
            found = self.component_box.findData(component) if component else 0
            if component and found < 0:  # a component outside the box's most frequent ones
                self.component_box.addItem(component, component)
                found = self.component_box.count() - 1
            self.component_box.setCurrentIndex(found)
            self.text_edit.setText(text)
        finally:
            for box in (self.level_box, self.source_box, self.component_box, self.text_edit):
                box.blockSignals(False)
        self._apply_filter()

    def _apply_filter(self) -> None:
        self._text_timer.stop()
        keep = self.model.record(self.current_row())
        self.model.set_filters(LEVEL_FILTERS.get(self.level_box.currentData() or "all"), self.source_box.currentData(),
                               self.component_box.currentData(), self.text_edit.text())
        total = self.model.rowCount()
        text = self.tr("%1 rows").replace("%1", f"{total:,}")
        if self.model.text_error:
            text = self.tr("text filter failed: %1").replace("%1", self.model.text_error)
        self.count_label.setText(text)
        if keep is not None:
            self.show_row(self.model.row_for_id(keep[0]))  # stay at the same moment
        elif self.bus.cursor is not None:
            self.show_row(self.model.row_for_time(self.bus.cursor))

    # ------------------------------------------------------------------------------------ navigation

    def go_to_error(self, forward: bool = True) -> bool:
        """Select the next (or previous) error row and tell the bus; False when there is none."""
        start = self.current_row()
        if start < 0:
            start = -1 if forward else self.model.rowCount()
        row = self.model.next_error(start, forward)
        if row < 0:
            return False
        self.table.setCurrentIndex(self.model.index(row, COL_TIME))  # user-equivalent: emits to the bus
        self.table.scrollTo(self.model.index(row, COL_TIME), QAbstractItemView.ScrollHint.PositionAtCenter)
        return True

    def notes_evidence(self) -> dict | None:
        """The selected rows (at most 20) as evidence for "Add to notes", linked to the first of them."""
        ranges = sorted((r.top(), r.bottom()) for r in self.table.selectionModel().selection())  # not selectedRows():
        rows = sorted({n for top, bottom in ranges for n in range(top, min(bottom, top + 19) + 1)})[:20]  # Ctrl+A
        rows = rows or [self.current_row()]
        recs = [r for r in (self.model.record(n) for n in rows) if r is not None]
        if not recs:
            return None
        first = recs[0]
        return {"text": "\n".join(r[8] or "" for r in recs), "source": short_path(first[4]) or first[3],
                "file_id": first[9], "line": first[5], "ts": first[1], "row_id": first[0]}

    def copy_rows(self) -> str:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        return self.model.rows_as_text(rows)
