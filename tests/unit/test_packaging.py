"""Packaging checks quick enough for every CI run: a broken bundle or wheel should fail here, not on the
engineer's laptop. The frozen build itself (minutes) is ``packaging/build.sh``; these tests check what it and
the wheel depend on: the spec's data folders exist, the lists it reads name importable modules, the installer
script asks for no admin rights, and a built wheel carries ``resources/`` and ``plugins/`` where the code
looks for them."""

from __future__ import annotations

import ast
import importlib
import importlib.util
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGING = ROOT / "packaging"


def _spec_constant(name: str) -> object:
    """A literal assigned at the top of the spec (the spec itself only runs inside PyInstaller)."""
    tree = ast.parse((PACKAGING / "workbench.spec").read_text("utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in node.targets):
            return ast.literal_eval(node.value)
    raise AssertionError(f"{name} not assigned in workbench.spec")


def test_spec_parses_and_its_data_folders_exist() -> None:
    folders = _spec_constant("DATA_FOLDERS")
    assert isinstance(folders, list) and folders
    for source, target in folders:
        assert (ROOT / source).is_dir(), f"the spec bundles {source}/, which does not exist"
        assert not Path(target).is_absolute()
    assert ("plugins", "workbench/_plugins") in folders  # where builtin_pack_roots() looks when frozen
    assert ("resources", "resources") in folders  # where render.py and locations.py look when frozen
    text = (PACKAGING / "workbench.spec").read_text("utf-8")
    assert "BUILTIN_PLUGINS" in text and "COMMANDS" in text  # hidden imports come from the explicit lists
    assert "console=False" in text and "console=True" in text


def test_spec_native_packages_are_installed() -> None:
    for name in _spec_constant("NATIVE_PACKAGES"):  # type: ignore[union-attr]
        assert importlib.util.find_spec(name) is not None, f"{name} (bundled by the spec) is not installed"


def test_explicit_lists_import() -> None:
    """The frozen app imports these by name at run time; a typo would only show in the bundle."""
    from workbench.commands import COMMANDS
    from workbench.core.plugins.manager import BUILTIN_PLUGINS

    for name in (*BUILTIN_PLUGINS, *COMMANDS):
        importlib.import_module(name)
    assert "workbench.commands.export_case" in COMMANDS


def test_installer_is_per_user_with_association() -> None:
    iss = (PACKAGING / "installer.iss").read_text("utf-8")
    assert "PrivilegesRequired=lowest" in iss
    code = "\n".join(line for line in iss.splitlines() if not line.lstrip().startswith(";"))
    assert "HKLM" not in code and "admin" not in code.lower()  # per-user: every registry entry under HKA
    assert "Software\\Classes\\.wbcase" in iss and "uninsdeletekey" in iss
    assert "{group}" in iss and "{uninstallexe}" in iss
    name = _spec_constant("APP_NAME")
    assert f'#define BuildDir "..\\dist\\{name}"' in iss and f'"{name}.exe"' in iss
    assert f'"{_spec_constant("CONSOLE_NAME")}.exe"' in iss


def test_build_script_runs_the_frozen_app() -> None:
    text = (PACKAGING / "build.sh").read_text("utf-8")
    for step in ("workbench.spec", "analyze --json", "demo --out", "--screenshot", "export-case", "set -euo pipefail"):
        assert step in text
    assert os.access(PACKAGING / "build.sh", os.X_OK)


def test_portable_marker_moves_the_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spec = importlib.util.spec_from_file_location("wb_entry", PACKAGING / "entry.py")
    assert spec is not None and spec.loader is not None
    entry = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(entry)
    exe = tmp_path / "CaseWorkbench" / "CaseWorkbench.exe"
    exe.parent.mkdir()
    exe.write_bytes(b"")
    monkeypatch.setattr(sys, "executable", str(exe))
    monkeypatch.delenv("WORKBENCH_HOME")
    entry._portable_home()
    assert "WORKBENCH_HOME" not in os.environ  # no marker: the profile, as installed
    (exe.parent / entry.PORTABLE_MARKER).write_text("portable")
    entry._portable_home()
    assert os.environ["WORKBENCH_HOME"] == str(exe.parent.resolve() / "data")


def test_portable_zip(tmp_path: Path) -> None:
    sys.path.insert(0, str(PACKAGING))
    try:
        import portable
    finally:
        sys.path.remove(str(PACKAGING))
    app = tmp_path / "CaseWorkbench"
    (app / "_internal").mkdir(parents=True)
    (app / "workbench").write_bytes(b"#!exe")
    (app / "_internal" / "lib.so").write_bytes(b"lib")
    target = portable.make_portable(app, tmp_path / "out")
    with zipfile.ZipFile(target) as zf:
        assert sorted(zf.namelist()) == ["CaseWorkbench/_internal/lib.so", "CaseWorkbench/portable.txt",
                                         "CaseWorkbench/workbench"]


def test_icon_is_a_multi_size_ico(tmp_path: Path) -> None:
    """Rendered in a child process: unit tests keep Qt out of their own process."""
    if importlib.util.find_spec("PySide6") is None:
        pytest.skip("PySide6 is not installed")
    out = tmp_path / "w.ico"
    proc = subprocess.run([sys.executable, str(PACKAGING / "make_icon.py"), str(out)], capture_output=True,
                          text=True, timeout=120, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert proc.returncode == 0, proc.stderr
    data = out.read_bytes()
    count = int.from_bytes(data[4:6], "little")
    assert data[:4] == b"\0\0\1\0" and count == 7
    first_png = int.from_bytes(data[6 + 12:6 + 16], "little")  # offset of the first image
    assert data[first_png:first_png + 8] == b"\x89PNG\r\n\x1a\n"


def test_about_versions() -> None:
    """The About box's list (read in a child process: it imports PySide6 and pyqtgraph to ask their versions)."""
    code = "import json; from workbench.about import component_versions; print(json.dumps(component_versions()))"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120,
                          env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert proc.returncode == 0, proc.stderr
    versions = dict(json.loads(proc.stdout))
    for name in ("Case Workbench", "Python", "Qt", "PySide6", "pyqtgraph", "evtx", "procmon-parser", "py7zr"):
        assert versions[name] and versions[name] not in ("unknown", "not installed"), (name, versions[name])


def test_resources_dir_prefers_the_packaged_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from workbench import locations

    assert locations.resources_dir() == ROOT / "resources"  # a checkout reads its own folder
    fake_package = tmp_path / "workbench"
    (fake_package / "_resources").mkdir(parents=True)
    monkeypatch.setattr(locations, "_PACKAGE", fake_package)
    assert locations.resources_dir() == fake_package / "_resources"
    (fake_package / "_resources").rmdir()
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path / "frozen"), raising=False)
    (tmp_path / "frozen" / "resources").mkdir(parents=True)
    assert locations.resources_dir() == tmp_path / "frozen" / "resources"


def _build_wheel(tmp_path: Path) -> Path:
    """The wheel the offline kit ships (packaging/project_wheel.py: a copy of the checkout, a fixed date)."""
    sys.path.insert(0, str(PACKAGING))
    try:
        import project_wheel
    finally:
        sys.path.remove(str(PACKAGING))
    try:
        return project_wheel.build_project_wheel(tmp_path / "wheel")
    except project_wheel.WheelBuildError as exc:
        if "No matching distribution" in str(exc):
            pytest.skip("no setuptools/wheel for an isolated build (offline); install `wheel` to run this test")
        raise


@pytest.mark.slow
def test_wheel_carries_resources_and_plugins_where_the_code_looks(tmp_path: Path) -> None:
    wheel = _build_wheel(tmp_path)
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        entry_points = next((zf.read(n).decode("utf-8") for n in names if n.endswith(".dist-info/entry_points.txt")),
                            "")
    # the installed commands start through applog, so the app's own errors reach the user's log folder
    assert "workbench = workbench.applog:main" in entry_points
    assert "workbench-gui = workbench.applog:main" in entry_points
    for folder, packaged in (("resources", "workbench/_resources"), ("plugins", "workbench/_plugins")):
        expected = {f"{packaged}/{p.relative_to(ROOT / folder).as_posix()}" for p in (ROOT / folder).rglob("*")
                    if p.is_file() and "__pycache__" not in p.parts and p.suffix not in (".pyc", ".pyo")}
        missing = expected - names
        assert not missing, f"{len(missing)} files of {folder}/ missing from the wheel, e.g. {sorted(missing)[:3]}"
    assert "workbench/_resources/translations/workbench_zh_CN.qm" in names
    assert "workbench/commands/export_case.py" in names and "workbench/core/dumps/bugcheck_codes.tsv" in names
    assert not any("__pycache__" in n for n in names)

    # installed (unpacked) away from the checkout, the lookups find the packaged copies
    target = tmp_path / "site"
    with zipfile.ZipFile(wheel) as zf:
        zf.extractall(target)
    probe = ("from workbench import locations; from workbench.core.signatures.packs import builtin_pack_roots; "
             "from workbench.core.report.render import template_dirs; import workbench; "
             "print(workbench.__file__); print(locations.resources_dir()); print(builtin_pack_roots()[0]); "
             "print(template_dirs()[0])")
    env = {**os.environ, "PYTHONPATH": str(target), "WORKBENCH_HOME": str(tmp_path / "home")}
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=tmp_path, env=env,
                          timeout=60)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.split("\n")
    assert lines[0].startswith(str(target))
    assert lines[1] == str(target / "workbench" / "_resources")
    assert lines[2] == str(target / "workbench" / "_plugins")
    assert lines[3] == str(target / "workbench" / "_resources" / "report")


def test_frozen_build_smoke_when_one_is_given() -> None:
    """Opt-in (a build takes minutes): ``WORKBENCH_FROZEN_DIST=dist pytest -k frozen`` smoke-tests an existing
    one-folder build with the same checks ``packaging/build.sh`` runs after building."""
    dist = os.environ.get("WORKBENCH_FROZEN_DIST")
    if not dist:
        pytest.skip("set WORKBENCH_FROZEN_DIST to the folder holding CaseWorkbench/ to smoke-test a frozen build")
    if sys.platform == "win32":
        pytest.skip("build.sh needs bash; on Windows run it from Git Bash")
    env = {**os.environ, "DIST": dist, "PYTHON": sys.executable}
    proc = subprocess.run(["bash", str(PACKAGING / "build.sh"), "--skip-build"], capture_output=True, text=True,
                          env=env, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "smoke test passed" in proc.stdout
