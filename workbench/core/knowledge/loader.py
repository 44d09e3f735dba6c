"""Reading the knowledge tables: YAML files in folders, every mistake reported as ``file:line``.

Folders come, in this order (a later module entry with the same file name replaces an earlier one, as a later
signature replaces one with its id):

1. ``workbench_knowledge()`` hook implementations, in registration order: first the built-in plugin's
   (``knowledge/`` in the built-in packs folder: ``plugins/knowledge`` in a checkout, ``workbench/_plugins/
   knowledge`` in a wheel or a frozen build), then entry points ``workbench.plugins``;
2. the user's folder ``<workbench home>/plugins/knowledge``;
3. folders given by the caller (``extra``, e.g. ``workbench knowledge --dir DIR``).

Every ``*.yml``/``*.yaml`` below a folder is read (sorted by path). A file is a mapping with any of
``categories:``, ``modules:`` and ``activities:`` (docs/knowledge.md gives each field). A bad file or entry is
reported and skipped; the rest loads. Only YAML is read, never code, and nothing inside a case.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from workbench.core.knowledge.model import (
    KINDS,
    ActivityRule,
    Category,
    Knowledge,
    KnowledgeError,
    KnownModule,
    unique,
)
from workbench.core.signatures.loader import _line, read_yaml, unfold_cjk

log = logging.getLogger(__name__)

__all__ = ["builtin_knowledge_roots", "user_knowledge_root", "knowledge_folders", "load_folders",
           "load_knowledge", "clear_cache"]

TOP_KEYS = ("categories", "modules", "activities")
MODULE_KEYS = ("module", "aliases", "kind", "vendor", "vendor_zh", "product", "product_zh", "category",
               "breaks", "fix", "source", "versions", "altitude")
MODULE_REQUIRED = ("module", "kind", "vendor", "product", "category", "breaks", "fix", "source")
ACTIVITY_KEYS = ("id", "functions", "match", "priority", "activity", "source")
ACTIVITY_REQUIRED = ("id", "functions", "priority", "activity")
#: a module file name as vendors write them: letters, digits, ``_ - . $ ( )`` and spaces, no path
_MODULE_NAME = re.compile(r"^[A-Za-z0-9_\-.$() ]{1,120}$")
_ID = re.compile(r"^[a-z0-9][a-z0-9_.\-]{1,99}$")


def builtin_knowledge_roots() -> list[Path]:
    """``knowledge/`` beside the built-in signature packs, wherever the app runs from."""
    from workbench.core.signatures.packs import builtin_pack_roots

    return [root / "knowledge" for root in builtin_pack_roots() if (root / "knowledge").is_dir()]


def user_knowledge_root(home: Path | None = None) -> Path:
    """``<workbench home>/plugins/knowledge``: where an engineer drops tables of their own."""
    from workbench.core.signatures.packs import user_pack_root

    return user_pack_root(home) / "knowledge"


def knowledge_folders(pm: Any | None = None, *, extra: Sequence[Path] = (), home: Path | None = None,
                      user: bool = True) -> tuple[list[Path], list[str]]:
    """The folders to read, in order, and notes on hooks that failed (a third party's bug is not fatal)."""
    notes: list[str] = []
    if pm is None:
        from workbench.core.plugins.manager import build_plugin_manager

        pm, _report = build_plugin_manager(user=user, home=home)
    folders: list[Path] = []
    for impl in pm.hook.workbench_knowledge.get_hookimpls():
        try:
            result = impl.function()
        except Exception as exc:
            notes.append(f"plugin {impl.plugin_name}: workbench_knowledge failed: {type(exc).__name__}: {exc}")
            continue
        if result is None:
            continue
        if isinstance(result, (str, Path)):
            result = [result]
        if not isinstance(result, (list, tuple, set)):
            notes.append(f"plugin {impl.plugin_name}: workbench_knowledge returned {type(result).__name__}, "
                         "not a list of folders")
            continue
        folders.extend(Path(p) for p in result)
    if user:
        root = user_knowledge_root(home)
        if root.is_dir():
            folders.append(root)
    folders.extend(Path(p) for p in extra)
    return folders, notes


# ------------------------------------------------------------------------------------------- one file


class _FileReader:
    """Checks the entries of one file; each problem becomes an error with the file and line."""

    def __init__(self, path: Path, out: Knowledge) -> None:
        self.path = path
        self.out = out

    def bad(self, line: int, message: str) -> None:
        self.out.errors.append(KnowledgeError(self.path, line, message))

    def text(self, entry: dict[Any, Any], key: str, *, required: bool = True) -> str | None:
        value = entry.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.bad(_line(entry, key) if key in entry else getattr(entry, "line", 0), f"missing {key!r}")
            return None
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return str(value)
        if not isinstance(value, str):
            self.bad(_line(entry, key), f"{key!r} must be text")
            return None
        return value.strip()

    def localized(self, entry: dict[Any, Any], key: str, missing: list[str]) -> tuple[str, str] | None:
        """``key: text`` (English) or ``key: {en: ..., zh: ...}`` -> (en, zh); zh falls back to en."""
        value = entry.get(key)
        if isinstance(value, str) and value.strip():
            missing.append(key)
            text = " ".join(value.split())
            return text, text
        if isinstance(value, dict):
            en, zh = value.get("en"), value.get("zh")
            for lang in value:
                if lang not in ("en", "zh"):
                    self.bad(_line(value, lang), f"{key}: unknown language {lang!r} (write en and zh)")
            if not isinstance(en, str) or not en.strip():
                self.bad(_line(entry, key), f"{key!r} must have 'en' text (and 'zh')")
                return None
            en_text = " ".join(en.split())
            if not isinstance(zh, str) or not zh.strip():
                missing.append(key)
                return en_text, en_text
            return en_text, unfold_cjk(" ".join(zh.split()))
        if key in entry and value is not None:
            self.bad(_line(entry, key), f"{key!r} must be text or {{en: ..., zh: ...}}, not {type(value).__name__}")
        else:
            self.bad(_line(entry, key) if key in entry else getattr(entry, "line", 0),
                     f"missing {key!r} (write {key}: {{en: ..., zh: ...}})")
        return None

    def str_list(self, entry: dict[Any, Any], key: str) -> list[str] | None:
        value = entry.get(key)
        if value is None:
            return []
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            self.bad(_line(entry, key), f"{key!r} must be a list of texts")
            return None
        return [v.strip() for v in value]

    def unknown_keys(self, entry: dict[Any, Any], allowed: tuple[str, ...], what: str) -> bool:
        ok = True
        for key in entry:
            if key not in allowed:
                self.bad(_line(entry, key), f"{what}: unknown key {key!r} (allowed: {', '.join(allowed)})")
                ok = False
        return ok

    def entry_line(self, entry: Any, index: int, parent: Any, list_name: str, keys: tuple[str, ...],
                   required: tuple[str, ...], shape: str) -> int | None:
        """The line of ``list_name[index]`` after the checks every list entry takes (a mapping, no unknown
        key, every required key there); None when it is not a mapping (nothing more can be read of it)."""
        if not isinstance(entry, dict):
            self.bad(_line(parent, index) if isinstance(parent, dict) else 0,
                     f"{list_name}[{index}] must be a mapping ({shape})")
            return None
        line = getattr(entry, "line", 0)
        self.unknown_keys(entry, keys, f"{list_name}[{index}]")
        for key in required:
            if key not in entry:
                self.bad(line, f"{list_name}[{index}]: missing required key {key!r}")
        return line

    # ---------------------------------------------------------------- entries

    def category(self, cid: Any, value: Any, parent: dict[Any, Any]) -> Category | None:
        line = _line(parent, cid)
        if not isinstance(cid, str) or not _ID.match(cid):
            self.bad(line, f"category id {cid!r} must be lower-case letters, digits, '_', '.', '-'")
            return None
        missing: list[str] = []
        texts = self.localized(parent, cid, missing)
        if texts is None:
            return None
        return Category(cid, texts[0], texts[1])

    def module(self, entry: Any, index: int, parent: Any) -> KnownModule | None:
        n_errors = len(self.out.errors)
        line = self.entry_line(entry, index, parent, "modules", MODULE_KEYS, MODULE_REQUIRED,
                               "module:, kind:, vendor:, ...")
        if line is None:
            return None
        name = self.text(entry, "module", required=False)
        if name is not None and not _MODULE_NAME.match(name):
            self.bad(_line(entry, "module"), f"module {name!r} must be a file name (no path), e.g. csagent.sys")
        aliases = self.str_list(entry, "aliases") or []
        for alias in aliases:
            if not _MODULE_NAME.match(alias):
                self.bad(_line(entry, "aliases"), f"alias {alias!r} must be a file or module name (no path)")
        kind = (self.text(entry, "kind", required=False) or "").lower()
        if "kind" in entry and kind not in KINDS:
            self.bad(_line(entry, "kind"), f"kind {kind!r} must be one of {', '.join(KINDS)}")
        vendor = self.text(entry, "vendor", required=False)
        product = self.text(entry, "product", required=False)
        category = self.text(entry, "category", required=False)
        if category is not None and category not in self.out.categories:
            self.bad(_line(entry, "category"), f"category {category!r} is not defined (known: "
                     f"{', '.join(sorted(self.out.categories)) or 'none'}; add it under categories:)")
        missing: list[str] = []
        breaks = self.localized(entry, "breaks", missing) if "breaks" in entry else None
        fix = self.localized(entry, "fix", missing) if "fix" in entry else None
        sources = self.str_list(entry, "source") if "source" in entry else None
        if "source" in entry and not sources:
            self.bad(_line(entry, "source"), "source must name the public page (a URL or a document title)")
        for src in sources or []:
            if src.lower().startswith(("http:", "https:")) and not re.match(r"^https?://[^\s/]+\.[^\s/]+/?\S*$", src):
                self.bad(_line(entry, "source"), f"source {src!r} is not a valid URL")
        if len(self.out.errors) > n_errors or not (name and vendor and product and category and breaks and fix
                                                   and sources):
            return None
        return KnownModule(
            module=name, aliases=unique(aliases), kind=kind, vendor=vendor,
            vendor_zh=self.text(entry, "vendor_zh", required=False), product=product, category=category,
            breaks=breaks[0], breaks_zh=breaks[1], fix=fix[0], fix_zh=fix[1], source=sources[0],
            sources=tuple(sources), product_zh=self.text(entry, "product_zh", required=False),
            versions=self.text(entry, "versions", required=False),
            altitude=self.text(entry, "altitude", required=False),
            file=self.path, line=line, untranslated=tuple(missing))

    def activity(self, entry: Any, index: int, parent: Any) -> ActivityRule | None:
        n_errors = len(self.out.errors)
        line = self.entry_line(entry, index, parent, "activities", ACTIVITY_KEYS, ACTIVITY_REQUIRED,
                               "id:, functions:, priority:, activity:")
        if line is None:
            return None
        rid = self.text(entry, "id", required=False)
        if rid is not None and not _ID.match(rid):
            self.bad(_line(entry, "id"), f"id {rid!r} must be lower-case letters, digits, '_', '.', '-'")
        patterns = self.str_list(entry, "functions") if "functions" in entry else None
        if "functions" in entry and not patterns:
            self.bad(_line(entry, "functions"), "functions must list at least one function (nt!IopLoadDriver)")
        for p in patterns or []:
            if p.count("!") > 1 or p.startswith("!") or p.endswith("!") or " " in p:
                self.bad(_line(entry, "functions"), f"function {p!r} must be 'module!Function' or 'Function' "
                                                    "(wildcards * and ? allowed)")
        match = (self.text(entry, "match", required=False) or "any").lower()
        if match not in ("any", "all"):
            self.bad(_line(entry, "match"), f"match {match!r} must be 'any' or 'all'")
        priority = entry.get("priority")
        if "priority" in entry and (not isinstance(priority, int) or isinstance(priority, bool)
                                    or not 0 <= priority <= 1000):
            self.bad(_line(entry, "priority"), f"priority {priority!r} must be a whole number 0-1000")
        missing: list[str] = []
        texts = self.localized(entry, "activity", missing) if "activity" in entry else None
        if len(self.out.errors) > n_errors or not (rid and patterns and texts) or not isinstance(priority, int):
            return None
        return ActivityRule(id=rid, patterns=tuple(patterns), match=match, priority=priority, activity=texts[0],
                            activity_zh=texts[1], source=self.text(entry, "source", required=False),
                            file=self.path, line=line, untranslated=tuple(missing))


def _yaml_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.suffix.lower() in (".yml", ".yaml") and p.is_file())


