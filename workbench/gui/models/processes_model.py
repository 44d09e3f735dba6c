"""The Procmon process tree, a process's modules and the interference findings, as Qt models.

The tree comes from :func:`workbench.core.processes.process_tree`: a capture holds hundreds of processes,
not millions, so the whole tree is read once per case. Nodes are keyed by ``(file_id, process)`` (Procmon's
process index, never the PID alone); processes whose parent is not in the capture hang under the core's
"unknown parent" node. Times are kept as UTC µs (a CSV capture written in local time is put on the case
clock here), so "the process alive at the cursor" is a comparison, not a conversion per row.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QGuiApplication,
    QIcon,
    QPainter,
    QPixmap,
    QStandardItem,
    QStandardItemModel,
)

from workbench.core.processes import ProcessNode, hex32, in_windows_folders, is_microsoft, process_tree
from workbench.gui.models.store_view import StoreView
from workbench.gui.theme import color, palette_is_dark

(P_NAME, P_PID, P_EXIT, P_MARKS, P_START, P_END, P_LIFETIME, P_FILE, P_REGISTRY, P_PROCESS, P_NETWORK,
 P_PROFILING, P_OTHER, P_COMPANY, P_DESCRIPTION, P_VERSION, P_USER, P_INTEGRITY, P_COMMAND, P_IMAGE) = range(20)
#: event-count columns and the key of :attr:`ProcessNode.counts` each shows
COUNT_COLUMNS = {P_FILE: "file", P_REGISTRY: "registry", P_PROCESS: "process", P_NETWORK: "network",
                 P_PROFILING: "profiling", P_OTHER: "other"}
#: exit statuses engineers meet in failed upgrades, named in the exit column's tooltip
STATUS_NAMES = {
    0x00000000: "success",
    0x00000001: "exit code 1",
    0x80000003: "STATUS_BREAKPOINT",
    0x8007001F: "ERROR_GEN_FAILURE (a device attached to the system is not functioning)",
    0x80070005: "E_ACCESSDENIED",
    0x80070020: "ERROR_SHARING_VIOLATION",
    0xC0000005: "STATUS_ACCESS_VIOLATION (a crash)",
    0xC0000017: "STATUS_NO_MEMORY",
    0xC000001D: "STATUS_ILLEGAL_INSTRUCTION",
    0xC0000022: "STATUS_ACCESS_DENIED",
    0xC0000094: "STATUS_INTEGER_DIVIDE_BY_ZERO",
    0xC00000FD: "STATUS_STACK_OVERFLOW",
    0xC0000135: "STATUS_DLL_NOT_FOUND",
    0xC0000139: "STATUS_ENTRYPOINT_NOT_FOUND",
    0xC000013A: "STATUS_CONTROL_C_EXIT",
    0xC0000142: "STATUS_DLL_INIT_FAILED",
    0xC0000374: "STATUS_HEAP_CORRUPTION",
    0xC0000409: "STATUS_STACK_BUFFER_OVERRUN (fail-fast)",
    0xC0000602: "STATUS_FAIL_FAST_EXCEPTION",
    0xC1900101: "setup rollback (a driver failed)",
}


def status_text(status: int | None) -> str:
    """``0xC0000005 STATUS_ACCESS_VIOLATION (a crash)``: the hex engineers search for plus its meaning."""
    code = hex32(status)
    if code is None:
        return ""
    name = STATUS_NAMES.get(status & 0xFFFFFFFF) if status is not None else None
    return f"{code} {name}" if name else code


def lifetime_text(seconds: float | None) -> str:
    """A lifetime short enough for a column: ``850 ms``, ``12.5 s``, ``3 min 04 s``, ``2 h 05 min``."""
    if seconds is None:
        return ""
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, secs = divmod(int(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {secs:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def _badge(fill: QColor, letter: str) -> QIcon:
    """A small coloured badge with a letter: the mark stays readable for colour-blind users."""
    pix = QPixmap(16, 16)
    pix.fill(Qt.GlobalColor.transparent)
    p = QPainter(pix)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setBrush(fill)
    p.setPen(Qt.PenStyle.NoPen)
    p.drawRoundedRect(1, 1, 14, 14, 4, 4)
    if letter:
        font = QFont()
        font.setPixelSize(10)
        font.setBold(True)
        p.setFont(font)
        p.setPen(color("badge_fg"))
        p.drawText(pix.rect(), Qt.AlignmentFlag.AlignCenter, letter)
    p.end()
    return QIcon(pix)


_ICONS: dict[str, QIcon] = {}


def mark_icon(kind: str) -> QIcon:
    """The badge of a mark (``setup``, ``third-party``, ``both``, ``plain``, ``unknown``), made once (a
    QPixmap needs the QGuiApplication, so not at import time)."""
    key = f"{kind}:{palette_is_dark()}"  # one set of badges per theme
    icon = _ICONS.get(key)
    if icon is None:
        if QGuiApplication.instance() is None:  # a model used headless (scripts): no pixmaps without an app
            return QIcon()
        name, letter = {"setup": ("setup", "S"), "third-party": ("third_party", "3"), "both": ("error", "!"),
                        "suspect": ("error", "!"), "unknown": ("muted", "?")}.get(kind, ("muted", ""))
        icon = _ICONS[key] = _badge(color(name), letter)
    return icon


def mark_kind(item: ProcessItem) -> str:
    """Which badge a process gets: Setup family, a suspect (a third-party process the findings blame: the
    injector of a DLL into Setup, one denying Setup its files), third-party, both (a Setup name from another
    vendor), plain."""
    n = item.node
    if item.placeholder:
        return "unknown"
    if n.setup and n.third_party:
        return "both"
    if n.suspect:
        return "suspect"
    return "setup" if n.setup else "third-party" if n.third_party else "plain"


@dataclass(eq=False)
class ProcessItem:
    """A tree node: the core's process plus its UTC times and its place in the tree."""

    node: ProcessNode
    start: int | None
    end: int | None
    parent: ProcessItem | None = None
    row: int = 0
    children: list[ProcessItem] = field(default_factory=list)

    @property
    def key(self) -> tuple[int, int]:
        return self.node.key

    @property
    def placeholder(self) -> bool:
        """The "unknown parent" node, which is not a process."""
        return self.node.process == -1

    def alive_at(self, ts: int) -> bool:
        return self.start is not None and self.start <= ts and (self.end is None or ts <= self.end)


