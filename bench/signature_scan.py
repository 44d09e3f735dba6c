"""Signature scan speed: every built-in signature (plus synthetic ones up to 100) over a large generated case.

The case is a generated Panther setupact.log ingested through the real pipeline (so the timeline is sorted
and full-text indexed as in a customer case), with the lines the built-in samples contain sprinkled in so
signatures really fire. The baseline is the same scan without the full-text prefilter: every selection as a
plain LIKE / regular-expression pass over the timeline.
"""

from __future__ import annotations

import random
import tempfile
import time
from pathlib import Path

NAME = "signatures"


def _write_case(folder: Path, lines: int) -> None:
    rng = random.Random(5)
    comps = ["SP", "MOUPG", "MIG", "CONX", "DISM", "CSI", "PANTHR"]
    panther = folder / "$WINDOWS.~BT" / "Sources" / "Panther"
    panther.mkdir(parents=True)
    planted = [
        "Info                  SP     Initiating rollback/uninstall, phase = 0",
        "Info                  MOUPG  SetupHost: Reporting post reboot event -> [0xC1900101, 0x40017]",
        "Error                 MIG    Abandoning apply due to error for object: C:\\Users\\a\\x.db",
    ]
    with open(panther / "setupact.log", "wb") as fh:
        fh.write(b"\xef\xbb\xbf")
        buf = []
        for i in range(lines):
            stamp = f"2026-11-02 {10 + (i // 3600) % 10:02d}:{(i // 60) % 60:02d}:{i % 60:02d}, "
            if i % (lines // 3) == lines // 6:
                buf.append(stamp + planted[(i // (lines // 3)) % 3] + "\r\n")
                continue
            level = "Error" if rng.random() < 0.01 else "Info"
            buf.append(f"{stamp}{level:<11}{' ' * 11}{rng.choice(comps):<7}Operation {i} on C:\\$WINDOWS.~BT\\"
                       f"Sources\\file{i % 977}.dll finished. Error: 0x{rng.randrange(1 << 32):08X}\r\n")
            if len(buf) > 5000:
                fh.write("".join(buf).encode())
                buf = []
        fh.write("".join(buf).encode())


def measure(quick: bool) -> list[dict]:
    from workbench.core.case import Case
    from workbench.core.plugins.manager import build_plugin_manager
    from workbench.core.signatures.engine import scan
    from workbench.core.signatures.loader import load_signature
    from workbench.core.signatures.packs import builtin_pack_roots, load_packs

    figures = []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        lines = 100_000 if quick else 1_000_000
        _write_case(root / "case", lines)
        pm, _ = build_plugin_manager(entry_points=False)
        pm.unregister(name="workbench.core.signatures.plugin")  # scan explicitly below, not during ingest
        case = Case.open(root / "case", home=root / "home")
        case.ensure_ingested(plugin_manager=pm)
        rows = case.store.scalar("SELECT count(*) FROM timeline")
        started = time.perf_counter()
        packs = load_packs(builtin_pack_roots())
        load_s = time.perf_counter() - started
        sigs = packs.ordered()
        # top up to 100 with distinct copies of a built-in (new ids and phrases: no query is shared)
        template = next(s for s in sigs if s.id == "setupdiag.find_mig_gather_apply_failure").path.read_text("utf-8")
        n = 0
        while len(sigs) < 100:
            extra = root / "extra" / "signatures"
            extra.mkdir(parents=True, exist_ok=True)
            (extra.parent / "samples" / "none").mkdir(parents=True, exist_ok=True)
            path = extra / f"x{n}.yml"
            path.write_text(template.replace("id: setupdiag.find_mig_gather_apply_failure", f"id: bench.x{n}")
                            .replace("Abandoning apply due", f"Abandoning apply {n} due")
                            .replace("samples/find_mig_gather_apply_failure", "samples/none"), "utf-8")
            sig, errors = load_signature(path)
            assert sig is not None, errors
            sigs.append(sig)
            n += 1
        for use_fts, name, label in ((True, "signature_scan_fts_s", "full-text prefilter"),
                                     (False, "signature_scan_plain_s", "no prefilter")):
            started = time.perf_counter()
            hits = scan(case.store, sigs, use_fulltext=use_fts)
            elapsed = time.perf_counter() - started
            figures.append({"figure": name, "value": elapsed, "unit": "s",
                            "baseline": f"100 signatures, {label}; {rows:,} timeline rows, {len(hits)} hits"})
        figures.append({"figure": "signature_packs_load_s", "value": load_s, "unit": "s",
                        "baseline": f"{len(packs.signatures)} YAML files"})
        case.close()
    return figures
