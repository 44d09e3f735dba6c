"""What the three Procmon readers (PML, CSV export, XML export) share: tables, names, levels, process stats.

All three write the same detail tables, so the process tree (:mod:`workbench.core.processes`) and the views
read one shape whatever the engineer sent:

* ``procmon_events``: one compact row per event, joined to the timeline by ``(file_id, line)``; ``line`` is
  the event's index in the capture (PML) or its row number (CSV, XML). Stacks and full details are not
  stored: :func:`workbench.core.parsers.pml.read_event_details` reads them from the file on demand.
* ``procmon_processes``: one row per process, keyed by ``(file_id, process)`` where ``process`` is
  Procmon's process index (PML, XML) or an index we assign per (PID, start) (CSV): never by PID alone.
* ``procmon_modules``: the modules the PML process table / XML process list records per process.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from workbench.core.parsers.base import Mediator

EVENTS_DDL = """CREATE TABLE IF NOT EXISTS procmon_events (
    file_id INTEGER NOT NULL,
    line INTEGER NOT NULL,      -- event index (PML) or row number (CSV/XML)
    process INTEGER,            -- procmon_processes.process
    tid INTEGER,
    class TEXT,                 -- Process, Registry, File System, Profiling, Network, IPC
    operation TEXT,
    path TEXT,
    result TEXT,                -- SUCCESS, ACCESS DENIED, ... (hex when Procmon has no name)
    detail TEXT                 -- only what the tree needs (Process events); the rest is read on demand
)"""

PROCESSES_DDL = """CREATE TABLE IF NOT EXISTS procmon_processes (
    file_id INTEGER NOT NULL,
    process INTEGER NOT NULL,   -- Procmon's process index (PML/XML) or ours (CSV)
    pid INTEGER,
    parent_pid INTEGER,
    parent_process INTEGER,     -- the parent's process index when known (resolves PID reuse)
    basis TEXT,                 -- clock of start/end: 'utc' (PML, XML) or 'local' (CSV)
    start INTEGER,              -- µs
    end INTEGER,                -- µs; NULL while running at the end of the capture
    name TEXT,
    image TEXT,
    command_line TEXT,
    user TEXT,
    integrity TEXT,
    company TEXT,
    description TEXT,
    version TEXT,
    session INTEGER,
    is_64bit INTEGER,
    exit_status INTEGER,        -- u32 NTSTATUS / exit code from the Process Exit event
    exit_line INTEGER,
    first_line INTEGER,
    last_line INTEGER,
    n_process INTEGER NOT NULL DEFAULT 0,
    n_registry INTEGER NOT NULL DEFAULT 0,
    n_file INTEGER NOT NULL DEFAULT 0,
    n_network INTEGER NOT NULL DEFAULT 0,
    n_profiling INTEGER NOT NULL DEFAULT 0,
    n_other INTEGER NOT NULL DEFAULT 0
)"""

MODULES_DDL = """CREATE TABLE IF NOT EXISTS procmon_modules (
    file_id INTEGER NOT NULL,
    process INTEGER NOT NULL,
    base TEXT,                  -- hex: kernel addresses do not fit SQLite's signed 64-bit integers
    size INTEGER,
    path TEXT,
    company TEXT,
    description TEXT,
    version TEXT
)"""

TABLES: dict[str, str] = {
    "procmon_events": EVENTS_DDL,
    "procmon_processes": PROCESSES_DDL,
    "procmon_modules": MODULES_DDL,
}

#: Results that refuse a Setup process a file or key.
DENIALS = ("ACCESS DENIED", "SHARING VIOLATION")
#: The denial test as literal SQL on ``procmon_events e``: with the values written out (not bound) SQLite can
#: read only the denied rows of a process through the partial index ``procmon_events_denied``.
DENIED_SQL = "e.result IN (" + ", ".join(f"'{r}'" for r in DENIALS) + ")"
#: Made by the ingest with the table and kept up to date by the parse's inserts (5 M events: about 3 s more in
#: the inserts, against 8.6 s to build them afterwards), and by the analysis when a store lacks them. The views
#: read events by process and join them to the timeline by (file_id, line); the analysis reads a Setup process's
#: loads and a process's denials through the two small partial indexes, not each of its events (5 M events, 940
#: processes: 9 s -> 1 s).
INDEXES: tuple[str, ...] = (
    "CREATE INDEX IF NOT EXISTS procmon_events_process ON procmon_events(file_id, process)",
    "CREATE INDEX IF NOT EXISTS procmon_events_line ON procmon_events(file_id, line)",
    "CREATE INDEX IF NOT EXISTS procmon_events_loads ON procmon_events(file_id, process) "
    "WHERE operation = 'Load Image'",
    f"CREATE INDEX IF NOT EXISTS procmon_events_denied ON procmon_events(file_id, process) "
    f"WHERE {DENIED_SQL.replace('e.', '')}",
)

CLASS_NAMES = {0: "Unknown", 1: "Process", 2: "Registry", 3: "File System", 4: "Profiling", 5: "Network",
               6: "IPC"}
#: event class name -> the counter column of procmon_processes
COUNT_COLUMN = {"Process": 0, "Registry": 1, "File System": 2, "Network": 3, "Profiling": 4}

#: Results that mean another process or a policy got in Setup's way; raised to ``warning`` in the timeline.
WARNING_RESULTS = frozenset({"ACCESS DENIED", "SHARING VIOLATION", "PRIVILEGE NOT HELD", "FILE LOCKED WITH WRITERS",
                             "FILE LOCKED WITH ONLY READERS", "DELETE PENDING", "CANNOT DELETE"})


def class_of_operation(operation: str) -> str:
    """The event class of an operation name, for CSV exports without the ``Event Class`` column."""
    if operation.startswith("Reg"):
        return "Registry"
    if operation in ("Process Create", "Process Start", "Process Exit", "Thread Create", "Thread Exit",
                     "Load Image", "Process Defined", "Process Statistics", "System Statistics"):
        return "Process"
    if operation.endswith("Profiling"):
        return "Profiling"
    if operation.startswith(("TCP ", "UDP ")):
        return "Network"
    return "File System"


def level_of(klass: str, operation: str, result: str, exit_status: int | None = None) -> str:
    """Timeline level: most Procmon events are noise (verbose); process life events are info; denials and
    sharing violations are warnings; an abnormal exit (NTSTATUS error or warning) is an error."""
    if exit_status is not None and exit_status >= 0x80000000:
        return "error"
    if result in WARNING_RESULTS:
        return "warning"
    if klass == "Process" and operation != "Load Image" and not operation.startswith("Thread"):
        return "info"
    return "verbose"


def message_of(operation: str, path: str, result: str, detail: str | None = None) -> str:
    """The timeline message: operation, path and any non-success result (what an engineer searches for)."""
    text = f"{operation} {path}" if path else operation
    if result and result != "SUCCESS":
        text += f" → {result}"
    if detail:
        text += f" ({detail})"
    return text


def filetime_to_us(filetime: int) -> int | None:
    """FILETIME (100 ns since 1601, UTC) to µs since 1970; None for 0 (Procmon's "not yet")."""
    if not filetime:
        return None
    return (filetime - 116444736000000000) // 10


@dataclass
class ProcessRecord:
    """One process while a reader runs; written once at the end as a ``procmon_processes`` row."""

    process: int
    pid: int | None = None
    parent_pid: int | None = None
    parent_process: int | None = None
    basis: str = "utc"
    start: int | None = None
    end: int | None = None
    name: str = ""
    image: str = ""
    command_line: str = ""
    user: str = ""
    integrity: str = ""
    company: str = ""
    description: str = ""
    version: str = ""
    session: int | None = None
    is_64bit: int | None = None
    exit_status: int | None = None
    exit_line: int | None = None
    first_line: int | None = None
    last_line: int | None = None
    counts: list[int] = field(default_factory=lambda: [0, 0, 0, 0, 0, 0])
    modules: list[tuple[Any, ...]] = field(default_factory=list)

    def row(self, file_id: int) -> dict[str, Any]:
        c = self.counts
        return {
            "file_id": file_id, "process": self.process, "pid": self.pid, "parent_pid": self.parent_pid,
            "parent_process": self.parent_process, "basis": self.basis, "start": self.start, "end": self.end,
            "name": self.name, "image": self.image, "command_line": self.command_line, "user": self.user,
            "integrity": self.integrity, "company": self.company, "description": self.description,
            "version": self.version, "session": self.session, "is_64bit": self.is_64bit,
            "exit_status": self.exit_status, "exit_line": self.exit_line, "first_line": self.first_line,
            "last_line": self.last_line, "n_process": c[0], "n_registry": c[1], "n_file": c[2],
            "n_network": c[3], "n_profiling": c[4], "n_other": c[5],
        }


def write_processes(mediator: Mediator, records: list[ProcessRecord]) -> None:
    """Hand the processes and their modules to the mediator (after the events, so counts are complete)."""
    fid = mediator.file.id
    for rec in records:
        mediator.detail("procmon_processes", rec.row(fid))
        for base, size, path, company, description, version in rec.modules:
            mediator.detail("procmon_modules", {
                "file_id": fid, "process": rec.process,
                "base": base if isinstance(base, str) or base is None else f"0x{base:x}", "size": size, "path": path,
                "company": company, "description": description, "version": version})


def parse_exit_status(detail: str) -> int | None:
    """``Exit Status: -1073741819`` (signed, as Procmon prints it) to the u32 0xC0000005; None when absent."""
    key = "Exit Status:"
    at = detail.find(key)
    if at < 0:
        return None
    raw = detail[at + len(key):].split(",", 1)[0].strip().replace("\u00a0", "").replace(" ", "")
    try:
        value = int(raw, 16) if raw.lower().startswith("0x") else int(raw)
    except ValueError:
        return None
    return value & 0xFFFFFFFF
