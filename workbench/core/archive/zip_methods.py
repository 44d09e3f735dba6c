"""Zip members decoded in bounded steps, every compression method alike, with the bomb limits checked as
bytes come out.

Why our own loop instead of ``zipfile``'s: zipfile decompresses bzip2 and LZMA data a whole read at a time
(a 905-byte member of bzip2 zeros became 1 GiB in one call, before any limit could look at it) and has no
Deflate64, which Windows' own "Send to > Compressed folder" writes for large files. Here each method hands
out at most :data:`OUT_STEP` bytes per step whatever its ratio, so memory stays flat and the ratio and case
limits stop a bomb after a few megabytes.

Method numbers and the LZMA member header are from PKWARE's APPNOTE (4.4.5, 5.8.8).
"""

from __future__ import annotations

import bz2
import lzma
import struct
import zlib
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import inflate64

from workbench.core.archive.limits import ExtractionBudget
from workbench.core.archive.members import Member, MemberWriter
from workbench.core.errors import ArchiveLimitExceeded, EnvironmentFailure, IngestCancelled, RatioExceeded

#: Decoded bytes handed out per step at most, whatever the compression ratio.
OUT_STEP = 1024 * 1024
#: Compressed bytes read per step.
IN_STEP = 64 * 1024
#: Deflate64 has no output limit per call and expands up to ~26 000 times (a length code of 64 KiB in
#: about 20 bits), so it is fed this many bytes at a time: at most ~7 MiB out per call.
DEFLATE64_STEP = 256

STORED, DEFLATED, DEFLATE64, BZIP2, LZMA, ZSTD = 0, 8, 9, 12, 14, 93
METHOD_NAMES = {STORED: "stored", DEFLATED: "Deflate", DEFLATE64: "Deflate64", BZIP2: "bzip2", LZMA: "LZMA",
                ZSTD: "Zstandard"}


class _Decoder(ABC):
    """One member's decompressor: ``feed`` consumes all it is given and yields output in bounded pieces."""

    eof = False  # the stream said where it ends (stored data never does)

    @abstractmethod
    def feed(self, data: bytes) -> Iterator[bytes]: ...

    def unused(self) -> int:
        """Input bytes fed after the end of the stream (not part of the member's data)."""
        return 0


class _Stored(_Decoder):
    def feed(self, data: bytes) -> Iterator[bytes]:
        for at in range(0, len(data), OUT_STEP):
            yield data[at:at + OUT_STEP]


class _Deflate(_Decoder):
    def __init__(self) -> None:
        self._d = zlib.decompressobj(-15)

    def feed(self, data: bytes) -> Iterator[bytes]:
        while True:
            out = self._d.decompress(data, OUT_STEP)
            data = self._d.unconsumed_tail
            if out:
                yield out
            if self._d.eof:
                self.eof = True
                return
            if not data and len(out) < OUT_STEP:  # all input used and no output pending
                return

    def unused(self) -> int:
        return len(self._d.unused_data)


class _Deflate64(_Decoder):
    def __init__(self) -> None:
        self._d = inflate64.Inflater()
        self._unused = 0

    def feed(self, data: bytes) -> Iterator[bytes]:
        for at in range(0, len(data), DEFLATE64_STEP):
            if self.eof:
                self._unused += len(data) - at
                return
            out = self._d.inflate(data[at:at + DEFLATE64_STEP])
            self.eof = bool(self._d.eof)
            for cut in range(0, len(out), OUT_STEP):
                yield out[cut:cut + OUT_STEP]

    def unused(self) -> int:
        return self._unused  # the rest of the last piece is unknown to inflate64: at most DEFLATE64_STEP off


class _Bounded(_Decoder):
    """bzip2, LZMA and Zstandard decompressors, which take an output limit and keep the rest of the input."""

    def __init__(self, decompressor: object) -> None:
        self._d: object = decompressor

    def feed(self, data: bytes) -> Iterator[bytes]:
        d = self._d
        out = d.decompress(data, OUT_STEP)  # type: ignore[attr-defined]
        while True:
            if out:
                yield out
            if d.eof:  # type: ignore[attr-defined]
                self.eof = True
                return
            if d.needs_input:  # type: ignore[attr-defined]
                return
            out = d.decompress(b"", OUT_STEP)  # type: ignore[attr-defined]

    def unused(self) -> int:
        return len(self._d.unused_data) if self.eof else 0  # type: ignore[attr-defined]


