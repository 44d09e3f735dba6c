"""The app's own error log: what went wrong inside the workbench, kept in the user's log folder.

Why a file at all: the engineer runs a windowed build on a laptop without a console, so a traceback printed
to stderr is lost, and the person fixing the bug later needs it. Why never inside a case: a case folder is
evidence that can be exported and handed on (``workbench export-case``); the tool's own failures are not part
of the customer's case, and a case must not grow a file each time it is opened.

Where: ``WORKBENCH_LOG_DIR`` if set; else ``<WORKBENCH_HOME>/logs`` when ``WORKBENCH_HOME`` is set (portable
installs and tests keep everything in one place, beside — not inside — ``cases/``); else the per-user log
folder from platformdirs (``%LOCALAPPDATA%\\CaseWorkbench\\Logs`` on Windows). The file rotates at 1 MiB,
three old copies kept, so it never fills a small disk. Warnings and errors only: nothing from a case's
content is logged on purpose, though an exception message may quote a file name.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import sys
import threading
from pathlib import Path
from types import TracebackType

LOG_NAME = "workbench.log"
MAX_BYTES = 1024 * 1024
BACKUPS = 3
_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(process)d:%(threadName)s] %(message)s"

_installed: Path | None = None
_hooks_chained = False


def log_dir() -> Path:
    """The folder the error log goes to (see the module docstring for the order)."""
    env = os.environ.get("WORKBENCH_LOG_DIR")
    if env:
        return Path(env)
    home = os.environ.get("WORKBENCH_HOME")
    if home:
        return Path(home) / "logs"
    import platformdirs

    from workbench.core.case import APP_NAME

    return Path(platformdirs.user_log_dir(APP_NAME, appauthor=False))


def log_path() -> Path:
    return log_dir() / LOG_NAME


def install(level: int = logging.WARNING) -> Path | None:
    """Send warnings, errors and uncaught exceptions (main thread and worker threads) to the log file.

    Safe to call more than once (later calls return the same path). Returns None when the folder cannot
    be written: a read-only profile must not stop the app from starting.
    """
    global _installed
    if _installed is not None:
        return _installed
    path = log_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(path, maxBytes=MAX_BYTES, backupCount=BACKUPS,
                                                       encoding="utf-8", delay=True)
    except OSError:
        return None
    handler.setLevel(level)
    handler.setFormatter(logging.Formatter(_FORMAT))
    root = logging.getLogger()
    root.addHandler(handler)
    if root.level == logging.NOTSET or root.level > level:
        root.setLevel(level)
    _chain_excepthooks()
    _installed = path
    return path


def _chain_excepthooks() -> None:
    """Log uncaught exceptions, then let the previous hook (the console's, or Qt's dialog) run as before.

    Chained once per process: the hooks log through the root logger, so after :func:`uninstall` they
    simply find no file handler.
    """
    global _hooks_chained
    if _hooks_chained:
        return
    _hooks_chained = True
    previous = sys.excepthook

    def hook(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if not issubclass(exc_type, KeyboardInterrupt):
            logging.getLogger("workbench").critical("uncaught exception", exc_info=(exc_type, exc, tb))
        previous(exc_type, exc, tb)

    sys.excepthook = hook
    previous_thread = threading.excepthook

    def thread_hook(args: threading.ExceptHookArgs) -> None:
        if args.exc_type is not SystemExit and args.exc_value is not None:
            logging.getLogger("workbench").critical(
                "uncaught exception in thread %s", getattr(args.thread, "name", "?"),
                exc_info=(args.exc_type, args.exc_value, args.exc_traceback))
        previous_thread(args)

    threading.excepthook = thread_hook


def installed_path() -> Path | None:
    """The error log file in use, or None when :func:`install` was not called or could not write it."""
    return _installed


def uninstall() -> None:
    """Remove the file handler again (tests; an embedding application that wants its own logging)."""
    global _installed
    if _installed is None:
        return
    root = logging.getLogger()
    for h in list(root.handlers):
        if isinstance(h, logging.handlers.RotatingFileHandler) and Path(h.baseFilename) == _installed.resolve():
            root.removeHandler(h)
            h.close()
    _installed = None


def redirect_missing_streams(log: Path | None) -> None:
    """Give a windowed process (``pythonw``, a ``console=False`` build) somewhere to write.

    There ``sys.stdout``/``sys.stderr`` are ``None`` and the first ``write`` would raise; they go to
    ``console.log`` beside the error log instead (a separate file, so the error log can still rotate).
    """
    if log is None or (sys.stdout is not None and sys.stderr is not None):
        return
    stream = open(log.with_name("console.log"), "a", encoding="utf-8", errors="replace")  # noqa: SIM115
    sys.stdout = sys.stdout or stream
    sys.stderr = sys.stderr or stream


def main() -> int:
    """The installed ``workbench`` command: the CLI with the error log on (``pyproject.toml`` [project.scripts]).

    Why here and not in :func:`workbench.cli.main`: tests and scripts call that function many times in one
    process and must not each add a log file; the program a user starts calls this once.
    """
    redirect_missing_streams(install())
    from workbench.cli import main as cli_main

    return cli_main()
