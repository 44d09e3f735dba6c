"""Hostile archives: whatever an archive says, nothing lands outside the case folder, memory and disk stay
bounded, and every attack ends in a sentence the user can read.

Why a suite beside test_archives.py: those tests check each reader feature; these play the attacker. Every
hostile name carries a unique token, and after the ingest the whole of WORKBENCH_HOME, the temp folder
(made private to the test, so other processes' files do not blur it), the test folder and the working
directory are walked: a file or folder whose name holds the token anywhere is an escape, because the case
folder only ever holds names of our own (``case.sqlite``, ``ingest.lock``, ``blobs/0000042``).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import struct
import tempfile
import uuid
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psutil
import pytest

from tests.archives import (
    RawMember,
    add_symlink,
    make_7z,
    make_aes_zip,
    make_zip,
    make_zipcrypto,
    packed_member,
    raw_zip,
    setupact_bytes,
    zip_bytes,
    zipcrypto_member,
)
from tests.fuzz.harness import PeakSampler
from workbench.core.archive.limits import ExtractionLimits
from workbench.core.case import Case
from workbench.core.errors import ArchiveError, PasswordRequired, UserActionRequired, WrongPassword
from workbench.core.problem_text import problem_text

#: what may exist in a case folder: the database, its journal files, the lock and numbered blobs
CASE_FOLDER_NAMES = re.compile(r"^(case\.sqlite(-wal|-shm|-journal)?|ingest\.lock|blobs|blobs/\d+)$")
MAX_PEAK_MB = 300.0
SHALLOW_ROOTS = (Path("/tmp"), Path("/"), Path.cwd(), Path.cwd().parent, Path.home())


@dataclass
class Guarded:
    """The result of one guarded ingest: the case (None when opening failed), the error, memory and disk."""

    case: Case | None
    error: Exception | None
    peak_mb: float
    case_bytes: int

    def problems(self) -> list[str]:
        assert self.case is not None
        return [f"{r['file']}: {r['error']}" for r in self.case.store.query("SELECT file, error FROM problems")]

    def files(self) -> dict[str, dict]:  # type: ignore[type-arg]
        assert self.case is not None
        return {r["path"]: dict(r) for r in self.case.store.query("SELECT * FROM files")}


@pytest.fixture
def private_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A temp folder of the test's own, used by every ``tempfile`` call during the ingest."""
    folder = tmp_path / "systmp"
    folder.mkdir()
    monkeypatch.setenv("TMPDIR", str(folder))
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    yield folder


def _walk_names(root: Path) -> Iterator[Path]:
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        for name in dirnames + filenames:
            yield Path(dirpath, name)


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def guarded_ingest(src: Path, token: str, roots: list[Path], **kw: object) -> Guarded:
    """Ingest ``src`` and prove nothing escaped: no name holding ``token`` under ``roots``, the case folder
    holding only our own names, the temp folder left empty, the source unchanged."""
    before = _sha(src) if src.is_file() else None
    proc = psutil.Process()
    case: Case | None = None
    error: Exception | None = None
    with PeakSampler(proc) as sampler:
        try:
            case = Case.open(src, password=kw.pop("password", None))  # type: ignore[arg-type]
            case.ensure_ingested(**kw)  # type: ignore[arg-type]
        except (UserActionRequired, ArchiveError) as exc:
            error = exc
    escaped = [p for root in roots if root.exists() for p in _walk_names(root) if token in p.name]
    for shallow in SHALLOW_ROOTS:  # where '../..' and absolute names would land; too big to walk
        if shallow.is_dir():
            escaped += [p for p in shallow.iterdir() if token in p.name]
    assert escaped == [], f"names from the archive were written: {escaped[:5]}"
    size = 0
    if case is not None:
        for p in _walk_names(case.folder):
            rel = p.relative_to(case.folder).as_posix()
            assert CASE_FOLDER_NAMES.match(rel), f"unexpected name in the case folder: {rel}"
            assert not p.is_symlink(), f"a link was created: {rel}"
            if p.is_file():
                size += p.stat().st_size
    tmp = Path(tempfile.gettempdir())
    leftovers = list(tmp.iterdir())
    assert leftovers == [], f"temporary files left behind: {leftovers[:5]}"
    if before is not None:
        assert _sha(src) == before, "the original archive changed"
    return Guarded(case, error, (sampler.peak - sampler.start) / 2**20, size)


@pytest.fixture
def token() -> str:
    return "wbEVIL" + uuid.uuid4().hex[:10]


@pytest.fixture
def roots(tmp_path: Path, wb_home: Path, private_tmp: Path) -> list[Path]:
    """Walked in full after every ingest: the workbench home, the private temp folder and the test folder."""
    return [wb_home, private_tmp, tmp_path]


# ------------------------------------------------------------------------------------------------ names


def test_zip_slip_absolute_drive_and_unc_names(tmp_path: Path, token: str, roots: list[Path]) -> None:
    names = {
        f"../../../../../../../../tmp/{token}_slip/setupact.log": setupact_bytes(),
        f"..\\..\\..\\{token}_backslash\\setupact.log": setupact_bytes(),
        f"logs/../../{token}_mid/setupact.log": setupact_bytes(),
        f"/tmp/{token}_abs/setupact.log": setupact_bytes(),
        f"C:\\{token}_drive\\setupact.log": setupact_bytes(),
        f"C:{token}_driverel/setupact.log": setupact_bytes(),
        f"\\\\server\\share\\{token}_unc\\setupact.log": setupact_bytes(),
        f"ok/{token}_ctrl\x01\x1f/setupact.log": setupact_bytes(),
    }
    src = make_zip(tmp_path / "slip.zip", names)
    got = guarded_ingest(src, token, roots)
    files = got.files()
    assert len(files) == len(names)
    assert all(row["status"] == "parsed" for row in files.values()), files
    assert not any(p.startswith(("/", "\\")) or ".." in p.split("/") or re.match(r"^[A-Za-z]:", p) for p in files)
    problems = " | ".join(got.problems())
    for phrase in ("path traversal", "absolute path made relative", "drive letter", "UNC path"):
        assert phrase in problems
    assert got.case is not None and got.case.store.scalar("SELECT count(*) FROM timeline") == 3 * len(names)


