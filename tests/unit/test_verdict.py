"""The verdict on the shapes the field produces (issue 19), each case built here byte by byte.

Machine A of BRIEF.md (a bug check at the second boot, the NDIS filter of a third-party agent on the stack),
machine B (SetupHost crashing in the down-level phase after an agent injected its DLL, an antivirus's access
noise as a decoy, no code logged), a Windows 7 upload, an old unrelated minidump, a succeeded upgrade, a
reported symptom the logs contradict, and a WinDbg text that disagrees with its dump. Each asserts the
state, the phase, the culprit and its vendor, that no code is invented, the ranking, and that the Chinese
summary holds no English sentence.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from tests.archives import make_zip
from tests.unit import dumpgen
from workbench.cli import main
from workbench.core.analysis import build_analysis
from workbench.core.case import Case
from workbench.core.report.render import render_summary
from workbench.core.report.summary import build_summary
from workbench.core.upgrade.codes import plausible_result
from workbench.core.verdict import parse_reported
from workbench.writers.procmon import Ev, Proc, ft, pml_bytes, write_csv

BOM = b"\xef\xbb\xbf"
NOW = datetime(2026, 11, 25, 8, 30, tzinfo=timezone.utc)
BT = "$WINDOWS.~BT/Sources/"


def _log(start: datetime, entries: list[tuple[float, str, str, str]]) -> bytes:
    """A setupact.log: (seconds after start, level, component, message) in Setup's fixed columns."""
    lines = []
    for offset, level, component, message in entries:
        t = start + timedelta(seconds=offset)
        lines.append(f"{t:%Y-%m-%d %H:%M:%S}, {level:<11}{' ' * 11}{component:<7}{message}")
    return BOM + ("\r\n".join(lines) + "\r\n").encode("utf-8")


def _nfo(os_name: str, version: str, computer: str = "PC-0042") -> bytes:
    items = [("OS Name", os_name), ("Version", version), ("System Name", computer),
             ("Time Zone", "China Standard Time")]
    rows = "\n".join(f"<Data><Item><![CDATA[{k}]]></Item><Value><![CDATA[{v}]]></Value></Data>" for k, v in items)
    xml = (f'<?xml version="1.0"?>\n<MsInfo>\n<Metadata><Version>8.0</Version></Metadata>\n'
           f'<Category name="System Summary">\n{rows}\n</Category>\n</MsInfo>\n')
    return b"\xff\xfe" + xml.replace("\n", "\r\n").encode("utf-16-le")


def _analyse(tmp_path: Path, files: dict[str, bytes], name: str = "case.zip") -> tuple[Case, dict[str, Any]]:
    case = Case.open(make_zip(tmp_path / name, files))
    case.ensure_ingested()
    return case, build_analysis(case.store)


def english_sentences(markdown: str) -> list[str]:
    """Runs of seven or more English words outside code (evidence and stacks stay as written)."""
    text = re.sub(r"```.*?```", "", markdown, flags=re.S)
    text = re.sub(r"`[^`]*`", "", text)
    return [m.group(0) for m in re.finditer(r"(?:[A-Za-z][A-Za-z'-]+[ ,.;:()]+){7,}", text)]


def _zh_markdown(case: Case) -> str:
    return render_summary(build_summary(case.store, lang="zh", now=NOW), "md")


# ------------------------------------------------------------------------------------------- machine A

A_START = datetime(2023, 11, 15, 6, 10, 0)  # local wall clock (China), the dump's crash is 2023-11-14 22:13 UTC


def rollback_log(reported_after: float = 400, extra: tuple[tuple[float, str, str, str], ...] = ()) -> bytes:
    """Machine A's rollback log: the header of a phase-4 BOOT failure, the bug check, ``extra`` lines, and the
    post-reboot report ``reported_after`` seconds later."""
    return _log(A_START, [
        (0, "Info", "SP", "Initiating rollback/uninstall, phase = 0"),
        (0, "Info", "SP", "Current phase : 4"),
        (0, "Info", "SP", "Current op    : 23"),
        (1, "Info", "SP", "Crash 0x0000007E detected"),
        *extra,
        (reported_after, "Info", "MOUPG", "SetupHost::Initialize: CmdLine                = [/RollbackSys /Media]"),
        (reported_after + 1, "Info", "MOUPG", "SetupHost: Reporting post reboot event -> [0xC1900101, 0x40017]"),
    ])


def machine_a_files(windbg: str | None = None, company: str = "Fabrikam Endpoint Ltd.") -> dict[str, bytes]:
    dump, ndis, lwf = dumpgen.lwfmgr_with_images(lwfmgr_company=company)
    rollback = rollback_log(extra=((5, "Error", "SP", "Driver package lwfmgr.inf failed to reinstall in rollback. "
                                                      "Error: 0x800F0247"),))
    files = {
        BT + "Rollback/setupact.log": rollback,
        BT + "Rollback/setupmem.dmp": dump,
        "drivers/ndis.sys": ndis,
        "drivers/lwfmgr.sys": lwf,
        "SYSSUM.NFO": _nfo("Microsoft Windows 10 Pro", "10.0.19045 Build 19045"),
    }
    if windbg is not None:
        files["analysis/setupmem_kv.txt"] = windbg.replace("\n", "\r\n").encode("ascii")
    return files


