"""Light and dark themes: follow the system by default, or the user's choice (View › Theme).

Qt follows the system's colour scheme by itself only on some platforms (Windows 11, macOS); elsewhere, and
whenever the user picks "Dark" explicitly, we apply a dark palette to the Fusion style ourselves, so the
choice works the same on every machine. Panes take their colours from the palette, never from constants,
where a colour has no meaning of its own (errors stay red).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

THEMES = ("system", "light", "dark")


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
        QPalette.ColorRole.PlaceholderText: QColor("#8c8f94"),
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
        QPalette.ColorRole.Link: QColor("#6ea8ff"),
        QPalette.ColorRole.LinkVisited: QColor("#b48ead"),
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
        app.setPalette(dark_palette() if dark else app.style().standardPalette())
    return dark


def follow_system(app: QApplication, current: callable) -> None:  # type: ignore[valid-type]
    """Re-apply when the system switches between light and dark, while the user's choice is "system"."""
    app.styleHints().colorSchemeChanged.connect(lambda _scheme: apply_theme(app, current()))
