"""The process tree pane: its models under qtmodeltester, marks, the block-paged events of a process with
details read on demand, the interference view, and the shared cursor in both directions.

Built on a capture the test writes (workbench/writers/procmon.py) and, when present, on the synthetic upgrade
capture of ../shared/fixtures with a screenshot of the pane.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from tests.conftest import fixture_file
from tests.unit.procmon_scenario import at, upgrade_scenario
from workbench.core.case import Case
from workbench.gui.bus import CursorBus, Selection
from workbench.gui.models.processes_model import (
    P_EXIT,
    P_NAME,
    P_REGISTRY,
    InterferenceModel,
    ModulesModel,
    ProcessesModel,
)
from workbench.gui.models.procmon_events_model import BLOCK, ProcmonEventsModel, read_details
from workbench.gui.models.store_view import StoreView
from workbench.gui.panes.processes import ProcessesPane
from workbench.gui.theme import color
from workbench.writers.procmon import Ev, write_csv, write_pml

EXTRA = BLOCK * 2 + 40  # registry events of SetupHost: its events span three blocks
STACK = (0x7FFB10000000 + 0x1234, 0x7FF700000000 + 0x10)


def scenario() -> tuple[list, list]:
    """The writer's failed upgrade, plus enough SetupHost events to page, and a stack on one of them."""
    procs, events = upgrade_scenario()
    at3 = next(n for n, e in enumerate(events) if e.time == at(3))
    many = [Ev(6, at(3) + 100 * (k + 1), 2, 0, path=f"HKLM\\SOFTWARE\\Key{k}", tid=6416) for k in range(EXTRA)]
    events = events[:at3 + 1] + many + events[at3 + 1:]
    at4 = next(n for n, e in enumerate(events) if e.time == at(4))
    events[at4] = dataclasses.replace(events[at4], stack=STACK)
    return procs, events


def _open(path: Path) -> Path:
    case = Case.open(path)
    try:
        case.ensure_ingested()
        return case.store.path
    finally:
        case.close()


@pytest.fixture
def capture(tmp_path: Path) -> Iterator[StoreView]:
    procs, events = scenario()
    view = StoreView(_open(write_pml(tmp_path / "cap.pml", procs, events)))
    yield view
    view.close()


@pytest.fixture
def pane(qtbot, capture: StoreView) -> Iterator[ProcessesPane]:
    bus = CursorBus()
    widget = ProcessesPane(bus)
    qtbot.addWidget(widget)
    widget.resize(1400, 800)
    widget.set_view(capture)
    widget.show()
    qtbot.waitExposed(widget)
    widget._bus_keepalive = bus  # type: ignore[attr-defined]
    yield widget
    widget.set_view(None)  # before the fixture closes the store


def _named(model: ProcessesModel, name: str, image_part: str = "") -> object:
    return next(i for i in model.items() if i.node.name == name and image_part in i.node.image)


# ------------------------------------------------------------------------------------------- models


def test_models_pass_qtmodeltester(qapp, qtmodeltester, capture: StoreView) -> None:
    tree = ProcessesModel()
    tree.set_view(capture)
    assert tree.rowCount() > 0
    qtmodeltester.check(tree, force_py=True)
    host = _named(tree, "SetupHost.exe")
    modules = ModulesModel()
    modules.show(capture, host.key)
    assert modules.rowCount() == 2
    qtmodeltester.check(modules, force_py=True)
    events = ProcmonEventsModel()
    events.set_view(capture)
    events.show_process(host.key)
    assert events.rowCount() > EXTRA
    qtmodeltester.check(events, force_py=True)
    interference = InterferenceModel()
    interference.set_view(capture, tree)
    assert interference.rowCount() > 0
    qtmodeltester.check(interference, force_py=True)
    for model in (tree, events, interference):
        model.set_view(None)
        qtmodeltester.check(model, force_py=True)


