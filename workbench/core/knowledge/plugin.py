"""The built-in plugin that ships the knowledge tables (``plugins/knowledge``) through the same hook a third
party's plugin uses, as :mod:`workbench.core.signatures.plugin` does for the built-in signature packs."""

from __future__ import annotations

from pathlib import Path

from workbench.core.knowledge.loader import builtin_knowledge_roots
from workbench.core.plugins import hookimpl


@hookimpl
def workbench_knowledge() -> list[Path]:
    return builtin_knowledge_roots()
