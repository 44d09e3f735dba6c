"""Reading what is left of a 7z cut short (an upload that stopped, a copy to a full disk).

A 7z keeps its directory (names, sizes, the coders and their properties) at the *end* of the file, found
through the 32-byte start header: signature, version, CRC, then the offset and size of that end header. 7-Zip
writes the start header last, so an archive whose writing stopped has zeros there, and one cut short has an
offset past its end. Either way the names are gone, but the packed data right after the start header is
intact up to the cut, and 7-Zip's default method for .7z (LZMA2, since 7-Zip 9.20) needs no properties to
decode it: a raw LZMA2 decoder with a dictionary at least as large as the writer's (7-Zip uses at most 64 MiB
up to its Ultra level) rebuilds the data as it was before compression. A solid block is the files one after
the other, without names or boundaries, so what comes back is one stream: the catalogue shows it as one
member, the identifier reads its kind from its first bytes (a setupact.log first in the block makes it a
setup log) and the problem row says why names and boundaries are missing.

Older archives (LZMA) are tried with LZMA's default properties (lc=3, lp=0, pb=2). An encrypted archive, or
another method (PPMd, BZip2, Deflate), decodes to nothing and says so. Executables packed with 7-Zip's BCJ
filter come back with their call addresses still filtered; logs, the case's content, are not filtered.
"""

from __future__ import annotations

import lzma
import struct
from collections.abc import Callable
from typing import IO

from workbench.core.archive.limits import ExtractionBudget
from workbench.core.archive.members import Member, MemberWriter
from workbench.core.errors import ArchiveLimitExceeded, IngestCancelled

SIGNATURE = b"7z\xbc\xaf\x27\x1c"
START_HEADER = 32
#: The raw decoders' dictionary: 7-Zip's largest default (Ultra) is 64 MiB; a larger one only costs memory.
DICTIONARY = 64 * 1024 * 1024
CHUNK = 1024 * 1024
#: Decoded bytes handed out per step, so memory stays bounded whatever the ratio.
OUT_CHUNK = 4 * 1024 * 1024
#: The catalogue name of the recovered stream (a name of our own: the archive's names are lost).
RECOVERED_NAME = "recovered-from-cut-7z.bin"
#: How a 7z file list starts (kHeader, then kMainStreamsInfo or kFilesInfo): compressed, it is stored as one
#: more packed stream after the data, which must not be taken for a file.
FILE_LIST_STARTS = (b"\x01\x04", b"\x01\x05")

_FILTERS: tuple[tuple[str, list[dict]], ...] = (
    ("LZMA2", [{"id": lzma.FILTER_LZMA2, "dict_size": DICTIONARY}]),
    ("LZMA", [{"id": lzma.FILTER_LZMA1, "dict_size": DICTIONARY, "lc": 3, "lp": 0, "pb": 2}]),
)


def _file_list_at(fh: IO[bytes]) -> tuple[int, int] | None:
    """(offset after the start header, size) of the file list the start header points to; None when the
    file does not start with a 7z start header."""
    fh.seek(0)
    head = fh.read(START_HEADER)
    if len(head) < START_HEADER or not head.startswith(SIGNATURE):
        return None
    offset, length = struct.unpack_from("<QQ", head, 12)
    return int(offset), int(length)


def cut_short(fh: IO[bytes], size: int) -> str | None:
    """Why the 7z in ``fh`` (``size`` bytes) has no directory, or None when its start header points inside it.

    The sentence names the archive's own numbers, so the engineer can tell the customer how much was lost.
    """
    at = _file_list_at(fh)
    if at is None:
        return None
    offset, length = at
    if offset == 0 and length == 0:
        return (f"the archive was never finished (its start header is still blank, {size} bytes written): "
                "7-Zip writes the file list last")
    end = START_HEADER + offset + length
    if end > size:
        return (f"the archive is cut short: {size} of at least {end} bytes are here, and its file list, "
                "kept at the end of a 7z, is missing")
    return None


def packed_end(fh: IO[bytes], size: int) -> int:
    """Where the packed data ends: at the file list's offset when the start header has one (a cut archive
    whose cut lies in the file list), else at the end of what is here."""
    offset = (_file_list_at(fh) or (0, 0))[0]
    return min(size, START_HEADER + offset) if offset else size


