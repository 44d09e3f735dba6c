"""Case overview: the verdict first (what broke the upgrade, made by whom, why, what to do), then the upgrade,
the crash, the system and the top findings, read from the analysis.

The text comes from :func:`workbench.core.analysis.build_analysis`, the same object ``workbench analyze
--json`` prints, so the window and the CLI never disagree. Unknown values are said to be unknown.
"""

from __future__ import annotations

import html
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QUrl, Signal
from PySide6.QtWidgets import QLineEdit, QTextBrowser, QVBoxLayout, QWidget

from workbench.core.analysis import CRASH_KEYS, SYSTEM_KEYS, UPGRADE_KEYS, build_analysis, finding_groups
from workbench.core.finding_text import finding_texts
from workbench.core.ingest import Progress
from workbench.core.ingest_eta import Estimate
from workbench.core.moment import finding_moment
from workbench.core.verdict.reported import META_KEY, set_reported
from workbench.gui.bus import CursorBus
from workbench.gui.i18n import ui_language
from workbench.gui.models.labels import duration_text, read_sentence, severity_label, size_text, stage_label
from workbench.gui.models.store_view import StoreView
from workbench.gui.theme import style_tag

ORIGIN = "overview"
TOP_FINDINGS = 5
_LAYOUT = "td{padding:1px 8px 1px 0;} h3{margin:6px 0 2px 0;}"


def version_text(version: str | None, build: str | None) -> str:
    """``10.0.19045``, not ``10.0.19045 19045``: the build once, added only when the version lacks it."""
    version, build = (version or "").strip(), (build or "").strip()
    if build and version and (version.endswith("." + build) or f".{build}." in version + "."):
        return version
    return " ".join(x for x in (version, build) if x)


