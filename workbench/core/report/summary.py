"""The case summary as plain data: what the engineer's e-mail says, gathered from the store.

Support engineers write a failed-upgrade summary in four parts (BRIEF.md): case description (symptom, codes,
phase, machine), analysis (what the logs show, the stack and its culprit, the process that interfered, the key
moments), progress and recommendation, then their own notes. :func:`build_summary` collects exactly that into
a dict of plain values, so the same object feeds every template (md, html, txt, both languages) and the
redactor can rewrite every string in one place before anything is rendered.

Nothing here formats for a medium or guesses a value the store does not hold: an unknown stays ``None`` and the
template says "unknown" in its own language.
"""

from __future__ import annotations

import logging
import sqlite3
from datetime import datetime, timezone
from pathlib import PureWindowsPath
from typing import Any

from workbench.core.analysis import build_analysis
from workbench.core.clock_text import CaseTimes
from workbench.core.finding_text import SEVERITY_NAMES, finding_data, finding_texts, translated
from workbench.core.store import CaseStore

log = logging.getLogger(__name__)

SUMMARY_SCHEMA = "workbench.summary/1"
LANGUAGES = ("en", "zh")

#: How many error/critical timeline rows around the failure the summary quotes.
KEY_TIMELINE_ROWS = 8
#: An e-mail names the strongest findings, not all of them; the rest stay in the case.
MAX_FINDINGS = 10
#: Evidence lines quoted per finding (the evidence attachment and the case hold them all).
MAX_EVIDENCE = 8
#: Longest stack excerpt before frames far from the culprit are elided.
STACK_EXCERPT = 14

#: Phase names of the analysis JSON → (number engineers use, English, Chinese).  Used only when the code
#: decoder (workbench.core.upgrade.codes) is not importable; the decoder's own wording wins otherwise.
PHASES: dict[str, tuple[int | None, str, str]] = {
    "DOWNLEVEL": (1, "down-level (in the old OS)", "第一阶段（下层阶段，在旧系统中）"),
    "SAFE_OS": (2, "SafeOS", "第二阶段（SafeOS）"),
    "FIRST_BOOT": (3, "first boot of the new OS", "第三阶段（新系统第一次启动）"),
    "OOBE_BOOT": (4, "second boot / OOBE", "第四阶段（第二次启动 / OOBE）"),
    "UNINSTALL": (5, "uninstall (rollback)", "卸载阶段（回滚）"),
    "UNKNOWN": (None, "unknown phase", "未知阶段"),
}

def short_path(path: str | None) -> str | None:
    """``…/Sources/Rollback/setupact.log`` → ``Rollback/setupact.log``: the folder says which run it was."""
    if not path:
        return None
    parts = PureWindowsPath(path.split("::")[-1].replace("/", "\\")).parts
    return "/".join(parts[-2:])


def _decode(upgrade: dict[str, Any], lang: str) -> dict[str, Any]:
    """Codes explained in ``lang``: the shared decoder when present, else the raw codes and the phase fact."""
    phase = upgrade.get("phase")
    known = PHASES.get(phase or "")
    out: dict[str, Any] = {
        "result_text": None,
        "result_name": None,
        "phase_number": known[0] if known else None,
        "phase_text": (known[1] if lang == "en" else known[2]) if known else phase,
        "operation_text": None,
        "advice": None,
    }
    try:
        from workbench.core.upgrade import codes
    except ImportError:  # the decoder is another module's job; the summary still shows the raw codes
        return out
    result = codes.parse_code(upgrade["result_code"]) if upgrade.get("result_code") else None
    extend = codes.parse_code(upgrade["extend_code"]) if upgrade.get("extend_code") else None
    layer = upgrade.get("layer") or codes.LAYER_SP
    if extend is not None and upgrade.get("layer") is None and phase == "DOWNLEVEL" and extend >> 16 != 1:
        layer = codes.LAYER_MOUPG  # a down-level code whose digit is not 1 was raised by SetupHost (§2.6)
    d = codes.decode(result, extend, layer)
    zh = lang == "zh"
    out["result_name"] = d.result_name
    out["result_text"] = d.result_zh if zh else d.result_en
    if d.phase_en:
        out["phase_text"] = d.phase_zh if zh else d.phase_en
        if d.phase and layer == codes.LAYER_SP and d.phase in PHASES:
            out["phase_number"] = PHASES[d.phase][0]
    out["operation_text"] = d.operation_zh if zh else d.operation_en
    if d.operation and out["operation_text"]:
        out["operation_text"] = f"{d.operation}{'：' if zh else ': '}{out['operation_text']}"
    out["advice"] = d.advice_zh if zh else d.advice_en
    return out


