"""The per-case SQLite store."""

from workbench.core.store.case_store import CaseStore
from workbench.core.store.schema import SCHEMA_VERSION

__all__ = ["CaseStore", "SCHEMA_VERSION"]
