"""File › Export summary and Copy summary: the files the core's tests accept, redaction previewed and edited,
both clipboard formats, and a rendered HTML summary to look at."""

from __future__ import annotations

import email
import email.policy
from datetime import datetime, timezone
from pathlib import Path

import pytest
from PySide6.QtGui import QGuiApplication

from tests.gui.test_notes_pane import screenshot_dir
from workbench.core.report.export import export_summary
from workbench.core.store import CaseStore, NotesStore
from workbench.gui.export_dialog import ExportDialog, ReplacementsModel, summary_mime_data

NOW = datetime(2026, 11, 25, 8, 30, tzinfo=timezone.utc)


@pytest.fixture
def dialog(qtbot, demo_database: Path) -> ExportDialog:
    d = ExportDialog(demo_database, interactive=False, now=NOW)
    qtbot.addWidget(d)
    return d


def _choose(dialog: ExportDialog, fmt: str, lang: str, redact: bool) -> None:
    dialog.format_box.setCurrentIndex(dialog.format_box.findData(fmt))
    dialog.lang_box.setCurrentIndex(dialog.lang_box.findData(lang))
    dialog.redact_box.setChecked(redact)
    dialog.refresh()


@pytest.mark.parametrize("fmt", ["md", "html", "txt", "eml"])
def test_export_writes_what_the_cli_writes(dialog: ExportDialog, demo_database: Path, tmp_path: Path,
                                           fmt: str) -> None:
    _choose(dialog, fmt, "en", False)
    assert dialog.path_edit.text().endswith(f".en.{fmt}")
    out = dialog.export_to(tmp_path / f"summary.{fmt}")
    with CaseStore.open(demo_database) as store:
        expected = export_summary(store, fmt, lang="en", now=NOW)
    assert out.read_bytes() == expected  # the GUI and `workbench report` give the same bytes
    if fmt == "eml":
        msg = email.message_from_bytes(out.read_bytes(), policy=email.policy.default)
        assert msg.get_content_type() == "multipart/alternative" and msg["Subject"]
        kinds = [part.get_content_type() for part in msg.iter_parts()]
        assert kinds == ["text/plain", "text/html"]
        html = msg.get_body(preferencelist=("html",)).get_content()
        assert "<script" not in html.lower() and "0xC1900101" in html
    else:
        text = out.read_text(encoding="utf-8")
        assert "0xC1900101" in text


def test_eml_attachments_and_chinese(dialog: ExportDialog, tmp_path: Path) -> None:
    _choose(dialog, "eml", "zh", False)
    dialog.attach_md.setChecked(True)
    dialog.attach_evidence.setChecked(True)
    out = dialog.export_to(tmp_path / "summary.eml")
    msg = email.message_from_bytes(out.read_bytes(), policy=email.policy.default)
    assert msg.get_content_type() == "multipart/mixed"
    names = [part.get_filename() for part in msg.iter_attachments()]
    assert len(names) == 2 and any(n.endswith(".md") for n in names)
    body = msg.get_body(preferencelist=("plain",)).get_content()
    assert "案例描述" in body


def test_redaction_preview_edit_and_export(qtbot, qtmodeltester, dialog: ExportDialog, tmp_path: Path) -> None:
    """Plant personal values in the notes, add one to the case's list, mark one as a false positive: the
    preview shows each decision and the exported file contains none of the planted values."""
    planted = ["alice.wong@contoso-bank.example", "13812345678", "Project Kingfisher"]
    with NotesStore.open(dialog.database.parent) as notes:
        notes.save("Called alice.wong@contoso-bank.example (13812345678) about Project Kingfisher; "
                   "the proxy at 10.20.30.41 is fine. Build 10.0.19041.1 is not personal.")
    dialog._summaries.clear()
    _choose(dialog, "html", "en", True)
    qtmodeltester.check(dialog.model, force_py=True)
    values = {dialog.model.replacement(r).value for r in range(dialog.model.rowCount())}
    assert {"alice.wong@contoso-bank.example", "13812345678", "10.20.30.41"} <= values
    assert "Project Kingfisher" not in values

    dialog.term_edit.setText("Project Kingfisher")
    dialog.add_term()
    rows = {dialog.model.replacement(r).value: dialog.model.replacement(r) for r in range(dialog.model.rowCount())}
    assert rows["Project Kingfisher"].origin == "your list" and rows["Project Kingfisher"].pseudonym.startswith(
        "REDACTED-")
    assert any("Project Kingfisher" in dialog.terms.item(i).text() for i in range(dialog.terms.count()))
    assert "Project Kingfisher" not in dialog.preview.toPlainText()

    # a false positive: never redact the proxy's address in this case
    proxy_row = next(r for r in range(dialog.model.rowCount()) if dialog.model.replacement(r).value == "10.20.30.41")
    dialog.table.selectRow(proxy_row)
    dialog.keep_selected()
    assert "10.20.30.41" not in {dialog.model.replacement(r).value for r in range(dialog.model.rowCount())}
    assert "10.20.30.41" in dialog.preview.toPlainText()

    out = dialog.export_to(tmp_path / "summary.html")
    text = out.read_text(encoding="utf-8")
    for value in planted:
        assert value not in text
    assert "10.20.30.41" in text  # kept, as the user said

    # removing the term from the list brings the value back unredacted
    dialog.terms.setCurrentRow(next(i for i in range(dialog.terms.count())
                                    if "Project Kingfisher" in dialog.terms.item(i).text()))
    dialog.remove_selected_term()
    assert "Project Kingfisher" in dialog.preview.toPlainText()


