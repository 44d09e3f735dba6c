"""Opening collected archives: formats, encodings, passwords, hostile names, bombs and damage."""

from __future__ import annotations

import hashlib
import zipfile
import zlib
from pathlib import Path

import pytest

from tests.archives import (
    RawMember,
    add_symlink,
    deflate64_member,
    make_7z,
    make_aes_zip,
    make_zip,
    make_zipcrypto,
    raw_zip,
    setupact_bytes,
    zip_bytes,
)
from workbench.core.archive.limits import ExtractionLimits
from workbench.core.case import Case
from workbench.core.errors import PasswordRequired, WrongPassword

PANTHER = "$WINDOWS.~BT/Sources/Panther/setupact.log"


def ingest(path: Path, **kw) -> Case:  # type: ignore[no-untyped-def]
    limits = kw.pop("limits", None)
    case = Case.open(path, **kw)
    case.ensure_ingested(limits=limits)
    return case


def files(case: Case) -> dict[str, dict]:  # type: ignore[type-arg]
    return {r["path"]: dict(r) for r in case.store.query("SELECT * FROM files")}


def problems(case: Case) -> list[str]:
    return [f"{r['file']}: {r['error']}" for r in case.store.query("SELECT file, error FROM problems")]


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("compression", [zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2,
                                         zipfile.ZIP_LZMA])
def test_zip_methods_reach_the_timeline(tmp_path: Path, compression: int) -> None:
    src = make_zip(tmp_path / "case.zip", {PANTHER: setupact_bytes()}, compression=compression)
    case = ingest(src)
    row = files(case)[PANTHER]
    assert row["status"] == "parsed" and row["kind"] == "setupact" and row["role"] == "downlevel"
    assert row["sha256"] == hashlib.sha256(setupact_bytes()).hexdigest()
    assert case.store.scalar("SELECT count(*) FROM timeline") == 3


def test_deflate64_members_are_read(tmp_path: Path) -> None:
    """Windows' own "Send to > Compressed folder" writes Deflate64 (method 9) for big files: read through
    inflate64, checked by CRC, beside a member that is damaged."""
    big = setupact_bytes("".join(f"2021-05-18 03:12:{i % 60:02d}, Info                  SP     line {i}\r\n"
                                 for i in range(20_000)))
    good = deflate64_member(PANTHER, [big[i:i + 70_000] for i in range(0, len(big), 70_000)])
    assert good.size > 1024 * 1024 and len(good.payload) < good.size // 2
    bad = deflate64_member("Rollback/setupact.log", [setupact_bytes()])
    bad.crc ^= 1
    src = tmp_path / "case.zip"
    src.write_bytes(raw_zip([good, bad]))
    case = ingest(src)
    rows = files(case)
    assert rows[PANTHER]["status"] == "parsed" and rows[PANTHER]["sha256"] == hashlib.sha256(big).hexdigest()
    assert case.store.scalar("SELECT count(*) FROM timeline WHERE file_id = ?", (rows[PANTHER]["id"],)) == 20_003
    assert rows["Rollback/setupact.log"]["status"] == "partial"
    assert "Bad CRC-32" in rows["Rollback/setupact.log"]["reason"]


def test_deflate64_bomb_stops_in_bounded_memory(tmp_path: Path) -> None:
    """Deflate64 expands up to ~26 000 times and inflate64 takes no output limit: fed in small pieces, it is
    stopped by the ratio limit a few megabytes in, with flat memory."""
    import psutil

    from tests.fuzz.harness import PeakSampler

    zeros = b"\0" * (1 << 20)
    bomb = deflate64_member("Panther/setupact.log", (zeros for _ in range(512)))
    assert bomb.size == 512 << 20 and len(bomb.payload) < 64 * 1024
    src = tmp_path / "bomb.zip"
    src.write_bytes(raw_zip([bomb, RawMember("notes.txt", 0, b"kept", 4, zlib.crc32(b"kept"))]))
    with PeakSampler(psutil.Process()) as sampler:
        case = ingest(src)
    assert (sampler.peak - sampler.start) / 2**20 < 300
    rows = files(case)
    assert rows["Panther/setupact.log"]["size"] < 64 << 20
    assert any("decompression bomb" in p and p.startswith("Panther/setupact.log: ") for p in problems(case))
    assert rows["notes.txt"]["sha256"] == hashlib.sha256(b"kept").hexdigest()


