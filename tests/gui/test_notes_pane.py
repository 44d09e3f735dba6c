"""The notes pane: typing saves within a second (even in a killed process), undo/redo, history, quotes from
every pane that link back to their evidence, and a preview that renders what the e-mail will say."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QTextCursor

from workbench.core.store import NotesStore
from workbench.gui.bus import CursorBus
from workbench.gui.panes.notes import AUTOSAVE_MS, HistoryDialog, NotesPane, burst_ends, preview_html

REPO = Path(__file__).resolve().parents[2]


def screenshot_dir(tmp_path: Path) -> Path:
    """Where screenshots go: ``WORKBENCH_SCREENSHOT_DIR`` when set (to look at them), else the test's folder."""
    folder = Path(os.environ.get("WORKBENCH_SCREENSHOT_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _pane(qtbot, store_view) -> tuple[NotesPane, CursorBus]:
    bus = CursorBus()
    pane = NotesPane(bus)
    qtbot.addWidget(pane)
    pane.resize(900, 700)
    pane.set_view(store_view)
    pane.show()
    return pane, bus


def _saved(store_view) -> list:
    with NotesStore.open(store_view.database.parent) as notes:  # another connection sees each committed save
        return notes.notes()


def _versions(store_view, note_id: int) -> list:
    with NotesStore.open(store_view.database.parent) as notes:
        return notes.versions(note_id)


def test_preview_links_evidence_and_escapes_everything_else() -> None:
    body = ("# Finding\nThe agent <script>alert(1)</script> **crashed**.\n\n"
            "> 2021-05-18 MIG error\n>\n> — [Rollback/setupact.log:12](workbench:evidence?file=3&line=12)\n\n"
            "`[x](workbench:evidence?file=9)` stays code\n[web](https://example.invalid/a)")
    html = preview_html(body)
    assert '<a href="workbench:evidence?file=3&amp;line=12">Rollback/setupact.log:12</a>' in html
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<strong>crashed</strong>" in html and 'bgcolor="#c8c8c8"' in html  # the quote bar
    assert 'href="workbench:evidence?file=9"' not in html  # a link inside code is text
    assert 'href="https://example.invalid/a"' in html
    assert "[x](workbench:evidence?file=9)" in html


def test_typing_saves_within_a_second_even_while_typing_on(qtbot, store_view) -> None:
    pane, _bus = _pane(qtbot, store_view)
    assert pane.isEnabled() and pane.note_id is None
    pane.editor.setFocus()
    started = time.monotonic()
    typed = ""
    # type without a pause longer than 0.1 s for 2.5 s: a debounce would never save, the throttle must
    first_saved_at = None
    while time.monotonic() - started < 2.5:
        qtbot.keyClicks(pane.editor, "ab")
        typed += "ab"
        qtbot.wait(80)
        notes = _saved(store_view)
        if first_saved_at is None and notes and notes[0].body:
            first_saved_at = time.monotonic() - started
    assert first_saved_at is not None and first_saved_at < 1.0 + AUTOSAVE_MS / 1000
    qtbot.waitUntil(lambda: _saved(store_view)[0].body == typed, timeout=2000)
    assert pane.picker.count() == 1 and pane.picker.currentText().startswith("abab")
    assert "Saved" in pane.saved_label.text()


def test_undo_redo_and_history_restore(qtbot, store_view, monkeypatch) -> None:
    monkeypatch.setattr(NotesStore, "VERSION_BURST_SECONDS", 0)  # every save its own version, for this test
    pane, _bus = _pane(qtbot, store_view)
    pane.editor.setPlainText("# Plan\nUpdate the agent.")
    pane.save_now()
    cursor = pane.editor.textCursor()
    cursor.movePosition(QTextCursor.MoveOperation.End)
    pane.editor.setTextCursor(cursor)
    qtbot.keyClicks(pane.editor, " Then retry.")
    assert pane.undo_action.isEnabled() and not pane.redo_action.isEnabled()
    pane.undo_action.trigger()
    assert pane.editor.toPlainText() == "# Plan\nUpdate the agent."
    assert pane.redo_action.isEnabled()
    pane.redo_action.trigger()
    assert pane.editor.toPlainText().endswith("Then retry.")
    pane.save_now()
    note_id = pane.note_id
    versions = _versions(store_view, note_id)
    assert [v.body for v in versions][-2:] == ["# Plan\nUpdate the agent.", "# Plan\nUpdate the agent. Then retry."]

    # the history dialog lists every save newest first, previews it, and restores the chosen one
    dialog = HistoryDialog(pane.versions(), pane)
    qtbot.addWidget(dialog)
    dialog.every.setChecked(True)
    assert dialog.list.count() == len(versions)
    dialog.list.setCurrentRow(dialog.list.count() - 1)  # the oldest
    assert dialog.chosen is not None and dialog.chosen.body == "# Plan\nUpdate the agent."
    assert "Plan" in dialog.preview.toPlainText()
    pane.restore_version(dialog.chosen.body)
    assert _saved(store_view)[0].body == "# Plan\nUpdate the agent."
    assert len(pane.versions()) == len(versions) + 1  # restoring is a new version: nothing is lost
    pane.editor.undo()  # and it can be undone like any edit
    assert pane.editor.toPlainText().endswith("Then retry.")


def test_history_lists_the_last_save_of_each_burst() -> None:
    from workbench.core.store.notes_store import NoteVersion

    times = ["2026-11-25T08:00:00+00:00", "2026-11-25T08:00:01+00:00", "2026-11-25T08:00:02+00:00",
             "2026-11-25T08:30:00+00:00", "2026-11-25T08:30:01+00:00"]
    versions = [NoteVersion(n, 1, f"v{n}", t) for n, t in enumerate(times)]
    assert [v.body for v in burst_ends(versions)] == ["v2", "v4"]


def _anchor_point(browser, href_part: str):
    """The viewport position of the first link whose href contains ``href_part`` (to click it like a user)."""
    doc = browser.document()
    block = doc.begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            frag = it.fragment()
            if frag.isValid() and href_part in frag.charFormat().anchorHref():
                cursor = QTextCursor(doc)
                cursor.setPosition(frag.position() + max(1, frag.length() // 2))
                return browser.cursorRect(cursor).center()
            it += 1
        block = block.next()
    return None


def test_add_to_notes_from_the_bus_quotes_and_the_link_brings_the_cursor_back(qtbot, store_view) -> None:
    pane, bus = _pane(qtbot, store_view)
    row = store_view.store.conn.execute(
        "SELECT id, ts, file_id, line, message FROM timeline WHERE level = 'error' ORDER BY id LIMIT 1").fetchone()
    bus.add_to_notes({"row_id": row[0]})  # a pane may send only where the evidence is
    body = pane.editor.toPlainText()
    assert body.startswith("> ") and row[4].splitlines()[0] in body
    assert f"workbench:evidence?file={row[2]}&line={row[3]}&ts={row[1]}" in body
    assert _saved(store_view)[0].body == body  # quoting saves at once
    pane.editor.undo()  # one undo step takes the whole quote away
    assert pane.editor.toPlainText() == ""
    pane.editor.redo()

    bus.add_to_notes({"text": "nt!KeBugCheckEx\nlwfmgr+0x5167"})  # nowhere to link to: a plain quote
    assert pane.editor.toPlainText().endswith("\n\n> nt!KeBugCheckEx\n> lwfmgr+0x5167\n")
    bus.add_to_notes({"text": "SetupHost.exe (PID 4242)", "source": "capture.pml", "file_id": row[2],
                      "line": row[3], "ts": row[1]})
    assert pane.editor.toPlainText().count("workbench:evidence?") == 2
    point = _anchor_point(pane.preview, f"line={row[3]}")
    assert point is not None
    with qtbot.waitSignal(bus.selectionChanged, timeout=2000) as blocker:
        qtbot.mouseClick(pane.preview.viewport(), Qt.MouseButton.LeftButton, pos=point)
    sel = blocker.args[0]
    assert (sel.file_id, sel.line, sel.ts, sel.origin) == (row[2], row[3], row[1], "notes")
    assert bus.cursor == row[1]
    pane.preview.anchorClicked.emit(QUrl("https://example.invalid/"))  # not ours: the selection stays
    assert bus.selection == sel


def test_a_killed_process_loses_at_most_the_last_second(tmp_path: Path, demo_database: Path) -> None:
    """The promise behind autosave: a separate process types into the pane and is SIGKILLed mid-typing;
    everything typed more than a second before the kill is in the case's notes database."""
    script = tmp_path / "typist.py"
    script.write_text(
        "import sys\n"
        "from pathlib import Path\n"
        "from PySide6.QtCore import QTimer\n"
        "from PySide6.QtTest import QTest\n"
        "from PySide6.QtWidgets import QApplication\n"
        "from workbench.gui.bus import CursorBus\n"
        "from workbench.gui.models.store_view import StoreView\n"
        "from workbench.gui.panes.notes import NotesPane\n"
        "app = QApplication([])\n"
        "pane = NotesPane(CursorBus())\n"
        "pane.set_view(StoreView(Path(sys.argv[1])))\n"
        "pane.show()\n"
        "pane.editor.setFocus()\n"
        "text = sys.argv[2]\n"
        "typed = 0\n"
        "def tick():\n"
        "    global typed\n"
        "    QTest.keyClicks(pane.editor, text[typed])\n"
        "    typed += 1\n"
        "    sys.stdout.write(f'{typed}\\n')\n"
        "    sys.stdout.flush()\n"
        "    if typed == len(text):\n"
        "        timer.stop()\n"
        "timer = QTimer()\n"
        "timer.timeout.connect(tick)\n"
        "timer.start(20)\n"
        "app.exec()\n",
        encoding="utf-8")
    text = "lwfmgr passed a NULL filter handle to NdisFDeregisterFilterDriver " * 20
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen([sys.executable, str(script), str(demo_database), text], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env, cwd=str(tmp_path))
    seen: list[tuple[float, int]] = []  # (when this process read it, characters typed so far)

    def read() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            seen.append((time.monotonic(), int(line)))

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    deadline = time.monotonic() + 120
    while not seen and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.02)
    assert seen, proc.stderr.read() if proc.stderr else "the typist never started"
    time.sleep(3.0)  # type for three seconds, then kill without warning
    killed_at = time.monotonic()
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    reader.join(timeout=5)
    assert proc.returncode == -signal.SIGKILL
    typed_before_kill = max(n for t, n in seen if t <= killed_at)
    assert typed_before_kill < len(text)  # it really was killed mid-typing
    safe = max((n for t, n in seen if t <= killed_at - 1.0), default=0)
    assert safe > 20
    with NotesStore.open(demo_database.parent) as store:
        assert store.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        notes = store.notes()
    assert len(notes) == 1
    body = notes[0].body
    assert text.startswith(body)
    assert len(body) >= safe, f"lost {typed_before_kill - len(body)} characters, more than the last second"


def test_screenshot_of_the_notes_pane(qtbot, store_view, tmp_path: Path) -> None:
    pane, bus = _pane(qtbot, store_view)
    pane.resize(820, 640)
    pane.editor.setPlainText(
        "# Case 0xC1900101 - 0x40017\n"
        "Second boot (phase 4) blue-screened; **rollback** followed.\n\n"
        "- Uninstall the endpoint agent, retry the upgrade\n"
        "- Ask the vendor for a fixed `lwfmgr.sys`\n")
    pane.save_now()
    row = store_view.store.conn.execute(
        "SELECT id FROM timeline WHERE level IN ('error', 'critical') ORDER BY id LIMIT 1").fetchone()
    bus.add_to_notes({"row_id": row[0]})
    pane.split.setSizes([300, 340])
    qtbot.wait(50)
    out = screenshot_dir(tmp_path) / "notes-pane.png"
    assert pane.grab().save(str(out))
    assert out.stat().st_size > 10_000


@pytest.mark.fixtures
def test_add_to_notes_from_timeline_events_findings_and_processes(qtbot, tmp_path: Path, demo_source: Path,
                                                                  shared_fixtures: Path) -> None:
    """Every pane's context menu quotes its own kind of evidence into the notes, with a link."""
    import shutil
    import zipfile

    from PySide6.QtGui import QAction

    from tests.conftest import fixture_file
    from tests.gui.test_window import _open

    case = tmp_path / "case"
    with zipfile.ZipFile(demo_source) as zf:
        zf.extractall(case)
    (case / "evtlogs").mkdir()
    shutil.copy(fixture_file(shared_fixtures, "evtx/plaso/System2.evtx"), case / "evtlogs" / "System.evtx")
    shutil.copy(fixture_file(shared_fixtures, "procmon/synthetic/synthetic_upgrade_x64.pml"), case / "capture.pml")
    window, outcome = _open(qtbot, case)
    assert outcome.error is None
    notes = window.notes

    def add(view) -> str:
        action = next(a for a in view.actions() if isinstance(a, QAction) and a.objectName() == "addToNotes")
        before = notes.editor.toPlainText()
        action.trigger()
        after = notes.editor.toPlainText()
        assert after.startswith(before.rstrip("\n")) and len(after) > len(before)
        return after[len(before):]

    window.timeline.show_row(5)
    rec = window.timeline.model.record(5)
    quote = add(window.timeline.table)
    assert f"file={rec[9]}&line={rec[5]}" in quote and (rec[8] or "").splitlines()[0] in quote

    window.events.table.setCurrentIndex(window.events.model.index(0, 0))  # as a click: the bus selects it
    sel = window.bus.selection
    quote = add(window.events.table)
    assert sel.origin == "events" and f"file={sel.file_id}" in quote and ".evtx" in quote

    window.findings.activate(0)
    finding = window.findings.model.finding(0)
    quote = add(window.findings.table)
    assert finding["title"] in quote and "workbench:evidence?" in quote
    if not notes.isVisible():  # tabbed behind the findings: they stay in front, the status bar says where it went
        assert window.findings.isVisible() and "Added to the note" in window.statusBar().currentMessage()

    item = next(i for i in window.processes.model._all if i.start is not None and i.node.first_line is not None
                and i is not window.processes.current_item())
    window.processes.tree.setCurrentIndex(window.processes.model.index_of(item))  # as a click: the bus follows
    quote = add(window.processes.tree)
    assert item.node.name in quote and f"file={item.node.file_id}" in quote

    assert _saved(window.view)[-1].body == notes.editor.toPlainText()
    window.close()


def test_switching_notes_saves_the_one_being_written(qtbot, store_view) -> None:
    pane, _bus = _pane(qtbot, store_view)
    pane.editor.setPlainText("# Customer call\nAgent version 5.2")
    pane.save_now()
    first = pane.note_id
    pane.new_note()
    qtbot.keyClicks(pane.editor, "# Vendor")
    qtbot.keyClick(pane.editor, Qt.Key.Key_Return)
    qtbot.keyClicks(pane.editor, "lwfmgr fix due")
    pane.picker.setCurrentIndex(pane.picker.findData(first))  # before the autosave fired
    assert pane.note_id == first and pane.editor.toPlainText() == "# Customer call\nAgent version 5.2"
    assert pane.picker.currentData() == first
    bodies = [n.body for n in _saved(store_view)]
    assert bodies == ["# Customer call\nAgent version 5.2", "# Vendor\nlwfmgr fix due"]
    assert pane.picker.count() == 2


def test_a_failed_save_keeps_the_text_and_retries(qtbot, store_view, monkeypatch) -> None:
    import sqlite3

    pane, _bus = _pane(qtbot, store_view)
    real = NotesStore.save
    failures = []

    def flaky(self, body, note_id=None):
        if not failures:
            failures.append(body)
            raise sqlite3.OperationalError("disk I/O error")
        return real(self, body, note_id)

    monkeypatch.setattr(NotesStore, "save", flaky)
    pane.editor.setPlainText("Retry after the agent update.")
    pane.save_now()
    assert failures and "Not saved" in pane.saved_label.text() and not _saved(store_view)
    qtbot.waitUntil(lambda: bool(_saved(store_view)), timeout=3000)
    assert _saved(store_view)[0].body == "Retry after the agent update."


def test_an_ingest_holding_the_case_database_never_delays_a_save(qtbot, store_view) -> None:
    """An ingest holding the case database's write lock (another window's finalize, up to a minute) does not
    touch the notes database: the save is done at once, and a kill then loses nothing."""
    import sqlite3
    import time

    pane, _bus = _pane(qtbot, store_view)
    blocker = sqlite3.connect(store_view.database, timeout=0.1)
    blocker.execute("BEGIN IMMEDIATE")  # the write lock, as a long ingest transaction holds it
    try:
        pane.editor.setPlainText("saved while the ingest holds the case")
        started = time.perf_counter()
        pane.save_now()
        assert time.perf_counter() - started < 0.5, "the save waited for the case database"
        assert "Saved" in pane.saved_label.text()
        assert [n.body for n in _saved(store_view)] == ["saved while the ingest holds the case"]
    finally:
        blocker.rollback()
        blocker.close()
