"""Search across the whole case: full text over every source's messages, hits in time order.

The query goes to SQLite FTS5 (``timeline_fts MATCH``): words, ``"phrases"``, ``prefix*``, ``AND/OR/NOT``.
Text that is not valid FTS syntax (``0xC1900101``, a path) is searched as a phrase instead of failing.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QSignalBlocker, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QHBoxLayout, QHeaderView, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from workbench.core import search as core_search
from workbench.gui.bus import CursorBus, Selection
from workbench.gui.models.rows import SEARCH_LIMIT, Hits, SearchModel, find_hits
from workbench.gui.models.store_view import StoreView
from workbench.gui.panes.common import CaseReader, make_table

ORIGIN = "search"
#: Narrower than this, the hits show time and message only (the message was 55 px wide in a side dock).
NARROW_PX = 560


class SearchPane(QWidget):
    """A query box and its hits; picking a hit moves every pane to that row."""

    #: A search's hits are shown (at once from the index; later from a thread while the index is built).
    searched = Signal()

    def __init__(self, bus: CursorBus, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("SearchPane")
        self.bus = bus
        self.model = SearchModel(self)
        self.edit = QLineEdit(self)
        self.edit.setObjectName("searchEdit")
        self.edit.setPlaceholderText(self.tr("Search all sources (e.g. 0xC1900101, MigHost, \"driver\")"))
        self.edit.setClearButtonEnabled(True)
        self.edit.returnPressed.connect(self.run)
        button = QPushButton(self.tr("Search"), self)
        button.clicked.connect(self.run)
        self.status = QLabel(self)
        self.status.setWordWrap(True)  # a long status ("indexing… …") wraps: it must not widen the dock
        self.table = make_table(self.model, self, stretch_last=False)
        self.table.setObjectName("searchTable")
        hh = self.table.horizontalHeader()
        hh.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        hh.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        hh.setSectionResizeMode(3, QHeaderView.ResizeMode.ResizeToContents)
        self.table.setColumnWidth(0, self.table.fontMetrics().horizontalAdvance("2021-05-18 03:11:02.123") + 16)
        self.table.selectionModel().currentRowChanged.connect(self._on_current)
        row = QHBoxLayout()
        row.addWidget(self.edit, 1)
        row.addWidget(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addLayout(row)
        layout.addWidget(self.status)
        layout.addWidget(self.table, 1)

        self.moment: int | None = None
        bus.momentChanged.connect(self._on_moment)
        # a search before the index is built reads the rows one by one (seconds on a big case): in a thread
        self._searcher = CaseReader("search", self)
        self._searcher.done.connect(self._on_found)
        self._generation = 0  # of the last search asked: an older one's answer is dropped
        self.searching = False

    def set_view(self, view: StoreView | None) -> None:
        self._generation += 1  # a search under way answered for the case it was asked of
        self.searching = False
        if view is not None and self.model.query and not core_search.index_ready(view.store):
            self.model.use_view(view)  # the query again, in the thread: no freeze when a big case's rows come
            self.run()
            return
        self.model.set_view(view)
        self._update_status()
        self.searched.emit()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt API)
        """In a narrow dock the message keeps the room: source and level go to the tooltip instead."""
        super().resizeEvent(event)
        narrow = event.size().width() < NARROW_PX
        for column in (2, 3):
            self.table.setColumnHidden(column, narrow)

    def _on_moment(self, sel: Selection | None) -> None:
        """A row picked elsewhere is selected here when it is one of the hits; otherwise no hit is."""
        if sel is None:
            return
        self.moment = sel.ts
        if sel.origin == ORIGIN:
            return
        row = self.model.row_of_hit(sel.row_id) if sel.row_id is not None else -1
        sm = self.table.selectionModel()
        blocker = QSignalBlocker(sm)
        if row >= 0:
            sm.setCurrentIndex(self.model.index(row, 0), sm.SelectionFlag.ClearAndSelect | sm.SelectionFlag.Rows)
            self.table.scrollTo(self.model.index(row, 0))
        else:
            sm.clear()
        del blocker
        self.table.viewport().update()

    def search(self, query: str) -> int:
        """Run ``query`` and show its hits; returns how many (tests and the menu use this): 0 while a search
        before the index is built runs in its thread (:attr:`searched` says when its hits are shown)."""
        self.edit.setText(query)
        self.run()
        return self.model.rowCount()

    def run(self) -> None:
        """Search at once from the index; before the ingest has built it, in a thread (the hits come later)."""
        self._generation += 1
        view = self.model.view
        query = self.edit.text().strip()
        if view is not None and query and not core_search.index_ready(view.store):
            self.searching = True
            self.model.apply(query, Hits(indexing=True))
            self._searcher.start((self._generation, query), view.database,
                                 lambda store: find_hits(store, query),
                                 lambda exc: Hits(error=str(exc), indexing=True))
            self._update_status()
            return
        self.searching = False
        self.model.search(query)
        self._update_status()
        self.searched.emit()

    def _on_found(self, tag: tuple[int, str], found: Hits) -> None:
        generation, query = tag
        if generation != self._generation:
            return  # another search, or another case, since
        self.searching = False
        self.model.apply(query, found)
        self._update_status()
        self.searched.emit()

    def _update_status(self) -> None:
        if self.searching:
            self.status.setText(self.tr("Searching the rows read so far…"))
        elif self.model.error:
            self.status.setText(self.tr("Cannot search for that: %1").replace("%1", self.model.error))
        elif not self.model.query:
            self.status.setText("")
        elif self.model.truncated:
            self.status.setText(self.tr("First %1 hits shown; narrow the search.").replace("%1", str(SEARCH_LIMIT)))
        else:
            text = self.tr("%1 hits").replace("%1", str(self.model.rowCount()))
            if self.model.text_hits:
                text += " " + self.tr("(%1 in the case's text files)").replace("%1", str(self.model.text_hits))
            self.status.setText(text)
        if self.model.query and self.model.indexing:
            self.status.setText(self.status.text() + " — " + self.tr("indexing… (searched row by row until the "
                                                                     "index is built: slower, same hits)"))

    def _on_current(self, current: QModelIndex, _previous: QModelIndex) -> None:
        hit = self.model.hit(current.row()) if current.isValid() else None
        if hit is None:
            return
        if hit["text_file"]:
            # a line of a text file: no time to move the panes to; the file opens at that line
            if self.model.view is not None:
                from workbench.gui.text_viewer import show_text_file

                show_text_file(self, self.model.view, self.bus, hit["file_id"], hit["line"], self.model.query)
            return
        self.bus.select(Selection("row", ts=hit["ts"], row_id=hit["row_id"], file_id=hit["file_id"],
                                  line=hit["line"], origin=ORIGIN))
