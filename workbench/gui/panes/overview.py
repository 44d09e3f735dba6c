"""Case overview: the system, the upgrade verdict, the crash and the top findings, read from the analysis.

The text comes from :func:`workbench.core.analysis.build_analysis`, the same object ``workbench analyze
--json`` prints, so the window and the CLI never disagree. Unknown values are said to be unknown.
"""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import QUrl
from PySide6.QtWidgets import QTextBrowser, QVBoxLayout, QWidget

from workbench.core.analysis import SEVERITIES, build_analysis
from workbench.core.finding_text import finding_texts
from workbench.gui.bus import CursorBus, Selection
from workbench.gui.i18n import ui_language
from workbench.gui.models.labels import severity_label
from workbench.gui.models.store_view import StoreView

ORIGIN = "overview"
TOP_FINDINGS = 5


class OverviewPane(QWidget):
    """A read-only summary page; its finding links move the cursor like the findings pane does."""

    def __init__(self, bus: CursorBus, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("OverviewPane")
        self.bus = bus
        self.browser = QTextBrowser(self)
        self.browser.setObjectName("overviewBrowser")
        self.browser.setOpenLinks(False)
        self.browser.anchorClicked.connect(self._on_link)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.browser)
        self._view: StoreView | None = None
        self._finding_times: dict[int, int | None] = {}
        self.analysis: dict[str, Any] | None = None

    @staticmethod
    def _h(text: str) -> str:
        return html.escape(text)

    def set_view(self, view: StoreView | None) -> None:
        self._view = view
        if view is None:
            self.analysis = None
            text = self.tr("No case open. Use File › Open or drop an archive on the window.")
            self.browser.setHtml(f"<p>{html.escape(text)}</p>")
            return
        self.analysis = build_analysis(view.store)
        self.browser.setHtml(self._html(view, self.analysis))

    def _phase_label(self, phase: str | None) -> str:
        labels = {
            "DOWNLEVEL": self.tr("phase 1, down-level (in the old OS)"),
            "SAFE_OS": self.tr("phase 2, SafeOS"),
            "FIRST_BOOT": self.tr("phase 3, first boot"),
            "OOBE_BOOT": self.tr("phase 4, second boot (OOBE)"),
            "UNINSTALL": self.tr("phase 5, uninstall"),
        }
        return labels.get(phase or "", phase or self.tr("unknown"))

    def _html(self, view: StoreView, a: dict[str, Any]) -> str:
        unknown = "<i>" + self._h(self.tr("unknown")) + "</i>"

        def val(v: Any) -> str:
            return unknown if v in (None, "", []) else html.escape(str(v))

        out = ["<style>td{padding:1px 8px 1px 0;} h3{margin:6px 0 2px 0;}</style>"]
        up = a["upgrade"]
        out.append("<h3>" + self._h(self.tr("Upgrade verdict")) + "</h3>")
        if up["result_code"]:
            code = up["result_code"] + (f" - {up['extend_code']}" if up["extend_code"] else "")
            verdict = self.tr("The upgrade failed with %1").replace("%1", code)
            out.append(f"<p><b style='color:#c0392b'>{html.escape(verdict)}</b></p>")
        else:
            out.append("<p>" + self._h(self.tr("No upgrade result code was found in the logs read.")) + "</p>")
        rows = [(self.tr("Phase"), html.escape(self._phase_label(up["phase"])) if up["phase"] else unknown),
                (self.tr("Operation"), val(up["operation"])),
                (self.tr("Rolled back"), unknown if up["rollback"] is None else
                 html.escape(self.tr("yes") if up["rollback"] else self.tr("no"))),
                (self.tr("From build"), val(up["source_build"])), (self.tr("To build"), val(up["target_build"]))]
        out.append(self._table(rows))
        crash = a["crash"]
        if crash["bugcheck_code"] or crash["culprit_module"]:
            out.append("<h3>" + self._h(self.tr("Crash")) + "</h3>")
            out.append(self._table([
                (self.tr("Bugcheck"), val(" ".join(x for x in (crash["bugcheck_code"], crash["bugcheck_name"]) if x))),
                (self.tr("Culprit module"), val(crash["culprit_module"]))]))
        sysf = a["system"]
        out.append("<h3>" + self._h(self.tr("System")) + "</h3>")
        out.append(self._table([
            (self.tr("Computer"), val(sysf["computer"])), (self.tr("Windows"), val(sysf["os_name"])),
            (self.tr("Version"), val(" ".join(x for x in (sysf["os_version"], sysf["os_build"]) if x))),
            (self.tr("Time zone"), html.escape(view.zone_label))]))
        out.append("<h3>" + self._h(self.tr("Top findings")) + "</h3>")
        order = "CASE severity " + " ".join(f"WHEN '{s}' THEN {i}" for i, s in enumerate(SEVERITIES)) + " ELSE 9 END"
        top = view.store.conn.execute(
            "SELECT id, severity, title, coalesce(ts, (SELECT min(ts) FROM evidence e WHERE e.finding_id = f.id)), "
            f"summary, remediation, data FROM findings f ORDER BY {order}, score DESC, id LIMIT ?",
            (TOP_FINDINGS,)).fetchall()
        self._finding_times = {r[0]: r[3] for r in top}
        language = ui_language()
        if top:
            out.append("<ol>")
            for fid, severity, english, ts, summary, remediation, data in top:
                row = {"title": english, "summary": summary, "remediation": remediation, "data": data}
                title = finding_texts(row, language)["title"] or ""
                when = view.format_ts(ts, micro=False)
                out.append(f'<li><b>{html.escape(severity_label(severity))}</b> <a href="finding:{fid}">{html.escape(title)}</a>'
                           f" <span style='color:gray'>{html.escape(when)}</span></li>")
            out.append("</ol>")
        else:
            out.append("<p>" + self._h(self.tr("None yet.")) + "</p>")
        case = a["case"]
        rows_n = view.store.scalar("SELECT coalesce(max(id), 0) FROM timeline")  # ids are positions in time
        out.append("<h3>" + self._h(self.tr("Case")) + "</h3>")
        out.append(self._table([
            (self.tr("Source"), val(case["source"])), (self.tr("Files"), val(case["files"])),
            (self.tr("Timeline rows"), val(rows_n)), (self.tr("Problems"), val(len(case["problems"])))]))
        return "".join(out)

    @staticmethod
    def _table(rows: list[tuple[str, str]]) -> str:
        body = "".join(f"<tr><td><b>{html.escape(k)}</b></td><td>{v}</td></tr>" for k, v in rows)
        return f"<table>{body}</table>"

    def _on_link(self, url: QUrl) -> None:
        text = url.toString()
        if text.startswith("finding:"):
            fid = int(text.split(":", 1)[1])
            first = None
            if self._view is not None:
                first = self._view.store.conn.execute(
                    "SELECT file_id, line FROM evidence WHERE finding_id = ? AND file_id IS NOT NULL ORDER BY id "
                    "LIMIT 1", (fid,)).fetchone()
            self.bus.select(Selection("finding", ts=self._finding_times.get(fid), finding_id=fid,
                                      file_id=first[0] if first else None, line=first[1] if first else None,
                                      origin=ORIGIN))
