"""The built-in plugin that runs every signature pack over a case after ingest.

It also answers ``workbench_signature_packs`` with the built-in packs, so the built-ins are found through
the same hook as a third party's packs.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Sequence
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
    scan_case(store)


#: meta key: the extra pack folders (``--packs``) the case's signature findings were last computed with
EXTRA_PACKS_META = "signature_packs_extra"


def scan_case(store: CaseStore, extra: Sequence[Path] = ()) -> int:
    """Scan with every discovered signature plus the packs in ``extra``; returns the number of findings."""
    started = time.perf_counter()
    packs = discover(extra=extra)
    problems = [str(e) for e in packs.errors] + packs.notes
    hits = scan(store, packs.ordered(), problems)
    write_findings(store, hits)
    store.set_meta("signature_problems", json.dumps(problems, ensure_ascii=False) if problems else None)
    store.set_meta("signature_scan", json.dumps({
        "signatures": len(packs.signatures), "findings": len(hits),
        "seconds": round(time.perf_counter() - started, 3)}))
    store.set_meta(EXTRA_PACKS_META, json.dumps([str(p) for p in extra]) if extra else None)
    for p in problems:
        log.warning("signatures: %s", p)
    return len(hits)


def rescan_case(store: CaseStore, extra: Sequence[Path] = ()) -> int:
    """Replace the case's signature findings with a new scan (``workbench analyze --packs DIR``).

    An ingested case is not ingested again just because other packs are wanted: only the findings that
    came from signatures (their ``data`` names one) are dropped and scanned anew; the analyzers' own
    findings stay.
    """
    with store.conn:
        ids = "SELECT id FROM findings WHERE json_valid(data) AND json_extract(data, '$.signature') IS NOT NULL"
        store.conn.execute(f"DELETE FROM evidence WHERE finding_id IN ({ids})")
        store.conn.execute(f"DELETE FROM findings WHERE id IN ({ids})")
    n = scan_case(store, extra)
    store.commit()
    return n


def extra_packs_of(store: CaseStore) -> list[Path]:
    """The ``--packs`` folders the case's findings were last computed with (none after a plain ingest)."""
    value = store.get_meta(EXTRA_PACKS_META)
    return [Path(p) for p in json.loads(value)] if value else []
