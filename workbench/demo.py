"""The bundled demo case: a failed Windows 10 → 11 upgrade, written by the project itself (no customer data).

It retells the case of BRIEF.md: the upgrade reaches the second boot, the new OS blue-screens while loading
boot drivers (``0x7E`` in ``ndis`` called from the third-party NDIS filter ``lwfmgr.sys``), Setup rolls back
and reports ``0xC1900101 - 0x40017``. The archive is laid out the way a log collector gathers it, with a
Chinese (GBK, no UTF-8 flag) file name, as customers' zips have. Every line follows the real formats
(reference/setupdiag.md §3) so each parser and signature meets what it meets in the field.
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from datetime import datetime, timedelta, timezone
from pathlib import Path

from workbench.core.case import workbench_home
from workbench.writers.evtx import Event, evtx_bytes, os_binary
from workbench.writers.procmon import Ev, Proc, ft, pml_bytes

DEMO_VERSION = 2
COMPUTER = "DEMO-PC01"
USER = "zhangwei"

_LEVEL = {"I": "Info", "W": "Warning", "E": "Error"}


def _line(t: datetime, level: str, component: str, message: str, msg_id: str | None = None) -> str:
    """One fixed-column setupact line: time, level (11), [0xNNNNNN] or 11 spaces, component (7), message."""
    ident = f"[{msg_id}] " if msg_id else " " * 11
    return f"{t:%Y-%m-%d %H:%M:%S}, {_LEVEL[level]:<11}{ident}{component:<7}{message}"


def _log(start: datetime, entries: list[tuple[float, str, str, str]]) -> str:
    """Lines from (seconds after start, level, component, message); a message may hold continuation lines."""
    out = []
    for offset, level, component, message in entries:
        first, *rest = message.split("\n")
        out.append(_line(start + timedelta(seconds=offset), level, component, first))
        out.extend(rest)
    return "\r\n".join(out) + "\r\n"


T0 = datetime(2026, 11, 2, 14, 3, 11)  # local time, China Standard Time (UTC+8)

DOWNLEVEL = [
    (0, "I", "MOUPG", "*************** SetupHost Logging Begin ***************"),
    (0, "I", "MOUPG", "SetupHost::Initialize: CmdLine                = [/Install /Media /InstallFile \"D:\\Sources\\Install.wim\" /auto upgrade /DynamicUpdate Disable]"),
    (0, "I", "MOUPG", "SetupHost::Initialize: LoggingPath            = [C:\\$WINDOWS.~BT\\Sources\\Panther]"),
    (0, "I", "MOUPG", "SetupHost: Setup build version is: 10.0.22631.2861 (ni_release_svc_prod3.231204-1234)"),
    (1, "I", "CONX", "Host OS version: 10.0.19045.0  (0.0) Platform 0x2, SuiteMask 0x100, ProdType 0x1"),
    (1, "I", "MOUPG", "    Host OS Edition         [ Professional ]"),
    (1, "I", "MOUPG", "    Host OS Version         [ 10.0.19045 ]"),
    (1, "I", "MOUPG", "    Host OS Build String    [ 19041.1.amd64fre.vb_release.191206-1406 ]"),
    (2, "I", "SP", "CSetupPlatform::Initialize: Setup log starts:"),
    (2, "I", "SP", "Host system information:\n                                   VM: NO\n                                   Firmware type: UEFI\n                                   Manufacturer: Contoso Computers\n                                   Model : OfficeBook 840 G7"),
    (3, "I", "MOUPG", "Setup phase change: [SetupPhaseUnknown] -> [SetupPhaseDownlevel]"),
    (3, "I", "SP", "OPERATIONTRACK ExecuteOperations: Start execution phase Downlevel"),
    (40, "I", "MIG", "Gather started for user C:\\Users\\" + USER),
    (95, "W", "MIG", "Failed to gather object C:\\Users\\" + USER + "\\AppData\\Local\\Temp\\~tmp01.dat: sharing violation"),
    (180, "I", "SP", "Operation completed successfully: Apply WIM"),
    (240, "I", "SP", "OPERATIONTRACK ExecuteOperations: Start execution phase Finalize"),
    (300, "I", "MOUPG", "Setup phase change: [SetupPhaseDownlevel] -> [SetupPhaseFinalize]"),
    (310, "I", "MOUPG", "SetupHost: Reboot required; rebooting into Safe OS"),
    (311, "I", "MOUPG", "*************** SetupHost Logging End ***************"),
]

ROLLBACK_START = T0 + timedelta(minutes=47)
ROLLBACK = [
    (0, "I", "SP", "Initiating rollback/uninstall, phase = 0"),
    (0, "I", "SP", "Current phase string : OOBEBoot,Start"),
    (0, "I", "SP", "Current op string    : 23,Start"),
    (0, "I", "SP", "Current result string: NULL"),
    (0, "I", "SP", "Current bugcheck string: 0x0000007E"),
    (0, "I", "SP", "Current phase : 4"),
    (0, "I", "SP", "Current op    : 23"),
    (0, "I", "SP", "Current result: Unknown"),
    (1, "I", "SP", "Analyzing system in C:\\WINDOWS"),
    (1, "I", "", "CheckCrashInfo: 1 page files found: "),
    (2, "I", "SP", "Crash 0x0000007E detected"),
    (2, "I", "SP", "Bugcheck parameter 1: 0xFFFFFFFFC0000005"),
    (2, "I", "SP", "Bugcheck parameter 2: 0xFFFFF8064A2B1C47"),
    (2, "I", "SP", "Bugcheck parameter 3: 0xFFFF8A0C1F2E6F38"),
    (2, "I", "SP", "Bugcheck parameter 4: 0xFFFF8A0C1F2E6770"),
    (2, "I", "SP", "Setup memory dump saved to C:\\$WINDOWS.~BT\\Sources\\Rollback\\setupmem.dmp"),
    (3, "I", "SP", "Rollback: Showing splash window with restoring text: Undoing changes made to your computer..."),
    (4, "I", "IBSLIB", "ExecuteRollbackSequence: Checkpoint(SetupPlatformOnlineApplyCheckpoint) rollback in progress."),
    (5, "E", "SP", "Driver package lwfmgr.inf failed to reinstall in rollback. Error: 0x800F0247"),
    (62, "I", "IBSLIB", "ExecuteRollbackSequence: Checkpoint(SetupPlatformOnlineApplyCheckpoint) rollback finished."),
    (63, "I", "IBSLIB", "ExecuteRollbackSequence: Checkpoint(SetupPlatformOSSwitchCheckpoint) rollback in progress."),
    (121, "I", "IBSLIB", "ExecuteRollbackSequence: Checkpoint(SetupPlatformOSSwitchCheckpoint) rollback finished."),
    (122, "I", "SP", "CSetupPlatformRollback::Execute: ExecuteRollback succeeded"),
    (122, "I", "SP", "Rollback completed successfully."),
    (410, "I", "MOUPG", "*************** SetupHost Logging Begin ***************"),
    (410, "I", "MOUPG", "SetupHost::Initialize: CmdLine                = [/RollbackSys /Media]"),
    (410, "I", "MOUPG", "SetupHost: Setup build version is: 10.0.22631.2861 (ni_release_svc_prod3.231204-1234)"),
    (411, "I", "CONX", "Host OS version: 10.0.19045.0  (0.0) Platform 0x2, SuiteMask 0x100, ProdType 0x1"),
    (411, "I", "MOUPG", "SetupManager: RollbackCount = [1]"),
    (411, "I", "MOUPG", "System Rollback Mode Detected"),
    (412, "I", "MOUPG", "SetupHost: Reporting post reboot event -> [0xC1900101, 0x40017]"),
    (412, "I", "MOUPG", "CSetupDiagnostics: Tracing Data [DWORD] -> [Setup360Result]=[0xC1900101] [778c0ebb-d9ec-401b-92e0-2e06ac7576a2][00000000-0000-0000-0000-000000000000][][0x1]"),
    (412, "I", "MOUPG", "CSetupDiagnostics: Tracing Data [DWORD] -> [Setup360Extended]=[0x40017] [778c0ebb-d9ec-401b-92e0-2e06ac7576a2][00000000-0000-0000-0000-000000000000][][0x1]"),
    (413, "I", "DIAGER", "Consent Value = HKCU\\Software\\Microsoft\\Windows\\Windows Error Reporting\\Consent!WinSetupDiag02 has been set to 4"),
    (414, "I", "MOUPG", "*************** SetupHost Logging End ***************"),
]

ROLLBACK_ERR = [e for e in ROLLBACK if e[1] == "E"]


def _setupapi() -> str:
    """A rollback setupapi.dev.log: one driver install that ends, and lwfmgr's that never does."""
    t = ROLLBACK_START + timedelta(seconds=4)
    stamp = lambda s: (t + timedelta(seconds=s)).strftime("%Y/%m/%d %H:%M:%S.") + "123"  # noqa: E731
    lines = [
        "[Device Install Log]",
        "     OS Version = 10.0.19045",
        "     Service Pack = 0.0",
        "     Suite = 0x0100",
        "     ProductType = 1",
        "     Architecture = amd64",
        "",
        "[BeginLog]",
        "",
        f"[Boot Session: {stamp(-60)}]",
        "",
        ">>>  [Device Install (Hardware initiated) - PCI\\VEN_8086&DEV_15BE&SUBSYS_86D8103C&REV_00\\3&11583659&0&FE]",
        f">>>  Section start {stamp(0)}",
        "     ump: Creating Install Process: DrvInst.exe 14:03:15.100",
        "     ndv: Retrieving device info...",
        "     ndv: Setting device parameters...",
        "     dvi: Selected driver installs from section [E15BE.10.0.1] in 'c:\\windows\\system32\\driverstore\\filerepository\\e1d68x64.inf_amd64_0c1a2b3d\\e1d68x64.inf'.",
        "     dvi: Device install status: 0x00000000",
        f"<<<  Section end {stamp(3)}",
        "<<<  [Exit status: SUCCESS]",
        "",
        "",
        ">>>  [Device Install (DiInstallDriver) - C:\\WINDOWS\\System32\\DriverStore\\FileRepository\\lwfmgr.inf_amd64_5f7e21c0\\lwfmgr.inf]",
        f">>>  Section start {stamp(5)}",
        "      cpy:     Published 'lwfmgr.inf_amd64_5f7e21c0\\lwfmgr.inf' to 'oem42.inf'.",
        "      ndv: Installing NDIS lightweight filter service 'lwfmgr'...",
        "!!!  ndv: Failed to start service 'lwfmgr'. Error = 0x0000041D",
        "      ndv: Waiting for previous device install to complete...",
    ]
    return "\r\n".join(lines) + "\r\n"


