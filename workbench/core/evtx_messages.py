"""Readable one-line messages and facts for the event-log records that matter in an upgrade case.

An ``.evtx`` file holds a template and its substitution values, never the message text: Windows renders that
from message DLLs on the machine that views the log, so a foreign log shows "The description for Event ID ...
cannot be found" (reference/evtx.md §1.5). We write our own short templates for the (provider, event ID)
pairs an upgrade engineer reads, from the EventData fields, and show every other event as its fields.

Everything here works on plain dicts, so tests and signatures can build records by hand::

    {"provider": "Service Control Manager", "event_id": 7031, "channel": "System",
     "computer": "PC01", "level": 2, "data": {"param1": "Sync Host", "param2": "1", ...}}

``data`` is the flattened EventData/UserData (see :func:`flatten_data`): named fields by name, unnamed
``<Data>`` values as a list under ``"Data"``, and ``"Binary"`` as a hex string.

Facts (:func:`record_facts`) carry moderate weights: an event log says what happened on the machine, but
msinfo32 (weight 10) and the setup logs know the machine's configuration and the setup result better.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

#: Weights of the facts read from event logs (msinfo32's NFO uses 10; higher wins).
WEIGHT_TIME_ZONE = 5
WEIGHT_OS = 3
WEIGHT_COMPUTER = 2
WEIGHT_WER_SETUP = 6

Record = dict[str, Any]
Fact = tuple[str, str | None, str, int]  # (name, value, evidence text, weight)

# ------------------------------------------------------------------------------------------ shape helpers


def flatten_data(raw: Any) -> dict[str, Any]:
    """EventData/UserData as evtx-rs gives it in JSON, reduced to ``{field: value}``.

    Unnamed ``<Data>`` elements come as ``{"Data": {"#text": [...]}}`` (a single one as a string); UserData
    wraps its fields in one provider-named element (``{"EventXML": {"#attributes": ..., "param1": ...}}``).
    """
    if not raw:
        return {}
    if not isinstance(raw, dict):
        return {"Data": raw}
    out: dict[str, Any] = {}
    for key, value in raw.items():
        if key == "#attributes":
            continue
        if isinstance(value, dict):
            if "#text" in value:
                value = value["#text"]
            elif len(raw) == 1:  # UserData: one wrapper element around the fields
                return {k: v for k, v in value.items() if k != "#attributes"}
        out[key] = value
    return out


def unnamed(data: dict[str, Any]) -> list[str]:
    """The unnamed ``<Data>`` values as a list of strings ('' for missing)."""
    values = data.get("Data")
    if values is None:
        return []
    if isinstance(values, list):
        return ["" if v is None else str(v) for v in values]
    return [str(values)]


def _at(values: list[str], index: int) -> str:
    return values[index] if index < len(values) else ""


def hex_code(value: Any) -> str | None:
    """``0xC1900101`` from the ways WER and EventData write a 32-bit code.

    With ``0x`` or a hex letter it is hex; a bare 8-digit number is hex too (WER prints ``8024001f`` and
    ``00000000``); other bare numbers are decimal (an int field, or a negative int32).
    """
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return f"0x{value & 0xFFFFFFFF:08X}" if value < 0 or value > 0xFFFF else f"0x{value:X}"
    text = str(value).strip()
    try:
        if text.lower().startswith("0x"):
            number = int(text, 16)
        elif re.fullmatch(r"[0-9a-fA-F]{8}", text) or re.search(r"[a-fA-F]", text):
            number = int(text, 16)
        else:
            number = int(text)
    except ValueError:
        return None
    number &= 0xFFFFFFFF
    return f"0x{number:08X}" if number > 0xFFFFF else f"0x{number:X}"


def hex8(value: Any) -> str | None:
    """A bugcheck or NTSTATUS code always as 8 hex digits (``0x0000007E``), the way WinDbg prints it."""
    code = hex_code(value)
    return f"0x{int(code, 16):08X}" if code else None


def _clean(text: Any) -> str:
    """One line: control characters and Unicode direction marks (6008 writes them around dates) removed."""
    s = text if type(text) is str else ("" if text is None else str(text))
    if s.isprintable() and "  " not in s:  # the common case, checked in C: nothing to clean
        return s.strip()
    return " ".join(s.replace("\u200e", "").replace("\u200f", "").split())


def compact_fields(data: dict[str, Any], limit: int = 300) -> str:
    """Every field as ``name=value``, ``Binary`` left out: the message of events we have no template for.

    Most records of a log take this path, so it is built in one pass and cleaned (line breaks, direction
    marks) only when the joined text needs it.
    """
    parts: list[str] = []
    for key, value in data.items():
        if value is None or value == "" or key == "Binary":
            continue
        if type(value) is list:
            value = ", ".join([str(v) for v in value if v is not None and v != ""])
            if not value:
                continue
            parts.append(value if key == "Data" else f"{key}={value}")
        else:
            parts.append(f"{key}={value}")
    text = "; ".join(parts)
    if not text.isprintable() or "  " in text:
        text = _clean(text)
    return text if len(text) <= limit else text[: limit - 3] + "..."


# ------------------------------------------------------------------------------------------ decoders

#: Win32 errors that SCM writes as ``%%NNNN`` insertion strings, with the text Windows shows for them.
WIN32_ERRORS: dict[int, str] = {
    2: "The system cannot find the file specified",
    3: "The system cannot find the path specified",
    5: "Access is denied",
    21: "The device is not ready",
    31: "A device attached to the system is not functioning",
    50: "The request is not supported",
    87: "The parameter is incorrect",
    126: "The specified module could not be found",
    193: "is not a valid Win32 application",
    577: "Windows cannot verify the digital signature for this file",
    1053: "The service did not respond to the start or control request in a timely fashion",
    1058: "The service cannot be started, either because it is disabled or because it has no enabled devices",
    1067: "The process terminated unexpectedly",
    1068: "The dependency service or group failed to start",
    1069: "The service did not start due to a logon failure",
    1075: "The dependency service does not exist or has been marked for deletion",
    1275: "This driver has been blocked from loading",
    1455: "The paging file is too small for this operation to complete",
}


def win32_error(value: Any) -> str:
    """``%%1053`` -> ``error 1053 (The service did not respond ...)``; other text is returned cleaned."""
    text = _clean(value)
    if not text.startswith("%%"):
        return text
    m = re.fullmatch(r"%%(\d+)", text)
    if not m:
        return text
    code = int(m.group(1))
    known = WIN32_ERRORS.get(code)
    return f"error {code} ({known})" if known else f"error {code}"


PHASES = {1: "DOWNLEVEL", 2: "SAFE_OS", 3: "FIRST_BOOT", 4: "OOBE_BOOT", 5: "UNINSTALL"}
OPERATIONS = {
    0x0: "UNKNOWN", 0x1: "COPY_PAYLOAD", 0x2: "DOWNLOAD_UPDATES", 0x3: "INSTALL_UPDATES",
    0x4: "INSTALL_RECOVERY_ENVIRONMENT", 0x5: "INSTALL_RECOVERY_IMAGE", 0x6: "REPLICATE_OC",
    0x7: "INSTALL_DRIVERS", 0x8: "PREPARE_SAFE_OS", 0x9: "PREPARE_ROLLBACK", 0xA: "PREPARE_FIRST_BOOT",
    0xB: "PREPARE_OOBE_BOOT", 0xC: "APPLY_IMAGE", 0xD: "MIGRATE_DATA", 0xE: "SET_PRODUCT_KEY",
    0xF: "ADD_UNATTEND", 0x10: "ADD_DRIVER", 0x11: "ENABLE_FEATURE", 0x12: "DISABLE_FEATURE",
    0x13: "REGISTER_ASYNC_PROCESS", 0x14: "REGISTER_SYNC_PROCESS", 0x15: "CREATE_FILE",
    0x16: "CREATE_REGISTRY", 0x17: "BOOT", 0x18: "SYSPREP", 0x19: "OOBE", 0x1A: "BEGIN_FIRST_BOOT",
    0x1B: "END_FIRST_BOOT", 0x1C: "BEGIN_OOBE_BOOT", 0x1D: "END_OOBE_BOOT", 0x1E: "PRE_OOBE",
    0x1F: "POST_OOBE", 0x20: "ADD_PROVISIONING_PACKAGE",
}


def split_extend_code(extend: str | None) -> tuple[str | None, str | None]:
    """(phase, operation) names of an extend code (``0x40017`` -> OOBE_BOOT, BOOT), after setupdiag.md §2.2."""
    if not extend:
        return None, None
    try:
        value = int(extend, 16)
    except ValueError:
        return None, None
    phase = PHASES.get((value >> 16) & 0xFFFF)
    if phase is None:
        return None, None  # not a phase/operation code (MOUPG layer codes do not follow the table)
    return phase, OPERATIONS.get(value & 0xFF)


WER_SCENARIOS = {"1": "Media", "5": "WindowsUpdate", "7": "Media Creation Tool"}
WER_MODES = {"1": "Downlevel", "5": "Rollback"}
WER_ARCH = {"0": "x86", "9": "AMD64", "5": "ARM", "12": "ARM64"}
WER_RESULTS = {"0": "Success", "1": "Failure", "2": "Cancel", "3": "Blocked"}


def _setup_hex(value: str) -> str | None:
    """P5/P6 of WinSetupDiag02: Setup hands WER its result and extend codes as hex with or without ``0x``
    (``c1900101``, ``40017``); a bare ``40017`` is the extend code 0x40017 (phase 4), never decimal."""
    text = _clean(value)
    if not text:
        return None
    if not text.lower().startswith("0x") and re.fullmatch(r"[0-9a-fA-F]{1,8}", text):
        text = "0x" + text
    return hex_code(text)


def decode_win_setup_diag(params: list[str]) -> dict[str, str | None]:
    """WER WinSetupDiag02 parameters P1–P10 (setupdiag.md §2.5): scenario, mode, arch, result, codes, builds."""
    p = params + [""] * (10 - len(params))
    result_code = _setup_hex(p[4])
    extend_code = _setup_hex(p[5])
    return {
        "scenario": WER_SCENARIOS.get(p[0], p[0] or None),
        "mode": WER_MODES.get(p[1], p[1] or None),
        "arch": WER_ARCH.get(p[2], p[2] or None),
        "result": WER_RESULTS.get(p[3], p[3] or None),
        "result_code": result_code,
        "extend_code": extend_code,
        "source_build": p[6] or None,
        "source_branch": p[7] or None,
        "target_build": p[8] or None,
        "target_branch": p[9] or None,
    }


def decode_utf16_hex(hex_text: Any) -> list[str]:
    """A ``Binary`` hex string holding NUL-separated UTF-16LE strings (event 6013), as its strings."""
    if not isinstance(hex_text, str) or not hex_text:
        return []
    try:
        raw = bytes.fromhex(hex_text)
    except ValueError:
        return []
    text = raw[: len(raw) // 2 * 2].decode("utf-16-le", "replace")
    return [s for s in text.split("\x00")]


def time_zone_of_6013(values: list[str]) -> tuple[int | None, str | None]:
    """(bias minutes, Windows zone name) from 6013's last value, ``'480 Pacific Standard Time'``."""
    last = _clean(values[-1]) if values else ""
    m = re.fullmatch(r"(-?\d+)\s+(.+)", last)
    if not m:
        return None, None
    return int(m.group(1)), m.group(2).strip()


