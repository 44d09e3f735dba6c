"""File › Export summary and "Copy summary": the case summary leaving the laptop, on the user's say-so only.

Both go through the core (:mod:`workbench.core.report`), so the GUI writes the same bytes as ``workbench report``
for the same options. The dialog picks format (md/html/txt/eml), the summary's language (independent of the
interface language: an engineer with a Chinese UI may write to an English-speaking vendor) and redaction. With
redaction on, it shows every replacement before anything is written (value, pseudonym, how often, why it was
recognised) and edits the case's own list (always redact / never redact), which the CLI shares. A preview of
the rendered summary shows exactly what will be exported.

"Copy summary" puts the HTML rendering and the plain-text rendering on the clipboard in one ``QMimeData``:
Outlook and web mail paste the rich one, a terminal or a ticket system the plain one.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QMimeData, QModelIndex, QPersistentModelIndex, Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableView,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from workbench.core.report import redact as R
from workbench.core.report.export import EXPORT_FORMATS, export_summary, prepared_summary, redacted_summary
from workbench.core.report.render import render_summary
from workbench.core.report.summary import LANGUAGES, build_summary
from workbench.core.store import CaseStore

#: QSettings keys shared by the dialog and Copy summary: the last choices are the next defaults.
KEY_FORMAT, KEY_LANG, KEY_REDACT, KEY_FOLDER = "report/format", "report/lang", "report/redact", "report/folder"
DEFAULT_LANG = "zh"  # the users read Chinese first (BRIEF.md); the CLI defaults the same way


def _settings() -> Any:
    from workbench.gui.main_window import settings

    return settings()


def _truthy(value: Any) -> bool:
    return str(value).lower() in ("1", "true", "yes")


def remembered_options() -> tuple[str, str, bool]:
    """(format, language, redact) as last used in the dialog."""
    s = _settings()
    fmt = str(s.value(KEY_FORMAT, "eml") or "eml")
    lang = str(s.value(KEY_LANG, DEFAULT_LANG) or DEFAULT_LANG)
    return (fmt if fmt in EXPORT_FORMATS else "eml", lang if lang in LANGUAGES else DEFAULT_LANG,
            _truthy(s.value(KEY_REDACT, "false")))


# ---------------------------------------------------------------------------------------------- clipboard


def summary_mime_data(store: CaseStore, *, lang: str, redact: bool, now: datetime | None = None) -> QMimeData:
    """The summary as HTML and as plain text in one clipboard payload (redacted first when asked)."""
    summary = prepared_summary(store, lang=lang, redact=redact, now=now or datetime.now(timezone.utc))
    mime = QMimeData()
    mime.setHtml(render_summary(summary, "html"))
    mime.setText(render_summary(summary, "txt"))
    return mime


def _flush_notes(window: Any) -> None:
    notes = getattr(window, "notes", None)
    if notes is not None:
        notes.save_now()  # the summary ends with the notes: the last keystrokes belong in it


def copy_summary(window: Any) -> bool:
    """Edit › Copy summary: the summary with the last export's language and redaction, on the clipboard."""
    view = getattr(window, "view", None)
    if view is None:
        window.statusBar().showMessage(window.tr("Open a case first."), 5000)
        return False
    _flush_notes(window)
    _fmt, lang, redact = remembered_options()
    QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        store = CaseStore.open(view.database)  # the redaction list may need its table created
        try:
            mime = summary_mime_data(store, lang=lang, redact=redact)
        finally:
            store.close()
    finally:
        QApplication.restoreOverrideCursor()
    QGuiApplication.clipboard().setMimeData(mime)
    what = window.tr("redacted") if redact else window.tr("not redacted")
    window.statusBar().showMessage(
        window.tr("Summary copied (%1, %2): paste it into an e-mail.").replace("%1", lang).replace("%2", what), 8000)
    return True


def open_export_dialog(window: Any) -> ExportDialog | None:
    """File › Export summary…: the dialog for the open case (modal when the window is interactive)."""
    view = getattr(window, "view", None)
    if view is None:
        window.statusBar().showMessage(window.tr("Open a case first."), 5000)
        return None
    _flush_notes(window)
    dialog = ExportDialog(view.database, window, interactive=getattr(window, "interactive", True))
    if dialog.interactive:
        dialog.exec()
        if dialog.written is not None:
            window.statusBar().showMessage(window.tr("Summary written to %1").replace("%1", str(dialog.written)),
                                           10000)
    return dialog


