"""Running signatures on their samples: what ``workbench signatures test`` and the test suite both do.

A sample is a small case laid out as collected (``$WINDOWS.~BT/Sources/Panther/setupact.log`` ...), so it
goes through the real pipeline (identify, parse, clock, analyze) exactly like a customer's archive; or, for
binary sources such as event logs, a ``.rows.yaml`` file of the rows their parser writes
(:mod:`workbench.core.signatures.rowsample`), put into a real case database during a real ingest. A
signature passes when it fires on its positive samples, not on its negative ones, and nothing else fires
there except the signatures its ``samples.also_fires`` names: a sample proves one thing.
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from workbench.core.signatures.engine import scan
from workbench.core.signatures.loader import Signature
from workbench.core.signatures.rowsample import ingest_rows_sample, is_rows_sample

__all__ = ["SampleResult", "SampleRunner", "test_signatures"]

PLUGIN_NAME = "workbench.core.signatures.plugin"


@dataclass
class SampleResult:
    """The verdict for one signature on one of its samples."""

    signature: str
    sample: Path
    kind: str  # positive | negative
    ok: bool
    fired: list[str] = field(default_factory=list)
    message: str = ""


class SampleRunner:
    """Ingests samples into throwaway cases (once each) and scans them with a given set of signatures."""

    def __init__(self, home: Path | None = None) -> None:
        from workbench.core.plugins.manager import build_plugin_manager

        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        if home is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="wb-samples-")
            home = Path(self._tmp.name)
        self.home = home
        # the signature plugin is left out: the runner scans with exactly the signatures under test
        self.pm, _ = build_plugin_manager()
        if self.pm.get_plugin(PLUGIN_NAME) is not None:
            self.pm.unregister(name=PLUGIN_NAME)
        self._fired: dict[tuple[Path, tuple[str, ...]], list[str]] = {}
        self._cases: dict[Path, object] = {}

    def fired(self, sample: Path, signatures: list[Signature]) -> list[str]:
        """Ids of ``signatures`` that fire on ``sample``, best first."""
        from workbench.core.case import Case

        key = (sample, tuple(s.id for s in signatures))
        if key not in self._fired:
            case = self._cases.get(sample)
            if case is None:
                if is_rows_sample(sample):
                    home = self.home / "rows" / hashlib.sha256(str(sample).encode()).hexdigest()[:16]
                    case = ingest_rows_sample(sample, home, self.pm)
                else:
                    case = Case.open(sample, home=self.home)
                    case.ensure_ingested(plugin_manager=self.pm)
                self._cases[sample] = case
            self._fired[key] = [h.signature.id for h in scan(case.store, signatures)]  # type: ignore[attr-defined]
        return self._fired[key]

    def close(self) -> None:
        for case in self._cases.values():
            case.close()  # type: ignore[attr-defined]
        self._cases.clear()
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    def __enter__(self) -> SampleRunner:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def test_signatures(signatures: Iterable[Signature], runner: SampleRunner,
                    universe: list[Signature] | None = None) -> list[SampleResult]:
    """Check each signature on its samples against ``universe`` (default: the signatures given)."""
    chosen = list(signatures)
    universe = universe if universe is not None else chosen
    results: list[SampleResult] = []
    for sig in chosen:
        allowed = {sig.id, *sig.also_fires}
        for sample in sig.samples_positive:
            fired = runner.fired(sample, universe)
            extra = [f for f in fired if f not in allowed]
            if sig.id not in fired:
                results.append(SampleResult(sig.id, sample, "positive", False, fired,
                                            "did not fire on its positive sample"))
            elif extra:
                results.append(SampleResult(sig.id, sample, "positive", False, fired,
                                            f"its sample also makes {', '.join(extra)} fire "
                                            "(list them in samples.also_fires if that is right)"))
            else:
                results.append(SampleResult(sig.id, sample, "positive", True, fired))
        for sample in sig.samples_negative:
            fired = runner.fired(sample, universe)
            if sig.id in fired:
                results.append(SampleResult(sig.id, sample, "negative", False, fired,
                                            "fired on its negative sample"))
            else:
                results.append(SampleResult(sig.id, sample, "negative", True, fired))
    return results


test_signatures.__test__ = False  # type: ignore[attr-defined]  # not a pytest test, despite the name
