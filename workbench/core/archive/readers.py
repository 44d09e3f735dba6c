"""Archive readers: list members fast, then push each member's bytes into a writer the caller chooses.

Every reader opens its source read-only and never writes anything itself. The push style (the reader calls
``open_writer(member)`` and streams into it) is the one shape that fits both zip, where members can be
pulled one by one, and solid 7z, where the decompressor drives the order.
"""

from __future__ import annotations

import bisect
import copy
import io
import os
import stat
import struct
import zipfile
import zlib
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Any

from workbench.core.archive.limits import ExtractionBudget
from workbench.core.archive.members import Member, MemberWriter
from workbench.core.archive.names import (
    choose_legacy_encoding,
    clean_member_path,
    unicode_path_extra,
)
from workbench.core.archive.volumes import VolumeFile, volume_set
from workbench.core.archive.zip_methods import DEFLATE64, DEFLATED, STORED, ZSTD, decoder_for, stream_member
from workbench.core.errors import (
    ArchiveError,
    ArchiveLimitExceeded,
    EnvironmentFailure,
    IngestCancelled,
    PasswordRequired,
    RatioExceeded,
    WrongPassword,
)

CHUNK = 1024 * 1024
OpenWriter = Callable[[Member], "MemberWriter | None"]

ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
SEVENZIP_MAGIC = b"7z\xbc\xaf\x27\x1c"
OTHER_ARCHIVE_MAGICS = {
    b"Rar!\x1a\x07": "RAR",
    b"MSCF": "CAB",
    b"\x1f\x8b": "gzip",
}


def open_source(path: Path) -> IO[bytes]:
    """The source's bytes, read-only: the file itself, or its volumes back to back when it is ``*.001``."""
    parts = volume_set(path)
    if parts is not None and len(parts) > 1:
        return io.BufferedReader(VolumeFile(parts), buffer_size=CHUNK)
    return open(path, "rb")


def sniff_container(path: Path) -> str:
    """Say what ``path`` is as a case source: ``folder``, ``zip``, ``7z``, ``other:<format>`` or ``file``."""
    if path.is_dir():
        return "folder"
    with open_source(path) as fh:
        head = fh.read(8)
    if head.startswith(ZIP_MAGICS):
        return "zip"
    if head.startswith(SEVENZIP_MAGIC):
        return "7z"
    for magic, name in OTHER_ARCHIVE_MAGICS.items():
        if head.startswith(magic):
            return f"other:{name}"
    return "file"


class ArchiveReader(ABC):
    """One source of case files. ``members()`` is cheap (directory only); ``extract`` reads the bytes."""

    #: problems found while reading the directory or the data, as (member path or "", sentence)
    problems: list[tuple[str, str]]

    def __init__(self, source: Path) -> None:
        self.source = source
        self.problems = []

    @abstractmethod
    def members(self) -> list[Member]: ...

    @abstractmethod
    def extract(
        self,
        open_writer: OpenWriter,
        budget: ExtractionBudget,
        cancel: Callable[[], bool] | None = None,
    ) -> None:
        """Stream every regular member into ``open_writer(member)`` (skipped when it returns None)."""

    def close(self) -> None:  # noqa: B027 - optional for readers that hold nothing open
        pass

    def __enter__(self) -> ArchiveReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _pump(src: IO[bytes], member: Member, writer: MemberWriter, budget: ExtractionBudget,
          cancel: Callable[[], bool] | None, compressed: int | None) -> None:
    """Copy ``src`` into ``writer`` in chunks, charging the budget (the ratio against ``compressed``); close
    the writer with any error."""
    done = 0
    try:
        while True:
            if cancel is not None and cancel():
                raise IngestCancelled("ingest cancelled")
            chunk = src.read(CHUNK)
            if not chunk:
                break
            done += len(chunk)
            budget.add(member.path, len(chunk), done, compressed)
            writer.write(chunk)
    except RatioExceeded as exc:  # this member is a bomb; the archive's other members go on
        writer.close(str(exc), keep=False)
        return
    except EnvironmentFailure:  # the machine's failure: no sentence on the member, the ingest stops
        raise
    except (ArchiveLimitExceeded, IngestCancelled) as exc:
        writer.close(str(exc))
        raise
    except Exception as exc:  # damaged member data: keep what was read, say why it stopped
        writer.close(f"damaged data after {done} bytes: {exc}")
        return
    writer.close(None)


