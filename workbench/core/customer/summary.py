"""One summary for a customer case: per machine what failed, then what they share and what to do.

The brief's four sections (案例描述, 案例分析, 案例进展, 建议) over several machines. Each machine's part is
its own case summary (:func:`workbench.core.report.summary.build_summary`, the same data a one-machine report
shows), so nothing is told twice in two ways; the comparison (:mod:`.compare`) adds the suspects the failing
machines share, the findings several machines have, and the differences. Rendering goes through the report
templates (``resources/report/compare.<lang>.<fmt>.j2``) and the report's e-mail builder; redaction learns
from every member's case, so one computer or user is the same pseudonym in every machine's part.
"""

from __future__ import annotations

import logging
import sqlite3
from datetime import datetime, timezone
from typing import Any

from workbench.core.customer.case_file import CustomerCase
from workbench.core.customer.members import MachineInput
from workbench.core.customer.texts import both, join
from workbench.core.report.redact import Redactor
from workbench.core.report.summary import LANGUAGES, build_summary
from workbench.core.store import CaseStore, NotesStore

log = logging.getLogger(__name__)

COMBINED_SCHEMA = "workbench.customer-summary/1"
#: The template name of the combined summary (``compare.<lang>.<fmt>.j2``) and of its e-mail subject.
TEMPLATE = "compare"
#: Suspects the summary names (the comparison keeps them all).
MAX_SUSPECTS = 3
#: Findings several machines share that the summary lists.
MAX_SHARED_FINDINGS = 8
#: Differences the summary lists (the comparison keeps them all).
MAX_DIFFERENCES = 12


def _pick(item: dict[str, Any], key: str, lang: str) -> Any:
    return (item.get(f"{key}_zh") or item.get(key)) if lang == "zh" else item.get(key)


def customer_notes(customer: CustomerCase | None) -> list[dict[str, Any]]:
    """The customer case's own notes (Markdown), links to one machine's lines made plain text."""
    if customer is None or not (customer.notes_folder / "notes.sqlite").exists():
        return []
    from workbench.core.report.notes import plain_links

    try:
        with NotesStore.open(customer.notes_folder) as notes:
            return [{"id": n.id, "updated": n.updated, "body": plain_links(n.body)} for n in notes.notes()
                    if n.body.strip()]
    except sqlite3.DatabaseError as exc:  # a damaged notes database must not stop the summary going out
        log.warning("%s: the customer case's notes cannot be read: %s", customer.notes_folder, exc)
        return []


def _remediations(comparison: dict[str, Any], lang: str) -> list[str]:
    """The suspect's recommendation first, then each machine's own next steps (a step several machines share
    said once, with their letters), then what to collect for machines whose logs cannot tell."""
    out: list[str] = []
    suspects = comparison["common_suspects"][:MAX_SUSPECTS]
    for p in suspects:
        out.append(_pick(p, "recommendation", lang))
    if suspects and suspects[0].get("vendor"):
        vendor = (suspects[0].get("vendor_zh") or suspects[0]["vendor"]) if lang == "zh" else suspects[0]["vendor"]
        out.append(both("recommend_vendor", vendor=vendor, failing=join(suspects[0]["failing"]))[lang == "zh"])
    steps: dict[str, list[str]] = {}
    for m in comparison["machines"]:
        if m["outcome"] != "failing":
            continue  # what a machine that upgraded (or cannot tell) should do is not the customer's fix
        for step in _pick(m["verdict"], "next_steps", lang) or []:
            steps.setdefault(step, []).append(m["key"])
    for step, keys in steps.items():
        out.append(both("recommend_machine", machine=join(keys), step=step)[lang == "zh"])
    unknown = [m["key"] for m in comparison["machines"] if m["outcome"] == "unknown"]
    if unknown:
        out.append(both("recommend_collect", machines=join(unknown))[lang == "zh"])
    return out


