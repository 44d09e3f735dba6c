"""Samples given as rows: a case for sources whose files a pack author cannot write by hand.

An event log (``.evtx``) is a binary, checksummed format; a pack cannot ship a real one per signature (and
real ones carry names). So a sample may instead be a ``NAME.rows.yaml`` (``.rows.yml``, ``.rows.json``) file
listing, per collected file, the rows its parser would have written: detail-table rows (``evtx_records``,
``setupapi_sections``, ...), timeline rows and facts. The runner puts them into a real case database through
the same :class:`~workbench.core.parsers.base.Mediator` a parser uses, inside a real ingest (so the clock,
the sort, the full-text index and every analyzer run as usual). ``case:`` may name a folder of real logs
beside the rows file that is ingested with them, for signatures that join event logs to setup logs.

For ``evtx_records`` the timeline row and the facts the evtx parser derives from a record (its readable
message, the WER ``WinSetupDiag02`` result codes, ...) are derived the same way, so a sample holds only what
the record says. The format is documented in docs/signatures.md ("Samples given as rows").
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

__all__ = ["ROWS_SUFFIXES", "RowsSample", "RowsSampleError", "is_rows_sample", "load_rows_sample",
           "ingest_rows_sample"]

ROWS_SUFFIXES = (".rows.yaml", ".rows.yml", ".rows.json")
#: keys of one file entry besides its rows
_FILE_KEYS = {"path", "kind", "role"}
_TOP_KEYS = {"case", "time_zone", "files"}


class RowsSampleError(ValueError):
    """A rows sample that cannot be used, with the file (and line, when known) it is wrong at."""


@dataclass
class RowsFile:
    """One collected file of the sample and the rows written for it, by table (``timeline``, ``facts``, ...)."""

    path: str
    kind: str | None
    role: str | None
    tables: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


@dataclass
class RowsSample:
    """A parsed rows sample: the optional folder of real logs, the case clock, and the files with rows."""

    path: Path
    case: Path | None
    time_zone: str | None
    files: list[RowsFile]


def is_rows_sample(path: Path) -> bool:
    """True for a sample written as rows rather than as the collected files themselves."""
    return path.is_file() and path.name.lower().endswith(ROWS_SUFFIXES)


def load_rows_sample(path: Path) -> RowsSample:
    """Read and check a rows sample; every mistake is a :class:`RowsSampleError` naming the file and line."""
    from workbench.core.signatures.loader import _line, read_yaml

    data, err = read_yaml(path)  # JSON is YAML too
    if err is not None:
        raise RowsSampleError(str(err))

    def bad(where: Any, key: Any, message: str) -> RowsSampleError:
        line = _line(where, key)
        return RowsSampleError(f"{path}:{line}: {message}" if line else f"{path}: {message}")

    if not isinstance(data, dict) or not isinstance(data.get("files"), list) or not data["files"]:
        raise RowsSampleError(f"{path}: a rows sample is a mapping with 'files:', a list of collected files")
    for key in data:
        if key not in _TOP_KEYS:
            raise bad(data, key, f"unknown key {key!r} (allowed: {', '.join(sorted(_TOP_KEYS))})")
    case = None
    if data.get("case") is not None:
        case = (path.parent / str(data["case"])).resolve()
        if not case.is_dir() or path.parent.resolve() not in case.parents:
            raise bad(data, "case", f"'case' {data['case']!r} must be a folder beside the rows file")
    files: list[RowsFile] = []
    for entry in data["files"]:
        if not isinstance(entry, dict) or not isinstance(entry.get("path"), str) or not entry["path"].strip():
            raise bad(data, "files", "each entry of 'files' needs 'path' (the file's path as collected)")
        rf = RowsFile(entry["path"].strip().replace("\\", "/"), entry.get("kind"), entry.get("role"))
        for table, rows in entry.items():
            if table in _FILE_KEYS:
                continue
            if not isinstance(table, str) or not table.isidentifier():
                raise bad(entry, table, f"{table!r} is not a table name")
            if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
                raise bad(entry, table, f"{table!r} must be a list of rows (mappings of column: value)")
            rf.tables[table] = [dict(r) for r in rows]
        files.append(rf)
    tz = data.get("time_zone")
    return RowsSample(path, case, str(tz) if tz else None, files)


# ------------------------------------------------------------------------------------------- values


def _utc_us(value: Any, where: str) -> int | None:
    """``2024-03-12T11:31:07Z`` (or with an offset) or µs since 1970 → UTC µs."""
    if value is None or isinstance(value, int):
        return value
    if isinstance(value, datetime):
        dt = value
    else:
        try:
            dt = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        except ValueError:
            raise RowsSampleError(f"{where}: {value!r} is not a time (write 2024-03-12T11:31:07Z)") from None
    if dt.tzinfo is None:
        raise RowsSampleError(f"{where}: 'ts' {value!r} needs a zone (Z or +08:00); use 'local' for wall-clock time")
    from workbench.core.clock import datetime_to_us

    return datetime_to_us(dt.astimezone(timezone.utc))


def _local_us(value: Any, where: str) -> int | None:
    """A wall-clock time as the source wrote it (no zone) → µs on the wall clock."""
    if value is None or isinstance(value, int):
        return value
    from workbench.core.clock import datetime_to_us

    try:
        dt = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    except ValueError:
        raise RowsSampleError(f"{where}: {value!r} is not a time (write 2024-03-12 11:31:07)") from None
    return datetime_to_us(dt.replace(tzinfo=None))


# ------------------------------------------------------------------------------------------- writing


def _evtx_row(mediator: Any, row: dict[str, Any], where: str) -> None:
    """An event record as the evtx parser writes it: the detail row, its timeline row and its facts."""
    from workbench.core import evtx_messages as em
    from workbench.core.parsers.evtx import LEVELS

    data = row.get("data") or {}
    if isinstance(data, str):
        data = json.loads(data)
    ts = _utc_us(row.get("ts"), where)
    line = row.get("line")
    record = {"provider": row.get("provider"), "event_id": row.get("event_id"), "channel": row.get("channel"),
              "computer": row.get("computer"), "level": row.get("level"), "data": data}
    text = em.message(record) or "(no event data)"
    level = row.get("level")
    mediator.event(line=line, utc=ts, level=LEVELS.get(level) if isinstance(level, int) else None,
                   component=record["provider"], source="evtx",
                   message=f"{record['channel'] or '(no channel)'} {record['event_id']}: {text}")
    mediator.detail("evtx_records", {
        "file_id": mediator.file.id, "line": line, "ts": ts, "channel": record["channel"],
        "provider": record["provider"], "event_id": record["event_id"], "level": record["level"],
        # compact, like the parser's orjson, so a selection on the JSON text sees what a real case holds
        "computer": record["computer"],
        "data": json.dumps(data, ensure_ascii=False, separators=(",", ":")) if data else None,
        "damaged": int(bool(row.get("damaged", 0)))})
    for name, value, fact_text, weight in em.record_facts(record):
        mediator.fact(name, value, line=line, text=fact_text, utc=ts, weight=weight)


#: tables whose rows imply more than themselves, written as their parser writes them
_DERIVED: dict[str, Callable[[Any, dict[str, Any], str], None]] = {"evtx_records": _evtx_row}


def write_rows(store: Any, sample: RowsSample, tables: set[str]) -> None:
    """Catalogue each file of ``sample`` and hand its rows to a :class:`Mediator`, as a parser would.

    ``tables`` are the detail tables the installed parsers declare; a row for any other table is an error
    (the signature would be tested against a table no real case can have).
    """
    from workbench.core.identify import role_of
    from workbench.core.parsers.base import CaseFile, Mediator

    for rf in sample.files:
        kind = rf.kind or ("evtx" if "evtx_records" in rf.tables else "text")
        role = rf.role or role_of(rf.path)
        file_id = store.add_file(path=rf.path, kind=kind, role=role, status="parsed", parser="sample rows")
        mediator = Mediator(store, CaseFile(file_id, rf.path, kind, role, sample.path), kind)
        for table, rows in rf.tables.items():
            for n, row in enumerate(rows, 1):
                where = f"{sample.path}: {rf.path}, {table} row {n}"
                if table in _DERIVED:
                    _DERIVED[table](mediator, row, where)
                elif table == "timeline":
                    message = row.get("message")
                    if not isinstance(message, str):
                        raise RowsSampleError(f"{where}: a timeline row needs 'message'")
                    mediator.event(line=row.get("line"), message=message, level=row.get("level"),
                                   component=row.get("component"), source=row.get("source") or kind,
                                   utc=_utc_us(row.get("ts"), where), local=_local_us(row.get("local"), where))
                elif table == "facts":
                    if not isinstance(row.get("name"), str):
                        raise RowsSampleError(f"{where}: a fact needs 'name'")
                    value = row.get("value")
                    mediator.fact(row["name"], None if value is None else str(value), line=row.get("line"),
                                  text=row.get("text"), utc=_utc_us(row.get("ts"), where),
                                  local=_local_us(row.get("local"), where), weight=int(row.get("weight", 0)))
                elif table in tables:
                    values = {k: (json.dumps(v, ensure_ascii=False) if isinstance(v, (dict, list)) else v)
                              for k, v in row.items()}
                    if "ts" in values and not isinstance(values["ts"], int):
                        values["ts"] = _utc_us(values["ts"], where)
                    mediator.detail(table, {"file_id": file_id, **values})
                else:
                    raise RowsSampleError(f"{where}: no installed parser declares the table {table!r} "
                                          f"(known: timeline, facts, {', '.join(sorted(tables))})")
        mediator.flush()
        store.update_file(file_id, records=mediator.events)
    store.commit()


def ingest_rows_sample(path: Path, home: Path, plugin_manager: Any) -> Any:
    """A real case built from a rows sample: its ``case:`` folder (or nothing) ingested with the rows.

    Each rows sample gets its own workbench home, because an empty source folder looks the same for every
    sample and cases are keyed by their source.
    """
    from workbench.core.case import Case
    from workbench.core.ingest import Ingest

    sample = load_rows_sample(path)
    source = sample.case
    if source is None:
        source = home / "empty-source"
        source.mkdir(parents=True, exist_ok=True)
    case = Case.open(source, home=home, allow_empty=True)
    if sample.time_zone:
        case.store.set_meta("time_zone_user", sample.time_zone)

    class _RowsIngest(Ingest):
        def _parse_all(self) -> None:
            super()._parse_all()
            write_rows(self.store, sample, {t for p in self.parsers.values() for t in p.tables})

    _RowsIngest(case, plugin_manager=plugin_manager).run()
    return case
