"""A finding's words in the reader's language: its title, summary and remediation in English or Chinese.

The ``findings`` columns hold English text (what scripts and older readers always saw). An analyzer that can
say more puts the same three texts into the finding's ``data`` JSON as language -> text mappings
(``{"title": {"en": ..., "zh": ...}, "summary": {...}, "remediation": {...}}``; the signature engine does
this for every signature). Keeping the translations in ``data`` needs no new column, so the schema version,
and with it every ingested case and every ``.wbcase`` bundle, stays valid: a case ingested before simply
shows English. The report and the findings pane both read through :func:`finding_texts`, so they agree.

Times inside those texts are data, not text: an analyzer writes ``{time:NAME}`` and keeps the moment in
``data["times"][NAME] = [us, basis]``; the reader formats it on the case clock (:class:`CaseTimes` — the
window's and the report's, so a finding never shows a raw ``2024-06-10T02:31:47Z`` beside a case-clock time),
and without one the ISO time as JSON writes it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Protocol

from workbench.core import clock

if TYPE_CHECKING:
    from workbench.core.clock_text import CaseTimes

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


_TIME = re.compile(r"\{time:(\w+)\}")


def fill_times(text: str, data: Mapping[str, Any], times: CaseTimes | None = None) -> str:
    """``text`` with its ``{time:NAME}`` marks written from ``data["times"]``: on the case clock with
    ``times``, else as ISO-8601 (``Z`` for UTC)."""
    stamps = data.get("times")
    if "{time:" not in text or not isinstance(stamps, Mapping):
        return text

    def one(m: re.Match[str]) -> str:
        stamp = stamps.get(m.group(1))
        if not isinstance(stamp, (list, tuple)) or not stamp or not isinstance(stamp[0], int):
            return "?"
        basis = stamp[1] if len(stamp) > 1 else None
        if times is not None:
            return times.wall(stamp[0], basis) or "?"
        return clock.format_us(stamp[0], utc=basis != "local") or "?"

    return _TIME.sub(one, text)


def translated(data: Mapping[str, Any], column: str, lang: str, times: CaseTimes | None = None) -> str | None:
    """``data[column][lang]`` when the finding carries that text, else None (the caller keeps English); its
    times written by :func:`fill_times`."""
    texts = data.get(column)
    value = texts.get(lang) if isinstance(texts, Mapping) else None
    return fill_times(value, data, times) if isinstance(value, str) and value.strip() else None


def finding_texts(row: FindingRow, lang: str, times: CaseTimes | None = None) -> dict[str, str | None]:
    """``title``, ``summary`` and ``remediation`` of a findings row in ``lang``, each falling back to the
    column's English text when the finding has no translation (an analyzer's finding, an older case). Times
    in them are on the case clock with ``times`` (:func:`fill_times`).

    ``row`` needs the three columns and ``data`` (raw JSON or an already parsed dict).
    """
    data = finding_data(row["data"])
    return {column: translated(data, column, lang, times) or row[column] for column in TEXT_COLUMNS}


def bilingual(**texts: tuple[str | None, str] | None) -> dict[str, dict[str, str]]:
    """``data`` entries for an analyzer's finding in both languages: ``bilingual(title=(en, zh), ...)`` gives
    ``{"title": {"en": en, "zh": zh}}``; a text given as None (or an English None: the column's English is the
    text) is left out."""
    return {name: {lang: text for lang, text in (("en", pair[0]), ("zh", pair[1])) if text is not None}
            for name, pair in texts.items() if pair is not None}