def test_symlink_then_write_through_it(tmp_path: Path, token: str, roots: list[Path]) -> None:
    """The classic two-step: a link member pointing outside, then a file 'inside' the link."""
    outside = tmp_path / f"{token}_target"
    outside.mkdir()
    src = make_zip(tmp_path / "links.zip", {"Panther/setupact.log": setupact_bytes()})
    add_symlink(src, f"{token}_dir", str(outside))
    add_symlink(src, f"{token}_passwd", "/etc/passwd")
    add_symlink(src, f"{token}_up", "../../../../")
    with zipfile.ZipFile(src, "a") as zf:
        zf.writestr(f"{token}_dir/setupact.log", setupact_bytes())
    outside.rmdir()  # the token must not reappear: the scan below treats any such name as an escape
    got = guarded_ingest(src, token, roots)
    files = got.files()
    for link in (f"{token}_dir", f"{token}_passwd", f"{token}_up"):
        assert files[link]["status"] == "skipped" and "not followed" in files[link]["reason"]
        assert files[link]["sha256"] is None  # never read, so never resolved
    assert files[f"{token}_dir/setupact.log"]["status"] == "parsed"
    assert got.case is not None
    assert got.case.store.scalar("SELECT count(*) FROM timeline WHERE message LIKE '%root:%'") == 0


def test_7z_symlinks_are_listed_not_followed(tmp_path: Path, token: str, roots: list[Path]) -> None:
    import py7zr

    staging = tmp_path / "staging"
    staging.mkdir()
    (staging / "setupact.log").write_bytes(setupact_bytes())
    os.symlink("/etc/passwd", staging / "passwd_link")
    os.symlink("../../../..", staging / "up_link")
    src = tmp_path / "links.7z"
    with py7zr.SevenZipFile(src, "w") as sz:
        sz.write(staging / "setupact.log", "Panther/setupact.log")
        sz.write(staging / "passwd_link", f"{token}_passwd")
        sz.write(staging / "up_link", f"{token}_up")
    got = guarded_ingest(src, token, roots)
    files = got.files()
    for link in (f"{token}_passwd", f"{token}_up"):
        assert files[link]["status"] == "skipped" and "not followed" in files[link]["reason"]
    assert files["Panther/setupact.log"]["status"] == "parsed"


def test_hardlinks_in_a_folder_case_are_read_never_written(tmp_path: Path, token: str, roots: list[Path]) -> None:
    """A folder source may hold a hard link to a file anywhere on the disk: it is read, and left as it was."""
    outside = tmp_path / "elsewhere.log"
    outside.write_bytes(setupact_bytes())
    stamp = outside.stat().st_mtime_ns
    case_dir = tmp_path / "case"
    (case_dir / "Panther").mkdir(parents=True)
    os.link(outside, case_dir / "Panther" / "setupact.log")
    os.symlink(outside, case_dir / "Panther" / "setuperr.log")
    got = guarded_ingest(case_dir, token, roots)
    files = got.files()
    assert files["Panther/setupact.log"]["status"] == "parsed"
    assert files["Panther/setuperr.log"]["status"] == "skipped"
    assert outside.read_bytes() == setupact_bytes() and outside.stat().st_mtime_ns == stamp
    assert outside.stat().st_nlink == 2


def test_tar_with_hardlinks_is_not_unpacked(tmp_path: Path, token: str, roots: list[Path]) -> None:
    """tar (which can carry hard links) is not a case format: it stays one file, never unpacked (its text may
    still be read as a renamed setup log, which is harmless)."""
    import tarfile

    src = tmp_path / "logs.tar"
    payload = tmp_path / "setupact.log"
    payload.write_bytes(setupact_bytes())
    with tarfile.open(src, "w") as tf:
        tf.add(payload, "Panther/setupact.log")
        link = tarfile.TarInfo(f"{token}_hard")
        link.type = tarfile.LNKTYPE
        link.linkname = "/etc/passwd"
        tf.addfile(link)
    got = guarded_ingest(src, token, roots)
    assert list(got.files()) == ["logs.tar"]


@pytest.mark.parametrize("name", ["CON", "NUL", "aux.log", "COM1.txt", "LPT1", "con/setupact.log",
                                  "Panther/NUL.setupact.log", "PRN "])
def test_device_names_are_harmless(tmp_path: Path, token: str, roots: list[Path], name: str) -> None:
    src = make_zip(tmp_path / "dev.zip", {name: setupact_bytes(), "Panther/setupact.log": setupact_bytes()})
    got = guarded_ingest(src, token, roots)
    files = got.files()
    assert name in files and files[name]["sha256"] == hashlib.sha256(setupact_bytes()).hexdigest()
    assert files["Panther/setupact.log"]["status"] == "parsed"


def test_device_names_are_reported(tmp_path: Path, token: str, roots: list[Path]) -> None:
    src = make_zip(tmp_path / "dev.zip", {"CON": b"x", "a/NUL.txt": b"y"})
    got = guarded_ingest(src, token, roots)
    files = got.files()
    assert files["CON"]["notes"] and files["a/NUL.txt"]["notes"]


def test_names_colliding_by_case_stay_distinct(tmp_path: Path, token: str, roots: list[Path]) -> None:
    variants = ["Panther/setupact.log", "PANTHER/SETUPACT.LOG", "panther/Setupact.Log"]
    src = make_zip(tmp_path / "case.zip", {v: setupact_bytes(f"2021-05-18 03:12:0{i}, Info                  SP     "
                                                             f"copy {i}\r\n") for i, v in enumerate(variants)})
    got = guarded_ingest(src, token, roots)
    files = got.files()
    assert [files[v]["status"] for v in variants] == ["parsed"] * 3
    assert len({files[v]["blob"] for v in variants}) == 3 and len({files[v]["sha256"] for v in variants}) == 3
    assert got.case is not None and got.case.store.scalar("SELECT count(*) FROM timeline") == 12


