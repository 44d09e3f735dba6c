"""The ``scroll_ms`` figure of issue 7: how long the timeline table takes to show any row of a huge case.

A case database with millions of generated timeline rows is written directly (ids in time order, as after
an ingest), the real :class:`TimelinePane` is opened on it offscreen, and the scroll bar jumps to the end,
back to the start and to random places; each jump is timed until its rows are painted. The figure is the
worst jump. ``bench/run`` picks it up through a two-line module (``bench/gui_scroll.py``)::

    from workbench.gui.scroll_bench import NAME, measure  # noqa: F401
"""

from __future__ import annotations

import os
import random
import tempfile
import time
from pathlib import Path
from typing import Any

NAME = "gui_scroll"
FULL_ROWS = 5_000_000
QUICK_ROWS = 500_000


def build_big_store(path: Path, rows: int) -> Path:
    """A case database with ``rows`` time-ordered timeline rows, 1 ms apart, every 997th an error."""
    from workbench.core.store import CaseStore
    from workbench.core.store import schema as S

    store = CaseStore.open(path)
    fid = store.add_file(path="big/setupact.log", container="", size=0, status="parsed", kind="setupact",
                         role="rollback")
    t0 = 1_700_000_000_000_000
    batch: list[tuple[Any, ...]] = []
    for n in range(rows):
        batch.append((t0 + n * 1000, t0 + n * 1000, "local", "setupact", fid, n + 1,
                      "error" if n % 997 == 0 else "info", "MOUPG", f"generated message {n}"))
        if len(batch) == 50_000:
            store.insert_timeline(batch)
            batch = []
    if batch:
        store.insert_timeline(batch)
    for ddl in S.TIMELINE_INDEXES:
        store.conn.execute(ddl)
    store.commit()
    store.close()
    return path


def time_jumps(pane: Any, jumps: int = 20, seed: int = 7) -> tuple[float, float]:
    """(worst, median) milliseconds to scroll ``pane``'s table to a place and paint it."""
    from PySide6.QtWidgets import QApplication

    bar = pane.table.verticalScrollBar()
    rng = random.Random(seed)
    targets = [bar.maximum(), 0, bar.maximum() // 2] + [rng.randint(0, bar.maximum()) for _ in range(jumps - 3)]
    times = []
    for target in targets:
        started = time.perf_counter()
        bar.setValue(target)
        pane.table.viewport().repaint()
        QApplication.processEvents()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return times[-1], times[len(times) // 2]


def measure(quick: bool = False) -> list[dict[str, Any]]:
    """Build the big store, open the pane on it, and return the figures (bench/run's contract)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from workbench.gui.bus import CursorBus
    from workbench.gui.models.store_view import StoreView
    from workbench.gui.panes.timeline_table import TimelinePane

    app = QApplication.instance() or QApplication([])
    rows = QUICK_ROWS if quick else FULL_ROWS
    with tempfile.TemporaryDirectory() as tmp:
        db = build_big_store(Path(tmp) / "case.sqlite", rows)
        view = StoreView(db)
        pane = TimelinePane(CursorBus())
        pane.resize(1200, 800)
        pane.show()
        started = time.perf_counter()
        pane.set_view(view)
        pane.table.viewport().repaint()
        app.processEvents()
        open_ms = (time.perf_counter() - started) * 1000
        worst, median = time_jumps(pane)
        pane.set_view(None)
        pane.deleteLater()
        app.processEvents()
        view.close()
    label = f"{rows:,} timeline rows"
    return [
        {"figure": "scroll_ms", "value": round(worst, 2), "unit": "ms", "baseline": f"worst of 20 jumps, {label}"},
        {"figure": "scroll_median_ms", "value": round(median, 2), "unit": "ms", "baseline": label},
        {"figure": "timeline_open_ms", "value": round(open_ms, 2), "unit": "ms",
         "baseline": f"first screen of {label}"},
    ]
