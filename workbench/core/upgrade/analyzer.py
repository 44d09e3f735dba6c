"""Reconstruct a Windows upgrade from the setup logs already in the timeline: codes, phase, builds, rollback.

Runs as a ``workbench_analyze`` plugin, after every file is parsed and clocked, because the answer needs
several files at once (down-level Panther log, Rollback log, setupapi). It reads only the rows whose text
can matter (an SQL prefilter), in time order, and writes ``upgrade.*`` and ``setup.*`` facts whose evidence
is the timeline row they were read from (file id, line, text).

Where Setup writes its codes, strongest first (reference/setupdiag.md §2.6):

- ``SetupHost: Reporting post reboot event -> [R, E]`` — after a failed reboot; SetupPlatform (SP) layer.
- WER ``WinSetupDiag02`` parameters in the log (``Found override for watson parameter [4]``, ``Adding
  bucketing param=``), with P2 (mode) saying down-level (1) or rollback (5).
- The rollback header ``SP Current phase : 3`` / ``Current op : 24`` — phase and operation, SP layer.
- ``[Setup360Result]`` / ``[Setup360Extended]`` tracing; ``[Setup360Mode]`` says which layer.
- ``SetupHost: Reporting error event -> [R, E]`` — down-level (MOUPG); the second value is not always an
  extend code.

Weights make post-reboot and rollback evidence beat down-level readings: a machine that failed in the
first boot also has down-level logs, and those never saw the failure.
"""

from __future__ import annotations

import itertools
import json
import re
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from workbench.core import clock
from workbench.core.clock_text import iso_time
from workbench.core.finding_text import bilingual
from workbench.core.plugins import hookimpl
from workbench.core.store import CaseStore
from workbench.core.upgrade.codes import (
    LAYER_MOUPG,
    LAYER_SP,
    decode,
    hex32,
    looks_like_extend,
    parse_code,
    plausible_result,
)

W_POST_REBOOT = 50
W_WER = 45
W_ROLLBACK_HEADER = 45
W_SETUP360_SP = 40
W_SETUP360 = 30
W_ERROR_EVENT = 25
W_GUESS = 5

_HEX = r"(0x[0-9A-Fa-f]+)"
RE_POST_REBOOT = re.compile(r"Reporting post reboot event -> \[" + _HEX + r",\s*" + _HEX + r"\]")
RE_ERROR_EVENT = re.compile(r"Reporting error event -> \[" + _HEX + r",\s*" + _HEX + r"\]")
RE_TRACING = re.compile(r"Tracing Data \[DWORD\] -> \[(Setup360\w+)\]=\[" + _HEX + r"\]")
RE_WATSON_OVERRIDE = re.compile(r"Found override for watson parameter \[(\d+)\] value=\[([^\]]*)\]")
RE_WATSON_SET = re.compile(r"Set Watson bucketing parameter #(\d+) to (\S+)")
RE_BUCKET = re.compile(r"Adding bucketing param=(.*)$")
RE_CUR_PHASE = re.compile(r"^Current phase\s*:\s*(\d+)\s*$")
RE_CUR_OP = re.compile(r"^Current op\s*:\s*(\d+)\s*$")
RE_CUR_PHASE_STR = re.compile(r"^Current phase string\s*:\s*(.+)$")
RE_CUR_OP_STR = re.compile(r"^Current op string\s*:\s*(.+)$")
RE_CUR_RESULT_STR = re.compile(r"^Current result string\s*:\s*(.+)$")
RE_CRASH = re.compile(r"Crash (0x[0-9A-Fa-f]+) detected")
RE_BUGCHECK_PARAM = re.compile(r"[Bb]ug ?[Cc]heck parameter (\d)\s*[:=]?\s*(0x[0-9A-Fa-f]+)")
RE_ROLLBACK_PHASE = re.compile(r"Initiating rollback/uninstall, phase = (\d+)")
RE_HOST_OS = re.compile(r"Host OS Version\s*\[\s*([\d.]+)\s*\]")
RE_SETUP_BUILD = re.compile(r"Setup build version is: ([\d.]+)")
RE_CMDLINE = re.compile(r"SetupHost::Initialize: CmdLine\s*=\s*\[(.*)\]")
RE_PHASE_CHANGE = re.compile(r"Setup phase change: \[(\w+)\] -> \[(\w+)\]")
RE_MOUPG_PHASE = re.compile(r"^Setup (Sub)?Phase: \[(\d+)\]")
RE_IMAGE_EXIT = re.compile(r"Initializing (SetupResult|Extended): \[" + _HEX + r"\]")
RE_ROLLBACK_COUNT = re.compile(r"RollbackCount = \[(\d+)\]")
RE_OP_EXEC = re.compile(r"^Executing operation: (.+)$")
RE_OP_FAILED = re.compile(r"^Operation failed: (.+?)\. Error: " + _HEX)
RE_EXEC_PHASE = re.compile(r"Start execution phase (\w+)")
RE_HOST_GONE = re.compile(r"Parent process unexpectedly exited")
RE_RESULT_EQ = re.compile(r"(?:Result|hr|HRESULT|Error)\s*[=:]\s*" + _HEX)

