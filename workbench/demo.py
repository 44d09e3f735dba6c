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
from datetime import datetime, timedelta
from pathlib import Path

from workbench.core.case import workbench_home

DEMO_VERSION = 1
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
"""


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