class OverviewPane(QWidget):
    """A read-only summary page; its finding links move the cursor like the findings pane does.

    While a case is read it shows how far the ingest is and the facts found so far; a case whose ingest did
    not finish says so, offers Resume (``resumeRequested``) and shows what was read.
    """

    resumeRequested = Signal()
    cancelRequested = Signal()

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
        #: the path the user opened (the case database keeps where its content was first read, which may be
        #: another copy of the same archive)
        self.opened: str | None = None
        self._rerender: Callable[[], None] = lambda: None  # how the page was last made (a theme switch redoes it)

    @staticmethod
    def _h(text: str) -> str:
        return html.escape(text)

    def set_view(self, view: StoreView | None) -> None:
        self._view = view
        self._rerender = lambda: self.set_view(self._view)
        if view is None:
            self.analysis = None
            text = self.tr("No case open. Use File › Open or drop an archive on the window.")
            self.browser.setHtml(f"<p>{html.escape(text)}</p>")
            return
        self.reported.setText(view.store.get_meta(META_KEY) or "")
        if not view.complete:
            # a stopped ingest: what was read, and that nothing was analyzed (no "no findings" claim)
            self.analysis = None
            self.browser.setHtml(self._ingest_html(view) + self._facts_html(view))
            return
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

    def show_progress(self, view: StoreView | None, progress: Progress | None, source: str = "",
                      estimate: Estimate | None = None) -> None:
        """The case being read: the stage, files and bytes done, the time left (of the whole ingest:
        ``estimate``, see core/ingest_eta.py), and the facts found so far (``view`` is a read-only look at the
        database the ingest writes; None before it exists)."""
        self._view = view
        self.analysis = None
        self._rerender = lambda: self.show_progress(view, progress, source, estimate)
        text = self._ingest_html(view, progress, source, estimate)
        if view is not None:
            text += self._facts_html(view)
        self.browser.setHtml(text)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt API)
        """A theme switch: lay the HTML out again in the new colours (links included)."""
        super().changeEvent(event)
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            self._rerender()

    # ------------------------------------------------------------------------------------- ingest state

    def _ingest_html(self, view: StoreView | None, progress: Progress | None = None, source: str = "",
                     estimate: Estimate | None = None) -> str:
        h = self._h
        state = view.ingest_state if view is not None else "running"
        if progress is not None:
            state = "running"
        # the rows the table shows (the ids committed so far) and the files, counted as the status bar does
        read, cut, unread, files, rows = view.read_counts() if view is not None else (0, 0, 0, 0, 0)
        out = [style_tag(_LAYOUT)]
        if state == "running":
            name = source or (view.store.get_meta("source") if view is not None else "") or ""
            out.append("<h3>" + h(self.tr("Reading the case")) + "</h3>")
            out.append(f"<p>{h(name.replace(chr(92), '/').rsplit('/', 1)[-1])}</p>")
            if progress is not None:
                lines = [stage_label(progress.stage)]
                if progress.total:
                    lines.append(self.tr("file %1 of %2").replace("%1", str(min(progress.done + 1, progress.total)))
                                 .replace("%2", str(progress.total)))
                if progress.bytes_total:
                    lines.append(f"{size_text(progress.bytes_done)} / {size_text(progress.bytes_total)}")
                if estimate is not None and estimate.remaining_s is not None:
                    left = self.tr("%1 left in all") if estimate.whole else self.tr("%1 left in this step")
                    lines.append(left.replace("%1", duration_text(estimate.remaining_s)))
                out.append("<p><b>" + h(" · ".join(lines)) + "</b></p>")
                if progress.current:
                    out.append(f"<p class='muted'>{h(progress.current)}</p>")
            out.append("<p>" + h(self.tr("%1 timeline rows so far; the table shows them as they come, in the "
                                         "order the files are read.").replace("%1", f"{rows:,}")) + "</p>")
            out.append(f"<p><a href='cancel:'>{h(self.tr('Cancel the ingest'))}</a></p>")
            return "".join(out)
        if state in ("cancelled", "interrupted", "running"):
            title = self.tr("Ingest cancelled") if state == "cancelled" else self.tr("Ingest stopped before its end")
            out.append(f"<h3 class='warn'>{h(title)}</h3>")
            out.append("<p>" + h(read_sentence(read, cut, unread, files, rows)) + "</p>")
            out.append("<p><b>" + h(self.tr("Analysis: not run.")) + "</b> " + h(self.tr(
                "No finding, verdict or strip until the case is read to the end.")) + "</p>")
            out.append(f"<p><a href='resume:'>{h(self.tr('Resume the ingest'))}</a> "
                       + h(self.tr("(continues from the first unfinished file)")) + "</p>")
        return "".join(out)

    def _facts_html(self, view: StoreView) -> str:
        """The facts recorded so far (system, upgrade codes, crash): they fill in while files are read."""
        rows: list[tuple[str, str]] = []
        labels = {"system.computer": self.tr("Computer"), "system.os_name": self.tr("Windows"),
                  "system.os_build": self.tr("Build"), "system.time_zone": self.tr("Time zone"),
                  "upgrade.result_code": self.tr("Result code"), "upgrade.extend_code": self.tr("Extend code"),
                  "upgrade.phase": self.tr("Phase"), "upgrade.target_build": self.tr("To build"),
                  "crash.bugcheck_code": self.tr("Bugcheck"), "crash.culprit_module": self.tr("Culprit module")}
        names = [f"system.{k}" for k in SYSTEM_KEYS] + [f"upgrade.{k}" for k in UPGRADE_KEYS] + \
            [f"crash.{k}" for k in CRASH_KEYS]
        try:
            for name in names:
                if name not in labels:
                    continue
                fact = view.store.fact(name)
                if fact is not None and fact["value"]:
                    value = self._phase_label(fact["value"]) if name == "upgrade.phase" else str(fact["value"])
                    rows.append((labels[name], html.escape(value)))
        except sqlite3.Error:
            return ""
        if not rows:
            return "<p class='muted'>" + self._h(self.tr("No facts about the machine or the upgrade yet.")) + "</p>"
        return "<h3>" + self._h(self.tr("Found so far")) + "</h3>" + self._table(rows)

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

        out = [style_tag(_LAYOUT)]
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
            (self.tr("Version"), val(version_text(sysf["os_version"], sysf["os_build"]))),
            (self.tr("Time zone"), html.escape(view.zone_label))]))
        out.append("<h3>" + self._h(self.tr("Top findings")) + "</h3>")
        ranked = [g[0]["id"] for g in finding_groups(view.store, a["verdict"])][:TOP_FINDINGS]  # one per cause
        top = sorted(view.store.conn.execute(
            "SELECT id, severity, title, coalesce(ts, (SELECT min(ts) FROM evidence e WHERE e.finding_id = f.id)), "
            f"summary, remediation, data FROM findings f WHERE id IN ({','.join('?' * len(ranked))})",
            ranked).fetchall(), key=lambda r: ranked.index(r[0])) if ranked else []
        moments = {r[0]: finding_moment(view.store, r[0]) for r in top}
        self._finding_times = {fid: m.ts for fid, m in moments.items()}
        language = ui_language()
        if top:
            out.append("<ol>")
            for fid, severity, english, _ts, summary, remediation, data in top:
                row = {"title": english, "summary": summary, "remediation": remediation, "data": data}
                title = finding_texts(row, language, view.times)["title"] or ""
                when = view.format_ts(self._finding_times.get(fid), micro=False, file_id=moments[fid].file_id)
                out.append(f'<li><b>{html.escape(severity_label(severity))}</b> <a href="finding:{fid}">{html.escape(title)}</a>'
                           f" <span class='muted'>{html.escape(when)}</span></li>")
            out.append("</ol>")
        else:
            out.append("<p>" + self._h(self.tr("None yet.")) + "</p>")
        case = a["case"]
        rows_n = view.store.scalar("SELECT coalesce(max(id), 0) FROM timeline")  # ids are positions in time
        out.append("<h3>" + self._h(self.tr("Case")) + "</h3>")
        out.append(self._table([
            (self.tr("Source"), val(self.opened or case["source"])
             + ("" if not self.opened or not case["source"] or Path(self.opened) == Path(case["source"]) else
                "<br><span class='muted'>" + self._h(self.tr("first read from %1").replace("%1", case["source"]))
                + "</span>")),
            (self.tr("Files"), val(case["files"])),
            (self.tr("Timeline rows"), val(rows_n)), (self.tr("Problems"), val(len(case["problems"])))]))
        return "".join(out)

    #: the verdict's state → its theme class (red failed, green succeeded, orange wrong logs, grey incomplete)
    STATE_CLASSES = {"failed": "error", "succeeded": "ok", "not_an_upgrade": "warn", "incomplete": "muted"}

    def _state_label(self, state: str) -> str:
        labels = {"failed": self.tr("The upgrade failed"), "succeeded": self.tr("The upgrade succeeded"),
                  "not_an_upgrade": self.tr("Not the failed upgrade's logs"),
                  "incomplete": self.tr("Not enough logs to judge")}
        return labels.get(state, state)

    def _verdict_html(self, v: dict[str, Any], language: str) -> list[str]:
        """The verdict block the overview leads with: state, what broke the upgrade and who makes it, the
        reasoning, what to do. Its sentences come from the core in both languages; ``language`` picks one."""
        zh = language == "zh"
        state_class = self.STATE_CLASSES.get(v["state"], "")
        out = ["<h3>" + self._h(self.tr("Verdict")) + "</h3>",
               f"<p><b class='{state_class}'>{html.escape(self._state_label(v['state']))}</b></p>",
               f"<p>{html.escape(v['summary_zh'] if zh else v['summary'])}</p>"]
        rows: list[tuple[str, str]] = []
        c = v.get("culprit")
        if c:
            owner = ", ".join(x for x in (c.get("product"), (c.get("vendor_zh") if zh else None) or c.get("vendor")) if x)
            rows.append((self.tr("Culprit"), f"<b>{html.escape(c['module'])}</b>" + (f" — {html.escape(owner)}" if owner else "")))
        rows.append((self.tr("Confidence"), html.escape(severity_label(v.get("confidence")))))
        reported = v.get("reported")
        if reported:
            # all of it, wrapped: a cut made before the code (…失败，错误代码 0) said the opposite of the customer
            rows.append((self.tr("Reported"), html.escape(" ".join(str(reported.get("text") or "").split()))))
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
        if text == "resume:":
            self.resumeRequested.emit()
            return
        if text == "cancel:":
            self.cancelRequested.emit()
            return
        if text.startswith("finding:"):
            from workbench.gui.panes.findings import finding_selection

            self.bus.select(finding_selection(self._view, int(text.split(":", 1)[1]), ORIGIN))
