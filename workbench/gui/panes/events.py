"""The event logs pane: every EVTX record of the case, filtered in SQL, with details, XML and group counts.

What support engineers praise in Event Viewer, Timeline Explorer and EventLogExpert (reference/evtx.md §3),
within the house rules (a block-paged model, never a proxy over all rows):

* value lists with counts for log, level, provider and event ID (``"System (12,345)"``), Event Viewer's event
  ID syntax (``41, 6005-6009, -7036``), a time window on the case clock, full text through ``timeline_fts``;
* a group-by summary (event ID and provider, event ID, provider, log) whose rows filter when clicked;
* the text filter's words highlighted in the message column;
* a details side panel with every field, and the raw XML re-read from the file only when asked for;
* "±N minutes around the selection": the context view analysts ask of Timesketch (#60, #1470).

The pane follows the shared cursor (it scrolls to the record nearest in time) and sets it when a row is picked.
"""

from __future__ import annotations

import functools
import re
import threading
from typing import Any

from PySide6.QtCore import (
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRectF,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QAction, QFontDatabase, QPainter, QPalette, QTextCharFormat, QTextLayout
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QGridLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QSplitter,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from workbench.gui.bus import CursorBus, Selection
from workbench.gui.models.events_model import (
    E_CHANNEL,
    E_COMPUTER,
    E_EVENT,
    E_LEVEL,
    E_MESSAGE,
    E_PROVIDER,
    E_TIME,
    FACETS,
    GROUPINGS,
    R_EVENT,
    R_FILE_ID,
    R_ID,
    R_LINE,
    R_PATH,
    R_PROVIDER,
    R_SOURCE,
    R_TS,
    EventFilter,
    EventsModel,
    GroupsModel,
    parse_event_ids,
    run_counts,
)
from workbench.gui.models.labels import span_text
from workbench.gui.models.store_view import StoreView
from workbench.gui.models.timeline_model import short_path
from workbench.gui.panes.common import CaseReader, make_table, not_read_text
from workbench.gui.panes.timeline_rows import FollowsBus
from workbench.gui.theme import color

ORIGIN = "events"
#: An event this close to the moment is "at" it: no note saying how far it is.
NEAR_US = 1_000_000
#: Up to this many records the value lists and groups are counted on the GUI thread; above, in a thread.
LIVE_FACETS = 300_000
_FTS_WORDS = re.compile(r'"([^"]+)"|([^\s"()]+)')
_FTS_OPERATORS = {"AND", "OR", "NOT", "NEAR"}


def highlight_terms(query: str) -> list[str]:
    """The words of a full-text query worth highlighting: phrases whole, operators and ``-``/``*`` dropped,
    ``column:`` prefixes removed. Longest first, so a phrase wins over a word inside it."""
    terms: list[str] = []
    for phrase, word in _FTS_WORDS.findall(query):
        term = phrase or word
        if not phrase:
            if term in _FTS_OPERATORS:
                continue
            term = term.split(":", 1)[-1].strip("*^-+")
        if term and term.lower() not in (t.lower() for t in terms):
            terms.append(term)
    return sorted(terms, key=len, reverse=True)


def match_spans(text: str, terms: list[str]) -> list[tuple[int, int]]:
    """(start, length) of every case-insensitive occurrence of ``terms`` in ``text``, not overlapping."""
    if not terms or not text:
        return []
    pattern = re.compile("|".join(re.escape(t) for t in terms), re.IGNORECASE)
    return [(m.start(), m.end() - m.start()) for m in pattern.finditer(text) if m.end() > m.start()]


class HighlightDelegate(QStyledItemDelegate):
    """Paints a cell with the text filter's words on a highlight background (EventLogExpert's highlight,
    Timeline Explorer's conditional formatting), keeping the row's colours and selection."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.terms: list[str] = []

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:
        text = index.data(Qt.ItemDataRole.DisplayRole) or ""
        spans = match_spans(text, self.terms)
        if not spans:
            super().paint(painter, option, index)
            return
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        style = opt.widget.style() if opt.widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        rect = style.subElementRect(QStyle.SubElement.SE_ItemViewItemText, opt, opt.widget).adjusted(3, 0, -3, 0)
        layout = QTextLayout(text, opt.font)
        formats = []
        for start, length in spans:
            fmt = QTextCharFormat()
            fmt.setBackground(color("match_bg"))
            fmt.setForeground(color("match_fg"))
            rng = QTextLayout.FormatRange()
            rng.start, rng.length, rng.format = start, length, fmt
            formats.append(rng)
        layout.setFormats(formats)
        layout.beginLayout()
        line = layout.createLine()
        line.setLineWidth(1_000_000)  # one line, clipped at the cell's edge like the plain cells
        layout.endLayout()
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        foreground = index.data(Qt.ItemDataRole.ForegroundRole)
        painter.save()
        painter.setClipRect(rect)
        painter.setPen(opt.palette.color(role) if selected or foreground is None else foreground)
        y = rect.top() + (rect.height() - line.height()) / 2
        layout.draw(painter, QRectF(rect.left(), y, 0, 0).topLeft())
        painter.restore()


class _XmlReader(QObject):
    """Reads one record's XML off the GUI thread: it costs a pass over the file up to the record."""

    done = Signal(object, object)  # key (file_id, line), str | None

    def start(self, key: tuple[int, int], blob: str) -> None:
        def work() -> None:
            from workbench.core.parsers.evtx import record_xml

            try:
                xml = record_xml(blob, key[1])
            except Exception as exc:  # a damaged file: say so in the panel, never crash the window
                xml = f"<!-- {exc} -->"
            try:
                self.done.emit(key, xml)
            except RuntimeError:
                pass  # the pane was closed meanwhile

        threading.Thread(target=work, name="evtx-xml", daemon=True).start()


class EventsPane(FollowsBus, QWidget):
    """Filter bar above a block-paged table of EVTX records, the group summary left, the details right."""

    filtersApplied = Signal()  # after the table was re-read under new filters (tests wait on it)
    countsReady = Signal()  # after the value lists and the group summary were counted
    xmlShown = Signal()

    def __init__(self, bus: CursorBus, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("EventsPane")
        self.bus = bus
        self.origin = ORIGIN
        self._view: StoreView | None = None
        self._applying = False
        self._facet_values: dict[str, list[Any]] = {}
        self._generation = 0
        self.counting = False
        # value lists and group counts off the GUI thread: a case of millions of records stays scrollable
        self._counter = CaseReader("evtx-counts", self)
        self._counter.done.connect(self._on_counts)
        self.model = EventsModel(self)
        self.table = make_table(self.model, self)
        self.table.setObjectName("eventsTable")
        self.table.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.delegate = HighlightDelegate(self.table)
        self.table.setItemDelegateForColumn(E_MESSAGE, self.delegate)
        width = self.table.fontMetrics().horizontalAdvance
        for col, sample in EventsModel.COLUMN_SAMPLES:
            header = str(self.model.headerData(col, Qt.Orientation.Horizontal))
            self.table.setColumnWidth(col, max(width(sample), width(header)) + 18)
        # One machine per case is the rule: the Computer column starts hidden (the details show it) so the
        # message keeps the room; the header's menu brings it back for combined logs of several machines.
        self.table.setColumnHidden(E_COMPUTER, True)
        header = self.table.horizontalHeader()
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        self.computer_action = QAction(self.tr("Show the Computer column"), header)
        self.computer_action.setCheckable(True)
        self.computer_action.toggled.connect(lambda on: self.table.setColumnHidden(E_COMPUTER, not on))
        header.addAction(self.computer_action)
        self.empty = QLabel(self.tr("No event logs (EVTX) in this case."), self)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.hide()
        self._build_filters()
        self._build_groups()
        self._build_details()
        self._build_actions()

        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.addWidget(self.groups_panel)
        centre = QWidget(self)
        centre_layout = QVBoxLayout(centre)
        centre_layout.setContentsMargins(0, 0, 0, 0)
        # how far the row shown is from the moment another pane picked (the dump and process panes say it too)
        self.moment_note = QLabel(centre)
        self.moment_note.setObjectName("eventsMomentNote")
        self.moment_note.setWordWrap(True)
        self.moment_note.hide()
        centre_layout.addWidget(self.moment_note)
        centre_layout.addWidget(self.table)
        centre_layout.addWidget(self.empty)
        self.splitter.addWidget(centre)
        self.splitter.addWidget(self.details)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setStretchFactor(2, 0)
        self.splitter.setSizes([230, 866, 270])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(self.filter_bar)
        layout.addWidget(self.splitter, 1)

        self.time_column = E_TIME
        self.connect_bus()

    # ------------------------------------------------------------------------------------ building

    def _combo(self, name: str) -> QComboBox:
        box = QComboBox(self)
        box.setObjectName(f"{name}Filter")
        box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        box.setMinimumContentsLength(8)  # narrow enough for a bottom dock; the popup shows whole names
        box.activated.connect(lambda _i: self.apply())
        return box

    def _build_filters(self) -> None:
        self.log_box = self._combo("log")
        self.level_box = self._combo("level")
        self.provider_box = self._combo("provider")
        self.provider_box.setMinimumContentsLength(12)
        self.provider_box.view().setMinimumWidth(self.fontMetrics().horizontalAdvance('M' * 32))
        self.event_box = self._combo("event")
        self.event_box.setEditable(True)
        self.event_box.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.event_box.lineEdit().setPlaceholderText(self.tr("All event IDs"))
        self.event_box.setToolTip(self.tr("Event IDs: a list, ranges, and -ID to leave one out (as Event Viewer)"))
        self.event_box.lineEdit().editingFinished.connect(self.apply)
        self.text_edit = QLineEdit(self)
        self.text_edit.setObjectName("textFilter")
        self.text_edit.setPlaceholderText(self.tr("Text (words, \"phrase\", prefix*)"))
        self.text_edit.setClearButtonEnabled(True)
        self.text_edit.setMinimumWidth(self.fontMetrics().horizontalAdvance("M" * 10))
        self._text_timer = QTimer(self)
        self._text_timer.setSingleShot(True)
        self._text_timer.setInterval(400)
        self._text_timer.timeout.connect(self.apply)
        self.text_edit.textEdited.connect(lambda _t: self._text_timer.start())
        self.text_edit.returnPressed.connect(self.apply)
        self.from_edit = QLineEdit(self)
        self.from_edit.setObjectName("fromFilter")
        self.to_edit = QLineEdit(self)
        self.to_edit.setObjectName("toFilter")
        for edit, hint in ((self.from_edit, self.tr("from (case clock)")), (self.to_edit, self.tr("to"))):
            edit.setPlaceholderText(hint)
            edit.setClearButtonEnabled(True)
            edit.setMinimumWidth(self.fontMetrics().horizontalAdvance("2021-05-18 03:11") + 16)
            edit.editingFinished.connect(self.apply)
        self.minutes = QSpinBox(self)
        self.minutes.setObjectName("aroundMinutes")
        self.minutes.setRange(1, 24 * 60)
        self.minutes.setValue(5)
        self.minutes.setPrefix("± ")
        self.minutes.setSuffix(self.tr(" min"))
        self.around_button = QPushButton(self.tr("Around selection"), self)
        self.around_button.setToolTip(self.tr("Show every event within ±N minutes of the selected one"))
        self.around_button.clicked.connect(lambda: self.show_around())
        self.clear_button = QPushButton(self.tr("Clear filters"), self)
        self.clear_button.clicked.connect(self.clear_filters)
        self.count_label = QLabel(self)
        self.count_label.setObjectName("eventsCount")
        self.status_label = QLabel(self)
        self.status_label.setObjectName("eventsStatus")  # theme.apply_theme colours it (an error message)
        # a long message must not widen the bar past a narrow dock: it is cut, and whole in the tooltip
        self.status_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.status_label.setMinimumWidth(1)
        bar = QGridLayout()
        bar.setContentsMargins(4, 2, 4, 0)
        bar.setHorizontalSpacing(6)
        bar.setVerticalSpacing(2)
        bar.addWidget(QLabel(self.tr("Log"), self), 0, 0)
        bar.addWidget(self.log_box, 0, 1)
        bar.addWidget(QLabel(self.tr("Level"), self), 0, 2)
        bar.addWidget(self.level_box, 0, 3)
        bar.addWidget(QLabel(self.tr("Provider"), self), 0, 4)
        bar.addWidget(self.provider_box, 0, 5)
        bar.addWidget(QLabel(self.tr("Event ID"), self), 0, 6)
        bar.addWidget(self.event_box, 0, 7)
        bar.addWidget(self.text_edit, 0, 8, 1, 3)
        bar.addWidget(QLabel(self.tr("Time"), self), 1, 0)
        bar.addWidget(self.from_edit, 1, 1)
        bar.addWidget(QLabel("–", self), 1, 2, Qt.AlignmentFlag.AlignCenter)
        bar.addWidget(self.to_edit, 1, 3)
        bar.addWidget(self.minutes, 1, 4, Qt.AlignmentFlag.AlignRight)
        bar.addWidget(self.around_button, 1, 5, Qt.AlignmentFlag.AlignLeft)
        bar.addWidget(self.status_label, 1, 6, 1, 2)
        bar.addWidget(self.clear_button, 1, 8, Qt.AlignmentFlag.AlignLeft)
        bar.addWidget(self.count_label, 1, 9, 1, 2, Qt.AlignmentFlag.AlignRight)
        bar.setColumnStretch(5, 1)
        bar.setColumnStretch(8, 1)
        self.filter_bar = bar

    def _build_groups(self) -> None:
        self.groups_panel = QWidget(self)
        self.group_box = QComboBox(self.groups_panel)
        self.group_box.setObjectName("groupBy")
        for key, label in (("event", self.tr("Group by event ID and provider")), ("event_id", self.tr("Group by event ID")),
                           ("provider", self.tr("Group by provider")), ("channel", self.tr("Group by log"))):
            self.group_box.addItem(label, key)
        self.group_box.currentIndexChanged.connect(lambda _i: self.refresh_groups())
        self.groups_model = GroupsModel(self)
        self.groups_table = make_table(self.groups_model, self.groups_panel, stretch_last=False)
        self.groups_table.setObjectName("groupsTable")
        self.groups_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.groups_table.clicked.connect(lambda index: self.filter_to_group(index.row()))
        layout = QVBoxLayout(self.groups_panel)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.group_box)
        layout.addWidget(self.groups_table, 1)

    def _build_details(self) -> None:
        self.details = QTabWidget(self)
        self.details.setObjectName("eventDetails")
        self.fields = QTableWidget(0, 2, self.details)
        self.fields.setObjectName("eventFields")
        self.fields.setHorizontalHeaderLabels([self.tr("Field"), self.tr("Value")])
        self.fields.verticalHeader().setVisible(False)
        self.fields.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.fields.setWordWrap(True)
        self.fields.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.fields.horizontalHeader().setStretchLastSection(True)
        self.fields.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.xml_view = QPlainTextEdit(self.details)
        self.xml_view.setObjectName("eventXml")
        self.xml_view.setReadOnly(True)
        self.xml_view.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.xml_view.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.details.addTab(self.fields, self.tr("Fields"))
        self.details.addTab(self.xml_view, self.tr("XML"))
        self.details.currentChanged.connect(lambda _i: self._maybe_load_xml())
        self._xml_key: tuple[int, int] | None = None
        self._xml_loaded: tuple[int, int] | None = None
        self._xml_reader = _XmlReader(self)
        self._xml_reader.done.connect(self._on_xml)

    def _build_actions(self) -> None:
        """Right-click actions on a row (the copy action from make_table is already there)."""
        def act(text: str, slot: Any) -> QAction:
            action = QAction(text, self.table)
            action.triggered.connect(slot)
            self.table.addAction(action)
            return action

        act(self.tr("Show ±N minutes around this event"), lambda: self.show_around())
        act(self.tr("Only this provider"), lambda: self._filter_current("provider"))
        act(self.tr("Only this event ID"), lambda: self._filter_current("event_id"))
        act(self.tr("Leave out this event ID"), lambda: self._filter_current("exclude"))

    # ------------------------------------------------------------------------------------ case

    def set_view(self, view: StoreView | None) -> None:
        """Show another case (or none): every filter cleared, value lists counted again."""
        unread = view is not None and not view.complete
        if unread:
            view = None
        self._view = view
        self._generation += 1  # counts still running for the last case are dropped when they arrive
        self._facet_values = {}
        self.model.set_view(view)
        for edit in (self.text_edit, self.from_edit, self.to_edit):
            edit.clear()
        self.event_box.setEditText("")
        self._fill_facets({})
        self._set_groups(self.group_box.currentData() or "event", [])
        self.empty.setText(not_read_text() if unread else self.tr("No event logs (EVTX) in this case."))
        self.empty.setVisible(unread or (view is not None and self.model.total == 0))
        self.table.setVisible(not unread)
        self._show_details(-1)
        self.refresh_counts(facets=True)
        self._update_count()
        if self.bus.cursor is not None:
            self.show_row(self.model.row_for_time(self.bus.cursor))

    def refresh_counts(self, facets: bool = True) -> None:
        """Count the value lists (``facets``) and the group summary again for the current filter.

        The value counts follow the other filters (faceted, like EVTX Web: "how many of *these* are in
        System"). In a small case everything is counted at once; in a big one (over :data:`LIVE_FACETS`
        records) the GROUP BYs run on their own connection in a thread while the table is already usable, and
        a newer filter's counts replace an older one's (the older ones are dropped when they arrive)."""
        if self._view is None:
            return
        flt = self.model.filter
        live = self.model.total <= LIVE_FACETS
        queries = []
        if facets:
            for name in ("channel", "level", "provider", "event_id"):
                query = self.model.facet_query(name, flt.without(name))
                if query is not None:
                    queries.append(query)
        mode = self.group_box.currentData() or "event"
        group_flt = flt
        for key in GROUPINGS[mode]:
            group_flt = group_flt.without(key)
        query = self.model.groups_query(mode, group_flt)
        if query is not None:
            queries.append(query)
        self._generation += 1
        if live:
            conn = self._view.store.conn
            self._on_counts(self._generation, {q.what: run_counts(conn, q) for q in queries})
        else:
            self.counting = True
            self._counter.start(self._generation, self._view.database,
                                lambda store: {q.what: run_counts(store.conn, q) for q in queries},
                                lambda _exc: {})

    def _on_counts(self, generation: int, results: dict[str, list[tuple[Any, ...]]]) -> None:
        if generation != self._generation:
            return  # an older filter's counts
        self.counting = False
        facets = {k: v for k, v in results.items() if k in FACETS}
        if facets:
            self._fill_facets(facets)
        mode = self.group_box.currentData() or "event"
        if f"group:{mode}" in results:
            self._set_groups(mode, results[f"group:{mode}"])
        self.countsReady.emit()

    def _fill_facets(self, counts: dict[str, list[tuple[Any, ...]]]) -> None:
        """Fill the value lists as "System (12,345)", keeping what each box has picked."""
        for name, box, all_label in (("channel", self.log_box, self.tr("All logs")),
                                     ("level", self.level_box, self.tr("All levels")),
                                     ("provider", self.provider_box, self.tr("All providers")),
                                     ("event_id", self.event_box, "")):
            if name not in counts and name in self._facet_values:
                continue
            chosen = self._chosen(name)
            pairs = list(counts.get(name, []))
            if name == "level":
                pairs += self._level_presets(dict(pairs))
            values = [v for v, _n in pairs]
            if chosen is not _NOTHING and chosen not in values:
                pairs.append((chosen, 0))
                values.append(chosen)
            edit_text = box.currentText() if name == "event_id" else ""
            box.blockSignals(True)
            box.clear()
            box.addItem(all_label, None)
            for value, n in pairs:
                label = self.tr("(none)") if value is None else str(value)
                if isinstance(value, tuple):
                    label = self.tr("%1 and worse").replace("%1", value[-1])
                box.addItem(f"{label} ({n:,})")
            self._facet_values[name] = values
            if name == "event_id":
                box.setCurrentIndex(-1)
                box.setEditText(edit_text)
                box.lineEdit().setPlaceholderText(self.tr("All event IDs"))
            else:
                box.setCurrentIndex(1 + values.index(chosen) if chosen is not _NOTHING else 0)
            box.blockSignals(False)

    @staticmethod
    def _level_presets(counts: dict[Any, int]) -> list[tuple[Any, int]]:
        """Event Viewer's usual picks, "error and worse" and "warning and worse", as level-list entries whose
        value is the tuple of levels (their counts are the sums)."""
        out: list[tuple[Any, int]] = []
        for preset in (("critical", "error"), ("critical", "error", "warning")):
            out.append((preset, sum(counts.get(level, 0) for level in preset)))
        return out

    def _chosen(self, name: str) -> Any:
        """The value a facet box has picked, or ``_NOTHING`` for its "all" entry."""
        box = {"channel": self.log_box, "level": self.level_box, "provider": self.provider_box}.get(name)
        if box is None:
            return _NOTHING
        values = self._facet_values.get(name, [])
        i = box.currentIndex() - 1
        return values[i] if 0 <= i < len(values) else _NOTHING

    # ------------------------------------------------------------------------------------ filters

    def current_filter(self) -> EventFilter | None:
        """The filter the widgets describe; None (and a red message) when a field cannot be read."""
        self._say("")
        picked = {name: self._chosen(name) for name in ("channel", "level", "provider")}

        def one(name: str) -> tuple[Any, ...] | None:
            if picked[name] is _NOTHING:
                return None
            return picked[name] if isinstance(picked[name], tuple) else (picked[name],)  # a level preset

        include, exclude = None, ()
        text = self.event_box.currentText().strip()
        if text:
            m = re.fullmatch(r"(-?\d+) \([\d,]+\)", text)  # a picked value list entry: "7036 (1,234)"
            try:
                include, exclude = parse_event_ids(m.group(1) if m else text)
            except ValueError as exc:
                self._say(self.tr("Not an event ID: %1").replace("%1", str(exc)))
                return None
        times = []
        for edit in (self.from_edit, self.to_edit):
            value = edit.text().strip()
            if not value or self._view is None:
                times.append(None)
                continue
            from workbench.core.errors import UserActionRequired
            from workbench.core.timeline import parse_time

            try:
                times.append(parse_time(value, self._view.store))
            except UserActionRequired:
                self._say(self.tr("Not a time: %1").replace("%1", value))
                return None
        levels = one("level")
        return EventFilter(channels=one("channel"), levels=levels, providers=one("provider"),
                           event_ids=include, exclude_ids=exclude, start=times[0], end=times[1],
                           text=self.text_edit.text().strip())

    def apply(self) -> None:
        """Read the widgets, filter the table in SQL, and stay at the same moment (the selected record if it
        is still shown, else the nearest one to it)."""
        if self._applying:
            return
        flt = self.current_filter()
        if flt is None:
            return
        self._applying = True
        try:
            self._text_timer.stop()
            rec = self.model.record(self.current_row())
            changed = flt != self.model.filter
            self.model.set_filters(flt)
            self.delegate.terms = self._terms(flt.text)
            if self.model.error:
                self._say(self.tr("Searched as a phrase: the text is not a full-text query"))
            if changed:
                self.refresh_counts(facets=True)
            self._update_count()
            if rec is not None:
                row = self.model.row_for_id(rec[R_ID])
                if row >= 0 and self.model.id_of(row) != rec[R_ID] and rec[R_TS] is not None:
                    row = self.model.row_for_time(rec[R_TS])
                self.show_row(row)
            elif self.bus.cursor is not None:
                self.show_row(self.model.row_for_time(self.bus.cursor))
            else:
                self._show_details(-1)
        finally:
            self._applying = False
        self.filtersApplied.emit()

    def _say(self, text: str) -> None:
        self.status_label.setText(text)
        self.status_label.setToolTip(text)

    @staticmethod
    def _terms(text: str) -> list[str]:
        return highlight_terms(text) if text else []

    def choose(self, facet: str, value: Any) -> None:
        """Pick one value of ``channel``, ``level`` or ``provider`` (None: the records without one) and apply;
        the value list gains it with a zero count if the current filters hide it."""
        box = {"channel": self.log_box, "level": self.level_box, "provider": self.provider_box}[facet]
        values = self._facet_values.setdefault(facet, [])
        if value not in values:
            values.append(value)
            box.addItem(f"{self.tr('(none)') if value is None else value} (0)")
        box.setCurrentIndex(1 + values.index(value))
        self.apply()

    def set_event_ids(self, text: str) -> None:
        """Event IDs as typed in the box (``"41, 6008"``, ``"-7036"``) and apply."""
        self.event_box.setEditText(text)
        self.apply()

    def set_text(self, text: str) -> None:
        """The full-text filter (FTS5 syntax; anything else is searched as a phrase) and apply."""
        self.text_edit.setText(text)
        self.apply()

    def set_window(self, start: int | None, end: int | None) -> None:
        """A time window in UTC µs (None: open), shown on the case clock, and apply."""
        for edit, ts in ((self.from_edit, start), (self.to_edit, end)):
            edit.setText(self._view.format_ts(ts) if self._view is not None and ts is not None else "")
        self.apply()

    def clear_filters(self) -> None:
        """Every record again, at the same moment."""
        for box in (self.log_box, self.level_box, self.provider_box):
            box.setCurrentIndex(0)
        self.event_box.setEditText("")
        for edit in (self.text_edit, self.from_edit, self.to_edit):
            edit.clear()
        self.apply()
        self.bus.set_range(None)

    def show_around(self, minutes: int | None = None) -> bool:
        """Every event within ±``minutes`` (the spin box by default) of the selected record, whatever the other
        filters said: a context view keeps the record selected and shows what happened around it.
        The window also becomes the bus's range (the strip shades it). False when nothing is selected."""
        rec = self.model.record(self.current_row())
        if rec is None or rec[R_TS] is None:
            return False
        if minutes is not None:
            self.minutes.setValue(minutes)
        span = self.minutes.value() * 60_000_000
        for box in (self.log_box, self.level_box, self.provider_box):
            box.setCurrentIndex(0)
        self.event_box.setEditText("")
        self.text_edit.clear()
        start, end = rec[R_TS] - span, rec[R_TS] + span
        # the boxes show seconds: widen to whole seconds so the edges are not lost to rounding
        start -= start % 1_000_000
        end += (1_000_000 - end % 1_000_000) % 1_000_000
        self.set_window(start, end)
        self.bus.set_range((start, end))
        return True

    def _filter_current(self, what: str) -> None:
        rec = self.model.record(self.current_row())
        if rec is None:
            return
        if what == "provider":
            self.choose("provider", rec[R_PROVIDER])
        elif what == "event_id" and rec[R_EVENT] is not None:
            self.set_event_ids(str(rec[R_EVENT]))
        elif what == "exclude" and rec[R_EVENT] is not None:
            current = self.event_box.currentText().strip()
            current = "" if re.fullmatch(r"-?\d+ \([\d,]+\)", current) else current
            self.set_event_ids(", ".join(p for p in (current, f"-{rec[R_EVENT]}") if p))

    def _update_count(self) -> None:
        shown, total = self.model.rowCount(), self.model.total
        if self.model.filtered:
            self.count_label.setText(self.tr("%1 of %2 events").replace("%1", f"{shown:,}").replace("%2", f"{total:,}"))
        else:
            self.count_label.setText(self.tr("%1 events").replace("%1", f"{total:,}"))

    # ------------------------------------------------------------------------------------ groups

    def refresh_groups(self) -> None:
        """Count the summary again (another group-by mode was picked)."""
        self.refresh_counts(facets=False)

    def _set_groups(self, mode: str, rows: list[tuple[Any, ...]]) -> None:
        """Show the summary, its last key column elided at the panel's edge, and the group the filters are on
        (if they are on one) selected."""
        self.groups_model.set_groups(mode, rows)
        header = self.groups_table.horizontalHeader()
        last = self.groups_model.columnCount() - 1
        for col in range(last):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(last, QHeaderView.ResizeMode.Stretch)
        flt = self.model.filter
        current = {"provider": flt.providers, "channel": flt.channels,
                   "event_id": tuple(lo for lo, hi in flt.event_ids if lo == hi) if flt.event_ids else None}
        selection = self.groups_table.selectionModel()
        selection.blockSignals(True)
        try:
            self.groups_table.clearSelection()
            for row in range(self.groups_model.rowCount()):
                keys = self.groups_model.keys(row) or {}
                if keys and all(current.get(k) == (v,) for k, v in keys.items()):
                    self.groups_table.selectRow(row)
                    self.groups_table.scrollTo(self.groups_model.index(row, 0))
                    break
        finally:
            selection.blockSignals(False)
        self.groups_table.viewport().update()

    def filter_to_group(self, row: int) -> None:
        """Filter the table to the group at ``row`` of the summary."""
        keys = self.groups_model.keys(row)
        if keys is None:
            return
        self._applying = True  # one re-read for all of the group's keys
        try:
            if "event_id" in keys:
                self.event_box.setEditText("" if keys["event_id"] is None else str(keys["event_id"]))
            for facet in ("provider", "channel"):
                if facet in keys:
                    self.choose(facet, keys[facet])
        finally:
            self._applying = False
        self.apply()

    # ------------------------------------------------------------------------------------ details

    def _row_shown(self, row: int) -> None:
        self._show_details(row)

    def _on_moment(self, sel: Selection | None) -> None:
        """Follow the bus (:class:`FollowsBus`), then say how far the event shown is from the moment when it
        is not the moment's own row: the nearest event may be minutes away."""
        super()._on_moment(sel)
        if sel is None or sel.origin == self.origin:
            self.moment_note.hide()
            return
        rec = self.model.record(self.current_row())
        view = self._view
        if sel.ts is None or view is None or not self.model.rowCount():
            self.moment_note.hide()
            return
        if rec is None:
            self.moment_note.setText(self.tr("No event at this moment."))
        elif rec[R_ID] == sel.row_id or rec[R_TS] is None or abs(rec[R_TS] - sel.ts) < NEAR_US:
            self.moment_note.hide()
            return
        else:
            gap = span_text(abs(rec[R_TS] - sel.ts) / 1e6)
            which = self.tr("%1 after this moment") if rec[R_TS] > sel.ts else self.tr("%1 before this moment")
            self.moment_note.setText(self.tr("No event at this moment; the nearest, shown, is %1 (%2).")
                                     .replace("%1", which.replace("%1", gap))
                                     .replace("%2", view.format_ts(rec[R_TS], micro=False, basis="utc")))
        self.moment_note.show()

    def notes_evidence(self) -> dict | None:
        """"Add to notes" on events: each selected event in words (log, ID, level, provider: message), linked to
        the first, with its file, record and time."""
        ranges = sorted((r.top(), r.bottom()) for r in self.table.selectionModel().selection())
        rows = sorted({n for top, bottom in ranges for n in range(top, min(bottom, top + 19) + 1)})[:20]
        recs = [r for r in (self.model.record(n) for n in (rows or [self.current_row()])) if r is not None]
        if not recs or self._view is None:
            return None
        lines = []
        for rec in recs:  # the cells as the table shows them, in words rather than tab-separated
            cell = functools.partial(self.model.cell, rec)
            head = " ".join(x for x in (cell(E_CHANNEL), cell(E_EVENT)) if x)
            who = " · ".join(x for x in (cell(E_LEVEL), cell(E_PROVIDER)) if x)
            lines.append(f"{head} · {who}: {cell(E_MESSAGE)}")
        first = recs[0]
        return {"text": "\n".join(lines), "source": short_path(first[R_PATH]) or first[R_SOURCE],
                "file_id": first[R_FILE_ID], "line": first[R_LINE], "ts": first[R_TS], "row_id": first[R_ID]}

    def _show_details(self, row: int) -> None:
        rows = self.model.details(row) if row >= 0 else []
        self.fields.setRowCount(len(rows))
        for n, (name, value) in enumerate(rows):
            self.fields.setItem(n, 0, QTableWidgetItem(name))
            item = QTableWidgetItem(value)
            item.setToolTip(value)
            self.fields.setItem(n, 1, item)
        rec = self.model.record(row)
        self._xml_key = (int(rec[R_FILE_ID]), int(rec[R_LINE])) if rec is not None and rec[R_LINE] is not None else None
        if self._xml_key != self._xml_loaded:
            self.xml_view.setPlainText("")
            self._xml_loaded = None
        self._maybe_load_xml()

    def _maybe_load_xml(self) -> None:
        """Read the XML only when the XML tab is open: it costs a pass over the file up to the record."""
        if self.details.currentWidget() is not self.xml_view or self._xml_key is None or self._view is None:
            return
        if self._xml_loaded == self._xml_key:
            return
        self._xml_loaded = self._xml_key
        blob = self._view.store.scalar("SELECT blob FROM files WHERE id = ?", (self._xml_key[0],))
        if not blob:
            self.xml_view.setPlainText(self.tr("The file of this record is not in the case folder any more."))
            self.xmlShown.emit()
            return
        self.xml_view.setPlainText(self.tr("Reading the record from the file…"))
        self._xml_reader.start(self._xml_key, str(blob))

    def _on_xml(self, key: tuple[int, int], xml: str | None) -> None:
        if key != self._xml_key:
            return  # the user moved on; a newer read is on its way
        self.xml_view.setPlainText(xml if xml else self.tr("The record could not be read again from the file."))
        self.xmlShown.emit()

    def show_xml(self) -> None:
        """Open the XML tab (reads the selected record's XML)."""
        self.details.setCurrentWidget(self.xml_view)

    def copy_rows(self) -> str:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        return self.model.rows_as_text(rows)


_NOTHING = object()  # a facet box on its "all" entry (None is a value: records without a channel/provider)
