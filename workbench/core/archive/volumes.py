"""Archives split into numbered volumes (``logs.7z.001``, ``logs.zip.002``, ...), read as one file.

7-Zip's "split to volumes" (the usual way engineers get a multi-GB upload past a mail size limit) cuts the
archive's bytes into pieces and adds nothing, so the pieces read back to back are the archive itself.
"""

from __future__ import annotations

import io
import os
import re
from bisect import bisect_right
from pathlib import Path
from typing import Any

_VOLUME = re.compile(r"^(?P<stem>.+)\.(?P<num>\d{3})$")


def volume_set(path: Path) -> list[Path] | None:
    """All volumes of a split archive when ``path`` is its first one (``*.001``); None otherwise."""
    m = _VOLUME.match(path.name)
    if not m or int(m.group("num")) != 1:
        return None
    parts = [path]
    n = 2
    while True:
        nxt = path.with_name(f"{m.group('stem')}.{n:03d}")
        if not nxt.is_file():
            break
        parts.append(nxt)
        n += 1
    return parts


class VolumeFile(io.RawIOBase):
    """A read-only, seekable view of several files back to back."""

    def __init__(self, parts: list[Path]) -> None:
        super().__init__()
        self._parts = parts
        self._files = [open(p, "rb") for p in parts]
        self._starts: list[int] = []
        total = 0
        for p in parts:
            self._starts.append(total)
            total += p.stat().st_size
        self._size = total
        self._pos = 0
        self.name = str(parts[0])

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        if whence == os.SEEK_SET:
            pos = offset
        elif whence == os.SEEK_CUR:
            pos = self._pos + offset
        else:
            pos = self._size + offset
        if pos < 0:
            raise ValueError("negative seek position")
        self._pos = pos
        return pos

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        done = 0
        while done < len(view) and self._pos < self._size:
            i = bisect_right(self._starts, self._pos) - 1
            fh = self._files[i]
            fh.seek(self._pos - self._starts[i])
            end = self._starts[i + 1] if i + 1 < len(self._starts) else self._size
            want = min(len(view) - done, end - self._pos)
            got = fh.readinto(view[done : done + want])
            if not got:
                break
            done += got
            self._pos += got
        return done

    def close(self) -> None:
        for fh in self._files:
            fh.close()
        super().close()