WINDBG_KV = r"""Microsoft (R) Windows Debugger Version 10.0.25921.1001 AMD64
Loading Dump File [C:\cases\demo\setupmem.dmp]
Mini Kernel Dump File: Only registers and stack trace are available

BugCheck 7E, {ffffffffc0000005, fffff8064a2b1c47, ffff8a0c1f2e6f38, ffff8a0c1f2e6770}

Probably caused by : lwfmgr.sys ( lwfmgr+5167 )

0: kd> kv
 # Child-SP          RetAddr               : Args to Child                                                           : Call Site
00 ffff8a0c`1f2e6158 fffff806`47c1a2f5     : 00000000`0000007e ffffffff`c0000005 fffff806`4a2b1c47 ffff8a0c`1f2e6f38 : nt!KeBugCheckEx
01 ffff8a0c`1f2e6160 fffff806`47b9d1a4     : fffff806`47a00000 00000000`00000000 ffff8a0c`1f2e6250 fffff806`47b2c6d0 : nt!PspUnhandledExceptionInSystemThread+0x27
02 ffff8a0c`1f2e61a0 fffff806`47c0c3b2     : 00000000`00000000 ffff8a0c`1f2e6770 ffff8a0c`1f2e6250 00000000`00000000 : nt!PspSystemThreadStartup$filt$0+0x44
03 ffff8a0c`1f2e61e0 fffff806`47bfb82f     : ffff8a0c`1f2e6770 00000000`00000000 ffff8a0c`1f2e6f38 fffff806`47a00000 : nt!_C_specific_handler+0x9f
04 ffff8a0c`1f2e6250 fffff806`47a21e37     : ffff8a0c`1f2e6f38 00000000`00000000 ffff8a0c`1f2e6770 00000000`00000000 : nt!RtlpExecuteHandlerForException+0xf
05 ffff8a0c`1f2e6280 fffff806`47a4e456     : ffff8a0c`1f2e6f38 ffff8a0c`1f2e6770 ffff8a0c`1f2e6f38 00000000`00000000 : nt!RtlDispatchException+0x297
06 ffff8a0c`1f2e69a0 fffff806`47c1d42e     : 00000000`00000000 00000000`00000000 00000000`00000000 00000000`00000000 : nt!KiDispatchException+0x186
07 ffff8a0c`1f2e7060 fffff806`47c19a2e     : ffffc107`5e1a0000 00000000`00000000 00000000`00000000 00000000`00000000 : nt!KiExceptionDispatch+0x12e
08 ffff8a0c`1f2e7240 fffff806`4a2b1c47     : 00000000`00000000 ffffc107`5e1a0000 00000000`00000000 00000000`00000000 : nt!KiPageFault+0x42e (TrapFrame @ ffff8a0c`1f2e7240)
09 ffff8a0c`1f2e73d0 fffff806`4c9e5167     : 00000000`00000000 ffffc107`5e1a0000 00000000`00000000 00000000`00000000 : ndis!NdisFDeregisterFilterDriver+0x47
0a ffff8a0c`1f2e7400 fffff806`4c9eb49a     : ffffc107`5e1a0000 00000000`00000000 ffffc107`5e19f000 00000000`00000000 : lwfmgr+0x5167
0b ffff8a0c`1f2e7450 fffff806`47f3a86d     : ffffc107`5e19f000 00000000`00000000 ffffc107`5d8c1e30 00000000`00000000 : lwfmgr+0xb49a
0c ffff8a0c`1f2e7480 fffff806`47f3b3a4     : ffffc107`5d8c1e30 00000000`00000000 00000000`00000000 00000000`00000000 : nt!IopLoadDriver+0x4bd
0d ffff8a0c`1f2e7650 fffff806`47f3c0b6     : 00000000`00000000 00000000`00000000 00000000`00000000 00000000`00000000 : nt!IopInitializeSystemDrivers+0x134
0e ffff8a0c`1f2e76e0 fffff806`47f1e4a2     : 00000000`00000000 00000000`00000000 00000000`00000000 00000000`00000000 : nt!IoInitSystem+0x12
0f ffff8a0c`1f2e7710 fffff806`47b1a9d5     : 00000000`00000000 00000000`00000000 00000000`00000000 00000000`00000000 : nt!Phase1InitializationDiscard+0xde2
10 ffff8a0c`1f2e7900 fffff806`47c13d8c     : 00000000`00000000 00000000`00000000 00000000`00000000 00000000`00000000 : nt!PspSystemThreadStartup+0x55
11 ffff8a0c`1f2e7950 00000000`00000000     : ffff8a0c`1f2e8000 ffff8a0c`1f2e1000 00000000`00000000 00000000`00000000 : nt!KiStartSystemThread+0x1c
0: kd> .exr ffff8a0c1f2e6f38
ExceptionAddress: fffff8064a2b1c47 (ndis!NdisFDeregisterFilterDriver+0x0000000000000047)
   ExceptionCode: c0000005 (Access violation)
  ExceptionFlags: 00000000
NumberParameters: 2
   Parameter[0]: 0000000000000000
   Parameter[1]: 0000000000000158
Attempt to read from address 0000000000000158
0: kd> .cxr ffff8a0c1f2e6770
rax=0000000000000000 rbx=0000000000000000 rcx=ffffc1075e1a0000
rdx=0000000000000000 rsi=ffffc1075e1a0000 rdi=ffffc1075e19f000
rip=fffff8064a2b1c47 rsp=ffff8a0c1f2e73d0 rbp=ffff8a0c1f2e7450
 r8=0000000000000000  r9=0000000000000000 r10=fffff8064a2b1c00
r11=ffff8a0c1f2e7400 r12=0000000000000000 r13=ffffc1075d8c1e30
r14=ffffc1075e1a0000 r15=0000000000000001
iopl=0         nv up ei pl zr na po nc
cs=0010  ss=0018  ds=002b  es=002b  fs=0053  gs=002b             efl=00010246
ndis!NdisFDeregisterFilterDriver+0x47:
fffff806`4a2b1c47 488b8b58010000  mov     rcx,qword ptr [rbx+158h] ds:002b:00000000`00000158=????????
"""