def _frame_text(frame: Any) -> str:
    if not isinstance(frame, dict):
        return str(frame)
    module = str(frame.get("module") or "?")
    symbol = frame.get("symbol")
    offset = frame.get("offset")
    text = f"{module}!{symbol}" if symbol else module
    if isinstance(offset, int):
        text += f"+0x{offset:x}"
    elif offset:
        off = str(offset)
        text += off if off.startswith("+") else f"+{off}"
    return text


def _module_key(name: str | None) -> str:
    name = (name or "").lower()
    for ext in (".sys", ".dll", ".exe"):
        if name.endswith(ext):
            return name[: -len(ext)]
    return name


def stack_excerpt(frames: list[Any] | None, culprit: str | None) -> list[dict[str, Any]]:
    """The frames worth quoting: all of a short stack, else the top, the culprit's neighbourhood and the base.

    Each item is ``{"text", "culprit", "gap"}``; a ``gap`` item stands for elided frames, so a reader sees
    the stack was cut and where.
    """
    if not frames:
        return []
    key = _module_key(culprit)
    texts = [_frame_text(f) for f in frames]
    modules = [_module_key(f.get("module") if isinstance(f, dict) else str(f).split("!")[0].split("+")[0])
               for f in frames]
    hit = next((i for i, m in enumerate(modules) if key and m == key), None)
    keep = set(range(len(texts)))
    if len(texts) > STACK_EXCERPT:
        keep = set(range(3)) | set(range(len(texts) - 2, len(texts)))
        centre = hit if hit is not None else 3
        keep |= set(range(max(0, centre - 3), min(len(texts), centre + 4)))
    out: list[dict[str, Any]] = []
    previous = -1
    for i in sorted(keep):
        if i != previous + 1:
            out.append({"text": f"… {i - previous - 1}", "culprit": False, "gap": True})
        out.append({"text": texts[i], "culprit": i == hit, "gap": False})
        previous = i
    return out


def _findings(store: CaseStore, times: CaseTimes, lang: str, verdict: dict[str, Any]) -> list[dict[str, Any]]:
    """Findings in the analysis JSON's (causal) rank order, with the remediation and case-clock evidence times.

    Title, summary and remediation are in ``lang`` where the finding carries a translation (signatures do).
    A Chinese summary never carries an English sentence: an untranslated summary is left out there (the
    evidence lines still show what the finding saw), an untranslated title is kept (a name more than a sentence).
    """
    from workbench.core.analysis import ranked_findings

    ranked = ranked_findings(store, verdict)
    out = []
    for row in ranked:
        evidence = [
            {
                "file": e["file"],
                "name": short_path(e["file"]),
                "line": e["line"],
                "time": times.wall(e["ts"], file_id=e["file_id"]),
                "file_id": e["file_id"],
                "text": (e["text"] or "").rstrip(),
            }
            for e in store.query(
                "SELECT e.line, e.ts, e.file_id, e.text, files.path AS file FROM evidence e "
                "LEFT JOIN files ON files.id = e.file_id WHERE finding_id = ? ORDER BY e.id",
                (row["id"],),
            )
        ]
        data = finding_data(row["data"])
        texts = finding_texts(row, lang)
        if lang != "en":
            texts = {k: translated(data, k, lang) or (texts[k] if k == "title" else None) for k in texts}
        out.append({
            "finding_id": row["id"],
            "rule_id": row["rule_id"],
            "title": texts["title"],
            "severity": row["severity"],
            "severity_text": SEVERITY_NAMES[lang].get(row["severity"], row["severity"]),
            "summary": texts["summary"],
            "remediation": texts["remediation"],
            # a finding's own time is on the clock of the lines it stands on
            "time": times.wall(row["ts"], file_id=evidence[0]["file_id"] if evidence else None),
            "ts": row["ts"],
            "file_id": evidence[0]["file_id"] if evidence else None,
            # the process a finding blames, when its data names one as text (Procmon findings carry a key instead
            # and reach the summary through the suspects list)
            "process": data.get("process") if isinstance(data.get("process"), str) else None,
            "evidence": evidence,
            "evidence_omitted": max(0, len(evidence) - MAX_EVIDENCE),
        })
    return out


