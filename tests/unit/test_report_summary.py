"""The case summary (issue 8): golden renderings per language and format, on a case the test builds itself.

The case is a generated folder (a Panther and a Rollback ``setupact.log``) ingested by the real pipeline with
only the identify and setup-log plugins, so analyzers other issues add cannot change the golden text; facts,
findings and notes are then written through the real store API, the way parsers, analyzers and the notes
pane write them. Set ``UPDATE_GOLDEN=1`` to rewrite the golden files after an intended change (and review
the diff).
"""

from __future__ import annotations

import json
import os
from datetime import datetime, timezone
from pathlib import Path

import pluggy
import pytest

from workbench.core.case import Case
from workbench.core.plugins import hookspecs
from workbench.core.report import build_summary, render_summary
from workbench.core.report.notes import quote_evidence
from workbench.core.store import NotesStore

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "report"
NOW = datetime(2026, 11, 25, 8, 30, tzinfo=timezone.utc)

#: Personal values planted in the generated case; a redacted export must contain none of them.
PLANTED = {
    "user": "zhang.wei",
    "user_path": r"C:\Users\zhang.wei",
    "computer": "FIN-PC-0231",
    "domain": "BANKCORP",
    "ipv4": "10.20.30.41",
    "ipv6": "fe80::1c2d:3e4f:5a6b:7c8d",
    "mac": "00-1A-2B-3C-4D-5E",
    "email": "zhang.wei@bank-example.cn",
    "mobile": "13812345678",
    "intl_phone": "+86 139 1234 5678",
    "id_card": "440306199003072817",
    "wifi": "BankGuest-5G",
}

DOWNLEVEL_LOG = "\ufeff" + "\n".join([
    "2026-11-20 09:58:01, Info                  SP     Setup host started: C:\\$WINDOWS.~BT\\Sources\\SetupHost.exe",
    "2026-11-20 09:58:02, Info                  MIG    Gathering user profile C:\\Users\\zhang.wei\\AppData",
    "2026-11-20 09:58:03, Info                  CONX   Host name: FIN-PC-0231, user BANKCORP\\zhang.wei",
    "2026-11-20 09:58:04, Info                  CONX   Network: IPv4 10.20.30.41 IPv6 fe80::1c2d:3e4f:5a6b:7c8d "
    "MAC 00-1A-2B-3C-4D-5E",
    "2026-11-20 09:58:05, Info                  CONX   WLAN SSID : BankGuest-5G",
    "2026-11-20 09:58:06, Warning               MIG    Script error <script>alert('x')</script> & <b>bold</b>",
    "2026-11-20 09:59:10, Error                 SP     Operation failed: Add [1] Boot driver lwfmgr.sys. "
    "Error: 0x80070002",
    "2026-11-20 09:59:11, Info                  SP     Rebooting to apply the new OS",
]) + "\n"

ROLLBACK_LOG = "\ufeff" + "\n".join([
    "2026-11-20 10:20:00, Info                  SP     Rollback: Current phase 4, current op 0x17 (BOOT)",
    "2026-11-20 10:20:01, Error                 SP     CSetupPlatform::Rollback: Crash 0x0000007E detected",
    "2026-11-20 10:20:02, Error                 SP     Driver lwfmgr.sys failed NdisFDeregisterFilterDriver",
    "2026-11-20 10:20:03, Fatal Error           SP     Reporting error event: 0xC1900101 - 0x40017",
    "2026-11-20 10:20:04, Info                  SP     Rollback complete",
]) + "\n"

FRAMES = [
    {"module": "nt", "symbol": "KeBugCheckEx", "offset": None},
    {"module": "nt", "symbol": "PspUnhandledExceptionInSystemThread", "offset": "0x27"},
    {"module": "nt", "symbol": "PspSystemThreadStartup$filt$0", "offset": "0x44"},
    {"module": "nt", "symbol": "KiPageFault", "offset": "0x42e"},
    {"module": "ndis", "symbol": "NdisFDeregisterFilterDriver", "offset": "0x47"},
    {"module": "lwfmgr", "symbol": None, "offset": "0x5167"},
    {"module": "lwfmgr", "symbol": None, "offset": "0xb49a"},
    {"module": "nt", "symbol": "IopLoadDriver", "offset": "0x4bd"},
    {"module": "nt", "symbol": "IopInitializeSystemDrivers", "offset": "0x134"},
    {"module": "nt", "symbol": "KiStartSystemThread", "offset": "0x1c"},
]

