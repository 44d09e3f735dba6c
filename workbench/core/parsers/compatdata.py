"""Setup's compatibility report ``CompatData_<yyyy_mm_dd_hh_mm_ss>_....xml``: what blocked or warned.

``<CompatReport>`` lists ``Program``/``Device``/``HardwareItem``/``DriverPackage`` entries; a
``<CompatibilityInfo BlockingType="Hard">`` child or ``DriverPackage BlockMigration="True"`` is what stops
Setup (0xC1900208, reference §3.1). Each entry becomes a ``compat_items`` row; hard blocks also become
error rows on the timeline and ``compat.*`` facts. The file carries no time of its own except in its name.
"""

from __future__ import annotations

import json
import re
from posixpath import basename

from workbench.core.parsers.base import CaseFile, Mediator, wall_us
from workbench.core.parsers.xmlstream import stream_xml
from workbench.core.plugins import hookimpl

DDL = """CREATE TABLE IF NOT EXISTS compat_items (
    file_id INTEGER NOT NULL, line INTEGER, item TEXT, name TEXT, blocking TEXT, detail TEXT
)"""
_NAME_TIME = re.compile(r"compatdata_(\d{4})_(\d{2})_(\d{2})_(\d{2})_(\d{2})_(\d{2})", re.I)
ITEMS = ("Program", "Device", "HardwareItem", "DriverPackage", "Application", "SystemInfo")


def name_time(path: str) -> int | None:
    """Wall clock µs from ``CompatData_2022_07_06_08_08_50_...``; None when the name carries no time."""
    m = _NAME_TIME.search(basename(path.replace("\\", "/")))
    if not m:
        return None
    try:
        return wall_us(*(int(g) for g in m.groups()))
    except ValueError:
        return None


class CompatDataParser:
    """Hard blocks, blocking programs and drivers from a CompatData report."""

    name = "compatdata"
    kinds = frozenset({"compatdata_xml"})
    tables = {"compat_items": DDL}
    version = 1

    def parse(self, file: CaseFile, mediator: Mediator) -> None:
        when = name_time(file.path)
        current: list[dict] = []  # the open item (Program, Device, ...) and its attributes
        blocks: dict[str, list[dict]] = {"programs": [], "drivers": [], "hard": []}
        seen_root = False

        def start(name: str, attrs: dict[str, str], line: int) -> None:
            nonlocal seen_root
            if name == "CompatReport":
                seen_root = True
            if name in ITEMS:
                item = {"item": name, "name": attrs.get("Name") or attrs.get("Inf") or attrs.get("HardwareType")
                        or attrs.get("DeviceInstanceId") or "", "attrs": dict(attrs), "line": line, "blocking": None}
                if name == "DriverPackage" and attrs.get("BlockMigration", "").lower() == "true":
                    item["blocking"] = "BlockMigration"
                current.append(item)
            elif name == "CompatibilityInfo" and current:
                info = current[-1]
                bt = attrs.get("BlockingType", "")
                if bt and bt.lower() != "none":
                    info["blocking"] = bt
                info["attrs"].update({f"CompatibilityInfo.{k}": v for k, v in attrs.items()})

        def end(name: str, text: str, line: int) -> None:
            if name not in ITEMS or not current:
                return
            item = current.pop()
            mediator.detail("compat_items", {"file_id": file.id, "line": item["line"], "item": item["item"],
                                             "name": item["name"], "blocking": item["blocking"],
                                             "detail": json.dumps(item["attrs"], ensure_ascii=False)})
            if not item["blocking"]:
                return
            hard = item["blocking"].lower() in ("hard", "blockmigration")
            entry = {"item": item["item"], "name": item["name"], "blocking": item["blocking"], "line": item["line"]}
            if item["item"] in ("Program", "Application"):
                blocks["programs"].append(entry)
            elif item["item"] in ("DriverPackage", "Device"):
                blocks["drivers"].append(entry)
            if hard:
                blocks["hard"].append(entry)
            mediator.event(line=item["line"], local=when, level="error" if hard else "warning", component="CONX",
                           message=f"Compatibility {item['blocking']} block: {item['item']} {item['name']}")

        ok = stream_xml(file.location, mediator, start, end)
        if ok and not seen_root:
            mediator.problem("no <CompatReport> element: not a Setup compatibility report")
        for key, fact in (("hard", "compat.hard_blocks"), ("programs", "compat.blocking_programs"),
                          ("drivers", "compat.blocking_drivers")):
            if blocks[key]:
                first = blocks[key][0]
                mediator.fact(fact, json.dumps(blocks[key], ensure_ascii=False), line=first["line"],
                              text=f"{first['item']} {first['name']}: {first['blocking']}", local=when, weight=30)


@hookimpl
def workbench_parsers() -> list[CompatDataParser]:
    return [CompatDataParser()]
