"""Where signature packs come from, and loading them all with every error kept.

A pack is a folder with ``pack.yaml`` (name, title, version, description; optional) and ``signatures/*.yml``,
plus the ``samples/`` they name. Packs are found, in this order (a later signature with the same id replaces
an earlier one, as a later parser replaces an earlier one):

1. folders returned by ``workbench_signature_packs()`` hook implementations, in registration order: first
   the built-in plugin's (:func:`builtin_pack_roots`: ``workbench/_plugins`` inside an installed wheel or a
   frozen build, else the top-level ``plugins/`` folder of a source checkout), then entry points
   ``workbench.plugins``;
2. the user's folder ``<workbench home>/plugins`` (:func:`user_pack_root`);
3. folders given on the command line (``--packs DIR``) or in ``WORKBENCH_PACKS`` (``os.pathsep``-separated).

Only YAML is read from these folders. Python (a pack's ``plugin.py``) is imported only from the user folder
and only for packs the user listed in ``<home>/plugins/enabled.txt`` (:func:`user_python_plugins`). Nothing
inside a case is ever looked at: packs are never searched for below the case folders.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from workbench.core.signatures.loader import Signature, SignatureError, load_signature, read_yaml

log = logging.getLogger(__name__)

__all__ = ["PackSet", "builtin_pack_roots", "user_pack_root", "pack_dirs", "load_packs", "discover",
           "user_python_plugins", "untranslated_builtins", "ENABLED_FILE"]

ENABLED_FILE = "enabled.txt"


@dataclass
class PackSet:
    """Everything loaded: signatures by id (in load order), the packs seen, and every problem found."""

    signatures: dict[str, Signature] = field(default_factory=dict)
    packs: list[dict[str, Any]] = field(default_factory=list)
    errors: list[SignatureError] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def ordered(self) -> list[Signature]:
        return list(self.signatures.values())


def builtin_pack_roots() -> list[Path]:
    """The folder holding the built-in packs, wherever the app runs from.

    A wheel carries them as ``workbench/_plugins`` (pyproject maps ``plugins/`` there); a PyInstaller build
    collects the same folder (``datas``) so ``sys._MEIPASS/workbench/_plugins`` exists; a checkout has
    ``plugins/`` beside the ``workbench`` package. No file-system walk beyond these fixed places.
    """
    import workbench

    here = Path(workbench.__file__).resolve().parent
    candidates = [here / "_plugins"]
    meipass = getattr(sys, "_MEIPASS", None)
    if meipass:
        candidates += [Path(meipass) / "workbench" / "_plugins", Path(meipass) / "plugins"]
    candidates.append(here.parent / "plugins")
    for c in candidates:
        if c.is_dir():
            return [c]
    return []


def user_pack_root(home: Path | None = None) -> Path:
    """``<workbench home>/plugins``: where a user drops packs of their own (created on demand, not here)."""
    from workbench.core.case import workbench_home

    return (home or workbench_home()) / "plugins"


def untranslated_builtins(packs: PackSet, roots: Sequence[Path] | None = None) -> list[SignatureError]:
    """Texts of built-in signatures that have no Chinese version (``workbench signatures validate`` warns).

    Our users read Chinese first, so every built-in title, details line and remediation carries ``zh``. A
    missing one is a warning, not an error: the finding still works and shows English. A third party's pack
    may be English only, so only the signatures under ``roots`` (default :func:`builtin_pack_roots`) count.
    """
    roots = [Path(r).resolve() for r in (builtin_pack_roots() if roots is None else roots)]
    out: list[SignatureError] = []
    for sig in packs.ordered():
        path = sig.path.resolve()
        if any(root in path.parents for root in roots):
            out.extend(SignatureError(sig.path, line, f"{key!r} has no Chinese text (write {key}: {{en: ..., zh: ...}})")
                       for key, line in sig.untranslated.items())
    return out


def _is_pack(folder: Path) -> bool:
    return (folder / "pack.yaml").is_file() or (folder / "signatures").is_dir()


def pack_dirs(root: Path) -> list[Path]:
    """A root is a pack itself, or holds packs one level down (sorted by name, for a stable order)."""
    if not root.is_dir():
        return []
    if _is_pack(root):
        return [root]
    return [d for d in sorted(root.iterdir()) if d.is_dir() and _is_pack(d)]


def _signature_files(pack: Path) -> list[Path]:
    folder = pack / "signatures" if (pack / "signatures").is_dir() else pack
    return sorted(p for p in folder.rglob("*") if p.suffix.lower() in (".yml", ".yaml") and p.is_file()
                  and p.name != "pack.yaml")


def load_packs(dirs: Iterable[Path], origin: str = "") -> PackSet:
    """Load every signature of every pack under ``dirs``. Bad files become errors; the rest still load."""
    out = PackSet()
    _load_into(out, dirs, origin)
    return out


#: Compiled signatures by file and its stat (every ingest scans the same packs; reading and compiling their
#: YAML again each time cost a third of the scan). A changed file has another key, so it is read again.
_LOADED: dict[tuple[str, int, int, int, int], tuple[Signature | None, list[SignatureError]]] = {}
_LOADED_MAX = 4096


def _load_signature_cached(path: Path) -> tuple[Signature | None, list[SignatureError]]:
    try:
        st = path.stat()
    except OSError:
        return load_signature(path)
    key = (str(path), st.st_mtime_ns, st.st_ctime_ns, st.st_size, st.st_ino)
    hit = _LOADED.get(key)
    if hit is None:
        hit = load_signature(path)
        if len(_LOADED) >= _LOADED_MAX:
            _LOADED.clear()
        _LOADED[key] = hit
    return hit[0], list(hit[1])


def _load_into(out: PackSet, dirs: Iterable[Path], origin: str) -> None:
    for root in dirs:
        root = Path(root)
        if not root.is_dir():
            out.errors.append(SignatureError(root, 0, "pack folder not found"))
            continue
        for pack in pack_dirs(root):
            meta: dict[str, Any] = {"name": pack.name, "path": str(pack), "origin": origin, "signatures": 0}
            if (pack / "pack.yaml").is_file():
                data, err = read_yaml(pack / "pack.yaml")
                if err is not None:
                    out.errors.append(err)
                elif isinstance(data, dict):
                    meta.update({k: data[k] for k in ("name", "title", "version", "description") if k in data})
                else:
                    out.errors.append(SignatureError(pack / "pack.yaml", 1, "pack.yaml must be a mapping"))
            for path in _signature_files(pack):
                sig, errors = _load_signature_cached(path)
                out.errors.extend(errors)
                if sig is None:
                    continue
                if sig.id in out.signatures:
                    out.notes.append(f"{path}: signature {sig.id} replaces the one in {out.signatures[sig.id].path}")
                    del out.signatures[sig.id]
                out.signatures[sig.id] = sig
                meta["signatures"] += 1
            out.packs.append(meta)


def _env_dirs() -> list[Path]:
    value = os.environ.get("WORKBENCH_PACKS", "")
    return [Path(p) for p in value.split(os.pathsep) if p.strip()]


def discover(pm: Any | None = None, *, extra: Sequence[Path] = (), home: Path | None = None,
             builtin: bool = True, user: bool = True) -> PackSet:
    """Load the packs from every place listed in the module docstring, in that order.

    ``pm`` is a plugin manager whose ``workbench_signature_packs`` results are added (None: build the
    standard one, built-ins plus entry points). A hook implementation that raises is reported, not fatal.
    """
    out = PackSet()
    if pm is None:
        from workbench.core.plugins.manager import build_plugin_manager

        # the manager also loads the Python plugins the user enabled; their failures are in its report
        pm, report = build_plugin_manager(user=user, home=home)
        out.notes.extend(f"{name}: {error}" for name, error in report.failed if name == "user plugin")
    builtin_roots = {p.resolve() for p in builtin_pack_roots()}
    # the built-in plugin answers this hook too (with builtin_pack_roots), so built-ins come first
    for impl in pm.hook.workbench_signature_packs.get_hookimpls():
        try:
            result = impl.function()
        except Exception as exc:  # a third party's bug must not hide everyone else's signatures
            out.notes.append(f"plugin {impl.plugin_name}: workbench_signature_packs failed: "
                             f"{type(exc).__name__}: {exc}")
            continue
        if result is None:
            dirs: list[Path] = []
        elif isinstance(result, (str, Path)):
            dirs = [Path(result)]
        elif isinstance(result, (list, tuple, set)):
            dirs = [Path(p) for p in result]
        else:
            out.notes.append(f"plugin {impl.plugin_name}: workbench_signature_packs returned "
                             f"{type(result).__name__}, not a list of folders")
            continue
        if not builtin:
            dirs = [d for d in dirs if d.resolve() not in builtin_roots]
        origin = "built-in" if dirs and all(d.resolve() in builtin_roots for d in dirs) else \
            f"plugin {impl.plugin_name}"
        _load_into(out, dirs, origin)
    if user:
        root = user_pack_root(home)
        if root.is_dir():
            _load_into(out, [root], "user")
    _load_into(out, [*extra, *_env_dirs()], "command line")
    return out


def user_python_plugins(home: Path | None = None, notes: list[str] | None = None) -> list[ModuleType]:
    """Import ``plugin.py`` of the user packs named in ``<home>/plugins/enabled.txt`` (one name a line).

    Python runs with the user's rights, so it never loads just because a folder appeared: the user enables
    a pack by name. Built-in and entry-point plugins are trusted by installation; case contents never are.
    """
    notes = notes if notes is not None else []
    root = user_pack_root(home)
    enabled_file = root / ENABLED_FILE
    if not enabled_file.is_file():
        return []
    modules: list[ModuleType] = []
    for raw in enabled_file.read_text("utf-8", "replace").splitlines():
        name = raw.strip()
        if not name or name.startswith("#"):
            continue
        path = root / name / "plugin.py"
        if "/" in name or "\\" in name or name.startswith(".") or not path.is_file():
            notes.append(f"{enabled_file}: enabled pack {name!r} has no plugin.py in {root}")
            continue
        try:
            spec = importlib.util.spec_from_file_location(f"workbench_user_plugin_{name}", path)
            if spec is None or spec.loader is None:
                raise ImportError("no loader")
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
        except Exception as exc:
            notes.append(f"{path}: failed to load: {type(exc).__name__}: {exc}")
            log.error("user plugin %s failed to load: %s", path, exc)
            continue
        modules.append(module)
    return modules
