"""The frozen app's one entry script, shared by both executables of the bundle.

PyInstaller builds ``CaseWorkbench`` (windowed) and ``workbench`` (console) from this file so the bundle
carries one copy of the code and one analysis. Both run :func:`workbench.applog.main` (the error log, then
:func:`workbench.cli.main`): no argument or a case path opens the window, a subcommand runs headless. The
windowed executable on Windows has no console; its output goes to ``console.log`` beside the error log.

A portable copy (``packaging/portable.py``) has a ``portable.txt`` beside the executables: then cases, packs,
templates and the error log live in ``data/`` next to them (on the USB stick), not in the user's profile,
unless ``WORKBENCH_HOME`` says otherwise.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

PORTABLE_MARKER = "portable.txt"


def _portable_home() -> None:
    """Point ``WORKBENCH_HOME`` at ``data/`` beside the executable when this is a portable copy."""
    here = Path(sys.executable).resolve().parent
    if (here / PORTABLE_MARKER).is_file() and not os.environ.get("WORKBENCH_HOME"):
        os.environ["WORKBENCH_HOME"] = str(here / "data")


def _main() -> int:
    _portable_home()
    from workbench import applog

    return applog.main()


if __name__ == "__main__":
    import multiprocessing

    multiprocessing.freeze_support()  # harmless when unused; needed if a library ever spawns a worker
    raise SystemExit(_main())