#: The engineer's ``kv`` of the same crash (BRIEF.md §3), with the symbols the dump read alone lacks.
WINDBG_KV = """0: kd> kv
 # Child-SP          RetAddr               Call Site
00 ffffa88c`e70062d8 fffff805`2028599e     nt!KeBugCheckEx
01 (Inline Function) --------`--------     nt!PspUnhandledExceptionInSystemThread+0x27
02 ffffa88c`e70062e0 fffff805`2024762f     nt!PspSystemThreadStartup$filt$0+0x44
03 ffffa88c`e7006320 fffff805`2027611f     nt!__C_specific_handler+0x9f
04 ffffa88c`e70073a0 fffff805`3606a2b7     nt!KiPageFault+0x42e
05 ffffa88c`e7007530 fffff805`21915167     ndis!NdisFDeregisterFilterDriver+0x47
06 ffffa88c`e7007570 fffff805`2191b49a     lwfmgr+0x5167
07 ffffa88c`e70075a0 fffff805`206fca55     lwfmgr+0xb49a
08 ffffa88c`e7007830 fffff805`20a63908     nt!IopLoadDriver+0x4bd
09 ffffa88c`e7007a10 fffff805`20a87f2a     nt!IopInitializeSystemDrivers+0x134
0a ffffa88c`e7007ab0 fffff805`207f0702     nt!IoInitSystem+0x12
0b ffffa88c`e7007b60 00000000`00000000     nt!KiStartSystemThread+0x1c
"""


def test_machine_a_bugcheck_at_second_boot_names_the_filter_driver_and_its_vendor(tmp_path: Path) -> None:
    case, a = _analyse(tmp_path, machine_a_files(windbg=WINDBG_KV))
    v = a["verdict"]
    assert v["state"] == "failed"
    assert v["phase"] == "OOBE_BOOT"
    assert v["culprit"]["module"].lower() == "lwfmgr.sys" and v["culprit"]["kind"] == "driver"
    assert v["culprit"]["vendor"] == "Fabrikam Endpoint Ltd."  # the image's version resource in the case
    assert "0xC1900101 - 0x40017" in v["summary"] and "lwfmgr.sys" in v["summary_zh"]
    steps = " ".join(s["step"] for s in v["reasoning"])
    steps_zh = "".join(s["step_zh"] for s in v["reasoning"])
    assert "at boot" in steps and "启动" in steps_zh  # what the crashing thread was doing (IopLoadDriver)
    assert "NdisFDeregisterFilterDriver" in steps and "access violation" in steps
    assert all(s["evidence"] for s in v["reasoning"])
    # one crash, one finding (the dump and the engineer's text of it); ranked first, the failure statement after
    assert [f["id"] for f in a["findings"]].count("crash.upgrade_bugcheck") == 1
    assert a["findings"][0]["id"] == "crash.upgrade_bugcheck"
    assert "lwfmgr" in a["findings"][0]["title"]
    # one recommendation per cause, naming the product's vendor; no product the case does not hold
    assert len([s for s in v["next_steps"] if "lwfmgr" in s]) == 1 and "Fabrikam" in v["next_steps"][0]
    assert a["crash"]["culprit_module"].lower() == "lwfmgr.sys" and a["other_crashes"] == []
    md = _zh_markdown(case)
    assert english_sentences(md) == []
    assert "肇事模块" in md and "Fabrikam Endpoint Ltd." in md and "Citrix" not in md


WINDBG_OTHER = """Loading Dump File [C:\\$WINDOWS.~BT\\Sources\\Rollback\\setupmem.dmp]
BugCheck 7E, {ffffffffc0000005, fffff80430001047, ffff850429890200, ffff850429890400}

0: kd> kv
 # Child-SP          RetAddr               Call Site
00 ffff8504`29890158 fffff804`30000000     nt!KeBugCheckEx
01 ffff8504`29890160 fffff804`30000000     nt!KiPageFault+0x42e
02 ffff8504`29891000 fffff804`31005167     ndis!NdisFDeregisterFilterDriver+0x47
03 ffff8504`29891030 fffff804`306a04bd     ndis!ndisFilterDriverCleanup+0x10
04 ffff8504`29891060 00000000`00000000     nt!IopLoadDriver+0x4bd
"""


def test_windbg_text_and_dump_of_one_crash_are_one_finding_reconciled(tmp_path: Path) -> None:
    """The engineer's text names only Microsoft modules; our recovery of the dump names lwfmgr.sys: one
    finding, every source's evidence, and the reasoning says which culprit is kept and why."""
    case, a = _analyse(tmp_path, machine_a_files(windbg=WINDBG_OTHER))
    crashes = [f for f in a["findings"] if f["id"] == "crash.upgrade_bugcheck"]
    assert len(crashes) == 1
    assert {e["file"].rsplit("/", 1)[-1] for e in crashes[0]["evidence"]} >= {"setupmem.dmp", "setupmem_kv.txt"}
    v = a["verdict"]
    assert v["culprit"]["module"].lower() == "lwfmgr.sys"
    reconciled = [s for s in v["reasoning"] if "same crash" in s["step"]]
    assert reconciled and "lwfmgr.sys is kept" in reconciled[0]["step"] and "同一次崩溃" in reconciled[0]["step_zh"]


