"""A customer case in the window: the Machines pane, switching machines, a second window, the combined export.

:func:`install_customer_case` gives a :class:`MainWindow` its :class:`CustomerController`: a Machines dock, File ›
Open customer case… / Add machine to this case… / Export combined summary…, and the hooks the window calls
when a ``.wbcustomer`` file is opened or several archives are dropped. The members are read (ingested once,
then from their databases) and compared in a :class:`CompareJob` thread; then the pane shows the comparison
and the window the first failing machine. Choosing a machine opens it like any case, so every pane follows
it; the notes pane keeps the customer case's own notes (``customers/<id>/notes.sqlite`` in the workbench home)
while machines change. A second window shows another machine with its own bus and its own case clock.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, QThread, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDockWidget,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QInputDialog,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QWidget,
)

from workbench.core.customer.case_file import CUSTOMER_SUFFIX, CustomerCase
from workbench.gui.i18n import ui_language
from workbench.gui.panes.machines import MachinesPane

if TYPE_CHECKING:
    from workbench.core.customer.members import MachineInput
    from workbench.gui.main_window import MainWindow

#: Archive suffixes a drop of several files turns into machines (anything else dropped opens as before).
ARCHIVES = (".zip", ".7z", ".001", ".wbcase")


class CompareJob(QThread):
    """Create or extend the customer case, read (ingest) its members and compare them, off the GUI thread."""

    progressed = Signal(str, int, int)  # archive name, index, total
    compared = Signal(object, object, object)  # CustomerCase, list[MachineInput], comparison
    failed = Signal(str)

    def __init__(self, *, customer: CustomerCase | None = None, file: Path | None = None,
                 sources: list[Path] | None = None, name: str | None = None, password: str | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.customer, self.file, self.sources, self.name, self.password = customer, file, sources or [], name, password
        self._cancel = threading.Event()

    def cancel(self) -> None:
        self._cancel.set()

    def run(self) -> None:
        from workbench.core.case import source_digest
        from workbench.core.customer.case_file import create_or_update
        from workbench.core.customer.compare import build_comparison
        from workbench.core.customer.members import load_machines
        from workbench.core.errors import WorkbenchError

        try:
            pairs = [(p.resolve(), source_digest(p.resolve())) for p in self.sources]
            if self.customer is not None:
                customer = self.customer
                for path, digest in pairs:
                    customer.add(path, digest)
            else:
                customer = create_or_update(pairs, name=self.name, file=self.file)
            if pairs or self.customer is None:
                customer.save()
            machines = load_machines(customer, password=self.password, cancel=self._cancel.is_set,
                                     progress=lambda i, n, name, _p: self.progressed.emit(name, i, n))
            customer.save()
            self.compared.emit(customer, machines, build_comparison(machines, customer))
        except WorkbenchError as exc:
            self.failed.emit(str(exc))
        except OSError as exc:
            self.failed.emit(f"{exc.filename or ''}: {exc.strerror or exc}".strip(": "))


class CustomerController(QObject):
    """The window's customer case: what it is, its comparison, the Machines dock and the actions."""

    compared = Signal()  # the comparison is shown (tests and screenshots wait for it)

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.customer: CustomerCase | None = None
        self.machines: list[MachineInput] = []
        self.comparison: dict[str, Any] | None = None
        self.job: CompareJob | None = None
        self.windows: list[MainWindow] = []
        self.pane = MachinesPane(window.bus, window)
        self.dock = QDockWidget(self.tr("Machines"), window)
        self.dock.setObjectName("dock_machines")
        self.dock.setWidget(self.pane)
        window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.dock)
        self.dock.hide()  # until a customer case opens (_place_dock puts it among the catalogue's tabs then)
        window.panes.append(self.pane)
        self.pane.machineChosen.connect(self.choose)
        self.pane.windowRequested.connect(self.open_window)
        self.pane.addRequested.connect(self.add_dialog)
        self.pane.exportRequested.connect(self.export_dialog)
        self._notes_title = window.docks["notes"].windowTitle() if "notes" in window.docks else ""
        self._add_menu_actions()

    # ------------------------------------------------------------------------------------ menus

    def _add_menu_actions(self) -> None:
        from PySide6.QtGui import QAction

        bar = self.window.menuBar()
        menus = [a.menu() for a in bar.actions() if a.menu() is not None]
        file_menu = menus[0] if menus else bar.addMenu(self.tr("&File"))
        self.open_action = QAction(self.tr("Open c&ustomer case…"), self.window)
        self.open_action.triggered.connect(self.open_dialog)
        self.add_action = QAction(self.tr("&Add machine to this case…"), self.window)
        self.add_action.triggered.connect(self.add_dialog)
        self.export_action = QAction(self.tr("Export com&bined summary…"), self.window)
        self.export_action.triggered.connect(self.export_dialog)
        self.export_action.setEnabled(False)
        actions = file_menu.actions()
        recent = getattr(self.window, "recent_menu", None)
        before = recent.menuAction() if recent is not None and recent.menuAction() in actions else None
        file_menu.insertActions(before, [self.open_action, self.add_action])  # type: ignore[arg-type]
        copy = getattr(self.window, "copy_summary_action", None)
        after = actions.index(copy) + 1 if copy in actions and actions.index(copy) + 1 < len(actions) else None
        file_menu.insertAction(actions[after] if after is not None else None, self.export_action)  # type: ignore[arg-type]
        view = next((m for m in menus if any(d.toggleViewAction() in m.actions() for d in self.window.docks.values())),
                    None)
        if view is not None:
            last_dock = max((view.actions().index(d.toggleViewAction()) for d in self.window.docks.values()
                             if d.toggleViewAction() in view.actions()), default=-1)
            following = view.actions()[last_dock + 1] if last_dock + 1 < len(view.actions()) else None
            view.insertAction(following, self.dock.toggleViewAction())  # type: ignore[arg-type]

    # ------------------------------------------------------------------------------------ the window's hooks

    def intercept(self, source: Path) -> bool:
        """Called by the window before it opens ``source``: a ``.wbcustomer`` file opens as a customer case
        (True: the window does nothing more); another case that is no member ends the customer case's hold on
        the notes pane, so its own notes show."""
        if source.suffix.lower() == CUSTOMER_SUFFIX:
            self.open_file(source)
            return True
        if self.customer is not None and self._column_of(source) is None:
            self._hold_notes(False)
        return False

    def dropped(self, paths: list[Path]) -> bool:
        """Several archives dropped on the window: they join the customer case (a new one when none is
        open). True when handled; one file, or files that are not archives, open as before."""
        archives = [p for p in paths if p.is_dir() or p.suffix.lower() in ARCHIVES]
        if len(paths) < 2 or len(archives) != len(paths):
            return False
        self.add_machines(archives)
        return True

    # ------------------------------------------------------------------------------------ opening

    def open_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self.window, self.tr("Open a customer case"),
                                              str(Path.home()), self.tr("Customer cases (*.wbcustomer)"))
        if path:
            self.open_file(Path(path))

    def open_file(self, file: Path) -> None:
        self._start(CompareJob(file=file, parent=self, password=self._password()))

    def add_dialog(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(
            self.window, self.tr("Add machines to this case"), str(self._folder()),
            self.tr("Case archives (*.zip *.7z *.001 *.wbcase);;All files (*)"))
        if paths:
            self.add_machines([Path(p) for p in paths])

    def add_machines(self, paths: list[Path], name: str | None = None) -> None:
        """Add archives to the open customer case, or start one with the case the window shows and these."""
        if self.customer is not None:
            self._start(CompareJob(customer=self.customer, sources=paths, parent=self, password=self._password()))
            return
        current = self.window.source
        sources = ([current] if current is not None and current not in paths and current.exists() else []) + paths
        if name is None and self.window.interactive:
            text, ok = QInputDialog.getText(self.window, self.tr("Customer case"),
                                            self.tr("Name of this customer case (the file is saved beside the "
                                                    "first archive):"), QLineEdit.EchoMode.Normal, "")
            if not ok:
                return
            name = text.strip() or None
        self._start(CompareJob(sources=sources, name=name, parent=self, password=self._password()))

    def adopt(self, customer: CustomerCase, machines: list[MachineInput], comparison: dict[str, Any]) -> None:
        """Show a comparison made elsewhere (the first window's, for a second window)."""
        self._on_compared(customer, machines, comparison, choose=False)

    def _password(self) -> str | None:
        return getattr(self.window, "password", None)

    def _folder(self) -> Path:
        if self.customer is not None:
            return self.customer.file.parent
        return self.window.source.parent if self.window.source is not None else Path.home()

    def _start(self, job: CompareJob) -> None:
        if self.job is not None:
            self.job.cancel()
            self.job.wait()
        self.job = job
        job.progressed.connect(self._on_progress)
        job.compared.connect(self._on_compared)
        job.failed.connect(self._on_failed)
        self._place_dock()
        self.pane.set_progress(self.tr("Opening the customer case…"))
        job.start()

    def _place_dock(self) -> None:
        """Show the Machines dock in front, as a tab of the catalogue's area and taller than the default
        bottom row; a dock the user moved (floating, or tabbed elsewhere) stays where it is."""
        window = self.window
        self.dock.show()
        if not self.dock.isFloating() and not window.tabifiedDockWidgets(self.dock) and "files" in window.docks:
            window.tabifyDockWidget(window.docks["files"], self.dock)
            window.resizeDocks([self.dock], [int(window.height() * 0.38)], Qt.Orientation.Vertical)
        self.dock.raise_()

    def _on_progress(self, name: str, index: int, total: int) -> None:
        self.pane.set_progress(self.tr("Reading %1 (%2 of %3)…").replace("%1", name).replace("%2", str(index + 1))
                               .replace("%3", str(total)))

    def _on_failed(self, text: str) -> None:
        self._finish_job()
        self.pane.set_progress(self.tr("The customer case could not be opened: %1").replace("%1", text))
        if self.window.interactive:
            QMessageBox.warning(self.window, self.tr("Customer case"), text)

    def _finish_job(self) -> None:
        if self.job is not None:
            self.job.wait()
            self.job.deleteLater()
            self.job = None

    def _on_compared(self, customer: CustomerCase, machines: list[MachineInput], comparison: dict[str, Any],
                     choose: bool = True) -> None:
        self._finish_job()
        self.customer, self.machines, self.comparison = customer, machines, comparison
        self.pane.set_progress(None)
        self.pane.set_comparison(comparison)
        self.export_action.setEnabled(True)
        self.dock.setWindowTitle(self.tr("Machines — %1").replace("%1", customer.name))
        self._place_dock()
        shown = self._column_of(self.window.source) if self.window.source is not None else None
        self._hold_notes(True)
        if choose and shown is None and comparison["machines"]:
            failing = [i for i, m in enumerate(comparison["machines"]) if m["outcome"] == "failing"]
            self.choose(failing[0] if failing else 0)
        self.compared.emit()

    # ------------------------------------------------------------------------------------ machines

    def _column_of(self, source: Path | None) -> int | None:
        if self.comparison is None or source is None:
            return None
        try:
            resolved = str(source.resolve())
        except OSError:
            resolved = str(source)
        for i, m in enumerate(self.comparison["machines"]):
            if m["path"] == resolved:
                return i
        return None

    def _hold_notes(self, hold: bool) -> None:
        """The notes pane shows the customer case's notes (``hold``) or each case's own."""
        notes = self.window.notes
        folder = self.customer.notes_folder if hold and self.customer is not None else None
        if hasattr(notes, "set_notes_folder"):
            notes.set_notes_folder(folder)
        if "notes" in self.window.docks:
            title = self.tr("Notes — %1").replace("%1", self.customer.name) if folder and self.customer else None
            self.window.docks["notes"].setWindowTitle(title or self._notes_title)

    def choose(self, column: int) -> None:
        """Show machine ``column`` in every pane of this window; the notes stay the customer case's."""
        if self.comparison is None or not 0 <= column < len(self.comparison["machines"]):
            return
        m = self.comparison["machines"][column]
        self._hold_notes(True)
        source = Path(m["path"])
        if source.exists():
            self.window.open_case(source, self._password())
        elif m.get("database") and Path(m["database"]).exists():
            # the archive is gone, its case database is not: show that (nothing to ingest)
            from workbench.gui.models.store_view import StoreView

            self.window._set_view(StoreView(Path(m["database"])))
            self.window.setWindowTitle(self.tr("%1 — Case Workbench").replace("%1", source.name))
        else:
            self.pane.set_progress(m.get("error") or self.tr("%1 cannot be opened.").replace("%1", str(source)))

    def open_window(self, column: int) -> MainWindow | None:
        """A second window on machine ``column``: its own panes, bus and case clock, the same customer case."""
        if self.customer is None or self.comparison is None:
            return None
        from workbench.gui.main_window import MainWindow

        other = MainWindow(interactive=self.window.interactive)
        other.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        other.resize(self.window.size())
        other.customer.adopt(self.customer, self.machines, self.comparison)
        self.windows.append(other)
        other.destroyed.connect(lambda _obj=None, w=other: self.windows.remove(w) if w in self.windows else None)
        other.show()
        other.customer.choose(column)
        return other

    # ------------------------------------------------------------------------------------ export

    def export_dialog(self) -> CombinedExportDialog | None:
        if self.comparison is None:
            return None
        dialog = CombinedExportDialog(self, self.window)
        if self.window.interactive:
            dialog.open()
        return dialog

    def export(self, path: Path, fmt: str, lang: str, redact: bool) -> Path:
        """Write the combined summary (what File › Export combined summary… does)."""
        from workbench.core.customer.summary import export_combined_summary

        if hasattr(self.window.notes, "save_now"):
            self.window.notes.save_now()  # what was typed a moment ago goes out too
        assert self.comparison is not None
        data = export_combined_summary(self.comparison, self.machines, fmt, lang=lang, customer=self.customer,
                                       redact=redact)
        path.write_bytes(data)
        return path

    def shutdown(self) -> None:
        if self.job is not None:
            self.job.cancel()
            self.job.wait()
            self.job = None


class CombinedExportDialog(QDialog):
    """Format, language, redaction and file of the customer case's summary."""

    def __init__(self, controller: CustomerController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("CombinedExportDialog")
        self.setWindowTitle(self.tr("Export combined summary"))
        self.controller = controller
        self.format = QComboBox(self)
        for code, label in (("md", "Markdown (.md)"), ("html", "HTML (.html)"), ("txt", self.tr("Text (.txt)")),
                            ("eml", self.tr("E-mail draft (.eml)"))):
            self.format.addItem(label, code)
        self.language = QComboBox(self)
        self.language.addItem("中文", "zh")
        self.language.addItem("English", "en")
        self.language.setCurrentIndex(0 if ui_language() == "zh" else 1)
        self.redact = QCheckBox(self.tr("Replace personal values with pseudonyms"), self)
        self.path = QLineEdit(self)
        browse = QPushButton(self.tr("Browse…"), self)
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.path, 1)
        row.addWidget(browse)
        form = QFormLayout(self)
        form.addRow(self.tr("Format"), self.format)
        form.addRow(self.tr("Language"), self.language)
        form.addRow("", self.redact)
        form.addRow(self.tr("File"), row)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self._on_save)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.format.currentIndexChanged.connect(self._retarget)
        self.language.currentIndexChanged.connect(self._retarget)
        self._retarget()

    def _retarget(self) -> None:
        customer = self.controller.customer
        folder = customer.file.parent if customer is not None else Path.home()
        stem = customer.file.stem if customer is not None else "customer"
        self.path.setText(str(folder / f"{stem}.{self.language.currentData()}.{self.format.currentData()}"))

    def _browse(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Export combined summary"), self.path.text())
        if path:
            self.path.setText(path)

    def export(self) -> Path:
        return self.controller.export(Path(self.path.text()), str(self.format.currentData()),
                                      str(self.language.currentData()), self.redact.isChecked())

    def _on_save(self) -> None:
        try:
            self.export()
        except OSError as exc:
            QMessageBox.warning(self, self.tr("Export combined summary"), f"{self.path.text()}: {exc.strerror or exc}")
            return
        self.accept()


def install_customer_case(window: MainWindow) -> CustomerController:
    """Give ``window`` its customer-case controller (the Machines dock, the menu actions, the hooks)."""
    return CustomerController(window)
