"""One moment everywhere (issue 16), on three realistically shaped cases the tests build (tests/cases.py).

Every finding of each case is clicked, as a user clicks it; then every pane must be at the finding's moment:
the timeline and the detail on the very row the finding is about, the event-log, process and dump panes on
their own row nearest that moment (or saying they have nothing then), the strip's cursor and the status
bar at that time, the catalogue on the file the row comes from. Clicking the same finding again after
moving elsewhere brings every pane back, even when the time did not change.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from tests.cases import chinese_nested_case, downlevel_procmon_case, large_log_case
from workbench.core.moment import finding_moment
from workbench.gui.main_window import MainWindow

LOAD_MS = 180_000


def _open(qtbot, source: Path) -> MainWindow:
    window = MainWindow(interactive=False)
    qtbot.addWidget(window)
    window.resize(1600, 1000)
    window.show()
    with qtbot.waitSignal(window.caseLoaded, timeout=LOAD_MS) as blocker:
        window.open_case(source)
    assert blocker.args[0].error is None, blocker.args[0].error
    return window


def _click(qtbot, table, row: int, column: int = 1) -> None:
    index = table.model().index(row, column)
    table.scrollTo(index)
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=table.visualRect(index).center())


def _assert_at_moment(window: MainWindow, moment) -> None:
    ts = moment.ts
    store = window.view.store
    # every pane answered this moment
    for name in ("timeline", "detail", "strip", "events", "processes", "dump", "files", "search"):
        assert getattr(window, name).moment == ts, name
    assert window.bus.cursor == ts
    assert window.cursor_label.text() == window.view.format_ts(ts)
    # the timeline and the detail: the row the finding is about (or the nearest row to a moment without one)
    rec = window.timeline.model.record(window.timeline.current_row())
    assert rec is not None
    if moment.row_id is not None:
        assert rec[0] == moment.row_id
    else:
        assert rec[0] == window.timeline.model.id_of(window.timeline.model.row_for_time(ts))
    assert window.detail.model.row_id == rec[0]
    # the strip's cursor at that time
    if window.strip.lanes:
        assert window.strip.cursor_line.isVisible()
        assert window.strip.cursor_line.value() == pytest.approx(ts / 1e6)
    # event logs: their row nearest the moment
    events = window.events
    if events.model.rowCount():
        shown = events.model.record(events.current_row())
        assert shown is not None
        nearest = events.model.record(events.model.row_for_time(ts))
        assert abs(shown[1] - ts) == abs(nearest[1] - ts)
    # processes: the process of the moment, or no process and a note saying so
    procs = window.processes
    if procs.model.rowCount():
        expected = procs.model.process_of_event(moment.file_id, moment.line) or procs.model.alive_at(ts)
        assert procs.current_item() is expected
        assert procs.moment_note.isHidden() == (expected is not None)
    # dump: the crash of this moment, or the nearest, and where it is from the moment
    dump = window.dump
    if dump.dumps.rowCount():
        row = dump.dumps.row_of(moment.file_id) if moment.file_id is not None else -1
        expected_row = row if row >= 0 else dump.dumps.nearest(ts)
        assert dump.dump is not None and dump.dumps.row_of(dump.dump.file_id) == expected_row
        assert not dump.moment_note.isHidden() and dump.moment_note.text()
    # the catalogue: the file the row comes from
    if moment.file_id is not None:
        current = window.files.table.currentIndex()
        assert current.isValid() and window.files.model.file_id(current.row()) == moment.file_id
    assert store.scalar("SELECT count(*) FROM findings") >= 1


@pytest.mark.parametrize("build", [chinese_nested_case, downlevel_procmon_case, large_log_case],
                         ids=["chinese-nested-zip", "downlevel-procmon", "large-log"])
def test_every_finding_puts_every_pane_at_its_moment(qtbot, tmp_path: Path, build) -> None:
    source = build(tmp_path)
    window = _open(qtbot, source)
    window.docks["findings"].raise_()
    table = window.findings.table
    count = window.findings.model.rowCount()
    # the large log holds one failure (its code, restated by two signatures): one finding per cause
    assert count >= (1 if build is large_log_case else 2), "each test case has several findings"
    for row in range(count):
        _click(qtbot, table, row)
        finding = window.findings.model.finding(row)
        moment = finding_moment(window.view.store, finding["id"])
        assert moment.ts is not None, finding["title"]
        assert window.bus.selection.finding_id == finding["id"]
        # the findings table shows each finding at its moment
        assert window.findings.model.display(window.findings.model.row_tuple(row), 3) == \
            window.view.format_ts(moment.ts, micro=False)
        _assert_at_moment(window, moment)
    # the same finding again, after the table moved away without a new pick (a filter set and cleared, a
    # scroll with the keyboard in another pane): the same selection is published again, every pane comes back
    finding = window.findings.model.finding(0)
    moment = finding_moment(window.view.store, finding["id"])
    _click(qtbot, table, 0)
    selection = window.bus.selection
    other = (window.timeline.current_row() + 1) % window.timeline.model.rowCount()
    window.timeline.show_row(other)
    assert window.timeline.current_row() == other and window.bus.selection == selection
    _click(qtbot, table, 0)
    _assert_at_moment(window, moment)


def test_panes_answer_a_moment_they_have_nothing_at(qtbot, tmp_path: Path) -> None:
    """The down-level case: a moment long after the capture leaves no stale process selected; a stack frame
    of the Chinese case's dump moves every pane to the crash; the same moment clicked twice is published."""
    window = _open(qtbot, downlevel_procmon_case(tmp_path / "a"))
    procs = window.processes
    last = max(i.end or i.start for i in procs.model.items() if i.start is not None)
    window.bus.set_cursor(last + 3_600_000_000)
    assert procs.current_item() is None and not procs.moment_note.isHidden()
    assert window.timeline.current_row() == window.timeline.model.rowCount() - 1 or \
        window.timeline.model.record(window.timeline.current_row())[1] <= last + 3_600_000_000

    nested = _open(qtbot, chinese_nested_case(tmp_path / "b"))
    dump = nested.dump
    assert dump.dump is not None and dump.frames.rowCount() > 3
    nested.docks["dump"].raise_()
    qtbot.waitUntil(lambda: dump.stack.isVisible(), timeout=2000)
    _click(qtbot, dump.stack, 2)
    sel = nested.bus.selection
    assert sel.kind == "dump" and sel.ts == dump.dump.crash_ts and sel.file_id == dump.dump.file_id
    rec = nested.timeline.model.record(nested.timeline.current_row())
    assert rec[9] == dump.dump.file_id and rec[1] == dump.dump.crash_ts
    assert "at this moment" in dump.moment_note.text()
    # Add to notes on a frame quotes the dump, the frame and the crash time
    evidence = dump.frame_evidence()
    assert evidence is not None and "setupmem.dmp" in evidence["source"] and "#02" in evidence["source"]
    assert evidence["ts"] == dump.dump.crash_ts
