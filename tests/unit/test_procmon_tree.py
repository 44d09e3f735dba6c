"""The process tree and the interference findings: PML, CSV and XML of one capture give one tree."""

from __future__ import annotations

import json
import zlib
from pathlib import Path

import pytest

from tests.conftest import fixture_file
from tests.unit.procmon_scenario import at, upgrade_scenario
from workbench.core.case import Case
from workbench.core.processes import ProcessNode, process_tree, walk
from workbench.writers.procmon import write_csv, write_pml


def _case(path: Path) -> Case:
    case = Case.open(path)
    case.ensure_ingested()
    return case


def shape(roots: list[ProcessNode]) -> set[tuple]:
    """The tree as (pid, name, parent pid, parent name) per process; orphans have no parent; PID reuse shows
    as two entries (different start times) whose parent identity is compared, never the PID alone."""
    out = set()

    def visit(n: ProcessNode, parent: ProcessNode | None) -> None:
        if n.process != -1 and sum(n.counts.values()):  # an export only knows processes that have rows
            real = parent if parent is not None and parent.process != -1 else None
            out.add((n.pid, n.name.lower(), real.pid if real else None, real.name.lower() if real else None,
                     n.image.lower() if n.image else None))
        for c in n.children:
            visit(c, n)

    for r in roots:
        visit(r, None)
    return out


def test_pml_and_csv_of_the_same_capture_give_the_same_tree(tmp_path: Path) -> None:
    procs, events = upgrade_scenario()
    pml = _case(write_pml(tmp_path / "cap.pml", procs, events))
    cols = ("Time of Day", "Process Name", "PID", "Operation", "Path", "Result", "Detail", "Parent PID",
            "Image Path", "Date & Time")
    csv = _case(write_csv(tmp_path / "cap.csv", procs, events, columns=cols))
    a, b = process_tree(pml.store), process_tree(csv.store)
    assert shape(a) == shape(b)
    assert len(shape(a)) == 9  # System has no events in this capture
    # PID 7000 twice: two dismhost processes, both under SetupHost, with different images
    dism = [n for _d, n in walk(a) if n.name == "dismhost.exe"]
    assert len(dism) == 2 and {n.image for n in dism} == {"C:\\Temp\\D1\\dismhost.exe", "C:\\Temp\\D2\\dismhost.exe"}


def test_nodes_marks_orphans_and_exit_codes(tmp_path: Path) -> None:
    procs, events = upgrade_scenario()
    roots = process_tree(_case(write_pml(tmp_path / "cap.pml", procs, events)).store)
    by_name = {n.name: n for _d, n in walk(roots)}
    unknown = by_name["unknown parent"]
    assert {c.name for c in unknown.children} == {"explorer.exe", "ctagent.exe"}
    assert [c.name for c in by_name["SetupHost.exe"].children] == ["dismhost.exe", "mighost.exe", "dismhost.exe"]
    assert by_name["conhost.exe"].setup  # under dismhost
    assert not by_name["explorer.exe"].setup and not by_name["explorer.exe"].third_party
    agent = by_name["ctagent.exe"]
    assert agent.third_party and not agent.setup and agent.counts["file"] == 2
    d = [n for _d, n in walk(roots) if n.name == "dismhost.exe" and n.exit_status][0].as_dict()
    assert d["exit_status"] == "0xC0000005" and "abnormal-exit" in d["marks"] and d["lifetime_s"] == 15.0
    assert d["start"] == "2024-06-10T06:13:25Z" and d["clock"] == "utc"
    assert by_name["SetupHost.exe"].as_dict()["exit_status"] == "0x8007001F"


