"""A larger event-log input built from the fixture logs' own records, for runs at a multiple of the fixtures.

Copying a fixture file would only measure the duplicate filter (a copy's records are dropped), so each
record of the fixture set is read once (its provider, event ID, level, time, channel, EventData or UserData)
and written again with :mod:`workbench.writers.evtx` for ``copies`` machines of their own (computer
``<name>-<n>``, times shifted by a day per copy): the same providers, messages and fields as the real logs,
in logs with templates shared per chunk as Windows writes them, and none a duplicate of another.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any


def _value(v: Any) -> Any:
    if isinstance(v, bool | int) and not isinstance(v, bool) and 0 <= v <= 0xFFFFFFFFFFFFFFFF:
        return v
    if v is None:
        return ""
    if isinstance(v, dict | list):
        return str(v)
    return str(v)


def fixture_events(files: list[Path]) -> list[tuple[str, list[Any]]]:
    """(file name, [Event, ...]) for every readable record of ``files``, in file order."""
    import evtx
    import orjson

    from workbench.writers.evtx import Event

    out = []
    for path in files:
        events = []
        records = evtx.PyEvtxParser(str(path)).records_json()
        while True:
            try:
                r = next(records)
            except StopIteration:
                break
            except RuntimeError:
                continue
            ev = orjson.loads(r["data"])["Event"]
            system = ev.get("System") or {}
            eid = system.get("EventID")
            qualifiers = None
            if isinstance(eid, dict):
                qualifiers = (eid.get("#attributes") or {}).get("Qualifiers")
                eid = eid.get("#text")
            try:
                when = datetime.strptime(system["TimeCreated"]["#attributes"]["SystemTime"][:19],
                                         "%Y-%m-%dT%H:%M:%S").replace(tzinfo=timezone.utc)
                provider = system["Provider"]["#attributes"]["Name"]
                eid = int(eid)
            except (KeyError, TypeError, ValueError):
                continue  # a damaged record: the writer needs these three
            data: Any = None
            user_data = None
            raw = ev.get("EventData")
            if isinstance(raw, dict):
                if isinstance(raw.get("Data"), list):
                    data = [_value(v) for v in raw["Data"]]
                else:
                    data = {k: _value(v) for k, v in raw.items() if k != "#attributes"}
            elif isinstance(ev.get("UserData"), dict) and ev["UserData"]:
                element, fields = next(iter(ev["UserData"].items()))
                if isinstance(fields, dict):
                    user_data = (element, {k: _value(v) for k, v in fields.items() if k != "#attributes"})
            level = system.get("Level")
            events.append(Event(provider, eid & 0xFFFF, when, level=level if isinstance(level, int) else 4,
                                channel=str(system.get("Channel") or "System"),
                                computer=str(system.get("Computer") or "PC"), data=data, user_data=user_data,
                                qualifiers=qualifiers if isinstance(qualifiers, int) else None))
        out.append((path.name, events))
    return out


def write_copies(files: list[Path], folder: Path, copies: int) -> tuple[int, int]:
    """Write ``copies`` machines' worth of the fixture records under ``folder``; returns (files, records)."""
    from dataclasses import replace

    from workbench.writers.evtx import write_evtx

    sources = fixture_events(files)
    written = records = 0
    for n in range(copies):
        shift = timedelta(days=n)
        for i, (name, events) in enumerate(sources):
            if not events:
                continue
            moved = [replace(e, computer=f"{e.computer}-{n}", time=e.time + shift, record_id=None) for e in events]
            write_evtx(folder / f"PC{n:02d}" / "Windows" / "System32" / "winevt" / "Logs" / f"{i:02d}-{name}", moved,
                       shared_templates=True)
            written += 1
            records += len(moved)
    return written, records
