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

from workbench.core.analysis import finding_groups
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
    """Findings ranked as the analysis ranks them (causally), one row per cause as the analysis groups them
    (:func:`workbench.core.analysis.finding_groups`: one crash is one finding, its other sources' findings
    "also seen as" under it, every one's evidence below), with their time on the case clock.

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
        self._members: dict[int, list[int]] = {}  # a row's finding id -> its group's finding ids, head first

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
        # the analysis JSON's causal order (the culprit's findings first, access noise last), one row per cause
        groups = finding_groups(view.store)
        self._members = {g[0]["id"]: [r["id"] for r in g] for g in groups}
        rank = {g[0]["id"]: i for i, g in enumerate(groups)}
        # data is parsed once here: the title column reads its translation on every paint; the time is the
        # finding's moment (the row it is about), the time every pane shows when it is picked
        rows = view.store.conn.execute(
            "SELECT severity, title, score, ts, rule_id, id, summary, remediation, data FROM findings f").fetchall()
        rows = sorted((r for r in rows if r[5] in rank), key=lambda r: rank[r[5]])
        moments = {r[5]: finding_moment(view.store, r[5]) for r in rows}
        # the moment's file ends the row: it says which clock the time is on while the case has no zone
        return [(*r[:3], moments[r[5]].ts, *r[4:self._DATA], finding_data(r[self._DATA]), moments[r[5]].file_id)
                for r in rows]

    def _texts(self, rec: tuple[Any, ...]) -> dict[str, str | None]:
        row = {column: rec[i] for column, i in self._TEXT_INDEX.items()}
        return finding_texts({**row, "data": rec[self._DATA]}, self._language)

    def display(self, rec: tuple[Any, ...], column: int) -> Any:
        if column == self.SCORE:
            return "" if rec[2] is None else f"{rec[2]:.2f}".rstrip("0").rstrip(".")
        if column == self.TIME:  # to the second: the title keeps the room in a narrow pane
            return self._view.format_ts(rec[3], micro=False, file_id=rec[self._DATA + 1]) \
                if self._view is not None and rec[3] is not None else ""
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
        members = self._members.get(rec[5], [rec[5]])
        evidence = group_evidence(self._view, members)
        also = []
        for r in self._view.store.conn.execute(
                f"SELECT id, title, summary, remediation, data FROM findings WHERE id IN ({','.join('?' * len(members))})",
                members).fetchall():
            if r[0] != rec[5]:
                also.append((members.index(r[0]), finding_texts({"title": r[1], "summary": r[2], "remediation": r[3],
                                                                 "data": finding_data(r[4])}, self._language)["title"]))
        return {"id": rec[5], "severity": rec[0], "title": texts["title"], "score": rec[2], "ts": rec[3],
                "rule_id": rec[4], "summary": texts["summary"], "remediation": texts["remediation"],
                "description": data.get("description") or "",
                "setupdiag": data.get("setupdiag") or None, "references": data.get("references") or [],
                "file": data.get("file"), "evidence": evidence, "members": members,
                "also": [t for _, t in sorted(also) if t]}

    def row_of_finding(self, finding_id: int) -> int | None:
        """The row showing ``finding_id``: its own, or its group's when it is told under another finding."""
        for row in range(len(self._rows)):
            if finding_id in self._members.get(self._rows[row][5], [self._rows[row][5]]):
                return row
        return None


def group_evidence(view: StoreView, members: list[int]) -> list[tuple[Any, ...]]:
    """The evidence rows (file id, line, time, text, path) of a group's findings, the head's first, each line
    once: one crash's every source."""
    rows = view.store.conn.execute(
        "SELECT e.file_id, e.line, e.ts, e.text, f.path, e.finding_id FROM evidence e LEFT JOIN files f ON "
        f"f.id = e.file_id WHERE e.finding_id IN ({','.join('?' * len(members))}) ORDER BY e.id", members).fetchall()
    rows = sorted(rows, key=lambda r: members.index(r[5]))
    seen: set[tuple[Any, Any, Any]] = set()
    out = []
    for r in rows:
        key = (r[0], r[1], None) if r[1] is not None else (r[0], None, r[3])  # a line once, whoever quoted it
        if key not in seen:
            seen.add(key)
            out.append(tuple(r[:5]))
    return out


class EvidenceModel(RowsModel):
    """The evidence rows of one finding (time, file:line, text), in the order the finding lists them."""

    TIME, WHERE, TEXT = range(3)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__([self.tr("Time"), self.tr("Where"), self.tr("Evidence")], parent)
        self.finding_id: int | None = None
        self.members: list[int] = []

    def show_finding(self, finding_id: int | None, members: list[int] | None = None) -> None:
        """The evidence of ``finding_id`` and of the findings told under it (``members``, head first)."""
        self.finding_id = finding_id
        self.members = list(members or ([] if finding_id is None else [finding_id]))
        self.refresh()

    def load(self, view: StoreView) -> list[tuple[Any, ...]]:
        if self.finding_id is None:
            return []
        return [(ts, path, line, text, file_id) for file_id, line, ts, text, path in group_evidence(view, self.members)]

    def display(self, rec: tuple[Any, ...], column: int) -> Any:
        if column == self.TIME:
            return self._view.format_ts(rec[0], file_id=rec[4]) if self._view is not None and rec[0] is not None else ""
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
