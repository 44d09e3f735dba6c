"""Seed inputs for fuzzing every parser: files the tests write themselves, plus real fixtures when present.

Generated seeds keep the fuzz suite meaningful on a machine without ``../shared/fixtures`` (CI on a clean
clone); real fixtures, when present, add the shapes only real Windows writes. Seeds are kept small (a fuzz
input is parsed many times), so text fixtures are cut to their first ``text_cap`` bytes and binary fixtures
above ``binary_cap`` are left out rather than cut (a cut binary is a mutation, not a seed).
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Target:
    """One parser to fuzz: the kind the pipeline hands it, the file name it arrives under, and seeds."""

    kind: str
    filename: str
    seeds: list[bytes] = field(default_factory=list)


# ------------------------------------------------------------------------------------ generated seeds

DIAG_XML = (b'<?xml version="1.0"?>\r\n<xml xmlns:s="uuid:BDC6E3F0-6DA3-11d1-A2A3-00AA00C14882" '
            b'xmlns:z="#RowsetSchema"><s:Schema id="RowsetSchema"/><rs:data xmlns:rs="urn:schemas-microsoft-com:rowset">'
            b'<z:row Msg="Error SP Operation failed: Add drivers. Error: 0x80070002" DT="2021-06-09T12:08:20" '
            b'Mod="SP" Lvl="Error"/><z:row Msg="Info MOUPG SetupHost: phase 4" DT="2021-06-09T12:08:21"/>'
            b'</rs:data></xml>\r\n')

SETUPDIAG = b"""<?xml version="1.0" encoding="utf-8"?>
<SetupDiag xmlns="https://docs.microsoft.com/windows/deployment/upgrade/setupdiag">
  <Version>1.6.0.42</Version><ProfileName>FindRollbackFailure</ProfileName>
  <ProfileGuid>3A43C9B5-05B3-4F7C-A955-88F991BB5A48</ProfileGuid>
  <SystemInfo><MachineName>PC-01</MachineName><HostOSVersion>10.0.19045</HostOSVersion></SystemInfo>
  <FailureData><string>Error: 0xC1900101 - 0x40017</string></FailureData>
  <FailureDetails>RollbackErrorCode = 0xC1900101, ExtendedCode = 0x40017, LastOperation = Apply drivers, LastPhase = Post First Boot</FailureDetails>