# ------------------------------------------------------------------------------------------ event logs

CHINA = timezone(timedelta(hours=8))
_SCM = "Service Control Manager"
_KERNEL_GENERAL = "Microsoft-Windows-Kernel-General"
LAB_19045 = "19041.1.amd64fre.vb_release.191206-1406"


def _at(local: datetime) -> datetime:
    """A moment on the demo's wall clock (China Standard Time) as the UTC an event log stores."""
    return local.replace(tzinfo=CHINA).astimezone(timezone.utc)


def _boot(local: datetime, build: str) -> list[Event]:
    """What a boot writes first: the event log service starts, the OS says its build."""
    qual = {"computer": COMPUTER, "qualifiers": 32768}
    return [
        Event(_KERNEL_GENERAL, 12, _at(local - timedelta(seconds=14)), computer=COMPUTER, data={
            "MajorVersion": 10, "MinorVersion": 0, "BuildVersion": int(build), "QfeVersion": 1, "ServiceVersion": 0,
            "BootMode": 0, "StartTime": "2026-11-02T00:00:00.000000Z"}),
        Event("EventLog", 6009, _at(local), data=["10.00.", build, "", "Multiprocessor Free", "0"], **qual),
        Event("EventLog", 6005, _at(local), data=[], **qual),
    ]


