"""What the machine says about itself, in the words msinfo32 and systeminfo use, in English and Chinese.

msinfo32 (``.NFO`` and ``/report`` text) and ``systeminfo`` name their items in the machine's language:
``OS Name`` / ``操作系统名称`` / ``OS 名称``. This module maps those labels to the case's ``system.*`` facts and
turns the values into the forms the analysis uses: a version ``10.0.19042`` and a build ``19042`` out of
``10.0.19042 版本 19042`` or ``10.0.19042 暂缺 Build 19042``; the UTC offset of a time zone (``中国标准时间`` or
``(UTC+08:00) 北京，…``); a locale tag (``zh-CN``) out of ``zh-cn;中文(中国)``, ``中华人民共和国`` or LCID ``2052``.
Labels of other languages are not guessed: the NFO parser reads those summaries by position instead.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime

from workbench.core import clock

#: label (lower case, spaces squeezed) -> fact name. msinfo32 summary items and systeminfo labels, en and zh.
LABELS: dict[str, str] = {
    # msinfo32
    "os name": "system.os_name", "操作系统名称": "system.os_name",
    "version": "system.os_version", "版本": "system.os_version",
    "system name": "system.computer", "系统名称": "system.computer",
    "system manufacturer": "system.manufacturer", "系统制造商": "system.manufacturer",
    "system model": "system.model", "系统型号": "system.model",
    "system type": "system.architecture", "系统类型": "system.architecture",
    "bios version/date": "system.bios", "bios 版本/日期": "system.bios", "bios版本/日期": "system.bios",
    "time zone": "system.time_zone", "时区": "system.time_zone",
    "installed physical memory (ram)": "system.memory", "已安装的物理内存(ram)": "system.memory",
    "已安装的物理内存 (ram)": "system.memory",
    "locale": "system.locale", "区域设置": "system.locale",
    # systeminfo
    "host name": "system.computer", "主机名": "system.computer",
    "os 名称": "system.os_name", "os version": "system.os_version", "os 版本": "system.os_version",
    "original install date": "system.install_date", "初始安装日期": "system.install_date",
    "system boot time": "system.boot_time", "系统启动时间": "system.boot_time",
    "bios version": "system.bios", "bios 版本": "system.bios",
    "system locale": "system.locale", "系统区域设置": "system.locale",
    "total physical memory": "system.memory", "物理内存总量": "system.memory",
    "domain": "system.domain", "域": "system.domain",
}

#: Values that mean "not available" in the languages we read: never a fact.
NOT_AVAILABLE = frozenset({"", "n/a", "not available", "暂缺", "不可用", "无"})

#: Windows LCIDs to locale tags (WER ``Locale ID``, setupact ``Host OS Language Id``).
LCIDS: dict[int, str] = {
    1033: "en-US", 2057: "en-GB", 2052: "zh-CN", 1028: "zh-TW", 3076: "zh-HK", 4100: "zh-SG", 1041: "ja-JP",
    1042: "ko-KR", 1031: "de-DE", 1036: "fr-FR", 1040: "it-IT", 3082: "es-ES", 1049: "ru-RU", 1046: "pt-BR",
    2070: "pt-PT", 1043: "nl-NL", 1045: "pl-PL", 1055: "tr-TR", 1053: "sv-SE", 1030: "da-DK", 1044: "nb-NO",
    1035: "fi-FI", 1029: "cs-CZ", 1038: "hu-HU", 1037: "he-IL", 1025: "ar-SA", 1054: "th-TH", 1066: "vi-VN",
}

#: msinfo32's "Locale" item is the region's name in the machine's language.
REGIONS: dict[str, str] = {
    "中华人民共和国": "zh-CN", "中国": "zh-CN", "china": "zh-CN", "people's republic of china": "zh-CN",
    "台湾": "zh-TW", "taiwan": "zh-TW", "香港特别行政区": "zh-HK", "hong kong sar": "zh-HK", "新加坡": "zh-SG",
    "united states": "en-US", "united kingdom": "en-GB", "日本": "ja-JP", "japan": "ja-JP", "korea": "ko-KR",
    "germany": "de-DE", "deutschland": "de-DE", "france": "fr-FR", "russia": "ru-RU",
}

_VERSION = re.compile(r"(\d+\.\d+\.\d+)")
_BUILD = re.compile(r"(\d{4,5})\s*$")
_TAG = re.compile(r"^([a-z]{2,3})(?:-([a-z]{2,4}))?(?:-([a-z]{2}))?$", re.I)


def label_key(label: str) -> str:
    """A label as :data:`LABELS` keys it: lower case, spaces squeezed, no trailing colon."""
    return re.sub(r"\s+", " ", label.strip().rstrip(":：").strip()).lower()


def fact_of(label: str) -> str | None:
    return LABELS.get(label_key(label))


def locale_tag(value: str | int | None) -> str | None:
    """``zh-cn;中文(中国)`` / ``中华人民共和国`` / ``2052`` / ``0x0804`` -> ``zh-CN``; None when it names none."""
    if value is None:
        return None
    text = str(value).strip()
    if not text:
        return None
    if re.fullmatch(r"(0x[0-9a-fA-F]+|\d+)", text):
        return LCIDS.get(int(text, 16) if text.lower().startswith("0x") else int(text))
    head = text.split(";", 1)[0].strip()
    m = _TAG.match(head)
    if m and ";" in text or (m and m.group(2)):
        parts = [p for p in m.groups() if p]
        return "-".join([parts[0].lower(), *[p.upper() if len(p) == 2 else p.title() for p in parts[1:]]])
    return REGIONS.get(text.lower())


def os_version(value: str) -> tuple[str, str | None]:
    """(version, build) from ``10.0.19042 版本 19042`` / ``10.0.22621 N/A Build 22621`` / ``10.0.19042``."""
    m = _VERSION.search(value)
    version = m.group(1) if m else value.strip()
    b = _BUILD.search(value) or re.search(r"\d+\.\d+\.(\d+)", value)
    return version, b.group(1) if b else None


def zone_offset(value: str) -> int | None:
    """The standard UTC offset (minutes east) a time-zone value states or names; None when unknown."""
    stated = clock.parse_offset(value)
    if stated is not None:
        return stated
    zone = clock.resolve_zone(value)
    return clock.standard_offset_minutes(zone) if zone is not None else None


def wall_time(value: str) -> datetime | None:
    """A date and time written in the machine's short format (``2020/12/17, 14:22:05``,
    ``3/14/2023, 10:12:44 AM``) as a naive wall-clock datetime."""
    from workbench.core.parsers.procmon_csv import parse_date, parse_time_of_day

    day = parse_date(value)
    tod = parse_time_of_day(value.split(",", 1)[1] if "," in value else value[value.find(" ") + 1:])
    if day is None or tod is None:
        return None
    seconds, micro = divmod(tod, 1_000_000)
    return datetime(day.year, day.month, day.day, seconds // 3600, seconds // 60 % 60, seconds % 60, micro)


def facts_of(fact: str, value: str) -> Iterator[tuple[str, str, int | None]]:
    """The facts one summary item gives: (name, value, local wall-clock µs or None).

    A version also gives the build; a time zone its standard offset; a locale its tag; a date (install, boot)
    the ISO text, with its wall-clock time so the timeline clock converts it with everything else.
    """
    value = value.strip()
    if value.lower() in NOT_AVAILABLE:
        return
    if fact == "system.os_version":
        version, build = os_version(value)
        yield fact, version, None
        if build:
            yield "system.os_build", build, None
    elif fact == "system.time_zone":
        yield fact, value, None
        offset = zone_offset(value)
        if offset is not None:
            yield "system.utc_offset_minutes", str(offset), None
    elif fact == "system.locale":
        tag = locale_tag(value)
        if tag:
            yield fact, tag, None
    elif fact in ("system.install_date", "system.boot_time"):
        when = wall_time(value)
        if when is not None:
            yield fact, when.isoformat(), clock.datetime_to_us(when)
    else:
        yield fact, value, None
