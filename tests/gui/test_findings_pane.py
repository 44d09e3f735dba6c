"""The findings pane: its models through qtmodeltester, ranking, evidence clicks on the shared cursor,
remediation by language, signature problems with file and line, SetupDiag's verdict, and a screenshot."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from tests.gui.test_notes_pane import screenshot_dir
from workbench.core.case import Case
from workbench.core.signatures.packs import builtin_pack_roots, user_pack_root
from workbench.gui.bus import CursorBus
from workbench.gui.models.findings_model import (
    EvidenceModel,
    FindingsModel,
    SignatureProblemsModel,
    split_problem,
)
from workbench.gui.models.store_view import StoreView
from workbench.gui.panes.findings import FindingsPane
from workbench.gui.theme import color

BROKEN = "title: broken\nid: user.broken\nlevel: loud\ndetection:\n  a:\n    message: x\n  condition: a\n"


@pytest.fixture
def broken_pack_demo(wb_home: Path, demo_source: Path) -> Iterator[StoreView]:
    """The demo case ingested with a user pack holding one good and one broken signature."""
    pack = user_pack_root() / "mine"
    (pack / "signatures").mkdir(parents=True)
    (pack / "signatures" / "broken.yml").write_text(BROKEN, "utf-8")
    case = Case.open(demo_source)
    case.ensure_ingested()
    path = case.store.path
    case.close()
    view = StoreView(path)
    yield view
    view.close()


def _pane(qtbot, view: StoreView | None) -> tuple[FindingsPane, CursorBus]:
    bus = CursorBus()
    pane = FindingsPane(bus)
    qtbot.addWidget(pane)
    pane.resize(1000, 820)
    pane.set_plugin_failures([])
    pane.set_view(view)
    pane.show()
    return pane, bus


def test_models_pass_qtmodeltester(qtmodeltester, store_view: StoreView) -> None:
    findings = FindingsModel()
    findings.set_view(store_view)
    assert findings.rowCount() >= 3
    qtmodeltester.check(findings, force_py=True)
    evidence = EvidenceModel()
    evidence.set_view(store_view)
    evidence.show_finding(findings.finding(0)["id"])
    assert evidence.rowCount() >= 1
    qtmodeltester.check(evidence, force_py=True)
    problems = SignatureProblemsModel()
    problems.set_plugin_failures([("acme.plugin", "ImportError: no module named acme")])
    problems.set_view(store_view)
    assert problems.rowCount() == 1
    qtmodeltester.check(problems, force_py=True)
    for model in (findings, evidence, problems):
        model.set_view(None)
        qtmodeltester.check(model, force_py=True)


def test_findings_are_ranked_as_the_analysis_ranks_them(store_view: StoreView) -> None:
    """The causal order of the analysis JSON (the culprit's findings first), not severity then score; one row
    per cause as the analysis groups them, the crash's other findings under it with all their evidence."""
    from workbench.core.analysis import finding_groups, findings

    model = FindingsModel()
    model.set_view(store_view)
    ids = [model.row_tuple(r)[5] for r in range(model.rowCount())]
    groups = finding_groups(store_view.store)
    assert ids == [g[0]["id"] for g in groups] and len(ids) == len(findings(store_view.store))
    assert model.row_tuple(0)[4] == "crash.upgrade_bugcheck"  # the demo's culprit: lwfmgr.sys
    crash = model.finding(0)
    assert crash["members"] == [r["id"] for r in groups[0]] and len(crash["members"]) > 1 and crash["also"]
    own = store_view.store.scalar("SELECT count(*) FROM evidence WHERE finding_id = ?", (crash["id"],))
    assert len(crash["evidence"]) > own  # the other sources' lines too
    assert model.data(model.index(0, FindingsModel.SEVERITY)) == "critical"
    assert model.data(model.index(0, FindingsModel.SEVERITY), Qt.ItemDataRole.ForegroundRole) == color("critical")


def test_clicking_an_evidence_row_moves_the_shared_cursor(qtbot, store_view: StoreView) -> None:
    pane, bus = _pane(qtbot, store_view)
    # the code's documented meaning is told under the failure it restates: the row that holds it
    row = pane.model.row_of_finding(store_view.store.scalar(
        "SELECT id FROM findings WHERE rule_id = 'beyond.code_0xc1900101_0x40017'"))
    pane.activate(row)
    assert pane.evidence_model.rowCount() >= 2
    # evidence is one row per line, in time order
    wheres = [pane.evidence_model.data(pane.evidence_model.index(r, EvidenceModel.WHERE))
              for r in range(pane.evidence_model.rowCount())]
    assert len(wheres) == len(set(wheres))
    last = pane.evidence_model.rowCount() - 1
    target = pane.evidence_model.evidence(last)
    bus.set_cursor(0)
    with qtbot.waitSignal(bus.cursorChanged, timeout=2000):
        rect = pane.evidence.visualRect(pane.evidence_model.index(last, EvidenceModel.TEXT))
        qtbot.mouseClick(pane.evidence.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert bus.cursor == target["ts"]
    sel = bus.selection
    assert (sel.kind, sel.file_id, sel.line, sel.origin) == ("evidence", target["file_id"], target["line"], "findings")


def test_a_finding_picked_elsewhere_is_shown_without_echo(qtbot, store_view: StoreView) -> None:
    from workbench.gui.bus import Selection

    pane, bus = _pane(qtbot, store_view)
    target = pane.model.finding(2)
    picked = Selection("finding", ts=target["ts"], finding_id=target["id"], origin="overview")
    bus.select(picked)
    assert [i.row() for i in pane.table.selectionModel().selectedRows()] == [2]
    assert target["title"] in pane.details.toPlainText()
    assert pane.evidence_model.finding_id == target["id"]
    assert bus.selection == picked  # the pane did not answer with a selection of its own


def test_details_line_and_remediation_follow_the_ui_language(qtbot, store_view: StoreView) -> None:
    pane, _ = _pane(qtbot, store_view)
    row = next(r for r in range(pane.model.rowCount())
               if pane.model.finding(r)["rule_id"] == "beyond.boot_driver_not_loaded")
    pane.activate(row)
    text = pane.details.toPlainText()
    assert "Boot-start or system-start driver(s) did not load" in text and "7026" in text
    en = pane.model.finding(row)["remediation"]
    pane.set_language("zh")
    zh = pane.model.finding(row)["remediation"]
    assert zh != en and any("\u4e00" <= c <= "\u9fff" for c in zh)
    assert zh[:20] in pane.details.toPlainText()


def test_the_chinese_interface_shows_chinese_titles_and_details(qtbot, qapp, store_view: StoreView) -> None:
    """With the zh translation installed the pane starts in Chinese: a signature finding's title (in the list
    and the details), its details line and remediation; the analyzer's failure finding too."""
    from workbench.gui import i18n

    translator = i18n.install_translator(qapp, "zh")
    assert translator is not None, "resources/translations/workbench_zh_CN.qm is missing: python -m workbench.gui.i18n"
    try:
        pane, _ = _pane(qtbot, store_view)
    finally:
        qapp.removeTranslator(translator)
    assert pane.model.language == "zh"
    rules = [pane.model.finding(r)["rule_id"] for r in range(pane.model.rowCount())]
    row = rules.index("beyond.boot_driver_not_loaded")
    title = pane.model.index(row, FindingsModel.TITLE)
    assert pane.model.data(title) == "安装程序运行期间有引导或系统驱动程序未能加载"
    pane.activate(row)
    text = pane.details.toPlainText()
    assert text.startswith("安装程序运行期间有引导或系统驱动程序未能加载") and "7026 事件 1 个" in text
    analyzer = pane.model.index(rules.index("upgrade.failure"), FindingsModel.TITLE)
    assert pane.model.data(analyzer) == "升级失败：0xC1900101 - 0x40017"
    # the failure's restatements are told under it, in the interface's language
    pane.activate(rules.index("upgrade.failure"))
    assert "升级已回滚" in pane.details.toPlainText()  # find_rollback_failure's title, told under the failure
    # the same rows in English: only the title column changes
    with qtbot.waitSignal(pane.model.dataChanged, timeout=1000):
        pane.set_language("en")
    assert pane.model.data(title) == "Boot or system drivers failed to load while Setup was running"
    pane.activate(row)
    assert pane.details.toPlainText().startswith("Boot or system drivers failed to load")


def test_overview_and_timeline_strip_name_findings_in_the_ui_language(qtbot, qapp, store_view: StoreView) -> None:
    from workbench.gui import i18n
    from workbench.gui.panes.overview import OverviewPane
    from workbench.gui.panes.timeline_strip import case_findings

    translator = i18n.install_translator(qapp, "zh")
    assert translator is not None
    try:
        pane = OverviewPane(CursorBus())
        qtbot.addWidget(pane)
        pane.set_view(store_view)
    finally:
        qapp.removeTranslator(translator)
    text = pane.browser.toPlainText()
    assert text.startswith("结论\n升级失败\n") and "肇事模块：lwfmgr.sys" in text  # the verdict leads, in Chinese
    assert "蓝屏 0x0000007E SYSTEM_THREAD_EXCEPTION_NOT_HANDLED，由 lwfmgr.sys 引起" in text  # the top finding
    assert "升级已回滚" in {f[3] for f in case_findings(store_view, "zh")}
    assert "The upgrade rolled back" in {f[3] for f in case_findings(store_view)}


def test_signature_and_plugin_problems_are_listed_with_file_and_line(qtbot, broken_pack_demo: StoreView,
                                                                    tmp_path: Path) -> None:
    pane, _ = _pane(qtbot, broken_pack_demo)
    pane.set_plugin_failures([("acme.plugin", "ImportError: no module named acme")])
    rows = [tuple(pane.problems_model.data(pane.problems_model.index(r, c)) for c in range(3))
            for r in range(pane.problems_model.rowCount())]
    assert rows[0] == ("acme.plugin", "", "plugin failed to load: ImportError: no module named acme")
    broken = [r[1:] for r in rows if r[0].endswith("broken.yml")]
    assert ("3", "level 'loud' must be one of critical, high, medium, low, informational") in broken
    assert ("1", "missing required key 'remediation'") in broken
    assert pane.tabs.tabText(pane.tabs.indexOf(pane.problems)).endswith(f"({len(rows)})")
    # the other signatures kept working
    assert pane.model.rowCount() >= 3
    pane.tabs.setCurrentWidget(pane.problems)
    out = screenshot_dir(tmp_path) / "findings-pane-problems.png"
    assert pane.grab().save(str(out)) and out.stat().st_size > 5000


def test_split_problem_keeps_windows_paths_whole() -> None:
    assert split_problem(r"C:\packs\a.yml:12: condition: bad") == (r"C:\packs\a.yml", 12, "condition: bad")
    assert split_problem("/p/b.yml: signature x, selection 'y': no column z")[1] is None
    assert split_problem("plugin acme: workbench_signature_packs failed: boom") == (
        "", None, "plugin acme: workbench_signature_packs failed: boom")


@pytest.fixture
def setupdiag_view(wb_home: Path) -> Iterator[StoreView]:
    sample = builtin_pack_roots()[0] / "beyond-setupdiag" / "samples" / "setupdiag_own_verdict"
    case = Case.open(sample)
    case.ensure_ingested()
    path = case.store.path
    case.close()
    view = StoreView(path)
    yield view
    view.close()


def test_setupdiag_verdict_is_shown_beside_ours(qtbot, setupdiag_view: StoreView, store_view: StoreView,
                                               tmp_path: Path) -> None:
    pane, _ = _pane(qtbot, setupdiag_view)
    assert pane.setupdiag.isVisible()
    name = setupdiag_view.store.fact("setupdiag.profile_name")["value"]
    assert name in pane.setupdiag.text() and "SetupDiag says" in pane.setupdiag.text()
    pane.activate(0)
    out = screenshot_dir(tmp_path) / "findings-pane-setupdiag.png"
    assert pane.grab().save(str(out)) and out.stat().st_size > 5000
    pane.set_view(store_view)  # the demo has no SetupDiagResults.xml: no verdict line
    assert not pane.setupdiag.isVisible()


def test_screenshot_of_the_pane(qtbot, store_view: StoreView, tmp_path: Path) -> None:
    pane, _ = _pane(qtbot, store_view)
    pane.activate(0)
    qtbot.wait(50)
    out = screenshot_dir(tmp_path) / "findings-pane.png"
    image = pane.grab().toImage()
    assert image.save(str(out)) and out.stat().st_size > 5000
    colours = {image.pixel(x, y) for x in range(0, image.width(), 7) for y in range(0, image.height(), 7)}
    assert len(colours) > 10  # not a blank widget
