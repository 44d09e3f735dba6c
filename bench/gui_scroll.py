"""Scrolling the timeline table over millions of rows (figure ``scroll_ms``): see workbench.gui.scroll_bench."""

from workbench.gui.scroll_bench import NAME, measure

__all__ = ["NAME", "measure"]
