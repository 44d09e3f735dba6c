"""One true clock (issue 15): a Chinese machine's case read or inferred at +480, the crash on the timeline
once and within seconds on every source, other offsets (negative, half and quarter hours), no pairs at all,
the user's zone kept in the case, and Procmon exports dated and stored once."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.unit.clockcase import build_case, capture, crash_utc_us
from workbench.cli import main
from workbench.core.analysis import build_analysis
from workbench.core.attempt import failed_attempt
from workbench.core.case import Case
from workbench.core.clock_infer import Moment, infer_offset
from workbench.core.timeline import query_timeline

SECOND = 1_000_000


def _ingest(path: Path) -> Case:
    case = Case.open(path)
    case.ensure_ingested()
    return case


def _crash_rows(case: Case) -> dict[str, int]:
    """UTC time of the crash as each source saw it: setupact's MigHost line, Procmon's exit, WER's report."""
    out = {}
    for r in query_timeline(case.store):
        if r.source == "setupact" and "Parent process unexpectedly exited" in r.message:
            out["setupact"] = r.ts
        elif r.source == "procmon" and r.message.startswith("Process Exit") and r.component == "SetupHost.exe":
            out["procmon"] = r.ts
        elif r.source == "wer":
            out["wer"] = r.ts
    return out


def _jsonl(path: Path, capsys: pytest.CaptureFixture[str], *args: str) -> list[dict]:
    assert main(["timeline", str(path), "--format", "jsonl", *args]) == 0
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


@pytest.mark.parametrize("with_nfo", [True, False], ids=["nfo", "no-nfo"])
def test_the_chinese_case_is_on_one_clock(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                          with_nfo: bool) -> None:
    root = build_case(tmp_path / "case", 480, with_nfo=with_nfo)
    case = _ingest(root)
    a = build_analysis(case.store)
    s = a["system"]
    assert s["utc_offset_minutes"] == 480
    assert s["time_zone_basis"] == ("nfo" if with_nfo else "inferred")
    assert s["locale"] == "zh-CN" and s["os_version"] == "10.0.19042" and s["os_build"] == "19042"
    assert s["os_name"] and "Windows 10" in s["os_name"]
    assert s["clock"]["label"] == ("中国标准时间 (UTC+08:00)" if with_nfo else "UTC+08:00 (inferred)")
    inference = s["clock"]["inference"]
    assert inference["offset_minutes"] == 480 and inference["confidence"] == "high"
    assert len(inference["pairs"]) >= 2 and all(p["utc"]["file"] and p["local"]["file"] for p in inference["pairs"])
    names = {(x["kind"], x["name"]) for x in s["installed_software"] if x["third_party"]}
    assert ("module", "xsecHook64.dll") in names
    if with_nfo:
        assert ("driver", "xsecflt.sys") in names and s["installed_software"][0]["third_party"] is True
    # the crash line, the Procmon exit and the WER time fall within seconds of each other, at the real instant
    crash = _crash_rows(case)
    assert set(crash) == {"setupact", "procmon", "wer"}
    assert max(crash.values()) - min(crash.values()) <= 2 * SECOND
    assert abs(crash["wer"] - crash_utc_us()) < SECOND
    # the same in `workbench timeline --format jsonl`, and no row on 1 January 1970
    rows = _jsonl(root, capsys)
    assert rows and not any((r["time_utc"] or "").startswith("1970") or (r["time_local"] or "").startswith("1970")
                            for r in rows)
    seen = {r["source"]: r["time_utc"] for r in rows
            if "Parent process unexpectedly exited" in r["message"] or r["source"] == "wer"
            or (r["source"] == "procmon" and r["message"].startswith("Process Exit") and r["component"] == "SetupHost.exe")}
    assert set(seen) == {"setupact", "procmon", "wer"} and len({t[:16] for t in seen.values()}) == 1
    line = next(r for r in rows if "Parent process unexpectedly exited" in r["message"])
    assert line["time_local"].startswith("2024-03-12T10:41:31") and line["time_utc"].startswith("2024-03-12T02:41:31")
    # the capture's events and findings once, though the PML and its CSV export are both in the case
    procs, events = capture()
    assert sum(1 for r in rows if r["source"] == "procmon") == len(events)
    csv = case.store.query("SELECT reason, records FROM files WHERE path LIKE '%capture.CSV'")[0]
    assert "same Procmon capture" in csv["reason"] and csv["records"] == 0
    ids = [f["id"] for f in a["findings"]]
    assert len(ids) == len(set(ids))
    wer = next(f for f in a["findings"] if f["id"] == "wer.setup_process_crash")
    assert "xsecHook64.dll" in wer["title"] and "xsecHook64.dll" in (wer["title_zh"] or "")
    assert a["crash"]["bugcheck_code"] is None


