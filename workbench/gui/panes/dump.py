"""The crash-dump pane: what WinDbg's ``!analyze -v`` and BlueScreenView show at a glance, offline.

One crash source at a time (the upgrade's own dump first; a selector when the case has several): a banner
with the bugcheck code, its name and what each parameter means; the recovered stack with the culprit's frame
highlighted and, per frame, how it was found and how far to trust it; the loaded drivers (sortable,
third-party ones marked); and the culprit reasoning with links that move the shared cursor to the module's
setupapi install sections, its Procmon activity and the warnings and errors around the crash time. Selecting
a driver points the links at that driver instead. Everything shown was decided by the core
(:mod:`workbench.core.dumps`); this pane only reads the dump detail tables.
"""

from __future__ import annotations

import html

from PySide6.QtCore import (
    QEvent,
    QItemSelection,
    QModelIndex,
    Qt,
    QTimer,
    QUrl,
    Signal,
)
from PySide6.QtGui import QPaintEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSplitter,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from workbench.core.moment import row_of_line
from workbench.gui.bus import CursorBus, Selection
from workbench.gui.models.dump_models import (
    DriversModel,
    DriversProxy,
    DumpInfo,
    DumpsModel,
    FramesModel,
    Link,
    near_links,
    ntstatus_name,
    procmon_links,
    setupapi_links,
)
from workbench.gui.models.labels import span_text
from workbench.gui.models.store_view import StoreView
from workbench.gui.models.timeline_model import short_path
from workbench.gui.panes.common import make_table, not_read_text
from workbench.gui.theme import style_tag

ORIGIN = "dump"
BANNER_LAYOUT = "td{padding:0 10px 0 0;}"


class _LinksBrowser(QTextBrowser):
    """A text browser that says when it is drawn: the pane fills its links only then. A paint is the one sign
    that works for a dock tabbed away, whose widgets Qt keeps "visible" while another tab is on top."""

    painted = Signal()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt API)
        super().paintEvent(event)
        self.painted.emit()


