"""Every error is one sentence and exit code 1 (input problems) or 2 (you must act), never a traceback
(issue 18, 9): a bad search, an unwritable home, a full disk, a file-size limit, a note with NULs, a bug."""

from __future__ import annotations

import errno
import os
import resource
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.archives import make_zip, setupact_bytes
from workbench import applog
from workbench.cli import main
from workbench.commands.failures import describe_failure
from workbench.core.errors import ArchiveError, PasswordRequired, WorkbenchError

ROLLBACK = "$WINDOWS.~BT/Sources/Rollback/setupact.log"


def _case(root: Path, lines: int = 50) -> Path:
    body = "".join(f"2021-05-18 03:11:{i % 60:02d}, Info                  SP     message number {i} of the case\r\n"
                   for i in range(lines))
    return make_zip(root / "c.zip", {ROLLBACK: setupact_bytes(), "Panther/setupact.log": body.encode()})


def _one_sentence(err: str) -> str:
    assert err.endswith("\n") and err.count("\n") == 1, err
    assert "Traceback" not in err and err.startswith("workbench: "), err
    return err[len("workbench: "):].strip()


def _cli(args: list[str], env: dict[str, str], limit_bytes: int | None = None) -> subprocess.CompletedProcess[str]:
    """The installed command in its own process (``python -m workbench``), optionally under a file-size limit:
    with SIGXFSZ ignored, a write past the limit fails with EFBIG, as a full disk fails with ENOSPC."""
    def limit() -> None:
        if limit_bytes is not None:
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit_bytes, limit_bytes))

    return subprocess.run([sys.executable, "-m", "workbench", *args], capture_output=True, text=True,
                          env=env, preexec_fn=limit, timeout=300)


def test_a_bad_full_text_query_is_exit_2_with_a_sentence(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = _case(tmp_path)
    for query in ('"', "foo:bar", "AND", "a NEAR("):
        code = main(["timeline", str(src), "--search", query, "--quiet", "--format", "csv"])
        out, err = capsys.readouterr()
        assert code == 2 and out == "", query  # nothing printed before the error: not even the CSV header
        assert "not valid full-text syntax" in _one_sentence(err)
    assert main(["timeline", str(src), "--search", '"message number"', "--quiet"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 50


def test_home_under_a_file_is_exit_2(tmp_path: Path) -> None:
    src = _case(tmp_path)
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where the home folder should be")
    done = _cli(["analyze", str(src)], dict(os.environ, WORKBENCH_HOME=str(blocker / "home")))
    assert done.returncode == 2 and done.stdout == ""
    sentence = _one_sentence(done.stderr)
    assert str(blocker) in sentence and "WORKBENCH_HOME" in sentence


def test_read_only_home_is_exit_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    """A home on a read-only medium or without write permission. Root may write anywhere, so the OS
    boundary (``os.mkdir``) answers as a read-only file system would."""
    src = _case(tmp_path)
    home = tmp_path / "ro-home"
    monkeypatch.setenv("WORKBENCH_HOME", str(home))
    real_mkdir = os.mkdir

    def mkdir(path, *args, **kwargs):  # type: ignore[no-untyped-def]
        if str(path).startswith(str(home)):
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(path))
        return real_mkdir(path, *args, **kwargs)

    monkeypatch.setattr(os, "mkdir", mkdir)
    assert main(["analyze", str(src)]) == 2
    sentence = _one_sentence(capsys.readouterr().err)
    assert str(home) in sentence and "read-only" in sentence.lower() and "WORKBENCH_HOME" in sentence


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into a folder without write permission")
def test_home_without_write_permission_is_exit_2(tmp_path: Path) -> None:
    src = _case(tmp_path)
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o555)
    try:
        done = _cli(["analyze", str(src)], dict(os.environ, WORKBENCH_HOME=str(locked / "home")))
    finally:
        locked.chmod(0o755)
    assert done.returncode == 2 and "WORKBENCH_HOME" in _one_sentence(done.stderr)


def test_a_file_size_limit_during_ingest_is_exit_2(tmp_path: Path) -> None:
    src = _case(tmp_path, lines=40_000)  # a case database of several MB
    env = dict(os.environ, WORKBENCH_HOME=str(tmp_path / "home"))
    done = _cli(["analyze", str(src), "--json"], env, limit_bytes=1_000_000)
    assert done.returncode == 2, done.stderr
    sentence = _one_sentence(done.stderr)  # whichever layer words it: the core's ingest or the CLI's mapping
    assert any(word in sentence for word in ("full", "size", "disk")), sentence
    # with room again, the same command finishes
    done = _cli(["analyze", str(src), "--json"], env)
    assert done.returncode == 0, done.stderr


def test_a_full_disk_under_the_output_is_exit_2(tmp_path: Path, wb_home: Path) -> None:
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full on this system (it fails every write with ENOSPC)")
    src = _case(tmp_path)
    env = dict(os.environ, WORKBENCH_HOME=str(wb_home))
    done = _cli(["report", str(src), "-o", "/dev/full"], env)
    assert done.returncode == 2 and "/dev/full: the disk is full" in _one_sentence(done.stderr)
    with open("/dev/full", "w") as full:  # stdout redirected to a full disk
        done = subprocess.run([sys.executable, "-m", "workbench", "timeline", str(src)], stdout=full,
                              stderr=subprocess.PIPE, text=True, env=env, timeout=300)
    assert done.returncode == 2 and "the disk is full" in _one_sentence(done.stderr)


def test_notes_with_nul_bytes_export_in_every_format(tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]
                                                     ) -> None:
    from workbench.core.case import Case
    from workbench.core.store import NotesStore

    src = _case(tmp_path)
    case = Case.open(src)
    case.ensure_ingested()
    with NotesStore.open(case.folder) as notes:
        notes.save("## 进展\x00\n\n- called \x00the\x00 customer `code\x00` \x000\x00 **bold\x00**\n")
    case.close()
    for fmt in ("md", "html", "txt", "eml"):
        for lang in ("en", "zh"):
            assert main(["report", str(src), "--format", fmt, "--lang", lang, "--quiet"]) == 0, fmt
            out = capsysbinary.readouterr().out
            assert b"\x00" not in out and out, fmt
            if fmt in ("md", "txt", "html"):
                assert b"called the customer" in out