def test_tree_keys_orphans_and_marks(qapp, capture: StoreView) -> None:
    model = ProcessesModel()
    model.set_view(capture)
    roots = [model.item(model.index(r, 0)) for r in range(model.rowCount())]
    unknown = next(r for r in roots if r.placeholder)
    assert model.data(model.index_of(unknown)).startswith("unknown parent")
    assert {c.node.name for c in unknown.children} == {"explorer.exe", "ctagent.exe"}
    # the Setup chain hangs under explorer; PID 7000 is two processes (two dismhosts), never merged
    dism = [i for i in model.items() if i.node.name == "dismhost.exe"]
    assert len(dism) == 2 and len({i.key for i in dism}) == 2
    assert all(i.parent is _named(model, "SetupHost.exe") for i in dism)
    chain, item = [], dism[0]
    while item is not None:
        chain.append(item.node.name)
        item = item.parent
    assert chain[:5] == ["dismhost.exe", "SetupHost.exe", "SetupPrep.exe", "setup.exe", "explorer.exe"]
    # marks: Setup family, third-party, abnormal exit highlighted in the exit column
    crashed = _named(model, "dismhost.exe", "D1")
    exit_index = model.index_of(crashed, P_EXIT)
    assert model.data(exit_index) == "0xC0000005"
    assert model.data(exit_index, Qt.ItemDataRole.ForegroundRole) == color("abnormal_fg")
    assert model.data(exit_index, Qt.ItemDataRole.BackgroundRole).color() == color("abnormal_bg")
    assert "ACCESS_VIOLATION" in model.data(exit_index, Qt.ItemDataRole.ToolTipRole)
    fine = _named(model, "dismhost.exe", "D2")
    assert model.data(model.index_of(fine, P_EXIT), Qt.ItemDataRole.BackgroundRole) is None
    agent = _named(model, "ctagent.exe")
    assert agent.node.third_party and "third-party" in model.data(model.index_of(agent, 3))
    assert model.data(model.index_of(agent, P_NAME), Qt.ItemDataRole.ForegroundRole) == color("third_party")
    for name in ("setup.exe", "SetupPrep.exe", "SetupHost.exe", "mighost.exe", "conhost.exe"):
        item = _named(model, name)
        assert item.node.setup, name
        assert model.data(model.index_of(item, P_NAME), Qt.ItemDataRole.FontRole).bold()
        assert not model.data(model.index_of(item, P_NAME), Qt.ItemDataRole.DecorationRole).isNull()
    assert not _named(model, "explorer.exe").node.setup
    host = _named(model, "SetupHost.exe")
    assert model.data(model.index_of(host, P_REGISTRY)) == f"{EXTRA + 1:,}"


def test_events_are_paged_and_details_read_on_demand(qapp, capture: StoreView) -> None:
    tree = ProcessesModel()
    tree.set_view(capture)
    host = _named(tree, "SetupHost.exe")
    model = ProcmonEventsModel()
    model.set_view(capture)
    model.show_process(host.key)
    conn = capture.store.conn
    expected = conn.execute("SELECT line, operation, path FROM procmon_events WHERE file_id = ? AND process = ? "
                            "ORDER BY line", host.key).fetchall()
    assert model.rowCount() == len(expected)
    for row in (0, BLOCK - 1, BLOCK, BLOCK * 2 + 3, model.rowCount() - 1):
        rec = model.record(row)
        assert (rec[0], rec[4], rec[5]) == tuple(expected[row])
    assert model.record(model.rowCount()) is None
    # the nearest event to a moment, and the row of a line
    target = model.record(BLOCK + 7)
    assert model.row_for_time(target[1]) == BLOCK + 7
    # events 10 µs apart: 3 µs later is still this one, 7 µs later the next
    assert model.row_for_time(target[1] + 3) == BLOCK + 7
    assert model.row_for_time(target[1] + 7) == BLOCK + 8
    assert model.row_for_line(target[0]) == BLOCK + 7
    assert model.row_for_line(-5) == -1
    # the stack and full details are not stored; they are read from the capture when asked
    row = next(r for r in range(model.rowCount()) if model.record(r)[4] == "CreateFile")
    info = read_details(capture, host.key[0], model.record(row)[0])
    assert info["stack"] == ["cthook64.dll+0x1234", "SetupHost.exe+0x10"]
    assert info["details"] and info["note"] is None


