"""The hooks a plugin may implement. The docstrings are the contract.

A plugin is any module or object with functions decorated ``@workbench.core.plugins.hookimpl`` and named
after these specs. None of these hooks may import Qt: a signature-only or parser-only plugin must work in
``workbench analyze`` on a machine without a display. GUI hooks live in ``workbench.gui`` (later).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from workbench.core.parsers.base import Parser
    from workbench.core.store import CaseStore

hookspec = pluggy.HookspecMarker("workbench")


@hookspec(firstresult=True)
def workbench_identify(name: str, head: bytes) -> str | None:
    """Name the kind of a case file from its logical path ``name`` and its first bytes ``head`` (up to 64 KiB).

    Return a kind string (``setupact``, ``evtx``, ``pml``, ``kernel_dump``, ...) or None to let the next
    plugin decide. The first non-None answer wins; implement with ``tryfirst=True`` to override a built-in.
    """


@hookspec
def workbench_parsers() -> list[Parser]:
    """Return parser objects (see :class:`workbench.core.parsers.base.Parser`) this plugin provides.

    Each parser names the kinds it reads. When two parsers claim a kind, the one registered last wins, so a
    third-party plugin can replace a built-in parser.
    """


@hookspec
def workbench_analyze(store: CaseStore) -> None:
    """Derive case-level knowledge after every file is parsed and the timeline is clocked and sorted.

    Write facts (``store.insert_facts``) and findings into ``store``; do not change rows other plugins
    wrote. Runs once per ingest, so reopening a case costs nothing. Called in registration order.
    """


@hookspec
def workbench_analyze_ahead(store: CaseStore) -> Mapping[str, Callable[[CaseStore], Any]] | None:
    """Offer the part of this plugin's analysis that only reads, as functions of a read-only store, by key.

    Offer only what reads rows no analyzer writes (the parsers' rows, the timeline): the ingest calls this
    once the timeline is on the case clock, in time order and committed, and runs each function on a thread
    with a read-only connection of its own (a function may open more on ``store.path``) while this process
    copies the full-text index in and runs the analyzers before yours. Take the answer in your
    :func:`workbench_analyze` with ``workbench.core.ahead.result(store, key, function)``, which runs the
    function in place when no ingest started it (or it failed), so the findings are the same either way and
    are still written at your hook's turn. Keys are yours to choose; name them after your plugin.
    """


@hookspec
def workbench_signature_packs() -> list[str | Path]:
    """Return folders holding signature packs this plugin ships (see docs/signatures.md for the format).

    A folder is one pack (``pack.yaml`` and/or ``signatures/*.yml`` plus its ``samples/``) or holds packs
    one level down. Only YAML is read from these folders; a signature that fails to load is reported with
    its file and line, and the others still run. Packs are loaded in registration order (built-ins first);
    a later signature with the same id replaces an earlier one. Return paths inside your installed
    package (e.g. ``Path(__file__).parent / "packs"``), never inside a case.
    """


@hookspec
def workbench_knowledge() -> list[str | Path]:
    """Return folders of knowledge tables this plugin ships (see docs/knowledge.md for the format).

    A folder holds YAML files with ``categories:``, ``modules:`` (third-party modules known in upgrade
    failures: vendor, product, what breaks, the fix, the public source) and ``activities:`` (Windows functions
    on a stack and what the thread was doing). Folders are read in registration order (built-ins first); a
    later module entry with the same file name, or a later activity with the same id, replaces an earlier
    one. A bad file or entry is reported with its file and line and the rest loads. Return paths inside your
    installed package (e.g. ``Path(__file__).parent / "knowledge"``), never inside a case.
    """
