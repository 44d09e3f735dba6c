"""What the customer reported and who interfered, as the window shows them.

The overview quotes the whole reported text (a cut before the code said the opposite of the customer); the
reported moment is a line on the timeline strip, at the machine's wall-clock time it names; the processes pane
marks the injector of a DLL into SetupHost as a suspect; and the findings pane, the overview, the analysis JSON
and the report rank the findings in one order, a Setup process's death beside the cause that explains it.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import pytest

from tests.gui.test_case_clock_view import _view
from tests.gui.test_timeline_pane import _Pane
from tests.unit.clockcase import build_case
from tests.unit.procmon_scenario import upgrade_scenario
from workbench.core import clock
from workbench.core.analysis import build_analysis
from workbench.core.report.summary import build_summary
from workbench.gui.bus import CursorBus
from workbench.gui.models.findings_model import FindingsModel
from workbench.gui.models.processes_model import P_MARKS
from workbench.gui.models.store_view import StoreView
from workbench.gui.panes.overview import OverviewPane
from workbench.gui.panes.processes import ProcessesPane
from workbench.writers.procmon import write_pml

#: the customer's note: who they are, then the problem, its code at the end of a long line (GBK, as 记事本 saves)
DESCRIPTION = ("客户：上海某银行 信息科（浦东分行营业部，三楼机房旁的柜员终端，共二十台，本台为第七台）\r\n联系人：张伟\r\n问题：Windows 10 升级 Windows 11 23H2 失败，安装程序窗口直接消失，"
               "之后重新尝试了两次，每次都在同一个地方退出，没有蓝屏，日志已按要求收集并打包发送，错误代码 "
               "0xC1900101 - 0x40017，时间 2024-03-12 10:40 左右。\r\n")


@pytest.fixture
def reported_case(tmp_path: Path) -> Iterator[StoreView]:
    root = build_case(tmp_path / "case", 480, with_csv=False)
    (root / "问题描述.txt").write_bytes(DESCRIPTION.encode("gbk"))
    view = _view(root)
    yield view
    view.close()


def test_the_overview_quotes_all_the_customer_reported(qtbot, reported_case: StoreView) -> None:
    pane = OverviewPane(CursorBus())
    qtbot.addWidget(pane)
    pane.set_view(reported_case)
    text = " ".join(pane.browser.toPlainText().split())
    pane.set_view(None)  # the view closes after the test: a later theme switch must not redraw from it
    assert "错误代码 0xC1900101 - 0x40017，时间 2024-03-12 10:40 左右。" in text


def test_the_reported_moment_is_a_line_on_the_strip(qtbot, reported_case: StoreView) -> None:
    pane = _Pane(qtbot, reported_case)
    expected = clock.datetime_to_us(datetime(2024, 3, 12, 2, 40, tzinfo=timezone.utc))  # 10:40 at +08:00
    assert pane.strip.reported_ts == expected
    line = pane.strip.reported_line
    assert line is not None and line.value() == expected / 1e6 and "10:40" in line.label.toPlainText()
    (x0, x1), _ = pane.strip.vb.viewRange()
    assert x0 <= expected / 1e6 <= x1  # within the attempt the strip opens on
    hit = pane.strip.hit_at(pane.strip.cursor_to_scene(expected, 0.0))
    assert hit is not None and "2024-03-12 10:40:00" in hit.text and "0x40017" in hit.text


def test_the_injector_is_marked_a_suspect(qtbot, tmp_path: Path) -> None:
    procs, events = upgrade_scenario()
    path = write_pml(tmp_path / "cap.pml", procs, events)
    view = _view(path)
    try:
        pane = ProcessesPane(CursorBus())
        qtbot.addWidget(pane)
        pane.set_view(view)
        agent = next(i for i in pane.model.items() if i.node.name == "ctagent.exe")
        assert agent.node.suspect and "suspect" in pane.model.display(agent, P_MARKS)
        host = next(i for i in pane.model.items() if i.node.name == "SetupHost.exe")
        assert "suspect" not in pane.model.display(host, P_MARKS)
        pane.set_view(None)
    finally:
        view.close()


def test_one_ranking_in_the_pane_the_overview_the_json_and_the_report(qtbot, reported_case: StoreView) -> None:
    store = reported_case.store
    analysis = build_analysis(store)
    ranked = [f["title"] for f in analysis["findings"]]
    # the death of SetupHost is the event the hook's crash explains: next to it, not under a finding that only
    # names the module
    died, module = (next(i for i, f in enumerate(analysis["findings"]) if f["id"] == rule)
                    for rule in ("beyond.setup_host_process_died", "procmon.third_party_module_in_setup"))
    assert analysis["findings"][0]["id"] == "wer.setup_process_crash" and died < module
    model = FindingsModel()
    model.set_view(reported_case)
    assert [model.finding(r)["title"] for r in range(model.rowCount())] == ranked
    pane = OverviewPane(CursorBus())
    qtbot.addWidget(pane)
    pane.set_view(reported_case)
    text = pane.browser.toPlainText()
    pane.set_view(None)
    shown = [t for t in ranked if t in text]
    assert shown and sorted(shown, key=text.index) == shown
    report = [f["title"] for f in build_summary(store, lang="en")["findings"]]
    folded = [t for t in ranked if t in report]
    assert folded == report  # the report folds repeats of one cause, and keeps the order of the rest
