"""Reading a zip whose central directory is gone (an upload cut short) by walking its local headers.

Each member is preceded by a local file header (``PK\\x03\\x04``, 30 bytes + name + extra). When the
"data descriptor" flag is set the sizes are not in the header, but a deflate stream knows where it ends,
so deflated members can still be recovered; stored ones cannot and are reported.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Callable
from typing import IO, Any

from workbench.core.archive.limits import ExtractionBudget
from workbench.core.archive.members import Member, MemberWriter
from workbench.core.archive.names import choose_legacy_encoding, clean_member_path
from workbench.core.archive.zip_methods import stream_member

_LOCAL = b"PK\x03\x04"
_HEADER = struct.Struct("<4sHHHHHIIIHH")
CHUNK = 1024 * 1024


def _headers(fh: IO[bytes]) -> list[tuple[int, tuple[Any, ...], bytes]]:
    """Offsets, header fields and raw names of the local headers found in sequence from the start."""
    found = []
    fh.seek(0)
    offset = 0
    while True:
        fh.seek(offset)
        raw = fh.read(_HEADER.size)
        if len(raw) < _HEADER.size or not raw.startswith(_LOCAL):
            break
        fields = _HEADER.unpack(raw)
        _, _, flags, method, _, _, _, csize, _, nlen, xlen = fields
        name = fh.read(nlen)
        found.append((offset, fields, name))
        data_start = offset + _HEADER.size + nlen + xlen
        if flags & 0x08 or csize == 0xFFFFFFFF:
            nxt = _skip_streamed(fh, data_start, method)
            if nxt is None:
                break
            offset = nxt
        else:
            offset = data_start + csize
    return found


def _skip_streamed(fh: IO[bytes], start: int, method: int) -> int | None:
    """Where the next header starts after a member whose size only its deflate stream knows."""
    if method != 8:
        return None
    fh.seek(start)
    d = zlib.decompressobj(-15)
    consumed = 0
    while not d.eof:
        chunk = fh.read(CHUNK)
        if not chunk:
            return None
        try:
            d.decompress(chunk)
        except zlib.error:
            return None
        consumed += len(chunk) - len(d.unused_data)
    pos = start + consumed
    fh.seek(pos)
    sig = fh.read(4)
    return pos + (16 if sig == b"PK\x07\x08" else 12)


def list_local_members(fh: IO[bytes]) -> list[tuple[Member, tuple[int, tuple[Any, ...], bytes]]]:
    headers = _headers(fh)
    legacy = [name for _, fields, name in headers if not fields[2] & 0x800]
    encoding = choose_legacy_encoding(legacy)
    out = []
    for header in headers:
        _, fields, raw = header
        _, _, flags, method, _, _, _, csize, usize, _, _ = fields
        name = raw.decode("utf-8" if flags & 0x800 else encoding, "replace")
        path, notes = clean_member_path(name)
        notes.append("recovered from a local header (no central directory)")
        out.append((Member(path=path, raw_name=name, size=None if flags & 0x08 else usize,
                           compressed_size=None if flags & 0x08 else csize,
                           is_dir=name.endswith(("/", "\\")), encrypted=bool(flags & 0x01), notes=notes),
                    header))
    return out


def extract_local_members(fh: IO[bytes], members: list[tuple[Member, tuple[int, tuple[Any, ...], bytes]]],
                          open_writer: Callable[[Member], MemberWriter | None], budget: ExtractionBudget,
                          cancel: Callable[[], bool] | None, problems: list[tuple[str, str]]) -> None:
    """Stream the members found by :func:`list_local_members` into their writers, through the same bounded
    decoders as a zip with its directory (:mod:`zip_methods`).

    A member's bytes are read up to the next local header found (or the end of the file), so the ratio limit
    divides by bytes that are really there, whatever its header says.
    """
    size = int(fh.seek(0, 2))
    starts = [offset for _, (offset, _, _) in members] + [size]
    for n, (member, (offset, fields, _raw)) in enumerate(members):
        _, _, flags, method, _, _, crc, csize, usize, nlen, xlen = fields
        if member.is_dir:
            continue
        if member.encrypted:
            problems.append((member.path, "encrypted member in a zip without directory; not recovered"))
            continue
        budget.start_member(member.path)
        writer = open_writer(member)
        if writer is None:
            continue
        data_start = offset + _HEADER.size + nlen + xlen
        room = max(starts[n + 1] - data_start, 0)
        left = room if flags & 0x08 else min(csize, room)
        bound = left
        fh.seek(data_start)

        def read(want: int) -> bytes:
            nonlocal left
            data = fh.read(min(want, left)) if left > 0 else b""
            left -= len(data)
            return data

        streamed = bool(flags & 0x08)  # sizes and CRC follow the data, in a descriptor
        stream_member(read, method, member, writer, budget, cancel, compressed=bound,
                      declared_size=None if streamed else usize, crc=None if streamed else crc)