class ProcessesModel(QAbstractItemModel):
    """Processes per capture, children under their parent, ordered by start time."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._headers = [
            self.tr("Process"), self.tr("PID"), self.tr("Exit status"), self.tr("Marks"), self.tr("Start"),
            self.tr("End"), self.tr("Lifetime"), self.tr("File"), self.tr("Registry"), self.tr("Process"),
            self.tr("Network"), self.tr("Profiling"), self.tr("Other"), self.tr("Company"), self.tr("Description"),
            self.tr("Version"), self.tr("User"), self.tr("Integrity"), self.tr("Command line"),
            self.tr("Image path")]
        self._roots: list[ProcessItem] = []
        self._all: list[ProcessItem] = []
        self._by_key: dict[tuple[int, int], ProcessItem] = {}
        self._bounds: dict[int, tuple[int, int]] = {}  # per capture: (first, last) event time, UTC µs
        self._view: StoreView | None = None

    @property
    def view(self) -> StoreView | None:
        return self._view

    def set_view(self, view: StoreView | None) -> None:
        """Read the tree of another case (or none)."""
        self.beginResetModel()
        self._view = view
        self._roots, self._all, self._by_key, self._bounds = [], [], {}, {}
        if view is not None:
            self._roots = self._wrap(process_tree(view.store), None)
            self._by_key = {i.key: i for i in self._all if not i.placeholder}
            self._bounds = self._capture_bounds(view)
        self.endResetModel()

    def _utc(self, us: int | None, basis: str) -> int | None:
        return self._view.times.stored(us, basis) if self._view is not None else us

    def _wrap(self, nodes: list[ProcessNode], parent: ProcessItem | None) -> list[ProcessItem]:
        items = []
        for row, node in enumerate(nodes):
            item = ProcessItem(node, self._utc(node.start, node.basis), self._utc(node.end, node.basis), parent, row)
            self._all.append(item)
            item.children = self._wrap(node.children, item)
            items.append(item)
        return items

    def _capture_bounds(self, view: StoreView) -> dict[int, tuple[int, int]]:
        """First and last event time of each capture, from two index lookups per capture (the first and
        last line any process has), so the cursor can tell whether it is inside a capture."""
        out: dict[int, tuple[int, int]] = {}
        conn = view.store.conn
        for fid, lo, hi in conn.execute("SELECT file_id, min(first_line), max(last_line) FROM procmon_processes "
                                        "GROUP BY file_id").fetchall() if self._all else []:
            if lo is None or hi is None:
                continue
            a = conn.execute("SELECT ts FROM timeline WHERE file_id = ? AND line = ?", (fid, lo)).fetchone()
            b = conn.execute("SELECT ts FROM timeline WHERE file_id = ? AND line = ?", (fid, hi)).fetchone()
            if a and b and a[0] is not None and b[0] is not None:
                out[int(fid)] = (min(a[0], b[0]), max(a[0], b[0]))
        return out

    # ----------------------------------------------------------------------------------- Qt model API

    def _item(self, index: QModelIndex | QPersistentModelIndex) -> ProcessItem | None:
        return index.internalPointer() if index.isValid() else None

    def index(self, row: int, column: int,
              parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> QModelIndex:  # noqa: B008
        if column < 0 or column >= len(self._headers):
            return QModelIndex()
        if parent.isValid() and parent.column() != 0:
            return QModelIndex()
        siblings = self._item(parent).children if parent.isValid() else self._roots
        if 0 <= row < len(siblings):
            return self.createIndex(row, column, siblings[row])
        return QModelIndex()

    def parent(self, index: QModelIndex | QPersistentModelIndex = QModelIndex()) -> QModelIndex:  # type: ignore[override]  # noqa: B008,E501
        item = self._item(index)
        if item is None or item.parent is None:
            return QModelIndex()
        return self.createIndex(item.parent.row, 0, item.parent)

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        if parent.isValid():
            return len(self._item(parent).children) if parent.column() == 0 else 0
        return len(self._roots)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return len(self._headers)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self._headers):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self._headers[section]
        if role == Qt.ItemDataRole.ToolTipRole and section in COUNT_COLUMNS:
            return self.tr("Events of this class in the capture")
        return None

    def display(self, item: ProcessItem, col: int) -> str:
        """The text of one cell (also what Copy puts on the clipboard)."""
        n = item.node
        if item.placeholder:
            if col == P_NAME:
                pids = sorted({c.node.parent_pid for c in item.children if c.node.parent_pid})
                return self.tr("unknown parent") + (f" (PID {', '.join(map(str, pids))})" if pids else "")
            return ""
        if col == P_NAME:
            return n.name
        if col == P_PID:
            return "" if n.pid is None else str(n.pid)
        if col == P_EXIT:
            return hex32(n.exit_status) or ""
        if col == P_MARKS:
            return ", ".join(self.mark_names(n))
        if col in (P_START, P_END):
            us = item.start if col == P_START else item.end
            return self._view.format_ts(us, basis=n.basis) if self._view is not None and us is not None else ""
        if col == P_LIFETIME:
            return lifetime_text(n.lifetime_s)
        if col in COUNT_COLUMNS:
            value = n.counts.get(COUNT_COLUMNS[col])
            return f"{value:,}" if value else ""
        return {P_COMPANY: n.company, P_DESCRIPTION: n.description, P_VERSION: n.version, P_USER: n.user,
                P_INTEGRITY: n.integrity, P_COMMAND: n.command_line, P_IMAGE: n.image}.get(col, "")

    def mark_names(self, n: ProcessNode) -> list[str]:
        """The node's marks in the interface's language."""
        names = {"setup": self.tr("setup"), "third-party": self.tr("third-party"), "suspect": self.tr("suspect"),
                 "abnormal-exit": self.tr("abnormal-exit")}
        return [names.get(m, m) for m in n.marks]

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        item = self._item(index)
        if item is None:
            return None
        n = item.node
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self.display(item, col)
        if role == Qt.ItemDataRole.DecorationRole and col == P_NAME:
            if item.placeholder:
                return mark_icon("unknown")
            return mark_icon(mark_kind(item))
        if role == Qt.ItemDataRole.ToolTipRole:
            if item.placeholder:
                return self.tr("These processes were started by a process that had exited before the capture "
                               "began (or is not in it).")
            if col == P_NAME:
                return "\n".join(t for t in (n.image, n.description, ", ".join(self.mark_names(n))) if t) or None
            if col == P_EXIT:
                return status_text(n.exit_status) or (self.tr("still running at the end of the capture")
                                                      if n.end is None else None)
            if col in (P_COMMAND, P_IMAGE, P_DESCRIPTION):
                return self.display(item, col) or None
            return None
        if role == Qt.ItemDataRole.ForegroundRole:
            if item.placeholder:
                return color("muted")
            if col == P_EXIT and n.abnormal_exit:
                return color("abnormal_fg")
            if n.third_party:
                return color("third_party")
            if n.setup and col == P_NAME:
                return color("setup")
            return None
        if role == Qt.ItemDataRole.BackgroundRole and col == P_EXIT and n.abnormal_exit:
            return QBrush(color("abnormal_bg"))
        if role == Qt.ItemDataRole.FontRole:
            if item.placeholder:
                font = QFont()
                font.setItalic(True)
                return font
            if ((n.setup or n.suspect) and col == P_NAME) or (col == P_EXIT and n.abnormal_exit):
                font = QFont()
                font.setBold(True)
                return font
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole and (col in COUNT_COLUMNS or col in (P_PID, P_LIFETIME)):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    # ----------------------------------------------------------------------------------- lookups

    def item(self, index: QModelIndex | QPersistentModelIndex) -> ProcessItem | None:
        return self._item(index)

    def items(self) -> list[ProcessItem]:
        """Every node, depth first (the placeholders included)."""
        return list(self._all)

    def by_key(self, key: tuple[int, int]) -> ProcessItem | None:
        return self._by_key.get((int(key[0]), int(key[1])))

    def index_of(self, item: ProcessItem, column: int = 0) -> QModelIndex:
        return self.createIndex(item.row, column, item)

    def process_of_event(self, file_id: int | None, line: int | None) -> ProcessItem | None:
        """The process that wrote Procmon event ``line`` of capture ``file_id`` (None for other sources)."""
        if self._view is None or file_id is None or line is None or file_id not in self._bounds:
            return None
        row = self._view.store.conn.execute("SELECT process FROM procmon_events WHERE file_id = ? AND line = ?",
                                            (file_id, line)).fetchone()
        return self.by_key((file_id, row[0])) if row and row[0] is not None else None

    def nearest_event(self, ts: int) -> tuple[int, int] | None:
        """(file_id, line) of the Procmon event at or just before ``ts`` in a capture spanning ``ts``."""
        if self._view is None:
            return None
        conn = self._view.store.conn
        for fid, (lo, hi) in self._bounds.items():
            if not lo <= ts <= hi:
                continue
            # the ts index walks back from the cursor and stops at the first row of this capture (a second
            # sort key would make SQLite sort the whole range); then the first event at that time
            at = conn.execute("SELECT ts FROM timeline WHERE +file_id = ? AND ts BETWEEN ? AND ? "
                              "ORDER BY ts DESC LIMIT 1", (fid, lo, ts)).fetchone()
            if at is None:
                continue
            row = conn.execute("SELECT line FROM timeline WHERE +file_id = ? AND ts = ? ORDER BY id LIMIT 1",
                               (fid, at[0])).fetchone()
            if row is not None and row[0] is not None:
                return fid, int(row[0])
        return None

    def alive_at(self, ts: int) -> ProcessItem | None:
        """The process to show for the moment ``ts``: the one whose event is at (or just before) ``ts`` when
        it is still alive then; otherwise the running process that started last (the most specific one);
        None when no process of a capture is alive then, or the moment is outside every capture: a process
        that had exited by then, or one the capture last saw hours before, is not "at this moment"."""
        near = self.nearest_event(ts)
        if near is not None:
            item = self.process_of_event(*near)
            if item is not None and (item.start is None or item.alive_at(ts)):
                return item
        # only inside the span a capture covers: after its end nothing says who still ran
        spans = {fid for fid, (lo, hi) in self._bounds.items() if lo <= ts <= hi}
        alive = [i for i in self._all if not i.placeholder and i.start is not None and i.node.file_id in spans
                 and i.alive_at(ts)]
        return max(alive, key=lambda i: (i.start, i.node.process)) if alive else None

    def capture_span(self) -> tuple[int, int] | None:
        """The first and last event time over every capture (UTC µs), None without one."""
        if not self._bounds:
            return None
        return min(lo for lo, _ in self._bounds.values()), max(hi for _, hi in self._bounds.values())

    def rows_as_text(self, items: list[ProcessItem]) -> str:
        """Processes as tab-separated text, the way they read on screen, for the clipboard."""
        return "\n".join("\t".join(self.display(i, c) for c in range(len(self._headers))) for i in items)


class ModulesModel(QAbstractTableModel):
    """The modules Procmon recorded for one process (PML process table, XML process list)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._headers = [self.tr("Module"), self.tr("Company"), self.tr("Version"), self.tr("Description"),
                         self.tr("Base"), self.tr("Size"), self.tr("Path")]
        self._rows: list[tuple[Any, ...]] = []

    def show(self, view: StoreView | None, key: tuple[int, int] | None) -> None:
        """Read the modules of process ``key`` (or none)."""
        self.beginResetModel()
        self._rows = []
        if view is not None and key is not None and view.store.scalar(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'procmon_modules'"):
            self._rows = [tuple(r) for r in view.store.conn.execute(
                "SELECT path, company, version, description, base, size FROM procmon_modules "
                "WHERE file_id = ? AND process = ? ORDER BY path COLLATE NOCASE", key)]
            # what was injected into the process is what an engineer is looking for: not Microsoft's first
            self._rows.sort(key=lambda r: not self.third_party(r))
        self.endResetModel()

    @staticmethod
    def third_party(rec: tuple[Any, ...]) -> bool:
        """Not Microsoft's: a company that is not Microsoft, or no company and a path outside Windows."""
        path, company = rec[0] or "", rec[1] or ""
        return (bool(company) and not is_microsoft(company)) or (not company and bool(path)
                                                                  and not in_windows_folders(path))

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._headers)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal \
                and 0 <= section < len(self._headers):
            return self._headers[section]
        return None

    def display(self, rec: tuple[Any, ...], col: int) -> str:
        path = rec[0] or ""
        if col == 0:
            return path.replace("/", "\\").rsplit("\\", 1)[-1]
        if col == 5:
            return f"0x{rec[5]:x}" if isinstance(rec[5], int) else ""
        if col == 6:
            return path
        value = rec[{1: 1, 2: 2, 3: 3, 4: 4}[col]]
        return "" if value is None else str(value)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        rec = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self.display(rec, index.column())
        if role == Qt.ItemDataRole.ToolTipRole and index.column() in (0, 6):
            return rec[0]
        if role == Qt.ItemDataRole.ForegroundRole and self.third_party(rec):
            return color("third_party")
        return None

    def rows_as_text(self, rows: list[int]) -> str:
        return "\n".join("\t".join(self.display(self._rows[r], c) for c in range(len(self._headers)))
                         for r in sorted(set(rows)) if 0 <= r < len(self._rows))


