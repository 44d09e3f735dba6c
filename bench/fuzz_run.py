"""The long fuzz run: every parser fed randomized mutations through the real pipeline for a time budget.

Why here and not in the tests: CI runs a few derandomized examples per parser (tests/fuzz); finding new
failures takes thousands of random inputs, which is minutes per parser. Each parser runs in its own child
process under an address-space limit (memory bounded, a runaway allocation ends that child, not the run) and
a wall-clock limit (a hang inside native code, which the per-input alarm cannot interrupt, is still caught).
Failing inputs are written to ``$TMPDIR/wb-fuzz-failures`` so they can be replayed.

Figures: ``fuzz_inputs_<kind>`` (inputs tried, with failures, parser exceptions caught as problem rows,
slowest input and memory peak in the baseline text) and ``fuzz_failures`` (all contract breaches).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

NAME = "fuzz"

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SHARED = ROOT.parent / "shared" / "fixtures"
MEMORY_LIMIT = 3 * 1024**3  # address space per child; EVTX's native reader maps its own buffers
PER_INPUT_S = 10.0
MAX_PEAK_MB = 512.0
MAX_RSS_MB = 256.0


def _scratch() -> str | None:
    """A RAM-backed folder when there is one: each input is a fresh SQLite case, and on a disk most of the
    time per input is the journal's fsyncs, not the parser (measured: 3-4x more inputs per second)."""
    shm = Path("/dev/shm")
    return str(shm) if shm.is_dir() and os.access(shm, os.W_OK) else None


def _child(kind: str, seconds: float, seed: int, out_dir: Path) -> dict:
    """Fuzz one parser for ``seconds``; runs in its own process (see :func:`measure`)."""
    sys.path.insert(0, str(ROOT))
    os.environ["WORKBENCH_HOME"] = tempfile.mkdtemp(prefix="wb-fuzz-home-", dir=_scratch())
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as hyp_seed

    from tests.fuzz.harness import Runner, mutated
    from tests.fuzz.seeds import build_targets

    (target,) = build_targets(SHARED if SHARED.is_dir() else None, text_cap=512 * 1024, binary_cap=2560 * 1024,
                              kinds=lambda k: k == kind)
    work = Path(tempfile.mkdtemp(prefix=f"wb-fuzz-{kind}-", dir=_scratch()))
    runner = Runner(work, timeout_s=PER_INPUT_S)
    stats = {"kind": kind, "seeds": len(target.seeds), "inputs": 0, "crashes": 0, "timeouts": 0, "contract": 0,
             "parser_raised": 0, "max_s": 0.0, "max_peak_mb": 0.0, "examples": [], "saved": []}
    raised_kinds: dict[str, int] = {}
    statuses: dict[str, int] = {}
    deadline = time.monotonic() + seconds

    def record(data: bytes) -> None:
        if time.monotonic() > deadline:
            return
        outcome = runner.run(target, data)
        stats["inputs"] += 1
        statuses[str(outcome.status)] = statuses.get(str(outcome.status), 0) + 1
        stats["max_s"] = max(stats["max_s"], outcome.seconds)
        stats["max_peak_mb"] = max(stats["max_peak_mb"], outcome.rss_peak_mb)
        if outcome.parser_raised and outcome.reason:
            stats["parser_raised"] += 1
            key = outcome.reason.split(" could not read it: ", 1)[1].split(":", 1)[0]
            raised_kinds[key] = raised_kinds.get(key, 0) + 1
        bad = outcome.failures(MAX_PEAK_MB, MAX_RSS_MB)
        if bad:
            stats["crashes"] += bool(outcome.crash)
            stats["timeouts"] += outcome.timed_out
            stats["contract"] += 1
            if len(stats["examples"]) < 5:
                stats["examples"].append(bad[0][:300])
                path = out_dir / f"{kind}-{stats['inputs']:06d}.bin"
                path.write_bytes(data)
                stats["saved"].append(str(path))

    batch = 0
    while time.monotonic() < deadline:
        batch += 1

        @hyp_seed(seed * 100_003 + batch)
        @settings(max_examples=50, database=None, deadline=None, phases=[Phase.generate],
                  suppress_health_check=list(HealthCheck))
        @given(data=mutated(target.seeds))
        def run(data: bytes) -> None:
            record(data)

        run()
    stats["raised_kinds"] = raised_kinds
    stats["statuses"] = statuses
    import shutil

    shutil.rmtree(work, ignore_errors=True)
    shutil.rmtree(os.environ["WORKBENCH_HOME"], ignore_errors=True)
    return stats


def _spawn(kind: str, seconds: float, seed: int, out_dir: Path) -> dict:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", kind, "--seconds", str(seconds),
           "--seed", str(seed), "--out", str(out_dir)]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 180, cwd=ROOT)
    except subprocess.TimeoutExpired:
        return {"kind": kind, "inputs": 0, "contract": 1, "crashes": 0, "timeouts": 1, "parser_raised": 0,
                "max_s": seconds + 180, "max_peak_mb": 0.0, "examples": ["the whole child hung"], "raised_kinds": {}}
    if done.returncode != 0:
        return {"kind": kind, "inputs": 0, "contract": 1, "crashes": 1, "timeouts": 0, "parser_raised": 0,
                "max_s": 0.0, "max_peak_mb": 0.0, "raised_kinds": {},
                "examples": [f"child died ({done.returncode}): {done.stderr.strip()[-400:]}"]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure(quick: bool) -> list[dict]:
    sys.path.insert(0, str(ROOT))
    from tests.fuzz.seeds import TARGETS

    seconds = 3.0 if quick else 40.0
    out_dir = Path(tempfile.gettempdir()) / "wb-fuzz-failures"
    out_dir.mkdir(exist_ok=True)
    figures = []
    total_bad = total_inputs = 0
    for n, kind in enumerate(TARGETS):
        st = _spawn(kind, seconds, 1 + n, out_dir)
        total_bad += st["contract"]
        total_inputs += st["inputs"]
        raised = ", ".join(f"{k} x{v}" for k, v in sorted(st.get("raised_kinds", {}).items())) or "none"
        note = f"; e.g. {st['examples'][0]}" if st["examples"] else ""
        statuses = ", ".join(f"{k} {v}" for k, v in sorted(st.get("statuses", {}).items()))
        figures.append({
            "figure": f"fuzz_inputs_{kind}", "value": st["inputs"], "unit": "inputs",
            "baseline": f"{seconds:.0f} s budget, {st.get('seeds', '?')} seeds; file status {statuses}; "
                        f"{st['contract']} failures "
                        f"({st['crashes']} escaped, {st['timeouts']} hangs); parser exceptions caught as problem "
                        f"rows: {raised}; slowest input {st['max_s']:.2f} s, peak +{st['max_peak_mb']:.0f} MiB{note}"})
    figures.append({"figure": "fuzz_failures", "value": total_bad, "unit": "inputs",
                    "baseline": f"contract breaches over {total_inputs} inputs; failing inputs in {out_dir}"})
    return figures


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--child", help="(internal) fuzz this kind and print JSON")
    ap.add_argument("--seconds", type=float, default=40.0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "wb-fuzz-failures")
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    if args.child:
        args.out.mkdir(parents=True, exist_ok=True)
        print(json.dumps(_child(args.child, args.seconds, args.seed, args.out)))
    else:
        for fig in measure(args.quick):
            print(json.dumps(fig, ensure_ascii=False))
