"""Realistically shaped cases the tests build themselves (not the demo): the shapes the field produces.

* :func:`chinese_nested_case` — a customer's zip with GBK names (no UTF-8 flag) holding the Panther logs, a
  Chinese description in GBK and one in UTF-16, msinfo32, and a zip of the rollback folder inside it with
  the ``setupmem.dmp`` of a second-boot blue screen (``0x7E``, lwfmgr.sys) and setupapi.
* :func:`downlevel_procmon_case` — a down-level failure (SetupHost died: MigHost "Parent process unexpectedly
  exited") with a Procmon capture of Setup and a third-party agent hooking SetupHost, in a folder.
* :func:`large_log_case` — one big generated ``setupact.log`` (a few MB by default: fast enough for CI; the
  bench builds bigger ones) ending in a reported failure.
* :func:`multi_file_case` — several logs, two copies of one event log and a capture: what a resumed ingest
  must read exactly as an uninterrupted one.
"""

from __future__ import annotations

import zipfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

from workbench import demo
from workbench.writers.procmon import write_pml

BOM = b"\xef\xbb\xbf"
#: The description a customer writes, in GBK (what Notepad on a Chinese Windows saves as "ANSI").
DESCRIPTION_ZH = ("客户反馈：升级到 Windows 11 时第二次重启蓝屏，然后回滚到 Windows 10。\r\n"
                  "错误代码 0xC1900101 - 0x40017。已卸载杀毒软件，问题依旧。\r\n")
#: A second note saved as "Unicode" (UTF-16 LE with BOM) by Notepad.
NOTE_UTF16 = "现场工程师备注：网卡驱动 lwfmgr 版本 3.2.1，客户拒绝卸载终端管理软件。\r\n"


class _GbkInfo(zipfile.ZipInfo):
    def _encodeFilenameFlags(self) -> tuple[bytes, int]:  # noqa: N802 (zipfile's name)
        return self.filename.encode("gbk"), self.flag_bits & ~0x800


