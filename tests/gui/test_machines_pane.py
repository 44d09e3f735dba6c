"""The Machines pane and the customer case in the window (issue 17), on the brief's customer built here.

Adding machines opens the comparison (one column per machine) and shows the first failing machine; choosing
another switches every pane to it while the notes stay the customer case's; a second window shows a third
machine with its own bus and clock; the combined summary is exported; a .wbcustomer file opens the same
customer case; several archives dropped on the window become machines. The pane's picture is saved
(``WORKBENCH_SCREENSHOT_DIR`` to keep it).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent

from tests.gui.test_notes_pane import screenshot_dir
from tests.unit import customercase as cc
from workbench.core.store import NotesStore
from workbench.gui.main_window import MainWindow

LOAD_MS = 120_000


def _window(qtbot) -> MainWindow:
    window = MainWindow(interactive=False)
    qtbot.addWidget(window)
    window.resize(1600, 1000)
    window.show()
    return window


def _suspect_rows(window: MainWindow) -> list[str]:
    model = window.customer.pane.model
    return [r.label for r in model.rows if r.kind == "suspect"]


def test_machines_pane_switches_every_pane_and_keeps_the_customer_notes(qtbot, tmp_path: Path) -> None:
    a, b, c = cc.machine_a(tmp_path), cc.machine_b(tmp_path), cc.machine_c(tmp_path)
    window = _window(qtbot)
    with qtbot.waitSignal(window.caseLoaded, timeout=LOAD_MS):
        window.customer.add_machines([a, b, c], name="bank")
    controller = window.customer
    pane = controller.pane
    assert controller.customer is not None and (tmp_path / "bank.wbcustomer").is_file()
    assert pane.model.columnCount() == 3 and controller.dock.isVisible()
    assert _suspect_rows(window) == ["Test product (Fabrikam Endpoint Ltd.)"]
    header = [pane.model.headerData(i, Qt.Orientation.Horizontal) for i in range(3)]
    assert header[0].startswith("A · PC-0042") and header[2].startswith("C · PC-C")
    # the first failing machine is shown, in every pane; its column is marked
    assert window.source == a.resolve() and pane.model.current == 0
    assert window.overview.analysis["verdict"]["culprit"]["module"] == "lwfmgr.sys"
    assert window.notes.notes_folder == controller.customer.notes_folder
    window.notes.editor.setPlainText("A 卸载代理后升级成功；B 待更新数据防护代理。")
    window.notes.save_now()
    # choosing B (its header) switches every pane; the notes are still the customer case's
    with qtbot.waitSignal(window.caseLoaded, timeout=LOAD_MS):
        pane.table.horizontalHeader().sectionClicked.emit(1)
    assert window.source == b.resolve() and pane.model.current == 1
    assert window.overview.analysis["verdict"]["culprit"]["module"] == "Hook64.dll"
    assert window.findings.model.rowCount() > 0
    assert "B 待更新数据防护代理" in window.notes.editor.toPlainText()
    assert "bank" in window.docks["notes"].windowTitle()
    with NotesStore.open(controller.customer.notes_folder) as notes:
        assert [n.body for n in notes.notes()] == ["A 卸载代理后升级成功；B 待更新数据防护代理。"]
    with NotesStore.open(Path(window.view.database).parent) as own:
        assert own.notes() == []  # B's own notes were not touched
    # a second window on C: its own bus and clock, the first window stays on B
    other = controller.open_window(2)
    assert other is not None  # deleted when closed (WA_DeleteOnClose), so not handed to qtbot
    if other.view is None:
        with qtbot.waitSignal(other.caseLoaded, timeout=LOAD_MS):
            pass
    assert other.source == c.resolve() and window.source == b.resolve()
    assert other.bus is not window.bus and other.customer.pane.model.current == 2
    assert other.zone_label.text() and other.overview.analysis["verdict"]["state"] == "succeeded"
    other.bus.set_cursor(1_700_000_000_000_000)
    assert window.bus.cursor != other.bus.cursor
    # the combined summary
    dialog = controller.export_dialog()
    assert dialog is not None
    dialog.format.setCurrentIndex(dialog.format.findData("md"))
    dialog.language.setCurrentIndex(dialog.language.findData("zh"))
    dialog.path.setText(str(tmp_path / "bank.zh.md"))
    text = dialog.export().read_text("utf-8")
    assert "## 案例描述" in text and "## 建议 / 下一步" in text and "B 待更新数据防护代理" in text
    # the picture of the pane
    controller.dock.setFloating(True)
    controller.dock.resize(1500, 640)
    qtbot.wait(50)
    out = screenshot_dir(tmp_path) / "machines-pane-en.png"
    assert controller.dock.grab().save(str(out), "PNG") and out.stat().st_size > 10_000
    other.close()


def test_a_customer_case_file_opens_and_several_archives_dropped_become_machines(qtbot, tmp_path: Path) -> None:
    a, b, c = cc.machine_a(tmp_path), cc.machine_b(tmp_path), cc.machine_c(tmp_path)
    window = _window(qtbot)
    urls = [QUrl.fromLocalFile(str(p)) for p in (a, b)]
    mime = QMimeData()
    mime.setUrls(urls)
    event = QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                       Qt.KeyboardModifier.NoModifier)
    with qtbot.waitSignal(window.caseLoaded, timeout=LOAD_MS):
        window.dropEvent(event)
    customer = window.customer.customer
    assert customer is not None and len(customer.members) == 2
    # add C to this case (File › Add machine to this case…): the same file, a third column
    with qtbot.waitSignal(window.customer.compared, timeout=LOAD_MS):
        window.customer.add_machines([c])
    assert window.customer.pane.model.columnCount() == 3 and window.customer.customer.file == customer.file
    # the file opens the same customer case in another window (workbench X.wbcustomer, File › Open)
    again = _window(qtbot)
    with qtbot.waitSignal(again.caseLoaded, timeout=LOAD_MS):
        again.open_case(customer.file)
    assert again.customer.customer.id == customer.id and again.customer.pane.model.columnCount() == 3
    assert _suspect_rows(again) == ["Test product (Fabrikam Endpoint Ltd.)"]
    # opening a case that is no member hands the notes back to that case
    lone = cc.machine_c(tmp_path / "elsewhere" if (tmp_path / "elsewhere").mkdir() is None else tmp_path, "lone.zip")
    with qtbot.waitSignal(again.caseLoaded, timeout=LOAD_MS):
        again.open_case(lone)
    assert again.notes.notes_folder is None
