"""Check an offline kit before anyone carries it to a laptop: it installs from its own files alone.

Why each check: a kit is only found wrong on the engineer's offline laptop, where nothing can be fetched.
So, per Python version of the kit: pip resolves ``case-workbench`` from ``wheels/`` alone (``--no-index``,
no pip.conf of this machine, markers of the target platform) to exactly what the lock pins, and also from the
lock itself with hashes, as the installer does; the dependency closure is walked a second time here, without
pip, from each wheel's ``Requires-Dist`` with the target's markers; every wheel's tags fit the platform and
that Python (the right ``cpXY`` or ``abi3``); every file matches SHA256SUMS.txt; the scripts and README.txt
carry no absolute path of the machine that built the kit; README.txt lists the install steps the script
prints, in order, in English and Chinese, with the same pip options. A kit for this machine's platform
(``--platform manylinux`` on Linux x86_64) is also installed for real, with the network cut, and
``workbench analyze`` runs on the demo case.

    python packaging/kit_check.py KIT.zip [--no-install]      (packaging/check-kit.sh calls this)
"""

from __future__ import annotations

import argparse
import email.parser
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from pip._vendor.packaging.requirements import Requirement  # pip's own rules, as in kit_target
from pip._vendor.packaging.utils import canonicalize_name, parse_wheel_filename

sys.path.insert(0, str(Path(__file__).resolve().parent))

from kit_lock import PIP_SECTION, PROJECT, Lock, Pin, parse_pins, sha256_of  # noqa: E402
from kit_target import Target, pip_command, target_named  # noqa: E402

TEXT_SUFFIXES = {".cmd", ".ps1", ".sh", ".txt"}
# the deepest a wheel's file lands on Windows: C:\Users\<20 characters>\AppData\Local\Programs\CaseWorkbench\venv\Lib\site-packages\
WINDOWS_SITE_PACKAGES = len("C:\\Users\\" + "x" * 20 + "\\AppData\\Local\\Programs\\CaseWorkbench\\venv\\Lib\\site-packages\\")
MAX_PATH = 259  # Windows' MAX_PATH less the terminating NUL: Python's own venv has no long-path manifest to rely on
_ABSOLUTE = re.compile(r"(?<![\w.%$~-])/(?:home|root|tmp|work|usr|opt|var|mnt|srv|media|Users|private)/"
                       r"|(?<![A-Za-z0-9])[A-Za-z]:[\\/]|file:/")


class Report:
    """What held and what did not; the exit code follows."""

    def __init__(self) -> None:
        self.failures: list[str] = []

    def check(self, ok: bool, what: str, why: str = "") -> bool:
        print(f"{'ok  ' if ok else 'FAIL'} {what}{'' if ok or not why else ': ' + why}")
        if not ok:
            self.failures.append(what)
        return ok


def unpack(kit_zip: Path, into: Path) -> Path:
    """The kit's one top folder, unpacked (a zip with members outside one folder is refused)."""
    with zipfile.ZipFile(kit_zip) as zf:
        tops = {name.split("/", 1)[0] for name in zf.namelist()}
        if len(tops) != 1 or any(".." in n.split("/") or n.startswith("/") for n in zf.namelist()):
            raise SystemExit(f"{kit_zip}: not a kit (expected one top folder, found {sorted(tops)[:5]})")
        zf.extractall(into)
    return into / tops.pop()


def read_version(kit: Path) -> dict[str, str]:
    values = {}
    for line in (kit / "VERSION.txt").read_text("utf-8").splitlines():
        key, _, value = line.partition(" = ")
        values[key.strip()] = value.strip()
    return values


def check_sums(kit: Path, report: Report) -> None:
    listed: dict[str, str] = {}
    for line in (kit / "SHA256SUMS.txt").read_text("utf-8").splitlines():
        digest, _, name = line.partition("  ")
        listed[name] = digest
    files = {p.relative_to(kit).as_posix() for p in kit.rglob("*") if p.is_file()} - {"SHA256SUMS.txt"}
    report.check(set(listed) == files, "SHA256SUMS.txt lists every file of the kit",
                 f"unlisted {sorted(files - set(listed))[:5]}, listed but absent {sorted(set(listed) - files)[:5]}")
    bad = [name for name, digest in listed.items() if name in files and sha256_of(kit / name) != digest]
    report.check(not bad, "every file matches its SHA-256", f"differ: {bad[:5]}")