def os_of_6013(binary: Any) -> dict[str, str] | None:
    """OS name, version, build and build lab from 6013's Binary: ``['1.1','0','Windows 10 Pro', ...]``."""
    parts = decode_utf16_hex(binary)
    if len(parts) < 6 or not parts[2]:
        return None
    version = _clean(parts[3])  # '10.0.17134 Build 17134'
    m = re.search(r"Build\s+(\d+)", version) or re.search(r"\d+\.\d+\.(\d+)", version)
    return {"name": _clean(parts[2]), "version": version, "build": m.group(1) if m else "",
            "lab": _clean(parts[5])}


def _bias_text(bias: int) -> str:
    offset = -bias
    sign = "+" if offset >= 0 else "-"
    offset = abs(offset)
    return f"UTC{sign}{offset // 60:02d}:{offset % 60:02d}"


# ------------------------------------------------------------------------------------------ templates

SETUP_PROCESSES = frozenset({
    "setup.exe", "setupprep.exe", "setuphost.exe", "setupplatform.exe", "mighost.exe", "dismhost.exe",
    "tiworker.exe", "trustedinstaller.exe", "windows10upgraderapp.exe", "windows10upgrade.exe",
    "sedlauncher.exe", "wuauclt.exe", "musnotification.exe",
})

