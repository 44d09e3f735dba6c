"""The customer's own text files are searchable and shown; notes quote on the case clock with their source
(issue 16: "蓝屏" found nothing in 说明.txt, quotes said "@06:57:03Z", a dump frame was pasted without source)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QUrl

from tests.cases import DESCRIPTION_ZH, NOTE_UTF16, chinese_nested_case
from workbench.gui.main_window import MainWindow
from workbench.gui.text_viewer import _OPEN


def _open(qtbot, source: Path) -> MainWindow:
    window = MainWindow(interactive=False)
    qtbot.addWidget(window)
    window.resize(1600, 1000)
    window.show()
    with qtbot.waitSignal(window.caseLoaded, timeout=180_000) as blocker:
        window.open_case(source)
    assert blocker.args[0].error is None
    return window


def _viewer(window: MainWindow, name: str):
    return next(v for (db, _fid), v in _OPEN.items() if db == str(window.view.database) and v.path.endswith(name))


def test_text_files_are_searched_shown_and_quoted(qtbot, tmp_path: Path) -> None:
    window = _open(qtbot, chinese_nested_case(tmp_path))
    search = window.search
    # GBK description: the Chinese words are found (a substring search, not FTS words)
    assert search.search("蓝屏") >= 1
    assert search.model.text_hits == 1 and "text files" in search.status.text()
    # the description's line is a timeline row (no time) and a text line: listed once, as the text line
    listed = [(search.model.row_tuple(r)[6], search.model.row_tuple(r)[7]) for r in range(search.model.rowCount())]
    assert len(listed) == len(set(listed))
    row = search.model.rowCount() - 1
    hit = search.model.hit(row)
    assert hit["text_file"] and hit["line"] == 1
    search.table.setCurrentIndex(search.model.index(row, 1))
    viewer = _viewer(window, "说明.txt")
    assert viewer.isVisible() and viewer.text.toPlainText().startswith(DESCRIPTION_ZH.splitlines()[0])
    assert viewer.text.textCursor().block().blockNumber() == 0 and viewer.text.extraSelections()
    # the UTF-16 note too, by a word in it
    assert search.search("lwfmgr") > search.model.text_hits >= 1
    assert any(NOTE_UTF16.split("：")[0] in (search.model.row_tuple(r)[3] or "") for r in range(search.model.rowCount()))
    # a text file in the catalogue opens in the viewer (it has no rows to move the panes to)
    files = window.files
    note_row = next(r for r in range(files.model.rowCount()) if files.model.row_tuple(r)[0].endswith("工程师备注.txt"))
    files.table.doubleClicked.emit(files.model.index(note_row, 0))
    note_viewer = _viewer(window, "工程师备注.txt")
    assert note_viewer.isVisible() and "lwfmgr" in note_viewer.text.toPlainText()
    # msinfo32's NFO has no rows either: it is shown as text; the nested zip has neither: its files are
    # selected (listed after it) and the status bar says why, rather than "not text"
    nfo_row = next(r for r in range(files.model.rowCount()) if files.model.row_tuple(r)[0].endswith("SYSSUM.NFO"))
    files.table.doubleClicked.emit(files.model.index(nfo_row, 0))
    assert _viewer(window, "SYSSUM.NFO").isVisible()
    zip_row = next(r for r in range(files.model.rowCount()) if files.model.row_tuple(r)[0].endswith("回滚日志.zip"))
    files.table.doubleClicked.emit(files.model.index(zip_row, 0))
    picked = files.model.row_tuple(files.table.currentIndex().row())
    assert picked[0].startswith(files.model.row_tuple(zip_row)[0] + "::")
    assert "archive" in window.statusBar().currentMessage()
    # Add to notes from the viewer: the quote names the file and line; its link opens the file again
    viewer.go_to_line(2)
    viewer.add_to_notes()
    body = window.notes.editor.toPlainText()
    assert "错误代码 0xC1900101" in body and "说明.txt:2" in body
    viewer.close()
    link = body[body.index("(workbench:") + 1:body.rindex(")")]
    window.notes.preview.anchorClicked.emit(QUrl(link))
    assert _viewer(window, "说明.txt").isVisible()
    # inside a run of Chinese (the index makes "第二次重启蓝屏" one token): the search pane and the table filter
    # find the words as a substring scan of the rows does
    store = window.view.store
    for word in ("回滚", "重启", "回滚*"):
        plain = {r[0] for r in store.conn.execute("SELECT id FROM timeline WHERE instr(message, ?)",
                                                   (word.rstrip("*"),))}
        assert plain, word
        window.timeline.set_filter(text=word)
        assert window.timeline.model.rowCount() == len(plain), word
        assert search.search(word) >= 1
    window.timeline.set_filter(text="")


def test_notes_quote_times_on_the_case_clock(qtbot, tmp_path: Path) -> None:
    window = _open(qtbot, chinese_nested_case(tmp_path))
    table = window.timeline.table
    index = table.model().index(5, 6)
    table.scrollTo(index)
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=table.visualRect(index).center())
    rec = window.timeline.model.record(5)
    window.notes.quote_selection()
    body = window.notes.editor.toPlainText()
    assert f"@ {window.view.format_ts(rec[1], micro=False)}" in body  # the case clock (UTC+8 here), not UTC
    assert "Z]" not in body and "China" in window.view.zone_label or "中国" in window.view.zone_label
    # a quote from the event-log pane carries its source file too
    window.bus.add_to_notes({"text": "System 41", "row_id": rec[0]})
    assert window.notes.editor.toPlainText().count("@ ") == 2
    assert window.notes.editor.toPlainText().rstrip().splitlines()[-1].startswith("> — [")


def test_the_viewer_shows_a_line_from_its_start_with_the_searched_words_marked(qtbot, tmp_path: Path) -> None:
    """Review of issue 16: the viewer opened scrolled sideways (the line's first characters cut off) and did not
    mark the searched word when the query had more than one."""
    case = tmp_path / "case"
    (case / "Panther").mkdir(parents=True)
    (case / "Panther" / "setupact.log").write_bytes(
        b"\xef\xbb\xbf2026-11-02 06:00:00, Info                  MOUPG  SetupHost: start\r\n")
    long_line = "开头 " + "x" * 600 + " 第二次重启蓝屏后回滚"
    (case / "说明.txt").write_bytes(("第一行\r\n" + long_line + "\r\n").encode("gbk"))
    window = _open(qtbot, case)
    assert window.search.search("蓝屏 回滚") >= 1
    window.search.table.setCurrentIndex(window.search.model.index(window.search.model.rowCount() - 1, 1))
    viewer = _viewer(window, "说明.txt")
    assert viewer.text.textCursor().block().blockNumber() == 1
    assert viewer.text.horizontalScrollBar().value() == 0
    marked = {m.cursor.selectedText() for m in viewer.text.extraSelections()}
    assert {"蓝屏", "回滚"} <= marked
