"""The main window: dockable panes around the timeline, the bus between them, and opening cases.

Opening a case never blocks the window: hashing and ingest run in an :class:`IngestJob` thread, the status
bar shows the stage, the file and a cancel button, and the panes are filled from a read-only connection as
stages finish. Reopening an ingested case skips the ingest (the core decides) and is instant.
"""

from __future__ import annotations

import html
import sys
import time
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import (
    QAction,
    QActionGroup,
    QCloseEvent,
    QDragEnterEvent,
    QDropEvent,
    QIcon,
    QKeySequence,
    QResizeEvent,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QDockWidget,
    QFileDialog,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QWidget,
)

from workbench.core.errors import UserActionRequired
from workbench.core.ingest import Progress
from workbench.core.ingest_eta import Estimate, IngestClock
from workbench.gui import export_dialog
from workbench.gui.bus import CursorBus
from workbench.gui.models.labels import duration_text, read_sentence, size_text, stage_label
from workbench.gui.models.store_view import StoreView
from workbench.gui.panes.common import add_notes_action, reading_text
from workbench.gui.panes.detail import DetailPane
from workbench.gui.panes.dump import DumpPane
from workbench.gui.panes.events import EventsPane
from workbench.gui.panes.files import FilesPane
from workbench.gui.panes.findings import FindingsPane
from workbench.gui.panes.notes import NotesPane
from workbench.gui.panes.overview import OverviewPane
from workbench.gui.panes.problems import ProblemsPane
from workbench.gui.panes.processes import ProcessesPane
from workbench.gui.panes.search import SearchPane
from workbench.gui.panes.timeline_strip import TimelineStripPane
from workbench.gui.panes.timeline_table import TimelinePane
from workbench.gui.worker import IngestJob, IngestOutcome

#: Below this window width the default layout has no third column (a 1366×768 laptop).
COMPACT_WIDTH = 1500
LAYOUT_VERSION = 5  # bump when docks are added or renamed: old saved states are then ignored
MAX_RECENT = 10
#: How often the rows, catalogue and facts an ingest committed are shown while it runs (ms).
LIVE_MS = 400
#: Share of the overall bar (%) the stages before the parse fill; from the parse on it is the share of the
#: whole ingest's time (core/ingest_eta.py), which knows the stages after it.
EARLY_SPAN = {"open": (0, 1), "catalogue": (1, 2), "extract": (2, 5)}


def settings() -> QSettings:
    """The app's settings (layout, recent cases, language), in the default format so tests can redirect
    them with ``QSettings.setPath`` instead of writing to the user's real settings."""
    return QSettings(QSettings.defaultFormat(), QSettings.Scope.UserScope, "CaseWorkbench", "Case Workbench")