NOTE = "\n".join([
    "## 进展 / Progress",
    "",
    "- 客户卸载终端管理代理后升级成功。Customer uninstalled the agent; upgrade passed.",
    "- Contact: zhang.wei@bank-example.cn, 13812345678, +86 139 1234 5678, ID 440306199003072817",
    "- 现场：FIN-PC-0231（bankcorp\\zhang.wei），10.20.30.41 / fe80::1c2d:3e4f:5a6b:7c8d，MAC 00-1a-2b-3c-4d-5e，"
    "Wi-Fi BankGuest-5G。",
    "- Not a tag: <img src=x onerror=alert(1)> and **vendor** fixed `lwfmgr.sys`.",
    "",
])


def _plugin_manager() -> pluggy.PluginManager:
    """Identify + the setup-log parser only: analyzers of other issues must not move the golden text."""
    from workbench.core import identify
    from workbench.core.parsers import setupact

    pm = pluggy.PluginManager("workbench")
    pm.add_hookspecs(hookspecs)
    pm.register(identify, name="workbench.core.identify")
    pm.register(setupact, name="workbench.core.parsers.setupact")
    return pm


def _evidence(store, file_id: int, *lines: int) -> list[dict]:
    rows = store.query("SELECT file_id, line, ts, message FROM timeline WHERE file_id = ? AND line IN "
                       f"({', '.join('?' * len(lines))}) ORDER BY line", (file_id, *lines))
    return [{"file_id": r["file_id"], "line": r["line"], "ts": r["ts"], "text": r["message"]} for r in rows]


def build_case(root: Path, *, all_plugins: bool = False) -> Case:
    """A failed 0xC1900101 - 0x40017 upgrade: blue screen in lwfmgr.sys, a SetupHost crash, planted PII.

    ``all_plugins`` ingests with every built-in plugin, as the CLI does, so ``workbench report`` finds the
    store current instead of ingesting it again (which would drop the facts and findings written here).
    """
    folder = root / "case-fin-pc"
    panther = folder / "$WINDOWS.~BT" / "Sources" / "Panther"
    rollback = folder / "$WINDOWS.~BT" / "Sources" / "Rollback"
    panther.mkdir(parents=True)
    rollback.mkdir(parents=True)
    (panther / "setupact.log").write_text(DOWNLEVEL_LOG, "utf-8")
    (rollback / "setupact.log").write_text(ROLLBACK_LOG, "utf-8")
    case = Case.open(folder)
    case.store.set_meta("time_zone_user", "China Standard Time")
    case.ensure_ingested(plugin_manager=None if all_plugins else _plugin_manager())
    store = case.store
    ids = {r["path"].replace("\\", "/").split("/")[-2]: r["id"] for r in store.query("SELECT id, path FROM files")
           if r["path"].endswith("setupact.log")}
    down, back = ids["Panther"], ids["Rollback"]
    fail_ts = store.scalar("SELECT ts FROM timeline WHERE file_id = ? AND line = 4", (back,))
    facts = {
        "system.os_name": "Microsoft Windows 10 Pro",
        "system.os_version": "10.0",
        "system.os_build": "19045",
        "system.computer": PLANTED["computer"],
        "system.domain": PLANTED["domain"],
        "upgrade.result_code": "0xC1900101",
        "upgrade.extend_code": "0x40017",
        "upgrade.phase": "OOBE_BOOT",
        "upgrade.operation": "BOOT",
        "upgrade.rollback": "true",
        "upgrade.source_build": "19045",
        "upgrade.target_build": "22631",
        "crash.bugcheck_code": "0x0000007E",
        "crash.bugcheck_name": "SYSTEM_THREAD_EXCEPTION_NOT_HANDLED",
        "crash.parameters": json.dumps(["0xFFFFFFFFC0000005", "0xFFFFF8055A2B5167", "0xFFFF8A0D1C2E3F40",
                                        "0xFFFF8A0D1C2E3680"]),
        "crash.culprit_module": "lwfmgr.sys",
        "crash.frames": json.dumps(FRAMES),
    }
    store.insert_facts([(name, value, back, 1, fail_ts, "utc", None, 1000) for name, value in facts.items()])
    store.add_finding(
        rule_id="crash.boot_driver", title="Blue screen in lwfmgr.sys during the second boot (蓝屏)",
        severity="critical", score=0.9, ts=fail_ts,
        summary="The new OS stopped with 0x7E while loading boot drivers; the first third-party frame is lwfmgr.",
        remediation="Update or uninstall the endpoint-management agent that installs lwfmgr.sys, then retry.",
        evidence=_evidence(store, back, 2, 3, 4),
    )
    store.add_finding(
        rule_id="downlevel.setuphost_exit", title="SetupHost.exe exited unexpectedly <vUserHCI.exe>",
        severity="high", score=0.5, ts=None,
        summary="A data-security agent touched Setup files just before SetupHost exited.",
        remediation="Update the data-security agent (vUserHCI.exe) before the next attempt.",
        data=json.dumps({"process": "vUserHCI.exe"}),
        evidence=_evidence(store, down, 2, 3, 4, 5, 6, 7),
    )
    store.commit()
    quote = quote_evidence("Driver lwfmgr.sys failed NdisFDeregisterFilterDriver", source="Rollback/setupact.log",
                           line=3, file_id=back, ts=fail_ts)
    with NotesStore.open(case.folder) as notes:
        notes.save(NOTE + "\n" + quote)
    return case


