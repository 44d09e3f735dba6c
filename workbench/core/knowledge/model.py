"""What the knowledge tables hold once loaded: known third-party modules and what a stack's functions mean.

Two tables, both data (YAML in ``plugins/knowledge/`` and in folders plugins add, see
:mod:`workbench.core.knowledge.loader`), so that naming a product or telling what a crashing thread was doing
never needs a code change:

* :class:`KnownModule` - a third-party driver, DLL or program known in upgrade failures (an EDR agent's
  minifilter, a VPN's NDIS filter, a disk-encryption driver, an audio driver under a safeguard hold), with its
  vendor, product, what it breaks and the fix, in English and Chinese, and the public source that says so.
* :class:`ActivityRule` - Windows functions (``nt!IopLoadDriver``) and what a thread with them on its stack
  was doing ("loading boot drivers"); :meth:`Knowledge.activity` picks the one that best tells a stack.

The core never hard-codes a known problem: the verdict, the report and the panes ask a :class:`Knowledge`.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from workbench.core.signatures.condition import normalize_value
from workbench.core.signatures.loader import SignatureError

__all__ = ["KINDS", "ActivityRule", "Category", "Knowledge", "KnowledgeError", "KnownModule", "StackActivity",
           "parse_frame"]

#: What a culprit can be (the verdict's ``culprit.kind``): a kernel driver, a DLL loaded into a process, a
#: program, a device, a disk, an installed application.
KINDS: tuple[str, ...] = ("driver", "dll", "process", "device", "disk", "app")

#: A problem in a knowledge file, with its line: the same shape as a signature file's problems.
KnowledgeError = SignatureError


@dataclass(frozen=True)
class Category:
    """A kind of product (``edr``, ``ndis_filter``, ``disk_encryption``...), named in both languages."""

    id: str
    name: str
    name_zh: str


@dataclass(frozen=True)
class KnownModule:
    """A third-party module known in upgrade failures.

    ``module`` is its file name as the vendor ships it (``csagent.sys``); ``aliases`` are other names the same
    code is seen under (a 32-bit twin, a service name). ``vendor_zh`` is set where a Chinese name is what
    engineers say (奇安信, 深信服); else None. ``breaks``/``fix`` say what it does to an upgrade and what to do,
    ``source`` is the public page (URL or document title) that names the module, ``sources`` every page used.
    """

    module: str
    aliases: tuple[str, ...]
    kind: str
    vendor: str
    vendor_zh: str | None
    product: str
    category: str
    breaks: str
    breaks_zh: str
    fix: str
    fix_zh: str
    source: str
    sources: tuple[str, ...] = ()
    product_zh: str | None = None
    #: the versions a source names as affected (``"15.44.0.1010 - 15.5.2.1053"``), as written there
    versions: str | None = None
    #: the minifilter altitude Microsoft allocated, where the module is a file-system filter
    altitude: str | None = None
    file: Path | None = field(default=None, compare=False)
    line: int = field(default=0, compare=False)
    #: text keys the file gave in English only (their ``*_zh`` fields then hold the English text)
    untranslated: tuple[str, ...] = field(default=(), compare=False)

    def names(self) -> tuple[str, ...]:
        return (self.module, *self.aliases)


@dataclass(frozen=True)
class StackActivity:
    """What a thread was doing, told from the Windows functions on its stack.

    ``functions`` are the matched frames as ``module!function`` (offsets dropped), top of the stack first;
    ``frame`` is the index of the topmost of them in the frames given. ``priority`` is the rule's.
    """

    id: str
    functions: tuple[str, ...]
    activity: str
    activity_zh: str
    priority: int
    frame: int
    source: str | None = None


@dataclass(frozen=True)
class ActivityRule:
    """One row of the function table: patterns (``nt!IopLoadDriver``, ``FltpAttach*``), how they combine
    (``any`` one of them on the stack, or ``all`` of them) and the sentence a match gives."""

    id: str
    patterns: tuple[str, ...]
    match: str
    priority: int
    activity: str
    activity_zh: str
    source: str | None = None
    file: Path | None = field(default=None, compare=False)
    line: int = field(default=0, compare=False)
    untranslated: tuple[str, ...] = field(default=(), compare=False)


# ------------------------------------------------------------------------------------------- frames

#: ``nt``'s other names: the kernel image is ``ntoskrnl.exe`` (or ``ntkrnlmp.exe``...) in a module list
_KERNEL_NAMES = {"ntoskrnl", "ntkrnlmp", "ntkrnlpa", "ntkrpamp", "ntkrla57"}
_OFFSET = re.compile(r"\+0x[0-9a-f`]+$|\+[0-9a-f`]+$", re.I)
_SOURCE_LINE = re.compile(r"\s*\[[^\]]*@ *\d+\]\s*$")


def _module_key(module: str) -> str:
    low = module.strip().lower()
    for ext in (".sys", ".dll", ".exe"):
        if low.endswith(ext):
            low = low[: -len(ext)]
            break
    return "nt" if low in _KERNEL_NAMES else low


def parse_frame(text: str) -> tuple[str, str] | None:
    """``(module, function)`` of one frame as a debugger prints it, or None when it names no function.

    Takes ``nt!IopLoadDriver+0x4bd``, a ``kv`` line (``ffffd000`2a4c... : nt!IopLoadDriver+0x4bd``), a numbered
    ``k`` line (``0a fffff803`... nt!IopLoadDriver+0x4bd``), a frame with its source line (``[... @ 1234]``) or
    a bare function name. ``lwfmgr+0x5167`` (a module without symbols) names no function.
    """
    line = _SOURCE_LINE.sub("", text.strip())
    if " : " in line:  # kv: "Child-SP RetAddr : Args to Child : Call Site"
        line = line.rsplit(" : ", 1)[1].strip()
    if "!" in line:
        head, _, func = line.partition("!")
        module = head.split()[-1] if head.split() else ""
        func = _OFFSET.sub("", func.strip())
        if not module or not func:
            return None
        return _module_key(module), func
    word = line.split()[-1] if line.split() else ""
    if not word or _OFFSET.search(word) or word.startswith("0x") or "`" in word:
        return None  # lwfmgr+0x5167, a bare address
    return "", word


def _pattern_matches(pattern: str, module: str, function: str) -> bool:
    if "!" in pattern:
        p_mod, _, p_func = pattern.partition("!")
        # a bare function name (no module printed) is matched by its name alone
        if module and not fnmatch.fnmatchcase(module, _module_key(p_mod)):
            return False
    else:
        p_func = pattern
    return fnmatch.fnmatchcase(function.lower(), p_func.lower())


# ------------------------------------------------------------------------------------------- the tables


def module_keys(name: str) -> tuple[str | None, str | None]:
    """The two keys a module is looked up by: its file name (lower case, without a path or ``+0x...``) and
    that name without its extension (:func:`workbench.core.signatures.condition.normalize_value`)."""
    text = str(name).strip().strip("'\"").strip().lower()
    text = re.split(r"[\\/]", text)[-1]
    text = re.split(r"[!+]", text, maxsplit=1)[0].strip()
    return (text or None), normalize_value(text)


@dataclass
class Knowledge:
    """The loaded tables, with every problem found while loading them (``errors``: file and line)."""

    categories: dict[str, Category] = field(default_factory=dict)
    known_modules: list[KnownModule] = field(default_factory=list)
    rules: list[ActivityRule] = field(default_factory=list)
    errors: list[KnowledgeError] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    folders: tuple[Path, ...] = ()
    _by_name: dict[str, KnownModule] = field(default_factory=dict, repr=False)
    _by_stem: dict[str, KnownModule] = field(default_factory=dict, repr=False)

    def index(self) -> None:
        """Build the name indexes (called once by the loader after the last module is added)."""
        self._by_name.clear()
        self._by_stem.clear()
        for entry in self.known_modules:
            for name in entry.names():
                exact, stem = module_keys(name)
                if exact:
                    self._by_name.setdefault(exact, entry)
                if stem:
                    self._by_stem.setdefault(stem, entry)

    def module(self, name: str) -> KnownModule | None:
        """The known module called ``name``: any case, with or without extension, an alias, a full path
        (``C:\\Windows\\System32\\drivers\\lwfmgr.sys``) or a stack reference (``lwfmgr+0x5167``)."""
        exact, stem = module_keys(name)
        if exact and exact in self._by_name:
            return self._by_name[exact]
        if stem and stem in self._by_stem:
            return self._by_stem[stem]
        return None

    def modules(self, category: str | None = None) -> list[KnownModule]:
        """Every known module (of one category), in load order."""
        return [m for m in self.known_modules if category is None or m.category == category]

    def category(self, category_id: str) -> Category | None:
        return self.categories.get(category_id)

    def activities(self, frames: Sequence[str]) -> list[StackActivity]:
        """Every rule that matches ``frames`` (top of the stack first), best first (see :meth:`activity`)."""
        parsed = [parse_frame(f) for f in frames]
        found: list[tuple[tuple[int, int, int], StackActivity]] = []
        for rule in self.rules:
            hits: list[int] = []
            matched_patterns = 0
            for pattern in rule.patterns:
                at = [i for i, p in enumerate(parsed) if p is not None and _pattern_matches(pattern, *p)]
                if at:
                    matched_patterns += 1
                    hits.extend(at)
                elif rule.match == "all":
                    break
            if not hits or (rule.match == "all" and matched_patterns < len(rule.patterns)):
                continue
            indexes = sorted(set(hits))
            functions = tuple(_label(parsed[i]) for i in indexes)
            act = StackActivity(id=rule.id, functions=functions, activity=rule.activity,
                                activity_zh=rule.activity_zh, priority=rule.priority, frame=indexes[0],
                                source=rule.source)
            found.append(((rule.priority, matched_patterns, -indexes[0]), act))
        found.sort(key=lambda t: t[0], reverse=True)
        return [a for _, a in found]

    def activity(self, frames: Sequence[str]) -> StackActivity | None:
        """What the thread whose stack is ``frames`` (top first, as WinDbg prints them) was doing.

        The highest ``priority`` wins; among equals the rule that matched more of its functions (the more
        specific), then the one matched nearest the top of the stack. None when no rule matches.
        """
        found = self.activities(frames)
        return found[0] if found else None


def _label(frame: tuple[str, str] | None) -> str:
    assert frame is not None
    module, function = frame
    return f"{module}!{function}" if module else function


def unique(values: Iterable[str]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for v in values:
        seen.setdefault(v, None)
    return tuple(seen)
