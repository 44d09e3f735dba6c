"""Kernel triage dump parse time: a large generated dump (thousands of drivers, tens of MB of data blocks).

Real ``setupmem.dmp`` files are 0.3-2 MB; the generated one is far bigger on purpose, so a slow path (a
quadratic memory lookup, a whole-file read) shows. The baseline is reading the same file's bytes.
"""

from __future__ import annotations

import io
import struct
import tempfile
import time
from pathlib import Path

from tests.unit import dumpgen
from workbench.core.dumps.culprit import choose_culprit
from workbench.core.dumps.kdump import read_kernel_dump
from workbench.core.dumps.stack import recover_kernel_stack

NAME = "dumps"


def _big_dump(drivers: int, blocks: int) -> bytes:
    mods = [dumpgen.NT, dumpgen.NDIS, dumpgen.LWFMGR]
    for i in range(drivers):
        mods.append(dumpgen.Driver(f"drv{i:05d}.sys", 0xFFFFF80500000000 + i * 0x100000, 0x80000))
    top = 0xFFFF850429890000
    stack = bytearray(0x40000)
    for slot in range(0, len(stack), 24):
        mod = mods[(slot // 24) % len(mods)]
        struct.pack_into("<Q", stack, slot, mod.base + 0x1000 + slot)
    fault = dumpgen.NDIS.base + 0x1A047
    stack[0x400:0x8D0] = dumpgen.x64_context(fault, top + 0x1000)
    data = [(0xFFFFF80600000000 + i * 0x100, bytes([i & 0xFF]) * 0x100) for i in range(blocks)]
    spec = dumpgen.TriageSpec(bugcheck=0x7E, params=(0xC0000005, fault, 0, top + 0x400), top_of_stack=top,
                              stack=bytes(stack), drivers=mods, blocks=data)
    return dumpgen.build_triage(spec)


def measure(quick: bool) -> list[dict]:
    drivers, blocks = (500, 5_000) if quick else (4_000, 100_000)
    data = _big_dump(drivers, blocks)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "big.dmp"
        path.write_bytes(data)
        started = time.perf_counter()
        raw = path.read_bytes()
        read_s = time.perf_counter() - started
        started = time.perf_counter()
        with open(path, "rb") as fh:
            dump = read_kernel_dump(fh, len(raw))
        recover_kernel_stack(dump)
        choose_culprit(dump.report)
        parse_s = time.perf_counter() - started
    small = dumpgen.lwfmgr_case()
    started = time.perf_counter()
    for _ in range(50):
        d = read_kernel_dump(io.BytesIO(small), len(small))
        recover_kernel_stack(d)
        choose_culprit(d.report)
    small_s = (time.perf_counter() - started) / 50
    size_mb = len(data) / 2**20
    figures = []
    fixture = (Path(__file__).resolve().parents[2] / "shared" / "fixtures" / "dumps" / "bin"
               / "kernel_triage_x64_1000007E_amdppm.dmp")
    if fixture.exists():
        started = time.perf_counter()
        for _ in range(10):
            with open(fixture, "rb") as fh:
                d = read_kernel_dump(fh, fixture.stat().st_size)
            recover_kernel_stack(d)
            choose_culprit(d.report)
        figures.append({"figure": "dump_parse_fixture_ms", "value": (time.perf_counter() - started) * 100,
                        "unit": "ms", "baseline": "real x64 triage dump (1.4 MiB, 151 drivers, 1831 blocks)"})
    full = dumpgen.build_physical_dump(bitmap=True, with_images=True)
    started = time.perf_counter()
    for _ in range(20):
        d = read_kernel_dump(io.BytesIO(full), len(full))
        recover_kernel_stack(d)
        choose_culprit(d.report)
    figures.append({"figure": "dump_parse_bitmap_ms", "value": (time.perf_counter() - started) * 50, "unit": "ms",
                    "baseline": f"generated bitmap MEMORY.DMP ({len(full) // 1024} KiB), unwound with in-memory "
                                f"images ({sum(f.how == 'unwind' for f in d.report.frames)} unwound frames)"})
    return figures + [
        {"figure": "dump_parse_s", "value": parse_s, "unit": "s",
         "baseline": f"{size_mb:.0f} MiB triage dump, {drivers} drivers, {blocks} blocks, "
                     f"{len(dump.report.frames)} frames; reading its bytes took {read_s:.3f} s"},
        {"figure": "dump_parse_small_ms", "value": small_s * 1000, "unit": "ms",
         "baseline": f"setupmem-sized generated dump ({len(small) // 1024} KiB)"},
    ]
