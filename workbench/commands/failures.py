"""Every way a command can fail, as one sentence on stderr and an exit code: never a traceback.

Exit codes (README, "Headless use"): **1** the input had problems (an archive that cannot be read, a damaged
file); **2** you must act (a password, a wrong argument, and the environment: a full disk, a file-size
limit, a home folder that cannot be written, another program holding the case). The mapping goes by
exception type and ``errno``, never by which module raised, so the core's own errors (:mod:`workbench.core.errors`)
and its environment failures fit it whether they arrive as themselves or wrapped: an error whose chain
(``raise ... from``) holds an ``OSError`` with ``ENOSPC`` is a full disk, whatever its class; an error class
may also say ``exit_code = 2`` itself.

A failure nobody foresaw (a bug) is still one sentence, exit 1, with its traceback in the app's log file
(:mod:`workbench.applog`), where the person fixing it will look; ``WORKBENCH_DEBUG=1`` lets it through instead.
"""

from __future__ import annotations

import errno
import logging
import sqlite3
from collections.abc import Iterator

from workbench.core.errors import UserActionRequired, WorkbenchError
from workbench.core.printable import one_line

INPUT_PROBLEM = 1
USER_MUST_ACT = 2

_DISK_FULL = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)}
_NOT_WRITABLE = {errno.EACCES, errno.EPERM, errno.EROFS}

log = logging.getLogger("workbench.cli")


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """``exc`` and the exceptions it was raised from or while handling, nearest first (cycles cut)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _where(exc: OSError) -> str:
    return f"{exc.filename}: " if exc.filename else ""


def _environment(exc: BaseException) -> str | None:
    """The sentence for a failure of the machine rather than of the input, or None."""
    code = getattr(exc, "errno", None)
    if isinstance(exc, MemoryError):
        return "the workbench ran out of memory; close other programs and run the command again."
    if isinstance(code, int) and code in _DISK_FULL:
        where = _where(exc) if isinstance(exc, OSError) else ""
        return (f"{where}the disk is full; free some space and run the command again (WORKBENCH_HOME can put "
                "the cases on another disk).")
    if code == errno.EFBIG:
        where = _where(exc) if isinstance(exc, OSError) else ""
        return (f"{where}a file reached the largest size this system allows; raise the limit (ulimit -f) or set "
                "WORKBENCH_HOME to a folder on another disk, then run the command again.")
    if isinstance(code, int) and code in _NOT_WRITABLE:
        where = _where(exc) if isinstance(exc, OSError) else ""
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else "permission denied"
        return (f"{where}cannot be written ({reason}); set WORKBENCH_HOME to a folder you can write to, or fix "
                "its permissions.")
    if isinstance(exc, (NotADirectoryError, FileExistsError)) and exc.filename:
        return (f"{exc.filename}: the workbench cannot make its folder here ({exc.strerror}); set WORKBENCH_HOME "
                "to a folder you can write to.")
    if isinstance(exc, sqlite3.OperationalError):
        text = str(exc).lower()
        if "disk is full" in text:
            return ("the disk holding the case database is full; free some space (or set WORKBENCH_HOME to a "
                    "folder on another disk) and run the command again.")
        if "disk i/o error" in text:
            return ("the case database could not be written (disk I/O error): the disk may be full, at a size "
                    "limit or failing; free some space or set WORKBENCH_HOME to another disk, then run the "
                    "command again.")
        if "readonly database" in text or "unable to open database" in text:
            return ("the case database cannot be written here; set WORKBENCH_HOME to a folder you can write to, "
                    "or fix its permissions.")
        if "locked" in text or "busy" in text:
            return "another workbench is using this case; wait for it to finish (or close it) and try again."
    return None


def describe_failure(exc: BaseException) -> tuple[int, str]:
    """(exit code, one sentence) for ``exc``; the sentence has no line breaks or control characters."""
    code, sentence = _describe(exc)
    sentence = " ".join(one_line(sentence).split())
    if sentence and sentence[-1] not in ".!?;:)":
        sentence += "."
    return code, sentence


def _describe(exc: BaseException) -> tuple[int, str]:
    if isinstance(exc, UserActionRequired):
        return USER_MUST_ACT, str(exc)
    declared = getattr(exc, "exit_code", None)
    if declared in (INPUT_PROBLEM, USER_MUST_ACT) and str(exc):  # an error class that says which it is
        return int(declared), str(exc)
    for link in _chain(exc):
        sentence = _environment(link)
        if sentence is not None:
            # a sentence the core wrote (naming the case and what it was doing) beats our generic one
            return USER_MUST_ACT, str(exc) if isinstance(exc, WorkbenchError) and str(exc) else sentence
    if isinstance(exc, WorkbenchError):
        return INPUT_PROBLEM, str(exc)
    if isinstance(exc, sqlite3.DatabaseError):
        return INPUT_PROBLEM, (f"the case database is damaged ({exc}); run the command again with --reingest "
                               "to rebuild it from the source.")
    if isinstance(exc, OSError):
        return INPUT_PROBLEM, f"{_where(exc)}{exc.strerror or exc}."
    return INPUT_PROBLEM, _internal(exc)


def _internal(exc: BaseException) -> str:
    from workbench import applog

    log.error("command failed", exc_info=(type(exc), exc, exc.__traceback__))
    where = applog.installed_path()
    detail = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    tail = f" with the details in {where}" if where else ""
    return f"an internal error stopped the command ({detail[:300]}); please report it{tail}."