def _services(local: datetime, names: list[str], state: str) -> list[Event]:
    return [Event(_SCM, 7036, _at(local + timedelta(seconds=n * 3)), computer=COMPUTER, qualifiers=16384,
                  data={"param1": name, "param2": state, "Binary": None}) for n, name in enumerate(names)]


def _before_upgrade() -> list[Event]:
    """The down-level OS's System log up to Setup's first reboot: it is in both copies of the log."""
    day_before = datetime(2026, 11, 1, 12, 0, 0)
    morning = datetime(2026, 11, 2, 8, 58, 40)
    zone = "-480 China Standard Time"
    return [
        Event("EventLog", 6013, _at(day_before), computer=COMPUTER, qualifiers=32768,
              data=["", "", "", "", "271204", "60", zone], binary=os_binary("Windows 10 Pro", "19045", LAB_19045)),
        *_boot(morning, "19045"),
        *_services(morning + timedelta(seconds=20), ["Windows Update", "Background Intelligent Transfer Service",
                                                       "Windows Modules Installer"], "running"),
        Event("EventLog", 6013, _at(datetime(2026, 11, 2, 12, 0, 0)), computer=COMPUTER, qualifiers=32768,
              data=["", "", "", "", "10880", "60", zone], binary=os_binary("Windows 10 Pro", "19045", LAB_19045)),
        Event(_SCM, 7040, _at(T0 + timedelta(seconds=50)), computer=COMPUTER, qualifiers=16384, data={
            "param1": "Background Intelligent Transfer Service", "param2": "auto start", "param3": "demand start",
            "param4": "BITS"}),
        Event("User32", 1074, _at(T0 + timedelta(seconds=309)), computer=COMPUTER, qualifiers=32768, data={
            "param1": f"C:\\$WINDOWS.~BT\\Sources\\SetupHost.exe ({COMPUTER})", "param2": COMPUTER,
            "param3": "Operating System: Upgrade (Planned)", "param4": "0x80020003", "param5": "restart",
            "param6": "", "param7": "NT AUTHORITY\\SYSTEM"}),
        Event("EventLog", 6006, _at(T0 + timedelta(seconds=316)), computer=COMPUTER, qualifiers=32768, data=[]),
    ]