class DumpPane(QWidget):
    """Bugcheck banner, stack, drivers and culprit links of the selected crash source."""

    def __init__(self, bus: CursorBus, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("DumpPane")
        self.bus = bus
        self._view: StoreView | None = None
        self.dump: DumpInfo | None = None
        self.links: list[Link] = []
        self.link_module: str | None = None
        self.current_link = -1
        self._details_template = ""
        self._links_pending = False

        self.dumps = DumpsModel(self)
        self.selector = QComboBox(self)
        self.selector.setObjectName("dumpSelector")
        self.selector.setModel(self.dumps)
        self.selector.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.selector.setMinimumContentsLength(20)
        self.selector.currentIndexChanged.connect(self._on_dump_chosen)
        self.selector_label = QLabel(self.tr("Crash source:"), self)
        top = QHBoxLayout()
        top.setContentsMargins(4, 2, 4, 0)
        top.addWidget(self.selector_label)
        top.addWidget(self.selector, 1)

        self.banner = QTextBrowser(self)
        self.banner.setObjectName("bugcheckBanner")
        self.banner.setOpenLinks(False)
        self.banner.anchorClicked.connect(self._on_link)

        self.frames = FramesModel(self)
        self.stack = make_table(self.frames, self, stretch_last=True)
        self.stack.setObjectName("stackTable")
        self.stack.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        hh = self.stack.horizontalHeader()
        for col in (0, 2, 3):
            hh.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        hh.setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
        hh.setSectionResizeMode(4, QHeaderView.ResizeMode.Interactive)

        self.drivers = DriversModel(self)
        self.drivers_proxy = DriversProxy(self.drivers, self)
        self.driver_table = make_table(self.drivers_proxy, self, stretch_last=True)
        self.driver_table.setObjectName("driverTable")
        self.driver_table.setSortingEnabled(True)
        self.driver_table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)  # the dump's own order until a click
        self.driver_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.driver_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.driver_table.selectionModel().selectionChanged.connect(self._on_driver_selected)

        self.details = _LinksBrowser(self)
        self.details.setObjectName("culpritDetails")
        self.details.setOpenLinks(False)
        self.details.anchorClicked.connect(self._on_link)
        self.details.painted.connect(self._fill_pending_links)

        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("dumpTabs")
        self.tabs.addTab(self.details, self.tr("Culprit and links"))
        self.tabs.addTab(self.driver_table, self.tr("Drivers"))

        lower = QSplitter(Qt.Orientation.Horizontal, self)
        lower.addWidget(self.stack)
        lower.addWidget(self.tabs)
        lower.setStretchFactor(0, 3)
        lower.setStretchFactor(1, 2)
        self.split = QSplitter(Qt.Orientation.Vertical, self)
        self.split.addWidget(self.banner)
        self.split.addWidget(lower)
        self.split.setStretchFactor(0, 1)
        self.split.setStretchFactor(1, 3)

        # a bottom dock on a 1366×768 laptop is short: let every part shrink to a few lines
        for widget in (self.banner, self.stack, self.details, self.driver_table):
            widget.setMinimumHeight(36)
        self.empty = QLabel(self.tr("No crash dump or debugger text in this case."), self)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        # where this crash is relative to the moment the other panes show
        self.moment_note = QLabel(self)
        self.moment_note.setObjectName("dumpMomentNote")
        self.moment_note.setWordWrap(True)
        self.moment_note.setContentsMargins(4, 0, 4, 0)
        self.moment_note.hide()
        layout.addWidget(self.moment_note)
        layout.addWidget(self.split, 1)
        layout.addWidget(self.empty, 1)
        self._show_selector(False)
        self.moment: int | None = None
        self.stack.clicked.connect(lambda index: self.select_frame(index.row()))
        self.stack.activated.connect(lambda index: self.select_frame(index.row()))
        bus.momentChanged.connect(self._on_moment)

    # -------------------------------------------------------------------------------------- case

    def set_view(self, view: StoreView | None) -> None:
        """Show another case's crash sources (or none), starting with the upgrade's own crash."""
        unread = view is not None and not view.complete
        if unread:
            view = None
        self._view = view
        self.selector.blockSignals(True)
        self.dumps.set_view(view)
        self.selector.blockSignals(False)
        self.frames.set_view(view)
        self.drivers.set_view(view)
        count = self.dumps.rowCount()
        self._show_selector(count > 1)
        self.split.setVisible(not unread and (count > 0 or view is None))
        self.empty.setText(not_read_text() if unread else self.tr("No crash dump or debugger text in this case."))
        self.empty.setVisible(unread or (view is not None and count == 0))
        if count:
            self.selector.setCurrentIndex(0)
            self.show_dump(0)
        else:
            self.show_dump(-1)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt API)
        """A theme switch: lay the HTML out again in the new colours (links included)."""
        super().changeEvent(event)
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            self._restyle()

    def _restyle(self) -> None:
        if self.dump is not None:
            self.banner.setHtml(self._banner_html(self.dump))
            self.show_links(self.link_module)

    def _show_selector(self, visible: bool) -> None:
        self.selector.setVisible(visible)
        self.selector_label.setVisible(visible)

    def show_dump(self, row: int) -> None:
        """Fill the banner, stack, drivers and links from crash source ``row`` of the selector."""
        self.dump = self.dumps.dump(row)
        d = self.dump
        if self.selector.currentIndex() != row and row >= 0:
            self.selector.blockSignals(True)
            self.selector.setCurrentIndex(row)
            self.selector.blockSignals(False)
        self.frames.show_dump(d.file_id if d else None)
        self.drivers.show_dump(d.file_id if d else None, d.culprit if d else None)
        self.tabs.setTabText(1, self.tr("Drivers (%1)").replace("%1", str(self.drivers.rowCount())))
        self.stack.resizeColumnToContents(1)
        self.stack.resizeColumnToContents(4)
        self.driver_table.resizeColumnsToContents()
        self.driver_table.setColumnWidth(6, min(self.driver_table.columnWidth(6), 320))
        # no frame address at all (a debugger text): the column would only take room
        self.stack.setColumnHidden(4, not any(self.frames.row_tuple(r)[4] for r in range(self.frames.rowCount())))
        culprit_row = self.frames.culprit_row()
        if culprit_row >= 0:
            # scrolled to, not selected: the selection colour would hide the culprit's highlight
            self.stack.clearSelection()
            self.stack.scrollTo(self.frames.index(culprit_row, 0), QAbstractItemView.ScrollHint.PositionAtCenter)
        if d is None:
            self.banner.clear()
            self.show_links(None)
            return
        self.banner.setHtml(self._banner_html(d))
        QTimer.singleShot(0, self, self._fit_banner)
        self.show_links(d.culprit)

    def _fit_banner(self) -> None:
        """Give the banner the height its text needs (a few lines) and the stack the rest."""
        total = sum(self.split.sizes())
        if total <= 0 or self.dump is None:
            return
        doc = self.banner.document()
        doc.setTextWidth(self.banner.viewport().width())
        need = int(doc.size().height()) + 2 * self.banner.frameWidth() + 4
        need = min(need, total // 2)
        self.split.setSizes([need, total - need])

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt API)
        super().showEvent(event)
        # the splitter has its real sizes only once the layout ran: fit the banner right after
        QTimer.singleShot(0, self, self._fit_banner)

    def _fill_pending_links(self) -> None:
        if self._links_pending:
            self._links_pending = False
            # after the paint that asked for them, not inside it
            QTimer.singleShot(0, self, lambda: self.show_links(self.link_module))

    def _on_dump_chosen(self, row: int) -> None:
        if row >= 0:
            self.show_dump(row)

    # -------------------------------------------------------------------------------------- banner

    def _banner_html(self, d: DumpInfo) -> str:
        h = html.escape
        out = [style_tag(BANNER_LAYOUT)]
        if d.bugcheck_code:
            name = d.bugcheck_name or self.tr("(name unknown)")
            out.append(f"<p><span class='code'>{h(d.bugcheck_code)} {h(name)}</span>")
        elif d.exception_code:
            status = ntstatus_name(d.exception_code)
            text = self.tr("Exception %1").replace("%1", d.exception_code) + (f" {status}" if status else "")
            if d.process_name:
                text += " " + self.tr("in %1").replace("%1", d.process_name)
            out.append(f"<p><span class='code'>{h(text)}</span>")
        else:
            out.append("<p><span class='code'>" + h(self.tr("No bugcheck in this source")) + "</span>")
        if d.culprit:
            out.append(" &nbsp; " + h(self.tr("Culprit:")) + f" <b><a href='module:{h(d.culprit)}'>{h(d.culprit)}</a></b>")
        out.append("</p>")
        meta = [d.path, self.dumps.time_text(d), self.dumps.kind_text(d)]
        if d.os_build:
            meta.append(self.tr("build %1").replace("%1", str(d.os_build)))
        if d.arch:
            meta.append(d.arch)
        meta.append(self.dumps.upgrade_text(d))
        out.append("<p class='meta'>" + h(" · ".join(meta)) + "</p>")
        if d.time_from:
            note = self.tr("The debugger text has no crash time; the time is where %1 reports this bugcheck.") \
                .replace("%1", short_path(d.time_from["path"] or ""))
            out.append(f"<p class='meta'>{h(note)}</p>")
        if d.parameters:
            out.append("<table>")
            for n, value in enumerate(d.parameters):
                meaning = d.meanings[n] if d.meanings and n < len(d.meanings) else self.tr("(not described)")
                status = ntstatus_name(value) if d.meanings and "exception code" in meaning else None
                extra = f" = {status}" if status else ""
                arg = self.tr("Arg%1").replace("%1", str(n + 1))
                out.append(f"<tr><td>{h(arg)}</td>"
                           f"<td><code>{h(value)}</code></td><td>{h(meaning)}{h(extra)}</td></tr>")
            out.append("</table>")
        if d.exception_address and not d.bugcheck_code:
            out.append("<p>" + h(self.tr("Exception address: %1").replace("%1", d.exception_address)) + "</p>")
        return "".join(out)

    # -------------------------------------------------------------------------------------- links

    def show_links(self, module: str | None) -> None:
        """The reasoning and the clickable rows about ``module`` (the culprit, or the driver the user picked)."""
        d = self.dump
        self.link_module = module
        self.links = []
        self._links_pending = False
        if d is None or self._view is None:
            self._details_template = ""
            self.current_link = -1
            self.details.clear()
            return
        if self.details.visibleRegion().isEmpty():
            # the Procmon look-up scans a table that can hold millions of rows: do it when the links are first
            # painted, not while a case opens with the pane tabbed away (isVisible() cannot tell, see
            # _LinksBrowser)
            self._links_pending = True
            return
        store = self._view.store
        h = html.escape
        out = [style_tag(BANNER_LAYOUT)]
        if module and d.culprit and module.lower() == d.culprit.lower():
            out.append("<h3>" + h(self.tr("Why %1").replace("%1", module)) + "</h3>")
            out.append(f"<p>{h(d.culprit_reason or '')}</p>")
        elif module:
            out.append("<h3>" + h(self.tr("Driver %1").replace("%1", module)) + "</h3>")
            row = store.conn.execute("SELECT microsoft_reason FROM dump_drivers WHERE file_id = ? AND name = ?",
                                     (d.file_id, module)).fetchone()
            if row is not None and row[0]:
                out.append(f"<p>{h(row[0])}</p>")
            if d.culprit:
                out.append(f"<p><a href='module:{h(d.culprit)}'>"
                           + h(self.tr("Back to the culprit, %1").replace("%1", d.culprit)) + "</a></p>")
        else:
            out.append("<h3>" + h(self.tr("No culprit")) + "</h3>")
            reason = d.culprit_reason or self.tr("The stack names no module to blame.")
            out.append(f"<p>{h(reason)}</p>")
        if d.stack_quality:
            out.append("<p><b>" + h(self.tr("How far to trust the stack")) + "</b></p><ul>")
            out.extend(f"<li>{h(q)}</li>" for q in d.stack_quality)
            out.append("</ul>")
        if module:
            out.append(self._group(self.tr("Install sections in setupapi.dev.log"), setupapi_links(store, module),
                                   self.tr("No setupapi install section names %1.").replace("%1", module)))
            activity, total = procmon_links(store, module)
            loaded = [link for link in activity if link.group == "module"]
            ops = [link for link in activity if link.group == "procmon"]
            none = self.tr("No Procmon row mentions %1.").replace("%1", module)
            out.append(self._group(self.tr("Procmon activity"), loaded + ops, none if not loaded and not ops else ""))
            if total > len(ops):
                more = self.tr("%1 more Procmon rows: search the case for %2.").replace(
                    "%1", str(total - len(ops))).replace("%2", module)
                out.append(f"<p class='meta'>{h(more)}</p>")
        ts = d.crash_ts
        if ts is not None:
            crash = Link("crash", self.tr("The crash itself"), ts, file_id=d.file_id, line=1)
            if d.time_from:
                crash = Link("crash", self.tr("Where the setup log reports the crash"), ts,
                             file_id=d.time_from["file_id"], line=d.time_from["line"])
            near = near_links(store, ts, exclude_file=d.file_id)
            title = self.tr("Around the crash time (%1)").replace("%1", self._view.format_ts(ts, micro=False))
            out.append(self._group(title, [crash, *near], ""))
        else:
            out.append("<p class='meta'>" + h(self.tr("The crash time is unknown: no events to show around it."))
                       + "</p>")
        self._details_template = "".join(out)
        self.current_link = -1
        self._render_details()

    def _group(self, title: str, links: list[Link], empty: str) -> str:
        h = html.escape
        out = [f"<p><b>{h(title)}</b></p>"]
        if not links:
            return out[0] + (f"<p class='meta'>{h(empty)}</p>" if empty else "")
        out.append("<ul>")
        view = self._view
        no_time = self.tr("(no time)")
        for link in links:
            n = len(self.links)
            self.links.append(link)
            when = view.format_ts(link.ts, micro=False) if view is not None and link.ts is not None else ""
            mark = " class='error'" if link.level in ("critical", "error") else ""
            out.append(f"<li><!--mark:{n}--><a href='link:{n}'>{h(when or no_time)}</a> "
                       f"<span{mark}>{h(link.text)}</span></li>")
        out.append("</ul>")
        return "".join(out)

    def activate_link(self, n: int) -> None:
        """Move the shared cursor to link ``n`` as a click does (tests and the keyboard use this)."""
        if not 0 <= n < len(self.links):
            return
        link = self.links[n]
        row_id, ts = link.row_id, link.ts
        if row_id is None and link.file_id is not None and self._view is not None:
            row = self._view.store.conn.execute(
                "SELECT id, ts FROM timeline WHERE file_id = ? AND line = ? ORDER BY id LIMIT 1",
                (link.file_id, link.line)).fetchone()
            if row is not None:
                row_id, ts = row[0], row[1] if row[1] is not None else ts
        self.bus.select(Selection("row" if row_id is not None else "dump", ts=ts, row_id=row_id,
                                  file_id=link.file_id, line=link.line, origin=ORIGIN))

    def _on_link(self, url: QUrl) -> None:
        text = url.toString()
        kind, _, value = text.partition(":")
        if kind == "link" and value.isdigit():
            self.activate_link(int(value))
        elif kind == "module" and value:
            self.tabs.setCurrentWidget(self.details)
            self.driver_table.clearSelection()
            self.show_links(value)

    def _on_driver_selected(self, selected: QItemSelection, _deselected: QItemSelection) -> None:
        rows = {i.row() for i in selected.indexes()}
        if not rows:
            return
        source = self.drivers_proxy.mapToSource(self.drivers_proxy.index(min(rows), 0))
        module = self.drivers.module(source.row())
        if module and module != self.link_module:
            self.show_links(module)

    # -------------------------------------------------------------------------------------- bus

    def _on_moment(self, sel: Selection | None) -> None:
        """Show the crash source of the moment: the one picked (its row, a finding's evidence), else the
        crash nearest in time; say where the crash is from the moment, and mark the link sitting on it."""
        if sel is None:
            return
        self.moment = sel.ts
        if sel.origin != ORIGIN and self.dumps.rowCount():
            row = self.dumps.row_of(sel.file_id) if sel.file_id is not None else -1
            if row < 0 and sel.ts is not None:
                row = self.dumps.nearest(sel.ts)
            if row >= 0 and (self.dump is None or self.dumps.row_of(self.dump.file_id) != row):
                self.show_dump(row)
        self._say_moment(sel)
        self._on_cursor(sel.ts)

    def _say_moment(self, sel: Selection) -> None:
        d, view = self.dump, self._view
        if d is None or view is None or sel.ts is None:
            self.moment_note.hide()
            return
        if d.crash_ts is None:
            text = self.tr("The time of this crash is unknown.")
        elif sel.file_id == d.file_id or d.crash_ts == sel.ts:
            text = self.tr("The crash, at this moment (%1).").replace("%1", view.format_ts(d.crash_ts, micro=False))
        else:
            gap = span_text((d.crash_ts - sel.ts) / 1e6)
            which = self.tr("%1 after this moment") if d.crash_ts > sel.ts else self.tr("%1 before this moment")
            text = self.tr("This crash is at %1, %2.").replace("%1", view.format_ts(d.crash_ts, micro=False)) \
                .replace("%2", which.replace("%1", gap))
        self.moment_note.setText(text)
        self.moment_note.show()

    def crash_moment(self) -> Selection | None:
        """The shown crash as a moment: its time and the timeline row the crash source wrote."""
        d = self.dump
        if d is None or self._view is None:
            return None
        found = row_of_line(self._view.store, d.file_id, None)
        return Selection("dump", ts=d.crash_ts, row_id=found.row_id if found else None, file_id=d.file_id,
                         line=found.line if found else None, origin=ORIGIN)

    def select_frame(self, row: int) -> None:
        """A frame of the stack was picked: every pane moves to the crash it belongs to."""
        sel = self.crash_moment()
        if sel is not None and 0 <= row < self.frames.rowCount():
            self.bus.select(sel)

    def frame_evidence(self) -> dict | None:
        """"Add to notes" on the stack: the selected frames, quoted with the dump, the frame numbers and the
        crash time."""
        sel = self.crash_moment()
        rows = sorted({i.row() for i in self.stack.selectionModel().selectedRows()}) or \
            ([self.stack.currentIndex().row()] if self.stack.currentIndex().isValid() else [])
        recs = [r for r in (self.frames.row_tuple(n) for n in rows) if r is not None]
        if sel is None or not recs or self.dump is None:
            return None
        numbers = ", ".join(f"#{r[0]:02d}" if isinstance(r[0], int) else "?" for r in recs)
        text = "\n".join(f"{r[0]:02d} {r[1] or ''}".strip() if isinstance(r[0], int) else (r[1] or "") for r in recs)
        return {"text": text, "source": f"{short_path(self.dump.path)} " + self.tr("frame %1").replace("%1", numbers),
                "file_id": sel.file_id, "line": sel.line, "ts": sel.ts, "row_id": sel.row_id}

    def _on_cursor(self, ts: int | None) -> None:
        """Mark the link the cursor sits on, so the pane shows where the other panes are."""
        mark = next((n for n, link in enumerate(self.links) if ts is not None and link.ts == ts), -1)
        if mark != self.current_link:
            self.current_link = mark
            self._render_details()

    def _render_details(self) -> None:
        text = self._details_template
        if 0 <= self.current_link < len(self.links):
            text = text.replace(f"<!--mark:{self.current_link}-->", "<b>▶</b> ")
        bar = self.details.verticalScrollBar()
        position = bar.value()
        self.details.setHtml(text)
        bar.setValue(position)  # setHtml scrolls to the top; the user keeps their place

    def culprit_index(self) -> QModelIndex:
        """The stack model index of the culprit's frame (invalid when no frame is blamed)."""
        row = self.frames.culprit_row()
        return self.frames.index(row, 1) if row >= 0 else QModelIndex()