#: SQL prefilter: only rows containing one of these can change the reconstruction.
MARKERS = (
    "Reporting post reboot event", "Reporting error event", "Tracing Data [DWORD]", "watson parameter",
    "Watson bucketing parameter", "Adding bucketing param", "Current phase", "Current op", "Current result",
    "Crash 0x", "No crash detected", "bug check parameter", "bugcheck parameter", "Initiating rollback/uninstall",
    # each rollback phase's own end line, not every "... completed successfully." (a fifth of a big log's lines)
    "Rollback completed successfully", "Rollback-Online-System completed successfully",
    "Rollback-Online-User completed successfully", "Host OS Version", "Setup build version is",
    "SetupHost::Initialize: CmdLine", "Setup phase change", "Setup Phase:", "Setup SubPhase:", "RollbackCount",
    "Executing operation:", "Operation failed:", "SetupHost Logging", "Cannot recover the system",
    "Initializing SetupResult", "Initializing Extended", "Start execution phase", "Parent process unexpectedly exited",
)

#: SetupPlatform's execution phases (``OPERATIONTRACK ExecuteOperations: Start execution phase X``) → the
#: upgrade phase they run in. Finalize still runs in the old OS, before the first reboot.
EXEC_PHASES = {"downlevel": "DOWNLEVEL", "prefinalize": "DOWNLEVEL", "finalize": "DOWNLEVEL",
               "safeos": "SAFE_OS", "firstboot": "FIRST_BOOT", "oobeboot": "OOBE_BOOT", "secondboot": "OOBE_BOOT"}
W_CONTENT = 8  # the phase read from the log's own markers, when no code or rollback header gives it

#: folder role (identify.role_of) → the upgrade phase whose logs live there, for the phase bands
ROLE_PHASES = {"downlevel": "DOWNLEVEL", "newos": "SAFE_OS/FIRST_BOOT", "oobe": "OOBE_BOOT",
               "rollback": "ROLLBACK", "postupgrade": "POST_UPGRADE", "preinit": "DOWNLEVEL",
               "sysprep": "SYSPREP", "deployment": "DEPLOYMENT"}
#: result codes Setup reports when the user cancelled: not a failure to diagnose (reference §2.5)
CANCEL_CODES = frozenset({0x800704C7, 0x800704D3, 0xC1800108, 0xC1800109, 0xC1900110, 0xC1900111, 0xC1900127,
                          0xC1900201, 0xC1900203, 0xC1900205, 0xC1900207, 0xC1900209})
SCENARIOS = {1: "Media", 5: "Windows Update", 7: "Media Creation Tool"}
WER_MODES = {1: "down-level", 5: "rollback"}
ROLLBACK_PHASES = {0: "offline rollback (WinPE / SafeOS)", 1: "Rollback-Online-System", 2: "Rollback-Online-User"}


@dataclass
class Row:
    """One timeline row the analysis looks at."""

    id: int
    ts: int | None
    local: int | None
    file_id: int
    line: int | None
    level: str | None
    component: str | None
    message: str
    role: str | None
    path: str
    source: str

    def evidence(self) -> dict[str, Any]:
        return {"file_id": self.file_id, "line": self.line, "ts": self.ts, "text": self.message[:500]}


@dataclass
class Facts:
    """Facts collected before writing, so one pass can also build findings from them."""

    rows: list[tuple[Any, ...]] = field(default_factory=list)

    def add(self, name: str, value: Any, row: Row | None, weight: int, text: str | None = None) -> None:
        if value is None:
            return
        if not isinstance(value, str):
            value = json.dumps(value, ensure_ascii=False)
        if row is None:
            self.rows.append((name, value, None, None, None, None, text, weight))
        else:
            self.rows.append((name, value, row.file_id, row.line, row.ts, "utc", text or row.message[:500], weight))


def _fts_query() -> str:
    """The markers as one FTS5 query: each a phrase whose last token is a prefix ("crash 0x"* finds
    "Crash 0x0000007E"). It only narrows the rows; the regexes decide."""
    phrases = []
    for marker in MARKERS:
        tokens = re.findall(r"\w+", marker.lower())
        if tokens:
            phrases.append('"' + " ".join(tokens) + '"*')
    return " OR ".join(phrases)


def _rows(store: CaseStore) -> Iterator[Row]:
    """The rows that can matter, in time order, streamed (a case's setup logs can be hundreds of megabytes):
    through the full-text index when it is there (a million rows in well under a second), else with LIKE."""
    cols = ("SELECT t.id, t.ts, t.local, t.file_id, t.line, t.level, t.component, t.message, t.source, "
            "f.role, f.path FROM timeline t JOIN files f ON f.id = t.file_id WHERE t.source IN ('setupact', 'setuperr')")
    try:
        cursor = store.iter_query(
            cols + " AND t.id IN (SELECT rowid FROM timeline_fts WHERE timeline_fts MATCH ?) ORDER BY t.id",
            [_fts_query()])
        first = next(cursor, None)  # the query runs here: a missing or broken index raises now
    except sqlite3.Error:
        like = " OR ".join("t.message LIKE ?" for _ in MARKERS)
        cursor = store.iter_query(cols + f" AND ({like}) ORDER BY t.id", [f"%{m}%" for m in MARKERS])
        first = next(cursor, None)
    if first is None:
        return
    for r in itertools.chain((first,), cursor):
        yield Row(r["id"], r["ts"], r["local"], r["file_id"], r["line"], r["level"], r["component"],
                  r["message"] or "", r["role"], r["path"], r["source"])


def _build(version: str) -> str | None:
    """``10.0.19041.963`` → ``19041``; a bare build stays as it is."""
    parts = version.split(".")
    if len(parts) >= 3 and parts[2].isdigit():
        return parts[2]
    return version if version.isdigit() and len(version) >= 4 else None


