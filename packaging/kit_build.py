"""Build the offline kit: the workbench's wheel and every dependency as wheels for one platform and the chosen
Python versions, with per-user install scripts, in one reproducible zip.

Why: the engineer installs on a laptop with no network and no administrator rights, often with a Python newer
than the one the project was tried on. ``pip download --only-binary=:all:`` per Python version gathers only
wheels (nothing the laptop would have to compile); the lock pins each wheel by version and SHA-256, and the
zip is written with fixed dates and order, so the same versions always give the same kit, byte for byte.
Started by ``packaging/offline-kit.sh`` (see there for the options); ``packaging/check-kit.sh`` checks a kit.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from kit_lock import PIP_SECTION, PROJECT, Lock, Pin, sha256_of  # noqa: E402
from kit_target import PYTHON_VERSIONS, Target, pip_command, target_named  # noqa: E402
from project_wheel import ROOT, build_project_wheel  # noqa: E402

TEMPLATES = Path(__file__).resolve().parent / "kit"
ZIP_DATE = (1980, 1, 1, 0, 0, 0)
# pip options every install from the kit uses (install scripts and README.txt alike). No --only-binary=:all::
# wheels/ holds nothing but wheels (check-kit.sh sees to it), and PowerShell may split a "-x:y" argument.
PIP_OFFLINE = "--no-index --require-hashes --disable-pip-version-check --no-warn-script-location"


class KitError(RuntimeError):
    """A kit cannot be built; the message says which package or file and what to do."""


def kit_stem(version: str, target: Target) -> str:
    return f"CaseWorkbench-{version}-{target.name}-offline"


def _pip(python_exe: str, target: Target, python: str, args: list[str], wheelhouse: Path | None) -> None:
    """Run pip for ``target``/``python``; a failure becomes a KitError naming the package pip could not find."""
    source = ["--no-index", "--find-links", str(wheelhouse)] if wheelhouse else []
    cmd = pip_command(python_exe, target, python) + [*args, *target.pip_args(python), *source,
                                                      "--disable-pip-version-check", "--progress-bar", "off"]
    env = dict(os.environ)
    if wheelhouse:  # a wheelhouse build uses that folder alone, whatever pip.conf adds
        env["PIP_CONFIG_FILE"] = os.devnull
        for key in [k for k in env if k.startswith("PIP_") and k != "PIP_CONFIG_FILE"]:
            del env[key]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=1800)
    if proc.returncode == 0:
        return
    output = proc.stdout + proc.stderr
    missing = re.findall(r"No matching distribution found for (\S+)", output)
    if missing:
        raise KitError(f"{missing[-1]} has no wheel for {target.label} and Python {python} "
                       f"({'in ' + str(wheelhouse) if wheelhouse else 'on the package index'}): only a source "
                       f"package or nothing, which the laptop could not install without a compiler. Pip said:\n"
                       + _tail(output))
    raise KitError(f"pip failed for Python {python}:\n{_tail(output)}")


def _tail(text: str, lines: int = 15) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


def _pins_in(folder: Path) -> list[Pin]:
    return sorted(Pin.of_wheel(path) for path in folder.glob("*.whl"))


def resolve(own_wheel: Path, target: Target, pythons: list[str], python_exe: str, work: Path,
            wheelhouse: Path | None) -> tuple[Lock, dict[str, Path]]:
    """Download the closure of ``own_wheel`` per Python version (and pip for the installer); the lock of it."""
    lock = Lock(platform=target.name)
    files: dict[str, Path] = {}
    for key in [PIP_SECTION, *pythons]:
        dest = work / f"dl-{key}"
        if key == PIP_SECTION:  # the pip the installer updates the new venv to: any Python of the kit runs it
            _pip(python_exe, target, pythons[0], ["download", "pip", "-d", str(dest)], wheelhouse)
        else:
            _pip(python_exe, target, key, ["download", str(own_wheel), "-d", str(dest)], wheelhouse)
        lock.sections[key] = _pins_in(dest)
        files.update({p.name: p for p in dest.glob("*.whl")})
    return lock, files


def fetch_locked(lock: Lock, own_wheel: Path, target: Target, python_exe: str, work: Path,
                 wheelhouse: Path | None) -> dict[str, Path]:
    """Download exactly the wheels ``lock`` pins (pip checks every hash); the own wheel must match its pin."""
    files: dict[str, Path] = {}
    own = Pin.of_wheel(own_wheel)
    for key, pins in lock.sections.items():
        dest = work / f"dl-{key}"
        others = [pin for pin in pins if pin.name != PROJECT]
        for pin in pins:
            if pin.name == PROJECT and pin != own:
                raise KitError(f"the lock pins {pin.filename} with SHA-256 {pin.sha256[:12]}…, but the wheel built "
                               f"now ({own.filename}) has {own.sha256[:12]}…: the sources changed since the lock "
                               "was written; build without --lock to make a new kit and lock")
        if others:
            req = work / f"req-{key}.txt"
            req.write_text("".join(f"{pin.line()}\n" for pin in others), "utf-8")
            python = lock.pythons[0] if key == PIP_SECTION else key
            _pip(python_exe, target, python, ["download", "--no-deps", "--require-hashes", "-r", str(req),
                                              "-d", str(dest)], wheelhouse)
            got = {path.name for path in dest.glob("*.whl")}
            if lost := {pin.filename for pin in others} - got:
                raise KitError(f"pip downloaded other files than the lock names for Python {key}: {sorted(lost)}")
            files.update({p.name: p for p in dest.glob("*.whl")})
        if any(pin.name == PROJECT for pin in pins):
            files[own.filename] = own_wheel
    return files


def _render(name: str, values: dict[str, str]) -> str:
    text = (TEMPLATES / name).read_text("utf-8")
    for key, value in values.items():
        text = text.replace(f"@@{key}@@", value)
    if left := re.findall(r"@@\w+@@", text):
        raise KitError(f"packaging/kit/{name}: a placeholder has no value: {left}")
    return text


def _windows_text(text: str) -> bytes:
    """CRLF (cmd.exe misreads LF-only batch files); a BOM for PowerShell 5.1 and Notepad to read UTF-8."""
    data = text.replace("\r\n", "\n").replace("\n", "\r\n").encode("utf-8")
    return data if text.isascii() else b"\xef\xbb\xbf" + data


def stage(kit: Path, lock: Lock, files: dict[str, Path], target: Target, version: str, python_exe: str) -> None:
    """Lay the kit's files out in ``kit``: wheels/, lock/, scripts, README.txt, VERSION.txt, SHA256SUMS.txt."""
    wheels = kit / "wheels"
    wheels.mkdir(parents=True)
    for name in sorted(lock.filenames()):
        shutil.copyfile(files[name], wheels / name)
    (kit / "lock").mkdir()
    for key in lock.sections:
        name = "pip.txt" if key == PIP_SECTION else f"py{key}.txt"
        (kit / "lock" / name).write_text(lock.section_text(key), "utf-8", newline="\n")
    newest_first = sorted(lock.pythons, key=lambda v: tuple(map(int, v.split("."))), reverse=True)
    values = {"VERSION": version, "PIP_OFFLINE": PIP_OFFLINE, "NEWEST": newest_first[0],
              "PYTHONS": ", ".join(reversed(newest_first)), "RANGE": f"{newest_first[-1]}-{newest_first[0]}",
              "PYTHONS_PS": ", ".join(f"'{v}'" for v in newest_first), "PYTHONS_SH": " ".join(newest_first),
              "WHEELS": str(len(lock.filenames()))}
    if target.windows:
        for name in ("install.cmd", "install.ps1", "uninstall.cmd", "uninstall.ps1", "README.txt"):
            (kit / name).write_bytes(_windows_text(_render(name, values)))
        _render_icon(kit / "workbench.ico", python_exe)
    else:
        for name in ("install.sh", "uninstall.sh"):
            (kit / name).write_text(_render(name, values), "utf-8", newline="\n")
            (kit / name).chmod(0o755)
        (kit / "README.txt").write_text(_render("README-linux.txt", values), "utf-8", newline="\n")
    (kit / "VERSION.txt").write_text(f"name = {PROJECT}\nversion = {version}\nplatform = {target.name}\n"
                                     f"python = {' '.join(lock.pythons)}\n", "utf-8", newline="\n")
    write_sums(kit)