def test_names_colliding_by_case_are_reported(tmp_path: Path, token: str, roots: list[Path]) -> None:
    src = make_zip(tmp_path / "case.zip", {"Panther/setupact.log": b"a", "PANTHER/SETUPACT.LOG": b"b"})
    got = guarded_ingest(src, token, roots)
    assert any("case" in (row["notes"] or "") for row in got.files().values()) or \
        any("case" in p for p in got.problems())


def test_duplicate_names_keep_both_members(tmp_path: Path, token: str, roots: list[Path]) -> None:
    import warnings

    src = tmp_path / "dup.zip"
    with warnings.catch_warnings(), zipfile.ZipFile(src, "w") as zf:
        warnings.simplefilter("ignore")  # zipfile warns about the duplicate we write on purpose
        zf.writestr("Panther/setupact.log", setupact_bytes())
        zf.writestr("Panther/setupact.log", setupact_bytes("2021-05-18 03:12:00, Info                  SP     again\r\n"))
    got = guarded_ingest(src, token, roots)
    assert got.case is not None and got.case.store.scalar("SELECT count(*) FROM files") == 2
    assert got.case.store.scalar("SELECT count(*) FROM timeline") == 7


# ------------------------------------------------------------------------------------------------ bombs


@pytest.mark.slow  # writing the 1 GiB bomb takes a few seconds
def test_ratio_bomb_stops_early_with_bounded_disk(tmp_path: Path, token: str, roots: list[Path]) -> None:
    """One member of 1 GiB of zeros (~1 MiB compressed): stopped once it passes 1000x its compressed size."""
    src = tmp_path / "bomb.zip"
    with zipfile.ZipFile(src, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("Panther/setupact.log", setupact_bytes())
        info = zipfile.ZipInfo(f"{token}.log")
        info.compress_type = zipfile.ZIP_DEFLATED
        with zf.open(info, "w", force_zip64=True) as out:
            block = b"\0" * (16 * 1024 * 1024)
            for _ in range(64):
                out.write(block)
    assert src.stat().st_size < 2 * 1024 * 1024
    got = guarded_ingest(src, token, roots)
    assert any("decompression bomb" in p and "expands more than 1000 times" in p for p in got.problems())
    assert got.files()["Panther/setupact.log"]["status"] == "parsed"
    assert got.case_bytes < 64 * 1024 * 1024 and got.peak_mb < MAX_PEAK_MB


def _nested_bomb(path: Path, layers: int, fan: int, leaf_bytes: int, leaves: int | None = None) -> int:
    """A 42.zip-style bomb: ``fan`` copies of the layer below in each layer; returns the bytes it expands to.

    Leaves stay below the ratio floor (8 MiB) so no single member looks like a bomb: only the case total does.
    """
    leaves = fan if leaves is None else leaves
    leaf = zip_bytes({f"leaf{i}.bin": b"\0" * leaf_bytes for i in range(leaves)})
    total = leaves * leaf_bytes
    for level in range(1, layers):
        leaf = zip_bytes({f"layer{level}_{i}.zip": leaf for i in range(fan)})
        total *= fan
    path.write_bytes(leaf)
    return total


def test_nested_bomb_is_bounded_by_depth(tmp_path: Path, token: str, roots: list[Path]) -> None:
    """Nesting deeper than the limit is not opened, whatever it would expand to (16^6 x 1 MiB)."""
    src = tmp_path / "42.zip"
    expands = _nested_bomb(src, layers=6, fan=16, leaf_bytes=1024 * 1024)
    assert expands > 2**40 and src.stat().st_size < 2 * 1024 * 1024
    got = guarded_ingest(src, token, roots, limits=ExtractionLimits(max_depth=1))
    assert any("nested deeper than 1 levels" in p for p in got.problems())
    assert got.peak_mb < MAX_PEAK_MB


def test_nested_bomb_is_bounded_by_the_case_total(tmp_path: Path, token: str, roots: list[Path]) -> None:
    """16 inner zips of 8 x 4 MiB = 512 MiB, with the case limit at 64 MiB: each inner zip alone (32 MiB) is
    under the limit, the case is 8 times over it, so extraction must stop near 64 MiB."""
    src = tmp_path / "nested.zip"
    expands = _nested_bomb(src, layers=2, fan=16, leaf_bytes=4 * 1024 * 1024, leaves=8)
    assert expands == 512 * 1024**2
    limit = 64 * 1024 * 1024
    got = guarded_ingest(src, token, roots, limits=ExtractionLimits(max_total_bytes=limit))
    assert got.case is not None
    produced = got.case.store.scalar("SELECT sum(size) FROM files WHERE kind != 'archive'") or 0
    assert any("decompression bomb" in p for p in got.problems())
    assert produced <= limit + 16 * 1024 * 1024


# --------------------------------------------------------------------------------------------- big shapes


def test_ten_thousand_deep_folder(tmp_path: Path, token: str, roots: list[Path]) -> None:
    deep = "/".join(f"d{i % 10}" for i in range(10_000))
    src = make_zip(tmp_path / "deep.zip", {f"{deep}/{token}/setupact.log": setupact_bytes(),
                                           f"{'../' * 5000}{token}_up/setupact.log": setupact_bytes()})
    got = guarded_ingest(src, token, roots)
    files = got.files()
    assert len(files) == 2 and all(r["status"] == "parsed" for r in files.values())
    assert max(len(p) for p in files) > 20_000
    assert any("path traversal" in p for p in got.problems())


@pytest.mark.slow  # ~10 s on 2 cores: 100 000 catalogue rows (batched), and the walks that prove nothing escaped
def test_hundred_thousand_files(tmp_path: Path, token: str, roots: list[Path]) -> None:
    """A collector that swept a whole temp folder: 100 000 members load, in bounded memory."""
    src = tmp_path / "many.zip"
    with zipfile.ZipFile(src, "w", compression=zipfile.ZIP_STORED) as zf:
        for i in range(100_000):
            zf.writestr(zipfile.ZipInfo(f"Temp/{i // 1000:03d}/{token}_{i}.tmp"), b"")
        zf.writestr("Panther/setupact.log", setupact_bytes())
    got = guarded_ingest(src, token, roots)
    assert got.case is not None
    assert got.case.store.scalar("SELECT count(*) FROM files") == 100_001
    assert got.files()["Panther/setupact.log"]["status"] == "parsed"
    assert got.peak_mb < MAX_PEAK_MB
    assert got.case_bytes < 200 * 1024 * 1024


# ------------------------------------------------------------------------------------- keys and damage


@pytest.mark.parametrize("maker", ["zipcrypto", "aes", "7z", "7z_header"])
def test_wrong_password_is_a_clear_error(tmp_path: Path, token: str, roots: list[Path], maker: str) -> None:
    files = {f"{token}/setupact.log": setupact_bytes()}
    src = tmp_path / ("enc.7z" if maker.startswith("7z") else "enc.zip")
    {"zipcrypto": lambda: make_zipcrypto(src, files, "right"), "aes": lambda: make_aes_zip(src, files, "right"),
     "7z": lambda: make_7z(src, files, "right"),
     "7z_header": lambda: make_7z(src, files, "right", header_encryption=True)}[maker]()
    got = guarded_ingest(src, token, roots, password="wrong")
    assert isinstance(got.error, WrongPassword), got.error
    assert "password does not open" in str(got.error) and src.name in str(got.error)
    none = guarded_ingest(src, token, roots)
    assert isinstance(none.error, PasswordRequired) and "--password" in str(none.error)


def test_encrypted_archive_inside_a_plain_one(tmp_path: Path, token: str, roots: list[Path]) -> None:
    inner = make_aes_zip(tmp_path / "inner.zip", {f"{token}/setupact.log": setupact_bytes()}, "secret")
    src = make_zip(tmp_path / "outer.zip", {"Panther/setupact.log": setupact_bytes(),
                                            "more/inner.zip": inner.read_bytes()})
    inner.unlink()
    got = guarded_ingest(src, token, roots)
    files = got.files()
    assert files["Panther/setupact.log"]["status"] == "parsed"
    assert files["more/inner.zip"]["status"] == "failed" and "password" in files["more/inner.zip"]["reason"]
    assert any(p.startswith("more/inner.zip: ") and "--password" in p for p in got.problems())


@pytest.mark.parametrize("kind", ["zip", "7z"])
@pytest.mark.parametrize("keep", [0.1, 0.5, 0.9])
def test_truncated_archives_end_in_a_clear_problem(tmp_path: Path, token: str, roots: list[Path], kind: str,
                                                   keep: float) -> None:
    members = {f"d{i}/{token}/setupact.log": setupact_bytes() * 50 for i in range(6)}
    full = (make_zip if kind == "zip" else make_7z)(tmp_path / f"full.{kind}", members)
    data = full.read_bytes()
    src = tmp_path / f"cut.{kind}"
    src.write_bytes(data[: int(len(data) * keep)])
    full.unlink()
    got = guarded_ingest(src, token, roots)
    if got.error is not None:
        assert isinstance(got.error, ArchiveError) and src.name in str(got.error)
        return
    problems = got.problems()
    assert problems, "a truncated archive must say so"
    words = ("truncated", "damaged", "missing", "unreadable", "not a readable", "could not be read", "cannot")
    assert all(p.split(": ", 1)[0] and any(w in p for w in words) for p in problems), problems
    assert any(p.startswith(f"{src.name}: ") for p in problems) or got.files()


@pytest.mark.parametrize("head", [b"", b"PK\x03\x04", b"PK\x05\x06", b"7z\xbc\xaf\x27\x1c", b"Rar!\x1a\x07"])
def test_garbage_archives_end_in_a_clear_problem(tmp_path: Path, token: str, roots: list[Path], head: bytes) -> None:
    import random

    src = tmp_path / "garbage.zip"
    src.write_bytes(head + random.Random(len(head)).randbytes(256 * 1024))
    got = guarded_ingest(src, token, roots)
    assert got.error is None and got.case is not None
    if head == b"":
        (row,) = got.files().values()
        assert row["status"] == "skipped" and row["reason"]  # not an archive: a file of an unknown kind
    else:
        problems = got.problems()
        assert problems and all(p.split(": ", 1)[0] for p in problems)  # each names a file
        assert any(p.startswith("garbage.zip: ") for p in problems)
        assert any(word in " ".join(problems) for word in ("zip", "7z", "RAR", "archive"))
    assert got.peak_mb < MAX_PEAK_MB


# ----------------------------------------------------------------------------- bombs in every codec

#: zeros each codec bomb expands to: past the ratio floor many times over, and quick to write (a 256 MiB
#: bzip2 member is ~200 bytes; the acceptance check writes 1 GiB)
BOMB_MIB = 256
ZIP_CODECS = {"deflate": zipfile.ZIP_DEFLATED, "bzip2": zipfile.ZIP_BZIP2, "lzma": zipfile.ZIP_LZMA,
              "deflate64": 9, "zstd": 93}


def _zeros(mib: int) -> Iterator[bytes]:
    zero = bytes(1 << 20)
    for _ in range(mib):
        yield zero


def _stored(name: str, data: bytes) -> RawMember:
    return RawMember(name, 0, data, len(data), zlib.crc32(data))


def codec_bomb(path: Path, codec: str, mib: int = BOMB_MIB) -> Path:
    """A zip of a setup log, ``mib`` MiB of zeros as ``bomb/setupact.log`` in ``codec``, and another setup log
    after it (which must still load)."""
    method = ZIP_CODECS[codec]
    if method in (9, 93):
        path.write_bytes(raw_zip([_stored("Panther/setupact.log", setupact_bytes()),
                                  packed_member("bomb/setupact.log", method, _zeros(mib)),
                                  _stored("Rollback/setupact.log", setupact_bytes())]))
        return path
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("Panther/setupact.log", setupact_bytes())
        info = zipfile.ZipInfo("bomb/setupact.log")
        info.compress_type = method
        with zf.open(info, "w", force_zip64=True) as out:
            for chunk in _zeros(mib):
                out.write(chunk)
        zf.writestr("Rollback/setupact.log", setupact_bytes())
    return path


def _assert_bomb_stopped(got: Guarded, member: str, most: int = 16 << 20) -> None:
    """The bomb stopped by name after at most ``most`` bytes, its bytes not kept, the members around it loaded,
    memory and disk bounded."""
    files = got.files()
    assert any(p.startswith(f"{member}: ") and "decompression bomb" in p for p in got.problems()), got.problems()
    assert files[member]["status"] == "failed" and files[member]["blob"] is None
    assert files[member]["size"] <= most
    assert files["Panther/setupact.log"]["status"] == "parsed"
    assert files["Rollback/setupact.log"]["status"] == "parsed"  # the member after the bomb still loads
    assert got.peak_mb < MAX_PEAK_MB and got.case_bytes < 64 << 20, (got.peak_mb, got.case_bytes)


@pytest.mark.parametrize("codec", list(ZIP_CODECS))
def test_codec_bombs_stop_in_bounded_memory(tmp_path: Path, roots: list[Path], token: str, codec: str) -> None:
    """Every zip codec decodes in bounded steps: a member of zeros stops at the ratio limit, memory flat."""
    src = codec_bomb(tmp_path / f"{codec}.zip", codec)
    assert src.stat().st_size < 2 << 20
    got = guarded_ingest(src, token, roots)
    # Deflate cannot pass ~1030x, so its bomb ends near the ratio limit itself: 1000x its compressed size
    _assert_bomb_stopped(got, "bomb/setupact.log", most=max(16 << 20, 1000 * src.stat().st_size))
    print(f"{codec} bomb of {BOMB_MIB} MiB in {src.stat().st_size} bytes: peak {got.peak_mb:.0f} MiB")


def test_a_bzip2_bomb_behind_zipcrypto_stops_in_bounded_memory(tmp_path: Path, roots: list[Path],
                                                                token: str) -> None:
    """Encrypted members are decrypted by zipfile but decompressed by our bounded decoders."""
    bomb = zipcrypto_member(packed_member("bomb/setupact.log", 12, _zeros(BOMB_MIB)), "pw")
    good = [zipcrypto_member(_stored(n, setupact_bytes()), "pw") for n in ("Panther/setupact.log",
                                                                            "Rollback/setupact.log")]
    src = tmp_path / "enc.zip"
    src.write_bytes(raw_zip([good[0], bomb, good[1]]))
    got = guarded_ingest(src, token, roots, password="pw")
    _assert_bomb_stopped(got, "bomb/setupact.log")


@pytest.mark.parametrize("where", ["last", "middle"])
def test_a_directory_that_lies_about_the_compressed_size(tmp_path: Path, roots: list[Path], token: str,
                                                         where: str) -> None:
    """The central directory's compressed size patched to 0x7FFFFFFF must not make the ratio limit lenient:
    the member is judged by the bytes that lie before the next member or the directory, and the lie is
    reported by name."""
    bomb = packed_member("bomb/setupact.log", 12, _zeros(BOMB_MIB))
    bomb.cd_compressed = 0x7FFFFFFF
    members = [_stored("Panther/setupact.log", setupact_bytes()), bomb, _stored("Rollback/setupact.log",
                                                                                 setupact_bytes())]
    if where == "last":
        members[1], members[2] = members[2], members[1]
    src = tmp_path / "lie.zip"
    src.write_bytes(raw_zip(members))
    assert src.stat().st_size < 2048
    got = guarded_ingest(src, token, roots)
    _assert_bomb_stopped(got, "bomb/setupact.log")
    if where == "last":
        assert any(p.startswith("bomb/setupact.log: a size that lies") for p in got.problems()), got.problems()


def test_a_lying_size_in_the_middle_is_read_up_to_the_next_member(tmp_path: Path, roots: list[Path],
                                                                  token: str) -> None:
    log = setupact_bytes()
    packed = zlib.compressobj(6, zlib.DEFLATED, -15)
    data = packed.compress(log) + packed.flush()
    members = [RawMember("Panther/setupact.log", 8, data, len(log), zlib.crc32(log), cd_compressed=0x7FFFFFFF),
               _stored("Rollback/setupact.log", log)]
    src = tmp_path / "lie.zip"
    src.write_bytes(raw_zip(members))
    got = guarded_ingest(src, token, roots)
    assert [r["status"] for r in got.files().values()] == ["parsed", "parsed"]
    assert got.problems() == [f"Panther/setupact.log: a size that lies: the archive's directory declares "
                              f"2147483647 compressed bytes where its data took {len(data)}"]


def fifield_zip(members: int, kernel_bytes: int) -> bytes:
    """Overlapping entries (David Fifield's construction): each member's data is a stored deflate block
    quoting the next member's local header, then runs on through every later member into one shared kernel,
    so each of them expands to the kernel again while the kernel is stored once."""
    kernel_c = zlib.compressobj(9, zlib.DEFLATED, -15)
    kernel = kernel_c.compress(bytes(kernel_bytes)) + kernel_c.flush()
    names = [f"part{i:03d}/setupact.log".encode() for i in range(members)]

    def local(i: int, crc: int, csize: int, size: int) -> bytes:
        return struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 20, 0x800, 8, 0, 0x5821, crc, csize, size,
                           len(names[i]), 0) + names[i]

    # sizes from the end: member i's output is every later local header then the kernel's zeros
    headers: list[bytes] = [b""] * members
    sizes = [0] * members
    csizes = [0] * members
    crcs = [0] * members
    tail_out = kernel_bytes
    tail_c = len(kernel)
    quoted: list[bytes] = []  # local headers of the members after i, in order
    for i in reversed(range(members)):
        crc = 0
        for h in quoted:
            crc = zlib.crc32(h, crc)
        crc = zlib.crc32(bytes(kernel_bytes), crc)
        sizes[i], csizes[i], crcs[i] = tail_out, tail_c, crc
        headers[i] = local(i, crc, tail_c, tail_out)
        quoted.insert(0, headers[i])
        tail_out += len(headers[i])
        tail_c += 5 + len(headers[i])
    out = bytearray()
    offsets = []
    for i in range(members):
        offsets.append(len(out))
        out += headers[i]
        if i + 1 < members:
            n = len(headers[i + 1])
            out += struct.pack("<BHH", 0, n, n ^ 0xFFFF)  # a stored, non-final block quoting the next header
    out += kernel
    central = bytearray()
    for i in range(members):
        central += struct.pack("<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 20, 20, 0x800, 8, 0, 0x5821, crcs[i],
                               csizes[i], sizes[i], len(names[i]), 0, 0, 0, 0, 0, offsets[i]) + names[i]
    end = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, members, members, len(central), len(out), 0)
    return bytes(out + central + end)


