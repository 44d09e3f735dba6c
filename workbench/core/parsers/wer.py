"""Windows Error Reporting reports (``Report.wer``): one crash or Setup result per file, on a UTC clock.

Where: ``ProgramData\\Microsoft\\Windows\\WER\\ReportArchive\\<type>_<app>_<hash>_<id>\\Report.wer`` (and
``ReportQueue``). Format: UTF-16LE with a BOM, one ``Key=Value`` a line (fixtures/wer/SOURCES.md).

* ``EventTime`` is a FILETIME in **UTC** (100 ns since 1601): the report's time is a clock anchor for the case.
* The signature's names are localized (``Sig[3].Name=故障模块名称``), so ``Sig[n].Value`` is read **by index**
  for the event type: APPCRASH 0 app, 1 app version, 2 app timestamp, 3 fault module, 4 its version, 5 its
  timestamp, 6 exception code, 7 offset; BEX/BEX64 put the offset (6) before the code (7). Other types keep
  their parameters as P1..Pn (``WinSetupDiag02``: scenario, mode, arch, result, result code, extend code,
  builds and branches, reference/setupdiag.md §2.5).
* ``DynamicSig[1]`` is the OS version, ``DynamicSig[2]`` the locale ID (names localized again, so by index).
* ``LoadedModule[n]`` are the crashed process's modules; those not Microsoft's are marked.

A user-mode exception (0xC0000005 in a process) is not a bug check: nothing here writes ``crash.*`` facts.
An APPCRASH/BEX of a Setup process becomes a ``wer.setup_process_crash`` finding naming the faulting module
(:func:`workbench_analyze`); a ``WinSetupDiag02`` report gives the upgrade's result and extend codes (P5, P6).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from workbench.core import clock
from workbench.core.evtx_messages import decode_win_setup_diag, split_extend_code
from workbench.core.finding_text import bilingual
from workbench.core.parsers.base import CaseFile, Mediator
from workbench.core.parsers.procmon_common import filetime_to_us
from workbench.core.plugins import hookimpl
from workbench.core.software import TABLES as SOFTWARE_TABLES
from workbench.core.software import add_software, base_name, third_party_of
from workbench.core.store import CaseStore
from workbench.core.system_items import locale_tag
from workbench.core.textio import read_lines

DDL = """CREATE TABLE IF NOT EXISTS wer_reports (
    file_id INTEGER PRIMARY KEY,
    report_id TEXT,
    event_type TEXT,
    event_time INTEGER,            -- UTC µs (EventTime is a UTC FILETIME)
    app_name TEXT, app_version TEXT, app_path TEXT,
    fault_module TEXT, fault_module_version TEXT,
    exception_code TEXT,           -- '0xC0000005'
    fault_offset TEXT,             -- '0x2F3B8'
    os_version TEXT, locale_id TEXT,
    sig TEXT,                      -- JSON list of [index, name, value] as written (names localized)
    params TEXT,                   -- JSON object P1..Pn (WinSetupDiag02 and other non-crash types)
    loaded_modules TEXT,           -- JSON list of paths
    third_party_modules TEXT       -- JSON list of the paths not Microsoft's
)"""
TABLE = "wer_reports"

#: Sig indexes per event type: (app, app version, fault module, module version, exception code, offset)
CRASH_LAYOUTS: dict[str, tuple[int, int, int, int, int, int]] = {
    "APPCRASH": (0, 1, 3, 4, 6, 7),
    "BEX": (0, 1, 3, 4, 7, 6),
    "BEX64": (0, 1, 3, 4, 7, 6),
    "MOAPPCRASH": (0, 1, 3, 4, 6, 7),
}
#: Setup's own processes: their crash in an upgrade case is a finding (fixtures/wer/SOURCES.md)
SETUP_PROCESSES = frozenset({"setuphost.exe", "setupprep.exe", "setup.exe", "mighost.exe", "setupplatform.exe",
                             "dismhost.exe", "tiworker.exe", "trustedinstaller.exe", "compattelrunner.exe"})
WEIGHT_SETUP_RESULT = 40  # Setup's own report of its result, as strong as its Setup360 tracing in the log
WEIGHT_OS = 4  # the OS the report was made on: a time-stamped reading, below msinfo32 and systeminfo
_KEY = re.compile(r"^([A-Za-z][\w.]*?)(?:\[(\d+)\])?(?:\.(\w+))?=(.*)$")


@dataclass
class WerReport:
    """A ``Report.wer`` read into its keys, with the line each came from."""

    values: dict[str, tuple[str, int]] = field(default_factory=dict)
    sig: dict[int, dict[str, tuple[str, int]]] = field(default_factory=dict)
    dynamic: dict[int, dict[str, tuple[str, int]]] = field(default_factory=dict)
    modules: list[str] = field(default_factory=list)

    def get(self, key: str) -> str | None:
        item = self.values.get(key)
        return item[0] if item else None

    def line(self, key: str) -> int | None:
        item = self.values.get(key)
        return item[1] if item else None

    def sig_value(self, index: int) -> str | None:
        item = self.sig.get(index, {}).get("Value")
        return item[0].strip() if item and item[0].strip() else None


def read_report(lines: Any) -> WerReport:
    """Keys of a report from ``(number, text)`` lines; unknown keys are kept, repeated ones keep the first."""
    report = WerReport()
    for number, text in lines:
        m = _KEY.match(text.strip())
        if m is None:
            continue
        name, index, part, value = m.group(1), m.group(2), m.group(3), m.group(4)
        if index is not None and name in ("Sig", "DynamicSig") and part:
            target = report.sig if name == "Sig" else report.dynamic
            target.setdefault(int(index), {}).setdefault(part, (value, number))
        elif index is not None and name == "LoadedModule":
            report.modules.append(value.strip())
        else:
            key = f"{name}[{index}].{part}" if index is not None and part else (
                f"{name}[{index}]" if index is not None else (f"{name}.{part}" if part else name))
            report.values.setdefault(key, (value, number))
    return report


def code_text(value: str | None) -> str | None:
    """``c0000005`` -> ``0xC0000005``; ``000000000002f3b8`` -> ``0x2F3B8``; None when not hex."""
    if not value:
        return None
    raw = value.strip()
    raw = raw[2:] if raw.lower().startswith("0x") else raw
    if not re.fullmatch(r"[0-9a-fA-F]+", raw):
        return None
    return f"0x{int(raw, 16):X}"


def exception_text(value: str | None) -> str | None:
    """An exception code always as 8 hex digits, the way it is looked up: ``0xC0000005``."""
    code = code_text(value)
    return f"0x{int(code, 16):08X}" if code else None


def os_version_of(dynamic: str | None) -> str | None:
    """``10.0.19042.2.0.0.256.4`` -> ``10.0.19042``."""
    m = re.match(r"(\d+\.\d+\.\d+)", dynamic or "")
    return m.group(1) if m else None


class WerParser:
    """Reads a ``Report.wer`` into ``wer_reports``, a timeline row at its EventTime, facts and the software
    it names."""

    name = "wer"
    kinds = frozenset({"wer_report"})
    tables = {TABLE: DDL, **SOFTWARE_TABLES}
    version = 1

    def parse(self, file: CaseFile, mediator: Mediator) -> None:
        report = read_report((ln.number, ln.text) for ln in read_lines(file.location))
        event_type = (report.get("EventType") or "").strip()
        if not event_type:
            mediator.problem("no EventType line: not a Windows Error Reporting report")
            return
        raw_time = (report.get("EventTime") or "").strip()
        utc = filetime_to_us(int(raw_time)) if raw_time.isdigit() else None
        if utc is None:
            mediator.problem("no readable EventTime (a FILETIME): the report has no time")
        row: dict[str, Any] = {
            "file_id": file.id, "report_id": report.get("ReportIdentifier"), "event_type": event_type,
            "event_time": utc, "app_name": None, "app_version": None, "app_path": report.get("AppPath"),
            "fault_module": None, "fault_module_version": None, "exception_code": None, "fault_offset": None,
            "os_version": os_version_of(report.dynamic.get(1, {}).get("Value", ("", 0))[0]),
            "locale_id": (report.dynamic.get(2, {}).get("Value", ("", 0))[0] or None),
            "sig": json.dumps([[i, s.get("Name", ("", 0))[0], s.get("Value", ("", 0))[0]]
                               for i, s in sorted(report.sig.items())], ensure_ascii=False),
            "params": None, "loaded_modules": json.dumps(report.modules, ensure_ascii=False),
            "third_party_modules": None}
        layout = CRASH_LAYOUTS.get(event_type.upper())
        if layout is not None:
            app, app_ver, module, module_ver, code, offset = layout
            row.update(app_name=report.sig_value(app), app_version=report.sig_value(app_ver),
                       fault_module=report.sig_value(module), fault_module_version=report.sig_value(module_ver),
                       exception_code=exception_text(report.sig_value(code)),
                       fault_offset=code_text(report.sig_value(offset)))
        else:
            row["app_name"] = report.get("AppName") or report.get("NsAppName")
            row["params"] = json.dumps({f"P{i + 1}": report.sig_value(i) or "" for i in sorted(report.sig)},
                                       ensure_ascii=False)
        third = [p for p in report.modules if third_party_of(base_name(p), p) == 1]
        row["third_party_modules"] = json.dumps(third, ensure_ascii=False)
        mediator.detail(TABLE, row)
        line = report.line("EventType")
        level = "error" if layout is not None else "warning"
        mediator.event(line=line, utc=utc, level=level, component=row["app_name"], message=self._message(row),
                       source="wer")
        self._facts(mediator, report, row, utc)
        for path in third:
            add_software(mediator, {"name": base_name(path), "path": path, "third_party": 1},
                         kind="module", source="wer", line=None)

    @staticmethod
    def _message(row: dict[str, Any]) -> str:
        kind, app = row["event_type"], row["app_name"] or "?"
        if row["fault_module"] or row["exception_code"]:
            version = f" {row['app_version']}" if row["app_version"] else ""
            module = row["fault_module"] or "?"
            mversion = f" {row['fault_module_version']}" if row["fault_module_version"] else ""
            at = f" at offset {row['fault_offset']}" if row["fault_offset"] else ""
            return (f"Windows Error Reporting {kind}: {app}{version} crashed in {module}{mversion}, exception "
                    f"{row['exception_code'] or '?'}{at}")
        params = json.loads(row["params"] or "{}")
        if kind.lower().startswith("winsetupdiag"):
            d = decode_win_setup_diag([params.get(f"P{i}", "") for i in range(1, 11)])
            codes = " - ".join(c for c in (d["result_code"], d["extend_code"]) if c)
            return (f"Windows Setup result ({kind}): {d['result'] or '?'} {codes}; scenario {d['scenario'] or '?'}, "
                    f"mode {d['mode'] or '?'}, build {d['source_build'] or '?'} -> {d['target_build'] or '?'}")
        shown = ", ".join(f"{k}={v}" for k, v in params.items() if v)
        return f"Windows Error Reporting {kind}: {app} ({shown})"

    @staticmethod
    def _facts(mediator: Mediator, report: WerReport, row: dict[str, Any], utc: int | None) -> None:
        line = report.line("EventType")
        text = WerParser._message(row)
        if row["os_version"]:
            mediator.fact("system.os_version", row["os_version"], line=report.dynamic[1]["Value"][1],
                          text=f"WER report {row['event_type']}: OS version {report.dynamic[1]['Value'][0]}",
                          utc=utc, weight=WEIGHT_OS)
            mediator.fact("system.os_build", row["os_version"].split(".")[2], line=report.dynamic[1]["Value"][1],
                          text=f"WER report {row['event_type']}: OS version {report.dynamic[1]['Value'][0]}",
                          utc=utc, weight=WEIGHT_OS)
        tag = locale_tag(row["locale_id"])
        if tag:
            mediator.fact("system.locale", tag, line=report.dynamic[2]["Value"][1],
                          text=f"WER report: locale ID {row['locale_id']}", utc=utc, weight=WEIGHT_OS)
        app = (row["app_name"] or "").lower()
        if row["event_type"].upper() in CRASH_LAYOUTS and app in SETUP_PROCESSES:
            mediator.fact("wer.setup_process_crash", row["app_name"], line=line, text=text, utc=utc, weight=10)
            if row["fault_module"]:
                mediator.fact("wer.fault_module", row["fault_module"], line=line, text=text, utc=utc, weight=10)
        if row["event_type"].lower().startswith("winsetupdiag") and row["params"]:
            params = json.loads(row["params"])
            d = decode_win_setup_diag([params.get(f"P{i}", "") for i in range(1, 11)])
            phase, op = split_extend_code(d["extend_code"])
            for name, value in (("upgrade.result_code", d["result_code"]), ("upgrade.extend_code", d["extend_code"]),
                                ("upgrade.phase", phase), ("upgrade.operation", op),
                                ("upgrade.source_build", d["source_build"]),
                                ("upgrade.target_build", d["target_build"]),
                                ("upgrade.rollback", "true" if d["mode"] == "Rollback" else None),
                                ("setup.scenario", d["scenario"]), ("setup.wer_mode", d["mode"]),
                                ("setup.wer_result", d["result"])):
                if value:
                    mediator.fact(name, value, line=line, text=text, utc=utc, weight=WEIGHT_SETUP_RESULT)


@hookimpl
def workbench_parsers() -> list[WerParser]:
    return [WerParser()]


# ------------------------------------------------------------------------------------------ findings


def setup_crashes(store: CaseStore) -> list[Any]:
    """The WER reports of a Setup process crashing (APPCRASH, BEX, BEX64), oldest first."""
    exists = store.scalar("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (TABLE,))
    if not exists:
        return []
    kinds = ", ".join(f"'{k}'" for k in CRASH_LAYOUTS)
    rows = store.query(
        f"SELECT w.*, f.path FROM {TABLE} w JOIN files f ON f.id = w.file_id WHERE upper(w.event_type) IN ({kinds}) "
        "ORDER BY w.event_time IS NULL, w.event_time, w.file_id")
    return [r for r in rows if (r["app_name"] or "").lower() in SETUP_PROCESSES]


@hookimpl
def workbench_analyze(store: CaseStore) -> None:
    """One finding per crash of a Setup process, naming the faulting module (a user-mode crash, never a
    bug check)."""
    for r in setup_crashes(store):
        module, app, code = r["fault_module"] or "?", r["app_name"], r["exception_code"] or "?"
        third = json.loads(r["third_party_modules"] or "[]")
        is_third = any(base_name(p).lower() == module.lower() for p in third)
        vendor_note = (" The faulting module is not Microsoft's.", "故障模块不是 Microsoft 的组件。") if is_third \
            else ("", "")
        when = clock.format_us(r["event_time"]) or "time unknown"
        title = (f"{app} crashed in {module} ({code})", f"{app} 在 {module} 中崩溃（{code}）")
        summary = (
            f"Windows Error Reporting recorded a crash of the Setup process {app} at {when}: exception {code} in "
            f"{module}{' ' + r['fault_module_version'] if r['fault_module_version'] else ''}"
            f"{' at offset ' + r['fault_offset'] if r['fault_offset'] else ''}.{vendor_note[0]} A user-mode "
            "crash (not a blue screen) stops the upgrade step that process was running.",
            f"Windows 错误报告记录了安装进程 {app} 的崩溃（{when}）：{module}"
            f"{' ' + r['fault_module_version'] if r['fault_module_version'] else ''} 中发生异常 {code}"
            f"{'，偏移 ' + r['fault_offset'] if r['fault_offset'] else ''}。{vendor_note[1]}"
            "这是用户态崩溃（不是蓝屏），该进程正在执行的升级步骤因此中止。")
        remediation = (
            f"Find the product that installs {module} (see installed software), update or uninstall it, and run "
            "the upgrade again.",
            f"找出安装 {module} 的产品（见已安装软件），更新或卸载后重新运行升级。")
        data = {"module": module, "app": app, "exception_code": r["exception_code"], "report": r["path"],
                "app_version": r["app_version"], "module_version": r["fault_module_version"],
                "offset": r["fault_offset"], "third_party": is_third,
                **bilingual(title=title, summary=summary, remediation=remediation)}
        store.add_finding(rule_id="wer.setup_process_crash", title=title[0], severity="high", summary=summary[0],
                          remediation=remediation[0], score=85.0 if is_third else 75.0, ts=r["event_time"],
                          data=json.dumps(data, ensure_ascii=False),
                          evidence=[{"file_id": r["file_id"], "line": store.scalar(
                              "SELECT line FROM timeline WHERE file_id = ? ORDER BY id LIMIT 1", (r["file_id"],)),
                                     "ts": r["event_time"],
                                     "text": f"{r['event_type']} {app}: {module} {code}"}])
    store.commit()
