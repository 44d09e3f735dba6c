"""What kind of file is this? Decided by content first (magic numbers), then by name and folder.

Collectors rename files and customers zip folders at random depths, so binary formats are recognised by
their bytes alone; text formats by a marker in the first 64 KiB and, for the setup logs, by their name.
The folder a setup log sits in says which phase wrote it (:func:`role_of`).
"""

from __future__ import annotations

import re
from posixpath import basename

from workbench.core.parsers.msinfo_text import looks_like_report
from workbench.core.parsers.systeminfo import looks_like_systeminfo
from workbench.core.plugins import hookimpl
from workbench.core.textio import sniff_encoding

HEAD = 64 * 1024

#: Every kind the workbench knows, with a one-line description (the catalogue shows it).
KINDS: dict[str, str] = {
    "setupact": "Windows Setup action log (setupact.log)",
    "setuperr": "Windows Setup error log (setuperr.log)",
    "setupapi": "SetupAPI device-install log",
    "evtx": "Windows event log (EVTX)",
    "pml": "Process Monitor capture (PML)",
    "procmon_csv": "Process Monitor CSV export",
    "procmon_xml": "Process Monitor XML export",
    "kernel_dump": "kernel crash dump (PAGEDU64/PAGEDUMP)",
    "user_dump": "user-mode minidump (MDMP)",
    "msinfo_nfo": "msinfo32 system summary (.NFO)",
    "msinfo_text": "msinfo32 /report text (system summary, drivers, services, tasks)",
    "systeminfo": "systeminfo output saved as text",
    "wer_report": "Windows Error Reporting report (Report.wer)",
    "setupdiag_results": "SetupDiag result (SetupDiagResults.xml)",
    "diag_xml": "Panther diagnostics rowset (diagerr.xml / diagwrn.xml)",
    "compatdata_xml": "Setup compatibility report (CompatData_*.xml)",
    "rollbackinfo_ini": "rollback information (rollbackinfo.ini)",
    "setupplatform_ini": "SetupPlatform settings (SetupPlatform.ini)",
    "windbg_text": "WinDbg / kd output saved as text",
    "pe_image": "driver or program image (.sys/.dll/.exe), matched to crash-dump modules",
    "etl": "ETW trace (.etl)",
    "image": "image (screenshot)",
    "archive": "archive inside the case (zip / 7z)",
    "description": "the customer's or engineer's description of the failure (问题描述.txt, 说明.txt)",
    "text": "other text",
    "unknown": "unrecognised binary",
}

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"ElfFile\x00", "evtx"),
    (b"PML_", "pml"),
    (b"PAGEDU64", "kernel_dump"),
    (b"PAGEDUMP", "kernel_dump"),
    (b"MDMP", "user_dump"),
    (b"PK\x03\x04", "archive"),
    (b"PK\x05\x06", "archive"),
    (b"7z\xbc\xaf\x27\x1c", "archive"),
    (b"\x89PNG\r\n\x1a\n", "image"),
    (b"\xff\xd8\xff", "image"),
    (b"GIF8", "image"),
    (b"BM", "image_bmp?"),
)

_STAMP = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}, (Info|Warning|Error|Fatal Error|Perf)\b", re.M)
_WINDBG = re.compile(
    r"(^\s*\d+: kd> |^\s*\d+:\d+(:\w+)?> |Bugcheck Analysis|BUGCHECK_CODE:|^\s*#?\s*Child-SP\s+RetAddr|"
    r"^\s*ChildEBP RetAddr|^start\s+end\s+module name|^Loading Dump File|FAULTING_IP:|STACK_TEXT:)",
    re.M,
)
#: a Report.wer renamed by a collector: its first keys
_WER_HEAD = re.compile(r"\A\s*Version=\d+\s*[\r\n]+EventType=\S", re.M)
_PROCMON_CSV_HEAD = re.compile(r'^"[^"]+","[^"]+","(PID|Process ID|ИД процесса|Идентификатор процесса)"', re.I)


#: Procmon's CSV column names (the header is English whatever the locale; columns come in display order).
_PROCMON_COLUMNS = frozenset({
    "date & time", "process name", "pid", "operation", "result", "detail", "sequence", "company", "description",
    "command line", "user", "image path", "session", "path", "tid", "relative time", "duration", "time of day",
    "version", "event class", "authentication id", "virtualized", "integrity", "category", "parent pid",
    "architecture", "completion time", "process start"})


def _procmon_csv_header(text: str) -> bool:
    """A quoted CSV header with Operation and at least three more Procmon column names, in any order."""
    first = text.lstrip("\ufeff").split("\n", 1)[0].strip()
    if not first.startswith('"'):
        return False
    names = {c.strip().strip('"').lower() for c in first.split('","')}
    return "operation" in names and len(names & _PROCMON_COLUMNS) >= 4


