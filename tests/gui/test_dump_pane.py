"""The crash-dump pane on the demo case (a WinDbg ``kv`` text) and on a generated case with a triage dump,
setupapi, Procmon and setup logs: the culprit highlighted, the drivers sortable, links moving the cursor."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QImage, QTextCursor

from tests.unit import dumpgen
from workbench.core.case import Case
from workbench.gui.bus import CursorBus
from workbench.gui.models.dump_models import (
    SORT_ROLE,
    DriversModel,
    DriversProxy,
    DumpsModel,
    FramesModel,
    load_dumps,
    module_stem,
    ntstatus_name,
)
from workbench.gui.models.store_view import StoreView
from workbench.gui.panes.dump import DumpPane
from workbench.gui.theme import color
from workbench.writers.procmon import Ev, Proc, ft, write_pml

T_CRASH = 1_700_000_000_000_000  # 2023-11-14 22:13:20 UTC, the generated dump's crash time
DAY = 86_400_000_000


def _at(seconds: float) -> datetime:
    return datetime.fromtimestamp(T_CRASH / 1e6, timezone.utc) + timedelta(seconds=seconds)


def _write(folder: Path, rel: str, data: bytes | str) -> None:
    path = folder / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)


def _setupact() -> str:
    rows = [(-7200, "Info", "SP", "Setup started"),
            (-120, "Info", "SP", "Rebooting for second boot"),
            (-10, "Warning", "MIG", "Boot driver lwfmgr.sys is still registered as an NDIS filter"),
            (600, "Error", "SP", "Crash 0x0000007E detected, rolling back")]
    return "".join(f"{_at(s):%Y-%m-%d %H:%M:%S}, {level:<11}{'':11}{comp:<7}{text}\r\n"
                   for s, level, comp, text in rows)


def _setupapi() -> str:
    stamp = lambda s: f"{_at(s):%Y/%m/%d %H:%M:%S}.123"  # noqa: E731
    return "\r\n".join([
        "[Device Install Log]", "     OS Version = 10.0.19041", "", "[BeginLog]", "",
        f"[Boot Session: {stamp(-300)}]", "",
        ">>>  [Device Install (DiInstallDriver) - C:\\Windows\\INF\\oem42.inf]",
        f">>>  Section start {stamp(700)}",
        "      cpy:     Published 'lwfmgr.inf_amd64_5f7e21c0\\lwfmgr.inf' to 'oem42.inf'.",
        "!!!  ndv: Failed to start service 'lwfmgr'. Error = 0x0000041D",
        f"<<<  Section end {stamp(701)}",
        "<<<  [Exit status: FAILURE(0x0000041D)]", "",
        ">>>  [Device Install (Hardware initiated) - PCI\\VEN_8086&DEV_15BE]",
        f">>>  Section start {stamp(710)}",
        "     dvi: Device install status: 0x00000000",
        f"<<<  Section end {stamp(711)}",
        "<<<  [Exit status: SUCCESS]", ""]) + "\r\n"


def _procmon(path: Path) -> None:
    driver = "C:\\Windows\\System32\\drivers\\lwfmgr.sys"
    system = Proc(1, 4, 0, "System", "System", company="", start=ft(_at(-3600)),
                  modules=[(0xFFFFF80422000000, 0x20000, driver, "Contoso Networks")])
    events = [Ev(1, ft(_at(-60)), 2, 0, path="HKLM\\System\\CurrentControlSet\\Services\\lwfmgr"),
              Ev(1, ft(_at(-59)), 3, 0x14, path=driver),
              Ev(1, ft(_at(-58)), 3, 0x14, path="C:\\Windows\\System32\\drivers\\ndis.sys")]
    write_pml(path, [system], events)


@pytest.fixture
def dump_case(wb_home: Path, tmp_path: Path) -> Iterator[StoreView]:
    """A rollback case the tests write: the BRIEF's crash as a triage dump (dumpgen), an older unrelated
    minidump, the setup logs, setupapi.dev.log and a Procmon capture that mention lwfmgr."""
    src = tmp_path / "PC-7_logs"
    _write(src, "$WINDOWS.~BT/Sources/Rollback/setupmem.dmp", dumpgen.lwfmgr_case(T_CRASH))
    _write(src, "Windows/Minidump/091423-1-01.dmp", dumpgen.unrelated_d1(T_CRASH - 60 * DAY))
    _write(src, "$WINDOWS.~BT/Sources/Panther/setupact.log", _setupact())
    _write(src, "$WINDOWS.~BT/Sources/Rollback/setupapi/setupapi.dev.log", _setupapi())
    (src / "procmon").mkdir(parents=True)
    _procmon(src / "procmon" / "boot.pml")
    case = Case.open(src)
    case.ensure_ingested()
    view = StoreView(case.store.path)
    case.close()
    yield view
    view.close()


def _pane(qtbot, view: StoreView) -> DumpPane:
    pane = DumpPane(CursorBus())
    qtbot.addWidget(pane)
    pane.resize(1200, 720)
    pane.set_view(view)
    pane.show()
    qtbot.waitExposed(pane)
    qtbot.waitUntil(lambda: not pane._links_pending)
    qtbot.wait(1)  # the links are filled right after the first paint
    return pane


def _click_anchor(qtbot, browser, href: str) -> None:
    """Click the anchor ``href`` in a QTextBrowser where it is drawn, as the user does."""
    doc = browser.document()
    block = doc.begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            fragment = it.fragment()
            if fragment.charFormat().anchorHref() == href:
                cursor = QTextCursor(doc)
                cursor.setPosition(fragment.position() + 1)
                browser.setTextCursor(cursor)
                browser.ensureCursorVisible()
                rect = browser.cursorRect(cursor)
                qtbot.mouseClick(browser.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
                return
            it += 1
        block = block.next()
    raise AssertionError(f"no anchor {href}")


def test_models_pass_qtmodeltester(qtmodeltester, store_view: StoreView, dump_case: StoreView) -> None:
    for view in (store_view, dump_case):
        dumps = DumpsModel()
        dumps.set_view(view)
        assert dumps.rowCount() >= 1
        qtmodeltester.check(dumps, force_py=True)
        file_id = dumps.dump(0).file_id
        frames, drivers = FramesModel(), DriversModel()
        frames.set_view(view)
        drivers.set_view(view)
        frames.show_dump(file_id)
        drivers.show_dump(file_id, dumps.dump(0).culprit)
        assert frames.rowCount() > 0 and drivers.rowCount() > 0
        qtmodeltester.check(frames, force_py=True)
        qtmodeltester.check(drivers, force_py=True)
        for model in (dumps, frames, drivers):
            model.set_view(None)
            qtmodeltester.check(model, force_py=True)


def test_demo_windbg_text_blames_lwfmgr(qtbot, store_view: StoreView) -> None:
    pane = _pane(qtbot, store_view)
    assert pane.dumps.rowCount() == 1 and not pane.selector.isVisibleTo(pane)
    d = pane.dump
    assert d is not None and d.related and d.why == "text" and d.culprit == "lwfmgr.sys"
    banner = pane.banner.toPlainText()
    assert "0x0000007E SYSTEM_THREAD_EXCEPTION_NOT_HANDLED" in banner
    assert "exception code not handled = STATUS_ACCESS_VIOLATION" in banner
    row = pane.frames.culprit_row()
    assert row == 10
    assert pane.frames.data(pane.frames.index(row, 1)) == "▶ lwfmgr.sys+0x5167"
    assert pane.frames.data(pane.frames.index(row, 1), Qt.ItemDataRole.BackgroundRole) == color("culprit_bg")
    assert pane.frames.data(pane.frames.index(row, 2)) == "debugger text"
    assert pane.frames.data(pane.frames.index(9, 1)) == "ndis.sys!NdisFDeregisterFilterDriver+0x47"
    # the text has no crash time: it is taken from the rollback log's "Crash 0x0000007E detected" row
    assert d.crash_ts is not None and d.time_from is not None and "Rollback" in d.time_from["path"]
    groups = [link.group for link in pane.links]
    assert "setupapi" in groups and "crash" in groups and "near" in groups
    setupapi = next(n for n, link in enumerate(pane.links) if link.group == "setupapi")
    assert "lwfmgr.inf" in pane.links[setupapi].text
    # clicking the setupapi link moves the shared cursor to the section's first line
    _click_anchor(qtbot, pane.details, f"link:{setupapi}")
    sel = pane.bus.selection
    link = pane.links[setupapi]
    assert sel is not None and sel.origin == "dump" and (sel.file_id, sel.line) == (link.file_id, link.line)
    assert sel.row_id == link.row_id and pane.bus.cursor == link.ts
    assert pane.current_link == setupapi and "▶" in pane.details.toPlainText()


def test_generated_triage_dump_case(qtbot, dump_case: StoreView) -> None:
    pane = _pane(qtbot, dump_case)
    # two dumps: the rollback's setupmem.dmp first, the older minidump marked as not the upgrade's
    assert pane.dumps.rowCount() == 2 and pane.selector.isVisibleTo(pane)
    first, second = pane.dumps.dump(0), pane.dumps.dump(1)
    assert first.name == "setupmem.dmp" and first.related and first.why == "path"
    assert second.name == "091423-1-01.dmp" and not second.related
    label = pane.dumps.data(pane.dumps.index(0, 0))
    assert "setupmem.dmp" in label and "build 19041" in label and "the upgrade's crash" in label
    assert "not the upgrade's" in pane.dumps.data(pane.dumps.index(1, 0))
    # the stack: the fault from the context record, the culprit found by the stack scan, highlighted
    row = pane.frames.culprit_row()
    assert pane.frames.data(pane.frames.index(row, 1)) == "▶ lwfmgr.sys+0x5167"
    assert pane.frames.data(pane.frames.index(row, 2)) == "stack scan"
    assert pane.frames.data(pane.frames.index(row, 3)) == "high"
    assert pane.frames.data(pane.frames.index(0, 2)) in ("context record", "exception record")
    assert pane.culprit_index().row() == row
    # drivers: third-party marked; sorting by maker puts third-party first, by base sorts the addresses
    makers = {pane.drivers.data(pane.drivers.index(r, 0)): pane.drivers.data(pane.drivers.index(r, 1))
              for r in range(pane.drivers.rowCount())}
    assert makers == {"ntoskrnl.exe": "Microsoft", "ndis.sys": "Microsoft", "lwfmgr.sys": "third-party"}
    proxy = pane.drivers_proxy
    pane.driver_table.sortByColumn(1, Qt.SortOrder.AscendingOrder)
    assert proxy.data(proxy.index(0, 0)) == "lwfmgr.sys"
    pane.driver_table.sortByColumn(3, Qt.SortOrder.DescendingOrder)
    assert [proxy.data(proxy.index(r, 0)) for r in range(3)] == ["lwfmgr.sys", "ndis.sys", "ntoskrnl.exe"]
    assert isinstance(proxy.data(proxy.index(0, 3), SORT_ROLE), str)
    assert proxy.rows_as_text([0, 1]).splitlines()[0].startswith("lwfmgr.sys\tthird-party\tyes\t0xfffff80422000000")
    # links: the failed setupapi section, the driver loaded in System and its Procmon rows, errors nearby
    by_group: dict[str, list] = {}
    for link in pane.links:
        by_group.setdefault(link.group, []).append(link)
    assert len(by_group["setupapi"]) == 1 and "oem42.inf" in by_group["setupapi"][0].text
    assert by_group["setupapi"][0].level == "error"
    assert "System (PID 4)" in by_group["module"][0].text and "Contoso" in by_group["module"][0].text
    assert [link.text.split(" ", 2)[1] for link in by_group["procmon"]] == ["RegOpenKey", "CreateFile"]
    assert any("lwfmgr.sys is still registered" in link.text for link in by_group["near"])
    # clicking a Procmon link moves the cursor to that Procmon row
    n = pane.links.index(by_group["procmon"][1])
    _click_anchor(qtbot, pane.details, f"link:{n}")
    assert pane.bus.cursor == ft_us(_at(-59)) and pane.bus.selection.row_id == by_group["procmon"][1].row_id
    # picking another driver points the links at it; the culprit link goes back
    pane.driver_table.selectRow(next(r for r in range(3) if proxy.data(proxy.index(r, 0)) == "ndis.sys"))
    assert pane.link_module == "ndis.sys"
    assert [link.text for link in pane.links if link.group == "procmon"] == \
        ["System CreateFile C:\\Windows\\System32\\drivers\\ndis.sys → SUCCESS"]
    _click_anchor(qtbot, pane.details, "module:lwfmgr.sys")
    assert pane.link_module == "lwfmgr.sys"
    # the other dump: chosen in the selector, or selected elsewhere on the bus (its timeline row)
    pane.selector.setCurrentIndex(1)
    assert pane.dump.name == "091423-1-01.dmp" and pane.dump.culprit == "acmefilt.sys"
    assert "0x000000D1" in pane.banner.toPlainText()
    from workbench.gui.bus import Selection

    pane.bus.select(Selection("row", file_id=first.file_id, line=1, origin="timeline"))
    assert pane.dump.file_id == first.file_id and pane.selector.currentIndex() == 0


def ft_us(dt: datetime) -> int:
    return int(dt.timestamp() * 1_000_000)


def test_no_dump_says_so(qtbot, tmp_path: Path, wb_home: Path) -> None:
    from tests.gui.conftest import write_setup_log

    log = write_setup_log(tmp_path / "Panther" / "setupact.log", 10)
    case = Case.open(log.parent)
    case.ensure_ingested()
    view = StoreView(case.store.path)
    case.close()
    try:
        pane = _pane(qtbot, view)
        assert pane.empty.isVisibleTo(pane) and not pane.split.isVisibleTo(pane)
        assert pane.dump is None and pane.links == []
        pane.set_view(None)
        assert not pane.empty.isVisibleTo(pane)
    finally:
        view.close()


def test_helpers() -> None:
    assert module_stem("lwfmgr.sys") == "lwfmgr" and module_stem("C:\\x\\ndis.sys") == "ndis"
    assert ntstatus_name("0xffffffffc0000005") == "STATUS_ACCESS_VIOLATION"
    assert ntstatus_name("0x1234") is None and ntstatus_name("zz") is None


def test_screenshot_of_the_pane(qtbot, dump_case: StoreView, tmp_path: Path) -> None:
    pane = _pane(qtbot, dump_case)
    assert load_dumps(dump_case.store)[0].culprit == "lwfmgr.sys"
    out = tmp_path / "dump-pane.png"
    assert pane.grab().save(str(out))
    image = QImage(str(out))
    assert not image.isNull() and image.width() == 1200 and out.stat().st_size > 20_000
    # the culprit row is drawn in its highlight colour somewhere in the stack table
    shot = pane.stack.viewport().grab().toImage()
    rect = pane.stack.visualRect(pane.culprit_index())
    assert shot.pixelColor(rect.right() - 3, rect.center().y()) == color("culprit_bg")


def test_pane_is_a_dock_of_the_main_window(qtbot, demo_source: Path) -> None:
    from workbench.gui.main_window import MainWindow

    window = MainWindow(interactive=False)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    assert "dump" in window.docks and window.dump in window.panes
    with qtbot.waitSignal(window.caseLoaded, timeout=120_000):
        window.open_case(demo_source)
    assert window.dump.dump is not None and window.dump.dump.culprit == "lwfmgr.sys"
    assert window.tabifiedDockWidgets(window.docks["dump"])
    # tabbed away, the pane leaves the links for later; raising the dock fills them
    assert window.dump._links_pending and window.dump.links == []
    window.docks["dump"].raise_()
    qtbot.waitUntil(lambda: bool(window.dump.links))
    window.dump._on_link(QUrl("link:0"))
    assert window.bus.cursor == window.dump.links[0].ts


@pytest.mark.fixtures
def test_real_triage_and_user_dumps(qtbot, qtmodeltester, shared_fixtures: Path, tmp_path: Path,
                                    wb_home: Path) -> None:
    """The real x64 triage dump (0x1000007E in amdppm.sys, SOURCES.md) and a real user-mode dump."""
    import shutil

    from tests.conftest import fixture_file

    src = tmp_path / "real"
    (src / "Windows" / "Minidump").mkdir(parents=True)
    (src / "crash").mkdir()
    shutil.copy(fixture_file(shared_fixtures, "dumps/bin/kernel_triage_x64_1000007E_amdppm.dmp"),
                src / "Windows" / "Minidump")
    shutil.copy(fixture_file(shared_fixtures, "dumps/bin/user_x64_win10_write_av_non_canonical.dmp"), src / "crash")
    case = Case.open(src)
    case.ensure_ingested()
    view = StoreView(case.store.path)
    case.close()
    try:
        pane = _pane(qtbot, view)
        names = [pane.dumps.dump(r).name for r in range(pane.dumps.rowCount())]
        row = names.index("kernel_triage_x64_1000007E_amdppm.dmp")
        pane.selector.setCurrentIndex(row)
        assert "0x1000007E SYSTEM_THREAD_EXCEPTION_NOT_HANDLED_M" in pane.banner.toPlainText()
        assert pane.frames.data(pane.frames.index(0, 1)) == "▶ amdppm.sys+0x334c"
        assert pane.frames.data(pane.frames.index(0, 2)) == "context record"
        assert pane.drivers.rowCount() > 100
        drivers = DriversModel()  # the tester outlives the pane: check models it does not own
        drivers.set_view(view)
        drivers.show_dump(pane.dump.file_id, pane.dump.culprit)
        proxy = DriversProxy(drivers)
        proxy.sort(0, Qt.SortOrder.DescendingOrder)
        qtmodeltester.check(proxy, force_py=True)
        pane.driver_table.sortByColumn(3, Qt.SortOrder.AscendingOrder)
        bases = [int(pane.drivers_proxy.data(pane.drivers_proxy.index(r, 3)), 16)
                 for r in range(pane.drivers_proxy.rowCount()) if pane.drivers_proxy.data(pane.drivers_proxy.index(r, 3))]
        assert bases == sorted(bases)
        pane.selector.setCurrentIndex(names.index("user_x64_win10_write_av_non_canonical.dmp"))
        assert "Exception 0xc0000005 STATUS_ACCESS_VIOLATION" in pane.banner.toPlainText()
        assert pane.frames.culprit_row() >= 0
    finally:
        view.close()
