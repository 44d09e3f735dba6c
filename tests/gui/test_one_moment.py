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
from workbench import demo
from workbench.core.moment import crash_moment, finding_moment
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
        # the findings table shows each finding at its moment (the day in the header when all share one)
        shown = window.findings.model.display(window.findings.model.row_tuple(row), 3)
        full = window.view.format_ts(moment.ts, micro=False)
        assert shown == full or (full == f"{window.findings.model.one_day} {shown}")
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


def test_a_debugger_text_without_a_time_is_at_its_crash(qtbot, tmp_path: Path) -> None:
    """The review's macha case: the crash is known only from an engineer's WinDbg text that has no ``Debug
    session time`` (the demo's is such a text) and the rollback log's "Crash 0x0000007E detected". Every
    finding, every evidence line of the crash (its frames: timeless lines of the text) and a stack frame put
    every pane at the crash's moment — never a blank time or the previous pick's time — and a frame's quote
    gives the crash's time as the crash's, with no line number it does not have."""
    window = _open(qtbot, demo.write_demo_case(tmp_path / "demo"))
    store = window.view.store
    windbg = store.scalar("SELECT id FROM files WHERE path LIKE '%setupmem_kv.txt'")
    assert store.scalar("SELECT count(*) FROM timeline WHERE file_id = ? AND ts IS NOT NULL", (windbg,)) == 0
    crash = crash_moment(store, windbg)
    assert crash is not None and crash.ts is not None
    told = store.conn.execute("SELECT message FROM timeline WHERE id = ?", (crash.row_id,)).fetchone()[0]
    assert "Crash 0x0000007E detected" in told
    window.docks["findings"].raise_()
    table = window.findings.table
    for row in range(window.findings.model.rowCount()):
        _click(qtbot, table, row)
        moment = finding_moment(store, window.findings.model.finding(row)["id"])
        assert moment.ts is not None
        _assert_at_moment(window, moment)
    # the crash's evidence: lines of the text without a time stand for the crash
    crash_row = next(r for r in range(window.findings.model.rowCount())
                     if window.findings.model.finding(r)["rule_id"] == "crash.upgrade_bugcheck")
    _click(qtbot, table, crash_row)
    # its details say the time on the case clock (the window's), not a raw UTC ISO time
    summary = window.findings.model.finding(crash_row)["summary"]
    assert f"({window.view.format_ts(crash.ts, micro=False)})" in summary and "Z)" not in summary
    evidence = window.findings.evidence_model
    frames = [r for r in range(evidence.rowCount()) if evidence.evidence(r)["file_id"] == windbg]
    assert frames
    for r in frames:
        window.bus.set_cursor(crash.ts - 3_600_000_000)  # somewhere else first
        window.findings.select_evidence(r)
        assert window.bus.cursor == crash.ts and window.bus.selection.row_id == crash.row_id
        _assert_at_moment(window, crash)
    # a stack frame of the text: the crash's moment, and a quote that says the time is the crash's
    dump = window.dump
    window.docks["dump"].raise_()
    qtbot.waitUntil(lambda: dump.stack.isVisible(), timeout=2000)
    window.bus.set_cursor(crash.ts - 3_600_000_000)
    _click(qtbot, dump.stack, 2)
    assert window.bus.cursor == crash.ts and window.timeline.model.record(window.timeline.current_row())[0] == \
        crash.row_id
    dump.frame_evidence()
    window.bus.add_to_notes(dump.frame_evidence())
    quote = window.notes.editor.toPlainText().rstrip().splitlines()[-1]
    when = window.view.format_ts(crash.ts, micro=False)
    assert "setupmem_kv.txt" in quote and "#02" in quote and f"(crash at {when})" in quote
    assert ".txt:" not in quote and "#02:" not in quote and f"@ {when}" not in quote


def test_a_process_is_at_its_start_in_every_pane(qtbot, tmp_path: Path) -> None:
    """A process that began before the capture has no row at its start: every pane shows its own row nearest
    the start (not the capture's first row, an hour later); one whose start event is in the capture is at
    that row. Its quote says what it is in words, with the row's own line and time."""
    window = _open(qtbot, downlevel_procmon_case(tmp_path))
    procs = window.processes
    window.docks["processes"].raise_()
    span = procs.model.capture_span()
    items = [i for i in procs.model.items() if not i.placeholder and i.start is not None]
    before = [i for i in items if i.start < span[0] - 1_000_000]
    inside = [i for i in items if i.start >= span[0] and i.node.first_line is not None]
    assert inside
    for item in before[:2] + inside[:3]:
        procs.tree.setCurrentIndex(procs.model.index_of(item))
        sel = window.bus.selection
        assert sel.kind == "process" and window.bus.cursor == sel.ts
        rec = window.timeline.model.record(window.timeline.current_row())
        if item in before:
            assert sel.ts == item.start and sel.row_id is None
            nearest = window.timeline.model.record(window.timeline.model.row_for_time(item.start))
            assert rec[0] == nearest[0]
        else:
            assert abs(sel.ts - item.start) <= 1_000_000 and rec[0] == sel.row_id and rec[1] == sel.ts
        assert window.detail.model.row_id == rec[0]
        evidence = procs.notes_evidence()
        assert "\t" not in evidence["text"] and item.node.name in evidence["text"]
        assert evidence["ts"] == sel.ts and evidence["line"] == sel.line


def test_quotes_are_in_words_with_their_own_line_and_time(qtbot, tmp_path: Path) -> None:
    """A finding's quote cites one row: its line and that line's time (not one evidence line's number beside
    the finding's time); an event's quote is a sentence, not a tab-separated row. The event-log pane says how
    far the event it shows is from a moment it has no event at."""
    window = _open(qtbot, chinese_nested_case(tmp_path))
    store = window.view.store
    window.docks["findings"].raise_()
    for row in range(window.findings.model.rowCount()):
        _click(qtbot, window.findings.table, row)
        evidence = window.findings.notes_evidence()
        if evidence["line"] is not None:
            ts = store.scalar("SELECT ts FROM timeline WHERE file_id = ? AND line = ? ORDER BY id LIMIT 1",
                              (evidence["file_id"], evidence["line"]))
            assert ts == evidence["ts"], window.findings.model.finding(row)["title"]
    events = window.events
    assert events.model.rowCount()
    events.show_row(0)
    events.table.selectRow(0)
    quote = events.notes_evidence()
    rec = events.model.record(0)
    assert "\t" not in quote["text"] and quote["line"] == rec[5] and quote["ts"] == rec[1]
    assert str(events.model.cell(rec, 4)) in quote["text"]  # the event ID, in words
    # a moment an hour before the first event: the nearest is shown and its distance said
    window.bus.set_cursor(rec[1] - 3_600_000_000)
    assert not events.moment_note.isHidden() and "1 h 0 min after this moment" in events.moment_note.text()
    events.table.selectRow(1)  # its own pick: no note
    assert events.moment_note.isHidden()
