"""msinfo32 ``/nfo`` files (``SYSSUM.NFO``): UTF-16 XML; the machine, its drivers, services and tasks.

msinfo32 names each ``<Data>`` row's elements after the **column captions of the machine's language**:
``<Item>``/``<Value>`` on English Windows, ``<项目>``/``<值>`` on Chinese, ``<Element>``/``<Wert>`` on German;
category names are localized too (``System Summary`` / ``系统摘要``). So a row is read **by position**: its
first child is the item, its second the value (summary), and the columns of the other categories come in
msinfo32's fixed order whatever their captions say.

* The top category's own rows are the System Summary. Items are mapped in English and Chinese
  (:mod:`workbench.core.system_items`); in other languages the first row is the OS name and the second the
  version (``10.0.x``), which are the same in every NFO and recognisable by their form.
* Sub-categories are known by name (en, zh, de) or else by the form of their rows: System Drivers
  (Name, Description, File ``*.sys``, Type, Started, Start Mode, State, ...), Services (Display Name, Name,
  State, Start Mode, Service Type, Path, ...), Running Tasks (Name, Path, Process ID, ..., Version, ...),
  Loaded Modules (Name, Version, Size, File Date, Manufacturer, Path). Their rows fill ``installed_software``.

The OS build decides at once whether the case can be an upgrade from Windows 10/11 at all (the Windows 7
archive of the walk-through in BRIEF.md). Full NFO files run to hundreds of MB: the XML is streamed.
"""

from __future__ import annotations

import re

from workbench.core.parsers.base import CaseFile, Mediator
from workbench.core.parsers.xmlstream import stream_xml
from workbench.core.plugins import hookimpl
from workbench.core.software import TABLES as SOFTWARE_TABLES
from workbench.core.software import add_software
from workbench.core.system_items import fact_of, facts_of

DDL = """CREATE TABLE IF NOT EXISTS msinfo_summary (
    file_id INTEGER NOT NULL, line INTEGER, category TEXT, item TEXT, value TEXT
)"""

WEIGHT = 30
#: category name (lower case) -> what its rows are
CATEGORY_KINDS: dict[str, str] = {
    "system drivers": "driver", "系统驱动程序": "driver", "systemtreiber": "driver",
    "services": "service", "服务": "service", "dienste": "service",
    "running tasks": "task", "正在运行任务": "task", "ausgeführte tasks": "task",
    "loaded modules": "module", "加载的模块": "module", "geladene module": "module",
}
#: categories whose rows are never software (their shape could look like it)
OTHER_CATEGORIES = frozenset({"startup programs", "启动程序", "program groups", "程序组", "ole registration",
                              "ole 注册", "environment variables", "环境变量", "print jobs", "打印作业",
                              "network connections", "网络连接", "windows error reporting", "windows 错误报告"})
_VERSION_FORM = re.compile(r"^\d+\.\d+\.\d+")
_PATH_FORM = re.compile(r'^"?([a-z]:\\|\\\\|\\systemroot\\|system32\\|\\\?\?\\)', re.I)
_NUMBER = re.compile(r"^\d+$")


def kind_of_category(name: str, row: list[str]) -> str | None:
    """What a category's rows are, from its name when known, else from the form of its first row."""
    key = name.strip().lower()
    if key in CATEGORY_KINDS:
        return CATEGORY_KINDS[key]
    if key in OTHER_CATEGORIES:
        return None
    return kind_of_row(row)


def kind_of_row(row: list[str]) -> str | None:
    """driver, service, task or module from a row's columns alone (msinfo32's fixed column order)."""
    col = [c.strip() for c in row] + [""] * 10
    if len(row) >= 6 and col[2].lower().endswith(".sys") and _PATH_FORM.match(col[2]):
        return "driver"
    if len(row) >= 3 and col[0].lower().endswith(".exe") and _PATH_FORM.match(col[1]) and _NUMBER.match(col[2]):
        return "task"
    if len(row) >= 6 and col[1] and " " not in col[1] and "\\" not in col[1] and (
            _PATH_FORM.match(col[5]) or ".exe" in col[5].lower()):
        return "service"
    if len(row) >= 6 and _VERSION_FORM.match(col[1]) and col[5].lower().endswith((".dll", ".exe")):
        return "module"
    return None


