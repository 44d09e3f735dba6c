"""Where the ingest makes its indexes: the parsers' detail indexes with their tables, before the first file is
read (kept up to date by the inserts); the timeline's in the rewrite that puts it in time order, none of them
while the parse inserts; a re-ingest starts without the old timeline's."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tests.cases import multi_file_case
from workbench.core.case import Case
from workbench.core.ingest import Ingest, Progress
from workbench.core.parsers.evtx import INDEXES as EVTX_INDEXES
from workbench.core.parsers.procmon_common import INDEXES as PROCMON_INDEXES
from workbench.core.store import schema as S


def _name(ddl: str) -> str:
    return ddl.split()[5]  # CREATE INDEX IF NOT EXISTS <name> ON ...


def _indexes(db: Path) -> dict[str, set[str]]:
    """Index names per table, read by a connection of its own (as a window reads while the ingest runs)."""
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        out: dict[str, set[str]] = {}
        for name, table in conn.execute("SELECT name, tbl_name FROM sqlite_master WHERE type = 'index' "
                                        "AND sql IS NOT NULL"):
            out.setdefault(table, set()).add(name)
        return out


def test_detail_indexes_come_with_their_tables_and_the_timeline_s_with_the_rewrite(tmp_path: Path) -> None:
    source = multi_file_case(tmp_path / "src", lines=600)
    case = Case.open(source, home=tmp_path / "home")
    seen: list[dict[str, set[str]]] = []

    def progress(p: Progress) -> None:
        if p.stage == "parse" and p.done >= 1 and not seen:
            seen.append(_indexes(case.store.path))

    try:
        Ingest(case, workers=0).run(progress=progress)
        assert seen, "no progress reported while the files were read"
        during = seen[0]
        assert {_name(d) for d in PROCMON_INDEXES} <= during.get("procmon_events", set())
        assert {_name(d) for d in EVTX_INDEXES} <= during.get("evtx_records", set())
        assert not during.get("timeline")  # the parse's inserts keep none of the timeline's up to date
        after = _indexes(case.store.path)
        assert after["timeline"] == {_name(d) for d in S.TIMELINE_INDEXES}
        assert case.store.scalar("PRAGMA integrity_check") == "ok"
        # a re-ingest empties the timeline and drops its indexes with it, until its own rewrite makes them
        case.store.reset_ingested(["procmon_events", "evtx_records"])
        assert not _indexes(case.store.path).get("timeline")
    finally:
        case.close()