def check_wheels(kit: Path, lock: Lock, target: Target, report: Report) -> None:
    """Tags fit the platform (per Python version for the wheels each version installs); lock and folder agree."""
    present = {p.name for p in (kit / "wheels").glob("*.whl")}
    others = sorted(p.name for p in (kit / "wheels").iterdir() if not p.name.endswith(".whl"))
    report.check(not others, "wheels/ holds only wheels", f"also {others[:5]}")
    all_tags = set().union(*(target.tags(py) for py in lock.pythons))
    wrong = [name for name in sorted(present) if not (parse_wheel_filename(name)[3] & all_tags)]
    report.check(not wrong, f"every wheel's tags fit {target.name} or any, for Python {' '.join(lock.pythons)}",
                 f"{', '.join(wrong[:5])}")
    report.check(lock.filenames() == present, "wheels/ holds exactly the wheels the lock pins",
                 f"not pinned {sorted(present - lock.filenames())[:5]}, pinned but absent "
                 f"{sorted(lock.filenames() - present)[:5]}")
    for py in lock.pythons:
        unfit = [pin.filename for pin in lock.sections[py]
                 if not (parse_wheel_filename(pin.filename)[3] & target.tags(py))]
        report.check(not unfit, f"Python {py}: each wheel it installs is built for cp{py.replace('.', '')} "
                     "(or abi3, or pure Python)", ", ".join(unfit[:5]))
    changed = [pin.filename for pins in lock.sections.values() for pin in pins
               if pin.filename in present and sha256_of(kit / "wheels" / pin.filename) != pin.sha256]
    report.check(not changed, "each wheel has the SHA-256 the lock pins", ", ".join(changed[:5]))
    if target.windows:
        deepest = max((_deepest_member(kit / "wheels" / name) for name in present), default=(0, ""))
        report.check(WINDOWS_SITE_PACKAGES + deepest[0] <= MAX_PATH,
                     f"the deepest installed file stays under Windows' path limit ({WINDOWS_SITE_PACKAGES} + "
                     f"{deepest[0]} characters)", deepest[1])


def _deepest_member(wheel: Path) -> tuple[int, str]:
    with zipfile.ZipFile(wheel) as zf:
        return max(((len(n), n) for n in zf.namelist()), default=(0, ""))


def _requires(wheel: Path) -> list[str]:
    with zipfile.ZipFile(wheel) as zf:
        name = next(n for n in zf.namelist() if n.count("/") == 1 and n.endswith(".dist-info/METADATA"))
        metadata = email.parser.Parser().parsestr(zf.read(name).decode("utf-8"))
    return metadata.get_all("Requires-Dist") or []


def closure_problems(kit: Path, lock: Lock, target: Target, python: str) -> list[str]:
    """Walk ``Requires-Dist`` from case-workbench with the target's markers; what no wheel of the kit meets."""
    pins = {pin.name: pin for pin in lock.sections[python]}
    env = target.markers(python)
    problems: list[str] = []
    todo: list[tuple[str, frozenset[str], str]] = [(PROJECT, frozenset(), "the kit")]
    seen: set[tuple[str, frozenset[str]]] = set()
    while todo:
        name, extras, wanted_by = todo.pop()
        if (name, extras) in seen:
            continue
        seen.add((name, extras))
        pin = pins.get(name)
        if pin is None or not (kit / "wheels" / pin.filename).is_file():
            problems.append(f"{name} (needed by {wanted_by}) has no wheel in the kit for Python {python}")
            continue
        for text in _requires(kit / "wheels" / pin.filename):
            req = Requirement(text)
            contexts = [{**env, "extra": extra} for extra in (sorted(extras) or [""])]
            if req.marker is not None and not any(req.marker.evaluate(c) for c in contexts):
                continue
            dep = canonicalize_name(req.name)
            if dep in pins and not req.specifier.contains(pins[dep].version, prereleases=True):
                problems.append(f"{dep} {pins[dep].version} does not meet {pin.name}'s {text!r} (Python {python})")
            todo.append((dep, frozenset(req.extras), f"{pin.name}" + (f" [{req.marker}]" if req.marker else "")))
    return problems


