"""The event logs pane: its models through qtmodeltester, filters, groups and XML on real EVTX files, the shared
cursor both ways, a screenshot, and a scroll over a big generated store."""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from tests.gui.conftest import write_setup_log
from workbench.core.case import Case
from workbench.gui.bus import CursorBus, Selection
from workbench.gui.models.events_model import (
    BLOCK,
    E_EVENT,
    E_MESSAGE,
    R_EVENT,
    R_PROVIDER,
    R_TS,
    EventFilter,
    EventsModel,
    GroupsModel,
    parse_event_ids,
)
from workbench.gui.models.store_view import StoreView
from workbench.gui.panes.events import EventsPane, highlight_terms, match_spans

T0 = 1_700_000_000_000_000
CHANNELS = ("System", "Application", "Setup")
PROVIDERS = ("Service Control Manager", "Microsoft-Windows-Kernel-Power", "Application Error", None)


def build_events_store(path: Path, rows: int, *, evtx_every: int = 3) -> Path:
    """A case database written by the test: ``rows`` timeline rows 1 s apart, every ``evtx_every``-th an EVTX
    record (the others setup-log lines), with varied channels, providers (one unreadable), levels and IDs."""
    from workbench.core.store import CaseStore
    from workbench.core.store import schema as S

    store = CaseStore.open(path)
    setup = store.add_file(path="Panther/setupact.log", container="", status="parsed", kind="setupact")
    evtx = store.add_file(path="Windows/System32/winevt/Logs/System.evtx", container="", status="parsed",
                          kind="evtx")
    store.conn.execute("CREATE TABLE evtx_records (file_id INTEGER NOT NULL, line INTEGER, ts INTEGER, "
                       "channel TEXT, provider TEXT, event_id INTEGER, level INTEGER, computer TEXT, data TEXT, "
                       "damaged INTEGER NOT NULL DEFAULT 0)")
    batch, details = [], []
    for n in range(rows):
        ts = T0 + n * 1_000_000
        if n % evtx_every == 0:
            k = n // evtx_every
            channel, provider = CHANNELS[k % 3], PROVIDERS[k % 4]
            event_id = (7036, 41, 1000, 6008, 7031)[k % 5]
            level = ("error", "warning", "info", "info", "critical")[k % 5]
            batch.append((ts, ts, "utc", "evtx", evtx, k + 1, level, provider, f"{channel} {event_id}: event {k} "
                          f"token{k % 7}"))
            details.append((evtx, k + 1, ts, channel, provider, event_id, 2, "PC01",
                            json.dumps({"param1": f"value {k}", "Binary": ["01", "02"]}), int(provider is None)))
        else:
            batch.append((ts, ts, "local", "setupact", setup, n, "info", "MOUPG", f"setup line {n}"))
        if len(batch) >= 50_000:
            store.insert_timeline(batch)
            store.conn.executemany("INSERT INTO evtx_records VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", details)
            batch, details = [], []
    store.insert_timeline(batch)
    store.conn.executemany("INSERT INTO evtx_records VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", details)
    for ddl in S.TIMELINE_INDEXES:
        store.conn.execute(ddl)
    from workbench.core.parsers.evtx import INDEXES

    for ddl in INDEXES:
        store.conn.execute(ddl)
    store.conn.execute("INSERT INTO timeline_fts(timeline_fts) VALUES ('rebuild')")
    store.commit()
    store.close()
    return path


def _check(qtmodeltester, view: StoreView | None, flt: EventFilter | None = None) -> int:
    """qtmodeltester on a model of its own (the tester stays connected to every model it checked, so a model
    checked twice would be reported twice for each later reset); returns its row count. The model lets go
    of the case afterwards, so nothing reads a closed database when the tester looks again at teardown."""
    model = EventsModel()
    model.set_view(view)
    model.set_filters(flt or EventFilter())
    qtmodeltester.check(model, force_py=True)
    rows = model.rowCount()
    model.set_view(None)
    return rows


def test_event_id_syntax_and_highlight_terms() -> None:
    assert parse_event_ids("41, 6005-6009, -7036") == (((41, 41), (6005, 6009)), ((7036, 7036),))
    assert parse_event_ids("-7036") == (None, ((7036, 7036),))
    assert parse_event_ids(" ") == (None, ())
    with pytest.raises(ValueError):
        parse_event_ids("41, kernel")
    assert highlight_terms('"unexpected shutdown" OR kernel* NOT message:power') == \
        ["unexpected shutdown", "kernel", "power"]
    assert match_spans("Kernel-Power kernel", ["kernel"]) == [(0, 6), (13, 6)]