@pytest.fixture
def case(tmp_path: Path) -> Case:
    c = build_case(tmp_path)
    yield c
    c.close()


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, "utf-8", newline="\n")
    assert path.exists(), f"golden file {path} missing: run with UPDATE_GOLDEN=1 once and review it"
    expected = path.read_text("utf-8")
    assert text == expected, f"{name} differs from its golden file (UPDATE_GOLDEN=1 rewrites it)"


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("fmt", ["md", "html", "txt"])
def test_golden_summary(case: Case, lang: str, fmt: str) -> None:
    summary = build_summary(case.store, lang=lang, now=NOW)
    check_golden(f"summary.{lang}.{fmt}", render_summary(summary, fmt))


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_golden_redacted_markdown(case: Case, lang: str) -> None:
    from workbench.core.report.redact import Redactor

    summary = Redactor.for_case(case.store).apply(build_summary(case.store, lang=lang, now=NOW))
    check_golden(f"summary.{lang}.redacted.md", render_summary(summary, "md"))


def test_long_cases_are_cut_to_the_strongest_findings(case: Case) -> None:
    from workbench.core.report import export_summary
    from workbench.core.report.summary import MAX_EVIDENCE, MAX_FINDINGS

    store = case.store
    file_id = store.scalar("SELECT min(file_id) FROM timeline")
    for i in range(MAX_FINDINGS + 2):
        store.add_finding(rule_id=f"test.minor_{i}", title=f"Minor finding {i}", severity="low", score=i,
                          evidence=[{"file_id": file_id, "line": 100 * i + n, "ts": None, "text": f"minor {i} line {n}"}
                                    for n in range(MAX_EVIDENCE + 3)])  # lines of their own: no finding repeats another
    store.commit()
    summary = build_summary(store, lang="en", now=NOW)
    assert len(summary["findings"]) == MAX_FINDINGS and summary["findings_total"] == MAX_FINDINGS + 4
    assert summary["findings"][0]["rule_id"] == "crash.boot_driver"  # rank kept: critical first
    md = render_summary(summary, "md")
    assert "*4 more findings, of lower rank, are in the case.*" in md
    assert "*3 more evidence lines are in the case.*" in md
    assert f"minor 11 line {MAX_EVIDENCE - 1}" in md and f"minor 11 line {MAX_EVIDENCE}" not in md
    zh = render_summary(build_summary(store, lang="zh", now=NOW), "txt")
    assert "另有 4 项排名较低的发现保存在案例中。" in zh
    eml = export_summary(store, "eml", lang="en", now=NOW, attach_evidence=True).decode("ascii")
    assert "Automatic analysis: 14 findings" in render_summary(summary, "txt")
    assert "evidence-0xC1900101.en.txt" in eml
