"""The store's fixed English words (severities, levels, file statuses) as the interface language says them.

The store keeps the English word: scripts, signatures and reports match on it. Only what a pane shows goes
through here, so a Chinese interface reads 严重 and 错误 where the database says critical and error.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from workbench.core.finding_text import SEVERITY_NAMES
from workbench.gui.i18n import ui_language


def severity_label(severity: str | None) -> str:
    """A finding's severity (critical, high, medium, low, info), in the words the report uses too."""
    return SEVERITY_NAMES[ui_language()].get(severity or "", severity or "")


def level_label(level: str | None) -> str:
    """A timeline row's level (critical, error, warning, info, verbose)."""
    tr = QCoreApplication.translate
    labels = {"critical": tr("Level", "critical"), "error": tr("Level", "error"), "warning": tr("Level", "warning"),
              "info": tr("Level", "info"), "verbose": tr("Level", "verbose")}
    return labels.get(level or "", level or "")


def status_label(status: str | None) -> str:
    """A catalogue file's status (pending, parsed, partial, skipped, failed, expanded)."""
    tr = QCoreApplication.translate
    labels = {"pending": tr("Status", "pending"), "parsed": tr("Status", "parsed"), "partial": tr("Status", "partial"),
              "skipped": tr("Status", "skipped"), "failed": tr("Status", "failed"),
              "expanded": tr("Status", "expanded"), "cancelled": tr("Status", "cancelled"),
              "interrupted": tr("Status", "interrupted"), "reading": tr("Status", "reading…")}
    return labels.get(status or "", status or "")


def role_label(role: str | None) -> str:
    """A file's folder role (the phase or place its folder says: downlevel, rollback, ...) in the interface's
    language; the store (and ``--source``) keep the English word."""
    tr = QCoreApplication.translate
    labels = {"downlevel": tr("Role", "down-level"), "rollback": tr("Role", "rollback"),
              "newos": tr("Role", "new OS"), "oobe": tr("Role", "OOBE"), "sysprep": tr("Role", "sysprep"),
              "postupgrade": tr("Role", "after the upgrade"), "live": tr("Role", "current system"),
              "setupdiag": tr("Role", "SetupDiag"), "preinit": tr("Role", "before Setup"),
              "panther": tr("Role", "Panther"), "deployment": tr("Role", "original deployment"),
              "other": tr("Role", "other")}
    return labels.get(role or "", role or "")


#: Detail tables and their columns as the source-detail pane names them (the store's names stay in the tooltip).
_TABLES = {"evtx_records": "event", "procmon_events": "Procmon", "setupapi_sections": "setupapi",
           "diag_rows": "diagnostics", "compat_items": "compatibility", "setup_ini": "setup ini",
           "msinfo_summary": "msinfo32", "installed_software": "software", "setupdiag_values": "SetupDiag",
           "wer_reports": "WER", "text_lines": "text"}
_FIELDS = {"channel": "log", "computer": "computer", "damaged": "damaged", "data": "event data",
           "event_id": "event ID", "level": "level", "provider": "provider", "ts": "time (UTC)", "class": "class",
           "detail": "detail", "operation": "operation", "path": "path", "process": "process", "result": "result",
           "tid": "thread", "action": "action", "description": "description", "device": "device",
           "driver_version": "driver version", "end_line": "end line", "end_local": "end", "exit_code": "exit code",
           "inf": "INF", "inf_original": "original INF", "last_line": "last line", "last_text": "last text",
           "start_local": "start", "state": "state", "status": "status", "title": "title", "blocking": "blocking",
           "item": "item", "name": "name", "key": "key", "section": "section", "value": "value",
           "category": "category", "text": "text", "vendor": "vendor", "version": "version", "product": "product",
           "display_name": "display name", "kind": "kind", "source": "source", "start_mode": "start mode",
           "third_party": "third-party", "msg": "message", "err": "error", "sev": "severity", "mod": "module",
           "fun": "function", "fil": "source file", "ln": "source line", "pid": "PID", "exe": "program"}


def field_label(table: str, column: str) -> str:
    """A detail row's field in the interface's language: "event · event ID" for ``evtx_records.event_id``;
    a table or column not listed keeps its store name."""
    tr = QCoreApplication.translate
    where = _TABLES.get(table)
    what = _FIELDS.get(column)
    return (tr("Field", where) if where else table) + " · " + (tr("Field", what) if what else column)


def clock_basis_label(basis: str | None) -> str:
    """The clock a source wrote (``local``/``utc``) as the source-detail pane says it."""
    tr = QCoreApplication.translate
    return {"local": tr("Field", "the machine's local time"), "utc": tr("Field", "UTC")}.get(basis or "", basis or "")


def stage_label(stage: str | None) -> str:
    """An ingest stage (open, catalogue, extract, parse, finalize, analyze, done) as the status bar says it."""
    tr = QCoreApplication.translate
    labels = {"open": tr("Stage", "Hashing"), "catalogue": tr("Stage", "Listing files"),
              "extract": tr("Stage", "Extracting"), "parse": tr("Stage", "Reading"),
              "finalize": tr("Stage", "Sorting the timeline"), "analyze": tr("Stage", "Analyzing"),
              "done": tr("Stage", "Done")}
    return labels.get(stage or "", stage or "")


def read_sentence(read: int, cut: int, unread: int, files: int, rows: int) -> str:
    """How far a stopped ingest read (:meth:`StoreView.read_counts`), in the one sentence the overview and
    the status bar both say: files read to the end of those to read, the one cut off, those not started, the
    rows."""
    tr = QCoreApplication.translate
    text = tr("Ingest", "%1 of %2 files read to the end").replace("%1", str(read)).replace("%2", str(files))
    if cut:
        text += tr("Ingest", ", %1 cut off part-way").replace("%1", str(cut))
    if unread:
        text += tr("Ingest", ", %1 not started").replace("%1", str(unread))
    return text + tr("Ingest", "; %1 timeline rows, in the order read (not yet sorted by time).").replace(
        "%1", f"{rows:,}")


def duration_text(seconds: float | None) -> str:
    """A time left as people say it: "about 40 s", "about 3 min", "about 1 h 20 min"; "" when unknown."""
    if seconds is None:
        return ""
    tr = QCoreApplication.translate
    s = int(round(seconds))
    if s < 60:
        return tr("Duration", "about %1 s").replace("%1", str(max(s, 1)))
    if s < 3600:
        return tr("Duration", "about %1 min").replace("%1", str(round(s / 60)))
    return tr("Duration", "about %1 h %2 min").replace("%1", str(s // 3600)).replace("%2", str(s % 3600 // 60))


def size_text(n: int | None) -> str:
    """Bytes as KB/MB/GB with one decimal (the catalogue's and the progress's sizes)."""
    if n is None:
        return ""
    size = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return str(n)


def span_text(seconds: float) -> str:
    """A distance in time, exact to the second: "45 s", "3 min 12 s", "2 h 5 min", "3 d 4 h"."""
    tr = QCoreApplication.translate
    s = int(round(abs(seconds)))
    if s < 60:
        return tr("Duration", "%1 s").replace("%1", str(s))
    if s < 3600:
        return tr("Duration", "%1 min %2 s").replace("%1", str(s // 60)).replace("%2", str(s % 60))
    if s < 86400:
        return tr("Duration", "%1 h %2 min").replace("%1", str(s // 3600)).replace("%2", str(s % 3600 // 60))
    return tr("Duration", "%1 d %2 h").replace("%1", str(s // 86400)).replace("%2", str(s % 86400 // 3600))