def test_export_without_stacks_says_so(qapp, tmp_path: Path) -> None:
    procs, events = upgrade_scenario()
    view = StoreView(_open(write_csv(tmp_path / "cap.csv", procs, events)))
    try:
        tree = ProcessesModel()
        tree.set_view(view)
        host = _named(tree, "SetupHost.exe")
        model = ProcmonEventsModel()
        model.set_view(view)
        model.show_process(host.key)
        assert model.rowCount() > 0
        info = read_details(view, host.key[0], model.line_of(0))
        assert info["stack"] == [] and "CSV" in info["note"]
    finally:
        view.close()


# ------------------------------------------------------------------------------------------- pane + bus


def test_selecting_a_process_or_an_event_moves_the_cursor(qtbot, pane: ProcessesPane) -> None:
    bus = pane.bus
    mig = _named(pane.model, "mighost.exe")
    index = pane.model.index_of(mig)
    pane.tree.scrollTo(index)
    qtbot.mouseClick(pane.tree.viewport(), Qt.MouseButton.LeftButton, pos=pane.tree.visualRect(index).center())
    assert bus.cursor == mig.start
    assert bus.selection.kind == "process" and bus.selection.origin == "processes"
    assert pane.current_item() is mig  # the pane did not jump elsewhere on its own cursor
    assert pane.events.key == mig.key and pane.events.rowCount() == sum(mig.node.counts.values())
    assert pane.events_table.currentIndex().row() == pane.events.row_for_line(mig.node.first_line)
    assert "mighost.exe" in pane.info.toPlainText()
    # an event row: the cursor goes to it, and its details are read after a short pause
    pane.tabs.setCurrentIndex(2)
    last = pane.events.rowCount() - 1
    pane.events_table.setCurrentIndex(pane.events.index(last, 0))
    rec = pane.events.record(last)
    assert bus.cursor == rec[1] and bus.selection.line == rec[0] and bus.selection.row_id == rec[8]
    qtbot.waitUntil(lambda: "Process Exit" in pane.event_details.toPlainText(), timeout=3000)
    assert "0x00000000" in pane.event_details.toPlainText()


def test_the_cursor_selects_the_process_and_its_nearest_event(qtbot, pane: ProcessesPane) -> None:
    bus = pane.bus
    conn = pane.model.view.store.conn
    crashed = _named(pane.model, "dismhost.exe", "D1")
    # a moment inside dismhost's life at which it wrote the last event: dismhost and that event
    line, ts = conn.execute("SELECT e.line, t.ts FROM procmon_events e JOIN timeline t ON t.file_id = e.file_id "
                            "AND t.line = e.line WHERE e.file_id = ? AND e.process = ? AND e.operation = 'CreateFile' "
                            "ORDER BY e.line LIMIT 1", crashed.key).fetchone()
    bus.set_cursor(ts + 5)
    assert pane.current_item() is crashed
    assert pane.events.line_of(pane.events_table.currentIndex().row()) == line
    assert bus.cursor == ts + 5  # moving the selection did not move the cursor back
    # the capture is read for details only when the Events tab is shown
    qtbot.wait(300)
    assert pane.tabs.currentIndex() == 0 and pane.event_details.toPlainText() == ""
    pane.tabs.setCurrentIndex(2)
    assert "CreateFile" in pane.event_details.toPlainText()
    pane.tabs.setCurrentIndex(0)
    # an event picked in another pane (same moment, another process): exactly that process and event
    agent = _named(pane.model, "ctagent.exe")
    a_line, a_ts = conn.execute("SELECT e.line, t.ts FROM procmon_events e JOIN timeline t ON t.file_id = e.file_id "
                                "AND t.line = e.line WHERE e.file_id = ? AND e.process = ? ORDER BY e.line LIMIT 1",
                                agent.key).fetchone()
    bus.select(Selection("timeline", ts=a_ts, file_id=agent.key[0], line=a_line, origin="timeline"))
    assert pane.current_item() is agent
    assert pane.events.line_of(pane.events_table.currentIndex().row()) == a_line
    # before the capture's first process: nothing at this moment — no stale process stays selected, and the
    # pane says why (issue 16)
    before = min(i.start for i in pane.model.items() if i.start is not None) - 10_000_000
    bus.set_cursor(before)
    assert pane.current_item() is None and not pane.tree.selectionModel().hasSelection()
    assert pane.moment == before and not pane.moment_note.isHidden()
    assert "No process of the capture at this moment" in pane.moment_note.text()
    # clicking the process that was highlighted before publishes it again
    pane.tree.setCurrentIndex(pane.model.index_of(agent))
    bus.set_cursor(before)
    bus.set_cursor(before + 1)
    assert pane.current_item() is None
    pane.tree.setCurrentIndex(pane.model.index_of(agent))
    assert bus.cursor == agent.start and pane.moment_note.isHidden()