def software_row(kind: str, row: list[str]) -> dict[str, str | None] | None:
    """The ``installed_software`` fields of one row of a driver/service/task/module category, by position."""
    col = [c.strip() for c in row] + [""] * 12
    if kind == "driver":
        path = col[2]
        name = path.replace("/", "\\").rsplit("\\", 1)[-1] if path else (col[0] + ".sys" if col[0] else "")
        return {"name": name, "display_name": col[1], "path": path, "state": col[6], "start_mode": col[5]}
    if kind == "service":
        return {"name": col[1], "display_name": col[0], "path": col[5], "state": col[2], "start_mode": col[3]}
    if kind == "task":
        version = next((c for c in col[3:len(row)] if _VERSION_FORM.match(c)), "")
        return {"name": col[0], "path": col[1], "version": version}
    if kind == "module":
        return {"name": col[0], "version": col[1], "vendor": col[4], "path": col[5]}
    return None


class MsinfoNfoParser:
    """System facts and installed software from an msinfo32 NFO, streamed, in any language."""

    name = "msinfo_nfo"
    kinds = frozenset({"msinfo_nfo"})
    tables = {"msinfo_summary": DDL, **SOFTWARE_TABLES}
    version = 2

    def parse(self, file: CaseFile, mediator: Mediator) -> None:
        categories: list[list[str | None]] = []  # [name, kind decided for it (None until its first row)]
        cells: list[tuple[str, int]] = []  # the current <Data> row's children: (text, line)
        depth_in_data = [0]
        summary_rows = [0]
        found = [0]
        seen_root = [False]

        def start(name: str, attrs: dict[str, str], line: int) -> None:
            if name.lower() == "msinfo":
                seen_root[0] = True
            elif name == "Category":
                categories.append([attrs.get("name", ""), None])
            elif name == "Data":
                cells.clear()
                depth_in_data[0] = 1
            elif depth_in_data[0]:
                depth_in_data[0] += 1

        def end(name: str, text: str, line: int) -> None:
            if name == "Category":
                if categories:
                    categories.pop()
            elif name == "Data":
                depth_in_data[0] = 0
                if categories:
                    self._row(file, mediator, categories, cells, line, summary_rows, found)
            elif depth_in_data[0] == 2:
                cells.append((text, line))
                depth_in_data[0] = 1
            elif depth_in_data[0] > 2:
                depth_in_data[0] -= 1

        ok = stream_xml(file.location, mediator, start, end)
        if ok and not seen_root[0]:
            mediator.problem("no <MsInfo> element: not an msinfo32 .NFO file")
        elif ok and not found[0]:
            mediator.problem("no System Summary items (OS name, version, time zone) found")

    def _row(self, file: CaseFile, mediator: Mediator, categories: list[list[str | None]],
             cells: list[tuple[str, int]], end_line: int, summary_rows: list[int], found: list[int]) -> None:
        if not cells:
            return
        line = cells[0][1]
        values = [c[0] for c in cells]
        category = categories[-1]
        if len(categories) == 1:  # the top category's own rows: the System Summary
            item, value = values[0], values[1] if len(values) > 1 else ""
            mediator.detail("msinfo_summary", {"file_id": file.id, "line": line, "category": category[0],
                                               "item": item, "value": value})
            found[0] += summary_facts(mediator, item, value, line, summary_rows[0], WEIGHT)
            summary_rows[0] += 1
            return
        if category[1] is None:
            category[1] = kind_of_category(str(category[0] or ""), values) or "-"
        kind = str(category[1])
        fields = software_row(kind, values) if kind != "-" else None
        if fields:
            add_software(mediator, fields, kind=kind, source="nfo", line=line)


def summary_facts(mediator: Mediator, item: str, value: str, line: int, position: int, weight: int) -> int:
    """The facts of one System Summary item; 1 when it gave any. Unknown labels are read by position where
    the value's form is unambiguous: the first item is the OS name, the second the version (``10.0.x``)."""
    fact = fact_of(item)
    text = f"{item.strip()}: {value.strip()}"
    if fact is None:
        v = value.strip()
        if position == 0 and "windows" in v.lower():
            fact = "system.os_name"
        elif position == 1 and _VERSION_FORM.match(v):
            fact = "system.os_version"
        else:
            return 0
    given = 0
    for name, val, local in facts_of(fact, value):
        mediator.fact(name, val, line=line, text=text, local=local, weight=weight)
        given = 1
    return given


@hookimpl
def workbench_parsers() -> list[MsinfoNfoParser]:
    return [MsinfoNfoParser()]
