"""A search before the full-text index is built answers what the index will answer (slower), never nothing.

The rows are committed while each file is read, and the index is built when they are sorted at the end of
the ingest; until then ``workbench timeline --search`` and the search pane read the rows through a temporary
index of the same kind (:mod:`workbench.core.search`).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.cases import multi_file_case
from workbench.core import search
from workbench.core.case import Case
from workbench.core.ingest import Ingest, Progress
from workbench.core.store import CaseStore
from workbench.core.timeline import query_timeline

QUERIES = ("error", "0x80070002", "setuphost*", '"operation failed"', "System", "lwfmgr OR vUserHCI",
           "error NOT setup*", "message : gather", "component : MOUPG AND item1*")


def _hits(store: CaseStore, text: str, **kw) -> list[tuple[int, str]]:
    return [(r.id, r.message) for r in query_timeline(store, text=text, **kw)]


def test_without_the_index_every_query_finds_what_the_index_finds(tmp_path: Path) -> None:
    case = Case.open(multi_file_case(tmp_path / "src", lines=3000), home=tmp_path / "home")
    try:
        case.ensure_ingested()
        store = case.store
        assert search.index_ready(store)
        with_index = {q: _hits(store, q) for q in QUERIES}
        limited = _hits(store, "gather", limit=7, level="info")
        assert sum(1 for q in QUERIES if with_index[q]) >= 6 and len(limited) == 7, {q: len(h) for q, h in with_index.items()}
        # as during an ingest: the index empty, the key saying it is being built
        store.conn.execute("INSERT INTO timeline_fts(timeline_fts) VALUES ('delete-all')")
        store.set_meta(search.META, search.BUILDING)
        assert not search.index_ready(store)
        assert not store.scalar("SELECT count(*) FROM timeline_fts WHERE timeline_fts MATCH 'error'")
        for query in QUERIES:
            assert _hits(store, query) == with_index[query], query
        assert _hits(store, "gather", limit=7, level="info") == limited
        with pytest.raises(sqlite3.OperationalError):
            _hits(store, '"unbalanced')
    finally:
        case.close()


def test_a_search_while_the_files_are_read_finds_the_rows_committed_so_far(tmp_path: Path) -> None:
    source = multi_file_case(tmp_path / "src", lines=100_000)
    case = Case.open(source, home=tmp_path / "home")
    seen: list[tuple[int, int]] = []

    def progress(p: Progress) -> None:
        if p.stage == "parse" and p.done >= 4 and p.file_done > 0 and not seen:
            reader = CaseStore.open(case.folder / "case.sqlite", readonly=True)  # as the window reads
            try:
                assert not search.index_ready(reader)
                hits = _hits(reader, "Operation", limit=50)
                rows = reader.scalar("SELECT count(*) FROM timeline WHERE message LIKE '%Operation %'")
                seen.append((len(hits), rows))
                assert all("operation" in m.lower() for _, m in hits)
            finally:
                reader.close()

    try:
        Ingest(case, workers=1).run(progress)
        assert seen and seen[0][0] == min(50, seen[0][1]) > 0
        assert search.index_ready(case.store)
    finally:
        case.close()
