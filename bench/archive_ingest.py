"""Opening a large collected archive: time to catalogue, time to ingest, peak memory.

The archive (≥ 1 GiB, thousands of files; 100 MiB with --quick) holds what a real collection holds: many
setup logs (deflated text) beside big binary files (stored, like dumps and ETL traces). The baseline is
Python's zipfile reading every member once, in the same run: the floor any ingest has to pay.

Many members: a zip of 100 000 empty members (10 000 with --quick), the hostile shape a collector that swept
a temp folder makes, against zipfile listing and reading every member of the same archive; and a folder of
10 000 small INF-like files (2 000), against reading every file once.
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


def build_many_members(path: Path, count: int) -> None:
    """``count`` empty stored members in folders of 1000, and one setup log (the hostile test's archive)."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as zf:
        for i in range(count):
            zf.writestr(zipfile.ZipInfo(f"Temp/{i // 1000:03d}/tmp{i}.tmp"), b"")
        zf.writestr(zipfile.ZipInfo("Panther/setupact.log"), _setup_log(random.Random(1), 50))


def build_small_files(folder: Path, count: int) -> None:
    """``count`` small INF-like text files in folders of 500, the way driver folders come."""
    for i in range(count):
        sub = folder / f"drv{i // 500:03d}"
        sub.mkdir(parents=True, exist_ok=True)
        (sub / f"oem{i}.inf").write_bytes(f'[Version]\r\nSignature="$Windows NT$"\r\nDriverVer=01/02/2024,{i}\r\n'
                                          .encode() * (1 + i % 5))


_INGEST_ONLY = r"""
import json, resource, sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[2])
from workbench.core.case import Case
case = Case.open(Path(sys.argv[1]))
t0 = time.perf_counter()
case.ensure_ingested(force=True)
ingest = time.perf_counter() - t0
files = case.store.scalar("SELECT count(*) FROM files WHERE sha256 IS NOT NULL")
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"ingest_s": ingest, "files": files, "peak_rss_mb": peak}))
"""


def _ingest_in_child(source: Path, home: Path) -> dict:
    env = dict(os.environ, WORKBENCH_HOME=str(home))
    done = subprocess.run([sys.executable, "-c", _INGEST_ONLY, str(source), str(HERE.parent)], env=env,
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"the ingest process failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _raw_read_folder(folder: Path) -> float:
    t0 = time.perf_counter()
    for root, _dirs, files in os.walk(folder):
        for name in files:
            with open(os.path.join(root, name), "rb") as fh:
                while fh.read(1024 * 1024):
                    pass
    return time.perf_counter() - t0


def measure_many_members(quick: bool) -> list[dict]:
    """The many-small-members figures: per-member costs (rows, commits, progress, file creates) show here."""
    count = 10_000 if quick else 100_000
    files = 2_000 if quick else 10_000
    with tempfile.TemporaryDirectory(prefix="wb-bench-") as tmp:
        archive = Path(tmp) / "many-members.zip"
        build_many_members(archive, count)
        raw = _raw_read(archive)
        got = _ingest_in_child(archive, Path(tmp) / "home")
        folder = Path(tmp) / "drivers"
        build_small_files(folder, files)
        raw_folder = _raw_read_folder(folder)
        in_folder = _ingest_in_child(folder, Path(tmp) / "home")
    what = f"{count + 1} members, {got['files']} catalogued"
    return [
        {"figure": "many_members_s", "value": got["ingest_s"], "unit": "s",
         "baseline": f"zipfile lists and reads every member in {raw:.2f} s ({what})"},
        {"figure": "many_members_vs_read", "value": raw / got["ingest_s"], "unit": "x",
         "baseline": "Python zipfile listing and reading every member once, same archive, same run"},
        {"figure": "many_members_peak_rss_mb", "value": got["peak_rss_mb"], "unit": "MiB",
         "baseline": f"whole ingest process ({what})"},
        {"figure": "folder_files_s", "value": in_folder["ingest_s"], "unit": "s",
         "baseline": f"reading every file once takes {raw_folder:.2f} s ({files} small files, "
                     f"{in_folder['files']} catalogued)"},
    ]


def measure(quick: bool) -> list[dict]:
    return measure_large(quick) + measure_many_members(quick)


def measure_large(quick: bool) -> list[dict]:
    """The large-archive figures: a real collection's shape, where bytes (not members) dominate."""
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