class MainWindow(QMainWindow):
    """Panes, menus, the status bar and the life cycle of the open case."""

    caseLoaded = Signal(object)  # IngestOutcome, after the panes were filled

    def __init__(self, *, interactive: bool = True) -> None:
        super().__init__()
        self.setObjectName("MainWindow")
        self.setWindowTitle(self.tr("Case Workbench"))
        from workbench.gui.i18n import RESOURCES

        self.setWindowIcon(QIcon(str(RESOURCES / "icons" / "workbench.svg")))  # SVG: sharp at any DPI
        self.setAcceptDrops(True)
        self.setDockNestingEnabled(True)
        # interactive=False (screenshots, tests): errors go to stderr and the problems pane, never to a dialog
        self.interactive = interactive
        self.bus = CursorBus(self)
        self.view: StoreView | None = None
        # while a case is read: a read-only look at the database being written, refreshed by a timer
        self._live: StoreView | None = None
        self._database: Path | None = None
        self._progress: Progress | None = None
        self._clock = IngestClock()
        self._estimate: Estimate | None = None
        self._reading: tuple[str, int] | None = None  # the file being parsed, and the rows before it
        self._resume_told = False
        self._live_ticks = 0
        self._live_timer = QTimer(self)
        self._live_timer.setInterval(LIVE_MS)
        self._live_timer.timeout.connect(self._live_tick)
        self.job: IngestJob | None = None
        self.source: Path | None = None
        self.last_outcome: IngestOutcome | None = None

        self.timeline = TimelinePane(self.bus, self)
        self.setCentralWidget(self.timeline)
        self.overview = OverviewPane(self.bus, self)
        self.findings = FindingsPane(self.bus, self)
        self.files = FilesPane(self.bus, self)
        self.problems = ProblemsPane(self.bus, self)
        self.search = SearchPane(self.bus, self)
        self.detail = DetailPane(self.bus, self)
        self.strip = TimelineStripPane(self.bus, self)
        self.notes = NotesPane(self.bus, self)
        self.events = EventsPane(self.bus, self)
        self.processes = ProcessesPane(self.bus, self)
        self.dump = DumpPane(self.bus, self)
        self.panes: list[QWidget] = [self.timeline, self.overview, self.findings, self.files, self.problems,
                                     self.search, self.detail, self.strip, self.notes, self.events,
                                     self.processes, self.dump]
        # "Add to notes" (issue 8) for panes without an evidence function of their own: rows + the bus selection
        # "Add to notes" quotes what a row says, in words, with its file, line (or frame) and time
        add_notes_action(self.events.table, self.bus, self.events.notes_evidence)
        add_notes_action(self.processes.tree, self.bus, self.processes.notes_evidence)
        add_notes_action(self.dump.stack, self.bus, self.dump.frame_evidence)
        self.docks: dict[str, QDockWidget] = {}
        for key, title, pane in (
            ("overview", self.tr("Case overview"), self.overview), ("findings", self.tr("Findings"), self.findings),
            ("strip", self.tr("Timeline strip"), self.strip), ("search", self.tr("Search"), self.search),
            ("detail", self.tr("Source detail"), self.detail), ("files", self.tr("Files"), self.files),
            ("problems", self.tr("Problems"), self.problems), ("notes", self.tr("Notes"), self.notes),
            ("events", self.tr("Event logs"), self.events), ("processes", self.tr("Processes"), self.processes),
            ("dump", self.tr("Crash dump"), self.dump),
        ):
            dock = QDockWidget(title, self)
            dock.setObjectName(f"dock_{key}")  # saveState() needs stable object names
            dock.setWidget(pane)
            self.docks[key] = dock
        self._arranging = False
        self._shown_once = False
        self._layout_mode: str | None = None  # "compact"/"wide" while the default layout stands; None: the user's
        self._build_status_bar()
        self._build_menus()
        self.apply_default_layout()
        for dock in self.docks.values():
            dock.dockLocationChanged.connect(self._dock_moved)
            dock.topLevelChanged.connect(self._dock_moved)
        self.bus.cursorChanged.connect(self._on_cursor)
        self.overview.resumeRequested.connect(self.resume_ingest)
        self.overview.cancelRequested.connect(self.cancel_ingest)
        self.overview.set_view(None)
        # several machines of one customer (issue 17): the Machines dock, its menu actions and hooks
        from workbench.gui.customer import install_customer_case

        self.customer = install_customer_case(self)

    # -------------------------------------------------------------------------------------- layout

    def apply_default_layout(self, size: tuple[int, int] | None = None) -> None:
        """Docks where a laptop (1366×768) and a 4K screen both work: overview and findings left, the strip
        above the timeline, search and detail right, catalogue and problems below, sized by proportion.

        Chosen from ``size`` or the window's real size: the window applies it again when it is first shown
        and when a resize crosses :data:`COMPACT_WIDTH`, for as long as the user has not arranged the docks
        (or a saved arrangement was restored)."""
        self._arranging = True
        try:
            self._apply_default_layout(size)
        finally:
            self._arranging = False

    def _apply_default_layout(self, size: tuple[int, int] | None) -> None:
        for dock in self.docks.values():
            self.removeDockWidget(dock)
        d = self.docks
        w, h = size or (self.width(), self.height())
        compact = w < COMPACT_WIDTH  # a 1366×768 laptop: no third column; search and detail tab with findings
        self._layout_mode = "compact" if compact else "wide"
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, d["overview"])
        self.splitDockWidget(d["overview"], d["findings"], Qt.Orientation.Vertical)
        self.addDockWidget(Qt.DockWidgetArea.TopDockWidgetArea, d["strip"])
        if compact:
            self.tabifyDockWidget(d["findings"], d["search"])
            self.tabifyDockWidget(d["search"], d["detail"])
            self.tabifyDockWidget(d["detail"], d["notes"])
        else:
            self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, d["search"])
            self.splitDockWidget(d["search"], d["detail"], Qt.Orientation.Vertical)
            self.tabifyDockWidget(d["detail"], d["notes"])
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, d["files"])
        self.tabifyDockWidget(d["files"], d["problems"])
        self.tabifyDockWidget(d["files"], d["events"])
        self.tabifyDockWidget(d["files"], d["processes"])
        self.tabifyDockWidget(d["files"], d["dump"])
        for dock in d.values():
            dock.show()
        d["files"].raise_()
        d["detail"].raise_()
        d["findings"].raise_()
        # the top and bottom areas span the centre only; left and right take the full height
        self.setCorner(Qt.Corner.TopLeftCorner, Qt.DockWidgetArea.LeftDockWidgetArea)
        self.setCorner(Qt.Corner.BottomLeftCorner, Qt.DockWidgetArea.LeftDockWidgetArea)
        self.setCorner(Qt.Corner.TopRightCorner, Qt.DockWidgetArea.RightDockWidgetArea)
        self.setCorner(Qt.Corner.BottomRightCorner, Qt.DockWidgetArea.RightDockWidgetArea)
        if compact:
            self.resizeDocks([d["overview"]], [int(w * 0.27)], Qt.Orientation.Horizontal)
        else:
            # the right column wide enough for a search hit's time and a readable part of its message
            self.resizeDocks([d["overview"], d["search"]], [int(w * 0.24), int(w * 0.24)], Qt.Orientation.Horizontal)
            self.resizeDocks([d["search"], d["detail"]], [int(h * 0.45), int(h * 0.45)], Qt.Orientation.Vertical)
        self.resizeDocks([d["overview"], d["findings"]], [int(h * 0.5), int(h * 0.4)], Qt.Orientation.Vertical)
        self.resizeDocks([d["strip"], d["files"]], [int(h * 0.2), int(h * 0.2)], Qt.Orientation.Vertical)

    def reset_layout(self) -> None:
        self.apply_default_layout((self.width(), self.height()))

    def _dock_moved(self, *_args: object) -> None:
        """The user arranged the docks: their arrangement stays, whatever the window's size."""
        if not self._arranging:
            self._layout_mode = None

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt API)
        super().showEvent(event)
        if not self._shown_once:
            self._shown_once = True
            if self._layout_mode is not None:  # not restored from the settings: fit the real size
                self.apply_default_layout((self.width(), self.height()))

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt API)
        super().resizeEvent(event)
        if self._layout_mode is not None and self._shown_once and not self._arranging:
            mode = "compact" if event.size().width() < COMPACT_WIDTH else "wide"
            if mode != self._layout_mode:
                QTimer.singleShot(0, self, self._refit_layout)

    def _refit_layout(self) -> None:
        if self._layout_mode is not None:
            self.apply_default_layout((self.width(), self.height()))

    def restore_layout(self) -> None:
        """Put the docks back where the user left them (QSettings), unless the layout version changed."""
        s = settings()
        if s.value("layout/version") != str(LAYOUT_VERSION):
            return
        geometry = s.value("layout/geometry")
        state = s.value("layout/state")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        if isinstance(state, QByteArray) and self.restoreState(state, LAYOUT_VERSION):
            self._layout_mode = None  # the user's own arrangement: kept at any size

    def save_layout(self) -> None:
        s = settings()
        s.setValue("layout/version", str(LAYOUT_VERSION))
        s.setValue("layout/geometry", self.saveGeometry())
        s.setValue("layout/state", self.saveState(LAYOUT_VERSION))

    # -------------------------------------------------------------------------------------- menus

    def _action(self, text: str, slot: object, shortcut: QKeySequence | str | None = None) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        return action

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu(self.tr("&File"))
        file_menu.addAction(self._action(self.tr("&Open case…"), self.open_dialog, QKeySequence.StandardKey.Open))
        file_menu.addAction(self._action(self.tr("Open &folder…"), self.open_folder_dialog))
        self.recent_menu = file_menu.addMenu(self.tr("Open &recent"))
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        file_menu.addSeparator()
        self.cancel_action = self._action(self.tr("&Cancel ingest"), self.cancel_ingest)
        self.cancel_action.setEnabled(False)
        file_menu.addAction(self.cancel_action)
        file_menu.addSeparator()
        # the summary (issue 8): workbench/gui/export_dialog.py
        self.export_action = self._action(self.tr("&Export summary…"), lambda: export_dialog.open_export_dialog(self),
                                          "Ctrl+E")
        self.copy_summary_action = self._action(self.tr("Copy &summary"), lambda: export_dialog.copy_summary(self),
                                                "Ctrl+Shift+C")
        file_menu.addAction(self.export_action)
        file_menu.addAction(self.copy_summary_action)
        file_menu.addSeparator()
        file_menu.addAction(self._action(self.tr("&Quit"), self.close, QKeySequence.StandardKey.Quit))

        go = bar.addMenu(self.tr("&Go"))
        go.addAction(self._action(self.tr("&Next error"), lambda: self.timeline.go_to_error(True), "F8"))
        go.addAction(self._action(self.tr("&Previous error"), lambda: self.timeline.go_to_error(False), "Shift+F8"))
        go.addAction(self._action(self.tr("Next &finding"), self.next_finding, "F9"))
        go.addAction(self._action(self.tr("Go to &time…"), self.go_to_time_dialog, "Ctrl+G"))
        go.addAction(self._action(self.tr("&Search the case…"), self.focus_search, QKeySequence.StandardKey.Find))

        view = bar.addMenu(self.tr("&View"))
        for dock in self.docks.values():
            view.addAction(dock.toggleViewAction())
        view.addSeparator()
        view.addAction(self._action(self.tr("&Reset layout"), self.reset_layout))
        view.addAction(self._action(self.tr("Case &time zone…"), self.change_zone_dialog))
        lang = view.addMenu(self.tr("&Language"))
        group = QActionGroup(self)
        current = str(settings().value("ui/language", "") or "")
        for code, label in (("", self.tr("Follow the system")), ("en", "English"), ("zh", "简体中文")):
            act = QAction(label, self, checkable=True)
            act.setChecked(code == current)
            act.triggered.connect(lambda _checked=False, c=code: self._set_language(c))
            group.addAction(act)
            lang.addAction(act)

        theme_menu = view.addMenu(self.tr("&Theme"))
        themes = QActionGroup(self)
        chosen = str(settings().value("ui/theme", "system") or "system")
        for code, label in (("system", self.tr("Follow the system")), ("light", self.tr("Light")),
                            ("dark", self.tr("Dark"))):
            act = QAction(label, self, checkable=True)
            act.setChecked(code == chosen)
            act.triggered.connect(lambda _checked=False, c=code: self.set_theme(c))
            themes.addAction(act)
            theme_menu.addAction(act)

        help_menu = bar.addMenu(self.tr("&Help"))
        help_menu.addAction(self._action(self.tr("&About Case Workbench"), self._about))

    def _build_status_bar(self) -> None:
        sb = self.statusBar()
        self.stage_label = QLabel(self)
        self.progress_bar = QProgressBar(self)
        self.progress_bar.setObjectName("overallProgress")
        self.progress_bar.setRange(0, 100)
        self.progress_bar.setMaximumWidth(220)
        self.progress_bar.setFormat(self.tr("overall %p%"))
        self.file_bar = QProgressBar(self)
        self.file_bar.setObjectName("fileProgress")
        self.file_bar.setMinimumWidth(190)  # "123.4 MB / 456.7 MB" whole
        self.file_bar.setMaximumWidth(220)
        self.cancel_button = QPushButton(self.tr("Cancel"), self)
        self.cancel_button.clicked.connect(self.cancel_ingest)
        self.cursor_label = QLabel(self)
        self.cursor_label.setObjectName("cursorLabel")
        self.zone_label = QPushButton(self)
        self.zone_label.setObjectName("zoneLabel")
        self.zone_label.setFlat(True)
        self.zone_label.setToolTip(self.tr("The clock every pane shows. Click to change the case time zone."))
        self.zone_label.clicked.connect(self.change_zone_dialog)
        sb.addWidget(self.stage_label, 1)
        sb.addPermanentWidget(self.file_bar)
        sb.addPermanentWidget(self.progress_bar)
        sb.addPermanentWidget(self.cancel_button)
        sb.addPermanentWidget(self.cursor_label)
        sb.addPermanentWidget(self.zone_label)
        self._show_progress(False)

    def _show_progress(self, visible: bool) -> None:
        for w in (self.progress_bar, self.file_bar, self.cancel_button):
            w.setVisible(visible)

    # -------------------------------------------------------------------------------------- opening

    def open_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, self.tr("Open a case"), str(self.source.parent if self.source else Path.home()),
            self.tr("Case archives and logs (*.zip *.7z *.log *.evtx *.pml *.csv *.xml *.dmp *.nfo *.txt);;"
                    "All files (*)"))
        if path:
            self.open_case(Path(path))

    def open_folder_dialog(self) -> None:
        path = QFileDialog.getExistingDirectory(self, self.tr("Open a case folder"),
                                                str(self.source.parent if self.source else Path.home()))
        if path:
            self.open_case(Path(path))

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        recent = recent_cases()
        if not recent:
            act = self.recent_menu.addAction(self.tr("(none yet)"))
            act.setEnabled(False)
        for path in recent:
            act = self.recent_menu.addAction(path)
            act.triggered.connect(lambda _checked=False, p=path: self.open_case(Path(p)))

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 (Qt API)
        if event.mimeData().hasUrls() and any(u.isLocalFile() for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 (Qt API)
        if self.customer.dropped([Path(u.toLocalFile()) for u in event.mimeData().urls() if u.isLocalFile()]):
            event.acceptProposedAction()  # several archives: machines of one customer case
            return
        for url in event.mimeData().urls():
            if url.isLocalFile():
                event.acceptProposedAction()
                self.open_case(Path(url.toLocalFile()))
                return

    def open_case(self, source: Path, password: str | None = None, zone: str | None = None) -> None:
        """Start opening ``source`` in the background (cancelling an ingest still running).

        ``zone`` sets the case time zone first (``""`` hands the choice back to the sources), which re-ingests.
        """
        if self.customer.intercept(source):
            return  # a .wbcustomer file: the customer case opens its machines
        if self.job is not None:
            self.job.cancel()
            self.job.wait()
            self.job = None
        self.source = source
        self.overview.opened = str(source)
        self._set_view(None)
        self.setWindowTitle(self.tr("%1 — Case Workbench").replace("%1", source.name))
        self.stage_label.setText(self.tr("Opening %1…").replace("%1", source.name))
        self.progress_bar.setValue(0)
        self.file_bar.setRange(0, 0)
        self._show_progress(True)
        self.cancel_action.setEnabled(True)
        self.password = password
        job = IngestJob(source, password, self, zone=zone)
        job.worker.progress.connect(self._on_progress)
        job.worker.stageFinished.connect(self._on_stage_finished)
        job.worker.opened.connect(self._on_database)
        job.done.connect(self._on_finished)
        self.job = job
        self._database = None
        self._progress = None
        self._clock = IngestClock()
        self._estimate = None
        self._reading = None
        self._resume_told = False
        self.overview.show_progress(None, None, source.name)
        self.strip.show_note(self.tr("Reading %1…").replace("%1", source.name))
        job.start()

    def cancel_ingest(self) -> None:
        if self.job is not None:
            self.stage_label.setText(self.tr("Cancelling…"))
            self.job.cancel()

    def resume_ingest(self) -> None:
        """Continue the stopped ingest of the open case (the core resumes from its first unfinished file)."""
        if self.source is not None and self.job is None:
            self.open_case(self.source, getattr(self, "password", None))

    def _on_progress(self, p: Progress) -> None:
        """The status bar (stage, file k of n, the file's bytes, the time left) and, while the case is read,
        the overview; the rows and the catalogue written so far are shown by the live timer."""
        self._progress = p
        self._estimate = self._clock.update(p, time.monotonic())
        if p.stage == "parse" and p.current and (self._reading is None or self._reading[0] != p.current):
            self._reading = (p.current, p.rows)  # the rows before this file: its own are the rows since
        elif p.stage != "parse":
            self._reading = None
        self._show_estimate()
        self._follow_progress(p)
    def _show_estimate(self) -> None:
        """The bars and the status line from the last report and the time since: sorting and analysing report
        nothing while they run, so the live timer calls this to keep them moving (core/ingest_eta.py)."""
        p, est = self._progress, self._estimate
        if p is None or est is None:
            return
        if p.stage in ("parse", "finalize", "analyze", "done"):
            overall = est.overall  # the whole ingest's share of its time, never going back
        else:
            lo, hi = EARLY_SPAN.get(p.stage, (0, 0))
            frac = p.bytes_done / p.bytes_total if p.bytes_total else (p.done / p.total if p.total else 0.0)
            overall = (lo + (hi - lo) * min(frac, 1.0)) / 100
        self.progress_bar.setValue(max(self.progress_bar.value(), int(100 * overall)))
        if est.stage is not None:  # a stage that reports nothing: the time spent in it against its estimate
            self.file_bar.setRange(0, 1000)
            self.file_bar.setValue(int(1000 * est.stage))
            self.file_bar.setFormat(self.tr("sorting %1 rows").replace("%1", f"{p.rows:,}") if p.stage == "finalize"
                                    else self.tr("analysing %1 rows").replace("%1", f"{p.rows:,}"))
        elif p.file_total:
            self.file_bar.setRange(0, 1000)
            self.file_bar.setValue(int(1000 * min(p.file_done / p.file_total, 1.0)))
            self.file_bar.setFormat(f"{size_text(p.file_done)} / {size_text(p.file_total)}")
        elif p.total:
            self.file_bar.setRange(0, p.total)
            self.file_bar.setValue(p.done)
            self.file_bar.setFormat(f"{p.done}/{p.total}")
        else:
            self.file_bar.setRange(0, 0)
        name = p.current.rsplit("::", 1)[-1].replace("\\", "/").rsplit("/", 1)[-1] if p.current else ""
        parts = [stage_label(p.stage)]
        if p.total and p.stage in ("extract", "parse"):
            parts.append(self.tr("file %1 of %2").replace("%1", str(min(p.done + 1, p.total)))
                         .replace("%2", str(p.total)))
        if name:
            parts.append(name)
        if est.remaining_s is not None:
            left = self.tr("%1 left in all") if est.whole else self.tr("%1 left in this step")
            parts.append(left.replace("%1", duration_text(est.remaining_s)))
        self.stage_label.setText(" · ".join(parts))
        # the file's rows as the table and the overview count them (committed), not the parser's count ahead
        shown = self.timeline.model.rowCount() if self._live is not None else p.rows
        self.files.model.set_reading(self._reading[0] if self._reading else None,
                                     max(0, min(p.rows, shown) - self._reading[1]) if self._reading else 0)

    def _follow_progress(self, p: Progress) -> None:
        """What the live view does on a report: start it, show the rows committed, say when they are sorted."""
        if self._live is None and self._database is not None and p.stage in ("extract", "parse"):
            self._start_live()
        elif self._live is not None and p.stage == "parse" and p.rows and not self.timeline.model.rowCount():
            # the first rows were committed before this report: show them now, not at the tick (after that the
            # table grows at each tick, with the overview's count, so the two never disagree)
            self._live_tick()
        if p.stage == "parse" and self._live is not None and not self._resume_told:
            self._resume_told = True
            self._tell_resume(p)
        if p.stage == "finalize" and self._live is not None:
            self.timeline.set_banner(self.tr("Sorting the rows by time and indexing them for search…"))

    def _tell_resume(self, p: Progress) -> None:
        """A run that continues one that stopped (a Cancel, an error, a killed app) says so, and why the table
        holds fewer rows than before: the file cut off is read again from its start, its rows set aside."""
        try:
            resumed = self._live.store.get_meta("ingest_resumed_from") if self._live is not None else None
        except Exception:  # the meta table is being written: the next open says it
            return
        if not resumed:
            return
        # a resumed run counts only the files it still has to read
        text = self.tr("The last import of this case stopped before its end; it goes on with the %1 file(s) not "
                       "read to the end, from %2, which is read again from its start: the rows it had are set "
                       "aside, so the table shows fewer rows than before until it is read.") \
            .replace("%1", str(p.total)).replace("%2", p.current.replace("::", "/").replace("\\", "/") if p.current else "?")
        self.timeline.set_banner(text)

    def _on_stage_finished(self, stage: str) -> None:
        if self._live is None:
            return
        if stage in ("catalogue", "extract"):
            self.files.refresh()
        elif stage == "finalize":
            # the table was rewritten in time order: its rows are positions in time from now on
            self.timeline.set_view(self._live)
            self.timeline.set_banner(self.tr("Analyzing…"))

    def _on_database(self, database: Path) -> None:
        self._database = database

    def _start_live(self) -> None:
        """Look at the database the ingest writes (read-only): the catalogue, the rows so far, the facts so
        far. The worker keeps writing; a timer shows what it committed."""
        db = self._database
        if db is None or not db.exists():
            return
        try:
            live = StoreView(db)
        except Exception:
            return
        self._live = live
        self.files.set_view(live)
        self.timeline.set_view(live)
        self.search.set_view(live)  # it answers from the rows committed so far and says "indexing…" meanwhile
        self.detail.set_view(live)  # a row picked while the case is read shows its fields
        for pane in (self.events, self.processes, self.dump):  # filled from the analysis, at the end: say so
            pane.empty.setText(reading_text())
            pane.empty.show()
        self.timeline.set_banner(self.tr("Reading the case: rows appear as the files are read, file after file; "
                                         "they are sorted by time when the ingest ends."))
        self.overview.show_progress(live, self._progress, self.source.name if self.source else "", self._estimate)
        self.strip.show_note(self.tr("The strip is drawn when the case is read to the end."))
        self.findings.details.setHtml("<p>" + html.escape(self.tr(
            "The analysis runs when the case is read to the end; the findings come then.")) + "</p>")
        self._live_timer.start()

    def _live_tick(self) -> None:
        """Show what the ingest committed since the last tick (rows, the catalogue, facts)."""
        if self._live is None:
            self._live_timer.stop()
            return
        self.timeline.grow()
        self._show_estimate()  # the sort and the analysis report nothing while they run: time moves the bars
        self._live_ticks += 1
        if self._live_ticks % 4 == 0:
            self.files.refresh()
        self.overview.show_progress(self._live, self._progress, self.source.name if self.source else "",
                                    self._estimate)

    def _on_finished(self, job: IngestJob, outcome: IngestOutcome) -> None:
        job.wait()
        job.deleteLater()  # the thread has ended; drop the job and its worker
        if job is not self.job:
            return
        self.job = None
        self.last_outcome = outcome
        self.cancel_action.setEnabled(False)
        self._show_progress(False)
        self._reading = None
        self.files.model.set_reading(None, 0)
        if outcome.error_kind in ("password", "wrong_password"):
            name = outcome.source.name
            self.strip.show_note(self.tr("%1 is encrypted: it is read once its password is given.").replace("%1", name))
            self.stage_label.setText(
                self.tr("%1 is encrypted: it opens with its password.").replace("%1", name)
                if outcome.error_kind == "password" else
                self.tr("The password does not open %1, or its header is damaged.").replace("%1", name))
            if self.interactive:
                self._ask_password(outcome)
                return
        if outcome.database is not None and outcome.database.exists():
            self._set_view(StoreView(outcome.database))
            if self.interactive:
                add_recent(outcome.source)
        else:
            self._set_view(None)
        self._report_outcome(outcome)
        self.caseLoaded.emit(outcome)

    def _ask_password(self, outcome: IngestOutcome) -> None:
        prompt = self.tr("%1 is encrypted. Enter its password:").replace("%1", outcome.source.name)
        if outcome.error_kind == "wrong_password":
            prompt = self.tr("That password does not open %1. Try again:").replace("%1", outcome.source.name)
        password, ok = QInputDialog.getText(self, self.tr("Password"), prompt, QLineEdit.EchoMode.Password)
        if ok and password:
            self.open_case(outcome.source, password)
        else:
            self.stage_label.setText(self.tr("Not opened: no password given."))

    def _report_outcome(self, outcome: IngestOutcome) -> None:
        view = self.view
        files = view.store.scalar("SELECT count(*) FROM files") if view else 0
        rows = view.store.scalar("SELECT coalesce(max(id), 0) FROM timeline") if view else 0  # ids are positions
        problems = view.store.scalar("SELECT count(*) FROM problems") if view else 0
        loaded = self.tr("%1 files and %2 timeline rows are loaded.").replace("%1", f"{files:,}") \
            .replace("%2", f"{rows:,}")
        if outcome.error_kind == "cancelled":  # the overview's own count, in its words
            said = read_sentence(*view.read_counts()) if view is not None else ""
            self.stage_label.setText(self.tr("Ingest cancelled. ") + said + " "
                                     + self.tr("Resume it from the case overview."))
            return
        if outcome.error:
            text = self.tr("Opening %1 stopped: %2").replace("%1", outcome.source.name).replace("%2", outcome.error)
            self.stage_label.setText(text)
            if self.interactive:
                QMessageBox.warning(self, self.tr("Case not fully loaded"), f"{text}\n\n{loaded}")
            else:
                sys.stderr.write(f"workbench: {text} {loaded}\n")
            return
        note = self.tr("Opened from the case database.") if not outcome.ingested else self.tr("Ingest complete.")
        if problems:
            note += " " + self.tr("%1 problems: see the Problems pane.").replace("%1", str(problems))
            self.docks["problems"].raise_()
        self.stage_label.setText(f"{note} {loaded}")

    def _set_view(self, view: StoreView | None) -> None:
        old = self.view
        self.bus.clear()
        self.view = view
        self._live_timer.stop()
        live, self._live = self._live, None
        for pane in self.panes:
            pane.set_view(view)  # type: ignore[attr-defined]
        self.timeline.set_banner(None if view is None or view.complete else self.tr(
            "The ingest did not finish: these rows are in the order they were read, not yet sorted by time or "
            "analyzed. Resume it from the case overview."))
        if live is not None:
            live.close()
        if old is not None:
            old.close()
        self.zone_label.setText(self.tr("Clock: %1").replace("%1", view.zone_label) if view else "")
        self.cursor_label.setText("")

    # -------------------------------------------------------------------------------------- navigation

    def _on_cursor(self, ts: int | None) -> None:
        sel = self.bus.selection  # the row picked at this moment says which clock it is on (no zone: UTC or not)
        file_id = sel.file_id if sel is not None and sel.ts == ts else None
        self.cursor_label.setText(self.view.format_ts(ts, file_id=file_id) if self.view is not None and ts is not None
                                  else "")

    def next_finding(self) -> None:
        model = self.findings.model
        if model.rowCount() == 0:
            return
        current = self.findings.table.currentIndex()
        self.findings.activate((current.row() + 1) % model.rowCount() if current.isValid() else 0)

    def go_to_time_dialog(self) -> None:
        if self.view is None:
            return
        text, ok = QInputDialog.getText(
            self, self.tr("Go to time"),
            self.tr("Time on the case clock (2021-05-18 03:11:02), or UTC with a Z at the end:"),
            QLineEdit.EchoMode.Normal, self.view.format_ts(self.bus.cursor, micro=False))
        if ok and text.strip():
            self.go_to_time(text)

    def go_to_time(self, text: str) -> bool:
        """Move the cursor to a typed time; False (and a message) when it is not a time."""
        from workbench.core.timeline import parse_time

        if self.view is None:
            return False
        try:
            ts = parse_time(text, self.view.store)
        except UserActionRequired as exc:
            self.statusBar().showMessage(str(exc), 8000)
            return False
        self.bus.set_cursor(ts)
        return True

    def change_zone_dialog(self) -> None:
        """Pick the case time zone (Windows or IANA name); the case is re-read on the new clock."""
        if self.view is None or self.source is None:
            return
        from zoneinfo import available_timezones

        from workbench.core.clock import WINDOWS_ZONES

        auto = self.tr("(as the case's own logs say)")
        choices = [auto, *sorted(WINDOWS_ZONES), *sorted(available_timezones())]
        current = self.view.store.get_meta("time_zone_user") or ""
        text, ok = QInputDialog.getItem(self, self.tr("Case time zone"),
                                        self.tr("Show every time in this zone, or at an offset like +08:00 (the case is read again):"),
                                        choices, choices.index(current) if current in choices else 0, True)
        if ok:
            self.change_zone("" if text == auto else text)

    def change_zone(self, zone: str) -> bool:
        """Re-open the case on ``zone`` (``""``: the zone the sources give); False when it is not a zone."""
        from workbench.core.clock import resolve_zone

        if self.source is None or (zone and resolve_zone(zone) is None):
            self.statusBar().showMessage(self.tr("%1 is not a time zone.").replace("%1", zone), 8000)
            return False
        self.open_case(self.source, getattr(self, "password", None), zone=zone)
        return True

    def focus_search(self) -> None:
        self.docks["search"].show()
        self.docks["search"].raise_()
        self.search.edit.setFocus()
        self.search.edit.selectAll()

    # -------------------------------------------------------------------------------------- misc

    def set_theme(self, theme: str) -> None:
        """Switch between light and dark at once (no restart) and remember the choice."""
        from PySide6.QtWidgets import QApplication

        from workbench.gui.theme import apply_theme

        settings().setValue("ui/theme", theme)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            apply_theme(app, theme)

    def _set_language(self, code: str) -> None:
        settings().setValue("ui/language", code)
        QMessageBox.information(self, self.tr("Language"),
                                self.tr("The new language is used the next time Case Workbench starts."))

    def _about(self) -> None:
        """The version, the versions of Qt and the parsers, and where the app keeps its log and cases: the
        three things a bug report needs, in a box the user can copy from."""
        from html import escape

        from workbench import __version__, applog
        from workbench.about import component_versions
        from workbench.core.case import cases_root

        rows = "".join(f"<tr><td>{escape(name)}</td><td>&nbsp;{escape(version)}</td></tr>"
                       for name, version in component_versions())
        places = (f"<p>{escape(self.tr('Error log'))}: {escape(str(applog.log_path()))}<br>"
                  f"{escape(self.tr('Case folders'))}: {escape(str(cases_root()))}</p>")
        text = escape(self.tr("Case Workbench %1: diagnose failed Windows feature upgrades, offline.")
                      .replace("%1", __version__))
        QMessageBox.about(self, self.tr("About Case Workbench"), f"<p>{text}</p><table>{rows}</table>{places}")

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt API)
        self.customer.shutdown()
        if self.job is not None:
            self.job.cancel()
            self.job.wait()
            self.job = None
        if self.interactive:
            self.save_layout()
        self._set_view(None)
        super().closeEvent(event)


def recent_cases() -> list[str]:
    value = settings().value("cases/recent", [])
    if isinstance(value, str):
        value = [value]
    return [str(v) for v in (value or []) if v]


def add_recent(path: Path) -> None:
    recent = [p for p in recent_cases() if p != str(path)]
    settings().setValue("cases/recent", [str(path), *recent][:MAX_RECENT])
