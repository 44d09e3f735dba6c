"""The timeline strip: one lane per source, the upgrade's phases as bands, reboots, findings and errors.

Lanes group a case's files by what they are (setup logs per folder role, setupapi, event logs, Procmon,
dumps), read from the small ``files`` table, so no pass over the timeline is needed to draw them. What is
drawn in the lanes depends on how much is visible: when the visible span holds at most
:data:`MARKER_ROWS` rows, every row is a marker (hover shows it, click goes to it); above that the span is
binned in SQL (``GROUP BY file_id, bucket`` over the ``ts`` index) and drawn as per-lane density bars with
the buckets that hold errors marked. Binning a big case takes time, so it runs in a thread with its own
read-only connection, and only the newest request is served while the user zooms and pans.

The phases (``setup.phases``) and reboots (``setup.reboots``) come from the upgrade analyzer's facts;
findings come from the ``findings`` table. Clicking moves the shared cursor; a click on a marker selects
that row, so the log table beside the strip scrolls to that exact line.
"""

from __future__ import annotations

import json
import math
import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyqtgraph as pg
from PySide6.QtCore import QEvent, QPointF, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QLabel, QToolTip, QVBoxLayout, QWidget

from workbench.core.finding_text import finding_data, translated
from workbench.gui.bus import CursorBus, Selection
from workbench.gui.i18n import ui_language
from workbench.gui.models.store_view import ERROR_LEVELS, StoreView
from workbench.gui.panes.common import not_read_text
from workbench.gui.theme import color

ORIGIN = "strip"
BUCKETS = 400
MAX_LANES = 16
#: Up to this many rows in a case everything is computed on the GUI thread (well under 100 ms); above, in a thread.
SYNC_ROWS = 200_000
#: A visible span with at most this many rows is drawn row by row; a bigger one as binned counts.
MARKER_ROWS = 5_000
#: How close (pixels) the mouse must be to a marker for hover and click to mean that marker.
PICK_PIXELS = 8
MESSAGE_CHARS = 300
#: Buckets of the one whole-case binning that zoomed-out views are summed from.
FINE_BUCKETS = 20_000

# Lane groups, in the order they are drawn from the top; setup logs come first, in the order Setup runs.
_GROUPS = ("setup", "setupapi", "evtx", "procmon", "dump", "wer", "other")
_ROLE_ORDER = ("deployment", "preinit", "downlevel", "newos", "oobe", "sysprep", "rollback", "postupgrade", "panther", "setupdiag")
_GROUP_OF_KIND = {"setupact": "setup", "setuperr": "setup", "setupapi": "setupapi", "evtx": "evtx",
                  "pml": "procmon", "procmon_csv": "procmon", "procmon_xml": "procmon", "kernel_dump": "dump",
                  "user_dump": "dump", "windbg_text": "dump", "wer_report": "wer"}
_GROUP_LABELS = {"setupapi": "setupapi", "evtx": "Event logs", "procmon": "Procmon", "dump": "Dumps",
                 "wer": "WER reports"}

#: Phase keys of ``setup.phases`` (and the names of MOUPG phases) → (label, colour).
PHASE_STYLES: dict[str, tuple[str, tuple[int, int, int]]] = {
    # dark enough for the white label on them to read at 4.5:1 (tests/gui/test_theme.py)
    "DOWNLEVEL": ("down-level", (36, 98, 178)),
    "SAFE_OS": ("SafeOS", (112, 66, 170)),
    "SAFE_OS/FIRST_BOOT": ("SafeOS / first boot", (112, 66, 170)),
    "FIRST_BOOT": ("first boot", (0, 110, 120)),
    "OOBE_BOOT": ("OOBE", (36, 120, 58)),
    "SYSPREP": ("sysprep", (128, 88, 40)),
    "ROLLBACK": ("rollback", (184, 56, 32)),
    "POST_UPGRADE": ("after the upgrade", (100, 100, 100)),
    "DEPLOYMENT": ("original deployment", (90, 90, 110)),
    "UNKNOWN": ("setup", (100, 100, 100)),
}
#: The colour of the phase labels, drawn on the opaque bands above.
PHASE_LABEL = (255, 255, 255)
LEVEL_BRUSHES = {"critical": (190, 0, 0), "error": (220, 40, 40), "warning": (225, 150, 0), "info": (90, 120, 170),
                 "verbose": (160, 160, 160)}
SEVERITY_BRUSHES = {"critical": (190, 0, 0), "high": (225, 90, 20), "medium": (210, 160, 0), "low": (90, 120, 170)}


# ------------------------------------------------------------------------------------------ lanes (no Qt)

@dataclass
class Lanes:
    """The lanes of a case: labels top to bottom and which lane each file's rows go to."""

    labels: list[str] = field(default_factory=list)
    of_file: dict[int, int] = field(default_factory=dict)


def lane_key(kind: str | None, role: str | None) -> tuple[int, int, str]:
    """Where a file's rows go: (group order, order within the group, label). Setup logs (setupact and
    setuperr) get one lane per folder role, because the folder tells which phase wrote them."""
    group = _GROUP_OF_KIND.get(kind or "", "other")
    if group == "setup":
        r = role or "other"
        order = _ROLE_ORDER.index(r) if r in _ROLE_ORDER else len(_ROLE_ORDER)
        return _GROUPS.index(group), order, f"Setup log · {r}"
    return _GROUPS.index(group), 0, _GROUP_LABELS.get(group, kind or "other")


def case_lanes(view: StoreView) -> Lanes:
    """Lanes from the catalogue: files that have timeline rows (an indexed probe per file, no scan),
    grouped by :func:`lane_key`; past :data:`MAX_LANES` the least busy fold into "other"."""
    keys: dict[tuple[int, int, str], list[int]] = {}
    rows: dict[tuple[int, int, str], int] = {}
    for fid, kind, role, records in view.store.conn.execute(
            "SELECT f.id, f.kind, f.role, f.records FROM files f "
            "WHERE EXISTS (SELECT 1 FROM timeline t WHERE t.file_id = f.id AND t.ts IS NOT NULL)"):
        key = lane_key(kind, role)
        keys.setdefault(key, []).append(int(fid))
        rows[key] = rows.get(key, 0) + int(records or 0)
    order = sorted(keys)
    if len(order) > MAX_LANES:
        keep = set(sorted(order, key=lambda k: -rows[k])[:MAX_LANES - 1])
        other = [fid for k in order if k not in keep for fid in keys[k]]
        order = [k for k in order if k in keep]
        keys[(99, 0, "other")] = other
        order.append((99, 0, "other"))
    lanes = Lanes()
    for i, key in enumerate(order):
        lanes.labels.append(key[2])
        for fid in keys[key]:
            lanes.of_file[fid] = i
    return lanes