def build_combined_summary(comparison: dict[str, Any], machine_summaries: list[dict[str, Any] | None], *,
                           lang: str = "zh", now: datetime | None = None, name: str | None = None,
                           notes: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """The customer case's summary as plain data in ``lang``: ``machine_summaries`` are the members' own
    summaries in the comparison's column order (None for a member that could not be read)."""
    if lang not in LANGUAGES:
        raise ValueError(f"language {lang!r}: choose one of {', '.join(LANGUAGES)}")
    now = now or datetime.now(timezone.utc)
    zh = lang == "zh"
    keys = [m["key"] for m in comparison["machines"]]
    machines = []
    for m, s in zip(comparison["machines"], machine_summaries, strict=True):
        machines.append({
            "key": m["key"], "label": m["label"], "source": m["source"], "computer": m["computer"],
            "outcome": m["outcome"], "outcome_text": _pick(m, "outcome_text", lang),
            "state_text": _pick(m, "state_text", lang), "upload_text": _pick(m, "upload_text", lang),
            "uploads": m["uploads"], "failure_time": m["failure_time"], "collected": m["collected"],
            "clock": m["system"]["clock_zh" if zh else "clock"], "error": m["error"],
            "verdict_summary": _pick(m["verdict"], "summary", lang), "s": s,
        })
    suspects = [{
        "label": _pick(p, "label", lang), "reasons": _pick(p, "reasons", lang) or [],
        "cells": [{"key": k, "present": p["machines"][k]["present"],
                   "text": ("/".join(p["machines"][k]["versions"]) or "✓") if p["machines"][k]["present"] else "—"}
                  for k in keys],
    } for p in comparison["common_suspects"][:MAX_SUSPECTS]]
    shared = [{"title": (f.get("title_zh") or f["title"]) if zh else f["title"], "machines": join(f["machines"])[zh]}
              for f in comparison["findings"] if len(f["machines"]) > 1][:MAX_SHARED_FINDINGS]
    differences = [{"kind": d["kind_text_zh" if zh else "kind_text"], "label": _pick(d, "label", lang),
                    "cells": [{"key": k, "text": d["values_zh" if zh else "values"].get(k) or "—"} for k in keys]}
                   for d in comparison["differences"] if d["kind"] in ("machine", "software", "version")
                   ][:MAX_DIFFERENCES]
    return {
        "schema": COMBINED_SCHEMA,
        "lang": lang,
        "generated": now.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "name": name or (comparison.get("customer_case") or {}).get("name"),
        "overview": _pick(comparison, "summary", lang),
        "columns": keys,
        "failing": join(comparison["failing"])[zh],
        "succeeding": join(comparison["succeeding"])[zh],
        "machines": machines,
        "suspects": suspects,
        "shared_findings": shared,
        "differences": differences,
        "differences_total": len(comparison["differences"]),
        "remediations": _remediations(comparison, lang),
        "notes": notes or [],
    }


def member_summaries(machines: list[MachineInput], *, lang: str, now: datetime) -> list[dict[str, Any] | None]:
    """Each member's own case summary, read from its case database (None where it could not be read)."""
    out: list[dict[str, Any] | None] = []
    for m in machines:
        if m.analysis is None or m.database is None:
            out.append(None)
            continue
        store = CaseStore.open(m.database)
        try:
            out.append(build_summary(store, lang=lang, now=now))
        finally:
            store.close()
    return out


def redactor_for(machines: list[MachineInput]) -> Redactor:
    """One redactor that knows every member's personal values (pseudonyms numbered across the machines)."""
    combined = Redactor()
    for m in machines:
        if m.database is None or m.analysis is None:
            continue
        store = CaseStore.open(m.database)
        try:
            learned = Redactor.for_case(store)
        finally:
            store.close()
        for key, value in learned.learned.items():
            combined.learned.setdefault(key, value)
        combined.keep |= learned.keep
    return combined


def prepared_combined_summary(comparison: dict[str, Any], machines: list[MachineInput], *, lang: str = "zh",
                              now: datetime | None = None, customer: CustomerCase | None = None,
                              redact: bool = False) -> dict[str, Any]:
    """The combined summary as it will be rendered (redacted when asked)."""
    now = now or datetime.now(timezone.utc)
    summary = build_combined_summary(comparison, member_summaries(machines, lang=lang, now=now), lang=lang, now=now,
                                     name=customer.name if customer else None, notes=customer_notes(customer))
    if redact:
        summary = redactor_for(machines).apply(summary)
    return summary


def export_combined_summary(comparison: dict[str, Any], machines: list[MachineInput], fmt: str, *,
                            lang: str = "zh", now: datetime | None = None, customer: CustomerCase | None = None,
                            redact: bool = False, attach_markdown: bool = False) -> bytes:
    """The exported file's bytes: UTF-8 text for ``md``/``html``/``txt``, a MIME message for ``eml``."""
    from workbench.core.report.eml import build_eml, eml_bytes
    from workbench.core.report.export import EXPORT_FORMATS
    from workbench.core.report.render import render_summary

    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"format {fmt!r}: choose one of {', '.join(EXPORT_FORMATS)}")
    now = now or datetime.now(timezone.utc)
    summary = prepared_combined_summary(comparison, machines, lang=lang, now=now, customer=customer, redact=redact)
    if fmt == "eml":
        return eml_bytes(build_eml(summary, now=now, attach_markdown=attach_markdown, kind=TEMPLATE))
    return render_summary(summary, fmt, kind=TEMPLATE).encode("utf-8")
