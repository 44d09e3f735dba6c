"""Opening a large collected archive: time to catalogue, time to ingest, peak memory.

The archive (≥ 1 GiB, thousands of files; 100 MiB with --quick) holds what a real collection holds: many
setup logs (deflated text) beside big binary files (stored, like dumps and ETL traces). The baseline is
Python's zipfile reading every member once, in the same run: the floor any ingest has to pay.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

NAME = "archive"

HERE = Path(__file__).resolve().parent


def _setup_log(rng: random.Random, lines: int) -> bytes:
    comps = ["SP", "MOUPG", "MIG", "CONX", "DISM", "PANTHR"]
    out = []
    for i in range(lines):
        level = "Error      " if rng.random() < 0.01 else "Info       "
        out.append(f"2026-11-02 14:{(i // 60) % 60:02d}:{i % 60:02d}, {level}           {rng.choice(comps):<7}"
                   f"Operation {rng.randint(1, 999)} on object C:\\Windows\\System32\\file{rng.randint(1, 99999)}.dll "
                   f"returned 0x{rng.randint(0, 2**32 - 1):08X}")
    return ("\r\n".join(out) + "\r\n").encode()


def build_archive(path: Path, total_bytes: int, logs: int) -> dict[str, int]:
    """Write the synthetic case; returns its file count and size."""
    rng = random.Random(1234)
    blob_size = 4 * 1024 * 1024
    blobs = max(1, (total_bytes - logs * 20_000) // blob_size)
    with zipfile.ZipFile(path, "w") as zf:
        for i in range(logs):
            folder = rng.choice(["$WINDOWS.~BT/Sources/Panther", "$WINDOWS.~BT/Sources/Rollback", "Windows/Panther"])
            zf.writestr(zipfile.ZipInfo(f"pc{i % 50:02d}/{folder}/setupact_{i}.log"), _setup_log(rng, 400),
                        compress_type=zipfile.ZIP_DEFLATED)
        for i in range(blobs):
            zf.writestr(zipfile.ZipInfo(f"pc{i % 50:02d}/Windows/Temp/trace_{i}.bin"), os.urandom(blob_size),
                        compress_type=zipfile.ZIP_STORED)
    return {"files": logs + blobs, "bytes": path.stat().st_size}


_CHILD = r"""
import json, resource, sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[2])
from workbench.core.archive import open_reader
from workbench.core.case import Case
from workbench.core.ingest import Progress
src = Path(sys.argv[1])
t0 = time.perf_counter()
with open_reader(src) as reader:
    n = len(reader.members())
catalogue = time.perf_counter() - t0
first = {}
def progress(p: Progress) -> None:
    if p.stage == "catalogue" and "t" not in first:
        first["t"] = time.perf_counter() - t1
t1 = time.perf_counter()
case = Case.open(src)
case.ensure_ingested(progress=progress, force=True)
ingest = time.perf_counter() - t1
rows = case.store.scalar("SELECT count(*) FROM timeline")
t2 = time.perf_counter()
case.close()
case = Case.open(src)
assert case.ensure_ingested() is False
reopen = time.perf_counter() - t2
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"catalogue_s": catalogue, "members": n, "ingest_s": ingest, "first_catalogue_s": first.get("t"),
                  "rows": rows, "reopen_s": reopen, "peak_rss_mb": peak}))
"""


def _raw_read(path: Path) -> float:
    t0 = time.perf_counter()
    with zipfile.ZipFile(path) as zf:
        for info in zf.infolist():
            with zf.open(info) as fh:
                while fh.read(1024 * 1024):
                    pass
    return time.perf_counter() - t0


def measure(quick: bool) -> list[dict]:
    total = (100 if quick else 1100) * 1024 * 1024
    logs = 300 if quick else 3000
    with tempfile.TemporaryDirectory(prefix="wb-bench-") as tmp:
        archive = Path(tmp) / "large-case.zip"
        info = build_archive(archive, total, logs)
        raw = _raw_read(archive)
        env = dict(os.environ, WORKBENCH_HOME=str(Path(tmp) / "home"))
        done = subprocess.run([sys.executable, "-c", _CHILD, str(archive), str(HERE.parent)], env=env,
                              capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"the ingest process failed:\n{done.stderr[-3000:]}")
        got = json.loads(done.stdout.strip().splitlines()[-1])
    size = f"{info['bytes'] / 2**20:.0f} MiB zip, {info['files']} files"
    return [
        {"figure": "archive_catalogue_s", "value": got["catalogue_s"], "unit": "s", "baseline": f"listing {size}"},
        {"figure": "archive_full_ingest_s", "value": got["ingest_s"], "unit": "s",
         "baseline": f"zipfile reads every member in {raw:.2f} s ({size}, {got['rows']} timeline rows)"},
        {"figure": "archive_ingest_vs_read", "value": raw / got["ingest_s"], "unit": "x",
         "baseline": "Python zipfile reading every member once, same archive, same run"},
        {"figure": "archive_reopen_s", "value": got["reopen_s"], "unit": "s", "baseline": "second open, same archive"},
        {"figure": "archive_peak_rss_mb", "value": got["peak_rss_mb"], "unit": "MiB",
         "baseline": f"whole ingest process ({size})"},
    ]
