"""The offline kit's two scripts on a small kit the test makes itself: a ``case-workbench`` wheel and two
dependencies (``alpha``, a binary wheel per platform, and ``beta``, pure Python but needed on Windows only),
built into a kit from a local wheelhouse with no index. The checker must pass that kit and fail each bad one
(a wheel for the wrong platform, a missing dependency, an absolute path in a script, README steps that no
longer match the script, a damaged wheel); the builder must give the same bytes from its lock; the Linux kit's
install.sh must install with the network cut.

The real kit (150 MB of wheels from the package index) is built and checked by hand or by
``../shared/checks/kit``; ``WORKBENCH_KIT=path/to/kit.zip`` runs the checker on it here too."""

from __future__ import annotations

import base64
import ensurepip
import hashlib
import os
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGING = ROOT / "packaging"
PY = f"{sys.version_info[0]}.{sys.version_info[1]}"
CP = f"cp{sys.version_info[0]}{sys.version_info[1]}"

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="the kit scripts are bash; build kits on Linux")


def _kit_module(name: str):  # type: ignore[no-untyped-def]
    sys.path.insert(0, str(PACKAGING))
    try:
        return __import__(name)
    finally:
        sys.path.remove(str(PACKAGING))


def make_wheel(folder: Path, name: str, version: str, tag: str, requires: tuple[str, ...] = (),
               modules: dict[str, str] | None = None, scripts: dict[str, str] | None = None) -> Path:
    """A minimal valid wheel: METADATA, WHEEL, RECORD with real hashes, optional modules and console scripts."""
    dist = name.replace("-", "_")
    info = f"{dist}-{version}.dist-info"
    files = {f"{module}.py": code for module, code in (modules or {}).items()}
    files[f"{info}/METADATA"] = "".join([f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n",
                                         *(f"Requires-Dist: {r}\n" for r in requires)])
    files[f"{info}/WHEEL"] = (f"Wheel-Version: 1.0\nGenerator: test_offline_kit\n"
                              f"Root-Is-Purelib: {'true' if tag.endswith('-any') else 'false'}\nTag: {tag}\n")
    if scripts:
        files[f"{info}/entry_points.txt"] = "[console_scripts]\n" + "".join(f"{k} = {v}\n" for k, v in scripts.items())
    record = []
    for path, text in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=").decode()
        record.append(f"{path},sha256={digest},{len(text.encode())}")
    files[f"{info}/RECORD"] = "\n".join([*record, f"{info}/RECORD,,"]) + "\n"
    folder.mkdir(parents=True, exist_ok=True)
    wheel = folder / f"{dist}-{version}-{tag}.whl"
    with zipfile.ZipFile(wheel, "w") as zf:
        for path, text in sorted(files.items()):
            zf.writestr(zipfile.ZipInfo(path, (1980, 1, 1, 0, 0, 0)), text)
    return wheel


def _pip_wheel(into: Path) -> Path:
    """The pip wheel this Python's ensurepip carries (real, offline); the kit's installer updates pip from it."""
    bundled = sorted((Path(ensurepip.__file__).parent / "_bundled").glob("pip-*.whl"))
    if not bundled:
        pytest.skip("this Python's ensurepip carries no pip wheel")
    into.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copy(bundled[-1], into))


def small_wheelhouse(folder: Path, platform_tag: str) -> Path:
    """case-workbench, alpha (binary, for ``platform_tag``), beta (Windows only), pip; decoys pip must skip."""
    probe = ("import alpha, sys\n"
             "def main():\n"
             "    import importlib.util\n"
             "    print('Case Workbench 0.1.0 (kit test)', alpha.VALUE, importlib.util.find_spec('beta') is not None)\n")
    make_wheel(folder, "case-workbench", "0.1.0", "py3-none-any",
               requires=("alpha>=1.0", 'beta>=2; platform_system == "Windows"'),
               modules={"wb_kit_probe": probe}, scripts={"workbench": "wb_kit_probe:main"})
    make_wheel(folder, "alpha", "1.0", f"{CP}-{CP}-{platform_tag}", modules={"alpha": "VALUE = 42\n"})
    make_wheel(folder, "beta", "2.0", "py3-none-any", modules={"beta": ""})
    other = "manylinux_2_17_x86_64" if platform_tag == "win_amd64" else "win_amd64"
    make_wheel(folder, "alpha", "1.1", f"{CP}-{CP}-{other}", modules={"alpha": "VALUE = 0\n"})  # wrong platform
    _pip_wheel(folder)
    return folder


