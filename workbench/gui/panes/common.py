"""What every table pane shares: a read-only row view with a copy-rows action, and "Add to notes"."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from PySide6.QtCore import QAbstractItemModel, QCoreApplication, QObject, Qt, Signal
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from workbench.core.store import CaseStore
from workbench.gui.bus import CursorBus


class CopyableModel(Protocol):
    def rows_as_text(self, rows: list[int]) -> str: ...


def make_table(model: QAbstractItemModel, parent: QWidget | None = None, *, stretch_last: bool = True) -> QTableView:
    """A table view configured for large read-only data: fixed row height (so Qt never measures rows),
    whole-row selection, no sorting (the store is already in the order the pane wants)."""
    view = QTableView(parent)
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.setWordWrap(False)
    view.setShowGrid(False)
    view.setTextElideMode(Qt.TextElideMode.ElideRight)
    vh = view.verticalHeader()
    vh.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    vh.setDefaultSectionSize(view.fontMetrics().height() + 6)
    vh.setVisible(False)
    hh = view.horizontalHeader()
    hh.setStretchLastSection(stretch_last)
    hh.setHighlightSections(False)
    add_copy_action(view)
    return view


def add_copy_action(view: QTableView) -> QAction:
    """Ctrl+C copies the selected rows as tab-separated text (what an engineer pastes into an e-mail)."""
    action = QAction(view.tr("Copy rows"), view)
    action.setShortcut(QKeySequence.StandardKey.Copy)
    action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)

    def copy() -> None:
        model = view.model()
        rows = sorted({i.row() for i in view.selectionModel().selectedRows()})
        if not rows and view.currentIndex().isValid():
            rows = [view.currentIndex().row()]
        text = model.rows_as_text(rows) if hasattr(model, "rows_as_text") else ""
        if text:
            QGuiApplication.clipboard().setText(text)

    action.triggered.connect(copy)
    view.addAction(action)
    view.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
    return action


def add_notes_action(view: QWidget, bus: CursorBus, evidence: Callable[[], dict[str, Any] | None]) -> QAction:
    """A context-menu "Add to notes" (Ctrl+Shift+N) on ``view`` that quotes what ``evidence()`` returns.

    ``evidence`` gives the item under the user's selection as a dict (``text`` plus any of ``source``,
    ``file_id``, ``line``, ``ts``, ``row_id``) or None; the request goes out on the bus, so a pane offers the
    action without knowing where notes live.
    """
    action = QAction(view.tr("Add to notes"), view)
    action.setObjectName("addToNotes")
    action.setShortcut(QKeySequence("Ctrl+Shift+N"))
    action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)

    def add() -> None:
        item = evidence()
        if item:
            bus.add_to_notes(item)

    action.triggered.connect(add)
    view.addAction(action)
    view.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
    return action



def reading_text() -> str:
    """What a pane built on the analysis says while the case is being read (it fills at the end)."""
    return QCoreApplication.translate("Panes", "Shown once the case is read to the end: it is being read now.")


def not_read_text() -> str:
    """What a pane built on the analysis says about a case whose ingest did not finish (cancelled, stopped
    by an error, or killed): nothing is shown rather than a part that looks like the whole."""
    return QCoreApplication.translate(
        "Panes", "Shown once the case is read to the end: the ingest did not finish. Resume it from the case "
        "overview.")


class CaseReader(QObject):
    """Runs a read of the case in a thread, on a read-only connection of its own, and hands the answer back
    on the GUI thread (:attr:`done`, a queued signal) with the tag it was asked under.

    Reads over millions of rows (an event log's group counts, a search before the index is built) must not
    freeze the window; the tag lets a pane drop the answer to a question it has since replaced. A read that
    fails (the case closed or rebuilt meanwhile) answers what ``failed`` makes of the error, never a crash.
    """

    done = Signal(object, object)  # tag, answer

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._name = name  # the thread's name

    def start(self, tag: Any, database: Path | str, read: Callable[[CaseStore], Any],
              failed: Callable[[Exception], Any]) -> None:
        def work() -> None:
            try:
                store = CaseStore.open(Path(database), readonly=True)
                try:
                    answer = read(store)
                finally:
                    store.close()
            except Exception as exc:  # noqa: BLE001 - said by the pane through ``failed``, never a crash
                answer = failed(exc)
            try:
                self.done.emit(tag, answer)
            except RuntimeError:
                pass  # the pane was closed meanwhile

        threading.Thread(target=work, name=self._name, daemon=True).start()
