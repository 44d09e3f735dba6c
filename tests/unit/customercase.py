"""The brief's customer, machine by machine, as the tests of issue 17 build it.

Machine A blue-screens at the second boot with the NDIS filter of an endpoint agent (``lwfmgr.sys``, Fabrikam
Endpoint) on the stack; machine B's SetupHost dies in the down-level phase after a data-protection agent
(DataGuard) injected its DLL. Both run the endpoint agent (its driver and service in msinfo32's NFO); B also
runs DataGuard. Machine C upgraded fine, without the endpoint agent (DataGuard, in a newer version, and the
audio driver every machine has are there). The machines themselves come from the verdict tests' builders
(``tests/unit/test_verdict.py``); this module adds what the comparison reads: each machine's NFO with its
drivers and services, in English or in Chinese (UTF-16, as msinfo32 writes it).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from tests.archives import make_zip
from tests.unit.test_verdict import _log, machine_a_files, machine_b_files

AGENT_DIR = "C:\\Program Files\\Fabrikam\\Endpoint\\"
DLP_DIR = "C:\\Program Files\\DataGuard\\"
DRIVERS = "c:\\windows\\system32\\drivers\\"

#: (name, description, file) of System Drivers rows
AUDIO = ("RTKVHD64", "Realtek High Definition Audio", DRIVERS + "RTKVHD64.sys")
AGENT_DRIVER = ("lwfmgr", "LWF Manager", DRIVERS + "lwfmgr.sys")
#: (display name, name, path) of Services rows
AGENT_SERVICE = ("LWF Manager Service", "LwfMgrSvc", f'"{AGENT_DIR}LwfMgrSvc.exe" -service')
DLP_SERVICE = ("DataGuard User Agent", "vUserHCI", f'"{DLP_DIR}vUserHCI.exe" -svc')
SPOOLER = ("Print Spooler", "Spooler", "C:\\Windows\\System32\\spoolsv.exe")


def nfo(computer: str, os_name: str, version: str, drivers: list[tuple[str, str, str]],
        services: list[tuple[str, str, str]], *, chinese: bool = False, model: str = "OptiPlex 7090") -> bytes:
    """An msinfo32 NFO: the System Summary, then System Drivers and Services with msinfo32's columns."""
    item, value = ("项目", "值") if chinese else ("Item", "Value")
    summary = [("OS Name", os_name), ("Version", version), ("System Name", computer),
               ("System Manufacturer", "Dell Inc."), ("System Model", model), ("Time Zone", "China Standard Time")]
    if chinese:
        names = {"OS Name": "操作系统名称", "Version": "版本", "System Name": "系统名称",
                 "System Manufacturer": "系统制造商", "System Model": "系统型号", "Time Zone": "时区"}
        summary = [(names[k], v) for k, v in summary]

    def row(cells: list[str]) -> str:
        tags = [item, value] + [f"Col{n}" for n in range(3, len(cells) + 1)]
        return "<Data>" + "".join(f"<{t}><![CDATA[{c}]]></{t}>" for t, c in zip(tags, cells, strict=True)) + "</Data>"

    driver_rows = [row([n, d, f, "Kernel Driver", "Yes", "Boot", "Running", "OK", "Normal", "No", "Yes"])
                   for n, d, f in drivers]
    service_rows = [row([d, n, "Running", "Auto", "Own Process", p, "Normal", "LocalSystem", "0"])
                    for d, n, p in services]
    cat_sw, cat_drv, cat_svc = ("软件环境", "系统驱动程序", "服务") if chinese else (
        "Software Environment", "System Drivers", "Services")
    xml = ('<?xml version="1.0"?>\n<MsInfo>\n<Metadata><Version>8.0</Version></Metadata>\n'
           f'<Category name="{"系统摘要" if chinese else "System Summary"}">\n'
           + "\n".join(row([k, v]) for k, v in summary) + "\n"
           f'<Category name="{cat_sw}">\n'
           f'<Category name="{cat_drv}">\n' + "\n".join(driver_rows) + "\n</Category>\n"
           f'<Category name="{cat_svc}">\n' + "\n".join(service_rows) + "\n</Category>\n"
           "</Category>\n</Category>\n</MsInfo>\n")
    return b"\xff\xfe" + xml.replace("\n", "\r\n").encode("utf-16-le")


def machine_a(folder: Path, name: str = "A.zip") -> Path:
    """A: 0xC1900101-0x40017, the bug check at the second boot in lwfmgr.sys (Fabrikam Endpoint Ltd.)."""
    files = machine_a_files(company="Fabrikam Endpoint Ltd.")
    files["SYSSUM.NFO"] = nfo("PC-0042", "Microsoft Windows 10 Pro", "10.0.19045 Build 19045",
                              [AUDIO, AGENT_DRIVER], [SPOOLER, AGENT_SERVICE])
    return make_zip(folder / name, files)


def machine_b(folder: Path, name: str = "B.zip", *, chinese: bool = False) -> Path:
    """B: SetupHost dies in the down-level phase after DataGuard's Hook64.dll loaded; the agent is there too."""
    files = machine_b_files(folder)
    files["SYSSUM.NFO"] = nfo("PC-B", "Microsoft Windows 10 Enterprise LTSC", "10.0.17763 Build 17763",
                              [AUDIO, AGENT_DRIVER], [SPOOLER, AGENT_SERVICE, DLP_SERVICE], chinese=chinese,
                              model="OptiPlex 5080")
    return make_zip(folder / name, files)


def machine_c(folder: Path, name: str = "C.zip") -> Path:
    """C: the upgrade went through; no endpoint agent; DataGuard in a newer version, the same audio driver."""
    log = _log(datetime(2024, 7, 1, 11, 0, 0), [
        (0, "Info", "MOUPG", "SetupHost::Initialize: CmdLine                = [/PostOOBE]"),
        (1, "Info", "MOUPG", "SetupHost: PostOOBE completed"),
    ])
    files = {"Windows/Panther/setupact.log": log,
             "SYSSUM.NFO": nfo("PC-C", "Microsoft Windows 11 Pro", "10.0.22631 Build 22631", [AUDIO],
                               [SPOOLER, DLP_SERVICE])}
    return make_zip(folder / name, files)


def machine_b_later(folder: Path, name: str = "B-second.zip") -> Path:
    """B's second upload, after DataGuard was updated: now it fails like A (the bug check at the second boot,
    lwfmgr.sys), collected later; the same computer and model."""
    start = datetime(2024, 4, 2, 9, 0, 0)
    files = machine_a_files(company="Fabrikam Endpoint Ltd.")
    files["$WINDOWS.~BT/Sources/Rollback/setupact.log"] = _log(start, [
        (0, "Info", "SP", "Initiating rollback/uninstall, phase = 0"),
        (1, "Info", "SP", "Crash 0x0000007E detected"),
        (401, "Info", "MOUPG", "SetupHost: Reporting post reboot event -> [0xC1900101, 0x40017]"),
    ])
    files["SYSSUM.NFO"] = nfo("PC-B", "Microsoft Windows 10 Enterprise LTSC", "10.0.17763 Build 17763",
                              [AUDIO, AGENT_DRIVER], [SPOOLER, AGENT_SERVICE, DLP_SERVICE], model="OptiPlex 5080")
    return make_zip(folder / name, files)


def later(day: datetime, seconds: float) -> datetime:
    return day + timedelta(seconds=seconds)
