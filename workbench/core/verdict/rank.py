"""Findings ranked by how directly they explain the failure, not by how much a source logged.

First the findings that carry the culprit's evidence (in the order of the verdict's causes), then those that
name a cause's module, then the rest as the analyzers scored them; file-access noise (a scanner's SHARING
VIOLATION / ACCESS DENIED on Setup's folders) that no cause links to comes after everything that explains
something, and crashes that are not the upgrade's come last.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from workbench.core.verdict.owner import stem

#: Findings of the core's own analyzers that report access noise, and crashes that are not the upgrade's.
NOISE_RULES = frozenset({"procmon.setup_access_denied", "procmon.third_party_touches_setup"})
UNRELATED_RULES = frozenset({"crash.unrelated_dump"})
#: The core's statement of the failure itself (the code): it follows the findings that explain it.
SYMPTOM_RULES = frozenset({"upgrade.failure", "upgrade.cancelled"})
#: Findings that say a Setup process died (the down-level failure itself when SetupHost died before logging a
#: code), and the findings that explain such a death (a module crashed in the process, or was put into it).
#: A death a cause explains ranks with that cause, right after the cause's own findings (the culprit's stay
#: first): it is the same event seen from the other side. Left apart it sank below every finding that merely
#: names the module (a critical 99.7 under a high 70, in the findings pane, the overview and the report alike).
DEATH_RULES = frozenset({"beyond.setup_host_process_died", "procmon.setup_abnormal_exit"})
DEATH_CAUSE_RULES = frozenset({"wer.setup_process_crash", "procmon.injected_before_exit"})


#: A finding this far outside the failed attempt (either side) is another day's failure: it explains nothing
#: here (a WER report of a crash months earlier). A day, so that a UTC source beside local logs of a case
#: whose time zone is unknown is never pushed out by the offset alone.
OTHER_DAY_US = 86_400 * 1_000_000


def rank_findings(rows: Sequence[Any], causes: Sequence[dict[str, Any]],
                  span: tuple[int, int] | None = None) -> list[Any]:
    """``rows`` (findings rows in severity/score order, with ``id``, ``rule_id``, ``title``, ``summary``, ``ts``)
    in causal order; ``causes`` as the verdict gives them (strongest first, each with ``finding_ids``); ``span``
    the failed attempt's (start, end), when known: a finding of another day ranks with the noise."""
    linked: dict[int, int] = {}
    for i, cause in enumerate(causes):
        for fid in cause.get("finding_ids") or []:
            linked.setdefault(int(fid), i)
    keys = [(i, stem(c.get("module"))) for i, c in enumerate(causes) if len(stem(c.get("module"))) >= 4]
    death_cause = min((linked[r["id"]] for r in rows if r["id"] in linked and r["rule_id"] in DEATH_CAUSE_RULES),
                      default=None)

    def group(row: Any) -> tuple[int, int, int]:
        if row["rule_id"] in SYMPTOM_RULES:
            return 1, -1, 0
        if row["id"] in linked:
            return 0, linked[row["id"]], 0
        if death_cause is not None and row["rule_id"] in DEATH_RULES:
            return 0, death_cause, 1
        if row["rule_id"] in UNRELATED_RULES:
            return 4, 0, 0
        text = f"{row['title'] or ''} {row['summary'] or ''}".lower()
        for i, key in keys:
            if key in text:
                return 1, i, 0
        if row["rule_id"] in NOISE_RULES:
            return 3, 0, 0
        ts = row["ts"] if "ts" in row.keys() else None
        if span is not None and ts is not None and not span[0] - OTHER_DAY_US <= ts <= span[1] + OTHER_DAY_US:
            return 3, 1, 0
        return 2, 0, 0

    order = sorted(range(len(rows)), key=lambda i: (*group(rows[i]), i))
    return [rows[i] for i in order]