def write_sums(kit: Path) -> None:
    """SHA256SUMS.txt in ``sha256sum -c`` format: every other file of the kit, by its path in the kit."""
    sums = [f"{sha256_of(path)}  {path.relative_to(kit).as_posix()}\n" for path in _files(kit)
            if path.name != "SHA256SUMS.txt" or path.parent != kit]
    (kit / "SHA256SUMS.txt").write_text("".join(sums), "utf-8", newline="\n")


def _render_icon(out: Path, python_exe: str) -> None:
    """The shortcut and file-type icon, from the SVG the window uses (packaging/make_icon.py, Qt offscreen)."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    proc = subprocess.run([python_exe, str(ROOT / "packaging" / "make_icon.py"), str(out)], capture_output=True,
                          text=True, env=env, timeout=300)
    if proc.returncode != 0 or not out.is_file():
        raise KitError(f"rendering workbench.ico failed (PYTHON needs PySide6: pip install -e .):\n{_tail(proc.stderr)}")


def _files(folder: Path) -> list[Path]:
    return sorted((p for p in folder.rglob("*") if p.is_file()), key=lambda p: p.relative_to(folder).as_posix())


def write_zip(kit: Path, target_zip: Path) -> None:
    """The same files give the same zip: sorted names, one fixed date, fixed modes, wheels stored as they are."""
    part = target_zip.with_name(target_zip.name + ".part")
    with zipfile.ZipFile(part, "w") as zf:
        for path in _files(kit):
            info = zipfile.ZipInfo(f"{kit.name}/{path.relative_to(kit).as_posix()}", ZIP_DATE)
            info.create_system = 3
            info.external_attr = (0o100755 if path.suffix == ".sh" else 0o100644) << 16
            stored = path.suffix == ".whl"  # already compressed: deflating again gains nothing
            info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
            with path.open("rb") as src, zf.open(info, "w") as dst:
                shutil.copyfileobj(src, dst, 1 << 20)
    os.replace(part, target_zip)


def build(out_dir: Path, target: Target, pythons: list[str], python_exe: str, own_wheel: Path | None = None,
          lock_file: Path | None = None, wheelhouse: Path | None = None) -> tuple[Path, Path]:
    """Build the kit zip and its lock beside it in ``out_dir``; returns both paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="wb-kit-") as tmp:
        work = Path(tmp)
        if own_wheel is None:
            own_wheel = build_project_wheel(work / "own", python_exe)
        version = Pin.of_wheel(own_wheel).version
        if lock_file is not None:
            lock = Lock.parse(lock_file.read_text("utf-8"), str(lock_file))
            if target_named(lock.platform) != target:
                raise KitError(f"{lock_file} is a lock for {lock.platform}, not {target.name}")
            files = fetch_locked(lock, own_wheel, target, python_exe, work, wheelhouse)
        else:
            lock, files = resolve(own_wheel, target, pythons, python_exe, work, wheelhouse)
        stem = kit_stem(version, target)
        stage(work / stem, lock, files, target, version, python_exe)
        kit_zip = out_dir / f"{stem}.zip"
        write_zip(work / stem, kit_zip)
    lock_path = out_dir / f"{stem}.lock"
    header = (f"Case Workbench {version} offline kit for {target.label}: every wheel, pinned by version and SHA-256.\n"
              f"Rebuild the same kit: packaging/offline-kit.sh --platform {target.name} --lock {lock_path.name}")
    lock_path.write_text(lock.text(header), "utf-8", newline="\n")
    return kit_zip, lock_path


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="offline-kit.sh", description=__doc__.splitlines()[0])
    p.add_argument("--python", action="append", choices=PYTHON_VERSIONS, metavar="X.Y",
                   help=f"a Python version the kit installs on (repeat; default: all of {' '.join(PYTHON_VERSIONS)})")
    p.add_argument("--platform", help="win_amd64 (default, or the lock's) or manylinux (Linux x86_64)")
    p.add_argument("--lock", type=Path, help="rebuild the kit a lock file pins (its platform and Python versions)")
    p.add_argument("--wheel", type=Path, help="put this case-workbench wheel in instead of building one")
    p.add_argument("--wheelhouse", type=Path, help="take every other wheel from this folder, never the index")
    p.add_argument("--out", type=Path, default=Path(os.environ.get("DIST") or ROOT / "dist"),
                   help="folder for the kit and its lock (default: $DIST or dist/)")
    args = p.parse_args(argv)
    pythons = sorted(set(args.python or PYTHON_VERSIONS), key=lambda v: tuple(map(int, v.split("."))))
    platform = args.platform or "win_amd64"
    if args.lock is not None:  # the lock says what to build; options may only repeat it
        try:
            pinned = Lock.parse(args.lock.read_text("utf-8"), str(args.lock))
        except (OSError, ValueError) as exc:
            p.error(str(exc))
        if args.python and sorted(pinned.pythons) != pythons:
            p.error(f"--python {' '.join(pythons)} differs from the lock's Python versions {' '.join(pinned.pythons)}")
        if args.platform and target_named(args.platform) != target_named(pinned.platform):
            p.error(f"--platform {args.platform} differs from the lock's platform {pinned.platform}")
        platform = pinned.platform
    target = target_named(platform)
    python_exe = os.environ.get("PYTHON") or sys.executable
    try:
        kit_zip, lock_path = build(args.out.resolve(), target, pythons, python_exe, args.wheel, args.lock,
                                   args.wheelhouse.resolve() if args.wheelhouse else None)
    except (KitError, ValueError) as exc:
        print(f"offline-kit: {exc}", file=sys.stderr)
        return 1
    with zipfile.ZipFile(kit_zip) as zf:
        count = len(zf.namelist())
        wheels = sum(1 for n in zf.namelist() if n.endswith(".whl"))
    size = kit_zip.stat().st_size
    print(f"offline-kit: {kit_zip} ({size / 1e6:.1f} MB, {count} files, {wheels} wheels)")
    print(f"offline-kit: SHA-256 {sha256_of(kit_zip)}")
    print(f"offline-kit: lock {lock_path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
