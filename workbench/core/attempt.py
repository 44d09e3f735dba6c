"""The failed attempt: the hours from the last Setup start to the failure or the end of its rollback.

A case reaches far beyond the upgrade: event logs hold weeks, ``Windows\\Panther`` keeps the machine's
original installation (often a year or more older), setupapi logs years of device installs. The strip and
the log table open on the attempt instead (:func:`failed_attempt`), and the verdict reads the same span.

* **Start**: the last Setup run that is not a post-reboot, rollback or cleanup run (its ``SetupHost::
  Initialize: CmdLine`` names none of ``/PostReboot /PostOOBE /PostRollback /RollbackSys /RollbackUser
  /Cleanup``), at its ``SetupHost Logging Begin`` line; failing that, the last ``Logging Begin``; failing that,
  the first row of the newest down-level (``$WINDOWS.~BT``) setup log.
* **End**: the latest of the failure report (the strongest ``upgrade.result_code`` reading), the rollback's
  end, a crash of a Setup process (WER) or of the machine (an upgrade dump), after the start; with none of
  them, the end of that Setup run (``SetupHost Logging End`` or its log's last row).

It is computed once per ingest (an analyze hook, after the upgrade reconstruction) and kept as the
``setup.attempt`` fact, so a view asks for it in a millisecond.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass
from typing import Any

from workbench.core.clock_text import CaseTimes
from workbench.core.plugins import hookimpl
from workbench.core.store import CaseStore

POST_RUN_FLAGS = ("/postreboot", "/postoobe", "/postrollback", "/rollbacksys", "/rollbackuser", "/cleanup")
FACT = "setup.attempt"
#: a start this close before its CmdLine line is the same run's ``Logging Begin``
SAME_RUN_US = 30 * 1_000_000
_CMDLINE = re.compile(r"SetupHost::Initialize: CmdLine\s*=\s*\[(.*)\]")


@dataclass(frozen=True)
class AttemptSpan:
    """The failed attempt's span (UTC µs on the case clock) and the lines that open and close it."""

    start: int
    end: int
    start_file_id: int | None
    start_line: int | None
    start_text: str
    end_file_id: int | None
    end_line: int | None
    end_text: str
    end_reason: str  # failure | rollback end | setup crash | crash | end of the Setup run

    def as_dict(self, times: CaseTimes) -> dict[str, Any]:
        out = asdict(self)
        out["start_time"] = times.iso(self.start, file_id=self.start_file_id)
        out["end_time"] = times.iso(self.end, file_id=self.end_file_id)
        return out


def _rows(store: CaseStore, phrase: str, like: str) -> list[Any]:
    """setupact rows holding ``phrase``: through the full-text index when there, else LIKE."""
    cols = "SELECT t.id, t.ts, t.file_id, t.line, t.message, f.role, f.path FROM timeline t JOIN files f ON " \
           "f.id = t.file_id WHERE t.source = 'setupact' AND t.ts IS NOT NULL"
    try:
        return store.query(cols + " AND t.id IN (SELECT rowid FROM timeline_fts WHERE timeline_fts MATCH ?) "
                           "AND t.message LIKE ? ORDER BY t.id", (phrase, like))
    except Exception:  # no index (a store made by hand): the slow way
        return store.query(cols + " AND t.message LIKE ? ORDER BY t.id", (like,))