def _check_member_count(members: list[Member], budget: ExtractionBudget) -> None:
    if len(members) > budget.limits.max_members:
        raise ArchiveLimitExceeded(
            f"the archive lists {len(members)} files, more than the limit of {budget.limits.max_members}; "
            "nothing was extracted."
        )


# --------------------------------------------------------------------------------------------------- zip


def _zip_is_link(info: zipfile.ZipInfo) -> bool:
    return stat.S_ISLNK(info.external_attr >> 16)


def _zip_mtime(info: zipfile.ZipInfo) -> str | None:
    """Zip (DOS) times are the archiving PC's wall clock with no zone: shown as written, never as UTC."""
    try:
        return datetime(*info.date_time).isoformat()
    except ValueError:
        return None


#: zipfile's local file header: signature, versions, flags, method, time, date, CRC, sizes, name and extra lengths
_LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")


def _empty_stored(info: zipfile.ZipInfo) -> bool:
    """An empty stored member, not encrypted: zipfile would read none of its data, only its local header."""
    return (info.compress_type == zipfile.ZIP_STORED and info.file_size == 0 and info.compress_size == 0
            and info.CRC == 0 and not info.flag_bits & 0x61)  # encrypted, patched, strong encryption


def _local_header(fh: IO[bytes], info: zipfile.ZipInfo, encoding: str) -> tuple[str | None, int]:
    """What ``zipfile.ZipFile.open`` would find wrong with a member's local header, in its words (or None),
    and where the member's data starts."""
    fh.seek(info.header_offset)
    head = fh.read(_LOCAL_HEADER.size)
    if len(head) != _LOCAL_HEADER.size:
        return "Truncated file header", 0
    fields = _LOCAL_HEADER.unpack(head)
    if fields[0] != b"PK\x03\x04":
        return "Bad magic number for file header", 0
    raw = fh.read(fields[10])
    data_start = info.header_offset + _LOCAL_HEADER.size + fields[10] + fields[11]
    try:
        name = raw.decode("utf-8" if fields[3] & 0x800 else encoding)
    except UnicodeDecodeError as exc:
        return str(exc), data_start
    if name != info.orig_filename:
        return f"File name in directory {info.orig_filename!r} and header {raw!r} differ.", data_start
    end = getattr(info, "_end_offset", None)  # the overlap check of the zipfile of newer Pythons
    if end is not None and data_start > end:
        return f"Overlapped entries: {info.orig_filename!r} (possible zip bomb)", data_start
    return None, data_start


class _Extents:
    """Where each zip member's bytes may lie: from its local header to the next one, or to the directory.

    Entries are sorted by where their local headers start; a second directory entry pointing at a header
    already owned by another shares its data (the simplest overlapping-entries bomb).
    """

    def __init__(self, members: list[Member], infos: list[zipfile.ZipInfo], directory_start: int) -> None:
        self._owner: dict[int, tuple[zipfile.ZipInfo, str]] = {}
        for member, info in zip(members, infos, strict=True):
            self._owner.setdefault(info.header_offset, (info, member.path))
        self._starts = sorted(self._owner)
        self._directory = directory_start

    def shared_with(self, info: zipfile.ZipInfo) -> str | None:
        """The path of the member whose local header ``info`` points at too, or None when it is its own."""
        owner, path = self._owner[info.header_offset]
        return None if owner is info else path

    def end_of(self, info: zipfile.ZipInfo) -> tuple[int, str | None]:
        """Where ``info``'s extent ends, and the path of the member starting there (None: the directory)."""
        at = bisect.bisect_right(self._starts, info.header_offset)
        if at < len(self._starts) and self._starts[at] < self._directory:
            start = self._starts[at]
            return start, self._owner[start][1]
        return max(self._directory, info.header_offset), None


