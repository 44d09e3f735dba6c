"""Light and dark themes: follow the system by default, or the user's choice (View › Theme).

Qt follows the system's colour scheme by itself only on some platforms (Windows 11, macOS); elsewhere, and
whenever the user picks "Dark" explicitly, we apply a dark palette to the Fusion style ourselves, so the
choice works the same on every machine. Panes take their colours from the palette where a colour has no
meaning of its own, and every colour that has one (errors red, Setup blue, third-party orange, muted grey,
links) from :func:`color`, which has a light and a dark value of each. Nothing else in the GUI names a
colour: that is what lets tests/gui/test_theme.py prove every text/background pair of both themes is
readable (a contrast of 4.5:1 or more, WCAG AA), and keeps links readable in the dark (issue 16: they were
dark blue on black, the HTML having been laid out under the light palette).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

THEMES = ("system", "light", "dark")

#: Colours with a meaning, per theme. Each text colour reads at 4.5:1 or more on the theme's Base,
#: AlternateBase and Window; each ``*_bg`` is drawn under the ``*_fg`` beside it (or the palette's text).
SEMANTIC: dict[str, dict[str, str]] = {
    "light": {
        "error": "#b3261e", "critical": "#9c1515", "warning": "#805300", "muted": "#595d63", "setup": "#1a56b0",
        "third_party": "#974300", "link": "#1a56b0", "visited": "#6b3fa0", "ok": "#1e6b2e",
        "culprit_bg": "#ffddaa", "culprit_fg": "#000000", "fault_bg": "#fff0d6", "abnormal_bg": "#ffdede",
        "abnormal_fg": "#9c1515", "match_bg": "#ffde59", "match_fg": "#000000", "quote_bar": "#c8c8c8",
        "quote_bg": "#f4f4f4", "quote_fg": "#3c3c3c", "badge_fg": "#ffffff",
    },
    "dark": {
        "error": "#ff8a80", "critical": "#ff7a7a", "warning": "#f0b84a", "muted": "#a7abb1", "setup": "#8ab8ff",
        "third_party": "#ffab66", "link": "#7cb3ff", "visited": "#cfa8e6", "ok": "#7fd48f",
        "culprit_bg": "#5a3d10", "culprit_fg": "#ffe2b8", "fault_bg": "#3a3222", "abnormal_bg": "#4a1f1f",
        "abnormal_fg": "#ffb0b0", "match_bg": "#ffde59", "match_fg": "#000000", "quote_bar": "#5a5d63",
        "quote_bg": "#2a2c30", "quote_fg": "#d6d9de", "badge_fg": "#000000",
    },
}
#: Rows of a level are shaded with these (over Base or AlternateBase), text in the level's colour.
LEVEL_SHADES = {"critical": (230, 40, 40, 60), "error": (230, 40, 40, 38), "warning": (230, 160, 0, 28)}
#: The colour of each level's text (None: the palette's).
LEVEL_TEXT = {"critical": "critical", "error": "error", "warning": "warning", "verbose": "muted"}


def dark_palette() -> QPalette:
    p = QPalette()
    base, window, text, mid = QColor("#1e1f22"), QColor("#2b2d30"), QColor("#dfe1e5"), QColor("#4e5157")
    roles = {
        QPalette.ColorRole.Window: window,
        QPalette.ColorRole.WindowText: text,
        QPalette.ColorRole.Base: base,
        QPalette.ColorRole.AlternateBase: QColor("#26282b"),
        QPalette.ColorRole.ToolTipBase: window,
        QPalette.ColorRole.ToolTipText: text,
        QPalette.ColorRole.PlaceholderText: QColor("#9a9da3"),
        QPalette.ColorRole.Text: text,
        QPalette.ColorRole.Button: window,
        QPalette.ColorRole.ButtonText: text,
        QPalette.ColorRole.BrightText: QColor("#ff6b6b"),
        QPalette.ColorRole.Light: QColor("#3c3f44"),
        QPalette.ColorRole.Midlight: QColor("#35383c"),
        QPalette.ColorRole.Mid: mid,
        QPalette.ColorRole.Dark: QColor("#18191b"),
        QPalette.ColorRole.Shadow: QColor("#000000"),
        QPalette.ColorRole.Highlight: QColor("#2f65ca"),
        QPalette.ColorRole.HighlightedText: QColor("#ffffff"),
        QPalette.ColorRole.Link: QColor(SEMANTIC["dark"]["link"]),
        QPalette.ColorRole.LinkVisited: QColor(SEMANTIC["dark"]["visited"]),
    }
    for role, colour in roles.items():
        p.setColor(role, colour)
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.WindowText, QPalette.ColorRole.ButtonText):
        p.setColor(QPalette.ColorGroup.Disabled, role, QColor("#75787d"))
    return p


def is_dark(app: QApplication, theme: str) -> bool:
    if theme == "dark":
        return True
    if theme == "light":
        return False
    return app.styleHints().colorScheme() == Qt.ColorScheme.Dark


def apply_theme(app: QApplication, theme: str) -> bool:
    """Apply ``theme`` (system, light or dark) to ``app``; returns whether the result is dark."""
    theme = theme if theme in THEMES else "system"
    dark = is_dark(app, theme)
    if theme == "system":
        app.styleHints().unsetColorScheme()
    else:
        app.styleHints().setColorScheme(Qt.ColorScheme.Dark if dark else Qt.ColorScheme.Light)
    if dark or theme == "light":
        app.setStyle("Fusion")  # the one style that honours a custom palette everywhere
        app.setPalette(dark_palette() if dark else light_palette(app))
    # the few plain labels that carry a meaning (an error message) take its colour of this theme
    app.setStyleSheet(f"QLabel#eventsStatus {{ color: {color('error', palette_is_dark(app.palette())).name()}; }}")
    return dark


def follow_system(app: QApplication, current: callable) -> None:  # type: ignore[valid-type]
    """Re-apply when the system switches between light and dark, while the user's choice is "system"."""
    app.styleHints().colorSchemeChanged.connect(lambda _scheme: apply_theme(app, current()))