Formatter = Callable[[dict[str, Any]], str]


def _g(data: dict[str, Any], *names: str) -> str:
    for name in names:
        value = data.get(name)
        if value not in (None, ""):
            return _clean(value)
    return ""


def _wer_1001(data: dict[str, Any]) -> str:
    v = unnamed(data)
    if not v:
        return "Windows Error Reporting: " + compact_fields(data)
    event_name = _at(v, 2)
    params = [_at(v, i) for i in range(5, 15)]
    if event_name.lower().startswith("winsetupdiag"):
        d = decode_win_setup_diag(params)
        phase, op = split_extend_code(d["extend_code"])
        where = f" (phase {phase}, operation {op})" if phase else ""
        codes = " - ".join(c for c in (d["result_code"], d["extend_code"]) if c)
        builds = ""
        if d["source_build"] or d["target_build"]:
            builds = (f", build {d['source_build'] or '?'} {d['source_branch'] or ''}".rstrip()
                      + f" -> {d['target_build'] or '?'} {d['target_branch'] or ''}".rstrip())
        return (f"Windows Setup result ({event_name}): {d['result'] or '?'} {codes}{where}; scenario "
                f"{d['scenario'] or '?'}, mode {d['mode'] or '?'}, arch {d['arch'] or '?'}{builds}")
    shown = ", ".join(f"P{i + 1}={_clean(p)}" for i, p in enumerate(params) if p)
    bucket = _at(v, 0)
    tail = f"; bucket {bucket}" if bucket else ""
    return f"Windows Error Reporting: {event_name or 'event'} ({shown}){tail}"