# ------------------------------------------------------------------------------------------- machine B

B_T0 = datetime(2024, 3, 5, 2, 40, 0, tzinfo=timezone.utc)
AGENT = "C:\\Program Files\\DataGuard\\"
AV = "C:\\Program Files\\Shield Antivirus\\"


def _b_capture() -> tuple[list[Proc], list[Ev]]:
    """SetupHost dies 0xC0000005 four seconds after the DLP agent opened it and its Hook64.dll loaded;
    an antivirus scans Setup's folder all along (hundreds of denials that explain nothing)."""
    bt = "C:\\$WINDOWS.~BT\\Sources\\"

    def at(s: float) -> int:
        return ft(B_T0 + timedelta(seconds=s))

    ms = "Microsoft Corporation"
    procs = [
        Proc(1, 4, 0, "System", "System", company="", start=at(-600)),
        Proc(2, 3344, 700, "explorer.exe", "C:\\Windows\\explorer.exe", start=at(-600)),
        Proc(3, 2100, 700, "vUserHCI.exe", AGENT + "vUserHCI.exe", "vUserHCI.exe -svc", company="DataGuard Co.",
             start=at(-600)),
        Proc(4, 2200, 700, "avscan.exe", AV + "avscan.exe", "avscan.exe", company="Shield Antivirus Inc.",
             start=at(-600)),
        Proc(5, 5120, 3344, "setup.exe", "D:\\setup.exe", '"D:\\setup.exe" /auto upgrade', parent_index=2,
             start=at(0), end=at(16)),
        Proc(6, 6200, 5120, "SetupPrep.exe", bt + "SetupPrep.exe", bt + "SetupPrep.exe", parent_index=5,
             start=at(1), end=at(15)),
        Proc(7, 6412, 6200, "SetupHost.exe", bt + "SetupHost.exe", bt + "SetupHost.exe /Install", parent_index=6,
             start=at(2), end=at(14),
             modules=[(0x7FF700000000, 0x90000, bt + "SetupHost.exe", ms),
                      (0x7FFB10000000, 0x20000, AGENT + "Hook64.dll", "DataGuard Co.")]),
    ]
    events = [
        Ev(5, at(0), 1, 1, path=bt + "SetupPrep.exe", pid=6200, cmd=bt + "SetupPrep.exe", tid=5124),
        Ev(6, at(1), 1, 7, ppid=5120, cmd=bt + "SetupPrep.exe", tid=6204),
        Ev(6, at(2), 1, 1, path=bt + "SetupHost.exe", pid=6412, cmd=bt + "SetupHost.exe /Install", tid=6204),
        Ev(7, at(2) + 1, 1, 7, ppid=6200, cmd=bt + "SetupHost.exe /Install", tid=6416),
        Ev(3, at(9.5), 3, 0x14, path=bt + "SetupHost.exe", tid=2104),  # the agent opens SetupHost
        Ev(7, at(10), 1, 5, path=AGENT + "Hook64.dll", tid=6416),  # its DLL loads into SetupHost
        Ev(7, at(14), 1, 2, status=0xC0000005, tid=6416),
        Ev(6, at(15), 1, 2, status=0xC0000005, tid=6204),
        Ev(5, at(16), 1, 2, status=0x80070542, tid=5124),
    ]
    for i in range(240):  # the decoy: a scanner refused and refusing, all over Setup's folder
        events.append(Ev(4, at(0.2 * i), 3, 0x14, path=bt + f"Panther\\file{i % 12}.tmp",
                         result=0xC0000043 if i % 2 else 0xC0000022, tid=2204))
    events.sort(key=lambda e: e.time)
    return procs, events


def machine_b_files(tmp_path: Path, with_csv: bool = False) -> dict[str, bytes]:
    local = datetime(2024, 3, 5, 10, 39, 50)  # the log's wall clock (UTC+8), ten seconds before SetupHost
    log = _log(local, [
        (0, "Info", "MOUPG", "SetupHost::Initialize: CmdLine                = [/Install /Media /auto upgrade]"),
        (0, "Info", "MOUPG", "SetupHost: Setup build version is: 10.0.19041.1 (vb_release.191206-1406)"),
        (1, "Info", "MOUPG", "    Host OS Version         [ 10.0.17763 ]"),
        (2, "Info", "MOUPG", "Setup phase change: [SetupPhaseUnknown] -> [SetupPhaseDownlevel]"),
        (3, "Info", "SP", "OPERATIONTRACK ExecuteOperations: Start execution phase Downlevel"),
        # Windows Error Reporting's APPCRASH of SetupHost: bucketing parameters that are not Setup's codes
        (24, "Info", "DIAGER", "CWfpER::AddBucketingParameters:Adding bucketing param=SetupHost.exe"),
        (24, "Info", "DIAGER", "CWfpER::AddBucketingParameters:Adding bucketing param=10.0.17763.1"),
        (24, "Info", "DIAGER", "CWfpER::AddBucketingParameters:Adding bucketing param=5b9c8f3a"),
        (24, "Info", "DIAGER", "CWfpER::AddBucketingParameters:Adding bucketing param=Hook64.dll"),
        (24, "Info", "DIAGER", "CWfpER::AddBucketingParameters:Adding bucketing param=17763"),
        (24, "Info", "DIAGER", "CWfpER::AddBucketingParameters:Adding bucketing param=5c3b1a77"),
        (24, "Info", "DIAGER", "CWfpER::AddBucketingParameters:Adding bucketing param=c0000005"),
        (25, "Info", "DIAGER", "Watson Error Report submitted"),
        (25, "Warning", "MIG", "MigHost: CMigPluginSurrogate::WaitForHostTermination: Parent process "
                               "unexpectedly exited. Terminating host."),
    ])
    procs, events = _b_capture()
    files = {BT + "Panther/setupact.log": log, "Procmon/capture.PML": pml_bytes(procs, events, computer="PC-B"),
             "SYSSUM.NFO": _nfo("Microsoft Windows 10 Enterprise LTSC", "10.0.17763 Build 17763", "PC-B")}
    if with_csv:
        files["Procmon/capture.CSV"] = write_csv(tmp_path / "cap.csv", procs, events, utc_offset_h=8).read_bytes()
    return files


