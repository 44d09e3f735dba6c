"""Case overview: the verdict first (what broke the upgrade, made by whom, why, what to do), then the upgrade,
the crash, the system and the top findings, read from the analysis.

The text comes from :func:`workbench.core.analysis.build_analysis`, the same object ``workbench analyze
--json`` prints, so the window and the CLI never disagree. Unknown values are said to be unknown.
"""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import QUrl
from PySide6.QtWidgets import QLineEdit, QTextBrowser, QVBoxLayout, QWidget

from workbench.core.analysis import build_analysis, ranked_findings
from workbench.core.finding_text import finding_texts
from workbench.core.verdict.reported import META_KEY, set_reported
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
        # what the customer reported: kept with the case, and the verdict says when the logs show another failure
        self.reported = QLineEdit(self)
        self.reported.setObjectName("overviewReported")
        self.reported.setPlaceholderText(self.tr("Reported by the customer, e.g. 0xC1900101-0x40017 10:35"))
        self.reported.setClearButtonEnabled(True)
        self.reported.editingFinished.connect(self._on_reported)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.reported)
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
        self.reported.setText(view.store.get_meta(META_KEY) or "")
        self.analysis = build_analysis(view.store)
        self.browser.setHtml(self._html(view, self.analysis))

    def _on_reported(self) -> None:
        """Keep the engineer's entry with the case and show the verdict it changes (nothing when unchanged)."""
        if self._view is None:
            return
        text = self.reported.text().strip()
        if text == (self._view.store.get_meta(META_KEY) or ""):
            return
        set_reported(self._view.store, text)
        self.set_view(self._view)

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
        out += self._verdict_html(a["verdict"], ui_language())
        out.append("<h3>" + self._h(self.tr("Upgrade")) + "</h3>")
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
        ranked = [r["id"] for r in ranked_findings(view.store, a["verdict"])][:TOP_FINDINGS]
        top = sorted(view.store.conn.execute(
            "SELECT id, severity, title, coalesce(ts, (SELECT min(ts) FROM evidence e WHERE e.finding_id = f.id)), "
            f"summary, remediation, data FROM findings f WHERE id IN ({','.join('?' * len(ranked))})",
            ranked).fetchall(), key=lambda r: ranked.index(r[0])) if ranked else []
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

    #: the verdict's state → its colour (red failed, green succeeded, orange wrong logs, grey incomplete)
    STATE_COLOURS = {"failed": "#c0392b", "succeeded": "#2e7d32", "not_an_upgrade": "#d35400", "incomplete": "#7f8c8d"}

    def _state_label(self, state: str) -> str:
        labels = {"failed": self.tr("The upgrade failed"), "succeeded": self.tr("The upgrade succeeded"),
                  "not_an_upgrade": self.tr("Not the failed upgrade's logs"),
                  "incomplete": self.tr("Not enough logs to judge")}
        return labels.get(state, state)

    def _verdict_html(self, v: dict[str, Any], language: str) -> list[str]:
        """The verdict block the overview leads with: state, what broke the upgrade and who makes it, the
        reasoning, what to do. Its sentences come from the core in both languages; ``language`` picks one."""
        zh = language == "zh"
        colour = self.STATE_COLOURS.get(v["state"], "#000000")
        out = ["<h3>" + self._h(self.tr("Verdict")) + "</h3>",
               f"<p><b style='color:{colour}'>{html.escape(self._state_label(v['state']))}</b></p>",
               f"<p>{html.escape(v['summary_zh'] if zh else v['summary'])}</p>"]
        rows: list[tuple[str, str]] = []
        c = v.get("culprit")
        if c:
            owner = ", ".join(x for x in (c.get("product"), (c.get("vendor_zh") if zh else None) or c.get("vendor")) if x)
            rows.append((self.tr("Culprit"), f"<b>{html.escape(c['module'])}</b>" + (f" — {html.escape(owner)}" if owner else "")))
        rows.append((self.tr("Confidence"), html.escape(v.get("confidence") or "")))
        reported = v.get("reported")
        if reported:
            rows.append((self.tr("Reported"), html.escape(" ".join(str(reported.get("text") or "").split())[:160])))
        out.append(self._table(rows))
        steps = v.get("reasoning") or []
        if steps:
            out.append("<p><b>" + self._h(self.tr("Why")) + "</b></p><ol>")
            out += [f"<li>{html.escape(s['step_zh'] if zh else s['step'])}</li>" for s in steps[:6]]
            out.append("</ol>")
        todo = v.get("next_steps_zh" if zh else "next_steps") or []
        if todo:
            out.append("<p><b>" + self._h(self.tr("Next steps")) + "</b></p><ul>")
            out += [f"<li>{html.escape(t)}</li>" for t in todo]
            out.append("</ul>")
        return out

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
