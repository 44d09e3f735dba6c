"""The verdict: one state, one phase, one culprit with product and vendor, the reasoning, what to do next.

Built when read (the analysis JSON, the overview, the report), from the facts and findings the analyzers
recorded, the crash tables, the reported symptom and the knowledge table — so an engineer's ``--reported``
entry or a signature pack added later changes it without a new ingest. Nothing here knows a particular
product or problem: products come from the case's own data and the knowledge table (``plugins/``).

State: ``not_an_upgrade`` (these logs cannot show the reported failure: Windows 7/8.1, a deployment's logs,
another computer, logs long before the complaint), ``succeeded``, ``failed`` (a code, the upgrade's crash or
a Setup process that died), else ``incomplete``. Codes are only those Setup wrote (the upgrade analyzer
rejects anything that is not a plausible result); when a process died before logging one, the verdict says so.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

from workbench.core import clock
from workbench.core.clock_text import CaseTimes, iso_time, stamped
from workbench.core.store import CaseStore
from workbench.core.upgrade.codes import SP_OPERATIONS, parse_code
from workbench.core.verdict import texts
from workbench.core.verdict.causes import Cause, Step, fact_evidence, finding_evidence, gather, wer_quote
from workbench.core.verdict.reported import Reported, reported_of

STATES = ("failed", "succeeded", "not_an_upgrade", "incomplete")
#: A driver failing at boot counts when it is this close to the failure (a System log spans weeks).
BOOT_FAILURE_WINDOW_US = 2 * 3_600 * 1_000_000
#: Setup logs this long before the reported failure are another attempt's (or another machine's).
OLD_LOGS_DAYS = 180
#: Windows versions before 10 by their NT version, as the setup logs' "Build version is 6.3.9600…" gives it.
OLD_WINDOWS = {"6.0": "Vista", "6.1": "7", "6.2": "8", "6.3": "8.1"}
_OLD_BUILD = re.compile(r"Build version is (\d+)\.(\d+)\.(\d+)")


def _fact(store: CaseStore, name: str) -> Any:
    return store.fact(name)


def _value(store: CaseStore, name: str) -> str | None:
    row = store.fact(name)
    return None if row is None else str(row["value"])


def _join(parts: list[str], lang: str) -> str:
    return ("；" if lang == "zh" else "; ").join(p for p in parts if p)


# ------------------------------------------------------------------------------------------- scope


#: Setup processes only a feature upgrade runs (``setup.exe`` is every installer's name: it needs its path).
UPGRADE_ONLY_PROCESSES = frozenset({"setuphost.exe", "setupprep.exe", "setupplatform.exe", "mighost.exe"})


def upgrade_crash_reports(store: CaseStore) -> list[Any]:
    """Crash reports (WER) of a feature upgrade's Setup process: run from ``$WINDOWS.~BT``/``$Windows.~WS``, or
    one of the processes only an upgrade runs. Each is evidence of an upgrade attempt, logs or not."""
    if not store.scalar("SELECT count(*) FROM sqlite_master WHERE type='table' AND name='wer_reports'"):
        return []
    from workbench.core.parsers.wer import setup_crashes

    out = []
    for r in setup_crashes(store):
        path = (r["app_path"] or "").lower()
        if "$windows.~bt" in path or "$windows.~ws" in path or (r["app_name"] or "").lower() in UPGRADE_ONLY_PROCESSES:
            out.append(r)
    return out


def upgrade_logs_count(store: CaseStore) -> int:
    """Setup logs of a feature upgrade in the case (down-level, rollback, new OS; or under ``$WINDOWS.~BT``)."""
    return int(store.scalar(
        "SELECT count(*) FROM files WHERE kind IN ('setupact', 'setuperr') AND (role IN ('downlevel', 'rollback', "
        "'newos') OR lower(path) LIKE '%$windows.~bt%' OR lower(path) LIKE '%$windows.~ws%')") or 0)


def _not_upgrade_reasons(store: CaseStore, reported: Reported | None) -> list[Step]:
    """Why these logs cannot show a Windows 10/11 feature-upgrade failure (empty when they can). A crash report
    of the upgrade's Setup is an upgrade attempt: its logs are missing, which the verdict says instead."""
    reasons: list[Step] = []
    build = _fact(store, "system.os_build")
    if build is not None and str(build["value"]).isdigit() and int(build["value"]) < 10240:
        name = _value(store, "system.os_name") or "Windows"
        version = _value(store, "system.os_version") or str(build["value"])
        en, zh = texts.both("why_old_os", os=name, version=version)
        reasons.append(Step(en, zh, [fact_evidence(store, build)]))
    upgrade_logs = upgrade_logs_count(store)
    setup_logs = store.scalar("SELECT count(*) FROM files WHERE kind IN ('setupact', 'setuperr')") or 0
    marker = _fact(store, "upgrade.result_code") or _fact(store, "setup.command_line") \
        or _fact(store, "upgrade.source_build") or _fact(store, "setup.outcome") or upgrade_crash_reports(store) or None
    if setup_logs and not upgrade_logs and marker is None:
        old = store.query("SELECT t.line, t.ts, t.basis, t.message, f.path AS file FROM timeline t JOIN files f ON "
                          "f.id = t.file_id WHERE t.source = 'setupact' AND t.message LIKE '%Build version is %' "
                          "ORDER BY t.id LIMIT 1")
        m = _OLD_BUILD.search(old[0]["message"]) if old else None
        if m and (int(m.group(1)), int(m.group(2))) < (10, 0):
            ev = {"file": old[0]["file"], "line": old[0]["line"], "time": stamped(CaseTimes(store), old[0]),
                  "text": old[0]["message"]}
            number = f"{m.group(1)}.{m.group(2)}"
            known = OLD_WINDOWS.get(number)
            en, zh = texts.both("why_old_setup", version=f"{known} ({number})" if known else number,
                                build=m.group(0)[17:])
            reasons.append(Step(en, zh, [ev]))
        first = store.query("SELECT t.line, t.ts, t.basis, t.message, f.path AS file FROM timeline t JOIN files f ON "
                            "f.id = t.file_id WHERE t.source IN ('setupact', 'setuperr') ORDER BY t.id LIMIT 1")
        ev_first = [{"file": first[0]["file"], "line": first[0]["line"], "time": stamped(CaseTimes(store), first[0]),
                     "text": first[0]["message"]}] if first else []
        en, zh = texts.both("why_no_upgrade_logs")
        reasons.append(Step(en, zh, ev_first))
    computer = _fact(store, "system.computer")
    if reported is not None and reported.computer and computer is not None \
            and reported.computer.lower() != str(computer["value"]).lower():
        en, zh = texts.both("why_other_computer", reported=reported.computer, computer=computer["value"])
        reasons.append(Step(en, zh, [fact_evidence(store, computer), reported.evidence or {}]))
    if reported is not None and reported.date:
        last = store.scalar("SELECT max(local) FROM timeline WHERE source IN ('setupact', 'setuperr')")
        if last is not None:
            logs_day = clock.us_to_datetime(last).date()
            rep_day = datetime.strptime(reported.date, "%Y-%m-%d").date()
            days = (rep_day - logs_day).days
            if days > OLD_LOGS_DAYS:
                rows = store.query("SELECT t.line, t.ts, t.basis, t.message, f.path AS file FROM timeline t JOIN files f ON "
                                   "f.id = t.file_id WHERE t.source IN ('setupact', 'setuperr') AND t.local = ? "
                                   "LIMIT 1", (last,))
                lines = [{"file": r["file"], "line": r["line"], "time": stamped(CaseTimes(store), r),
                          "text": r["message"]} for r in rows]
                en, zh = texts.both("why_old_logs", logs_date=logs_day.isoformat(), days=days,
                                    reported_date=reported.date)
                reasons.append(Step(en, zh, lines + ([reported.evidence] if reported.evidence else [])))
    return reasons


