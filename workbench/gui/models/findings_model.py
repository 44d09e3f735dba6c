"""The findings pane's models: ranked findings, one finding's evidence, and the signatures that did not load.

A case holds tens of findings and each finding tens of evidence rows, so the models read their rows once
per case (or per selected finding) into lists, like the other short-table models of :mod:`.rows`.
"""

from __future__ import annotations

import json
import re
import sqlite3
from typing import Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QColor

from workbench.core.analysis import SEVERITIES
from workbench.core.finding_text import finding_data, finding_texts
from workbench.core.moment import finding_moment
from workbench.gui.models.labels import severity_label
from workbench.gui.models.rows import SEVERITY_COLORS, RowsModel
from workbench.gui.models.store_view import StoreView
from workbench.gui.models.timeline_model import short_path
from workbench.gui.theme import color

__all__ = ["FindingsModel", "EvidenceModel", "SignatureProblemsModel", "setupdiag_verdict", "split_problem"]

#: SetupDiag's own result (facts the SetupDiagResults.xml parser writes), in the order they are shown
SETUPDIAG_FACTS = ("setupdiag.profile_name", "setupdiag.profile_guid", "setupdiag.failure_details",
                   "setupdiag.result_code", "setupdiag.extend_code", "setupdiag.last_phase",
                   "setupdiag.last_operation", "setupdiag.remediation", "setupdiag.version")


class FindingsModel(RowsModel):
    """Findings ranked as the analysis ranks them (severity, then score), with their time on the case clock.

    Title, details line and remediation are shown in :attr:`language` where the finding carries that
    translation (signatures do; see :mod:`workbench.core.finding_text`), else in the English stored.
    """

    SEVERITY, TITLE, SCORE, TIME, RULE = range(5)
    #: where a row tuple holds the texts :func:`finding_texts` reads, and the parsed ``data``
    _TEXT_INDEX = {"title": 1, "summary": 6, "remediation": 7}
    _DATA = 8

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__([self.tr("Severity"), self.tr("Finding"), self.tr("Score"), self.tr("Time"),
                          self.tr("Rule")], parent)
        self._language = "en"

    @property
    def language(self) -> str:
        """``en`` or ``zh``: the language titles, details and remediation are shown in."""
        return self._language

    @language.setter
    def language(self, language: str) -> None:
        if language == self._language:
            return
        self._language = language
        if self._rows:  # same rows, same order: only the titles change
            self.dataChanged.emit(self.index(0, self.TITLE), self.index(len(self._rows) - 1, self.TITLE))

    def load(self, view: StoreView) -> list[tuple[Any, ...]]:
        order = "CASE severity " + " ".join(f"WHEN '{s}' THEN {i}" for i, s in enumerate(SEVERITIES)) + " ELSE 9 END"
        # data is parsed once here: the title column reads its translation on every paint; the time is the
        # finding's moment (the row it is about), the time every pane shows when it is picked
        rows = view.store.conn.execute(
            "SELECT severity, title, score, ts, rule_id, id, summary, remediation, data FROM findings f "
            f"ORDER BY {order}, score DESC, id").fetchall()
        return [(*r[:3], finding_moment(view.store, r[5]).ts, *r[4:self._DATA], finding_data(r[self._DATA]))
                for r in rows]

    def _texts(self, rec: tuple[Any, ...]) -> dict[str, str | None]:
        row = {column: rec[i] for column, i in self._TEXT_INDEX.items()}
        return finding_texts({**row, "data": rec[self._DATA]}, self._language)

    def display(self, rec: tuple[Any, ...], column: int) -> Any:
        if column == self.SCORE:
            return "" if rec[2] is None else f"{rec[2]:.2f}".rstrip("0").rstrip(".")
        if column == self.TIME:  # to the second: the title keeps the room in a narrow pane
            return self._view.format_ts(rec[3], micro=False) if self._view is not None and rec[3] is not None else ""
        if column == self.TITLE:
            return self._texts(rec)["title"] or ""
        if column == self.SEVERITY:
            return severity_label(rec[0])
        return super().display(rec, {self.RULE: 4}[column])

    def foreground(self, rec: tuple[Any, ...]) -> QColor | None:
        name = SEVERITY_COLORS.get(rec[0] or "")
        return color(name) if name else None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.ToolTipRole and orientation == Qt.Orientation.Horizontal \
                and section == self.SCORE:
            return self.tr("Orders findings of one severity: signatures score 0-1 by closeness to the failure")
        return super().headerData(section, orientation, role)

    def finding(self, row: int) -> dict[str, Any] | None:
        """Everything the pane shows of the finding at ``row``; title, details line and remediation in
        :attr:`language` when the finding has them (``en``/``zh``), else the text the analyzer stored."""
        rec = self.row_tuple(row)
        if rec is None or self._view is None:
            return None
        data = rec[self._DATA]
        texts = self._texts(rec)
        evidence = [tuple(r) for r in self._view.store.conn.execute(
            "SELECT e.file_id, e.line, e.ts, e.text, f.path FROM evidence e LEFT JOIN files f ON f.id = e.file_id "
            "WHERE e.finding_id = ? ORDER BY e.id", (rec[5],))]
        return {"id": rec[5], "severity": rec[0], "title": texts["title"], "score": rec[2], "ts": rec[3],
                "rule_id": rec[4], "summary": texts["summary"], "remediation": texts["remediation"],
                "description": data.get("description") or "",
                "setupdiag": data.get("setupdiag") or None, "references": data.get("references") or [],
                "file": data.get("file"), "evidence": evidence}