def _bugcheck_1001(data: dict[str, Any]) -> str:
    p1 = _g(data, "param1")
    if not p1:
        v = unnamed(data)
        if v:
            p1 = _at(v, 0)
    code, _, params = p1.partition(" ")
    code_hex = hex8(code) or code
    dump = _g(data, "param2")
    report = _g(data, "param3")
    text = f"Blue screen: bugcheck {code_hex} {params.strip()}".rstrip()
    if dump:
        text += f"; dump saved to {dump}"
    if report:
        text += f"; report id {report}"
    return text


def _kernel_power_41(data: dict[str, Any]) -> str:
    text = "The system rebooted without cleanly shutting down first (power loss, hang or crash)"
    code = data.get("BugcheckCode")
    if code not in (None, 0, "0"):
        params = ", ".join(_g(data, f"BugcheckParameter{i}") for i in range(1, 5))
        text += f"; bugcheck {hex8(code) or _clean(code)} ({params})"
    if data.get("PowerButtonTimestamp") not in (None, 0, "0"):
        text += "; the power button was pressed"
    if data.get("SleepInProgress") not in (None, False, 0, "false"):
        text += "; it was going to sleep"
    return text


def _eventlog_6008(data: dict[str, Any]) -> str:
    v = unnamed(data)
    when = " ".join(x for x in (_clean(_at(v, 1)), _clean(_at(v, 0))) if x)
    return f"The previous system shutdown{' at ' + when if when else ''} was unexpected"


def _eventlog_6009(data: dict[str, Any]) -> str:
    v = unnamed(data)
    version = _clean(_at(v, 0)).rstrip(".")
    build = _clean(_at(v, 1))
    kind = _clean(_at(v, 3))
    return f"Boot: Microsoft Windows {version} build {build}{' (' + kind + ')' if kind else ''}"


