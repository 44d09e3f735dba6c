"""The per-case database layout. Bump :data:`SCHEMA_VERSION` whenever a table changes shape.

Times are integers: microseconds since 1970-01-01 UTC (``ts``), and the wall clock of the case time zone in
the same unit (``local``). ``basis`` says which of the two the source itself wrote ('local' for setup logs
and Procmon CSV, 'utc' for EVTX, PML and dumps), so a change of case time zone can recompute the other.

Detail rows of one source (EVTX fields, Procmon events, ...) live in tables the parser declares and are
joined to the timeline by ``(file_id, line)``, which stays stable when the timeline is re-sorted.
"""

from __future__ import annotations

import re

from workbench.core.store.fulltext import WIDE_ROWS

SCHEMA_VERSION = 2

TABLES: tuple[str, ...] = (
    """CREATE TABLE IF NOT EXISTS meta (
        key TEXT PRIMARY KEY,
        value TEXT
    )""",
    """CREATE TABLE IF NOT EXISTS files (
        id INTEGER PRIMARY KEY,
        path TEXT NOT NULL,            -- logical path; '::' joins an archive to a path inside it
        container TEXT NOT NULL DEFAULT '',  -- the archive it came from ('' for the case source itself)
        size INTEGER,
        compressed_size INTEGER,
        mtime TEXT,                    -- as the archive or file system gives it
        sha256 TEXT,
        kind TEXT,                     -- detected by content and path (workbench_identify)
        role TEXT,                     -- what the folder says about it: downlevel, rollback, oobe, ...
        status TEXT NOT NULL,          -- pending | parsed | partial | skipped | failed | expanded
        reason TEXT,                   -- why skipped or failed, one sentence
        parser TEXT,
        records INTEGER NOT NULL DEFAULT 0,
        blob TEXT,                     -- where the bytes are read from (inside the case folder, or in place)
        notes TEXT                     -- what cleaning the name did, etc.
    )""",
    """CREATE TABLE IF NOT EXISTS problems (
        id INTEGER PRIMARY KEY,
        file_id INTEGER,
        file TEXT NOT NULL,
        offset INTEGER,
        error TEXT NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS timeline (
        id INTEGER PRIMARY KEY,
        ts INTEGER,
        local INTEGER,
        basis TEXT NOT NULL,
        source TEXT NOT NULL,
        file_id INTEGER NOT NULL,
        line INTEGER,
        level TEXT,
        component TEXT,
        message TEXT
    )""",
    """CREATE TABLE IF NOT EXISTS facts (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,            -- dotted: system.os_build, upgrade.result_code, ...
        value TEXT,
        file_id INTEGER,
        line INTEGER,
        ts INTEGER,
        basis TEXT,                    -- 'utc' or 'local' (the clock ts was written in, before clocking)
        text TEXT,                     -- the evidence line the value was read from
        weight INTEGER NOT NULL DEFAULT 0  -- higher wins when sources disagree
    )""",
    """CREATE TABLE IF NOT EXISTS findings (
        id INTEGER PRIMARY KEY,
        rule_id TEXT NOT NULL,
        title TEXT NOT NULL,
        severity TEXT NOT NULL,
        summary TEXT,
        remediation TEXT,
        score REAL NOT NULL DEFAULT 0,
        ts INTEGER,
        data TEXT
    )""",
    """CREATE TABLE IF NOT EXISTS evidence (
        id INTEGER PRIMARY KEY,
        finding_id INTEGER NOT NULL,
        file_id INTEGER,
        line INTEGER,
        ts INTEGER,
        text TEXT
    )""",
)

#: Tables emptied when a case is ingested again. Notes are not in the case database at all
#: (core/store/notes_store.py): they outlive re-ingests.
INGESTED_TABLES: tuple[str, ...] = ("files", "problems", "timeline", "facts", "findings", "evidence")

TIMELINE_INDEXES: tuple[str, ...] = (
    "CREATE INDEX IF NOT EXISTS timeline_ts ON timeline(ts)",
    "CREATE INDEX IF NOT EXISTS timeline_file_line ON timeline(file_id, line)",
    "CREATE INDEX IF NOT EXISTS timeline_level ON timeline(level)",
    # the rows holding a character beyond ASCII (all with Chinese among them): a CJK search reads only these
    # (core/store/fulltext.py: its queries repeat WIDE_ROWS word for word, so the planner picks this index)
    f"CREATE INDEX IF NOT EXISTS timeline_wide ON timeline(id) WHERE {WIDE_ROWS}",
)

# columnsize=0: no per-row token counts (they only serve bm25 ranking, which the timeline never uses);
# halves the index build (measured 0.65 s vs 1.26 s for 300k rows) and keeps phrase queries.
#: The full-text index's columns and options, also those of the index built beside the database
#: (core/store/fulltext_side.py), whose shadow tables are copied into this one: the two must not differ.
FTS_COLUMNS = "message, component"
FTS_OPTIONS = "tokenize='unicode61', columnsize=0"
FTS = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS timeline_fts USING fts5("
    f"{FTS_COLUMNS}, content='timeline', content_rowid='id', {FTS_OPTIONS})"
)

OTHER_INDEXES: tuple[str, ...] = (
    "CREATE INDEX IF NOT EXISTS facts_name ON facts(name)",
    "CREATE INDEX IF NOT EXISTS evidence_finding ON evidence(finding_id)",
)


def index_name(ddl: str) -> str:
    """The name a ``CREATE INDEX IF NOT EXISTS name ON ...`` statement gives its index (the schema's indexes and
    the parsers' ``Parser.indexes`` are written in that form)."""
    match = re.match(r"CREATE INDEX IF NOT EXISTS (\w+) ON ", ddl)
    if match is None:
        raise ValueError(f"not an index statement of the schema's form: {ddl}")
    return match.group(1)