def build_kit(tmp: Path, platform: str = "win_amd64", lock: Path | None = None, out: str = "out") -> Path:
    house = tmp / "house"
    if not house.is_dir():
        small_wheelhouse(house, "win_amd64" if platform == "win_amd64" else "manylinux_2_17_x86_64")
    own = next(house.glob("case_workbench-*.whl"))
    args = ["--python", PY, "--platform", platform, "--wheel", str(own), "--wheelhouse", str(house),
            "--out", str(tmp / out)]
    if lock is not None:
        args += ["--lock", str(lock)]
    proc = subprocess.run(["bash", str(PACKAGING / "offline-kit.sh"), *args], capture_output=True, text=True,
                          env={**os.environ, "PYTHON": sys.executable}, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return next((tmp / out).glob("*-offline.zip"))


def check(kit: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["bash", str(PACKAGING / "check-kit.sh"), str(kit), *extra], capture_output=True,
                          text=True, env={**os.environ, "PYTHON": sys.executable}, timeout=900)


@pytest.fixture(scope="module")
def small_kit(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_kit(tmp_path_factory.mktemp("kit"))


@pytest.mark.slow
def test_small_kit_passes_and_holds_what_windows_needs(small_kit: Path) -> None:
    proc = check(small_kit)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "check-kit: all checks hold" in proc.stdout
    assert f"Python {PY}: pip resolves case-workbench from wheels/ alone" in proc.stdout
    with zipfile.ZipFile(small_kit) as zf:
        names = {n.split("/", 1)[1] for n in zf.namelist()}
        infos = zf.infolist()
    stem = small_kit.stem
    assert small_kit.name == "CaseWorkbench-0.1.0-win_amd64-offline.zip"
    assert "wheels/beta-2.0-py3-none-any.whl" in names  # Windows-only: markers evaluated for the target
    assert f"wheels/alpha-1.0-{CP}-{CP}-win_amd64.whl" in names
    assert not any("manylinux" in n for n in names)
    for needed in ("install.cmd", "install.ps1", "uninstall.cmd", "uninstall.ps1", "README.txt", "VERSION.txt",
                   "SHA256SUMS.txt", "workbench.ico", "lock/pip.txt", f"lock/py{PY}.txt"):
        assert needed in names, needed
    assert all(i.date_time == (1980, 1, 1, 0, 0, 0) for i in infos)
    assert [i.filename for i in infos] == sorted(i.filename for i in infos)
    assert all(i.filename.startswith(f"{stem}/") for i in infos)


@pytest.mark.slow
def test_the_lock_rebuilds_the_same_kit(small_kit: Path, tmp_path: Path) -> None:
    lock = small_kit.with_suffix(".lock")
    text = lock.read_text("utf-8")
    assert "platform = win_amd64" in text and f"[python {PY}]" in text and "beta==2.0 --hash=sha256:" in text
    shutil.copytree(small_kit.parents[1] / "house", tmp_path / "house")
    again = build_kit(tmp_path, lock=lock, out="again")
    assert again.read_bytes() == small_kit.read_bytes()
    assert again.with_suffix(".lock").read_text("utf-8") == text
    # a wheel that changed under the same version is refused, not slipped into the kit
    alpha = next((tmp_path / "house").glob("alpha-1.0-*win_amd64.whl"))
    make_wheel(tmp_path / "house", "alpha", "1.0", alpha.name.split("-", 2)[2].removesuffix(".whl"),
               modules={"alpha": "VALUE = 43\n"})
    own = next((tmp_path / "house").glob("case_workbench-*.whl"))
    proc = subprocess.run(["bash", str(PACKAGING / "offline-kit.sh"), "--wheel", str(own), "--wheelhouse",
                           str(tmp_path / "house"), "--lock", str(lock), "--out", str(tmp_path / "third")],
                          capture_output=True, text=True, env={**os.environ, "PYTHON": sys.executable}, timeout=600)
    assert proc.returncode != 0 and "hash" in (proc.stdout + proc.stderr).lower()


def _rezip(kit: Path, tmp: Path, change: Callable[[Path], None], resum: bool = True) -> Path:
    """The kit unpacked, changed, its SHA256SUMS.txt rewritten (unless ``resum`` is off) and zipped again."""
    build = _kit_module("kit_build")
    with zipfile.ZipFile(kit) as zf:
        zf.extractall(tmp / "x")
    folder = tmp / "x" / kit.stem
    change(folder)
    if resum:
        build.write_sums(folder)
    out = tmp / "bad" / kit.name
    out.parent.mkdir()
    build.write_zip(folder, out)
    return out


def _swap_wheel(old: str, new: Path) -> Callable[[Path], None]:
    """Put ``new`` in place of the wheel named ``old`` and pin it in the lock instead (a consistent bad kit)."""
    def change(kit: Path) -> None:
        lock_mod = _kit_module("kit_lock")
        gone = next((kit / "wheels").glob(old))
        gone.unlink()
        shutil.copy(new, kit / "wheels" / new.name)
        pin = lock_mod.Pin.of_wheel(new)
        for section in (kit / "lock").glob("*.txt"):
            lines = [pin.line() if f"# {gone.name}" in line else line for line in section.read_text().splitlines()]
            section.write_text("".join(f"{line}\n" for line in lines))
    return change


def _drop_beta(kit: Path) -> None:
    (kit / "wheels" / "beta-2.0-py3-none-any.whl").unlink()
    for section in (kit / "lock").glob("*.txt"):
        section.write_text("".join(f"{x}\n" for x in section.read_text().splitlines() if not x.startswith("beta==")))


def _script_line(line: str) -> Callable[[Path], None]:
    def change(kit: Path) -> None:
        data = (kit / "install.cmd").read_bytes()
        (kit / "install.cmd").write_bytes(data + line.encode() + b"\r\n")
    return change


def _reword_step(kit: Path) -> None:
    script = kit / "install.ps1"
    script.write_bytes(script.read_bytes().replace(b"Step 5 'Creating the Start-menu", b"Step 5 'Making the Start-menu"))


def _damage_wheel(kit: Path) -> None:
    wheel = next((kit / "wheels").glob("alpha-*.whl"))
    wheel.write_bytes(wheel.read_bytes()[:-10] + b"0123456789")


BAD_KITS = {
    "a wheel for the wrong platform": (
        lambda tmp: _swap_wheel("alpha-1.0-*.whl", make_wheel(tmp / "w", "alpha", "1.0", f"{CP}-{CP}-manylinux_2_17_x86_64",
                                                             modules={"alpha": "VALUE = 1\n"})),
        "every wheel's tags fit win_amd64"),
    "a wheel for another Python": (
        lambda tmp: _swap_wheel("alpha-1.0-*.whl", make_wheel(tmp / "w", "alpha", "1.0", "cp39-cp39-win_amd64",
                                                             modules={"alpha": "VALUE = 1\n"})),
        f"Python {PY}: each wheel it installs is built for {CP}"),
    "a missing dependency": (lambda tmp: _drop_beta, "beta (needed by case-workbench"),
    "an absolute path of the build machine in a script": (
        lambda tmp: _script_line(f"rem built in {ROOT}"), "no absolute path of this machine"),
    "a Windows drive path in a script": (
        lambda tmp: _script_line("copy wheels C:\\Users\\builder\\kit"), "no absolute path of this machine"),
    "README steps that no longer match the script": (lambda tmp: _reword_step, "README.txt lists the 6 install steps"),
}


@pytest.mark.slow
@pytest.mark.parametrize("what", list(BAD_KITS))
def test_the_checker_fails_a_bad_kit(small_kit: Path, tmp_path: Path, what: str) -> None:
    make_change, expected = BAD_KITS[what]
    bad = _rezip(small_kit, tmp_path, make_change(tmp_path))
    proc = check(bad)
    assert proc.returncode == 1, proc.stdout
    failed = [line for line in proc.stdout.splitlines() if line.startswith("FAIL")]
    assert any(expected in line for line in failed), failed


@pytest.mark.slow
def test_the_checker_fails_a_damaged_wheel(small_kit: Path, tmp_path: Path) -> None:
    bad = _rezip(small_kit, tmp_path, _damage_wheel, resum=False)
    proc = check(bad)
    assert proc.returncode == 1
    failed = "\n".join(line for line in proc.stdout.splitlines() if line.startswith("FAIL"))
    assert "every file matches its SHA-256" in failed and "each wheel has the SHA-256 the lock pins" in failed


@pytest.mark.slow
@pytest.mark.skipif(sys.platform != "linux", reason="installs a Linux kit")
def test_linux_kit_installs_with_the_network_cut(tmp_path: Path) -> None:
    """The same kit for manylinux, installed by its own install.sh with pip's index off, no pip.conf and a dead
    proxy (and in a network namespace when this machine allows one): what the Windows installer does."""
    kit_zip = build_kit(tmp_path, platform="manylinux")
    with zipfile.ZipFile(kit_zip) as zf:
        names = zf.namelist()
        zf.extractall(tmp_path / "unpacked")
    assert not any("beta-" in n for n in names)  # Windows-only dependency: not in the Linux kit
    kit = tmp_path / "unpacked" / kit_zip.stem
    (kit / "install.sh").chmod(0o755)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / f"python{PY}").symlink_to(sys.executable)  # the kit's Python, found the way install.sh looks
    check_mod = _kit_module("kit_check")
    env = check_mod._offline_env({"HOME": str(tmp_path / "home"), "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"})
    cut = check_mod._network_cut()
    proc = subprocess.run([*cut, "sh", str(kit / "install.sh")], capture_output=True, text=True, env=env, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "[5/5] Linking workbench and workbench-gui" in proc.stdout
    looked = [line for line in proc.stdout.splitlines() if line.startswith("Looking in links")]
    assert looked and all(line == f"Looking in links: {kit / 'wheels'}" for line in looked), looked
    out = subprocess.run([str(tmp_path / "home" / ".local" / "bin" / "workbench")], capture_output=True, text=True,
                         env=env, timeout=60)
    assert out.stdout.strip() == "Case Workbench 0.1.0 (kit test) 42 False", out.stderr


def test_kit_from_the_environment_when_one_is_given() -> None:
    """Opt-in (the real kit takes minutes to build): ``WORKBENCH_KIT=dist/CaseWorkbench-…-offline.zip pytest -k
    environment`` runs the checker on that kit."""
    kit = os.environ.get("WORKBENCH_KIT")
    if not kit:
        pytest.skip("set WORKBENCH_KIT to a kit zip to check it here")
    proc = check(Path(kit))
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_powershell_strings_hold_no_curly_double_quotes() -> None:
    """PowerShell reads “ and ” as double quotes, so inside a "…" string they end it: the Chinese texts of the
    install scripts must sit in '…' strings (no PowerShell here to parse them; this tokenizer stands in)."""
    for name in ("install.ps1", "uninstall.ps1"):
        text = (PACKAGING / "kit" / name).read_text("utf-8")
        i, inside = 0, ""
        while i < len(text):
            c = text[i]
            if not inside and c == "#":
                i = text.find("\n", i) if "\n" in text[i:] else len(text)
                continue
            if inside == '"' and c == "`":
                i += 2
                continue
            if inside == "'" and text.startswith("''", i):
                i += 2
                continue
            if not inside and c in "'\"":
                inside = c
            elif inside and c == inside:
                inside = ""
            elif inside == '"' and c in "“”":
                line = text.count("\n", 0, i) + 1
                raise AssertionError(f"packaging/kit/{name}:{line}: a curly quote inside a double-quoted string")
            i += 1
        assert not inside, f"packaging/kit/{name}: a string is never closed"


def test_templates_are_ascii_where_cmd_reads_them() -> None:
    for name in ("install.cmd", "uninstall.cmd"):
        assert (PACKAGING / "kit" / name).read_bytes().isascii(), name
    assert os.access(PACKAGING / "offline-kit.sh", os.X_OK) and os.access(PACKAGING / "check-kit.sh", os.X_OK)