def one_per_cause(findings: list[dict[str, Any]], groups: list[list[int]]) -> list[dict[str, Any]]:
    """``findings`` (ranked, each with its ``finding_id``) as one entry per cause, as the core groups them
    (:func:`workbench.core.analysis.finding_groups`: one crash is one finding): the head finding with the others
    kept whole under ``folded``, their titles under ``also`` and their first evidence line added (the rest
    stay with the case)."""
    by_id = {f["finding_id"]: f for f in findings}
    kept: list[dict[str, Any]] = []
    for group in groups:
        members = [by_id[i] for i in group if i in by_id]
        if not members:
            continue
        into = {**members[0], "also": [], "folded": []}
        for f in members[1:]:
            into["folded"].append(f)
            if f["title"] and f["title"] not in into["also"]:
                into["also"].append(f["title"])
            seen = {(e["file"], e["line"]) for e in into["evidence"]}
            into["evidence"] = into["evidence"] + [e for e in f["evidence"][:1] if (e["file"], e["line"]) not in seen]
        into["evidence_omitted"] = max(0, len(into["evidence"]) - MAX_EVIDENCE)
        kept.append(into)
    return kept


def _failure(store: CaseStore, findings: list[dict[str, Any]]) -> tuple[int | None, str | None, int | None]:
    """When it failed, as (time, basis, file id): the failing moment the verdict names (the upgrade's crash, a
    Setup process's death, else where the result code was read), else the top finding's time, else the last
    error (the basis and file say which clock the time is on, :mod:`workbench.core.clock_text`)."""
    from workbench.core.verdict.build import failure_moment

    ts, _what, basis, file_id = failure_moment(store)
    if ts is not None:
        return ts, basis, file_id
    for f in findings:
        if f["ts"] is not None:
            return int(f["ts"]), None, f.get("file_id")
    row = store.query("SELECT ts, basis, file_id FROM timeline WHERE level IN ('critical', 'error') AND ts IS NOT "
                      "NULL ORDER BY ts DESC LIMIT 1")
    return (int(row[0]["ts"]), row[0]["basis"], row[0]["file_id"]) if row else (None, None, None)


def _failure_ts(store: CaseStore, findings: list[dict[str, Any]]) -> int | None:
    """When it failed (:func:`_failure`'s time)."""
    return _failure(store, findings)[0]


def key_timeline(store: CaseStore, failure_ts: int | None, times: CaseTimes, limit: int = KEY_TIMELINE_ROWS
                 ) -> list[dict[str, Any]]:
    """The error and critical rows nearest the failure, in time order; the nearest one is marked."""
    if failure_ts is None:
        return []
    rows = store.query(
        "SELECT t.id, t.ts, t.basis, t.level, t.component, t.message, t.line, f.path AS file FROM timeline t "
        "JOIN files f ON f.id = t.file_id WHERE t.level IN ('critical', 'error') AND t.ts IS NOT NULL "
        "ORDER BY abs(t.ts - ?), t.id LIMIT ?",
        (failure_ts, limit),
    )
    nearest = rows[0]["id"] if rows else None
    return [
        {
            "time": times.wall(r["ts"], r["basis"]),
            "level": r["level"],
            "component": r["component"],
            "message": (r["message"] or "").rstrip(),
            "file": r["file"],
            "name": short_path(r["file"]),
            "line": r["line"],
            "nearest": r["id"] == nearest,
        }
        for r in sorted(rows, key=lambda r: r["id"])
    ]


def _process_suspects(store: CaseStore, analysis: dict[str, Any]) -> list[dict[str, Any]]:
    """Third-party suspects of the ``processes`` analysis object (Procmon), read from the analysis JSON when
    it carries one, else computed by the Procmon module when the case has a capture."""
    processes = analysis.get("processes")
    if not isinstance(processes, dict):
        if not store.scalar("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'procmon_events'"):
            return []
        try:
            from workbench.core.processes import processes_summary
        except ImportError:  # the Procmon module is another issue's; without it the findings still name suspects
            return []
        processes = processes_summary(store)
    suspects = processes.get("third_party_suspects") or processes.get("suspects") or []
    return [s for s in suspects if isinstance(s, dict)]