@pytest.mark.parametrize("offset", [-480, 330, 345, 0, -210, 840])
def test_other_offsets_are_inferred(tmp_path: Path, offset: int) -> None:
    case = _ingest(build_case(tmp_path / "case", offset, with_nfo=False))
    s = build_analysis(case.store)["system"]
    assert (s["utc_offset_minutes"], s["time_zone_basis"]) == (offset, "inferred")
    crash = _crash_rows(case)
    assert max(crash.values()) - min(crash.values()) <= 2 * SECOND
    assert abs(crash["setupact"] - crash_utc_us()) <= 2 * SECOND


def test_no_pairs_no_zone_and_it_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = build_case(tmp_path / "case", 480, with_nfo=False, with_pml=False, with_csv=False, with_wer=False)
    case = _ingest(root)
    a = build_analysis(case.store)
    s = a["system"]
    assert s["utc_offset_minutes"] is None and s["time_zone_basis"] is None and s["time_zone"] is None
    times = [e["time"] for f in a["findings"] for e in f["evidence"] if e["time"]]
    assert times and not any(t.endswith("Z") for t in times)  # setupact's wall clock, never labelled UTC
    assert s["clock"]["label"] == "local, zone unknown" and s["clock"]["label_zh"] == "本地时间，时区未知"
    assert s["clock"]["inference"]["confidence"] == "none"
    rows = _jsonl(root, capsys)
    assert rows and all(r["time_utc"] is None and r["time_local"] for r in rows)  # never passed off as UTC
    assert main(["analyze", str(root)]) in (0, 1)
    assert "local, zone unknown" in capsys.readouterr().out


def test_a_stated_zone_wins_and_a_disagreeing_inference_is_shown(tmp_path: Path) -> None:
    # the NFO says Pacific, the moments say +08:00 (msinfo32 run on another machine, say): the NFO is the
    # clock, and the inferred reading stays beside it for the overview
    case = _ingest(build_case(tmp_path / "case", 480, nfo_zone="Pacific Standard Time"))
    s = build_analysis(case.store)["system"]
    assert (s["time_zone_basis"], s["utc_offset_minutes"]) == ("nfo", -480)
    offsets = next(d for d in s["disagreements"] if d["fact"] == "utc_offset_minutes")
    assert {v["value"] for v in offsets["values"]} == {"-480", "480"}


