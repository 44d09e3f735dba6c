"""Windows event logs (``.evtx``): every record onto the timeline, its fields into ``evtx_records``.

Reading is done by the Rust-backed ``evtx`` package (pyevtx-rs), the measured choice in reference/evtx.md:
about 2,000x python-evtx, and on every dirty or corrupt fixture it recovers as many records as any parser.
It runs in strict mode and we step past each error ourselves (``next()`` again after a ``RuntimeError``);
that recovers exactly what ``skip_errors=True`` recovers, but hands us each skipped region as an exception
instead of a process-wide warning, so it can become a problem row naming the chunk.

Speed: rows are built as tuples and each batch handed to the :class:`Mediator` whole
(``event_rows``/``detail_rows``). Reading and storing overlap by reading in the parse worker process
(:mod:`workbench.core.parse_worker`) while the main process writes; the producer thread this parser had for
that overlap under one GIL is gone (its hand-offs cost more than they won on a busy two-core machine). A
record whose (provider, event ID, EventData) was seen before in the file reuses that message and fields JSON
instead of building them again (``MESSAGE_CACHE``). Repeated names (provider, channel, computer) and
messages are handed over as one string object per value, so the parse worker's pipe pickles each once per
batch (2.9 MB instead of 5.5 MB for the fixtures, and a third less unpickling in the main process).

Records
    * time: ``System/TimeCreated/@SystemTime`` (UTC, µs), never the record header's time, which can be
      1601-01-01 on damaged records. A record without it is kept with no time (it sorts last).
    * timeline row: ``source='evtx'``, ``component`` = provider, ``message`` = ``"<channel> <event id>: <text>"``
      with the text from :mod:`workbench.core.evtx_messages`; ``line`` = the event record number.
    * records whose provider, time or channel evtx-rs could not read are kept and flagged ``damaged``.

Detail table ``evtx_records`` (join to the timeline by ``(file_id, line)``)::

    file_id, line (= EventRecordID), ts (UTC µs or NULL), channel, provider, event_id, level (0-5 as written),
    computer, data (EventData/UserData as a JSON object; unnamed values as a list under "Data"),
    damaged (1 when provider, time or channel is missing)

Raw XML is not stored (it would triple the database); :func:`record_xml` re-reads one record from the file.

Duplicates: collectors copy the same log more than once (``Windows.old``, shadow copies, the rollback
``evtlogs`` folder beside ``winevt\\Logs``). A record is a duplicate when another file of the same ingest
already gave one with the same (channel, computer, record number, TimeCreated): record numbers restart when
a log is cleared, so the time is part of the key. The first file read (catalogue order) keeps it; the others
skip it and say how many they skipped in their ``evtx.file_health`` fact. A copy with the same bytes as a
file read whole before (the catalogue's SHA-256) is not decoded at all: its problems and health fact are
those its reading would give (:class:`_Copy`).
"""

from __future__ import annotations

import io
import os
import re
import struct
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Any

import orjson

from workbench.core import evtx_messages as em
from workbench.core.parsers.base import CaseFile, Mediator
from workbench.core.plugins import hookimpl

MAGIC = b"ElfFile\x00"
CHUNK_MAGIC = b"ElfChnk\x00"
FILE_HEADER = 4096
CHUNK_SIZE = 65536
BATCH = 2000
#: More consecutive errors than this without a record means evtx-rs is stuck on the same bytes.
MAX_CONSECUTIVE_ERRORS = 10_000
#: Problem rows per file; beyond that, one summary row says how many more regions were skipped.
MAX_PROBLEMS = 25

LEVELS = {0: "info", 1: "critical", 2: "error", 3: "warning", 4: "info", 5: "verbose"}

#: Event IDs :func:`workbench.core.evtx_messages.record_facts` reads facts from (checked before calling it).
FACT_EVENTS = frozenset({6013, 6009, 12, 1001, 1000, 20})


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None

#: Facts written once per file and again only when the value changes (6013 is logged every day).
ON_CHANGE = frozenset({"system.time_zone", "system.utc_offset_minutes", "system.os_name", "system.os_version",
                       "system.os_build", "evtx.os_build", "evtx.boot_build"})