def load_folders(folders: Sequence[Path]) -> Knowledge:
    """Read every YAML file below ``folders`` (uncached). Categories are read first, so a module may use a
    category another file (or folder) defines."""
    out = Knowledge(folders=tuple(Path(f) for f in folders))
    docs: list[tuple[Path, dict[Any, Any]]] = []
    for folder in out.folders:
        if not folder.is_dir():
            out.errors.append(KnowledgeError(folder, 0, "knowledge folder not found"))
            continue
        for path in _yaml_files(folder):
            data, err = read_yaml(path)
            if err is not None:
                out.errors.append(err)
                continue
            if data is None:
                continue
            if not isinstance(data, dict):
                out.errors.append(KnowledgeError(path, 1, "a knowledge file must be a mapping with categories:, "
                                                          "modules: and/or activities:"))
                continue
            reader = _FileReader(path, out)
            reader.unknown_keys(data, TOP_KEYS, "file")
            docs.append((path, data))
    for path, data in docs:
        cats = data.get("categories")
        if cats is None:
            continue
        reader = _FileReader(path, out)
        if not isinstance(cats, dict):
            reader.bad(_line(data, "categories"), "categories must map an id to {en: ..., zh: ...}")
            continue
        for cid, value in cats.items():
            cat = reader.category(cid, value, cats)
            if cat is not None:
                out.categories[cat.id] = cat
    by_name: dict[str, int] = {}
    rules: dict[str, ActivityRule] = {}
    for path, data in docs:
        reader = _FileReader(path, out)
        for key, build in (("modules", reader.module), ("activities", reader.activity)):
            items = data.get(key)
            if items is None:
                continue
            if not isinstance(items, list):
                reader.bad(_line(data, key), f"{key} must be a list of entries (- {key[:-1]}: ...)")
                continue
            for i, entry in enumerate(items):
                built = build(entry, i, items)
                if isinstance(built, KnownModule):
                    _add_module(out, built, by_name)
                elif isinstance(built, ActivityRule):
                    if built.id in rules:
                        out.notes.append(f"{path}:{built.line}: activity {built.id} replaces the one in "
                                         f"{rules[built.id].file}:{rules[built.id].line}")
                    rules[built.id] = built
    out.rules = list(rules.values())
    out.index()
    return out


