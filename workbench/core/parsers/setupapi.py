"""SetupAPI text logs (``setupapi.dev.log``, ``.setup``, ``.offline``, ``.upgrade``, ``.app``): device installs.

Format (windows-driver-docs "Format of a Text Log Section Header/Body", reference/setupdiag.md §3.4)::

    [Boot Session: 2021/05/18 05:08:33.500]
    >>>  [Setup online Device Install (Hardware initiated) - PCI\\VEN_8086&DEV_8C14&...]
    >>>  Section start 2021/05/18 05:09:24.884
         utl:           Driver INF     - oem0.inf (C:\\...\\lynxpointsystem.inf)
    !!!  dvi: ...                                  (error)      !    inf: ...  (warning)
    <<<  Section end 2021/05/18 05:09:25.072
    <<<  [Exit status: SUCCESS]

Sections of parallel installs interleave: a repeated ``>>>  [title]`` line without ``Section start``
switches back to a section already open. A section that starts and never ends is the install that was
running when the machine hung or crashed (the classic 0x30018 first-boot hang): it is kept as a detail row
with status ``unfinished``, an error row on the timeline, and a ``setupapi.unfinished_section`` fact. Of
several unfinished sections the one really installing (not "Waiting for previous device install") gets the
higher weight, since the others were only queued behind it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from workbench.core.parsers.base import CaseFile, Mediator, wall_us
from workbench.core.parsers.setupact import is_junk
from workbench.core.plugins import hookimpl
from workbench.core.software import TABLES as SOFTWARE_TABLES
from workbench.core.software import add_software, base_name
from workbench.core.textio import read_lines

_STAMP = re.compile(r"(\d{4})/(\d{2})/(\d{2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?")
_TAIL_TIME = re.compile(r" (\d{2}):(\d{2}):(\d{2})\.(\d{3})$")
_DRIVER_INF = re.compile(r"Driver INF\s+-\s+(\S+)\s*\((.+)\)")
_INFNAME = re.compile(r"\bInfName\s+-\s+(.+)$")
_DESC = re.compile(r"\{Configure Driver: (.+)\}$")
_DEVDESC = re.compile(r"Description\s+-\s+\[(.+)\]")
_EXIT = re.compile(r"\[Exit status: ([A-Z_]+)\s*(?:\(([^)]*)\))?\]")

SECTIONS_DDL = """CREATE TABLE IF NOT EXISTS setupapi_sections (
    file_id INTEGER NOT NULL,
    line INTEGER NOT NULL,          -- the '>>>  [title]' line; joins to the timeline row of the start
    end_line INTEGER,               -- the '[Exit status]' line, NULL when the section never ended
    title TEXT,
    action TEXT,                    -- the title before ' - ' (Device Install (Hardware initiated), ...)
    device TEXT,                    -- device instance id (after ' - '), when the title names one
    description TEXT,               -- the driver's device description
    inf TEXT,                       -- the INF as named in the store (oem0.inf)
    inf_original TEXT,              -- the original INF name (lynxpointsystem.inf)
    driver_version TEXT,
    start_local INTEGER,            -- wall clock µs
    end_local INTEGER,
    status TEXT,                    -- SUCCESS | FAILURE | unfinished | ...
    exit_code TEXT,
    state TEXT,                     -- for unfinished sections: installing | waiting
    last_line INTEGER,              -- last line written inside the section
    last_text TEXT
)"""


@dataclass
class _Section:
    title: str
    line: int
    start: int | None = None
    day: tuple[int, int, int] | None = None
    end: int | None = None
    description: str | None = None
    inf: str | None = None
    inf_original: str | None = None
    driver_version: str | None = None
    provider: str | None = None  # the INF's provider (``inf: Provider: Oracle Corporation``)
    in_selected_node: bool = False
    state: str = "started"
    last_line: int = 0
    last_text: str = ""
    last_local: int | None = None
    errors: list[str] = field(default_factory=list)

    @property
    def action(self) -> str:
        return self.title.split(" - ", 1)[0].strip()

    @property
    def device(self) -> str | None:
        return self.title.split(" - ", 1)[1].strip() if " - " in self.title else None


def _stamp(text: str) -> tuple[int, tuple[int, int, int]] | None:
    m = _STAMP.search(text)
    if not m:
        return None
    y, mo, d, h, mi, s = (int(g) for g in m.groups()[:6])
    ms = int((m.group(7) or "0").ljust(3, "0"))
    try:
        return wall_us(y, mo, d, h, mi, s, ms * 1000), (y, mo, d)
    except ValueError:
        return None


class SetupApiParser:
    """Streams a SetupAPI log into section rows, boot-session / error rows, and unfinished-install facts."""

    name = "setupapi"
    kinds = frozenset({"setupapi"})
    tables = {"setupapi_sections": SECTIONS_DDL, **SOFTWARE_TABLES}
    version = 2

    def parse(self, file: CaseFile, mediator: Mediator) -> None:
        open_sections: dict[str, _Section] = {}
        current: _Section | None = None
        pending_title: tuple[str, int] | None = None
        last_local: int | None = None
        binary_from: int | None = None
        saw_any = False
        for ln in read_lines(file.location, mediator.problem):
            if ln.number % 20000 == 0:
                mediator.check(ln.offset)
            text = ln.text
            if is_junk(text):
                binary_from = ln.offset if binary_from is None else binary_from
                continue
            if binary_from is not None and text.strip():
                mediator.problem(f"unreadable binary bytes at offset {binary_from}; skipped", binary_from)
                binary_from = None
            stripped = text.strip()
            if not stripped:
                continue
            if stripped.startswith("[Boot Session:"):
                saw_any = True
                st = _stamp(stripped)
                if st:
                    last_local = st[0]
                mediator.event(line=ln.number, local=last_local, level="info", component="boot",
                               message=stripped.strip("[]"))
                continue
            if text.startswith(">>>  ["):
                saw_any = True
                title = text[6:].rstrip().rstrip("]")
                if title in open_sections:  # a parallel install's output resumes
                    current = open_sections[title]
                    pending_title = None
                else:
                    pending_title = (title, ln.number)
                continue
            if text.startswith(">>>  Section start"):
                st = _stamp(text)
                title, line = pending_title or ("(untitled section)", ln.number)
                pending_title = None
                current = _Section(title, line)
                if st:
                    current.start, current.day = st
                    last_local = st[0]
                current.last_line, current.last_text, current.last_local = ln.number, stripped, current.start
                open_sections[title] = current
                mediator.event(line=line, local=current.start, level="info", component="section",
                               message=f"Section start: {title}")
                continue
            if text.startswith("<<<  Section end") and current is not None:
                st = _stamp(text)
                if st:
                    current.end = st[0]
                    last_local = st[0]
                continue
            if text.startswith("<<<  [Exit status") and current is not None:
                m = _EXIT.search(text)
                status = m.group(1) if m else stripped
                code = m.group(2) if m else None
                self._close(mediator, file, current, ln.number, status, code)
                open_sections.pop(current.title, None)
                current = None
                continue
            if current is None:
                continue
            self._body(mediator, current, ln.number, text, stripped)
        for section in open_sections.values():
            self._unfinished(mediator, section, list(open_sections.values()))
        if binary_from is not None:
            mediator.problem(f"the file ends in unreadable binary bytes from offset {binary_from} "
                             "(cut short while the machine was writing it: a hang or crash)", binary_from)
        if not saw_any:
            mediator.problem("no SetupAPI sections or boot sessions found: not a SetupAPI text log?")

    # ------------------------------------------------------------------------------------------ body

    def _body(self, mediator: Mediator, sec: _Section, number: int, text: str, stripped: str) -> None:
        sec.last_line, sec.last_text = number, stripped
        tail = _TAIL_TIME.search(stripped)
        if tail and sec.day is not None:
            h, mi, s, ms = (int(g) for g in tail.groups())
            try:
                sec.last_local = wall_us(*sec.day, h, mi, s, ms * 1000)
            except ValueError:
                pass
        level = "error" if text.startswith("!!!") else "warning" if text.startswith("!") else None
        body = stripped.lstrip("!").strip()
        if level is not None:
            category = body[:4].rstrip(":").strip() if body[3:4] == ":" else None
            mediator.event(line=number, local=sec.last_local or sec.start, level=level, component=category,
                           message=body)
            if level == "error":
                sec.errors.append(body)
        if "Status         - Selected" in body or "Status - Selected" in body:
            sec.in_selected_node = True
        elif "Driver Node:" in body:
            sec.in_selected_node = False
        m = _DRIVER_INF.search(body)
        if m and (sec.in_selected_node or sec.inf is None):
            sec.inf, path = m.group(1), m.group(2)
            sec.inf_original = path.replace("/", "\\").rsplit("\\", 1)[-1]
        m = _INFNAME.search(body)
        if m and sec.inf is None:
            sec.inf_original = m.group(1).strip().replace("/", "\\").rsplit("\\", 1)[-1]
        if "Driver Version - " in body and sec.in_selected_node:
            sec.driver_version = body.split("Driver Version - ", 1)[1].strip()
        if body.startswith("inf: Provider:") and sec.provider is None:
            sec.provider = body.split(":", 2)[2].strip() or None
        elif body.startswith("inf: Driver Version:") and sec.driver_version is None:
            sec.driver_version = body.split(":", 2)[2].strip().rsplit(",", 1)[-1] or None
        m = _DESC.search(body) or _DEVDESC.search(body)
        if m and sec.description is None:
            sec.description = m.group(1).strip()
        if "Waiting for previous device install to complete" in body:
            sec.state = "waiting"
        elif "{Core Device Install}" in body or "Install Device:" in body or "{Installing device" in body:
            sec.state = "installing"

    # ------------------------------------------------------------------------------------------ ends

    def _row(self, file: CaseFile, sec: _Section, end_line: int | None, status: str, code: str | None,
             state: str | None) -> dict:
        return {
            "file_id": file.id, "line": sec.line, "end_line": end_line, "title": sec.title, "action": sec.action,
            "device": sec.device, "description": sec.description, "inf": sec.inf,
            "inf_original": sec.inf_original, "driver_version": sec.driver_version, "start_local": sec.start,
            "end_local": sec.end, "status": status, "exit_code": code, "state": state,
            "last_line": sec.last_line, "last_text": sec.last_text,
        }

    @staticmethod
    def _package(mediator: Mediator, sec: _Section, status: str) -> None:
        """A driver package whose INF names its provider: a row of the case's installed software."""
        if sec.provider is None:
            return
        device = sec.device or ""
        path = device if device.lower().endswith(".inf") else None
        name = sec.inf_original or base_name(path) or sec.inf
        if name:
            add_software(mediator, {"name": name, "display_name": sec.description, "path": path,
                                    "vendor": sec.provider, "version": sec.driver_version, "state": status},
                         kind="package", source="setupapi", line=sec.line)

    def _close(self, mediator: Mediator, file: CaseFile, sec: _Section, number: int, status: str,
               code: str | None) -> None:
        mediator.detail("setupapi_sections", self._row(file, sec, number, status, code, None))
        self._package(mediator, sec, status)
        level = "info" if status == "SUCCESS" else "error"
        what = f"{status}({code})" if code else status
        mediator.event(line=number, local=sec.end or sec.last_local or sec.start, level=level, component="section",
                       message=f"Section end: {sec.title} [Exit status: {what}]")

    def _unfinished(self, mediator: Mediator, sec: _Section, all_open: list[_Section]) -> None:
        state = sec.state if sec.state in ("installing", "waiting") else "started"
        mediator.detail("setupapi_sections", self._row(mediator.file, sec, None, "unfinished", None, state))
        self._package(mediator, sec, "unfinished")
        name = sec.description or sec.device or sec.title
        inf = f" ({sec.inf_original or sec.inf})" if (sec.inf_original or sec.inf) else ""
        message = (f"Device install never finished: {name}{inf}; "
                   f"{'it was installing' if state == 'installing' else 'it was ' + state}; "
                   f"last line {sec.last_line}: {sec.last_text}")
        mediator.event(line=sec.line, local=sec.last_local or sec.start, level="error",
                       component="setupapi.unfinished_section", message=message)
        value = json.dumps({
            "device": sec.device, "description": sec.description, "inf": sec.inf, "inf_original": sec.inf_original,
            "driver_version": sec.driver_version, "title": sec.title, "state": state, "last_line": sec.last_line,
            "last_text": sec.last_text, "open_sections": len(all_open),
        }, ensure_ascii=False)
        # the install actually running outranks those queued behind it ("Waiting for previous device install")
        weight = 20 if state == "installing" else 10 if state == "started" else 5
        mediator.fact("setupapi.unfinished_section", value, line=sec.line, text=f">>>  [{sec.title}]",
                      local=sec.last_local or sec.start, weight=weight)


@hookimpl
def workbench_parsers() -> list[SetupApiParser]:
    return [SetupApiParser()]