def _new_os_boot() -> list[Event]:
    """What the new OS (22631) wrote on its second boot before the blue screen; Setup saved this copy of the
    log to ``Rollback\\evtlogs`` when it rolled back."""
    boot = ROLLBACK_START - timedelta(seconds=72)
    return [*_boot(boot, "22631"),
            Event(_SCM, 7045, _at(boot + timedelta(seconds=9)), computer=COMPUTER, qualifiers=16384, data={
                "ServiceName": "LWF Manager", "ImagePath": "\\SystemRoot\\System32\\drivers\\lwfmgr.sys",
                "ServiceType": "kernel mode driver", "StartType": "boot start", "AccountName": ""})]


def _after_rollback() -> list[Event]:
    """The down-level OS booting again after the rollback: the crash seen from the other side."""
    back = ROLLBACK_START + timedelta(seconds=407)
    crash = ROLLBACK_START - timedelta(seconds=69)
    params = ("0xffffffffc0000005", "0xfffff8064a2b1c47", "0xffff8a0c1f2e6f38", "0xffff8a0c1f2e6770")
    return [
        *_boot(back, "19045"),
        Event("EventLog", 6008, _at(back + timedelta(seconds=1)), level=2, computer=COMPUTER, qualifiers=32768,
              data=[f"{crash:%H:%M:%S}", f"{crash:%Y/%m/%d}", "", "", "41872", "", "", "", ""]),
        Event("Microsoft-Windows-Kernel-Power", 41, _at(back + timedelta(seconds=2)), level=1, computer=COMPUTER,
              data={"BugcheckCode": 126, **{f"BugcheckParameter{n + 1}": v for n, v in enumerate(params)},
                    "SleepInProgress": 0, "PowerButtonTimestamp": 0, "BootAppStatus": 0, "Checkpoint": 0,
                    "ConnectedStandbyInProgress": False, "SystemSleepTransitionsToOn": 0, "CsEntryScenarioInstanceId": 0,
                    "BugcheckInfoFromEFI": False, "CheckpointStatus": 0}),
        Event(_SCM, 7026, _at(back + timedelta(seconds=6)), level=2, computer=COMPUTER, qualifiers=49152,
              data={"param1": "\nlwfmgr"}),
        Event("Microsoft-Windows-WER-SystemErrorReporting", 1001, _at(back + timedelta(seconds=31)), level=2,
              computer=COMPUTER, qualifiers=16384, data={
                  "param1": f"0x0000007e ({', '.join(params)})",
                  "param2": "C:\\$WINDOWS.~BT\\Sources\\Rollback\\setupmem.dmp", "param3": "110226-41872-01"}),
        *_services(back + timedelta(seconds=35), ["Windows Update", "Windows Modules Installer"], "running"),
    ]


