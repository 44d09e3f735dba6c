"""Text from a case made safe to show: control characters written as visible escapes.

Case content is written by the customer's machine, or by anyone who could write to its logs: a file name, a
computer name or a log line may hold ESC sequences (which recolour, retitle or rewrite a terminal), other C0
and C1 controls, CR/LF (which fake extra lines of our own output, or of a report's headings) or Unicode bidi
controls such as RLO (U+202E, which shows ``exe.txt`` for ``txt.exe``). Where such text is shown — the CLI
on a terminal (:mod:`workbench.commands.terminal`), one-line fields of a summary — it goes through here and
the characters appear as escapes (``\\x1b``, ``\\u202e``): visible, and harmless.
"""

from __future__ import annotations

import json
import re
from typing import Any

# C1 controls, DEL, and the invisible format characters that reorder or hide text: ALM, ZWSP..RLM,
# LS/PS and the bidi embeddings/overrides (LRE..RLO), word joiner..PDI, BOM, interlinear annotations.
_INVISIBLE = "\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb"
_IN_FIELD = re.compile(f"[\x00-\x1f{_INVISIBLE}]")  # a value shown on one line: every control
_IN_TEXT = re.compile(f"\r(?!\n)|[\x00-\x08\x0b\x0c\x0e-\x1f{_INVISIBLE}]")  # text: keeps tab, LF and CRLF
_IN_JSON = re.compile(f"[{_INVISIBLE}]")  # json.dumps already escapes C0


def _escape(m: re.Match[str]) -> str:
    code = ord(m.group(0))
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def one_line(value: Any) -> str:
    """A value as one printable line: controls, tab, CR/LF and bidi characters written as escapes."""
    text = "" if value is None else str(value)
    return _IN_FIELD.sub(_escape, text)


def one_line_values(obj: Any) -> Any:
    """``obj`` (dicts and lists of values, as JSON holds them) with every string passed through :func:`one_line`:
    for a text output that prints values from the case one per line or field."""
    if isinstance(obj, str):
        return one_line(obj)
    if isinstance(obj, dict):
        return {k: one_line_values(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [one_line_values(v) for v in obj]
    return obj


def printable(text: str) -> str:
    """Multi-line text with its line ends (LF, CRLF) and tabs kept and every other control written as an escape."""
    return _IN_TEXT.sub(_escape, text)


def dump_json(obj: Any, *, indent: int | None = None) -> str:
    """``obj`` as JSON (UTF-8 text, not ASCII-escaped) whose strings hold no raw control character: C0 is
    escaped by :func:`json.dumps` itself, C1 and bidi characters get JSON's ``\\uXXXX``. Valid JSON, same
    values."""
    return _IN_JSON.sub(lambda m: f"\\u{ord(m.group(0)):04x}", json.dumps(obj, ensure_ascii=False, indent=indent))
