"""Quoting evidence into the engineer's notes, without Qt, and the links such quotes carry.

The notes themselves and their history are kept by :class:`workbench.core.store.NotesStore`, which the notes
pane (workbench/gui), the summary and bundles read. "Add to notes" turns a piece of evidence into a Markdown
quote with a ``workbench:`` link; the pane opens such a link by moving the shared cursor to ``(file_id,
line)`` or to a UTC time. In an exported summary those links mean nothing to the reader, so
:func:`plain_links` keeps only their text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlencode, urlsplit

from workbench.core import clock

LINK_SCHEME = "workbench"


@dataclass(frozen=True)
class EvidenceLink:
    """Where a quote points: a line of a catalogued file and/or a UTC time (µs)."""

    file_id: int | None = None
    line: int | None = None
    ts: int | None = None


def evidence_url(link: EvidenceLink) -> str:
    """``workbench:evidence?file=12&line=340&ts=…``: what a quote links to (only the known parts)."""
    query = {k: v for k, v in (("file", link.file_id), ("line", link.line), ("ts", link.ts)) if v is not None}
    return f"{LINK_SCHEME}:evidence?{urlencode(query)}"


def parse_evidence_url(url: str) -> EvidenceLink | None:
    """The target of a ``workbench:evidence`` link, or None for any other link (the pane opens those normally)."""
    parts = urlsplit(url)
    if parts.scheme != LINK_SCHEME or parts.path != "evidence":
        return None
    query = parse_qs(parts.query)

    def number(key: str) -> int | None:
        try:
            return int(query[key][0])
        except (KeyError, ValueError, IndexError):
            return None

    return EvidenceLink(number("file"), number("line"), number("ts"))


def quote_evidence(text: str, *, source: str | None = None, line: int | None = None, file_id: int | None = None,
                   ts: int | None = None, when: str | None = None) -> str:
    """A Markdown quote of ``text`` (a log line, an event, a stack, a process) with a link back to it.

    Multi-line text stays one quote; the link label names the file and line so the quote reads well even
    where the link cannot be followed. ``when`` is ``ts`` as the reader's clock shows it (the case clock,
    which every pane and finding uses); without it the time is written in UTC with its ``Z``.
    """
    label = source or "evidence"
    if line is not None:
        label += f":{line}"
    if when:
        label += f" @ {when}"
    elif ts is not None:
        label += f" @ {clock.format_us(ts)}"
    label = label.replace("[", "(").replace("]", ")")
    quoted = "\n".join(f"> {row}" if row else ">" for row in text.rstrip("\n").splitlines() or [""])
    return f"{quoted}\n>\n> — [{label}]({evidence_url(EvidenceLink(file_id, line, ts))})\n"


_LINK = re.compile(r"\[([^\]\n]*)\]\(" + LINK_SCHEME + r":[^)\s]*\)")


def plain_links(body: str) -> str:
    """``[setupact.log:12](workbench:evidence?…)`` → ``setupact.log:12``: exported text carries no app links."""
    return _LINK.sub(lambda m: m.group(1), body)
