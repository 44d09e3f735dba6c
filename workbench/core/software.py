"""The case's list of installed software and drivers (``installed_software``), whoever saw it.

msinfo32 (NFO or ``/report`` text) lists the machine's drivers, services and running tasks; setupapi names
the provider of each driver package it installed; Procmon records the company of every process image; a
crash dump lists its loaded drivers; a WER report the modules of the crashed process. Each becomes a row here,
with the file and line it came from, so the verdict and the comparison of machines read one table whatever
the engineer was sent.

Microsoft or not (``third_party``): the company, when a source gives one, decides; else the inbox module list
the dump analysis keeps (``workbench/core/dumps/inbox_modules.txt``); else where the file lives (a program
outside the Windows folders is not Windows'). NULL when none of these can tell.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from workbench.core.parsers.base import Mediator
from workbench.core.plugins import hookimpl
from workbench.core.store import CaseStore

TABLE = "installed_software"
DDL = """CREATE TABLE IF NOT EXISTS installed_software (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,          -- file or service name as written: lwfmgr.sys, XSecAgent
    kind TEXT,                   -- driver | service | task | process | package | module
    display_name TEXT,
    path TEXT,
    vendor TEXT,
    product TEXT,
    version TEXT,
    state TEXT,
    start_mode TEXT,
    third_party INTEGER,         -- 1 not Microsoft's, 0 Microsoft's, NULL unknown
    source TEXT,                 -- nfo | msinfo_text | setupapi | procmon | dump | wer | ...
    file_id INTEGER,
    line INTEGER
)"""
TABLES: dict[str, str] = {TABLE: DDL}
COLUMNS = ("name", "kind", "display_name", "path", "vendor", "product", "version", "state", "start_mode",
           "third_party", "source", "file_id", "line")

#: Folders whose programs are Windows' own (lower case, backslashes).
WINDOWS_FOLDERS = ("\\windows\\", "\\$windows.~bt\\", "\\$windows.~ws\\", "\\systemroot\\")
#: Path parts that mark Microsoft's programs outside the Windows folder.
MICROSOFT_FOLDERS = ("\\microsoft", "\\windows defender", "\\windows nt\\", "\\windowsapps\\microsoft.",
                     "\\windows mail\\", "\\windows media player\\", "\\windows photo viewer\\",
                     "\\windowspowershell\\", "\\internet explorer\\", "\\common files\\system\\")


def base_name(path: str | None) -> str:
    """The file name of a Windows path (``C:\\a\\b.sys`` -> ``b.sys``), without quotes or arguments."""
    text = clean_path(path)
    return text.replace("/", "\\").rsplit("\\", 1)[-1]


def clean_path(path: str | None) -> str:
    """A service's image path as msinfo32 writes it (``"c:\\x\\a.exe" -k y``) reduced to the file."""
    text = (path or "").strip()
    if text.startswith('"'):
        end = text.find('"', 1)
        text = text[1:end] if end > 0 else text[1:]
    else:
        low = text.lower()
        for ext in (".exe", ".sys", ".dll"):
            at = low.find(ext + " ")
            if at > 0:
                text = text[:at + len(ext)]
                break
    if text.startswith("\\??\\"):
        text = text[4:]
    return text


def third_party_of(name: str | None, path: str | None = None, company: str | None = None) -> int | None:
    """1 when the file is not Microsoft's, 0 when it is, None when nothing here can tell."""
    if company and company.strip():
        low = company.lower()
        return 0 if ("microsoft" in low or "sysinternals" in low) else 1
    from workbench.core.dumps.culprit import inbox_modules

    inbox = inbox_modules()
    names = {n.lower() for n in (name or "", base_name(path)) if n}
    if names & inbox:
        return 0
    low = "\\" + clean_path(path).lower().replace("/", "\\")
    if not clean_path(path):
        return None
    if any(m in low for m in MICROSOFT_FOLDERS):
        return 0
    if "\\system32\\drivers\\" in low or "\\syswow64\\drivers\\" in low:
        return 1  # a driver the box does not ship, installed beside the box's own
    if any(m in low for m in WINDOWS_FOLDERS):
        return None  # in Windows' folders yet not on the inbox list: cannot tell
    if low[1:2].isalpha() and low[2:4] == ":\\" or low.startswith("\\\\"):
        return 1  # a program installed outside the Windows folders
    return None