def test_replacements_model_passes_qtmodeltester(qtmodeltester) -> None:
    from workbench.core.report.redact import Replacement

    model = ReplacementsModel()
    qtmodeltester.check(model, force_py=True)
    model.set_rows([Replacement("user", "alice", "USER-1", 3, "profile path (facts)"),
                    Replacement("ipv4", "10.1.2.3", "IP-1", 1, "pattern")])
    qtmodeltester.check(model, force_py=True)
    assert model.data(model.index(1, 0)) == "IP-1" and model.data(model.index(0, 3)) == 3


def test_copy_summary_and_export_from_the_window(qtbot, demo_source: Path, tmp_path: Path) -> None:
    from tests.gui.test_window import _open

    window, outcome = _open(qtbot, demo_source)
    assert outcome.error is None
    window.notes.editor.setPlainText("Agent at 10.20.30.41 updated; retry planned.")  # not saved yet
    window.copy_summary_action.trigger()
    mime = QGuiApplication.clipboard().mimeData()
    assert mime.hasHtml() and mime.hasText()
    assert "<html" in mime.html().lower() and "0xC1900101" in mime.html()
    assert "<" not in mime.text().split("0xC1900101")[0][-200:]  # the plain alternative is not markup
    assert "retry planned" in mime.text()  # the notes pane was saved first: the summary ends with the notes

    # File › Export summary… on the same window: choose, click Export, the file is there and remembered
    from workbench.gui.export_dialog import open_export_dialog, remembered_options

    dialog = open_export_dialog(window)
    assert dialog is not None
    qtbot.addWidget(dialog)
    dialog.format_box.setCurrentIndex(dialog.format_box.findData("txt"))
    dialog.lang_box.setCurrentIndex(dialog.lang_box.findData("en"))
    target = tmp_path / "out" / "summary.en.txt"
    dialog.path_edit.setText(str(target))
    dialog.export_button.click()
    assert dialog.result() == dialog.DialogCode.Accepted and dialog.written == target
    assert "retry planned" in target.read_text(encoding="utf-8")
    assert remembered_options() == ("txt", "en", False)
    window.close()


def test_dialog_copies_with_its_own_choices(dialog: ExportDialog) -> None:
    from workbench.gui.export_dialog import remembered_options

    _choose(dialog, "md", "zh", True)
    dialog.copy_button.click()
    mime = QGuiApplication.clipboard().mimeData()
    assert mime.hasHtml() and mime.hasText() and "案例描述" in mime.text()
    assert "DEMO-PC01" not in mime.text() and "PC-1" in mime.text()  # redacted, as chosen
    assert remembered_options() == ("md", "zh", True)


def test_copy_summary_redacts_when_asked(demo_database: Path, qapp) -> None:
    with NotesStore.open(demo_database.parent) as notes:
        notes.save("Call 13812345678 before the retry.")
    with CaseStore.open(demo_database) as store:
        mime = summary_mime_data(store, lang="zh", redact=True, now=NOW)
    assert "13812345678" not in mime.text() and "13812345678" not in mime.html()
    assert "PHONE-1" in mime.text()


def test_screenshot_of_a_rendered_html_summary(qtbot, dialog: ExportDialog, tmp_path: Path) -> None:
    """The HTML summary as a mail client would show it (QTextBrowser offscreen), and the dialog itself."""
    from PySide6.QtWidgets import QTextBrowser

    from workbench.core.report.render import render_summary
    from workbench.core.report.summary import build_summary

    folder = screenshot_dir(tmp_path)
    for lang in ("en", "zh"):
        browser = QTextBrowser()
        qtbot.addWidget(browser)
        browser.resize(900, 1100)
        browser.setHtml(render_summary(build_summary(dialog.store, lang=lang, now=NOW), "html"))
        browser.show()
        qtbot.wait(50)
        out = folder / f"summary-html-{lang}.png"
        assert browser.grab().save(str(out)) and out.stat().st_size > 20_000
    _choose(dialog, "html", "en", True)
    dialog.resize(1100, 720)
    dialog.show()
    qtbot.wait(50)
    out = folder / "export-dialog.png"
    assert dialog.grab().save(str(out)) and out.stat().st_size > 20_000


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_export_dialog_redacts_the_whole_corpus(qtbot, tmp_path: Path, lang: str) -> None:
    """The GUI's export, its preview and its clipboard redact with the same code as `workbench report --redact`:
    none of the corpus's planted values survives, and the summary says what kinds were redacted."""
    from tests.unit.test_redaction_corpus import _corpus_case, leaks
    from tests.unit.test_report_redact import _eml_text

    case = _corpus_case(tmp_path)
    database = case.store.path
    case.close()
    d = ExportDialog(database, interactive=False, now=NOW)
    qtbot.addWidget(d)
    note = "发送前已脱敏" if lang == "zh" else "Redacted before sending"
    for fmt in ("md", "html", "txt", "eml"):
        _choose(d, fmt, lang, True)
        preview = d.preview.toPlainText()
        assert leaks(preview) == [] and note in preview, fmt
        out = d.export_to(tmp_path / f"summary.{lang}.{fmt}")
        data = out.read_bytes()
        text = _eml_text(data) if fmt == "eml" else data.decode("utf-8")
        assert leaks(text) == [] and note in text, fmt
        with CaseStore.open(database) as store:
            assert data == export_summary(store, fmt, lang=lang, redact=True, now=NOW)
    with CaseStore.open(database) as store:
        mime = summary_mime_data(store, lang=lang, redact=True, now=NOW)
    assert leaks(mime.text()) == [] and leaks(mime.html()) == [] and note in mime.text()
    d.close()
