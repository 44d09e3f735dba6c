"""Failures of the machine, not of the case: a full disk, a file-size limit, a data folder that cannot be
written, a case on a read-only disk. Each stops the work with one sentence and exit code 2, is never
recorded as a property of a file, and leaves the case unfinished so that the next run retries it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.archives import make_zip, setupact_bytes
from workbench.core.case import Case
from workbench.core.errors import EnvironmentFailure

ROOT = Path(__file__).resolve().parents[2]

_LIMITED = """
import resource, signal, sys
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # over the limit, a write fails with EFBIG instead
limit = int(sys.argv[2])
resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
from workbench.cli import main
sys.exit(main(["analyze", sys.argv[1], "--json"]))
"""


def _big_case(path: Path) -> Path:
    lines = "".join(f"2021-05-18 03:12:{i % 60:02d}, Info                  SP     line {i} {'x' * 60}\r\n"
                    for i in range(30_000))
    return make_zip(path, {f"Panther{i}/setupact.log": setupact_bytes(lines) for i in range(3)})


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, cwd=ROOT, env=dict(os.environ),
                          timeout=300)


@pytest.mark.skipif(sys.platform == "win32", reason="RLIMIT_FSIZE is POSIX")
def test_a_file_size_limit_stops_the_ingest_and_the_next_run_retries(tmp_path: Path, wb_home: Path) -> None:
    """A write past the system's file-size limit (as a full disk would) stops the ingest: exit 2, one
    sentence, no file blamed, the case not complete; the next run, with room, finishes it."""
    src = _big_case(tmp_path / "case.zip")
    done = _run("-c", _LIMITED, str(src), str(1 << 20))
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "size limit" in lines[0] and "next run" in lines[0], done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""
    case = Case.open(src)
    assert case.store.get_meta("ingest_state") != "complete"
    blamed = case.store.query("SELECT path, status, reason FROM files WHERE status IN ('failed', 'partial')")
    assert [dict(r) for r in blamed] == []
    assert case.store.scalar("SELECT count(*) FROM problems") == 0
    assert case.ensure_ingested() is True
    assert case.store.scalar("SELECT count(*) FROM timeline") == 3 * 30_003
    case.close()


def test_an_unwritable_data_folder_is_one_sentence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    from workbench.cli import main

    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("WORKBENCH_HOME", str(blocker / "home"))
    src = make_zip(tmp_path / "c.zip", {"Panther/setupact.log": setupact_bytes()})
    with pytest.raises(EnvironmentFailure) as raised:
        Case.open(src)
    assert "cannot write its data folder" in str(raised.value) and "WORKBENCH_HOME" in str(raised.value)
    assert main(["analyze", str(src)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "cannot write its data folder" in err[0]


@pytest.fixture
def read_only(tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    """(writable folder, the same folder seen read-only): a read-only bind mount as root (whom folder
    permissions do not stop), else the folder's write permission taken away."""
    rw, ro = tmp_path / "rw", tmp_path / "ro"
    rw.mkdir()
    ro.mkdir()
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        mounted = subprocess.run(["mount", "--bind", str(rw), str(ro)], capture_output=True).returncode == 0
        if not mounted:
            pytest.skip("a read-only mount is not permitted here")
        yield rw, ro
        import gc

        gc.collect()  # the in-process CLI runs leave their case connections to the collector
        if subprocess.run(["umount", str(ro)], capture_output=True).returncode != 0:
            subprocess.run(["umount", "-l", str(ro)], capture_output=True)
    else:
        ro.rmdir()
        ro.symlink_to(rw)
        yield rw, ro
        for folder, _, _ in os.walk(rw):
            os.chmod(folder, 0o755)


def _make_read_only(rw: Path, ro: Path) -> None:
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        done = subprocess.run(["mount", "-o", "remount,bind,ro", str(ro)], capture_output=True)
        if done.returncode != 0:
            pytest.skip("a read-only remount is not permitted here")
    else:
        for folder, _, _ in os.walk(rw):
            os.chmod(folder, 0o555)


def test_an_ingested_case_on_a_read_only_disk_opens(tmp_path: Path, read_only: tuple[Path, Path],
                                                   monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    """WAL needs a writable folder: a case copied to a read-only disk is opened immutable, as it is."""
    from workbench.cli import main

    rw, ro = read_only
    monkeypatch.setenv("WORKBENCH_HOME", str(rw))
    src = make_zip(tmp_path / "c.zip", {"Panther/setupact.log": setupact_bytes()})
    case = Case.open(src)
    case.ensure_ingested()
    rows = case.store.scalar("SELECT count(*) FROM timeline")
    case.close()
    _make_read_only(rw, ro)
    monkeypatch.setenv("WORKBENCH_HOME", str(ro))
    again = Case.open(src)
    assert again.readonly and again.ensure_ingested() is False
    assert again.store.scalar("SELECT count(*) FROM timeline") == rows == 3
    again.close()
    assert main(["analyze", str(src), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["case"]["files"] == 1
    assert main(["analyze", str(src), "--reingest"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "cannot be written" in err[0]