def test_models_pass_qtmodeltester_and_filter_in_sql(qtmodeltester, tmp_path: Path) -> None:
    view = StoreView(build_events_store(tmp_path / "case.sqlite", 3000))
    try:
        model = EventsModel()
        model.set_view(view)
        assert model.rowCount() == model.total == 1000
        _check(qtmodeltester, view)
        # the message column does not repeat the channel and event ID the table shows in their own columns
        assert model.data(model.index(1, E_MESSAGE)) == "event 1 token1"
        assert model.data(model.index(1, E_EVENT)) == "41"
        # facets: counts from the store; records without a provider are listed as such
        assert dict(model.facet("channel")) == {"System": 334, "Application": 333, "Setup": 333}
        assert dict(model.facet("provider"))[None] == 250
        assert [v for v, _ in model.facet("level")] == ["critical", "error", "warning", "info"]
        model.set_filters(EventFilter(channels=("System",), event_ids=((41, 41), (6000, 7000)),
                                      exclude_ids=((6008, 6008),)))
        assert _check(qtmodeltester, view, model.filter) == model.rowCount()
        for row in range(model.rowCount()):
            rec = model.record(row)
            assert rec[10] == "System" and rec[R_EVENT] == 41
        assert model.rowCount() == len([k for k in range(1000) if k % 3 == 0 and k % 5 == 1])
        model.set_filters(EventFilter(providers=(None,)))
        assert model.rowCount() == 250 and all(model.record(r)[R_PROVIDER] is None for r in range(250))
        model.set_filters(EventFilter(text="token3"))
        assert model.rowCount() == len([k for k in range(1000) if k % 7 == 3])
        model.set_filters(EventFilter(text='C:\\Windows "x'))  # not FTS syntax: searched as a phrase
        assert model.rowCount() == 0 and model.error
        # a time window is an id range; the nearest record to a time, ties to the earlier one
        model.set_filters(EventFilter(start=T0 + 30_000_000, end=T0 + 59_000_000))
        assert model.rowCount() == 10 and model.record(0)[R_TS] == T0 + 30_000_000
        model.set_filters(EventFilter())
        assert model.row_for_time(T0 + 4_000_000) == 1  # event at 3 s is nearer than the one at 6 s
        assert model.row_for_time(T0 + 5_000_000) == 2
        assert model.row_for_time(T0 - 10**9) == 0 and model.row_for_time(T0 + 10**12) == 999
        # groups: counts per (event ID, provider) under a filter, biggest first
        groups = model.groups("event", EventFilter(channels=("System",)))
        assert sum(g[-1] for g in groups) == 334 and groups == sorted(groups, key=lambda g: -g[-1])
        summary = GroupsModel()
        summary.set_groups("event", groups)
        assert summary.rowCount() == len(groups)
        assert summary.keys(0) == {"event_id": groups[0][0], "provider": groups[0][1]}
        details = dict(model.details(1))
        assert details["param1"] == "value 1" and details["Binary"] == "01, 02" and details["Event ID"] == "41"
        _check(qtmodeltester, None)
        qtmodeltester.check(summary, force_py=True)
    finally:
        view.close()


def test_contiguous_event_rows_need_no_id_array(qtmodeltester, tmp_path: Path) -> None:
    """A case of event logs only: row r is id first + r, under a level filter an id array."""
    view = StoreView(build_events_store(tmp_path / "case.sqlite", BLOCK * 3 + 5, evtx_every=1))
    try:
        model = EventsModel()
        model.set_view(view)
        assert model._ids is None and model.rowCount() == BLOCK * 3 + 5
        assert model.record(BLOCK * 3 + 4)[0] == BLOCK * 3 + 5
        _check(qtmodeltester, view)
        model.set_filter(("critical", "error"))
        assert model._ids is not None and model.source == "evtx"
        assert {model.record(r)[6] for r in range(model.rowCount())} == {"critical", "error"}
    finally:
        view.close()


def _real_case(tmp_path: Path, shared: Path) -> Path:
    """A folder case: the System and Application logs of the fixtures, and a setup log between them."""
    from tests.conftest import fixture_file

    logs = tmp_path / "case" / "Windows" / "System32" / "winevt" / "Logs"
    logs.mkdir(parents=True)
    shutil.copy(fixture_file(shared, "evtx/plaso/System.evtx"), logs / "System.evtx")
    shutil.copy(fixture_file(shared, "evtx/deepbluecli-gpl3/many-events-application.evtx"), logs / "Application.evtx")
    write_setup_log(tmp_path / "case" / "Panther" / "setupact.log", 50)
    case = Case.open(tmp_path / "case")
    try:
        case.ensure_ingested()
        return case.store.path
    finally:
        case.close()


