"""Which clock a case is shown on, and why: the user's choice, a stated zone, an inferred offset, or none.

Order of trust (issue 15): the user's choice (the window's clock, ``--tz``), then a zone the machine states —
msinfo32's NFO, its ``/report`` text, ``systeminfo``, event 6013, strongest fact first —, then the offset
inferred from pairs of moments (:mod:`workbench.core.clock_infer`). With none of them the case has no zone:
local sources keep their wall clock and are labelled *local, zone unknown*, never UTC.

The decision is kept twice, consistently: in meta (``time_zone``, ``time_zone_source``, ``time_zone_iana``,
``time_zone_basis``, ``utc_offset_minutes``, ``clock_inference``) for the views, and as the strongest
``system.utc_offset_minutes`` / ``system.time_zone_basis`` facts for the analysis, beside the facts each
source stated (which stay, with their files and lines, for the overview to show where sources disagree).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import tzinfo
from typing import Any

from workbench.core import clock
from workbench.core.clock_infer import infer_case_offset
from workbench.core.store import CaseStore

#: what ``system.time_zone_basis`` says for a zone stated by a file of this kind
BASIS_OF_KIND = {"msinfo_nfo": "nfo", "msinfo_text": "msinfo_text", "systeminfo": "systeminfo", "evtx": "evtx_6013"}
#: weight of the decision's own facts: above every source's
CLOCK_WEIGHT = 1000
CLOCK_FACTS = ("system.utc_offset_minutes", "system.time_zone_basis")
UNKNOWN = {"en": "local, zone unknown", "zh": "本地时间，时区未知"}
INFERRED = {"en": "inferred", "zh": "推断"}


@dataclass
class CaseClock:
    """The case's zone (None: unknown), the name it was given, its basis and standard offset."""

    zone: tzinfo | None
    name: str | None
    basis: str | None  # user | nfo | msinfo_text | systeminfo | evtx_6013 | inferred | None
    origin: str | None  # the file that stated it, "user" or "inferred"
    offset_minutes: int | None
    confidence: str | None = None  # of an inferred offset

    @property
    def known(self) -> bool:
        return self.zone is not None


def stated_zone(store: CaseStore) -> CaseClock | None:
    """The strongest ``system.time_zone`` fact that names a zone we know, with its file's offset reading."""
    rows = store.query(
        "SELECT f.value, f.file_id, files.path, files.kind FROM facts f LEFT JOIN files ON files.id = f.file_id "
        "WHERE f.name = 'system.time_zone' AND f.value IS NOT NULL ORDER BY f.weight DESC, f.ts IS NULL, f.ts DESC, "
        "f.id DESC")
    for r in rows:
        zone = clock.resolve_zone(r["value"])
        if zone is None:
            continue
        stated = store.scalar("SELECT value FROM facts WHERE name = 'system.utc_offset_minutes' AND file_id IS ? "
                              "ORDER BY weight DESC LIMIT 1", (r["file_id"],))
        try:
            offset = int(stated) if stated is not None else clock.standard_offset_minutes(zone)
        except ValueError:
            offset = clock.standard_offset_minutes(zone)
        basis = BASIS_OF_KIND.get(r["kind"] or "", r["kind"] or "facts")
        return CaseClock(zone, r["value"], basis, r["path"] or "facts", offset)
    return None


def inferred(store: CaseStore) -> dict[str, Any] | None:
    raw = store.get_meta("clock_inference")
    if not raw:
        return None
    try:
        value = json.loads(raw)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def decide_case_clock(store: CaseStore) -> CaseClock:
    """User, then stated, then inferred, else unknown (see the module's docstring)."""
    user = store.get_meta("time_zone_user")
    if user:
        zone = clock.resolve_zone(user)
        if zone is not None:
            offset = clock.parse_offset(user)
            return CaseClock(zone, user, "user", "user",
                             offset if offset is not None else clock.standard_offset_minutes(zone))
    stated = stated_zone(store)
    if stated is not None:
        return stated
    guess = inferred(store)
    if guess and isinstance(guess.get("offset_minutes"), int):
        minutes = guess["offset_minutes"]
        return CaseClock(clock.fixed_zone(minutes), f"UTC{clock.offset_text(minutes)}", "inferred", "inferred", minutes,
                         guess.get("confidence"))
    return CaseClock(None, None, None, None, None)


def prepare_clock(store: CaseStore) -> None:
    """Before the timeline is clocked: date and merge Procmon exports, then infer the offset from the pairs
    (kept even when a zone is stated: the overview shows where the two disagree)."""
    from workbench.core.captures import reconcile_captures

    reconcile_captures(store)
    store.set_meta("clock_inference", json.dumps(infer_case_offset(store).as_dict(), ensure_ascii=False))


