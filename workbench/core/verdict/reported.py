"""What the customer reported: a code, a phase, a time, a computer, read from words people type.

Two sources, one reading: the engineer's own entry (``workbench analyze --reported "0xC1900101-0x40017
10:35"``, the overview's field; kept in the case as the ``reported`` meta value so every view sees it) and a
description text in the archive (``reported.text``, see :mod:`workbench.core.parsers.description`). The
engineer's entry wins. Nothing here guesses: a part that is not written is ``None``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from workbench.core.store import CaseStore
from workbench.core.upgrade.codes import (
    LAYER_SP,
    decode,
    hex32,
    looks_like_extend,
    parse_code,
    plausible_result,
)

META_KEY = "reported"

_PAIR = re.compile(r"\b(?:0x)?([0-9A-Fa-f]{8})\s*[-–—_/ ]\s*(?:0x)?([0-9A-Fa-f]{5})\b")
_CODE = re.compile(r"\b0x([0-9A-Fa-f]{8})\b")
_DATE = re.compile(r"\b(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")
_TIME = re.compile(r"(?<![\d:])(\d{1,2})\s*[:：点]\s*(\d{2})(?:\s*[:：分]\s*(\d{2}))?(?![\d:])")
_COMPUTER = re.compile(r"(?:计算机名(?:称)?|主机名|机器名|电脑名|computer(?:\s*name)?|hostname|host)\s*[:：=]?\s*"
                       r"([A-Za-z0-9][A-Za-z0-9_\-]{1,30})", re.I)

#: Words for a phase as customers and engineers write them (BRIEF.md §4), most specific first.
PHASE_WORDS: tuple[tuple[str, str], ...] = (
    ("第四阶段", "OOBE_BOOT"), ("第二次启动", "OOBE_BOOT"), ("第二次重启", "OOBE_BOOT"), ("second boot", "OOBE_BOOT"),
    ("oobe", "OOBE_BOOT"), ("第三阶段", "FIRST_BOOT"), ("第一次启动", "FIRST_BOOT"), ("第一次重启", "FIRST_BOOT"),
    ("first boot", "FIRST_BOOT"), ("第二阶段", "SAFE_OS"), ("safeos", "SAFE_OS"), ("safe os", "SAFE_OS"),
    ("winpe", "SAFE_OS"), ("第一阶段", "DOWNLEVEL"), ("下层", "DOWNLEVEL"), ("down-level", "DOWNLEVEL"),
    ("downlevel", "DOWNLEVEL"),
)
#: Symptom words → what they say happened.
SYMPTOM_WORDS: tuple[tuple[str, str], ...] = (
    ("蓝屏", "bugcheck"), ("blue screen", "bugcheck"), ("bsod", "bugcheck"), ("闪退", "process_crash"),
    ("回滚", "rollback"), ("回退", "rollback"), ("rollback", "rollback"), ("rolled back", "rollback"),
    ("卡住", "hang"), ("卡在", "hang"), ("hang", "hang"), ("stuck", "hang"),
)


@dataclass
class Reported:
    """The reported failure, each part ``None`` when it was not written."""

    text: str
    source: str  # "engineer" | "description"
    result: int | None = None
    extend: int | None = None
    phase: str | None = None
    date: str | None = None  # YYYY-MM-DD
    time: str | None = None  # HH:MM[:SS] on the customer's clock
    computer: str | None = None
    symptoms: list[str] = field(default_factory=list)
    evidence: dict[str, Any] | None = None

    @property
    def code(self) -> str | None:
        if self.result is None and self.extend is None:
            return None
        if self.extend is None:
            return hex32(self.result) if self.result is not None else None
        return f"{hex32(self.result) if self.result is not None else '?'} - {hex32(self.extend)}"

    def as_dict(self) -> dict[str, Any]:
        return {"text": self.text, "source": self.source, "code": self.code,
                "result_code": hex32(self.result) if self.result is not None else None,
                "extend_code": hex32(self.extend) if self.extend is not None else None,
                "phase": self.phase, "date": self.date, "time": self.time, "computer": self.computer,
                "symptoms": self.symptoms}


def parse_reported(text: str, source: str = "engineer") -> Reported:
    """Read a reported symptom: ``0xC1900101-0x40017 10:35``, ``客户反馈：第二次重启蓝屏，错误代码 0xC1900101 - 0x40017``."""
    r = Reported(text=text.strip(), source=source)
    low = text.lower()
    pair = _PAIR.search(text)
    if pair:
        result, extend = int(pair.group(1), 16), int(pair.group(2), 16)
        if plausible_result(result) and looks_like_extend(extend):
            r.result, r.extend = result, extend
    if r.result is None:
        for c in _CODE.finditer(text):
            value = parse_code(c.group(0))
            if value is not None and plausible_result(value):
                r.result = value
                break
    if r.extend is not None:
        r.phase = decode(r.result, r.extend, LAYER_SP).phase
    if r.phase is None or r.phase == "UNKNOWN":
        r.phase = next((phase for word, phase in PHASE_WORDS if word in low), None)
    r.symptoms = list(dict.fromkeys(s for word, s in SYMPTOM_WORDS if word in low))
    d = _DATE.search(text)
    if d:
        try:
            r.date = datetime(int(d.group(1)), int(d.group(2)), int(d.group(3))).strftime("%Y-%m-%d")
        except ValueError:
            r.date = None
    masked = _PAIR.sub(" ", _DATE.sub(" ", text))
    hm = _TIME.search(masked)
    if hm and int(hm.group(1)) < 24 and int(hm.group(2)) < 60:
        r.time = f"{int(hm.group(1)):02d}:{hm.group(2)}" + (f":{hm.group(3)}" if hm.group(3) else "")
    named = _COMPUTER.search(text)
    if named:
        r.computer = named.group(1)
    return r


def set_reported(store: CaseStore, text: str | None) -> None:
    """Keep the engineer's reported symptom with the case (``None`` or blank clears it)."""
    store.set_meta(META_KEY, text.strip() if text and text.strip() else None)
    store.commit()


def reported_of(store: CaseStore) -> Reported | None:
    """The engineer's entry when there is one, else the description text found in the archive."""
    entry = store.get_meta(META_KEY)
    if entry:
        r = parse_reported(entry, "engineer")
        r.evidence = {"file": None, "line": None, "time": None, "text": entry}
        return r
    fact = store.fact("reported.text")
    if fact is None:
        return None
    r = parse_reported(fact["value"], "description")
    r.evidence = {"file": fact["file"], "line": fact["line"], "time": None, "text": fact["value"][:500]}
    return r


def reported_json(r: Reported | None) -> str | None:
    return None if r is None else json.dumps(r.as_dict(), ensure_ascii=False)
