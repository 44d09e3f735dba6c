"""Reading a zip whose central directory is gone (an upload cut short) by walking its local headers.

Each member is preceded by a local file header (``PK\\x03\\x04``, 30 bytes + name + extra). When the
"data descriptor" flag is set the sizes are not in the header, but a deflate stream knows where it ends,
so deflated members can still be recovered; stored ones cannot and are reported.
"""

from __future__ import annotations

import bz2
import lzma
import struct
import zlib
from collections.abc import Callable
from typing import IO, Any

from workbench.core.archive.limits import ExtractionBudget
from workbench.core.archive.members import Member, MemberWriter
from workbench.core.archive.names import choose_legacy_encoding, clean_member_path
from workbench.core.errors import ArchiveLimitExceeded, IngestCancelled

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


def _decompressor(method: int) -> Any:
    if method == 0:
        return None
    if method == 8:
        return zlib.decompressobj(-15)
    if method == 12:
        return bz2.BZ2Decompressor()
    if method == 14:
        return "lzma"
    raise NotImplementedError(f"compression method {method}")


def extract_local_members(fh: IO[bytes], members: list[tuple[Member, tuple[int, tuple[Any, ...], bytes]]],
                          open_writer: Callable[[Member], MemberWriter | None], budget: ExtractionBudget,
                          cancel: Callable[[], bool] | None, problems: list[tuple[str, str]]) -> None:
    """Stream the members found by :func:`list_local_members` into their writers."""
    for member, (offset, fields, _raw) in members:
        _, _, flags, method, _, _, _, csize, _, nlen, xlen = fields
        if member.is_dir:
            continue
        if member.encrypted:
            problems.append((member.path, "encrypted member in a zip without directory; not recovered"))
            continue
        budget.start_member(member.path)
        writer = open_writer(member)
        if writer is None:
            continue
        fh.seek(offset + _HEADER.size + nlen + xlen)
        try:
            _copy_member(fh, member, method, None if flags & 0x08 else csize, writer, budget, cancel)
        except (ArchiveLimitExceeded, IngestCancelled) as exc:
            writer.close(str(exc))
            raise
        except Exception as exc:
            writer.close(f"damaged or truncated data: {exc}")
            continue


def _copy_member(fh: IO[bytes], member: Member, method: int, csize: int | None, writer: MemberWriter,
                 budget: ExtractionBudget, cancel: Callable[[], bool] | None) -> None:
    dec = _decompressor(method)
    if dec == "lzma":
        head = fh.read(4)  # version (2) + properties size (2), then the 5-byte LZMA1 properties
        props = fh.read(struct.unpack("<H", head[2:4])[0])
        if len(props) < 5:
            raise ValueError("LZMA properties cut short")
        lc_lp_pb = props[0]
        lzma1 = {"id": lzma.FILTER_LZMA1, "lc": lc_lp_pb % 9, "lp": (lc_lp_pb // 9) % 5, "pb": lc_lp_pb // 45,
                 "dict_size": int.from_bytes(props[1:5], "little")}
        dec = lzma.LZMADecompressor(lzma.FORMAT_RAW, filters=[lzma1])
        if csize is not None:
            csize -= 4 + len(props)
    remaining = csize
    done = 0
    while True:
        if cancel is not None and cancel():
            raise IngestCancelled("ingest cancelled")
        want = CHUNK if remaining is None else min(CHUNK, remaining)
        if want == 0:
            break
        chunk = fh.read(want)
        if not chunk:
            writer.close(f"truncated after {done} bytes")
            return
        if remaining is not None:
            remaining -= len(chunk)
        data = chunk if dec is None else dec.decompress(chunk)
        done += len(data)
        budget.add(member.path, len(data), done, member.compressed_size)
        writer.write(data)
        if dec is not None and getattr(dec, "eof", False):
            break
    writer.close(None)
