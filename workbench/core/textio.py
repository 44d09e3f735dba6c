"""Reading Windows log text line by line in bounded memory, whatever encoding the machine wrote.

Panther logs are UTF-8 with BOM, ``C:\\Windows\\setupact.log`` and setupapi logs are ANSI (cp1252 on Western
machines, GBK on Chinese ones), a few tools write UTF-16. Files are cut short, carry NUL padding and bare
LFs inside CRLF. We sniff the BOM, decide the ANSI code page from a sample, then decode each line alone so
one bad byte never spoils the rest; every line keeps its number and byte offset for evidence links.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

SAMPLE = 1024 * 1024
CHUNK = 1024 * 1024
MAX_LINE = 64 * 1024  # of a longer line (binary garbage, a missing newline) only the first MAX_LINE bytes are kept
#: Over-long lines named one by one in a file's problems; past this, one more problem gives the count.
MAX_CUT_PROBLEMS = 20


# not frozen: a frozen dataclass sets each field through object.__setattr__, 0.56 µs a line against 0.14 µs
# here (a third of reading a Panther log's line); nothing changes a Line once made
@dataclass(slots=True)
class Line:
    number: int  # 1-based: the line as an editor counts it, however long the lines before it were
    offset: int  # byte offset of the line start in the file
    text: str
    length: int | None = None  # the line's full size in bytes, set only when ``text`` holds just its start

    @property
    def cut(self) -> bool:
        """True when the line was longer than :data:`MAX_LINE` and ``text`` keeps only its first part."""
        return self.length is not None


def sniff_encoding(sample: bytes) -> tuple[str, int]:
    """Return (codec, BOM length) for a file starting with ``sample``."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8", 3
    if sample.startswith(codecs.BOM_UTF16_LE):
        return "utf-16-le", 2
    if sample.startswith(codecs.BOM_UTF16_BE):
        return "utf-16-be", 2
    # UTF-16 without BOM: every other byte NUL in the ASCII range
    if len(sample) >= 64:
        odd_nul = sample[1:64:2].count(0)
        even_nul = sample[0:64:2].count(0)
        if odd_nul > 28 and even_nul < 4:
            return "utf-16-le", 0
        if even_nul > 28 and odd_nul < 4:
            return "utf-16-be", 0
    return ansi_codec(sample), 0


def looks_like_gbk(raw: bytes) -> bool:
    """True when the non-ASCII bytes read as common Chinese in GBK, not as accented Western letters.

    Chinese text is overwhelmingly GB2312 level-1 characters and punctuation: lead byte 0xA1-0xA9 or
    0xB0-0xD7 with a trail byte 0xA1-0xFE. Accented Latin text in cp1252 almost never forms such pairs
    (lower-case accents are 0xE0-0xFF and are followed by ASCII letters), though every byte pair is "valid GBK".
    """
    good = total = 0
    i, n = 0, len(raw)
    while i < n:
        b = raw[i]
        if b < 0x80:
            i += 1
            continue
        total += 1
        trail = raw[i + 1] if i + 1 < n else 0
        if (0xA1 <= b <= 0xA9 or 0xB0 <= b <= 0xD7) and 0xA1 <= trail <= 0xFE:
            good += 1
        i += 2
    if not total or good / total < 0.8:
        return False
    try:
        raw.decode("gbk")
    except UnicodeDecodeError as exc:
        return exc.start >= n - 1  # a sample cut inside the last character
    return True


def ansi_codec(sample: bytes) -> str:
    """UTF-8 when the sample is valid UTF-8, GBK when it reads as Chinese, else cp1252."""
    body = sample.replace(b"\x00", b"")
    try:
        body.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        # a full-size sample cut inside a multi-byte character is still UTF-8
        if len(body) >= 4096 and exc.start >= len(body) - 3:
            return "utf-8"
    return "gbk" if looks_like_gbk(body) else "cp1252"


def _decode(raw: bytes, codec: str) -> str:
    if codec == "utf-8":
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            return raw.decode("cp1252", "replace")
    return raw.decode(codec, "replace")


def read_lines(path: Path, problem: Callable[[str, int | None], None] | None = None) -> Iterator[Line]:
    """Yield the lines of ``path`` without line endings or NULs, each with its number and byte offset.

    A line longer than :data:`MAX_LINE` is still one line: its first part is kept (``Line.length`` says how
    long it really was) and the rest is read past without being held, so a 200 MB line costs no more memory
    than a short one and the lines after it keep their true numbers. Parsers pass ``problem`` (their
    mediator's): each such line is then named in a sentence, so the reader knows its stored text is only a
    start.
    """
    with open(path, "rb") as fh:
        lines = iter_lines(fh)
        yield from lines if problem is None else _noting_cuts(lines, problem)


def _noting_cuts(lines: Iterator[Line], problem: Callable[[str, int | None], None]) -> Iterator[Line]:
    cut = 0
    for ln in lines:
        if ln.length is not None:
            cut += 1
            if cut <= MAX_CUT_PROBLEMS:
                problem(f"line {ln.number} is {ln.length:,} bytes long; only its first {MAX_LINE // 1024} KiB "
                        "are kept", ln.offset)
        yield ln
    if cut > MAX_CUT_PROBLEMS:
        problem(f"{cut:,} lines in all were longer than {MAX_LINE // 1024} KiB and were cut", None)


