"""The window while a big case is read (figures ``gui_first_rows_s``, ``gui_ingest_s``): how long after
File › Open the first timeline rows are on screen, against the whole ingest.

Runs the real window offscreen in a child process on a generated Panther ``setupact.log`` (85 MB, the size
that looked frozen in issue 16; 8 MB with --quick). With ``--shots DIR`` (run as a script) it also saves
what the user sees mid-ingest, after Cancel and after Resume, in both themes — the pictures of
docs/screenshots/ingest-*.png come from here:

    python bench/gui_ingest.py --shots docs/screenshots [--megabytes 85] [--lang en|zh]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

NAME = "gui_ingest"
ROOT = Path(__file__).resolve().parents[1]


def measure(quick: bool) -> list[dict]:
    megabytes = 8 if quick else 85
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "WORKBENCH_HOME": str(Path(tmp) / "home")}
        done = subprocess.run([sys.executable, __file__, "--child", "--megabytes", str(megabytes), "--work", tmp],
                              env=env, capture_output=True, text=True, timeout=3600)
        if done.returncode != 0:
            raise RuntimeError(done.stderr[-3000:])
        got = json.loads(done.stdout.strip().splitlines()[-1])
    return [
        {"figure": "gui_first_rows_s", "value": got["first_rows_s"], "unit": "s",
         "baseline": f"target < 1 s; the whole ingest of {megabytes} MB took {got['ingest_s']:.1f} s"},
        {"figure": "gui_ingest_s", "value": got["ingest_s"], "unit": "s", "baseline": f"{got['rows']:,} rows"},
    ]


def _run(megabytes: float, work: Path, shots: Path | None, lang: str, size: tuple[int, int]) -> dict:
    sys.path.insert(0, str(ROOT))
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from tests.cases import large_log_case
    from workbench.gui import i18n
    from workbench.gui.main_window import MainWindow
    from workbench.gui.theme import apply_theme

    app = QApplication.instance() or QApplication([])
    translator = i18n.install_translator(app, lang)  # noqa: F841 - kept alive while the window runs
    case = large_log_case(work, megabytes)
    apply_theme(app, "light")
    window = MainWindow(interactive=False)
    window.resize(*size)
    window.show()

    loop = QEventLoop()

    def spin(ms: int) -> None:
        # an event loop run for ``ms``, not processEvents() in a loop: PySide 6.12's processEvents() (and
        # QTest.qWait) take a reference from None at each call, and a few thousand calls abort Python
        QTimer.singleShot(ms, loop.quit)
        loop.exec()

    def wait_until(test, timeout_s: float = 600) -> bool:
        end = time.monotonic() + timeout_s
        while not test() and time.monotonic() < end:
            spin(20)
        return bool(test())

    def shoot(name: str, theme: str | None = None) -> None:
        if shots is None:
            return
        if theme is not None:
            apply_theme(app, theme)
        spin(150)
        if window._live is not None:
            window._live_tick()  # the overview as of the bars' last report (it follows them at each tick)
        shots.mkdir(parents=True, exist_ok=True)
        window.grab().save(str(shots / f"{name}.png"), "PNG")

    started = time.monotonic()
    window.open_case(case)
    wait_until(lambda: window.timeline.model.rowCount() > 0)
    first_rows = time.monotonic() - started
    out = {"first_rows_s": round(first_rows, 3)}
    if shots is not None:
        # mid-ingest: a third into the big file, then Cancel, then Resume to the end
        wait_until(lambda: window._progress is not None and window._progress.stage == "parse"
                   and window._progress.file_total and window._progress.file_done > window._progress.file_total / 3)
        window._live_tick()
        # a search while the index is not built yet: it answers from the rows read so far, in a thread,
        # "indexing…"; how long the window was blocked by it, and how long until its hits were shown
        found: list[int] = []
        window.search.searched.connect(lambda: found.append(1))
        searched = time.monotonic()
        window.search.search("Item4092")
        out["search_mid_ingest_blocked_s"] = round(time.monotonic() - searched, 3)
        wait_until(lambda: bool(found))
        out["search_mid_ingest_s"] = round(time.monotonic() - searched, 3)
        out["search_mid_ingest_hits"] = window.search.model.rowCount()
        shoot(f"ingest-running-{lang}")
        loaded: list[object] = []
        window.caseLoaded.connect(loaded.append)
        window.cancel_ingest()
        wait_until(lambda: bool(loaded))
        wait_until(lambda: not window.search.searching)  # the query again over the rows kept, in its thread
        shoot(f"ingest-cancelled-{lang}")
        loaded.clear()
        window.resume_ingest()
        wait_until(lambda: bool(loaded))
        if window.findings.model.rowCount():
            window.findings.activate(0)
        shoot(f"ingest-resumed-{lang}")
        shoot(f"ingest-resumed-dark-{lang}", "dark")
        apply_theme(app, "light")
    else:
        loaded = []
        window.caseLoaded.connect(loaded.append)
        wait_until(lambda: bool(loaded), 3600)
    out["ingest_s"] = round(time.monotonic() - started, 3)
    out["rows"] = window.timeline.model.rowCount()
    window.close()
    QTimer.singleShot(0, app.quit)
    return out


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--megabytes", type=float, default=85)
    p.add_argument("--work", type=Path, help="folder for the generated case (default: a temporary one)")
    p.add_argument("--shots", type=Path, help="save screenshots mid-ingest, after Cancel, after Resume")
    p.add_argument("--lang", choices=("en", "zh"), default="en")
    p.add_argument("--size", default="1600x1000")
    args = p.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    size = tuple(int(v) for v in args.size.split("x"))
    with tempfile.TemporaryDirectory() as tmp:
        if not args.child:
            os.environ.setdefault("WORKBENCH_HOME", str(Path(tmp) / "home"))
        got = _run(args.megabytes, args.work or Path(tmp), args.shots, args.lang, size)  # type: ignore[arg-type]
    print(json.dumps(got))
    sys.stdout.flush()
    os._exit(0)  # leave without Qt's teardown (PySide can abort there; the figures are printed)


if __name__ == "__main__":
    raise SystemExit(main())
