"""The file a user asks a command to write (``report -o``, ``compare -o``, ``export-case -o``).

An output that cannot be written is the user's to fix (another folder, another name, room on the disk), so it
is :class:`OutputNotWritable` (exit code 2) with one sentence naming the path, never an "input problem"
(exit 1) or a traceback. The path is checked before the case is read, so a mistyped folder is said at once
instead of after minutes of ingest; the write itself can still fail (a full disk), and says the same.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from workbench.core.errors import OutputNotWritable

#: errno → what it means for the file the user named
_WHY = {
    errno.ENOENT: "its folder does not exist",
    errno.ENOTDIR: "a part of the path is a file, not a folder",
    errno.EISDIR: "it is a folder; give a file name",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.EROFS: "the disk is read-only",
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is used up",
    errno.EFBIG: "the file reached the size limit this system allows",
    errno.ENAMETOOLONG: "the name is too long",
}


def output_failure(path: Path | str, exc: OSError) -> OutputNotWritable:
    """The sentence for ``exc``, met while writing ``path``."""
    why = _WHY.get(exc.errno or 0) or (exc.strerror or str(exc)).lower()
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return OutputNotWritable(f"{path}: {why}; free some space or write the output elsewhere.")
    return OutputNotWritable(f"{path}: the output cannot be written there ({why}); choose another place to write it.")


def check_output(path: Path | str, *, new_folders: bool = False) -> Path:
    """``path`` as a file the command will be able to create or replace, else :class:`OutputNotWritable`.

    ``new_folders``: missing folders on the way are fine (``export-case`` makes them); the nearest one that
    exists must then be a folder that can be written. Nothing is created here."""
    out = Path(path).expanduser()
    try:
        if out.is_dir():
            raise OSError(errno.EISDIR, os.strerror(errno.EISDIR), str(out))
        folder = out.parent
        while new_folders and not folder.exists() and folder != folder.parent:
            folder = folder.parent
        if not folder.exists():
            raise OSError(errno.ENOENT, os.strerror(errno.ENOENT), str(folder))
        if not folder.is_dir():
            raise OSError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(folder))
        if out.exists() and not out.is_file() and not _is_stream(out):
            raise OSError(errno.EINVAL, "not a regular file", str(out))
        if not os.access(folder, os.W_OK) and not (out.exists() and os.access(out, os.W_OK)):
            raise OSError(errno.EACCES, os.strerror(errno.EACCES), str(folder))
    except OSError as exc:
        raise output_failure(path, exc) from exc
    return out


def _is_stream(path: Path) -> bool:
    """A character device or a pipe the user writes to on purpose (``-o /dev/stdout``, a FIFO)."""
    mode = path.stat().st_mode
    return stat.S_ISCHR(mode) or stat.S_ISFIFO(mode)
