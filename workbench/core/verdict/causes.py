"""Candidate causes of the failure, ranked by how directly each explains it (issue 19, "causal ranking").

Tiers, strongest first — never by how much a source logged:

1. the faulting module of the failing process or bug check (the upgrade's dump or WinDbg text, reconciled;
   Windows Error Reporting for a Setup process);
2. third-party code put into a Setup process shortly before it died (Procmon: the injector, the DLL, the
   seconds between);
3. the device install that never finished when the machine hung (setupapi);
4. a driver failing at the failing boot (setupapi, the rollback log, events 7026/7000).

Causes naming the same module (``lwfmgr.sys``, ``lwfmgr.inf``, service ``lwfmgr``) are one cause with every
source's evidence and the strongest tier. Each cause carries its reasoning steps in English and Chinese.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from workbench.core.clock_text import CaseTimes, iso_time, stamped
from workbench.core.dumps import bugchecks
from workbench.core.dumps.analyze import module_is_microsoft
from workbench.core.dumps.culprit import DEBUGGER_FILE_NAMES, PLUMBING, handling_frames
from workbench.core.store import CaseStore
from workbench.core.verdict import texts
from workbench.core.verdict.owner import Owner, find_owner, knowledge, stem

SETUP_PROCESSES = frozenset({"setup.exe", "setupprep.exe", "setuphost.exe", "dismhost.exe", "mighost.exe",
                             "setupplatform.exe", "tiworker.exe", "trustedinstaller.exe"})
_FILE_TO_DEBUGGER = {v.lower(): k for k, v in DEBUGGER_FILE_NAMES.items()}
_DRIVER_FAILURES = (
    # (SQL LIKE on the message, regex naming the module, what it says) — the texts Windows writes
    ("%Boot-start or system-start driver(s) did not load:%", re.compile(r"did not load:\s*(.+)$"),
     ("did not load at boot (event 7026)", "启动时未能加载（事件 7026）")),
    ("%service failed to start:%", re.compile(r"The (\S+) service failed to start"),
     ("its service failed to start (event 7000)", "其服务未能启动（事件 7000）")),
    ("%Driver package % failed to reinstall in rollback%", re.compile(r"Driver package (\S+) failed to reinstall"),
     ("its driver package failed to reinstall in the rollback", "其驱动程序包在回滚中重新安装失败")),
    ("%Failed to start service '%", re.compile(r"Failed to start service '([^']+)'"),
     ("setupapi could not start its service", "setupapi 无法启动其服务")),
)


@dataclass
class Step:
    """One step of the reasoning, in both languages, with the lines that show it."""

    en: str
    zh: str
    evidence: list[dict[str, Any]]

    def as_dict(self) -> dict[str, Any]:
        return {"step": self.en, "step_zh": self.zh, "evidence": self.evidence}


@dataclass
class Cause:
    """A module (or device) that may have broken the upgrade, with its tier and reasoning."""

    tier: int
    module: str
    kind: str  # driver | dll | process | device | disk | app
    path: str | None = None
    device: str | None = None
    description: str | None = None
    steps: list[Step] = field(default_factory=list)
    finding_ids: set[int] = field(default_factory=set)
    sources: set[str] = field(default_factory=set)  # dump | windbg | wer | procmon | setupapi | events | setup
    third_party: bool = True
    owner: Owner | None = None
    ts: int | None = None
    #: the crash this cause made, as an identity findings are grouped by (:mod:`.group`): ``kind`` process
    #: (``process``, Procmon ``keys``, ``ts_us`` of its death) or bugcheck (``bugcheck``, its source ``files``),
    #: and the ``finding_ids`` that report the crash itself
    crash: dict[str, Any] | None = None

    @property
    def key(self) -> str:
        return stem(self.module)

    @property
    def evidence(self) -> list[dict[str, Any]]:
        seen: set[tuple[Any, Any, Any]] = set()
        out = []
        for s in self.steps:
            for e in s.evidence:
                k = (e.get("file"), e.get("line"), e.get("text"))
                if k not in seen:
                    seen.add(k)
                    out.append(e)
        return out

    def merge(self, other: Cause) -> None:
        """Fold ``other`` (the same module seen by another source) into this cause."""
        if other.tier < self.tier:
            self.tier, self.kind = other.tier, other.kind
            self.module = other.module if other.kind != "device" else self.module
        self.third_party = self.third_party and other.third_party  # one source knowing it is Windows' own wins
        self.path = self.path or other.path
        self.device = self.device or other.device
        self.description = self.description or other.description
        self.steps += other.steps
        self.finding_ids |= other.finding_ids
        self.sources |= other.sources
        self.ts = self.ts if self.ts is not None else other.ts
        if other.crash is not None:
            if self.crash is None or self.crash.get("kind") != other.crash.get("kind"):
                self.crash = self.crash or dict(other.crash)
            else:  # the same crash seen by another source (WER and Procmon): one identity
                for key in ("finding_ids", "keys", "files"):
                    self.crash[key] = list(self.crash.get(key) or []) + [
                        v for v in other.crash.get(key) or [] if v not in (self.crash.get(key) or [])]
                for key in ("process", "ts_us", "bugcheck"):
                    if self.crash.get(key) is None:
                        self.crash[key] = other.crash.get(key)


def fact_evidence(store: CaseStore, row: Any) -> dict[str, Any]:
    """A fact row (with its file path) as an evidence item of the verdict: the line of the log it was read from,
    as written there (a fact's own text says what the analyzer made of the line, in English)."""
    text = row["text"]
    if row["file_id"] is not None and row["line"] is not None:
        quoted = store.scalar("SELECT message FROM timeline WHERE file_id = ? AND line = ? LIMIT 1",
                              (row["file_id"], row["line"]))
        text = quoted if quoted and (not text or quoted in text) else text
    return {"file": row["file"], "line": row["line"], "time": stamped(CaseTimes(store), row), "text": text}



def finding_evidence(store: CaseStore, finding_id: int, limit: int = 6) -> list[dict[str, Any]]:
    times = CaseTimes(store)
    return [{"file": e["file"], "line": e["line"], "time": stamped(times, e), "text": e["text"]}
            for e in store.query("SELECT e.line, e.ts, e.file_id, e.text, f.path AS file FROM evidence e LEFT JOIN files f "
                                 "ON f.id = e.file_id WHERE e.finding_id = ? ORDER BY e.id LIMIT ?",
                                 (finding_id, limit))]


def _has(store: CaseStore, table: str) -> bool:
    return bool(store.scalar("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)))


def _data(raw: Any) -> dict[str, Any]:
    try:
        value = json.loads(raw or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


# ------------------------------------------------------------------------------------------- bug checks


def debugger_label(frame: Any) -> str:
    """A frame as WinDbg writes it (``nt!IopLoadDriver+0x4bd``), the form the function table is keyed on."""
    module = (frame["module"] or "").lower()
    name = _FILE_TO_DEBUGGER.get(module) or re.sub(r"\.(sys|dll|exe)$", "", frame["module"] or "?", flags=re.I)
    text = f"{name}!{frame['symbol']}" if frame["symbol"] else name
    offset = frame["offset"]
    if offset:
        text += f"+{offset}" if str(offset).startswith("0x") else f"+0x{offset}"
    return text


def _fault_frame(frames: list[Any]) -> Any:
    """The frame holding the fault: the first below the bugcheck and exception-dispatch plumbing (and below
    the trap frame, whatever the handler frames above it are called)."""
    handling = handling_frames([f["symbol"] for f in frames])
    for f in frames[handling:]:
        if f["symbol"] and PLUMBING.match(f["symbol"]):
            continue
        if f["module"]:
            return f
    return None


def _microsoft(store: CaseStore, file_id: int, module: str | None) -> bool:
    """Whether ``module`` is Microsoft's, as the dump analysis decides it (:func:`module_is_microsoft`)."""
    return bool(module) and module_is_microsoft(store, file_id, str(module))


def _bad_access(store: CaseStore, sources: list[int]) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    """What the access violation touched (``crash.bad_access``), from the crash's sources in order, the most
    complete one first (a register and an address over an address alone), with its lines as evidence."""
    found: list[tuple[tuple[bool, bool, bool], int, dict[str, Any], str]] = []
    for rank, file_id in enumerate(sources):
        for row in store.query("SELECT f.value, files.path AS file FROM facts f JOIN files ON files.id = f.file_id "
                               "WHERE f.name = 'crash.bad_access' AND f.file_id = ? ORDER BY f.weight DESC LIMIT 1",
                               (file_id,)):
            bad = _data(row["value"])
            score = (bad.get("register_value") is not None, bad.get("address") is not None,
                     bad.get("instruction") is not None)
            found.append((score, -rank, bad, row["file"]))
    if not found:
        return None, []
    _, _, bad, path = max(found, key=lambda t: (t[0], t[1]))
    evidence = [{"file": path, "line": e.get("line"), "time": None, "text": e.get("text")}
                for e in bad.get("evidence") or [] if e.get("text")]
    return bad, evidence


def fault_sentence(bad: dict[str, Any] | None, exc: int | None, passed_by: str | None) -> tuple[str, dict[str, str]]:
    """Which "what went wrong" sentence fits what is known of the bad access, and its values (issue 19: "a
    NULL pointer: the instruction read [rbx+158h] with rbx = 0 (a NULL handle or object passed in)")."""
    from workbench.core.dumps.fault import ACCESS_VIOLATION, is_null

    values: dict[str, str] = {"address": "", "operand": "", "register": "", "instruction": "",
                              "passed": "", "passed_zh": ""}
    if bad is None or (exc is not None and exc != ACCESS_VIOLATION and not bad.get("instruction")):
        return "step_fault", values
    verb_en, verb_zh = texts.ACCESS_VERBS.get(bad.get("access") or "", texts.ACCESS_VERBS[""])
    instruction = bad.get("instruction") or ""
    values.update(verb=verb_en, verb_zh=verb_zh, instruction=instruction, operand=bad.get("operand") or "",
                  register=bad.get("register") or "", instruction_en=f" ({instruction})" if instruction else "",
                  instruction_zh=f"（{instruction}）" if instruction else "")
    if passed_by:
        values["passed"], values["passed_zh"] = texts.both("null_passed_by", module=passed_by)
    address = int(bad["address"], 16) if bad.get("address") else None
    reg_value = int(bad["register_value"], 16) if bad.get("register_value") else None
    if exc is not None and exc != ACCESS_VIOLATION:
        return "step_fault_instruction", values
    if address is not None:
        values["address"] = f"0x{address:X}"
    if address is not None and not is_null(address):  # whatever a register held, the address was not NULL
        return "step_fault_bad_address", values
    if bad.get("operand") and bad.get("register") and reg_value is not None and is_null(reg_value):
        values["value"] = f"0x{reg_value:x}" if reg_value else "0"
        return "step_fault_null_register", values
    if address is not None:
        return "step_fault_null_address", values
    if bad.get("instruction"):
        return "step_fault_instruction", values
    return "step_fault", values


def _crash_story(store: CaseStore, summary: Any, frames: list[Any], culprit: str | None,
                 evidence: list[dict[str, Any]], source: str, sources: list[int]) -> list[Step]:
    """The crash told: what the thread was doing (the Windows-function table), what went wrong (the exception,
    a NULL address), and who (the first third-party frame)."""
    steps: list[Step] = []
    labels = [debugger_label(f) for f in frames]
    activity = knowledge().activity(labels) if labels else None

    def frames_ev(lo: int, hi: int) -> list[dict[str, Any]]:
        """Frames ``lo``..``hi`` of the stack as one evidence item (the lines an engineer quotes)."""
        return [{"file": source, "line": None, "time": None, "text": "\n".join(labels[max(0, lo):hi + 1])}]

    fault = _fault_frame(frames)
    fault_i = frames.index(fault) if fault is not None else 0
    if activity is not None:
        last = max(i for i, f in enumerate(frames) if any(debugger_label(f).lower().startswith(fn.lower() + "+")
                                                          or debugger_label(f).lower() == fn.lower()
                                                          for fn in activity.functions)) \
            if any(activity.functions) else len(labels) - 1
        stack_ev = frames_ev(fault_i, last)
        funcs = ", ".join(activity.functions)
        steps.append(Step(texts.say("step_activity", "en", activity=activity.activity, functions=funcs,
                                    activity_zh=activity.activity_zh),
                          texts.say("step_activity", "zh", activity=activity.activity, functions=funcs,
                                    activity_zh=activity.activity_zh), stack_ev))
    code = bugchecks.format_code(int(summary["bugcheck_code"], 16)) if summary["bugcheck_code"] else None
    params = json.loads(summary["parameters"]) if summary["parameters"] else []
    exc: int | None = int(summary["exception_code"], 16) if summary["exception_code"] else None
    if code:
        i = bugchecks.parameter_role(int(code, 16), "exception_code")
        if exc is None and i is not None and i < len(params):
            exc = int(str(params[i]), 16) & 0xFFFFFFFF
    what = texts.exception_text(exc) or ((f"exception 0x{exc:08X}", f"异常 0x{exc:08X}") if exc is not None
                                         else ("a fault", "故障"))
    hit = next((f for f in frames if f["culprit"]), None)
    if fault is not None:
        frame = debugger_label(fault)
        passed_by = culprit if hit is not None and culprit and frames.index(hit) == fault_i + 1 and \
            _microsoft(store, summary["file_id"], fault["module"]) else None
        bad, bad_ev = _bad_access(store, sources)
        key, values = fault_sentence(bad, exc, passed_by)
        values.update({"what": what[0], "what_zh": what[1], "frame": frame})
        ev = bad_ev + frames_ev(fault_i - 1 if fault_i else 0, fault_i)
        if code:
            ev.append({"file": source, "line": None, "time": None,
                       "text": f"BugCheck {code} ({', '.join(str(p) for p in params)})" if params else f"BugCheck {code}"})
        steps.append(Step(texts.say(key, "en", **values), texts.say(key, "zh", **values), ev))
    if hit is not None and culprit:
        frame = debugger_label(hit)
        third = not _microsoft(store, summary["file_id"], culprit)
        key = "step_who" if third else "step_who_ms"
        hit_i = frames.index(hit)
        steps.append(Step(texts.say(key, "en", module=culprit, frame=frame),
                          texts.say(key, "zh", module=culprit, frame=frame),
                          frames_ev(fault_i, hit_i)))
    return steps


def _crash_causes(store: CaseStore) -> list[Cause]:
    """The upgrade's bug check (``crash.upgrade_bugcheck``, one finding per crash, sources reconciled)."""
    out: list[Cause] = []
    if not _has(store, "dump_summary"):
        return out
    for f in store.query("SELECT id, rule_id, data, ts FROM findings WHERE rule_id IN "
                         "('crash.upgrade_bugcheck', 'crash.process_crash') ORDER BY id"):
        data = _data(f["data"])
        file_id = data.get("file_id")
        culprit = data.get("culprit")
        if file_id is None:
            continue
        rows = store.query("SELECT d.*, files.path AS path FROM dump_summary d JOIN files ON files.id = d.file_id "
                           "WHERE d.file_id = ?", (file_id,))
        if not rows:
            continue
        summary = rows[0]
        evidence = finding_evidence(store, f["id"])
        # the same crash from several sources: tell it from the stack with the most function names (an
        # engineer's WinDbg text has symbols a dump read without them lacks)
        candidates = [file_id] + [s.get("file_id") for s in data.get("sources") or [] if s.get("file_id")]
        story = max(candidates, key=lambda i: (store.scalar(
            "SELECT count(*) FROM dump_frames WHERE file_id = ? AND symbol IS NOT NULL", (i,)) or 0, i == file_id))
        frames = store.query("SELECT * FROM dump_frames WHERE file_id = ? ORDER BY idx", (story,))
        if not summary["bugcheck_code"]:  # the code and parameters from the source that has them
            for other in candidates[1:]:
                coded = store.query("SELECT d.*, files.path AS path FROM dump_summary d JOIN files ON "
                                    "files.id = d.file_id WHERE d.file_id = ? AND d.bugcheck_code IS NOT NULL", (other,))
                if coded:
                    summary = coded[0]
                    break
        kernel = f["rule_id"] == "crash.upgrade_bugcheck"
        cause = Cause(tier=1, module=culprit or "?", kind="driver" if kernel else "dll", ts=f["ts"],
                      finding_ids={f["id"]},
                      sources={"windbg" if summary["source_kind"] == "windbg_text" else "dump"})
        cause.third_party = culprit is not None and not bool(store.scalar(
            "SELECT microsoft FROM dump_drivers WHERE file_id = ? AND lower(name) = lower(?) LIMIT 1",
            (file_id, culprit)) or 0) and _culprit_third_party(store, culprit)
        if not cause.third_party:
            cause.tier = 3  # a Microsoft module at fault names no product to act on
        path = store.scalar("SELECT path FROM dump_drivers WHERE file_id = ? AND lower(name) = lower(?) LIMIT 1",
                            (file_id, culprit or ""))
        cause.path = path
        source = store.scalar("SELECT path FROM files WHERE id = ?", (story,)) or summary["path"]
        cause.steps += _crash_story(store, summary, frames, culprit, evidence, source,
                                    [story] + [c for c in candidates if c != story])
        reconciled = data.get("reconciled")
        if isinstance(reconciled, dict) and reconciled.get("en"):
            cause.steps.append(Step(texts.say("step_reconciled", "en", how=reconciled["en"], how_zh=reconciled["zh"]),
                                    texts.say("step_reconciled", "zh", how=reconciled["en"], how_zh=reconciled["zh"]),
                                    evidence))
            cause.sources |= {"dump", "windbg"}
        cause.steps += _uptime_steps(store, candidates)
        files = [str(p) for p in (store.scalar("SELECT path FROM files WHERE id = ?", (i,)) for i in candidates) if p]
        if kernel:
            cause.crash = {"kind": "bugcheck", "bugcheck": summary["bugcheck_code"] or data.get("bugcheck_code"),
                           "files": files, "ts_us": f["ts"] or summary["crash_ts"], "finding_ids": [f["id"]]}
        else:
            cause.crash = {"kind": "process", "process": summary["process_name"], "files": files,
                           "ts_us": f["ts"] or summary["crash_ts"], "finding_ids": [f["id"]]}
        out.append(cause)
    return out


def _uptime_steps(store: CaseStore, file_ids: list[int]) -> list[Step]:
    """How long the crashed system had been up, when a source says it (a debugger's System Uptime) and it is
    short: a crash minutes after the start is a failing boot, which the engineer wants said."""
    marks = ",".join("?" * len(file_ids))
    rows = store.query("SELECT f.*, files.path AS file FROM facts f JOIN files ON files.id = f.file_id WHERE "
                       f"f.name = 'crash.uptime_us' AND f.file_id IN ({marks}) ORDER BY f.weight DESC LIMIT 1",
                       tuple(file_ids)) if file_ids else []
    if not rows or not str(rows[0]["value"]).isdigit():
        return []
    seconds = int(rows[0]["value"]) // 1_000_000
    if seconds > 30 * 60:
        return []
    uptime = f"{seconds // 60} min {seconds % 60} s" if seconds >= 60 else f"{seconds} s"
    uptime_zh = f"{seconds // 60} 分 {seconds % 60} 秒" if seconds >= 60 else f"{seconds} 秒"
    return [Step(texts.say("step_uptime", "en", uptime=uptime), texts.say("step_uptime", "zh", uptime=uptime_zh),
                 [fact_evidence(store, rows[0])])]


def _culprit_third_party(store: CaseStore, culprit: str) -> bool:
    row = store.query("SELECT value FROM facts WHERE name = 'crash.culprit_third_party' ORDER BY weight DESC LIMIT 1")
    if row and row[0]["value"] == "false":
        return False
    return True


# ------------------------------------------------------------------------------------------- process crashes


def _wer_causes(store: CaseStore) -> list[Cause]:
    """Windows Error Reporting's record of a Setup process crash (``wer_reports``, read by the WER parser): its
    faulting module, with the ``wer.setup_process_crash`` finding that reports it."""
    if not _has(store, "wer_reports"):
        return []
    from workbench.core.parsers.wer import setup_crashes

    findings = {(str(_data(f["data"]).get("app") or "").lower(), str(_data(f["data"]).get("module") or "").lower()): f["id"]
                for f in store.query("SELECT id, data FROM findings WHERE rule_id = 'wer.setup_process_crash'")}
    out = []
    for r in setup_crashes(store):
        if not r["fault_module"]:
            continue
        module = str(r["fault_module"])
        third = module.lower() in {m.rsplit("\\", 1)[-1].lower() for m in _json_list(r["third_party_modules"])} \
            or not _is_inbox(module)
        exc = r["exception_code"] or "?"
        ev = [{"file": r["path"], "line": None, "time": iso_time(store, r["event_time"], "utc"), "text": wer_quote(r)}]
        values = {"process": r["app_name"], "exception": exc, "module": module}
        fid = findings.get(((r["app_name"] or "").lower(), module.lower()))
        path = next((m for m in _json_list(r["loaded_modules"]) if m.replace("/", "\\").rsplit("\\", 1)[-1].lower()
                     == module.lower()), None)  # where it was loaded from names the product's folder
        crash = {"kind": "process", "process": r["app_name"], "ts_us": r["event_time"],
                 "finding_ids": [fid] if fid else []}
        out.append(Cause(tier=1 if third else 3, module=module, kind="dll", third_party=third, ts=r["event_time"],
                         path=path, crash=crash,
                         steps=[Step(texts.say("step_wer", "en", **values), texts.say("step_wer", "zh", **values),
                                     ev)], sources={"wer"}, finding_ids={fid} if fid else set()))
    return out


def wer_quote(r: Any) -> str:
    """A WER report as it is written: its event type and its signature's names and values, localized as they
    are (``应用程序名称: SetupHost.exe``, ``故障模块名称: xsecHook64.dll``, ``异常代码: c0000005``)."""
    lines = [f"EventType={r['event_type']}"]
    try:
        sig = json.loads(r["sig"] or "[]")
    except ValueError:
        sig = []
    # an APPCRASH's application, fault module and its version, exception code (Sig[0], [3], [4], [6])
    lines += [f"{name}: {value}" for i, name, value in sig if value and int(i) in (0, 3, 4, 6)] \
        if isinstance(sig, list) else []
    if len(lines) == 1:  # no signature kept: the fields read from it
        lines.append(f"{r['app_name']}  {r['fault_module'] or ''}  {r['exception_code'] or ''}".strip())
    if r["app_path"]:
        lines.append(f"AppPath={r['app_path']}")
    return "\n".join(lines)


def _json_list(raw: Any) -> list[str]:
    try:
        value = json.loads(raw or "[]")
    except ValueError:
        return []
    return [str(v.get("name") if isinstance(v, dict) else v) for v in value] if isinstance(value, list) else []


def _is_inbox(module: str) -> bool:
    from workbench.core.dumps.culprit import inbox_modules

    return module.lower() in inbox_modules()


def _injection_causes(store: CaseStore) -> list[Cause]:
    """Procmon: third-party code put into a Setup process shortly before it died (``procmon.injected_before_exit``)."""
    out = []
    for f in store.query("SELECT id, data, ts FROM findings WHERE rule_id = 'procmon.injected_before_exit' ORDER BY id"):
        data = _data(f["data"])
        path = str(data.get("module") or "")
        dll = path.rsplit("\\", 1)[-1] or "?"
        inj = data.get("injector") or None
        company = data.get("company") or ""
        seconds = data.get("seconds")
        values = {"dll": dll, "process": data.get("target") or "?", "status": data.get("exit_status") or "?",
                  "seconds": f"{seconds:g}" if isinstance(seconds, (int, float)) else "?",
                  "dll_company": f" ({company})" if company else "", "dll_company_zh": f"（{company}）" if company else "",
                  "injector": inj["name"] if inj else "", "injector_company":
                      f" ({inj['company']})" if inj and inj.get("company") else "",
                  "injector_company_zh": f"（{inj['company']}）" if inj and inj.get("company") else ""}
        key = "step_injected" if inj else "step_loaded"
        cause = Cause(tier=2, module=dll, kind="dll", path=path, ts=f["ts"], finding_ids={f["id"]},
                      sources={"procmon"}, steps=[Step(texts.say(key, "en", **values), texts.say(key, "zh", **values),
                                                       finding_evidence(store, f["id"]))])
        if company:
            cause.owner = Owner(vendor=company, source="src_procmon_module")
        pkey = data.get("process")
        cause.crash = {"kind": "process", "process": data.get("target"), "keys": [pkey] if isinstance(pkey, list) else [],
                       "ts_us": f["ts"], "finding_ids": [f["id"]]}
        out.append(cause)
    return out


# ------------------------------------------------------------------------------------------- hangs and boots


def _hang_cause(store: CaseStore) -> list[Cause]:
    """The device install that started and never finished (``setupapi.unfinished_section``, the one installing)."""
    fact = store.fact("setupapi.unfinished_section")
    if fact is None:
        return []
    try:
        info = json.loads(fact["value"])
    except ValueError:
        return []
    from workbench.core.upgrade.analyzer import unfinished_device_text

    device = unfinished_device_text(info)
    inf = info.get("inf_original") or info.get("inf") or ""
    module = inf.replace("/", "\\").rsplit("\\", 1)[-1] if inf else (info.get("device") or "?")
    hardware = (info.get("action") or info.get("title") or "").lower()
    kind = "device" if info.get("device") and "\\" in str(info.get("device")) else "driver"
    if "diinstalldriver" in hardware:
        kind = "driver"
    ev = [fact_evidence(store, fact)]
    if info.get("last_text"):
        ev.append({"file": fact["file"], "line": info.get("last_line"), "time": None, "text": info["last_text"]})
    finding_ids = {r["id"] for r in store.query(
        "SELECT DISTINCT finding_id AS id FROM evidence WHERE file_id = ? AND line = ?", (fact["file_id"], fact["line"]))}
    key = "step_hang" if kind == "device" else "step_hang_driver"
    return [Cause(tier=3, module=module, kind=kind, device=info.get("device"), description=info.get("description"),
                  ts=fact["ts"], finding_ids=finding_ids, sources={"setupapi"},
                  steps=[Step(texts.say(key, "en", device=device), texts.say(key, "zh", device=device), ev)])]


def _boot_failures(store: CaseStore) -> list[Cause]:
    """Drivers that failed at the failing boot or in the rollback (events, setupapi, the rollback log): one
    cause per module, one step saying every way it failed, with each line as evidence."""
    out: dict[str, Cause] = {}
    said: dict[str, list[tuple[str, str]]] = {}
    for like, rx, (what_en, what_zh) in _DRIVER_FAILURES:
        for r in store.query(
                "SELECT t.ts, t.line, t.message, t.file_id, f.path AS file FROM timeline t JOIN files f ON "
                "f.id = t.file_id WHERE t.level IN ('error', 'critical') AND t.message LIKE ? ORDER BY t.id LIMIT 50",
                (like,)):
            m = rx.search(r["message"] or "")
            if not m:
                continue
            for name in re.split(r"[,\s]+", m.group(1).strip()):
                if not name or len(name) < 3:
                    continue
                key = stem(name)
                ev = {"file": r["file"], "line": r["line"], "time": iso_time(store, r["ts"], file_id=r["file_id"]),
                      "text": r["message"]}
                cause = out.get(key)
                if cause is None:
                    cause = out[key] = Cause(tier=4, module=name, kind="driver", ts=r["ts"], steps=[Step("", "", [])],
                                             third_party=not (_is_inbox(name) or _is_inbox(name + ".sys")))
                    said[key] = []
                cause.sources.add("events" if r["file"].lower().endswith(".evtx") else "setup")
                if (what_en, what_zh) not in said[key]:
                    said[key].append((what_en, what_zh))
                cause.steps[0].evidence.append(ev)
                ids = store.query("SELECT DISTINCT finding_id AS id FROM evidence WHERE file_id = ? AND line = ?",
                                  (r["file_id"], r["line"]))
                cause.finding_ids |= {i["id"] for i in ids}
    for key, cause in out.items():
        what_en = "; ".join(w[0] for w in said[key])
        what_zh = "；".join(w[1] for w in said[key])
        cause.steps[0].en = texts.say("step_driver_failed", "en", module=cause.module, what=what_en)
        cause.steps[0].zh = texts.say("step_driver_failed", "zh", module=cause.module, what=what_zh)
    return list(out.values())


def _install_failures(store: CaseStore) -> list[Cause]:
    """Driver installs setupapi ended with FAILURE (``setupapi_sections``): in the rollback's setupapi log, the
    driver Setup failed to put back; one cause per package, its section's title and exit lines as evidence."""
    if not _has(store, "setupapi_sections"):
        return []
    out: dict[str, Cause] = {}
    for r in store.query("SELECT s.*, f.path AS file, f.role FROM setupapi_sections s JOIN files f ON "
                         "f.id = s.file_id WHERE upper(s.status) = 'FAILURE' ORDER BY s.file_id, s.line LIMIT 50"):
        title_inf = str(r["title"] or "").rsplit(" - ", 1)[-1] if str(r["title"] or "").lower().endswith(".inf") else ""
        inf = str(r["inf_original"] or title_inf or r["inf"] or "")
        name = inf.replace("/", "\\").rsplit("\\", 1)[-1]
        if not name or stem(name).startswith("oem") or len(stem(name)) < 3:
            continue
        rows = store.query("SELECT line, ts, basis, file_id, message FROM timeline WHERE file_id = ? AND line IN (?, ?) "
                           "ORDER BY line", (r["file_id"], r["line"], r["end_line"] or r["line"]))
        ev = [{"file": r["file"], "line": t["line"], "time": stamped(CaseTimes(store), t),
               "text": t["message"]} for t in rows]
        rollback = (r["role"] or "") == "rollback" or "/rollback/" in str(r["file"]).replace("\\", "/").lower()
        status = f"FAILURE({r['exit_code']})" if r["exit_code"] else "FAILURE"
        key = "step_install_failed_rollback" if rollback else "step_install_failed"
        step = Step(texts.say(key, "en", inf=name, status=status), texts.say(key, "zh", inf=name, status=status), ev)
        cause = out.get(stem(name))
        if cause is None:
            out[stem(name)] = Cause(tier=4, module=name, kind="driver", ts=rows[0]["ts"] if rows else None,
                                    steps=[step], sources={"setupapi"},
                                    third_party=not _is_inbox(stem(name) + ".sys"))
        ids = store.query("SELECT DISTINCT finding_id AS id FROM evidence WHERE file_id = ? AND line IN (?, ?)",
                          (r["file_id"], r["line"], r["end_line"] or r["line"]))
        out[stem(name)].finding_ids |= {i["id"] for i in ids}
    return list(out.values())


def gather(store: CaseStore) -> list[Cause]:
    """Every candidate cause, merged by module, strongest first (tier, then how many sources agree)."""
    merged: dict[str, Cause] = {}
    for cause in (_crash_causes(store) + _wer_causes(store) + _injection_causes(store) + _hang_cause(store)
                  + _boot_failures(store) + _install_failures(store)):
        key = cause.key
        if key in merged:
            merged[key].merge(cause)
        else:
            merged[key] = cause
    causes = sorted(merged.values(), key=lambda c: (c.tier, -len(c.sources), c.ts or 0))
    for cause in causes:
        if cause.owner is None or not cause.owner.product:
            found = find_owner(store, cause.module, device=cause.device, description=cause.description)
            if cause.owner is not None and cause.owner.vendor and not found.vendor:
                found.vendor, found.source = cause.owner.vendor, cause.owner.source
            cause.owner = found
    return causes
