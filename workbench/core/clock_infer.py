"""Inferring the case's UTC offset from moments seen by a UTC source and by a local one.

Setup logs write the machine's wall clock; Procmon PML, event logs, WER reports and dumps write UTC. When no
source states the time zone (msinfo32, systeminfo, event 6013), the same moment seen on both clocks gives it:

============================================  ==============================================  ==============
UTC side                                      local side (setupact / setuperr)                 lag allowed
============================================  ==============================================  ==============
Procmon ``Process Start`` of SetupHost.exe    ``SetupHost Logging Begin``                      -2 s .. +60 s
Procmon ``Process Exit`` of SetupHost.exe     ``SetupHost Logging End``                        -120 s .. +2 s
abnormal exit of SetupHost/SetupPrep/setup    ``Unhandled exception`` / MigHost's "Parent      -60 s .. +60 s
                                              process unexpectedly exited"
WER crash of a Setup process (Report.wer,     the same crash lines                             -120 s .. +120 s
Application 1000)
WER report time (Report.wer, Application      ``Watson Error Report submitted``                -120 s .. +120 s
1001)
a kernel dump's crash time                    ``Crash 0x… detected`` (after the reboot)        0 .. +10 min
a boot (System 6005 / 6009)                   ``Initiating rollback/uninstall, phase = 1``     0 .. +10 min
============================================  ==============================================  ==============

The lag is the local line's true time minus the UTC moment. An offset is a multiple of 15 minutes between
-12 h and +14 h; each candidate offset is scored by the UTC moments that find a local partner within their
lag under it (each moment counted once, by the strongest rule it meets), plus the offsets Procmon exports of
a PML's capture were written with. The best-scored offset wins; a tie is no answer. Every lag window is
narrower than 15 minutes, so one pair can never support two offsets.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from workbench.core import clock
from workbench.core.store import CaseStore

US = 1_000_000
QUARTER_US = 15 * 60 * US
MAX_MOMENTS = 400  # per kind: a case with thousands of Setup starts is not one attempt anyway


@dataclass(frozen=True)
class Moment:
    """Something that happened, on one clock: ``ts`` is UTC µs for a UTC source, wall-clock µs for a local one."""

    ts: int
    kind: str
    file_id: int | None
    line: int | None
    text: str


@dataclass(frozen=True)
class Rule:
    """Which UTC moments pair with which local ones, the lag allowed (seconds) and how much a pair counts."""

    utc_kinds: frozenset[str]
    local_kinds: frozenset[str]
    lag_lo: int
    lag_hi: int
    weight: int
    what: str


RULES: tuple[Rule, ...] = (
    Rule(frozenset({"setup_crash_exit"}), frozenset({"crash_line"}), -60, 60, 3,
         "Setup process exited abnormally (Procmon) / Setup logged the crash"),
    Rule(frozenset({"wer_setup_crash"}), frozenset({"crash_line", "watson_line"}), -120, 120, 3,
         "WER crash report of a Setup process / Setup logged the crash"),
    Rule(frozenset({"setup_start"}), frozenset({"log_begin"}), -2, 60, 2,
         "SetupHost started (Procmon) / its log begins"),
    Rule(frozenset({"setup_exit", "setup_crash_exit"}), frozenset({"log_end"}), -120, 2, 2,
         "SetupHost exited (Procmon) / its log ends"),
    Rule(frozenset({"wer", "wer_setup_crash"}), frozenset({"watson_line"}), -120, 120, 2,
         "WER report time / Setup logged the Watson report"),
    Rule(frozenset({"dump_crash"}), frozenset({"crash_detected"}), 0, 600, 1,
         "crash dump time / Setup detected the crash after the reboot"),
    Rule(frozenset({"boot"}), frozenset({"rollback_boot"}), 0, 600, 1,
         "boot (event log) / rollback began after the reboot"),
)

#: local markers: (kind, SQL LIKE pattern); LIKE is case-insensitive for ASCII
LOCAL_MARKERS: tuple[tuple[str, str], ...] = (
    ("log_begin", "%SetupHost Logging Begin%"),
    ("log_end", "%SetupHost Logging End%"),
    ("crash_line", "%unhandled exception%"),
    ("crash_line", "%Parent process unexpectedly exited%"),
    ("watson_line", "%Watson Error Report submitted%"),
    ("crash_detected", "%Crash 0x% detected%"),
    ("rollback_boot", "%Initiating rollback/uninstall, phase = 1%"),
)
SETUP_HOSTS = ("setuphost.exe",)
SETUP_CRASHERS = ("setuphost.exe", "setupprep.exe", "setup.exe")
WER_SETUP_APPS = frozenset({"setuphost.exe", "setupprep.exe", "setup.exe", "mighost.exe", "setupplatform.exe",
                            "dismhost.exe"})


@dataclass
class Inference:
    """The offset the pairs agree on (None when they do not), how sure, and the pairs that say so."""

    offset_minutes: int | None
    confidence: str  # high | medium | low | none
    score: int = 0
    runner_up: int = 0
    pairs: list[dict[str, Any]] = field(default_factory=list)
    candidates: dict[int, int] = field(default_factory=dict)
    readings: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"offset_minutes": self.offset_minutes,
                "offset": clock.offset_text(self.offset_minutes) if self.offset_minutes is not None else None,
                "confidence": self.confidence, "score": self.score, "runner_up": self.runner_up,
                "pairs": self.pairs, "readings": self.readings,
                "candidates": {clock.offset_text(k): v for k, v in sorted(self.candidates.items())}}


def _table(store: CaseStore, name: str) -> bool:
    return bool(store.scalar("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)))


def local_moments(store: CaseStore, time_column: str = "local") -> list[Moment]:
    """The setup-log lines that mark a moment a UTC source may also have seen, newest first per kind.

    ``time_column`` is ``local`` before the timeline is clocked (the wall clock as written). One pass over the
    setup logs' rows (the timeline has no index yet), the kinds told apart here."""
    likes = " OR ".join("message LIKE ?" for _ in LOCAL_MARKERS)
    rows = store.conn.execute(
        f"SELECT {time_column}, file_id, line, message FROM timeline WHERE source IN ('setupact', 'setuperr') "
        f"AND basis = 'local' AND {time_column} IS NOT NULL AND ({likes})",
        [pattern for _kind, pattern in LOCAL_MARKERS]).fetchall()
    by_kind: dict[str, list[Moment]] = defaultdict(list)
    for ts, file_id, line, message in rows:
        low = (message or "").lower()
        for kind, pattern in LOCAL_MARKERS:
            if all(part.lower() in low for part in pattern.strip("%").split("%")):
                by_kind[kind].append(Moment(int(ts), kind, file_id, line, (message or "")[:300]))
                break
    out: list[Moment] = []
    for moments in by_kind.values():
        out += sorted(moments, key=lambda m: -m.ts)[:MAX_MOMENTS]
    return out