def _application() -> list[Event]:
    """Setup's own report to Windows Error Reporting once it is back on the old OS (WinSetupDiag02)."""
    when = _at(ROLLBACK_START + timedelta(seconds=413))
    params = ["1", "5", "9", "1", "c1900101", "40017", "19045", "vb_release", "22631", "ni_release"]
    return [
        Event("Microsoft-Windows-Security-SPP", 16384, when - timedelta(seconds=20), channel="Application",
              computer=COMPUTER, qualifiers=16384, data=["2126-10-09T06:57:41Z", "RulesEngine"]),
        Event("Windows Error Reporting", 1001, when, channel="Application", computer=COMPUTER, data=[
            "0", "5", "WinSetupDiag02", "Not available", "0", *params, "", "",
            "C:\\ProgramData\\Microsoft\\Windows\\WER\\ReportArchive\\NonCritical_1_c1900101_3a1b", "",
            "b6f1c0de-2d7a-4c51-9d2e-5a0c6f3e7b21", "268435456", "", "0"]),
    ]


def demo_event_logs(root: str) -> dict[str, bytes]:
    """The demo's event logs: the new OS's System log Setup saved in ``Rollback\\evtlogs`` (it holds the
    down-level records too, which the ingest reads once), and the old OS's System and Application logs."""
    before = _before_upgrade()
    rollback_copy = before + _new_os_boot()
    current = before + _after_rollback()
    return {
        f"{root}/$WINDOWS.~BT/Sources/Rollback/evtlogs/System.evtx": evtx_bytes(rollback_copy),
        f"{root}/Windows/System32/winevt/Logs/System.evtx": evtx_bytes(current),
        f"{root}/Windows/System32/winevt/Logs/Application.evtx": evtx_bytes(_application()),
    }


# ------------------------------------------------------------------------------------------ Procmon

VENDOR = "Contoso Networks Inc."
LWF_DIR = "C:\\Program Files\\Contoso Networks\\LWF Manager\\"


