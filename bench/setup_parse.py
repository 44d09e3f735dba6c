"""Setup-log parsing speed and memory: setupact lines/s against the bare line reader, and a real rollback case.

The generated log has the real layout (fixed columns, message ids, continuation blocks, 1 % errors); the
baseline is :func:`workbench.core.textio.read_lines` alone over the same file, the floor any parser pays.
Peak RSS is measured in a child process so the figure is the parser's, not this harness's.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

NAME = "setup"
HERE = Path(__file__).resolve().parent
FIXTURES = HERE.parent.parent / "shared" / "fixtures" / "setup"

_CHILD = r"""
import json, resource, sys, time
from pathlib import Path
from workbench.core.store import CaseStore
from workbench.core.parsers.base import CaseFile, Mediator
from workbench.core.parsers.setupact import SetupLogParser
from workbench.core.textio import read_lines
path, db, mode = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
t = time.perf_counter()
if mode == "baseline":
    n = sum(1 for _ in read_lines(path))
else:
    store = CaseStore.open(db)
    fid = store.add_file(path="setupact.log", status="pending", kind="setupact")
    m = Mediator(store, CaseFile(fid, "setupact.log", "setupact", None, path), "setuplog")
    SetupLogParser().parse(m.file, m)
    m.flush()
    store.commit()
    n = m.events
print(json.dumps({"seconds": time.perf_counter() - t, "rows": n,
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def _write_log(path: Path, lines: int) -> None:
    rng = random.Random(3)
    comps = ["SP", "MOUPG", "MIG", "CONX", "DISM", "CSI", "PANTHR"]
    with open(path, "wb") as fh:
        fh.write(b"\xef\xbb\xbf")
        buf = []
        for i in range(lines):
            level = "Error" if rng.random() < 0.01 else "Info"
            ident = f"[0x{rng.randrange(1 << 24):06x}] " if rng.random() < 0.2 else " " * 11
            buf.append(f"2026-11-02 14:{(i // 60) % 60:02d}:{i % 60:02d}, {level:<11}{ident}{rng.choice(comps):<7}"
                       f"Operation {i} on C:\\$WINDOWS.~BT\\Sources\\file{i % 977}.dll. Error: 0x{rng.randrange(1 << 32):08X}\r\n")
            if i % 500 == 0:
                buf.append("    Host system information:\r\n        VM: NO\r\n")
            if len(buf) > 5000:
                fh.write("".join(buf).encode())
                buf = []
        fh.write("".join(buf).encode())


def _child(path: Path, db: Path, mode: str) -> dict:
    env = dict(os.environ, PYTHONPATH=str(HERE.parent))
    out = subprocess.run([sys.executable, "-c", _CHILD, str(path), str(db), mode], capture_output=True, text=True,
                         env=env, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def measure(quick: bool) -> list[dict]:
    figures = []
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "setupact.log"
        lines = 200_000 if quick else 3_000_000
        _write_log(path, lines)
        size_mb = path.stat().st_size / 1e6
        base = _child(path, Path(tmp) / "base.db", "baseline")
        run = _child(path, Path(tmp) / "case.db", "parse")
        figures += [
            {"figure": "setupact_parse_rate", "value": round(lines / run["seconds"]), "unit": "lines/s",
             "baseline": f"bare line reader {round(lines / base['seconds']):,} lines/s; {size_mb:.0f} MB, "
                         f"{lines:,} lines"},
            {"figure": "setupact_parse_vs_read", "value": base["seconds"] / run["seconds"], "unit": "x",
             "baseline": "bare line reader on the same file, same run"},
            {"figure": "setupact_parse_mb_s", "value": round(size_mb / run["seconds"], 1), "unit": "MB/s",
             "baseline": f"bare line reader {size_mb / base['seconds']:.1f} MB/s"},
            {"figure": "setupact_parse_peak_rss_mb", "value": round(run["rss_mb"]), "unit": "MB",
             "baseline": f"bare line reader {round(base['rss_mb'])} MB; file {size_mb:.0f} MB"},
        ]
        if FIXTURES.is_dir():
            os.environ["WORKBENCH_HOME"] = str(Path(tmp) / "home")
            sys.path.insert(0, str(HERE.parent))
            from workbench.core.case import Case

            root = Path(tmp) / "baslr" / "$WINDOWS.~BT" / "Sources" / "Rollback"
            (root / "setupapi").mkdir(parents=True)
            shutil.copy(FIXTURES / "baslr_w10-logs__Rollback__setupact.log", root / "setupact.log")
            shutil.copy(FIXTURES / "baslr_w10-logs__Rollback__setuperr.log", root / "setuperr.log")
            shutil.copy(FIXTURES / "baslr_w10-logs__Rollback__setupapi__setupapi.dev.log",
                        root / "setupapi" / "setupapi.dev.log")
            t = time.perf_counter()
            case = Case.open(Path(tmp) / "baslr")
            case.ensure_ingested()
            seconds = time.perf_counter() - t
            rows = case.store.scalar("SELECT count(*) FROM timeline")
            figures.append({"figure": "baslr_case_ingest_s", "value": round(seconds, 2), "unit": "s",
                            "baseline": f"real rollback case (baslr: setupact 1.3 MB + setupapi), ingest and "
                                        f"analysis; {rows} timeline rows"})
            case.close()
    return figures


if __name__ == "__main__":
    for fig in measure("--quick" in sys.argv):
        print(json.dumps(fig, ensure_ascii=False))
