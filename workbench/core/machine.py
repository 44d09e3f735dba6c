"""Every source's reading of the machine, and where they disagree.

A case holds the machine several times over: msinfo32 (NFO or text), systeminfo, the setup logs' ``Host OS``
lines, WER reports, event 6009 (the build of every boot) and 6013, the upgrade's own source build. They
disagree for good reasons — msinfo32 run after a rollback, the OS of the boot before the upgrade and after it —
so each reading keeps its file, line and time, and the analysis lists them (``system.facts``) and the values
that differ (``system.disagreements``) for the overview to show side by side.
"""

from __future__ import annotations

import re
from typing import Any

from workbench.core.clock_case import CLOCK_WEIGHT
from workbench.core.clock_text import CaseTimes
from workbench.core.store import CaseStore

#: reading name -> facts that read it (a boot's build and the upgrade's source build are OS builds too)
READINGS: dict[str, tuple[str, ...]] = {
    "os_name": ("system.os_name",),
    "os_version": ("system.os_version",),
    "os_build": ("system.os_build", "evtx.boot_build", "upgrade.source_build"),
    "computer": ("system.computer",),
    "time_zone": ("system.time_zone",),
    "utc_offset_minutes": ("system.utc_offset_minutes",),
    "locale": ("system.locale",),
    "language": ("system.language",),
    "manufacturer": ("system.manufacturer",),
    "model": ("system.model",),
}
#: what a reading of another fact says (shown beside its value)
MEANING = {"evtx.boot_build": "build of a boot (event 6009)", "upgrade.source_build": "the build the upgrade left from"}


#: Windows edition names as a Chinese Windows writes them (msinfo32, systeminfo) -> the English product name's
#: words, longest first (专业教育版 holds 教育版); compared lower-case, so one OS read in two languages is one
#: reading. The readings themselves are kept as written.
EDITIONS_ZH: tuple[tuple[str, str], ...] = (
    ("专业工作站版", "pro for workstations"), ("专业教育版", "pro education"), ("家庭单语言版", "home single language"),
    ("家庭中文版", "home china"), ("企业版", "enterprise"), ("教育版", "education"), ("专业版", "pro"),
    ("家庭版", "home"), ("服务器", "server"), ("数据中心版", "datacenter"), ("标准版", "standard"),
)
#: English spellings of one edition: ``Windows 10 Professional`` (Host OS Edition) = ``Windows 10 Pro``
EDITIONS_EN: tuple[tuple[str, str], ...] = (("professional", "pro"), ("singlelanguage", "single language"),
                                            ("homechina", "home china"), ("coren", "home n"), ("core", "home"))


def os_name_key(value: str) -> str:
    """The form two OS names are compared in: ``Microsoft Windows 10 企业版`` = ``Windows 10 Enterprise``;
    ``®``/``(R)``/``™``, a ``Microsoft`` prefix, spacing and case do not count."""
    text = value.strip().lower()
    for zh, en in EDITIONS_ZH:
        text = text.replace(zh, f" {en} ")
    text = re.sub(r"®|™|\((?:r|tm)\)", " ", text)
    text = re.sub(r"\s+", " ", text).strip()
    text = re.sub(r"^microsoft\s+", "", text)
    words = text.split(" ")
    for en, same in EDITIONS_EN:
        words = [same if w == en else w for w in words]
    return " ".join(words)


def normalized(reading: str, value: str) -> str:
    """The form two readings are compared in: an OS name by meaning, in any language (:func:`os_name_key`); a
    zone by its offset (``中国标准时间`` = ``(UTC+08:00) 北京，…``); a computer name without case."""
    text = re.sub(r"\s+", " ", value.strip()).lower()
    if reading == "os_name":
        return os_name_key(value)
    if reading == "time_zone":
        from workbench.core.system_items import zone_offset

        offset = zone_offset(value)
        return str(offset) if offset is not None else text
    if reading == "os_build":
        m = re.search(r"\d{4,5}", text)
        return m.group(0) if m else text
    return text


def fact_readings(store: CaseStore) -> dict[str, list[dict[str, Any]]]:
    """Each machine fact's distinct readings (value and file), oldest first, with where they were read."""
    out: dict[str, list[dict[str, Any]]] = {}
    for reading, names in READINGS.items():
        marks = ", ".join("?" * len(names))
        rows = store.query(
            "SELECT f.name, f.value, f.file_id, f.line, f.ts, f.basis, f.text, f.weight, files.path, files.kind "
            f"FROM facts f LEFT JOIN files ON files.id = f.file_id WHERE f.name IN ({marks}) AND f.value IS NOT NULL "
            "AND NOT (f.file_id IS NULL AND f.weight >= ?) ORDER BY f.ts IS NULL, f.ts, f.id", (*names, CLOCK_WEIGHT))
        seen: set[tuple[str, str, Any]] = set()
        times = CaseTimes(store)
        items = []
        for r in rows:
            key = (r["name"], normalized(reading, r["value"]), r["file_id"])
            if key in seen:
                continue
            seen.add(key)
            items.append({
                "value": r["value"], "fact": r["name"], "meaning": MEANING.get(r["name"]), "file": r["path"],
                "kind": r["kind"], "line": r["line"],
                "time": times.iso(r["ts"], r["basis"], r["file_id"]),
                "text": r["text"], "weight": r["weight"]})
        if items:
            out[reading] = items
    return out


def disagreements(readings: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """The facts whose readings differ, each value with the sources (and times) that say it."""
    out = []
    for reading, items in readings.items():
        groups: dict[str, list[dict[str, Any]]] = {}
        for item in items:
            groups.setdefault(normalized(reading, item["value"]), []).append(item)
        if len(groups) < 2:
            continue
        out.append({"fact": reading, "values": [
            {"value": group[0]["value"],
             "sources": [{"file": i["file"], "line": i["line"], "time": i["time"], "fact": i["fact"],
                          "meaning": i["meaning"]} for i in group]}
            for group in groups.values()]})
    return out
