"""Panther ``diagerr.xml`` / ``diagwrn.xml``: ADO persisted rowsets, one ``<z:row>`` per Setup error/warning.

They repeat setuperr.log in structured form, with what the text log lacks: the function, module, process
and Win32 error of each event (reference/setupdiag.md §3.5). ``DT`` is the machine's wall clock, like the
setup logs. Every row becomes a timeline row (error for diagerr, warning for diagwrn) and a detail row.
"""

from __future__ import annotations

from datetime import datetime

from workbench.core.clock import datetime_to_us
from workbench.core.parsers.base import CaseFile, Mediator
from workbench.core.parsers.xmlstream import stream_xml
from workbench.core.plugins import hookimpl

COLUMNS = ("Cls", "Sev", "Maj", "Min", "LN", "Fil", "Fun", "Uid", "Msg", "PID", "TID", "Con", "Exe", "Mod", "Err",
           "MD", "DT")

DDL = ("CREATE TABLE IF NOT EXISTS diag_rows (file_id INTEGER NOT NULL, line INTEGER, "
       + ", ".join(f"{c.lower()} TEXT" for c in COLUMNS) + ")")


def _local(dt: str) -> int | None:
    try:
        return datetime_to_us(datetime.fromisoformat(dt.strip()[:19]))
    except ValueError:
        return None


class DiagXmlParser:
    """Rows of a diagerr/diagwrn rowset into the timeline and the ``diag_rows`` table."""

    name = "diag_xml"
    kinds = frozenset({"diag_xml"})
    tables = {"diag_rows": DDL}
    version = 1

    def parse(self, file: CaseFile, mediator: Mediator) -> None:
        level = "warning" if "diagwrn" in file.path.lower() else "error"
        count = 0
        rowset = False

        def start(name: str, attrs: dict[str, str], line: int) -> None:
            nonlocal count, rowset
            if name in ("Schema", "data"):
                rowset = True
            if name != "row" or "Msg" not in attrs:
                return
            count += 1
            row = {"file_id": file.id, "line": line, **{c.lower(): attrs.get(c) for c in COLUMNS}}
            mediator.detail("diag_rows", row)
            where = attrs.get("Mod") or attrs.get("Fun") or None
            message = attrs.get("Msg", "")
            if attrs.get("Fun") and attrs["Fun"] not in message:
                message = f"{attrs['Fun']}: {message}"
            if attrs.get("Err") not in (None, "", "0"):
                message += f" (Win32 error {attrs['Err']})"
            mediator.event(line=line, local=_local(attrs.get("DT", "")), level=level, component=where,
                           message=message)

        if stream_xml(file.location, mediator, start) and count == 0 and not rowset:
            mediator.problem("no <z:row> rows found: not a Panther diagnostics rowset, or empty")


@hookimpl
def workbench_parsers() -> list[DiagXmlParser]:
    return [DiagXmlParser()]
