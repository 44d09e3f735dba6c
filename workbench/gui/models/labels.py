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
              "interrupted": tr("Status", "interrupted")}
    return labels.get(status or "", status or "")


def stage_label(stage: str | None) -> str:
    """An ingest stage (open, catalogue, extract, parse, finalize, analyze, done) as the status bar says it."""
    tr = QCoreApplication.translate
    labels = {"open": tr("Stage", "Hashing"), "catalogue": tr("Stage", "Listing files"),
              "extract": tr("Stage", "Extracting"), "parse": tr("Stage", "Reading"),
              "finalize": tr("Stage", "Sorting the timeline"), "analyze": tr("Stage", "Analyzing"),
              "done": tr("Stage", "Done")}
    return labels.get(stage or "", stage or "")


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