#: Kinds of file that describe the machine as it was when collected (msinfo32, systeminfo).
SYSTEM_INFO_KINDS = ("msinfo_nfo", "msinfo_text", "systeminfo")


def _build_mismatch(store: CaseStore) -> Step | None:
    """The system information's build against the build the setup logs ran on: after a failed upgrade the PC
    is still on the source build, so another build means another moment or another computer."""
    marks = ",".join("?" * len(SYSTEM_INFO_KINDS))
    info = store.query("SELECT f.*, files.path AS file FROM facts f JOIN files ON files.id = f.file_id WHERE "
                       f"f.name = 'system.os_build' AND files.kind IN ({marks}) ORDER BY f.weight DESC LIMIT 1",
                       SYSTEM_INFO_KINDS)
    source = store.query("SELECT f.*, files.path AS file FROM facts f LEFT JOIN files ON files.id = f.file_id "
                         "WHERE f.name = 'upgrade.source_build' ORDER BY f.weight DESC, f.id LIMIT 1")
    if not info or not source or str(info[0]["value"]) == str(source[0]["value"]):
        return None
    target = _value(store, "upgrade.target_build") or "?"
    values = {"info_build": info[0]["value"], "source_build": source[0]["value"], "target_build": target}
    return Step(texts.say("step_build_mismatch", "en", **values), texts.say("step_build_mismatch", "zh", **values),
                [fact_evidence(store, info[0]), fact_evidence(store, source[0])])


