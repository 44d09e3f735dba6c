"""Reading Windows log text: encodings, line endings, NULs, binary tails, bounded memory."""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench.core.textio import ansi_codec, looks_binary, read_lines, sniff_encoding

LINES = ["2021-05-18 03:11:02, Info                  SP     升级 rollback", "second line", "third"]


@pytest.mark.parametrize("codec,bom", [("utf-8", b"\xef\xbb\xbf"), ("utf-16-le", b"\xff\xfe"),
                                       ("utf-16-be", b"\xfe\xff"), ("gbk", b""), ("utf-8", b"")])
def test_encodings(tmp_path: Path, codec: str, bom: bytes) -> None:
    path = tmp_path / "x.log"
    path.write_bytes(bom + "\r\n".join(LINES * 50).encode(codec))
    got = [ln.text for ln in read_lines(path)]
    assert got == LINES * 50


def test_cp1252_when_not_utf8_nor_chinese(tmp_path: Path) -> None:
    path = tmp_path / "x.log"
    path.write_bytes("Größe: 5 Einträge\r\nnext".encode("cp1252"))
    assert [ln.text for ln in read_lines(path)] == ["Größe: 5 Einträge", "next"]
    assert ansi_codec("Größe".encode("cp1252")) == "cp1252"


def test_utf16_without_bom_is_sniffed() -> None:
    assert sniff_encoding(("abcdefgh" * 20).encode("utf-16-le"))[0] == "utf-16-le"


def test_bare_lf_nul_and_offsets(tmp_path: Path) -> None:
    path = tmp_path / "x.log"
    data = b"one\r\ntwo\nthr\x00ee\r\n\r\nlast"
    path.write_bytes(data)
    lines = list(read_lines(path))
    assert [ln.text for ln in lines] == ["one", "two", "three", "", "last"]
    assert [ln.number for ln in lines] == [1, 2, 3, 4, 5]
    assert [data[ln.offset:ln.offset + 3] for ln in lines[:2]] == [b"one", b"two"]


def test_a_line_without_newline_is_cut_not_held(tmp_path: Path) -> None:
    path = tmp_path / "x.log"
    path.write_bytes(b"A" * (300 * 1024) + b"\nend")
    lines = list(read_lines(path))
    assert max(len(ln.text) for ln in lines) <= 64 * 1024
    assert lines[-1].text == "end"


def test_binary_tail_is_recognised() -> None:
    assert looks_binary("\x01\x02\x03\x04\x05\x06\x07\x08abc")
    assert not looks_binary("2021-05-18 03:11:02, Info   SP   text")


def test_a_bom_inside_the_file_is_dropped(tmp_path: Path) -> None:
    path = tmp_path / "x.log"
    path.write_bytes(b"\xef\xbb\xbfone\r\n\xef\xbb\xbftwo\r\n")
    assert [ln.text for ln in read_lines(path)] == ["one", "two"]


def _model(data: bytes) -> list[tuple[int, int, str, int | None]]:
    """What read_lines must give for ASCII bytes without NULs, from the rules alone: every piece between
    newlines is a line (the last one only when not empty), one trailing CR dropped, a line past 64 KiB cut to its
    first 64 KiB with its length kept, and each offset the byte where its line starts."""
    out = []
    offset = 0
    pieces = data.split(b"\n")
    if pieces[-1] == b"":
        pieces.pop()
    for number, piece in enumerate(pieces, 1):
        text = piece.decode("ascii")
        length = None
        if len(piece) > 64 * 1024:
            text, length = text[:64 * 1024], len(piece)
        out.append((number, offset, text[:-1] if text.endswith("\r") else text, length))
        offset += len(piece) + 1
    return out


def test_ascii_blocks_give_the_lines_one_by_one_would(tmp_path: Path) -> None:
    """ASCII blocks are decoded and split whole (the Panther fast path); across the 1 MiB reads, with CRLF and
    bare LF, a stray CR, two CRs before the LF, empty lines and lines past 64 KiB, the lines, numbers, offsets and cuts stay those of
    the rules, and a non-ASCII byte or a NUL later in the file (read line by line) does not shift them."""
    import random

    rnd = random.Random(11)
    parts = [b"2021-05-18 03:11:02, Info                  SP     step %d\r\n" % i for i in range(40000)]
    for at in sorted(rnd.sample(range(len(parts)), 30)):
        parts[at] = rnd.choice([b"\n", b"\r\n", b"bare cr\r inside\n", b"x" * (70 * 1024) + b"\r\n",
                                b"y" * (64 * 1024) + b"\n", b"two cr\r\r\n"])
    data = b"".join(parts) + b"no newline at the end"
    path = tmp_path / "a.log"
    path.write_bytes(data)
    got = [(ln.number, ln.offset, ln.text, ln.length) for ln in read_lines(path)]
    assert got == _model(data)
    assert len(data) > 2 * 1024 * 1024  # three reads at least

    mixed = data + b"\r\nGr\xc3\xb6\xc3\x9fe\r\nnul\x00here\r\n" + b"after\r\n" * 5
    path.write_bytes(mixed)
    lines = list(read_lines(path))
    assert [(ln.number, ln.offset, ln.text, ln.length) for ln in lines[:len(got)]] == got
    assert [ln.text for ln in lines[len(got):]] == ["Größe", "nulhere"] + ["after"] * 5
    assert all(mixed[ln.offset:ln.offset + 5] in (b"Gr\xc3\xb6\xc3", b"nul\x00h", b"after")
               for ln in lines[len(got):])