def test_parent_link_and_exit_link_in_the_details(qtbot, pane: ProcessesPane) -> None:
    crashed = _named(pane.model, "dismhost.exe", "D1")
    pane.tree.setCurrentIndex(pane.model.index_of(crashed))
    text = pane.info.toHtml()
    assert "0xC0000005" in pane.info.toPlainText() and "SetupHost.exe (PID 6412)" in pane.info.toPlainText()
    assert f'href="line:{crashed.node.exit_line}"' in text
    pane._on_info_link(f"line:{crashed.node.exit_line}")
    assert pane.tabs.currentIndex() == 2
    assert pane.events.line_of(pane.events_table.currentIndex().row()) == crashed.node.exit_line
    assert pane.bus.selection.line == crashed.node.exit_line
    host = crashed.parent
    pane._on_info_link(f"process:{host.key[0]}:{host.key[1]}")
    assert pane.current_item() is host and pane.bus.cursor == host.start


def test_interference_rows_move_the_cursor(qtbot, pane: ProcessesPane) -> None:
    bus = pane.bus
    model = pane.interference
    assert model.findings == model.rowCount() >= 3
    rules = {model.data(model.index(r, 0)) for r in range(model.rowCount())}
    assert {"Third-party module in Setup", "Third-party process on Setup's files", "Denied / sharing violation",
            "Before an abnormal exit"} <= rules
    exit_row = next(r for r in range(model.rowCount())
                    if "0xC0000005" in model.data(model.index(r, 4)))
    index = model.index(exit_row, 0)
    pane.interference_view.setCurrentIndex(index)
    crashed = _named(pane.model, "dismhost.exe", "D1")
    exit_ts = pane.model.view.store.scalar("SELECT ts FROM timeline WHERE file_id = ? AND line = ?",
                                           (crashed.key[0], crashed.node.exit_line))
    assert bus.cursor == exit_ts and bus.selection.kind == "finding"
    assert pane.current_item() is crashed
    assert pane.events.line_of(pane.events_table.currentIndex().row()) == crashed.node.exit_line
    # an evidence row (an event in the seconds before): that event's own process and line
    child = next(model.index(n, 0, index) for n in range(model.rowCount(index))
                 if model.target(model.index(n, 0, index))["process"] != crashed.key)
    target = model.target(child)
    pane.interference_view.setCurrentIndex(child)
    assert bus.cursor == target["ts"] and bus.selection.line == target["line"]
    assert pane.current_item().key == target["process"]
    assert pane.events.line_of(pane.events_table.currentIndex().row()) == target["line"]


def test_empty_case_and_no_case(qtbot, tmp_path: Path) -> None:
    from tests.gui.conftest import write_setup_log

    view = StoreView(_open(write_setup_log(tmp_path / "Panther" / "setupact.log", 20).parent))
    try:
        widget = ProcessesPane(CursorBus())
        qtbot.addWidget(widget)
        widget.set_view(view)
        assert widget.model.rowCount() == 0 and widget.interference.rowCount() == 0
        assert not widget.empty.isHidden() and widget.split.isHidden()
        widget.bus.set_cursor(1_700_000_000_000_000)  # nothing to select, nothing breaks
        widget.set_view(None)
        assert widget.model.rowCount() == 0
    finally:
        view.close()


# ------------------------------------------------------------------------------------------- real capture