</SetupDiag>
"""

COMPAT = b"""<?xml version="1.0" encoding="UTF-8"?>
<CompatReport xmlns="http://www.microsoft.com/ApplicationExperience/UpgradeAdvisor/01012009"><Devices/>
<Programs><Program Name="Old Antivirus" Id="a"><CompatibilityInfo BlockingType="Hard" Message="Uninstall it"/>
<Action Name="UninstallProgram" ResolveState="NotRun"/></Program></Programs>
<DriverPackages><DriverPackage Inf="oem12.inf" BlockMigration="True" HasSignedBinaries="False"/></DriverPackages>
</CompatReport>
"""

ROLLBACK_INI = (b"[RollbackInfo]\r\nCurrentPhase=FirstBoot,Start\r\nCurrentOp=76\r\nCurrentResult=0xC1900101\r\n"
                b"SourceOSVersion=10.0.19045\r\nTargetOSVersion=10.0.22631\r\n")


def procmon_xml() -> bytes:
    """A small Procmon XML export: two processes and a handful of events, the layout Procmon writes."""
    procs = "".join(
        f"<process><ProcessIndex>{i}</ProcessIndex><ProcessId>{pid}</ProcessId><ParentProcessId>4</ParentProcessId>"
        f"<ParentProcessIndex>0</ParentProcessIndex><CreateTime>134174522555902176</CreateTime>"
        f"<FinishTime>0</FinishTime><Is64bit>1</Is64bit><ProcessName>{name}</ProcessName>"
        f"<ImagePath>C:\\$WINDOWS.~BT\\Sources\\{name}</ImagePath><CommandLine>{name} /x</CommandLine>"
        f"<CompanyName>Microsoft Corporation</CompanyName><modulelist><module><Timestamp>134174522581974364"
        f"</Timestamp><BaseAddress>0x7ff644bf0000</BaseAddress><Size>2232320</Size><Path>C:\\x\\{name}</Path>"
        f"</module></modulelist></process>"
        for i, pid, name in ((1, 7000, "SetupHost.exe"), (2, 7100, "dismhost.exe")))
    ops = ("Process Start", "CreateFile", "RegOpenKey", "Load Image", "Process Exit")
    events = "".join(
        f"<event><ProcessIndex>{1 + n % 2}</ProcessIndex><Time_of_Day>19:04:{n:02d},3955378</Time_of_Day>"
        f"<Process_Name>SetupHost.exe</Process_Name><PID>7000</PID><Operation>{ops[n % 5]}</Operation>"
        f"<Path>C:\\$WINDOWS.~BT\\Sources\\f{n}.dll</Path><Result>{'ACCESS DENIED' if n % 3 else 'SUCCESS'}"
        f"</Result><Detail>Parent PID: 4, Command line: x, Exit Status: -1073741819</Detail></event>"
        for n in range(12))
    return ('\ufeff<?xml version="1.0" encoding="UTF-8"?>\r\n<procmon><processlist>' + procs
            + "</processlist><eventlist>" + events + "</eventlist></procmon>\r\n").encode("utf-8")


def minidump() -> bytes:
    """A user-mode minidump (MDMP) with SystemInfo, Exception and ModuleList streams and one module name."""
    name = "app.exe".encode("utf-16-le")
    streams: list[tuple[int, bytes]] = []
    sysinfo = struct.pack("<HHHBBIIIII", 9, 6, 0x5507, 8, 1, 10, 0, 19045, 2, 0) + bytes(56 - 24)
    streams.append((7, sysinfo))
    exc = struct.pack("<II", 1234, 0) + struct.pack("<IIQQII", 0xC0000005, 0, 0, 0x7FF600001234, 2, 0) \
        + bytes(15 * 8) + struct.pack("<II", 0, 0)
    streams.append((6, exc))
    header_size = 32
    dir_size = 12 * 3
    body = bytearray()
    base = header_size + dir_size
    rvas = []
    for _, data in streams:
        rvas.append(base + len(body))
        body += data
    name_rva = base + len(body)
    body += struct.pack("<I", len(name)) + name + b"\0\0"
    module = struct.pack("<QIIII", 0x7FF600000000, 0x20000, 0, 0x5F000000, name_rva) + bytes(108 - 24)
    modlist = struct.pack("<I", 1) + module
    rvas.append(base + len(body))
    body += modlist
    streams.append((4, modlist))
    directory = b"".join(struct.pack("<III", kind, len(data), rva) for (kind, data), rva in zip(streams, rvas, strict=True))
    header = struct.pack("<IIIIIIQ", 0x504D444D, 0xA793, len(streams), header_size, 0, 0x60000000, 0)
    return header + directory + bytes(body)


def evtx_skeleton() -> bytes:
    """An EVTX file header and one empty chunk: enough for the parser's header paths when no fixture exists."""
    header = bytearray(4096)
    struct.pack_into("<8sQQQIHHH", header, 0, b"ElfFile\0", 0, 0, 1, 128, 1, 3, 4096)
    struct.pack_into("<I", header, 124, zlib.crc32(bytes(header[:120])) & 0xFFFFFFFF)
    chunk = bytearray(65536)
    struct.pack_into("<8sQQQQIII", chunk, 0, b"ElfChnk\0", 1, 1, 1, 1, 128, 512, 512)
    return bytes(header + chunk)


def _generated() -> dict[str, list[bytes]]:
    from tests.archives import setupact_bytes
    from tests.unit.clockcase import msinfo_report, nfo, report_wer, systeminfo
    from tests.unit.dumpgen import build_physical_dump, lwfmgr_case, x86_case
    from tests.unit.procmon_scenario import upgrade_scenario
    from workbench.demo import WINDBG_KV, demo_files
    from workbench.writers.procmon import write_csv, write_pml

    demo = demo_files()

    def pick(suffix: str) -> list[bytes]:
        return [data for name, data in demo.items() if name.endswith(suffix)]

    import tempfile

    procs, events = upgrade_scenario()
    pmls, csvs = [], []
    with tempfile.TemporaryDirectory(prefix="wb-fuzz-seed-") as tmp:
        for bits in (True, False):
            pmls.append(write_pml(Path(tmp) / "a.PML", procs, events, is_64bit=bits).read_bytes())
        for locale in ("en", "it", "ru"):
            csvs.append(write_csv(Path(tmp) / "a.CSV", procs, events, locale=locale).read_bytes())
    return {
        "setupact": [setupact_bytes(), *pick("setupact.log")],
        "setuperr": [setupact_bytes(), *pick("setuperr.log")],
        "setupapi": pick("setupapi.dev.log"),
        "msinfo_nfo": [*pick(".NFO"), nfo()],
        "msinfo_text": [msinfo_report()],
        "systeminfo": [systeminfo("gbk"), systeminfo("utf-16")],
        "wer_report": [report_wer()],
        "diag_xml": [DIAG_XML],
        "setupdiag_results": [SETUPDIAG, b"\xff\xfe" + SETUPDIAG.decode().encode("utf-16-le")],
        "compatdata_xml": [COMPAT],
        "rollbackinfo_ini": [ROLLBACK_INI],
        "evtx": [evtx_skeleton()],
        "pml": pmls,
        "procmon_csv": csvs,
        "procmon_xml": [procmon_xml()],
        "kernel_dump": [lwfmgr_case(), x86_case(), build_physical_dump()],
        "user_dump": [minidump()],
        "windbg_text": [WINDBG_KV.replace("\n", "\r\n").encode("ascii")],
    }


