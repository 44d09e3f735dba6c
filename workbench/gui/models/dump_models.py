"""What the crash-dump pane shows, read from the dump detail tables the core wrote.

The core (``workbench.core.dumps``) already decided the stack, the culprit and why; these models only read
``dump_summary``, ``dump_frames`` and ``dump_drivers`` for one crash source at a time (a case holds a handful
of dumps, a stack has tens of frames, a driver list a few hundred rows), so each model reads its rows once
into a list. The link finders below look for the rows elsewhere in the case that explain a module (its
setupapi install sections, its Procmon activity) and the timeline rows around the crash, so a click can move
the shared cursor there.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtGui import QFont

from workbench.core.dumps.analyze import setup_window
from workbench.core.dumps.record import WEIGHT_IN_SETUP_WINDOW, WEIGHT_TEXT_OF_UPGRADE_DUMP
from workbench.core.store import CaseStore
from workbench.gui.models.rows import RowsModel
from workbench.gui.models.store_view import StoreView
from workbench.gui.theme import color

#: Sort key role of the sortable tables: numbers sort as numbers, not as their hex text.
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
NEAR_CRASH_US = 15 * 60 * 1_000_000  # "near the crash": a quarter of an hour either side
PROCMON_LINKS = 12
NEAR_LINKS = 10

#: Well-known NTSTATUS codes a crash's exception code is usually one of (ntstatus.h), to say it in words.
NTSTATUS = {
    0xC0000005: "STATUS_ACCESS_VIOLATION", 0x80000003: "STATUS_BREAKPOINT",
    0x80000002: "STATUS_DATATYPE_MISALIGNMENT", 0xC000001D: "STATUS_ILLEGAL_INSTRUCTION",
    0xC0000094: "STATUS_INTEGER_DIVIDE_BY_ZERO", 0xC00000FD: "STATUS_STACK_OVERFLOW",
    0xC0000409: "STATUS_STACK_BUFFER_OVERRUN", 0xC0000374: "STATUS_HEAP_CORRUPTION",
    0xC0000006: "STATUS_IN_PAGE_ERROR", 0xC0000420: "STATUS_ASSERTION_FAILURE",
}


def ntstatus_name(value: str | int | None) -> str | None:
    """The ntstatus.h name of an exception code given as hex text or int (the 64-bit sign-extended form of a
    bugcheck parameter included), or None when it is not one of the common ones."""
    if value is None:
        return None
    try:
        number = int(value, 16) if isinstance(value, str) else int(value)
    except ValueError:
        return None
    return NTSTATUS.get(number & 0xFFFFFFFF) if number >> 32 in (0, 0xFFFFFFFF) else None


def _hex_int(text: str | None) -> int | None:
    try:
        return None if text in (None, "") else int(str(text), 16)
    except ValueError:
        return None


def _has_table(store: CaseStore, name: str) -> bool:
    return bool(store.scalar("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)))


def module_stem(name: str) -> str:
    """``lwfmgr.sys`` → ``lwfmgr``: setupapi and Procmon name a driver by its service or INF name as often as
    by its file name, and the stem matches all three."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    stem = base.rsplit(".", 1)[0] if "." in base else base
    return stem or base


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


# ------------------------------------------------------------------------------------------------ dumps


@dataclass(frozen=True)
class DumpInfo:
    """One crash source of the case (``dump_summary`` row) and whether it belongs to the upgrade.

    ``why`` says why it counts (``path``: Setup's own rollback dump; ``window``: it crashed while the setup
    logs ran; ``text``: an engineer's WinDbg analysis of setupmem.dmp; ``only``: the strongest crash source of a
    case without setup logs; ``""``: not the upgrade's). ``time_from`` names the row the crash time was taken
    from when the source itself has none (a WinDbg text without its "Debug session time").
    """

    file_id: int
    path: str
    source_kind: str
    dump_type: str | None
    arch: str | None
    os_build: int | None
    crash_ts: int | None
    bugcheck_code: str | None
    bugcheck_name: str | None
    parameters: list[str]
    meanings: list[str] | None
    exception_code: str | None
    exception_address: str | None
    process_name: str | None
    culprit: str | None
    culprit_reason: str | None
    stack_quality: list[str]
    weight: int
    related: bool
    why: str
    time_from: dict[str, Any] | None = None
    rank: int = field(default=0, compare=False)

    @property
    def name(self) -> str:
        return self.path.replace("::", "/").replace("\\", "/").rsplit("/", 1)[-1]


