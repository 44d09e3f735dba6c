"""The window driven offscreen as a user would: open the demo case, click, and watch every pane follow."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt

from tests.archives import make_aes_zip, setupact_bytes
from tests.gui.conftest import write_setup_log
from workbench.gui.main_window import MainWindow
from workbench.gui.models.labels import read_sentence

LOAD_MS = 120_000


def _open(qtbot, source: Path, password: str | None = None) -> tuple[MainWindow, object]:
    window = MainWindow(interactive=False)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    with qtbot.waitSignal(window.caseLoaded, timeout=LOAD_MS) as blocker:
        window.open_case(source, password)
    return window, blocker.args[0]


def _click_row(qtbot, table, row: int, column: int = 0) -> None:
    index = table.model().index(row, column)
    table.scrollTo(index)
    rect = table.visualRect(index)
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def _timeline_ts(window: MainWindow) -> int | None:
    rec = window.timeline.model.record(window.timeline.current_row())
    return None if rec is None else rec[1]


def test_clicking_a_finding_moves_every_pane(qtbot, demo_source: Path) -> None:
    window, outcome = _open(qtbot, demo_source)
    assert outcome.error is None and outcome.ingested
    assert window.findings.model.rowCount() >= 1
    assert window.files.model.rowCount() >= 5
    assert window.timeline.model.rowCount() > 20
    assert window.strip.lanes
    finding = window.findings.model.finding(0)

    _click_row(qtbot, window.findings.table, 0, 1)

    sel = window.bus.selection
    assert sel is not None and sel.finding_id == finding["id"]
    ts = window.bus.cursor
    assert ts is not None
    # the timeline shows the finding's first evidence line (or the row nearest its time)
    rec = window.timeline.model.record(window.timeline.current_row())
    assert rec is not None
    first = next((e for e in finding["evidence"] if e[0] is not None), None)
    if first is not None:
        assert (rec[9], rec[5]) == (first[0], first[1])
    else:
        assert rec[1] == ts
    # the strip's cursor line sits at that moment, the detail pane shows that row, the status bar says when
    assert window.strip.cursor_line.isVisible()
    assert window.strip.cursor_line.value() == pytest.approx(ts / 1e6)
    assert window.detail.model.row_id == rec[0]
    assert window.cursor_label.text() == window.view.format_ts(ts)
    assert "evidence:" in window.findings.details.toHtml() or not finding["evidence"]


def test_timeline_row_search_hit_and_strip_click_drive_the_cursor(qtbot, demo_source: Path) -> None:
    window, _ = _open(qtbot, demo_source)
    # a timeline row
    _click_row(qtbot, window.timeline.table, 5, 6)
    rec = window.timeline.model.record(5)
    assert window.bus.cursor == rec[1]
    assert window.strip.cursor_line.value() == pytest.approx(rec[1] / 1e6)
    assert window.detail.model.row_id == rec[0]
    # a search hit
    assert window.search.search("lwfmgr") > 0
    _click_row(qtbot, window.search.table, 0, 3)
    hit = window.search.model.hit(0)
    assert window.timeline.model.record(window.timeline.current_row())[0] == hit["row_id"]
    assert window.bus.cursor == hit["ts"]
    # a click on the strip moves the cursor to that time, and the timeline to the nearest row
    (x0, x1), _ = window.strip.vb.viewRange()  # what the strip shows: the upgrade, not the whole case
    lo, hi = int(x0 * 1e6), int(x1 * 1e6)
    target = lo + (hi - lo) // 3
    scene = window.strip.cursor_to_scene(target)
    pos = window.strip.plot.mapFromScene(scene)
    qtbot.mouseClick(window.strip.plot.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(pos.x(), pos.y()))
    assert window.bus.cursor is not None and abs(window.bus.cursor - target) < (hi - lo) // 50
    nearest = window.timeline.model.row_for_time(window.bus.cursor)
    assert window.timeline.current_row() == nearest


def test_keyboard_navigation_and_copy(qtbot, tmp_path: Path) -> None:
    log = write_setup_log(tmp_path / "case" / "Panther" / "setupact.log", 1200)
    window, outcome = _open(qtbot, log.parent.parent)
    assert outcome.error is None
    assert window.timeline.go_to_error(True)
    first = window.timeline.current_row()
    assert window.timeline.model.record(first)[6] == "error" and window.bus.cursor == _timeline_ts(window)
    assert window.timeline.go_to_error(True)
    assert window.timeline.current_row() == first + 100
    assert window.timeline.go_to_error(False)
    assert window.timeline.current_row() == first
    # go to time, on the case clock
    assert window.go_to_time("2024-03-01 08:10:00")
    assert window.timeline.model.record(window.timeline.current_row())[8] == "Generated line 600 token5"
    assert not window.go_to_time("not a time")
    # copy rows as text
    window.timeline.table.selectRow(3)
    window.timeline.table.setFocus()
    copy = next(a for a in window.timeline.table.actions() if a.shortcut().matches(
        a.shortcut()) and "Copy" in a.text())
    copy.trigger()
    from PySide6.QtGui import QGuiApplication

    assert "Generated line 3 " in QGuiApplication.clipboard().text()


def test_reopen_is_instant_and_skips_the_ingest(qtbot, demo_source: Path) -> None:
    window, first = _open(qtbot, demo_source)
    assert first.ingested
    with qtbot.waitSignal(window.caseLoaded, timeout=LOAD_MS) as blocker:
        window.open_case(demo_source)
    assert blocker.args[0].ingested is False
    assert window.timeline.model.rowCount() > 0


def test_encrypted_archive_asks_for_a_password(qtbot, tmp_path: Path) -> None:
    archive = make_aes_zip(tmp_path / "locked.zip", {"Panther/setupact.log": setupact_bytes()}, "s3cret")
    window, outcome = _open(qtbot, archive)
    assert outcome.error_kind == "password"
    window2, outcome2 = _open(qtbot, archive, "s3cret")
    assert outcome2.error is None
    assert window2.timeline.model.rowCount() > 0


def test_screenshot_writes_a_png(tmp_path: Path, demo_source: Path) -> None:
    """``workbench --screenshot`` as the docs run it: a separate process, offscreen, English and Chinese.

    (A subprocess, not main() in the test process: PySide 6.12 crashes at interpreter exit under pytest when
    a second QApplication-owning main() ran in the same process.)"""
    import os
    import subprocess
    import sys

    from PySide6.QtGui import QImage

    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    for lang in ("en", "zh"):
        out = tmp_path / f"shot-{lang}.png"
        done = subprocess.run([sys.executable, "-m", "workbench", "--screenshot", str(out), "--size", "1366x768",
                               "--lang", lang], env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        image = QImage(str(out))
        assert not image.isNull() and image.width() == 1366 and image.height() == 768
        assert out.stat().st_size > 20_000


def test_bad_arguments_exit_2(tmp_path: Path) -> None:
    from workbench.gui.app import main

    assert main(["--size", "huge"]) == 2
    assert main([str(tmp_path / "missing.zip"), "--screenshot", str(tmp_path / "x.png")]) == 2


def test_drop_recent_and_layout_memory(qtbot, demo_source: Path, isolated_settings: Path) -> None:
    from PySide6.QtCore import QMimeData, QPointF, QUrl
    from PySide6.QtGui import QDropEvent

    from workbench.gui.main_window import recent_cases

    window = MainWindow(interactive=True)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(demo_source))])
    event = QDropEvent(QPointF(300, 300), Qt.DropAction.CopyAction, mime, Qt.MouseButton.NoButton,
                       Qt.KeyboardModifier.NoModifier)
    with qtbot.waitSignal(window.caseLoaded, timeout=LOAD_MS):
        window.dropEvent(event)
    assert window.timeline.model.rowCount() > 0
    assert recent_cases()[0] == str(demo_source)
    # a hidden pane stays hidden in the next window; View › Reset layout brings it back
    window.docks["files"].hide()
    window.close()
    again = MainWindow(interactive=True)
    qtbot.addWidget(again)
    again.restore_layout()
    again.show()
    assert not again.docks["files"].isVisible()
    again.reset_layout()
    assert again.docks["files"].isVisible()
    again.close()


def test_cancel_keeps_the_window_usable_and_says_what_loaded(qtbot, tmp_path: Path) -> None:
    for n in range(12):
        write_setup_log(tmp_path / "case" / f"m{n:02d}" / "Panther" / "setupact.log", 3000)
    window = MainWindow(interactive=False)
    qtbot.addWidget(window)
    window.show()
    with qtbot.waitSignal(window.caseLoaded, timeout=LOAD_MS) as blocker:
        window.open_case(tmp_path / "case")
        window.job.worker.progress.connect(lambda *_: window.job.cancel() if window.job else None)
    outcome = blocker.args[0]
    assert outcome.error_kind == "cancelled"
    assert "cancelled" in window.stage_label.text().lower()
    assert window.files.model.rowCount() == 12  # the catalogue was read before the cancel
    # one count, one meaning: the status bar says what the overview says (files read to the end of those to
    # read, the one cut off, the rows)
    counts = window.view.read_counts()
    said = read_sentence(*counts)
    assert said in window.stage_label.text() and said in window.overview.browser.toPlainText()
    # the files the cancel came before are "not started", not "cut off part-way": at most one file is
    read, cut, unread, files, rows = counts
    assert files == 12 and read + cut + unread == files and cut <= 1 and unread >= 1
    assert f"{unread} not started" in said and (not cut or f"{cut} cut off part-way" in said)
    assert rows == window.timeline.model.rowCount()
    # the file whose copy the cancel stopped is not damaged: no "failed", no problem "ingest cancelled"
    store = window.view.store
    assert not store.scalar("SELECT count(*) FROM files WHERE status IN ('failed', 'partial')")
    assert not store.scalar("SELECT count(*) FROM problems WHERE error LIKE '%cancelled%'")
    # the next open of the same case ingests again (the last ingest did not complete), to the end
    with qtbot.waitSignal(window.caseLoaded, timeout=LOAD_MS) as blocker:
        window.open_case(tmp_path / "case")
    assert blocker.args[0].error is None and blocker.args[0].ingested
    assert window.timeline.model.rowCount() == 12 * 3000


def test_chinese_interface_loads_from_the_compiled_translation(qtbot, qapp) -> None:
    from workbench.gui import i18n

    translator = i18n.install_translator(qapp, "zh")
    assert translator is not None, "resources/translations/workbench_zh_CN.qm is missing: python -m workbench.gui.i18n"
    try:
        window = MainWindow(interactive=False)
        qtbot.addWidget(window)
        assert window.windowTitle() == "案例工作台"
        assert window.docks["findings"].windowTitle() == "发现"
        assert window.timeline.model.headerData(0, Qt.Orientation.Horizontal) == "时间"
    finally:
        qapp.removeTranslator(translator)
    assert i18n.pick_language("en", "zh") == "en"
    assert i18n.pick_language(None, "zh") == "zh"


def test_timeline_filters_stay_at_the_same_moment(qtbot, demo_source: Path) -> None:
    window, _ = _open(qtbot, demo_source)
    pane = window.timeline
    total = pane.model.rowCount()
    assert pane.go_to_error(True)
    rec = pane.model.record(pane.current_row())
    pane.set_filter("errors")
    assert 0 < pane.model.rowCount() < total
    assert pane.model.record(pane.current_row())[0] == rec[0]
    pane.set_filter("all", "setupapi")
    assert all(pane.model.record(r)[3] == "setupapi" for r in range(pane.model.rowCount()))
    pane.set_filter("all", None)
    assert pane.model.rowCount() == total


def test_changing_the_case_time_zone_reclocks_every_pane(qtbot, demo_source: Path) -> None:
    window, _ = _open(qtbot, demo_source)
    before = window.zone_label.text()
    assert "UTC+08:00" in before  # the demo machine is in China Standard Time
    with qtbot.waitSignal(window.caseLoaded, timeout=LOAD_MS) as blocker:
        assert window.change_zone("UTC")
    assert blocker.args[0].error is None
    assert "UTC" in window.zone_label.text() and window.zone_label.text() != before
    rec = window.timeline.model.record(0)
    assert rec[1] == rec[2]  # on a UTC clock, wall clock and UTC agree
    assert not window.change_zone("Mars/Olympus_Mons")
    with qtbot.waitSignal(window.caseLoaded, timeout=LOAD_MS):
        window.change_zone("")  # back to what the case's logs say
    assert window.zone_label.text() == before


def test_damaged_archive_opens_and_lists_its_problems(qtbot, tmp_path: Path) -> None:
    from tests.archives import make_zip

    good = make_zip(tmp_path / "good.zip", {"Panther/setupact.log": setupact_bytes(),
                                            "Panther/other.log": b"x" * 5000})
    data = good.read_bytes()
    broken = tmp_path / "broken.zip"
    broken.write_bytes(data[: len(data) - 60])  # the central directory's end is cut off
    window, outcome = _open(qtbot, broken)
    assert outcome.error is None or outcome.error_kind == "failed"
    assert window.problems.model.rowCount() >= 1
    assert window.problems.model.row_tuple(0)[1]  # one sentence saying what went wrong
    assert "Problems" in window.stage_label.text() or outcome.error


def test_selecting_rows_sets_the_range_the_strip_shades(qtbot, demo_source: Path) -> None:
    window, _ = _open(qtbot, demo_source)
    table = window.timeline.table
    _click_row(qtbot, table, 3, 6)
    index = table.model().index(9, 6)
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ShiftModifier,
                     table.visualRect(index).center())
    first, last = window.timeline.model.record(3), window.timeline.model.record(9)
    assert window.bus.range == (first[1], last[1])
    assert window.strip.range_region.isVisible()
    assert window.strip.range_region.getRegion() == pytest.approx((first[1] / 1e6, last[1] / 1e6))
    _click_row(qtbot, table, 4, 6)
    assert window.bus.range is None and not window.strip.range_region.isVisible()


def test_overview_links_and_next_finding_move_the_cursor(qtbot, demo_source: Path) -> None:
    from PySide6.QtCore import QUrl

    window, _ = _open(qtbot, demo_source)
    analysis = window.overview.analysis
    assert analysis is not None and analysis["upgrade"]["result_code"] == "0xC1900101"
    html = window.overview.browser.toHtml()
    assert "0xC1900101" in html and "finding:" in html
    top = window.findings.model.finding(0)
    window.overview.browser.anchorClicked.emit(QUrl(f"finding:{top['id']}"))
    assert window.bus.selection.finding_id == top["id"]
    assert window.timeline.current_row() >= 0
    window.next_finding()
    assert window.findings.table.currentIndex().row() == 0
    if window.findings.model.rowCount() > 1:
        window.next_finding()
        assert window.bus.selection.finding_id == window.findings.model.finding(1)["id"]


def test_password_dialog_retries_with_the_password(qtbot, tmp_path: Path, monkeypatch) -> None:
    from PySide6.QtWidgets import QInputDialog

    archive = make_aes_zip(tmp_path / "locked.zip", {"Panther/setupact.log": setupact_bytes()}, "s3cret")
    prompts: list[str] = []
    answers = iter([("wrong", True), ("s3cret", True)])

    def fake_get_text(_parent, _title, prompt, *_args, **_kwargs):
        prompts.append(prompt)
        return next(answers)

    monkeypatch.setattr(QInputDialog, "getText", staticmethod(fake_get_text))
    window = MainWindow(interactive=True)
    qtbot.addWidget(window)
    window.show()
    with qtbot.waitSignal(window.caseLoaded, timeout=LOAD_MS) as blocker:
        window.open_case(archive)
    assert blocker.args[0].error is None
    assert len(prompts) == 2 and "encrypted" in prompts[0] and "does not open" in prompts[1]
    assert window.timeline.model.rowCount() > 0
    window.close()


def test_notes_quote_a_row_save_and_link_back(qtbot, demo_source: Path, monkeypatch) -> None:
    from PySide6.QtCore import QUrl

    from workbench.core.store import NotesStore

    monkeypatch.setattr(NotesStore, "VERSION_BURST_SECONDS", 0)  # every save its own version, for this test

    window, _ = _open(qtbot, demo_source)

    def list_notes() -> list:
        with NotesStore.open(window.view.database.parent) as store:
            return store.notes()

    def note_versions(note_id: int) -> list:
        with NotesStore.open(window.view.database.parent) as store:
            return store.versions(note_id)

    notes = window.notes
    assert notes.isEnabled()
    _click_row(qtbot, window.timeline.table, 7, 6)
    rec = window.timeline.model.record(7)
    notes.editor.setPlainText("# Case notes\nAgent updated; retry planned.")
    notes.save_now()
    notes.quote_selection()
    body = notes.editor.toPlainText()
    assert body.startswith("# Case notes") and "workbench:evidence?" in body and f"file={rec[9]}" in body
    saved = list_notes()
    assert len(saved) == 1 and saved[0].body == body
    assert len(note_versions(saved[0].id)) == 2
    assert notes.picker.currentText() == "Case notes"
    # the quote's link, clicked in the preview, brings every pane back to that row
    _click_row(qtbot, window.timeline.table, 2, 6)
    link = body[body.index("(workbench:") + 1:body.rindex(")")]
    notes.preview.anchorClicked.emit(QUrl(link))
    assert window.timeline.current_row() == 7 and window.bus.cursor == rec[1]
    # typing saves by itself a moment later
    notes.editor.appendPlainText("More.")
    qtbot.waitUntil(lambda: list_notes()[0].body.endswith("More."), timeout=5000)
    # an older version comes back as a new version
    notes.restore_version(note_versions(saved[0].id)[0].body)
    assert list_notes()[0].body == "# Case notes\nAgent updated; retry planned."


@pytest.mark.fixtures
def test_event_log_pane_follows_the_cursor_on_real_evtx(qtbot, tmp_path: Path, shared_fixtures: Path) -> None:
    import shutil

    from tests.conftest import fixture_file

    source = fixture_file(shared_fixtures, "evtx/plaso/System2.evtx")
    case = tmp_path / "case"
    (case / "Windows" / "System32" / "winevt" / "Logs").mkdir(parents=True)
    shutil.copy(source, case / "Windows" / "System32" / "winevt" / "Logs" / "System.evtx")
    write_setup_log(case / "Panther" / "setupact.log", 50)
    window, outcome = _open(qtbot, case)
    assert outcome.error is None
    events = window.events
    assert events.model.rowCount() > 10
    assert events.model.rowCount() < window.timeline.model.rowCount()
    # an event row moves the main timeline to exactly that row
    _click_row(qtbot, events.table, 5, 6)
    rec = events.model.record(5)
    assert window.timeline.model.record(window.timeline.current_row())[0] == rec[0]
    assert window.detail.model.rowCount() > 9  # the EVTX detail columns joined in
    # a moment elsewhere moves the event pane to the event nearest in time
    target = events.model.record(events.model.rowCount() // 2)[1] + 1
    window.bus.set_cursor(target)
    shown = events.model.record(events.current_row())
    assert shown[1] == events.model.record(events.model.row_for_time(target))[1]
    assert abs(shown[1] - target) <= abs(events.model.record(events.current_row() + 1)[1] - target)


@pytest.mark.fixtures
def test_process_tree_follows_the_cursor_on_a_real_capture(qtbot, qtmodeltester, tmp_path: Path,
                                                           shared_fixtures: Path) -> None:
    import shutil

    from tests.conftest import fixture_file

    source = fixture_file(shared_fixtures, "procmon/synthetic/synthetic_upgrade_x64.pml")
    (tmp_path / "case").mkdir()
    shutil.copy(source, tmp_path / "case" / "capture.pml")
    window, outcome = _open(qtbot, tmp_path / "case")
    assert outcome.error is None
    model = window.processes.model
    assert model.rowCount() > 0
    qtmodeltester.check(model, force_py=True)
    # click a process: every pane moves to its start
    item = next(i for i in model._all if i.start is not None and i.node.first_line is not None
                and i.node.name.lower() == "setuphost.exe")
    window.docks["processes"].raise_()  # tabbed with the catalogue: bring it to the front to click in it
    qtbot.waitUntil(lambda: window.processes.tree.isVisible(), timeout=2000)
    index = model.index_of(item)
    window.processes.tree.scrollTo(index)
    qtbot.mouseClick(window.processes.tree.viewport(), Qt.MouseButton.LeftButton,
                     pos=window.processes.tree.visualRect(index).center())
    assert window.bus.cursor == item.start
    rec = window.timeline.model.record(window.timeline.current_row())
    assert rec[9] == item.node.file_id
    # move the cursor elsewhere: the pane selects the process alive then
    later = max(i.start for i in model._all if i.start is not None)
    window.bus.set_cursor(later)
    assert window.processes.current_item() is model.alive_at(later)


@pytest.mark.fixtures
def test_finding_moves_timeline_event_and_process_panes(qtbot, tmp_path: Path, demo_source: Path,
                                                         shared_fixtures: Path) -> None:
    """Issue 7's "done": the demo's logs plus a real event log and Procmon capture in one case; one click on
    the top finding and the timeline, event and process panes all show its moment."""
    import shutil
    import zipfile

    from tests.conftest import fixture_file

    case = tmp_path / "case"
    with zipfile.ZipFile(demo_source) as zf:
        zf.extractall(case)
    logs = case / "evtlogs"
    logs.mkdir()
    shutil.copy(fixture_file(shared_fixtures, "evtx/plaso/System2.evtx"), logs / "System.evtx")
    shutil.copy(fixture_file(shared_fixtures, "procmon/synthetic/synthetic_upgrade_x64.pml"), case / "capture.pml")
    window, outcome = _open(qtbot, case)
    assert outcome.error is None
    assert window.findings.model.rowCount() and window.events.model.rowCount() and window.processes.model.rowCount()

    window.findings.activate(0)

    ts = window.bus.cursor
    assert ts is not None
    assert window.timeline.current_row() >= 0
    assert window.events.current_row() == window.events.model.row_for_time(ts)
    assert window.processes.current_item() is window.processes.model.alive_at(ts)
    assert window.strip.cursor_line.value() == pytest.approx(ts / 1e6)
