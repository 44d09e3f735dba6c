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
              "expanded": tr("Status", "expanded")}
    return labels.get(status or "", status or "")