def _offline_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """No pip configuration of this machine, no index, and a proxy that answers nothing."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_") and k.lower() not in
           ("http_proxy", "https_proxy", "all_proxy", "no_proxy")}
    env.update(PIP_CONFIG_FILE=os.devnull, PIP_NO_INDEX="1", http_proxy="http://127.0.0.1:9",
               https_proxy="http://127.0.0.1:9", HTTP_PROXY="http://127.0.0.1:9", HTTPS_PROXY="http://127.0.0.1:9")
    env.update(extra or {})
    return env


def pip_resolves(kit: Path, lock: Lock, target: Target, python: str, python_exe: str, work: Path,
                 report: Report) -> None:
    """The issue's command, from the kit alone; then the installer's own input (the lock, with hashes)."""
    wheels = str(kit / "wheels")
    base = pip_command(python_exe, target, python) + [
        "install", "--dry-run", "--ignore-installed", "--no-index", "--find-links", wheels, *target.pip_args(python),
        "--target", str(work / f"t{python}"), "--disable-pip-version-check", "--quiet"]
    result = work / f"report-{python}.json"
    proc = subprocess.run([*base, "--report", str(result), PROJECT], capture_output=True, text=True,
                          env=_offline_env(), timeout=900)
    if not report.check(proc.returncode == 0, f"Python {python}: pip resolves {PROJECT} from wheels/ alone",
                        _tail(proc.stdout + proc.stderr)):
        return
    resolved = {(canonicalize_name(item["metadata"]["name"]), item["metadata"]["version"])
                for item in json.loads(result.read_text("utf-8"))["install"]}
    locked = {(pin.name, pin.version) for pin in lock.sections[python]}
    report.check(resolved == locked, f"Python {python}: pip picks exactly the {len(locked)} versions the lock pins",
                 f"only pip: {sorted(resolved - locked)[:5]}, only lock: {sorted(locked - resolved)[:5]}")
    proc = subprocess.run([*base, "--require-hashes", "-r", str(kit / "lock" / f"py{python}.txt")],
                          capture_output=True, text=True, env=_offline_env(), timeout=900)
    report.check(proc.returncode == 0, f"Python {python}: pip accepts lock/py{python}.txt with its hashes",
                 _tail(proc.stdout + proc.stderr))


def _tail(text: str, lines: int = 8) -> str:
    return " | ".join(text.strip().splitlines()[-lines:])


def machine_paths() -> set[str]:
    """Absolute paths of this machine a script must never carry (the checkout, home, temp, Python)."""
    here = Path(__file__).resolve().parents[1]
    paths = {str(here), str(Path.home()), tempfile.gettempdir(), sys.prefix, sys.base_prefix, sys.executable,
             os.getcwd(), os.environ.get("PYTHON", "")}
    return {p for p in paths if p and len(p) > 4}  # "/" or "/tmp" alone would match everywhere; the regex has them


def check_texts(kit: Path, report: Report) -> None:
    literal = machine_paths()
    found: list[str] = []
    for path in sorted(kit.rglob("*")):
        if not path.is_file() or path.suffix not in TEXT_SUFFIXES:
            continue
        for number, line in enumerate(path.read_text("utf-8-sig").splitlines(), 1):
            if number == 1 and line.startswith("#!"):
                continue  # the interpreter line of a shell script
            hit = next((p for p in literal if p in line), None) or (m.group(0) if (m := _ABSOLUTE.search(line)) else None)
            if hit:
                found.append(f"{path.relative_to(kit).as_posix()}:{number} {hit!r}")
    report.check(not found, "the scripts and texts carry no absolute path of this machine", "; ".join(found[:5]))


STEP_PS = re.compile(r"^Step (\d+) '([^']*)' '([^']*)'", re.M)
STEP_SH = re.compile(r'^step (\d+) "([^"]*)" "([^"]*)"', re.M)


def install_steps(kit: Path, target: Target) -> list[tuple[str, str, str]]:
    """The steps the install script prints: (number, English, Chinese), in the script's order."""
    if target.windows:
        return STEP_PS.findall((kit / "install.ps1").read_text("utf-8-sig"))
    return STEP_SH.findall((kit / "install.sh").read_text("utf-8"))


