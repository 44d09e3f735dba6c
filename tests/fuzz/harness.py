"""Feed mutated files through the real ingest pipeline and judge what happened, for tests and bench/fuzz_run.

Why the whole pipeline and not ``parser.parse`` alone: what a user suffers from is the case not opening, and
the pipeline is what turns a parser's exception into a problem row, clocks and sorts the rows and runs the
analyzers over whatever facts a damaged file produced. The only thing changed is identification: the fuzzed
file is always handed to the parser under test (a mutated magic would otherwise send it nowhere), while a
known-good companion log beside it proves the rest of the case still loads.
"""

from __future__ import annotations

import shutil
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psutil
from hypothesis import strategies as st

from tests.archives import setupact_bytes
from tests.fuzz.seeds import Target
from workbench.core.case import Case
from workbench.core.ingest import Ingest

COMPANION = "companion/setupact.log"
COMPANION_ROWS = 3  # lines in tests.archives.SETUPACT_LINES


class FuzzTimeout(BaseException):
    """Raised by the alarm inside a run that took too long; a BaseException so no parser swallows it."""


@dataclass
class Outcome:
    """What one fuzz input did to the pipeline."""

    status: str | None  # the fuzzed file's catalogue status
    reason: str | None
    problems: list[str]  # problem sentences naming the fuzzed file
    crash: str | None  # an exception that escaped the pipeline (not turned into a problem row)
    timed_out: bool
    parser_raised: bool  # the parser raised and the pipeline caught it (a problem row, but a parser bug)
    companion_rows: int
    seconds: float
    rss_peak_mb: float  # highest resident size above the starting point, sampled during the run
    rss_growth_mb: float  # left over after the run

    def failures(self, max_peak_mb: float, max_rss_mb: float) -> list[str]:
        """Every way this outcome breaks the contract; empty when the input was handled well."""
        bad = []
        if self.crash:
            bad.append(f"an exception escaped the pipeline: {self.crash}")
        if self.timed_out:
            bad.append(f"no result within the per-input timeout ({self.seconds:.1f} s)")
        if self.crash is None and not self.timed_out:
            if self.status not in ("parsed", "partial", "failed"):
                bad.append(f"the fuzzed file ended with status {self.status!r}")
            if self.status in ("partial", "failed") and not self.problems:
                bad.append(f"status {self.status} but no problem row names the file ({self.reason})")
            if self.companion_rows != COMPANION_ROWS:
                bad.append(f"the rest of the case did not load: companion has {self.companion_rows} rows")
        if self.rss_peak_mb > max_peak_mb:
            bad.append(f"memory peaked {self.rss_peak_mb:.0f} MiB above the start (limit {max_peak_mb:.0f})")
        if self.rss_growth_mb > max_rss_mb:
            bad.append(f"resident memory grew by {self.rss_growth_mb:.0f} MiB (limit {max_rss_mb:.0f})")
        return bad


class _ForcedKindIngest(Ingest):
    """The real pipeline, except that the fuzzed file is always identified as the kind under test."""

    forced_path = ""
    forced_kind = ""

    def identify(self, path: str, head: bytes) -> str:
        if path == self.forced_path:
            return self.forced_kind
        return super().identify(path, head)


@contextmanager
def _alarm(seconds: float) -> Iterator[None]:
    """Interrupt the run after ``seconds`` (Unix main thread; elsewhere the run is simply not limited)."""
    if not hasattr(signal, "setitimer"):
        yield
        return

    def fire(_sig: int, _frame: object) -> None:
        raise FuzzTimeout(f"still running after {seconds} s")

    old = signal.signal(signal.SIGALRM, fire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


class PeakSampler:
    """Samples this process's resident size every few milliseconds: covers Rust and C allocations too,
    which tracemalloc cannot see (the EVTX reader), at a fraction of tracemalloc's cost.

    One thread serves many runs (``reset`` between them): starting and joining a thread per input cost
    more than a small input's whole ingest.
    """

    def __init__(self, proc: psutil.Process, every_s: float = 0.005) -> None:
        self.proc = proc
        self.every_s = every_s
        self.start = proc.memory_info().rss
        self.peak = self.start
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self) -> None:
        while not self._stop.wait(self.every_s):
            self.peak = max(self.peak, self.proc.memory_info().rss)

    def reset(self) -> None:
        self.start = self.peak = self.proc.memory_info().rss

    def peak_mb(self) -> float:
        """The highest resident size since ``reset``, above where it was then, in MiB."""
        self.peak = max(self.peak, self.proc.memory_info().rss)
        return (self.peak - self.start) / 2**20

    def __enter__(self) -> PeakSampler:
        self.reset()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self.proc.memory_info().rss)


_SHARED: PeakSampler | None = None


def shared_sampler() -> PeakSampler:
    """One sampling thread for every runner of the process (runs never overlap; each resets it).

    A thread per runner was never stopped: sixty fuzz tests left sixty threads polling every 5 ms, a whole
    core, which slowed every later test of the session (a 3 s GUI test took 85 s).
    """
    global _SHARED
    if _SHARED is None:
        _SHARED = PeakSampler(psutil.Process())
        _SHARED.__enter__()  # a daemon thread for the process's lifetime
    return _SHARED


#: analyzers that do not read parser output but take most of a tiny ingest (loading YAML rule packs)
SLOW_UNRELATED_PLUGINS = ("workbench.core.signatures.plugin",)