TABLE = "evtx_records"
DDL = {
    TABLE: (
        f"CREATE TABLE IF NOT EXISTS {TABLE} ("
        "file_id INTEGER NOT NULL, line INTEGER, ts INTEGER, channel TEXT, provider TEXT, event_id INTEGER, "
        "level INTEGER, computer TEXT, data TEXT, damaged INTEGER NOT NULL DEFAULT 0)"
    ),
}
#: ``evtx_records`` columns in the order the producer builds its rows.
COLUMNS = ("file_id", "line", "ts", "channel", "provider", "event_id", "level", "computer", "data", "damaged")
#: Distinct (provider, event ID, EventData) messages remembered per file: most records of a log repeat one
#: seen before (7036 for each service start, ...), and their message and fields cost more than the lookup.
MESSAGE_CACHE = 20_000
#: Distinct minutes of TimeCreated remembered per file (most records of a log fall in a minute seen before).
MINUTE_CACHE = 50_000
#: µs of the two-digit second of a TimeCreated (60: a leap second, as :func:`systemtime_us` accepts).
SECONDS = {f"{s:02d}": s * 1_000_000 for s in range(61)}
#: Made by the ingest with the table and kept up to date by the parse's inserts (``Parser.indexes``), and by
#: the analysis when a store lacks them.
INDEXES = (
    f"CREATE INDEX IF NOT EXISTS {TABLE}_file_line ON {TABLE}(file_id, line)",
    f"CREATE INDEX IF NOT EXISTS {TABLE}_provider_event ON {TABLE}(provider, event_id)",
    f"CREATE INDEX IF NOT EXISTS {TABLE}_channel ON {TABLE}(channel)",
)

_EPOCH_DAYS: dict[str, int] = {}
_SECONDS_OF_DAY: dict[str, int] = {}
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def systemtime_us(text: str | None) -> int | None:
    """UTC µs of ``2012-03-14T04:17:38.276340Z`` (evtx-rs's TimeCreated); None when absent or malformed.

    Runs once per record, so the date and the time of day are looked up in caches (a case spans a few
    thousand days; there are 86,400 seconds in a day) and only the fraction is parsed each time;
    ``datetime.fromisoformat`` plus arithmetic costs several times more.
    """
    if not text or len(text) < 19:
        return None
    try:
        day = _EPOCH_DAYS.get(text[:10])
        if day is None:
            d = datetime(int(text[0:4]), int(text[5:7]), int(text[8:10]), tzinfo=timezone.utc)
            day = (d - _EPOCH).days * 86_400_000_000
            if len(_EPOCH_DAYS) < 100_000:
                _EPOCH_DAYS[text[:10]] = day
        clock = text[11:19]
        sod = _SECONDS_OF_DAY.get(clock)
        if sod is None:
            h, m, sec = int(clock[0:2]), int(clock[3:5]), int(clock[6:8])
            if not (clock[2] == clock[5] == ":" and h < 24 and m < 60 and sec < 61):
                return None
            sod = _SECONDS_OF_DAY[clock] = (h * 3600 + m * 60 + sec) * 1_000_000
        if len(text) == 27:  # the usual form: six digits of fraction, then Z
            return day + sod + int(text[20:26])
        if len(text) > 20 and text[19] == ".":
            frac = text[20:].rstrip("Z")
            return day + sod + int((frac + "000000")[:6])
        return day + sod
    except ValueError:
        return None


def _system_fields(system: dict[str, Any]) -> tuple[Any, Any, Any, Any, Any, Any]:
    """(event ID, provider, TimeCreated text, channel, computer, level) of a record's System element when
    one of them is missing or of another shape (the parser's loop reads the usual record by subscripts)."""
    provider = system.get("Provider")
    if provider is not None:
        provider = (provider.get("#attributes") or {}).get("Name")
    created = system.get("TimeCreated")
    text = (created.get("#attributes") or {}).get("SystemTime") if created else None
    return (system.get("EventID"), provider, text, system.get("Channel"), system.get("Computer"),
            system.get("Level"))


