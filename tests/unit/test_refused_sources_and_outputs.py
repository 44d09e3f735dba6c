"""What the user must fix is said at once, in one sentence, with exit code 2 (README, "Headless use"):

* a source that is not a file or a folder (``/dev/zero`` was once hashed for ten minutes; a pipe waits for a
  writer forever; a socket cannot be read) is refused before a byte of it is read;
* a folder with no file in it says so, instead of an empty "incomplete" case with exit code 0;
* an output (``-o``, ``--out``) that cannot be written names its path, before the case is read when the
  path is wrong from the start, and after it when the write itself fails.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.archives import make_zip, setupact_bytes
from workbench.cli import main

ROLLBACK = "$WINDOWS.~BT/Sources/Rollback/setupact.log"


def _sentence(err: str) -> str:
    assert err.endswith("\n") and err.count("\n") == 1, err
    assert "Traceback" not in err and err.startswith("workbench: "), err
    return err[len("workbench: "):].strip()


def _cli(args: list[str], home: Path, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """The command in its own process, so a source read forever fails the test by its timeout instead of
    hanging the suite."""
    env = dict(os.environ, WORKBENCH_HOME=str(home))
    return subprocess.run([sys.executable, "-m", "workbench", *args], capture_output=True, text=True, env=env,
                          timeout=timeout, stdin=subprocess.DEVNULL)


def _cases(home: Path) -> list[Path]:
    root = home / "cases"
    return [p for p in root.iterdir() if p.name != "_index"] if root.is_dir() else []


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_devices_pipes_and_sockets_are_refused_at_once(tmp_path: Path, wb_home: Path) -> None:
    specials: list[tuple[Path, str]] = []
    if Path("/dev/zero").exists():
        specials.append((Path("/dev/zero"), "character device"))
    fifo = tmp_path / "setupact.log"
    os.mkfifo(fifo)
    specials.append((fifo, "named pipe"))
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock = tmp_path / "logs.zip"
    listener.bind(str(sock))
    specials.append((sock, "socket"))
    link = tmp_path / "link-to-pipe.zip"
    link.symlink_to(fifo)
    specials.append((link, "named pipe"))
    try:
        for path, kind in specials:
            for command in (["analyze", str(path)], ["timeline", str(path)], ["compare", str(path), "--json"]):
                try:
                    done = _cli(command, wb_home, timeout=30)
                except subprocess.TimeoutExpired:
                    pytest.fail(f"{command}: still reading {path} after 30 s")
                assert done.returncode == 2 and done.stdout == "", (command, done.stderr)
                sentence = _sentence(done.stderr)
                assert str(path.resolve()) in sentence and kind in sentence, sentence
    finally:
        listener.close()
    assert _cases(wb_home) == []  # nothing was made for them


def test_an_empty_folder_is_said_with_exit_2(tmp_path: Path, wb_home: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    empty = tmp_path / "收集的日志"
    empty.mkdir()
    for command in ("analyze", "files", "timeline", "report"):
        assert main([command, str(empty), "--quiet"]) == 2, command
        out, err = capsys.readouterr()
        assert out == "" and _sentence(err) == f"{empty}: the folder is empty; give the folder that holds the " \
                                               "collected logs."
    (empty / "Panther" / "Rollback").mkdir(parents=True)  # folders, but no file in any of them
    assert main(["analyze", str(empty), "--json"]) == 2
    assert "holds no file to read" in _sentence(capsys.readouterr().err)
    assert _cases(wb_home) == []
    # one file anywhere below is a case again
    (empty / "Panther" / "Rollback" / "setupact.log").write_bytes(setupact_bytes())
    assert main(["analyze", str(empty), "--quiet"]) in (0, 1)
    capsys.readouterr()


def test_an_output_that_cannot_be_written_is_exit_2_naming_it(tmp_path: Path, wb_home: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    src = make_zip(tmp_path / "c.zip", {ROLLBACK: setupact_bytes()})
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    missing = tmp_path / "no" / "such" / "folder"
    wrong = [
        (missing / "x.md", "its folder does not exist"),
        (tmp_path, "it is a folder"),
        (blocker / "x.md", "is a file, not a folder"),
    ]
    for out, why in wrong:
        for command in (["report", str(src), "-o", str(out)], ["compare", str(src), "--json", "-o", str(out)]):
            assert main([*command, "--quiet"]) == 2, command
            stdout, err = capsys.readouterr()
            sentence = _sentence(err)
            assert stdout == "" and sentence.startswith(f"{out}: ") and why in sentence, sentence
        assert _cases(wb_home) == []  # said before the case was read
    # export-case makes missing folders, but not under a file
    assert main(["export-case", str(src), "-o", str(blocker / "x.wbcase"), "--quiet"]) == 2
    assert _sentence(capsys.readouterr().err).startswith(f"{blocker / 'x.wbcase'}: ")
    assert main(["demo", "--out", str(blocker / "demo")]) == 2
    assert _sentence(capsys.readouterr().err).startswith(f"{blocker / 'demo' / 'demo-case.zip'}: ")
    made = tmp_path / "new" / "folder" / "c.wbcase"
    assert main(["export-case", str(src), "-o", str(made), "--quiet"]) == 0 and made.is_file()
    capsys.readouterr()


def test_a_write_that_fails_after_the_case_is_read_names_the_output(tmp_path: Path, wb_home: Path,
                                                                    monkeypatch: pytest.MonkeyPatch,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    """The folder was there when the command started and is read-only (or gone) when the result is
    written: still the user's to fix, and still named."""
    import errno

    src = make_zip(tmp_path / "c.zip", {ROLLBACK: setupact_bytes()})
    out = tmp_path / "summary.md"
    real = Path.write_bytes

    def refuse(self: Path, data: bytes) -> int:
        if self == out:
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(self))
        return real(self, data)

    monkeypatch.setattr(Path, "write_bytes", refuse)
    assert main(["report", str(src), "-o", str(out), "--quiet"]) == 2
    assert _sentence(capsys.readouterr().err) == (f"{out}: the output cannot be written there (the disk is "
                                                  "read-only); choose another place to write it.")