def test_the_users_zone_is_kept_in_the_case(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = build_case(tmp_path / "case", 480)

    def system(*args: str) -> dict:
        assert main(["analyze", str(root), "--json", *args]) in (0, 1)
        return json.loads(capsys.readouterr().out)["system"]

    assert system()["time_zone_basis"] == "nfo"
    s = system("--tz", "+05:30")
    assert (s["time_zone_basis"], s["utc_offset_minutes"], s["clock"]["label"]) == ("user", 330, "+05:30 (UTC+05:30)")
    assert system()["time_zone_basis"] == "user"  # kept: the next command without --tz still uses it
    rows = _jsonl(root, capsys)
    line = next(r for r in rows if "Parent process unexpectedly exited" in r["message"])
    assert line["time_utc"].startswith("2024-03-12T05:11:31")  # 10:41:31 read as +05:30
    s = system("--tz", "China Standard Time")
    assert (s["time_zone_basis"], s["utc_offset_minutes"]) == ("user", 480)
    assert system("--tz", "auto")["time_zone_basis"] == "nfo"
    assert main(["analyze", str(root), "--tz", "Mars/Olympus_Mons"]) == 2
    assert "not a time zone" in capsys.readouterr().err


def test_an_undated_export_alone_is_dated_from_the_setup_logs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = build_case(tmp_path / "case", 480, with_nfo=False, with_pml=False, with_wer=False)
    case = _ingest(root)
    dated = case.store.fact("procmon.dated_from")
    assert dated["value"] == "setup logs" and "2024-03-12" in dated["text"]
    rows = [r for r in _jsonl(root, capsys) if r["source"] == "procmon"]
    assert rows and all((r["time_local"] or "").startswith("2024-03-12T10:") for r in rows)


def test_the_attempt_and_an_old_deployment_log(tmp_path: Path) -> None:
    case = _ingest(build_case(tmp_path / "case", 480, with_deployment=True))
    role = case.store.query("SELECT role, notes FROM files WHERE path = 'Windows/Panther/setupact.log'")[0]
    assert role["role"] == "deployment" and "before the last Setup start" in role["notes"]
    span = failed_attempt(case.store)
    assert span is not None and span.end_reason in ("setup crash", "failure")
    assert span.start == crash_utc_us() - (11 * 60 + 30) * SECOND  # SetupHost Logging Begin, on the case clock
    assert span.end - crash_utc_us() < 5 * SECOND
    assert build_analysis(case.store)["system"]["time_zone_basis"] == "nfo"


def test_voting_prefers_what_most_pairs_say_and_a_tie_is_no_answer() -> None:
    hour = 3600 * SECOND
    utc = [Moment(100 * hour, "setup_start", 1, 1, "start"), Moment(101 * hour, "setup_exit", 1, 2, "exit")]
    local = [Moment(108 * hour + 5 * SECOND, "log_begin", 2, 1, "begin"),
             Moment(109 * hour - 30 * SECOND, "log_end", 2, 9, "end")]
    got = infer_offset(utc, local)
    assert (got.offset_minutes, len(got.pairs)) == (480, 2)
    # one more start whose log began at another offset: still +480, but less sure
    noisy = infer_offset(utc + [Moment(200 * hour, "setup_start", 1, 3, "s")],
                         local + [Moment(202 * hour, "log_begin", 2, 20, "b")])
    assert noisy.offset_minutes == 480 and noisy.candidates[120] < noisy.candidates[480]
    tie = infer_offset(utc[:1], [local[0], Moment(102 * hour + 5 * SECOND, "log_begin", 2, 5, "b")])
    assert tie.offset_minutes is None and tie.confidence == "none"
    assert infer_offset([], local).confidence == "none"


def test_loose_pairs_a_dump_and_a_boot_against_setups_lines_after_the_reboot() -> None:
    hour, minute = 3600 * SECOND, 60 * SECOND
    # the bugcheck (dump, UTC) and Setup's "Crash 0x... detected" minutes later, after the reboot, at -03:30
    dump = infer_offset([Moment(50 * hour, "dump_crash", 1, None, "dump")],
                        [Moment(50 * hour - 210 * minute + 4 * minute, "crash_detected", 2, 7, "Crash 0x7E detected")])
    assert (dump.offset_minutes, dump.confidence) == (-210, "low")
    boot = infer_offset([Moment(70 * hour, "boot", 3, 11, "6005")],
                        [Moment(70 * hour + 345 * minute + 2 * minute, "rollback_boot", 2, 9, "phase = 1")])
    assert (boot.offset_minutes, boot.confidence) == (345, "low")  # one loose pair: said to be a guess
