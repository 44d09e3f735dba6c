"""One crash, one finding: findings that tell the same cause grouped, every source's evidence kept (issue 19).

Each analyzer and signature writes its own finding — a WER report, a Procmon exit, the injection seen by
Procmon, MigHost's "parent process exited", a signature reading the same stack as the dump's finding. The
engineer sees one crash. :func:`group_findings` folds the findings of one *crash identity* into one entry, the
strongest (first ranked) at its head and the others kept whole as "also seen as":

* a **process crash**: the crashed Setup process and the moment it died (a WER report's app and time, Procmon's
  exit of that process, an injection before that exit): findings about that process in the minute around
  its death, Setup's own statement that a Setup process died then, and the exits of the other Setup processes
  right after it (setup.exe, SetupPrep.exe and mighost.exe end because SetupHost died: consequences);
* a **bug check**: the upgrade's crash and its sources (the dump, the engineer's WinDbg text): findings whose
  evidence is only those sources (a signature reading the same stack, "setupmem.dmp is there"), and findings
  stating the same stop code (the rollback log's ``Crash 0x0000007E detected``);

then, as for any finding, the same first evidence line (two rules on one hung setupapi section), and the
failure's code restated (SetupHost reported it, the rollback, the code's documented meaning) under the
statement of the failure. The identities come from the verdict's causes (``crash``); nothing here knows a
product or a particular problem. The store keeps every finding as written.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from workbench.core.finding_text import finding_data
from workbench.core.store import CaseStore
from workbench.core.verdict.rank import SYMPTOM_RULES

#: Around a process's death: its own findings this close, and the other Setup processes' exits this soon after.
DEATH_WINDOW_US = 60 * 1_000_000
#: Findings that say a Setup process died (Procmon's exit, Setup's log that its host vanished, WER's report).
DEATH_RULES = frozenset({"procmon.setup_abnormal_exit", "beyond.setup_host_process_died", "wer.setup_process_crash"})
#: Processes of a feature upgrade's down-level phase: one dying takes its parents and children with it.
SETUP_PROCESSES = frozenset({"setup.exe", "setupprep.exe", "setuphost.exe", "mighost.exe", "dismhost.exe",
                             "setupplatform.exe", "conhost.exe"})
_CODE_PAIR = re.compile(r"0x[0-9a-f]{8} - 0x[0-9a-f]{4,8}", re.I)
_STOP_CODE = re.compile(r"(?:bug ?check|blue screen|stop code|crash|蓝屏)[^0-9a-z]{0,12}(0x[0-9a-f]{1,8})\b", re.I)


def _base(name: Any) -> str:
    return str(name or "").replace("/", "\\").rsplit("\\", 1)[-1].lower()


def _stop(code: Any) -> int | None:
    """A stop code without its ``0x10000000`` flag (0x1000007E and 0x7E are one bug check)."""
    try:
        return int(str(code), 16) & ~0x10000000 if code else None
    except ValueError:
        return None


def _process_of(data: dict[str, Any]) -> str:
    """The process a finding is about, by file name (WER's app, an injection's target, Procmon's image)."""
    for key in ("app", "target", "image", "process_name"):
        if isinstance(data.get(key), str) and data[key]:
            return _base(data[key])
    return ""


class _Incident:
    """One crash identity, from a verdict cause's ``crash`` object."""

    def __init__(self, crash: dict[str, Any]) -> None:
        self.kind = crash.get("kind")
        self.ids = {int(i) for i in crash.get("finding_ids") or []}
        self.process = _base(crash.get("process"))
        self.keys = {tuple(k) for k in crash.get("keys") or [] if isinstance(k, list)}
        self.ts = crash.get("ts_us") if isinstance(crash.get("ts_us"), int) else None
        self.files = {str(f) for f in crash.get("files") or []}
        self.code = _stop(crash.get("bugcheck"))

    def near(self, ts: Any, before: int = DEATH_WINDOW_US, after: int = DEATH_WINDOW_US) -> bool:
        return isinstance(ts, int) and self.ts is not None and self.ts - before <= ts <= self.ts + after

    def holds(self, row: Any, data: dict[str, Any], files: list[str]) -> bool:
        if row["id"] in self.ids:
            return True
        if self.kind == "process":
            key = data.get("process")
            if isinstance(key, list) and tuple(key) in self.keys and (row["ts"] is None or self.near(row["ts"])):
                return True  # the same process in Procmon (its modules, its exit)
            name = _process_of(data)
            if name and name == self.process and self.near(row["ts"]):
                return True
            if row["rule_id"] in DEATH_RULES and self.near(row["ts"], before=2_000_000):
                # another Setup process ending right after it (its parent, its child): a consequence
                return not name or name in SETUP_PROCESSES
            return False
        if self.kind == "bugcheck":
            if files and all(f in self.files for f in files):
                return True  # a signature reading the same crash source
            if self.code is not None and row["rule_id"] not in SYMPTOM_RULES:
                said = f"{row['title'] or ''} {row['summary'] or ''}"
                return any(_stop(m.group(1)) == self.code for m in _STOP_CODE.finditer(said))
        return False


def _same_cause(kept: tuple[Any, list[Any]], other: tuple[Any, list[Any]]) -> bool:
    """Whether ``other`` says again what ``kept`` (ranked higher) says: the same first evidence line, or the
    failure's code restated under the statement of the failure."""
    (k, k_ev), (o, o_ev) = kept, other
    if k_ev and o_ev and k_ev[0] == o_ev[0] and k_ev[0][1] is not None:
        return True
    if k["rule_id"] in SYMPTOM_RULES and o["rule_id"] not in SYMPTOM_RULES:
        code = _CODE_PAIR.search(k["title"] or "")
        said = f"{o['title'] or ''} {o['summary'] or ''}".lower()
        return code is not None and code.group(0).lower() in said
    return False


def group_findings(store: CaseStore, rows: Sequence[Any], causes: Sequence[dict[str, Any]]) -> list[list[Any]]:
    """``rows`` (findings in causal rank order) as groups ``[head, *also]``, the heads in rank order: one group
    per crash identity of the verdict's ``causes``, then one per cause as above."""
    incidents = [_Incident(c["crash"]) for c in causes if isinstance(c.get("crash"), dict)]
    evidence: dict[int, list[tuple[str | None, int | None]]] = {}
    if rows:
        marks = ",".join("?" * len(rows))
        for e in store.query("SELECT e.finding_id, e.line, f.path FROM evidence e LEFT JOIN files f ON "
                             f"f.id = e.file_id WHERE e.finding_id IN ({marks}) ORDER BY e.id",
                             tuple(r["id"] for r in rows)):
            evidence.setdefault(e["finding_id"], []).append((e["path"], e["line"]))
    groups: list[list[Any]] = []
    by_incident: dict[int, int] = {}
    for row in rows:
        data = finding_data(row["data"])
        ev = evidence.get(row["id"], [])
        files = sorted({f or "" for f, _ in ev})
        hit = next((i for i, inc in enumerate(incidents) if inc.holds(row, data, files)), None)
        if hit is not None:
            if hit in by_incident:
                groups[by_incident[hit]].append(row)
            else:
                by_incident[hit] = len(groups)
                groups.append([row])
            continue
        into = next((g for g in groups if _same_cause((g[0], evidence.get(g[0]["id"], [])), (row, ev))), None)
        if into is not None:
            into.append(row)
        else:
            groups.append([row])
    return groups
