"""GUI fixtures: the demo case ingested into this test's WORKBENCH_HOME, and a read-only view on it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from workbench.core.case import Case


@pytest.fixture
def demo_source(wb_home: Path) -> Path:
    from workbench.demo import demo_case_path

    return demo_case_path()


@pytest.fixture
def demo_database(demo_source: Path) -> Path:
    """The demo case, ingested headless (the same core the window's worker runs)."""
    case = Case.open(demo_source)
    try:
        case.ensure_ingested()
        return case.store.path
    finally:
        case.close()


@pytest.fixture
def store_view(demo_database: Path) -> Iterator[object]:
    from workbench.gui.models.store_view import StoreView

    view = StoreView(demo_database)
    yield view
    view.close()


def write_setup_log(path: Path, lines: int, *, error_every: int = 100) -> Path:
    """A fixed-column setupact.log of ``lines`` rows, one second apart, every ``error_every``-th an error."""
    from datetime import datetime, timedelta

    start = datetime(2024, 3, 1, 8, 0, 0)
    out = []
    for n in range(lines):
        t = start + timedelta(seconds=n)
        level = "Error" if n % error_every == error_every - 1 else "Info"
        out.append(f"{t:%Y-%m-%d %H:%M:%S}, {level:<11}{'':11}{'MOUPG':<7}Generated line {n} token{n % 7}")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\r\n".join(out) + "\r\n", encoding="utf-8")
    return path


@pytest.fixture(scope="session", autouse=True)
def _collect_qt_garbage_before_exit() -> Iterator[None]:
    """Collect Qt wrappers while the QApplication still exists; left to interpreter teardown, PySide 6.12
    crashes on some of them ('bool_dealloc') after the tests have passed."""
    yield
    import gc

    gc.collect()


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """QSettings (layout, recent cases, language) go to a temporary folder, never the user's own."""
    from PySide6.QtCore import QSettings

    folder = tmp_path_factory.mktemp("qsettings")
    previous = QSettings.defaultFormat()
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(folder))
    yield folder
    QSettings.setDefaultFormat(previous)
