"""A 7z cut short keeps what its packed data still holds: decoded without the lost file list."""

from __future__ import annotations

import hashlib
import random
from pathlib import Path

import pytest

from tests.archives import make_7z, setupact_bytes
from workbench.core.archive.limits import ExtractionLimits
from workbench.core.archive.sevenzip_recover import RECOVERED_NAME, cut_short
from workbench.core.case import Case


def ingest(path: Path, limits: ExtractionLimits | None = None) -> Case:
    case = Case.open(path)
    case.ensure_ingested(limits=limits)
    return case


def problems(case: Case) -> list[str]:
    return [f"{r['file']}: {r['error']}" for r in case.store.query("SELECT file, error FROM problems")]


def recovered(case: Case) -> dict:  # type: ignore[type-arg]
    (row,) = [dict(r) for r in case.store.query("SELECT * FROM files")]
    assert row["path"] == RECOVERED_NAME
    return row


def logs(count: int) -> dict[str, bytes]:
    """Setup logs whose lines say which file they are from, in the order py7zr packs them."""
    return {f"Panther/{n}/setupact.log": setupact_bytes(f"marker file {n}\n") * 40 for n in range(count)}


def test_a_7z_cut_in_its_packed_data_gives_back_the_lines_before_the_cut(tmp_path: Path) -> None:
    full = make_7z(tmp_path / "full.7z", logs(3))
    data = full.read_bytes()
    src = tmp_path / "upload.7z"
    src.write_bytes(data[: len(data) // 2])
    before = hashlib.sha256(src.read_bytes()).hexdigest()
    case = ingest(src)
    row = recovered(case)
    assert row["kind"] == "setupact" and row["status"] == "partial" and row["records"] > 0
    said = problems(case)
    assert any(p.startswith("upload.7z: ") and "cut short" in p and "names are lost" in p for p in said), said
    assert any(p.startswith(f"{RECOVERED_NAME}: recovered from a truncated 7z") for p in said), said
    assert case.store.scalar("SELECT count(*) FROM timeline WHERE message LIKE '%marker file 0%'") > 0
    assert hashlib.sha256(src.read_bytes()).hexdigest() == before  # the upload is never written to


def test_a_7z_cut_in_its_file_list_gives_back_every_byte_and_nothing_more(tmp_path: Path) -> None:
    members = logs(3)
    full = make_7z(tmp_path / "full.7z", members)
    src = tmp_path / "upload.7z"
    src.write_bytes(full.read_bytes()[:-8])  # the cut falls in the file list after the packed data
    case = ingest(src)
    row = recovered(case)
    assert row["size"] == sum(len(b) for b in members.values())
    blob = Path(row["blob"]).read_bytes()
    assert blob == b"".join(members.values())  # py7zr packs in the order given, no byte of the header added
    for n in range(3):
        assert case.store.scalar("SELECT count(*) FROM timeline WHERE message LIKE ?", (f"%marker file {n}%",)) > 0


def test_a_7z_never_finished_is_read_too(tmp_path: Path) -> None:
    members = logs(2)
    full = make_7z(tmp_path / "full.7z", members)
    data = full.read_bytes()
    offset = int.from_bytes(data[12:20], "little")
    src = tmp_path / "unfinished.7z"
    # what 7-Zip leaves when it stops before the end: a blank start header and the packed data only
    src.write_bytes(data[:8] + bytes(24) + data[32:32 + offset])
    with open(src, "rb") as fh:
        assert "never finished" in (cut_short(fh, src.stat().st_size) or "")
    case = ingest(src)
    assert Path(recovered(case)["blob"]).read_bytes() == b"".join(members.values())


def test_an_encrypted_7z_cut_short_says_nothing_could_be_decoded(tmp_path: Path) -> None:
    full = make_7z(tmp_path / "full.7z", logs(2), password="secret")
    src = tmp_path / "locked.7z"
    src.write_bytes(full.read_bytes()[:-30])
    case = ingest(src)
    assert any("nothing could be decoded" in p for p in problems(case)), problems(case)
    assert case.store.scalar("SELECT count(*) FROM timeline") == 0


def test_garbage_after_the_7z_signature_loads_as_an_empty_case_with_a_reason(tmp_path: Path) -> None:
    src = tmp_path / "garbage.7z"
    src.write_bytes(b"7z\xbc\xaf\x27\x1c" + random.Random(7).randbytes(64 * 1024))
    case = ingest(src)
    assert problems(case)
    assert case.store.scalar("SELECT count(*) FROM timeline") == 0


@pytest.mark.parametrize("keep", [0.3, 0.9])
def test_a_cut_7z_bomb_is_stopped_by_the_same_limits(tmp_path: Path, keep: float) -> None:
    full = make_7z(tmp_path / "full.7z", {"zeros.log": b"A" * (30 * 1024 * 1024)})
    data = full.read_bytes()
    src = tmp_path / "bomb.7z"
    src.write_bytes(data[: max(40, int(len(data) * keep))])
    case = ingest(src, limits=ExtractionLimits(max_ratio=50, ratio_floor_bytes=1024 * 1024))
    assert any("decompression bomb" in p for p in problems(case)), problems(case)
    blob = recovered(case)["blob"]
    assert blob is None or Path(blob).stat().st_size < 30 * 1024 * 1024


def test_a_zero_filled_tail_ends_the_data_at_once(tmp_path: Path) -> None:
    """What a crash leaves: a blank start header, the packed data, then preallocated zeros (each zero would
    otherwise read as one more empty LZMA2 stream)."""
    import time

    members = logs(2)
    data = make_7z(tmp_path / "full.7z", members).read_bytes()
    offset = int.from_bytes(data[12:20], "little")
    src = tmp_path / "crashed.7z"
    src.write_bytes(data[:8] + bytes(24) + data[32:32 + offset] + bytes(2 * 1024 * 1024))
    started = time.perf_counter()
    case = ingest(src)
    assert time.perf_counter() - started < 30  # a crawl through the zeros took a minute
    assert Path(recovered(case)["blob"]).read_bytes() == b"".join(members.values())


def test_a_split_7z_missing_its_last_volume_is_measured_over_every_volume(tmp_path: Path) -> None:
    members = {f"Panther/{n}/setupact.log": random.Random(n).randbytes(100_000) for n in range(3)}
    data = make_7z(tmp_path / "full.7z", members).read_bytes()
    third = len(data) // 3 + 1
    for n in range(2):  # the third volume never arrived
        (tmp_path / f"upload.7z.{n + 1:03d}").write_bytes(data[n * third:(n + 1) * third])
    case = ingest(tmp_path / "upload.7z.001")
    said = problems(case)
    assert any(f"{2 * third} of at least {len(data)} bytes" in p for p in said), said
    size = recovered(case)["size"]
    assert size > len(b"".join(members.values())) // 2  # decoding went on into the second volume
