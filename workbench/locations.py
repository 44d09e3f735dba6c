"""Where the run-time resources (report templates, translations, icons) are, however the app was installed.

Why a function and not ``Path(__file__).parents[n] / "resources"``: the folder sits at the top of the
repository, so that path only holds in a source checkout. An installed wheel carries a copy inside the package
(``workbench/_resources``, copied by ``setup.py``), and a PyInstaller build unpacks it at the bundle root
(``sys._MEIPASS/resources``, from ``packaging/workbench.spec``). Fixed places only, checked in that order; no
search, so a stray folder elsewhere can never shadow the shipped templates.
"""

from __future__ import annotations

import sys
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def resource_candidates() -> list[Path]:
    """The possible ``resources`` folders, most specific first: wheel, frozen bundle, source checkout."""
    out = [_PACKAGE / "_resources"]
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        out.append(Path(bundle) / "resources")
    out.append(_PACKAGE.parent / "resources")
    return out


def resources_dir() -> Path:
    """The first existing ``resources`` folder (the checkout's path when none exists, so errors name it)."""
    for candidate in resource_candidates():
        if candidate.is_dir():
            return candidate
    return resource_candidates()[-1]