def test_machine_b_downlevel_setuphost_crash_after_injection_no_code_invented(tmp_path: Path) -> None:
    case, a = _analyse(tmp_path, machine_b_files(tmp_path))
    assert a["upgrade"]["result_code"] is None and a["upgrade"]["extend_code"] is None  # 17763 is no code
    v = a["verdict"]
    assert v["state"] == "failed" and v["code"] is None
    assert v["phase"] == "DOWNLEVEL"
    assert v["culprit"]["module"] == "Hook64.dll" and v["culprit"]["kind"] == "dll"
    assert v["culprit"]["vendor"] == "DataGuard Co."
    assert "SetupHost.exe crashed (0xC0000005" in v["summary"] and "no result code was logged" in v["summary"]
    assert "闪退" in v["summary_zh"]
    injected = [s for s in v["reasoning"] if "Hook64.dll" in s["step"] and "vUserHCI.exe" in s["step"]]
    assert injected and "4 s before" in injected[0]["step"]  # the injector, the DLL and the seconds between
    ids = [f["id"] for f in a["findings"]]
    assert ids[0] == "procmon.injected_before_exit"
    noise = [i for i, f in enumerate(a["findings"]) if "avscan.exe" in f["title"]]
    # access noise that never hit the failing moment is a weak signal, whatever its count
    assert {a["findings"][i]["severity"] for i in noise} == {"low"}
    # one crash, one finding: Procmon's exits of SetupHost (and of SetupPrep and setup.exe after it) and Setup's
    # "parent process exited" are the injection's finding, also seen as those
    also = [x["id"] for x in a["findings"][0]["also"]]
    assert also.count("procmon.setup_abnormal_exit") == 3 and "beyond.setup_host_process_died" in also
    assert "procmon.setup_abnormal_exit" not in ids
    assert noise and min(noise) > 0  # the decoy ranks below the crash
    assert english_sentences(_zh_markdown(case)) == []


def test_machine_b_one_crash_when_the_capture_is_there_twice(tmp_path: Path) -> None:
    """The PML and its CSV export of one capture: one injection finding, one exit finding, both files cited."""
    _case, a = _analyse(tmp_path, machine_b_files(tmp_path, with_csv=True))
    injected = [f for f in a["findings"] if f["id"] == "procmon.injected_before_exit"]
    assert len(injected) == 1
    assert a["verdict"]["culprit"]["module"] == "Hook64.dll"


# ------------------------------------------------------------------------------------------- wrong logs


def test_windows7_upload_is_not_the_failed_upgrade(tmp_path: Path) -> None:
    log = _log(datetime(2016, 4, 2, 9, 0, 0), [
        (0, "Info", "IBS", "InstallWindows:Setup Phase = 4"),
        (0, "Info", "IBS", "Build version is 6.1.7601.17514 (win7sp1_rtm.101119-1850)"),
        (5, "Info", "IBS", "Setup has completed phase 4"),
    ])
    case, a = _analyse(tmp_path, {"Windows/Panther/setupact.log": log,
                                  "SYSSUM.NFO": _nfo("Microsoft Windows 7 Professional",
                                                     "6.1.7601 Service Pack 1 Build 7601")})
    v = a["verdict"]
    assert v["state"] == "not_an_upgrade"
    assert "Windows 7" in v["summary"] and v["culprit"] is None and v["code"] is None
    assert v["next_steps"] and v["next_steps_zh"] and "setupmem.dmp" in v["next_steps"][0]
    assert "$WINDOWS.~BT" in v["next_steps_zh"][0]
    md = _zh_markdown(case)
    assert english_sentences(md) == [] and "不是失败升级的日志" in md


