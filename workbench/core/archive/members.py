"""What an archive reader reports about one member, and the writer protocol members stream into."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol


@dataclass
class Member:
    """One entry of an archive or folder, as listed by its directory (before any byte is read).

    ``path`` is the cleaned, '/'-separated logical path shown to the user; ``raw_name`` is what the archive
    said. ``notes`` collects what cleaning had to do (a ``..`` removed, a drive letter stripped) so the
    catalogue can show it.
    """

    path: str
    raw_name: str
    size: int | None = None
    compressed_size: int | None = None
    mtime: str | None = None  # ISO text; 'Z' only when the source says the time is UTC
    is_dir: bool = False
    is_link: bool = False
    encrypted: bool = False
    notes: list[str] = field(default_factory=list)
    local_path: str | None = None  # set for folder members: read in place, never copied


class MemberWriter(Protocol):
    """Receives one member's bytes. ``close`` is called once, also after an error; ``keep=False`` says the
    bytes written are not worth keeping (a member stopped as a decompression bomb)."""

    def write(self, data: bytes) -> None: ...

    def close(self, error: str | None = None, *, keep: bool = True) -> None: ...
