"""The analysis of a case as one JSON object (``schema: workbench.analysis/1``), built from the store.

The keys are a contract with scripts and later issues: they stay, and unknown values are ``null``, never
guessed. ``processes`` (Setup processes and third-party suspects from Procmon) is empty lists without a
capture. ``verdict`` (:mod:`workbench.core.verdict`) says what broke the upgrade, made by whom, and what to do;
``crash`` is the upgrade's crash only, ``other_crashes`` the others with why they are not. Values come from facts the parsers and analyzers recorded (highest weight wins) and from the
findings table; nothing here knows about any particular problem.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from workbench.core.clock_text import CaseTimes
from workbench.core.finding_text import finding_data, translated
from workbench.core.processes import processes_summary
from workbench.core.store import CaseStore
from workbench.core.verdict import build_verdict, rank_findings

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
    crash, other_crashes = crashes(store)
    verdict = build_verdict(store)
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
        "other_crashes": other_crashes,
        "processes": processes_summary(store),
        "verdict": verdict,
        "findings": findings(store, verdict),
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


def crashes(store: CaseStore) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The upgrade's crash (``crash``, each key from the strongest source that is the upgrade's) and the other
    crash sources of the case with why they are not (``other_crashes``).

    The dump analyzer marks each crash source ``crash.related``; a source marked unrelated (an old
    ``Minidump\\*.dmp``) never fills ``crash``, however strong its facts."""
    unrelated = {r["file_id"] for r in store.query(
        "SELECT file_id FROM facts WHERE name = 'crash.related' AND value = 'false'")}
    marks = ",".join("?" * len(unrelated))
    exclude = f" AND (file_id IS NULL OR file_id NOT IN ({marks}))" if unrelated else ""
    from workbench.core.dumps.analyze import relation_why_zh

    crash: dict[str, Any] = {}
    for key in CRASH_KEYS + ("exception_code", "fault_module", "culprit_third_party", "os_build"):
        row = store.query(f"SELECT value FROM facts WHERE name = ?{exclude} ORDER BY weight DESC, ts IS NULL, "
                          "ts DESC, id DESC LIMIT 1", (f"crash.{key}", *unrelated))
        crash[key] = row[0]["value"] if row else None
    for key in ("parameters", "frames"):
        try:
            crash[key] = json.loads(crash[key]) if crash[key] is not None else None
        except ValueError:
            crash[key] = None
    crash["culprit_third_party"] = _bool(crash["culprit_third_party"])
    others = []
    times = CaseTimes(store)
    if unrelated and store.scalar("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'dump_summary'"):
        for r in store.query(
                "SELECT d.*, files.path AS path, (SELECT text FROM facts WHERE name = 'crash.related' AND "
                f"facts.file_id = d.file_id LIMIT 1) AS why FROM dump_summary d JOIN files ON files.id = d.file_id "
                f"WHERE d.file_id IN ({marks}) ORDER BY d.crash_ts", tuple(unrelated)):
            others.append({"file": r["path"], "source_kind": r["source_kind"],
                           "time": times.iso(r["crash_ts"], file_id=r["file_id"]),
                           "bugcheck_code": r["bugcheck_code"], "bugcheck_name": r["bugcheck_name"],
                           "exception_code": r["exception_code"], "process": r["process_name"],
                           "culprit_module": r["culprit"], "why_not": r["why"], "why_not_zh": relation_why_zh(r["why"])})
    return crash, others


def ranked_findings(store: CaseStore, verdict: dict[str, Any] | None = None) -> list[sqlite3.Row]:
    """The findings rows in causal order (:func:`workbench.core.verdict.rank_findings`): the culprit's first,
    access noise and crashes that are not the upgrade's last; severity, then score, within a group."""
    order = "CASE severity " + " ".join(f"WHEN '{s}' THEN {i}" for i, s in enumerate(SEVERITIES)) + " ELSE 9 END"
    rows = store.query(f"SELECT * FROM findings ORDER BY {order}, score DESC, id")
    verdict = verdict if verdict is not None else build_verdict(store)
    from workbench.core.attempt import failed_attempt

    span = failed_attempt(store)
    return rank_findings(rows, verdict.get("causes") or [], (span.start, span.end) if span else None)


def finding_groups(store: CaseStore, verdict: dict[str, Any] | None = None) -> list[list[sqlite3.Row]]:
    """The ranked findings as one group per cause, ``[head, *also]`` (:func:`workbench.core.verdict.group.
    group_findings`): one crash is one finding, with every source's evidence. The findings pane, the overview,
    the report and the analysis JSON all list these heads."""
    from workbench.core.verdict.group import group_findings

    verdict = verdict if verdict is not None else build_verdict(store)
    return group_findings(store, ranked_findings(store, verdict), verdict.get("causes") or [])


def findings(store: CaseStore, verdict: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """Findings ranked by how directly they explain the failure (:func:`ranked_findings`), one per cause
    (:func:`finding_groups`): the head finding's texts, every grouped finding's evidence, and the others under
    ``also`` (their rule ``id``, titles and summaries, severity), so nothing a source said is lost.

    ``title`` and ``summary`` stay English (scripts match on them); ``title_zh`` and ``summary_zh`` are the
    Chinese texts when the finding carries them (signature findings do), else ``null``.
    """
    times = CaseTimes(store)  # without a case zone a local source's time is its wall clock, without a Z

    def texts(f: Any) -> dict[str, Any]:
        data = finding_data(f["data"])
        return {"id": f["rule_id"], "title": f["title"], "title_zh": translated(data, "title", "zh"),
                "severity": f["severity"], "summary": f["summary"], "summary_zh": translated(data, "summary", "zh")}

    out = []
    for group in finding_groups(store, verdict):
        evidence: list[dict[str, Any]] = []
        seen: set[tuple[Any, Any, Any]] = set()
        for f in group:
            for e in store.query(
                    "SELECT e.line, e.ts, e.text, e.file_id, files.path AS file FROM evidence e "
                    "LEFT JOIN files ON files.id = e.file_id WHERE finding_id = ? ORDER BY e.id", (f["id"],)):
                key = (e["file"], e["line"], None) if e["line"] is not None else (e["file"], None, e["text"])
                if key not in seen:  # a line once, whichever finding quoted it
                    seen.add(key)
                    evidence.append({"file": e["file"], "line": e["line"],
                                     "time": times.iso(e["ts"], file_id=e["file_id"]), "text": e["text"]})
        head = texts(group[0])
        # the group is as severe as its most severe finding (a critical death statement under a high WER report)
        head["severity"] = min((f["severity"] for f in group), key=lambda s: SEVERITIES.index(s)
                               if s in SEVERITIES else len(SEVERITIES))
        out.append({**head, "evidence": evidence, "also": [texts(f) for f in group[1:]]})
    return out