def _eventlog_6013(data: dict[str, Any]) -> str:
    v = unnamed(data)
    uptime = _clean(_at(v, 4))
    bias, zone = time_zone_of_6013(v)
    text = f"System uptime {uptime} s" if uptime else "System uptime report"
    if zone:
        text += f"; time zone {zone} ({_bias_text(bias or 0)})"
    os_info = os_of_6013(data.get("Binary"))
    if os_info:
        text += f"; {os_info['name']} {os_info['version']} ({os_info['lab']})"
    return text


def _scm(template: str, *names: str) -> Formatter:
    def fmt(data: dict[str, Any]) -> str:
        values = [_g(data, n) for n in names]
        if not any(values):
            values = unnamed(data) + [""] * len(names)
        return template.format(*[win32_error(x) for x in values])
    return fmt


def _scm_7026(data: dict[str, Any]) -> str:
    raw = data.get("param1") or unnamed(data)
    text = "\n".join(str(x) for x in raw) if isinstance(raw, list) else str(raw)
    drivers = [d.strip() for d in re.split(r"[\r\n]+", text) if d.strip()]
    return "Boot-start or system-start driver(s) did not load: " + ", ".join(drivers)


def _scm_7045(data: dict[str, Any]) -> str:
    return (f"A service was installed: {_g(data, 'ServiceName', 'param1')} "
            f"({_g(data, 'ImagePath', 'param2')}; {_g(data, 'ServiceType', 'param3')}, "
            f"start {_g(data, 'StartType', 'param4')})")


def _app_error_1000(data: dict[str, Any]) -> str:
    v = unnamed(data)
    app, ver, mod, modver, code, offset = (_at(v, 0), _at(v, 1), _at(v, 3), _at(v, 4), _at(v, 6), _at(v, 7))
    path = _at(v, 10)
    lead = "Setup process crashed" if app.lower() in SETUP_PROCESSES else "Application crashed"
    return (f"{lead}: {app} {ver}, faulting module {mod} {modver}, exception {hex_code(code) or code}, "
            f"offset 0x{offset}{'; ' + path if path else ''}")


def _app_hang_1002(data: dict[str, Any]) -> str:
    v = unnamed(data)
    app, ver = _at(v, 0), _at(v, 1)
    path = _at(v, 5)
    lead = "Setup process stopped responding" if app.lower() in SETUP_PROCESSES else "Application hang"
    return f"{lead}: {app} {ver}{'; ' + path if path else ''}"


WU_EVENTS = {
    16: "Unable to connect to the update service", 17: "Installation ready", 18: "Installation ready",
    19: "Installation successful", 20: "Installation failure", 21: "Restart required",
    22: "Restart required", 25: "Windows Update error", 27: "Automatic Updates paused",
    31: "Download failed", 41: "Installation ready", 43: "Installation started", 44: "Download started",
}


def _wu(event_id: int) -> Formatter:
    def fmt(data: dict[str, Any]) -> str:
        what = WU_EVENTS.get(event_id, "Windows Update")
        title = _g(data, "updateTitle")
        code = _g(data, "errorCode")
        text = f"Windows Update: {what}"
        if title:
            text += f": {title}"
        if code:
            text += f" (error {code})"
        if not title and not code:
            rest = compact_fields(data)
            text += f" ({rest})" if rest else ""
        return text
    return fmt


def _pnp_219(data: dict[str, Any]) -> str:
    status = hex8(data.get("Status"))
    return (f"Driver {_g(data, 'FailureName')} failed to load for device {_g(data, 'DriverName')}"
            f"{' (status ' + status + ')' if status else ''}")


def _pnp_device(label: str) -> Formatter:
    def fmt(data: dict[str, Any]) -> str:
        device = _g(data, "DeviceInstanceId", "DeviceInstanceID")
        driver = _g(data, "DriverName", "DriverInfName", "ServiceName")
        status = hex_code(data.get("Status") or data.get("ProblemStatus"))
        problem = _g(data, "Problem")
        text = f"{label}: {device}"
        if driver:
            text += f", driver {driver}"
        if problem:
            text += f", problem {problem}"
        if status:
            text += f", status {status}"
        return text
    return fmt


