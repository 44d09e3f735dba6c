"""The comparison of a customer case's machines as a Qt table: one column per machine, one row per attribute.

Rows, top to bottom: the machine table of issue 17 (computer, OS, build from → to, verdict, phase, codes,
culprit with product and vendor, time of failure, collection time, upload), then the suspects common to the
failures, the other third-party software (versions shown, ✓ where a source names no version), and the
findings (one row per finding, a mark per machine). Section rows name each part. Everything comes from the
``workbench.compare/1`` object; the model holds no store.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont, QGuiApplication, QPalette

_INDEX = QModelIndex()


@dataclass
class Row:
    """One row: ``kind`` is field, section, suspect, software or finding; ``values`` one per machine."""

    kind: str
    label: str
    values: list[str]
    tooltip: str = ""
    key: str | None = None  # the field name or product/finding id


class ComparisonModel(QAbstractTableModel):
    """Rows of the comparison; columns are the machines (header: the machine's label and its outcome)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.comparison: dict[str, Any] | None = None
        self.rows: list[Row] = []
        self.language = "en"
        self.current: int | None = None  # the column of the machine the window shows
        self.section_titles = {"suspects": "Suspects common to the failures", "software": "Other third-party software",
                               "findings": "Findings"}

    def set_comparison(self, comparison: dict[str, Any] | None) -> None:
        self.beginResetModel()
        self.comparison = comparison
        self.rows = self._rows(comparison) if comparison else []
        self.endResetModel()

    def set_current(self, column: int | None) -> None:
        """Mark the machine every pane shows (its header is bold)."""
        if column == self.current:
            return
        self.current = column
        if self.columnCount():
            self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, self.columnCount() - 1)

    def machine(self, column: int) -> dict[str, Any] | None:
        machines = (self.comparison or {}).get("machines") or []
        return machines[column] if 0 <= column < len(machines) else None

    # ------------------------------------------------------------------------------------ rows

    def _pick(self, item: dict[str, Any], key: str) -> Any:
        if self.language == "zh":
            return item.get(f"{key}_zh") or item.get(key)
        return item.get(key)

    def _rows(self, c: dict[str, Any]) -> list[Row]:
        machines = c["machines"]
        rows: list[Row] = []
        labels = {f["field"]: self._pick(f, "label") for f in c["fields"]}
        zh = self.language == "zh"

        def field(name: str, values: list[Any]) -> None:
            rows.append(Row("field", labels[name], ["" if v in (None, "") else str(v) for v in values], key=name))

        field("computer", [m["computer"] for m in machines])
        field("os", [" ".join(x for x in (m["system"].get("os_name"), m["system"].get("os_version")) if x)
                     for m in machines])
        field("build", [f"{m['build_from'] or '?'} → {m['build_to'] or '?'}" for m in machines])
        field("state", [self._pick(m, "state_text") for m in machines])
        field("phase", [m["verdict"].get("phase_text_zh" if zh else "phase_text") for m in machines])
        field("code", [m["code"] or " - ".join(x for x in (m["result_code"], m["extend_code"]) if x) for m in machines])
        field("culprit", [(m["culprit"] or {}).get("module") for m in machines])
        def owner(m: dict[str, Any]) -> str:
            culprit = m["culprit"] or {}
            vendor = (culprit.get("vendor_zh") or culprit.get("vendor")) if zh else culprit.get("vendor")
            return ("、" if zh else ", ").join(x for x in (culprit.get("product"), vendor) if x)

        field("owner", [owner(m) for m in machines])
        field("failure_time", [m["failure_time"] for m in machines])
        field("collected", [m["collected"] for m in machines])
        field("upload", [self._pick(m, "upload_text") for m in machines])
        keys = [m["key"] for m in machines]

        def cells(product: dict[str, Any]) -> list[str]:
            out = []
            for k in keys:
                cell = product["machines"][k]
                text = ("/".join(cell["versions"]) or "✓") if cell["present"] else "—"
                if cell["culprit"]:
                    text += " ⚠"
                out.append(text)
            return out

        suspects = c["common_suspects"]
        rows.append(Row("section", self.section_titles["suspects"], [""] * len(keys)))
        if not suspects:
            rows.append(Row("suspect", "—", [""] * len(keys), tooltip=self._pick(c, "summary") or ""))
        for p in suspects:
            rows.append(Row("suspect", self._pick(p, "label"), cells(p), "\n".join(self._pick(p, "reasons") or []),
                            p["id"]))
        others = [p for p in c["software"] if not p["common_to_failures"]]
        if others:
            rows.append(Row("section", self.section_titles["software"], [""] * len(keys)))
            for p in others:
                rows.append(Row("software", self._pick(p, "label"), cells(p),
                                "\n".join([", ".join(p["modules"]), *(self._pick(p, "reasons") or [])]), p["id"]))
        if c["findings"]:
            rows.append(Row("section", self.section_titles["findings"], [""] * len(keys)))
            for f in c["findings"]:
                rows.append(Row("finding", (f.get("title_zh") or f["title"]) if zh else f["title"],
                                ["✓" if k in f["machines"] else "" for k in keys], f["id"], f["id"]))
        return rows

    # ------------------------------------------------------------------------------------ Qt

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = _INDEX) -> int:  # noqa: N802 (Qt API)
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = _INDEX) -> int:  # noqa: N802 (Qt API)
        return 0 if parent.isValid() or self.comparison is None else len(self.comparison["machines"])

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802 (Qt API)
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Vertical:
            if not 0 <= section < len(self.rows):
                return None
            row = self.rows[section]
            if role == Qt.ItemDataRole.DisplayRole:
                return row.label
            if role == Qt.ItemDataRole.ToolTipRole:
                return row.tooltip or row.label
            if role == Qt.ItemDataRole.FontRole and row.kind in ("section", "suspect"):
                font = QFont()
                font.setBold(True)
                return font
            return None
        m = self.machine(section)
        if m is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{m['label']}\n{self._pick(m, 'outcome_text')}"
        if role == Qt.ItemDataRole.ToolTipRole:
            return "\n".join(x for x in (m["source"], self._pick(m["verdict"], "summary"), m.get("error")) if x)
        if role == Qt.ItemDataRole.FontRole and section == self.current:
            font = QFont()
            font.setBold(True)
            font.setUnderline(True)
            return font
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        row = self.rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return row.values[index.column()] if index.column() < len(row.values) else None
        if role == Qt.ItemDataRole.ToolTipRole:
            return row.tooltip or None
        if role == Qt.ItemDataRole.BackgroundRole and row.kind == "section":
            return QGuiApplication.palette().brush(QPalette.ColorRole.Midlight)  # the theme's own shade
        if role == Qt.ItemDataRole.FontRole and (row.kind == "suspect" or index.column() == self.current):
            font = QFont()
            font.setBold(row.kind == "suspect" and row.values[index.column()] not in ("", "—"))
            return font
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
