"""``SetupDiagResults.xml``: Microsoft SetupDiag's own verdict, which Setup runs by itself after a failure (2004+).

Recorded as ``setupdiag.*`` facts next to our own reconstruction, never in place of it: SetupDiag names one
matching rule, ours may name several. The XML is .NET XmlSerializer output declaring UTF-16 (reference
§1.4): root ``<SetupDiag>`` with ``ProfileName``/``ProfileGuid`` (attributes or children), ``SystemInfo``,
``FailureData`` (repeated), ``FailureDetails``, ``Remediation``, ``SetupPhaseInfo``, ``SetupOperationInfo``.
Every leaf is kept in the ``setupdiag_values`` table; the useful ones also become facts.
"""

from __future__ import annotations

import json
import re

from workbench.core.parsers.base import CaseFile, Mediator
from workbench.core.parsers.xmlstream import stream_xml
from workbench.core.plugins import hookimpl
from workbench.core.upgrade.codes import hex32, parse_code

DDL = """CREATE TABLE IF NOT EXISTS setupdiag_values (
    file_id INTEGER NOT NULL, line INTEGER, path TEXT, value TEXT
)"""

#: leaf element → fact name
FACTS = {
    "ProfileName": "setupdiag.profile_name",
    "ProfileGuid": "setupdiag.profile_guid",
    "Version": "setupdiag.version",
    "FailureDetails": "setupdiag.failure_details",
    "LogErrorLine": "setupdiag.log_error_line",
    "LastSetupPhase": "setupdiag.last_phase",
    "LastSetupOperation": "setupdiag.last_operation",
    "HostOSVersion": "setupdiag.host_os_version",
    "HostOSBuildString": "setupdiag.host_os_build",
    "TargetOSBuildString": "setupdiag.target_os_build",
    "MachineName": "setupdiag.machine_name",
    "Manufacturer": "setupdiag.manufacturer",
    "Model": "setupdiag.model",
    "BiosVersion": "setupdiag.bios_version",
    "RegisteredAV": "setupdiag.registered_av",
    "FilterDrivers": "setupdiag.filter_drivers",
    "UpgradeStartTime": "setupdiag.upgrade_start",
    "UpgradeEndTime": "setupdiag.upgrade_end",
    "RollbackStartTime": "setupdiag.rollback_start",
    "RollbackEndTime": "setupdiag.rollback_end",
}
_PAIR = re.compile(r"(0x[0-9A-Fa-f]{8})\s*-\s*(0x[0-9A-Fa-f]{1,5})\b")
_ROLLBACK_CODE = re.compile(r"RollbackErrorCode\s*=\s*(0x[0-9A-Fa-f]+)")
_EXTENDED = re.compile(r"ExtendedCode\s*=\s*(0x[0-9A-Fa-f]+)")
_LAST = re.compile(r"Last(Phase|Operation)\s*=\s*([^,]+)")
_ERR = re.compile(r"\bErr(?:or)?\s*=\s*(0x[0-9A-Fa-f]+)")


class SetupDiagResultsParser:
    """Microsoft's verdict as ``setupdiag.*`` facts and a ``setupdiag_values`` table."""

    name = "setupdiag_results"
    kinds = frozenset({"setupdiag_results"})
    tables = {"setupdiag_values": DDL}
    version = 1

    def parse(self, file: CaseFile, mediator: Mediator) -> None:
        stack: list[str] = []
        failure_data: list[str] = []
        remediation: list[str] = []
        profile: list[str] = []
        seen_root = False

        def fact(name: str, value: str, line: int) -> None:
            if name == "setupdiag.profile_name":
                profile.append(value)
            mediator.fact(name, value, line=line, text=f"{name.split('.', 1)[1]}: {value}"[:500], weight=50)

        def start(name: str, attrs: dict[str, str], line: int) -> None:
            nonlocal seen_root
            if not stack and name == "SetupDiag":
                seen_root = True
            stack.append(name)
            for key, value in attrs.items():
                key = key.rsplit(":", 1)[-1]
                if key in FACTS and value.strip():
                    fact(FACTS[key], value.strip(), line)
                    mediator.detail("setupdiag_values", {"file_id": file.id, "line": line,
                                                         "path": "/".join(stack) + "@" + key, "value": value})

        def end(name: str, text: str, line: int) -> None:
            path = "/".join(stack)
            parent = stack[-2] if len(stack) > 1 else ""
            stack.pop()
            if not text:
                return
            mediator.detail("setupdiag_values", {"file_id": file.id, "line": line, "path": path, "value": text})
            # lists are serialised as <FailureData><string>..</string></FailureData> (or plain text)
            owner = parent if name == "string" else name
            if owner == "FailureData":
                failure_data.append(text)
            elif owner == "Remediation":
                remediation.append(text)
            if name in FACTS:
                fact(FACTS[name], text, line)
            if owner in ("FailureDetails", "FailureData", "LogErrorLine"):
                self._codes(mediator, text, line)

        ok = stream_xml(file.location, mediator, start, end)
        if failure_data:
            mediator.fact("setupdiag.failure_data", json.dumps(failure_data, ensure_ascii=False),
                          text=failure_data[0][:500], weight=50)
        if remediation:
            mediator.fact("setupdiag.remediation", json.dumps(remediation, ensure_ascii=False),
                          text=remediation[0][:500], weight=50)
        if ok and not seen_root:
            mediator.problem("no <SetupDiag> root element: not a SetupDiag result file")
        if seen_root:
            mediator.event(line=1, level="info", component="SetupDiag",
                           message=f"SetupDiag result: {profile[0] if profile else 'no matching rule'}; "
                                   + (self._summary(failure_data) or "see setupdiag.* facts"))

    @staticmethod
    def _codes(mediator: Mediator, text: str, line: int) -> None:
        """``Error = 0xC1900101-0x40017`` or ``RollbackErrorCode = ..., ExtendedCode = ...`` → setupdiag codes."""
        result = extend = None
        if m := _PAIR.search(text):
            result, extend = parse_code(m.group(1)), parse_code(m.group(2))
        if m := _ROLLBACK_CODE.search(text):
            result = parse_code(m.group(1))
        if m := _EXTENDED.search(text):
            extend = parse_code(m.group(1))
        if result is None and (m := _ERR.search(text)):
            result = parse_code(m.group(1))
        if result is not None:
            mediator.fact("setupdiag.result_code", hex32(result), line=line, text=text[:500], weight=50)
        if extend is not None:
            mediator.fact("setupdiag.extend_code", hex32(extend), line=line, text=text[:500], weight=50)
        for m in _LAST.finditer(text):
            name = "setupdiag.last_phase" if m.group(1) == "Phase" else "setupdiag.last_operation"
            mediator.fact(name, m.group(2).strip(), line=line, text=text[:500], weight=40)

    @staticmethod
    def _summary(failure_data: list[str]) -> str:
        return "; ".join(failure_data)[:400]


@hookimpl
def workbench_parsers() -> list[SetupDiagResultsParser]:
    return [SetupDiagResultsParser()]