def utc_moments(store: CaseStore) -> list[Moment]:
    """Moments on a UTC clock: Setup processes in a Procmon capture, WER reports, event-log boots and
    crash reports, kernel dumps."""
    out: list[Moment] = []
    if _table(store, "procmon_processes"):
        names = ", ".join(f"'{n}'" for n in SETUP_CRASHERS)
        for r in store.query(
                "SELECT file_id, name, start, \"end\", exit_status, exit_line, first_line FROM procmon_processes "
                f"WHERE basis = 'utc' AND lower(name) IN ({names}) LIMIT ?", (MAX_MOMENTS,)):
            name = r["name"].lower()
            if r["start"] and name in SETUP_HOSTS:
                out.append(Moment(int(r["start"]), "setup_start", r["file_id"], r["first_line"],
                                  f"Procmon: Process Start of {r['name']}"))
            if r["end"]:
                status = r["exit_status"]
                abnormal = status is not None and status >= 0x80000000
                kind = "setup_crash_exit" if abnormal else ("setup_exit" if name in SETUP_HOSTS else "")
                if kind:
                    out.append(Moment(int(r["end"]), kind, r["file_id"], r["exit_line"],
                                      f"Procmon: Process Exit of {r['name']}"
                                      + (f", exit status 0x{status:08X}" if status is not None else "")))
    if _table(store, "wer_reports"):
        for r in store.query("SELECT file_id, event_type, event_time, app_name, exception_code FROM wer_reports "
                             "WHERE event_time IS NOT NULL LIMIT ?", (MAX_MOMENTS,)):
            crash = (r["event_type"] or "").upper() in ("APPCRASH", "BEX", "BEX64", "MOAPPCRASH")
            setup = (r["app_name"] or "").lower() in WER_SETUP_APPS
            kind = "wer_setup_crash" if crash and setup else "wer"
            out.append(Moment(int(r["event_time"]), kind, r["file_id"], None,
                              f"WER {r['event_type']} report of {r['app_name'] or '?'}"
                              + (f", exception {r['exception_code']}" if r["exception_code"] else "")))
    if _table(store, "evtx_records"):
        for r in store.query(
                "SELECT file_id, line, ts, provider, event_id, data FROM evtx_records WHERE ts IS NOT NULL AND ("
                "(event_id IN (6005, 6009) AND provider IN ('EventLog', 'Microsoft-Windows-Eventlog')) OR "
                "(event_id = 1001 AND provider = 'Windows Error Reporting') OR "
                "(event_id = 1000 AND provider = 'Application Error')) ORDER BY ts DESC LIMIT ?", (MAX_MOMENTS,)):
            data = (r["data"] or "").lower()
            if r["event_id"] in (6005, 6009):
                kind, text = "boot", f"System {r['event_id']}: the event log service started (a boot)"
            elif r["event_id"] == 1000:
                if not any(app in data for app in WER_SETUP_APPS):
                    continue
                kind, text = "wer_setup_crash", "Application 1000: a Setup process crashed"
            else:
                kind = "wer_setup_crash" if any(app in data for app in WER_SETUP_APPS) else "wer"
                text = "Application 1001: Windows Error Reporting"
            out.append(Moment(int(r["ts"]), kind, r["file_id"], r["line"], text))
    if _table(store, "dump_summary"):
        for r in store.query("SELECT file_id, crash_ts, bugcheck_code FROM dump_summary WHERE crash_ts IS NOT NULL "
                             "AND source_kind = 'kernel_dump' LIMIT ?", (MAX_MOMENTS,)):
            out.append(Moment(int(r["crash_ts"]), "dump_crash", r["file_id"], None,
                              f"kernel dump: bugcheck {r['bugcheck_code'] or '?'}"))
    return out


