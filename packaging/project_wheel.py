"""Build the workbench's own wheel from a checkout, the same bytes every time for the same sources.

Why a copy and a fixed date: ``pip wheel .`` in the checkout leaves ``build/`` and ``*.egg-info`` behind, and a
wheel's zip entries carry the build time; the offline kit must be reproducible (the same versions give the
same hashes), so the build runs on a copy without caches and with ``SOURCE_DATE_EPOCH`` fixed (setuptools'
wheel writer honours it, and writes the files in sorted order).

    python packaging/project_wheel.py OUT_DIR      (prints the wheel's path)
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCE_DATE_EPOCH = "315532800"  # 1980-01-01, the earliest time a zip entry can hold
_NOT_IN_WHEEL = ("*.egg-info", ".git", ".venv", "__pycache__", "*.pyc", "build", "dist", "tests", "bench",
                 ".pytest_cache", ".ruff_cache", ".mypy_cache")


class WheelBuildError(RuntimeError):
    """pip could not build the wheel; the message holds pip's output."""


def build_project_wheel(out_dir: Path, python: str = sys.executable, root: Path = ROOT) -> Path:
    """``pip wheel --no-deps`` on a copy of ``root``; returns the one ``case_workbench-*.whl`` in ``out_dir``.

    Uses the interpreter's installed setuptools when it has setuptools and wheel (no network needed),
    otherwise pip's isolated build (which fetches the build backend)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="wb-wheel-") as tmp:
        src = Path(tmp) / "src"
        shutil.copytree(root, src, ignore=shutil.ignore_patterns(*_NOT_IN_WHEEL))
        cmd = [python, "-m", "pip", "wheel", str(src), "--no-deps", "-w", str(out_dir), "-q",
               "--disable-pip-version-check"]
        if _has_build_backend(python):
            cmd.append("--no-build-isolation")
        env = {**os.environ, "SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH}
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=600)
    if proc.returncode != 0:
        raise WheelBuildError(proc.stdout + proc.stderr)
    wheels = sorted(out_dir.glob("case_workbench-*.whl"))
    if len(wheels) != 1:
        raise WheelBuildError(f"expected one case_workbench wheel in {out_dir}, found {[w.name for w in wheels]}")
    return wheels[0]


def _has_build_backend(python: str) -> bool:
    if python == sys.executable:
        return bool(importlib.util.find_spec("setuptools") and importlib.util.find_spec("wheel"))
    probe = "import importlib.util as u; raise SystemExit(not (u.find_spec('setuptools') and u.find_spec('wheel')))"
    return subprocess.run([python, "-c", probe], capture_output=True).returncode == 0


if __name__ == "__main__":
    print(build_project_wheel(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "dist"))