# ---------------------------------------------------------------------------------------------- the preview model


class ReplacementsModel(QAbstractTableModel):
    """What redaction will replace: one row per personal value (the core's :class:`Replacement`)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._headers = [self.tr("Pseudonym"), self.tr("Replaces"), self.tr("Category"), self.tr("Times"),
                         self.tr("Recognised by")]
        self._rows: list[R.Replacement] = []

    def set_rows(self, rows: list[R.Replacement]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def replacement(self, row: int) -> R.Replacement | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._headers)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802 (Qt API)
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.DisplayRole or orientation != Qt.Orientation.Horizontal:
            return None
        return self._headers[section] if 0 <= section < len(self._headers) else None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        r = self.replacement(index.row())
        if r is None:
            return None
        return (r.pseudonym, r.value, r.category, r.count, r.origin)[index.column()] \
            if 0 <= index.column() < 5 else None


# ---------------------------------------------------------------------------------------------- the dialog


class ExportDialog(QDialog):
    """Format, language, redaction (with its preview and list), file name; then the file is written."""

    def __init__(self, database: Path, parent: QWidget | None = None, *, interactive: bool = True,
                 now: datetime | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ExportDialog")
        self.setWindowTitle(self.tr("Export summary"))
        self.resize(1000, 680)
        self.interactive = interactive
        self.database = database
        # its own writable connection: the redaction list is edited here; closed with the dialog
        self.store = CaseStore.open(database)
        self.now = now or datetime.now(timezone.utc)  # one time for preview and file: they match exactly
        self.written: Path | None = None
        self._summaries: dict[str, dict[str, Any]] = {}
        fmt, lang, redact = remembered_options()

        self.format_box = QComboBox(self)
        self.format_box.setObjectName("exportFormat")
        for label, key in ((self.tr("E-mail draft (.eml)"), "eml"), (self.tr("HTML (.html)"), "html"),
                           (self.tr("Markdown (.md)"), "md"), (self.tr("Plain text (.txt)"), "txt")):
            self.format_box.addItem(label, key)
        self.format_box.setCurrentIndex(self.format_box.findData(fmt))
        self.lang_box = QComboBox(self)
        self.lang_box.setObjectName("exportLanguage")
        self.lang_box.addItem("中文 (zh)", "zh")
        self.lang_box.addItem("English (en)", "en")
        self.lang_box.setCurrentIndex(self.lang_box.findData(lang))
        self.lang_box.setToolTip(self.tr("The summary's language, independent of the interface language"))
        self.redact_box = QCheckBox(self.tr("Replace personal data with pseudonyms (user, computer, addresses…)"),
                                    self)
        self.redact_box.setObjectName("exportRedact")
        self.redact_box.setChecked(redact)
        self.attach_md = QCheckBox(self.tr("Attach the summary as Markdown"), self)
        self.attach_evidence = QCheckBox(self.tr("Attach the evidence excerpts"), self)
        self.path_edit = QLineEdit(self)
        self.path_edit.setObjectName("exportPath")
        browse = QPushButton(self.tr("Browse…"), self)
        browse.clicked.connect(self._browse)
        path_row = QHBoxLayout()
        path_row.addWidget(self.path_edit, 1)
        path_row.addWidget(browse)
        attach_row = QHBoxLayout()
        attach_row.addWidget(self.attach_md)
        attach_row.addWidget(self.attach_evidence)
        attach_row.addStretch(1)
        form = QFormLayout()
        form.addRow(self.tr("Format:"), self.format_box)
        form.addRow(self.tr("Summary language:"), self.lang_box)
        form.addRow("", self.redact_box)
        form.addRow("", attach_row)
        form.addRow(self.tr("File:"), path_row)

        # redaction: what will be replaced, and the case's own list
        self.redaction = QGroupBox(self.tr("Redaction preview"), self)
        self.model = ReplacementsModel(self)
        self.table = QTableView(self.redaction)
        self.table.setObjectName("replacements")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        keep = QPushButton(self.tr("Never redact the selected values"), self.redaction)
        keep.setObjectName("keepButton")
        keep.clicked.connect(self.keep_selected)
        self.term_edit = QLineEdit(self.redaction)
        self.term_edit.setObjectName("termEdit")
        self.term_edit.setPlaceholderText(self.tr("A value to always redact (a project or site name…)"))
        self.term_category = QComboBox(self.redaction)
        for category in R.CATEGORIES:
            self.term_category.addItem(category, category)
        self.term_category.setCurrentIndex(self.term_category.findData("other"))
        add = QPushButton(self.tr("Always redact"), self.redaction)
        add.setObjectName("addTermButton")
        add.clicked.connect(self.add_term)
        self.term_edit.returnPressed.connect(self.add_term)
        self.terms = QListWidget(self.redaction)
        self.terms.setObjectName("termList")
        remove = QPushButton(self.tr("Remove from the list"), self.redaction)
        remove.clicked.connect(self.remove_selected_term)
        add_row = QHBoxLayout()
        add_row.addWidget(self.term_edit, 1)
        add_row.addWidget(self.term_category)
        add_row.addWidget(add)
        rl = QVBoxLayout(self.redaction)
        rl.addWidget(self.table, 3)
        rl.addWidget(keep)
        rl.addWidget(QLabel(self.tr("This case's list (shared with `workbench report`):"), self.redaction))
        rl.addLayout(add_row)
        rl.addWidget(self.terms, 1)
        rl.addWidget(remove)

        self.preview = QTextBrowser(self)
        self.preview.setObjectName("exportPreview")
        self.preview.setOpenLinks(False)
        self.preview.setOpenExternalLinks(False)
        split = QSplitter(Qt.Orientation.Horizontal, self)
        split.addWidget(self.redaction)
        split.addWidget(self.preview)
        split.setSizes([420, 580])
        self.status = QLabel(self)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.export_button = buttons.addButton(self.tr("Export"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.copy_button = buttons.addButton(self.tr("Copy to clipboard"), QDialogButtonBox.ButtonRole.ActionRole)
        self.copy_button.setToolTip(self.tr("HTML and plain text, in this language and redaction, to paste into an "
                                            "e-mail"))
        self.copy_button.clicked.connect(self.copy)
        buttons.accepted.connect(self._on_export)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(split, 1)
        layout.addWidget(self.status)
        layout.addWidget(buttons)

        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(150)
        self._refresh_timer.timeout.connect(self.refresh)
        self.format_box.currentIndexChanged.connect(self._on_format)
        self.lang_box.currentIndexChanged.connect(self._on_lang)
        self.redact_box.toggled.connect(lambda _on: self._refresh_timer.start())
        self.finished.connect(self._on_finished)
        self.path_edit.setText(str(self._default_path()))
        self._on_format()
        self.refresh()

    def _on_finished(self, _result: int) -> None:
        self._refresh_timer.stop()
        self.store.close()

    # -------------------------------------------------------------------------------------- options

    @property
    def fmt(self) -> str:
        return str(self.format_box.currentData())

    @property
    def lang(self) -> str:
        return str(self.lang_box.currentData())

    def summary(self) -> dict[str, Any]:
        """The unredacted summary in the chosen language (built once per language: it reads the whole case)."""
        if self.lang not in self._summaries:
            self._summaries[self.lang] = build_summary(self.store, lang=self.lang, now=self.now)
        return self._summaries[self.lang]

    def _default_path(self) -> Path:
        folder = Path(str(_settings().value(KEY_FOLDER, "") or Path.home()))
        code = (self.summary()["upgrade"].get("result_code") or "case").replace(" ", "")
        return folder / f"summary-{code}.{self.lang}.{self.fmt}"

    def _on_format(self) -> None:
        eml = self.fmt == "eml"
        self.attach_md.setEnabled(eml)
        self.attach_evidence.setEnabled(eml)
        self._retarget_path()
        self._refresh_timer.start()

    def _on_lang(self) -> None:
        self._retarget_path()
        self._refresh_timer.start()

    def _retarget_path(self) -> None:
        """Keep the file name's ``.<lang>.<ext>`` ending in step with the choices (the folder and stem stay)."""
        text = self.path_edit.text().strip()
        if not text:
            return
        path = Path(text)
        parts = path.name.split(".")
        if len(parts) >= 2 and parts[-1] in EXPORT_FORMATS:
            parts[-1] = self.fmt
            if len(parts) >= 3 and parts[-2] in LANGUAGES:
                parts[-2] = self.lang
        else:
            parts.append(self.fmt)
        self.path_edit.setText(str(path.with_name(".".join(parts))))

    def _browse(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Export summary"), self.path_edit.text(),
                                              self.tr("Summary (*.%1);;All files (*)").replace("%1", self.fmt))
        if path:
            self.path_edit.setText(path)

    # -------------------------------------------------------------------------------------- redaction list

    def redactor(self) -> R.Redactor:
        return R.Redactor.for_case(self.store)

    def refresh(self) -> None:
        """Recompute the replacements, the user's list and the rendered preview for the current choices."""
        self._refresh_timer.stop()
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            summary = self.summary()
            redact = self.redact_box.isChecked()
            self.redaction.setEnabled(redact)
            if redact:
                redactor = self.redactor()
                self.model.set_rows(redactor.preview(summary))
                summary = redacted_summary(summary, redactor)
            else:
                self.model.set_rows([])
            self.table.resizeColumnsToContents()
            self._fill_terms()
            if self.fmt in ("html", "eml"):
                self.preview.setHtml(render_summary(summary, "html"))
            else:
                self.preview.setPlainText(render_summary(summary, self.fmt))
            n = self.model.rowCount()
            self.status.setText(self.tr("Values to replace: %1.").replace("%1", str(n)) if redact else
                                self.tr("Not redacted: names and addresses in the case appear as they are."))
        finally:
            QApplication.restoreOverrideCursor()

    def _fill_terms(self) -> None:
        self.terms.clear()
        for term in R.redaction_terms(self.store):
            label = (self.tr("always redact: %1 (%2)").replace("%2", term.category) if term.action == "redact"
                     else self.tr("never redact: %1")).replace("%1", term.value)
            item = QListWidgetItem(label)
            item.setData(Qt.ItemDataRole.UserRole, term.value)
            self.terms.addItem(item)

    def keep_selected(self) -> None:
        """Mark the selected replacements as false positives: they are never redacted in this case."""
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        for row in rows:
            r = self.model.replacement(row)
            if r is not None:
                R.keep_term(self.store, r.value)
        if rows:
            self.refresh()

    def add_term(self) -> None:
        """Add the typed value to the case's list of values always redacted."""
        value = self.term_edit.text().strip()
        if not value:
            return
        R.add_redaction_term(self.store, value, str(self.term_category.currentData()))
        self.term_edit.clear()
        self.refresh()

    def remove_selected_term(self) -> None:
        item = self.terms.currentItem()
        if item is not None:
            R.remove_term(self.store, str(item.data(Qt.ItemDataRole.UserRole)))
            self.refresh()

    # -------------------------------------------------------------------------------------- writing

    def _remember(self) -> None:
        s = _settings()
        s.setValue(KEY_FORMAT, self.fmt)
        s.setValue(KEY_LANG, self.lang)
        s.setValue(KEY_REDACT, "true" if self.redact_box.isChecked() else "false")

    def copy(self) -> None:
        """Copy the summary with the dialog's language and redaction (Copy summary then uses them too)."""
        QGuiApplication.clipboard().setMimeData(
            summary_mime_data(self.store, lang=self.lang, redact=self.redact_box.isChecked(), now=self.now))
        self._remember()
        self.status.setText(self.tr("Copied: paste it into an e-mail (rich text) or anywhere else (plain text)."))

    def export_to(self, path: Path) -> Path:
        """Write the summary with the current choices to ``path`` (the same bytes ``workbench report`` writes)."""
        data = export_summary(self.store, self.fmt, lang=self.lang, redact=self.redact_box.isChecked(), now=self.now,
                              attach_markdown=self.fmt == "eml" and self.attach_md.isChecked(),
                              attach_evidence=self.fmt == "eml" and self.attach_evidence.isChecked())
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        self.written = path
        self._remember()
        _settings().setValue(KEY_FOLDER, str(path.parent))
        return path

    def _on_export(self) -> None:
        text = self.path_edit.text().strip()
        if not text:
            self.status.setText(self.tr("Choose a file name first."))
            return
        path = Path(text).expanduser()
        if path.exists() and self.interactive and QMessageBox.question(
                self, self.tr("Export summary"), self.tr("%1 exists. Replace it?").replace("%1", str(path))
        ) != QMessageBox.StandardButton.Yes:
            return
        try:
            self.export_to(path)
        except OSError as exc:
            self.status.setText(self.tr("Could not write %1: %2").replace("%1", str(path)).replace("%2", str(exc)))
            if self.interactive:
                QMessageBox.warning(self, self.tr("Export summary"), self.status.text())
            return
        self.accept()