def load_dumps(store: CaseStore) -> list[DumpInfo]:
    """Every crash source in the case, the upgrade's first, by the same rule as the analyze hook
    (:mod:`workbench.core.dumps.analyze`): path, then crash time inside the setup logs' span, then weight."""
    if not _has_table(store, "dump_summary"):
        return []
    rows = store.query("SELECT d.*, f.path AS path FROM dump_summary d JOIN files f ON f.id = d.file_id "
                       "ORDER BY d.file_id")
    if not rows:
        return []
    window = setup_window(store)
    weighed = []
    for r in rows:
        weight, why = int(r["weight"] or 0), ""
        if r["upgrade_path"]:
            why = "path"
        in_window = window is not None and r["crash_ts"] is not None and window[0] <= r["crash_ts"] <= window[1]
        if in_window and r["source_kind"] == "kernel_dump" and weight < WEIGHT_IN_SETUP_WINDOW:
            weight, why = WEIGHT_IN_SETUP_WINDOW, "window"
        elif not why and r["source_kind"] == "windbg_text" and weight >= WEIGHT_TEXT_OF_UPGRADE_DUMP:
            why = "text"
        weighed.append((weight, r["crash_ts"] or 0, r, why))
    weighed.sort(key=lambda t: (t[0], t[1]), reverse=True)
    blamable = [t for t in weighed if t[2]["bugcheck_code"] or t[2]["culprit"]]
    top_weight = blamable[0][0] if blamable else None
    out = []
    for rank, (weight, _ts, r, why) in enumerate(weighed):
        blames = bool(r["bugcheck_code"] or r["culprit"])
        related = blames and (weight >= WEIGHT_IN_SETUP_WINDOW or (window is None and weight == top_weight))
        if related and not why:
            why = "only"
        if not related:
            why = ""
        crash_ts, time_from = r["crash_ts"], None
        if crash_ts is None and related and r["bugcheck_code"]:
            time_from = _crash_time_from_logs(store, r["bugcheck_code"], r["file_id"])
            crash_ts = time_from["ts"] if time_from else None
        out.append(DumpInfo(
            file_id=r["file_id"], path=r["path"], source_kind=r["source_kind"], dump_type=r["dump_type"],
            arch=r["arch"], os_build=r["os_build"], crash_ts=crash_ts, bugcheck_code=r["bugcheck_code"],
            bugcheck_name=r["bugcheck_name"], parameters=json.loads(r["parameters"]) if r["parameters"] else [],
            meanings=json.loads(r["parameter_meanings"]) if r["parameter_meanings"] else None,
            exception_code=r["exception_code"], exception_address=r["exception_address"],
            process_name=r["process_name"], culprit=r["culprit"], culprit_reason=r["culprit_reason"],
            stack_quality=json.loads(r["stack_quality"]) if r["stack_quality"] else [], weight=weight,
            related=related, why=why, time_from=time_from, rank=rank))
    return out


def _crash_time_from_logs(store: CaseStore, code: str, own_file: int) -> dict[str, Any] | None:
    """When a debugger text carries no crash time: the row where the setup logs report the same bugcheck
    (``crash.bugcheck_code`` fact with a time, e.g. the rollback setupact.log's "Crash 0x0000007E detected")."""
    row = store.conn.execute(
        "SELECT fa.ts, fa.file_id, fa.line, fa.text, f.path FROM facts fa LEFT JOIN files f ON f.id = fa.file_id "
        "WHERE fa.name = 'crash.bugcheck_code' AND upper(fa.value) = upper(?) AND fa.ts IS NOT NULL "
        "AND fa.file_id IS NOT ? ORDER BY fa.weight DESC, fa.ts LIMIT 1", (code, own_file)).fetchone()
    if row is None:
        return None
    return {"ts": row[0], "file_id": row[1], "line": row[2], "text": row[3], "path": row[4]}


# ------------------------------------------------------------------------------------------------ links