class ZipReader(ArchiveReader):
    """Zip via the standard library (+ Deflate64), or pyzipper when a member uses WinZip AES."""

    def __init__(self, source: Path, password: str | None = None, name_encoding: str | None = None) -> None:
        super().__init__(source)
        self._fh = open_source(source)  # read-only; never modified
        self._password = password.encode("utf-8") if password else None
        self._recovered: list | None = None  # (Member, local header) pairs when the directory is gone
        try:
            self._zf: zipfile.ZipFile | None = zipfile.ZipFile(self._fh)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
            # No readable central directory: typically an upload cut short. Walk the local headers instead.
            self._zf = None
            self.problems.append(("", f"the zip directory is unreadable ({exc}); recovered members by scanning "
                                      "local headers, later members may be missing"))
            return
        if any(i.compress_type == 99 for i in self._zf.infolist()):
            import pyzipper

            self._zf.close()
            self._fh.seek(0)
            self._zf = pyzipper.AESZipFile(self._fh)
        self._members, self._infos = self._list(name_encoding)
        self._check_password()

    def _list(self, name_encoding: str | None) -> tuple[list[Member], list[zipfile.ZipInfo]]:
        assert self._zf is not None
        infos = self._zf.infolist()
        legacy = [i.filename.encode("cp437", "replace") for i in infos if not i.flag_bits & 0x800]
        encoding = choose_legacy_encoding(legacy, name_encoding)
        members: list[Member] = []
        mtimes: dict[tuple[int, ...], str | None] = {}  # members of one collection share few distinct times
        for info in infos:
            raw = info.filename
            name = raw
            if not info.flag_bits & 0x800:
                name = (unicode_path_extra(info.extra) if info.extra else None) or \
                    (raw if raw.isascii() else raw.encode("cp437", "replace").decode(encoding, "replace"))
            path, notes = clean_member_path(name)
            mtime = mtimes.get(info.date_time, "")
            if mtime == "":
                mtime = mtimes[info.date_time] = _zip_mtime(info)
            members.append(
                Member(
                    path=path,
                    raw_name=name,
                    size=info.file_size,
                    compressed_size=info.compress_size,
                    mtime=mtime,
                    is_dir=info.is_dir(),
                    is_link=_zip_is_link(info),
                    encrypted=bool(info.flag_bits & 0x1),
                    notes=notes,
                )
            )
        return members, infos

    def _check_password(self) -> None:
        encrypted = [(m, i) for m, i in zip(self._members, self._infos, strict=True) if m.encrypted and not m.is_dir]
        if not encrypted:
            return
        if self._password is None:
            raise PasswordRequired(
                f"{self.source.name}: the archive is encrypted; give its password (--password P)."
            )
        member, info = encrypted[0]
        try:
            with self._zf.open(info, pwd=self._password) as src:  # type: ignore[union-attr]
                src.read(1)
        except RuntimeError as exc:
            if "password" in str(exc).lower():
                raise WrongPassword(f"{self.source.name}: the password does not open this archive.") from exc
            raise
        except zipfile.BadZipFile as exc:  # 1 in 256 wrong ZipCrypto passwords pass the check byte
            raise WrongPassword(f"{self.source.name}: the password does not open this archive ({exc}).") from exc

    def members(self) -> list[Member]:
        if self._zf is None:
            if self._recovered is None:
                from workbench.core.archive.zip_recover import list_local_members

                self._recovered = list_local_members(self._fh)
            return [m for m, _ in self._recovered]
        return self._members

    def extract(self, open_writer: OpenWriter, budget: ExtractionBudget,
                cancel: Callable[[], bool] | None = None) -> None:
        if self._zf is None:
            from workbench.core.archive.zip_recover import extract_local_members

            self.members()
            assert self._recovered is not None
            extract_local_members(self._fh, self._recovered, open_writer, budget, cancel, self.problems)
            return
        _check_member_count(self._members, budget)
        plain = type(self._zf) is zipfile.ZipFile  # not pyzipper's, whose header checks are its own
        encoding = getattr(self._zf, "metadata_encoding", None) or "cp437"
        extents = _Extents(self._members, self._infos, getattr(self._zf, "start_dir", None) or self._source_size())
        for member, info in zip(self._members, self._infos, strict=True):
            if member.is_dir or member.is_link:
                continue
            budget.start_member(member.path)
            writer = open_writer(member)
            if writer is None:
                continue
            if plain and _empty_stored(info):
                self._extract_empty(info, member, writer, budget, cancel, encoding)
            elif member.encrypted:
                self._extract_encrypted(info, member, writer, budget, cancel, encoding, extents)
            else:
                self._extract_streamed(info, member, writer, budget, cancel, encoding, extents)

    def _source_size(self) -> int:
        return int(self._fh.seek(0, io.SEEK_END))

    def _place(self, info: zipfile.ZipInfo, member: Member, encoding: str,
               extents: _Extents) -> tuple[str | None, int, int, str | None]:
        """Where a member's compressed bytes start and how many may be read: (why not to read it, or None;
        the offset; the count; the member its declared size runs into, if any).

        Its bytes are read only from its own extent, up to the next member's local header (or the central
        directory): no byte is ever decoded for two members, so entries built to overlap (Fifield's zip bomb)
        cannot multiply one compressed kernel, and a size the directory overstates cannot make the ratio
        limit lenient.
        """
        shared = extents.shared_with(info)
        if shared is not None:
            return (f"overlapping entries: its directory entry points at the data of {shared!r} (a known "
                    "zip-bomb construction); not extracted"), 0, 0, None
        try:
            error, data_start = _local_header(self._fh, info, encoding)
        except (OSError, ValueError) as exc:
            error, data_start = str(exc), 0
        if error is not None:
            return f"cannot be decompressed: {error}", 0, 0, None
        end, next_path = extents.end_of(info)
        room = max(end - data_start, 0)
        if info.compress_size > room and next_path is None:
            self.problems.append((member.path, f"a size that lies: the archive's directory declares "
                                               f"{info.compress_size} compressed bytes where {room} lie before "
                                               "the directory; only those were read"))
        return None, data_start, min(info.compress_size, room), next_path if info.compress_size > room else None

    def _extract_streamed(self, info: zipfile.ZipInfo, member: Member, writer: MemberWriter,
                          budget: ExtractionBudget, cancel: Callable[[], bool] | None, encoding: str,
                          extents: _Extents) -> None:
        """A member read by our own bounded decoders (:mod:`zip_methods`) rather than ``zipfile``'s.

        When its declared size runs into the next member, its data is decoded up to there: a stream that ends
        before is a size that lies; one that would go on is an overlapping entry (Fifield's construction).
        """
        error, data_start, left, runs_into = self._place(info, member, encoding, extents)
        if error is not None:
            writer.close(error)
            return
        fh = self._fh
        fh.seek(data_start)
        bound = left

        def read(n: int) -> bytes:
            nonlocal left
            data = fh.read(min(n, left)) if left > 0 else b""
            left -= len(data)
            return data

        overlap = None if runs_into is None else (
            f"overlapping entries: its data runs on into the member {runs_into!r} (the directory declares "
            f"{info.compress_size} compressed bytes where {bound} lie before it; a known zip-bomb construction); "
            "not extracted")
        done = stream_member(read, info.compress_type, member, writer, budget, cancel, compressed=bound,
                             declared_size=info.file_size, crc=info.CRC, cut_short=overlap)
        if runs_into is not None and done.error is None:
            self.problems.append((member.path, f"a size that lies: the archive's directory declares "
                                               f"{info.compress_size} compressed bytes where its data took "
                                               f"{done.consumed}"))

    def _extract_encrypted(self, info: zipfile.ZipInfo, member: Member, writer: MemberWriter,
                           budget: ExtractionBudget, cancel: Callable[[], bool] | None, encoding: str,
                           extents: _Extents) -> None:
        """An encrypted member: zipfile (ZipCrypto) or pyzipper (WinZip AES) decrypts.

        Stored and Deflate data they also decompress, in bounded steps. For the other methods (whose
        decompression there is unbounded, or missing for Deflate64) the member is opened as if stored, so
        the library only decrypts, and our decoders decompress what its ``_read2`` hands out.
        """
        assert self._zf is not None
        pwd = self._password
        error, _, bound, runs_into = self._place(info, member, encoding, extents)
        if runs_into is not None:  # encrypted data cannot be told from what follows it: not decrypted
            error = (f"overlapping entries: its data runs on into the member {runs_into!r} (a known zip-bomb "
                     "construction); not extracted")
        if error is not None:
            writer.close(error)
            return
        if info.compress_type in (STORED, DEFLATED):
            try:
                src = self._zf.open(info, pwd=pwd)
            except (NotImplementedError, RuntimeError, zipfile.BadZipFile, OSError, ValueError) as exc:
                writer.close(f"cannot be decompressed: {exc}")
                return
            with src:
                _pump(src, member, writer, budget, cancel, bound)
            return
        raw = copy.copy(info)
        raw.compress_type = STORED
        try:
            src = self._zf.open(raw, pwd=pwd)
        except (NotImplementedError, RuntimeError, zipfile.BadZipFile, OSError, ValueError) as exc:
            writer.close(f"cannot be decompressed: {exc}")
            return
        read = getattr(src, "_read2", None)
        with src:
            if read is None:  # a zipfile without it: better not read than read without limits
                writer.close(f"cannot be decompressed: method {info.compress_type} in an encrypted member")
                return
            aes_v2 = getattr(info, "wz_aes_version", None) == 2  # AE-2 keeps no CRC (its MAC is the check)
            stream_member(read, info.compress_type, member, writer, budget, cancel, compressed=bound,
                          declared_size=info.file_size, crc=None if aes_v2 else info.CRC)

    def _extract_empty(self, info: zipfile.ZipInfo, member: Member, writer: MemberWriter, budget: ExtractionBudget,
                       cancel: Callable[[], bool] | None, encoding: str) -> None:
        """An empty stored member, checked as ``zipfile.open`` checks it but without building its reader.

        ``zipfile.open`` and its reads (20 µs) were a third of the time per member of an archive of 100 000
        empty files, for no byte of data; what they check of such a member is its local header, checked
        here the same way, in the same words.
        """
        try:
            error = _local_header(self._fh, info, encoding)[0]
        except (OSError, ValueError) as exc:
            error = str(exc)
        if error is not None:
            writer.close(f"cannot be decompressed: {error}")
            return
        _pump(io.BytesIO(), member, writer, budget, cancel, 0)

    def close(self) -> None:
        if self._zf is not None:
            self._zf.close()
        self._fh.close()