def iter_lines(fh: BinaryIO) -> Iterator[Line]:
    """:func:`read_lines` over an open binary file."""
    sample = fh.read(SAMPLE)
    codec, bom = sniff_encoding(sample)
    del sample
    fh.seek(bom)
    if codec.startswith("utf-16"):
        yield from _iter_utf16(fh, codec, bom)
        return
    number = 0
    offset = bom
    pending = b""
    skipped = 0  # bytes of the current (over-long) line read past; pending then holds its first MAX_LINE bytes
    while True:
        chunk = fh.read(CHUNK)
        if not chunk:
            break
        if skipped:
            nl = chunk.find(b"\n")
            if nl < 0:
                skipped += len(chunk)
                continue
            number += 1
            length = len(pending) + skipped + nl
            yield Line(number, offset, _clean(_decode_start(pending, codec)), length)
            offset += length + 1
            pending, skipped = chunk[nl + 1:], 0
        else:
            pending += chunk
        start = 0
        end = pending.rfind(b"\n")
        if end > 0 and pending.isascii() and b"\x00" not in pending:
            # the usual block (a Panther log is ASCII): one decode and one split for all its lines, the same
            # lines as one by one below (every codec here reads ASCII bytes as ASCII; no NUL, no BOM to drop)
            for piece in pending[:end].decode("ascii").split("\n"):
                number += 1
                size = len(piece)
                if size > MAX_LINE:
                    yield Line(number, offset, _clean(piece[:MAX_LINE]), size)
                else:
                    yield Line(number, offset, piece[:-1] if piece.endswith("\r") else piece)
                offset += size + 1
            start = end + 1
        while True:
            nl = pending.find(b"\n", start)
            if nl < 0:
                break
            number += 1
            if nl - start > MAX_LINE:
                yield Line(number, offset, _clean(_decode_start(pending[start:start + MAX_LINE], codec)), nl - start)
            else:
                yield Line(number, offset, _clean(_decode(pending[start:nl], codec)))
            offset += nl + 1 - start
            start = nl + 1
        pending = pending[start:]
        if len(pending) > MAX_LINE:  # no end in sight: keep the start, read past the rest
            skipped = len(pending) - MAX_LINE
            pending = pending[:MAX_LINE]
    if pending or skipped:
        number += 1
        if skipped:
            yield Line(number, offset, _clean(_decode_start(pending, codec)), len(pending) + skipped)
        else:
            yield Line(number, offset, _clean(_decode(pending, codec)))


def _decode_start(raw: bytes, codec: str) -> str:
    """The first :data:`MAX_LINE` bytes of a longer line, which may end inside a multi-byte character."""
    if codec == "utf-8":
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            if exc.start >= len(raw) - 3:
                try:
                    return raw[:exc.start].decode("utf-8")
                except UnicodeDecodeError:
                    pass
            return raw.decode("cp1252", "replace")
    text = raw.decode(codec, "replace")
    return text[:-1] if text.endswith("\ufffd") else text


def _iter_utf16(fh: BinaryIO, codec: str, bom: int) -> Iterator[Line]:
    decoder = codecs.getincrementaldecoder(codec)("replace")
    number = 0
    offset = bom
    kept: list[str] = []  # pieces of the current line, at most MAX_LINE characters in all
    room = MAX_LINE
    size = 0  # bytes of the current line so far
    cut = False  # characters of the current line were dropped past MAX_LINE
    while True:
        chunk = fh.read(CHUNK)
        final = not chunk
        parts = decoder.decode(chunk, final=final).split("\n")
        last = len(parts) - 1
        for i, part in enumerate(parts):
            if part:
                size += len(part.encode(codec))  # not 2 * len(part): characters past U+FFFF take four bytes
                if len(part) > room:
                    part, cut = part[:room], True
                if part:
                    kept.append(part)
                    room -= len(part)
            if i == last:
                break  # the line goes on in the next chunk
            number += 1
            yield Line(number, offset, _clean("".join(kept)), size if cut else None)
            offset += size + 2
            kept, room, size, cut = [], MAX_LINE, 0, False
        if final:
            break
    if kept or size:
        number += 1
        yield Line(number, offset, _clean("".join(kept)), size if cut else None)


def _clean(text: str) -> str:
    if text.endswith("\r"):
        text = text[:-1]
    if text.startswith("\ufeff"):  # a BOM inside the file: logs concatenated, or a writer that restarted
        text = text[1:]
    if "\x00" in text:
        text = text.replace("\x00", "")
    return text


_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffd]")


def looks_binary(text: str) -> bool:
    """True for a line that is mostly control or replacement characters (a truncated binary tail)."""
    if not text or _CONTROL.search(text) is None:  # the common case, at C speed
        return False
    bad = len(_CONTROL.findall(text))
    return bad > max(3, len(text) // 4)
