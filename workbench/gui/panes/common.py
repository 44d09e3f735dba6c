"""What every table pane shares: a read-only row view with a copy-rows action, and "Add to notes"."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from PySide6.QtCore import QAbstractItemModel, QCoreApplication, Qt
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

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



def view_evidence(view: QAbstractItemView, bus: CursorBus, origin: str, limit: int = 50) -> dict[str, Any] | None:
    """Evidence from any item view: the selected rows as text (a stack's frames, an event's columns, a
    process's fields), linked to where the bus's selection points (the row the pane selected).

    For panes without an evidence function of their own. Tables made by :func:`make_table` use their model's
    copy text, read from the selection's ranges so a Ctrl+A over millions of rows costs nothing; other views
    (trees) join the selected rows' columns with tabs. At most ``limit`` rows. The link comes from the bus only
    when the pane itself (``origin``) set the selection: another pane's selection is not this evidence.
    """
    model = view.model()
    selection = view.selectionModel()
    if model is None or selection is None:
        return None
    text = ""
    if isinstance(view, QTableView) and hasattr(model, "rows_as_text"):
        chosen = selection.selection()
        ranges = sorted((r.top(), r.bottom()) for r in (chosen.at(i) for i in range(chosen.size())))
        rows = sorted({n for top, bottom in ranges for n in range(top, min(bottom, top + limit - 1) + 1)})[:limit]
        if not rows and view.currentIndex().isValid():
            rows = [view.currentIndex().row()]
        text = model.rows_as_text(rows) if rows else ""
    else:
        indexes = selection.selectedRows(0)[:limit] or [view.currentIndex()]
        text = "\n".join(
            "\t".join(str(model.data(ix.siblingAtColumn(c)) or "") for c in range(model.columnCount(ix.parent())))
            .rstrip() for ix in indexes if ix.isValid())
    sel = bus.selection
    where = {} if sel is None or sel.origin != origin else {
        "row_id": sel.row_id, "file_id": sel.file_id, "line": sel.line, "ts": sel.ts}
    if not text.strip() and not any(v is not None for v in where.values()):
        return None
    return {"text": text, **where}


def not_read_text() -> str:
    """What a pane built on the analysis says about a case whose ingest did not finish (cancelled, stopped
    by an error, or killed): nothing is shown rather than a part that looks like the whole."""
    return QCoreApplication.translate(
        "Panes", "Shown once the case is read to the end: the ingest did not finish. Resume it from the case "
        "overview.")