# ---------------------------------------------------------------------------------------------------- 7z


#: Decoded bytes a 7z folder hands out per step at most.
SEVEN_ZIP_STEP = 4 * 1024 * 1024
#: Packed bytes a 7z folder reads per step. Coders keep what they cannot yet decode, so with a step of
#: 4 MiB out per 32 KiB in, input piles up only past a ratio of 128, and then by at most 1/128 of the output.
SEVEN_ZIP_READ = 32 * 1024
#: py7zr's coders that ignore the output limit, and the zip method whose bounded decoder stands in for each
_ZIP_METHOD_OF = {"DeflateDecompressor": DEFLATED, "Deflate64Decompressor": DEFLATE64,
                  "ZstdDecompressor": ZSTD}


class _Limited:
    """A py7zr coder with an output limit, over one of our bounded decoders (:mod:`zip_methods`).

    py7zr's Deflate, Deflate64 and Zstandard coders return all a read expands to (Zstandard and Deflate64
    ~30 000 times it); this one decodes only as far as ``max_length`` asks and keeps the rest of its input.
    """

    def __init__(self, decoder: Any) -> None:
        self._decoder = decoder
        self._feeds: list[Iterator[bytes]] = []
        self._spill = b""

    def decompress(self, data: bytes | bytearray | memoryview, max_length: int = -1) -> bytes:
        if data:
            self._feeds.append(self._decoder.feed(bytes(data)))
        out = bytearray(self._spill)
        self._spill = b""
        while self._feeds and (max_length < 0 or len(out) < max_length):
            piece = next(self._feeds[0], None)
            if piece is None:
                self._feeds.pop(0)
                continue
            out += piece
        if 0 <= max_length < len(out):
            out, self._spill = out[:max_length], bytes(out[max_length:])
        return bytes(out)


