"""The bus: setters ignore equal values, so panes reacting to each other never loop."""

from __future__ import annotations

from workbench.gui.bus import CursorBus, Selection


def test_setters_ignore_equal_values(qtbot) -> None:
    bus = CursorBus()
    seen: list[object] = []
    bus.cursorChanged.connect(seen.append)
    bus.rangeChanged.connect(seen.append)
    bus.selectionChanged.connect(seen.append)
    bus.set_cursor(10)
    bus.set_cursor(10)
    bus.set_range((30, 20))
    bus.set_range((20, 30))
    assert bus.range == (20, 30)
    sel = Selection("row", ts=10, row_id=3)
    bus.select(sel)
    bus.select(Selection("row", ts=10, row_id=3))
    assert seen == [10, (20, 30), sel]
    bus.select(Selection("row", ts=99, row_id=4))
    assert bus.cursor == 99
    bus.clear()
    assert bus.cursor is None and bus.selection is None and bus.range is None