TARGETS: dict[str, str] = {
    "setupact": "setupact.log",
    "setuperr": "setuperr.log",
    "setupapi": "setupapi.dev.log",
    "msinfo_nfo": "SYSSUM.NFO",
    "msinfo_text": "msinfo32_report.txt",
    "systeminfo": "systeminfo.txt",
    "wer_report": "Report.wer",
    "diag_xml": "diagerr.xml",
    "setupdiag_results": "SetupDiagResults.xml",
    "compatdata_xml": "CompatData_2022_07_06.xml",
    "rollbackinfo_ini": "rollbackinfo.ini",
    "evtx": "System.evtx",
    "pml": "Logfile.PML",
    "procmon_csv": "Logfile.CSV",
    "procmon_xml": "Logfile.XML",
    "kernel_dump": "MEMORY.DMP",
    "user_dump": "app.dmp",
    "windbg_text": "windbg_kv.txt",
}

#: fixture globs per kind (relative to ../shared/fixtures); text kinds are cut, binary kinds are size-capped
_FIXTURES: dict[str, tuple[str, bool]] = {
    "setupact": ("setup/*setupact*.log", True),
    "setuperr": ("setup/*setuperr*.log", True),
    "setupapi": ("setup/*setupapi*", True),
    "diag_xml": ("setup/*diag*.xml", False),
    "msinfo_nfo": ("sysinfo/*.NFO", True),
    "msinfo_text": ("sysinfo/*msinfo32_report.txt", True),
    "systeminfo": ("sysinfo/*systeminfo*.txt", True),
    "wer_report": ("wer/*/Report.wer", True),
    "evtx": ("evtx/**/*.evtx", False),
    "pml": ("procmon/**/*", False),
    "procmon_csv": ("procmon/**/*CSV", True),
    "procmon_xml": ("procmon/**/*.XML", True),
    "kernel_dump": ("dumps/bin/kernel_*.dmp", False),
    "user_dump": ("dumps/bin/user_*.dmp", False),
    "windbg_text": ("dumps/text/*.txt", True),
}


#: parsers that seek to what they need instead of reading everything: bigger samples cost them little
_SPARSE_READERS = frozenset({"kernel_dump", "user_dump"})


def _fixture_seeds(shared: Path, kind: str, text_cap: int, binary_cap: int) -> list[bytes]:
    if kind not in _FIXTURES:
        return []
    pattern, is_text = _FIXTURES[kind]
    out = []
    if kind in _SPARSE_READERS:
        binary_cap = max(binary_cap, 2 * 1024 * 1024)
    for path in sorted(shared.glob(pattern)):
        if not path.is_file() or path.name.endswith((".json", ".md")):
            continue
        if kind == "pml" and not path.name.upper().endswith("PML"):
            continue  # Procmon names vary in case (.PML, .pml) and procmon-parser's have no dot at all
        size = path.stat().st_size
        if is_text:
            with open(path, "rb") as fh:
                data = fh.read(text_cap)
            if path.name.startswith("Compressed"):
                continue  # zlib-packed fixtures of procmon-parser are binary; their text is not the point
            out.append(data)
        elif size <= binary_cap * 4:
            data = path.read_bytes()
            if path.name.startswith("Compressed"):
                try:
                    data = zlib.decompress(data)
                except zlib.error:
                    continue
            if len(data) <= binary_cap:
                out.append(data)
    return out


def build_targets(shared: Path | None, *, text_cap: int = 64 * 1024, binary_cap: int = 256 * 1024,
                  kinds: Callable[[str], bool] = lambda _k: True) -> list[Target]:
    """Every fuzz target with its seeds: generated ones always, fixtures from ``shared`` when given."""
    generated = _generated()
    targets = []
    for kind, filename in TARGETS.items():
        if not kinds(kind):
            continue
        seeds = list(generated.get(kind, []))
        if shared is not None:
            seeds += _fixture_seeds(shared, kind, text_cap, binary_cap)
        seeds = [s for s in seeds if s]
        targets.append(Target(kind, filename, seeds))
    return targets