def light_palette(app: QApplication | None = None) -> QPalette:
    """The Fusion style's light palette with readable placeholder and link colours."""
    from PySide6.QtWidgets import QStyleFactory

    style = app.style() if app is not None and app.style().name().lower() == "fusion" else QStyleFactory.create(
        "Fusion")
    p = QPalette(style.standardPalette())
    p.setColor(QPalette.ColorRole.PlaceholderText, QColor("#6b6e73"))
    for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive):  # white on Fusion's was 3.7:1
        p.setColor(group, QPalette.ColorRole.Highlight, QColor("#1f68b0"))
        p.setColor(group, QPalette.ColorRole.HighlightedText, QColor("#ffffff"))
    p.setColor(QPalette.ColorRole.Link, QColor(SEMANTIC["light"]["link"]))
    p.setColor(QPalette.ColorRole.LinkVisited, QColor(SEMANTIC["light"]["visited"]))
    return p


def palette_is_dark(palette: QPalette | None = None) -> bool:
    """Whether the palette in use is a dark one (the app's, unless one is given)."""
    pal = palette if palette is not None else QApplication.palette()
    return pal.color(QPalette.ColorRole.Window).lightness() < 128


def color(name: str, dark: bool | None = None) -> QColor:
    """The colour of a meaning (``error``, ``muted``, ``setup``, ``link``, ...) in the theme in use."""
    theme = "dark" if (palette_is_dark() if dark is None else dark) else "light"
    return QColor(SEMANTIC[theme][name])


def level_color(level: str | None) -> QColor | None:
    """The text colour of a timeline level (None: the palette's text)."""
    name = LEVEL_TEXT.get(level or "")
    return color(name) if name else None


def level_shade(level: str | None) -> QColor | None:
    """The row shade of a level (errors and warnings stand out while scrolling)."""
    rgba = LEVEL_SHADES.get(level or "")
    return QColor(*rgba) if rgba else None


def html_style(dark: bool | None = None) -> str:
    """The CSS every rich-text pane starts its HTML with: links and the meaning classes in the theme's
    colours (``.error``, ``.warn``, ``.muted``, ``.setup``, ``.third``, ``.ok``, ``.code``)."""
    c = {k: v for k, v in SEMANTIC["dark" if (palette_is_dark() if dark is None else dark) else "light"].items()}
    return (f"a{{color:{c['link']};}} .error{{color:{c['error']};}} .critical{{color:{c['critical']};}} "
            f".warn{{color:{c['warning']};}} .muted{{color:{c['muted']};}} .meta{{color:{c['muted']};}} "
            f".setup{{color:{c['setup']};}} .third{{color:{c['third_party']};}} .ok{{color:{c['ok']};}} "
            f".abnormal{{color:{c['abnormal_fg']}; background:{c['abnormal_bg']};}} "
            f".code{{font-size:large;font-weight:bold;color:{c['error']};}}")


def style_tag(extra: str = "") -> str:
    """``<style>`` with :func:`html_style` and a pane's own layout rules."""
    return f"<style>{html_style()} {extra}</style>"


def contrast(fg: QColor, bg: QColor) -> float:
    """The WCAG contrast ratio of two opaque colours (1 to 21)."""
    def luminance(c: QColor) -> float:
        def channel(v: float) -> float:
            return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4
        return 0.2126 * channel(c.redF()) + 0.7152 * channel(c.greenF()) + 0.0722 * channel(c.blueF())

    hi, lo = sorted((luminance(fg), luminance(bg)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def over(top: QColor, bottom: QColor) -> QColor:
    """``top`` (with its alpha) painted over the opaque ``bottom``."""
    a = top.alphaF()
    return QColor.fromRgbF(top.redF() * a + bottom.redF() * (1 - a), top.greenF() * a + bottom.greenF() * (1 - a),
                           top.blueF() * a + bottom.blueF() * (1 - a))