def _add_module(out: Knowledge, entry: KnownModule, by_name: dict[str, int]) -> None:
    key = entry.module.lower()
    if key in by_name:
        old = out.known_modules[by_name[key]]
        if old.file == entry.file:
            out.errors.append(KnowledgeError(entry.file or Path("?"), entry.line,
                                             f"module {entry.module} is listed twice in this file (also line "
                                             f"{old.line}); give one entry its aliases"))
            return
        out.notes.append(f"{entry.file}:{entry.line}: module {entry.module} replaces the one in "
                         f"{old.file}:{old.line}")
        out.known_modules[by_name[key]] = entry
        return
    by_name[key] = len(out.known_modules)
    out.known_modules.append(entry)


# ------------------------------------------------------------------------------------------- cached loading

_CACHE: dict[tuple[Any, ...], Knowledge] = {}
_CACHE_MAX = 16


def _fingerprint(folders: Sequence[Path]) -> tuple[Any, ...]:
    """The folders and the stat of every YAML file in them: an edited or added file is read again."""
    parts: list[Any] = []
    for folder in folders:
        parts.append(str(folder))
        if folder.is_dir():
            for path in _yaml_files(folder):
                try:
                    st = path.stat()
                except OSError:
                    continue
                parts.append((str(path), st.st_mtime_ns, st.st_size))
    return tuple(parts)


