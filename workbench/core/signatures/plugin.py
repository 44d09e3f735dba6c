"""The built-in plugin that runs every signature pack over a case after ingest.

It also answers ``workbench_signature_packs`` with the built-in packs, so the built-ins are found through
the same hook as a third party's packs.
"""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path

from workbench.core.plugins import hookimpl
from workbench.core.signatures.engine import scan, write_findings
from workbench.core.signatures.packs import builtin_pack_roots, discover
from workbench.core.store import CaseStore

log = logging.getLogger(__name__)


@hookimpl
def workbench_signature_packs() -> list[Path]:
    return builtin_pack_roots()


@hookimpl(trylast=True)
def workbench_analyze(store: CaseStore) -> None:
    """Scan the case with every discovered signature and record each hit as a finding.

    Runs last so that facts other analyzers derive (``upgrade.result_code`` and its time) are in the store:
    they anchor the ranking. Load errors and selections that could not run are kept in the case's meta
    (``signature_problems``) for the CLI and GUI to list; they never stop the other signatures.
    """
    started = time.perf_counter()
    packs = discover()
    problems = [str(e) for e in packs.errors] + packs.notes
    hits = scan(store, packs.ordered(), problems)
    write_findings(store, hits)
    store.set_meta("signature_problems", json.dumps(problems, ensure_ascii=False) if problems else None)
    store.set_meta("signature_scan", json.dumps({
        "signatures": len(packs.signatures), "findings": len(hits),
        "seconds": round(time.perf_counter() - started, 3)}))
    for p in problems:
        log.warning("signatures: %s", p)
