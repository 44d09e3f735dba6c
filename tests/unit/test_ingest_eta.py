"""The time left covers the whole ingest (review of issue 16: "about 1 s left" at 8 s of a 16 s ingest, then
"overall 90%" frozen through the sort and "100%" during the analysis)."""

from __future__ import annotations

from workbench.core.ingest import Progress
from workbench.core.ingest_eta import ANALYZE_S_PER_ROW, FINALIZE_S_PER_ROW, IngestClock


def test_the_stages_after_the_parse_are_counted_and_move_on_their_own() -> None:
    clock = IngestClock()
    total = 84_000_000
    clock.update(Progress("extract", 0, 1, eta_s=0.5), 0.0)
    parse = clock.update(Progress("parse", 0, 1, "setupact.log", bytes_done=total // 2, bytes_total=total,
                                  eta_s=1.0, rows=188_000), 8.0)
    rows = 376_000
    after = rows * (FINALIZE_S_PER_ROW + ANALYZE_S_PER_ROW)
    assert parse.whole and abs(parse.remaining_s - (1.0 + after)) < 0.01  # not "about 1 s"
    assert 0.5 < parse.overall < 0.9
    sorting = [clock.update(Progress("finalize", 0, 1, rows=rows), 9.0)]
    sorting += [clock.estimate(9.0 + t) for t in (0.5, 1.0, 2.0, 30.0)]
    assert all(b.overall >= a.overall for a, b in zip(sorting, sorting[1:], strict=False))  # moves, never back
    assert sorting[2].stage > sorting[1].stage > sorting[0].stage == 0.0 and sorting[-1].stage < 1.0
    assert sorting[-1].remaining_s >= 1.0  # outrun: still busy, never "0 s left"
    analysis = [clock.update(Progress("analyze", 0, 1, rows=rows), 40.0), clock.estimate(41.0)]
    assert all(e.overall < 1.0 for e in analysis) and analysis[1].overall >= sorting[-1].overall
    assert clock.update(Progress("done", 1, 1, rows=rows), 42.0).overall == 1.0


def test_before_the_parse_the_time_left_is_the_stage_s() -> None:
    clock = IngestClock()
    e = clock.update(Progress("extract", 3, 10, eta_s=4.0), 0.0)
    assert not e.whole and e.remaining_s == 4.0 and e.overall == 0.0
