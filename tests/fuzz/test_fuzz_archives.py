"""Hostile archives, mutated: zips of every codec with a bomb among them, overlapping entries, and solid 7z
bombs, each byte-mutated and opened as a case. Whatever a mutation does, the case opens or says why in one
sentence, memory and disk stay bounded, and nothing escapes as a traceback.

Kept fast for CI (derandomized, a few examples each); ``WB_FUZZ_EXAMPLES`` runs more.
"""

from __future__ import annotations

import os
import shutil
import zlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from tests.archives import RawMember, packed_member, raw_zip, setupact_bytes
from tests.fuzz.harness import FuzzTimeout, _alarm, mutated, shared_sampler
from tests.unit.test_hostile_archives import _zeros, fifield_zip, seven_zip_bomb
from workbench.core.case import Case
from workbench.core.errors import ArchiveError, UserActionRequired

EXAMPLES = int(os.environ.get("WB_FUZZ_EXAMPLES", "6"))
TIMEOUT_S = 60.0
MAX_PEAK_MB = 300.0
MAX_CASE_MB = 64.0
BOMB_MIB = 32  # four times the ratio floor: each seed's bomb must be stopped, not merely end


def _codecs_zip() -> bytes:
    """One zip, every codec: a bzip2 bomb, and a setup log in LZMA, Deflate64, Zstandard, Deflate and stored."""
    import lzma

    log = setupact_bytes()
    lzma1 = {"id": lzma.FILTER_LZMA1, "dict_size": 1 << 20, "lc": 3, "lp": 0, "pb": 2}
    raw = lzma.LZMACompressor(lzma.FORMAT_RAW, filters=[lzma1])
    header = b"\x09\x14\x05\x00" + bytes([93]) + (1 << 20).to_bytes(4, "little")  # APPNOTE 5.8.8
    lz = RawMember("lzma/setupact.log", 14, header + raw.compress(log) + raw.flush(), len(log), zlib.crc32(log))
    return raw_zip([packed_member("bomb/setupact.log", 12, _zeros(BOMB_MIB)), lz,
                    packed_member("d64/setupact.log", 9, [log]), packed_member("zstd/setupact.log", 93, [log]),
                    packed_member("deflate/setupact.log", 8, [log]),
                    RawMember("stored/setupact.log", 0, log, len(log), zlib.crc32(log))])


def _seeds(tmp: Path) -> dict[str, list[bytes]]:
    seven = seven_zip_bomb(tmp / "bomb.7z", tmp / "staging", "LZMA2", BOMB_MIB).read_bytes()
    ppmd = seven_zip_bomb(tmp / "ppmd.7z", tmp / "staging", "PPMd", 16).read_bytes()
    codecs = _codecs_zip()
    return {"zip": [codecs, raw_zip([packed_member("Panther/setupact.log", 9, [setupact_bytes()])])],
            "overlap": [fifield_zip(6, 1 << 20)], "7z": [seven, ppmd]}


_SEEDS: dict[str, list[bytes]] = {}


def _run(data: bytes, folder: Path) -> list[str]:
    """Open ``data`` as a case; every way the run breaks the contract."""
    folder.mkdir(parents=True)
    src = folder / "case.bin"
    src.write_bytes(data)
    sampler = shared_sampler()
    sampler.reset()
    bad: list[str] = []
    case = None
    try:
        with _alarm(TIMEOUT_S):
            case = Case.open(src)
            case.ensure_ingested()
    except FuzzTimeout:
        bad.append(f"no result within {TIMEOUT_S} s")
    except (ArchiveError, UserActionRequired) as exc:
        if "\n" in str(exc) or not str(exc):
            bad.append(f"not one sentence: {exc!r}")
    except Exception as exc:  # what the test is looking for
        bad.append(f"an exception escaped: {type(exc).__name__}: {exc}")
    peak = sampler.peak_mb()
    if peak > MAX_PEAK_MB:
        bad.append(f"memory peaked {peak:.0f} MiB above the start")
    if case is not None:
        size = sum(p.stat().st_size for p in case.folder.rglob("*") if p.is_file())
        if size > MAX_CASE_MB * 2**20:
            bad.append(f"the case folder grew to {size / 2**20:.0f} MiB")
        case.close()
        shutil.rmtree(case.folder, ignore_errors=True)
    shutil.rmtree(folder, ignore_errors=True)
    return bad


@pytest.mark.parametrize("kind", ["zip", "overlap", "7z"])
def test_mutated_hostile_archives_stay_bounded(kind: str, tmp_path: Path, wb_home: Path) -> None:
    if not _SEEDS:
        seeds = tmp_path / "seeds"
        seeds.mkdir()
        _SEEDS.update(_seeds(seeds))
    count = [0]
    for n, seed in enumerate(_SEEDS[kind]):  # the seeds themselves first
        assert _run(seed, tmp_path / f"seed{n}") == [], f"{kind} seed {n}"

    @settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None, print_blob=True,
              suppress_health_check=list(HealthCheck))
    @given(data=mutated(_SEEDS[kind]))
    def check(data: bytes) -> None:
        count[0] += 1
        assert _run(data, tmp_path / f"input{count[0]}") == [], f"{kind}: {len(data)}-byte input"

    check()


def test_the_codecs_seed_loads_every_member_but_the_bomb(tmp_path: Path, wb_home: Path) -> None:
    """The seed is what it says: five codecs parsed, the bzip2 bomb stopped by name."""
    src = tmp_path / "codecs.zip"
    src.write_bytes(_codecs_zip())
    case = Case.open(src)
    case.ensure_ingested()
    rows = {r["path"]: r["status"] for r in case.store.query("SELECT path, status FROM files")}
    assert rows == {"bomb/setupact.log": "failed", **{f"{k}/setupact.log": "parsed" for k in
                                                       ("lzma", "d64", "zstd", "deflate", "stored")}}
    case.close()