def check_readme(kit: Path, lock: Lock, target: Target, report: Report) -> None:
    readme = (kit / "README.txt").read_text("utf-8-sig")
    script_name = "install.ps1" if target.windows else "install.sh"
    script = (kit / script_name).read_text("utf-8-sig")
    steps = install_steps(kit, target)
    total = len(steps)
    report.check(total >= 4 and [int(n) for n, _, _ in steps] == list(range(1, total + 1)),
                 f"{script_name} numbers its steps 1..N", str(steps[:2]))
    for language, index in (("English", 1), ("Chinese", 2)):
        at, missing = 0, []
        for step in steps:
            line = f"[{step[0]}/{total}] {step[index]}"
            found = readme.find(line, at)
            if found < 0:
                missing.append(line)
            else:
                at = found + len(line)
        report.check(not missing, f"README.txt lists the {total} install steps of {script_name} in order ({language})",
                     "; ".join(missing[:3]))
    options = re.findall(r"pip --isolated install (.+?) --find-links", script)
    report.check(bool(options) and all(f"pip --isolated install {o} --find-links" in readme for o in set(options)),
                 "README.txt's pip command has the script's options", str(sorted(set(options))))
    pythons = ", ".join(lock.pythons)
    report.check(pythons in readme, f"README.txt names the kit's Python versions ({pythons})")
    named = {n.replace("\\", "/") for n in re.findall(r"\b((?:lock[\\/])?[\w-]+(?:\.\d+)*\.(?:cmd|ps1|sh|ico|txt))\b", readme)}
    absent = sorted(n for n in named if not (kit / n).is_file())
    report.check(not absent, "every file README.txt names is in the kit", ", ".join(absent))
    if target.windows:
        folder = re.search(r"\$InstallDir = Join-Path \$env:LOCALAPPDATA '([^']+)'", script)
        report.check(folder is not None and f"%LOCALAPPDATA%\\{folder.group(1)}" in readme,
                     "README.txt names the folder install.ps1 installs into")
        for name in ("install.cmd", "uninstall.cmd"):
            data = (kit / name).read_bytes()
            report.check(data.isascii() and b"\r\n" in data and b"\n" not in data.replace(b"\r\n", b""),
                         f"{name} is ASCII with CRLF line ends (what cmd.exe reads reliably)")
        report.check((kit / "install.ps1").read_bytes().startswith(b"\xef\xbb\xbf"),
                     "install.ps1 starts with a UTF-8 BOM (PowerShell 5.1 reads its Chinese text right)")


def required_files(target: Target) -> list[str]:
    common = ["README.txt", "VERSION.txt", "SHA256SUMS.txt", "lock/pip.txt"]
    if target.windows:
        return [*common, "install.cmd", "install.ps1", "uninstall.cmd", "uninstall.ps1", "workbench.ico"]
    return [*common, "install.sh", "uninstall.sh"]


def install_here(kit: Path, lock: Lock, work: Path, report: Report) -> None:
    """Install the kit with its own install.sh, the network cut, then analyze the demo case with it."""
    python = next((v for v in sorted(lock.pythons, reverse=True) if _runs(f"python{v}")), None)
    if not report.check(python is not None, f"a Python of the kit ({' '.join(lock.pythons)}) is on PATH to install with"):
        return
    home = work / "home"
    home.mkdir()
    env = _offline_env({"HOME": str(home), "XDG_DATA_HOME": str(home / ".local/share"),
                        "XDG_CACHE_HOME": str(home / ".cache"), "QT_QPA_PLATFORM": "offscreen"})
    cut = _network_cut()
    proc = subprocess.run([*cut, "sh", str(kit / "install.sh")], capture_output=True, text=True, env=env,
                          timeout=1800)
    how = "in a network namespace with no network" if cut else "with pip's index off and a dead proxy"
    if not report.check(proc.returncode == 0, f"install.sh installs the kit offline ({how})", _tail(proc.stdout + proc.stderr)):
        return
    looked = re.findall(r"Looking in links: (.+)", proc.stdout)
    report.check(all(line.strip() == str(kit / "wheels") for line in looked),
                 "pip looked in the kit's wheels/ and nowhere else", "; ".join(looked))
    workbench = home / ".local" / "bin" / "workbench"
    demo = subprocess.run([*cut, str(workbench), "demo", "--out", str(work / "demo")], capture_output=True,
                          text=True, env=env, timeout=600)
    if not report.check(demo.returncode == 0, "the installed workbench makes the demo case", _tail(demo.stderr)):
        return
    case = demo.stdout.strip().splitlines()[-1]
    proc = subprocess.run([*cut, str(workbench), "analyze", "--json", case], capture_output=True, text=True,
                          env=env, timeout=900)
    try:
        analysis = json.loads(proc.stdout)
        code = analysis["upgrade"]["result_code"]
        findings = len(analysis["findings"])
    except (ValueError, KeyError, TypeError):
        code, findings = None, 0
    report.check(proc.returncode == 0 and code == "0xC1900101" and findings > 0,
                 f"the installed workbench analyzes the demo case ({code}, {findings} findings)",
                 _tail(proc.stderr))