def time_bounds(view: StoreView) -> tuple[int, int] | None:
    """First and last UTC time of the case, from the ``ts`` index. Two ``ORDER BY ... LIMIT 1`` probes:
    ``SELECT min(ts), max(ts)`` in one statement is not optimised by SQLite and reads the whole index."""
    conn = view.store.conn
    first = conn.execute("SELECT ts FROM timeline WHERE ts IS NOT NULL ORDER BY ts LIMIT 1").fetchone()
    if first is None:
        return None
    last = conn.execute("SELECT ts FROM timeline WHERE ts IS NOT NULL ORDER BY ts DESC LIMIT 1").fetchone()
    return int(first[0]), int(last[0])


#: The strip opens on the upgrade itself when it spans less than this share of the case's time range.
FOCUS_SHARE = 0.3
#: Room around the upgrade when the strip opens on it: this share of its length each side, at least 10 min.
FOCUS_MARGIN, FOCUS_MIN_MARGIN_US = 0.15, 10 * 60 * 1_000_000


def focus_bounds(bounds: tuple[int, int], phases: list[dict[str, Any]], reboots: list[dict[str, Any]],
                 findings: list[tuple[Any, ...]]) -> tuple[int, int]:
    """The span the strip opens on: the upgrade (its setup-log phases, reboots and findings) with some room,
    when the case reaches far beyond it, else the whole case.

    An event log holds weeks, a System log of a server months; shown whole, the hour the upgrade took is a
    sliver at one edge. Double-click (:meth:`TimelineStripPane.show_all`) still shows everything.
    """
    lo, hi = bounds
    times = [int(t) for ph in phases for t in (ph.get("start"), ph.get("end")) if isinstance(t, int)]
    times += [int(r["time"]) for r in reboots if isinstance(r.get("time"), int)]
    times += [int(f[1]) for f in findings]
    times = [t for t in times if lo <= t <= hi]
    if not times:
        return bounds
    start, end = min(times), max(times)
    if hi - lo <= 0 or (end - start) > FOCUS_SHARE * (hi - lo):
        return bounds
    margin = max(int((end - start) * FOCUS_MARGIN), FOCUS_MIN_MARGIN_US)
    return max(lo, start - margin), min(hi, end + margin)


def attempt_bounds(bounds: tuple[int, int], attempt: tuple[int, int] | None) -> tuple[int, int] | None:
    """The span the strip opens on when the case holds a Setup attempt (:func:`workbench.core.attempt.
    failed_attempt`): the hours from its last start to its failure or rollback end, with some room; None
    when there is none (then :func:`focus_bounds` decides)."""
    if attempt is None:
        return None
    lo, hi = bounds
    start, end = max(attempt[0], lo), min(attempt[1], hi)
    if end < start:
        return None
    margin = max(int((end - start) * FOCUS_MARGIN), FOCUS_MIN_MARGIN_US)
    return max(lo, start - margin), min(hi, end + margin)


def binned_counts(view: StoreView, lanes: Lanes, lo: int, hi: int, buckets: int) -> dict[str, Any]:
    """Rows per lane and time bucket in ``[lo, hi]`` (UTC µs), counted in SQL over the ``ts`` index:
    ``{"lo", "hi", "width", "counts": {lane index: {bucket: [rows, errors]}}}``."""
    width = max(1, math.ceil((hi - lo + 1) / max(1, buckets)))
    marks = ",".join("?" * len(ERROR_LEVELS))
    counts: dict[int, dict[int, list[int]]] = {}
    for fid, bucket, n, errors in view.store.conn.execute(
            f"SELECT file_id, (ts - ?) / ?, count(*), sum(level IN ({marks})) FROM timeline "
            "WHERE ts BETWEEN ? AND ? GROUP BY 1, 2", (lo, width, *ERROR_LEVELS, lo, hi)):
        lane = lanes.of_file.get(fid)
        if lane is None:
            continue
        cell = counts.setdefault(lane, {}).setdefault(int(bucket), [0, 0])
        cell[0] += n
        cell[1] += errors or 0
    return {"lo": lo, "hi": hi, "width": width, "counts": counts}


def rows_in_span(view: StoreView, lo: int, hi: int, limit: int | None = None) -> list[tuple[Any, ...]] | None:
    """The rows in ``[lo, hi]`` as (id, ts, file_id, line, level, source, component, message), or None when
    there are more than ``limit`` (default :data:`MARKER_ROWS`) of them (the caller then bins instead)."""
    limit = MARKER_ROWS if limit is None else limit
    rows = view.store.conn.execute(
        f"SELECT id, ts, file_id, line, level, source, component, substr(message, 1, {MESSAGE_CHARS}) "
        "FROM timeline WHERE ts BETWEEN ? AND ? ORDER BY ts, id LIMIT ?", (lo, hi, limit + 1)).fetchall()
    if len(rows) > limit:
        return None
    return [tuple(r) for r in rows]