def test_overlapping_entries_are_reported_by_name(tmp_path: Path, roots: list[Path], token: str) -> None:
    """50 entries sharing one 7 MiB kernel: each under the ratio floor, 350 MiB together when each is decoded
    in full; here only the kernel's own member is, the others are named as overlapping."""
    src = tmp_path / "overlap.zip"
    src.write_bytes(fifield_zip(50, 7 << 20))
    with zipfile.ZipFile(src) as zf:  # a reader that decodes each entry gets the kernel 50 times
        assert sum(i.file_size for i in zf.infolist()) > 350 << 20
    got = guarded_ingest(src, token, roots)
    files = got.files()
    overlapping = [p for p in got.problems() if "overlapping entries" in p]
    assert len(overlapping) == 49 and all(p.startswith("part") for p in overlapping)
    assert overlapping[0].startswith("part000/setupact.log: ") and "part001/setupact.log" in overlapping[0]
    assert files["part049/setupact.log"]["size"] == 7 << 20
    assert sum(r["size"] or 0 for r in files.values() if r["sha256"]) <= 8 << 20
    assert got.case_bytes < 16 << 20 and got.peak_mb < MAX_PEAK_MB


def test_entries_pointing_at_one_header_are_reported(tmp_path: Path, roots: list[Path], token: str) -> None:
    kernel = zlib.compressobj(9, zlib.DEFLATED, -15)
    packed = kernel.compress(bytes(7 << 20)) + kernel.flush()
    one = RawMember("Panther/setupact.log", 8, packed, 7 << 20, zlib.crc32(bytes(7 << 20)))
    copies = [RawMember(f"copy{i}/setupact.log", 8, b"", 7 << 20, one.crc, cd_compressed=len(packed), offset=0)
              for i in range(3)]
    data = raw_zip([one])
    central = raw_zip([one, *copies])
    assert central.startswith(data[:30])
    src = tmp_path / "same.zip"
    src.write_bytes(central)
    got = guarded_ingest(src, token, roots)
    problems = [p for p in got.problems() if "points at the data of 'Panther/setupact.log'" in p]
    assert [p.split(":")[0] for p in problems] == [f"copy{i}/setupact.log" for i in range(3)]