def _text_of(head: bytes) -> str:
    codec, bom = sniff_encoding(head)
    return head[bom:].decode(codec, "replace").replace("\x00", "")


def identify_kind(name: str, head: bytes) -> str:
    """The kind of a file from its logical path and first bytes; never raises."""
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            if kind == "image_bmp?":
                if len(head) > 14 and int.from_bytes(head[2:6], "little") > 14:
                    return "image"
                break
            return kind
    base = basename(name).lower()
    ext = base.rsplit(".", 1)[-1] if "." in base else ""
    if head[:2] == b"MZ" and ext in ("sys", "dll", "exe"):
        return "pe_image"  # read (never run) to name and unwind crash-dump frames
    if ext == "etl":
        return "etl"
    if ext in ("png", "jpg", "jpeg", "gif", "bmp") and not head:
        return "image"
    # Names are matched as suffixes too: collectors prefix them ("PC01_setupact.log", "Rollback__setupact.log").
    # Setup logs are trusted by name even when their head is damaged: the parser reports the damage.
    # rotated copies keep the name in front: setupact.log.1, setupact.log.old, setuperr.log.bak
    if "setupact" in base and (ext in ("log", "txt") or ".log." in base):
        return "setupact"
    if "setuperr" in base and (ext in ("log", "txt") or ".log." in base):
        return "setuperr"
    if "setupapi" in base and ext in ("log", "txt"):
        return "setupapi"  # a device-install log cut short by a hang ends in binary bytes: trust the name
    text = _text_of(head)
    if not _mostly_text(text):
        return "unknown"
    lower = text[:4096].lower()
    if "setupapi" in base and ext in ("log", "txt") or "[device install log]" in lower:
        return "setupapi"
    if ext == "nfo" or "<msinfo>" in lower:
        return "msinfo_nfo"
    if ext == "wer" or _WER_HEAD.search(text[:2048]):
        return "wer_report"
    if "setupdiagresults" in base or "<setupdiag" in lower:
        return "setupdiag_results"
    if base.endswith(("diagerr.xml", "diagwrn.xml")) or "bdc6e3f0-6da3-11d1-a2a3-00aa00c14882" in lower:
        return "diag_xml"
    if "compatdata" in base and ext == "xml" or "<compatreport" in lower:
        return "compatdata_xml"
    if base.endswith("rollbackinfo.ini"):
        return "rollbackinfo_ini"
    if base.endswith("setupplatform.ini"):
        return "setupplatform_ini"
    if "<procmon>" in lower[:512] or ("<processlist>" in lower and "<eventlist>" in lower):
        return "procmon_xml"
    if ext == "csv" and _PROCMON_CSV_HEAD.match(text) or _procmon_csv_header(text):
        return "procmon_csv"
    if _STAMP.search(text[:8192]):
        return "setupact"  # a renamed setup log (setupact_rollback.txt and the like)
    if _WINDBG.search(text):
        return "windbg_text"
    if looks_like_report(text):
        return "msinfo_text"
    if looks_like_systeminfo(text):
        return "systeminfo"
    return "text"


def _mostly_text(text: str) -> bool:
    if not text:
        return True
    sample = text[:4096]
    bad = sum(1 for c in sample if (ord(c) < 32 and c not in "\r\n\t\f") or c == "\ufffd")
    return bad <= len(sample) // 20


_ROLES: tuple[tuple[str, str], ...] = (
    ("$windows.~bt/sources/rollback", "rollback"),
    ("$windows.~bt/sources/panther/unattendgc", "oobe"),
    ("$windows.~bt/sources/panther", "downlevel"),
    ("$windows.~ws/sources/panther", "downlevel"),
    ("panther/newos", "newos"),
    ("newos/windows/panther", "newos"),
    ("panther/unattendgc", "oobe"),
    ("sysprep/panther", "sysprep"),
    ("windows/panther", "postupgrade"),
    ("windows/inf", "live"),
    ("logs/setupdiag", "setupdiag"),
    ("winevt/logs", "live"),
    ("windows/minidump", "live"),
)


def role_of(path: str) -> str | None:
    """Which phase or place a file belongs to, from the folder names in its path (None when unknown)."""
    low = "/" + path.lower().replace("::", "/")
    for marker, role in _ROLES:
        if "/" + marker + "/" in low or low.endswith("/" + marker):
            return role
    parts = low.rsplit("/", 2)
    if len(parts) == 3 and parts[1] == "windows" and parts[2].startswith("setup"):
        return "preinit"  # C:\Windows\setupact.log
    if "/rollback/" in low:
        return "rollback"
    if "/panther/" in low:
        return "panther"
    return None


@hookimpl(trylast=True)
def workbench_identify(name: str, head: bytes) -> str | None:
    return identify_kind(name, head)