def _interfering(store: CaseStore, analysis: dict[str, Any], findings: list[dict[str, Any]],
                 lang: str = "en") -> list[dict[str, Any]]:
    """Processes named as interfering: the Procmon suspects, else findings whose data names a process. The
    suspects' finding titles are English; in another language they are shown in that language when a finding
    of the same title carries one, else left out."""
    out: list[dict[str, Any]] = []
    titles = {f["title"]: f["title_zh"] for f in analysis.get("findings") or [] if f.get("title_zh")}
    for s in _process_suspects(store, analysis):
        name = s.get("name") or s.get("image")
        if not name:
            continue
        detail = [str(s["company"])] if s.get("company") else []
        for t in (s.get("findings") or [])[:2]:
            shown = str(t) if lang == "en" else titles.get(str(t))
            if shown:
                detail.append(shown)
        out.append({"name": str(name), "detail": "; ".join(detail) or None})
    if not out:
        for f in findings:
            if f["process"]:
                out.append({"name": f["process"], "detail": f["title"]})
    seen: set[str] = set()
    unique = []
    for p in out:
        if p["name"].lower() not in seen:
            seen.add(p["name"].lower())
            unique.append(p)
    return unique


def _notes(store: CaseStore) -> list[dict[str, Any]]:
    from workbench.core.report.notes import plain_links
    from workbench.core.store import NotesStore

    try:
        with NotesStore.open(store.path.parent) as notes:  # the notes database is beside the case database
            return [{"id": n.id, "updated": n.updated, "body": plain_links(n.body)}
                    for n in notes.notes() if n.body.strip()]
    except sqlite3.DatabaseError as exc:  # a damaged notes.sqlite must not stop the summary going out
        log.warning("%s: the notes cannot be read: %s", store.path.parent, exc)
        return []


#: Verdict states in each language, as the summary's heading says them.
STATE_NAMES: dict[str, dict[str, str]] = {
    "en": {"failed": "upgrade failed", "succeeded": "upgrade succeeded", "not_an_upgrade": "not the failed upgrade's logs",
           "incomplete": "not enough logs to judge"},
    "zh": {"failed": "升级失败", "succeeded": "升级成功", "not_an_upgrade": "不是失败升级的日志",
           "incomplete": "日志不足，无法判断"},
}
KIND_NAMES: dict[str, dict[str, str]] = {
    "en": {"driver": "driver", "dll": "DLL", "process": "process", "device": "device", "disk": "disk", "app": "app"},
    "zh": {"driver": "驱动程序", "dll": "DLL 模块", "process": "进程", "device": "设备", "disk": "磁盘", "app": "应用"},
}
CONFIDENCE_NAMES: dict[str, dict[str, str]] = {
    "en": {"high": "high", "medium": "medium", "low": "low"},
    "zh": {"high": "高", "medium": "中", "low": "低"},
}


def verdict_summary(v: dict[str, Any], lang: str, times: CaseTimes) -> dict[str, Any]:
    """The verdict in ``lang``: state, summary, culprit, reasoning steps with case-clock evidence, next steps."""
    zh = lang == "zh"
    culprit = v.get("culprit")
    if culprit:
        vendor = (culprit.get("vendor_zh") or culprit.get("vendor")) if zh else culprit.get("vendor")
        culprit = {**culprit, "vendor": vendor, "kind_text": KIND_NAMES[lang].get(culprit["kind"], culprit["kind"])}
    reasoning = []
    for step in v.get("reasoning") or []:
        reasoning.append({
            "text": step["step_zh"] if zh else step["step"],
            "evidence": [{"time": times.wall_of_iso(e.get("time")), "name": short_path(e.get("file")),
                          "line": e.get("line"), "text": (e.get("text") or "").rstrip()}
                         for e in (step.get("evidence") or []) if e.get("text")][:MAX_EVIDENCE],
        })
    return {
        "state": v["state"],
        "state_text": STATE_NAMES[lang].get(v["state"], v["state"]),
        "summary": v["summary_zh"] if zh else v["summary"],
        "phase_text": v.get("phase_text_zh") if zh else v.get("phase_text"),
        "confidence": v.get("confidence"),
        "confidence_text": CONFIDENCE_NAMES[lang].get(v.get("confidence") or "", v.get("confidence")),
        "culprit": culprit,
        "reasoning": reasoning,
        "next_steps": list((v.get("next_steps_zh") if zh else v.get("next_steps")) or []),
        "reported": None if not v.get("reported") else {
            **v["reported"], "text": " ".join(str(v["reported"]["text"]).split())},
    }


