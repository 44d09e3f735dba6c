"""Telling a failure of the machine from a property of the case.

With the temp folder full, every event log of a case was once marked damaged ("No space left on device")
and the case saved as complete with none of their rows, so a rerun never retried. Errors like that say
nothing about the file being read: they stop the ingest with one sentence (:class:`EnvironmentFailure`),
and the case stays unfinished.
"""

from __future__ import annotations

import errno
import sqlite3
from pathlib import Path

from workbench.core.errors import EnvironmentFailure

#: errno values that describe the machine, never the file being read, with what they mean for the user
_MACHINE = {
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is used up",
    errno.EROFS: "the disk is read-only",
    errno.EFBIG: "a file reached the size limit this system allows",
    errno.EMFILE: "too many files are open",
    errno.ENFILE: "too many files are open on this system",
    errno.ENOMEM: "the system is out of memory",
}
#: what SQLite says for the same conditions (its error codes are not exposed before Python 3.11)
_SQLITE = (("database or disk is full", "the disk is full"), ("disk I/O error", "the disk failed a write"))


def machine_failure(exc: BaseException, where: Path) -> EnvironmentFailure | None:
    """An :class:`EnvironmentFailure` naming ``where`` when ``exc`` (or an exception it was raised from) is
    the machine's failure; None when it may be the file's."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, EnvironmentFailure):
            return current
        reason = None
        if isinstance(current, OSError) and current.errno in _MACHINE:
            reason = _MACHINE[current.errno]
            where = Path(current.filename) if isinstance(current.filename, str) else where
        elif isinstance(current, sqlite3.OperationalError):
            text = str(current)
            reason = next((said for words, said in _SQLITE if words in text), None)
        if reason is not None:
            return EnvironmentFailure(stopped(reason, where))
        current = current.__cause__ or current.__context__
    return None


def stopped(reason: str, where: Path) -> str:
    """The one sentence an environment failure ends the work with."""
    return (f"The work stopped because {reason} (writing {where}); the case is left unfinished and is "
            "read again on the next run, once there is room.")


def cannot_write(exc: OSError, where: Path) -> EnvironmentFailure:
    """The sentence for a folder the workbench must write and cannot (its data folder, a case folder)."""
    why = _MACHINE.get(exc.errno or 0) or (exc.strerror or str(exc)).lower()
    return EnvironmentFailure(f"The workbench cannot write its data folder {where} ({why}); free some space, "
                              "or set WORKBENCH_HOME to a folder you can write.")


def writing_failed(exc: OSError, where: Path) -> EnvironmentFailure:
    """A write to the case's own folder failed: always the machine's failure, whatever the errno says."""
    return machine_failure(exc, where) or EnvironmentFailure(
        stopped(f"a write failed ({exc.strerror or exc})", where))
