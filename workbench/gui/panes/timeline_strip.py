"""The timeline strip: one lane per source and folder role, how busy each was over time, and its errors.

An overview drawn from a few hundred time buckets per lane (one grouped SQL query), never from the rows
themselves, so a case with millions of rows draws as fast as a small one. Clicking moves the shared cursor;
the cursor is drawn as a vertical line wherever another pane moved it.
"""

from __future__ import annotations

import math
import threading
from pathlib import Path
from typing import Any

import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QVBoxLayout, QWidget

from workbench.gui.bus import CursorBus
from workbench.gui.models.store_view import ERROR_LEVELS, StoreView

BUCKETS = 400
MAX_LANES = 16
#: Up to this many rows the lanes are counted on the GUI thread (well under 100 ms); above it in a thread.
SYNC_ROWS = 200_000


def strip_data(view: StoreView, buckets: int = BUCKETS) -> dict[str, Any] | None:
    """Lanes and per-bucket counts: ``{"lo", "width", "lanes": [label], "counts": {lane: {bucket: (n, errors)}}}``.

    Lanes are (folder role, source) pairs, busiest first; past :data:`MAX_LANES` they fold into "other".
    """
    bounds = view.timeline_bounds()
    if bounds is None:
        return None
    lo, hi = bounds
    width = max(1, math.ceil((hi - lo + 1) / buckets))
    marks = ",".join("?" * len(ERROR_LEVELS))
    rows = view.store.conn.execute(
        "SELECT coalesce(f.role, ''), t.source, (t.ts - ?) / ?, count(*), "
        f"sum(t.level IN ({marks})) FROM timeline t LEFT JOIN files f ON f.id = t.file_id "
        "WHERE t.ts IS NOT NULL GROUP BY 1, 2, 3", (lo, width, *ERROR_LEVELS)).fetchall()
    totals: dict[str, int] = {}
    per: dict[str, dict[int, list[int]]] = {}
    for role, source, bucket, n, errors in rows:
        label = f"{role} · {source}" if role and role != source else source
        totals[label] = totals.get(label, 0) + n
        cell = per.setdefault(label, {}).setdefault(int(bucket), [0, 0])
        cell[0] += n
        cell[1] += errors or 0
    lanes = sorted(totals, key=lambda k: -totals[k])
    if len(lanes) > MAX_LANES:
        other: dict[int, list[int]] = {}
        for label in lanes[MAX_LANES - 1:]:
            for bucket, (n, e) in per.pop(label).items():
                cell = other.setdefault(bucket, [0, 0])
                cell[0] += n
                cell[1] += e
        lanes = lanes[:MAX_LANES - 1] + ["other"]
        per["other"] = other
    return {"lo": lo, "hi": hi, "width": width, "lanes": lanes, "counts": per}


class CaseDateAxis(pg.DateAxisItem):
    """Date ticks on the case clock: x is UTC seconds, labels are the case's wall clock."""

    def set_offset(self, seconds_east: int) -> None:
        # pyqtgraph's utcOffset follows time.timezone: seconds *west* of UTC.
        self.utcOffset = -seconds_east
        self.picture = None
        self.update()


def strip_data_from(database: Path) -> dict[str, Any] | None:
    """:func:`strip_data` on a connection of its own (for a worker thread)."""
    view = StoreView(database)
    try:
        return strip_data(view)
    finally:
        view.close()