#: what each procmon.* rule means, as the interference view's first column says it
RULE_LABELS = {
    "procmon.third_party_module_in_setup": "Third-party module in Setup",
    "procmon.third_party_touches_setup": "Third-party process on Setup's files",
    "procmon.setup_access_denied": "Denied / sharing violation",
    "procmon.setup_abnormal_exit": "Before an abnormal exit",
}
RULE_ORDER = list(RULE_LABELS)
I_WHAT, I_PROCESS, I_SEVERITY, I_TIME, I_TEXT = range(5)
ROLE_TARGET = Qt.ItemDataRole.UserRole + 1  # dict: finding/evidence id, process key, ts, file_id, line


class InterferenceModel(QStandardItemModel):
    """The ``procmon.*`` findings of the case, grouped by rule, each with its evidence events as children.

    The findings are computed once by the core at ingest (:mod:`workbench.core.processes`); this view only
    arranges them so an engineer sees who got in Setup's way and can click through to each event.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._labels = [self.tr("What"), self.tr("Process"), self.tr("Severity"), self.tr("Time"),
                        self.tr("Finding / event")]
        self.setHorizontalHeaderLabels(self._labels)
        self.findings = 0

    def set_view(self, view: StoreView | None, processes: ProcessesModel | None = None) -> None:
        """Read the findings of another case (or none); ``processes`` names the process of each."""
        self.clear()
        self.setHorizontalHeaderLabels(self._labels)
        self.findings = 0
        if view is None:
            return
        rows = view.store.conn.execute(
            "SELECT id, rule_id, title, severity, summary, ts, data FROM findings WHERE rule_id LIKE 'procmon.%' "
            "ORDER BY score DESC, id").fetchall()
        rows.sort(key=lambda r: RULE_ORDER.index(r[1]) if r[1] in RULE_ORDER else len(RULE_ORDER))
        for fid, rule, title, severity, summary, ts, data in rows:
            try:
                raw = json.loads(data or "{}").get("process") or []
            except (ValueError, AttributeError):
                raw = []
            key = (int(raw[0]), int(raw[1])) if len(raw) == 2 else None
            proc = processes.by_key(key) if processes is not None and key is not None else None
            evidence = view.store.conn.execute("SELECT file_id, line, ts, text FROM evidence WHERE finding_id = ? "
                                               "ORDER BY id", (fid,)).fetchall()
            first = next((e for e in evidence if e[1] is not None), None)
            when = ts if ts is not None else (first[2] if first is not None else None)
            target = {"finding_id": fid, "process": key, "ts": when, "file_id": first[0] if first else None,
                      "line": first[1] if first else None}
            name = f"{proc.node.name} ({proc.node.pid})" if proc is not None else ""
            cells = [self.tr(RULE_LABELS.get(rule, rule)), name, severity, view.format_ts(when), title]
            parent = [self._cell(text, target) for text in cells]
            parent[I_TEXT].setToolTip(summary or title)
            mark = color("error") if severity in ("high", "critical") else color("third_party")
            parent[I_SEVERITY].setForeground(QBrush(mark))
            if proc is not None:
                parent[I_PROCESS].setIcon(mark_icon(mark_kind(proc)))
            for e_fid, line, e_ts, text in evidence:
                child_proc = processes.process_of_event(e_fid, line) if processes is not None else None
                child_target = {"finding_id": fid, "process": child_proc.key if child_proc else key, "ts": e_ts,
                                "file_id": e_fid, "line": line}
                cname = f"{child_proc.node.name} ({child_proc.node.pid})" if child_proc is not None else ""
                kids = [self._cell(t, child_target) for t in
                        (self.tr("event") if line is not None else self.tr("note"), cname, "",
                         view.format_ts(e_ts), text or "")]
                kids[I_TEXT].setToolTip(text or "")
                if child_proc is not None:
                    kids[I_PROCESS].setIcon(mark_icon(mark_kind(child_proc)))
                parent[0].appendRow(kids)
            self.appendRow(parent)
            self.findings += 1

    @staticmethod
    def _cell(text: str, target: dict[str, Any]) -> QStandardItem:
        cell = QStandardItem(text)
        cell.setEditable(False)
        cell.setData(target, ROLE_TARGET)
        return cell

    def target(self, index: QModelIndex | QPersistentModelIndex) -> dict[str, Any] | None:
        """Where a row points: the finding or event's process key, time, file and line."""
        if not index.isValid():
            return None
        value = self.data(index.siblingAtColumn(0), ROLE_TARGET)
        return value if isinstance(value, dict) else None