def test_an_old_unrelated_minidump_is_not_the_case_crash(tmp_path: Path) -> None:
    old = int(datetime(2019, 6, 1, tzinfo=timezone.utc).timestamp() * 1_000_000)
    log = _log(datetime(2024, 5, 6, 9, 0, 0), [
        (0, "Info", "SP", "Initiating rollback/uninstall, phase = 0"),
        (2, "Info", "MOUPG", "SetupHost: Reporting post reboot event -> [0xC1900101, 0x30018]"),
    ])
    _case, a = _analyse(tmp_path, {BT + "Rollback/setupact.log": log,
                                   "Windows/Minidump/060119-01.dmp": dumpgen.unrelated_d1(old)})
    assert a["crash"]["bugcheck_code"] is None and a["crash"]["culprit_module"] is None
    assert len(a["other_crashes"]) == 1
    other = a["other_crashes"][0]
    assert other["bugcheck_code"] == "0x000000D1" and other["culprit_module"] == "acmefilt.sys"
    assert "outside the time the setup logs cover" in other["why_not"]
    v = a["verdict"]
    assert v["state"] == "failed" and v["phase"] == "FIRST_BOOT"
    assert v["culprit"] is None or "acmefilt" not in json.dumps(v["culprit"])
    assert a["findings"][-1]["id"] == "crash.unrelated_dump"  # ranked last
    # no finding calls the dump set aside "from the upgrade" (the signature follows the dump analysis)
    assert "setupdiag.debug_memory_dump" not in json.dumps(a["findings"])


def test_a_succeeded_upgrade_says_so(tmp_path: Path) -> None:
    log = _log(datetime(2024, 7, 1, 11, 0, 0), [
        (0, "Info", "MOUPG", "SetupHost::Initialize: CmdLine                = [/PostOOBE]"),
        (1, "Info", "MOUPG", "SetupHost: PostOOBE completed"),
    ])
    case, a = _analyse(tmp_path, {"Windows/Panther/setupact.log": log})
    v = a["verdict"]
    assert v["state"] == "succeeded" and v["culprit"] is None
    assert v["next_steps"] and "after the upgrade" in v["next_steps"][0]
    assert english_sentences(_zh_markdown(case)) == []


def test_reported_second_boot_rollback_but_logs_show_a_downlevel_crash(tmp_path: Path) -> None:
    """BRIEF.md: the upload held a down-level crash while the customer reported 0x40017; the description is in
    the archive as GBK text, and the verdict says the mismatch first, with what to collect."""
    files = machine_b_files(tmp_path)
    files["问题描述.txt"] = "客户反馈：2024年3月5日 10:35 升级第二次重启蓝屏后回滚，错误代码 0xC1900101 - 0x40017。\r\n".encode("gbk")
    _case, a = _analyse(tmp_path, files)
    v = a["verdict"]
    assert v["reported"]["code"] == "0xC1900101 - 0x40017" and v["reported"]["matches_logs"] is False
    assert v["reported"]["time"] == "10:35" and v["reported"]["source"] == "description"
    assert v["summary"].startswith("The logs hold another failure than the one reported")
    assert "0x40017" in v["summary_zh"] and "日志反映的故障与客户报告的不同" in v["summary_zh"]
    # no code was logged: the lead says what the logs do show, never a placeholder
    assert "they show a crash of SetupHost.exe (0xC0000005) with no result code logged" in v["summary"]
    assert "日志显示 SetupHost.exe 崩溃" in v["summary_zh"] and "?" not in v["summary"] + v["summary_zh"]
    assert any("setupmem.dmp" in s and "0xC1900101 - 0x40017" in s for s in v["next_steps"])
    assert v["culprit"]["module"] == "Hook64.dll"  # what these logs do show is still told


def test_reported_on_the_command_line_is_kept_with_the_case(tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                                            ) -> None:
    src = make_zip(tmp_path / "c.zip", {BT + "Panther/setupact.log": _log(datetime(2022, 7, 6, 8, 0, 0), [
        (0, "Info", "MOUPG", "SetupHost: Reporting error event -> [0x80070032, 0x50013]")])})
    assert main(["analyze", str(src), "--json", "--reported", "0xC1900101-0x40017 10:35"]) == 0
    v = json.loads(capsys.readouterr().out)["verdict"]
    assert v["reported"]["matches_logs"] is False and "0x80070032" in v["summary"] and "0x40017" in v["summary"]
    assert main(["analyze", str(src)]) == 0  # the verdict comes first without --json, the entry still there
    out = capsys.readouterr().out
    assert out.startswith("Verdict   FAILED") and "another failure than the one reported" in out.split("\n")[1]


# ------------------------------------------------------------------------------------------- pieces


def test_plausible_results_and_reported_parsing() -> None:
    assert plausible_result(0xC1900101) and plausible_result(0x80070032)
    assert not plausible_result(17763) and not plausible_result(0x4563) and not plausible_result(0)
    r = parse_reported("0xC1900101-0x40017 10:35")
    assert (r.result, r.extend, r.phase, r.time) == (0xC1900101, 0x40017, "OOBE_BOOT", "10:35")
    r = parse_reported("客户说第二次重启时蓝屏，计算机名：ICBC-BJ-PC0042，时间 2021/05/18 9:05")
    assert r.phase == "OOBE_BOOT" and r.computer == "ICBC-BJ-PC0042" and r.date == "2021-05-18"
    assert r.time == "09:05" and "bugcheck" in r.symptoms and r.code is None


# ------------------------------------------------------------------------------------------- review of main