def demo_procmon() -> bytes:
    """The Procmon capture the engineer asked for while the down-level phase ran (Logfile.PML).

    It shows what the setup logs only hint at: LWF Manager's service (the vendor of lwfmgr.sys) loads its hook
    DLL into SetupHost.exe, reads Setup's working folder, and holds the file migration then fails to gather
    (the ``sharing violation`` of the down-level setupact.log); dismhost and mighost come and go normally.
    """
    ms = "Microsoft Corporation"
    bt = "C:\\$WINDOWS.~BT\\Sources\\"
    temp = f"C:\\Users\\{USER}\\AppData\\Local\\Temp\\~tmp01.dat"

    def at(seconds: float) -> int:
        return ft(_at(T0 + timedelta(seconds=seconds)))

    user = f"CORP\\{USER}"
    procs = [
        Proc(1, 4, 0, "System", "System", company="", start=at(-3600)),
        Proc(2, 4312, 4280, "explorer.exe", "C:\\Windows\\explorer.exe", "C:\\Windows\\Explorer.EXE", user=user,
             integrity="Medium", start=at(-3600)),
        Proc(3, 2968, 812, "LwfMgrSvc.exe", LWF_DIR + "LwfMgrSvc.exe", f'"{LWF_DIR}LwfMgrSvc.exe" -service',
             company=VENDOR, description="LWF Manager Service", version="4.2.1.7", start=at(-3600)),
        Proc(4, 6120, 4312, "setup.exe", "D:\\setup.exe", '"D:\\setup.exe" /auto upgrade /DynamicUpdate Disable',
             user=user, integrity="High", parent_index=2, start=at(-6), end=at(-1)),
        Proc(5, 6288, 6120, "SetupPrep.exe", bt + "SetupPrep.exe", bt + "SetupPrep.exe /auto upgrade", user=user,
             integrity="High", parent_index=4, start=at(-5), end=at(-1)),
        Proc(6, 6404, 6288, "SetupHost.exe", bt + "SetupHost.exe",
             bt + 'SetupHost.exe /Install /Media /InstallFile "D:\\Sources\\Install.wim" /auto upgrade',
             user=user, integrity="High", parent_index=5, start=at(-2),
             modules=[(0x7FF700000000, 0x90000, bt + "SetupHost.exe", ms),
                      (0x7FFB20000000, 0x28000, LWF_DIR + "lwfhook64.dll", VENDOR)]),
        Proc(7, 7016, 6404, "dismhost.exe", "C:\\$WINDOWS.~BT\\Work\\5B2E\\dismhost.exe", "dismhost.exe {5B2E}",
             parent_index=6, start=at(12), end=at(170)),
        Proc(8, 7124, 6404, "mighost.exe", bt + "mighost.exe", bt + "mighost.exe {M}", parent_index=6,
             start=at(38), end=at(104)),
    ]
    e = Ev
    events = [
        e(2, at(-6), 1, 1, path="D:\\setup.exe", pid=6120, cmd='"D:\\setup.exe" /auto upgrade', tid=4400),
        e(4, at(-6) + 5, 1, 7, ppid=4312, cmd='"D:\\setup.exe" /auto upgrade', tid=6124),
        e(4, at(-5), 1, 1, path=bt + "SetupPrep.exe", pid=6288, cmd=bt + "SetupPrep.exe /auto upgrade", tid=6124),
        e(5, at(-5) + 5, 1, 7, ppid=6120, cmd=bt + "SetupPrep.exe /auto upgrade", tid=6292),
        e(5, at(-2), 1, 1, path=bt + "SetupHost.exe", pid=6404, cmd=bt + "SetupHost.exe /Install", tid=6292),
        e(6, at(-2) + 5, 1, 7, ppid=6288, cmd=bt + "SetupHost.exe /Install", tid=6408),
        e(6, at(-2) + 9, 1, 5, path=bt + "SetupHost.exe", tid=6408),
        e(4, at(-1), 1, 2, status=0, tid=6124),
        e(5, at(-1) + 3, 1, 2, status=0, tid=6292),
        e(6, at(0.5), 1, 5, path=LWF_DIR + "lwfhook64.dll", tid=6408),  # injected by the vendor's service
        e(6, at(1), 3, 0x14, path=bt + "Panther\\setupact.log", tid=6408),
        e(6, at(1.5), 2, 0, path="HKLM\\SYSTEM\\Setup\\MoSetup\\Volatile", tid=6408),
        e(3, at(4), 2, 0, path="HKLM\\SYSTEM\\Setup\\MoSetup\\Volatile", tid=2972),
        e(3, at(6), 3, 0x14, path=bt + "Panther\\setupact.log", result=0xC0000043, tid=2972),
        e(6, at(12), 1, 1, path="C:\\$WINDOWS.~BT\\Work\\5B2E\\dismhost.exe", pid=7016, cmd="dismhost.exe {5B2E}",
          tid=6408),
        e(7, at(12) + 5, 1, 7, ppid=6404, cmd="dismhost.exe {5B2E}", tid=7020),
        e(3, at(20), 3, 0x14, path="C:\\$WINDOWS.~BT\\DUDownload\\lwfmgr.inf", tid=2972),
        e(3, at(21), 5, 5, tid=2976),  # the agent phones home while Setup runs
        e(6, at(38), 1, 1, path=bt + "mighost.exe", pid=7124, cmd=bt + "mighost.exe {M}", tid=6408),
        e(8, at(38) + 5, 1, 7, ppid=6404, cmd=bt + "mighost.exe {M}", tid=7128),
        e(3, at(90), 3, 0x14, path=temp, tid=2972),  # the agent opens the user's temp file and keeps it
        e(8, at(95), 3, 0x14, path=temp, result=0xC0000043, tid=7128),  # migration cannot gather it
        e(8, at(104), 1, 2, status=0, tid=7128),
        e(3, at(140), 3, 0x14, path="C:\\Windows\\System32\\drivers\\lwfmgr.sys", tid=2972),
        e(7, at(150), 3, 0x14, path="C:\\Windows\\System32\\drivers\\lwfmgr.sys", result=0xC0000022,
          tid=7020),
        e(7, at(170), 1, 2, status=0, tid=7020),
        e(6, at(240), 3, 0x14, path=bt + "Panther\\setupact.log", tid=6408),
    ]
    return pml_bytes(procs, events, computer=COMPUTER, build=19045)


