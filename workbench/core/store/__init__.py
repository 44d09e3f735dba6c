"""The per-case SQLite stores: the case database (:class:`CaseStore`) and the notes (:class:`NotesStore`)."""

from workbench.core.store.case_store import CaseStore
from workbench.core.store.notes_store import NotesStore
from workbench.core.store.schema import SCHEMA_VERSION

__all__ = ["CaseStore", "NotesStore", "SCHEMA_VERSION"]