@dataclass(frozen=True)
class Link:
    """A row elsewhere in the case that a click moves the shared cursor to."""

    group: str  # setupapi | procmon | module | near | crash
    text: str
    ts: int | None
    row_id: int | None = None
    file_id: int | None = None
    line: int | None = None
    level: str | None = None
    path: str | None = None


def _row_at(store: CaseStore, file_id: int | None, line: int | None) -> tuple[int | None, int | None]:
    """(timeline id, ts) of the first timeline row of a source line, or (None, None)."""
    if file_id is None or line is None:
        return None, None
    row = store.conn.execute("SELECT id, ts FROM timeline WHERE file_id = ? AND line = ? ORDER BY id LIMIT 1",
                             (file_id, line)).fetchone()
    return (row[0], row[1]) if row is not None else (None, None)


def setupapi_links(store: CaseStore, module: str) -> list[Link]:
    """The setupapi install sections that name the module (title, device, INF, last line) or whose body lines
    mention it, in file order; each links to the section's opening line."""
    if not _has_table(store, "setupapi_sections"):
        return []
    like = _like(module_stem(module))
    columns = ("title", "device", "description", "inf", "inf_original", "last_text")
    own = " OR ".join(f"s.{c} LIKE ? ESCAPE '\\'" for c in columns)
    rows = store.conn.execute(
        "SELECT s.file_id, s.line, s.title, s.status, s.state, s.exit_code, s.driver_version, f.path "
        f"FROM setupapi_sections s LEFT JOIN files f ON f.id = s.file_id WHERE {own} OR EXISTS ("
        "SELECT 1 FROM timeline t WHERE t.file_id = s.file_id "
        "AND t.line BETWEEN s.line AND coalesce(s.end_line, s.last_line, s.line) AND t.message LIKE ? ESCAPE '\\')"
        " ORDER BY s.file_id, s.line", (*([like] * len(columns)), like)).fetchall()
    links = []
    for file_id, line, title, status, state, exit_code, version, path in rows:
        row_id, ts = _row_at(store, file_id, line)
        outcome = ", ".join(str(x) for x in (status, state, exit_code) if x not in (None, ""))
        text = (title or "") + (f" [{outcome}]" if outcome else "") + (f" (driver {version})" if version else "")
        level = "error" if (status or "").lower() not in ("success", "") else None
        links.append(Link("setupapi", text, ts, row_id, file_id, line, level, path))
    return links


def procmon_links(store: CaseStore, module: str, limit: int = PROCMON_LINKS) -> tuple[list[Link], int]:
    """Procmon rows about the module: the processes that had it loaded (``procmon_modules``), then file and
    registry operations whose path mentions it (its image, its service key), in time order. Returns the first
    ``limit`` operations and how many there are in all."""
    links: list[Link] = []
    stem_like = _like(module_stem(module))
    if _has_table(store, "procmon_modules") and _has_table(store, "procmon_processes"):
        file_like = _like("\\" + module.replace("/", "\\").rsplit("\\", 1)[-1])
        rows = store.conn.execute(
            "SELECT DISTINCT m.file_id, m.path, m.company, p.name, p.pid, p.start, p.first_line "
            "FROM procmon_modules m LEFT JOIN procmon_processes p ON p.file_id = m.file_id AND p.process = m.process "
            "WHERE m.path LIKE ? ESCAPE '\\' ORDER BY p.start LIMIT ?", (file_like, limit)).fetchall()
        for file_id, path, company, name, pid, start, first_line in rows:
            row_id, ts = _row_at(store, file_id, first_line)
            who = f"{name} (PID {pid})" if name else "?"
            text = f"{who}: {path}" + (f" — {company}" if company else "")
            links.append(Link("module", text, ts if ts is not None else start, row_id, file_id, first_line))
    total = 0
    if _has_table(store, "procmon_events"):
        total = int(store.scalar("SELECT count(*) FROM procmon_events WHERE path LIKE ? ESCAPE '\\'",
                                 (stem_like,)) or 0)
        # procmon_events.process is the capture's process index; the name is in procmon_processes
        names = ("LEFT JOIN procmon_processes p ON p.file_id = e.file_id AND p.process = e.process "
                 if _has_table(store, "procmon_processes") else "")
        name = "coalesce(p.name, e.process)" if names else "e.process"
        rows = store.conn.execute(
            f"SELECT t.id, t.ts, e.file_id, e.line, {name}, e.operation, e.path, e.result, t.level "
            f"FROM procmon_events e {names}LEFT JOIN timeline t ON t.file_id = e.file_id AND t.line = e.line "
            "WHERE e.path LIKE ? ESCAPE '\\' ORDER BY t.id LIMIT ?", (stem_like, limit)).fetchall()
        for row_id, ts, file_id, line, process, operation, path, result, level in rows:
            text = f"{process or '?'} {operation or ''} {path or ''}" + (f" → {result}" if result else "")
            links.append(Link("procmon", text, ts, row_id, file_id, line, level))
    return links, total