def _checklist(phase: str | None, bugcheck: bool, process_crash: bool) -> list[str]:
    """What to collect for a failure of this shape (all of it when the shape is unknown)."""
    items = ["bt", "panther", "setupapi", "evtx"]
    if bugcheck or phase in (None, "SAFE_OS", "FIRST_BOOT", "OOBE_BOOT"):
        items.append("dumps")
    if process_crash or phase == "DOWNLEVEL" or (phase is None and not bugcheck):  # a blue screen is no process's
        items += ["wer", "procmon"]
    if bugcheck or phase in ("SAFE_OS", "FIRST_BOOT", "OOBE_BOOT"):
        items.append("procmon_boot")
    return items + ["nfo", "time"]


# ------------------------------------------------------------------------------------------- the failure


def _phase(store: CaseStore) -> tuple[str | None, Step | None]:
    """The failure's phase and, when no code gave it, the step saying how the logs place it."""
    row = _fact(store, "upgrade.phase")
    if row is None:
        return None, None
    phase = str(row["value"])
    text = row["text"] or ""
    code = _fact(store, "upgrade.extend_code")
    if code is not None and code["weight"] >= row["weight"]:
        return phase, None
    if text.startswith("rollback header"):
        why = texts.T["why_header"]
    elif text.startswith("the last execution phase"):
        why = texts.T["why_exec_phase"]
    else:
        why = texts.T["why_downlevel_only"]
    pen, pzh = texts.phase_text(phase)
    return phase, Step(texts.say("step_phase_content", "en", phase=pen, why=why[0]),
                       texts.say("step_phase_content", "zh", phase=pzh, why=why[1]), [fact_evidence(store, row)])


def _code(store: CaseStore) -> tuple[str | None, Any]:
    result, extend = _fact(store, "upgrade.result_code"), _fact(store, "upgrade.extend_code")
    if result is None and extend is None:
        return None, None
    text = f"{result['value'] if result else '?'}" + (f" - {extend['value']}" if extend else "")
    return text, result or extend


def _related_bugcheck(store: CaseStore) -> tuple[str | None, Any]:
    """The upgrade's bug check (code, evidence row): a related crash source, else the rollback log's line."""
    for r in store.query("SELECT f.*, files.path AS file FROM facts f LEFT JOIN files ON files.id = f.file_id "
                         "WHERE f.name = 'crash.bugcheck_code' ORDER BY f.weight DESC, f.id"):
        related = store.scalar("SELECT value FROM facts WHERE name = 'crash.related' AND file_id = ? LIMIT 1",
                               (r["file_id"],))
        if related != "false":
            return str(r["value"]), r
    row = store.query("SELECT id, ts, data FROM findings WHERE rule_id = 'crash.upgrade_bugcheck' ORDER BY id LIMIT 1")
    if row:
        return "bug check", None
    return None, None


def _process_death(store: CaseStore) -> tuple[str | None, str | None, list[dict[str, Any]]]:
    """A Setup process that died (process, exception code, evidence): WER, Procmon's exit, MigHost's line."""
    evidence: list[dict[str, Any]] = []
    process: str | None = None
    exc: str | None = None
    if bool(store.scalar("SELECT count(*) FROM sqlite_master WHERE type='table' AND name='wer_reports'")):
        from workbench.core.parsers.wer import setup_crashes

        for r in reversed(setup_crashes(store)):  # the latest crash of a Setup process
            process, exc = r["app_name"], r["exception_code"]
            evidence.append({"file": r["path"], "line": None, "time": iso_time(store, r["event_time"], "utc"),
                             "text": wer_quote(r)})
            break
    for f in store.query("SELECT id, data FROM findings WHERE rule_id = 'procmon.setup_abnormal_exit' "
                         "ORDER BY score DESC, id"):
        data = json.loads(f["data"] or "{}")
        status = parse_code(str(data.get("exit_status") or ""))
        if status is None or status < 0xC0000000:
            continue
        image = str(data.get("image") or "")
        name = image.rsplit("\\", 1)[-1] or None
        process = process or name
        exc = exc or data.get("exit_status")
        evidence += finding_evidence(store, f["id"], 1)
        break
    gone = _fact(store, "setup.host_exited")
    if gone is not None:
        process = process or str(gone["value"])
        evidence.append(fact_evidence(store, gone))
    return process, exc, evidence