def recovered_member(size: int) -> Member:
    """The one member a cut 7z is listed as: its packed data, decoded."""
    return Member(path=RECOVERED_NAME, raw_name=RECOVERED_NAME, size=None,
                  compressed_size=max(size - START_HEADER, 0),
                  notes=["names lost: the 7z was cut short; its files, decoded one after the other"])


def _decoder(head: bytes) -> tuple[str, lzma.LZMADecompressor] | None:
    """The first method whose decoder reads ``head`` (the packed data's first bytes) without an error."""
    for name, filters in _FILTERS:
        probe = lzma.LZMADecompressor(format=lzma.FORMAT_RAW, filters=filters)
        try:
            out = probe.decompress(head, max_length=64 * 1024)
        except lzma.LZMAError:
            continue
        if out:
            return name, lzma.LZMADecompressor(format=lzma.FORMAT_RAW, filters=filters)
    return None


def extract_stream(fh: IO[bytes], size: int, member: Member, open_writer: Callable[[Member], MemberWriter | None],
                   budget: ExtractionBudget, cancel: Callable[[], bool] | None,
                   problems: list[tuple[str, str]]) -> None:
    """Decode the packed data after the start header into ``member``'s writer, up to the cut.

    Where one packed stream ends and another begins (a second solid block) decoding goes on into the same
    member. The end of the data, a damaged byte or the cut all end the member with what was decoded so far.
    """
    left = packed_end(fh, size) - START_HEADER
    fh.seek(START_HEADER)

    def read() -> bytes:
        nonlocal left
        data = fh.read(min(CHUNK, left)) if left > 0 else b""
        left -= len(data)
        return data

    head = read()
    found = _decoder(head)
    if found is None:
        problems.append((member.path, "nothing could be decoded: the data is encrypted, or packed with a method "
                                      "other than LZMA2 or LZMA, whose settings were in the missing file list"))
        return
    method, decoder = found
    filters = dict(_FILTERS)[method]
    budget.start_member(member.path)
    writer = open_writer(member)
    if writer is None:
        return
    done = streams = blocks = 0  # streams begun, and those that held data
    stream_done = 0
    pending = head
    end = "the data ends at the cut"
    try:
        while True:
            if cancel is not None and cancel():
                raise IngestCancelled("ingest cancelled")
            if decoder.eof:  # a packed stream ended: another solid block may start right after it
                if streams and not stream_done:
                    # an empty stream: a zero byte (LZMA2's end mark) where no block starts, as in the
                    # zero-filled tail of an archive whose writing stopped; a new decoder per zero would
                    # crawl through it (30 s a MiB) for nothing
                    end = "the packed data ends"
                    break
                pending = decoder.unused_data
                if not pending:
                    pending = read()
                if not pending:
                    end = "the packed data ends"
                    break
                decoder = lzma.LZMADecompressor(format=lzma.FORMAT_RAW, filters=filters)
                streams += 1
                stream_done = 0
            try:
                data = decoder.decompress(pending, max_length=OUT_CHUNK)
            except lzma.LZMAError as exc:
                if streams and not stream_done:  # what follows the last block is not packed data
                    end = "the packed data ends"
                else:
                    end = f"the {method} data is damaged there ({exc})"
                break
            pending = b""
            if data and streams and not stream_done and data[:2] in FILE_LIST_STARTS:
                end = "the packed data ends"  # this stream is the archive's own (compressed) file list
                break
            if data:
                if not stream_done:
                    blocks += 1
                done += len(data)
                stream_done += len(data)
                budget.add(member.path, len(data), done, member.compressed_size)
                writer.write(data)
            if not decoder.eof and decoder.needs_input:
                pending = read()
                if not pending:
                    break
    except (ArchiveLimitExceeded, IngestCancelled) as exc:
        writer.close(str(exc))
        raise
    several = f", {blocks} packed streams" if blocks > 1 else ""
    writer.close(f"recovered from a truncated 7z: {done} bytes decoded ({method}{several}), {end}; the files "
                 "follow one another without their names")
