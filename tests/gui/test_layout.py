"""The layout is chosen from the window's real size: on first show, and again when a resize crosses the
compact width, for as long as the user has not arranged the docks (issue 16: 1600×1000 got the laptop
layout, chosen before the window was sized, and the search hits' message column was 55 px wide)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt

from workbench.gui.main_window import COMPACT_WIDTH, MainWindow


def _tabbed_with_findings(window: MainWindow) -> bool:
    return window.docks["search"] in window.tabifiedDockWidgets(window.docks["findings"])


def test_first_show_and_resize_choose_the_layout(qtbot) -> None:
    window = MainWindow(interactive=False)
    qtbot.addWidget(window)
    window.resize(1600, 1000)
    window.show()
    qtbot.waitExposed(window)
    assert window._layout_mode == "wide" and not _tabbed_with_findings(window)
    window.resize(1366, 768)
    qtbot.waitUntil(lambda: window._layout_mode == "compact", timeout=2000)
    assert _tabbed_with_findings(window)
    window.resize(COMPACT_WIDTH + 200, 1000)
    qtbot.waitUntil(lambda: window._layout_mode == "wide", timeout=2000)
    assert not _tabbed_with_findings(window)
    # once the user arranges the docks, a resize leaves them where they are
    window.splitDockWidget(window.docks["overview"], window.docks["notes"], Qt.Orientation.Vertical)
    assert window._layout_mode is None
    window.resize(1366, 768)
    qtbot.wait(50)
    assert window._layout_mode is None and not _tabbed_with_findings(window)


def test_search_hits_keep_room_for_the_message(qtbot, demo_source: Path) -> None:
    window = MainWindow(interactive=False)
    qtbot.addWidget(window)
    window.resize(1600, 1000)
    window.show()
    with qtbot.waitSignal(window.caseLoaded, timeout=120_000):
        window.open_case(demo_source)
    window.docks["search"].raise_()
    assert window.search.search("lwfmgr") > 0
    qtbot.wait(50)
    assert window.search.table.columnWidth(1) >= 140  # was 55 px (issue 16)

