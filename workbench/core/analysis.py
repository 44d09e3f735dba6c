"""The analysis of a case as one JSON object (``schema: workbench.analysis/1``), built from the store.

The keys are a contract with scripts and later issues: they stay, and unknown values are ``null``, never
guessed. ``processes`` (Setup processes and third-party suspects from Procmon) is empty lists without a
capture. Values come from facts the parsers and analyzers recorded (highest weight wins) and from the
findings table; nothing here knows about any particular problem.
"""

from __future__ import annotations

import json
from typing import Any

from workbench.core import clock
from workbench.core.finding_text import finding_data, translated
from workbench.core.processes import processes_summary
from workbench.core.store import CaseStore

SCHEMA = "workbench.analysis/1"

SYSTEM_KEYS = ("os_name", "os_version", "os_build", "computer", "time_zone")
UPGRADE_KEYS = ("result_code", "extend_code", "phase", "operation", "rollback", "source_build", "target_build")
CRASH_KEYS = ("bugcheck_code", "bugcheck_name", "parameters", "culprit_module", "frames")
SEVERITIES = ("critical", "high", "medium", "low", "info")


def _value(store: CaseStore, name: str) -> str | None:
    row = store.fact(name)
    return None if row is None else row["value"]


def _json_value(store: CaseStore, name: str) -> Any:
    raw = _value(store, name)
    if raw is None:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return None


def _bool(raw: str | None) -> bool | None:
    if raw is None:
        return None
    return raw.strip().lower() in ("1", "true", "yes")


def build_analysis(store: CaseStore) -> dict[str, Any]:
    problems = [
        {"file": r["file"], "error": r["error"]}
        for r in store.query("SELECT file, error FROM problems ORDER BY id")
    ]
    system = system_block(store)
    upgrade: dict[str, Any] = {k: _value(store, f"upgrade.{k}") for k in UPGRADE_KEYS}
    upgrade["rollback"] = _bool(upgrade["rollback"])
    crash: dict[str, Any] = {k: _value(store, f"crash.{k}") for k in CRASH_KEYS}
    crash["parameters"] = _json_value(store, "crash.parameters")
    crash["frames"] = _json_value(store, "crash.frames")
    return {
        "schema": SCHEMA,
        "case": {
            "source": store.get_meta("source"),
            "sha256": store.get_meta("sha256"),
            "files": store.scalar("SELECT count(*) FROM files"),
            "problems": problems,
        },
        "system": system,
        "upgrade": upgrade,
        "crash": crash,
        "processes": processes_summary(store),
        "findings": findings(store),
    }


def system_block(store: CaseStore) -> dict[str, Any]:
    """The machine and the case clock: the strongest value of each fact, the clock's offset and basis, the
    installed software (third-party first), every source's reading of the machine facts and where they
    disagree (:mod:`workbench.core.machine`)."""
    from workbench.core.clock_case import clock_label, inferred
    from workbench.core.machine import disagreements, fact_readings
    from workbench.core.software import software_list

    system: dict[str, Any] = {k: _value(store, f"system.{k}") for k in SYSTEM_KEYS}
    if system["time_zone"] is None:
        system["time_zone"] = store.get_meta("time_zone")
    offset = store.get_meta("utc_offset_minutes")
    system["utc_offset_minutes"] = int(offset) if offset and offset.lstrip("-").isdigit() else None
    system["time_zone_basis"] = store.get_meta("time_zone_basis")
    system["locale"] = _value(store, "system.locale")
    guess = inferred(store)
    system["clock"] = {
        "label": clock_label(store), "label_zh": clock_label(store, "zh"), "zone": store.get_meta("time_zone_iana"),
        "basis": system["time_zone_basis"], "utc_offset_minutes": system["utc_offset_minutes"],
        "inference": guess}
    system["installed_software"] = software_list(store)
    readings = fact_readings(store)
    system["facts"] = readings
    system["disagreements"] = disagreements(readings)
    return system


def findings(store: CaseStore) -> list[dict[str, Any]]:
    """Findings ranked: severity first, then the analyzer's score (closeness to the failure).

    ``title`` and ``summary`` stay English (scripts match on them); ``title_zh`` and ``summary_zh`` are the
    Chinese texts when the finding carries them (signature findings do), else ``null``.
    """
    order = "CASE severity " + " ".join(f"WHEN '{s}' THEN {i}" for i, s in enumerate(SEVERITIES)) + " ELSE 9 END"
    # without a case zone a local source's time is its wall clock: written without the Z of UTC
    zone_known = clock.resolve_zone(store.get_meta("time_zone_iana")) is not None
    basis = "'utc'" if zone_known else ("coalesce((SELECT t.basis FROM timeline t WHERE t.file_id = e.file_id "
                                        "AND t.line IS e.line LIMIT 1), 'utc')")
    out = []
    for f in store.query(f"SELECT * FROM findings ORDER BY {order}, score DESC, id"):
        evidence = [
            {
                "file": e["file"],
                "line": e["line"],
                "time": clock.format_us(e["ts"], utc=e["basis"] == "utc"),
                "text": e["text"],
            }
            for e in store.query(
                f"SELECT e.line, e.ts, e.text, {basis} AS basis, files.path AS file FROM evidence e "
                "LEFT JOIN files ON files.id = e.file_id WHERE finding_id = ? ORDER BY e.id",
                (f["id"],),
            )
        ]
        data = finding_data(f["data"])
        out.append({
            "id": f["rule_id"],
            "title": f["title"],
            "title_zh": translated(data, "title", "zh"),
            "severity": f["severity"],
            "summary": f["summary"],
            "summary_zh": translated(data, "summary", "zh"),
            "evidence": evidence,
        })
    return out