def setup_starts(store: CaseStore) -> list[tuple[int, Any]]:
    """(start time, row) of every Setup run that is not a post-reboot, rollback or cleanup run, in time order."""
    begins = _rows(store, '"SetupHost Logging Begin"', "%SetupHost Logging Begin%")
    cmdlines = _rows(store, '"CmdLine"', "%SetupHost::Initialize: CmdLine%")
    out: list[tuple[int, Any]] = []
    if cmdlines:
        for c in cmdlines:
            m = _CMDLINE.search(c["message"] or "")
            cmd = (m.group(1) if m else c["message"] or "").lower()
            if any(flag in cmd for flag in POST_RUN_FLAGS):
                continue
            begin = next((b for b in reversed(begins) if b["file_id"] == c["file_id"] and b["id"] < c["id"]
                          and c["ts"] - b["ts"] <= SAME_RUN_US), None)
            row = begin or c
            out.append((int(row["ts"]), row))
    elif begins:
        out = [(int(b["ts"]), b) for b in begins]
    else:
        first = store.query(
            "SELECT t.id, t.ts, t.file_id, t.line, t.message, f.role, f.path FROM timeline t JOIN files f ON "
            "f.id = t.file_id WHERE t.file_id IN (SELECT id FROM files WHERE kind = 'setupact' AND role = 'downlevel') "
            "AND t.source = 'setupact' AND t.ts IS NOT NULL AND f.role = 'downlevel' ORDER BY t.id LIMIT 1")
        out = [(int(r["ts"]), r) for r in first]
    out.sort(key=lambda x: x[0])
    return out


def _ends(store: CaseStore) -> list[tuple[int, str, int | None, int | None, str]]:
    """Candidate ends: (time, reason, file id, line, text)."""
    out: list[tuple[int, str, int | None, int | None, str]] = []
    row = store.fact("upgrade.result_code")
    if row is not None and row["ts"] is not None and row["basis"] in ("utc", None):
        out.append((int(row["ts"]), "failure", row["file_id"], row["line"], row["text"] or ""))
    phases = store.fact("setup.phases")
    if phases is not None and phases["value"]:
        try:
            items = json.loads(phases["value"])
        except ValueError:
            items = []
        for p in items if isinstance(items, list) else []:
            if isinstance(p, dict) and p.get("kind") == "rollback" and isinstance(p.get("end"), int):
                out.append((p["end"], "rollback end", p.get("file_id"), p.get("line"), str(p.get("name") or "")))
    if store.scalar("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'wer_reports'"):
        from workbench.core.parsers.wer import setup_crashes

        for r in setup_crashes(store):
            if r["event_time"] is not None:
                out.append((int(r["event_time"]), "setup crash", r["file_id"], None,
                            f"{r['app_name']} crashed in {r['fault_module'] or '?'}"))
    if store.scalar("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'dump_summary'"):
        for r in store.query("SELECT file_id, crash_ts, bugcheck_code FROM dump_summary WHERE crash_ts IS NOT NULL "
                             "AND upgrade_path = 1"):
            out.append((int(r["crash_ts"]), "crash", r["file_id"], None, f"bugcheck {r['bugcheck_code'] or '?'}"))
    return out


def compute_attempt(store: CaseStore) -> AttemptSpan | None:
    """The failed (or last) attempt's span from the store, or None when no Setup run is in the case."""
    starts = setup_starts(store)
    ends = _ends(store)
    if not starts:
        return None
    failure = max((e for e in ends if e[1] == "failure"), default=None, key=lambda e: e[0])
    # the last start at or before the failure (a post-reboot report comes hours after its down-level start)
    if failure is not None:
        before = [s for s in starts if s[0] <= failure[0]]
        start_ts, start_row = before[-1] if before else starts[-1]
    else:
        start_ts, start_row = starts[-1]
    later = [e for e in ends if e[0] >= start_ts]
    if later:
        end = max(later, key=lambda e: e[0])
        end_ts, reason, efile, eline, etext = end
    else:
        run_end = store.query(
            "SELECT ts, file_id, line, message FROM timeline WHERE file_id = ? AND ts IS NOT NULL AND id >= ? "
            "AND message LIKE '%SetupHost Logging End%' ORDER BY id LIMIT 1", (start_row["file_id"], start_row["id"]))
        if not run_end:
            run_end = store.query("SELECT ts, file_id, line, message FROM timeline WHERE file_id = ? AND ts IS NOT "
                                  "NULL ORDER BY id DESC LIMIT 1", (start_row["file_id"],))
        r = run_end[0]
        end_ts, reason, efile, eline, etext = int(r["ts"]), "end of the Setup run", r["file_id"], r["line"], \
            r["message"] or ""
    return AttemptSpan(start_ts, max(end_ts, start_ts), start_row["file_id"], start_row["line"],
                       (start_row["message"] or "")[:300], efile, eline, etext[:300], reason)


