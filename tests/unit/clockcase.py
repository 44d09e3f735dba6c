"""A Chinese machine's failed down-level upgrade, written the way the field sends it, on any UTC offset.

The case (issue 15): SetupHost.exe crashes in a third-party hook DLL. The Panther ``setupact.log`` (local
wall clock) logs the run and the crash; a Procmon capture (PML, UTC) sees SetupHost start and exit with
0xC0000005, and its CSV export with Procmon's default columns (time of day only, on the exporting machine's
wall clock) is sent beside it; WER archived the crash (``Report.wer``, UTF-16, Chinese signature names,
EventTime in UTC); msinfo32's NFO (UTF-16, ``<项目>``/``<值>``) states the zone, or is left out. Optionally the
machine's original deployment log, a year older, sits in ``Windows\\Panther``.

Every moment is written from one UTC instant per event plus the offset, so the test can check that the
crash line, the Procmon exit and the WER time land within seconds of each other on the case clock.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

from workbench.writers.procmon import Ev, Proc, ft, write_csv, write_pml

#: when SetupHost started (UTC) and how long until it crashed
START_UTC = datetime(2024, 3, 12, 2, 30, 0, tzinfo=timezone.utc)
CRASH_AFTER = timedelta(minutes=11, seconds=30)
CRASH_UTC = START_UTC + CRASH_AFTER
BT = "C:\\$WINDOWS.~BT\\Sources\\"
HOOK = "C:\\Program Files\\XSec\\Agent\\x64\\xsecHook64.dll"


def _wall(utc: datetime, offset_minutes: int) -> datetime:
    return (utc + timedelta(minutes=offset_minutes)).replace(tzinfo=None)


def _line(when: datetime, level: str, component: str, message: str) -> str:
    return f"{when:%Y-%m-%d %H:%M:%S}, {level:<21} {component:<6} {message}"


def setupact(offset_minutes: int) -> bytes:
    """The down-level Panther log of the run, on the machine's wall clock (UTF-8 with BOM, CRLF)."""
    w = lambda seconds: _wall(START_UTC + timedelta(seconds=seconds), offset_minutes)  # noqa: E731
    crash = CRASH_AFTER.total_seconds()
    lines = [
        _line(w(0), "Info", "MOUPG", "*************** SetupHost Logging Begin ***************"),
        _line(w(0), "Info", "MOUPG", "SetupHost::Initialize: CmdLine                = [/Install /Media  /InstallFile "
              "\"D:\\Sources\\Install.wim\" /auto upgrade]"),
        _line(w(1), "Info", "MOUPG", "    Host OS Language Id     [ 2052 ]"),
        _line(w(1), "Info", "MOUPG", "    Host OS Version         [ 10.0.19042 ]"),
        _line(w(1), "Info", "MOUPG", "    Host OS Build String    [ 19041.1.amd64fre.vb_release.191206-1406 ]"),
        _line(w(1), "Info", "CONX", "Source OS: Host SKU Info: Edition = 'Enterprise', Edition Type = 'Client', "
              "Product Name = 'Windows 10 Enterprise', Arch = amd64"),
        _line(w(2), "Info", "MOUPG", "Setup build version is: 10.0.22621.1"),
        _line(w(40), "Info", "MOUPG", "Setup phase change: [SetupPhaseUnpack] -> [SetupPhaseInstall]"),
        _line(w(crash - 1), "Info", "DIAGER", "Watson Error Report submitted"),
        "{}, Warning    [0x08094f] MIG    MigHost: CMigPluginSurrogate::WaitForHostTermination: Parent process "
        "unexpectedly exited. Terminating host.".format(f"{w(crash + 1):%Y-%m-%d %H:%M:%S}"),
    ]
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8")


def deployment_log(lines_of_work: int = 200) -> bytes:
    """``Windows\\Panther\\setupact.log`` of the machine's original installation, a year before the upgrade."""
    when = datetime(2023, 2, 20, 9, 15, 0)
    lines = [
        _line(when, "Info", "", "[windeploy.exe] Process started with command line [oobe\\windeploy.exe]"),
        _line(when + timedelta(seconds=2), "Info", "", "[windeploy.exe] Setup build version is 10.0.19041.1"),
        *(_line(when + timedelta(seconds=3 + n), "Info", "", f"[windeploy.exe] Specializing component {n}")
          for n in range(lines_of_work)),
        _line(when + timedelta(minutes=5), "Info", "", "[oobeldr.exe] Transitioning to OOBE"),
    ]
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8")