class _FolderDamaged(Exception):
    """A 7z folder's data could not be decoded past some point (``cause``), after ``produced`` bytes."""

    def __init__(self, cause: Exception, produced: int) -> None:
        super().__init__(str(cause))
        self.cause = cause
        self.produced = produced


class SevenZipReader(ArchiveReader):
    """7z via py7zr. Solid archives decompress in one pass, so extraction is driven by py7zr's own order."""

    def __init__(self, source: Path, password: str | None = None) -> None:
        super().__init__(source)
        import py7zr
        from py7zr import exceptions as e7

        self._fh = open_source(source)  # a file object also keeps py7zr single-threaded and in our control
        self._password = password
        try:
            self._sz: Any = py7zr.SevenZipFile(self._fh, mode="r", password=password)
        except e7.PasswordRequired as exc:
            self._fh.close()
            raise PasswordRequired(
                f"{source.name}: the archive's file list is encrypted; give its password (--password P)."
            ) from exc
        except Exception as exc:  # py7zr raises assorted errors for damaged or mis-keyed headers
            from workbench.core.archive.sevenzip_recover import cut_short

            # the structure, not the password, says whether the file list is missing (a password given for
            # the case may belong to another archive of it); an encrypted stream then decodes to nothing
            reason = cut_short(self._fh, self._size())
            if reason is not None:
                self._recover(reason)
                return
            self._fh.close()
            if password is not None:
                raise WrongPassword(
                    f"{source.name}: the password does not open this archive, or its header is damaged ({exc})."
                ) from exc
            raise ArchiveError(f"{source.name}: not a readable 7z archive ({exc}).") from exc
        if self._sz.needs_password() and password is None:
            self._sz.close()
            self._fh.close()
            raise PasswordRequired(f"{source.name}: the archive is encrypted; give its password (--password P).")
        self._members = self._list()

    def _size(self) -> int:
        """The archive's size: of all its volumes back to back for a split ``.7z.001``."""
        return int(self._fh.seek(0, io.SEEK_END))

    def _recover(self, reason: str) -> None:
        """No file list (the archive was cut short): list the packed data as one member to decode."""
        from workbench.core.archive.sevenzip_recover import recovered_member

        self._sz = None
        self._members = [recovered_member(self._size())]
        # no name in the sentence: the problem row names the archive (its path, for one nested in another)
        self.problems.append(("", f"{reason}. The names are lost; what the packed data still holds is "
                                  "decoded as one file, its kind read from its content."))

    def _list(self) -> list[Member]:
        members = []
        for f in self._sz.files:
            path, notes = clean_member_path(f.filename)
            mtime = None
            if f.lastwritetime is not None:
                from py7zr.helpers import filetime_to_dt

                try:
                    mtime = _iso_utc(filetime_to_dt(f.lastwritetime))
                except (ValueError, OverflowError, OSError):
                    mtime = None
            members.append(
                Member(
                    path=path,
                    raw_name=f.filename,
                    size=f.uncompressed,
                    compressed_size=None,  # per-member size is meaningless inside a solid block
                    mtime=mtime,
                    is_dir=f.is_directory,
                    is_link=bool(f.is_symlink or f.is_junction),
                    encrypted=self._sz.needs_password(),
                    notes=notes,
                )
            )
        return members

    def members(self) -> list[Member]:
        return self._members

    def extract(self, open_writer: OpenWriter, budget: ExtractionBudget,
                cancel: Callable[[], bool] | None = None) -> None:
        """Decode each folder (a solid block, or one file) ourselves, in bounded steps, member after member.

        py7zr reads the directory and builds each folder's coders; the loop is ours, because py7zr's own asks
        a coder for up to 128 MB at once and has no ratio check: a 313 KB 7z wrote 2 GiB. Here each step
        hands out at most :data:`SEVEN_ZIP_STEP` bytes and the ratio is checked for the folder as a whole
        (its members share one stream) against its packed size, bounded by the bytes the archive really has.
        """
        if self._sz is None:
            from workbench.core.archive.sevenzip_recover import extract_stream

            extract_stream(self._fh, self._size(), self._members[0], open_writer, budget, cancel, self.problems)
            return
        _check_member_count(self._members, budget)
        folders: list[tuple[Any, list[tuple[Any, Member]]]] = []
        for f, member in zip(self._sz.files, self._members, strict=True):
            if member.is_dir:
                continue
            if f.emptystream or f.folder is None:
                if not member.is_link:
                    budget.start_member(member.path)
                    writer = open_writer(member)
                    if writer is not None:
                        writer.close(None)
                continue
            if not folders or folders[-1][0] is not f.folder:
                folders.append((f.folder, []))
            folders[-1][1].append((f, member))
        main = self._sz.header.main_streams
        if not folders or main is None:
            return
        order = {id(folder): n for n, folder in enumerate(main.unpackinfo.folders)}
        starts, stream = [], 0
        for folder in main.unpackinfo.folders:
            starts.append(stream)
            stream += max(coder.get("numinstreams", 1) for coder in folder.coders)
        positions = main.packinfo.packpositions
        size = self._size()
        produced = 0
        for folder, entries in folders:
            n = order[id(folder)]
            first = starts[n]
            streams = max(coder.get("numinstreams", 1) for coder in folder.coders)
            begin = self._sz.afterheader + positions[first]
            packed = positions[first + streams] - positions[first]
            try:
                produced += self._extract_folder(folder, entries, begin, packed, size, open_writer, budget, cancel)
            except _FolderDamaged as exc:
                produced += exc.produced
                if self._password is not None and not produced:
                    raise WrongPassword(f"{self.source.name}: the password does not open this archive "
                                        f"({exc.cause}).") from exc.cause
                self.problems.append(("", f"the 7z data is damaged or truncated ({exc.cause}); later members "
                                          "may be missing"))

    def _extract_folder(self, folder: Any, entries: list[tuple[Any, Member]], begin: int, packed: int, size: int,
                        open_writer: OpenWriter, budget: ExtractionBudget,
                        cancel: Callable[[], bool] | None) -> int:
        """Decode one folder's members in order; returns the bytes produced. A member past the ratio limit
        stops the folder (the members after it lie beyond the bomb in the same stream)."""
        from py7zr import compressor

        decoder = compressor.SevenZipDecompressor(folder.coders, packed, folder.unpacksizes, folder.crc,
                                                  folder.password, blocksize=SEVEN_ZIP_READ)
        unbounded = (compressor.DeflateDecompressor, compressor.Deflate64Decompressor, compressor.ZstdDecompressor)
        chain: list[Any] = [_Limited(decoder_for(_ZIP_METHOD_OF[type(c).__name__])) if isinstance(c, unbounded)
                            else c for c in decoder.chain]
        decoder.chain = chain
        bound = max(min(packed, size - begin), 0)  # a packed size past the end of the file is not there
        fh = self._fh
        fh.seek(begin)
        done = 0
        stopped: str | None = None
        for f, member in entries:
            writer: MemberWriter | None = None
            if stopped is not None:
                if not member.is_link and (writer := open_writer(member)) is not None:
                    writer.close(stopped)
                continue
            if not member.is_link:
                budget.start_member(member.path)
                writer = open_writer(member)
            left = int(f.uncompressed)
            crc = wrote = 0
            try:
                while left > 0:
                    if cancel is not None and cancel():
                        raise IngestCancelled("ingest cancelled")
                    at = fh.tell()
                    out = decoder.decompress(fh, min(left, SEVEN_ZIP_STEP))
                    if not out:
                        if fh.tell() == at:
                            raise ArchiveError(f"the data ends {left} bytes before the end of {member.path!r}")
                        continue
                    left -= len(out)
                    done += len(out)
                    wrote += len(out)
                    budget.add(member.path, len(out), done, bound)
                    if writer is not None:
                        writer.write(out)
                        crc = zlib.crc32(out, crc)
            except RatioExceeded as exc:
                stopped = f"not extracted: it follows a decompression bomb ({member.path!r}) in the same solid block"
                if writer is not None:
                    writer.close(str(exc), keep=False)
                continue
            except EnvironmentFailure:  # the machine's failure: no sentence on the member, the ingest stops
                raise
            except (ArchiveLimitExceeded, IngestCancelled) as exc:
                if writer is not None:
                    writer.close(str(exc))
                raise
            except Exception as exc:  # damaged data or a wrong key: keep what was read, say why it stopped
                if writer is not None:
                    writer.close(f"damaged data after {wrote} bytes: {exc}")
                raise _FolderDamaged(exc, done) from exc
            if writer is not None:
                bad = f.crc32 is not None and crc != f.crc32
                writer.close(f"damaged data after {wrote} bytes: Bad CRC-32 for file {member.raw_name!r}" if bad
                             else None)
        return done

    def close(self) -> None:
        if self._sz is not None:
            self._sz.close()
        self._fh.close()


