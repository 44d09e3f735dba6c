"""Findings, ranked, with the selected finding's summary, remedy and evidence lines.

Clicking a finding moves the cursor to its time (and selects its first evidence line); clicking an evidence
line moves to that line. This is the one click from "what failed" to "where it says so".
"""

from __future__ import annotations

import html

from PySide6.QtCore import QModelIndex, Qt, QUrl
from PySide6.QtWidgets import QHeaderView, QSplitter, QTextBrowser, QVBoxLayout, QWidget

from workbench.gui.bus import CursorBus, Selection
from workbench.gui.models.rows import FindingsModel
from workbench.gui.models.store_view import StoreView
from workbench.gui.models.timeline_model import short_path
from workbench.gui.panes.common import make_table

ORIGIN = "findings"


class FindingsPane(QWidget):
    """The findings table and the details of the one selected."""

    def __init__(self, bus: CursorBus, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("FindingsPane")
        self.bus = bus
        self.model = FindingsModel(self)
        self.table = make_table(self.model, self, stretch_last=False)
        self.table.setObjectName("findingsTable")
        self.table.setSelectionMode(self.table.SelectionMode.SingleSelection)
        hh = self.table.horizontalHeader()
        hh.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        hh.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        hh.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        hh.setSectionResizeMode(3, QHeaderView.ResizeMode.ResizeToContents)
        self.table.setColumnHidden(3, True)  # the rule id is in the details below; the title needs the room
        self.details = QTextBrowser(self)
        self.details.setObjectName("findingDetails")
        self.details.setOpenLinks(False)
        self.details.anchorClicked.connect(self._on_link)
        split = QSplitter(Qt.Orientation.Vertical, self)
        split.addWidget(self.table)
        split.addWidget(self.details)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(split)
        self._evidence: list[tuple] = []
        self.table.selectionModel().currentRowChanged.connect(self._on_current)
        self.table.clicked.connect(lambda index: self._on_current(index, QModelIndex()))

    @staticmethod
    def _h(text: str) -> str:
        return html.escape(text)

    def set_view(self, view: StoreView | None) -> None:
        self.model.set_view(view)
        self.details.clear()
        self._evidence = []
        if view is not None and self.model.rowCount() == 0:
            text = self.tr("No findings: no analyzer recognised a known failure in this case.")
            self.details.setHtml(f"<p>{html.escape(text)}</p>")

    def activate(self, row: int) -> None:
        """Select finding ``row`` as a click does (tests and the keyboard use this)."""
        self.table.setCurrentIndex(self.model.index(row, 0))
        self._on_current(self.model.index(row, 0), QModelIndex())

    def _on_current(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not current.isValid():
            return
        finding = self.model.finding(current.row())
        if finding is None:
            return
        self._evidence = finding["evidence"]
        self.details.setHtml(self._details_html(finding))
        first = next((e for e in self._evidence if e[0] is not None), None)
        ts = finding["ts"] if finding["ts"] is not None else (first[2] if first else None)
        self.bus.select(Selection("finding", ts=ts, finding_id=finding["id"],
                                  file_id=first[0] if first else None, line=first[1] if first else None,
                                  origin=ORIGIN))

    def _details_html(self, f: dict) -> str:
        view = self.model._view
        parts = [f"<h3>{html.escape(f['title'])}</h3>",
                 "<p><b>" + self._h(self.tr("Severity")) + f":</b> {html.escape(f['severity'])} &nbsp; <b>"
                 + self._h(self.tr("Rule")) + f":</b> {html.escape(f['rule_id'])}</p>"]
        if f["summary"]:
            parts.append(f"<p>{html.escape(f['summary'])}</p>")
        if f["remediation"]:
            parts.append("<p><b>" + self._h(self.tr("What to do")) + f":</b> {html.escape(f['remediation'])}</p>")
        if f["evidence"]:
            parts.append("<p><b>" + self._h(self.tr("Evidence")) + "</b></p><ul>")
            for n, (_fid, line, ts, text, path) in enumerate(f["evidence"]):
                where = f"{short_path(path)}:{line}" if line is not None else short_path(path)
                when = view.format_ts(ts) if view is not None and ts is not None else ""
                parts.append(f'<li><a href="evidence:{n}">{html.escape(where)}</a> {html.escape(when)}<br>'
                             f"<code>{html.escape(text or '')}</code></li>")
            parts.append("</ul>")
        return "".join(parts)

    def _on_link(self, url: QUrl) -> None:
        text = url.toString()
        if not text.startswith("evidence:"):
            return
        n = int(text.split(":", 1)[1])
        if 0 <= n < len(self._evidence):
            fid, line, ts, _text, _path = self._evidence[n]
            self.bus.select(Selection("evidence", ts=ts, file_id=fid, line=line, origin=ORIGIN))
