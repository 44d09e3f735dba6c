"""The bus: the cursor and the range ignore equal values; every pick is published, even of the same time."""

from __future__ import annotations

from workbench.gui.bus import CursorBus, Selection


def test_setters_ignore_equal_values_and_picks_are_always_published(qtbot) -> None:
    bus = CursorBus()
    seen: list[object] = []
    moments: list[object] = []
    bus.cursorChanged.connect(seen.append)
    bus.rangeChanged.connect(seen.append)
    bus.momentChanged.connect(moments.append)
    bus.set_cursor(10)
    bus.set_cursor(10)
    bus.set_range((30, 20))
    bus.set_range((20, 30))
    assert bus.range == (20, 30)
    assert seen == [10, (20, 30)]
    assert moments == [Selection("time", ts=10)] and bus.selection == Selection("time", ts=10)
    sel = Selection("row", ts=10, row_id=3)
    bus.select(sel)
    bus.select(Selection("row", ts=10, row_id=3))
    # the same time: no cursor change, but both picks reach the panes (the second may follow other moves)
    assert seen == [10, (20, 30)] and moments[1:] == [sel, sel]
    bus.select(Selection("row", ts=99, row_id=4))
    assert bus.cursor == 99 and seen[-1] == 99 and moments[-1].row_id == 4
    bus.clear()
    assert bus.cursor is None and bus.selection is None and bus.range is None