#: The engineer's ``lmvm`` of the culprit, as WinDbg prints it after ``!analyze -v``: the version resource
#: it read of the image (no image file in the case, no setupapi log).
LMVM_LWFMGR = """
0: kd> lmvm lwfmgr
Browse full module list
start             end                 module name
fffff805`21910000 fffff805`21932000   lwfmgr     (no symbols)
    Loaded symbol image file: lwfmgr.sys
    Image path: \\SystemRoot\\System32\\drivers\\lwfmgr.sys
    Image name: lwfmgr.sys
    Timestamp:        Thu Sep 14 10:22:31 2023 (65026E47)
    CheckSum:         0002A3F1
    ImageSize:        00022000
    File version:     4.2.0.117
    Product version:  4.2.0.117
    CompanyName:      Contoso Networks Co., Ltd.
    ProductName:      Contoso Endpoint Manager
    FileDescription:  Contoso NDIS Lightweight Filter
"""


def machine_a_text_only() -> dict[str, bytes]:
    """Machine A as the engineer often sends it: the rollback log and their WinDbg text, nothing else."""
    files = {k: v for k, v in machine_a_files().items() if k.endswith("setupact.log")}
    files["分析/setupmem_analyze.txt"] = (WINDBG_KV + LMVM_LWFMGR).replace("\n", "\r\n").encode("ascii")
    return files


def test_lmvm_in_the_engineers_text_names_the_product_and_vendor(tmp_path: Path) -> None:
    """The version resource WinDbg printed (lmvm) is an owner source: the product is named in the culprit, in
    the owner step and in the advice, in both languages — not "the product that installed lwfmgr.sys"."""
    case, a = _analyse(tmp_path, machine_a_text_only())
    v = a["verdict"]
    c = v["culprit"]
    assert (c["module"].lower(), c["vendor"], c["product"]) == (
        "lwfmgr.sys", "Contoso Networks Co., Ltd.", "Contoso Endpoint Manager")
    assert "lmvm" in c["vendor_source"]
    assert "Contoso Endpoint Manager" in v["summary"] and "Contoso Endpoint Manager" in v["summary_zh"]
    assert v["next_steps"][0].startswith("Update Contoso Endpoint Manager (Contoso Networks Co., Ltd.)")
    assert "Contoso Endpoint Manager" in v["next_steps_zh"][0]
    assert not any("the product that installed" in s for s in v["next_steps"])
    assert not any("安装 lwfmgr.sys 的产品" in s for s in v["next_steps_zh"])
    owner = [s for s in v["reasoning"] if "belongs to" in s["step"]]
    assert owner and "CompanyName: Contoso Networks Co., Ltd." in owner[0]["evidence"][0]["text"]


def test_an_inbox_driver_at_fault_is_never_to_be_uninstalled(tmp_path: Path) -> None:
    """amdppm's real triage stack in the engineer's ``k``, the filter's cold code spelled ``nt!?? ::FNODOBFM::``:
    the culprit is the faulting Microsoft driver (not ntoskrnl.exe), the summary says no third-party module is
    on the stack, and the advice is firmware, chipset and a hardware check, never to uninstall it."""
    from tests.unit.test_dump_text_user import AMDPPM_K

    text = ("Loading Dump File [C:\\$WINDOWS.~BT\\Sources\\Rollback\\setupmem.dmp]\n"
            "SYSTEM_THREAD_EXCEPTION_NOT_HANDLED_M (1000007e)\n\n"
            + AMDPPM_K.format(handler="nt!?? ::FNODOBFM::`string'+0x1611"))
    files = {k: v for k, v in machine_a_files().items() if k.endswith("setupact.log")}
    files["分析/setupmem_windbg.txt"] = text.replace("\n", "\r\n").encode("ascii")
    _case, a = _analyse(tmp_path, files)
    v = a["verdict"]
    assert v["culprit"]["module"] == "amdppm.sys" and v["culprit"]["third_party"] is False
    assert "No third-party module is on the stack" in v["summary"] and "没有第三方模块" in v["summary_zh"]
    # the reasoning says so too (it once took a module missing from a driver list for a third party's)
    who = [s["step"] for s in v["reasoning"] if s["step"].startswith("Who:")]
    assert who and who[0].startswith("Who: every module on the stack is Microsoft's; the fault is in amdppm.sys")
    assert "BIOS/UEFI" in v["next_steps"][0] and "do not uninstall it" in v["next_steps"][0]
    assert not any("uninstall it (or" in s or "Update the product" in s for s in v["next_steps"])
    assert "不要卸载" in v["next_steps_zh"][0] and "BIOS/UEFI" in v["next_steps_zh"][0]
    assert all(c["module"] != "ntoskrnl.exe" for c in v["causes"])


