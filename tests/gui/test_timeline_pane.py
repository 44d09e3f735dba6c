"""The timeline pane: the strip (lanes, phases, reboots, findings, density and markers) and the log table
beside it (error shading, level/component/text filters in SQL), driven offscreen on the demo case and on
setup logs the tests write themselves."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QSplitter

from tests.gui.conftest import write_setup_log
from workbench.core.case import Case
from workbench.gui.bus import CursorBus
from workbench.gui.models.store_view import StoreView
from workbench.gui.models.timeline_model import COL_TIME, TimelineModel, fts_query
from workbench.gui.panes import timeline_strip
from workbench.gui.panes.timeline_strip import (
    TimelineStripPane,
    case_lanes,
    focus_bounds,
    lane_key,
    strip_data,
)
from workbench.gui.panes.timeline_table import TimelinePane


class _Pane:
    """The strip above the log table on one bus, as the window arranges them."""

    def __init__(self, qtbot, view: StoreView, size: tuple[int, int] = (1100, 650)) -> None:
        self.bus = CursorBus()
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.strip = TimelineStripPane(self.bus)
        self.table = TimelinePane(self.bus)
        self.splitter.addWidget(self.strip)
        self.splitter.addWidget(self.table)
        qtbot.addWidget(self.splitter)
        self.splitter.resize(*size)
        self.splitter.setSizes([size[1] * 2 // 5, size[1] * 3 // 5])
        self.splitter.show()
        qtbot.waitExposed(self.splitter)
        self.strip.set_view(view)
        self.table.set_view(view)
        qtbot.waitUntil(lambda: not self.strip.pending, timeout=30_000)

    def click_strip(self, qtbot, ts: int, y: float) -> None:
        pos = self.strip.plot.mapFromScene(self.strip.cursor_to_scene(ts, y))
        qtbot.mouseClick(self.strip.plot.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(pos.x(), pos.y()))


@pytest.fixture
def generated_view(tmp_path: Path) -> Iterator[StoreView]:
    """A case of two setup log folders the test writes: 3000 down-level rows, 1200 rollback rows."""
    root = tmp_path / "case"
    write_setup_log(root / "$WINDOWS.~BT" / "Sources" / "Panther" / "setupact.log", 3000, error_every=250)
    rollback = write_setup_log(root / "$WINDOWS.~BT" / "Sources" / "Rollback" / "setupact.log", 1200, error_every=40)
    # the rollback ran after the down-level phase: move its lines two hours on
    text = rollback.read_text(encoding="utf-8").replace("2024-03-01 08:", "2024-03-01 10:").replace(
        "2024-03-01 09:", "2024-03-01 11:")
    rollback.write_text(text, encoding="utf-8")
    case = Case.open(root)
    case.ensure_ingested()
    view = StoreView(case.store.path)
    yield view
    view.close()
    case.close()


# ------------------------------------------------------------------------------------------ lanes and data

def test_lanes_group_setup_logs_by_folder_then_other_sources() -> None:
    assert lane_key("setupact", "downlevel") < lane_key("setuperr", "rollback") < lane_key("setupapi", "rollback")
    assert lane_key("setupact", "rollback")[2] == lane_key("setuperr", "rollback")[2] == "Setup log · rollback"
    assert lane_key("setupapi", "live") < lane_key("evtx", "live") < lane_key("pml", None) < lane_key("user_dump", None)
    assert lane_key("evtx", "live")[2] == "Event logs" and lane_key("procmon_csv", None)[2] == "Procmon"


def test_markers_when_few_rows_density_when_many(generated_view: StoreView) -> None:
    lanes = case_lanes(generated_view)
    assert lanes.labels == ["Setup log · downlevel", "Setup log · rollback"]
    data = strip_data(generated_view, lanes=lanes)
    assert data["mode"] == "markers" and len(data["rows"]) == 4200
    dense = strip_data(generated_view, buckets=100, lanes=lanes, marker_rows=1000)
    assert dense["mode"] == "density"
    # every row is counted once, in its lane; errors too
    total = sum(n for cells in dense["counts"].values() for n, _e in cells.values())
    errors = sum(e for cells in dense["counts"].values() for _n, e in cells.values())
    assert total == 4200 and errors == 3000 // 250 + 1200 // 40
    assert sum(n for n, _e in dense["counts"][1].values()) == 1200
    # a narrow span has few rows again: markers
    lo = generated_view.timeline_bounds()[0]
    narrow = strip_data(generated_view, span=(lo, lo + 60_000_000), lanes=lanes, marker_rows=1000)
    assert narrow["mode"] == "markers" and len(narrow["rows"]) == 61


def test_zoomed_out_views_are_summed_from_one_fine_binning(generated_view: StoreView, monkeypatch) -> None:
    monkeypatch.setattr(timeline_strip, "MARKER_ROWS", 100)
    lanes = case_lanes(generated_view)
    data = timeline_strip.LaneData(generated_view, lanes)
    whole = data.compute(None, 50)
    assert whole["mode"] == "density" and data.overview is not None
    direct = strip_data(generated_view, buckets=50, lanes=lanes, marker_rows=100)
    # the same totals per lane as a direct SQL binning, and the same error count
    for lane in range(len(lanes.labels)):
        assert sum(c[0] for c in whole["counts"][lane].values()) == sum(c[0] for c in direct["counts"][lane].values())
        assert sum(c[1] for c in whole["counts"][lane].values()) == sum(c[1] for c in direct["counts"][lane].values())
    # a span finer than the overview goes back to SQL: exact counts, one row a second
    monkeypatch.setattr(timeline_strip, "MARKER_ROWS", 3)
    lo = generated_view.timeline_bounds()[0]
    fine = data.compute((lo, lo + 5_999_999), 600)
    assert fine["mode"] == "density" and fine["width"] < data.overview["width"]
    assert sorted(fine["counts"][0]) == [0, 100, 200, 300, 400, 500]
    assert all(c[0] == 1 for c in fine["counts"][0].values())


def test_zooming_in_switches_from_density_to_markers(qtbot, generated_view: StoreView, monkeypatch) -> None:
    monkeypatch.setattr(timeline_strip, "MARKER_ROWS", 500)
    monkeypatch.setattr(timeline_strip, "SYNC_ROWS", 0)  # bins come from the worker thread
    pane = _Pane(qtbot, generated_view)
    strip = pane.strip
    assert strip.mode == "density"
    lo, _hi = generated_view.timeline_bounds()
    with qtbot.waitSignal(strip.ready, timeout=30_000):
        strip.plot.setXRange(lo / 1e6, lo / 1e6 + 90, padding=0)
    qtbot.waitUntil(lambda: strip.mode == "markers", timeout=30_000)
    # a double-click shows the whole case again, binned
    pos = strip.plot.mapFromScene(strip.cursor_to_scene(lo + 30_000_000, strip.findings_y))
    viewport, at = strip.plot.viewport(), QPoint(pos.x(), pos.y())
    with qtbot.waitSignal(strip.ready, timeout=30_000):
        # as a mouse sends it: a click, then the second press arrives as a double-click, then its release
        # (pyqtgraph's scene reports clicks on release)
        qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=at)
        qtbot.mouseDClick(viewport, Qt.MouseButton.LeftButton, pos=at)
        qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=at)
    qtbot.waitUntil(lambda: strip.mode == "density", timeout=30_000)
    (x0, x1), _ = strip.vb.viewRange()
    assert x0 <= lo / 1e6 and x1 >= generated_view.timeline_bounds()[1] / 1e6
    strip.set_view(None)  # stops the worker


# ------------------------------------------------------------------------------------------ the demo case

def test_phases_reboots_and_findings_on_the_demo_case(qtbot, store_view: StoreView) -> None:
    pane = _Pane(qtbot, store_view)
    strip = pane.strip
    phases = strip.phases
    assert phases, "the demo case has setup.phases"
    labels = [text.toPlainText() for text, *_band in strip._labels]
    assert "down-level" in labels and "rollback" in labels
    assert any(p.get("kind") == "rollback" for p in phases) and any(p.get("kind") == "moupg" for p in phases)
    assert strip.reboots and len(strip._reboots) == len(strip.reboots)
    assert strip._findings  # the demo's findings with a time
    assert strip.lanes[:2] == ["Setup log · downlevel", "Setup log · rollback"] and "setupapi" in strip.lanes
    assert strip.mode == "markers"
    # hovering a phase band names it
    first = phases[0]
    mid = (first["start"] + first["end"]) // 2
    hit = strip.hit_at(strip.cursor_to_scene(mid, strip.phase_y + 0.15))
    assert hit is not None and first["name"] in hit.text


def test_hover_shows_the_line_and_click_moves_cursor_and_table(qtbot, store_view: StoreView) -> None:
    pane = _Pane(qtbot, store_view)
    strip, table, bus = pane.strip, pane.table, pane.bus
    # a setupapi error of the demo; of the two at that moment, the one drawn on top
    x, y, row = [(x, y, r) for x, y, r in strip._marker_rows if r[4] == "error" and r[5] == "setupapi"][-1]
    hit = strip.hit_at(strip.cursor_to_scene(row[1], y))
    assert hit is not None and row[7][:40] in hit.text and store_view.format_ts(row[1]) in hit.text
    pane.click_strip(qtbot, row[1], y)
    assert bus.selection is not None and bus.selection.row_id == row[0] and bus.cursor == row[1]
    rec = table.model.record(table.current_row())
    assert rec[0] == row[0]  # the table scrolled to exactly that line
    assert table.model.data(table.model.index(table.current_row(), COL_TIME), Qt.ItemDataRole.BackgroundRole)
    assert strip.cursor_line.isVisible() and strip.cursor_line.value() == pytest.approx(row[1] / 1e6)
    assert strip.selected_mark.isVisible()
    assert tuple(strip.selected_mark.getData()[0]) == pytest.approx((row[1] / 1e6,))
    # a row picked in the table is ringed on its lane
    other = table.model.record(2)
    table.table.setCurrentIndex(table.model.index(2, COL_TIME))
    assert bus.selection.row_id == other[0]
    assert tuple(strip.selected_mark.getData()[1]) == (strip.lane_y(strip._lanes.of_file[other[9]]),)
    # a click where no marker is: the cursor goes to that time, the table to the nearest row
    (x0, x1), _ = strip.vb.viewRange()
    lo, hi = int(x0 * 1e6), int(x1 * 1e6)
    target = lo + (hi - lo) // 2
    pane.click_strip(qtbot, target, strip.findings_y + 0.5)
    assert bus.cursor is not None and abs(bus.cursor - target) < (hi - lo) // 50
    assert table.current_row() == table.model.row_for_time(bus.cursor)


def test_screenshot_of_the_pane_on_the_demo_case(qtbot, store_view: StoreView, tmp_path: Path) -> None:
    pane = _Pane(qtbot, store_view, size=(1100, 650))
    image = pane.splitter.grab().toImage()
    out = tmp_path / "timeline-pane.png"
    assert image.save(str(out))
    assert out.stat().st_size > 10_000
    assert 1000 <= image.width() <= 1300 and 600 <= image.height() <= 700
    strip = pane.strip.grab().toImage()
    colors = {strip.pixel(x, y) for x in range(0, strip.width(), 3) for y in range(0, strip.height(), 3)}
    assert len(colors) > 30, "the strip drew lanes, bands and markers, not a blank plot"
    # the down-level band's colour is on screen where the band is
    band = pane.strip.phases[0]
    scene = pane.strip.cursor_to_scene((band["start"] + band["end"]) // 2, pane.strip.phase_y + 0.15)
    pos = pane.strip.plot.mapFromScene(scene)
    pos = pane.strip.plot.mapTo(pane.strip, pos)
    color = strip.pixelColor(pos.x(), pos.y())
    assert color.blue() > color.red() + 40, color.name()


# ------------------------------------------------------------------------------------------ the table

def test_filters_narrow_rows_in_sql(qtbot, store_view: StoreView) -> None:
    pane = _Pane(qtbot, store_view)
    table = pane.table
    total = table.model.rowCount()
    table.set_filter(text="lwfmgr")
    shown = table.model.rowCount()
    assert 0 < shown < total and table.model.filtered
    assert all("lwfmgr" in (table.model.record(r)[8] + (table.model.record(r)[7] or "")).lower()
               for r in range(shown))
    table.set_filter(text="lwfm")  # a word's beginning is enough
    assert table.model.rowCount() == shown
    table.set_filter(levels="errors", text="lwfmgr")
    assert 0 < table.model.rowCount() <= shown
    assert all(table.model.record(r)[6] in ("error", "critical") for r in range(table.model.rowCount()))
    table.set_filter(component="MOUPG")
    moupg = table.model.rowCount()
    assert 0 < moupg < total and all(table.model.record(r)[7] == "MOUPG" for r in range(moupg))
    assert "MOUPG" in [table.component_box.itemData(i) for i in range(table.component_box.count())]
    # text that is not FTS syntax is no error
    table.set_filter(text='C:\\Windows "unbalanced 0x8007')
    assert table.model.text_error is None
    table.set_filter()
    assert table.model.rowCount() == total and not table.model.filtered


def test_typing_in_the_filter_box_narrows_after_a_pause(qtbot, store_view: StoreView) -> None:
    pane = _Pane(qtbot, store_view)
    table = pane.table
    total = table.model.rowCount()
    qtbot.keyClicks(table.text_edit, "rollback")
    assert table.model.rowCount() == total  # not yet: the query waits for a pause in typing
    qtbot.waitUntil(lambda: table.model.rowCount() < total, timeout=5_000)
    assert "rows" in table.count_label.text()
    table.text_edit.clear()
    qtbot.waitUntil(lambda: table.model.rowCount() == total, timeout=5_000)


def test_filtered_model_and_error_shading(qtmodeltester, generated_view: StoreView) -> None:
    model = TimelineModel()
    model.set_view(generated_view)
    first_error = model.next_error(-1, True)
    assert model.data(model.index(first_error, 6), Qt.ItemDataRole.BackgroundRole) is not None
    assert model.data(model.index(first_error + 1, 6), Qt.ItemDataRole.BackgroundRole) is None
    model.set_search(None, "token3")
    assert model.filtered and 0 < model.rowCount() < 4200
    qtmodeltester.check(model, force_py=True)
    assert all(model.record(r)[8].endswith("token3") for r in range(model.rowCount()))
    # next error only among the rows shown
    row = model.next_error(-1, True)
    assert row >= 0 and model.record(row)[6] == "error" and model.record(row)[8].endswith("token3")
    model.set_search("MOUPG", None)
    assert model.rowCount() == 4200  # every generated line is MOUPG
    assert model.components() == ["MOUPG"]
    model.set_search(None, None)
    assert not model.filtered


def test_fts_query_quotes_every_word() -> None:
    assert fts_query("lwfm  0x8007") == '"lwfm"* "0x8007"*'
    assert fts_query('say "hi') == '"say"* """hi"*'
    assert fts_query("   ") == ""