def load_knowledge(pm: Any | None = None, *, extra: Sequence[Path] = (), home: Path | None = None,
                   user: bool = True) -> Knowledge:
    """The knowledge tables from every folder (module docstring), cached per set of folders and their files.

    ``pm`` is a plugin manager whose ``workbench_knowledge`` results are read (None: the standard one, built-ins
    and entry points and the user's enabled plugins). Problems are in ``errors`` (file:line) and ``notes``.
    """
    folders, notes = knowledge_folders(pm, extra=extra, home=home, user=user)
    key = _fingerprint(folders)
    hit = _CACHE.get(key)
    if hit is None:
        hit = load_folders(folders)
        for e in hit.errors:
            log.warning("knowledge: %s", e)
        if len(_CACHE) >= _CACHE_MAX:
            _CACHE.clear()
        _CACHE[key] = hit
    if notes:
        # hook failures are not part of what the folders hold: report them without caching them
        return _with_notes(hit, notes)
    return hit


def _with_notes(knowledge: Knowledge, notes: list[str]) -> Knowledge:
    copy = Knowledge(categories=knowledge.categories, known_modules=knowledge.known_modules,
                     rules=knowledge.rules, errors=knowledge.errors, notes=[*knowledge.notes, *notes],
                     folders=knowledge.folders)
    copy.index()
    return copy


def clear_cache() -> None:
    _CACHE.clear()