def _pane(qtbot, view: StoreView | None, bus: CursorBus | None = None) -> EventsPane:
    pane = EventsPane(bus or CursorBus())
    qtbot.addWidget(pane)
    pane.resize(1366, 700)
    pane.show()
    pane.set_view(view)
    return pane


def _click(qtbot, table, row: int, column: int = 0) -> None:
    index = table.model().index(row, column)
    table.scrollTo(index)
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=table.visualRect(index).center())


@pytest.mark.fixtures
def test_real_evtx_filters_groups_details_and_xml(qtbot, qtmodeltester, tmp_path: Path,
                                                  shared_fixtures: Path) -> None:
    expected = json.loads((shared_fixtures / "evtx" / "expected.json").read_text(encoding="utf-8"))
    system = expected["plaso/System.evtx"]["records"]["evtx_rs_0.14_skip_errors"]
    application = expected["deepbluecli-gpl3/many-events-application.evtx"]["records"]["evtx_rs_0.14_skip_errors"]
    view = StoreView(_real_case(tmp_path, shared_fixtures))
    pane = _pane(qtbot, view)
    try:
        model = pane.model
        assert model.total == system + application
        _check(qtmodeltester, view, EventFilter(levels=("critical", "error", "warning")))
        logs = [pane.log_box.itemText(i) for i in range(pane.log_box.count())]
        assert f"System ({system:,})" in logs and f"Application ({application:,})" in logs
        assert any(t.startswith("Service Control Manager (") for t in
                   (pane.provider_box.itemText(i) for i in range(pane.provider_box.count())))
        # log, then event ID: the two Kernel-Power 41 of the System log
        pane.choose("channel", "System")
        assert model.rowCount() == system
        assert pane.count_label.text() == f"{system:,} of {system + application:,} events"
        pane.set_event_ids("41")
        assert model.rowCount() == 2
        assert {model.record(r)[R_PROVIDER] for r in range(2)} == {"Microsoft-Windows-Kernel-Power"}
        # level values follow the other filters (a small case): only the 41's level is listed with a count
        assert pane.level_box.count() >= 2 and "(2)" in pane.level_box.itemText(1)
        pane.set_event_ids("7000-7050, -7036")
        assert all(7000 <= model.record(r)[R_EVENT] <= 7050 and model.record(r)[R_EVENT] != 7036
                   for r in range(model.rowCount()))
        pane.clear_filters()
        pane.choose("level", ("critical", "error", "warning"))  # the "warning and worse" entry
        assert pane.level_box.currentText().startswith("warning and worse (")
        assert {model.record(r)[6] for r in range(model.rowCount())} <= {"critical", "error", "warning"}
        assert model.rowCount() == sum(n for v, n in model.facet("level") if v in ("critical", "error", "warning"))
        pane.set_event_ids("kernel")
        assert "Not an event ID" in pane.status_label.text()
        pane.clear_filters()
        assert model.rowCount() == system + application
        # group by event ID and provider; clicking the Kernel-Power 41 group filters to it
        groups = pane.groups_model
        row = next(r for r in range(groups.rowCount()) if groups.keys(r) == {
            "event_id": 41, "provider": "Microsoft-Windows-Kernel-Power"})
        assert groups.data(groups.index(row, 0)) == "2"
        _click(qtbot, pane.groups_table, row, 0)
        assert model.rowCount() == 2 and model.filter.providers == ("Microsoft-Windows-Kernel-Power",)
        assert groups.rowCount() > 1  # the other groups stay listed, the clicked one selected
        assert [i.row() for i in pane.groups_table.selectionModel().selectedRows()] == [
            next(r for r in range(groups.rowCount()) if groups.keys(r)["event_id"] == 41
                 and groups.keys(r)["provider"] == "Microsoft-Windows-Kernel-Power")]
        qtmodeltester.check(groups, force_py=True)
        # full text, highlighted in the message column
        pane.clear_filters()
        pane.set_text("unexpected")
        assert 0 < model.rowCount() < 20 and pane.delegate.terms == ["unexpected"]
        # the details panel and the XML, read from the file only when the XML tab opens
        _click(qtbot, pane.table, 0, E_MESSAGE)
        rec = model.record(0)
        fields = {pane.fields.item(r, 0).text(): pane.fields.item(r, 1).text() for r in range(pane.fields.rowCount())}
        assert fields["Record number"] == str(rec[5]) and fields["Log"] in ("System", "Application")
        assert pane.xml_view.toPlainText() == ""
        with qtbot.waitSignal(pane.xmlShown, timeout=30_000):
            pane.show_xml()
        xml = pane.xml_view.toPlainText()
        assert f"<EventRecordID>{rec[5]}</EventRecordID>" in xml and "<EventID" in xml
    finally:
        pane.set_view(None)
        view.close()