def _nfo() -> bytes:
    """msinfo32 /nfo output (UTF-16 XML) as a Chinese Windows writes it."""
    items = [
        ("操作系统名称", "Microsoft Windows 10 专业版"),
        ("版本", "10.0.19045 版本 19045"),
        ("系统名称", COMPUTER),
        ("系统制造商", "Contoso Computers"),
        ("系统型号", "OfficeBook 840 G7"),
        ("BIOS 版本/日期", "Contoso S70 Ver. 01.17.00, 2025/06/12"),
        ("时区", "中国标准时间"),
        ("用户名", f"CORP\\{USER}"),
    ]
    rows = "\n".join(f"<Data>\n<Item><![CDATA[{k}]]></Item>\n<Value><![CDATA[{v}]]></Value>\n</Data>" for k, v in items)
    xml = (f'<?xml version="1.0" encoding="UTF-16"?>\n<MsInfo>\n<Metadata>\n<Version>8.0</Version>\n'
           f'<CreationUTC>11/02/26 07:30:12</CreationUTC>\n</Metadata>\n<Category name="系统摘要">\n{rows}\n'
           f'</Category>\n</MsInfo>\n')
    return b"\xff\xfe" + xml.encode("utf-16-le")


def _png(width: int = 64, height: int = 40) -> bytes:
    """A small PNG standing in for the user's screenshot of the error dialog (blue, with a white bar)."""
    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

    raw = b""
    for y in range(height):
        row = b"\xff\xff\xff" if 16 <= y < 22 else b"\x00\x67\xb8"
        raw += b"\x00" + row * width
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def demo_files() -> dict[str, bytes]:
    """The demo case's files by archive path (the layout a log collector produces)."""
    bom = b"\xef\xbb\xbf"
    root = f"{COMPUTER}_logs"
    post = ROLLBACK_START + timedelta(seconds=500)
    return {
        f"{root}/$WINDOWS.~BT/Sources/Panther/setupact.log": bom + _log(T0, DOWNLEVEL).encode("utf-8"),
        f"{root}/$WINDOWS.~BT/Sources/Panther/setuperr.log": bom + _log(T0, [e for e in DOWNLEVEL if e[1] != "I"]).encode("utf-8"),
        f"{root}/$WINDOWS.~BT/Sources/Rollback/setupact.log": bom + _log(ROLLBACK_START, ROLLBACK).encode("utf-8"),
        f"{root}/$WINDOWS.~BT/Sources/Rollback/setuperr.log": bom + _log(ROLLBACK_START, ROLLBACK_ERR).encode("utf-8"),
        f"{root}/$WINDOWS.~BT/Sources/Rollback/setupapi/setupapi.dev.log": _setupapi().encode("cp1252"),
        f"{root}/Windows/Panther/setupact.log": bom + _log(post, [
            (0, "I", "MOUPG", "*************** SetupHost Logging Begin ***************"),
            (0, "I", "MOUPG", "SetupHost::Initialize: CmdLine                = [/PostRollback]"),
            (1, "I", "MOUPG", "SetupHost: Rollback cleanup completed"),
        ]).encode("utf-8"),
        **demo_event_logs(root),
        f"{root}/procmon/Logfile.PML": demo_procmon(),
        f"{root}/msinfo/SYSSUM.NFO": _nfo(),
        f"{root}/windbg/setupmem_kv.txt": WINDBG_KV.replace("\n", "\r\n").encode("ascii"),
        f"{root}/截图/升级失败.png": _png(),
        f"{root}/说明.txt": "客户反馈：升级到 Windows 11 时第二次重启蓝屏后回滚，错误代码 0xC1900101 - 0x40017。\r\n"
                           "已卸载第三方安全软件后重试，问题依旧。\r\n".encode("gbk"),
    }


class _GbkZipInfo(zipfile.ZipInfo):
    """A member name stored as GBK bytes without the UTF-8 flag, as Windows' zip writer does on Chinese PCs."""

    def _encodeFilenameFlags(self) -> tuple[bytes, int]:  # noqa: N802 (zipfile's name)
        return self.filename.encode("gbk"), self.flag_bits & ~0x800


def write_demo_case(target: Path) -> Path:
    """Write the demo zip to ``target``: names without the UTF-8 flag, encoded GBK, like Chinese Windows does."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".tmp")
    fixed = (2026, 11, 2, 15, 0, 0)  # a fixed stamp keeps the archive (and so its case id) stable
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in demo_files().items():
            info = _GbkZipInfo(name, date_time=fixed)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, data)
    tmp.replace(target)
    return target


def demo_case_path() -> Path:
    """The demo archive in the workbench data folder, written on first use (and when the demo changes)."""
    target = workbench_home() / "demo" / f"demo-case-v{DEMO_VERSION}.zip"
    if not target.exists():
        write_demo_case(target)
    return target