def export_readings(store: CaseStore) -> list[dict[str, Any]]:
    """Offsets Procmon exports were written with, read against the UTC of their capture (weak evidence: the
    export may have been made on another machine)."""
    out = []
    for r in store.query("SELECT f.value, f.file_id, f.text, files.path FROM facts f LEFT JOIN files ON "
                         "files.id = f.file_id WHERE f.name = 'procmon.export_offset_minutes'"):
        try:
            minutes = int(r["value"])
        except (TypeError, ValueError):
            continue
        if clock.valid_offset(minutes):
            out.append({"offset_minutes": minutes, "file": r["path"], "text": r["text"], "weight": 1})
    return out


def _lag_fits(rule: Rule, utc: Moment, local: Moment, offset_minutes: int) -> int | None:
    """The lag (µs) of a pair under an offset when the rule allows it (one second of slack for the whole
    seconds setup logs write), else None."""
    lag = local.ts - offset_minutes * 60 * US - utc.ts
    if (rule.lag_lo - 1) * US <= lag <= (rule.lag_hi + 1) * US:
        return lag
    return None


def infer_offset(utc: list[Moment], local: list[Moment], readings: list[dict[str, Any]] | None = None,
                 files: dict[int, str] | None = None) -> Inference:
    """The offset most pairs agree on (see the module's docstring)."""
    readings = readings or []
    files = files or {}
    by_kind: dict[str, list[Moment]] = defaultdict(list)
    for m in local:
        by_kind[m.kind].append(m)
    candidates: set[int] = set()
    for rule in RULES:
        mid = (rule.lag_lo + rule.lag_hi) * US // 2
        for u in utc:
            if u.kind not in rule.utc_kinds:
                continue
            for kind in rule.local_kinds:
                for m in by_kind.get(kind, ()):
                    q = round((m.ts - u.ts - mid) / QUARTER_US) * 15
                    if clock.valid_offset(q) and _lag_fits(rule, u, m, q) is not None:
                        candidates.add(q)
    candidates.update(r["offset_minutes"] for r in readings)
    scores: dict[int, int] = {}
    pairs_of: dict[int, list[dict[str, Any]]] = {}
    for q in candidates:
        score, pairs = 0, []
        for u in utc:
            best: tuple[int, Rule, Moment, int] | None = None
            for rule in RULES:
                if u.kind not in rule.utc_kinds or (best is not None and best[0] >= rule.weight):
                    continue
                for kind in rule.local_kinds:
                    for m in by_kind.get(kind, ()):
                        lag = _lag_fits(rule, u, m, q)
                        if lag is not None and (best is None or rule.weight > best[0]):
                            best = (rule.weight, rule, m, lag)
            if best is not None:
                weight, rule, m, lag = best
                score += weight
                pairs.append({"what": rule.what, "weight": weight, "lag_seconds": round(lag / US, 1),
                              "utc": {"time": clock.format_us(u.ts), "file": files.get(u.file_id or -1),
                                      "line": u.line, "text": u.text},
                              "local": {"time": clock.format_us(m.ts, utc=False), "file": files.get(m.file_id or -1),
                                        "line": m.line, "text": m.text}})
        score += sum(r["weight"] for r in readings if r["offset_minutes"] == q)
        if score:
            scores[q], pairs_of[q] = score, pairs
    if not scores:
        return Inference(None, "none", readings=readings)
    ranked = sorted(scores.items(), key=lambda kv: -kv[1])
    best_q, best_score = ranked[0]
    runner = ranked[1][1] if len(ranked) > 1 else 0
    used = [r for r in readings if r["offset_minutes"] == best_q]
    if best_score == runner:
        return Inference(None, "none", best_score, runner, [], scores, readings)
    rules_met = {p["what"] for p in pairs_of[best_q]}
    if best_score >= 4 and len(pairs_of[best_q]) >= 2 and runner * 3 <= best_score and len(rules_met) >= 1:
        confidence = "high"
    elif best_score >= 2 and runner < best_score:
        confidence = "medium"
    else:
        confidence = "low"
    return Inference(best_q, confidence, best_score, runner, pairs_of[best_q], scores, used)


def infer_case_offset(store: CaseStore) -> Inference:
    """Gather the moments of a parsed (not yet clocked) case and infer its offset."""
    files = {r[0]: r[1] for r in store.conn.execute("SELECT id, path FROM files")}
    return infer_offset(utc_moments(store), local_moments(store), export_readings(store), files)