def test_gbk_names_without_utf8_flag_are_decoded(tmp_path: Path) -> None:
    src = make_zip(tmp_path / "升级失败.zip", {"日志/升级失败/setupact.log": setupact_bytes(),
                                              "说明.txt": "客户说明".encode("gbk")}, legacy_codec="gbk")
    raw = zipfile.ZipFile(src).namelist()
    assert "日志/升级失败/setupact.log" not in raw  # Python alone shows mojibake
    case = ingest(src)
    assert "日志/升级失败/setupact.log" in files(case)
    assert "说明.txt" in files(case)


def test_legacy_cp437_names_stay_cp437(tmp_path: Path) -> None:
    src = make_zip(tmp_path / "a.zip", {"Résumé/setupact.log": setupact_bytes()}, legacy_codec="cp437")
    assert "Résumé/setupact.log" in files(ingest(src))


def test_nested_archives_zip_in_zip_and_7z_in_zip(tmp_path: Path) -> None:
    inner7z = make_7z(tmp_path / "inner.7z", {"Rollback/setupact.log": setupact_bytes()})
    innerzip = zip_bytes({PANTHER: setupact_bytes()})
    deeper = zip_bytes({"second.zip": innerzip})
    src = make_zip(tmp_path / "outer.zip", {"upload1.zip": innerzip, "upload2.7z": inner7z.read_bytes(),
                                            "deep/layer.zip": deeper})
    case = ingest(src)
    rows = files(case)
    assert rows["upload1.zip"]["status"] == "expanded"
    assert rows[f"upload1.zip::{PANTHER}"]["status"] == "parsed"
    assert rows["upload2.7z::Rollback/setupact.log"]["status"] == "parsed"
    assert rows["upload2.7z::Rollback/setupact.log"]["role"] == "rollback"
    assert rows[f"deep/layer.zip::second.zip::{PANTHER}"]["status"] == "parsed"


def test_nesting_deeper_than_the_limit_is_not_opened(tmp_path: Path) -> None:
    data = zip_bytes({"setupact.log": setupact_bytes()})
    for _ in range(3):
        data = zip_bytes({"inner.zip": data})
    src = tmp_path / "deep.zip"
    src.write_bytes(data)
    case = ingest(src, limits=ExtractionLimits(max_depth=2))
    assert any("nested deeper than 2" in p for p in problems(case))
    assert not any(p.endswith("setupact.log") for p in files(case))


@pytest.mark.parametrize("maker", [make_zipcrypto, make_aes_zip, make_7z])
def test_encrypted_archives_need_the_right_password(tmp_path: Path, maker) -> None:  # type: ignore[no-untyped-def]
    src = maker(tmp_path / "secret.bin", {PANTHER: setupact_bytes()}, "s3cret")
    with pytest.raises(PasswordRequired, match="password"):
        ingest(src)
    with pytest.raises(WrongPassword):
        Case.open(src, password="wrong!").ensure_ingested(force=True)
    case = Case.open(src, password="s3cret")
    case.ensure_ingested(force=True)
    assert files(case)[PANTHER]["status"] == "parsed"


def test_7z_with_encrypted_file_list(tmp_path: Path) -> None:
    src = make_7z(tmp_path / "hidden.7z", {PANTHER: setupact_bytes()}, "pw", header_encryption=True)
    with pytest.raises(PasswordRequired):
        ingest(src)
    with pytest.raises(WrongPassword):
        Case.open(src, password="nope").ensure_ingested(force=True)
    assert files(ingest(src, password="pw"))[PANTHER]["status"] == "parsed"