def _code_facts(facts: Facts, result: int | None, extend: int | None, layer: str, row: Row, weight: int,
                how: str) -> bool:
    """Record a result/extend pair and what it decodes to, all with the same evidence row and weight.

    False (nothing recorded) when the result is not a plausible Setup result (:func:`plausible_result`): the
    caller then does not count the row as a code reading either."""
    if result is not None and not plausible_result(result):
        return False
    text = f"{how}: {row.message[:400]}"
    if result is not None:
        facts.add("upgrade.result_code", hex32(result), row, weight, text)
    if extend is None:
        return result is not None
    facts.add("upgrade.extend_code", hex32(extend), row, weight, text)
    facts.add("setup.code_layer", layer, row, weight, text)
    d = decode(result, extend, layer)
    if layer == LAYER_SP:
        facts.add("upgrade.phase", d.phase, row, weight, text)
        facts.add("upgrade.operation", d.operation, row, weight, text)
    else:
        facts.add("upgrade.phase", "DOWNLEVEL", row, weight, text)
        facts.add("setup.moupg_phase", str(extend >> 16), row, weight, text)
        facts.add("setup.moupg_subphase", hex32(extend & 0xFFFF), row, weight, text)
    return True


class _Reconstruction:
    """One pass over the interesting rows, in time order."""

    def __init__(self) -> None:
        self.facts = Facts()
        self.mode: dict[int, int] = {}  # file id → last Setup360Mode
        self.pending360: dict[int, dict[str, tuple[int, Row]]] = {}
        self.bucket: list[tuple[str, Row]] = []
        self.header: dict[int, dict[str, Any]] = {}
        self.wer: dict[int, dict[int, tuple[str, Row]]] = {}  # file id → WinSetupDiag02 P1..P10
        self.rollback_rows: list[Row] = []
        self.rollback_phases: list[dict[str, Any]] = []
        self.moupg_phases: list[dict[str, Any]] = []
        self.reboots: list[dict[str, Any]] = []
        self.failed_ops: list[Row] = []
        self.last_exec: Row | None = None
        self.code_rows: list[tuple[int, Row, str]] = []  # (weight, row, layer) of every code reading
        self.crash: Row | None = None
        self.bug_params: dict[int, tuple[str, Row]] = {}
        self.exec_phase: tuple[str, Row] | None = None  # the last SP execution phase started
        self.header_phase = False
        self.post_oobe: Row | None = None
        self.rollback_seen = False

    # ------------------------------------------------------------------------------------ per row

    def feed(self, row: Row) -> None:
        msg = row.message
        f = self.facts
        if self.bucket and not msg.startswith("CWfpER::AddBucketingParameters:Adding bucketing param="):
            self._flush_bucket()
        if m := RE_POST_REBOOT.search(msg):
            r, e = parse_code(m.group(1)), parse_code(m.group(2))
            if _code_facts(f, r, e if e is not None and looks_like_extend(e) else None, LAYER_SP, row,
                           W_POST_REBOOT, "post-reboot event"):
                f.add("upgrade.rollback", "true", row, W_POST_REBOOT)
                self.code_rows.append((W_POST_REBOOT, row, LAYER_SP))
        elif m := RE_ERROR_EVENT.search(msg):
            r, e = parse_code(m.group(1)), parse_code(m.group(2))
            if _code_facts(f, r, e if e is not None and looks_like_extend(e) else None, LAYER_MOUPG, row,
                           W_ERROR_EVENT, "down-level error event"):
                self.code_rows.append((W_ERROR_EVENT, row, LAYER_MOUPG))
        elif m := RE_TRACING.search(msg):
            self._tracing(row, m.group(1), parse_code(m.group(2)))
        elif m := RE_WATSON_OVERRIDE.search(msg):
            self.bucket_override(row, int(m.group(1)), m.group(2))
        elif m := RE_WATSON_SET.search(msg):
            n, value = int(m.group(1)), m.group(2)
            if n == 6:
                f.add("upgrade.source_build", value, row, 20)
            elif n == 8:
                f.add("upgrade.target_build", value, row, 20)
        elif m := RE_BUCKET.search(msg):
            self.bucket.append((m.group(1).strip(), row))
        elif m := RE_CUR_PHASE.match(msg):
            self.header.setdefault(row.file_id, {})["phase"] = (int(m.group(1)), row)
        elif m := RE_CUR_OP.match(msg):
            h = self.header.setdefault(row.file_id, {})
            h["op"] = (int(m.group(1)), row)
            self._header_done(row.file_id)
        elif m := RE_CUR_PHASE_STR.match(msg):
            f.add("setup.sp_phase_string", m.group(1).strip(), row, W_ROLLBACK_HEADER)
        elif m := RE_CUR_OP_STR.match(msg):
            value = m.group(1).strip()
            f.add("setup.sp_operation_index", value, row, W_ROLLBACK_HEADER)
            f.add("setup.last_operation", f"SP operation #{value.split(',')[0]} ({value})", row, 10)
        elif m := RE_CUR_RESULT_STR.match(msg):
            code = parse_code(m.group(1)) if m.group(1).strip().upper() != "NULL" else None
            if code and plausible_result(code):
                f.add("upgrade.result_code", hex32(code), row, W_ROLLBACK_HEADER - 5)
        elif m := RE_CRASH.search(msg):
            self.crash = row
            f.add("setup.crash_detected", "true", row, 30)
            f.add("crash.bugcheck_code", f"0x{int(m.group(1), 16):08X}", row, 10)
        elif "No crash detected" in msg:
            f.add("setup.crash_detected", "false", row, 20)
        elif m := RE_BUGCHECK_PARAM.search(msg):
            if self.crash is not None and self.crash.file_id == row.file_id:
                f.add(f"setup.bugcheck_parameter{m.group(1)}", m.group(2), row, 10)
                self.bug_params[int(m.group(1))] = (m.group(2), row)
        elif m := RE_ROLLBACK_PHASE.search(msg):
            n = int(m.group(1))
            self.rollback_rows.append(row)
            self.rollback_seen = True
            if self.rollback_phases and self.rollback_phases[-1]["end"] is None:
                last = self.rollback_phases[-1]  # never said it ended: it lasted until the next phase began
                last["end"], last["end_local"] = row.ts, row.local
            self.rollback_phases.append({"name": f"Rollback phase {n}: {ROLLBACK_PHASES.get(n, '?')}",
                                         "number": n, "kind": "rollback", "start": row.ts, "start_local": row.local,
                                         "end": None, "end_local": None, "file_id": row.file_id,
                                         "line": row.line})
            if n == 1:  # phase 0 runs in WinPE; phase 1 runs after the reboot into the old OS
                self.reboots.append({"time": row.ts, "local": row.local, "file_id": row.file_id,
                                     "line": row.line, "why": "rebooted from WinPE into the old OS for rollback"})
            f.add("upgrade.rollback", "true", row, W_ROLLBACK_HEADER)
        elif ("Rollback completed successfully" in msg or "Rollback-Online-System completed successfully" in msg
              or "Rollback-Online-User completed successfully" in msg):
            # each phase ends with its own line (phase 0: "Rollback completed", 1: -System, 2: -User);
            # "Rollback-Online-Common completed" is a step inside phases 1 and 2
            wanted = {"Rollback completed": 0, "Online-System": 1, "Online-User": 2}
            n = next(v for k, v in wanted.items() if k in msg)
            for phase in reversed(self.rollback_phases):
                if phase["number"] == n and phase["file_id"] == row.file_id:
                    phase["end"], phase["end_local"] = row.ts, row.local
                    break
            f.add("setup.rollback_result", "completed", row, 10)
        elif "Cannot recover the system" in msg:
            f.add("setup.recovery", "cannot recover the system: rollback", row, 20)
        elif m := RE_HOST_OS.search(msg):
            f.add("upgrade.source_build", _build(m.group(1)), row, 20)
            f.add("setup.source_version", m.group(1), row, 20)
        elif m := RE_SETUP_BUILD.search(msg):
            f.add("upgrade.target_build", _build(m.group(1)), row, 20)
            f.add("setup.target_version", m.group(1), row, 20)
        elif m := RE_CMDLINE.search(msg):
            self._cmdline(row, m.group(1))
        elif m := RE_PHASE_CHANGE.search(msg):
            if self.moupg_phases and self.moupg_phases[-1]["end"] is None:
                self.moupg_phases[-1]["end"], self.moupg_phases[-1]["end_local"] = row.ts, row.local
            self.moupg_phases.append({"name": m.group(2).replace("SetupPhase", "MOUPG "), "kind": "moupg",
                                      "start": row.ts, "start_local": row.local, "end": None, "end_local": None,
                                      "file_id": row.file_id, "line": row.line})
        elif m := RE_IMAGE_EXIT.search(msg):
            # ImageExit (setupact_rollback.log, SafeOS failures): SetupPlatform's own result and extend code
            pend = self.pending360.setdefault(-row.file_id, {})
            pend[m.group(1)] = (parse_code(m.group(2)) or 0, row)
            if "SetupResult" in pend and "Extended" in pend:
                (r, _), (e, erow) = pend.pop("SetupResult"), pend.pop("Extended")
                if r and _code_facts(f, r, e if looks_like_extend(e) else None, LAYER_SP, erow, W_SETUP360_SP,
                                     "ImageExit"):
                    self.code_rows.append((W_SETUP360_SP, erow, LAYER_SP))
        elif m := RE_ROLLBACK_COUNT.search(msg):
            f.add("setup.rollback_count", m.group(1), row, 10)
        elif m := RE_OP_EXEC.match(msg):
            self.last_exec = row
        elif m := RE_OP_FAILED.match(msg):
            self.failed_ops.append(row)
        elif m := RE_EXEC_PHASE.search(msg):
            phase = EXEC_PHASES.get(m.group(1).lower())
            if phase:
                self.exec_phase = (phase, row)
        elif RE_HOST_GONE.search(msg):
            # MigHost's parent is SetupHost: it died without logging a result (a down-level process crash)
            f.add("setup.host_exited", "SetupHost.exe", row, 20, row.message[:500])
        elif "SetupHost Logging End" in msg:
            for phase in self.moupg_phases:
                if phase["end"] is None and phase["file_id"] == row.file_id:
                    phase["end"], phase["end_local"] = row.ts, row.local

    def _tracing(self, row: Row, key: str, value: int | None) -> None:
        if value is None:
            return
        f = self.facts
        if key == "Setup360Mode":
            self.mode[row.file_id] = value
        elif key == "Setup360Scenario":
            f.add("setup.scenario_code", str(value), row, 20)
            if value in SCENARIOS:
                f.add("setup.scenario", SCENARIOS[value], row, 20)
        elif key == "Setup360MappedResult":
            f.add("setup.mapped_result", hex32(value), row, 20)
        elif key in ("Setup360Result", "Setup360Extended"):
            pend = self.pending360.setdefault(row.file_id, {})
            pend[key] = (value, row)
            if "Setup360Result" in pend and "Setup360Extended" in pend:
                (r, _rrow), (e, erow) = pend.pop("Setup360Result"), pend.pop("Setup360Extended")
                # Mode 5 (low word) is a post-reboot rollback report: SP codes. Anything else is SetupHost's.
                sp = (self.mode.get(row.file_id, 0) & 0xFFFF) == 5
                layer, weight = (LAYER_SP, W_SETUP360_SP) if sp else (LAYER_MOUPG, W_SETUP360)
                if r == 0:
                    return  # a successful run reports 0x0
                if _code_facts(f, r, e if looks_like_extend(e) else None, layer, erow, weight, "Setup360 tracing"):
                    self.code_rows.append((weight, erow, layer))

    def bucket_override(self, row: Row, index: int, value: str) -> None:
        """``Found override for watson parameter [n]``: 0-based WinSetupDiag02 parameters."""
        self._wer_param(index + 1, value, row)

    def _flush_bucket(self) -> None:
        """A run of ``Adding bucketing param=`` lines is P1..P10 in order."""
        if len(self.bucket) >= 6:
            for i, (value, row) in enumerate(self.bucket, start=1):
                self._wer_param(i, value, row)
        self.bucket = []

    def _wer_param(self, n: int, value: str, row: Row) -> None:
        f = self.facts
        store = self.wer.setdefault(row.file_id, {})
        store[n] = (value, row)
        if n == 1 and value.isdigit():
            f.add("setup.scenario", SCENARIOS.get(int(value)), row, 25)
        elif n == 7 and value.isdigit():
            f.add("upgrade.source_build", value, row, 30)
        elif n == 9 and value.isdigit():
            f.add("upgrade.target_build", value, row, 30)
        if n == 6 and 5 in store:
            mode = store.get(2, ("", row))[0].strip()
            if mode not in ("1", "5"):
                # WinSetupDiag02's P2 is its mode (1 down-level, 5 rollback); any other value means these are
                # another report's parameters (an APPCRASH of SetupHost: P5 is a module version), not codes
                return
            r, e = parse_code(store[5][0]), parse_code(value)
            if r is None:
                return
            layer = LAYER_SP if mode == "5" else LAYER_MOUPG
            weight = W_WER if layer == LAYER_SP else W_SETUP360
            if not _code_facts(f, r, e if e is not None and looks_like_extend(e) else None, layer, row, weight,
                               f"WER WinSetupDiag02 parameters (mode {WER_MODES[int(mode)]})"):
                return
            self.code_rows.append((weight, row, layer))
            if layer == LAYER_SP:
                f.add("upgrade.rollback", "true", row, weight)

    def _header_done(self, file_id: int) -> None:
        h = self.header.get(file_id, {})
        if "phase" not in h or "op" not in h:
            return
        (phase, prow), (op, orow) = h.pop("phase"), h.pop("op")
        self.header_phase = True
        extend = (phase << 16) | op
        d = decode(None, extend, LAYER_SP)
        text = f"rollback header: Current phase {phase}, Current op {op} = {hex32(extend)}"
        self.facts.add("upgrade.phase", d.phase, prow, W_ROLLBACK_HEADER, text)
        self.facts.add("upgrade.operation", d.operation, orow, W_ROLLBACK_HEADER, text)
        self.facts.add("setup.header_extend_code", hex32(extend), orow, W_ROLLBACK_HEADER, text)
        self.facts.add("upgrade.rollback", "true", orow, W_ROLLBACK_HEADER, text)

    def _cmdline(self, row: Row, cmd: str) -> None:
        f = self.facts
        f.add("setup.command_line", cmd.strip(), row, 10)
        low = cmd.lower()
        client = None
        if "win10ua" in low or "win11ua" in low or "updateassistant" in low:
            client = "Update Assistant"
        elif "$windows.~ws" in row.path.lower() or "/web" in low:
            client = "Media Creation Tool / web setup"
        elif "/clientid" in low and ("wu" in low or "orchestrator" in low):
            client = "Windows Update"
        elif "/auto upgrade" in low or '"/auto" "upgrade"' in low or "/mediapath" in low:
            client = "media (setup.exe from an ISO or USB)"
        if client:
            f.add("setup.client", client, row, 15)
        for flag in ("/RollbackSys", "/RollbackUser", "/PostRollback", "/PostOOBE", "/PostReboot"):
            if flag.lower() in low:
                f.add("setup.post_reboot_mode", flag, row, 10)
                if flag == "/PostOOBE":
                    self.post_oobe = row
                elif flag != "/PostReboot":
                    self.rollback_seen = True

    # ------------------------------------------------------------------------------------ the end

    def finish(self, store: CaseStore) -> None:
        self._flush_bucket()
        f = self.facts
        best = max(self.code_rows, key=lambda c: (c[0], c[1].id))[1] if self.code_rows else None
        # Only the log that reported the failure says which operation started it: Panther setuperr.log
        # files collect earlier attempts too (baslr's holds a sysprep failure from another run).
        same_run = [r for r in self.failed_ops if best is not None and r.file_id == best.file_id and r.id < best.id]
        if same_run:
            first = same_run[0]
            m = RE_OP_FAILED.match(first.message)
            if m:
                f.add("setup.first_failed_operation", m.group(1), first, 20)
                f.add("setup.first_failed_operation_error", m.group(2), first, 20)
        if self.failed_ops:
            f.add("setup.failed_operations", [
                {"operation": (RE_OP_FAILED.match(r.message) or [None, r.message, None])[1],
                 "error": (RE_OP_FAILED.match(r.message) or [None, None, None])[2],
                 "file_id": r.file_id, "line": r.line, "time": iso_time(store, r.ts, file_id=r.file_id)}
                for r in self.failed_ops[:50]], self.failed_ops[0], 10)
        if self.last_exec is not None:
            f.add("setup.last_operation", RE_OP_EXEC.match(self.last_exec.message).group(1),  # type: ignore[union-attr]
                  self.last_exec, 15)
        if self.bug_params:
            # the rollback header's bug check: a dump parser's reading outweighs this (weight 10)
            first = self.bug_params[min(self.bug_params)][1]
            f.add("crash.parameters", [self.bug_params[k][0] for k in sorted(self.bug_params)], first, 10)
        phases = self._file_phases(store) + self.moupg_phases + self.rollback_phases
        for p in phases:
            p["start_text"] = clock.format_us(p.get("start_local"), utc=False)
            p["end_text"] = clock.format_us(p.get("end_local"), utc=False)
        phases.sort(key=lambda p: (p["start"] is None, p["start"] or 0))
        if phases:
            f.add("setup.phases", phases, None, 10, "reconstructed from the setup logs")
        self.reboots.extend(self._boot_sessions(store))
        self.reboots.sort(key=lambda r: (r["time"] is None, r["time"] or 0))
        if self.reboots:
            f.add("setup.reboots", self.reboots, None, 10, f"{len(self.reboots)} boots seen in the logs")
        if self.code_rows:
            weight, row, layer = max(self.code_rows, key=lambda c: (c[0], c[1].id))
            codes = [v[1] for v in f.rows if v[0] == "upgrade.result_code" and v[2] == row.file_id and v[3] == row.line]
            cancelled = bool(codes) and parse_code(codes[-1]) in CANCEL_CODES
            f.add("setup.outcome", "cancelled by the user" if cancelled else "failed", row, weight)
            if layer == LAYER_MOUPG:
                # a down-level failure ends before any reboot: no rollback unless other evidence outweighs this
                f.add("upgrade.rollback", "false", row, 1, "down-level (SetupHost) failure, reported before reboot")
            self._origin(store, row, layer)
        else:
            self._guess(store)

    def _file_phases(self, store: CaseStore) -> list[dict[str, Any]]:
        """One band per setup log folder (down-level, rollback, new OS, OOBE ...), from its first to last row.

        The rows are read file by file through ``timeline_file_line``, only for the setupact files: asked for
        ``source = 'setupact'`` alone, SQLite walked that index over every row of the case (a case's
        millions of Procmon and event-log rows too: 3.6 s on 7 M rows, 0.45 s this way)."""
        out = []
        for r in store.query(
                "SELECT f.role, t.file_id, min(t.ts) AS lo, max(t.ts) AS hi, min(t.local) AS llo, "
                "max(t.local) AS lhi, min(t.line) AS line, f.path FROM timeline t JOIN files f ON f.id = t.file_id "
                "WHERE t.file_id IN (SELECT id FROM files WHERE kind = 'setupact') "
                "AND t.source = 'setupact' AND t.ts IS NOT NULL GROUP BY t.file_id ORDER BY lo"):
            out.append({"name": f"{r['role'] or 'setup log'}: {r['path'].rsplit('/', 1)[-1]}", "kind": "file",
                        "role": r["role"], "phase": ROLE_PHASES.get(r["role"] or "", "UNKNOWN"), "start": r["lo"], "end": r["hi"], "start_local": r["llo"],
                        "end_local": r["lhi"], "file_id": r["file_id"], "line": r["line"]})
        return out

    @staticmethod
    def _boot_sessions(store: CaseStore) -> list[dict[str, Any]]:
        return [{"time": r["ts"], "local": r["local"], "file_id": r["file_id"], "line": r["line"],
                 "why": r["message"]}
                for r in store.query("SELECT ts, local, file_id, line, message FROM timeline WHERE file_id IN "
                                     "(SELECT id FROM files WHERE kind = 'setupapi') "
                                     "AND source = 'setupapi' AND component = 'boot' ORDER BY id")]

    def _origin(self, store: CaseStore, row: Row, layer: str) -> None:
        """The failure's chain in the log that reported it: the first error line carrying the result code,
        and the distinct errors (component, code) in the minutes before it (e.g. the DISM session failure
        behind ``0x80070032``). SetupDiag's doc: the last fatal error is usually the cause; the first one in
        a ``Result =`` chain is the origin."""
        result = store.query("SELECT value FROM facts WHERE name = 'upgrade.result_code' AND file_id = ? "
                             "ORDER BY weight DESC LIMIT 1", (row.file_id,))
        fresult = [v for v in self.facts.rows if v[0] == "upgrade.result_code"]
        code = fresult[-1][1] if fresult else (result[0]["value"] if result else None)
        if not code:
            return
        hit = store.query(
            "SELECT id, ts, file_id, line, component, message FROM timeline WHERE file_id = ? AND level IN "
            "('error', 'critical') AND message LIKE ? ORDER BY id LIMIT 1", (row.file_id, f"%{code}%"))
        if not hit:
            return
        origin = hit[0]
        self.facts.rows.append(("setup.origin_error", origin["message"][:500], origin["file_id"], origin["line"],
                                origin["ts"], "utc", origin["message"][:500], 20))
        lo = (origin["ts"] or 0) - 30 * 60 * 1_000_000
        seen: set[tuple[str, str]] = set()
        chain = []
        for r in store.query(
                "SELECT ts, file_id, line, component, message FROM timeline WHERE file_id = ? AND level IN "
                "('error', 'critical') AND ts >= ? AND id < ? ORDER BY id", (row.file_id, lo, origin["id"])):
            m = re.search(r"(?:hr:|Error: |hr = |Result = |HR=)(0x[0-9A-Fa-f]{8})", r["message"])
            if not m:
                continue
            key = (r["component"] or "", m.group(1).upper())
            if key in seen:
                continue
            seen.add(key)
            chain.append({"component": r["component"], "code": "0x" + m.group(1)[2:].upper(),
                          "file_id": r["file_id"], "line": r["line"],
                          "time": iso_time(store, r["ts"], file_id=r["file_id"]),
                          "text": r["message"][:300]})
        if chain:
            first = chain[0]
            self.facts.rows.append(("setup.preceding_errors", json.dumps(chain[:30], ensure_ascii=False),
                                    first["file_id"], first["line"], None, None, first["text"], 15))

    def _guess(self, store: CaseStore) -> None:
        """No code anywhere: say only what the logs prove. A Rollback folder means a rollback ran; SetupHost
        run with ``/PostOOBE`` and no rollback means the upgrade finished; without a rollback, the last
        execution phase SetupPlatform started (or, failing that, down-level logs alone) is where it stopped."""
        roles = {r["role"] for r in store.query("SELECT DISTINCT role FROM files WHERE kind IN "
                                                "('setupact', 'setuperr')")}
        f = self.facts
        if "rollback" in roles:
            f.add("upgrade.rollback", "true", None, W_GUESS, "a Rollback setup log folder is present")
        rolled_back = "rollback" in roles or self.rollback_seen
        if self.post_oobe is not None and not rolled_back:
            f.add("setup.outcome", "succeeded", self.post_oobe, W_GUESS,
                  f"SetupHost ran its post-OOBE step and no rollback was logged: {self.post_oobe.message[:400]}")
        if self.header_phase or rolled_back or self.post_oobe is not None:
            return  # the rollback header gave the phase, or the failure came after a reboot the logs do not place
        if self.exec_phase is not None:
            phase, row = self.exec_phase
            f.add("upgrade.phase", phase, row, W_CONTENT,
                  f"the last execution phase SetupPlatform started (no result code was logged): {row.message[:400]}")
            return
        last = store.query(
            "SELECT t.file_id, t.line, t.ts, t.message FROM timeline t JOIN files f ON f.id = t.file_id "
            "WHERE t.source = 'setupact' AND f.role = 'downlevel' ORDER BY t.id DESC LIMIT 1")
        if last and roles <= {"downlevel", "preinit", None}:
            r = last[0]
            f.rows.append(("upgrade.phase", "DOWNLEVEL", r["file_id"], r["line"], r["ts"], "utc",
                           f"only down-level ($WINDOWS.~BT\\Sources\\Panther) setup logs, ending: "
                           f"{(r['message'] or '')[:300]}", W_GUESS))