class Runner:
    """Runs inputs for one target, each as a fresh folder case under ``workdir``, and cleans up after."""

    def __init__(self, workdir: Path, *, timeout_s: float = 10.0,
                 leave_out: tuple[str, ...] = SLOW_UNRELATED_PLUGINS, extra: tuple[object, ...] = ()) -> None:
        import importlib

        from workbench.core.plugins.manager import build_plugin_manager

        self.workdir = workdir
        self.timeout_s = timeout_s
        self.pm, _ = build_plugin_manager(entry_points=False, extra=extra)
        for name in leave_out:
            module = importlib.import_module(name)
            if self.pm.is_registered(module):
                self.pm.unregister(module)
        self.count = 0
        self._proc = psutil.Process()
        self._sampler = shared_sampler()

    def run(self, target: Target, data: bytes) -> Outcome:
        self.count += 1
        folder = self.workdir / f"input{self.count:06d}"
        (folder / "companion").mkdir(parents=True)
        (folder / target.filename).write_bytes(data)
        (folder / COMPANION).write_bytes(setupact_bytes())
        case = Case.open(folder)
        ingest = _ForcedKindIngest(case, plugin_manager=self.pm)
        ingest.forced_path, ingest.forced_kind = target.filename, target.kind
        crash, timed_out = None, False
        started = time.perf_counter()
        sampler = self._sampler
        sampler.reset()
        try:
            with _alarm(self.timeout_s):
                ingest.run()
        except FuzzTimeout:
            timed_out = True
        except Exception as exc:  # what the test is looking for: anything the pipeline let through
            crash = f"{type(exc).__name__}: {exc}"
        seconds = time.perf_counter() - started
        peak = sampler.peak_mb()
        rss_growth = (self._proc.memory_info().rss - sampler.start) / 2**20
        store = case.store
        row = store.conn.execute("SELECT status, reason FROM files WHERE path = ?", (target.filename,)).fetchone()
        problems = [r[0] for r in store.conn.execute("SELECT error FROM problems WHERE file = ?",
                                                     (target.filename,))]
        companion = store.scalar(
            "SELECT count(*) FROM timeline t JOIN files f ON f.id = t.file_id WHERE f.path = ?", (COMPANION,))
        reason = row[1] if row else None
        raised = bool(reason and " could not read it: " in reason)
        case.close()
        shutil.rmtree(case.folder, ignore_errors=True)
        shutil.rmtree(folder, ignore_errors=True)
        return Outcome(row[0] if row else None, reason, problems, crash, timed_out, raised, int(companion or 0),
                       seconds, peak, rss_growth)


# ----------------------------------------------------------------------------------------- mutations

_BYTES = (0x00, 0xFF, 0x7F, 0x80, 0x0A, 0x0D, 0x22, 0x3C, 0x3E, 0x2C, 0x20)
_WORDS = (0, 1, 0x7FFF, 0xFFFF, 0x10000, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 0xFFFFFFF0)
_TEXT = (b"\r\n", b"\x00" * 8, b"<", b">", b'"', b"]]>", b"&#0;", b"\xef\xbb\xbf", b"\xff\xfe", b"%s%n",
         b"2021-05-18 03:11:02, Error", b"<z:row Msg=", b"\xd8\x00\xdc", b"9" * 40)


@st.composite
def mutated(draw: st.DrawFn, seeds: list[bytes]) -> bytes:
    """A seed with 1-6 mutations: byte and 32-bit word overwrites, inserts, deletes, cuts, copies, splices.

    Positions favour the first and last 4 KiB, where binary formats keep their headers and tables.
    """
    data = bytearray(draw(st.sampled_from(seeds)))
    for _ in range(draw(st.integers(1, 6))):
        n = len(data)
        if n == 0:
            data += draw(st.binary(min_size=1, max_size=64))
            continue
        region = draw(st.sampled_from(("head", "tail", "any")))
        if region == "head":
            pos = draw(st.integers(0, min(n - 1, 4095)))
        elif region == "tail":
            pos = draw(st.integers(max(0, n - 4096), n - 1))
        else:
            pos = draw(st.integers(0, n - 1))
        op = draw(st.sampled_from(("byte", "word", "insert", "text", "delete", "truncate", "copy", "splice")))
        if op == "byte":
            data[pos] = draw(st.sampled_from(_BYTES)) if draw(st.booleans()) else data[pos] ^ (1 << draw(
                st.integers(0, 7)))
        elif op == "word":
            data[pos:pos + 4] = draw(st.sampled_from(_WORDS)).to_bytes(4, "little")
        elif op == "insert":
            data[pos:pos] = draw(st.binary(min_size=1, max_size=64))
        elif op == "text":
            data[pos:pos] = draw(st.sampled_from(_TEXT)) * draw(st.integers(1, 4))
        elif op == "delete":
            del data[pos:pos + draw(st.integers(1, 512))]
        elif op == "truncate":
            del data[pos:]
        elif op == "copy":
            size = draw(st.integers(1, 4096))
            chunk = bytes(data[pos:pos + size])
            at = draw(st.integers(0, n))
            data[at:at] = chunk * draw(st.integers(1, 3))
        else:
            other = draw(st.sampled_from(seeds))
            if other:
                start = draw(st.integers(0, len(other) - 1))
                data[pos:pos + 64] = other[start:start + draw(st.integers(1, 1024))]
    return bytes(data)