def test_the_mapping_goes_by_type_and_errno() -> None:
    full = OSError(errno.ENOSPC, "No space left on device", "/cases/x/blob")
    assert describe_failure(full) == (2, "/cases/x/blob: the disk is full; free some space and run the command "
                                         "again (WORKBENCH_HOME can put the cases on another disk).")
    # the core's own sentence wins, the environment decides the code, whatever the error's class
    class TempFull(WorkbenchError):
        pass

    try:
        try:
            raise OSError(errno.ENOSPC, "No space left on device")
        except OSError as exc:
            raise TempFull("the temporary folder /tmp is full while extracting a.evtx; free space and retry.") \
                from exc
    except TempFull as wrapped:
        assert describe_failure(wrapped) == (2, "the temporary folder /tmp is full while extracting a.evtx; free "
                                                "space and retry.")
    class HomeUnwritable(WorkbenchError):
        exit_code = 2

    assert describe_failure(HomeUnwritable("the workbench home /x cannot be written.")) == (
        2, "the workbench home /x cannot be written.")
    assert describe_failure(sqlite3.OperationalError("database or disk is full"))[0] == 2
    assert describe_failure(sqlite3.OperationalError("disk I/O error"))[0] == 2
    assert describe_failure(sqlite3.OperationalError("attempt to write a readonly database"))[0] == 2
    assert describe_failure(sqlite3.OperationalError("database is locked"))[0] == 2
    assert describe_failure(OSError(errno.EFBIG, "File too large"))[0] == 2
    assert describe_failure(PermissionError(errno.EACCES, "Permission denied", "/home/x"))[0] == 2
    assert describe_failure(MemoryError())[0] == 2
    assert describe_failure(PasswordRequired("a.7z is encrypted: give --password."))[0] == 2
    # the input's problems are 1
    assert describe_failure(ArchiveError("a.zip: not a zip archive."))[0] == 1
    assert describe_failure(sqlite3.DatabaseError("file is not a database"))[0] == 1
    assert describe_failure(OSError(errno.EIO, "Input/output error", "/media/usb/a.zip")) == (
        1, "/media/usb/a.zip: Input/output error.")
    # whatever the message holds, the sentence is one printable line
    code, sentence = describe_failure(WorkbenchError("bad\r\nname \x1b[2J\u202e.zip"))
    assert code == 1 and sentence == "bad\\x0d\\x0aname \\x1b[2J\\u202e.zip."


def test_an_unforeseen_error_is_one_sentence_and_logged(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    from workbench.commands import files

    def boom(_args: object) -> int:
        raise KeyError("no such key\nsecond line")

    monkeypatch.setattr(files, "run", boom)
    monkeypatch.setenv("WORKBENCH_LOG_DIR", str(tmp_path / "logs"))
    log = applog.install()
    try:
        assert main(["files", str(tmp_path)]) == 1
    finally:
        applog.uninstall()
    sentence = _one_sentence(capsys.readouterr().err)
    assert sentence.startswith("an internal error stopped the command (KeyError:") and str(log) in sentence
    assert "Traceback" in log.read_text("utf-8") and "boom" in log.read_text("utf-8")
    monkeypatch.setenv("WORKBENCH_DEBUG", "1")  # a developer asks for the traceback
    with pytest.raises(KeyError):
        main(["files", str(tmp_path)])