# ----------------------------------------------------------------------------------------- folder / file


class FolderReader(ArchiveReader):
    """A plain folder (or one file): members are read in place, read-only; links are listed, never followed."""

    def __init__(self, source: Path) -> None:
        super().__init__(source)
        self._members = list(self._walk())

    def _walk(self) -> Iterator[Member]:
        if self.source.is_file():
            st = self.source.stat()
            yield Member(path=self.source.name, raw_name=self.source.name, size=st.st_size,
                         compressed_size=st.st_size, mtime=_st_mtime(st), local_path=str(self.source))
            return
        # (folder, its '/'-joined path below the source plus '/'): names are joined as text, not as Path
        # objects, which were two thirds of the listing of a folder of 10 000 files
        stack: list[tuple[str, str]] = [(str(self.source), "")]
        while stack:
            folder, prefix = stack.pop()
            try:
                entries = sorted(os.scandir(folder), key=lambda e: e.name)
            except OSError as exc:
                self.problems.append((str(Path(folder).relative_to(self.source)), f"cannot list the folder: {exc}"))
                continue
            dirs = []
            for entry in entries:
                rel = prefix + entry.name
                if entry.is_symlink():
                    yield Member(path=rel, raw_name=rel, is_link=True)
                elif entry.is_dir(follow_symlinks=False):
                    dirs.append((entry.path, rel + "/"))
                elif entry.is_file(follow_symlinks=False):
                    st = entry.stat(follow_symlinks=False)
                    yield Member(path=rel, raw_name=rel, size=st.st_size, compressed_size=st.st_size,
                                 mtime=_st_mtime(st), local_path=entry.path)
            stack.extend(reversed(dirs))

    def members(self) -> list[Member]:
        return self._members

    def extract(self, open_writer: OpenWriter, budget: ExtractionBudget,
                cancel: Callable[[], bool] | None = None) -> None:
        for member in self._members:
            if member.is_link or member.local_path is None:
                continue
            writer = open_writer(member)
            if writer is None:
                continue
            try:
                src = open(member.local_path, "rb")
            except OSError as exc:
                writer.close(f"cannot be read: {exc}")
                continue
            with src:
                done = 0
                try:
                    while chunk := src.read(CHUNK):
                        if cancel is not None and cancel():
                            raise IngestCancelled("ingest cancelled")
                        done += len(chunk)
                        writer.write(chunk)
                except OSError as exc:
                    writer.close(f"read error after {done} bytes: {exc}")
                    continue
                except IngestCancelled as exc:
                    writer.close(str(exc))
                    raise
            writer.close(None)


def _iso_utc(dt: datetime) -> str:
    return dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _st_mtime(st: os.stat_result) -> str:
    return _iso_utc(datetime.fromtimestamp(st.st_mtime, tz=timezone.utc))


def open_reader(path: Path, password: str | None = None, name_encoding: str | None = None) -> ArchiveReader:
    """Open ``path`` (zip, 7z, folder or single file) with the reader that fits its content, not its name."""
    kind = sniff_container(path)
    if kind == "folder" or kind == "file":
        return FolderReader(path)
    if kind == "zip":
        return ZipReader(path, password, name_encoding)
    if kind == "7z":
        return SevenZipReader(path, password)
    raise ArchiveError(f"{path.name}: {kind.split(':', 1)[1]} archives are not supported; repack it as zip or 7z.")
