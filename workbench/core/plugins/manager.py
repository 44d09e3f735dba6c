"""Building the plugin manager: built-ins from an explicit list, then third parties from entry points.

An explicit list (not a folder walk) keeps frozen builds working and start-up predictable; a plugin that
fails to import is reported and skipped, never fatal.
"""

from __future__ import annotations

import importlib
import logging
from dataclasses import dataclass, field
from pathlib import Path

import pluggy

from workbench.core.plugins import hookspecs

log = logging.getLogger(__name__)

#: Built-in plugin modules, in registration order. Later entries win ties (see workbench_parsers).
BUILTIN_PLUGINS: tuple[str, ...] = (
    "workbench.core.identify",
    "workbench.core.parsers.setupact",
    "workbench.core.parsers.evtx",
    "workbench.core.parsers.pml",
    "workbench.core.parsers.procmon_csv",
    "workbench.core.parsers.procmon_xml",
    "workbench.core.processes",
    "workbench.core.parsers.setupapi",
    "workbench.core.parsers.diag_xml",
    "workbench.core.parsers.setupdiag_results",
    "workbench.core.parsers.compatdata",
    "workbench.core.parsers.setup_ini",
    "workbench.core.parsers.msinfo_nfo",
    "workbench.core.parsers.msinfo_text",
    "workbench.core.parsers.systeminfo",
    "workbench.core.parsers.wer",
    "workbench.core.parsers.description",
    "workbench.core.parsers.text_lines",
    "workbench.core.upgrade.analyzer",
    "workbench.core.setup_host",
    "workbench.core.attempt",
    "workbench.core.software",
    "workbench.core.signatures.plugin",
    "workbench.core.knowledge.plugin",
    "workbench.core.parsers.crashdump",
    "workbench.core.dumps.analyze",
)

ENTRY_POINT_GROUP = "workbench.plugins"


@dataclass
class PluginReport:
    loaded: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)


def build_plugin_manager(*, entry_points: bool = True, extra: tuple[object, ...] = (), user: bool = True,
                         home: Path | None = None) -> tuple[pluggy.PluginManager, PluginReport]:
    """A fresh manager with the built-ins, the ``workbench.plugins`` entry points, the Python plugins the user
    enabled in the user folder (``<home>/plugins/enabled.txt``, see :mod:`workbench.core.signatures.packs`)
    and ``extra`` objects. Every hook of an enabled user plugin takes part, parsers and analyzers included."""
    pm = pluggy.PluginManager("workbench")
    pm.add_hookspecs(hookspecs)
    report = PluginReport()
    for name in BUILTIN_PLUGINS:
        try:
            module = importlib.import_module(name)
        except Exception as exc:  # a broken built-in must not take the app down with it
            log.error("plugin %s failed to load: %s", name, exc)
            report.failed.append((name, f"{type(exc).__name__}: {exc}"))
            continue
        pm.register(module, name=name)
        report.loaded.append(name)
    if entry_points:
        from importlib.metadata import entry_points as _eps

        for ep in _eps(group=ENTRY_POINT_GROUP):
            if pm.get_plugin(ep.name) is not None or pm.is_blocked(ep.name):
                continue
            try:
                pm.register(ep.load(), name=ep.name)
                report.loaded.append(ep.name)
            except Exception as exc:
                log.error("plugin %s (%s) failed to load: %s", ep.name, ep.value, exc)
                report.failed.append((f"{ep.name} ({ep.value})", f"{type(exc).__name__}: {exc}"))
    if user:
        from workbench.core.signatures.packs import user_python_plugins

        notes: list[str] = []
        for module in user_python_plugins(home, notes):
            try:
                pm.register(module)
                report.loaded.append(module.__name__)
            except ValueError as exc:  # a plugin registered twice, or a hook that matches no spec
                report.failed.append((module.__name__, str(exc)))
        report.failed.extend(("user plugin", note) for note in notes)
    for obj in extra:
        pm.register(obj)
        report.loaded.append(pm.get_name(obj) or repr(obj))
    pm.check_pending()
    return pm, report
