"""The summary read as the brief's engineer reads it (BRIEF.md §4): one finding per cause, the clock named as
it is, no failure moment for logs that are not the upgrade's, another day's findings below this failure's,
a build the system information and the setup logs disagree on, evidence rendered line by line in every format.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path

from tests.archives import make_zip
from tests.unit.test_verdict import (
    BT,
    NOW,
    WINDBG_KV,
    _analyse,
    _log,
    _nfo,
    english_sentences,
    machine_a_files,
    machine_b_files,
)
from workbench.core.case import Case
from workbench.core.report.render import evidence_line, render_summary, where
from workbench.core.report.summary import build_summary
from workbench.core.verdict.rank import OTHER_DAY_US, rank_findings


def _summary(case: Case, lang: str = "en") -> dict:
    return build_summary(case.store, lang=lang, now=NOW)


def test_one_crash_is_one_finding_in_the_summary(tmp_path: Path) -> None:
    """Machine A: the crash finding and the signature read off the same stack are one finding, the signature
    named under it; the analysis JSON lists the one finding with the signature under ``also``."""
    case, a = _analyse(tmp_path, machine_a_files(windbg=WINDBG_KV))
    ids = [f["id"] for f in a["findings"]]
    assert ids.count("crash.upgrade_bugcheck") == 1 and "beyond.boot_filter_driver_on_bugcheck_stack" not in ids
    assert "beyond.boot_filter_driver_on_bugcheck_stack" in [x["id"] for x in a["findings"][0]["also"]]
    s = _summary(case)
    shown = [f["rule_id"] for f in s["findings"]]
    assert shown.count("crash.upgrade_bugcheck") == 1 and "beyond.boot_filter_driver_on_bugcheck_stack" not in shown
    crash = s["findings"][0]
    assert crash["rule_id"] == "crash.upgrade_bugcheck"
    assert "beyond.boot_filter_driver_on_bugcheck_stack" in [f["rule_id"] for f in crash["folded"]]
    md = render_summary(s, "md")
    assert "*Also reported as: A third-party filter driver crashed the new Windows" in md
    zh = render_summary(_summary(case, "zh"), "md")
    assert "同一原因的其他发现：新 Windows 加载启动驱动程序时" in zh and english_sentences(zh) == []
    # the signature's lines are the frames it matched, by name
    assert "ndis.sys!NdisFDeregisterFilterDriver+0x47" in [e["text"] for e in crash["evidence"]]
    assert "symbol=" not in md and "culprit=1" not in md


def test_the_failure_restated_is_folded_into_the_failure(tmp_path: Path) -> None:
    src = make_zip(tmp_path / "c.zip", {BT + "Panther/setupact.log": _log(datetime(2022, 7, 6, 8, 0, 0), [
        (0, "Info", "MOUPG", "SetupHost::Initialize: CmdLine                = [/Install /Media]"),
        (5, "Info", "SP", "Setup360 tracing: CSetupDiagnostics: Tracing Data [DWORD] -> [Setup360Extended]=[0x50013]"),
        (6, "Error", "MOUPG", "SetupHost: Reporting error event -> [0x80070032, 0x50013]")])})
    case = Case.open(src)
    case.ensure_ingested()
    s = _summary(case)
    failure = next(f for f in s["findings"] if f["rule_id"] == "upgrade.failure")
    shown = [f["rule_id"] for f in s["findings"]]
    folded = [f["rule_id"] for f in failure["folded"]]
    assert "setupdiag.find_setup_host_reported_failure" in folded and \
        "setupdiag.find_setup_host_reported_failure" not in shown
    assert "phase 1" in failure["summary"] and "DOWNLEVEL" not in failure["summary"]
    assert "第一阶段" in next(f for f in _summary(case, "zh")["findings"] if f["rule_id"] == "upgrade.failure")["summary"]


def test_logs_that_are_not_the_upgrade_have_no_failure_moment(tmp_path: Path) -> None:
    log = _log(datetime(2016, 4, 2, 9, 0, 0), [
        (0, "Info", "IBS", "Build version is 6.1.7601.17514 (win7sp1_rtm.101119-1850)"),
        (3, "Error", "IBS", "Callback_Something failed with 0x80070490")])
    case, a = _analyse(tmp_path, {"Windows/Panther/setupact.log": log})
    assert a["verdict"]["state"] == "not_an_upgrade"
    s = _summary(case)
    assert s["failure_time"] is None and s["timeline"] == []
    md = render_summary(s, "md")
    assert "Failure time" not in md and "Windows 7 (6.1)" in md
    assert "1. The setup logs were written by Windows 7 (6.1) setup" in md  # a sentence, capitalised, ended
    # no zone known: the times are each log's own wall clock, said so (never "UTC assumed")
    assert "(local, zone unknown)" in md and "UTC assumed" not in md
    assert "（本地时间，时区未知）" in render_summary(_summary(case, "zh"), "md")


def test_another_days_finding_ranks_below_this_failures() -> None:
    conn = sqlite3.connect(":memory:")
    conn.row_factory = sqlite3.Row
    conn.execute("CREATE TABLE f (id, rule_id, title, summary, ts)")
    day = 86_400 * 1_000_000
    start, end = 1_000 * day, 1_000 * day + 3_600 * 1_000_000
    conn.executemany("INSERT INTO f VALUES (?, ?, ?, ?, ?)", [
        (1, "wer.setup_process_crash", "TiWorker.exe crashed", "", start - 200 * day),  # seven months before
        (2, "setupdiag.dism_image_session_failure", "DISM failed", "", start + 60),
        (3, "procmon.setup_access_denied", "noise", "", start + 90),
        (4, "wer.setup_process_crash", "SetupHost.exe crashed", "", start - OTHER_DAY_US // 2),  # same day: kept
    ])
    rows = conn.execute("SELECT * FROM f ORDER BY id").fetchall()
    ranked = [r["id"] for r in rank_findings(rows, [], (start, end))]
    assert ranked == [2, 4, 3, 1]
    assert [r["id"] for r in rank_findings(rows, [])] == [1, 2, 4, 3]  # no attempt known: as scored


def test_system_information_of_another_build_is_told(tmp_path: Path) -> None:
    files = machine_b_files(tmp_path)
    files["SYSSUM.NFO"] = _nfo("Microsoft Windows 10 Enterprise", "10.0.19042 Build 19042", "PC-B")
    _case, a = _analyse(tmp_path, files)
    step = next(s for s in a["verdict"]["reasoning"] if "system information says build 19042" in s["step"])
    assert "ran on build 17763" in step["step"] and "系统信息显示版本 19042" in step["step_zh"]
    assert {e["file"] for e in step["evidence"]} == {"SYSSUM.NFO", BT + "Panther/setupact.log"}
    (tmp_path / "same").mkdir()
    _case, a = _analyse(tmp_path / "same", machine_b_files(tmp_path))  # 17763 in both: nothing said
    assert not any("system information says" in s["step"] for s in a["verdict"]["reasoning"])


def test_a_crash_without_setup_logs_still_gets_its_fix(tmp_path: Path) -> None:
    """The engineer's kv alone: incomplete, but the culprit's fix is given, and what to collect asks for the
    boot-time Procmon and the dumps, not a down-level capture or WER (a blue screen is no process crash)."""
    _case, a = _analyse(tmp_path, {"analysis/setupmem_kv.txt": WINDBG_KV.encode("ascii")})
    v = a["verdict"]
    assert v["state"] == "incomplete" and v["culprit"]["module"].lower() == "lwfmgr.sys"
    assert "lwfmgr.sys" in v["next_steps"][0] and "Retry the upgrade after" not in " ".join(v["next_steps"])
    assert v["collect"] and "procmon_boot" in v["collect"] and "dumps" in v["collect"]
    assert "procmon" not in v["collect"] and "wer" not in v["collect"]


def test_multi_line_evidence_in_every_format(tmp_path: Path) -> None:
    case, _a = _analyse(tmp_path, {"analysis/setupmem_kv.txt": WINDBG_KV.encode("ascii")})
    for lang in ("en", "zh"):
        s = _summary(case, lang)
        txt, md, html = (render_summary(s, f) for f in ("txt", "md", "html"))
        for text in (txt, md):
            assert ":-" not in text and "\\x0a" not in text
            lines = text.splitlines()
            at = next(i for i, ln in enumerate(lines) if ln.strip() == "ndis!NdisFDeregisterFilterDriver+0x47")
            assert lines[at - 1].strip() == "analysis/setupmem_kv.txt" and lines[at + 1].strip() == "lwfmgr+0x5167"
        assert ">-<" not in html and ":-<" not in html
        assert "analysis/setupmem_kv.txt</td>" in html and "ndis!NdisFDeregisterFilterDriver+0x47\nlwfmgr+0x5167" in html
    assert where({"name": "Rollback/setupact.log", "line": 5}) == "Rollback/setupact.log:5"
    assert where({"name": "setupmem.dmp", "line": None}) == "setupmem.dmp" and where({"line": None}) == ""
    assert evidence_line({"time": None, "name": "k.txt", "line": None, "text": "a\nb"}, 2) == "k.txt\n  a\n  b"
    assert evidence_line({"time": "2024-01-01 10:00:00", "name": "s.log", "line": 3, "text": "x"}) == \
        "2024-01-01 10:00:00  s.log:3  x"
