"""A generated large case, end to end: first data, full ingest, memory, search, reopen, and growth.

Why generated: no shared sample is anywhere near the size customers send (multi-GB zips with rolled-over
Procmon captures and whole ``winevt\\Logs`` folders), and a benchmark has to run on a fresh machine. The case
holds what a real collection holds, in the folders the workbench recognises:

* setup logs (``setupact.log``/``setuperr.log`` in Panther and Rollback folders) of >= 200 MB,
* Procmon captures (PML, written streamed in the layout of ``workbench/writers/procmon.py``) with >= 5 M
  events, rolled over into several files the way Procmon does,
* event logs: the shared fixture EVTX files replicated to >= 1 M records, inside nested zips (the parser drops
  records it has already seen in another copy by design, so the stored rows are fewer than the records read;
  and since issue 20 a byte-identical copy of a log read whole is not decoded again, so the 62 copies of each
  cost their extraction and hash, not a parse: a case of 1 M distinct records would take longer),
* stored binary padding (ETL traces, dumps) bringing the archive to >= 1 GiB.

Every measurement runs in a child process so ``peak_rss_mb`` is the ingest's own peak, not the generator's
(the child's memory plus its parse worker's, sampled together).
Beside the issue's figures it prints where the time and memory go (``stage_<stage>_s`` with the stage's peak
RSS, ``parse_s_<kind>``) and ``note_save_max_wait_s``: the longest a second window waited to save a note
during the ingest (notes have their own database, so a save never waits for the ingest's write lock; its
sync can still wait for the disk while the rewrite and its checkpoints flush gigabytes: up to 2.0 s on a
slow machine, against about 1 ms otherwise).
Baselines are measured in the same run: a plain line read of the same setup logs, ripgrep (or grep when
ripgrep is missing) over the extracted files for the same search, and the 1x run for growth.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import struct
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

NAME = "large_case"

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
EVTX_FIXTURES = ROOT.parent / "shared" / "fixtures" / "evtx"
SEARCH_TERM = "0x800F0922"
MiB = 1024 * 1024


@dataclass(frozen=True)
class CaseSpec:
    """How big each part of the generated case is."""

    setup_bytes: int
    procmon_events: int
    evtx_records: int
    archive_bytes: int
    pml_events_per_file: int = 50_000

    def scaled(self, factor: int) -> CaseSpec:
        return CaseSpec(self.setup_bytes * factor, self.procmon_events * factor, self.evtx_records * factor,
                        self.archive_bytes * factor, self.pml_events_per_file)


FULL = CaseSpec(setup_bytes=210 * MiB, procmon_events=5_000_000, evtx_records=1_000_000,
                archive_bytes=1100 * MiB)
QUICK = CaseSpec(setup_bytes=8 * MiB, procmon_events=100_000, evtx_records=20_000, archive_bytes=48 * MiB)
#: growth bases: small enough that 16x stays a fraction of the big case
GROWTH_FULL = CaseSpec(setup_bytes=4 * MiB, procmon_events=40_000, evtx_records=10_000, archive_bytes=0,
                       pml_events_per_file=10_000)
GROWTH_QUICK = CaseSpec(setup_bytes=MiB // 2, procmon_events=5_000, evtx_records=0, archive_bytes=0,
                        pml_events_per_file=5_000)


# ----------------------------------------------------------------------------------------- generation

_COMPONENTS = ("SP", "MOUPG", "MIG", "CONX", "DISM", "PANTHR", "CSI", "SYSPRP")
_MESSAGES = (
    "Operation completed successfully: Apply drivers",
    "MigApply: applying object C:\\Windows\\System32\\drivers\\file{n}.sys",
    "CSetupHost::Execute: operation {n} returned 0x{code:08X}",
    "Gather data for object HKLM\\SOFTWARE\\Contoso\\Agent\\{n}",
    "Error: Operation failed: Add drivers. Error: {term}[gle=0x00000005]",
)


def _setup_chunk(rng: random.Random, first_line: int, lines: int) -> bytes:
    """``lines`` setupact lines in the fixed-column format; ~1 % are errors carrying the search term."""
    out = []
    for i in range(first_line, first_line + lines):
        sec = i % 86400
        level = "Error" if rng.random() < 0.01 else "Info"
        msg = _MESSAGES[4] if level == "Error" else _MESSAGES[rng.randrange(4)]
        out.append(f"2026-11-{2 + i // 86400 % 27:02d} {sec // 3600:02d}:{sec // 60 % 60:02d}:{sec % 60:02d}, "
                   f"{level:<22}{rng.choice(_COMPONENTS):<7}"
                   + msg.format(n=rng.randrange(99999), code=rng.getrandbits(32), term=SEARCH_TERM))
    return ("\r\n".join(out) + "\r\n").encode()


def _write_setup_logs(zf: zipfile.ZipFile, total: int, rng: random.Random) -> int:
    """Setup logs of ``total`` bytes over several files, streamed into the zip; returns bytes written."""
    folders = ("$WINDOWS.~BT/Sources/Panther", "$WINDOWS.~BT/Sources/Rollback", "Windows/Panther")
    per_file = max(256 * 1024, min(total // 8, 16 * MiB))
    written = n = line = 0
    while written < total:
        name = "setupact.log" if n % 4 else "setuperr.log"
        with zf.open(zipfile.ZipInfo(f"{folders[n % 3]}/{n:03d}/{name}", date_time=(2026, 11, 2, 14, 0, 0)),
                     "w", force_zip64=True) as out:
            out.write(b"\xef\xbb\xbf")
            size = 0
            while size < per_file and written + size < total:
                chunk = _setup_chunk(rng, line, 2000)
                line += 2000
                out.write(chunk)
                size += len(chunk)
        written += size
        n += 1
    return written


def _pml_bytes(events: int, first_time_s: float, seed: int) -> bytes:
    """A PML of ``events`` events: the upgrade scenario of the test writer, repeated with advancing times."""
    sys.path.insert(0, str(ROOT))
    from tests.unit.procmon_scenario import upgrade_scenario
    from workbench.writers.procmon import Ev, write_pml

    procs, pattern = upgrade_scenario()
    times = [ev.time for ev in pattern]
    step = max(times) - min(times) + 10_000_000
    evs: list[Ev] = []
    base = int(first_time_s * 10_000_000)
    k = 0
    while len(evs) < events:
        for ev in pattern:
            if len(evs) >= events:
                break
            evs.append(Ev(**{**ev.__dict__, "time": ev.time + base + k * step, "tid": ev.tid + (seed % 7)}))
        k += 1
    with tempfile.NamedTemporaryFile(suffix=".PML", delete=False) as tmp:
        path = Path(tmp.name)
    try:
        write_pml(path, procs, evs)
        return path.read_bytes()
    finally:
        path.unlink(missing_ok=True)


def _evtx_sources() -> list[tuple[Path, int]]:
    """Fixture EVTX files with their record counts (raw iteration), or [] when the fixtures are absent."""
    if not EVTX_FIXTURES.is_dir():
        return []
    import evtx

    out = []
    for path in sorted(EVTX_FIXTURES.rglob("*.evtx")):
        n = 0
        it = evtx.PyEvtxParser(str(path)).records()
        while True:
            try:
                next(it)
                n += 1
            except StopIteration:
                break
            except RuntimeError:
                continue
        if n:
            out.append((path, n))
    return out


def build_case(path: Path, spec: CaseSpec, seed: int = 7) -> dict[str, int]:
    """Write the case archive described by ``spec``; returns what went into it."""
    rng = random.Random(seed)
    info = {"setup_bytes": 0, "procmon_events": 0, "evtx_records": 0, "nested_archives": 0, "files": 0}
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1, allowZip64=True) as zf:
        info["setup_bytes"] = _write_setup_logs(zf, spec.setup_bytes, rng)
        left, n = spec.procmon_events, 0
        while left > 0:
            count = min(left, spec.pml_events_per_file)
            zf.writestr(f"Procmon/Logfile-{n}.PML", _pml_bytes(count, n * 3600.0, n))
            left -= count
            n += 1
        info["procmon_events"] = spec.procmon_events
        sources = _evtx_sources() if spec.evtx_records else []
        if sources:
            per_copy = sum(c for _, c in sources)
            copies = -(-spec.evtx_records // per_copy)
            for c in range(copies):
                inner = path.with_name(f"evtx-{c}.zip")
                with zipfile.ZipFile(inner, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as iz:
                    for src, _ in sources:
                        iz.write(src, f"PC{c:03d}/Windows/System32/winevt/Logs/{src.parent.name}-{src.name}")
                zf.write(inner, f"EventLogs/PC{c:03d}-logs.zip", compress_type=zipfile.ZIP_STORED)
                inner.unlink()
            info["evtx_records"] = copies * per_copy
            info["nested_archives"] = copies
    pad = spec.archive_bytes - path.stat().st_size
    if pad > 0:
        with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_STORED, allowZip64=True) as zf:
            i = 0
            while pad > 0:
                size = min(pad, 64 * MiB)
                with zf.open(zipfile.ZipInfo(f"Windows/Logs/ETL/trace_{i}.etl"), "w", force_zip64=True) as out:
                    block = rng.randbytes(MiB)
                    for _ in range(size // MiB):
                        out.write(block[:4] + struct.pack("<I", i) + block[8:])
                pad -= size
                i += 1
    with zipfile.ZipFile(path) as zf:
        info["files"] = len(zf.infolist())
    info["archive_bytes"] = path.stat().st_size
    return info


# ---------------------------------------------------------------------------------------- measurement


def _note_probe(folder: Path, stop: threading.Event, waits: list[float]) -> None:
    """A second window typing notes during the ingest: how long does each save wait?

    Notes have their own database (``notes.sqlite``) so a save never waits for the ingest's write lock; this
    measures what it does wait for (the disk, at its commit's fsync), through the same :class:`NotesStore` the
    notes pane uses.
    """
    from workbench.core.store.notes_store import NotesStore

    notes = NotesStore.open(folder)
    try:
        note_id = None
        n = 0
        while not stop.wait(1.0):
            started = time.perf_counter()
            note_id = notes.save(f"probe {n}", note_id)
            waits.append(time.perf_counter() - started)
            n += 1
    finally:
        notes.close()


def child(archive: Path) -> dict[str, Any]:
    """Ingest ``archive`` in this (fresh) process and measure; run via ``large_case.py --child``."""
    sys.path.insert(0, str(ROOT))
    import psutil

    from workbench.core.case import Case
    from workbench.core.ingest import Progress
    from workbench.core.store import CaseStore
    from workbench.core.timeline import query_timeline

    marks: dict[str, float] = {}
    parse_spans: list[tuple[str, float]] = []
    stage_rss: dict[str, float] = {}
    current = {"stage": "open"}
    proc = psutil.Process()
    stop = threading.Event()

    peak = {"total": 0.0}

    def sample() -> None:
        # the ingest's memory is this process's plus its parse worker's (issue 20): both are summed
        while not stop.wait(0.05):
            mb = proc.memory_info().rss / 2**20
            for kid in proc.children(recursive=True):
                try:
                    mb += kid.memory_info().rss / 2**20
                except psutil.Error:
                    pass
            peak["total"] = max(peak["total"], mb)
            stage_rss[current["stage"]] = max(stage_rss.get(current["stage"], 0.0), mb)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    t0 = time.perf_counter()
    case = Case.open(archive)
    waits: list[float] = []
    probe = threading.Thread(target=_note_probe, args=(case.folder, stop, waits), daemon=True)
    probe.start()

    def progress(p: Progress) -> None:
        now = time.perf_counter()
        current["stage"] = p.stage
        if "first_data" not in marks and p.stage in ("catalogue", "extract"):
            # what a pane shows first: the catalogue, read through a second connection like the GUI does
            reader = CaseStore.open(case.folder / "case.sqlite", readonly=True)
            try:
                if reader.scalar("SELECT count(*) FROM files"):
                    marks["first_data"] = now - t0
            finally:
                reader.close()
        if p.stage == "parse":
            parse_spans.append((p.current, now))
        marks.setdefault(p.stage, now - t0)

    case.ensure_ingested(progress=progress, force=True)
    full = time.perf_counter() - t0
    stop.set()
    probe.join()
    sampler.join()
    order = [k for k in ("catalogue", "extract", "parse", "finalize", "analyze", "done") if k in marks]
    stages = {a: marks[b] - marks[a] for a, b in zip(order, order[1:], strict=False)}
    # per-kind parse seconds: the time between one file's parse report and the next
    kinds = {r["path"]: r["kind"] for r in case.store.query("SELECT path, kind FROM files")}
    per_kind: dict[str, float] = {}
    for (path, start), (_, end) in zip(parse_spans, parse_spans[1:], strict=False):
        if path:
            per_kind[kinds.get(path, "?")] = per_kind.get(kinds.get(path, "?"), 0.0) + end - start
    setup_files = [r["blob"] for r in case.store.query(
        "SELECT blob FROM files WHERE kind IN ('setupact', 'setuperr') AND blob IS NOT NULL")]
    rows = int(case.store.scalar("SELECT count(*) FROM timeline"))
    best = float("inf")
    for _ in range(5):
        s = time.perf_counter()
        hits = list(query_timeline(case.store, text=SEARCH_TERM, limit=200))
        best = min(best, time.perf_counter() - s)
    folder = case.folder
    case.close()
    t1 = time.perf_counter()
    again = Case.open(archive)
    reran = again.ensure_ingested()
    list(query_timeline(again.store, limit=200))
    reopen = time.perf_counter() - t1
    again.close()
    return {"first_data_s": marks.get("first_data", full), "full_ingest_s": full, "rows": rows,
            "peak_rss_mb": max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, peak["total"]),
            "stage_rss": stage_rss,
            "stages": stages, "note_wait_max_s": max(waits, default=0.0), "note_saves": len(waits),
            "search_s": best, "search_hits": len(hits), "reopen_s": reopen, "reopen_reingested": int(reran),
            "per_kind": per_kind, "setup_files": setup_files, "blobs": str(folder / "blobs")}


def _run_child(archive: Path, home: Path, workers: str | None = None) -> dict:
    env = dict(os.environ, WORKBENCH_HOME=str(home))
    if workers is not None:
        env["WORKBENCH_PARSE_WORKERS"] = workers
    done = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--child", str(archive)], env=env,
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"the ingest process failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _line_read(files: list[str]) -> tuple[float, int]:
    """Seconds and bytes for a plain binary line read of ``files``: the floor of any log reader."""
    started = time.perf_counter()
    size = 0
    for name in files:
        with open(name, "rb") as fh:
            for line in fh:
                size += len(line)
    return time.perf_counter() - started, size


def _grep_tool() -> tuple[list[str], str]:
    rg = shutil.which("rg")
    if rg:
        return [rg, "--no-config", "-a", "-c", "-F"], "ripgrep"
    return ["grep", "-r", "-a", "-c", "-F"], "grep (ripgrep not installed)"


def _grep(folder: str) -> tuple[float, str]:
    cmd, label = _grep_tool()
    best = float("inf")
    for _ in range(3):
        s = time.perf_counter()
        subprocess.run([*cmd, SEARCH_TERM, folder], capture_output=True)
        best = min(best, time.perf_counter() - s)
    return best, label


def _stages(got: dict) -> str:
    return ", ".join(f"{stage} {secs:.1f} s" for stage, secs in got["stages"].items())


def _one(spec: CaseSpec, tmp: Path, tag: str) -> tuple[dict, dict]:
    archive = tmp / f"{tag}.zip"
    info = build_case(archive, spec)
    got = _run_child(archive, tmp / f"home-{tag}")
    return info, got


def measure(quick: bool) -> list[dict]:
    spec, growth = (QUICK, GROWTH_QUICK) if quick else (FULL, GROWTH_FULL)
    with tempfile.TemporaryDirectory(prefix="wb-large-case-") as tmp_:
        tmp = Path(tmp_)
        info, got = _one(spec, tmp, "large")
        # the same archive read with every file in the main process (the reference mode), in the same run
        one = _run_child(tmp / "large.zip", tmp / "home-large-one", workers="0")
        shutil.rmtree(tmp / "home-large-one", ignore_errors=True)
        read_s, read_bytes = _line_read(got["setup_files"])
        grep_s, grep_label = _grep(got["blobs"])
        points = []
        for factor in (1, 4, 16):
            g_info, g = _one(growth.scaled(factor), tmp, f"growth{factor}")
            points.append((factor, g["full_ingest_s"], g["peak_rss_mb"], g_info["archive_bytes"]))
            shutil.rmtree(tmp / f"home-growth{factor}", ignore_errors=True)
            (tmp / f"growth{factor}.zip").unlink(missing_ok=True)
    setup_s = got["per_kind"].get("setupact", 0.0) + got["per_kind"].get("setuperr", 0.0)
    size = (f"{info['archive_bytes'] / 2**20:,.0f} MiB zip, {info['files']} members, "
            f"{info['setup_bytes'] / 2**20:,.0f} MiB setup logs, {info['procmon_events']:,} Procmon events, "
            f"{info['evtx_records']:,} EVTX records in {info['nested_archives']} nested zips"
            + ("" if info["evtx_records"] else " (EVTX fixtures absent)")
            + f"; {got['rows']:,} timeline rows")
    figures = [
        {"figure": "first_data_s", "value": got["first_data_s"], "unit": "s",
         "baseline": f"open → catalogue readable by a second connection (incl. hashing the archive); {size}"},
        {"figure": "full_ingest_s", "value": got["full_ingest_s"], "unit": "s", "baseline": size},
        {"figure": "full_ingest_s_one_process", "value": one["full_ingest_s"], "unit": "s",
         "baseline": "the same archive with every file read in the main process (WORKBENCH_PARSE_WORKERS=0), "
                     f"right after: stages {_stages(one)}; peak {one['peak_rss_mb']:,.0f} MiB"},
        {"figure": "peak_rss_mb", "value": got["peak_rss_mb"], "unit": "MiB",
         "baseline": "the ingest process and its parse worker together (sampled every 50 ms; the process's own "
                     "maxrss when higher), target < 300"},
        {"figure": "setup_ingest_vs_read", "value": (read_s / setup_s) if setup_s else 0.0, "unit": "x",
         "baseline": f"plain binary line read of the same {read_bytes / 2**20:,.0f} MiB of setup logs: "
                     f"{read_s:.2f} s vs parse stage {setup_s:.2f} s"},
        {"figure": "search_ms", "value": got["search_s"] * 1000, "unit": "ms",
         "baseline": f"FTS '{SEARCH_TERM}', first page of {got['search_hits']} rows, over {got['rows']:,} rows"},
        {"figure": "search_vs_ripgrep", "value": grep_s / got["search_s"] if got["search_s"] else 0.0, "unit": "x",
         "baseline": f"{grep_label} -c over the extracted files: {grep_s:.2f} s"},
        {"figure": "reopen_s", "value": got["reopen_s"], "unit": "s",
         "baseline": "second open of the same archive + first timeline page"
                     + (" (RE-INGESTED!)" if got["reopen_reingested"] else "")},
    ]
    figures.append({"figure": "note_save_max_wait_s", "value": got["note_wait_max_s"], "unit": "s",
                    "baseline": f"a second window saving a note every second during the ingest "
                                f"({got['note_saves']} saves into notes.sqlite)"})
    for stage, secs in got["stages"].items():
        figures.append({"figure": f"stage_{stage}_s", "value": secs, "unit": "s",
                        "baseline": f"peak RSS in this stage {got['stage_rss'].get(stage, 0.0):,.0f} MiB"})
    for kind, secs in sorted(got["per_kind"].items()):
        figures.append({"figure": f"parse_s_{kind}", "value": secs, "unit": "s",
                        "baseline": "parse stage time of this kind in the large case"})
    base_t, base_m = points[0][1], points[0][2]
    for factor, secs, rss, size_b in points:
        figures.append({"figure": f"growth_{factor}x_s", "value": secs, "unit": "s",
                        "baseline": f"{size_b / 2**20:,.1f} MiB case; time ratio to 1x {secs / base_t:.2f} "
                                    f"(linear would be {factor})"})
        figures.append({"figure": f"growth_{factor}x_rss_mb", "value": rss, "unit": "MiB",
                        "baseline": f"ratio to 1x {rss / base_m:.2f} (flat would be 1)"})
    return figures


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--child", type=Path, help="(internal) ingest this archive and print JSON")
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    if args.child:
        print(json.dumps(child(args.child)))
    else:
        for fig in measure(args.quick):
            print(json.dumps(fig))