class TimelineStripPane(QWidget):
    """A pyqtgraph plot of lanes; click to move the cursor.

    On a big case the lane counts take seconds (one pass over the timeline), so they are computed in a
    thread with its own read-only connection and drawn when they arrive; ``ready`` says so.
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
        pal = self.palette()
        self.plot.setBackground(pal.color(QPalette.ColorRole.Base))
        fg = pal.color(QPalette.ColorRole.Text)
        for name in ("left", "bottom"):
            ax = self.plot.getPlotItem().getAxis(name)
            ax.setPen(fg)
            ax.setTextPen(fg)
        self.plot.setMouseEnabled(x=True, y=False)
        self.plot.hideButtons()
        self.plot.getPlotItem().setMenuEnabled(False)
        self.plot.showGrid(x=True, y=False, alpha=0.15)
        self.cursor_line = pg.InfiniteLine(angle=90, movable=False, pen=pg.mkPen((30, 110, 220), width=2))
        self.cursor_line.setZValue(10)
        self.cursor_line.hide()
        self.plot.addItem(self.cursor_line, ignoreBounds=True)
        self.range_region = pg.LinearRegionItem(movable=False, brush=pg.mkBrush(30, 110, 220, 40),
                                                pen=pg.mkPen(30, 110, 220, 120))
        self.range_region.setZValue(5)
        self.range_region.hide()
        self.plot.addItem(self.range_region, ignoreBounds=True)
        bus.rangeChanged.connect(self._on_range)
        self.plot.scene().sigMouseClicked.connect(self._on_click)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plot)
        self._view: StoreView | None = None
        self._items: list[Any] = []
        self.lanes: list[str] = []
        self.pending = False
        self._generation = 0
        self._computed.connect(self._on_computed)
        bus.cursorChanged.connect(self._on_cursor)

    def set_view(self, view: StoreView | None) -> None:
        self._view = view
        self._generation += 1
        self._draw(None)
        if view is None:
            return
        rows = int(view.store.scalar("SELECT coalesce(max(id), 0) FROM timeline") or 0)
        if rows <= SYNC_ROWS:
            self._draw(strip_data(view))
            return
        self.pending = True
        generation, database = self._generation, view.database
        threading.Thread(target=lambda: self._computed.emit(generation, strip_data_from(database)),
                         name="strip-lanes", daemon=True).start()

    def _on_computed(self, generation: int, data: object) -> None:
        if generation == self._generation and self._view is not None:
            self._draw(data if isinstance(data, dict) else None)

    def _draw(self, data: dict[str, Any] | None) -> None:
        view = self._view
        for item in self._items:
            self.plot.removeItem(item)
        self._items = []
        self.lanes = []
        self.pending = False
        if view is None or data is None:
            self.plot.getPlotItem().getAxis("left").setTicks([[]])
            return
        self.axis.set_offset(view.offset_seconds((data["lo"] + data["hi"]) // 2))
        self.lanes = data["lanes"]
        w = data["width"] / 1e6
        lo = data["lo"] / 1e6
        bar_color = self.palette().color(QPalette.ColorRole.Highlight)
        for i, lane in enumerate(self.lanes):
            y = len(self.lanes) - 1 - i  # busiest lane on top
            cells = data["counts"][lane]
            if not cells:
                continue
            peak = max(n for n, _ in cells.values())
            xs = [lo + (b + 0.5) * w for b in cells]
            hs = [0.15 + 0.7 * math.log1p(n) / math.log1p(peak) for n, _ in cells.values()]
            bars = pg.BarGraphItem(x=xs, height=hs, width=w, y0=[y - h / 2 for h in hs], brush=bar_color,
                                   pen=pg.mkPen(None))
            self.plot.addItem(bars)
            self._items.append(bars)
            err = [(lo + (b + 0.5) * w) for b, (_n, e) in cells.items() if e]
            if err:
                dots = pg.ScatterPlotItem(x=err, y=[y] * len(err), symbol="d", size=9,
                                          brush=pg.mkBrush(210, 40, 40), pen=pg.mkPen(120, 0, 0))
                self.plot.addItem(dots)
                self._items.append(dots)
        ticks = [(len(self.lanes) - 1 - i, lane) for i, lane in enumerate(self.lanes)]
        self.plot.getPlotItem().getAxis("left").setTicks([ticks])
        self.plot.setYRange(-0.6, len(self.lanes) - 0.4, padding=0)
        span = (data["hi"] - data["lo"]) / 1e6
        self.plot.setXRange(lo - span * 0.01, data["hi"] / 1e6 + span * 0.01, padding=0)
        self.plot.setLimits(yMin=-1, yMax=len(self.lanes))
        self._on_cursor(self.bus.cursor)
        self.ready.emit()

    def _on_range(self, span: tuple[int, int] | None) -> None:
        if span is None or self._view is None:
            self.range_region.hide()
            return
        self.range_region.setRegion((span[0] / 1e6, span[1] / 1e6))
        self.range_region.show()

    def _on_click(self, event: Any) -> None:
        if self._view is None or not self.lanes or event.button() != Qt.MouseButton.LeftButton:
            return
        vb = self.plot.getPlotItem().getViewBox()
        if not vb.sceneBoundingRect().contains(event.scenePos()):
            return
        x = vb.mapSceneToView(event.scenePos()).x()
        self.bus.set_cursor(int(x * 1e6))

    def cursor_to_scene(self, ts: int) -> Any:
        """Where a time is on screen (tests click there)."""
        vb = self.plot.getPlotItem().getViewBox()
        return vb.mapViewToScene(pg.Point(ts / 1e6, 0))

    def _on_cursor(self, ts: int | None) -> None:
        if ts is None or self._view is None:
            self.cursor_line.hide()
            return
        x = ts / 1e6
        self.cursor_line.setValue(x)
        self.cursor_line.show()
        (x0, x1), _ = self.plot.getPlotItem().getViewBox().viewRange()
        if not x0 <= x <= x1:
            half = (x1 - x0) / 2
            self.plot.setXRange(x - half, x + half, padding=0)
