"""The `workbench` command: subcommands, JSON contract, exit codes, errors on stderr."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.archives import make_7z, make_zip, setupact_bytes
from workbench.cli import main

ROLLBACK = "$WINDOWS.~BT/Sources/Rollback/setupact.log"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_analyze_json_has_the_stable_keys(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = make_zip(tmp_path / "c.zip", {ROLLBACK: setupact_bytes()})
    code, out, _ = run(capsys, "analyze", str(src), "--json")
    data = json.loads(out)
    assert code == 0
    assert data["schema"] == "workbench.analysis/1"
    assert set(data) == {"schema", "case", "system", "upgrade", "crash", "other_crashes", "processes", "verdict",
                         "findings"}
    assert {"state", "summary", "summary_zh", "phase", "culprit", "reasoning", "confidence", "next_steps",
            "next_steps_zh"} <= set(data["verdict"])
    assert data["processes"] == {"setup_processes": [], "third_party_suspects": []}
    assert set(data["case"]) == {"source", "sha256", "files", "problems"}
    assert {"os_name", "os_version", "os_build", "computer", "time_zone"} <= set(data["system"])
    assert {"result_code", "extend_code", "phase", "operation", "rollback", "source_build",
            "target_build"} <= set(data["upgrade"])
    assert {"bugcheck_code", "bugcheck_name", "parameters", "culprit_module", "frames"} <= set(data["crash"])
    assert data["case"]["files"] == 1 and len(data["case"]["sha256"]) == 64


def test_problems_give_exit_code_1_and_json_still_prints(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = make_zip(tmp_path / "c.zip", {"../../x/setupact.log": setupact_bytes()})
    code, out, _ = run(capsys, "analyze", str(src), "--json")
    assert code == 1
    assert json.loads(out)["case"]["problems"][0]["file"] == "x/setupact.log"


def test_encrypted_archive_asks_for_a_password(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = make_7z(tmp_path / "secret.7z", {ROLLBACK: setupact_bytes()}, "pw")
    code, out, err = run(capsys, "analyze", str(src), "--json")
    assert code == 2 and out == ""
    assert "secret.7z" in err and "--password" in err and err.count("\n") == 1
    code, out, _ = run(capsys, "analyze", str(src), "--json", "--password", "pw")
    assert code == 0 and json.loads(out)["case"]["files"] == 1


def test_missing_case_is_a_user_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "files", str(tmp_path / "nope.zip"))
    assert code == 2 and "no such file" in err


def test_timeline_filters_and_formats(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = make_zip(tmp_path / "c.zip", {ROLLBACK: setupact_bytes(), "Panther/setupact.log":
                                        setupact_bytes().replace(b"2021-05-18", b"2021-05-17")})
    code, out, _ = run(capsys, "timeline", str(src))
    rows = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and len(rows) == 6
    assert set(rows[0]) == {"time_utc", "time_local", "source", "file", "line", "level", "component", "message"}
    assert rows[0]["file"] == "Panther/setupact.log"
    _, out, _ = run(capsys, "timeline", str(src), "--source", "rollback", "--format", "csv")
    table = list(csv.DictReader(io.StringIO(out)))
    assert len(table) == 3 and {r["file"] for r in table} == {ROLLBACK}
    _, out, _ = run(capsys, "timeline", str(src), "--from", "2021-05-18T03:11:03", "--to", "2021-05-18T03:11:04Z")
    assert [json.loads(x)["line"] for x in out.splitlines()] == [2, 3]
    _, out, _ = run(capsys, "timeline", str(src), "--level", "error")
    assert len(out.splitlines()) == 2
    code, _, err = run(capsys, "timeline", str(src), "--from", "yesterday")
    assert code == 2 and "not a time" in err


def test_files_lists_hash_kind_status(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = make_zip(tmp_path / "c.zip", {ROLLBACK: setupact_bytes(), "shot.png": b"\x89PNG\r\n\x1a\n" + b"0" * 40})
    code, out, _ = run(capsys, "files", str(src), "--json")
    rows = {r["path"]: r for r in json.loads(out)}
    assert code == 0
    assert rows[ROLLBACK]["status"] == "parsed" and rows[ROLLBACK]["kind"] == "setupact"
    assert rows["shot.png"]["kind"] == "image" and rows["shot.png"]["status"] == "skipped"
    assert all(len(r["sha256"]) == 64 for r in rows.values())


def test_demo_case_analyzes(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _ = run(capsys, "demo", "--out", str(tmp_path))
    path = Path(out.strip())
    assert code == 0 and path.exists()
    code, out, _ = run(capsys, "files", str(path), "--json")
    names = {r["path"] for r in json.loads(out)}
    assert "DEMO-PC01_logs/说明.txt" in names
    assert "DEMO-PC01_logs/$WINDOWS.~BT/Sources/Rollback/setupapi/setupapi.dev.log" in names


def test_console_entry_point_runs() -> None:
    done = subprocess.run([sys.executable, "-m", "workbench", "--version"], capture_output=True, text=True)
    assert done.returncode == 0 and "Case Workbench" in done.stdout


def test_every_command_module_is_named_after_its_file() -> None:
    import importlib

    from workbench.cli import command_name
    from workbench.commands import COMMANDS

    for module in COMMANDS:
        assert importlib.import_module(module).NAME == command_name(module)