def chunk_positions(path: Path) -> list[tuple[int, int, int]]:
    """(first record number, last record number, end offset) of every chunk, in file order: a record's chunk
    says how far into the file the reader is (one 24-byte read per 64 KiB chunk)."""
    out: list[tuple[int, int, int]] = []
    try:
        with open(path, "rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            offset = FILE_HEADER
            while offset + 24 <= size:
                fh.seek(offset)
                head = fh.read(24)
                if head[:8] == CHUNK_MAGIC:
                    first, last = struct.unpack_from("<QQ", head, 8)
                    out.append((first, last, min(offset + CHUNK_SIZE, size)))
                offset += CHUNK_SIZE
    except OSError:
        return []
    return out


def _position(positions: list[tuple[int, int, int]], record: Any) -> int | None:
    if type(record) is not int:
        return None
    for first, last, end in positions:
        if first <= record <= last:
            return end
    return None


def read_header(path: Path) -> dict[str, Any]:
    """The file header's facts: version, chunk count, dirty flag (bit 0 of the flags at 0x78), and whether
    the first chunk is where it belongs (``chunk_ok``), which tells a damaged header from a non-EVTX file."""
    with open(path, "rb") as fh:
        head = fh.read(FILE_HEADER + len(CHUNK_MAGIC))
    out: dict[str, Any] = {"size": path.stat().st_size, "magic_ok": head.startswith(MAGIC),
                           "chunk_ok": head[FILE_HEADER:] == CHUNK_MAGIC}
    if out["magic_ok"] and len(head) >= 0x7C:
        minor, major, _header_block, chunks = struct.unpack_from("<HHHH", head, 0x24)
        (flags,) = struct.unpack_from("<I", head, 0x78)
        out.update(version=f"{major}.{minor}", header_chunks=chunks, dirty=bool(flags & 1), flags=flags)
    return out


class _SignedView(io.RawIOBase):
    """An event log read with its file signature put back: evtx-rs refuses a file whose 'ElfFile' signature
    is damaged even when every chunk is intact. Reading through this view needs no copy, so nothing of the
    case is written anywhere (a copy in the temp folder outlived killed runs, and failed when it was full)."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self._fh = open(path, "rb")

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        return self._fh.seek(offset, whence)

    def tell(self) -> int:
        return self._fh.tell()

    def readinto(self, buffer: Any) -> int:
        at = self._fh.tell()
        n = self._fh.readinto(buffer)
        if n and at < len(MAGIC):
            end = min(len(MAGIC), at + n)
            memoryview(buffer)[: end - at] = MAGIC[at:end]
        return n

    def close(self) -> None:
        self._fh.close()
        super().close()


@contextmanager
def readable(path: str | Path) -> Iterator[str | IO[bytes]]:
    """The file as evtx-rs will open it: its path, or for a file whose signature alone is damaged a
    read-only view with the signature put back (the case's own files are never written to)."""
    path = Path(path)
    header = read_header(path)
    if header["magic_ok"] or not header["chunk_ok"]:
        yield str(path)
        return
    with io.BufferedReader(_SignedView(path), buffer_size=1024 * 1024) as view:
        yield view


_CHUNK_NO = re.compile(r"chunk number (\d+)")
_RECORD_NO = re.compile(r"record number (\d+)")


def describe_error(error: BaseException) -> tuple[str, int | None, int | None]:
    """(sentence, byte offset, chunk) for an evtx-rs error; ``chunk`` is set when a whole chunk header was
    all zeros (unused preallocated space when it lies past the header's chunk count)."""
    text = " ".join(str(error).split())
    offset = None
    zeroed = None
    m = _CHUNK_NO.search(text)
    where = "a damaged region"
    if m:
        chunk = int(m.group(1))
        if "found `[ 0, 0, 0, 0, 0, 0, 0, 0]`" in text:
            zeroed = chunk
        offset = FILE_HEADER + chunk * CHUNK_SIZE
        where = f"damaged chunk {chunk} (at byte {offset})"
    else:
        r = _RECORD_NO.search(text)
        if r:
            where = f"damaged record {r.group(1)}"
    reason = text.split(": ", 1)[-1] if ": " in text else text
    if len(reason) > 160:
        reason = reason[:157] + "..."
    return f"{where} skipped: {reason}", offset, zeroed


class _State:
    """Per-ingest memory shared by the files of one case: the duplicate keys seen so far.

    A key is the hash of integers only: the channel and computer names are numbered in ``names``, because
    the hash of a string differs between processes (a resume rebuilds the keys in the main process, the
    parse worker compares them) while the hash of an integer does not.
    """

    def __init__(self) -> None:
        self.seen: set[int] = set()
        self.names: dict[str | None, int] = {None: 0}
        self.last_file_id = -1
        #: SHA-256 of a file read whole in this ingest -> what reading it gave besides rows (see :class:`_Copy`)
        self.copies: dict[str, _Copy] = {}

    def number(self, name: str | None) -> int:
        """The number of a channel or computer name (given in the order names are first seen)."""
        names = self.names
        n = names.get(name)
        if n is None:
            n = names[name] = len(names)
        return n

    def key(self, channel: str | None, computer: str | None, rid: Any, utc: int | None) -> int:
        return hash((self.number(channel), self.number(computer), rid if type(rid) is int else -1,
                     utc if utc is not None else -1 << 62))


class _Copy:
    """What reading a file gave besides its rows, kept for a byte-identical copy later in the same ingest.

    Every record of such a copy is a duplicate of one read already (same bytes, same keys), so reading it
    again yields no row: only the same damaged regions and a health fact counting all its records as
    duplicates. Collections hold many such copies (the same log in two folders of one zip, a zip nested
    twice); the large case of ``bench/`` has 63 of each fixture log. Replaying skips the decoding, with the
    same problems and facts as a real read (the tests compare both).
    """

    #: a file with more damaged regions than this is read again rather than remembered
    MAX_PROBLEMS = 10_000

    def __init__(self, put: Callable[[tuple[str, Any]], Any]) -> None:
        self._put = put
        self.problems: list[tuple[str, Any]] = []
        self.stats: dict[str, Any] | None = None

    def take(self, item: tuple[str, Any]) -> Any:
        if item[0] == "problem":
            self.problems.append(item)
        elif item[0] == "done":
            self.stats = item[1]
        return self._put(item)

    @property
    def complete(self) -> bool:
        return self.stats is not None and len(self.problems) <= self.MAX_PROBLEMS

    def replay(self) -> Iterator[tuple[str, Any]]:
        """The items a read of a copy would hand over: the problems in order, then its stats."""
        assert self.stats is not None
        yield from self.problems
        read = self.stats["records"] + self.stats["duplicates"]  # kept there, or dropped there already
        yield ("done", {"records": 0, "duplicates": read, "damaged": 0, "zeroed": self.stats["zeroed"],
                        "channel": None, "computer": None, "system_computer": None})


class _Handler:
    """Hands what the producer read to the mediator: row batches (after a cancel check that reports the
    position), problems (at most :data:`MAX_PROBLEMS` listed), and at the end the file's health facts."""

    def __init__(self, file: CaseFile, mediator: Mediator, header: dict[str, Any],
                 positions: list[tuple[int, int, int]]) -> None:
        self.file = file
        self.mediator = mediator
        self.header = header
        self.positions = positions
        self.problems = 0
        self.stats: dict[str, Any] | None = None

    def take(self, item: tuple[str, Any]) -> bool:
        """Handle one item; False after the last ("done")."""
        kind, payload = item
        mediator = self.mediator
        if kind == "rows":
            events, details, facts = payload
            # before the batch: a cancelled ingest writes nothing more; the position is the end of the chunk
            # holding the batch's last record
            positions = self.positions
            mediator.check(_position(positions, events[-1][5]) if positions and events else None)
            mediator.event_rows(events)
            mediator.detail_rows(TABLE, COLUMNS, details)
            fact = mediator.fact
            for line, utc, record_facts in facts:
                for name, value, text, weight in record_facts:
                    fact(name, value, line=line, text=text, utc=utc, weight=weight)
        elif kind == "problem":
            sentence, offset = payload
            self.problems += 1
            if self.problems <= MAX_PROBLEMS:
                mediator.problem(sentence, offset)
        elif kind == "done":
            self.stats = payload
            return False
        return True

    def finish(self) -> None:
        problems = self.problems
        if problems > MAX_PROBLEMS:
            self.mediator.problem(f"{problems - MAX_PROBLEMS} more damaged regions skipped (not listed)")
        if self.stats is not None:
            EvtxParser._health(self.file, self.mediator, self.header, self.stats, problems)


class EvtxParser:
    """Reads every ``.evtx`` of a case; see the module docstring for what goes where."""

    name = "evtx"
    kinds = frozenset({"evtx"})
    tables = DDL
    indexes = INDEXES
    version = 2

    #: A byte-identical copy of a file read whole in the same ingest is not decoded again (see :class:`_Copy`).
    replay_copies = True

    def __init__(self) -> None:
        self._states: dict[int, _State] = {}
        self._resumed: _State | None = None

    # ------------------------------------------------------------------------------------- the parse

    def parse(self, file: CaseFile, mediator: Mediator) -> None:
        """Check the header, then stream records from the producer thread into the mediator."""
        location = Path(file.location)
        try:
            header = read_header(location)
        except OSError as exc:
            mediator.problem(f"the event log cannot be read: {exc.strerror or exc}")
            return
        if header["size"] == 0:
            mediator.problem("the file is empty (0 bytes): no events to read")
            return
        if not header["magic_ok"] and not header["chunk_ok"]:
            mediator.problem("not a Windows event log: the file does not start with the EVTX signature "
                             "'ElfFile' and has no event chunk where the first belongs (renamed, or damaged "
                             "at the start); nothing read", 0)
            return
        if not header["magic_ok"]:
            mediator.problem("the file header is damaged (no 'ElfFile' signature) but its chunks are intact: "
                             "records were read with the signature put back", 0)
        with readable(location) as path:
            self._parse_readable(file, mediator, header, path)

    def _parse_readable(self, file: CaseFile, mediator: Mediator, header: dict[str, Any],
                        location: str | IO[bytes]) -> None:
        state = self._state_for(mediator, file)
        copy = state.copies.get(file.sha256) if file.sha256 and self.replay_copies else None
        if copy is not None:  # the same bytes were read whole in this ingest: every record is a duplicate
            handler = _Handler(file, mediator, header, [])
            for item in copy.replay():
                handler.take(item)
        else:
            handler = _Handler(file, mediator, header, chunk_positions(file.location))  # chunks are where they are
            recording = _Copy(handler.take)
            self._produce_rows(file, location, header.get("header_chunks") or 0, state, recording.take,
                               mediator.source)
            if file.sha256 and recording.complete:
                state.copies[file.sha256] = recording
        handler.finish()

    def _state_for(self, mediator: Mediator, file: CaseFile) -> _State:
        # Files are parsed in catalogue order; a file id that does not grow means a new ingest began. The
        # memory a resume rebuilt is taken by the first file read after it (in this process, or in the parse
        # worker the parser was handed to with that memory).
        key = id(mediator.sink)
        state = self._states.get(key)
        if state is None and self._resumed is not None:
            state, self._resumed = self._resumed, None
        elif state is None or file.id <= state.last_file_id:
            state = _State()
        self._states = {key: state}  # one ingest at a time: forget earlier ones (their sets can be big)
        state.last_file_id = file.id
        return state

    def resume(self, store: Any, parsed: list[int]) -> None:
        """A resumed ingest: remember the records of the files already parsed, as an ingest that never
        stopped would have, so their copies in the files still to read are dropped the same way."""
        state = _State()
        exists = store.scalar("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (TABLE,))
        if exists and parsed:
            marks = ",".join("?" * len(parsed))
            for channel, computer, rid, utc in store.conn.execute(
                    f"SELECT channel, computer, line, ts FROM {TABLE} WHERE file_id IN ({marks})", parsed):
                state.seen.add(state.key(channel, computer, rid, utc))
        state.last_file_id = max(parsed, default=-1)
        self._states = {}
        self._resumed = state

    @staticmethod
    def _health(file: CaseFile, mediator: Mediator, header: dict[str, Any], stats: dict[str, Any],
                problems: int) -> None:
        """One ``evtx.file_health`` fact per file: what was read, skipped and dropped as duplicate."""
        health = {
            "records": stats["records"], "duplicates": stats["duplicates"], "damaged_records": stats["damaged"],
            "skipped_regions": problems, "empty_chunks": stats["zeroed"], "dirty": header.get("dirty"),
            "header_chunks": header.get("header_chunks"), "version": header.get("version"),
            "channel": stats["channel"], "computer": stats["computer"],
        }
        text = (f"{stats['channel'] or 'event log'}: {stats['records']} records read, {problems} damaged "
                f"region(s) skipped, {stats['damaged']} damaged record(s) kept, {stats['duplicates']} "
                f"duplicate(s) of records already read from another copy dropped"
                + ("; the header is dirty (the log was not closed cleanly)" if header.get("dirty") else ""))
        mediator.fact("evtx.file_health", orjson.dumps(health).decode(), text=text)
        if stats["system_computer"]:
            mediator.fact("system.computer", stats["system_computer"], text=f"Computer of the System log "
                          f"{file.path}", weight=em.WEIGHT_COMPUTER)

    @staticmethod
    def _facts(rec: dict[str, Any], last: dict[str, Any]) -> list[tuple[str, str | None, str, int]]:
        """The record's facts, minus those that repeat the file's previous value (6013 comes daily); a boot
        on another build than the boot before adds ``evtx.build_change``: the upgrade, or its rollback."""
        out: list[tuple[str, str | None, str, int]] = []
        for name, value, text, weight in em.record_facts(rec):
            if name in ON_CHANGE:
                if last.get(name) == value:
                    continue
                before = last.get(name)
                last[name] = value
                if name == "evtx.boot_build" and before is not None:
                    out.append(("evtx.build_change", f"{before} -> {value}",
                                f"the OS build changed between boots: {before} -> {value} ({text})", weight))
            out.append((name, value, text, weight))
        return out

    # ------------------------------------------------------------------------------------- producer

    def _produce_rows(self, file: CaseFile, location: str | IO[bytes], header_chunks: int,
                      state: _State, put: Any, source: str = "evtx") -> None:
        """Read the records and hand ``put`` what comes of them in batches: ("rows", (events, details,
        facts)), ("problem", (sentence, offset)), and last ("done", stats)."""
        import evtx

        stats: dict[str, Any] = {"records": 0, "duplicates": 0, "damaged": 0, "zeroed": 0, "channel": None,
                                 "computer": None, "system_computer": None}
        try:
            records = evtx.PyEvtxParser(location).records_json()
        except (RuntimeError, OSError, ValueError) as exc:
            sentence, offset, _ = describe_error(exc)
            put(("problem", (f"the event log could not be opened: {sentence}", offset)))
            put(("done", stats))
            return
        self._read_records(file, records, header_chunks, state, put, source, stats)  # see base.few_collections
        put(("done", stats))

    def _read_records(self, file: CaseFile, records: Any, header_chunks: int, state: _State, put: Any,
                      source: str, stats: dict[str, Any]) -> None:
        loads = orjson.loads
        dumps = orjson.dumps
        flatten = em.flatten_data
        compact = em.compact_fields
        templates: dict[Any, Any] = em.TEMPLATES
        levels: dict[Any, str] = LEVELS
        seen = state.seen
        seen_add = seen.add
        number = state.number
        file_id = file.id
        last_fact: dict[str, str | None] = {}
        first_channel: tuple[Any, Any] | None = None
        events: list[tuple[Any, ...]] = []
        details: list[tuple[Any, ...]] = []
        facts_of: list[tuple[Any, ...]] = []
        # (provider, event id, EventData/UserData JSON) -> (text, fields JSON): see MESSAGE_CACHE
        messages: dict[tuple[Any, Any, bytes], tuple[str, str | None]] = {}
        # (channel, event id, text) -> the timeline message: one string object for all its records
        lines: dict[tuple[Any, Any, str], str] = {}
        # name -> (its number in state.names, the one object of that string); provider -> that object
        canonical: dict[str | None, tuple[int, str | None]] = {}
        providers: dict[str | None, str | None] = {}
        # TimeCreated up to the minute -> UTC µs of that minute
        minutes: dict[str, int | None] = {}
        consecutive = 0
        n = 0
        while True:
            try:
                r: Any = next(records)
            except StopIteration:
                break
            except RuntimeError as exc:
                consecutive += 1
                if consecutive > MAX_CONSECUTIVE_ERRORS:
                    put(("problem", ("the rest of the file could not be read (too many errors in a row)", None)))
                    break
                sentence, offset, zeroed = describe_error(exc)
                if zeroed is not None and zeroed >= header_chunks:
                    stats["zeroed"] += 1  # a zero-filled chunk past the header's count: unused, nothing lost
                else:
                    put(("problem", (sentence, offset)))
                continue
            consecutive = 0
            try:
                ev = loads(r["data"])["Event"]
                system = ev["System"] or {}
            except (orjson.JSONDecodeError, KeyError, TypeError):
                put(("problem", (f"record {r.get('event_record_id')} could not be decoded; skipped", None)))
                continue
            rid = r["event_record_id"]
            try:  # the usual record, read by subscripts (cheaper than .get); any other shape below
                eid = system["EventID"]
                provider = system["Provider"]["#attributes"]["Name"]
                text = system["TimeCreated"]["#attributes"]["SystemTime"]
                channel = system["Channel"]
                computer = system["Computer"]
                level = system["Level"]
            except (KeyError, TypeError):
                eid, provider, text, channel, computer, level = _system_fields(system)
            if type(eid) is dict:  # with Qualifiers: {"#attributes": {...}, "#text": 7036}
                eid = eid["#text"]
            if type(eid) is not int:
                eid = _int_or_none(eid)
            if type(level) is not int:
                level = _int_or_none(level)
            # the usual time, 2012-03-14T04:17:38.276340Z: its minute from the cache, seconds and fraction added
            if type(text) is str and len(text) == 27 and text[16] == ":" and text[19] == ".":
                utc = minutes.get(text[:16], -1)
                if utc == -1:
                    if len(minutes) >= MINUTE_CACHE:
                        minutes.clear()
                    utc = minutes[text[:16]] = systemtime_us(text[:16] + ":00")
                second = SECONDS.get(text[17:19])
                if utc is None or second is None:
                    utc = systemtime_us(text)
                else:
                    try:
                        utc += second + int(text[20:26])
                    except ValueError:
                        utc = None
            else:
                utc = systemtime_us(text)
            # the duplicate key, as _State.key builds it (inlined: it runs for every record); the names
            # are swapped for the one string object of their value, which the pipe's pickle then sends
            # once per batch instead of once per row
            known = canonical.get(channel)
            if known is None:
                known = canonical[channel] = number(channel), channel
            c, channel = known
            known = canonical.get(computer)
            if known is None:
                known = canonical[computer] = number(computer), computer
            m, computer = known
            provider = providers.setdefault(provider, provider)
            key = hash((c, m, rid if type(rid) is int else -1, utc if utc is not None else -1 << 62))
            if key in seen:
                stats["duplicates"] += 1
                continue
            seen_add(key)
            raw = ev.get("EventData")
            if raw is None:
                raw = ev.get("UserData")
            data = None
            mkey = (provider, eid, dumps(raw))
            cached = messages.get(mkey)
            if cached is None:
                data = flatten(raw) if raw else {}
                fmt = templates.get((provider, eid))
                if fmt is not None:
                    try:
                        text = fmt(data)
                    except Exception:  # a damaged record with fields of an unexpected shape: show the fields
                        text = compact(data)
                else:
                    text = compact(data) if data else ""
                data_json = dumps(data).decode() if data else None
                if len(messages) >= MESSAGE_CACHE:
                    messages.clear()
                    lines.clear()
                messages[mkey] = (text, data_json)
            else:
                text, data_json = cached
            if provider is None or utc is None or channel is None:
                stats["damaged"] += 1
                damaged = 1
                text = "(damaged record: " + ", ".join(
                    what for what, v in (("no provider", provider), ("no time", utc), ("no channel", channel))
                    if v is None) + ") " + text
            else:
                damaged = 0
            lkey = (channel, eid, text)
            line = lines.get(lkey)
            if line is None:
                line = lines[lkey] = (f"{channel or '(no channel)'} {eid if eid is not None else '?'}: "
                                      f"{text or '(no event data)'}")
            if first_channel is None and channel:
                first_channel = stats["channel"], stats["computer"] = channel, computer
                if channel == "System" and computer:
                    stats["system_computer"] = computer
            if eid in FACT_EVENTS:
                if data is None:
                    data = flatten(raw) if raw else {}
                facts = self._facts({"provider": provider, "event_id": eid, "channel": channel,
                                     "computer": computer, "level": level, "data": data}, last_fact)
                if facts:
                    facts_of.append((rid, utc, facts))
            # as Mediator.event builds it: no time at all is kept on the 'local' basis (it sorts last)
            events.append((utc, None, "utc" if utc is not None else "local", source, file_id, rid, levels.get(level),
                           provider, line))
            details.append((file_id, rid, utc, channel, provider, eid, level, computer, data_json, damaged))
            n += 1
            if len(events) >= BATCH:
                put(("rows", (events, details, facts_of)))
                events, details, facts_of = [], [], []
        if events:
            put(("rows", (events, details, facts_of)))
        stats["records"] = n


# ------------------------------------------------------------------------------------------ raw XML


def iter_record_xml(path: str | Path) -> Iterator[tuple[int, str]]:
    """(record number, XML) for every readable record of a file, damaged regions stepped over."""
    import evtx

    with readable(path) as location:
        records = evtx.PyEvtxParser(location).records()
        consecutive = 0
        while True:
            try:
                r: Any = next(records)
            except StopIteration:
                return
            except RuntimeError:
                consecutive += 1
                if consecutive > MAX_CONSECUTIVE_ERRORS:
                    return
                continue
            consecutive = 0
            yield r["event_record_id"], r["data"]


def record_xml(path: str | Path, record_number: int) -> str | None:
    """The raw XML of one record, re-read from the file (the store keeps fields, not XML); None if absent.

    Costs one pass over the file up to the record (about 200k records/s), so it is meant for the one row a
    user opens, not for bulk export.
    """
    for rid, xml in iter_record_xml(path):
        if rid == record_number:
            return xml
    return None


def record_xml_for_row(store: Any, file_id: int, line: int) -> str | None:
    """The raw XML behind timeline/``evtx_records`` row ``(file_id, line)`` of a case store."""
    blob = store.scalar("SELECT blob FROM files WHERE id = ?", (file_id,))
    if not blob or not Path(blob).exists():
        return None
    return record_xml(blob, line)


# ------------------------------------------------------------------------------------------ plugin hooks


@hookimpl
def workbench_identify(name: str, head: bytes) -> str | None:
    """Claim files named ``*.evtx`` even without the EVTX signature (empty, renamed or damaged at the start),
    so the parser can say what is wrong with them instead of the catalogue calling them "unknown".
    A file with another known signature (an archive named .evtx) is left to the built-in identifier."""
    if head.startswith(MAGIC):
        return "evtx"
    if name.lower().endswith(".evtx") and not head.startswith((b"PK\x03\x04", b"7z\xbc\xaf\x27\x1c")):
        return "evtx"
    return None


@hookimpl
def workbench_parsers() -> list[EvtxParser]:
    return [EvtxParser()]


@hookimpl
def workbench_analyze(store: Any) -> None:
    """Index ``evtx_records`` when a store lacks the indexes the ingest makes (one of an earlier version)."""
    exists = store.scalar("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (TABLE,))
    if not exists:
        return
    with store.conn:
        for ddl in INDEXES:
            store.conn.execute(ddl)
