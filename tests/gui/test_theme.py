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


# ------------------------------------------------------------------------------------------- contrast (issue 16)

MINIMUM = 4.5  # WCAG AA for text


def _text_pairs(dark: bool) -> list[tuple[str, object, object]]:
    """Every text/background pair the GUI draws in a theme: the palette's roles, each meaning's colour on each
    background it is shown on, the shaded level rows, the pairs of the theme's own backgrounds, and the
    timeline strip's phase labels."""
    from workbench.gui.panes.timeline_strip import PHASE_LABEL, PHASE_STYLES
    from workbench.gui.theme import (
        LEVEL_SHADES,
        LEVEL_TEXT,
        SEMANTIC,
        color,
        dark_palette,
        light_palette,
        over,
    )

    app = QApplication.instance()
    pal = dark_palette() if dark else light_palette(app)
    role = QPalette.ColorRole
    c = pal.color
    pairs: list[tuple[str, object, object]] = [
        ("WindowText/Window", c(role.WindowText), c(role.Window)), ("Text/Base", c(role.Text), c(role.Base)),
        ("Text/AlternateBase", c(role.Text), c(role.AlternateBase)),
        ("ButtonText/Button", c(role.ButtonText), c(role.Button)),
        ("HighlightedText/Highlight", c(role.HighlightedText), c(role.Highlight)),
        ("ToolTipText/ToolTipBase", c(role.ToolTipText), c(role.ToolTipBase)),
        ("PlaceholderText/Base", c(role.PlaceholderText), c(role.Base)),
        ("Link/Base", c(role.Link), c(role.Base)), ("LinkVisited/Base", c(role.LinkVisited), c(role.Base)),
        ("Link/Window", c(role.Link), c(role.Window)),
    ]
    backgrounds = {"Base": c(role.Base), "AlternateBase": c(role.AlternateBase), "Window": c(role.Window)}
    for name in ("error", "critical", "warning", "muted", "setup", "third_party", "link", "visited", "ok"):
        for bg_name, bg in backgrounds.items():
            pairs.append((f"{name}/{bg_name}", color(name, dark), bg))
    for level, rgba in LEVEL_SHADES.items():
        from PySide6.QtGui import QColor

        for bg_name in ("Base", "AlternateBase"):
            shaded = over(QColor(*rgba), backgrounds[bg_name])
            pairs.append((f"{level} row/{bg_name}", color(LEVEL_TEXT[level], dark), shaded))
    for fg, bg in (("culprit_fg", "culprit_bg"), ("abnormal_fg", "abnormal_bg"), ("match_fg", "match_bg"),
                   ("quote_fg", "quote_bg")):
        pairs.append((f"{fg}/{bg}", color(fg, dark), color(bg, dark)))
    pairs.append(("Text/fault_bg", c(role.Text), color("fault_bg", dark)))
    pairs.append(("badge_fg/setup", color("badge_fg", dark), color("setup", dark)))
    pairs.append(("badge_fg/third_party", color("badge_fg", dark), color("third_party", dark)))
    from PySide6.QtGui import QColor

    for key, (_label, rgb) in PHASE_STYLES.items():
        pairs.append((f"phase label/{key}", QColor(*PHASE_LABEL), QColor(*rgb)))
    assert set(SEMANTIC["dark"]) == set(SEMANTIC["light"])
    return pairs


def test_every_text_and_background_pair_reads_in_both_themes(qapp) -> None:
    from workbench.gui.theme import contrast

    low = [(dark, name, round(contrast(fg, bg), 2)) for dark in (False, True)
           for name, fg, bg in _text_pairs(dark) if contrast(fg, bg) < MINIMUM]
    assert not low, f"pairs under {MINIMUM}:1 (dark?, pair, ratio): {low}"


def test_no_colour_is_named_outside_the_theme() -> None:
    """Every colour with a meaning comes from theme.color, so the pairs above are all there is."""
    import re
    from pathlib import Path

    gui = Path(__file__).resolve().parents[2] / "workbench" / "gui"
    pattern = re.compile(r"#[0-9a-fA-F]{6}\b|QColor\(\s*\d|color:\s*(gray|grey|red|blue|black|white)|GlobalColor\.dark")
    found = [f"{p.relative_to(gui)}:{n}" for p in gui.rglob("*.py") if p.name != "theme.py"
             for n, line in enumerate(p.read_text("utf-8").splitlines(), 1) if pattern.search(line)]
    assert not found, f"colours named outside workbench/gui/theme.py: {found}"


def test_links_are_readable_after_switching_to_dark(qtbot, demo_source) -> None:
    """Issue 16: the overview's links stayed dark blue on black after the switch (laid out under light)."""
    from workbench.gui.main_window import MainWindow
    from workbench.gui.theme import contrast

    app = QApplication.instance()
    apply_theme(app, "light")
    window = MainWindow(interactive=False)
    qtbot.addWidget(window)
    window.show()
    try:
        with qtbot.waitSignal(window.caseLoaded, timeout=120_000):
            window.open_case(demo_source)
        window.findings.activate(0)
        window.set_theme("dark")
        qtbot.wait(50)
        base = app.palette().color(QPalette.ColorRole.Base)
        for browser in (window.overview.browser, window.findings.details):
            doc = browser.document()
            anchors = []
            block = doc.begin()
            while block.isValid():
                anchors += [r.format.foreground().color() for r in block.textFormats() if r.format.isAnchor()]
                block = block.next()
            assert anchors, browser.objectName()
            assert min(contrast(a, base) for a in anchors) >= MINIMUM, browser.objectName()
    finally:
        apply_theme(app, "light")
