"""Shared test fixtures: an isolated workbench home, the shared real-file fixtures, and case builders."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

SHARED_FIXTURES = Path(__file__).resolve().parents[2] / "shared" / "fixtures"


@pytest.fixture(autouse=True)
def wb_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own WORKBENCH_HOME: nothing is written to the real user folder."""
    home = tmp_path_factory.mktemp("wbhome")
    monkeypatch.setenv("WORKBENCH_HOME", str(home))
    return home


@pytest.fixture(scope="session")
def shared_fixtures() -> Path:
    """The real sample files of ../shared/fixtures; tests that need them skip when the folder is absent."""
    if not SHARED_FIXTURES.is_dir():
        pytest.skip(f"real fixtures not found at {SHARED_FIXTURES} (the shared/ folder beside the repo)")
    return SHARED_FIXTURES


def fixture_file(shared: Path, relative: str) -> Path:
    path = shared / relative
    if not path.exists():
        pytest.skip(f"fixture {relative} not present in {shared}")
    return path


_EXIT_STATUS: list[int] = []


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    _EXIT_STATUS.append(int(exitstatus))


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config: pytest.Config) -> None:
    """Leave without the interpreter's teardown once Qt was loaded, keeping pytest's exit status.

    PySide 6.12 can abort while Python tears down leftover Qt wrappers ("bool_dealloc", exit 134) after
    every test has passed and the summary is printed; that abort says nothing about the code under test.
    """
    import sys

    if _EXIT_STATUS and "PySide6" in sys.modules:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(_EXIT_STATUS[-1])
