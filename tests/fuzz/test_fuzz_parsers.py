"""Every parser, fed mutated files through the real pipeline: no escaping exception, no hang, bounded memory.

Kept fast for CI (a few derandomized examples per parser, so a failure reproduces on every machine); the
long randomized run is ``bench/fuzz_run.py``. Two sets of seeds: files the tests write themselves (always
run, so a clean clone is covered) and the real fixtures of ``../shared/fixtures`` (skipped when absent).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from tests.fuzz.harness import Runner, mutated
from tests.fuzz.seeds import TARGETS, Target, build_targets

EXAMPLES = int(os.environ.get("WB_FUZZ_EXAMPLES", "8"))
TIMEOUT_S = 20.0  # per input, generous for a loaded 2-core CI machine; seeds parse in well under a second
MAX_PEAK_MB = 128.0  # seeds are <= 256 KiB: a parser needing more than this for one holds what it read
MAX_RSS_MB = 160.0

_CACHE: dict[tuple[str, bool], Target] = {}


def _target(kind: str, shared: Path | None) -> Target:
    """The target with generated seeds only (``shared`` None) or with fixture seeds only."""
    key = (kind, shared is not None)
    if key not in _CACHE:
        generated = {t.kind: t for t in build_targets(None)}
        if shared is None:
            _CACHE.update({(k, False): t for k, t in generated.items()})
        else:
            for t in build_targets(shared):
                own = {bytes(s) for s in generated[t.kind].seeds}
                _CACHE[(t.kind, True)] = Target(t.kind, t.filename, [s for s in t.seeds if s not in own])
    return _CACHE[key]


def _check_seeds(target: Target, tmp_path: Path) -> None:
    runner = Runner(tmp_path, timeout_s=TIMEOUT_S)
    for n, seed in enumerate(target.seeds):
        outcome = runner.run(target, seed)
        assert outcome.failures(MAX_PEAK_MB * 4, MAX_RSS_MB * 2) == [], f"{target.kind} seed {n}"
        assert outcome.status in ("parsed", "partial"), (target.kind, n, outcome.reason, outcome.problems)


def _fuzz(target: Target, tmp_path: Path) -> None:
    runner = Runner(tmp_path, timeout_s=TIMEOUT_S)

    @settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None, print_blob=True,
              suppress_health_check=list(HealthCheck))
    @given(data=mutated(target.seeds))
    def check(data: bytes) -> None:
        outcome = runner.run(target, data)
        assert outcome.failures(MAX_PEAK_MB, MAX_RSS_MB) == [], f"{target.kind}: {len(data)}-byte input"

    check()


@pytest.mark.parametrize("kind", list(TARGETS))
def test_generated_seeds_load_cleanly(kind: str, tmp_path: Path) -> None:
    """Unmutated seeds parse: otherwise the mutations would start from an input the parser already rejects."""
    target = _target(kind, None)
    assert target.seeds, f"no generated seed for {kind}"
    _check_seeds(target, tmp_path)


@pytest.mark.parametrize("kind", list(TARGETS))
def test_mutated_generated_seeds_never_escape(kind: str, tmp_path: Path) -> None:
    _fuzz(_target(kind, None), tmp_path)


@pytest.mark.fixtures
@pytest.mark.parametrize("kind", list(TARGETS))
def test_mutated_real_fixtures_never_escape(kind: str, tmp_path: Path, shared_fixtures: Path) -> None:
    target = _target(kind, shared_fixtures)
    if not target.seeds:
        pytest.skip(f"no real {kind} sample among the fixtures")
    _check_seeds(target, tmp_path / "seeds")
    _fuzz(target, tmp_path / "mutated")
