"""The Procmon process tree: who started whom, how each ended, which are not Microsoft's, who got in
Setup's way, and what each process did.

Left, in two tabs: the tree (Setup family badged blue "S", third-party orange "3", abnormal exits in red)
and the interference view (the core's ``procmon.*`` findings with their events). Right: the selected process's
fields, its modules, and its events (block-paged) with the full details and stack of the selected event,
read from the capture on demand.

Selecting a process, an event or an interference row moves the shared cursor; a cursor moved elsewhere
selects the process of the event at that moment (else the process alive then) and its nearest event.
"""

from __future__ import annotations

import html
import time
from typing import Any

from PySide6.QtCore import QEvent, QItemSelectionModel, QModelIndex, Qt, QTimer
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QSplitter,
    QTabWidget,
    QTextBrowser,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from workbench.gui.bus import CursorBus, Selection
from workbench.gui.models.processes_model import (
    P_COMMAND,
    P_EXIT,
    P_NAME,
    InterferenceModel,
    ModulesModel,
    ProcessesModel,
    ProcessItem,
    lifetime_text,
    status_text,
)
from workbench.gui.models.procmon_events_model import E_PATH, ProcmonEventsModel, read_details
from workbench.gui.models.store_view import StoreView
from workbench.gui.panes.common import make_table, not_read_text
from workbench.gui.panes.timeline_rows import REPUBLISH_S
from workbench.gui.theme import style_tag

ORIGIN = "processes"
EVENTS_TAB = 2
DETAILS_DELAY_MS = 120  # keyboard scrolling through events reads the capture once, when it stops