@pytest.mark.fixtures
def test_cursor_both_ways_and_context_window(qtbot, tmp_path: Path, shared_fixtures: Path) -> None:
    view = StoreView(_real_case(tmp_path, shared_fixtures))
    bus = CursorBus()
    pane = _pane(qtbot, view, bus)
    try:
        model = pane.model
        # a row picked here moves the shared cursor and selects its timeline row
        _click(qtbot, pane.table, 7, 2)
        rec = model.record(7)
        assert bus.cursor == rec[R_TS] and bus.selection.row_id == rec[0] and bus.selection.origin == "events"
        # the cursor set elsewhere scrolls to the nearest record
        target = model.record(model.rowCount() // 2)[R_TS] + 1
        bus.set_cursor(target)
        shown = model.record(pane.current_row())
        assert pane.current_row() == model.row_for_time(target) and shown[R_TS] <= target
        assert pane.table.visualRect(model.index(pane.current_row(), 0)).intersects(pane.table.viewport().rect())
        # a selection from another pane (a timeline row that is not an event) goes to its moment
        bus.select(Selection("row", ts=model.record(3)[R_TS], row_id=model.record(3)[0] + 0, origin="timeline"))
        assert pane.current_row() == 3
        # ±N minutes around the selected Kernel-Power 41
        pane.set_event_ids("41")
        _click(qtbot, pane.table, 0, 1)
        crash = model.record(0)
        assert pane.show_around(5)
        assert model.filter.event_ids is None and model.rowCount() > 2
        assert model.record(pane.current_row())[0] == crash[0]
        span = 5 * 60_000_000
        assert all(abs(model.record(r)[R_TS] - crash[R_TS]) <= span + 1_000_000 for r in range(model.rowCount()))
        assert bus.range is not None and bus.range[0] <= crash[R_TS] <= bus.range[1]
    finally:
        pane.set_view(None)
        view.close()


@pytest.mark.fixtures
def test_screenshot_of_the_pane(qtbot, tmp_path: Path, shared_fixtures: Path) -> None:
    view = StoreView(_real_case(tmp_path, shared_fixtures))
    pane = _pane(qtbot, view)
    try:
        pane.choose("channel", "System")
        pane.set_text("service")
        pane.show_row(3)
        QApplication.processEvents()
        out = tmp_path / "events-pane.png"
        assert pane.grab().save(str(out))
        assert out.stat().st_size > 20_000
        keep = os.environ.get("WORKBENCH_SHOT_DIR")  # to look at it after the run
        if keep:
            shutil.copy(out, Path(keep) / out.name)
    finally:
        pane.set_view(None)
        view.close()


def test_scroll_and_filter_a_big_generated_store(qtbot, tmp_path: Path, monkeypatch) -> None:
    """300k timeline rows, 100k of them events (interleaved: the id-array path): open, jump, filter; the value
    lists and groups are counted in a thread (as for any case over LIVE_FACETS records)."""
    from workbench.gui.panes import events as events_pane
    from workbench.gui.scroll_bench import time_jumps

    monkeypatch.setattr(events_pane, "LIVE_FACETS", 1000)

    view = StoreView(build_events_store(tmp_path / "case.sqlite", 300_000))
    try:
        pane = EventsPane(CursorBus())
        qtbot.addWidget(pane)
        pane.resize(1366, 700)
        pane.show()
        started = time.perf_counter()
        with qtbot.waitSignal(pane.countsReady, timeout=60_000):
            pane.set_view(view)
            QApplication.processEvents()
            open_ms = (time.perf_counter() - started) * 1000
            assert pane.model.rowCount() == 100_000 and pane.counting
        assert "System (33,334)" in [pane.log_box.itemText(i) for i in range(pane.log_box.count())]
        assert pane.groups_model.rowCount() > 1
        worst, median = time_jumps(pane, jumps=10)
        started = time.perf_counter()
        with qtbot.waitSignal(pane.countsReady, timeout=60_000):
            pane.set_event_ids("41")
            QApplication.processEvents()
            filter_ms = (time.perf_counter() - started) * 1000
        assert pane.model.rowCount() == 20_000
        system_41 = len([k for k in range(100_000) if k % 3 == 0 and k % 5 == 1])
        logs = [pane.log_box.itemText(i) for i in range(pane.log_box.count())]
        assert f"System ({system_41:,})" in logs  # counts under the other filters
        print(f"open_ms={open_ms:.0f} scroll_worst_ms={worst:.1f} scroll_median_ms={median:.1f} "
              f"filter_ms={filter_ms:.0f}")
        assert len(pane.model._blocks) <= 64
        assert worst < 500 and open_ms < 5000 and filter_ms < 5000
    finally:
        pane.set_view(None)
        view.close()
