"""Chinese words are found inside timeline rows (review of issue 16: 蓝屏/回滚/重启 inside "…第二次重启蓝屏后
回滚。" gave 0 hits, since FTS5's unicode61 makes a run of CJK one token): a CJK term is a substring match,
with the same answers as a plain substring scan, in every place the case is searched; Latin queries go to
the index unchanged."""

from __future__ import annotations

import sqlite3

import pytest

from tests.cases import BOM, DESCRIPTION_ZH
from workbench.core.case import Case
from workbench.core.store.fulltext import QuerySyntaxError, has_cjk, match_sql
from workbench.core.store.schema import TIMELINE_INDEXES
from workbench.core.timeline import query_timeline

LINES = [
    "2026-11-02 06:00:00, Info                  MOUPG  SetupHost::Initialize: CmdLine = [/Install /Media]",
    "2026-11-02 06:00:01, Info                  SP     用户备注：第二次重启蓝屏后回滚。",
    "2026-11-02 06:00:02, Info                  SP     Win11升级蓝屏 0xC1900101",
    "2026-11-02 06:00:03, Warning               MIG    C:\\Users\\张伟\\AppData\\Local\\回滚日志.txt gathered",
    "2026-11-02 06:00:04, Error                 MOUPG  SetupHost: Reporting post reboot event -> [0xC1900101, 0x40017]",
    "2026-11-02 06:00:05, Info                  SP     重启完成",
]


@pytest.fixture(scope="module")
def case(tmp_path_factory: pytest.TempPathFactory) -> Case:
    root = tmp_path_factory.mktemp("cjk")
    src = root / "case"
    panther = src / "$WINDOWS.~BT" / "Sources" / "Panther"
    panther.mkdir(parents=True)
    (panther / "setupact.log").write_bytes(BOM + "\r\n".join(LINES).encode("utf-8") + b"\r\n")
    (src / "说明.txt").write_bytes(DESCRIPTION_ZH.encode("gbk"))
    c = Case.open(src, home=root / "home")
    c.ensure_ingested()
    return c


def _ids(case: Case, query: str) -> set[int]:
    sql, params = match_sql(query)
    return {r[0] for r in case.store.conn.execute(sql, params)}


def _substring(case: Case, word: str) -> set[int]:
    """The plain answer: every row whose message or component holds ``word``."""
    return {r[0] for r in case.store.conn.execute("SELECT id, message, component FROM timeline")
            if word.lower() in (r[1] or "").lower() or word.lower() in (r[2] or "").lower()}


@pytest.mark.parametrize("word", ["蓝屏", "回滚", "重启", "升级蓝屏", "张伟", "Win11升级", "第二次重启蓝屏后回滚", "客户"])
def test_a_chinese_word_is_a_substring_match(case: Case, word: str) -> None:
    expected = _substring(case, word)
    assert expected, f"the test case holds {word}"
    assert _ids(case, word) == expected
    assert _ids(case, f'"{word}"*') == expected  # the table filters' shape: a quoted prefix term
    assert _ids(case, f"{word}*") == expected  # a prefix adds nothing to a substring


def test_chinese_and_latin_combine_as_fts_does(case: Case) -> None:
    code = {r[0] for r in case.store.conn.execute(
        "SELECT rowid FROM timeline_fts WHERE timeline_fts MATCH '0xC1900101'")}
    blue = _substring(case, "蓝屏")
    assert _ids(case, "蓝屏 0xC1900101") == blue & code != set()
    assert _ids(case, "蓝屏 AND 0xC1900101") == blue & code
    assert _ids(case, "蓝屏 OR 0xC1900101") == blue | code
    assert _ids(case, "0xC1900101 NOT 蓝屏") == code - blue != set()
    assert _ids(case, "(回滚 OR 重启) NOT 蓝屏") == (_substring(case, "回滚") | _substring(case, "重启")) - blue


def test_latin_queries_go_to_the_index_unchanged() -> None:
    assert match_sql("0xC1900101 AND NOT") == ("SELECT rowid FROM timeline_fts WHERE timeline_fts MATCH ?",
                                               ["0xC1900101 AND NOT"])
    assert not has_cjk("Reporting post reboot") and has_cjk("蓝屏") and has_cjk("ｗｉｎ")
    with pytest.raises(QuerySyntaxError):
        match_sql('"蓝屏')
    with pytest.raises(sqlite3.OperationalError):  # one kind of error for every bad query
        match_sql("NEAR(蓝屏 回滚)")


def test_the_cli_and_the_plan(case: Case) -> None:
    rows = list(query_timeline(case.store, text="回滚"))
    assert {r.id for r in rows} == _substring(case, "回滚") and len(rows) >= 2
    # only the rows beyond ASCII are read for a CJK term (the partial index), not the whole timeline
    sql, params = match_sql("蓝屏")
    plan = " ".join(str(r[-1]) for r in case.store.conn.execute("EXPLAIN QUERY PLAN " + sql, params))
    assert "timeline_wide" in plan


def test_a_case_from_before_the_wide_index_still_answers(case: Case) -> None:
    case.store.conn.execute("DROP INDEX IF EXISTS timeline_wide")
    try:
        assert _ids(case, "蓝屏") == _substring(case, "蓝屏")
    finally:
        case.store.conn.execute(next(ddl for ddl in TIMELINE_INDEXES if "timeline_wide" in ddl))


def test_chinese_terms_while_the_index_is_built_answer_as_the_index_will(tmp_path_factory: pytest.TempPathFactory) -> None:
    """The search that reads rows through a temporary table before the index exists (core/search.py) takes
    CJK terms apart the same way: 蓝屏 during the ingest finds what it finds after."""
    from workbench.core import search

    root = tmp_path_factory.mktemp("cjk-building")
    src = root / "case"
    panther = src / "$WINDOWS.~BT" / "Sources" / "Panther"
    panther.mkdir(parents=True)
    (panther / "setupact.log").write_bytes(BOM + "\r\n".join(LINES).encode("utf-8") + b"\r\n")
    c = Case.open(src, home=root / "home")
    try:
        c.ensure_ingested()
        queries = ["蓝屏", "蓝屏 0xC1900101", "(回滚 OR 重启) NOT 蓝屏", "Win11升级*", "SetupHost"]
        indexed = {q: [r.id for r in query_timeline(c.store, text=q)] for q in queries}
        assert all(indexed[q] for q in queries), indexed
        c.store.conn.execute("INSERT INTO timeline_fts(timeline_fts) VALUES ('delete-all')")
        c.store.set_meta(search.META, search.BUILDING)
        assert not search.index_ready(c.store)
        for q in queries:
            assert [r.id for r in query_timeline(c.store, text=q)] == indexed[q], q
    finally:
        c.close()