def failure_moment(store: CaseStore) -> tuple[int | None, str | None, str | None, int | None]:
    """When the upgrade failed (UTC µs), what marks it, and the clock that time is on (basis and file id, see
    :mod:`workbench.core.clock_text`): the upgrade's crash (a bug check of the failing boot, from its dump or
    the engineer's debugger text), else a Setup process's death (its crash report, Procmon's exit), else where
    Setup wrote the result code. The code is often written much later, at the rollback's end: it is the
    failure's report, not its moment."""
    if store.scalar("SELECT count(*) FROM sqlite_master WHERE type='table' AND name='dump_summary'"):
        ts = store.scalar("SELECT d.crash_ts FROM dump_summary d WHERE d.crash_ts IS NOT NULL AND d.file_id IN "
                          "(SELECT file_id FROM facts WHERE name = 'crash.related' AND value = 'true') "
                          "ORDER BY d.weight DESC, d.crash_ts DESC LIMIT 1")
        if ts is not None:
            return int(ts), "crash", "utc", None
    # a Setup process's death counts when it is this attempt's (a crash report of another day is another failure)
    from workbench.core.attempt import failed_attempt

    span = failed_attempt(store)
    crashes = [r for r in upgrade_crash_reports(store)
               if r["event_time"] is not None and within_attempt(store, r["event_time"], span)]
    if crashes:
        return int(crashes[-1]["event_time"]), "setup crash", "utc", None
    rows = [r for r in store.query(
        "SELECT f.ts, (SELECT e.file_id FROM evidence e WHERE e.finding_id = f.id ORDER BY e.id LIMIT 1) AS file_id "
        "FROM findings f WHERE f.rule_id = 'procmon.setup_abnormal_exit' AND f.ts IS NOT NULL "
        "ORDER BY f.score DESC, f.id") if within_attempt(store, r["ts"], span)]
    if rows:
        return int(rows[0]["ts"]), "setup crash", None, rows[0]["file_id"]
    fact = _fact(store, "upgrade.result_code") or _fact(store, "upgrade.extend_code")
    if fact is not None and fact["ts"] is not None:
        return int(fact["ts"]), "failure", fact["basis"], fact["file_id"]
    return None, None, None, None


def rollback_end(store: CaseStore, failed_at: int | None) -> int | None:
    """When the rollback ended (its last line, or the code Setup reported after it), when that is not the
    failure's own moment."""
    if _value(store, "upgrade.rollback") not in ("true", "True", "1"):
        return None
    ends: list[int] = []
    phases = _fact(store, "setup.phases")
    try:
        items = json.loads(phases["value"]) if phases is not None and phases["value"] else []
    except ValueError:
        items = []
    ends += [p["end"] for p in items if isinstance(items, list) and isinstance(p, dict) and p.get("kind") == "rollback"
             and isinstance(p.get("end"), int)]
    code = store.query("SELECT f.ts, files.path, files.role FROM facts f JOIN files ON files.id = f.file_id WHERE "
                       "f.name = 'upgrade.result_code' AND f.ts IS NOT NULL ORDER BY f.weight DESC, f.id LIMIT 1")
    if code and (code[0]["role"] == "rollback" or "/rollback/" in str(code[0]["path"]).replace("\\", "/").lower()):
        ends.append(int(code[0]["ts"]))  # the post-reboot report the rollback ends with
    if not ends:
        return None
    end = max(ends)
    return end if failed_at is None or end - failed_at > 60 * 1_000_000 else None


#: A cause seen by these sources only counts inside the failed attempt (a WER report or a capture of another
#: day explains another failure); the upgrade's dump and setupapi's rollback log belong to it by place.
TIMED_SOURCES = frozenset({"wer", "procmon", "events"})
ATTEMPT_MARGIN_US = (3_600 * 1_000_000, 86_400 * 1_000_000)  # an hour before its start, a day after its end


def within_attempt(store: CaseStore, ts: int | None, span: Any = "look up") -> bool:
    """Whether a time falls within the failed attempt's span (with :data:`ATTEMPT_MARGIN_US`); True when either
    is unknown. ``span``: the attempt when the caller already has it (None: the case has none)."""
    if span == "look up":
        from workbench.core.attempt import failed_attempt

        span = failed_attempt(store)
    if ts is None or span is None:
        return True
    return bool(span.start - ATTEMPT_MARGIN_US[0] <= ts <= span.end + ATTEMPT_MARGIN_US[1])


def _in_attempt(store: CaseStore, cause: Cause) -> bool:
    """False for a cause that only timed sources saw, at a time outside the failed attempt's span."""
    if cause.ts is None or not cause.sources or not cause.sources <= TIMED_SOURCES:
        return True
    return within_attempt(store, cause.ts)


def _owner_text(cause: Cause, lang: str) -> str:
    o = cause.owner
    if o is None or not (o.vendor or o.product):
        return ""
    if o.product and o.vendor and o.vendor.lower() not in o.product.lower():
        return texts.say("owner_both", lang, product=o.product, vendor=o.vendor)
    return texts.say("owner_vendor", lang, vendor=o.product or o.vendor)