def _code_integrity(label: str) -> Formatter:
    def fmt(data: dict[str, Any]) -> str:
        file = _g(data, "FileNameBuffer", "FileName", "param1")
        process = _g(data, "ProcessNameBuffer", "ProcessName", "param2")
        return f"{label}: {file}{'; loaded by ' + process if process else ''}"
    return fmt


USER_PROFILE_EVENTS = {
    1500: "Windows cannot log you on because your profile cannot be loaded",
    1502: "Windows cannot load the locally stored profile",
    1508: "Windows was unable to load the registry",
    1509: "Windows cannot copy a file of the profile",
    1511: "Windows cannot find the local profile and is logging you on with a temporary profile",
    1515: "Windows has backed up this user's profile",
    1521: "Windows cannot locate the server copy of the roaming profile",
    1530: "Windows detected the registry file is still in use by other applications or services",
    1533: "Windows cannot delete the profile directory",
    1542: "Windows cannot load the user's profile registry (classes) file",
}


def _user_profile(event_id: int) -> Formatter:
    def fmt(data: dict[str, Any]) -> str:
        detail = compact_fields(data, 200)
        return f"User profile: {USER_PROFILE_EVENTS.get(event_id, 'event ' + str(event_id))}" + (
            f" ({detail})" if detail else "")
    return fmt


def _user32_1074(data: dict[str, Any]) -> str:
    v = unnamed(data)
    process = _g(data, "param1") or _at(v, 0)
    reason = _g(data, "param3") or _at(v, 2)
    kind = _g(data, "param5") or _at(v, 4)
    user = _g(data, "param7") or _at(v, 6)
    return f"{process} initiated a {kind or 'restart'} on behalf of {user or '?'}: {reason}"


def _kernel_general_12(data: dict[str, Any]) -> str:
    return (f"The operating system started: version {_g(data, 'MajorVersion')}.{_g(data, 'MinorVersion')} "
            f"build {_g(data, 'BuildVersion')}.{_g(data, 'QfeVersion')}")


def _setup_2003(data: dict[str, Any]) -> str:
    return (f"Setup ran from {_g(data, 'HostOSName')} {_g(data, 'HostOSmajorversion')}."
            f"{_g(data, 'HostOSminorversion')} build {_g(data, 'HostOSbuildversion')}"
            f" (upgrade: {_g(data, 'Installwasanupgrade') or '?'})")


def _setup_2004(data: dict[str, Any]) -> str:
    return (f"Operating system installed: {_g(data, 'OSName')} {_g(data, 'OSmajorversion')}."
            f"{_g(data, 'OSminorversion')} build {_g(data, 'OSbuildversion')}")


SERVICING_EVENTS = {
    1: "Initiating changes for package", 2: "Package changed state", 3: "Servicing failed for package",
    4: "A reboot is needed before package changes state",
}


def _servicing(event_id: int) -> Formatter:
    """Setup channel (``Setup.evtx``), provider Microsoft-Windows-Servicing: CBS package state changes."""
    def fmt(data: dict[str, Any]) -> str:
        package = _g(data, "PackageIdentifier")
        if not package:
            return f"Servicing: {SERVICING_EVENTS[event_id]} ({compact_fields(data)})"
        state = _g(data, "IntendedPackageStateTextized", "IntendedPackageState")
        code = _g(data, "ErrorCode")
        client = _g(data, "Client")
        text = f"Servicing: {SERVICING_EVENTS[event_id]} {package}"
        if state:
            text += f" -> {state}"
        if code and hex_code(code) not in ("0x0", None):
            text += f" (error {code})"
        if client:
            text += f"; client {client}"
        return text
    return fmt


