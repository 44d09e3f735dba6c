"""Every Qt model of the GUI through pytest-qt's qtmodeltester, on the demo case and on generated logs."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.gui.conftest import write_setup_log
from workbench.core.case import Case
from workbench.gui.models.findings_model import FindingsModel
from workbench.gui.models.rows import DetailModel, FilesModel, ProblemsModel, SearchModel
from workbench.gui.models.store_view import StoreView
from workbench.gui.models.timeline_model import BLOCK, TimelineModel


@pytest.mark.parametrize("cls", [TimelineModel, FilesModel, FindingsModel, ProblemsModel])
def test_model_passes_qtmodeltester(qtmodeltester, store_view: StoreView, cls: type) -> None:
    model = cls()
    model.set_view(store_view)
    assert model.rowCount() > 0 or cls is ProblemsModel
    qtmodeltester.check(model, force_py=True)
    model.set_view(None)
    qtmodeltester.check(model, force_py=True)


def test_search_and_detail_models(qtmodeltester, store_view: StoreView) -> None:
    search = SearchModel()
    search.set_view(store_view)
    search.search("lwfmgr")
    assert search.rowCount() > 0
    qtmodeltester.check(search, force_py=True)
    # text that is not FTS syntax is searched as a phrase instead of failing
    search.search('C:\\Windows "unbalanced')
    assert search.error is None
    detail = DetailModel()
    detail.set_view(store_view)
    detail.show_row(search.hit(0)["row_id"] if search.rowCount() else 1)
    assert detail.rowCount() >= 9
    qtmodeltester.check(detail, force_py=True)


def test_timeline_pages_blocks_from_the_store(tmp_path: Path) -> None:
    """Rows deep in the table come from their own block and match the store row for row."""
    log = write_setup_log(tmp_path / "Panther" / "setupact.log", BLOCK * 5 + 17)
    case = Case.open(log.parent)
    case.ensure_ingested()
    view = StoreView(case.store.path)
    try:
        model = TimelineModel()
        model.set_view(view)
        assert model.rowCount() == BLOCK * 5 + 17
        for row in (0, BLOCK - 1, BLOCK, BLOCK * 3 + 5, model.rowCount() - 1):
            rec = model.record(row)
            expected = view.store.conn.execute("SELECT message FROM timeline WHERE id = ?", (row + 1,)).fetchone()
            assert rec is not None and rec[8] == expected[0]
        assert model.data(model.index(model.rowCount() - 1, 6)).startswith("Generated line")
        assert model.record(model.rowCount()) is None
        # the newest blocks are kept, not the whole table
        for row in range(0, model.rowCount(), BLOCK):
            model.record(row)
        assert len(model._blocks) <= 64
        # next / previous error
        first = model.next_error(-1, True)
        assert model.record(first)[6] == "error"
        assert model.next_error(first, False) == -1
        assert model.next_error(first, True) == first + 100
        # nearest row to a time
        ts = model.record(42)[1]
        assert model.row_for_time(ts) == 42
        assert model.row_for_time(ts + 400_000) == 42
        assert model.row_for_time(ts + 600_000) == 43
        text = model.rows_as_text([2, 1])
        assert text.count("\n") == 1 and "Generated line 1 " in text.splitlines()[0]
    finally:
        view.close()
        case.close()


def test_strip_counts_lanes_in_a_thread_on_big_cases(qtbot, store_view: StoreView, monkeypatch) -> None:
    from workbench.gui import bus as bus_module
    from workbench.gui.panes import timeline_strip

    monkeypatch.setattr(timeline_strip, "SYNC_ROWS", 0)
    pane = timeline_strip.TimelineStripPane(bus_module.CursorBus())
    qtbot.addWidget(pane)
    with qtbot.waitSignal(pane.ready, timeout=30_000):
        pane.set_view(store_view)
        assert pane.pending
    assert not pane.pending and pane.lanes
    sync = timeline_strip.strip_data(store_view)
    assert pane.lanes == sync["lanes"]


def test_timeline_filter_keeps_time_order_and_lookups(qtmodeltester, tmp_path: Path) -> None:
    log = write_setup_log(tmp_path / "Panther" / "setupact.log", BLOCK * 3, error_every=10)
    case = Case.open(log.parent)
    case.ensure_ingested()
    view = StoreView(case.store.path)
    try:
        model = TimelineModel()
        model.set_view(view)
        model.set_filter(("critical", "error"))
        assert model.filtered and model.rowCount() == BLOCK * 3 // 10
        qtmodeltester.check(model, force_py=True)
        assert all(model.record(r)[6] == "error" for r in range(model.rowCount()))
        assert model.record(5)[8].startswith("Generated line 59 ")
        assert model.next_error(5, True) == 6 and model.next_error(5, False) == 4
        assert model.row_for_id(model.record(7)[0]) == 7
        assert model.row_for_time(model.record(3)[1]) == 3
        model.set_filter(None, None)
        assert not model.filtered and model.rowCount() == BLOCK * 3
    finally:
        view.close()
        case.close()


def _store_with_events(path: Path) -> Path:
    """A case database written by the test: setup-log rows with EVTX rows between them, and their details."""
    from workbench.core.store import CaseStore

    store = CaseStore.open(path)
    setup = store.add_file(path="Panther/setupact.log", container="", status="parsed", kind="setupact")
    evtx = store.add_file(path="evtlogs/System.evtx", container="", status="parsed", kind="evtx")
    store.conn.execute("CREATE TABLE evtx_records (file_id INTEGER NOT NULL, line INTEGER, ts INTEGER, channel TEXT, "
                       "provider TEXT, event_id INTEGER, level INTEGER, computer TEXT, data TEXT, damaged INTEGER)")
    t0 = 1_700_000_000_000_000
    rows, details = [], []
    for n in range(600):
        ts = t0 + n * 1_000_000
        if n % 3 == 0:
            rows.append((ts, ts, "utc", "evtx", evtx, n, "error" if n % 30 == 0 else "info", "Service Control Manager",
                         f"System 7036: event {n}"))
            details.append((evtx, n, ts, "System", "Service Control Manager", 7036, 4, "PC01", "{}", 0))
        else:
            rows.append((ts, ts, "local", "setupact", setup, n, "info", "MOUPG", f"setup line {n}"))
    store.insert_timeline(rows)
    store.conn.executemany("INSERT INTO evtx_records VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", details)
    store.commit()
    store.close()
    return path


def test_events_model_shows_event_rows_with_their_details(qtmodeltester, tmp_path: Path) -> None:
    from workbench.gui.models.events_model import E_CHANNEL, E_EVENT, E_MESSAGE, E_PROVIDER, EventsModel

    view = StoreView(_store_with_events(tmp_path / "case.sqlite"))
    try:
        model = EventsModel()
        model.set_view(view)
        assert model.rowCount() == 200
        qtmodeltester.check(model, force_py=True)
        assert model.data(model.index(1, E_CHANNEL)) == "System"
        assert model.data(model.index(1, E_PROVIDER)) == "Service Control Manager"
        assert model.data(model.index(1, E_EVENT)) == "7036"
        assert model.data(model.index(1, E_MESSAGE)) == "event 3"  # channel and ID have their own columns
        # the nearest event to a setup line's time (setup line 4 is 1 s after event 3, 2 s before event 6)
        t0 = 1_700_000_000_000_000
        assert model.row_for_time(t0 + 4_000_000) == 1
        assert model.row_for_time(t0 + 5_000_000) == 2
        model.set_filter(("critical", "error"))
        assert model.rowCount() == 20 and model.source == "evtx"
        assert "Service Control Manager" in model.rows_as_text([0])
    finally:
        view.close()


def test_detail_shows_the_times_of_detail_tables_as_times(store_view: StoreView) -> None:
    """An event's own time (evtx_records.ts, UTC µs) reads as the row's UTC time does, not as 1793581143000000."""
    from workbench.core import clock

    row_id, ts = store_view.store.conn.execute(
        "SELECT t.id, e.ts FROM timeline t JOIN evtx_records e ON e.file_id = t.file_id AND e.line = t.line "
        "WHERE e.ts IS NOT NULL LIMIT 1").fetchone()
    detail = DetailModel()
    detail.set_view(store_view)
    detail.show_row(row_id)
    fields = {detail.display(detail.row_tuple(r), 0): detail.display(detail.row_tuple(r), 1)
              for r in range(detail.rowCount())}
    shown = next(v for k, v in fields.items() if k.startswith("event") and "UTC" in k)
    assert shown == clock.format_us(ts) and not str(shown).isdigit()


def test_detail_of_a_row_read_before_the_case_clock_is_known(demo_database: Path, tmp_path: Path) -> None:
    """Mid-ingest a UTC row has no case-clock time yet (it is set at the end): the field says so, not blank."""
    import shutil
    import sqlite3

    copy = tmp_path / "case.sqlite"
    shutil.copy(demo_database, copy)
    conn = sqlite3.connect(copy)
    row_id = conn.execute("SELECT id FROM timeline WHERE ts IS NOT NULL ORDER BY id LIMIT 1").fetchone()[0]
    conn.execute("UPDATE timeline SET local = NULL WHERE id = ?", (row_id,))
    conn.commit()
    conn.close()
    view = StoreView(copy)
    try:
        detail = DetailModel()
        detail.set_view(view)
        detail.show_row(row_id)
        assert detail.display(detail.row_tuple(0), 1) == "set when the case is read to the end"
        assert detail.display(detail.row_tuple(1), 1)  # its UTC time is known
    finally:
        view.close()