def capture() -> tuple[list[Proc], list[Ev]]:
    """The Procmon capture of the run: explorer → setup.exe → SetupPrep.exe → SetupHost.exe, which loads the
    agent's hook DLL and exits with 0xC0000005 at the crash."""
    at = lambda seconds: ft(START_UTC + timedelta(seconds=seconds))  # noqa: E731
    crash = CRASH_AFTER.total_seconds()
    procs = [
        Proc(1, 4312, 4280, "explorer.exe", "C:\\Windows\\explorer.exe", "C:\\Windows\\Explorer.EXE",
             start=at(-3600)),
        Proc(2, 6120, 4312, "setup.exe", "D:\\setup.exe", '"D:\\setup.exe" /auto upgrade', parent_index=1,
             start=at(-6), end=at(-1)),
        Proc(3, 6288, 6120, "SetupPrep.exe", BT + "SetupPrep.exe", BT + "SetupPrep.exe /auto upgrade",
             parent_index=2, start=at(-5), end=at(-1)),
        Proc(4, 6404, 6288, "SetupHost.exe", BT + "SetupHost.exe", BT + "SetupHost.exe /Install /Media",
             parent_index=3, start=at(0), end=at(crash + 0.5),
             modules=[(0x7FF700000000, 0x90000, BT + "SetupHost.exe", "Microsoft Corporation"),
                      (0x7FFB20000000, 0x28000, HOOK, "XSec Software Co., Ltd.")]),
    ]
    e = Ev
    events = [
        e(1, at(-6), 1, 1, path="D:\\setup.exe", pid=6120, cmd='"D:\\setup.exe" /auto upgrade', tid=4400),
        e(2, at(-6) + 5, 1, 7, ppid=4312, cmd='"D:\\setup.exe" /auto upgrade', tid=6124),
        e(2, at(-5), 1, 1, path=BT + "SetupPrep.exe", pid=6288, cmd=BT + "SetupPrep.exe /auto upgrade", tid=6124),
        e(3, at(-5) + 5, 1, 7, ppid=6120, cmd=BT + "SetupPrep.exe /auto upgrade", tid=6292),
        e(3, at(-1) - 10, 1, 1, path=BT + "SetupHost.exe", pid=6404, cmd=BT + "SetupHost.exe /Install /Media",
          tid=6292),
        e(2, at(-1), 1, 2, status=0, tid=6124),
        e(3, at(-1) + 3, 1, 2, status=0, tid=6292),
        e(4, at(0), 1, 7, ppid=6288, cmd=BT + "SetupHost.exe /Install /Media", tid=6408),
        e(4, at(0.2), 1, 5, path=HOOK, tid=6408),
        e(4, at(1), 3, 0x14, path=BT + "Panther\\setupact.log", tid=6408),
        e(4, at(30), 2, 0, path="HKLM\\SYSTEM\\Setup\\MoSetup\\Volatile", tid=6408),
        e(4, at(crash + 0.5), 1, 2, status=0xC0000005, tid=6408),
    ]
    return procs, events


def report_wer(offset_minutes: int = 480) -> bytes:
    """WER's archive of the crash: APPCRASH of SetupHost.exe in the agent's hook DLL (Chinese names)."""
    filetime = ft(CRASH_UTC)
    lines = [
        "Version=1", "EventType=APPCRASH", f"EventTime={filetime}", "ReportType=2", "Consent=1",
        "ReportIdentifier=5b1e2c3d-0000-4c2a-9e55-2f8b6a1c9d07", "NsAppName=SetupHost.exe",
        "Sig[0].Name=应用程序名称", "Sig[0].Value=SetupHost.exe",
        "Sig[1].Name=应用程序版本", "Sig[1].Value=10.0.22621.1",
        "Sig[2].Name=应用程序时间戳", "Sig[2].Value=6141a2f0",
        "Sig[3].Name=故障模块名称", "Sig[3].Value=xsecHook64.dll",
        "Sig[4].Name=故障模块版本", "Sig[4].Value=5.2.0.1130",
        "Sig[5].Name=故障模块时间戳", "Sig[5].Value=609b5e21",
        "Sig[6].Name=异常代码", "Sig[6].Value=c0000005",
        "Sig[7].Name=异常偏移", "Sig[7].Value=000000000002f3b8",
        "DynamicSig[1].Name=OS 版本", "DynamicSig[1].Value=10.0.19042.2.0.0.256.4",
        "DynamicSig[2].Name=区域设置 ID", "DynamicSig[2].Value=2052",
        "LoadedModule[0]=C:\\$WINDOWS.~BT\\Sources\\SetupHost.exe",
        "LoadedModule[1]=C:\\Windows\\SYSTEM32\\ntdll.dll",
        f"LoadedModule[2]={HOOK}",
        "FriendlyEventName=已停止工作", "AppName=Windows 安装程序", f"AppPath={BT}SetupHost.exe",
    ]
    return "\ufeff".encode("utf-16-le") + "\r\n".join(lines).encode("utf-16-le") + "\r\n".encode("utf-16-le")