SEVEN_ZIP_CODECS = ["LZMA2", "LZMA", "BCJ+LZMA2", "PPMd", "bzip2", "Zstandard", "Deflate"]


def seven_zip_bomb(path: Path, staging: Path, codec: str, mib: int = BOMB_MIB) -> Path:
    """A solid 7z: a setup log, ``mib`` MiB of zeros as ``bomb/setupact.log`` packed with ``codec``, and a
    setup log after it. The zeros come from a sparse file, so nothing large is written or held."""
    import py7zr

    filters = {"LZMA2": [{"id": py7zr.FILTER_LZMA2}], "LZMA": [{"id": py7zr.FILTER_LZMA}],
               "BCJ+LZMA2": [{"id": py7zr.FILTER_X86}, {"id": py7zr.FILTER_LZMA2}],
               "PPMd": [{"id": py7zr.FILTER_PPMD}], "bzip2": [{"id": py7zr.FILTER_BZIP2}],
               "Zstandard": [{"id": py7zr.FILTER_ZSTD}], "Deflate": [{"id": py7zr.FILTER_DEFLATE}]}[codec]
    staging.mkdir(exist_ok=True)
    (staging / "log").write_bytes(setupact_bytes())
    with open(staging / "zeros", "wb") as fh:
        fh.truncate(mib << 20)
    with py7zr.SevenZipFile(path, "w", filters=filters) as sz:
        sz.write(staging / "log", "Panther/setupact.log")
        sz.write(staging / "zeros", "bomb/setupact.log")
        sz.write(staging / "log", "Rollback/setupact.log")
    (staging / "zeros").unlink()
    return path


