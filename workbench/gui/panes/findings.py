"""Findings, ranked, with the selected finding's details, remedy and evidence lines; SetupDiag's own verdict
beside ours; and the signatures or plugins that could not be used.

Clicking a finding moves the cursor to its time (and selects its first evidence line); clicking an evidence
row moves to that line. This is the one click from "what failed" to "where it says so". A signature that
failed to load is listed with its file and line, so a pack author sees why a finding is missing instead of
trusting a silent absence.
"""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import QEvent, QModelIndex, QSignalBlocker, Qt, QUrl
from PySide6.QtWidgets import QHeaderView, QLabel, QSplitter, QTabWidget, QTextBrowser, QVBoxLayout, QWidget

from workbench.core.moment import finding_moment, row_of_line
from workbench.gui.bus import CursorBus, Selection
from workbench.gui.i18n import ui_language
from workbench.gui.models.findings_model import (
    EvidenceModel,
    FindingsModel,
    SignatureProblemsModel,
    setupdiag_verdict,
)
from workbench.gui.models.labels import severity_label
from workbench.gui.models.store_view import StoreView
from workbench.gui.models.timeline_model import short_path
from workbench.gui.panes.common import add_notes_action, make_table
from workbench.gui.theme import color, style_tag

ORIGIN = "findings"