def test_a_setup_crash_report_without_its_logs_is_an_upgrade_that_failed(tmp_path: Path) -> None:
    """The machine's deployment log and WER's report of SetupHost (run from $WINDOWS.~BT) crashing in an
    agent's DLL, no $WINDOWS.~BT logs: an upgrade's Setup crashed — not "not the upgrade's logs"; the culprit
    is the faulting module and the verdict says the setup logs are missing, with what to collect."""
    from tests.unit import clockcase

    root = clockcase.build_case(tmp_path / "upload", with_nfo=False, with_csv=False, with_pml=False,
                                with_setupact=False, with_deployment=True)
    case = Case.open(root)
    case.ensure_ingested()
    v = build_analysis(case.store)["verdict"]
    assert v["state"] == "failed" and v["code"] is None
    assert v["summary"].startswith("SetupHost.exe crashed (0xC0000005")
    assert "setup logs are not in the case" in v["summary"] and "没有这次升级自己的安装日志" in v["summary_zh"]
    assert v["culprit"]["module"] == "xsecHook64.dll"
    assert "C:\\Program Files\\XSec\\Agent\\x64\\xsecHook64.dll" in v["next_steps"][0]
    assert {"bt", "wer", "procmon"} <= set(v["collect"]) and "$WINDOWS.~BT" in v["next_steps"][-1]
    assert any("another installation's" in s["step"] for s in v["reasoning"])
    assert english_sentences(_zh_markdown(case)) == []


def test_the_failure_time_is_the_crash_and_the_rollback_end_is_named_as_such(tmp_path: Path) -> None:
    """The engineer's text dates the crash (Debug session time, WinDbg's clock with its UTC offset) 38 s after
    the start (System Uptime); Setup reports the code two hours later at the rollback's end; the rollback's
    setupapi log has the culprit's package failing to install. The failure time is the crash, the rollback's
    end is named as such, and the failed install is a reasoning step."""
    session = ("Debug session time: Wed Nov 15 06:13:20.250 2023 (UTC + 8:00)\n"  # 2023-11-14 22:13:20 UTC
               "System Uptime: 0 days 0:00:38.500\n")
    rollback = rollback_log(reported_after=7200)
    inf = r"C:\Windows\System32\DriverStore\FileRepository\lwfmgr.inf_amd64_5f7e21c0\lwfmgr.inf"
    setupapi = ("[Device Install Log]\r\n     OS Version = 10.0.19045\r\n\r\n[BeginLog]\r\n\r\n"
                "[Boot Session: 2023/11/15 06:20:10.500]\r\n\r\n"
                f">>>  [Device Install (DiInstallDriver) - {inf}]\r\n"
                ">>>  Section start 2023/11/15 06:21:02.331\r\n"
                "     inf: Provider: Contoso Networks Co., Ltd.\r\n"
                "!!!  ndv: Installing NDIS lightweight filter 'lwfmgr' failed. Error = 0xE0000219\r\n"
                "<<<  Section end 2023/11/15 06:21:04.902\r\n"
                "<<<  [Exit status: FAILURE(0xe0000219)]\r\n\r\n").encode("cp1252")
    files = {
        BT + "Rollback/setupact.log": rollback,
        BT + "Rollback/setupapi/setupapi.dev.log": setupapi,
        "分析/setupmem_analyze.txt": ("Loading Dump File [C:\\cases\\setupmem.dmp]\n" + session + WINDBG_KV
                                    + LMVM_LWFMGR).replace("\n", "\r\n").encode("ascii"),
        "SYSSUM.NFO": _nfo("Microsoft Windows 10 Pro", "10.0.19045 Build 19045"),
    }
    case, a = _analyse(tmp_path, files)
    v = a["verdict"]
    assert v["failure_time"] == "2023-11-14T22:13:20.250000Z" and v["failure_marked_by"] == "crash"
    assert v["rollback_end_time"].startswith("2023-11-15T00:10:01")  # 08:10:01 on the machine's clock
    steps = [s["step"] for s in v["reasoning"]]
    assert any(s.startswith("The system had been up 38 s when it crashed") for s in steps)
    failed = [s for s in v["reasoning"] if "failed to install in the rollback" in s["step"]]
    assert failed and "FAILURE(0xe0000219)" in failed[0]["step"] and "回滚中安装失败" in failed[0]["step_zh"]
    s = build_summary(case.store, lang="en", now=NOW)
    assert s["failure_time"] == "2023-11-15 06:13:20" and s["rollback_end"] == "2023-11-15 08:10:01"
    md = render_summary(s, "md")
    assert "**Failure time:** 2023-11-15 06:13:20" in md and "**Rollback ended:** 2023-11-15 08:10:01" in md


def test_one_crash_is_one_finding_with_every_sources_evidence(tmp_path: Path) -> None:
    """SetupHost crashing in an agent's DLL, seen by WER, Procmon (PML and its CSV export), Setup's log (MigHost:
    parent process exited) and the process tree: one finding in the analysis JSON, the summary and the findings
    pane, the others' titles under it and every source's lines in its evidence."""
    from tests.unit import clockcase

    root = clockcase.build_case(tmp_path / "upload")
    case = Case.open(root)
    case.ensure_ingested()
    a = build_analysis(case.store)
    crash = a["findings"][0]
    rules = [crash["id"]] + [x["id"] for x in crash["also"]]
    assert {"wer.setup_process_crash", "procmon.setup_abnormal_exit", "beyond.setup_host_process_died"} <= set(rules)
    assert not any(f["id"] in {"wer.setup_process_crash", "procmon.setup_abnormal_exit"} for f in a["findings"][1:])
    files = {e["file"].rsplit("/", 1)[-1] for e in crash["evidence"]}
    assert {"Report.wer", "capture.PML", "setupact.log"} <= files
    assert "xsechook64.dll" in json.dumps(a["findings"][:1]).lower()
    s = build_summary(case.store, lang="en", now=NOW)
    assert s["findings_total"] == len(a["findings"]) and s["findings"][0]["also"]
    from workbench.core.analysis import finding_groups

    assert [g[0]["rule_id"] for g in finding_groups(case.store)] == [f["id"] for f in a["findings"]]