def test_interference_findings_with_evidence(tmp_path: Path) -> None:
    procs, events = upgrade_scenario()
    store = _case(write_pml(tmp_path / "cap.pml", procs, events)).store
    found = {}
    for f in store.query("SELECT * FROM findings WHERE rule_id LIKE 'procmon.%' ORDER BY id"):
        ev = [r["text"] for r in store.query("SELECT text FROM evidence WHERE finding_id = ?", (f["id"],))]
        found.setdefault(f["rule_id"], []).append((f["title"], f["severity"], ev, json.loads(f["data"])))
    (title, sev, ev, data), = found["procmon.third_party_module_in_setup"]
    assert "SetupHost.exe" in title and sev == "high"
    assert data["modules"] == [{"path": "C:\\Program Files\\Contoso\\cthook64.dll", "company": "Contoso Ltd."}]
    assert ev and "Load Image C:\\Program Files\\Contoso\\cthook64.dll" in ev[0]
    (title, sev, ev, data), = found["procmon.third_party_touches_setup"]
    assert "ctagent.exe" in title and data["events"] == 2 and sev == "high"
    assert data["refused_to_setup"] == ["C:\\$WINDOWS.~BT\\Sources\\SafeOS\\winre.wim"]
    assert ev[0].startswith("dismhost.exe: CreateFile") and ev[0].endswith("SHARING VIOLATION")
    assert all("$WINDOWS.~BT" in e for e in ev)
    denied = {t for t, *_ in found["procmon.setup_access_denied"]}
    assert any("dismhost.exe" in t and "SHARING VIOLATION" in t and "ACCESS DENIED" in t for t in denied)
    exits = {t: (s, e) for t, s, e, _d in found["procmon.setup_abnormal_exit"]}
    sev, ev = exits["dismhost.exe exited with 0xC0000005"]
    assert sev == "high"
    assert ev[0].startswith("dismhost.exe: Process Exit")
    # the seconds before the crash: the agent reading install.wim, dismhost denied on the agent's driver
    assert any("ctflt.sys → ACCESS DENIED" in e for e in ev) and any("install.wim" in e for e in ev)
    assert exits["SetupHost.exe exited with 0x8007001F"][0] == "medium"
    assert "dismhost.exe exited with 0x00000000" not in exits