def near_links(store: CaseStore, ts: int, *, exclude_file: int | None = None, span_us: int = NEAR_CRASH_US,
               limit: int = NEAR_LINKS) -> list[Link]:
    """The warnings and errors nearest the crash time (any source but the dump itself), in time order."""
    rows = store.conn.execute(
        "SELECT t.id, t.ts, t.file_id, t.line, t.source, t.level, t.message FROM timeline t "
        "WHERE t.ts BETWEEN ? AND ? AND t.level IN ('critical', 'error', 'warning') AND t.file_id IS NOT ? "
        "ORDER BY abs(t.ts - ?), t.id LIMIT ?", (ts - span_us, ts + span_us, exclude_file, ts, limit)).fetchall()
    links = [Link("near", f"[{source}] {(message or '').splitlines()[0] if message else ''}", row_ts, row_id,
                  file_id, line, level) for row_id, row_ts, file_id, line, source, level, message in rows]
    return sorted(links, key=lambda link: (link.ts or 0, link.row_id or 0))


# ------------------------------------------------------------------------------------------------ models


class DumpsModel(RowsModel):
    """The case's crash sources for the selector, the upgrade's first; column 0 is a one-line summary."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__([self.tr("Dump"), self.tr("Crash time"), self.tr("Type"), self.tr("OS build"),
                          self.tr("Upgrade")], parent)

    def load(self, view: StoreView) -> list[tuple[Any, ...]]:
        return [(d,) for d in load_dumps(view.store)]

    def dump(self, row: int) -> DumpInfo | None:
        rec = self.row_tuple(row)
        return None if rec is None else rec[0]

    def row_of(self, file_id: int) -> int:
        return next((i for i, rec in enumerate(self._rows) if rec[0].file_id == file_id), -1)

    def nearest(self, ts: int) -> int:
        """The crash source whose crash is nearest ``ts`` (-1 when none has a time)."""
        timed = [(abs(rec[0].crash_ts - ts), i) for i, rec in enumerate(self._rows) if rec[0].crash_ts is not None]
        return min(timed)[1] if timed else -1

    def kind_text(self, d: DumpInfo) -> str:
        kind = {"kernel_dump": self.tr("kernel dump"), "user_dump": self.tr("user-mode dump"),
                "windbg_text": self.tr("WinDbg text")}.get(d.source_kind, d.source_kind)
        return f"{kind}, {d.dump_type}" if d.dump_type and d.source_kind != "user_dump" else kind

    def time_text(self, d: DumpInfo) -> str:
        if d.crash_ts is None or self._view is None:
            return self.tr("time unknown")
        return self._view.format_ts(d.crash_ts, micro=False, basis="utc")

    def upgrade_text(self, d: DumpInfo) -> str:
        return {"path": self.tr("the upgrade's crash (Setup's rollback dump)"),
                "window": self.tr("the upgrade's crash (during the setup logs)"),
                "text": self.tr("the upgrade's crash (WinDbg analysis of setupmem.dmp)"),
                "only": self.tr("the only crash to blame (no setup logs)")}.get(d.why, self.tr("not the upgrade's"))

    def display(self, rec: tuple[Any, ...], column: int) -> Any:
        d: DumpInfo = rec[0]
        if column == 0:
            build = self.tr("build %1").replace("%1", str(d.os_build)) if d.os_build else self.tr("build unknown")
            what = d.bugcheck_code or (self.tr("exception %1").replace("%1", d.exception_code)
                                       if d.exception_code else "")
            mark = "★ " if d.related else ""
            parts = [f"{mark}{d.name}", what, self.time_text(d), self.kind_text(d), build, self.upgrade_text(d)]
            return " · ".join(p for p in parts if p)
        if column == 1:
            return self.time_text(d)
        if column == 2:
            return self.kind_text(d)
        if column == 3:
            return str(d.os_build) if d.os_build else ""
        return self.upgrade_text(d)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.ToolTipRole and index.isValid() and 0 <= index.row() < len(self._rows):
            return self._rows[index.row()][0].path
        if role == Qt.ItemDataRole.FontRole and index.isValid() and 0 <= index.row() < len(self._rows):
            if self._rows[index.row()][0].related:
                font = QFont()
                font.setBold(True)
                return font
            return None
        return super().data(index, role)


class FramesModel(RowsModel):
    """The recovered stack of one crash source, top first; the culprit's frame is highlighted and every frame
    says how it was found and how far to trust it (rust-minidump's "Found by", reference/dumps.md §7)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__([self.tr("#"), self.tr("Frame"), self.tr("Found by"), self.tr("Confidence"),
                          self.tr("Address"), self.tr("Note")], parent)
        self.file_id: int | None = None

    def show_dump(self, file_id: int | None) -> None:
        self.file_id = file_id
        self.refresh()

    def load(self, view: StoreView) -> list[tuple[Any, ...]]:
        if self.file_id is None:
            return []
        return [tuple(r) for r in view.store.conn.execute(
            "SELECT idx, label, how, confidence, address, note, culprit, module, sp FROM dump_frames "
            "WHERE file_id = ? ORDER BY idx", (self.file_id,))]

    def how_text(self, how: str | None) -> str:
        return {"context": self.tr("context record"), "exception": self.tr("exception record"),
                "text": self.tr("debugger text"), "unwind": self.tr("unwind data (.pdata)"),
                "scan": self.tr("stack scan")}.get(how or "", how or "")

    def how_tip(self, how: str | None) -> str:
        return {"context": self.tr("Read from the CONTEXT record the bugcheck points to: the faulting instruction."),
                "exception": self.tr("The address of the exception record: where the fault happened."),
                "text": self.tr("Copied from the stack listing the engineer saved from WinDbg (with symbols)."),
                "unwind": self.tr("Found by unwinding with the module image's .pdata: an exact return address."),
                "scan": self.tr("A value on the stack that points into a loaded module's code: may be stale.")
                }.get(how or "", "")

    def confidence_text(self, confidence: str | None) -> str:
        return {"exact": self.tr("exact"), "high": self.tr("high"), "medium": self.tr("medium"),
                "low": self.tr("low")}.get(confidence or "", confidence or "")

    def culprit_row(self) -> int:
        return next((i for i, rec in enumerate(self._rows) if rec[6]), -1)

    def is_culprit(self, row: int) -> bool:
        rec = self.row_tuple(row)
        return bool(rec and rec[6])

    def display(self, rec: tuple[Any, ...], column: int) -> Any:
        if column == 0:
            return f"{rec[0]:02d}" if isinstance(rec[0], int) else ""
        if column == 1:
            return ("▶ " if rec[6] else "") + (rec[1] or "")
        if column == 2:
            return self.how_text(rec[2])
        if column == 3:
            return self.confidence_text(rec[3])
        if column == 4:
            return rec[4] or ""
        note = rec[5] or ""
        return (self.tr("culprit") + (f"; {note}" if note else "")) if rec[6] else note

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._rows)):
            return None
        rec = self._rows[index.row()]
        if role == Qt.ItemDataRole.BackgroundRole:
            if rec[6]:
                return color("culprit_bg")
            return color("fault_bg") if rec[2] in ("context", "exception") else None
        if role == Qt.ItemDataRole.FontRole and rec[6]:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ForegroundRole:
            if rec[6]:
                return color("culprit_fg")
            return color("muted") if rec[3] == "low" else None
        if role == Qt.ItemDataRole.ToolTipRole:
            tip = self.how_tip(rec[2])
            if rec[5]:
                tip = f"{tip}\n{rec[5]}" if tip else rec[5]
            if rec[8]:
                tip += f"\nsp {rec[8]}"
            return tip or None
        return super().data(index, role)


