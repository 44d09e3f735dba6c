"""Make the portable variant: the one-folder build zipped, with a ``portable.txt`` marker inside.

Why a zip beside the installer: some engineers may not run installers at all (locked-down laptops, a USB
stick carried between sites). Unzipped anywhere, the marker makes the app keep cases, packs, templates and its
error log in ``data/`` beside the executables (see ``packaging/entry.py``), so nothing is written to the
profile and the stick can be carried on.

    python packaging/portable.py [--app dist/CaseWorkbench] [--out dist]

Writes ``CaseWorkbench-<version>-<platform>-portable.zip`` and prints its path.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MARKER_TEXT = ("This copy of Case Workbench is portable: cases, signature packs, templates and the error log\n"
               "are kept in the data folder beside this file, not in your user profile. Delete this file to\n"
               "use the profile instead.\n")


def platform_tag() -> str:
    system = {"Windows": "win", "Linux": "linux", "Darwin": "macos"}.get(platform.system(), platform.system())
    machine = platform.machine().lower().replace("amd64", "x64").replace("x86_64", "x64")
    return f"{system}-{machine}"


def version() -> str:
    sys.path.insert(0, str(ROOT))
    from workbench import __version__

    return __version__


def make_portable(app: Path, out_dir: Path) -> Path:
    """Zip ``app`` (a PyInstaller one-folder build) as ``CaseWorkbench/...`` plus the portable marker."""
    if not (app / "_internal").is_dir():
        raise SystemExit(f"portable.py: {app} is not a PyInstaller one-folder build (no _internal/)")
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"CaseWorkbench-{version()}-{platform_tag()}-portable.zip"
    part = target.with_suffix(".zip.part")
    top = "CaseWorkbench"
    with zipfile.ZipFile(part, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
        for path in sorted(app.rglob("*")):
            if path.is_dir() or not path.exists():  # folders are implied; skip dangling links
                continue
            zf.write(path, f"{top}/{path.relative_to(app).as_posix()}")  # keeps the executable bits
        zf.writestr(f"{top}/portable.txt", MARKER_TEXT)
    os.replace(part, target)
    return target


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--app", type=Path, default=ROOT / "dist" / "CaseWorkbench", help="the one-folder build")
    p.add_argument("--out", type=Path, default=ROOT / "dist", help="folder for the zip")
    args = p.parse_args(argv)
    target = make_portable(args.app, args.out)
    sys.stdout.write(f"{target}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