def _owner_steps(cause: Cause) -> list[Step]:
    o = cause.owner
    steps: list[Step] = []
    if o is None:
        return steps
    label = o.label()
    if label and o.source and o.source in texts.T:
        src_en, src_zh = texts.T[o.source]
        fill = {"process": "", **o.source_values}
        src_en, src_zh = src_en.format(**fill), src_zh.format(**fill)
        values = {"module": cause.module, "owner": label, "source": src_en, "source_zh": src_zh}
        steps.append(Step(texts.say("step_owner", "en", **values),
                          texts.say("step_owner", "zh", **{**values, "owner": o.label("zh")}),
                          o.evidence or cause.evidence[:1]))
    known = o.known
    if known is not None and known.breaks and "breaks" not in known.untranslated:
        values = {"breaks": known.breaks, "breaks_zh": known.breaks_zh, "source": known.source}
        steps.append(Step(texts.say("step_known", "en", **values), texts.say("step_known", "zh", **values),
                          [{"file": None, "line": None, "time": None, "text": f"{known.module}: {known.source}"}]))
    return steps


def _fix(cause: Cause) -> tuple[str, str]:
    o = cause.owner
    label = (o.label() if o else None)
    known = o.known if o else None
    if known is not None and known.fix and "fix" not in known.untranslated:
        owner = label or known.product or known.vendor
        return (texts.say("fix_known", "en", module=cause.module, owner=owner, fix=known.fix, fix_zh=known.fix_zh),
                texts.say("fix_known", "zh", module=cause.module, owner=known.vendor_zh or owner, fix=known.fix,
                          fix_zh=known.fix_zh))
    if not cause.third_party and cause.kind in ("driver", "dll"):
        return texts.both("fix_inbox", module=cause.module)  # never "uninstall" Windows' own module
    if cause.kind == "device":
        device = cause.description or cause.device or cause.module
        owner_en = f" ({o.vendor})" if o and o.vendor else ""
        owner_zh = f"（{o.vendor}）" if o and o.vendor else ""
        return (texts.say("fix_device", "en", device=device, owner=owner_en, owner_zh=owner_zh, module=cause.module),
                texts.say("fix_device", "zh", device=device, owner=owner_en, owner_zh=owner_zh, module=cause.module))
    key = "fix_dll" if cause.kind == "dll" else "fix_driver" if cause.kind == "driver" else "fix_generic"
    if not label and cause.kind == "dll":
        key = "fix_dll_unknown"  # "the product that installed X, whose X" says the name twice
    owner_en, owner_zh = (label, (o.label("zh") if o else None) or label) if label else \
        texts.both("the_product_of", module=cause.path or cause.module)
    return (texts.say(key, "en", owner=owner_en, module=cause.module),
            texts.say(key, "zh", owner=owner_zh, module=cause.module))


def _finding_advice(store: CaseStore, code: str | None) -> list[tuple[str, str]]:
    """Without a culprit: the remediation of the strongest finding that carries one in both languages (the
    failure statement and access noise excepted), and the documented advice for the code pair."""
    from workbench.core.analysis import SEVERITIES
    from workbench.core.finding_text import finding_texts
    from workbench.core.upgrade.codes import decode, parse_pair
    from workbench.core.verdict.rank import NOISE_RULES, SYMPTOM_RULES, UNRELATED_RULES

    out: list[tuple[str, str]] = []
    order = "CASE severity " + " ".join(f"WHEN '{s}' THEN {i}" for i, s in enumerate(SEVERITIES)) + " ELSE 9 END"
    from workbench.core.attempt import failed_attempt

    span = failed_attempt(store)
    for row in store.query(f"SELECT * FROM findings WHERE remediation IS NOT NULL ORDER BY {order}, score DESC, id"):
        if row["rule_id"] in SYMPTOM_RULES | NOISE_RULES | UNRELATED_RULES:
            continue
        if not within_attempt(store, row["ts"], span):
            continue  # another attempt's (or another day's) finding
        en, zh = finding_texts(row, "en")["remediation"], finding_texts(row, "zh")["remediation"]
        if en and zh and zh != en:
            out.append((en.strip(), zh.strip()))
            break
    if code:
        result, extend = parse_pair(code.replace(" ", ""))
        d = decode(result, extend, _layer(store))
        if d.advice_en and d.advice_zh:
            out.append((d.advice_en, d.advice_zh))
    return out


def _layer(store: CaseStore) -> str:
    from workbench.core.upgrade.codes import LAYER_SP

    return _value(store, "setup.code_layer") or LAYER_SP


def _culprit_dict(cause: Cause) -> dict[str, Any]:
    o = cause.owner
    known = o.known if o else None
    return {
        "module": cause.module, "kind": cause.kind,
        "product": o.product if o else None, "vendor": o.vendor if o else None,
        "vendor_zh": known.vendor_zh if known else None,
        "vendor_source": texts.T[o.source][0].format(process=o.source_values.get("process", ""))
        if o and o.source in texts.T else None,
        "category": known.category if known else None,
        "known_source": known.source if known else None,
        "path": cause.path, "device": cause.device, "third_party": cause.third_party,
        "sources": sorted(cause.sources), "evidence": cause.evidence[:12],
    }