def test_interference_findings_are_the_same_whichever_way_the_failing_moment_is_read(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The denials at a Setup crash are counted from the window's timeline rows when the window is quiet and
    from the processes' events otherwise (issue 20): the same findings, severities and evidence either way.
    The upgrade scenario puts a third-party clash and Setup denials in the seconds before dismhost's crash."""
    from workbench.core import processes

    procs, events = upgrade_scenario()
    store = _case(write_pml(tmp_path / "cap.pml", procs, events)).store
    nodes = {n.key: n for n in processes.load_processes(store)}
    setup = [n for n in nodes.values() if n.setup]
    exits = processes._crash_exits(store, setup)
    assert exits
    counts, found = {}, {}
    for rows in (20_000, 0):  # 0: every window counts as busy, the processes' events are read
        monkeypatch.setattr(processes, "WINDOW_ROWS", rows)
        counts[rows] = [processes._denied_at_failure(store, n.file_id, "e.process = ?", (n.process,), exits)
                        for n in setup]
        found[rows] = json.dumps(processes.analyze(store), sort_keys=True, default=str)
    assert any(counts[0]) and counts[0] == counts[20_000]
    assert found[0] == found[20_000] and "procmon.third_party_touches_setup" in found[0]


def test_every_captures_setup_processes_as_one_list_give_the_findings_of_an_or(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two captures (an hour apart, one case): the Setup processes of both, asked as one row-value IN list
    (issue 20), give the findings and evidence the OR of every pair gave, word for word."""
    from workbench.core import processes
    from workbench.writers.procmon import Ev

    procs, events = upgrade_scenario()
    folder = tmp_path / "logs"
    folder.mkdir()
    write_pml(folder / "a.pml", procs, events)
    write_pml(folder / "b.pml", procs, [Ev(**{**ev.__dict__, "time": ev.time + 36_000_000_000}) for ev in events])
    store = _case(folder).store
    assert store.scalar("SELECT count(DISTINCT file_id) FROM procmon_processes") == 2
    setup = [n.key for n in processes.load_processes(store) if n.setup]
    assert "IN (VALUES" in processes._keys_sql(setup)
    listed = processes.analyze(store)

    def or_of_pairs(keys, file_id=None):  # the form before issue 20
        pairs = sorted({k for k in keys if file_id is None or k[0] == file_id})
        return "(" + " OR ".join(f"(e.file_id = {f} AND e.process = {p})" for f, p in pairs) + ")" if pairs else "0"

    monkeypatch.setattr(processes, "_keys_sql", or_of_pairs)
    assert "IN (VALUES" not in or_of_pairs([(1, 2), (3, 4)])
    assert json.dumps(listed, sort_keys=True, default=str) == json.dumps(processes.analyze(store), sort_keys=True,
                                                                         default=str)
    assert any(f["rule_id"] == "procmon.setup_access_denied" for f in listed)


def test_processes_command_prints_the_tree(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from workbench.cli import main

    procs, events = upgrade_scenario()
    path = write_pml(tmp_path / "cap.pml", procs, events)
    assert main(["processes", str(path), "-q", "--json"]) == 0
    tree = json.loads(capsys.readouterr().out)
    system, unknown = tree
    assert system["name"] == "System" and unknown["name"] == "unknown parent"
    explorer = [c for c in unknown["children"] if c["name"] == "explorer.exe"][0]
    setup = explorer["children"][0]
    assert (setup["name"], setup["exit_status"], setup["marks"]) == ("setup.exe", "0x8007001F",
                                                                      ["setup", "abnormal-exit"])
    assert setup["command_line"] == '"D:\\setup.exe" /auto upgrade'
    assert main(["processes", str(path), "-q"]) == 0
    text = capsys.readouterr().out
    assert "      SetupHost.exe pid=6412 parent=6200" in text and "exit=0xC0000005" in text


@pytest.mark.fixtures
@pytest.mark.parametrize("pml,csv", [
    ("procmon-parser-decompressed/LogFileUTC64Process.PML", "procmon-parser-decompressed/LogFileUTC64Process.CSV"),
    ("procmon-parser/CompressedLogfileTests32bitUTCPML", "procmon-parser/CompressedLogfileTests32bitUTCCSV"),
])
def test_real_pml_and_csv_give_the_same_tree(shared_fixtures: Path, tmp_path: Path, pml: str, csv: str) -> None:
    paths = []
    for rel, ext in ((pml, "PML"), (csv, "CSV")):
        src = fixture_file(shared_fixtures, f"procmon/{rel}")
        data = src.read_bytes()
        if rel.startswith("procmon-parser/"):
            data = zlib.decompress(data)
        out = tmp_path / f"Logfile.{ext}"
        out.write_bytes(data)
        paths.append(out)
    a = shape(process_tree(_case(paths[0]).store))
    b = shape(process_tree(_case(paths[1]).store))
    assert a == b
    assert len(a) > 10


@pytest.mark.fixtures
@pytest.mark.parametrize("arch", ["x64", "x86"])
def test_synthetic_upgrade_capture_matches_its_expected_json(shared_fixtures: Path, arch: str) -> None:
    base = f"procmon/synthetic/synthetic_upgrade_{arch}"
    expected = json.loads(fixture_file(shared_fixtures, base + ".expected.json").read_text("utf-8"))
    store = _case(fixture_file(shared_fixtures, base + ".pml")).store
    procs = store.query("SELECT * FROM procmon_processes ORDER BY process")
    got = [{"pid": r["pid"], "parent_pid": r["parent_pid"], "name": r["name"], "image_path": r["image"],
            "command_line": r["command_line"], "company": r["company"], "description": r["description"],
            "user": r["user"], "integrity": r["integrity"],
            "start_filetime": r["start"] * 10 + 116444736000000000 if r["start"] else 0,
            "end_filetime": r["end"] * 10 + 116444736000000000 if r["end"] else 0,
            "is_64bit": bool(r["is_64bit"])} for r in procs]
    assert got == expected["processes"]
    rows = store.query("SELECT e.*, t.ts, p.pid, p.name FROM procmon_events e JOIN timeline t "
                       "ON t.file_id = e.file_id AND t.line = e.line JOIN procmon_processes p "
                       "ON p.file_id = e.file_id AND p.process = e.process ORDER BY e.line")
    assert len(rows) == expected["event_count"] == 30
    for r, e in zip(rows, expected["events"], strict=True):
        assert (r["name"], str(r["pid"]), r["operation"], r["result"], r["path"], r["class"]) == \
            (e["Process Name"], e["PID"], e["Operation"], e["Result"], e["Path"], e["Event Class"])
        assert r["ts"] == (e["date_filetime"] - 116444736000000000) // 10
        if r["detail"] is not None:  # the compact detail is Procmon's, minus the environment block
            assert e["Detail"].startswith(r["detail"])
    summary = {(n.name, n.as_dict(children=False)["exit_status"]) for _d, n in walk(process_tree(store)) if n.setup}
    assert ("dismhost.exe", "0xC0000005") in summary and ("SetupHost.exe", "0x8007001F") in summary
    third = {n.name for _d, n in walk(process_tree(store)) if n.third_party}
    assert third == {"avagent.exe", "ÜberTool-日本.exe"}


def test_processes_summary_for_the_analysis_json(tmp_path: Path) -> None:
    from workbench.core.processes import processes_summary

    procs, events = upgrade_scenario()
    summary = processes_summary(_case(write_pml(tmp_path / "cap.pml", procs, events)).store)
    setup = {(p["name"], p["exit_status"]) for p in summary["setup_processes"]}
    assert ("dismhost.exe", "0xC0000005") in setup and ("dismhost.exe", "0x00000000") in setup
    assert ("SetupHost.exe", "0x8007001F") in setup and ("TiWorker.exe", None) not in setup
    (agent,) = summary["third_party_suspects"]
    assert (agent["name"], agent["company"]) == ("ctagent.exe", "Contoso Ltd.")
    # the agent put its DLL into SetupHost (it is the injection finding's injector, named first) and touched
    # Setup's files
    assert agent["findings"] == ["cthook64.dll (Contoso Ltd.) was put into SetupHost.exe 36 s before it exited with "
                                 "0x8007001F", "ctagent.exe (Contoso Ltd.) touched Setup's files"]
    assert any("winre.wim" in e["text"] for e in agent["evidence"])


@pytest.mark.fixtures
def test_synthetic_default_column_csv_gives_the_pml_setup_subtree(shared_fixtures: Path) -> None:
    base = "procmon/synthetic/synthetic_upgrade_x64"
    pml = process_tree(_case(fixture_file(shared_fixtures, base + ".pml")).store)
    csv = process_tree(_case(fixture_file(shared_fixtures, base + ".default-columns.CSV")).store)

    def setup_subtree(roots: list[ProcessNode]) -> list[tuple]:
        top = [n for _d, n in walk(roots) if n.name == "setup.exe"][0]
        return [(d, n.pid, n.name, n.command_line, n.as_dict(children=False)["exit_status"], n.marks)
                for d, n in walk([top])]

    assert setup_subtree(pml) == setup_subtree(csv)
    assert len(setup_subtree(csv)) == 7


def test_the_injector_is_a_suspect_in_the_tree_and_the_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A process that opened SetupHost and whose DLL was then loaded into it (ctagent.exe, cthook64.dll) is the
    injection finding's injector: a suspect, named first, marked in the tree and in ``workbench processes``."""
    from workbench.cli import main
    from workbench.core.processes import processes_summary

    procs, events = upgrade_scenario()
    path = write_pml(tmp_path / "cap.pml", procs, events)
    case = _case(path)
    marks = {n.name: n.marks for _d, n in walk(process_tree(case.store))}
    assert "suspect" in marks["ctagent.exe"] and "suspect" not in marks["SetupHost.exe"]
    assert processes_summary(case.store)["third_party_suspects"][0]["name"] == "ctagent.exe"
    assert main(["processes", str(path), "-q"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("times on the case clock: local, zone unknown\n")
    agent = next(line for line in out.splitlines() if "ctagent.exe" in line)
    assert "suspect" in agent


def test_processes_are_shown_on_the_case_clock(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The capture's times (UTC in the PML) on the case clock the NFO states, +08:00, like every other output."""
    from tests.unit.clockcase import build_case
    from workbench.cli import main

    root = build_case(tmp_path / "case", 480, with_csv=False, with_wer=False)
    assert main(["processes", str(root), "-q"]) in (0, 1)
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "times on the case clock: 中国标准时间 (UTC+08:00)"
    host = next(line for line in out.splitlines() if "SetupHost.exe" in line)
    assert "start=2024-03-12T10:30:00 " in host and "end=2024-03-12T10:41:30.500 " in host and "Z " not in host
    assert main(["processes", str(root), "--json", "-q"]) in (0, 1)
    tree = json.loads(capsys.readouterr().out)

    def find(nodes: list[dict], name: str) -> dict | None:
        for n in nodes:
            if n["name"] == name:
                return n
            hit = find(n.get("children") or [], name)
            if hit:
                return hit
        return None

    node = find(tree, "SetupHost.exe")
    assert node is not None and node["start"] == "2024-03-12T02:30:00Z" and node["clock"] == "utc"


def test_twins_are_found_in_time_slots_as_by_comparing_every_pair() -> None:
    """One finding per crash (a capture's PML and its CSV): looking for a twin only among the kept findings of
    the same rule and title in the two-second slots beside it (issue 20) merges exactly what comparing each
    finding with every kept one merged: times either side of a slot edge, exactly two seconds apart, unknown,
    twin keys beside titles, and evidence from the same capture (never a twin)."""
    import copy
    import random

    from workbench.core import processes

    def every_pair(findings):  # the form before issue 20
        out = []
        for f in findings:
            twin = next((o for o in out if o["rule_id"] == f["rule_id"]
                         and o.get("twin", o["title"]) == f.get("twin", f["title"])
                         and (o.get("ts") is None) == (f.get("ts") is None)
                         and (o.get("ts") is None or abs(o["ts"] - f["ts"]) <= 2_000_000)
                         and {e.get("file_id") for e in o["evidence"]} != {e.get("file_id") for e in f["evidence"]}),
                        None)
            if twin is None:
                out.append(f)
            else:
                twin["evidence"] = twin["evidence"] + f["evidence"]
        return out

    rng = random.Random(20)
    times = [None, 0, 1, 1_999_999, 2_000_000, 2_000_001, 3_999_999, 4_000_000, 6_000_000, -1, -2_000_000]
    findings = []
    for i in range(600):
        f = {"rule_id": rng.choice(["procmon.a", "procmon.b"]), "title": rng.choice(["T1", "T2"]),
             "ts": rng.choice(times), "evidence": [{"file_id": rng.choice([1, 2, 3]), "line": i}]}
        if rng.random() < 0.3:
            f["twin"] = ("x.exe", rng.choice(["a.dll", "b.dll"]), "0xC0000005")
        findings.append(f)
    expected = every_pair(copy.deepcopy(findings))
    got = processes._one_per_crash(copy.deepcopy(findings))
    assert got == expected
    assert len(expected) < len(findings) and any(len(f["evidence"]) > 2 for f in expected)


def test_loads_at_one_time_keep_the_order_sqlite_sorted_them_in(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A Setup process's third-party loads are now picked out before their times are read and sorted in Python
    (issue 20): loads that share a time (Procmon stamps many events alike) come in the order the join sorted
    them by ``t.ts`` before, so the injection findings and their words are the same."""
    from workbench.core import processes
    from workbench.writers.procmon import Ev

    procs, events = upgrade_scenario()
    loads = [Ev(7, at(15), 1, 5, path=f"C:\\Program Files\\Contoso\\x{i}.dll", tid=7004) for i in (3, 1, 2)]
    loads += [Ev(7, at(14), 1, 5, path="C:\\Program Files\\Contoso\\early.dll", tid=7004),
              Ev(6, at(30), 1, 5, path="C:\\Program Files\\Contoso\\late1.dll", tid=6416),
              Ev(6, at(30), 1, 5, path="C:\\Program Files\\Contoso\\late0.dll", tid=6416),
              Ev(7, at(15), 1, 5, path="C:\\Windows\\System32\\kernel32.dll", tid=7004)]
    events = sorted(events + loads, key=lambda e: e.time)
    store = _case(write_pml(tmp_path / "cap.pml", procs, events)).store
    now = processes.analyze(store)

    def joined(store, n, companies):  # the form before issue 20: every load joined, then ORDER BY t.ts
        out = []
        for r in store.query(
                "SELECT e.line, e.path, t.ts FROM procmon_events e JOIN timeline t ON t.file_id = e.file_id AND "
                "t.line = e.line WHERE e.file_id = ? AND e.process = ? AND e.operation = 'Load Image' ORDER BY t.ts",
                (n.file_id, n.process)):
            path = r["path"] or ""
            company = companies.get(path.lower(), "")
            if not path or path.lower() == n.image.lower() or processes.is_microsoft(company) or \
                    (not company and processes.in_windows_folders(path)):
                continue
            out.append({"line": r["line"], "path": path, "company": company, "ts": r["ts"]})
        return out

    monkeypatch.setattr(processes, "_third_party_loads", joined)
    before = processes.analyze(store)
    assert json.dumps(now, sort_keys=True, default=str) == json.dumps(before, sort_keys=True, default=str)
    dlls = [f["data"]["module"].rsplit("\\", 1)[-1] for f in now if f["rule_id"] == "procmon.injected_before_exit"]
    # dismhost's, in time order, the three of one time as written; SetupHost's two of one time likewise
    assert [d for d in dlls if d.startswith(("early", "x"))] == ["early.dll", "x3.dll", "x1.dll", "x2.dll"]
    assert [d for d in dlls if d.startswith("late")] == ["late1.dll", "late0.dll"] and "kernel32.dll" not in dlls