def _zip(path: Path, files: dict[str, bytes], gbk: bool = True) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            info = _GbkInfo(name, date_time=(2026, 11, 3, 9, 0, 0)) if gbk else \
                zipfile.ZipInfo(name, date_time=(2026, 11, 3, 9, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, data)
    return path


def _crash_us() -> int:
    """The demo's second-boot crash: two seconds into the rollback log (China Standard Time, UTC+8)."""
    local = demo.ROLLBACK_START + timedelta(seconds=2) - timedelta(hours=8)
    return int(local.replace(tzinfo=timezone.utc).timestamp() * 1_000_000)


def chinese_nested_case(folder: Path) -> Path:
    """``客户日志_升级失败.zip``: GBK names, a nested ``回滚日志.zip`` holding the rollback folder and its dump."""
    from tests.unit.dumpgen import lwfmgr_case

    files = demo.demo_files()
    root = f"{demo.COMPUTER}_logs"
    rollback = f"{root}/$WINDOWS.~BT/Sources/Rollback/"
    inner = {name[len(rollback):]: data for name, data in files.items() if name.startswith(rollback)}
    inner["setupmem.dmp"] = lwfmgr_case(_crash_us())
    inner_zip = _zip(folder / "_inner" / "回滚日志.zip", {f"Rollback/{k}": v for k, v in inner.items()})
    outer = {
        "日志/Panther/setupact.log": files[f"{root}/$WINDOWS.~BT/Sources/Panther/setupact.log"],
        "日志/Panther/setuperr.log": files[f"{root}/$WINDOWS.~BT/Sources/Panther/setuperr.log"],
        "日志/回滚日志.zip": inner_zip.read_bytes(),
        "日志/msinfo/SYSSUM.NFO": files[f"{root}/msinfo/SYSSUM.NFO"],
        "说明.txt": DESCRIPTION_ZH.encode("gbk"),
        "工程师备注.txt": b"\xff\xfe" + NOTE_UTF16.encode("utf-16-le"),
    }
    inner_zip.unlink()
    inner_zip.parent.rmdir()
    return _zip(folder / "客户日志_升级失败.zip", outer)


def _downlevel_log(start: datetime) -> bytes:
    entries = [
        (0, "I", "MOUPG", "*************** SetupHost Logging Begin ***************"),
        (0, "I", "MOUPG", "SetupHost::Initialize: CmdLine                = [/Install /Media /auto upgrade]"),
        (0, "I", "MOUPG", "SetupHost: Setup build version is: 10.0.22631.2861 (ni_release_svc_prod3.231204-1234)"),
        (1, "I", "CONX", "Host OS version: 10.0.19045.0  (0.0) Platform 0x2, SuiteMask 0x100, ProdType 0x1"),
        (2, "I", "MOUPG", "Setup phase change: [SetupPhaseUnknown] -> [SetupPhaseDownlevel]"),
        (5, "I", "MIG", "Gather started for user C:\\Users\\zhangwei"),
        (9, "W", "MIG", "Failed to gather object C:\\Users\\zhangwei\\ntuser.dat: sharing violation"),
    ]
    text = demo._log(start, entries) + demo._line(
        start + timedelta(seconds=20), "W", "MIG", "MigHost: CMigPluginSurrogate::WaitForHostTermination: Parent "
        "process unexpectedly exited. Terminating host.", "0x08094f") + "\r\n" + demo._line(
        start + timedelta(seconds=21), "I", "DIAGER", "Watson Error Report submitted") + "\r\n"
    return BOM + text.encode("utf-8")


def downlevel_procmon_case(folder: Path) -> Path:
    """A folder: Panther logs of a down-level failure and a Procmon capture of the same minutes."""
    from tests.unit.procmon_scenario import T0, upgrade_scenario

    case = folder / "downlevel_升级失败"
    panther = case / "$WINDOWS.~BT" / "Sources" / "Panther"
    panther.mkdir(parents=True)
    start = T0.replace(tzinfo=None)  # no zone in the case: the wall clock is shown as UTC, like the capture
    (panther / "setupact.log").write_bytes(_downlevel_log(start))
    procs, events = upgrade_scenario()
    (case / "procmon").mkdir(parents=True)
    write_pml(case / "procmon" / "Logfile.PML", procs, events)
    return case


def write_large_setupact(path: Path, megabytes: float = 4.0) -> Path:
    """A long Panther ``setupact.log`` (about ``megabytes``): the down-level phase's chatter, a warning every
    97 lines, an error every 997, and at the end the reported failure."""
    start = datetime(2026, 11, 2, 6, 0, 0)
    components = ("MOUPG", "SP", "MIG", "CONX", "CSI", "DISM")
    target = int(megabytes * 1024 * 1024)
    out = [BOM]
    size = 3
    n = 0
    while size < target:
        t = start + timedelta(milliseconds=250 * n)
        level = "Error" if n % 997 == 996 else "Warning" if n % 97 == 96 else "Info"
        line = (f"{t:%Y-%m-%d %H:%M:%S}, {level:<11}{'':11}{components[n % 6]:<7}"
                f"Operation {n}: gather object C:\\Users\\zhangwei\\AppData\\Local\\Item{n % 4093}.dat\r\n")
        data = line.encode("utf-8")
        out.append(data)
        size += len(data)
        n += 1
    end = start + timedelta(milliseconds=250 * n)
    for offset, text in ((1, "SetupHost: Reporting post reboot event -> [0xC1900101, 0x20017]"),
                         (2, "*************** SetupHost Logging End ***************")):
        out.append(f"{end + timedelta(seconds=offset):%Y-%m-%d %H:%M:%S}, {'Info':<11}{'':11}{'MOUPG':<7}"
                   f"{text}\r\n".encode())
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"".join(out))
    return path


def large_log_case(folder: Path, megabytes: float = 4.0) -> Path:
    """A folder with one big ``setupact.log`` and its small ``setuperr.log``."""
    case = folder / "large_case"
    panther = case / "$WINDOWS.~BT" / "Sources" / "Panther"
    write_large_setupact(panther / "setupact.log", megabytes)
    (panther / "setuperr.log").write_bytes(BOM + b"2026-11-02 06:00:02, Error                 SP     "
                                           b"Operation failed: Add drivers. Error: 0x80070002\r\n")
    return case


def multi_file_case(folder: Path, lines: int = 4000) -> Path:
    """Logs in several folders, the demo's event logs with one copied twice (its records are read once), a
    Procmon capture and a dump: a resumed ingest must give exactly these rows."""
    from tests.unit.procmon_scenario import upgrade_scenario

    case = folder / "multi"
    for n in range(4):
        write_large_setupact(case / f"m{n}" / "Panther" / "setupact.log", megabytes=lines * 110 / 2**20)
    for name, data in demo.demo_event_logs("logs").items():
        path = case / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    copy = case / "z_copy" / "System.evtx"  # read last: its records were read from the first copy
    copy.parent.mkdir(parents=True)
    copy.write_bytes((case / "logs" / "Windows" / "System32" / "winevt" / "Logs" / "System.evtx").read_bytes())
    procs, events = upgrade_scenario()
    (case / "procmon").mkdir(parents=True)
    write_pml(case / "procmon" / "Logfile.PML", procs, events)
    return case