def english_not_quoted(markdown: str, case: Case, files: dict[str, bytes] | None = None) -> list[str]:
    """Runs of five or more English words in a Chinese summary, code blocks included, that are not a quote of the
    case: log quotes stay as written, but a sentence the program built ("the last execution phase ... started",
    "it is not on the upgrade's rollback path", "vendor ...") must be said in Chinese or not at all."""
    def flat(text: str) -> str:
        return re.sub(r"\s+", " ", text).strip().lower()

    sources = [flat(f"{r[0]}\n{r[1]}: {r[0]}") for r in case.store.conn.execute("SELECT message, component FROM timeline")]
    for table, column in (("procmon_modules", "company"), ("procmon_processes", "company")):
        if case.store.scalar("SELECT count(*) FROM sqlite_master WHERE name = ?", (table,)):
            sources += [flat(str(r[0])) for r in case.store.conn.execute(f"SELECT DISTINCT {column} FROM {table}")]
    for data in (files or {}).values():
        for codec in ("utf-8-sig", "utf-16", "gbk", "cp1252"):
            try:
                sources.append(flat(data.decode(codec)))
                break
            except UnicodeDecodeError:
                continue
    haystack = "\n".join(sources)
    # each column of an evidence line on its own (time, where, text are set apart by two spaces)
    segments = [seg for line in markdown.splitlines() for seg in re.split(r" {2,}", line)]
    runs = [m.group(0) for seg in segments for m in re.finditer(r"(?:[A-Za-z][A-Za-z'-]+[ ,.;:()]+){5,}", seg + " ")]
    return [r for r in runs if flat(r).rstrip(" ,.;:(").lower() not in haystack]


def test_a_chinese_summary_quotes_logs_but_never_builds_an_english_sentence(tmp_path: Path) -> None:
    """The shapes of the review: the down-level crash with its old minidump (zh1), the rollback with the
    engineer's WinDbg text and the rollback's setupapi (macha), a Setup crash report without its logs."""
    from tests.unit import clockcase

    old = int(datetime(2021, 2, 21, 1, 38, tzinfo=timezone.utc).timestamp() * 1_000_000)
    root = clockcase.build_case(tmp_path / "zh1", with_deployment=True)
    (root / "Windows" / "Minidump").mkdir(parents=True)
    (root / "Windows" / "Minidump" / "022121-01.dmp").write_bytes(dumpgen.unrelated_d1(old))
    (root / "问题描述.txt").write_bytes("升级失败，错误代码 0xC1900101 - 0x40017，第二次重启蓝屏后回滚。\r\n".encode("gbk"))
    cases: list[tuple[Case, dict[str, bytes]]] = []
    case = Case.open(root)
    case.ensure_ingested()
    cases.append((case, {str(p): p.read_bytes() for p in root.rglob("*") if p.is_file()}))
    files = machine_a_text_only()
    inf = r"C:\Windows\System32\DriverStore\FileRepository\lwfmgr.inf_amd64_5f7e21c0\lwfmgr.inf"
    files[BT + "Rollback/setupapi/setupapi.dev.log"] = (
        "[BeginLog]\r\n\r\n[Boot Session: 2023/11/15 06:20:10.500]\r\n\r\n"
        f">>>  [Device Install (DiInstallDriver) - {inf}]\r\n>>>  Section start 2023/11/15 06:21:02.331\r\n"
        "     inf: Provider: Contoso Networks Co., Ltd.\r\n<<<  Section end 2023/11/15 06:21:04.902\r\n"
        "<<<  [Exit status: FAILURE(0xe0000219)]\r\n\r\n").encode("cp1252")
    files["SYSSUM.NFO"] = _nfo("Microsoft Windows 10 Pro", "10.0.19045 Build 19045")
    case, _ = _analyse(tmp_path, files, "macha.zip")
    cases.append((case, files))
    for case, raw in cases:
        md = _zh_markdown(case)
        assert english_sentences(md) == []
        assert english_not_quoted(md, case, raw) == [], case.source


def test_analyze_in_chinese_prints_no_english_label(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``analyze --lang zh``: the confidence and every label in Chinese, the findings' titles and summaries in
    Chinese where they have them, a crash's other findings under it."""
    src = make_zip(tmp_path / "b.zip", machine_b_files(tmp_path))
    assert main(["analyze", str(src), "--lang", "zh"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"\(可信度 [高中低]\)", out) and "confidence" not in out
    lines = out.splitlines()
    assert not [ln for ln in lines if re.match(r"(Case|System|Upgrade|Crash|Other|Problems)\s", ln)]
    assert any(ln.startswith("案例") for ln in lines) and any(ln.startswith("系统") for ln in lines)
    assert "[严重" in out and "同一原因的其他发现：" in out
    assert not [ln for ln in lines if re.match(r"\[(critical|high|medium|low)", ln)]