def _findings(store: CaseStore) -> None:
    """One summary finding for the failure, with the code readings and the preceding errors as evidence."""
    code = store.fact("upgrade.result_code")
    if code is None:
        return
    ext = store.fact("upgrade.extend_code")
    phase = store.fact("upgrade.phase")
    op = store.fact("upgrade.operation")
    layer = store.fact("setup.code_layer")
    # the line as Setup wrote it (the fact's text says how it was read: "post-reboot event: ...")
    line = store.scalar("SELECT message FROM timeline WHERE file_id = ? AND line = ? LIMIT 1",
                        (code["file_id"], code["line"])) if code["line"] is not None else None
    evidence = [{"file_id": code["file_id"], "line": code["line"], "ts": code["ts"], "text": line or code["text"]}]
    codes = f"{code['value']}" + (f" - {ext['value']}" if ext else "")
    parts, parts_zh = [f"Setup reported {codes}"], [f"安装程序报告 {codes}"]
    if phase:
        from workbench.core.verdict.texts import phase_text

        phase_en, phase_zh = phase_text(str(phase["value"]))  # engineers name phases by number: 第三阶段
        parts.append(f"in {phase_en}")
        parts_zh.append(f"发生在{phase_zh}")
    if op and (layer is None or layer["value"] == LAYER_SP):
        parts.append(f"operation {op['value']}")
        parts_zh.append(f"操作 {op['value']}")
    summary, summary_zh = ", ".join(parts) + ".", "，".join(parts_zh) + "。"
    failed = store.fact("setup.first_failed_operation")
    if failed:
        summary += f" First failed SetupPlatform operation: {failed['value']}."
        summary_zh += f"第一个失败的 SetupPlatform 操作：{failed['value']}。"
        evidence.append({"file_id": failed["file_id"], "line": failed["line"], "ts": failed["ts"],
                         "text": failed["text"]})
    pre = store.fact("setup.preceding_errors")
    if pre:
        chain = json.loads(pre["value"])
        comps = ", ".join(dict.fromkeys(f"{c['component']} {c['code']}" if c["component"] else c["code"]
                                        for c in chain[:8]))
        summary += f" Errors before it: {comps}."
        summary_zh += f"此前的错误：{comps}。"
        evidence += [{"file_id": c["file_id"], "line": c["line"], "text": c["text"],  # each line at its own time
                      "ts": store.scalar("SELECT ts FROM timeline WHERE file_id = ? AND line = ? LIMIT 1",
                                         (c["file_id"], c["line"]))} for c in chain[:10]]
    hang = store.fact("setupapi.unfinished_section")
    if hang:
        device = unfinished_device_text(json.loads(hang["value"]))
        summary += f" A device install never finished: {device}."
        summary_zh += f"有一个设备安装始终未完成：{device}。"
        evidence.append({"file_id": hang["file_id"], "line": hang["line"], "ts": hang["ts"], "text": hang["text"]})
    if _user_cancelled(store, code["value"]):
        # Someone closed Setup: reporting it as a failure sends the engineer hunting for a cause that is not
        # there (the copyleft21 Media Creation Tool log), so it is said plainly, at low severity.
        store.add_finding(rule_id="upgrade.cancelled", title=f"Upgrade cancelled (not a failure): {codes}",
                          severity="low", summary=summary.replace("Setup reported", "Setup was cancelled with", 1)
                          + " Ask who or what closed Setup and collect the logs of an attempt that really failed.",
                          score=10, ts=code["ts"], evidence=evidence, data=json.dumps(bilingual(
                              title=(f"Upgrade cancelled (not a failure): {codes}", f"升级被取消（并非故障）：{codes}")),
                              ensure_ascii=False))
        return
    store.add_finding(rule_id="upgrade.failure", title=f"Upgrade failed: {codes}", severity="critical",
                      summary=summary, score=100, ts=code["ts"], evidence=evidence,
                      data=json.dumps(bilingual(title=(f"Upgrade failed: {codes}", f"升级失败：{codes}"),
                                                summary=(summary, summary_zh)), ensure_ascii=False))


