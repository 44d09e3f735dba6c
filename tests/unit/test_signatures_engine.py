"""Loading (errors with file and line), compiling selections to SQL, and scanning a real case store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from workbench.core.signatures.engine import _Tables, scan, write_findings
from workbench.core.signatures.loader import load_signature
from workbench.core.signatures.packs import load_packs
from workbench.core.store import CaseStore

GOOD = """\
title: Test signature
id: test.good
status: test
level: high
description: a signature used by the tests
detection:
  failed:
    source: [setupact, setuperr]
    component: SP
    message|re: 'Operation failed: (?P<op>.+?)\\. Error: (?P<code>0x[0-9A-F]{8})'
  rollback:
    message|contains: Initiating rollback
  facts_code:
    table: facts
    name: upgrade.result_code
    value|startswith: '0xC19'
  condition: failed then rollback within 30m
details: "{failed.op} failed with {failed.code}; result {facts_code.value}"
remediation:
  en: do the thing
  zh: 做这件事
samples:
  positive: samples/good
"""


def write_sig(folder: Path, text: str, name: str = "sig.yml") -> Path:
    (folder / "signatures").mkdir(parents=True, exist_ok=True)
    (folder / "samples" / "good").mkdir(parents=True, exist_ok=True)
    path = folder / "signatures" / name
    path.write_text(text, "utf-8")
    return path


@pytest.mark.parametrize(("edit", "line", "words"), [
    (("level: high", "level: severe"), 4, "level 'severe' must be one of"),
    (("id: test.good", "id: Test Good"), 2, "id 'Test Good'"),
    (("    component: SP", "    component|wild: SP"), 9, "unknown modifier 'wild'"),
    (("    component: SP", "    colour: SP"), 9, "no column 'colour'"),
    (("(?P<code>0x[0-9A-F]{8})", "(?P<code>0x[0-9A-F]{8}"), 10, "not a valid regular expression"),
    (("failed then rollback within 30m", "failed then nothing"), 17, "'nothing', which is not a selection"),
    (("failed then rollback within 30m", "failed and (rollback"), 17, "missing ')'"),
    (("{failed.op}", "{failure.op}"), 18, "no selection 'failure'"),
    (("  positive: samples/good", "  positive: samples/missing"), 23, "does not exist"),
    (("description:", "descripton:"), 5, "unknown key 'descripton'"),
    (("status: test\n", "status: test\nstatus: stable\n"), 4, "appears twice"),
    (("  en: do the thing\n", ""), 19, "'remediation' must have 'en'"),
    (("    name: upgrade.result_code\n", "    name: [upgrade.result_code, {a: 1}]\n"), 15, "values must be text"),
])
def test_validation_errors_name_file_and_line(tmp_path: Path, edit: tuple[str, str], line: int,
                                              words: str) -> None:
    assert edit[0] in GOOD
    path = write_sig(tmp_path, GOOD.replace(edit[0], edit[1], 1))
    sig, errors = load_signature(path)
    assert sig is None
    assert any(e.line == line and words in e.message for e in errors), [str(e) for e in errors]
    assert all(e.file == path for e in errors)
    assert str(errors[0]).startswith(f"{path}:")


def test_yaml_syntax_error_and_missing_keys(tmp_path: Path) -> None:
    path = write_sig(tmp_path, "title: x\nid: [unclosed\n")
    _, errors = load_signature(path)
    assert errors and errors[0].line >= 2 and "not valid YAML" in errors[0].message
    path = write_sig(tmp_path, "title: only a title\n", "b.yml")
    _, errors = load_signature(path)
    missing = {e.message for e in errors}
    assert "missing required key 'detection'" in missing and "missing required key 'samples'" in missing


def test_a_bad_file_does_not_stop_the_others(tmp_path: Path) -> None:
    write_sig(tmp_path, GOOD, "a.yml")
    write_sig(tmp_path, GOOD.replace("level: high", "level: nope").replace("test.good", "test.bad"), "b.yml")
    packs = load_packs([tmp_path])
    assert list(packs.signatures) == ["test.good"]
    assert len(packs.errors) == 1 and packs.errors[0].file.name == "b.yml"


def make_store(tmp_path: Path) -> CaseStore:
    """A real case store with timeline rows, a fact and a detail table another parser would declare."""
    store = CaseStore.open(tmp_path / "case.sqlite")
    m = 60_000_000
    t0 = 1_700_000_000_000_000
    rows = [
        (t0, t0, "local", "setupact", 1, 10, "info", "MOUPG", "SetupHost Logging Begin"),
        (t0 + 1 * m, t0, "local", "setupact", 1, 11, "error", "SP",
         "Operation failed: Add [1] package C:\\x.cab. Error: 0x800F0922[gle=0x00000005]"),
        (t0 + 5 * m, t0, "local", "setupact", 1, 12, "info", "SP", "Initiating rollback/uninstall, phase = 0"),
        (t0 + 90 * m, t0, "local", "setupact", 1, 13, "info", "SP", "50% done 100_% literally"),
    ]
    store.insert_timeline(rows)
    store.insert_facts([("upgrade.result_code", "0xC1900101", 1, 11, t0 + 1 * m, "utc", "result line", 10)])
    store.conn.execute("CREATE TABLE setupapi_sections (file_id INTEGER, line INTEGER, title TEXT, "
                       "status TEXT, ended INTEGER)")
    store.conn.executemany("INSERT INTO setupapi_sections VALUES (?, ?, ?, ?, ?)", [
        (1, 12, "Device Install - PCI\\VEN_8086&DEV_8C4B", None, 0),
        (1, 10, "Device Install - USB\\ROOT_HUB30", "SUCCESS", 1),
    ])
    store.commit()
    return store


def test_scan_fills_details_ranks_and_writes_evidence(tmp_path: Path) -> None:
    pack = tmp_path / "pack"
    write_sig(pack, GOOD)
    sig = load_packs([pack]).signatures["test.good"]
    store = make_store(tmp_path)
    hits = scan(store, [sig])
    assert len(hits) == 1
    hit = hits[0]
    assert hit.details == "Add [1] package C:\\x.cab failed with 0x800F0922; result 0xC1900101"
    assert [r.line for r in hit.evidence] == [11, 12]
    assert 50 < hit.score < 100  # four minutes after the failure anchor (ten minutes would be 50)
    write_findings(store, hits)
    f = store.query("SELECT * FROM findings")[0]
    assert f["rule_id"] == "test.good" and f["severity"] == "high" and f["remediation"] == "do the thing"
    assert json.loads(f["data"])["remediation"]["zh"] == "做这件事"
    ev = store.query("SELECT file_id, line, text FROM evidence ORDER BY id")
    assert [(e["file_id"], e["line"]) for e in ev] == [(1, 11), (1, 12)]
    # the window is part of the condition: 3 minutes is too short
    sig2 = load_packs([pack]).signatures["test.good"]
    pack2 = tmp_path / "pack2"
    write_sig(pack2, GOOD.replace("within 30m", "within 3m"))
    sig2 = load_packs([pack2]).signatures["test.good"]
    assert scan(store, [sig2]) == []


def test_detail_table_selection_joins_the_timeline(tmp_path: Path) -> None:
    pack = tmp_path / "pack"
    write_sig(pack, GOOD.replace("""  condition: failed then rollback within 30m""", """  open_section:
    table: setupapi_sections
    ended: 0
    title|contains: PCI\\VEN_8086
  missing_table:
    table: evtx_records
    event_id: 41
  condition: open_section and not missing_table""").replace("{failed.op} failed with {failed.code}; result "
                                                           "{facts_code.value}", "hung in {open_section.title}"))
    sig = load_packs([pack]).signatures["test.good"]
    store = make_store(tmp_path)
    hits = scan(store, [sig])
    assert len(hits) == 1
    assert hits[0].details == "hung in Device Install - PCI\\VEN_8086&DEV_8C4B"
    assert hits[0].evidence[0].text == "Initiating rollback/uninstall, phase = 0"  # from the joined timeline row
    assert hits[0].evidence[0].ts is not None


def test_missing_detail_column_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    pack = tmp_path / "pack"
    write_sig(pack, GOOD.replace("  condition: failed then rollback within 30m", """  odd:
    table: setupapi_sections
    no_such_column: 1
  condition: odd or failed"""))
    sig = load_packs([pack]).signatures["test.good"]
    problems: list[str] = []
    hits = scan(make_store(tmp_path), [sig], problems)
    assert len(hits) == 1  # 'failed' still matched
    assert problems and "no_such_column" in problems[0] and "sig.yml" in problems[0]


def test_like_wildcards_in_values_are_literal(tmp_path: Path) -> None:
    pack = tmp_path / "pack"
    write_sig(pack, GOOD.replace("  condition: failed then rollback within 30m", """  pct:
    message|contains: 100_%
  pct_wrong:
    message|contains: 10__%
  condition: pct and not pct_wrong"""))
    sig = load_packs([pack]).signatures["test.good"]
    assert [h.signature.id for h in scan(make_store(tmp_path), [sig])] == ["test.good"]


def test_hundred_signatures_over_a_hundred_thousand_rows(tmp_path: Path) -> None:
    """100 distinct signatures over 100k timeline rows all find their rows. How fast is measured in
    ``bench/run --only signature_scan`` beside its baseline, not here, where other tests share the machine."""
    store = CaseStore.open(tmp_path / "big.sqlite")
    t0 = 1_700_000_000_000_000
    comps = ["SP", "MOUPG", "MIG", "DISM", "CONX", "PANTHR"]
    store.insert_timeline([
        (t0 + i * 1_000_000, t0, "local", "setupact", 1, i, "info" if i % 50 else "error", comps[i % 6],
         f"CSetupPlatform::Something({i}): operation {i % 977} finished with status 0x{i:08X} for object {i}")
        for i in range(100_000)
    ])
    store.conn.execute("INSERT INTO timeline_fts(timeline_fts) VALUES ('rebuild')")  # as finalize_timeline does
    store.commit()
    pack = tmp_path / "pack"
    for n in range(100):
        # three selections each: an exact phrase, a regex with a capture group, and a fact
        text = GOOD.replace("test.good", f"test.perf{n:03d}").replace("Initiating rollback", f"operation {n} finished")
        text = text.replace("Operation failed: (?P<op>.+?)\\. Error: (?P<code>0x[0-9A-F]{8})",
                            f"Something\\({n + 1000}\\): operation (?P<op>\\d+) finished with status (?P<code>0x[0-9A-F]{{8}})")
        text = text.replace("component: SP", "component: [SP, MOUPG, MIG, DISM, CONX, PANTHR]")
        write_sig(pack, text, f"s{n:03d}.yml")
    sigs = load_packs([pack]).ordered()
    assert len(sigs) == 100
    hits = scan(store, sigs)
    # 'Something(n+1000)' (minute 16+) is followed within 30 minutes by an 'operation n finished' row
    # only where one exists: n + 977k lands in (n+1000, n+2800] for n < 954 ... i.e. all 100 signatures
    assert len(hits) == 100
    assert hits[0].details.startswith(str((hits[0].evidence[0].line) % 977))


def test_fulltext_prefilter_gives_the_same_answer_as_a_scan(tmp_path: Path) -> None:
    """The FTS prefilter is an optimisation only: with and without the index the hits are identical."""
    pack = tmp_path / "pack"
    write_sig(pack, GOOD)
    write_sig(pack, GOOD.replace("test.good", "test.partial").replace("Initiating rollback", "nitiating"), "p.yml")
    by_id = load_packs([pack]).signatures
    sigs = [by_id["test.good"], by_id["test.partial"]]
    assert '"rollback"*' in (sigs[0].selections["rollback"].fts or "")
    assert sigs[1].selections["rollback"].fts is None  # no whole word: must scan
    store = make_store(tmp_path)
    assert _Tables(store.conn).fts_ready is False  # never built: the engine must scan
    without = [(h.signature.id, [r.key for r in h.evidence]) for h in scan(store, sigs)]
    store.conn.execute("INSERT INTO timeline_fts(timeline_fts) VALUES ('rebuild')")
    assert _Tables(store.conn).fts_ready is True
    query = _Tables(store.conn).fts_query(sigs[0].selections["failed"].fts_tree or ())
    assert query.count('"') == 2  # one term, the rarest, is sent to the index
    with_fts = [(h.signature.id, [r.key for r in h.evidence]) for h in scan(store, sigs)]
    assert without == with_fts and len(with_fts) == 2


def test_fulltext_terms_are_whole_words_only() -> None:
    from workbench.core.signatures.compiler import needle_terms, regex_terms

    assert needle_terms("Initiating rollback") == (("rollback", True),)  # 'Initiating' may end a longer word
    assert needle_terms("lwfmgr") is None  # one token, unbounded: only a scan is correct
    assert needle_terms(" \\lwfmgr.sys") == (("lwfmgr", False), ("sys", True))
    assert needle_terms("lwfmgr", left_bounded=True, right_bounded=True) == (("lwfmgr", False),)
    assert regex_terms(r"Crash (?P<code>0x[0-9A-F]{8}) detected", False) == (("0x", True), ("detected", True))
    assert regex_terms(r"\bGatedBlockId = \[(\d+)\]", False) == (("GatedBlockId", False),)
    assert regex_terms(r"\b0xC190020E\b", False) == (("0xC190020E", False),)
    assert regex_terms(r"(?:abc|def)ghi", False) is None  # a branch breaks the run; 'ghi' is unbounded


def test_regex_groups_win_over_columns_of_the_same_name(tmp_path: Path) -> None:
    pack = tmp_path / "pack"
    write_sig(pack, GOOD.replace("(?P<op>.+?)", "(?P<message>.+?)").replace("{failed.op}", "{failed.message}")
              .replace("(?P<code>", "(?P<id>").replace("{failed.code}", "{failed.id}"))
    sig = load_packs([pack]).signatures["test.good"]
    hit = scan(make_store(tmp_path), [sig])[0]
    assert hit.details == "Add [1] package C:\\x.cab failed with 0x800F0922; result 0xC1900101"
