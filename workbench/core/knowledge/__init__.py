"""Knowledge that names products and tells stacks: known third-party modules and Windows functions.

``load_knowledge()`` reads the tables (data in ``plugins/knowledge`` and in folders plugins add through the
``workbench_knowledge`` hook) and returns a :class:`Knowledge`:

* ``Knowledge.module("lwfmgr+0x5167")`` -> :class:`KnownModule` or None (any case, with or without extension,
  aliases, full paths);
* ``Knowledge.activity(["nt!KeBugCheckEx", ..., "nt!IopLoadDriver+0x4bd"])`` -> :class:`StackActivity` or None.

No Qt here: the verdict, the report, the CLI and the panes all ask the same tables. Format: docs/knowledge.md.
"""

from workbench.core.knowledge.loader import (
    builtin_knowledge_roots,
    clear_cache,
    knowledge_folders,
    load_folders,
    load_knowledge,
    user_knowledge_root,
)
from workbench.core.knowledge.model import (
    KINDS,
    ActivityRule,
    Category,
    Knowledge,
    KnowledgeError,
    KnownModule,
    StackActivity,
    parse_frame,
)

__all__ = [
    "KINDS", "ActivityRule", "Category", "Knowledge", "KnowledgeError", "KnownModule", "StackActivity",
    "builtin_knowledge_roots", "clear_cache", "knowledge_folders", "load_folders", "load_knowledge",
    "parse_frame", "user_knowledge_root",
]