def _logs_show(code: str | None, state: str, process: str | None, exc: str | None,
               bugcheck: str | None) -> tuple[str, str]:
    """What failure the logs show, as a short phrase in both languages: the code Setup wrote, else the crash
    (a Setup process or the machine), else that no code was logged — never a placeholder."""
    if code:
        return code, code
    if state == "succeeded":
        return texts.T["succeeded"]
    if process:
        return texts.both("logs_process_crash" if exc else "logs_process_died", process=process, exception=exc)
    if bugcheck and bugcheck != "bug check":
        return texts.both("logs_bugcheck", bugcheck=bugcheck)
    return texts.T["logs_no_code"]


def _reported_check(reported: Reported | None, code: str | None, code_row: Any, phase: str | None,
                    state: str, shown: tuple[str, str]) -> tuple[bool | None, Step | None]:
    """Whether the logs hold the reported failure (None when nothing comparable was reported)."""
    if reported is None:
        return None, None
    rep_text = reported.code or reported.text[:120]
    rep_ev = [reported.evidence] if reported.evidence else []
    mismatch = False
    if reported.extend is not None and code_row is not None:
        logs_extend = None
        if code and " - " in code:
            logs_extend = parse_code(code.split(" - ", 1)[1])
        logs_result = parse_code(code.split(" - ", 1)[0]) if code else None
        mismatch = (logs_extend is not None and logs_extend != reported.extend) or \
            (logs_result is not None and reported.result is not None and logs_result != reported.result)
    if not mismatch and reported.phase and phase and reported.phase != phase and state == "failed":
        mismatch = True
    if not mismatch and state == "succeeded" and (reported.code or reported.symptoms):
        mismatch = True
    if not mismatch and (reported.code or reported.phase) and state == "failed":
        values = {"reported": rep_text}
        return True, Step(texts.say("reported_matches", "en", **values), texts.say("reported_matches", "zh", **values),
                          rep_ev + ([code_row] if isinstance(code_row, dict) else []))
    if not mismatch:
        return None, None
    lp_en, lp_zh = texts.phase_text(phase)
    rp_en, rp_zh = texts.phase_text(reported.phase)
    logs, logs_zh = shown
    en = texts.say("mismatch", "en", logs=logs, logs_phase=lp_en, reported=rep_text, reported_phase=rp_en)
    zh = texts.say("mismatch", "zh", logs=logs_zh, logs_phase=lp_zh, reported=rep_text, reported_phase=rp_zh)
    return False, Step(en, zh, rep_ev)


# ------------------------------------------------------------------------------------------- the verdict