class _ZipLzma(_Decoder):
    """LZMA in a zip: a 4-byte header (version, size of the properties), the 5-byte LZMA properties, then a
    raw LZMA1 stream (APPNOTE 5.8.8)."""

    def __init__(self) -> None:
        self._head = b""
        self._inner: _Bounded | None = None

    def feed(self, data: bytes) -> Iterator[bytes]:
        if self._inner is None:
            self._head += data
            if len(self._head) < 4:
                return
            props_size = struct.unpack_from("<H", self._head, 2)[0]
            if props_size < 5:
                raise ValueError("LZMA properties cut short")
            if len(self._head) < 4 + props_size:
                return
            props = self._head[4:4 + props_size]
            data, self._head = self._head[4 + props_size:], b""
            lc_lp_pb = props[0]
            if lc_lp_pb >= 9 * 5 * 5:
                raise ValueError("invalid LZMA properties")
            lzma1 = {"id": lzma.FILTER_LZMA1, "lc": lc_lp_pb % 9, "lp": (lc_lp_pb // 9) % 5, "pb": lc_lp_pb // 45,
                     "dict_size": int.from_bytes(props[1:5], "little")}
            self._inner = _Bounded(lzma.LZMADecompressor(lzma.FORMAT_RAW, filters=[lzma1]))
        yield from self._inner.feed(data)
        self.eof = self._inner.eof

    def unused(self) -> int:
        return self._inner.unused() if self._inner is not None else 0


def _zstd() -> _Decoder:
    import importlib

    for name in ("compression.zstd", "backports.zstd"):  # Python 3.14's own; py7zr's dependency before it
        try:
            zstd = importlib.import_module(name)
        except ImportError:
            continue
        return _Bounded(zstd.ZstdDecompressor())
    raise NotImplementedError("Zstandard (method 93) needs the backports.zstd package")


def decoder_for(method: int) -> _Decoder:
    """The streaming decoder of a zip compression method; NotImplementedError for one we do not read."""
    if method == STORED:
        return _Stored()
    if method == DEFLATED:
        return _Deflate()
    if method == DEFLATE64:
        return _Deflate64()
    if method == BZIP2:
        return _Bounded(bz2.BZ2Decompressor())
    if method == LZMA:
        return _ZipLzma()
    if method == ZSTD:
        return _zstd()
    raise NotImplementedError(f"compression method {method} is not supported")


@dataclass
class Decoded:
    """How a member's stream went: bytes out, compressed bytes it used, and why it stopped when it did."""

    size: int = 0
    consumed: int = 0
    error: str | None = None


def stream_member(read: Callable[[int], bytes], method: int, member: Member, writer: MemberWriter,
                  budget: ExtractionBudget, cancel: Callable[[], bool] | None, *, compressed: int | None,
                  declared_size: int | None, crc: int | None, cut_short: str | None = None) -> Decoded:
    """Decode one member from ``read`` (its compressed bytes, ``b""`` at their end) into ``writer``, and close it.

    ``compressed`` is what the ratio limit divides by: the most compressed bytes the member can occupy (the
    caller bounds the size its directory declares by the bytes that lie before the next member), never a
    size taken on trust. ``declared_size`` and ``crc`` come from the directory: more output than declared is
    a size that lies and stops the member; less, or another CRC, is damage, or ``cut_short`` when given (what
    it means that ``read`` ran out before the stream ended; those bytes are not kept). Bomb limits and cancelling
    propagate after the writer is closed, except the ratio limit, which ends only this member; damaged data
    closes it with the reason and returns.
    """
    result = Decoded()
    running = 0
    ran_out = False
    try:
        decoder = decoder_for(method)
        while not decoder.eof:
            if cancel is not None and cancel():
                raise IngestCancelled("ingest cancelled")
            chunk = read(IN_STEP)
            if not chunk:
                ran_out = True
                break
            result.consumed += len(chunk)
            for piece in decoder.feed(chunk):
                result.size += len(piece)
                budget.add(member.path, len(piece), result.size, compressed)
                if declared_size is not None and result.size > declared_size:
                    result.error = (f"the data goes on past the {declared_size} bytes the archive's directory "
                                    "declares (a size that lies); extraction of this member stopped")
                    writer.write(piece[:len(piece) - (result.size - declared_size)])
                    result.size = declared_size
                    writer.close(result.error)
                    return result
                running = zlib.crc32(piece, running)
                writer.write(piece)
        result.consumed -= decoder.unused()
    except RatioExceeded as exc:  # this member is a bomb; the archive's other members go on
        result.error = str(exc)
        writer.close(result.error, keep=False)
        return result
    except EnvironmentFailure:  # the machine's failure: no sentence on the member, the ingest stops
        raise
    except (ArchiveLimitExceeded, IngestCancelled) as exc:
        writer.close(str(exc))
        raise
    except NotImplementedError as exc:
        result.error = f"cannot be decompressed: {exc}"
    except Exception as exc:  # damaged member data: keep what was read, say why it stopped
        result.error = f"damaged data after {result.size} bytes: {exc}"
    if result.error is None and cut_short is not None and ran_out and (
            declared_size is None or result.size < declared_size):
        result.error = cut_short
        writer.close(result.error, keep=False)
        return result
    if result.error is None:
        if declared_size is not None and result.size < declared_size:
            result.error = (f"damaged or truncated data: it ends after {result.size} of the {declared_size} bytes "
                            "declared")
        elif crc is not None and running != crc:
            result.error = f"damaged data after {result.size} bytes: Bad CRC-32 for file {member.raw_name!r}"
    writer.close(result.error)
    return result
