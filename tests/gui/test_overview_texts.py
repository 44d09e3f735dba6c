"""The overview says what was opened and the version once (review of issue 16: 来源 showed where the content
was first ingested, not the path opened; "版本 10.0.19045 19045" repeated the build)."""

from __future__ import annotations

import shutil
from pathlib import Path

from workbench.gui.main_window import MainWindow
from workbench.gui.panes.overview import version_text


def test_the_source_is_the_path_opened(qtbot, tmp_path: Path, demo_source: Path) -> None:
    first, second = tmp_path / "a" / "case.zip", tmp_path / "b" / "copy of case.zip"
    for p in (first, second):
        p.parent.mkdir(parents=True)
        shutil.copy(demo_source, p)
    window = MainWindow(interactive=False)
    qtbot.addWidget(window)
    window.show()
    for source in (first, second):
        with qtbot.waitSignal(window.caseLoaded, timeout=180_000):
            window.open_case(source)
    text = window.overview.browser.toPlainText()
    assert str(second) in text and f"first read from {first}" in text
    version = window.overview.analysis["system"]["os_version"]
    build = window.overview.analysis["system"]["os_build"]
    assert version and build and f"{version} {build}" not in text


def test_the_build_is_said_once() -> None:
    assert version_text("10.0.19045", "19045") == "10.0.19045"
    assert version_text("10.0.19045.3803", "19045") == "10.0.19045.3803"
    assert version_text("10.0", "19045") == "10.0 19045"
    assert version_text(None, "19045") == "19045"