class FindingsPane(QWidget):
    """SetupDiag's verdict, the ranked findings, the selected one's details and evidence, and load problems."""

    def __init__(self, bus: CursorBus, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("FindingsPane")
        self.bus = bus
        self.model = FindingsModel(self)
        self.model.language = ui_language()
        self.evidence_model = EvidenceModel(self)
        self.problems_model = SignatureProblemsModel(self)
        self._plugin_failures_read = False

        self.setupdiag = QLabel(self)
        self.setupdiag.setObjectName("setupDiagVerdict")
        self.setupdiag.setWordWrap(True)
        self.setupdiag.setTextFormat(Qt.TextFormat.RichText)
        self.setupdiag.setStyleSheet("QLabel#setupDiagVerdict { background: palette(alternate-base); "
                                     "border: 1px solid palette(mid); padding: 4px; }")
        self.setupdiag.hide()

        self.table = make_table(self.model, self, stretch_last=False)
        self.table.setObjectName("findingsTable")
        add_notes_action(self.table, bus, self.notes_evidence)
        self.table.setSelectionMode(self.table.SelectionMode.SingleSelection)
        hh = self.table.horizontalHeader()
        for column in range(self.model.columnCount()):
            hh.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        hh.setSectionResizeMode(FindingsModel.TITLE, QHeaderView.ResizeMode.Stretch)
        self.table.setColumnHidden(FindingsModel.RULE, True)  # in the details below; the title needs the room

        self.details = QTextBrowser(self)
        self.details.setObjectName("findingDetails")
        self.details.setOpenLinks(False)
        self.details.anchorClicked.connect(self._on_link)

        self.evidence = make_table(self.evidence_model, self)
        self.evidence.setObjectName("evidenceTable")
        self.evidence.setSelectionMode(self.evidence.SelectionMode.SingleSelection)
        eh = self.evidence.horizontalHeader()
        eh.setSectionResizeMode(EvidenceModel.TIME, QHeaderView.ResizeMode.ResizeToContents)
        eh.setSectionResizeMode(EvidenceModel.WHERE, QHeaderView.ResizeMode.ResizeToContents)
        self.evidence.clicked.connect(lambda index: self.select_evidence(index.row()))
        self.evidence.activated.connect(lambda index: self.select_evidence(index.row()))

        self.problems = make_table(self.problems_model, self)
        self.problems.setObjectName("signatureProblemsTable")
        ph = self.problems.horizontalHeader()
        ph.setSectionResizeMode(SignatureProblemsModel.FILE, QHeaderView.ResizeMode.ResizeToContents)
        ph.setSectionResizeMode(SignatureProblemsModel.LINE, QHeaderView.ResizeMode.ResizeToContents)

        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("findingTabs")
        self.tabs.addTab(self.evidence, self.tr("Evidence"))
        self.tabs.addTab(self.problems, self.tr("Signature problems"))

        split = QSplitter(Qt.Orientation.Vertical, self)
        split.addWidget(self.table)
        split.addWidget(self.details)
        split.addWidget(self.tabs)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setStretchFactor(2, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.setupdiag)
        layout.addWidget(split, 1)
        self._current: dict[str, Any] | None = None
        self.table.selectionModel().currentRowChanged.connect(self._on_current)
        self.table.clicked.connect(lambda index: self._on_current(index, QModelIndex()))
        bus.selectionChanged.connect(self._on_bus_selection)

    # ------------------------------------------------------------------------------------- case

    def set_view(self, view: StoreView | None) -> None:
        if not self._plugin_failures_read:
            self.set_plugin_failures(_plugin_failures())
        if view is not None and not view.complete:
            # the analysis never ran: say so, rather than "no analyzer recognised a known failure"
            self.model.set_view(None)
            self.evidence_model.set_view(None)
            self.evidence_model.show_finding(None)
            self._current = None
            self._show_setupdiag({})
            text = self.tr("Analysis not run: the ingest did not finish. Resume it from the case overview; the "
                           "findings come when the case is read to the end.")
            self.details.setHtml(f"<p><b>{html.escape(text)}</b></p>")
            return
        self.model.set_view(view)
        self.evidence_model.set_view(view)
        self.evidence_model.show_finding(None)
        self.problems_model.set_view(view)
        self._show_problem_count()
        self._current = None
        self.details.clear()
        self._show_setupdiag(setupdiag_verdict(view) if view is not None else {})
        if view is not None and self.model.rowCount() == 0:
            text = self.tr("No findings: no analyzer recognised a known failure in this case.")
            self.details.setHtml(f"<p>{html.escape(text)}</p>")
        elif view is not None:
            text = self.tr("Select a finding to see its details, what to do and its evidence lines.")
            self.details.setHtml(style_tag() + f"<p class='muted'>{html.escape(text)}</p>")

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt API)
        """A theme switch: lay the HTML out again in the new colours (links included)."""
        super().changeEvent(event)
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            self._restyle()

    def _restyle(self) -> None:
        if self._current is not None:
            self._show(self._current)
        self._show_problem_count()

    def set_plugin_failures(self, failures: list[tuple[str, str]]) -> None:
        """Plugins that failed to load (name, error), from ``build_plugin_manager``'s report."""
        self._plugin_failures_read = True
        self.problems_model.set_plugin_failures(failures)
        self._show_problem_count()

    def set_language(self, language: str) -> None:
        """Show titles, details lines and remediation in ``language`` (``en``/``zh``) where the finding has
        them (the app sets it once from the translator; tests switch it)."""
        self.model.language = language
        index = self.table.currentIndex()
        if index.isValid():
            self._on_current(index, QModelIndex())

    def _show_problem_count(self) -> None:
        n = self.problems_model.rowCount()
        label = self.tr("Signature problems") + (f" ({n})" if n else "")
        self.tabs.setTabText(self.tabs.indexOf(self.problems), label)
        self.tabs.tabBar().setTabTextColor(self.tabs.indexOf(self.problems),
                                           color("error") if n else self.palette().text().color())

    def _show_setupdiag(self, verdict: dict[str, str]) -> None:
        """SetupDiag's one profile beside our ranked list: engineers who know SetupDiag compare the two."""
        if not verdict:
            self.setupdiag.hide()
            return
        name = verdict.get("profile_name") or self.tr("no profile matched")
        parts = [f"<b>{html.escape(self.tr('SetupDiag says'))}:</b> {html.escape(name)}"]
        if verdict.get("profile_guid"):
            parts.append(f"<span style='color: {color('muted').name()}'>{{{html.escape(verdict['profile_guid'])}}}"
                         "</span>")
        codes = " - ".join(v for v in (verdict.get("result_code"), verdict.get("extend_code")) if v)
        if codes:
            parts.append(html.escape(codes))
        text = " ".join(parts)
        if verdict.get("failure_details"):
            text += "<br>" + html.escape(verdict["failure_details"][:400])
        self.setupdiag.setText(text)
        self.setupdiag.setToolTip("\n".join(f"{k}: {v}" for k, v in verdict.items()))
        self.setupdiag.show()

    # ------------------------------------------------------------------------------------- clicks

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
        self._show(finding)
        self.bus.select(finding_selection(self.model.view, finding["id"], ORIGIN))

    def _show(self, finding: dict[str, Any]) -> None:
        self._current = finding
        self.details.setHtml(self._details_html(finding))
        self.evidence_model.show_finding(finding["id"], finding.get("members"))
        self.tabs.setCurrentWidget(self.evidence)

    def _on_bus_selection(self, selection: Selection | None) -> None:
        """Another pane picked a finding (the overview's link): show it here without re-selecting it, so
        the other pane's selection stands and no echo starts."""
        if selection is None or selection.origin == ORIGIN or selection.kind != "finding" \
                or selection.finding_id is None:
            return
        if self._current is not None and self._current["id"] == selection.finding_id:
            return
        if self._current is not None and selection.finding_id in (self._current.get("members") or []):
            return
        found = self.model.row_of_finding(selection.finding_id)
        for row in ([] if found is None else [found]):
            rec = self.model.row_tuple(row)
            if rec is not None:
                # highlight only: the current index stays where the keyboard left it ("next finding")
                sm = self.table.selectionModel()
                blocker = QSignalBlocker(sm)
                sm.select(self.model.index(row, 0), sm.SelectionFlag.ClearAndSelect | sm.SelectionFlag.Rows)
                del blocker
                self.table.scrollTo(self.model.index(row, 0))
                self.table.viewport().update()
                finding = self.model.finding(row)
                if finding is not None:
                    self._show(finding)
                return

    def select_evidence(self, row: int) -> None:
        """Move the shared cursor (and every pane) to evidence ``row`` of the selected finding."""
        ev = self.evidence_model.evidence(row)
        if ev is None:
            return
        if self.evidence.currentIndex().row() != row:
            self.evidence.setCurrentIndex(self.evidence_model.index(row, 0))
        # the line's own row and time: the evidence, the table and every pane at one moment
        found = row_of_line(self.model.view.store, ev["file_id"], ev["line"]) \
            if self.model.view is not None and ev["line"] is not None else None
        self.bus.select(Selection("evidence", ts=found.ts if found and found.ts is not None else ev["ts"],
                                  row_id=found.row_id if found else None, file_id=ev["file_id"], line=ev["line"],
                                  finding_id=self._current["id"] if self._current else None, origin=ORIGIN))

    def _on_link(self, url: QUrl) -> None:
        text = url.toString()
        if text.startswith("evidence:"):
            self.select_evidence(int(text.split(":", 1)[1]))

    def notes_evidence(self) -> dict | None:
        """The current finding for "Add to notes": its title and first evidence lines, linked to the first."""
        index = self.table.currentIndex()
        f = self.model.finding(index.row()) if index.isValid() else None
        if f is None:
            return None
        lines = [str(e[3]) for e in f["evidence"][:5] if e[3]]
        first = next((e for e in f["evidence"] if e[0] is not None), None)
        return {"text": "\n".join([f"{f['title']} ({f['rule_id']})", *lines]),
                "source": short_path(first[4]) if first else f["rule_id"], "file_id": first[0] if first else None,
                "line": first[1] if first else None,
                "ts": f["ts"] if f["ts"] is not None else (first[2] if first else None)}

    # ------------------------------------------------------------------------------------- text

    def _details_html(self, f: dict[str, Any]) -> str:
        h = html.escape
        rule = h(f["rule_id"])
        if f["setupdiag"]:
            rule += f" &nbsp;<span class='muted'>(SetupDiag {h(f['setupdiag'].get('rule', ''))})</span>"
        parts = [style_tag(), f"<h3>{h(f['title'])}</h3>",
                 f"<p><b>{h(self.tr('Severity'))}:</b> {h(severity_label(f['severity']))} &nbsp; <b>{h(self.tr('Rule'))}:</b> "
                 f"{rule}</p>"]
        if f["summary"]:
            parts.append(f"<p><b>{h(self.tr('Details'))}:</b> {h(f['summary'])}</p>")
        if f["remediation"]:
            parts.append(f"<p><b>{h(self.tr('What to do'))}:</b> {h(f['remediation'])}</p>")
        if f.get("also"):  # the same crash as other sources reported it: one finding, all their evidence below
            parts.append(f"<p><b>{h(self.tr('Also seen as'))}:</b> {h('; '.join(f['also']))}</p>")
        if f["evidence"]:
            first = f["evidence"][0]
            where = f"{short_path(first[4])}:{first[1]}" if first[1] is not None else short_path(first[4] or "")
            parts.append(f"<p><b>{h(self.tr('Evidence'))}:</b> "
                         + h(self.tr("%n line(s), listed below; first", "", len(f["evidence"])))
                         + f' <a href="evidence:0">{h(where)}</a></p>')
        if f["description"]:
            parts.append(f"<p class='muted'>{h(f['description'])}</p>")
        for ref in f["references"][:5]:
            parts.append(f"<p class='muted'>{h(ref)}</p>")
        return "".join(parts)


def finding_selection(view: StoreView | None, finding_id: int, origin: str) -> Selection:
    """A finding as a pick on the bus: its moment (the row it is about, at that row's time)."""
    if view is None:
        return Selection("finding", finding_id=finding_id, origin=origin)
    m = finding_moment(view.store, finding_id)
    return Selection("finding", ts=m.ts, row_id=m.row_id, file_id=m.file_id, line=m.line, finding_id=finding_id,
                     origin=origin)


def _plugin_failures() -> list[tuple[str, str]]:
    """Plugins that failed to import, as the plugin manager reports them (built once, on first use)."""
    from workbench.core.plugins.manager import build_plugin_manager

    try:
        return list(build_plugin_manager()[1].failed)
    except Exception as exc:  # the report is a convenience; a broken entry point must not break the pane
        return [("plugin manager", f"{type(exc).__name__}: {exc}")]
