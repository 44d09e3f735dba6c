"""A finding's words in the reader's language: its title, summary and remediation in English or Chinese.

The ``findings`` columns hold English text (what scripts and older readers always saw). An analyzer that can
say more puts the same three texts into the finding's ``data`` JSON as language -> text mappings
(``{"title": {"en": ..., "zh": ...}, "summary": {...}, "remediation": {...}}``; the signature engine does
this for every signature). Keeping the translations in ``data`` needs no new column, so the schema version,
and with it every ingested case and every ``.wbcase`` bundle, stays valid: a case ingested before simply
shows English. The report and the findings pane both read through :func:`finding_texts`, so they agree.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Protocol

__all__ = ["SEVERITY_NAMES", "TEXT_COLUMNS", "FindingRow", "bilingual", "finding_data", "finding_texts",
           "translated"]

#: A finding's severity in each language (the store keeps the English word): the report and the panes say it so.
SEVERITY_NAMES: dict[str, dict[str, str]] = {
    "en": {"critical": "critical", "high": "high", "medium": "medium", "low": "low", "info": "info"},
    "zh": {"critical": "严重", "high": "高", "medium": "中", "low": "低", "info": "信息"},
}

#: The finding columns that may carry translations in ``data`` (under the same names).
TEXT_COLUMNS: tuple[str, ...] = ("title", "summary", "remediation")


class FindingRow(Protocol):
    """A findings row read by column name: a ``sqlite3.Row`` or a dict."""

    def __getitem__(self, key: str) -> Any: ...


def finding_data(raw: Any) -> dict[str, Any]:
    """A finding's ``data`` column as a dict: empty when it is missing, not JSON or not an object."""
    if isinstance(raw, dict):
        return raw
    if not raw:
        return {}
    try:
        data = json.loads(raw)
    except (TypeError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def translated(data: Mapping[str, Any], column: str, lang: str) -> str | None:
    """``data[column][lang]`` when the finding carries that text, else None (the caller keeps English)."""
    texts = data.get(column)
    value = texts.get(lang) if isinstance(texts, Mapping) else None
    return value if isinstance(value, str) and value.strip() else None


def finding_texts(row: FindingRow, lang: str) -> dict[str, str | None]:
    """``title``, ``summary`` and ``remediation`` of a findings row in ``lang``, each falling back to the
    column's English text when the finding has no translation (an analyzer's finding, an older case).

    ``row`` needs the three columns and ``data`` (raw JSON or an already parsed dict).
    """
    data = finding_data(row["data"])
    return {column: translated(data, column, lang) or row[column] for column in TEXT_COLUMNS}


def bilingual(**texts: tuple[str, str] | None) -> dict[str, dict[str, str]]:
    """``data`` entries for an analyzer's finding in both languages: ``bilingual(title=(en, zh), ...)`` gives
    ``{"title": {"en": en, "zh": zh}}``; a text given as None is left out (the column's English stays)."""
    return {name: {"en": pair[0], "zh": pair[1]} for name, pair in texts.items() if pair is not None}
