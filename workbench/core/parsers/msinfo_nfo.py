"""msinfo32 ``/nfo`` files (``SYSSUM.NFO``): UTF-16 XML; the "System Summary" category gives the machine.

Only the top category's own ``<Data>`` rows are read as the summary (sub-categories such as Hardware
Resources are nested inside it). Item names are localised: Chinese machines write 操作系统名称, 版本, 系统名称,
时区 ... so both languages map to the same facts. The OS build decides at once whether the case can be an
upgrade from Windows 10/11 at all (the Windows 7 archive of the walk-through in BRIEF.md).
"""

from __future__ import annotations

import re

from workbench.core.parsers.base import CaseFile, Mediator
from workbench.core.parsers.xmlstream import stream_xml
from workbench.core.plugins import hookimpl

DDL = """CREATE TABLE IF NOT EXISTS msinfo_summary (
    file_id INTEGER NOT NULL, line INTEGER, category TEXT, item TEXT, value TEXT
)"""

#: item name (English or Chinese, lower-case) → fact name
ITEMS = {
    "os name": "system.os_name", "操作系统名称": "system.os_name", "名称": "system.os_name",
    "version": "system.os_version", "版本": "system.os_version",
    "system name": "system.computer", "系统名称": "system.computer", "计算机名": "system.computer",
    "system manufacturer": "system.manufacturer", "系统制造商": "system.manufacturer",
    "system model": "system.model", "系统型号": "system.model",
    "system type": "system.architecture", "系统类型": "system.architecture",
    "bios version/date": "system.bios", "bios 版本/日期": "system.bios", "bios版本/日期": "system.bios",
    "time zone": "system.time_zone", "时区": "system.time_zone",
    "installed physical memory (ram)": "system.memory", "已安装的物理内存(ram)": "system.memory",
    "已安装的物理内存 (ram)": "system.memory",
    "system locale": "system.locale", "区域设置": "system.locale",
}
SUMMARY_NAMES = {"system summary", "系统摘要"}
_VERSION = re.compile(r"(\d+\.\d+\.\d+)")
_BUILD = re.compile(r"(\d{4,5})\s*$")
WEIGHT = 30


class MsinfoNfoParser:
    """System facts from an msinfo32 NFO summary, streamed (full NFO files run to hundreds of MB)."""

    name = "msinfo_nfo"
    kinds = frozenset({"msinfo_nfo"})
    tables = {"msinfo_summary": DDL}
    version = 1

    def parse(self, file: CaseFile, mediator: Mediator) -> None:
        categories: list[str] = []
        data: dict[str, tuple[str, int]] = {}
        found = 0
        seen_root = False

        def start(name: str, attrs: dict[str, str], line: int) -> None:
            nonlocal seen_root
            if name.lower() == "msinfo":
                seen_root = True
            if name == "Category":
                categories.append(attrs.get("name", ""))
            elif name == "Data":
                data.clear()

        def end(name: str, text: str, line: int) -> None:
            nonlocal found
            if name == "Category":
                categories.pop()
            elif name in ("Item", "Value") and categories:
                data[name] = (text, line)
            elif name == "Data" and len(categories) == 1 and "Item" in data:
                item, line = data["Item"]
                value = data.get("Value", ("", line))[0]
                mediator.detail("msinfo_summary", {"file_id": file.id, "line": line, "category": categories[0],
                                                   "item": item, "value": value})
                if categories[0].strip().lower() in SUMMARY_NAMES or len(categories) == 1:
                    found += self._fact(mediator, item, value, line)

        ok = stream_xml(file.location, mediator, start, end)
        if ok and not seen_root:
            mediator.problem("no <MsInfo> element: not an msinfo32 .NFO file")
        elif ok and not found:
            mediator.problem("no System Summary items (OS name, version, time zone) found")

    @staticmethod
    def _fact(mediator: Mediator, item: str, value: str, line: int) -> int:
        fact = ITEMS.get(item.strip().lower())
        if fact is None or not value.strip():
            return 0
        value = value.strip()
        text = f"{item}: {value}"
        if fact == "system.os_version":
            m = _VERSION.search(value)
            mediator.fact("system.os_version", m.group(1) if m else value, line=line, text=text, weight=WEIGHT)
            b = _BUILD.search(value) or (re.search(r"\d+\.\d+\.(\d+)", value))
            if b:
                mediator.fact("system.os_build", b.group(1), line=line, text=text, weight=WEIGHT)
            return 1
        mediator.fact(fact, value, line=line, text=text, weight=WEIGHT)
        return 1


@hookimpl
def workbench_parsers() -> list[MsinfoNfoParser]:
    return [MsinfoNfoParser()]
