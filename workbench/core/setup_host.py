"""The machine as Setup saw it: the ``Host OS …`` lines of setupact.log become ``system.*`` facts.

Setup writes the OS it runs on at the start of every run (reference: the rickaK77 and baslr fixtures)::

    MOUPG      Host OS Version         [ 10.0.17134 ]
    MOUPG      Host OS Build String    [ 17134.1.amd64fre.rs4_release.180410-1804 ]
    MOUPG      Host OS Language Id     [ 1033 ]
    MOUPG      Host OS Edition         [ Professional ]
    CONX       Source OS: Host SKU Info: Edition = 'Professional', ..., Product Name = 'Windows 10 Pro', ...
    MOUPG      CSetupDiagnostics: Tracing Data [STRING] -> [HostOsSkuName]=[Windows 10 Pro] ...

These are the OS the upgrade **left from**, at the time of that run: where msinfo32 (taken after a rollback,
or on another day) says otherwise, both stay, with their times, and the overview shows both. They weigh less
than msinfo32 and systeminfo, more than a WER report's OS line.
"""

from __future__ import annotations

import re

from workbench.core.plugins import hookimpl
from workbench.core.store import CaseStore
from workbench.core.system_items import locale_tag

WEIGHT = 8
_BRACKET = r"\s*\[\s*(.+?)\s*\]"
PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"Host OS Version" + _BRACKET), "system.os_version"),
    (re.compile(r"Host OS Build String" + _BRACKET), "setup.host_build_string"),
    (re.compile(r"Host OS Language Id" + _BRACKET), "system.language"),
    (re.compile(r"Host OS Edition" + _BRACKET), "system.edition"),
    (re.compile(r"Source OS: Host SKU Info:.*Product Name = '([^']+)'"), "system.os_name"),
    (re.compile(r"\[HostOsSkuName\]=\[([^\]]+)\]"), "system.os_name"),
)
MARKERS = ("Host OS Version", "Host OS Build String", "Host OS Language Id", "Host OS Edition",
           "Host SKU Info", "HostOsSkuName")


def host_facts(message: str) -> list[tuple[str, str]]:
    """The (fact, value) pairs one setupact message states about the host OS."""
    out: list[tuple[str, str]] = []
    for pattern, fact in PATTERNS:
        m = pattern.search(message)
        if m is None:
            continue
        value = m.group(1).strip()
        if fact == "system.os_version":
            version = re.match(r"\d+\.\d+\.\d+", value)
            if version is None:
                continue
            out.append((fact, version.group(0)))
            out.append(("system.os_build", version.group(0).split(".")[2]))
        elif fact == "system.language":
            tag = locale_tag(value)
            if tag:
                out.append((fact, tag))
        elif fact == "setup.host_build_string":
            out.append((fact, value))  # its build is the base build (18362 on 1909's 10.0.18363): not the OS's
        else:
            out.append((fact, value))
    return out


@hookimpl
def workbench_analyze(store: CaseStore) -> None:
    """One fact per distinct value per log file (the first line that states it). The setupact parser records
    them as it reads (so they show while a big log streams in); this reads the logs of a case parsed before
    it did, and any the parser left without them."""
    like = " OR ".join("t.message LIKE ?" for _ in MARKERS)
    names = sorted({fact for _, fact in PATTERNS} | {"system.os_build"})
    said = {r[0] for r in store.conn.execute(
        f"SELECT DISTINCT file_id FROM facts WHERE weight = ? AND name IN ({','.join('?' * len(names))})",
        (WEIGHT, *names))}
    # only the setupact files the parser said nothing for: a LIKE over every row of a big case took seconds
    unsaid = [i for (i,) in store.conn.execute("SELECT id FROM files WHERE kind = 'setupact' ORDER BY id")
              if i not in said]
    if not unsaid:
        return
    rows = store.query(
        f"SELECT t.file_id, t.line, t.ts, t.message FROM timeline t WHERE t.file_id IN ({','.join('?' * len(unsaid))}) "
        f"AND t.source = 'setupact' AND ({like}) ORDER BY t.id", [*unsaid, *(f"%{m}%" for m in MARKERS)])
    seen: set[tuple[int, str, str]] = set()
    facts = []
    basis = "utc" if store.get_meta("time_zone_iana") else "local"  # without a zone, ts is the wall clock
    for r in rows:
        for name, value in host_facts(r["message"] or ""):
            key = (r["file_id"], name, value)
            if key in seen:
                continue
            seen.add(key)
            facts.append((name, value, r["file_id"], r["line"], r["ts"], basis, (r["message"] or "")[:300], WEIGHT))
    if facts:
        store.insert_facts(facts)
        store.commit()
