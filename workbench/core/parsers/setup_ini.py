"""``rollbackinfo.ini`` and ``SetupPlatform.ini``: the small state files SetupPlatform leaves in Sources/Rollback.

rollbackinfo.ini says where the upgrade was when it rolled back (``CurrentPhase=FirstBoot,Start``);
SetupPlatform.ini holds paths and the source OS version (reference §2.6, from a blog; real files vary, so
every key is kept in ``setup_ini`` and only recognised keys become facts). Read line by line with the shared
text reader: these files are UTF-16 or ANSI depending on who wrote them.
"""

from __future__ import annotations

from workbench.core.parsers.base import CaseFile, Mediator
from workbench.core.plugins import hookimpl
from workbench.core.textio import looks_binary, read_lines

DDL = """CREATE TABLE IF NOT EXISTS setup_ini (
    file_id INTEGER NOT NULL, line INTEGER, section TEXT, key TEXT, value TEXT
)"""

#: lower-case key → (fact name, weight)
KNOWN = {
    "currentphase": ("setup.rollbackinfo.current_phase", 30),
    "currentop": ("setup.rollbackinfo.current_op", 30),
    "currentresult": ("setup.rollbackinfo.current_result", 30),
    "sourceosversion": ("setup.source_version", 15),
    "downlevelosversion": ("setup.source_version", 15),
    "targetosversion": ("setup.target_version", 15),
    "logdirectory": ("setup.log_directory", 5),
    "rollbackdirectory": ("setup.rollback_directory", 5),
}


class SetupIniParser:
    """Key/value pairs of Setup's INI files into ``setup_ini`` rows and ``setup.*`` facts."""

    name = "setup_ini"
    kinds = frozenset({"rollbackinfo_ini", "setupplatform_ini"})
    tables = {"setup_ini": DDL}
    version = 2  # 2: true line numbers after a line past 64 KiB

    def parse(self, file: CaseFile, mediator: Mediator) -> None:
        section = ""
        pairs = 0
        bad = 0
        for ln in read_lines(file.location, mediator.problem):
            text = ln.text.strip()
            if not text or text.startswith((";", "#")):
                continue
            if looks_binary(text):
                bad += 1
                continue
            if text.startswith("[") and text.endswith("]"):
                section = text[1:-1].strip()
                continue
            if "=" not in text:
                bad += 1
                continue
            key, _, value = text.partition("=")
            key, value = key.strip(), value.strip().strip('"')
            pairs += 1
            mediator.detail("setup_ini", {"file_id": file.id, "line": ln.number, "section": section, "key": key,
                                          "value": value})
            known = KNOWN.get(key.lower())
            if known and value:
                mediator.fact(known[0], value, line=ln.number, text=text[:500], weight=known[1])
        if file.kind == "rollbackinfo_ini" and pairs:
            mediator.fact("upgrade.rollback", "true", line=1, text="rollbackinfo.ini is present", weight=10)
        if bad:
            mediator.problem(f"{bad} line(s) are neither [section] nor key=value; skipped")
        if not pairs:
            mediator.problem("no key=value pairs found")


@hookimpl
def workbench_parsers() -> list[SetupIniParser]:
    return [SetupIniParser()]