def build_verdict(store: CaseStore) -> dict[str, Any]:
    """The ``verdict`` object of the analysis JSON (see the module docstring and issue 19)."""
    reported = reported_of(store)
    steps: list[Step] = []
    code, code_row = _code(store)
    outcome = _value(store, "setup.outcome")
    phase, phase_step = _phase(store)
    bugcheck, bug_row = _related_bugcheck(store)
    process, exc, death_ev = _process_death(store)
    causes = gather(store)
    failure_ts = (code_row["ts"] if code_row is not None else None) or (causes[0].ts if causes else None)
    causes = [c for c in causes if c.tier < 4 or len(c.sources) > 1 or (
        failure_ts is not None and c.ts is not None and abs(c.ts - failure_ts) <= BOOT_FAILURE_WINDOW_US)]
    causes = [c for c in causes if _in_attempt(store, c)]
    culprit = causes[0] if causes and (causes[0].third_party or causes[0].kind == "device") else \
        (causes[0] if causes else None)
    reasons = _not_upgrade_reasons(store, reported)
    # Setup crashed (its crash report is here) but the upgrade's own logs are not: say so, and what to collect
    logs_missing = not reasons and process is not None and not upgrade_logs_count(store) \
        and bool(upgrade_crash_reports(store))

    summary_en: list[str] = []
    summary_zh: list[str] = []

    def tell(en: str, zh: str) -> None:
        """A sentence of the summary, in both languages."""
        summary_en.append(en)
        summary_zh.append(zh)

    if reasons:
        state = "not_an_upgrade"
    elif outcome == "cancelled by the user":
        state = "incomplete"
    elif code is not None or process is not None or (bugcheck is not None and _value(store, "upgrade.rollback")):
        state = "failed"
    elif outcome == "succeeded":
        state = "succeeded"
    else:
        state = "incomplete"

    # what failed, first
    pen, pzh = texts.phase_text(phase)
    if state == "not_an_upgrade":
        why_en = "; ".join(r.en for r in reasons)
        why_zh = "；".join(r.zh for r in reasons)
        tell(texts.say("not_upgrade", "en", reasons=why_en), texts.say("not_upgrade", "zh", reasons=why_zh))
        # each reason a sentence of its own
        steps += [Step(r.en[:1].upper() + r.en[1:] + ".", r.zh + "。", r.evidence) for r in reasons]
    elif outcome == "cancelled by the user":
        tell(*texts.both("cancelled", code=code or "?"))
    elif state == "succeeded":
        en, zh = texts.both("succeeded")
        tell(en, zh)
        row = _fact(store, "setup.outcome")
        steps.append(Step(en, zh, [fact_evidence(store, row)] if row is not None else []))
    elif code is not None:
        key = "failed_code" if phase else "failed_code_nophase"
        tell(texts.say(key, "en", code=code, phase=pen), texts.say(key, "zh", code=code, phase=pzh))
        if bugcheck and bugcheck != "bug check":
            tell(*texts.both("failed_bugcheck", bugcheck=bugcheck))
    elif process is not None:
        exc_text = texts.exception_text(parse_code(exc) if exc else None)
        key = ("host_crashed" if exc else "host_crashed_noexc") + ("" if phase else "_nophase")
        values = {"process": process, "phase": pen, "exception": f"{exc}, {exc_text[0]}" if exc_text else exc}
        values_zh = {"process": process, "phase": pzh, "exception": f"{exc}，{exc_text[1]}" if exc_text else exc}
        tell(texts.say(key, "en", **values), texts.say(key, "zh", **values_zh))
        steps.append(Step(summary_en[-1], summary_zh[-1], death_ev))
        if logs_missing:
            other = "step_logs_missing_other" if store.scalar(
                "SELECT count(*) FROM files WHERE kind IN ('setupact', 'setuperr')") else "step_logs_missing"
            steps.append(Step(*texts.both(other), [
                {"file": r["path"], "line": None, "time": iso_time(store, r["event_time"], "utc"),
                 "text": f"AppPath={r['app_path']}"}
                for r in upgrade_crash_reports(store)[-1:] if r["app_path"]]))
    elif bugcheck is not None:
        key = "failed_bugcheck" if state == "failed" else "incomplete_crash"
        shown = bugcheck if bugcheck != "bug check" else texts.T["code_not_in_case"]
        tell(texts.say(key, "en", bugcheck=shown[0] if isinstance(shown, tuple) else shown),
             texts.say(key, "zh", bugcheck=shown[1] if isinstance(shown, tuple) else shown))
    else:
        tell(*texts.both("incomplete"))

    if code is not None and code_row is not None and state != "not_an_upgrade":
        op = _value(store, "upgrade.operation")
        layer = _value(store, "setup.code_layer")
        op_text = ""
        op_zh = ""
        if op and layer != "MOUPG":
            known = next((v for v in SP_OPERATIONS.values() if v[0] == op), None)
            op_text = texts.say("step_operation", "en", operation=f"{op} ({known[1]})" if known else op)
            op_zh = texts.say("step_operation", "zh", operation=f"{op}（{known[2]}）" if known else op)
        steps.insert(0, Step(texts.say("step_code", "en", code=code, phase=pen, operation=op_text),
                             texts.say("step_code", "zh", code=code, phase=pzh, operation=op_zh),
                             [fact_evidence(store, code_row)]))
    if phase_step is not None and state != "not_an_upgrade":
        steps.append(phase_step)
    if process is not None and _fact(store, "setup.host_exited") is not None and code is not None:
        gone = _fact(store, "setup.host_exited")
        steps.append(Step(texts.say("step_host_gone", "en", process=gone["value"]),
                          texts.say("step_host_gone", "zh", process=gone["value"]), [fact_evidence(store, gone)]))

    # the culprit, with the crash told and who makes it
    if culprit is not None and state != "not_an_upgrade":
        steps += culprit.steps
        steps += _owner_steps(culprit)
        if culprit.third_party or culprit.kind not in ("driver", "dll"):
            owner_en, owner_zh = _owner_text(culprit, "en"), _owner_text(culprit, "zh")
            tell(texts.say("culprit", "en", module=culprit.module, owner=owner_en),
                 texts.say("culprit", "zh", module=culprit.module, owner=owner_zh))
        else:
            tell(*texts.both("culprit_inbox", module=culprit.module))
    elif state == "failed":
        tell(*texts.both("no_culprit"))
    if logs_missing:
        tell(*texts.both("setup_logs_missing"))
    mismatch = _build_mismatch(store) if state in ("failed", "incomplete") else None
    if mismatch is not None:
        steps.append(mismatch)
    others = store.scalar("SELECT count(*) FROM facts WHERE name = 'crash.related' AND value = 'false'") or 0
    if others and state != "not_an_upgrade":
        from workbench.core.dumps.analyze import relation_why_zh

        rows = store.query(
            "SELECT f.ts, f.basis, f.file_id, f.text, files.path AS file, d.bugcheck_code, d.bugcheck_name, d.exception_code, "
            "d.culprit FROM facts f LEFT JOIN files ON files.id = f.file_id LEFT JOIN dump_summary d ON "
            "d.file_id = f.file_id WHERE f.name = 'crash.related' AND f.value = 'false' ORDER BY f.id LIMIT 5")
        # the crash itself as its source gives it (its code, its culprit); why it is set aside is said in words
        ev = [{"file": r["file"], "line": None, "time": stamped(CaseTimes(store), r),
               "text": " ".join(str(x) for x in (r["bugcheck_code"] or r["exception_code"], r["bugcheck_name"],
                                                  r["culprit"]) if x)} for r in rows]
        why_en = "; ".join(dict.fromkeys(str(r["text"]) for r in rows if r["text"]))
        why_zh = "；".join(dict.fromkeys(relation_why_zh(r["text"]) or "" for r in rows if r["text"]))
        steps.append(Step(texts.say("step_other_crash", "en", count=others, why=why_en),
                          texts.say("step_other_crash", "zh", count=others, why=why_zh), ev))

    # what was reported against what the logs show: said first when they differ
    matches, rep_step = _reported_check(reported, code, code_row, phase, state,
                                        _logs_show(code, state, process, exc, bugcheck))
    if rep_step is not None:
        steps.insert(0, rep_step)
        if matches is False:
            summary_en.insert(0, rep_step.en)
            summary_zh.insert(0, rep_step.zh)

    # what to do: one step per cause, then what to collect when these logs cannot answer
    next_en: list[str] = []
    next_zh: list[str] = []
    # a crash that names its culprit is worth acting on even when no setup log says how the upgrade ended
    acting = state == "failed" or (state == "incomplete" and culprit is not None and culprit.tier <= 2
                                   and culprit.third_party)
    if acting:
        for cause in causes[:3]:
            if cause.tier >= 4 and cause is not culprit:
                continue
            en, zh = _fix(cause)
            if en not in next_en:
                next_en.append(en)
                next_zh.append(zh)
        if next_en and state == "failed" and not logs_missing:  # with no logs, what to collect follows instead
            en, zh = texts.both("retry_after")
            next_en.append(en)
            next_zh.append(zh)
    if state == "failed" and not next_en:
        # no module to blame: the advice of the finding that explains the failure best, then the code's own
        for en, zh in _finding_advice(store, code):
            next_en.append(en)
            next_zh.append(zh)
    if state == "succeeded":
        en, zh = texts.both("look_after_upgrade")
        next_en.append(en)
        next_zh.append(zh)
    collect: list[str] = []
    if state in ("not_an_upgrade", "incomplete") or matches is False or (state == "failed" and culprit is None) \
            or logs_missing:
        collect = _checklist(reported.phase if reported and matches is False else phase, bool(bugcheck),
                             process is not None)
        if matches is False and reported is not None:
            en, zh = texts.both("collect_reported", reported=reported.code or reported.text[:80])
        else:
            en, zh = texts.both("collect_intro")
        items_en, items_zh = texts.checklist(collect)
        next_en.append(en + " " + "; ".join(items_en) + ".")
        next_zh.append(zh + "；".join(items_zh) + "。")
    if state == "failed" and culprit is not None:
        confidence = "high" if culprit.tier <= 2 and len(culprit.sources) >= 2 else \
            "medium" if culprit.tier <= 3 else "low"
    elif state in ("not_an_upgrade", "succeeded"):
        confidence = "high"
    else:
        confidence = "low" if culprit is None else "medium"
    steps = [s for s in steps if s.evidence] + [s for s in steps if not s.evidence]
    times = CaseTimes(store)
    failed_at, failed_what, failed_basis, failed_file = failure_moment(store) if state in ("failed", "incomplete") \
        else (None, None, None, None)
    rolled_back = rollback_end(store, failed_at) if state in ("failed", "incomplete") else None
    return {
        "state": state,
        "failure_time": times.iso(failed_at, failed_basis, failed_file),
        "failure_marked_by": failed_what,
        "rollback_end_time": times.iso(rolled_back, "local"),  # read from the setup logs (or their code)
        "summary": " ".join(summary_en),
        "summary_zh": "".join(summary_zh),
        "phase": phase,
        "phase_text": pen if phase else None,
        "phase_text_zh": pzh if phase else None,
        "code": code,
        "culprit": _culprit_dict(culprit) if culprit is not None and state != "not_an_upgrade" else None,
        "reasoning": [s.as_dict() for s in steps],
        "confidence": confidence,
        "next_steps": next_en,
        "next_steps_zh": next_zh,
        "collect": collect,
        "reported": None if reported is None else {**reported.as_dict(), "matches_logs": matches},
        "causes": [{**_culprit_dict(c), "tier": c.tier, "fix": _fix(c)[0], "fix_zh": _fix(c)[1],
                    "finding_ids": sorted(c.finding_ids), "crash": c.crash} for c in causes[:5]],
    }
