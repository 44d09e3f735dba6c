"""A case's temporary files: inside its own folder, held by their process, swept when that process died.

Nothing of a case may be left in the system temp folder or beside an output after a crash: a killed
``export-case`` left a full, unredacted copy of the database beside the bundle it was writing. Every
temporary file of a case therefore lives in ``<case>/tmp/run-*/``, a folder per run whose ``.lock`` its
process holds (an OS lock, gone with the process). A file that must be written elsewhere, such as a bundle
being moved onto another drive, is first recorded in the run's ``outside`` list. :func:`sweep`, called
whenever a case is opened, removes the runs whose lock nobody holds, and the outside files they recorded.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from workbench.core.locking import lock_file, unlock_file

log = logging.getLogger(__name__)

#: the folder of a case that holds its runs' temporary files
SCRATCH = "tmp"
_LOCK = ".lock"
_OUTSIDE = "outside"


class Scratch:
    """One run's temporary folder (``path``), inside the case folder."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def outside(self, path: Path) -> Path:
        """Record ``path``, a temporary file this run is about to write outside the case folder, so that a
        sweep after a crash removes it; returns it."""
        with open(self.path / _OUTSIDE, "a", encoding="utf-8", errors="surrogateescape") as fh:
            fh.write(f"{path}\n")
            fh.flush()
            os.fsync(fh.fileno())
        return path


def _remove_run(run: Path) -> None:
    try:
        outside = (run / _OUTSIDE).read_text("utf-8", errors="surrogateescape").splitlines()
    except OSError:
        outside = []
    for name in outside:
        try:
            Path(name).unlink(missing_ok=True)
        except OSError as exc:
            log.warning("a temporary file of a crashed run could not be removed: %s (%s)", name, exc)
    shutil.rmtree(run, ignore_errors=True)


@contextmanager
def scratch(folder: Path) -> Iterator[Scratch]:
    """A temporary folder for one run, in the case folder ``folder``; removed with everything recorded in it
    when the run ends, or by the next :func:`sweep` when the process is killed."""
    root = folder / SCRATCH
    root.mkdir(parents=True, exist_ok=True)
    run = Path(tempfile.mkdtemp(prefix="run-", dir=root))
    fd = os.open(run / _LOCK, os.O_RDWR | os.O_CREAT, 0o600)
    lock_file(fd, wait=True)
    try:
        yield Scratch(run)
    finally:
        unlock_file(fd)
        os.close(fd)
        _remove_run(run)
        try:
            root.rmdir()  # only when no other run is using it
        except OSError:
            pass


def sweep(folder: Path) -> int:
    """Remove the temporary runs of case folder ``folder`` whose process is gone; returns how many."""
    root = folder / SCRATCH
    try:
        runs = list(root.iterdir())
    except OSError:
        return 0
    removed = 0
    for run in runs:
        try:
            fd = os.open(run / _LOCK, os.O_RDWR)
        except FileNotFoundError:  # being created this instant (its lock comes right after), or a crash then
            try:
                if time.time() - run.stat().st_mtime > 60:
                    _remove_run(run)
                    removed += 1
            except OSError:
                pass
            continue
        except OSError:
            continue
        try:
            free = lock_file(fd, wait=False)
            if free:
                unlock_file(fd)
        finally:
            os.close(fd)
        if free:
            _remove_run(run)
            removed += 1
    try:
        root.rmdir()
    except OSError:
        pass
    return removed
