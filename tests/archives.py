"""Builders for the archives the tests need: written here, byte by byte where the libraries will not.

Python's zipfile cannot write legacy-encoded names without the UTF-8 flag, traditional (ZipCrypto)
encryption, or symbolic links; these helpers do, from the PKWARE APPNOTE facts.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

SETUPACT_LINES = (
    "2021-05-18 03:11:02, Info                  SP     Initiating rollback/uninstall, phase = 0\r\n"
    "2021-05-18 03:11:03, Error                 SP     Operation failed: Add drivers. Error: 0x80070002\r\n"
    "2021-05-18 03:11:04, Info                  MOUPG  SetupHost: Reporting post reboot event -> [0xC1900101, 0x30018]\r\n"
)


def setupact_bytes(extra: str = "") -> bytes:
    return b"\xef\xbb\xbf" + (SETUPACT_LINES + extra).encode("utf-8")


class _LegacyNameInfo(zipfile.ZipInfo):
    """A name stored in a legacy code page with no UTF-8 flag (what Windows' own zip writer does)."""

    codec = "gbk"

    def _encodeFilenameFlags(self) -> tuple[bytes, int]:  # noqa: N802
        return self.filename.encode(self.codec), self.flag_bits & ~0x800


def make_zip(path: Path, files: dict[str, bytes], *, legacy_codec: str | None = None,
             compression: int = zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(path, "w", compression=compression) as zf:
        for name, data in files.items():
            if legacy_codec:
                info: zipfile.ZipInfo = _LegacyNameInfo(name, date_time=(2024, 1, 2, 3, 4, 5))
                info.codec = legacy_codec  # type: ignore[attr-defined]
            else:
                info = zipfile.ZipInfo(name, date_time=(2024, 1, 2, 3, 4, 5))
            info.compress_type = compression
            zf.writestr(info, data)
    return path


def zip_bytes(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return buf.getvalue()


def add_symlink(path: Path, name: str, target: str) -> None:
    """Append a member whose Unix mode says 'symbolic link' (its data is the link target)."""
    with zipfile.ZipFile(path, "a") as zf:
        info = zipfile.ZipInfo(name, date_time=(2024, 1, 2, 3, 4, 5))
        info.create_system = 3
        info.external_attr = (0o120777 << 16)
        zf.writestr(info, target)


# ------------------------------------------------------------------------------- zips written by hand


@dataclass
class RawMember:
    """One member of a zip written byte by byte: ``payload`` is its data as stored (already compressed).

    ``cd_compressed``/``cd_size`` override what the central directory declares (a size that lies);
    ``offset`` points the directory entry at another member's local header (overlapping entries).
    """

    name: str
    method: int
    payload: bytes
    size: int
    crc: int
    cd_compressed: int | None = None
    cd_size: int | None = None
    offset: int | None = None
    flags: int = 0x800  # UTF-8 names; add 0x1 for an encrypted member


def raw_zip(members: list[RawMember]) -> bytes:
    """A zip from members given as stored bytes, with local headers, a central directory and its end."""
    out = bytearray()
    central = bytearray()
    offsets = []
    for m in members:
        raw_name = m.name.encode("utf-8")
        offsets.append(len(out))
        out += struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 20, m.flags, m.method, 0, 0x5821, m.crc,
                           len(m.payload), m.size, len(raw_name), 0) + raw_name + m.payload
    for m, at in zip(members, offsets, strict=True):
        raw_name = m.name.encode("utf-8")
        csize = len(m.payload) if m.cd_compressed is None else m.cd_compressed
        size = m.size if m.cd_size is None else m.cd_size
        central += struct.pack("<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 20, 20, m.flags, m.method, 0, 0x5821, m.crc,
                               csize, size, len(raw_name), 0, 0, 0, 0, 0,
                               at if m.offset is None else m.offset) + raw_name
    end = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, len(members), len(members), len(central), len(out), 0)
    return bytes(out + central + end)


def packed_member(name: str, method: int, chunks: Iterable[bytes]) -> RawMember:
    """A member packed with zip ``method`` (8 Deflate, 9 Deflate64, 12 bzip2, 93 Zstandard); ``chunks`` are
    compressed as they come, so a large member (a bomb) never sits in memory."""
    import bz2

    if method == 9:
        import inflate64

        deflater = inflate64.Deflater()
        step, end = deflater.deflate, deflater.flush
    elif method == 93:
        from backports import zstd

        zc = zstd.ZstdCompressor()
        step, end = zc.compress, zc.flush
    else:
        other = zlib.compressobj(9, zlib.DEFLATED, -15) if method == 8 else bz2.BZ2Compressor(9)
        step, end = other.compress, other.flush
    packed = bytearray()
    size = crc = 0
    for chunk in chunks:
        packed += step(chunk)
        size += len(chunk)
        crc = zlib.crc32(chunk, crc)
    packed += end()
    return RawMember(name, method, bytes(packed), size, crc)


def deflate64_member(name: str, chunks: Iterable[bytes]) -> RawMember:
    """A member compressed with Deflate64 (method 9), as Windows' "Compressed folder" writes big files."""
    return packed_member(name, 9, chunks)


# ------------------------------------------------------------------------------- ZipCrypto (traditional)

_CRC = [0] * 256
for _i in range(256):
    _c = _i
    for _ in range(8):
        _c = (_c >> 1) ^ 0xEDB88320 if _c & 1 else _c >> 1
    _CRC[_i] = _c


class _Keys:
    def __init__(self, password: bytes) -> None:
        self.k = [0x12345678, 0x23456789, 0x34567890]
        for b in password:
            self.update(b)

    def update(self, b: int) -> None:
        k = self.k
        k[0] = (k[0] >> 8) ^ _CRC[(k[0] ^ b) & 0xFF]
        k[1] = (k[1] + (k[0] & 0xFF)) & 0xFFFFFFFF
        k[1] = (k[1] * 134775813 + 1) & 0xFFFFFFFF
        k[2] = (k[2] >> 8) ^ _CRC[(k[2] ^ (k[1] >> 24)) & 0xFF]

    def encrypt(self, data: bytes) -> bytes:
        out = bytearray()
        for b in data:
            t = (self.k[2] | 2) & 0xFFFF
            out.append(b ^ (((t * (t ^ 1)) >> 8) & 0xFF))
            self.update(b)
        return bytes(out)


def zipcrypto_member(member: RawMember, password: str) -> RawMember:
    """The same member encrypted with traditional PKWARE encryption (its payload still compressed)."""
    keys = _Keys(password.encode())
    header = bytes(range(11)) + bytes([member.crc >> 24])
    return RawMember(member.name, member.method, keys.encrypt(header + member.payload), member.size, member.crc,
                     flags=member.flags | 0x1)


def make_zipcrypto(path: Path, files: dict[str, bytes], password: str) -> Path:
    """A zip with traditional PKWARE encryption, stored (uncompressed) members."""
    out = bytearray()
    central = bytearray()
    for name, data in files.items():
        crc = zlib.crc32(data) & 0xFFFFFFFF
        keys = _Keys(password.encode())
        header = bytes(range(11)) + bytes([crc >> 24])  # last byte = CRC high byte (the password check)
        payload = keys.encrypt(header + data)
        raw_name = name.encode("utf-8")
        offset = len(out)
        local = struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 20, 0x1 | 0x800, 0, 0, 0x5821, crc,
                            len(payload), len(data), len(raw_name), 0)
        out += local + raw_name + payload
        central += struct.pack("<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 20, 20, 0x1 | 0x800, 0, 0, 0x5821, crc,
                               len(payload), len(data), len(raw_name), 0, 0, 0, 0, 0, offset) + raw_name
    end = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, len(files), len(files), len(central), len(out), 0)
    path.write_bytes(bytes(out + central + end))
    return path


def make_aes_zip(path: Path, files: dict[str, bytes], password: str) -> Path:
    import pyzipper

    with pyzipper.AESZipFile(path, "w", compression=pyzipper.ZIP_DEFLATED, encryption=pyzipper.WZ_AES) as zf:
        zf.setpassword(password.encode())
        for name, data in files.items():
            zf.writestr(name, data)
    return path


def make_7z(path: Path, files: dict[str, bytes], password: str | None = None,
            header_encryption: bool = False) -> Path:
    import py7zr

    with py7zr.SevenZipFile(path, "w", password=password, header_encryption=header_encryption) as sz:
        for name, data in files.items():
            sz.writestr(data, name)
    return path
