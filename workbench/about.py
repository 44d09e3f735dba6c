"""The versions the About box shows (and a bug report needs): the app, Python, Qt and the parsing libraries.

Why read ``__version__`` attributes before package metadata: a PyInstaller build keeps no ``dist-info`` for
most packages, so ``importlib.metadata`` alone would answer "unknown" in exactly the build users run.
Nothing here imports Qt unless asked for its version; a missing package reads "not installed".
"""

from __future__ import annotations

import importlib
import platform
import sys

#: (label, module to import, distribution name for the metadata fallback)
COMPONENTS: tuple[tuple[str, str, str], ...] = (
    ("PySide6", "PySide6", "PySide6-Essentials"),
    ("pyqtgraph", "pyqtgraph", "pyqtgraph"),
    ("evtx", "evtx", "evtx"),
    ("procmon-parser", "procmon_parser", "procmon-parser"),
    ("py7zr", "py7zr", "py7zr"),
    ("pyzipper", "pyzipper", "pyzipper"),
    ("SQLite", "sqlite3", ""),
)


def _module_version(module_name: str, dist: str) -> str:
    try:
        module = importlib.import_module(module_name)
    except Exception:  # noqa: BLE001 (any import failure means the same to the reader: not available)
        return "not installed"
    if module_name == "sqlite3":
        return str(module.sqlite_version)
    for attr in ("__version__", "version", "VERSION"):
        value = getattr(module, attr, None)
        if isinstance(value, str) and value:
            return value
    if dist:
        try:
            from importlib.metadata import version

            return version(dist)
        except Exception:  # noqa: BLE001
            pass
    return "unknown"


def component_versions(*, qt: bool = True) -> list[tuple[str, str]]:
    """``[(label, version), ...]``: Case Workbench, Python, Qt (runtime), then :data:`COMPONENTS`."""
    from workbench import __version__

    frozen = " (frozen build)" if getattr(sys, "frozen", False) else ""
    out = [("Case Workbench", __version__ + frozen),
           ("Python", f"{platform.python_version()} ({platform.system()} {platform.machine()})")]
    if qt:
        try:
            from PySide6.QtCore import qVersion

            out.append(("Qt", qVersion()))
        except Exception:  # noqa: BLE001
            out.append(("Qt", "not installed"))
    out += [(label, _module_version(module, dist)) for label, module, dist in COMPONENTS]
    return out