def add_software(mediator: Mediator, fields: Mapping[str, Any], *, kind: str, source: str,
                 line: int | None = None) -> None:
    """One ``installed_software`` row through the parser's mediator. ``fields`` holds ``name`` and any of
    display_name, path, vendor, product, version, state, start_mode, third_party; ``third_party`` is worked
    out from the name, path and vendor when it is not given."""
    name = str(fields.get("name") or "").strip()
    if not name:
        return
    third_party = fields.get("third_party")
    if third_party is None:
        third_party = third_party_of(name, fields.get("path"), fields.get("vendor"))
    row: dict[str, Any] = {"name": name, "kind": kind}
    for column in COLUMNS[2:9]:
        value = fields.get(column)
        row[column] = str(value).strip() or None if value is not None else None
    row.update({"third_party": third_party, "source": source, "file_id": mediator.file.id, "line": line})
    mediator.detail(TABLE, row)


def software_list(store: Any, limit: int | None = None) -> list[dict[str, Any]]:
    """The table for the analysis JSON: third-party first, then unknown, then Microsoft's; one entry per
    (name, kind, source), each with where it was read."""
    exists = store.scalar("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (TABLE,))
    if not exists:
        return []
    rows = store.query(
        "SELECT s.*, files.path AS file FROM installed_software s LEFT JOIN files ON files.id = s.file_id "
        "ORDER BY CASE s.third_party WHEN 1 THEN 0 WHEN 0 THEN 2 ELSE 1 END, lower(s.name), s.kind, s.id"
        + (f" LIMIT {int(limit)}" if limit else ""))
    out: list[dict[str, Any]] = []
    seen: set[tuple[str, str, str]] = set()
    for r in rows:
        key = (str(r["name"]).lower(), r["kind"] or "", r["source"] or "")
        if key in seen:
            continue
        seen.add(key)
        out.append({
            "name": r["name"], "kind": r["kind"], "display_name": r["display_name"], "path": r["path"],
            "vendor": r["vendor"], "product": r["product"], "version": r["version"], "state": r["state"],
            "start_mode": r["start_mode"],
            "third_party": None if r["third_party"] is None else bool(r["third_party"]),
            "source": r["source"], "file": r["file"], "line": r["line"]})
    return out


def _exists(store: Any, table: str) -> bool:
    return bool(store.scalar("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)))


@hookimpl
def workbench_analyze(store: CaseStore) -> None:
    """Software the other sources saw running: Procmon's process images and modules with their company,
    a crash dump's loaded drivers. Only what is not Microsoft's (or cannot be told) is listed: a capture
    loads hundreds of Windows' own DLLs."""
    if not _exists(store, TABLE):
        return
    rows: list[tuple[Any, ...]] = []
    seen: set[tuple[str, str]] = set()

    def add(name: str, kind: str, path: str | None, vendor: str | None, version: str | None, source: str,
            file_id: int | None, line: int | None, display: str | None = None, third: int | None = None) -> None:
        key = ((path or name).lower(), source)
        if not name or key in seen:
            return
        if third is None:
            third = third_party_of(name, path, vendor)
        if third == 0:
            return
        seen.add(key)
        rows.append((name, kind, display or None, path or None, vendor or None, None, version or None, None, None,
                     third, source, file_id, line))

    if _exists(store, "procmon_processes"):
        for r in store.query("SELECT file_id, first_line, name, image, company, description, version FROM "
                             "procmon_processes WHERE image IS NOT NULL AND image != '' ORDER BY file_id, process"):
            add(r["name"] or base_name(r["image"]), "process", r["image"], r["company"], r["version"], "procmon",
                r["file_id"], r["first_line"], r["description"])
    if _exists(store, "procmon_modules"):
        for r in store.query("SELECT file_id, path, company, description, version FROM procmon_modules "
                             "WHERE path IS NOT NULL AND path != ''"):
            add(base_name(r["path"]), "module", r["path"], r["company"], r["version"], "procmon", r["file_id"], None,
                r["description"])
    if _exists(store, "dump_drivers"):
        images = {}
        if _exists(store, "pe_images"):
            images = {str(r["name"]).lower(): r for r in store.query("SELECT name, company, file_version, product "
                                                                     "FROM pe_images WHERE name IS NOT NULL")}
        for r in store.query("SELECT file_id, name, path, microsoft FROM dump_drivers WHERE name IS NOT NULL"):
            image = images.get(str(r["name"]).lower())
            third = None if r["microsoft"] is None else (0 if r["microsoft"] else 1)
            add(r["name"], "driver", r["path"], image["company"] if image else None,
                image["file_version"] if image else None, "dump", r["file_id"], None, third=third)
    if rows:
        insert = ", ".join(("name", *COLUMNS[1:]))
        store.conn.executemany(f"INSERT INTO {TABLE} ({insert}) VALUES ({', '.join('?' * len(COLUMNS))})", rows)
        store.commit()
