"""Each member of a customer case read from its own case store: what the comparison needs, gathered once.

A member is opened the way ``workbench analyze`` opens a case (its folder is keyed by the archive's SHA-256),
so an archive already ingested is read from its database at once and a new one is ingested once. When the
archive is no longer where the customer case file says, its case database is still found by the SHA-256 the
file keeps. A member that cannot be opened (missing, encrypted without the password, not an archive) stays
in the comparison as a column with its error, and the other members go on.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from workbench.core import clock
from workbench.core.clock_text import CaseTimes
from workbench.core.customer.case_file import CustomerCase, Member
from workbench.core.errors import IngestCancelled, UserActionRequired, WorkbenchError
from workbench.core.ingest import Progress
from workbench.core.store import CaseStore

log = logging.getLogger(__name__)

#: ``progress(index, total, archive name, ingest progress or None)``: which member is read, and how far
MemberProgress = Callable[[int, int, str, "Progress | None"], None]
#: facts that tell one installation of Windows from another, beside the computer name
IDENTITY_FACTS = ("install_date", "manufacturer", "model", "bios", "domain")


@dataclass
class MachineInput:
    """One member as the comparison reads it. ``analysis`` is :func:`build_analysis`'s object, or None with
    ``error`` set when the member could not be opened."""

    member: Member
    source: Path
    database: Path | None = None
    error: str | None = None
    error_kind: str | None = None  # password | missing | failed | cancelled
    analysis: dict[str, Any] | None = None
    #: the latest modification time the archive gives its members (when the logs were collected), as written
    collected: str | None = None
    last_log_ts: int | None = None
    last_log_basis: str | None = None
    failure_ts: int | None = None
    failure_basis: str | None = None  # the clock failure_ts is on (:mod:`workbench.core.clock_text`)
    zone: Any = None
    clock_label: tuple[str, str] = ("", "")
    identity: dict[str, str | None] = field(default_factory=dict)

    def wall(self, ts: int | None, basis: str | None) -> str | None:
        """``ts`` on this machine's own clock (its case zone), to the second; without a zone, a local log's
        wall clock as it is and a UTC time marked UTC."""
        return CaseTimes(zone=self.zone).wall(ts, basis)

    def utc(self, ts: int | None, basis: str | None) -> str | None:
        """``ts`` in UTC (ISO, ``Z``), or None when it is a wall clock of no known zone."""
        times = CaseTimes(zone=self.zone)
        return times.iso(ts, basis) if times.is_utc(basis) else None


def collected_time(store: CaseStore) -> str | None:
    """When the logs were collected: the newest member time the archive records (``YYYY-MM-DD HH:MM:SS`` as
    the collecting machine's clock wrote it)."""
    latest = None
    for r in store.query("SELECT mtime FROM files WHERE mtime IS NOT NULL AND mtime != ''"):
        try:
            dt = datetime.fromisoformat(str(r["mtime"]).replace("Z", "+00:00"))
        except ValueError:
            continue
        text = dt.strftime("%Y-%m-%d %H:%M:%S")
        latest = text if latest is None or text > latest else latest
    return latest


def failure_moment(store: CaseStore, verdict: dict[str, Any]) -> tuple[int | None, str]:
    """When it failed, as the summary says it (:func:`workbench.core.report.summary` rules), and the clock that
    time is on (``utc``/``local``)."""
    from workbench.core.analysis import ranked_findings
    from workbench.core.report.summary import _failure

    findings = [{"ts": r["ts"], "file_id": store.scalar("SELECT file_id FROM evidence WHERE finding_id = ? ORDER BY "
                                                         "id LIMIT 1", (r["id"],))}
                for r in ranked_findings(store, verdict)]
    ts, basis, file_id = _failure(store, findings)
    return ts, CaseTimes(store).basis(basis, file_id)


def machine_input(store: CaseStore, member: Member, source: Path) -> MachineInput:
    """Everything the comparison reads from one member's store (the store stays the caller's)."""
    from workbench.core.analysis import build_analysis
    from workbench.core.clock_case import clock_label

    analysis = build_analysis(store)
    m = MachineInput(member, source, database=store.path, analysis=analysis)
    m.collected = collected_time(store)
    last = store.query("SELECT ts, basis FROM timeline WHERE ts IS NOT NULL ORDER BY ts DESC LIMIT 1")
    m.last_log_ts, m.last_log_basis = (last[0]["ts"], last[0]["basis"]) if last else (None, None)
    m.failure_ts, m.failure_basis = failure_moment(store, analysis["verdict"])
    m.zone = clock.resolve_zone(store.get_meta("time_zone_iana"))
    m.clock_label = (clock_label(store), clock_label(store, "zh"))
    for name in IDENTITY_FACTS:
        row = store.fact(f"system.{name}")
        m.identity[name] = None if row is None else row["value"]
    m.identity["computer"] = analysis["system"].get("computer")
    return m


def _stored_case(sha256: str) -> Path | None:
    """The case database of an archive no longer at hand, found by its SHA-256, when its ingest completed."""
    from workbench.core.case import CASE_DATABASE, cases_root

    database = cases_root() / sha256[:24] / CASE_DATABASE
    if not database.is_file():
        return None
    try:
        store = CaseStore.open(database, readonly=True)
        try:
            done = store.get_meta("ingest_state") == "complete" and store.get_meta("sha256") == sha256
        finally:
            store.close()
    except Exception:  # a damaged database: as if there were none
        return None
    return database if done else None


def open_member(customer: CustomerCase, member: Member, *, password: str | None = None,
                progress: Callable[[Progress], None] | None = None, cancel: Callable[[], bool] | None = None
                ) -> MachineInput:
    """Open (ingesting when needed) one member and read it; errors become the member's ``error``."""
    from workbench.core.case import Case, open_case_store

    source = customer.member_path(member)
    if not source.exists():
        database = _stored_case(member.sha256)
        if database is None:
            return MachineInput(member, source, error=f"{source}: no such file or folder, and no case database "
                                                      f"of sha256 {member.sha256[:16]}… in this workbench.",
                                error_kind="missing")
        store = open_case_store(database.parent)
        try:
            return machine_input(store, member, source)
        finally:
            store.close()
    try:
        case = Case.open(source, password=password)
    except UserActionRequired as exc:  # a password, or a source that is a device or an empty folder
        kind = "password" if "password" in type(exc).__name__.lower() else "failed"
        return MachineInput(member, source, error=str(exc), error_kind=kind)
    try:
        if case.digest != member.sha256:
            log.warning("%s: its bytes changed since it joined the customer case (sha256 %s, now %s)",
                        source, member.sha256[:16], case.digest[:16])
            member.sha256 = case.digest  # the customer case follows the archive as it is now
        case.ensure_ingested(progress=progress, cancel=cancel)
        return machine_input(case.store, member, source)
    except IngestCancelled:
        raise
    except UserActionRequired as exc:
        kind = "password" if "password" in type(exc).__name__.lower() else "failed"
        return MachineInput(member, source, database=case.store.path, error=str(exc), error_kind=kind)
    except WorkbenchError as exc:
        return MachineInput(member, source, database=case.store.path, error=str(exc), error_kind="failed")
    finally:
        case.close()


def load_machines(customer: CustomerCase, *, password: str | None = None, progress: MemberProgress | None = None,
                  cancel: Callable[[], bool] | None = None) -> list[MachineInput]:
    """Every member, in the file's order. ``cancel`` stops between and inside ingests (IngestCancelled)."""
    out = []
    total = len(customer.members)
    for index, member in enumerate(customer.members):
        name = customer.member_path(member).name
        if cancel is not None and cancel():
            raise IngestCancelled("cancelled")
        if progress is not None:
            progress(index, total, name, None)
        relay = None
        if progress is not None:
            def relay(p: Progress, i: int = index, n: str = name) -> None:
                progress(i, total, n, p)
        out.append(open_member(customer, member, password=password, progress=relay, cancel=cancel))
    return out