def strip_data(view: StoreView, buckets: int = BUCKETS, span: tuple[int, int] | None = None,
               lanes: Lanes | None = None, marker_rows: int | None = None,
               overview: dict[str, Any] | None = None) -> dict[str, Any] | None:
    """What the lanes show over ``span`` (default: the whole case): the rows themselves when there are few
    (``"mode": "markers"``, ``"rows"``), else binned counts (``"mode": "density"``, ``"counts"``).

    Also ``"lanes"`` (labels, top first) and ``"lo"``/``"hi"`` (the span, UTC µs). None for an empty case.
    With ``overview`` (fine bins of the whole case, :func:`binned_counts`), a span whose buckets are at
    least as wide as the overview's is summed from it instead of asking SQL again: zooming out and
    panning on a zoomed-out view of millions of rows then costs nothing. Safe to call on a worker thread
    with a :class:`StoreView` opened there."""
    bounds = time_bounds(view)
    if bounds is None:
        return None
    lanes = lanes if lanes is not None else case_lanes(view)
    lo, hi = span if span is not None else bounds
    lo, hi = max(lo, bounds[0]), min(hi, bounds[1])
    if hi < lo:
        lo = hi = bounds[0]
    limit = MARKER_ROWS if marker_rows is None else marker_rows
    rows = rows_in_span(view, lo, hi, limit)
    if rows is not None:
        return {"mode": "markers", "lo": lo, "hi": hi, "lanes": lanes.labels, "rows": rows, "width": 0,
                "counts": {}}
    width = max(1, math.ceil((hi - lo + 1) / max(1, buckets)))
    if overview is not None and overview["width"] <= width:
        data = rebin(overview, lo, hi, width)
    else:
        data = binned_counts(view, lanes, lo, hi, buckets)
    data.update(mode="density", lanes=lanes.labels, rows=[])
    return data