def test_hostile_names_never_leave_the_case_folder(tmp_path: Path, wb_home: Path) -> None:
    names = {
        "../../evil/setupact.log": setupact_bytes(),
        "/etc/passwd_setupact.log": setupact_bytes(),
        "C:\\Windows\\System32\\drivers\\etc\\hosts.txt": b"127.0.0.1 localhost",
        "CON": b"device name",
        "a/NUL.txt": b"device name",
        "Case/SetupAct.log": setupact_bytes(),
        "case/setupact.log": setupact_bytes(),
    }
    src = make_zip(tmp_path / "hostile.zip", names)
    add_symlink(src, "link_to_etc", "/etc/shadow")
    before = sha(src)
    case = ingest(src)
    rows = files(case)
    assert "evil/setupact.log" in rows and rows["evil/setupact.log"]["status"] == "parsed"
    assert "etc/passwd_setupact.log" in rows
    assert "Windows/System32/drivers/etc/hosts.txt" in rows
    assert rows["link_to_etc"]["status"] == "skipped" and "link" in rows["link_to_etc"]["reason"]
    assert rows["Case/SetupAct.log"]["status"] == rows["case/setupact.log"]["status"] == "parsed"
    assert any("traversal" in p for p in problems(case))
    assert any("absolute" in p for p in problems(case))
    assert any("drive letter" in p for p in problems(case))
    # everything written is inside the case folder, under names of our own
    written = [p for p in wb_home.rglob("*") if p.is_file()]
    assert all(case.folder in p.parents or p.parent.name == "_index" for p in written)
    assert not (tmp_path / "evil").exists() and not (wb_home.parent / "evil").exists()
    assert sha(src) == before


def test_zip_bomb_stops_with_a_clear_error(tmp_path: Path) -> None:
    src = make_zip(tmp_path / "bomb.zip", {"setupact.log": setupact_bytes(), "zeros.log": b"A" * (40 * 1024 * 1024)})
    case = ingest(src, limits=ExtractionLimits(max_ratio=50, ratio_floor_bytes=1024 * 1024))
    assert any("decompression bomb" in p for p in problems(case))
    assert files(case)["setupact.log"]["status"] == "parsed"
    assert files(case)["zeros.log"]["status"] in ("partial", "failed")
    blob = files(case)["zeros.log"]["blob"]
    assert blob is None or Path(blob).stat().st_size < 40 * 1024 * 1024


def test_total_size_limit(tmp_path: Path) -> None:
    src = make_zip(tmp_path / "big.zip", {f"f{i}.log": b"x" * 300_000 for i in range(10)})
    case = ingest(src, limits=ExtractionLimits(max_total_bytes=1_000_000))
    assert any("expands to more than" in p for p in problems(case))


def test_too_many_members(tmp_path: Path) -> None:
    src = make_zip(tmp_path / "many.zip", {f"f{i}.txt": b"x" for i in range(50)})
    case = ingest(src, limits=ExtractionLimits(max_members=10))
    assert any("more than the limit of 10" in p for p in problems(case))


def test_truncated_zip_recovers_members_before_the_cut(tmp_path: Path) -> None:
    full = make_zip(tmp_path / "full.zip", {"a/setupact.log": setupact_bytes(), "b/setuperr.log": setupact_bytes(),
                                           "c/big.bin": bytes(range(256)) * 4000})
    data = full.read_bytes()
    cut = tmp_path / "cut.zip"
    cut.write_bytes(data[: int(len(data) * 0.8)])
    case = ingest(cut)
    rows = files(case)
    assert rows["a/setupact.log"]["status"] == "parsed"
    assert rows["b/setuperr.log"]["status"] == "parsed"
    assert any("directory is unreadable" in p for p in problems(case))


def test_truncated_7z_is_reported_not_fatal(tmp_path: Path) -> None:
    full = make_7z(tmp_path / "full.7z", {"setupact.log": setupact_bytes()})
    cut = tmp_path / "cut.7z"
    cut.write_bytes(full.read_bytes()[:60])
    case = ingest(cut)
    assert problems(case) and any(p.startswith("cut.7z: ") and "cut short" in p for p in problems(case))
    assert case.store.scalar("SELECT count(*) FROM files WHERE status = 'parsed'") == 0