def _runs(python: str) -> bool:
    """The same test install.sh makes: the command runs and can make a venv."""
    return bool(shutil.which(python)) and subprocess.run([python, "-c", "import venv, ensurepip"],
                                                          capture_output=True).returncode == 0


def _network_cut() -> list[str]:
    """``unshare -n`` (a new network namespace: no interface but loopback) when this machine allows it."""
    for cmd in (["unshare", "-n"], ["unshare", "-rn"]):
        if shutil.which("unshare") and subprocess.run([*cmd, "true"], capture_output=True).returncode == 0:
            return cmd
    return []


def check_kit(kit_zip: Path, python_exe: str, install: bool = True) -> bool:
    report = Report()
    with tempfile.TemporaryDirectory(prefix="wb-kit-check-") as tmp:
        work = Path(tmp)
        kit = unpack(kit_zip, work / "kit")
        target_files = ["VERSION.txt", "SHA256SUMS.txt"]
        if not report.check(all((kit / f).is_file() for f in target_files), "VERSION.txt and SHA256SUMS.txt are there"):
            return False
        version = read_version(kit)
        target = target_named(version.get("platform", "?"))
        print(f"kit {kit_zip.name}: {version.get('name')} {version.get('version')}, {target.label}, "
              f"Python {version.get('python')}")
        missing = [f for f in required_files(target) if not (kit / f).is_file()]
        if not report.check(not missing, "the kit has its scripts, README.txt, icon and lock", ", ".join(missing)):
            return False
        sections = [PIP_SECTION, *version.get("python", "").split()]
        lock = Lock(platform=target.name)
        for key in sections:
            name = "pip.txt" if key == PIP_SECTION else f"py{key}.txt"
            path = kit / "lock" / name
            lock.sections[key] = parse_pins(path.read_text("utf-8"), f"lock/{name}") if path.is_file() else []
        report.check(all(lock.sections.values()), "lock/ has pip.txt and a file per Python version of the kit")
        report.check(any(p.name == PROJECT and p.version == version.get("version") for p in _all(lock)),
                     f"the lock pins {PROJECT} {version.get('version')}")
        check_sums(kit, report)
        check_wheels(kit, lock, target, report)
        for py in lock.pythons:
            problems = closure_problems(kit, lock, target, py)
            report.check(not problems, f"Python {py}: every requirement on {target.name} (markers of that platform) "
                         "has its wheel", "; ".join(problems[:5]))
            pip_resolves(kit, lock, target, py, python_exe, work, report)
        check_texts(kit, report)
        check_readme(kit, lock, target, report)
        host_fits = not target.windows and sys.platform == "linux" and platform.machine() == "x86_64"
        if install and host_fits:
            install_here(kit, lock, work, report)
    print(f"check-kit: {'all checks hold' if not report.failures else str(len(report.failures)) + ' failed'}")
    return not report.failures


def _all(lock: Lock) -> list[Pin]:
    return [pin for pins in lock.sections.values() for pin in pins]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="check-kit.sh", description=__doc__.splitlines()[0])
    p.add_argument("kit", type=Path, help="CaseWorkbench-<version>-<platform>-offline.zip")
    p.add_argument("--no-install", action="store_true", help="skip the real offline install of a Linux kit")
    args = p.parse_args(argv)
    if not args.kit.is_file():
        print(f"check-kit: {args.kit}: no such file", file=sys.stderr)
        return 2
    python_exe = os.environ.get("PYTHON") or sys.executable
    return 0 if check_kit(args.kit.resolve(), python_exe, install=not args.no_install) else 1


if __name__ == "__main__":
    raise SystemExit(main())