def nfo(zone: str = "中国标准时间") -> bytes:
    """msinfo32 /nfo as a Chinese Windows writes it: element names are the localized column captions."""
    summary = [("操作系统名称", "Microsoft Windows 10 企业版"), ("版本", "10.0.19042 版本 19042"),
               ("系统名称", "SH-FIN-PC0133"), ("系统制造商", "Dell Inc."), ("系统型号", "OptiPlex 7080"),
               ("区域设置", "中华人民共和国"), ("时区", zone)]
    rows = "".join(f"<Data>\r\n<项目><![CDATA[{k}]]></项目>\r\n<值><![CDATA[{v}]]></值>\r\n</Data>\r\n"
                   for k, v in summary)
    drivers = ("<Data>\r\n<名称><![CDATA[xsecflt]]></名称>\r\n<描述><![CDATA[XSec File Filter]]></描述>\r\n"
               "<文件><![CDATA[c:\\windows\\system32\\drivers\\xsecflt.sys]]></文件>\r\n<类型><![CDATA[文件系统驱动程序]]>"
               "</类型>\r\n<已启动><![CDATA[是]]></已启动>\r\n<启动模式><![CDATA[启动]]></启动模式>\r\n<状态><![CDATA[正在运行]]>"
               "</状态>\r\n<错误控制><![CDATA[正常]]></错误控制>\r\n</Data>\r\n")
    xml = ("<?xml version=\"1.0\"?>\r\n<MsInfo>\r\n<Metadata>\r\n<Version>8.0</Version>\r\n</Metadata>\r\n"
           f"<Category name=\"系统摘要\">\r\n{rows}<Category name=\"软件环境\">\r\n<Category name=\"系统驱动程序\">\r\n"
           f"{drivers}</Category>\r\n</Category>\r\n</Category>\r\n</MsInfo>\r\n")
    return "\ufeff".encode("utf-16-le") + xml.encode("utf-16-le")


def build_case(root: Path, offset_minutes: int = 480, *, with_nfo: bool = True, with_csv: bool = True,
               with_wer: bool = True, with_pml: bool = True, with_setupact: bool = True,
               with_deployment: bool = False, nfo_zone: str = "中国标准时间") -> Path:
    """Write the case folder under ``root`` and return it."""
    root.mkdir(parents=True, exist_ok=True)

    def put(rel: str, data: bytes) -> None:
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data)

    if with_setupact:
        put("$WINDOWS.~BT/Sources/Panther/setupact.log", setupact(offset_minutes))
    procs, events = capture()
    if with_pml:
        (root / "Procmon").mkdir(parents=True, exist_ok=True)
        write_pml(root / "Procmon" / "capture.PML", procs, events, computer="SH-FIN-PC0133", build=19042)
    if with_csv:
        (root / "Procmon").mkdir(parents=True, exist_ok=True)
        write_csv(root / "Procmon" / "capture.CSV", procs, events, utc_offset_minutes=offset_minutes,
                  columns=("Time of Day", "Process Name", "PID", "Operation", "Path", "Result", "Detail"))
    if with_wer:
        put("ProgramData/Microsoft/Windows/WER/ReportArchive/AppCrash_SetupHost.exe_5b1e2c3d_0d6f3a2e/Report.wer",
            report_wer(offset_minutes))
    if with_nfo:
        put("系统信息/SYSSUM.NFO", nfo(nfo_zone))
    if with_deployment:
        put("Windows/Panther/setupact.log", deployment_log())
    return root


def crash_utc_us() -> int:
    return int((CRASH_UTC - datetime(1970, 1, 1, tzinfo=timezone.utc)).total_seconds() * 1_000_000)


def msinfo_report() -> bytes:
    """``msinfo32 /report`` of the same machine (UTF-16LE with BOM, tab rows)."""
    text = ("系统信息报告生成时间: 03/12/24 10:50:02\r\n系统名称: SH-FIN-PC0133\r\n[系统摘要]\r\n\r\n项目\t值\t\r\n"
            "操作系统名称\tMicrosoft Windows 10 企业版\t\r\n版本\t10.0.19042 版本 19042\t\r\n系统名称\tSH-FIN-PC0133\t\r\n"
            "时区\t中国标准时间\t\r\n\r\n[正在运行任务]\r\n\r\n名称\t路径\t进程 ID\t版本\t文件日期\t\r\n"
            "xsecagent.exe\tc:\\program files\\xsec\\agent\\xsecagent.exe\t2288\t5.2.0.1130\t2021/5/12 10:02\t\r\n")
    return "\ufeff".encode("utf-16-le") + text.encode("utf-16-le")


def systeminfo(encoding: str = "gbk") -> bytes:
    """``systeminfo > FILE`` of the same machine in a Chinese console (GBK), or as PowerShell saves it."""
    text = ("\r\n主机名:           SH-FIN-PC0133\r\nOS 名称:          Microsoft Windows 10 企业版\r\n"
            "OS 版本:          10.0.19042 暂缺 Build 19042\r\n初始安装日期:     2020/12/17, 14:22:05\r\n"
            "系统区域设置:     zh-cn;中文(中国)\r\n时区:             (UTC+08:00) 北京，重庆，香港特别行政区，乌鲁木齐\r\n"
            "修补程序:         安装了 1 个修补程序。\r\n                  [01]: KB5007401\r\n")
    return text.encode(encoding)
