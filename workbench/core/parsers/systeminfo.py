"""``systeminfo`` output saved to a file: GBK from a Chinese console, UTF-16LE from PowerShell, or UTF-8.

One ``Label:   value`` line per item, values aligned in a column, continuation lines indented (the
processors and hot fixes). Labels follow the console's language (``主机名:``, ``OS 名称:``; ``暂缺`` = N/A);
English and Chinese are mapped (:mod:`workbench.core.system_items`). In other languages the items whose value
has an unambiguous form are still read: the first line is the host name, the second the OS name, a value
``10.0.x ... Build x`` the version, ``(UTC+hh:mm) ...`` the time zone, ``xx-yy;...`` the locale.

The time zone is only its display name, ``(UTC+08:00) 北京，重庆，香港特别行政区，乌鲁木齐``: the standard offset is
read from the text, and the place list names the Windows zone where we know it (so daylight saving applies).
The install date and boot time are in the machine's short date format, on its wall clock.
"""

from __future__ import annotations

import re

from workbench.core.parsers.base import CaseFile, Mediator
from workbench.core.plugins import hookimpl
from workbench.core.system_items import fact_of, facts_of
from workbench.core.textio import read_lines

WEIGHT = 26
_ITEM = re.compile(r"^(\S[^:：]{0,40}?)[:：]\s+(\S.*)$")
_VERSION = re.compile(r"^\d+\.\d+\.\d{4,5}\b")
_LOCALE = re.compile(r"^[a-z]{2,3}-[a-z]{2,4};", re.I)
#: first labels of a systeminfo file in the languages we map
FIRST_LABELS = ("host name:", "主机名:")


def looks_like_systeminfo(text: str) -> bool:
    """The head of a saved ``systeminfo``: its first label, or eight aligned items one of which is a
    Windows version (``10.0.19042 ...``)."""
    lines = [x for x in text.replace("\r", "").split("\n")[:40] if x.strip()]
    if not lines:
        return False
    if lines[0].lower().startswith(FIRST_LABELS) and len(lines) > 3:
        return True
    items = [m for x in lines if (m := _ITEM.match(x))]
    return len(items) >= 8 and any(_VERSION.match(m.group(2)) for m in items)


def fact_by_form(position: int, value: str) -> str | None:
    """A fact for an item whose label we cannot read, from its position and the form of its value."""
    if position == 0 and " " not in value:
        return "system.computer"
    if position == 1 and "windows" in value.lower():
        return "system.os_name"
    if _VERSION.match(value):
        return "system.os_version"
    if value.startswith("(UTC") or value.startswith("(GMT"):
        return "system.time_zone"
    if _LOCALE.match(value):
        return "system.locale"
    return None


class SystemInfoParser:
    """System facts from a saved ``systeminfo`` output."""

    name = "systeminfo"
    kinds = frozenset({"systeminfo"})
    tables: dict[str, str] = {}
    version = 1

    def parse(self, file: CaseFile, mediator: Mediator) -> None:
        position = 0
        found = 0
        taken: set[str] = set()
        for ln in read_lines(file.location):
            text = ln.text.rstrip("\r\n")
            if not text.strip() or text[:1] in (" ", "\t"):
                continue  # a continuation line ([01]: KB5007401)
            m = _ITEM.match(text)
            if m is None:
                continue
            label, value = m.group(1), m.group(2).strip()
            fact = fact_of(label) or fact_by_form(position, value)
            position += 1
            if fact is None or fact in taken:
                continue  # systeminfo says each once; a second "version" is the BIOS's or the OS build type
            taken.add(fact)
            for name, val, local in facts_of(fact, value):
                mediator.fact(name, val, line=ln.number, text=f"{label}: {value}", local=local, weight=WEIGHT)
                found += 1
        if not found:
            mediator.problem("no systeminfo items (host name, OS name, version, time zone) found")


@hookimpl
def workbench_parsers() -> list[SystemInfoParser]:
    return [SystemInfoParser()]