class EvidenceModel(RowsModel):
    """The evidence rows of one finding (time, file:line, text), in the order the finding lists them."""

    TIME, WHERE, TEXT = range(3)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__([self.tr("Time"), self.tr("Where"), self.tr("Evidence")], parent)
        self.finding_id: int | None = None

    def show_finding(self, finding_id: int | None) -> None:
        self.finding_id = finding_id
        self.refresh()

    def load(self, view: StoreView) -> list[tuple[Any, ...]]:
        if self.finding_id is None:
            return []
        return [tuple(r) for r in view.store.conn.execute(
            "SELECT e.ts, f.path, e.line, e.text, e.file_id FROM evidence e LEFT JOIN files f ON f.id = e.file_id "
            "WHERE e.finding_id = ? ORDER BY e.id", (self.finding_id,))]

    def display(self, rec: tuple[Any, ...], column: int) -> Any:
        if column == self.TIME:
            return self._view.format_ts(rec[0]) if self._view is not None and rec[0] is not None else ""
        if column == self.WHERE:
            path = short_path(rec[1]) if rec[1] else ""
            return f"{path}:{rec[2]}" if rec[2] is not None else path
        return (rec[3] or "").replace("\n", " ")

    def evidence(self, row: int) -> dict[str, Any] | None:
        """Where evidence ``row`` points: ``ts``, ``file_id``, ``line`` (for the bus), ``text`` and ``path``."""
        rec = self.row_tuple(row)
        if rec is None:
            return None
        return {"ts": rec[0], "path": rec[1], "line": rec[2], "text": rec[3], "file_id": rec[4]}


# ------------------------------------------------------------------------------------------- problems

_WITH_LINE = re.compile(r"^(?P<file>.+?\.(?:ya?ml|py|json|txt)):(?P<line>\d+): (?P<message>.*)$", re.S | re.I)
_FILE_ONLY = re.compile(r"^(?P<file>.+?\.(?:ya?ml|py|json|txt)): (?P<message>.*)$", re.S | re.I)


def split_problem(text: str) -> tuple[str, int | None, str]:
    """``file:line: message`` (as the signature loader writes problems) → (file, line, message).

    File names may hold colons (``C:\\...``), so the file is recognised by its extension, not by the first
    colon; a problem that names no file (a plugin's hook failing) keeps its whole text as the message.
    """
    m = _WITH_LINE.match(text)
    if m:
        return m.group("file"), int(m.group("line")), m.group("message")
    m = _FILE_ONLY.match(text)
    if m:
        return m.group("file"), None, m.group("message")
    return "", None, text


class SignatureProblemsModel(RowsModel):
    """Signatures that failed to load, compile or run on this case (the case meta ``signature_problems``),
    and plugins that failed to load (``build_plugin_manager``'s report), each with its file and line."""

    FILE, LINE, PROBLEM = range(3)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__([self.tr("File"), self.tr("Line"), self.tr("Problem")], parent)
        self.plugin_failures: list[tuple[str, str]] = []

    def set_plugin_failures(self, failures: list[tuple[str, str]]) -> None:
        """Plugins (module names) that failed to import, and why; shown whatever case is open."""
        self.plugin_failures = list(failures)
        self.refresh()

    def refresh(self) -> None:
        self.beginResetModel()
        try:
            self._rows = self.load(self._view) if self._view is not None else self._plugins()
        except sqlite3.Error:
            self._rows = self._plugins()
        self.endResetModel()

    def _plugins(self) -> list[tuple[Any, ...]]:
        return [(name, None, self.tr("plugin failed to load: %s") % error) for name, error in self.plugin_failures]

    def load(self, view: StoreView) -> list[tuple[Any, ...]]:
        raw = view.store.get_meta("signature_problems")
        try:
            problems = json.loads(raw) if raw else []
        except ValueError:
            problems = [raw]
        return self._plugins() + [split_problem(str(p)) for p in problems]


def setupdiag_verdict(view: StoreView) -> dict[str, str]:
    """SetupDiag's own verdict in the case (its ``SetupDiagResults.xml``), by fact name without the prefix;
    empty when SetupDiag did not run or its result was not collected."""
    out: dict[str, str] = {}
    try:
        for name in SETUPDIAG_FACTS:
            row = view.store.fact(name)
            if row is not None and row["value"]:
                out[name.split(".", 1)[1]] = str(row["value"])
    except sqlite3.Error:
        return {}
    return out
