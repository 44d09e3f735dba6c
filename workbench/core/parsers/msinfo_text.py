"""``msinfo32 /report FILE``: the text form of msinfo32 (UTF-16LE with BOM), in the machine's language.

Layout: two header lines (``系统信息报告生成时间: 12/02/21 09:41:07`` / ``System Information report written at:
...``, then the system name), then one block per category: ``[系统摘要]`` / ``[System Summary]`` on its own
line, a blank line, a row of column captions, and one tab-separated row per item, each cell followed by a tab.
The first block is always the System Summary; the other blocks are read like the NFO's categories
(:mod:`workbench.core.parsers.msinfo_nfo`): by name when known, else by the form of their rows, columns by
position. Facts weigh a little less than the NFO's: a machine whose NFO and report disagree was looked at
twice, and the NFO is the fuller export.
"""

from __future__ import annotations

import re

from workbench.core.parsers.base import CaseFile, Mediator
from workbench.core.parsers.msinfo_nfo import kind_of_category, software_row, summary_facts
from workbench.core.plugins import hookimpl
from workbench.core.software import TABLES as SOFTWARE_TABLES
from workbench.core.software import add_software
from workbench.core.textio import read_lines

WEIGHT = 28
_SECTION = re.compile(r"^\[([^\]]+)\]\s*$")


def looks_like_report(text: str) -> bool:
    """True for the head of an msinfo32 text report: a ``[category]`` line within the first lines, followed
    (after blank lines) by a row of tab-terminated cells."""
    lines = text.replace("\r", "").split("\n")[:16]
    for i, line in enumerate(lines):
        if _SECTION.match(line.strip()):
            rest = [x for x in lines[i + 1:] if x.strip()]
            return bool(rest) and rest[0].count("\t") >= 2 and rest[0].rstrip("\n").endswith("\t")
    return False


class MsinfoTextParser:
    """System facts and installed software from an ``msinfo32 /report`` text file."""

    name = "msinfo_text"
    kinds = frozenset({"msinfo_text"})
    tables = dict(SOFTWARE_TABLES)
    version = 1

    def parse(self, file: CaseFile, mediator: Mediator) -> None:
        section: str | None = None
        blocks = 0
        captions_seen = False
        kind: str | None = None
        summary_rows = 0
        found = 0
        for ln in read_lines(file.location):
            if ln.number % 20000 == 0:
                mediator.check(ln.offset)
            text = ln.text.rstrip("\r\n")
            if not text.strip():
                continue
            m = _SECTION.match(text.strip())
            if m:
                section, captions_seen, kind = m.group(1).strip(), False, None
                blocks += 1
                continue
            if section is None or "\t" not in text:
                continue
            cells = text.split("\t")
            if cells and cells[-1] == "":
                cells = cells[:-1]
            if not captions_seen:
                captions_seen = True  # the first row of a block names its columns
                continue
            if blocks == 1:
                found += summary_facts(mediator, cells[0], cells[1] if len(cells) > 1 else "", ln.number,
                                       summary_rows, WEIGHT)
                summary_rows += 1
                continue
            if kind is None:
                kind = kind_of_category(section, cells) or "-"
            fields = software_row(kind, cells) if kind != "-" else None
            if fields:
                add_software(mediator, fields, kind=kind, source="msinfo_text", line=ln.number)
        if not blocks:
            mediator.problem("no [category] blocks: not an msinfo32 /report text file")
        elif not found:
            mediator.problem("no System Summary items (OS name, version, time zone) found in the first block")


@hookimpl
def workbench_parsers() -> list[MsinfoTextParser]:
    return [MsinfoTextParser()]