SCM = "Service Control Manager"
EVENTLOG = ("EventLog", "Microsoft-Windows-Eventlog")
WER = "Windows Error Reporting"
BUGCHECK = ("Microsoft-Windows-WER-SystemErrorReporting", "BugCheck", "Save Dump")
WU = "Microsoft-Windows-WindowsUpdateClient"
PNP = "Microsoft-Windows-Kernel-PnP"
PROFILES = ("Microsoft-Windows-User Profiles Service", "Microsoft-Windows-User Profiles General")
CODE_INTEGRITY = "Microsoft-Windows-CodeIntegrity"

TEMPLATES: dict[tuple[str, int], Formatter] = {
    (WER, 1001): _wer_1001,
    ("Microsoft-Windows-Kernel-Power", 41): _kernel_power_41,
    (SCM, 7000): _scm("The {0} service failed to start: {1}", "param1", "param2"),
    (SCM, 7001): _scm("The {0} service depends on the {1} service, which failed to start: {2}",
                      "param1", "param2", "param3"),
    (SCM, 7009): _scm("A timeout was reached ({0} ms) while waiting for the {1} service to connect",
                      "param1", "param2"),
    (SCM, 7011): _scm("A timeout ({0} ms) was reached waiting for a transaction response from the {1} service",
                      "param1", "param2"),
    (SCM, 7023): _scm("The {0} service terminated with the following error: {1}", "param1", "param2"),
    (SCM, 7024): _scm("The {0} service terminated with the following service-specific error: {1}",
                      "param1", "param2"),
    (SCM, 7026): _scm_7026,
    (SCM, 7031): _scm("The {0} service terminated unexpectedly; it has done this {1} time(s). Corrective "
                      "action in {2} ms: {4}", "param1", "param2", "param3", "param4", "param5"),
    (SCM, 7034): _scm("The {0} service terminated unexpectedly; it has done this {1} time(s)",
                      "param1", "param2"),
    (SCM, 7036): _scm("The {0} service entered the {1} state", "param1", "param2"),
    (SCM, 7040): _scm("The start type of the {0} service was changed from {1} to {2}",
                      "param1", "param2", "param3"),
    (SCM, 7045): _scm_7045,
    ("Application Error", 1000): _app_error_1000,
    ("Application Hang", 1002): _app_hang_1002,
    (PNP, 219): _pnp_219,
    (PNP, 411): _pnp_device("Device had a problem starting"),
    (PNP, 441): _pnp_device("Device not migrated"),
    (PNP, 442): _pnp_device("Device settings not migrated"),
    (CODE_INTEGRITY, 3001): _code_integrity("Code Integrity: an unsigned kernel module was loaded"),
    (CODE_INTEGRITY, 3002): _code_integrity("Code Integrity could not verify the image integrity of"),
    (CODE_INTEGRITY, 3004): _code_integrity("Code Integrity: invalid image hash of"),
    (CODE_INTEGRITY, 3033): _code_integrity("Code Integrity blocked a driver not meeting signing level"),
    (CODE_INTEGRITY, 3063): _code_integrity("Code Integrity blocked a driver not meeting security requirements"),
    ("User32", 1074): _user32_1074,
    ("Microsoft-Windows-Kernel-General", 12): _kernel_general_12,
    ("Microsoft-Windows-Setup", 2003): _setup_2003,
    ("Microsoft-Windows-Setup", 2004): _setup_2004,
}
for _p in EVENTLOG:
    TEMPLATES[(_p, 6005)] = lambda d: "The Event log service was started (the machine booted)"
    TEMPLATES[(_p, 6006)] = lambda d: "The Event log service was stopped (clean shutdown)"
    TEMPLATES[(_p, 6008)] = _eventlog_6008
    TEMPLATES[(_p, 6009)] = _eventlog_6009
    TEMPLATES[(_p, 6013)] = _eventlog_6013
for _p in BUGCHECK:
    TEMPLATES[(_p, 1001)] = _bugcheck_1001
for _e in WU_EVENTS:
    TEMPLATES[(WU, _e)] = _wu(_e)
for _e in SERVICING_EVENTS:
    TEMPLATES[("Microsoft-Windows-Servicing", _e)] = _servicing(_e)
