"""Light and dark themes: the choice applies at once, every pane (the pyqtgraph strip too) follows it."""

from __future__ import annotations

from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication

from workbench.gui.theme import apply_theme


def test_dark_and_light_apply_at_once(qtbot) -> None:
    from workbench.gui.main_window import MainWindow

    app = QApplication.instance()
    window = MainWindow(interactive=False)
    qtbot.addWidget(window)
    try:
        window.set_theme("dark")
        qtbot.wait(20)
        assert app.palette().color(QPalette.ColorRole.Window).lightness() < 80
        background = window.strip.plot.backgroundBrush().color()
        assert background.lightness() < 80, "the timeline strip did not follow the dark palette"
        window.set_theme("light")
        qtbot.wait(20)
        assert app.palette().color(QPalette.ColorRole.Window).lightness() > 180
        assert window.strip.plot.backgroundBrush().color().lightness() > 180
    finally:
        apply_theme(app, "light")
