"""How long the whole ingest still needs, not just the stage it is in.

The ingest reports each stage's own progress (:class:`workbench.core.ingest.Progress`: files and bytes read,
the time the stage still needs at its measured rate). After the parse come two stages that report nothing
while they run — sorting and indexing the timeline (``finalize``), then the analysis — and on a big log they
are a third to a half of the whole. Shown alone, the parse's time left reads "about 1 s" half-way through,
and a bar parked at the parse's share looks frozen for seconds. Here the stages after the one running are
estimated from the rows read (their cost grows with the rows: measured on this project's machine on a
generated setupact.log, 165 k and 493 k rows, about 6 µs a row to sort and index and 2.5 µs a row to
analyse), and a stage that reports nothing moves with the time spent in it against that estimate.

The overall fraction is time-based (time spent / time spent + time left), never goes back, and stays below
1 until the ingest says it is done.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from workbench.core.ingest import Progress

#: Seconds per timeline row of the stages after the parse (see the module docstring).
FINALIZE_S_PER_ROW = 6e-6
ANALYZE_S_PER_ROW = 2.5e-6
#: What a stage that has outrun its estimate is still given (it is busy, not done).
OVERRUN_S = 1.0
#: The most a stage that reports nothing shows of itself before it ends.
QUIET_STAGE_CAP = 0.95


@dataclass(frozen=True)
class Estimate:
    """``remaining_s``: the time left (None while no rate is known yet) — of the whole ingest when ``whole``,
    else of the stage running (before the parse, whose size is not known yet); ``overall``: 0–1; ``stage``:
    how far a stage that reports nothing is, 0–1 (None for one that reports its own bytes or files)."""

    remaining_s: float | None
    overall: float
    stage: float | None = None
    whole: bool = True


@dataclass
class IngestClock:
    """Feed it every :class:`Progress` (and call :meth:`estimate` again on a timer while a quiet stage runs)."""

    started: float | None = None
    _stage: str = ""
    _stage_started: float = 0.0
    _last: Progress | None = None
    _overall: float = 0.0
    _rows_expected: int = 0
    _seen: set[str] = field(default_factory=set)

    def update(self, p: Progress, now: float) -> Estimate:
        if self.started is None:
            self.started = now
        if p.stage != self._stage:
            self._stage, self._stage_started = p.stage, now
            self._seen.add(p.stage)
        self._last = p
        return self.estimate(now)

    def _rows_at_end(self, p: Progress) -> int:
        """The rows the case will have: those read, scaled by the bytes still to read in the parse."""
        if p.stage == "parse" and p.bytes_total and p.bytes_done:
            self._rows_expected = max(self._rows_expected, int(p.rows * p.bytes_total / p.bytes_done))
        return max(self._rows_expected, p.rows)

    def estimate(self, now: float) -> Estimate:
        p = self._last
        if p is None or self.started is None:
            return Estimate(None, 0.0)
        if p.stage == "done":
            self._overall = 1.0
            return Estimate(0.0, 1.0, 1.0)
        rows = self._rows_at_end(p)
        in_stage = now - self._stage_started
        finalize, analyze = rows * FINALIZE_S_PER_ROW, rows * ANALYZE_S_PER_ROW
        stage: float | None = None
        if p.stage == "finalize":
            remaining: float | None = max(finalize - in_stage, OVERRUN_S) + analyze
            stage = min(in_stage / finalize, QUIET_STAGE_CAP) if finalize else None
        elif p.stage == "analyze":
            remaining = max(analyze - in_stage, OVERRUN_S)
            stage = min(in_stage / analyze, QUIET_STAGE_CAP) if analyze else None
        elif p.stage == "parse":
            remaining = None if p.eta_s is None else p.eta_s + finalize + analyze
        else:  # opening, listing, extracting: the parse's size is not known yet, so only this stage's time
            return Estimate(p.eta_s, self._overall, None, whole=False)
        spent = now - self.started
        if remaining is not None and spent + remaining > 0:
            self._overall = max(self._overall, min(spent / (spent + remaining), 0.99))
        return Estimate(remaining, self._overall, stage)