@pytest.mark.fixtures
@pytest.mark.parametrize("bits", ["x64", "x86"])
def test_synthetic_upgrade_capture_tree_and_screenshot(qtbot, qtmodeltester, tmp_path: Path,
                                                       shared_fixtures: Path, bits: str) -> None:
    source = fixture_file(shared_fixtures, f"procmon/synthetic/synthetic_upgrade_{bits}.pml")
    expected = json.loads(fixture_file(shared_fixtures, f"procmon/synthetic/synthetic_upgrade_{bits}.expected.json")
                          .read_text(encoding="utf-8"))
    (tmp_path / "case").mkdir()
    shutil.copy(source, tmp_path / "case" / "capture.pml")
    view = StoreView(_open(tmp_path / "case"))
    try:
        bus = CursorBus()
        widget = ProcessesPane(bus)
        qtbot.addWidget(widget)
        widget.resize(1600, 900)
        widget.set_view(view)
        widget.show()
        qtbot.waitExposed(widget)
        model = widget.model
        qtmodeltester.check(model, force_py=True)
        # every process of the capture, with its parent (or under "unknown parent") and command line
        shown = {(i.node.pid, i.node.name): i for i in model.items() if not i.placeholder}
        pids = {p["pid"] for p in expected["processes"]}
        for p in expected["processes"]:
            item = shown[(p["pid"], p["name"])]
            assert item.node.command_line == p["command_line"]
            if p["parent_pid"] in pids and p["parent_pid"] != p["pid"]:
                assert item.parent is not None and item.parent.node.pid == p["parent_pid"]
            elif p["parent_pid"]:
                assert item.parent is not None and item.parent.placeholder
        # the marks an engineer looks for first
        crashed = shown[(7000, "dismhost.exe")]
        assert model.data(model.index_of(crashed, P_EXIT)) == "0xC0000005"
        assert model.data(model.index_of(crashed, P_EXIT), Qt.ItemDataRole.BackgroundRole) is not None
        assert shown[(2400, "avagent.exe")].node.third_party and not shown[(2400, "avagent.exe")].node.setup
        assert all(shown[k].node.setup for k in shown if k[1].lower() in ("setuphost.exe", "setupprep.exe",
                                                                        "trustedinstaller.exe", "tiworker.exe"))
        # events per process agree with the capture's own event list
        counts: dict[tuple[int, str], int] = {}
        for e in expected["events"]:
            counts[(int(e["PID"]), e["Process Name"])] = counts.get((int(e["PID"]), e["Process Name"]), 0) + 1
        for key, n in counts.items():
            widget.show_process(shown[key])
            assert widget.events.rowCount() == n, key
        assert widget.interference.findings >= 4
        # the screenshot: the crashed dismhost selected from the interference view, its exit event shown
        exit_row = next(r for r in range(widget.interference.rowCount())
                        if "0xC0000005" in widget.interference.data(widget.interference.index(r, 4)))
        widget.interference_view.setCurrentIndex(widget.interference.index(exit_row, 0))
        assert widget.current_item() is crashed and bus.cursor is not None
        widget.tabs.setCurrentIndex(2)
        widget.left_tabs.setCurrentIndex(1)
        assert widget.left_tabs.tabText(1) == f"Interference ({widget.interference.findings})"
        qtbot.waitUntil(lambda: "Exit Status" in widget.event_details.toPlainText(), timeout=3000)
        assert "0xC0000005" in widget.event_details.toPlainText()
        if bits != "x64":
            widget.set_view(None)
            return
        out = tmp_path / "processes_pane.png"
        assert widget.grab().save(str(out), "PNG")
        assert out.stat().st_size > 10_000
        widget.tabs.setCurrentIndex(0)
        widget.left_tabs.setCurrentIndex(0)
        out2 = tmp_path / "processes_pane_details.png"
        assert widget.grab().save(str(out2), "PNG") and out2.stat().st_size > 10_000
        if os.environ.get("WORKBENCH_SCREENSHOTS"):  # keep copies for a review or the docs
            keep = Path(os.environ["WORKBENCH_SCREENSHOTS"])
            keep.mkdir(parents=True, exist_ok=True)
            shutil.copy(out, keep / out.name)
            shutil.copy(out2, keep / out2.name)
        widget.set_view(None)
    finally:
        view.close()