def apply_case_clock(store: CaseStore, cc: CaseClock) -> None:
    """Write the decision into meta and as the strongest clock facts (replacing an earlier decision's)."""
    store.set_meta("time_zone", cc.name if cc.known else None)
    store.set_meta("time_zone_source", cc.origin if cc.known else None)
    store.set_meta("time_zone_iana", clock.zone_key(cc.zone) if cc.zone is not None else None)
    store.set_meta("time_zone_basis", cc.basis)
    store.set_meta("utc_offset_minutes", str(cc.offset_minutes) if cc.offset_minutes is not None else None)
    marks = ", ".join("?" * len(CLOCK_FACTS))
    store.conn.execute(f"DELETE FROM facts WHERE name IN ({marks}) AND file_id IS NULL", CLOCK_FACTS)
    rows: list[tuple[Any, ...]] = []
    if cc.known:
        text = describe(cc)
        rows.append(("system.time_zone_basis", cc.basis, None, None, None, None, text, CLOCK_WEIGHT))
        if cc.offset_minutes is not None:
            rows.append(("system.utc_offset_minutes", str(cc.offset_minutes), None, None, None, None, text,
                         CLOCK_WEIGHT))
    reading = inference_reading(store, cc)
    if reading is not None:
        rows.append(reading)
    store.insert_facts(rows)


def inference_reading(store: CaseStore, cc: CaseClock) -> tuple[Any, ...] | None:
    """The inferred offset as a reading of ``system.utc_offset_minutes`` when the case's clock is another
    (a stated or chosen zone whose offset at the paired moments differs): the overview shows both."""
    guess = inferred(store)
    if not guess or not isinstance(guess.get("offset_minutes"), int) or cc.basis in (None, "inferred"):
        return None
    minutes = guess["offset_minutes"]
    pairs = guess.get("pairs") or []
    at = None
    for p in pairs:
        parsed = clock.parse_iso_us((p.get("utc") or {}).get("time"))
        if parsed is not None:
            at = parsed
            break
    if cc.zone is not None and at is not None and clock.offset_minutes_at(cc.zone, at) == minutes:
        return None
    text = (f"inferred from {len(pairs)} pair(s) of moments seen on a UTC and a local clock: "
            f"UTC{clock.offset_text(minutes)} (confidence {guess.get('confidence')}); the case clock follows "
            f"{cc.basis}")
    return ("system.utc_offset_minutes", str(minutes), None, None, at, "utc" if at is not None else None, text, 0)


def describe(cc: CaseClock, lang: str = "en") -> str:
    """One sentence on the case clock and where it comes from."""
    zh = lang == "zh"
    if not cc.known:
        return ("时区未知：各来源的本地时间按原样显示（本地时间，时区未知）" if zh else
                "time zone unknown: local sources are shown on their own wall clock (local, zone unknown)")
    offset = f"UTC{clock.offset_text(cc.offset_minutes)}" if cc.offset_minutes is not None else ""
    if cc.basis == "user":
        return f"用户指定的时区 {cc.name}（{offset}）" if zh else f"time zone chosen by the user: {cc.name} ({offset})"
    if cc.basis == "inferred":
        return (f"由同一时刻的 UTC 与本地记录推断：{offset}（可信度 {cc.confidence or '?'}）" if zh else
                f"inferred from moments seen on both a UTC and a local clock: {offset} "
                f"(confidence {cc.confidence or '?'})")
    return (f"时区 {cc.name}（{offset}），来自 {cc.origin}" if zh else
            f"time zone {cc.name} ({offset}) as stated by {cc.origin}")


def clock_label(store: CaseStore, lang: str = "en") -> str:
    """What the status bar and the overview call the case clock: ``China Standard Time (UTC+08:00)``,
    ``UTC+08:00 (inferred)``, or ``local, zone unknown``."""
    name = store.get_meta("time_zone")
    key = store.get_meta("time_zone_iana")
    if not key or clock.resolve_zone(key) is None:
        return UNKNOWN["zh" if lang == "zh" else "en"]
    raw = store.get_meta("utc_offset_minutes")
    offset = f" (UTC{clock.offset_text(int(raw))})" if raw and raw.lstrip("-").isdigit() else ""
    if store.get_meta("time_zone_basis") == "inferred":
        return f"UTC{clock.offset_text(int(raw))} ({INFERRED['zh' if lang == 'zh' else 'en']})" if raw else \
            UNKNOWN["zh" if lang == "zh" else "en"]
    return f"{name or key}{offset}"


#: what ``--tz`` takes to hand the choice back to the case's own sources
AUTO = ("auto", "")


def set_user_zone(store: CaseStore, text: str) -> bool:
    """Keep the user's time zone in the case (``+08:00``, ``China Standard Time``, ``Asia/Shanghai``; ``auto``
    hands the choice back to the sources). Returns True when it changed (the case must be read again on the
    new clock). Raises :class:`~workbench.core.errors.UserActionRequired` for a zone we cannot read."""
    from workbench.core.errors import UserActionRequired

    value = text.strip()
    if value.lower() in AUTO:
        value = ""
    elif clock.resolve_zone(value) is None:
        raise UserActionRequired(f"{text!r} is not a time zone; write an offset like +08:00, a Windows zone name "
                                 "like \"China Standard Time\", an IANA name like Asia/Shanghai, or auto.")
    if (store.get_meta("time_zone_user") or "") == value:
        return False
    store.set_meta("time_zone_user", value or None)
    return True