@pytest.mark.parametrize("codec", SEVEN_ZIP_CODECS)
def test_7z_bombs_stop_in_bounded_memory_and_disk(tmp_path: Path, roots: list[Path], token: str,
                                                  codec: str) -> None:
    """7z members are ratio-checked while they are written, whatever the coder: the folder's output against
    its packed size. The member after the bomb in the same solid block lies beyond it: named, not read."""
    mib = 64 if codec == "PPMd" else BOMB_MIB  # PPMd writes 30 MB/s; 64 MiB is still 8x the ratio floor
    src = seven_zip_bomb(tmp_path / "bomb.7z", tmp_path / "staging", codec, mib)
    assert src.stat().st_size < 1 << 20
    got = guarded_ingest(src, token, roots)
    files = got.files()
    member = "bomb/setupact.log"
    assert any(p.startswith(f"{member}: ") and "decompression bomb" in p for p in got.problems()), got.problems()
    assert files[member]["status"] == "failed" and files[member]["blob"] is None
    assert files[member]["size"] <= max(16 << 20, 1000 * src.stat().st_size + (4 << 20))
    assert files["Panther/setupact.log"]["status"] == "parsed"
    after = files["Rollback/setupact.log"]
    assert after["status"] == "failed" and "follows a decompression bomb ('bomb/setupact.log')" in after["reason"]
    assert got.peak_mb < MAX_PEAK_MB and got.case_bytes < 64 << 20, (got.peak_mb, got.case_bytes)
    print(f"7z {codec} bomb of {mib} MiB in {src.stat().st_size} bytes: peak {got.peak_mb:.0f} MiB, "
          f"stopped after {files[member]['size'] >> 20} MiB")