def test_damaged_member_keeps_other_members(tmp_path: Path) -> None:
    src = make_zip(tmp_path / "d.zip", {"one/setupact.log": setupact_bytes(), "two/setupact.log": setupact_bytes()})
    data = bytearray(src.read_bytes())
    start = data.find(b"two/setupact.log") + len(b"two/setupact.log")  # first local header body after the name
    data[start + 5 : start + 25] = b"\xff" * 20
    src.write_bytes(bytes(data))
    case = ingest(src)
    rows = files(case)
    assert rows["one/setupact.log"]["status"] == "parsed"
    assert rows["two/setupact.log"]["status"] in ("partial", "failed")
    assert any(p.startswith("two/setupact.log") for p in problems(case))


def test_empty_archive(tmp_path: Path) -> None:
    src = make_zip(tmp_path / "empty.zip", {})
    case = ingest(src)
    assert case.store.scalar("SELECT count(*) FROM files") == 0
    assert case.store.get_meta("ingest_state") == "complete"


def test_non_archive_is_a_single_file_case(tmp_path: Path) -> None:
    src = tmp_path / "random.bin"
    src.write_bytes(bytes(range(256)) * 10)
    case = ingest(src)
    assert files(case)["random.bin"]["kind"] == "unknown"
    assert files(case)["random.bin"]["status"] == "skipped"


def test_unsupported_archive_formats_say_so(tmp_path: Path) -> None:
    src = tmp_path / "logs.rar"
    src.write_bytes(b"Rar!\x1a\x07\x01\x00" + b"\x00" * 100)
    case = ingest(src)
    assert any("RAR archives are not supported" in p for p in problems(case))


def test_folder_case_reads_in_place_and_skips_links(tmp_path: Path, wb_home: Path) -> None:
    folder = tmp_path / "collected"
    (folder / "$WINDOWS.~BT/Sources/Rollback").mkdir(parents=True)
    (folder / "$WINDOWS.~BT/Sources/Rollback/setupact.log").write_bytes(setupact_bytes())
    (folder / "outside.log").symlink_to("/etc/hostname")
    case = ingest(folder)
    rows = files(case)
    assert rows["$WINDOWS.~BT/Sources/Rollback/setupact.log"]["role"] == "rollback"
    assert rows["$WINDOWS.~BT/Sources/Rollback/setupact.log"]["blob"].startswith(str(folder))
    assert rows["outside.log"]["status"] == "skipped"
    assert not (case.folder / "blobs").exists()


def test_the_original_archive_is_opened_read_only(tmp_path: Path) -> None:
    src = make_zip(tmp_path / "ro.zip", {PANTHER: setupact_bytes()})
    src.chmod(0o444)
    before = sha(src)
    ingest(src)
    assert sha(src) == before


@pytest.mark.parametrize("kind", ["zip", "7z"])
def test_split_volumes_read_as_one_archive(tmp_path: Path, kind: str) -> None:
    whole = tmp_path / f"whole.{kind}"
    payload = {PANTHER: setupact_bytes(), "big.bin": bytes(range(256)) * 2000}
    (make_zip if kind == "zip" else make_7z)(whole, payload)
    data = whole.read_bytes()
    third = len(data) // 3 + 1
    for i in range(3):
        (tmp_path / f"upload.{kind}.{i + 1:03d}").write_bytes(data[i * third:(i + 1) * third])
    case = ingest(tmp_path / f"upload.{kind}.001")
    rows = files(case)
    assert rows[PANTHER]["status"] == "parsed"
    assert rows["big.bin"]["sha256"] == hashlib.sha256(payload["big.bin"]).hexdigest()
    assert case.digest == hashlib.sha256(data).hexdigest()


def test_truncated_zip_with_lzma_member_is_recovered(tmp_path: Path) -> None:
    full = make_zip(tmp_path / "full.zip", {PANTHER: setupact_bytes(), "pad.bin": bytes(range(256)) * 400},
                    compression=zipfile.ZIP_LZMA)
    cut = tmp_path / "cut.zip"
    cut.write_bytes(full.read_bytes()[:-30])  # the end of the central directory is gone
    rows = files(ingest(cut))
    assert rows[PANTHER]["status"] == "parsed"
    assert rows["pad.bin"]["sha256"] == hashlib.sha256(bytes(range(256)) * 400).hexdigest()