#: ERROR_CANCELLED and ERROR_REQUEST_ABORTED: the user (or a script) closed Setup. The other codes of
#: :data:`CANCEL_CODES` are blocks Setup cancelled itself on, which still need a diagnosis.
USER_CANCEL_CODES = frozenset({0x800704C7, 0x800704D3})


def _user_cancelled(store: CaseStore, code: str) -> bool:
    outcome = store.fact("setup.outcome")
    return outcome is not None and outcome["value"] == "cancelled by the user" and parse_code(code) in USER_CANCEL_CODES


def unfinished_device_text(info: dict[str, Any]) -> str:
    """How a hung setupapi section is named in a sentence: the device, then its description and INF in
    parentheses when the log gave them.

    The parser fills what the section said, so any part may be missing (a ``DiInstallDriver`` section has
    only the INF path); a missing part is left out rather than shown as ``None``.
    """
    inf = info.get("inf_original") or info.get("inf")
    name = str(info.get("device") or inf or info.get("title") or "?")
    extra = [str(v) for v in (info.get("description"), inf) if v and str(v).lower() not in name.lower()]
    return f"{name} ({', '.join(extra)})" if extra else name


def _source_os_finding(store: CaseStore) -> None:
    """BRIEF.md step 1: a collection from a machine older than Windows 10 cannot show a Windows 10/11 feature
    upgrade failure; say so at once instead of letting the engineer read its logs."""
    build = store.fact("system.os_build")
    if build is None or not str(build["value"]).isdigit() or int(build["value"]) >= 10240:
        return
    name = store.fact("system.os_name")
    label = name["value"] if name else f"build {build['value']}"
    summary = ("Feature upgrades analysed here start from Windows 10 (build 10240 or later); these logs cannot "
               "show the reported failure. Ask for the logs of the machine that ran the upgrade.",
               "这里分析的功能升级从 Windows 10（内部版本 10240 或更高）开始；该机器运行的不是 Windows 10/11，"
               "这些日志无法反映所报告的升级失败。请索取执行升级的那台机器的日志。")
    store.add_finding(
        rule_id="upgrade.source_os_too_old", severity="high",
        title=f"The collected machine runs {label} (build {build['value']}), not Windows 10/11",
        data=json.dumps(bilingual(title=(
            f"The collected machine runs {label} (build {build['value']}), not Windows 10/11",
            f"收集日志的机器运行的是 {label}（内部版本 {build['value']}），不是 Windows 10/11"), summary=summary),
            ensure_ascii=False),
        summary=summary[0],
        score=90, ts=build["ts"],
        evidence=[{"file_id": build["file_id"], "line": build["line"], "ts": build["ts"], "text": build["text"]}])


@hookimpl(tryfirst=True)
def workbench_analyze(store: CaseStore) -> None:
    """Reconstruct the upgrade run and write ``upgrade.*`` / ``setup.*`` facts and one failure finding.

    Runs first: other analyzers (signatures, dump correlation) read the facts it writes."""
    rec = _Reconstruction()
    for row in _rows(store):
        rec.feed(row)
    rec.finish(store)
    if rec.facts.rows:
        store.insert_facts(rec.facts.rows)
    _findings(store)
    _source_os_finding(store)
    store.commit()