def test_the_strip_opens_on_the_upgrade_not_on_weeks_of_event_logs(qtbot, store_view: StoreView) -> None:
    """The demo's System log starts the day before; the strip opens on the hour Setup ran, double-click shows
    everything."""
    pane = _Pane(qtbot, store_view)
    strip = pane.strip
    lo, hi = store_view.timeline_bounds()
    (x0, x1), _ = strip.vb.viewRange()
    assert (x1 - x0) * 1e6 < (hi - lo) / 3
    starts = [ph["start"] for ph in strip.phases]
    assert x0 * 1e6 <= min(starts) and x1 * 1e6 >= max(ph["end"] for ph in strip.phases) - 1
    strip.show_all()
    (x0, x1), _ = strip.vb.viewRange()
    assert x0 * 1e6 <= lo and x1 * 1e6 >= hi


def test_focus_bounds_keep_the_whole_case_when_the_upgrade_fills_it() -> None:
    hour = 3_600_000_000
    phases = [{"start": 10 * hour, "end": 11 * hour}]
    assert focus_bounds((0, 100 * hour), phases, [], []) == (10 * hour - 10 * 60_000_000, 11 * hour + 10 * 60_000_000)
    assert focus_bounds((9 * hour, 12 * hour), phases, [], []) == (9 * hour, 12 * hour)
    assert focus_bounds((0, 100 * hour), [], [], []) == (0, 100 * hour)
    # a finding far from the phases widens the focus
    assert focus_bounds((0, 100 * hour), phases, [], [(1, 20 * hour)])[1] > 20 * hour