# ------------------------------------------------------------------------------------ the evidence hash


def _replace_keeping_size_and_mtime(path: Path, data: bytes) -> None:
    st = path.stat()
    assert len(data) == st.st_size
    path.write_bytes(data)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert path.stat().st_mtime_ns == st.st_mtime_ns


def test_the_sha256_is_of_the_bytes_read(tmp_path: Path, wb_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Replace an archive's bytes keeping its size and modification time: ``analyze`` reports the new hash,
    and the new content is stored under it (also with --reingest), never under the old one."""
    import json

    from workbench.cli import main

    src = make_zip(tmp_path / "case.zip", {"Panther/setupact.log": setupact_bytes("x" * 40)},
                   compression=zipfile.ZIP_STORED)
    assert main(["analyze", str(src), "--json"]) == 0
    first = json.loads(capsys.readouterr().out)["case"]["sha256"]
    assert first == _sha(src)
    _replace_keeping_size_and_mtime(src, src.read_bytes().replace(b"x" * 40, b"y" * 40))
    for extra in ([], ["--reingest"]):
        assert main(["analyze", str(src), "--json", *extra]) in (0, 1)
        second = json.loads(capsys.readouterr().out)["case"]["sha256"]
        assert second == _sha(src) != first
    case = Case.open(src)
    assert case.store.get_meta("sha256") == _sha(src) and case.digest_verified
    assert case.store.scalar("SELECT count(*) FROM timeline WHERE message LIKE '%yyyy%'") == 1


def test_a_cached_digest_is_only_a_shortcut_until_verified(tmp_path: Path, wb_home: Path) -> None:
    """``verify=False`` may take the cached digest, but says so, and :meth:`Case.verify_source` re-reads the
    bytes; a replaced file is not taken from the cache (its change time moved)."""
    src = make_zip(tmp_path / "case.zip", {"a.log": b"a" * 100}, compression=zipfile.ZIP_STORED)
    Case.open(src).close()
    cached = Case.open(src, verify=False)
    assert not cached.digest_verified and cached.verify_source() and cached.digest_verified
    cached.close()
    _replace_keeping_size_and_mtime(src, src.read_bytes().replace(b"a" * 100, b"b" * 100))
    again = Case.open(src, verify=False)
    assert again.digest == _sha(src)
    again.close()


# ------------------------------------------------------------------------------- temporary files, kills

_KILL_DURING_PARSE = """
import sys, time
from workbench.core.case import Case
from workbench.core.parsers import evtx

original = evtx.EvtxParser._parse_readable
def parse(self, file, mediator, header, location):
    print("PARSING", flush=True)
    time.sleep(120)
evtx.EvtxParser._parse_readable = parse
Case.open(sys.argv[1]).ensure_ingested()
"""

_KILL_DURING_EXPORT = """
import sys, time
from pathlib import Path
from workbench.core import bundle
from workbench.core.case import Case

original = bundle.copy_database
def copy(conn, target):
    original(conn, target)
    print("COPIED", target, flush=True)
    time.sleep(120)
bundle.copy_database = copy
bundle.export_case(Case.open(sys.argv[1]), Path(sys.argv[2]))
"""


def _kill_at(code: str, marker: str, *args: str) -> str:
    """Run ``code`` in a child with the test's environment, SIGKILL it once it prints ``marker``."""
    import signal
    import subprocess
    import sys

    proc = subprocess.Popen([sys.executable, "-c", code, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, cwd=Path(__file__).resolve().parents[2], env=dict(os.environ))
    assert proc.stdout is not None
    line = proc.stdout.readline()
    assert line.startswith(marker), proc.stderr.read() if proc.stderr else ""
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    return line


def _damaged_signature_case(root: Path) -> Path:
    from tests.unit.test_evtx_selfmade import T
    from workbench.writers.evtx import Event, write_evtx

    logs = root / "Windows/System32/winevt/Logs"
    log = write_evtx(logs / "System.evtx", [Event("EventLog", 6005, T, computer="PC1", qualifiers=32768)])
    log.write_bytes(b"\0" * 8 + log.read_bytes()[8:])
    (root / "Panther").mkdir(parents=True)
    (root / "Panther/setupact.log").write_bytes(setupact_bytes())
    return root


@pytest.mark.skipif(os.name != "posix", reason="SIGKILL is POSIX")
def test_a_kill_during_parse_leaves_nothing_outside_the_case(tmp_path: Path, wb_home: Path,
                                                            private_tmp: Path) -> None:
    src = _damaged_signature_case(tmp_path / "case")
    _kill_at(_KILL_DURING_PARSE, "PARSING", str(src))
    assert list(private_tmp.iterdir()) == []
    case = Case.open(src)
    assert case.store.get_meta("ingest_state") != "complete"
    assert case.ensure_ingested() is True
    assert case.store.scalar("SELECT count(*) FROM evtx_records") == 1
    assert list(private_tmp.iterdir()) == []


@pytest.mark.skipif(os.name != "posix", reason="SIGKILL is POSIX")
def test_a_kill_during_export_leaves_no_copy_beside_the_output(tmp_path: Path, wb_home: Path,
                                                              private_tmp: Path) -> None:
    """A killed export-case left a hidden, full, unredacted copy of the database beside the bundle: now its
    copies live in the case folder, and the next open of the case sweeps them."""
    from workbench.core.bundle import export_case

    src = make_zip(tmp_path / "c.zip", {"Panther/setupact.log": setupact_bytes()})
    case = Case.open(src)
    case.ensure_ingested()
    case.close()
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    line = _kill_at(_KILL_DURING_EXPORT, "COPIED", str(src), str(out_dir / "c.wbcase"))
    copy = Path(line.split(" ", 1)[1].strip())
    assert copy.is_file() and case.folder in copy.parents  # the copy was inside the case folder
    assert list(out_dir.iterdir()) == [] and list(private_tmp.iterdir()) == []
    again = Case.open(src)  # the next open sweeps the killed run's files
    assert not copy.exists() and not (again.folder / "tmp").exists()
    export_case(again, out_dir / "c.wbcase")
    assert [p.name for p in out_dir.iterdir()] == ["c.wbcase"] and not (again.folder / "tmp").exists()


# ------------------------------------------------------------------------------- odd names, empty data


def test_superscript_devices_streams_and_normalization_twins_are_flagged(tmp_path: Path, token: str,
                                                                         roots: list[Path]) -> None:
    nfc, nfd = "Panther/caf\u00e9.log", "Panther/cafe\u0301.log"
    names = {"COM\u00b9": b"a", "logs/LPT\u00b3.txt": b"b", "Panther/setupact.log:Zone.Identifier": b"c",
             "notes.txt:hidden": b"d", "a:b": b"e", nfc: b"f", nfd: b"g", "Panther/setupact.log": setupact_bytes()}
    src = make_zip(tmp_path / "odd.zip", names)
    got = guarded_ingest(src, token, roots)
    files = got.files()
    assert set(files) == {*names} - {"a:b"} | {"b"}
    problems = got.problems()
    for name in ("COM\u00b9", "logs/LPT\u00b3.txt"):
        assert any(p.startswith(f"{name}: unsafe name") and "device name" in p for p in problems), problems
    for name in ("Panther/setupact.log:Zone.Identifier", "notes.txt:hidden"):
        assert any(p.startswith(f"{name}: unsafe name") and "alternate data stream" in p for p in problems)
    assert any(p.startswith("b: unsafe name 'a:b'") for p in problems)
    assert "Unicode normalization" in (files[nfd]["notes"] or "") and nfc in files[nfd]["notes"]
    assert files[nfc]["sha256"] != files[nfd]["sha256"]  # both kept
    assert files["Panther/setupact.log"]["status"] == "parsed"
    # reported as a problem, like the other names Windows cannot hold as given, saying which twin is which
    twins = [p for p in problems if "Unicode normalization" in p]
    assert twins == [f"{nfd}: unsafe name {nfd!r}: the same name as {nfc!r} in another Unicode normalization (this "
                     "one decomposed (NFD), that one composed (NFC): one file on macOS, two on Windows; both kept)"]


def _zip_or_folder(path: Path, where: str, members: dict[str, bytes]) -> Path:
    """``members`` as a zip (``path``.zip) or as a folder (``path``), the two shapes a case arrives in."""
    if where == "zip":
        return make_zip(path.with_suffix(".zip"), members)
    for name, data in members.items():
        (path / name).parent.mkdir(parents=True, exist_ok=True)
        (path / name).write_bytes(data)
    return path


@pytest.mark.parametrize("where", ["zip", "folder"])
def test_normalization_and_case_twins_reach_the_cli(tmp_path: Path, where: str,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    """The reviewer's case: ``café`` composed and decomposed beside each other, and two names differing only
    by case; ``analyze`` lists them among the problems and exits 1, in a zip and in a folder."""
    from workbench.cli import main

    nfc, nfd = "names/caf\u00e9.txt", "names/cafe\u0301.txt"
    names = {"Panther/setupact.log": setupact_bytes(), nfc: b"nfc", nfd: b"nfd", "names/A.INF": b"a",
             "names/a.inf": b"b"}
    src = _zip_or_folder(tmp_path / "twins", where, names)
    assert main(["analyze", str(src), "--json", "--quiet"]) == 1
    problems = json.loads(capsys.readouterr().out)["case"]["problems"]
    said = [p["error"] for p in problems]
    assert sum("Unicode normalization" in e for e in said) == 1, said
    assert sum("differs only by letter case" in e for e in said) == 1, said
    zh = problem_text(next(e for e in said if "Unicode normalization" in e), "zh")
    assert "规范化" in zh and "两者都已保留" in zh, zh


@pytest.mark.parametrize("name", ["Panther/setupact.log", "Windows/MEMORY.DMP", "Windows/System32/winevt/Logs/"
                                  "System.evtx", "Rollback/setupmem.dmp", "logs/other.bin"])
@pytest.mark.parametrize("where", ["zip", "folder"])
def test_a_file_of_only_zero_bytes_is_reported_as_such(tmp_path: Path, token: str, roots: list[Path], name: str,
                                                       where: str) -> None:
    """A crash during collection leaves files allocated but never written: all NUL. Not "parsed, 0 rows"
    nor "plain text": a problem says what it is, and its zeros are not kept."""
    members = {name: bytes(300_000), "Panther/setuperr.log": setupact_bytes()}
    src = _zip_or_folder(tmp_path / "case", where, members)
    got = guarded_ingest(src, token, roots)
    row = got.files()[name]
    assert row["status"] == "failed" and row["reason"].startswith("only zero bytes (300000 bytes)")
    assert row["records"] in (None, 0) and (where == "folder" or row["blob"] is None)
    assert [p for p in got.problems() if p.startswith(f"{name}: only zero bytes")]
    assert got.files()["Panther/setuperr.log"]["status"] == "parsed"


@pytest.mark.parametrize("kind", ["zip-bzip2", "7z-LZMA2"])
def test_a_bomb_exits_1_with_one_sentence_naming_it(tmp_path: Path, wb_home: Path, kind: str,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    import json

    from workbench.cli import main

    if kind == "zip-bzip2":
        src = codec_bomb(tmp_path / "bomb.zip", "bzip2", 64)
    else:
        src = seven_zip_bomb(tmp_path / "bomb.7z", tmp_path / "staging", "LZMA2", 64)
    assert main(["analyze", str(src), "--json"]) == 1
    out, err = capsys.readouterr()
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "bomb/setupact.log" in lines[0] and "decompression bomb" in lines[0], err
    problems = json.loads(out)["case"]["problems"]
    assert any(p["file"] == "bomb/setupact.log" for p in problems)