class DriversModel(RowsModel):
    """The crash source's loaded modules: third-party ones marked, the ones on the stack flagged. Sorted
    through a :class:`QSortFilterProxyModel` on :data:`SORT_ROLE` (a few hundred rows at most)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__([self.tr("Module"), self.tr("Maker"), self.tr("On stack"), self.tr("Base"),
                          self.tr("Size"), self.tr("Timestamp"), self.tr("Path"), self.tr("Why")], parent)
        self.file_id: int | None = None
        self.culprit: str | None = None

    def show_dump(self, file_id: int | None, culprit: str | None = None) -> None:
        self.file_id = file_id
        self.culprit = (culprit or "").lower() or None
        self.refresh()

    def load(self, view: StoreView) -> list[tuple[Any, ...]]:
        if self.file_id is None:
            return []
        return [tuple(r) for r in view.store.conn.execute(
            "SELECT name, microsoft, on_stack, base, size, timestamp, path, microsoft_reason, idx FROM dump_drivers "
            "WHERE file_id = ? ORDER BY idx", (self.file_id,))]

    def module(self, row: int) -> str | None:
        rec = self.row_tuple(row)
        return None if rec is None else rec[0]

    def maker_text(self, microsoft: int | None) -> str:
        if microsoft is None:
            return self.tr("unknown")
        return self.tr("Microsoft") if microsoft else self.tr("third-party")

    def display(self, rec: tuple[Any, ...], column: int) -> Any:
        if column == 1:
            return self.maker_text(rec[1])
        if column == 2:
            return self.tr("yes") if rec[2] else ""
        if column == 4:
            return f"0x{rec[4]:x}" if isinstance(rec[4], int) else ""
        if column == 5:
            return _pe_time(rec[5])
        return super().display(rec, {0: 0, 3: 3, 6: 6, 7: 7}[column])

    def sort_key(self, rec: tuple[Any, ...], column: int) -> Any:
        if column == 0:
            return (rec[0] or "").lower()
        if column == 1:
            return -1 if rec[1] is None else int(rec[1])  # third-party (0) before Microsoft (1)
        if column == 2:
            return -int(rec[2] or 0)
        if column == 3:
            base = _hex_int(rec[3])  # kernel addresses pass 2^63 (QVariant's limit): compare as fixed-width text
            return "" if base is None else f"{base:020d}"
        if column in (4, 5):
            return rec[column] if isinstance(rec[column], int) else -1
        return str(self.display(rec, column)).lower()

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._rows)):
            return None
        rec = self._rows[index.row()]
        if role == SORT_ROLE:
            return self.sort_key(rec, index.column())
        culprit = self.culprit is not None and (rec[0] or "").lower() == self.culprit
        if role == Qt.ItemDataRole.FontRole and (culprit or rec[2]):
            font = QFont()
            font.setBold(culprit)
            font.setItalic(bool(rec[2]) and not culprit)
            return font
        if role == Qt.ItemDataRole.BackgroundRole and culprit:
            return color("culprit_bg")
        if role == Qt.ItemDataRole.ForegroundRole:
            if culprit:
                return color("culprit_fg")
            return color("third_party") if rec[1] == 0 else None
        if role == Qt.ItemDataRole.ToolTipRole:
            return rec[7] or None
        return super().data(index, role)


class DriversProxy(QSortFilterProxyModel):
    """The driver list sorted by a clicked column (:data:`SORT_ROLE`); Ctrl+C copies rows as shown."""

    def __init__(self, source: DriversModel, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setSourceModel(source)
        self.setSortRole(SORT_ROLE)

    def rows_as_text(self, rows: list[int]) -> str:
        """The selected rows in the order they are shown, as the source model writes them."""
        source = self.sourceModel()
        mapped = [self.mapToSource(self.index(r, 0)).row() for r in sorted(set(rows))]
        return "\n".join(source.rows_as_text([r]) for r in mapped if r >= 0)


def _pe_time(value: int | None) -> str:
    """A PE TimeDateStamp as a UTC date; the hex value when it is no date (reproducible builds store a hash)."""
    if not isinstance(value, int):
        return ""
    if 631152000 <= value <= 2208988800:  # 1990 .. 2040: a real link time
        return datetime.fromtimestamp(value, timezone.utc).strftime("%Y-%m-%d") + f" (0x{value:08x})"
    return f"0x{value:08x}"

