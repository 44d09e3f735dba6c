"""The command line reads what people type: ``--tz -05:00`` as written, a wrong argument in one sentence.

Also: ``--source`` with a folder role follows the role the file has now (the machine's year-old deployment log
in ``Windows\\Panther`` is ``deployment``, not ``postupgrade`` as its folder alone would say).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.unit.clockcase import build_case
from workbench.cli import main
from workbench.commands.arguments import join_negative_values
from workbench.gui.app import main as gui_main


@pytest.fixture(scope="module")
def case_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_case(tmp_path_factory.mktemp("args") / "case", 480, with_csv=False, with_wer=False,
                      with_deployment=True)


@pytest.mark.parametrize("written", [["--tz", "-05:00"], ["--tz=-05:00"], ["--tz", "-0500"], ["--tz", "UTC-05:00"]])
def test_a_negative_offset_as_written(case_root: Path, capsys: pytest.CaptureFixture[str], written: list[str]) -> None:
    assert main(["analyze", str(case_root), "--json", "-q", *written]) in (0, 1)
    system = json.loads(capsys.readouterr().out)["system"]
    assert (system["time_zone_basis"], system["utc_offset_minutes"]) == ("user", -300)
    assert main(["timeline", str(case_root), "-q", "--tz", "auto", "--limit", "1"]) == 0  # back to the NFO's
    capsys.readouterr()


def test_every_command_joins_a_negative_value_and_nothing_else() -> None:
    assert join_negative_values(["report", "C", "--tz", "-03:30", "--lang", "zh"]) == \
        ["report", "C", "--tz=-03:30", "--lang", "zh"]
    assert join_negative_values(["files", "C", "--tz", "--json"]) == ["files", "C", "--tz", "--json"]
    assert join_negative_values(["timeline", "--", "--tz", "-1"]) == ["timeline", "--", "--tz", "-1"]


@pytest.mark.parametrize("argv", [["report", "x.zip", "--lang", "fr"], ["timeline", "x.zip", "--level", "loud"],
                                  ["analyze"], ["timeline", "x.zip", "--tz"], ["nosuch-flag-only", "--size", "3"]])
def test_a_wrong_argument_is_one_sentence_and_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    code = gui_main(argv[1:]) if argv[0] == "nosuch-flag-only" else main(argv)
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and "usage:" not in err and err.startswith("workbench")
    assert err.rstrip().endswith("--help.")


def test_the_role_filter_follows_the_files_role_now(case_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["files", str(case_root), "--json", "-q"]) in (0, 1)
    files = json.loads(capsys.readouterr().out)
    files = files if isinstance(files, list) else files["files"]
    roles = {f["path"]: f["role"] for f in files}
    assert roles["Windows/Panther/setupact.log"] == "deployment"

    def rows(source: str) -> list[dict]:
        assert main(["timeline", str(case_root), "--source", source, "-q"]) == 0
        return [json.loads(line) for line in capsys.readouterr().out.splitlines()]

    deployment = rows("deployment")
    assert deployment and {r["file"] for r in deployment} == {"Windows/Panther/setupact.log"}
    assert rows("postupgrade") == []
    assert {r["file"] for r in rows("downlevel")} == {"$WINDOWS.~BT/Sources/Panther/setupact.log"}