for _p in PROFILES:
    for _e in USER_PROFILE_EVENTS:
        TEMPLATES[(_p, _e)] = _user_profile(_e)


def message(record: Record) -> str:
    """The readable one-line text of a record (its fields, compactly, when we have no template)."""
    provider = record.get("provider")
    event_id = record.get("event_id")
    data = record.get("data") or {}
    fmt = TEMPLATES.get((provider, event_id)) if provider is not None else None  # type: ignore[arg-type]
    if fmt is not None:
        try:
            return fmt(data)
        except Exception:  # a damaged record with fields of the wrong type: fall back to the fields
            pass
    return compact_fields(data)


# ------------------------------------------------------------------------------------------ facts


def record_facts(record: Record) -> list[Fact]:
    """Facts one record states by itself: time zone and OS (6013), boot build (6009), WER setup result.

    The parser keeps only the facts that change from one record to the next (a 6013 is written every day).
    """
    provider = record.get("provider")
    event_id = record.get("event_id")
    data = record.get("data") or {}
    facts: list[Fact] = []
    if event_id == 6013 and provider in EVENTLOG:
        text = _eventlog_6013(data)
        bias, zone = time_zone_of_6013(unnamed(data))
        if zone:
            facts.append(("system.time_zone", zone, text, WEIGHT_TIME_ZONE))
        if zone and bias is not None:
            facts.append(("system.utc_offset_minutes", str(-bias), text, WEIGHT_TIME_ZONE))
        os_info = os_of_6013(data.get("Binary"))
        if os_info:
            facts.append(("system.os_name", os_info["name"], text, WEIGHT_OS))
            version = re.match(r"\d+\.\d+\.\d+", os_info["version"])
            if version:
                facts.append(("system.os_version", version.group(0), text, WEIGHT_OS))
            if os_info["build"]:
                facts.append(("system.os_build", os_info["build"], text, WEIGHT_OS))
                facts.append(("evtx.os_build", os_info["build"], text, WEIGHT_OS))
    elif event_id == 6009 and provider in EVENTLOG:
        build = _clean(_at(unnamed(data), 1))
        if build:
            facts.append(("evtx.boot_build", build, _eventlog_6009(data), WEIGHT_OS))
    elif event_id == 12 and provider == "Microsoft-Windows-Kernel-General":
        build = _g(data, "BuildVersion")
        if build:
            facts.append(("evtx.boot_build", build, _kernel_general_12(data), WEIGHT_OS))
    elif event_id == 1001 and provider == WER:
        v = unnamed(data)
        if _at(v, 2).lower().startswith("winsetupdiag"):
            d = decode_win_setup_diag([_at(v, i) for i in range(5, 15)])
            text = _wer_1001(data)
            phase, op = split_extend_code(d["extend_code"])
            for name, value in (
                ("upgrade.result_code", d["result_code"]),
                ("upgrade.extend_code", d["extend_code"]),
                ("upgrade.phase", phase),
                ("upgrade.operation", op),
                ("upgrade.source_build", d["source_build"]),
                ("upgrade.target_build", d["target_build"]),
                ("upgrade.rollback", "true" if d["mode"] == "Rollback" else None),
                ("evtx.setup_result", d["result"]),
            ):
                if value:
                    facts.append((name, value, text, WEIGHT_WER_SETUP))
    elif event_id == 1001 and provider in BUGCHECK:
        text = _bugcheck_1001(data)
        code = hex8(_g(data, "param1").partition(" ")[0])
        if code:
            facts.append(("evtx.bugcheck_code", code, text, WEIGHT_OS))
    elif event_id == 1000 and provider == "Application Error":
        app = _at(unnamed(data), 0)
        if app.lower() in SETUP_PROCESSES:
            facts.append(("evtx.setup_process_crash", app, _app_error_1000(data), WEIGHT_OS))
    elif event_id == 20 and provider == WU:
        title = _g(data, "updateTitle")
        if "feature update" in title.lower():
            facts.append(("evtx.feature_update_failure", title, _wu(20)(data), WEIGHT_OS))
    return facts
