"""The window on the issue-15 case: the strip and the log table open on the failed attempt, not on the
year-old deployment log beside it; the clock label says where the zone comes from, or that it is unknown."""

from __future__ import annotations

from pathlib import Path

from tests.gui.test_timeline_pane import _Pane
from tests.unit.clockcase import build_case
from workbench.core.attempt import failed_attempt
from workbench.core.case import Case
from workbench.gui.models.store_view import StoreView

SECOND = 1_000_000


def _view(root: Path) -> StoreView:
    case = Case.open(root)
    try:
        case.ensure_ingested()
        return StoreView(case.store.path)
    finally:
        case.close()


def test_strip_and_table_open_on_the_attempt(qtbot, tmp_path: Path) -> None:
    view = _view(build_case(tmp_path / "case", 480, with_deployment=True))
    try:
        pane = _Pane(qtbot, view)
        span = failed_attempt(view.store)
        assert span is not None
        lo, hi = view.timeline_bounds()  # type: ignore[misc]
        assert hi - lo > 300 * 86_400 * SECOND  # the deployment log is a year older than the attempt
        (x0, x1), _ = pane.strip.vb.viewRange()
        assert x0 * 1e6 <= span.start and x1 * 1e6 >= span.end
        assert (x1 - x0) * 1e6 < 2 * 3600 * SECOND  # the attempt's hour, not the year
        assert pane.strip.attempt == (span.start, span.end)
        assert "Setup log · deployment" in pane.strip.lanes
        table = pane.table.table
        start_row = pane.table.model.row_for_time(span.start)
        first, last = table.rowAt(0), table.rowAt(table.viewport().height() - 1)
        assert first > 150  # scrolled past the deployment log's two hundred rows
        assert first <= start_row <= (last if last >= 0 else pane.table.model.rowCount())  # the attempt shows
        assert pane.bus.cursor is None  # opening on it moved no cursor
        assert view.zone_label == "中国标准时间 (UTC+08:00)"
    finally:
        view.close()


def test_the_clock_label_without_a_zone(tmp_path: Path) -> None:
    view = _view(build_case(tmp_path / "case", 480, with_nfo=False, with_pml=False, with_csv=False,
                            with_wer=False))
    try:
        assert view.zone is None and view.zone_label == "local, zone unknown"
    finally:
        view.close()
    view = _view(build_case(tmp_path / "inferred", 345, with_nfo=False))
    try:
        assert view.zone_label == "UTC+05:45 (inferred)" and view.offset_seconds(0) == 345 * 60
    finally:
        view.close()