def build_summary(store: CaseStore, *, lang: str = "en", now: datetime | None = None) -> dict[str, Any]:
    """Everything a summary says, as plain values in ``lang`` (``en`` or ``zh``).

    ``now`` is the generation time printed in the summary; pass a fixed one for reproducible output
    (golden tests, or re-exporting the same summary twice).
    """
    if lang not in LANGUAGES:
        raise ValueError(f"language {lang!r}: choose one of {', '.join(LANGUAGES)}")
    now = now or datetime.now(timezone.utc)
    if now.tzinfo is None:
        raise ValueError("now must carry a time zone")
    analysis = build_analysis(store)
    times = CaseTimes(store)
    verdict = analysis["verdict"]
    from workbench.core.analysis import finding_groups

    findings = one_per_cause(_findings(store, times, lang, verdict),
                             [[r["id"] for r in g] for g in finding_groups(store, verdict)])
    shown = findings[:MAX_FINDINGS]
    # logs that are not the failed upgrade's, or an upgrade that succeeded, have no moment of failure to show
    failure_ts, failure_basis, failure_file = _failure(store, findings) if verdict["state"] in ("failed", "incomplete") \
        else (None, None, None)
    system, upgrade, crash = analysis["system"], dict(analysis["upgrade"]), analysis["crash"]
    upgrade["layer"] = (store.fact("upgrade.layer") or {"value": None})["value"]
    source = analysis["case"]["source"]
    parsed = store.scalar("SELECT count(*) FROM files WHERE status IN ('parsed', 'partial')") or 0
    decoded = _decode(upgrade, lang)
    told = verdict_summary(verdict, lang, times)
    return {
        "schema": SUMMARY_SCHEMA,
        "lang": lang,
        "generated": now.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "case": {
            # only the archive's own name: the folder it sits in says who the engineer is, not the customer
            "source": PureWindowsPath(source).name if source else None,
            "sha256": analysis["case"]["sha256"],
            "files": analysis["case"]["files"],
            "parsed": parsed,
            "problems": len(analysis["case"]["problems"]),
            "time_zone": system["time_zone"],
            # what the times are when no zone is named: an inferred offset, or each log's own wall clock
            "clock": (system.get("clock") or {}).get("label_zh" if lang == "zh" else "label")
            or ("本地时间，时区未知" if lang == "zh" else "local, zone unknown"),
        },
        "system": {k: system.get(k) for k in ("os_name", "os_version", "os_build", "computer")},
        "upgrade": {
            **{k: upgrade.get(k) for k in ("result_code", "extend_code", "phase", "operation", "rollback",
                                            "source_build", "target_build")},
            **decoded,
        },
        "crash": {
            "bugcheck_code": crash["bugcheck_code"],
            "bugcheck_name": crash["bugcheck_name"],
            "parameters": [str(p) for p in crash["parameters"] or []],
            "culprit": crash["culprit_module"],
            "stack": stack_excerpt(crash["frames"] if isinstance(crash["frames"], list) else None,
                                   crash["culprit_module"]),
        },
        "failure_time": times.wall(failure_ts, failure_basis, failure_file),
        # the rollback's end, named as such: Setup writes the code there, often hours after the failing moment
        "rollback_end": times.wall_of_iso(verdict.get("rollback_end_time")),
        "findings": shown,
        "findings_total": len(findings),
        "limits": {"evidence": MAX_EVIDENCE},
        "findings_omitted": len(findings) - len(shown),
        "interfering": _interfering(store, analysis, findings, lang),
        "timeline": key_timeline(store, failure_ts, times),
        "verdict": told,
        # one recommendation per cause, from the verdict (never a generic list of every finding's advice)
        "remediations": told["next_steps"],
        "notes": _notes(store),
    }