def failed_attempt(store: CaseStore) -> AttemptSpan | None:
    """The attempt's span as the ingest kept it (the ``setup.attempt`` fact), computed when the case predates it."""
    row = store.fact(FACT)
    if row is not None and row["value"]:
        try:
            d = json.loads(row["value"])
            return AttemptSpan(**{k: d[k] for k in AttemptSpan.__dataclass_fields__})
        except (ValueError, KeyError, TypeError):
            pass
    return compute_attempt(store)


@hookimpl
def workbench_analyze(store: CaseStore) -> None:
    span = compute_attempt(store)
    if span is None:
        return
    times = CaseTimes(store)
    shown = span.as_dict(times)
    text = f"from {shown['start_time']} ({span.start_text[:120]}) to {shown['end_time']} ({span.end_reason})"
    store.insert_facts([(FACT, json.dumps(shown, ensure_ascii=False), span.start_file_id,
                         span.start_line, span.start, times.basis(file_id=span.start_file_id), text, 10)])
    store.commit()


#: roles that say "after the upgrade" from the folder alone
AFTER_ROLES = ("postupgrade",)
_BUILD = re.compile(r"\b10\.0\.(\d{5})\b")


def _builds(store: CaseStore, file_id: int, limit: int = 400) -> set[str]:
    """Builds (``10.0.19041`` -> ``19041``) a log names in its first rows."""
    out: set[str] = set()
    for r in store.conn.execute("SELECT message FROM timeline WHERE file_id = ? ORDER BY line LIMIT ?",
                                (file_id, limit)):
        out.update(_BUILD.findall(r[0] or ""))
    return out


def mark_deployment_logs(store: CaseStore) -> list[str]:
    """Tell the machine's original deployment logs from the logs the upgrade left behind.

    ``Windows\\Panther`` holds the setup log of whatever last ran Setup there: after an upgrade, the upgrade's
    post-OOBE log; on a machine never upgraded (or after a rollback), the **original installation's** log,
    often a year older. The folder alone says "after the upgrade" (role ``postupgrade``); a log there that
    ended before the last Setup start, or that names only builds other than the one Setup was installing,
    is given the role ``deployment`` (its catalogue note says why). Runs after the timeline is clocked, before
    the analyzers read the roles. Returns the paths re-labelled.
    """
    starts = setup_starts(store)
    last_start = starts[-1][0] if starts else None
    targets = {m.group(1) for r in _rows(store, '"Setup build version is"', "%Setup build version is%")
               if (m := re.search(r"Setup build version is: \d+\.\d+\.(\d+)", r["message"] or ""))}
    changed = []
    times = CaseTimes(store)
    marks = ", ".join("?" * len(AFTER_ROLES))
    for f in store.query(f"SELECT id, path, notes FROM files WHERE role IN ({marks}) AND kind IN "
                         "('setupact', 'setuperr')", AFTER_ROLES):
        last = store.scalar("SELECT max(ts) FROM timeline WHERE file_id = ?", (f["id"],))
        why = None
        if last is not None and last_start is not None and last < last_start:
            why = (f"ends {times.iso(last, file_id=f['id'])}, before the last Setup start "
                   f"({times.iso(last_start, file_id=starts[-1][1]['file_id'])}): "
                   "the machine's original deployment (or an earlier Setup), not what the upgrade left")
        elif targets:
            builds = _builds(store, f["id"])
            if builds and not builds & targets:
                why = (f"names build(s) {', '.join(sorted(builds))}, not {', '.join(sorted(targets))} that Setup "
                       "was installing: the machine's original deployment, not what the upgrade left")
        if why is None:
            continue
        notes = "; ".join(x for x in (f["notes"], f"role deployment: {why}") if x)
        store.conn.execute("UPDATE files SET role = 'deployment', notes = ? WHERE id = ?", (notes, f["id"]))
        changed.append(f["path"])
    store.commit()
    return changed
