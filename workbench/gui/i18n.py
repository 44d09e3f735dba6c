"""The user-interface language: English in the source, Simplified Chinese from a Qt translation.

Strings are marked with ``self.tr()``; ``resources/translations/workbench_zh_CN.ts`` is the translation
source (Qt Linguist XML, edited by hand or in Linguist) and ``workbench_zh_CN.qm`` its compiled form, which
is what the app loads. Rebuild both offline with ``python -m workbench.gui.i18n`` (runs ``pyside6-lupdate``
over ``workbench/gui`` to pick up new strings, keeping existing translations, then ``pyside6-lrelease``);
both tools ship with PySide6-Essentials.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from workbench.locations import resources_dir

#: the checkout's ``resources/``, an installed wheel's ``workbench/_resources`` or a frozen build's copy
RESOURCES = resources_dir()
TRANSLATIONS = RESOURCES / "translations"
LANGUAGES = {"en": None, "zh": "zh_CN"}
#: Qt's own translations installed (held here: Qt does not keep the Python object alive)
_QT_WORDS: list[QTranslator] = []


def pick_language(requested: str | None, saved: str | None) -> str:
    """``--lang`` wins, then the View › Language choice, then the system locale (Chinese → zh)."""
    for choice in (requested, saved):
        if choice in LANGUAGES:
            return choice
    return "zh" if QLocale.system().language() == QLocale.Language.Chinese else "en"


def ui_language() -> str:
    """``zh`` when the app runs with the Chinese translation installed, else ``en``.

    The translator is the one source of truth for the UI language (``--lang`` and the saved choice both end
    there), so panes ask it how it translates a title every translation has rather than keeping a copy; they
    use the answer for text that comes from the case (a finding's title in English or Chinese).
    """
    return "zh" if QCoreApplication.translate("MainWindow", "Findings") != "Findings" else "en"


def install_translator(app: QCoreApplication, language: str) -> QTranslator | None:
    """Load the compiled translation for ``language`` into ``app``; None for English or when it is missing.

    The translator is returned so the caller keeps a reference: Qt does not own it, and a collected
    translator silently turns the UI back to English.
    """
    locale = LANGUAGES.get(language)
    if locale is None:
        return None
    translator = QTranslator(app)
    if not translator.load(str(TRANSLATIONS / f"workbench_{locale}.qm")):
        sys.stderr.write(f"workbench: no compiled translation for {locale} in {TRANSLATIONS}; showing English.\n")
        return None
    # Qt's own words (OK, Cancel, Yes, the file dialog's) from the translation PySide6 ships beside Qt
    qt_words = QTranslator(app)
    if qt_words.load(f"qtbase_{locale}", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
        app.installTranslator(qt_words)
        _QT_WORDS.append(qt_words)  # kept: a collected translator stops translating
    app.installTranslator(translator)
    return translator


def build() -> int:
    """Refresh the .ts from the sources, then compile it to .qm (an offline, repeatable step)."""
    lupdate = shutil.which("pyside6-lupdate")
    lrelease = shutil.which("pyside6-lrelease")
    if lupdate is None or lrelease is None:
        sys.stderr.write("pyside6-lupdate/pyside6-lrelease not found (they come with PySide6-Essentials).\n")
        return 2
    gui = Path(__file__).resolve().parent
    sources = sorted(str(p) for p in gui.rglob("*.py"))
    TRANSLATIONS.mkdir(parents=True, exist_ok=True)
    ts = TRANSLATIONS / "workbench_zh_CN.ts"
    before = translated_sources(ts)
    backup = ts.read_bytes()
    subprocess.run([lupdate, "-no-obsolete", "-locations", "none", *sources, "-ts", str(ts)], check=True)
    lost = before - translated_sources(ts)
    if lost:
        # some lupdate versions miss strings (tr() inside f-strings, translate() outside a class): keep the
        # translations rather than drop them; add new strings to the .ts by hand, then run lrelease alone
        ts.write_bytes(backup)
        sys.stderr.write(f"pyside6-lupdate would drop {len(lost)} translated string(s) it did not find, e.g. "
                         f"{sorted(lost)[:5]}; the .ts is left as it was.\n")
        return 1
    subprocess.run([lrelease, str(ts), "-qm", str(ts.with_suffix(".qm"))], check=True)
    return 0


def translated_sources(ts: Path) -> set[tuple[str, str]]:
    """(context, source) of every message of a .ts file that has a finished translation."""
    import xml.etree.ElementTree as ET

    if not ts.exists():
        return set()
    out = set()
    for context in ET.parse(ts).getroot().iter("context"):
        name = context.findtext("name") or ""
        for message in context.iter("message"):
            translation = message.find("translation")
            if translation is not None and translation.text and translation.get("type") != "unfinished":
                out.add((name, message.findtext("source") or ""))
    return out


if __name__ == "__main__":
    raise SystemExit(build())
