"""Progress on a big log as the review saw it (issue 16): the time left covers the whole ingest, the bar keeps
moving through the sort and the analysis and never reads 100 % before the end, the file being read is
"reading" with its rows in the catalogue, the overview counts the rows the table shows, and the strip says the
case is being read rather than "No case open"."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QUrl, Slot

from tests.cases import large_log_case
from tests.gui.conftest import write_setup_log
from workbench.gui.main_window import MainWindow


def test_progress_covers_every_stage_of_a_big_log(qtbot, tmp_path: Path) -> None:
    source = large_log_case(tmp_path, 24)
    window = MainWindow(interactive=False)
    qtbot.addWidget(window)
    window.resize(1600, 1000)
    window.show()
    seen: list[dict] = []

    def record(p: object) -> None:
        model = window.files.model
        statuses = [(model.display(model.row_tuple(r), 0), model.display(model.row_tuple(r), 4),
                     model.display(model.row_tuple(r), 5)) for r in range(model.rowCount())]
        seen.append({"stage": p.stage, "bar": window.progress_bar.value(), "text": window.stage_label.text(),
                     "file_bar": window.file_bar.format(), "files": statuses, "p": p,
                     "eta": window._estimate, "overview": window.overview.browser.toPlainText(),
                     "table": window.timeline.model.rowCount()})

    class Recorder(QObject):
        @Slot(object)
        def record(self, p: object) -> None:
            record(p)

    recorder = Recorder()
    with qtbot.waitSignal(window.caseLoaded, timeout=300_000):
        window.open_case(source)
        assert "No case open" not in window.strip.note.text() and not window.strip.note.isHidden()
        # a receiver living in this thread: each report is seen here right after the window's own slot (a
        # plain function would run in the worker's thread)
        window.job.worker.progress.connect(recorder.record)
    stages = [s["stage"] for s in seen]
    assert "parse" in stages and "finalize" in stages and "analyze" in stages
    bars = [s["bar"] for s in seen]
    assert bars == sorted(bars), "the overall bar never goes back"
    assert all(s["bar"] < 100 for s in seen if s["stage"] != "done"), [(s["stage"], s["bar"]) for s in seen]
    parse = [s for s in seen if s["stage"] == "parse" and s["p"].eta_s is not None and s["p"].bytes_done]
    assert parse, "a rate was measured while the log was read"
    for s in parse:  # the time left is the whole ingest's: more than the parse's own
        assert s["eta"].whole and s["eta"].remaining_s > s["p"].eta_s and "left in all" in s["text"]
    reading = [int(f[2].replace(",", "")) for s in parse for f in s["files"]
               if f[1] == "reading…" and f[0].endswith("setupact.log")]
    assert reading and reading == sorted(reading) and reading[-1] > 10_000  # its rows so far, not "pending, 0"
    sorting = [s for s in seen if s["stage"] == "finalize"]
    assert all("sorting" in s["file_bar"] and "0/1" not in s["file_bar"] for s in sorting)
    # the overview counts what the table shows, not a number of its own
    live = [s for s in seen if s["stage"] == "parse" and s["table"]]
    assert live and all(f"{s['table']:,} timeline rows so far" in s["overview"] for s in live)
    assert window.progress_bar.isHidden() and window.files.model.display(window.files.model.row_tuple(0), 4) != \
        "reading…"


def test_a_resumed_ingest_says_where_it_goes_on(qtbot, tmp_path: Path) -> None:
    """Cancelled in the third file, opened again: the run goes on from that file and says so, and why the table
    holds fewer rows meanwhile (the file cut off is read again from its start)."""
    for n in range(6):
        write_setup_log(tmp_path / "case" / f"m{n:02d}" / "Panther" / "setupact.log", 20_000)
    window = MainWindow(interactive=False)
    qtbot.addWidget(window)
    window.show()

    class Canceller(QObject):
        @Slot(object)
        def check(self, p: object) -> None:
            if getattr(p, "stage", "") == "parse" and getattr(p, "done", 0) >= 2 and window.job is not None:
                # as the user cancels: the overview's link (the status bar's button does the same)
                assert "Cancel the ingest" in window.overview.browser.toPlainText()
                window.overview.browser.anchorClicked.emit(QUrl("cancel:"))

    canceller = Canceller()
    with qtbot.waitSignal(window.caseLoaded, timeout=300_000) as blocker:
        window.open_case(tmp_path / "case")
        window.job.worker.progress.connect(canceller.check)
    assert blocker.args[0].error_kind == "cancelled"
    # true counts after Cancel: the table, the overview's sentence and each file's rows agree with the store
    store = window.view.store
    read, cut, unread, files, rows = window.view.read_counts()
    assert files == 6 and read >= 2 and read + cut + unread == 6 and cut <= 1
    assert rows == window.timeline.model.rowCount() == store.scalar("SELECT count(*) FROM timeline")
    for file_id, status, records in store.conn.execute("SELECT id, status, records FROM files").fetchall():
        assert records == store.scalar("SELECT count(*) FROM timeline WHERE file_id = ?", (file_id,)), status
    assert f"{rows:,} timeline rows" in window.overview.browser.toPlainText()
    assert not store.scalar("SELECT count(*) FROM findings")  # the analysis did not run, and says so
    assert "not run" in window.overview.browser.toPlainText()
    banners: list[str | None] = []
    shown = window.timeline.set_banner
    window.timeline.set_banner = lambda text: (banners.append(text), shown(text))  # type: ignore[method-assign]
    with qtbot.waitSignal(window.caseLoaded, timeout=300_000) as blocker:
        assert "Resume the ingest" in window.overview.browser.toPlainText()
        window.overview.browser.anchorClicked.emit(QUrl("resume:"))  # the overview's Resume link
    assert blocker.args[0].error is None
    told = [b for b in banners if b and "stopped before its end" in b]
    assert told and "read again from its start" in told[0]
    assert any(f"the {k} file(s) not read to the end, from m0{6 - k}/Panther/setupact.log" in told[0]
               for k in (3, 4)), told[0]
    # Resume: the rows of an ingest that never stopped, every file read to the end
    assert window.timeline.model.rowCount() == 6 * 20_000
    assert {r[0] for r in window.view.store.conn.execute("SELECT status FROM files")} == {"parsed"}


def _hits(pane) -> list[tuple[int, str]]:
    return [(pane.model.hit(r)["row_id"], pane.model.row_tuple(r)[3]) for r in range(pane.model.rowCount())]


def test_a_search_while_a_big_log_is_read_answers_and_says_indexing(qtbot, tmp_path: Path) -> None:
    """Mid-ingest (the index is built at the end) the search pane answers from the rows committed so far, in
    a thread (the window is not frozen meanwhile), says "indexing…", and
    a hit moves the table to its row; at the end the same query answers from the index with those hits among
    its own, and "indexing…" is gone."""
    source = large_log_case(tmp_path, 24)
    window = MainWindow(interactive=False)
    qtbot.addWidget(window)
    window.resize(1600, 1000)
    window.show()
    pane = window.search
    query = '"gather object" Item996'  # words of a few lines in every stretch of the log
    seen: list[tuple[list[tuple[int, str]], str, int]] = []

    class Searcher(QObject):
        @Slot(object)
        def check(self, p: object) -> None:
            if (asked or p.stage != "parse" or not p.file_total or p.file_done < p.file_total / 4
                    or window._live is None or window.timeline.model.rowCount() < 5_000):
                return
            asked.append(pane.search(query))
            assert pane.searching and "Searching the rows read so far" in pane.status.text()
            assert "indexing" in pane.status.text()

        @Slot()
        def found(self) -> None:
            if seen or not asked or window._live is None:
                return
            hits = _hits(pane)
            if hits:
                pane.table.selectRow(0)  # a hit picked: the live table goes to that row
            current = window.timeline.model.record(window.timeline.current_row()) if hits else None
            seen.append((hits, pane.status.text(), current[0] if current else -1))
            # the panes filled from the analysis say they come at the end, rather than an empty table
            waiting.extend(p.empty.text() for p in (window.events, window.processes, window.dump)
                           if not p.empty.isHidden())
            # the source detail shows the picked row's fields while the case is read
            detail.append((window.detail.model.row_id, window.detail.model.rowCount()))

    asked: list[int] = []
    waiting: list[str] = []
    detail: list[tuple[int | None, int]] = []
    searcher = Searcher()
    pane.searched.connect(searcher.found)
    with qtbot.waitSignal(window.caseLoaded, timeout=300_000) as blocker:
        window.open_case(source)
        window.job.worker.progress.connect(searcher.check)
    assert blocker.args[0].error is None
    assert asked == [0] and seen, "a search ran while the log was read, its hits came from its thread"
    live, status, current = seen[0]
    assert live and "indexing" in status and "Searching" not in status and current == live[0][0]
    assert detail[0][0] == live[0][0] and detail[0][1] >= 9
    assert len(waiting) == 3 and all("being read now" in text for text in waiting)
    assert all("Item996.dat" in message for _, message in live)
    # at the end, from the index: the hits seen mid-ingest are among them (the ids changed with the sort)
    assert pane.search(query) > len(live) and "indexing" not in pane.status.text()
    final = {message for _, message in _hits(pane)}
    assert {message for _, message in live} <= final


def test_a_killed_app_is_resumed_by_the_window_with_the_rows_of_an_uninterrupted_ingest(
        qtbot, tmp_path: Path, wb_home: Path) -> None:
    """The app killed mid-file (no Cancel, no state written): the next open in the window says the import
    stopped before its end and where it goes on, and ends with exactly what an ingest that never stopped
    gives (rows, files, findings)."""
    import os
    import subprocess
    import sys

    from tests.cases import multi_file_case
    from tests.unit.test_resume import _KILLER, _reference, _snapshot

    source = multi_file_case(tmp_path / "src", lines=110_000)
    expected = _reference(source, tmp_path / "home-reference")
    killed = subprocess.run([sys.executable, "-c", _KILLER, str(source)], env={**os.environ,
                            "WORKBENCH_HOME": str(wb_home)}, capture_output=True, text=True, timeout=300)
    assert killed.returncode == 9, killed.stderr
    window = MainWindow(interactive=False)
    qtbot.addWidget(window)
    window.resize(1600, 1000)
    window.show()
    banners: list[str | None] = []
    shown = window.timeline.set_banner
    window.timeline.set_banner = lambda text: (banners.append(text), shown(text))  # type: ignore[method-assign]
    with qtbot.waitSignal(window.caseLoaded, timeout=300_000) as blocker:
        window.open_case(source)
    assert blocker.args[0].error is None
    told = [b for b in banners if b and "stopped before its end" in b]
    assert told and "read again from its start" in told[0] and "/Panther/setupact.log" in told[0], banners
    assert window.view.store.get_meta("ingest_resumed_from") == "parse"
    got = _snapshot(window.view.store)
    for key in ("timeline", "files", "findings", "evidence", "facts"):
        assert got[key] == expected[key], key
    assert window.timeline.model.rowCount() == len(expected["timeline"])
    assert window.findings.model.rowCount() and "Verdict" in window.overview.browser.toPlainText()
