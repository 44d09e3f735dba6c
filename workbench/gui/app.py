"""``workbench [CASE] [--password P] [--screenshot OUT.png] [--size WxH] [--lang en|zh]``: the desktop app.

Without a case it opens the bundled demo case (built by :mod:`workbench.demo` on first use). With
``--screenshot`` it renders the main window offscreen once the case is loaded and the panes are filled, saves
a PNG and exits: the documentation's pictures and the GUI smoke test come from this one path.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

DEFAULT_SIZE = (1600, 1000)
_APP: object = None


def _size(text: str) -> tuple[int, int]:
    try:
        w, h = (int(v) for v in text.lower().split("x", 1))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not a size; write it like 1600x1000") from exc
    if not (200 <= w <= 10000 and 200 <= h <= 10000):
        raise argparse.ArgumentTypeError(f"{text!r}: width and height must be between 200 and 10000")
    return w, h


def build_parser() -> argparse.ArgumentParser:
    from workbench.commands.arguments import OneSentenceParser

    p = OneSentenceParser(prog="workbench", description="Open a case in the Case Workbench window "
                                "(or run a subcommand: workbench analyze|timeline|files|demo --help).")
    p.add_argument("case", nargs="?", help="a .zip, .7z, folder or single log file (default: the demo case)")
    p.add_argument("--password", help="password of an encrypted archive")
    p.add_argument("--screenshot", metavar="OUT.png", help="render the window offscreen to a PNG, then exit")
    p.add_argument("--size", type=_size, default=None, metavar="WxH", help="window size (default 1600x1000)")
    p.add_argument("--tz", metavar="ZONE", help='the case time zone: +08:00, "China Standard Time" or '
                   "Asia/Shanghai; kept in the case (auto: back to the zone the case's sources give)")
    p.add_argument("--lang", choices=("en", "zh"), help="user-interface language (default: the system's)")
    p.add_argument("--theme", choices=("system", "light", "dark"),
                   help="colours for this run (default: View › Theme, which follows the system)")
    return p


def _demo_case() -> Path:
    from workbench.demo import demo_case_path

    return demo_case_path()


def main(argv: list[str]) -> int:
    """Run the window; returns the process exit code (2 for a wrong argument, as the CLI does)."""
    from workbench.commands.arguments import parse

    parser = build_parser()
    try:
        args = parse(parser, argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    if args.screenshot and not os.environ.get("QT_QPA_PLATFORM"):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"  # a screenshot needs no display

    from PySide6.QtWidgets import QApplication

    from workbench.gui import i18n
    from workbench.gui.main_window import settings

    global _APP
    app = QApplication.instance() or QApplication([sys.argv[0] if sys.argv else "workbench"])
    # Keep the application alive past this call: a QApplication collected while its widgets still exist
    # (when main() runs more than once in a process, as in tests) takes the interpreter down at exit.
    _APP = app
    app.setApplicationName("Case Workbench")
    app.setOrganizationName("CaseWorkbench")
    from workbench.gui.theme import apply_theme, follow_system

    apply_theme(app, args.theme or str(settings().value("ui/theme", "system") or "system"))
    follow_system(app, lambda: str(settings().value("ui/theme", "system") or "system"))
    language = i18n.pick_language(args.lang, str(settings().value("ui/language", "") or ""))
    translator = i18n.install_translator(app, language)  # kept alive (referenced) until main returns
    try:
        return _run(app, args)
    finally:
        if translator is not None:
            app.removeTranslator(translator)


def _run(app: object, args: argparse.Namespace) -> int:
    from workbench.gui.main_window import MainWindow

    if args.case:
        source = Path(args.case).expanduser()
        if not source.exists():
            sys.stderr.write(f"workbench: {source}: no such file or folder.\n")
            return 2
    else:
        try:
            source = _demo_case()
        except Exception as exc:  # the demo builder is missing or failed: say so, open an empty window
            sys.stderr.write(f"workbench: the demo case could not be built ({type(exc).__name__}: {exc}).\n")
            if args.screenshot:
                return 1
            source = None

    window = MainWindow(interactive=not args.screenshot)
    width, height = args.size or DEFAULT_SIZE
    window.resize(width, height)
    zone = _zone_argument(args.tz)
    if zone is False:
        return 2
    if args.screenshot:
        return _screenshot(app, window, source, args.password, Path(args.screenshot), (width, height), zone)
    if args.size is None:
        window.restore_layout()
    window.show()
    if source is not None:
        window.open_case(source, args.password, zone=zone)
    code = int(app.exec())  # type: ignore[attr-defined]
    _dispose(window)
    return code


def _dispose(window: object) -> None:
    """Delete the window now, not at interpreter exit: Qt objects collected during finalization (pyqtgraph
    items, models) can crash PySide in its teardown, and tests call :func:`main` more than once per process."""
    from PySide6.QtCore import QCoreApplication, QEvent

    window.deleteLater()  # type: ignore[attr-defined]
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def _zone_argument(text: str | None) -> str | None | bool:
    """``--tz`` as the window's ``open_case`` takes it (None: keep the case's; ``""``: the sources'), or False
    (after saying why) when it names no zone."""
    if text is None:
        return None
    from workbench.core import clock

    if text.strip().lower() in ("auto", ""):
        return ""
    if clock.resolve_zone(text) is None:
        sys.stderr.write(f"workbench: {text!r} is not a time zone; write an offset like +08:00, a Windows zone "
                         "name like \"China Standard Time\", or an IANA name like Asia/Shanghai.\n")
        return False
    return text.strip()


def _screenshot(app: object, window: object, source: Path | None, password: str | None, out: Path,
                size: tuple[int, int], zone: str | None | bool = None) -> int:
    """Open the case, wait until the panes are filled, point the panes at the top finding, save a PNG."""
    from PySide6.QtCore import QEventLoop, QTimer

    from workbench.gui.main_window import MainWindow

    assert isinstance(window, MainWindow)
    window.apply_default_layout(size)
    window.show()
    loop = QEventLoop()
    outcome: list[object] = []
    window.caseLoaded.connect(lambda o: (outcome.append(o), loop.quit()))
    if source is not None:
        window.open_case(source, password, zone=zone if isinstance(zone, str) else None)
        QTimer.singleShot(15 * 60 * 1000, loop.quit)  # a safety net: never hang a docs build forever
        loop.exec()
    if window.strip.pending:  # a big case: the strip's lanes are still being counted in a thread
        wait = QEventLoop()
        window.strip.ready.connect(wait.quit)
        QTimer.singleShot(5 * 60 * 1000, wait.quit)
        wait.exec()
    analysis = window.overview.analysis or {}
    code = (analysis.get("upgrade") or {}).get("result_code")
    if code:
        window.search.search(code)  # show the search pane at work on the case's own error code
    if window.findings.model.rowCount():
        window.findings.activate(0)
    else:
        window.timeline.go_to_error(True)
    for _ in range(5):
        app.processEvents()  # type: ignore[attr-defined]
    out.parent.mkdir(parents=True, exist_ok=True)
    ok = window.grab().save(str(out), "PNG")
    window.close()
    _dispose(window)
    if not ok:
        sys.stderr.write(f"workbench: could not write {out}.\n")
        return 1
    sys.stdout.write(f"{out}\n")
    o = outcome[0] if outcome else None
    return 1 if o is not None and getattr(o, "error", None) else 0