def rebin(fine: dict[str, Any], lo: int, hi: int, width: int) -> dict[str, Any]:
    """Coarser buckets of ``width`` µs over ``[lo, hi]`` summed from finer ones (each fine bucket counted in
    the coarse bucket its start falls in: off by at most one fine bucket, invisible at this zoom)."""
    counts: dict[int, dict[int, list[int]]] = {}
    for lane, cells in fine["counts"].items():
        for bucket, (n, errors) in cells.items():
            start = fine["lo"] + bucket * fine["width"]
            if start + fine["width"] <= lo or start > hi:
                continue
            cell = counts.setdefault(lane, {}).setdefault(max(0, (start - lo) // width), [0, 0])
            cell[0] += n
            cell[1] += errors
    return {"lo": lo, "hi": hi, "width": width, "counts": counts}


class LaneData:
    """Lane data of one case on one connection: the whole case binned finely once (the first time a
    density view is needed), then every request answered from it or, when zoomed in further, from SQL."""

    def __init__(self, view: StoreView, lanes: Lanes) -> None:
        self.view = view
        self.lanes = lanes
        self.overview: dict[str, Any] | None = None

    def compute(self, span: tuple[int, int] | None, buckets: int = BUCKETS) -> dict[str, Any] | None:
        bounds = time_bounds(self.view)
        if bounds is None:
            return None
        if self.overview is None:
            lo, hi = span if span is not None else bounds
            if rows_in_span(self.view, max(lo, bounds[0]), min(hi, bounds[1])) is None:  # too many: bins
                self.overview = binned_counts(self.view, self.lanes, bounds[0], bounds[1], FINE_BUCKETS)
        return strip_data(self.view, buckets=buckets, span=span, lanes=self.lanes, overview=self.overview)


def strip_data_from(database: Path, **kwargs: Any) -> dict[str, Any] | None:
    """:func:`strip_data` on a connection of its own (for a worker thread)."""
    view = StoreView(database)
    try:
        return strip_data(view, **kwargs)
    finally:
        view.close()


def case_phases(view: StoreView) -> list[dict[str, Any]]:
    """The ``setup.phases`` fact (a JSON list written by the upgrade analyzer); empty when absent or damaged."""
    return _json_fact(view, "setup.phases")


#: How far from the span the strip opens on the reported moment may be and still be brought into it
REPORTED_REACH_US = 6 * 3600 * 1_000_000


def with_reported(span: tuple[int, int], reported: int | None) -> tuple[int, int]:
    """``span`` widened to show the moment the customer reported, when it is within :data:`REPORTED_REACH_US`
    of it (a report hours off says another failure, and the verdict says so; the strip stays on the attempt)."""
    first, last = span
    if reported is None or not first - REPORTED_REACH_US <= reported <= last + REPORTED_REACH_US:
        return span
    room = max((max(last, reported) - min(first, reported)) // 50, 1_000_000)
    return (min(first, reported - room), max(last, reported + room)) if not first <= reported <= last else span


def case_reboots(view: StoreView) -> list[dict[str, Any]]:
    """The ``setup.reboots`` fact: every boot the logs saw, with the line that says so."""
    return _json_fact(view, "setup.reboots")


def _json_fact(view: StoreView, name: str) -> list[dict[str, Any]]:
    row = view.store.fact(name)
    if row is None or not row["value"]:
        return []
    try:
        value = json.loads(row["value"])
    except ValueError:
        return []
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def phase_style(phase: dict[str, Any]) -> tuple[str, tuple[int, int, int]]:
    """Label and colour of a phase entry: folder bands by their phase key, MOUPG phases by their name,
    rollback phases by their number."""
    kind = phase.get("kind")
    if kind == "rollback":
        number = phase.get("number")
        return (f"rollback {number}" if number is not None else "rollback"), PHASE_STYLES["ROLLBACK"][1]
    if kind == "moupg":
        name = str(phase.get("name") or "MOUPG")
        low = name.lower()
        key = ("SAFE_OS" if "safe" in low else "FIRST_BOOT" if "first" in low else "OOBE_BOOT" if "oobe" in low
               else "ROLLBACK" if "rollback" in low else "DOWNLEVEL")
        return name, PHASE_STYLES[key][1]
    key = str(phase.get("phase") or "UNKNOWN")
    label, color = PHASE_STYLES.get(key, PHASE_STYLES["UNKNOWN"])
    if key == "UNKNOWN" and phase.get("role"):
        label = str(phase["role"])
    return label, color


def case_findings(view: StoreView, language: str = "en") -> list[tuple[int, int, str, str, int | None, int | None]]:
    """Findings that have a time: (id, ts, severity, title in ``language``, first evidence file_id, line)."""
    out = []
    for fid, ts, severity, english, data in view.store.conn.execute(
            "SELECT id, coalesce(ts, (SELECT min(ts) FROM evidence e WHERE e.finding_id = f.id)), severity, "
            "title, data FROM findings f ORDER BY id"):
        if ts is None:
            continue
        title = translated(finding_data(data), "title", language) or english
        ev = view.store.conn.execute("SELECT file_id, line FROM evidence WHERE finding_id = ? AND file_id IS NOT "
                                     "NULL ORDER BY id LIMIT 1", (fid,)).fetchone()
        out.append((int(fid), int(ts), severity or "", title or "", ev[0] if ev else None, ev[1] if ev else None))
    return out


# ------------------------------------------------------------------------------------------ the worker

class _StripWorker:
    """A thread with its own read-only connection that computes :func:`strip_data` for the newest request.

    Zooming asks for a new span many times a second; older requests still waiting are simply replaced."""

    def __init__(self, database: Path, lanes: Lanes, deliver: Callable[[int, object], None]) -> None:
        self._database = database
        self._lanes = lanes
        self._deliver = deliver
        self._cond = threading.Condition()
        self._request: tuple[int, dict[str, Any]] | None = None
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="strip-density", daemon=True)
        self._thread.start()

    def request(self, generation: int, **kwargs: Any) -> None:
        with self._cond:
            self._request = (generation, kwargs)
            self._cond.notify()

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify()

    def _run(self) -> None:
        view = StoreView(self._database)
        lane_data = LaneData(view, self._lanes)
        try:
            while True:
                with self._cond:
                    while self._request is None and not self._closed:
                        self._cond.wait()
                    if self._closed:
                        return
                    generation, kwargs = self._request  # type: ignore[misc]
                    self._request = None
                try:
                    data: object = lane_data.compute(**kwargs)
                except Exception as exc:  # a case being re-ingested under us: draw nothing, say why
                    data = {"error": str(exc)}
                with self._cond:
                    if self._closed:
                        return
                try:
                    self._deliver(generation, data)
                except RuntimeError:
                    return  # the pane was deleted while we worked
        finally:
            view.close()


# ------------------------------------------------------------------------------------------ the pane

class CaseDateAxis(pg.DateAxisItem):
    """Date ticks on the case clock: x is UTC seconds, labels are the case's wall clock."""

    def set_offset(self, seconds_east: int) -> None:
        # pyqtgraph's utcOffset follows time.timezone: seconds *west* of UTC.
        self.utcOffset = -seconds_east
        self.picture = None
        self.update()


@dataclass
class _Hit:
    """Something under the mouse: what the tooltip says and what a click selects."""

    text: str
    selection: Selection | None = None


class TimelineStripPane(QWidget):
    """A pyqtgraph plot of lanes, phases, reboots and findings; wheel zooms, drag pans, click moves the cursor.

    ``ready`` is emitted each time lane data was drawn (at once on small cases, when the thread delivers on
    big ones); ``pending`` says a request is out. ``mode`` is ``"markers"`` or ``"density"``.
    """

    ready = Signal()
    _computed = Signal(int, object)  # (generation, data): delivered on the GUI thread (queued)

    def __init__(self, bus: CursorBus, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("TimelineStripPane")
        self.bus = bus
        self.axis = CaseDateAxis(orientation="bottom")
        self.plot = pg.PlotWidget(self, axisItems={"bottom": self.axis})
        self.plot.setObjectName("timelineStrip")
        self._apply_palette()
        self.plot.setMouseEnabled(x=True, y=False)  # wheel zooms time, drag pans time; lanes stay put
        self.plot.hideButtons()
        self.plot.getPlotItem().setMenuEnabled(False)
        self.plot.showGrid(x=True, y=False, alpha=0.15)
        self.vb = self.plot.getPlotItem().getViewBox()
        self.cursor_line = pg.InfiniteLine(angle=90, movable=False, pen=pg.mkPen((30, 110, 220), width=2))
        self.cursor_line.setZValue(10)
        self.cursor_line.hide()
        self.plot.addItem(self.cursor_line, ignoreBounds=True)
        self.range_region = pg.LinearRegionItem(movable=False, brush=pg.mkBrush(30, 110, 220, 40),
                                                pen=pg.mkPen(30, 110, 220, 120))
        self.range_region.setZValue(5)
        self.range_region.hide()
        self.plot.addItem(self.range_region, ignoreBounds=True)
        # a ring around the selected row's marker, wherever the selection came from
        self.selected_mark = pg.ScatterPlotItem(size=17, symbol="o", brush=pg.mkBrush(None),
                                                pen=pg.mkPen((30, 110, 220), width=2))
        self.selected_mark.setZValue(9)
        self.selected_mark.hide()
        self.plot.addItem(self.selected_mark, ignoreBounds=True)
        self.plot.setToolTip(self.tr("Wheel: zoom · drag: pan · click: move the cursor · double-click: whole case"))
        # instead of an empty plot with a meaningless axis: why there is nothing to draw
        self.note = QLabel(self)
        self.note.setObjectName("stripNote")
        self.note.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.note.setWordWrap(True)
        self.note.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plot)
        layout.addWidget(self.note)

        self._view: StoreView | None = None
        self._worker: _StripWorker | None = None
        self._lanes = Lanes()
        self._lane_data: LaneData | None = None  # small cases: computed here, on the GUI thread
        self._bounds: tuple[int, int] | None = None
        self._label_font = self.font()
        self._label_font.setPointSizeF(max(6.0, self._label_font.pointSizeF() * 0.8))
        self._generation = 0
        self._sync = True
        self._setting_range = False
        self._data: dict[str, Any] | None = None
        self._data_items: list[Any] = []  # redrawn on every zoom
        self._case_items: list[Any] = []  # phases, reboots, findings: drawn once per case
        self._labels: list[tuple[pg.TextItem, float, float, float]] = []  # phase labels, their band x0, x1, height
        self._marker_rows: list[tuple[float, float, tuple[Any, ...]]] = []  # (x, y, row) of markers mode
        self._findings: list[tuple[float, float, tuple[Any, ...]]] = []
        self._phase_hits: list[tuple[float, float, float, dict[str, Any]]] = []  # (x0, x1, y, phase)
        self._reboots: list[tuple[float, dict[str, Any]]] = []
        self._reboot_lines: list[pg.InfiniteLine] = []
        self.lanes: list[str] = []
        self.phases: list[dict[str, Any]] = []
        self.reboots: list[dict[str, Any]] = []
        self.mode = ""
        self.pending = False
        self._last_request: tuple[int, int, int] | None = None
        self._zoom_timer = QTimer(self)
        self._zoom_timer.setSingleShot(True)
        self._zoom_timer.setInterval(120)
        self._zoom_timer.timeout.connect(self._refresh_span)
        self._computed.connect(self._on_computed)
        self.vb.sigXRangeChanged.connect(self._on_x_range)
        self.vb.sigResized.connect(self._update_labels)
        self.plot.scene().sigMouseClicked.connect(self._on_click)
        self.plot.scene().sigMouseMoved.connect(self._on_hover)
        bus.cursorChanged.connect(self._on_cursor)
        bus.rangeChanged.connect(self._on_range)
        bus.selectionChanged.connect(self._on_selection)
        bus.momentChanged.connect(self._on_moment)
        self.moment: int | None = None

    def _apply_palette(self) -> None:
        """pyqtgraph does not follow the Qt palette: give it the palette's colours (light or dark theme)."""
        pal = self.palette()
        self.plot.setBackground(pal.color(QPalette.ColorRole.Base))
        self._fg = pal.color(QPalette.ColorRole.Text)
        for name in ("left", "bottom"):
            ax = self.plot.getPlotItem().getAxis(name)
            ax.setPen(self._fg)
            ax.setTextPen(self._fg)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt API)
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            self._apply_palette()
        super().changeEvent(event)

    # ------------------------------------------------------------------------------------ y layout

    @property
    def phase_y(self) -> float:
        """The y of the phases lane (top of the plot)."""
        return len(self.lanes) + 1.0

    @property
    def findings_y(self) -> float:
        return float(len(self.lanes))

    def lane_y(self, index: int) -> float:
        """The y of lane ``index`` (0 = the top lane below phases and findings)."""
        return float(len(self.lanes) - 1 - index)

    # ------------------------------------------------------------------------------------ case

    def set_view(self, view: StoreView | None) -> None:
        """Show another case: lanes, phases, reboots and findings at once, then the lane data."""
        if self._worker is not None:
            self._worker.close()
            self._worker = None
        self._view = view
        self._lane_data = None
        self._generation += 1
        self._last_request = None
        self._clear(self._case_items)
        self._clear(self._data_items)
        self._labels, self._marker_rows, self._findings, self._phase_hits, self._reboots = [], [], [], [], []
        self._reboot_lines = []
        self.lanes, self.phases, self.reboots, self.mode, self._data = [], [], [], "", None
        self.attempt: tuple[int, int] | None = None  # the failed attempt the strip opened on (UTC µs)
        self.reported_ts: int | None = None  # the moment the customer reported, as stored times are
        self.reported_line: pg.InfiniteLine | None = None
        self._reported_text = ""
        self.pending = False
        self.selected_mark.hide()
        unread = view is not None and not view.complete
        self._bounds = time_bounds(view) if view is not None and not unread else None
        if view is None or self._bounds is None:
            self._view = None
            self.plot.getPlotItem().getAxis("left").setTicks([[]])
            note = not_read_text() if unread else (self.tr("No timeline rows with a time in this case.")
                                                   if view is not None else self.tr("No case open."))
            self.show_note(note)
            return
        self.note.hide()
        self.plot.show()
        lo, hi = self._bounds
        self.axis.set_offset(view.offset_seconds((lo + hi) // 2))
        self._lanes = case_lanes(view)
        self.lanes = self._lanes.labels
        rows = int(view.store.scalar("SELECT coalesce(max(id), 0) FROM timeline") or 0)
        self._sync = rows <= SYNC_ROWS
        if not self._sync:
            # The thread holds the pane only weakly, and a pane collected without set_view(None) stops it:
            # a thread keeping a Qt wrapper alive until interpreter exit is what crashes PySide at teardown.
            pane = weakref.ref(self)

            def deliver(generation: int, data: object) -> None:
                target = pane()
                if target is not None:
                    target._computed.emit(generation, data)

            self._worker = _StripWorker(view.database, self._lanes, deliver)
            weakref.finalize(self, self._worker.close)
        self._draw_case(view)
        self._update_labels()
        span = max(hi - lo, 1_000_000) / 1e6
        self._setting_range = True
        try:
            self.plot.setLimits(xMin=lo / 1e6 - span * 0.5, xMax=hi / 1e6 + span * 0.5, minXRange=0.01,
                                yMin=-1, yMax=self.phase_y + 1)
            self.plot.setYRange(-0.6, self.phase_y + 0.6, padding=0)
            from workbench.core.attempt import failed_attempt

            attempt = failed_attempt(view.store)
            self.attempt = (attempt.start, attempt.end) if attempt is not None else None
            first, last = attempt_bounds((lo, hi), self.attempt) or focus_bounds(
                (lo, hi), self.phases, self.reboots, [f[2] for f in self._findings])
            first, last = with_reported((first, last), self.reported_ts)
            if (first, last) == (lo, hi):
                self.plot.setXRange(lo / 1e6 - span * 0.01, hi / 1e6 + span * 0.01, padding=0)
            else:
                self.plot.setXRange(first / 1e6, last / 1e6, padding=0)
        finally:
            self._setting_range = False
        if (first, last) == (lo, hi):
            self._request((lo, hi), self._buckets())
        else:
            self._refresh_span()  # bars as fine as the span shown (with room to pan), not the whole case
        self._on_cursor(self.bus.cursor)
        self._on_range(self.bus.range)
        self._on_selection(self.bus.selection)

    def show_note(self, text: str) -> None:
        """Say why there is nothing to draw (a case still being read) in place of an empty plot."""
        self.note.setText(text)
        self.plot.hide()
        self.note.show()

    def show_all(self) -> None:
        """Zoom out to the whole case (double-click does this)."""
        if self._bounds is None:
            return
        lo, hi = self._bounds
        span = max(hi - lo, 1_000_000) / 1e6
        self.plot.setXRange(lo / 1e6 - span * 0.01, hi / 1e6 + span * 0.01, padding=0)

    def _lane_text(self, label: str) -> str:
        """A lane label in the user's language: the words are translated, folder roles and source names
        (``rollback``, ``setupapi``) stay as the files call them."""
        head, sep, tail = label.partition(" · ")
        return self.tr(head) + sep + tail

    def _clear(self, items: list[Any]) -> None:
        for item in items:
            self.plot.removeItem(item)
        items.clear()

    def _add(self, item: Any, bucket: list[Any], z: float = 0.0) -> None:
        item.setZValue(z)
        self.plot.addItem(item, ignoreBounds=True)
        bucket.append(item)

    def _draw_case(self, view: StoreView) -> None:
        """Lane ticks, phase bands (with a faint wash over the lanes), reboot lines and finding markers."""
        ticks = [(self.lane_y(i), self._lane_text(label)) for i, label in enumerate(self.lanes)]
        ticks += [(self.findings_y, self.tr("Findings")), (self.phase_y, self.tr("Phases"))]
        self.plot.getPlotItem().getAxis("left").setTicks([ticks])
        # phases: folder bands in the upper part of the lane, MOUPG / rollback phases as a thinner bar below
        self.phases = case_phases(view)
        x0s, x1s, y0s, hs, brushes, wash = [], [], [], [], [], []
        for phase in self.phases:
            start, end = phase.get("start"), phase.get("end")
            if start is None:
                continue
            end = start if end is None else end
            label, rgb = phase_style(phase)
            upper = phase.get("kind") == "file"
            y0, h = (self.phase_y - 0.12, 0.58) if upper else (self.phase_y - 0.46, 0.3)
            a, b = start / 1e6, max(end / 1e6, start / 1e6 + 1)
            x0s.append(a)
            x1s.append(b)
            y0s.append(y0)
            hs.append(h)
            brushes.append(pg.mkBrush(*rgb, 255))
            self._phase_hits.append((a, b, y0 + h / 2, phase))
            text = pg.TextItem(self.tr(label), color=PHASE_LABEL, anchor=(0, 0.5))
            text.setFont(self._label_font)
            text.textItem.document().setDocumentMargin(1)  # the default 4 px margin does not fit a thin band
            text.updateTextPos()
            text.setPos(a, y0 + h / 2)
            self._add(text, self._case_items, 3)
            self._labels.append((text, a, b, h))
            if upper:
                wash.append((a, b, pg.mkBrush(*rgb, 28)))
        if x0s:
            self._add(pg.BarGraphItem(x0=x0s, x1=x1s, y0=y0s, height=hs, brushes=brushes, pen=pg.mkPen(None)),
                      self._case_items, 2)
        if wash:
            self._add(pg.BarGraphItem(x0=[w[0] for w in wash], x1=[w[1] for w in wash], y0=-0.5,
                                      height=len(self.lanes) + 1.0, brushes=[w[2] for w in wash],
                                      pen=pg.mkPen(None)), self._case_items, -10)
        # reboots: dashed vertical lines across every lane
        self.reboots = case_reboots(view)
        for reboot in self.reboots:
            if reboot.get("time") is None:
                continue
            x = reboot["time"] / 1e6
            # the label sits between the findings and the phases lanes, left of the line (the new boot's
            # markers are on its right)
            where = (self.findings_y + 0.5 + 0.6) / (self.phase_y + 1.2)
            line = pg.InfiniteLine(pos=x, angle=90, movable=False, label=self.tr("reboot"),
                                   labelOpts={"position": where, "color": self._fg, "anchors": [(1, 0.5), (1, 0.5)]},
                                   pen=pg.mkPen(self._fg, width=1, style=Qt.PenStyle.DashLine))
            self._add(line, self._case_items, 4)
            self._reboots.append((x, reboot))
            self._reboot_lines.append(line)
        self._draw_reported(view)
        # findings: stars on their own lane, coloured by severity
        xs, brushes = [], []
        for finding in case_findings(view, ui_language()):
            x = finding[1] / 1e6
            xs.append(x)
            brushes.append(pg.mkBrush(*SEVERITY_BRUSHES.get(finding[2], (90, 120, 170))))
            self._findings.append((x, self.findings_y, finding))
        if xs:
            self._add(pg.ScatterPlotItem(x=xs, y=[self.findings_y] * len(xs), symbol="star", size=14,
                                         brush=brushes, pen=pg.mkPen(80, 0, 0)), self._case_items, 6)

    def _draw_reported(self, view: StoreView) -> None:
        """What the customer reported, when it names a day and a time: a line across every lane at that moment
        on the machine's clock (``reported 10:35``), so the engineer sees the failure the logs show beside it."""
        from workbench.core.verdict.reported import reported_of

        reported = reported_of(view.store)
        self.reported_ts = None
        if reported is None or not reported.date or not reported.time:
            return
        self.reported_ts = view.times.from_wall(f"{reported.date} {reported.time}")
        if self.reported_ts is None:
            return
        label = self.tr("reported %1").replace("%1", reported.time)
        where = (self.findings_y - 0.5 + 0.6) / (self.phase_y + 1.2)  # between the findings and the first lane
        line = pg.InfiniteLine(pos=self.reported_ts / 1e6, angle=90, movable=False, label=label,
                               # left of the line, like a reboot's: at the end of the span there is no room right
                               labelOpts={"position": where, "color": color("error"),
                                          "anchors": [(1, 0.5), (1, 0.5)]},
                               pen=pg.mkPen(color("error"), width=2, style=Qt.PenStyle.DotLine))
        self._reported_text = " ".join(str(reported.evidence.get("text") if reported.evidence else "").split())
        self._add(line, self._case_items, 4)
        self.reported_line = line

    # ------------------------------------------------------------------------------------ lane data

    def _buckets(self) -> int:
        """About one bar per three pixels of plot width."""
        width = self.vb.width() if self.vb.width() > 10 else 800
        return int(max(50, min(2000, width / 3)))

    def _request(self, span: tuple[int, int], buckets: int) -> None:
        """Ask for lane data over ``span``: computed here on small cases, by the worker on big ones."""
        if self._view is None:
            return
        self._last_request = (span[0], span[1], buckets)
        if self._sync:
            if self._lane_data is None:
                self._lane_data = LaneData(self._view, self._lanes)
            self._draw_data(self._lane_data.compute(span, buckets))
            return
        self.pending = True
        assert self._worker is not None
        self._worker.request(self._generation, buckets=buckets, span=span)

    def _on_computed(self, generation: int, data: object) -> None:
        if generation == self._generation and self._view is not None:
            self._draw_data(data if isinstance(data, dict) and "error" not in data else None)

    def _on_x_range(self, *_args: object) -> None:
        self._update_labels()
        if not self._setting_range and self._view is not None:
            self._zoom_timer.start()

    def _refresh_span(self) -> None:
        """After a zoom or pan settled: fetch lane data unless what is drawn already covers the view at a
        fitting resolution (rows drawn one by one stay valid when zooming in)."""
        if self._view is None or self._bounds is None:
            return
        (x0, x1), _ = self.vb.viewRange()
        lo, hi = int(x0 * 1e6), int(x1 * 1e6)
        data = self._data
        buckets = self._buckets()
        if data is not None and data["lo"] <= max(lo, self._bounds[0]) and min(hi, self._bounds[1]) <= data["hi"]:
            if data["mode"] == "markers":
                return
            wanted = max(1, (hi - lo) // buckets)
            if 0.5 <= data["width"] / wanted <= 2:
                return
        # a margin either side, so a little panning needs no new query
        span = hi - lo
        self._request((lo - span, hi + span), buckets * 3)

    def _draw_data(self, data: dict[str, Any] | None) -> None:
        self._clear(self._data_items)
        self._marker_rows = []
        self.pending = False
        self._data = data
        if data is None or self._view is None:
            self.mode = ""
            return
        self.mode = data["mode"]
        if self.mode == "markers":
            self._draw_markers(data["rows"])
        else:
            self._draw_density(data)
        self.ready.emit()

    def _draw_markers(self, rows: list[tuple[Any, ...]]) -> None:
        """One scatter item per level, errors drawn last so that where rows of one second share a point the
        error is the one seen (a uniform item draws thousands of points fast; per-point brushes do not)."""
        by_level: dict[str, tuple[list[float], list[float]]] = {}
        for row in rows:
            lane = self._lanes.of_file.get(row[2])
            if lane is None:
                continue
            level = row[4] if row[4] in LEVEL_BRUSHES else "info"
            x, y = row[1] / 1e6, self.lane_y(lane)
            xs, ys = by_level.setdefault(level, ([], []))
            xs.append(x)
            ys.append(y)
        rank = {"critical": 3, "error": 2, "warning": 1}
        points: list[tuple[int, float, float, tuple[Any, ...]]] = []
        for row in rows:
            lane = self._lanes.of_file.get(row[2])
            if lane is not None:
                points.append((rank.get(row[4] or "", 0), row[1] / 1e6, self.lane_y(lane), row))
        points.sort(key=lambda p: p[0])
        self._marker_rows = [(x, y, row) for _r, x, y, row in points]
        for level in sorted(by_level, key=lambda lv: rank.get(lv, 0)):
            xs, ys = by_level[level]
            error = level in ERROR_LEVELS
            item = pg.ScatterPlotItem(x=xs, y=ys, brush=pg.mkBrush(*LEVEL_BRUSHES[level]), pen=pg.mkPen(None),
                                      size=11 if error else 7 if level == "warning" else 6,
                                      symbol="d" if error else "o")
            self._add(item, self._data_items, 1 + rank.get(level, 0) * 0.1)

    def _draw_density(self, data: dict[str, Any]) -> None:
        w = data["width"] / 1e6
        lo = data["lo"] / 1e6
        color = QColor(self.palette().color(QPalette.ColorRole.Highlight))
        xs, hs, y0s, err_x, err_y = [], [], [], [], []
        for lane, cells in data["counts"].items():
            if not cells:
                continue
            y = self.lane_y(lane)
            peak = max(n for n, _ in cells.values())
            for bucket, (n, errors) in cells.items():
                x = lo + (bucket + 0.5) * w
                h = 0.15 + 0.7 * math.log1p(n) / math.log1p(peak) if peak else 0.15
                xs.append(x)
                hs.append(h)
                y0s.append(y - h / 2)
                if errors:
                    err_x.append(x)
                    err_y.append(y)
        if xs:
            self._add(pg.BarGraphItem(x=xs, height=hs, width=w, y0=y0s, brush=color, pen=pg.mkPen(None)),
                      self._data_items, 1)
        if err_x:
            self._add(pg.ScatterPlotItem(x=err_x, y=err_y, symbol="d", size=9, brush=pg.mkBrush(210, 40, 40),
                                         pen=pg.mkPen(120, 0, 0)), self._data_items, 2)

    def _update_labels(self) -> None:
        """A phase label shows only when its band is wide enough on screen to hold it; a reboot label only
        when the previous reboot line is far enough away not to overwrite it."""
        (x0, x1), (y0, y1) = self.vb.viewRange()
        if self._reboot_lines:
            px = max(self.vb.width(), 1) / max(x1 - x0, 1e-9)
            # labels are drawn left of their line: each needs room up to the previous line
            xs = [-math.inf] + [line.value() for line in self._reboot_lines]
            for line, prev in zip(self._reboot_lines, xs, strict=False):
                line.label.setVisible((line.value() - prev) * px > line.label.boundingRect().width() + 4)
        if not self._labels:
            return
        px = max(self.vb.width(), 1) / max(x1 - x0, 1e-9)
        py = max(self.vb.height(), 1) / max(y1 - y0, 1e-9)
        for text, a, b, h in self._labels:
            box = text.boundingRect()
            fits = (min(b, x1) - max(a, x0)) * px >= box.width() + 4 and h * py >= box.height() - 6
            text.setVisible(fits)
            if a < x0 < b:
                text.setPos(x0, text.pos().y())  # keep the label of a band cut by the left edge in view
            else:
                text.setPos(a, text.pos().y())

    def resizeEvent(self, event: Any) -> None:  # noqa: N802 (Qt API)
        super().resizeEvent(event)
        self._update_labels()

    # ------------------------------------------------------------------------------------ mouse

    def hit_at(self, scene_pos: QPointF) -> _Hit | None:
        """What is under a scene position: a row marker, a finding, a phase, a reboot or a density bucket."""
        if self._view is None or not self.vb.sceneBoundingRect().contains(scene_pos):
            return None
        p = self.vb.mapSceneToView(scene_pos)
        (x0, x1), _ = self.vb.viewRange()
        px = max(self.vb.width(), 1) / max(x1 - x0, 1e-9)  # pixels per second
        reach = PICK_PIXELS / px
        fmt = self._view.format_ts

        def nearest(points: list[tuple[float, float, Any]]) -> Any:
            # among points at the same distance the last drawn wins: it is the one on top
            best = min(((abs(x - p.x()), -i, item) for i, (x, y, item) in enumerate(points)
                        if abs(y - p.y()) < 0.45), key=lambda t: (t[0], t[1]), default=None)
            return best[2] if best is not None and best[0] <= reach else None

        row = nearest(self._marker_rows)
        if row is not None:
            rid, ts, fid, line, level, source, component, message = row
            lane = self.lanes[self._lanes.of_file[fid]]
            text = f"{fmt(ts)}  {lane}  line {line}\n{level or ''} {component or ''}\n{message or ''}"
            return _Hit(text.strip(), Selection("row", ts=ts, row_id=rid, file_id=fid, line=line, origin=ORIGIN))
        finding = nearest(self._findings)
        if finding is not None:
            fid, ts, severity, title, ev_file, ev_line = finding
            return _Hit(f"{fmt(ts)}  {severity}\n{title}",
                        Selection("finding", ts=ts, finding_id=fid, file_id=ev_file, line=ev_line, origin=ORIGIN))
        if abs(p.y() - self.phase_y) < 0.5:
            inside = [ph for a, b, y, ph in self._phase_hits if a <= p.x() <= b and abs(p.y() - y) <= 0.3]
            if inside:
                ph = inside[0]
                text = (f"{ph.get('name')}\n{fmt(ph.get('start'), micro=False)} – {fmt(ph.get('end'), micro=False)}")
                return _Hit(text, Selection("evidence", ts=ph.get("start"), file_id=ph.get("file_id"),
                                            line=ph.get("line"), origin=ORIGIN))
        reboot = min(((abs(x - p.x()), r) for x, r in self._reboots), key=lambda t: t[0], default=None)
        if reboot is not None and reboot[0] <= reach:
            r = reboot[1]
            return _Hit(f"{fmt(r['time'])}  reboot\n{r.get('why') or ''}",
                        Selection("evidence", ts=r["time"], file_id=r.get("file_id"), line=r.get("line"),
                                  origin=ORIGIN))
        if self.reported_ts is not None and abs(self.reported_ts / 1e6 - p.x()) <= reach:
            return _Hit(f"{fmt(self.reported_ts, micro=False, basis='local')}  "
                        f"{self.tr('reported by the customer')}\n{self._reported_text[:300]}",
                        Selection("time", ts=self.reported_ts, origin=ORIGIN))
        data = self._data
        if data is not None and data["mode"] == "density" and data["width"]:
            lane = round(self.lane_y(0) - p.y())
            bucket = int((p.x() * 1e6 - data["lo"]) // data["width"])
            cell = data["counts"].get(lane, {}).get(bucket)
            if cell is not None and 0 <= lane < len(self.lanes):
                start = data["lo"] + bucket * data["width"]
                return _Hit(f"{self.lanes[lane]}\n{fmt(start, micro=False)} – "
                            f"{fmt(start + data['width'], micro=False)}\n{cell[0]:,} rows, {cell[1]:,} errors"
                            "\n(zoom in to see the lines)")
        return None

    def _on_hover(self, scene_pos: QPointF) -> None:
        hit = self.hit_at(scene_pos)
        if hit is None:
            QToolTip.hideText()
            return
        view_pos = self.plot.mapFromScene(scene_pos)
        QToolTip.showText(self.plot.mapToGlobal(view_pos), hit.text, self.plot)

    def _on_click(self, event: Any) -> None:
        if self._view is None or not self.lanes or event.button() != Qt.MouseButton.LeftButton:
            return
        if not self.vb.sceneBoundingRect().contains(event.scenePos()):
            return
        if event.double():
            self.show_all()
            return
        hit = self.hit_at(event.scenePos())
        if hit is not None and hit.selection is not None and hit.selection.kind in ("row", "finding"):
            self.bus.select(hit.selection)  # the table goes to that exact line
            return
        if hit is not None and hit.selection is not None and hit.selection.kind == "time" and hit.selection.ts:
            self.bus.set_cursor(hit.selection.ts)  # the reported moment itself, not the pixel clicked
            return
        x = self.vb.mapSceneToView(event.scenePos()).x()
        self.bus.set_cursor(int(x * 1e6))

    def cursor_to_scene(self, ts: int, y: float = 0.0) -> Any:
        """Where a time (and lane y) is on screen (tests click there)."""
        return self.vb.mapViewToScene(pg.Point(ts / 1e6, y))

    # ------------------------------------------------------------------------------------ bus → view

    def _on_range(self, span: tuple[int, int] | None) -> None:
        if span is None or self._view is None:
            self.range_region.hide()
            return
        self.range_region.setRegion((span[0] / 1e6, span[1] / 1e6))
        self.range_region.show()

    def _on_selection(self, sel: Selection | None) -> None:
        """Ring the selected line's marker: its time on the lane of its file (a row of the log table, a
        search hit, a finding's evidence)."""
        lane = self._lanes.of_file.get(sel.file_id) if sel is not None and sel.file_id is not None else None
        if sel is None or sel.ts is None or lane is None or self._view is None:
            self.selected_mark.hide()
            return
        self.selected_mark.setData(x=[sel.ts / 1e6], y=[self.lane_y(lane)])
        self.selected_mark.show()

    def _on_moment(self, sel: Selection | None) -> None:
        """Every pick, also of the cursor's own time: the line stays there and comes into view."""
        if sel is None:
            return
        self.moment = sel.ts
        self._on_cursor(sel.ts)

    def _on_cursor(self, ts: int | None) -> None:
        if ts is None or self._view is None or self._bounds is None:
            self.cursor_line.hide()
            return
        x = ts / 1e6
        self.cursor_line.setValue(x)
        self.cursor_line.show()
        (x0, x1), _ = self.vb.viewRange()
        if not x0 <= x <= x1:
            half = (x1 - x0) / 2
            self.plot.setXRange(x - half, x + half, padding=0)