class ProcessesPane(QWidget):
    """Tree, interference view and the selected process's details, on the bus."""

    def __init__(self, bus: CursorBus, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ProcessesPane")
        self.bus = bus
        self._view: StoreView | None = None
        self._programmatic = False

        self.model = ProcessesModel(self)
        self.tree = QTreeView(self)
        self.tree.setObjectName("processTree")
        self.tree.setModel(self.model)
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(True)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.tree.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.tree.header().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.tree.header().setStretchLastSection(True)
        self._add_copy(self.tree, lambda: self.model.rows_as_text(
            [i for i in (self.model.item(x) for x in self.tree.selectionModel().selectedRows()) if i is not None]))

        self.interference = InterferenceModel(self)
        self.interference_view = QTreeView(self)
        self.interference_view.setObjectName("interferenceView")
        self.interference_view.setModel(self.interference)
        self.interference_view.setUniformRowHeights(True)
        self.interference_view.setAlternatingRowColors(True)
        self.interference_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.interference_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.interference_view.header().setStretchLastSection(True)
        self.interference_label = QLabel(self)
        self.interference_label.setObjectName("interferenceLabel")
        lower = QWidget(self)
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 2, 0, 0)
        lower_layout.setSpacing(2)
        lower_layout.addWidget(self.interference_label)
        lower_layout.addWidget(self.interference_view)

        # tabs, not a splitter: docked at the bottom of the window the pane is a few rows high, and both
        # the tree and the interference view need every row of it
        self.left_tabs = QTabWidget(self)
        self.left_tabs.setObjectName("processLeftTabs")
        self.left_tabs.addTab(self.tree, self.tr("Process tree"))
        self.left_tabs.addTab(lower, self.tr("Interference"))
        left = self.left_tabs

        self.info = QTextBrowser(self)
        self.info.setObjectName("processInfo")
        self.info.setOpenLinks(False)
        self.info.anchorClicked.connect(lambda url: self._on_info_link(url.toString()))
        self.modules = ModulesModel(self)
        self.modules_table = make_table(self.modules, self)
        self.modules_table.setObjectName("modulesTable")
        self.events = ProcmonEventsModel(self)
        self.events_table = make_table(self.events, self)
        self.events_table.setObjectName("processEvents")
        self.events_table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.events_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.event_details = QTextBrowser(self)
        self.event_details.setObjectName("eventDetails")
        events_split = QSplitter(Qt.Orientation.Vertical, self)
        events_split.addWidget(self.events_table)
        events_split.addWidget(self.event_details)
        events_split.setStretchFactor(0, 3)
        events_split.setStretchFactor(1, 2)
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("processTabs")
        self.tabs.addTab(self.info, self.tr("Process"))
        self.tabs.addTab(self.modules_table, self.tr("Modules"))
        self.tabs.addTab(events_split, self.tr("Events"))

        self.split = QSplitter(Qt.Orientation.Horizontal, self)
        self.split.addWidget(left)
        self.split.addWidget(self.tabs)
        self.split.setStretchFactor(0, 3)
        self.split.setStretchFactor(1, 2)
        self.empty = QLabel(self.tr("No Procmon capture in this case."), self)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.hide()
        # the answer to a moment the capture has nothing at (no stale process is left selected)
        self.moment_note = QLabel(self)
        self.moment_note.setObjectName("processMomentNote")
        self.moment_note.setWordWrap(True)
        self.moment_note.hide()
        self.moment: int | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.moment_note)
        layout.addWidget(self.split)
        layout.addWidget(self.empty)

        self._details_timer = QTimer(self)
        self._details_timer.setSingleShot(True)
        self._details_timer.setInterval(DETAILS_DELAY_MS)
        self._details_timer.timeout.connect(self._load_event_details)
        self._details_stale = False
        self._published: tuple[QAbstractItemView, float] | None = None
        self.tabs.currentChanged.connect(
            lambda index: self._load_event_details() if index == EVENTS_TAB and self._details_stale else None)
        self.tree.selectionModel().currentRowChanged.connect(self._on_current)
        self.events_table.selectionModel().currentRowChanged.connect(self._on_event)
        self.interference_view.selectionModel().currentRowChanged.connect(
            lambda cur, _prev: self._on_interference(cur))
        self.interference_view.clicked.connect(self._on_interference)
        # a click on the process or event already selected publishes it again (other panes may have moved on)
        self.tree.clicked.connect(lambda index: self._republish(index, self.tree, self._on_current))
        self.events_table.clicked.connect(lambda index: self._republish(index, self.events_table, self._on_event))
        bus.momentChanged.connect(self._on_moment)

    @staticmethod
    def _add_copy(view: QAbstractItemView, text: Any) -> None:
        action = QAction(view.tr("Copy rows"), view)
        action.setShortcut(QKeySequence.StandardKey.Copy)
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        action.triggered.connect(lambda: QGuiApplication.clipboard().setText(text() or ""))
        view.addAction(action)
        view.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)

    # -------------------------------------------------------------------------------------- loading

    def set_view(self, view: StoreView | None) -> None:
        """Show another case (or none)."""
        self._details_timer.stop()  # a pending read must not reach a store that is being closed
        unread = view is not None and not view.complete
        if unread:
            view = None
        self._view = view
        self.model.set_view(view)
        self.events.set_view(view)
        self.modules.show(None, None)
        self.interference.set_view(view, self.model)
        self.info.clear()
        self.event_details.clear()
        self.moment = None
        self.moment_note.hide()
        has = self.model.rowCount() > 0
        self.split.setVisible(not unread and (has or view is None))
        self.empty.setText(not_read_text() if unread else self.tr("No Procmon capture in this case."))
        self.empty.setVisible(unread or (view is not None and not has))
        n = self.interference.findings
        self.interference_view.setVisible(n > 0)
        self.left_tabs.setTabText(1, self.tr("Interference (%1)").replace("%1", str(n)))
        self.interference_label.setText(
            self.tr("Interference with Setup: %1 finding(s)").replace("%1", str(n)) if n else
            self.tr("Interference with Setup: nothing found in the capture"))
        if has:
            self.tree.expandAll()  # hundreds of processes at most; the Setup chain is deep (6+ levels)
            for col in range(self.model.columnCount()):
                if col != P_COMMAND:
                    self.tree.resizeColumnToContents(col)
            # the exit status is drawn bold when abnormal: leave room so 0xC0000005 is never elided
            self.tree.setColumnWidth(P_EXIT, self.tree.columnWidth(P_EXIT) + 16)
            # deep trees (services → svchost → ...) indent far: keep the numbers in sight, names elide
            self.tree.setColumnWidth(P_NAME, min(max(self.tree.columnWidth(P_NAME), 220), 380))
            self.tree.setColumnWidth(P_COMMAND, 360)
            self.interference_view.expandAll()
            for col in range(self.interference.columnCount() - 1):
                self.interference_view.resizeColumnToContents(col)
            self.interference_view.collapseAll()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt API)
        """A theme switch: lay the HTML out again in the new colours (links included)."""
        super().changeEvent(event)
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            self._restyle()

    def _restyle(self) -> None:
        item = self.current_item()
        self.info.setHtml(self._info_html(item) if item is not None else "")

    def current_item(self) -> ProcessItem | None:
        return self.model.item(self.tree.currentIndex())

    # -------------------------------------------------------------------------------------- showing

    def show_process(self, item: ProcessItem | None, *, ts: int | None = None, line: int | None = None) -> None:
        """Select ``item`` in the tree (without telling the bus), fill the details, and select its event at
        ``line`` or else the one nearest ``ts``."""
        self._programmatic = True
        try:
            if item is not None and item is not self.current_item():
                index = self.model.index_of(item)
                self.tree.selectionModel().setCurrentIndex(
                    index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
                self.tree.scrollTo(index, QAbstractItemView.ScrollHint.EnsureVisible)
            self._fill(item)
            row = self.events.row_for_line(line) if line is not None else -1
            if row < 0 and ts is not None:
                row = self.events.row_for_time(ts)
            if row >= 0:
                self.select_event_row(row)
        finally:
            self._programmatic = False

    def select_event_row(self, row: int) -> None:
        index = self.events.index(row, 0)
        self.events_table.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
        self.events_table.scrollTo(index, QAbstractItemView.ScrollHint.PositionAtCenter)

    def _fill(self, item: ProcessItem | None) -> None:
        key = item.key if item is not None and not item.placeholder else None
        if key == self.events.key and key is not None:
            return
        self.events.show_process(key)
        self.modules.show(self._view, key)
        self.event_details.clear()
        self.info.setHtml(self._info_html(item) if item is not None else "")
        self.tabs.setTabText(1, self.tr("Modules (%1)").replace("%1", str(self.modules.rowCount())))
        self.tabs.setTabText(2, self.tr("Events (%1)").replace("%1", f"{self.events.rowCount():,}"))
        if self.modules.rowCount():
            self.modules_table.resizeColumnsToContents()
        if self.events.rowCount():
            self.events_table.resizeColumnsToContents()
            self.events_table.setColumnWidth(E_PATH, min(self.events_table.columnWidth(E_PATH), 420))

    def _info_html(self, item: ProcessItem) -> str:
        if item.placeholder:
            return "<p>" + html.escape(self.model.display(item, P_NAME)) + ": " + html.escape(self.tr(
                "processes whose parent exited before the capture started, or is not in it.")) + "</p>"
        n = item.node
        view = self._view
        row: dict[str, Any] = {}
        if view is not None:
            found = view.store.query("SELECT * FROM procmon_processes WHERE file_id = ? AND process = ?", n.key)
            row = dict(found[0]) if found else {}
        start, end = (view.format_ts(us, basis=item.node.basis) if view is not None and us is not None else ""
                      for us in (item.start, item.end))
        parent = self.model.by_key(n.parent) if n.parent else None
        marks = []
        if n.setup:
            marks.append('<span class="setup"><b>' + html.escape(self.tr("Setup family")) + "</b></span>")
        if n.third_party:
            marks.append('<span class="third"><b>' + html.escape(self.tr("third-party")) + "</b></span>")
        if n.suspect:
            marks.append('<span class="abnormal"><b>' + html.escape(self.tr(
                "suspect: the findings blame it (it put code into Setup, or kept Setup from its files)"))
                + "</b></span>")
        exit_html = html.escape(status_text(n.exit_status) or (self.tr("still running at the end of the capture")
                                                                if n.end is None else ""))
        if n.abnormal_exit:
            exit_html = f'<span class="abnormal"><b>{exit_html}</b></span>'
        bitness = row.get("is_64bit")
        fields: list[tuple[str, str]] = [
            (self.tr("Image"), html.escape(n.image)),
            (self.tr("PID"), html.escape(str(n.pid) if n.pid is not None else "")),
            (self.tr("Parent"), (f'<a href="process:{parent.key[0]}:{parent.key[1]}">'
                                 f"{html.escape(parent.node.name)} (PID {parent.node.pid})</a>") if parent else
             html.escape(f"PID {n.parent_pid} ({self.tr('not in the capture')})" if n.parent_pid else "")),
            (self.tr("Command line"), f"<code>{html.escape(n.command_line)}</code>"),
            (self.tr("User"), html.escape(n.user)),
            (self.tr("Integrity"), html.escape(n.integrity)),
            (self.tr("Session"), html.escape("" if row.get("session") is None else str(row["session"]))),
            (self.tr("Architecture"), "" if bitness is None else ("64-bit" if bitness else "32-bit")),
            (self.tr("Company"), html.escape(n.company)),
            (self.tr("Description"), html.escape(n.description)),
            (self.tr("Version"), html.escape(n.version)),
            (self.tr("Start"), html.escape(start)),
            (self.tr("End"), html.escape(end)),
            (self.tr("Lifetime"), html.escape(lifetime_text(n.lifetime_s))),
            (self.tr("Exit status"), exit_html + (f' &nbsp; <a href="line:{n.exit_line}">'
                                                  + html.escape(self.tr("go to the exit event")) + "</a>"
                                                  if n.exit_line is not None else "")),
            (self.tr("Marks"), ", ".join(marks)),
            (self.tr("Events"), html.escape(", ".join(f"{k} {v:,}" for k, v in n.counts.items() if v))),
            (self.tr("Process index"), html.escape(f"{n.process} (capture file {n.file_id})")),
        ]
        rows = "".join(f'<tr><td style="padding-right:10px"><b>{html.escape(k)}</b></td><td>{v}</td></tr>'
                       for k, v in fields if v)
        return f"{style_tag()}<h3>{html.escape(n.name)}</h3><table>{rows}</table>"

    def _load_event_details(self) -> None:
        """Read the selected event's full details and stack from the capture (never stored).

        Only while the Events tab is shown: the cursor moves the selection on every step of a drag along
        the timeline strip, and each read opens the capture (a few hundred ms on a big one)."""
        if self.tabs.currentIndex() != EVENTS_TAB:
            self._details_stale = True
            return
        self._details_stale = False
        row = self.events_table.currentIndex().row()
        line = self.events.line_of(row)
        if self._view is None or self.events.key is None or line is None:
            self.event_details.clear()
            return
        info = read_details(self._view, self.events.key[0], line)
        self.event_details.setHtml(self._event_html(info))

    def _event_html(self, info: dict[str, Any]) -> str:
        r = info["row"]
        parts = [f"<p><b>{html.escape(str(r.get('operation') or ''))}</b> "
                 f"{html.escape(str(r.get('path') or ''))}"
                 + (f" → <b>{html.escape(str(r['result']))}</b>" if r.get("result") not in (None, "", "SUCCESS")
                    else "") + "</p>"]
        rows = [(self.tr("Time"), self._view.format_ts(r.get("ts")) if self._view is not None else ""),
                (self.tr("Event"), str(r.get("line", ""))), (self.tr("Thread"), str(r.get("tid") or "")),
                (self.tr("Class"), str(r.get("class") or ""))]
        rows += [(str(k), shorten(exit_value(k, v))) for k, v in (info.get("details") or {}).items()]
        if not info.get("details") and r.get("detail"):
            rows.append((self.tr("Detail"), str(r["detail"])))
        parts.append("<table>" + "".join(
            f'<tr><td style="padding-right:10px"><b>{html.escape(k)}</b></td><td>{html.escape(v)}</td></tr>'
            for k, v in rows if v) + "</table>")
        stack = info.get("stack") or []
        if stack:
            parts.append("<p><b>" + html.escape(self.tr("Stack")) + f"</b> ({len(stack)})</p><pre>"
                         + "\n".join(f"{n:3d}  {html.escape(f)}" for n, f in enumerate(stack)) + "</pre>")
        if info.get("note"):
            parts.append(f"<p><i>{html.escape(info['note'])}</i></p>")
        return "".join(parts)

    # -------------------------------------------------------------------------------------- user actions

    def _on_current(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if self._programmatic:
            return
        item = self.model.item(current)
        self._fill(item)
        if item is None or item.placeholder or item.start is None:
            return
        self._published = (self.tree, time.monotonic())
        self.moment_note.hide()
        self.bus.select(Selection("process", ts=item.start, file_id=item.node.file_id, line=item.node.first_line,
                                  origin=ORIGIN))
        row = self.events.row_for_line(item.node.first_line)
        if row >= 0:
            self._programmatic = True
            try:
                self.select_event_row(row)
            finally:
                self._programmatic = False

    def _on_event(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self._details_timer.start()
        if self._programmatic or self.events.key is None:
            return
        rec = self.events.record(current.row())
        if rec is None:
            return
        self._published = (self.events_table, time.monotonic())
        self.bus.select(Selection("event", ts=rec[1], row_id=rec[8], file_id=self.events.key[0], line=rec[0],
                                  origin=ORIGIN))

    def _on_interference(self, index: QModelIndex) -> None:
        target = self.interference.target(index)
        if target is None or self._programmatic:
            return
        key = target.get("process")
        item = self.model.by_key(key) if key is not None else None
        if item is None and target.get("line") is not None:
            item = self.model.process_of_event(target.get("file_id"), target.get("line"))
        if not index.parent().isValid():
            self.interference_view.expand(index.siblingAtColumn(0))  # a finding: show the events it rests on
        line = target.get("line") if item is not None and target.get("file_id") == item.key[0] else None
        self.show_process(item, ts=target.get("ts"), line=line)
        self._details_timer.start()
        self.bus.select(Selection("evidence" if index.parent().isValid() else "finding", ts=target.get("ts"),
                                  finding_id=target.get("finding_id"), file_id=target.get("file_id"),
                                  line=target.get("line"), origin=ORIGIN))

    def _on_info_link(self, link: str) -> None:
        kind, _, rest = link.partition(":")
        item = self.current_item()
        if kind == "process":
            fid, proc = rest.split(":")
            target = self.model.by_key((int(fid), int(proc)))
            if target is not None:
                self.tree.setCurrentIndex(self.model.index_of(target))
        elif kind == "line" and item is not None:
            row = self.events.row_for_line(int(rest))
            if row >= 0:
                self.tabs.setCurrentIndex(EVENTS_TAB)
                self.events_table.setCurrentIndex(self.events.index(row, 0))

    # -------------------------------------------------------------------------------------- the bus

    def _on_moment(self, sel: Selection | None) -> None:
        """Show the process (and event) of the moment: the event itself when the pick is a Procmon event,
        else the process alive then and its event nearest the moment; when the capture has no process alive
        then, clear the selection and say so."""
        if sel is None or sel.ts is None and sel.line is None:
            return
        self.moment = sel.ts
        if sel.origin == ORIGIN or self.model.rowCount() == 0:
            if sel.origin == ORIGIN:
                self.moment_note.hide()
            return
        item = None
        line = None
        if sel.file_id is not None and sel.line is not None:
            item = self.model.process_of_event(sel.file_id, sel.line)
            line = sel.line if item is not None else None
        if item is None and sel.ts is not None:
            item = self.model.alive_at(sel.ts)
        if item is None:
            self._show_nothing(sel.ts)
            return
        self.moment_note.hide()
        self.show_process(item, ts=sel.ts, line=line)
        self._details_timer.start()

    def _show_nothing(self, ts: int | None) -> None:
        """No process of the capture is alive at ``ts``: no selection, and a line saying what the capture
        covers, so the user knows why."""
        self._programmatic = True
        try:
            self.tree.selectionModel().clear()
            self._fill(None)
        finally:
            self._programmatic = False
        view = self._view
        span = self.model.capture_span()
        when = view.format_ts(ts, micro=False) if view is not None and ts is not None else ""
        text = self.tr("No process of the capture at this moment (%1).").replace("%1", when)
        if span is not None and view is not None:
            text += " " + self.tr("The capture covers %1 – %2.").replace(
                "%1", view.format_ts(span[0], micro=False)).replace("%2", view.format_ts(span[1], micro=False))
        self.moment_note.setText(text)
        self.moment_note.show()

    def _republish(self, index: QModelIndex, view: QAbstractItemView, publish: Any) -> None:
        """A click on the current item, not the click that made it current, publishes it again."""
        if not index.isValid() or index != view.currentIndex():
            return
        last = self._published
        if last is not None and last[0] is view and time.monotonic() - last[1] < REPUBLISH_S:
            return
        publish(index, QModelIndex())


def exit_value(key: object, value: object) -> str:
    """procmon-parser gives ``Exit Status`` as a plain integer; engineers search for 0xC0000005."""
    if str(key) == "Exit Status":
        try:
            return status_text(int(str(value)) & 0xFFFFFFFF) + f" ({value})"
        except ValueError:
            pass
    return str(value)


def shorten(text: str, limit: int = 600) -> str:
    """A detail value cut for the panel (a process's environment runs to pages and hides the stack)."""
    return text if len(text) <= limit else text[:limit] + " …"
