"""Writing Windows event logs (``.evtx``): what the demo case and the tests make their own event logs with.

Customers' logs cannot ship with the program and the shared fixtures are not always beside it, so the demo
case and the tests build event logs here, in the format Windows writes (the layout as libyal's and
Microsoft's [MS-EVEN6] documentation describe it), and read them back through the real parser:

* a 4 KiB file header (``ElfFile``; version 3.1; chunk count; next record number; dirty flag; CRC32),
* 64 KiB chunks (``ElfChnk``; first and last record numbers; last record and free-space offsets; CRC32s of
  the records and of the header),
* records (``**``; size; record number; written time; Binary XML; size again).

Each record's Binary XML is a template instance like the ones Windows writes: the template (the XML shape:
``System`` with its fields, ``EventData`` named or unnamed ``Data``, ``Binary``, or a ``UserData`` element)
is defined inline at the record and filled with typed substitution values, so event IDs and levels come out
as numbers, ``TimeCreated`` as a FILETIME and ``Binary`` as hex, as in a real log. Names are stored inline
where they are used; templates are defined inline at each record, or (``shared_templates``) once per chunk and
referred to by the later records of the same shape, as Windows does.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

FILE_HEADER = 4096
CHUNK_SIZE = 65536
CHUNK_HEADER = 512
RECORD_HEADER = 24
EVENT_NS = "http://schemas.microsoft.com/win/2004/08/events/event"

# Binary XML tokens and value types (MS-EVEN6 2.2.12, libevtx's "Binary XML" notes)
_END_OF_STREAM, _OPEN_START, _CLOSE_START, _CLOSE_EMPTY, _END_ELEMENT = 0x00, 0x01, 0x02, 0x03, 0x04
_ATTRIBUTE, _TEMPLATE_INSTANCE, _SUBSTITUTION, _FRAGMENT = 0x06, 0x0C, 0x0D, 0x0F
_MORE = 0x40  # on an element: it has attributes; on an attribute: another one follows
T_STRING, T_UINT8, T_UINT16, T_UINT32, T_UINT64 = 0x01, 0x04, 0x06, 0x08, 0x0A
T_BOOL, T_BINARY, T_FILETIME, T_HEXINT64 = 0x0D, 0x0E, 0x11, 0x15

_EPOCH_AS_FILETIME = 116444736000000000


def filetime(moment: datetime) -> int:
    """A UTC moment as a Windows FILETIME (100 ns ticks since 1601); a naive datetime is taken as UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    delta = moment - datetime(1970, 1, 1, tzinfo=timezone.utc)
    return _EPOCH_AS_FILETIME + (delta.days * 86_400 + delta.seconds) * 10_000_000 + delta.microseconds * 10


def os_binary(name: str, build: str, lab: str) -> bytes:
    """The Binary of EventLog 6013 (the daily uptime report): NUL-separated UTF-16 strings, the OS name
    third, its version fourth, its build lab sixth, as the reader of that event expects them."""
    parts = ["1.1", "0", name, f"10.0.{build} Build {build}", "Multiprocessor Free", lab]
    return "\0".join(parts).encode("utf-16-le") + b"\0\0"


@dataclass
class Event:
    """One record to write. ``data`` is EventData: a dict gives ``<Data Name="k">`` fields, a list unnamed
    ``<Data>`` values (Application Error 1000, WER 1001, 6013); ``user_data`` is ``(element, fields)`` for
    providers that write ``<UserData><element>...`` instead. Values may be text, int or bool."""

    provider: str
    event_id: int
    time: datetime
    level: int = 4
    channel: str = "System"
    computer: str = "PC01"
    data: dict[str, Any] | list[Any] | None = None
    binary: bytes | None = None
    user_data: tuple[str, dict[str, Any]] | None = None
    qualifiers: int | None = None
    keywords: int = 0x8080000000000000
    record_id: int | None = None  # None: the next number of the file


@dataclass
class _Value:
    type: int
    raw: bytes


def _typed(value: Any) -> _Value:
    if isinstance(value, _Value):
        return value
    if isinstance(value, bool):
        return _Value(T_BOOL, struct.pack("<I", int(value)))
    if isinstance(value, int):
        if 0 <= value <= 0xFFFFFFFF:
            return _Value(T_UINT32, struct.pack("<I", value))
        return _Value(T_UINT64, struct.pack("<Q", value & 0xFFFFFFFFFFFFFFFF))
    if isinstance(value, bytes):
        return _Value(T_BINARY, value)
    return _Value(T_STRING, str(value).encode("utf-16-le"))


@dataclass
class _Template:
    """Builds one template definition (the XML shape) and collects the values its substitutions take."""

    base: int  # chunk offset of the first byte written
    out: bytearray = field(default_factory=bytearray)
    values: list[_Value] = field(default_factory=list)

    def _name(self, name: str) -> None:
        # an inline name: its offset is where it starts, right after the offset itself
        self.out += struct.pack("<I", self.base + len(self.out) + 4)
        self.out += struct.pack("<IHH", 0, _name_hash(name), len(name)) + name.encode("utf-16-le") + b"\0\0"

    def _substitute(self, value: Any) -> None:
        typed = _typed(value)
        self.out += struct.pack("<BHB", _SUBSTITUTION, len(self.values), typed.type)
        self.values.append(typed)

    def element(self, name: str, attributes: Sequence[tuple[str, Any]] = (), value: Any = None,
                children: Iterable[tuple[Any, ...]] = ()) -> None:
        """``<name attr="..."...>value or children</name>``; attribute values and ``value`` are substituted."""
        kids = list(children)
        self.out.append(_OPEN_START | (_MORE if attributes else 0))
        self.out += struct.pack("<H", 0xFFFF)  # dependency identifier: none
        size_at = len(self.out)
        self.out += b"\0\0\0\0"
        self._name(name)
        if attributes:
            list_at = len(self.out)
            self.out += b"\0\0\0\0"
            for n, (attr, attr_value) in enumerate(attributes):
                self.out.append(_ATTRIBUTE | (_MORE if n < len(attributes) - 1 else 0))
                self._name(attr)
                self._substitute(attr_value)
            struct.pack_into("<I", self.out, list_at, len(self.out) - list_at - 4)
        if value is None and not kids:
            self.out.append(_CLOSE_EMPTY)
        else:
            self.out.append(_CLOSE_START)
            if value is not None:
                self._substitute(value)
            for kid in kids:
                self.element(*kid)
            self.out.append(_END_ELEMENT)
        struct.pack_into("<I", self.out, size_at, len(self.out) - size_at - 4)


def _name_hash(name: str) -> int:
    """The 16-bit hash Windows stores beside each name (readers ignore it; written for fidelity)."""
    value = 0
    for ch in name.encode("utf-16-le")[::2]:
        value = (value * 65599 + ch) & 0xFFFFFFFF
    return value & 0xFFFF


def _event_children(ev: Event) -> list[tuple[Any, ...]]:
    event_id: tuple[Any, ...] = ("EventID", (("Qualifiers", _Value(T_UINT16, struct.pack("<H", ev.qualifiers))),)
                                 if ev.qualifiers is not None else (), _Value(T_UINT16, struct.pack("<H", ev.event_id)))
    system = ("System", (), None, [
        ("Provider", (("Name", ev.provider),)),
        event_id,
        ("Level", (), _Value(T_UINT8, struct.pack("<B", ev.level))),
        ("Keywords", (), _Value(T_HEXINT64, struct.pack("<Q", ev.keywords))),
        ("TimeCreated", (("SystemTime", _Value(T_FILETIME, struct.pack("<Q", filetime(ev.time)))),)),
        ("EventRecordID", (), _Value(T_UINT64, struct.pack("<Q", ev.record_id or 0))),
        ("Channel", (), ev.channel),
        ("Computer", (), ev.computer),
    ])
    kids: list[tuple[Any, ...]] = [system]
    if ev.user_data is not None:
        wrapper, fields = ev.user_data
        kids.append(("UserData", (), None, [(wrapper, (), None, [(k, (), v) for k, v in fields.items()])]))
    elif ev.data is not None or ev.binary is not None:
        data: list[tuple[Any, ...]] = []
        if isinstance(ev.data, dict):
            data = [("Data", (("Name", k),), "" if v is None else v) for k, v in ev.data.items()]
        elif isinstance(ev.data, list):
            data = [("Data", (), "" if v is None else v) for v in ev.data]
        if ev.binary is not None:
            data.append(("Binary", (), ev.binary))
        kids.append(("EventData", (), None, data))
    return kids


def _record_xml(ev: Event, base: int, shared: dict[bytes, int] | None = None) -> bytes:
    """The Binary XML of one record that starts at chunk offset ``base``: a template instance, then its values.

    The template's definition follows inline, unless ``shared`` (the templates already defined in this chunk,
    by shape) holds one of the same shape: then the instance points back at that definition, as Windows
    writes a log (a template is defined once per chunk and each record of that shape refers to it).
    """
    head = bytearray([_FRAGMENT, 1, 1, 0, _TEMPLATE_INSTANCE, 0x01])
    shape = None
    if shared is not None:
        probe = _Template(base=0)  # the shape with position-free name offsets: the key of the definition
        probe.out += bytes([_FRAGMENT, 1, 1, 0])
        probe.element("Event", (("xmlns", EVENT_NS),), None, _event_children(ev))
        shape = bytes(probe.out)
        defined = shared.get(shape)
        if defined is not None:
            head += struct.pack("<II", zlib.crc32(shape), defined)
            return bytes(head) + _values(probe.values) + bytes([_END_OF_STREAM])
    definition_at = base + len(head) + 8
    head += struct.pack("<II", zlib.crc32(shape) if shape is not None else 0, definition_at)
    # the definition: next template offset, GUID, data size, then the template's own fragment
    template = _Template(base=definition_at + 24)
    template.out += bytes([_FRAGMENT, 1, 1, 0])
    template.element("Event", (("xmlns", EVENT_NS),), None, _event_children(ev))
    template.out.append(_END_OF_STREAM)
    guid = zlib.crc32(bytes(template.out)).to_bytes(4, "little") * 4
    definition = struct.pack("<I", 0) + guid + struct.pack("<I", len(template.out)) + bytes(template.out)
    if shared is not None and shape is not None:
        shared[shape] = definition_at
    return bytes(head) + definition + _values(template.values) + bytes([_END_OF_STREAM])


def _values(values: list[_Value]) -> bytes:
    """A template instance's substitution array: the count, a (size, type) descriptor per value, the values."""
    out = struct.pack("<I", len(values))
    out += b"".join(struct.pack("<HBB", len(v.raw), v.type, 0) for v in values)
    return out + b"".join(v.raw for v in values)


def _chunk(records: list[bytes], first_id: int, last_id: int) -> bytes:
    chunk = bytearray(CHUNK_HEADER)
    last_offset = CHUNK_HEADER
    for rec in records:
        last_offset = len(chunk)
        chunk += rec
    free = len(chunk)
    chunk += bytes(CHUNK_SIZE - len(chunk))
    struct.pack_into("<8sQQQQIIII", chunk, 0, b"ElfChnk\0", first_id, last_id, first_id, last_id, 128,
                     last_offset, free, zlib.crc32(chunk[CHUNK_HEADER:free]))
    struct.pack_into("<I", chunk, 0x7C, zlib.crc32(bytes(chunk[:0x78]) + bytes(chunk[0x80:CHUNK_HEADER])))
    return bytes(chunk)


def evtx_bytes(events: Iterable[Event], *, dirty: bool = False, shared_templates: bool = False) -> bytes:
    """A whole ``.evtx`` file holding ``events`` in order (record numbers from 1 unless an event sets one).

    ``shared_templates``: each template shape is defined once per chunk and later records of that shape
    refer to it, as in logs Windows writes (smaller files, and what a reader's template cache sees)."""
    chunks: list[bytes] = []
    pending: list[bytes] = []
    first_id = last_id = 0
    next_id = 1  # the file header's "next record number": one past the highest written
    used = CHUNK_HEADER
    shared: dict[bytes, int] | None = {} if shared_templates else None
    for ev in events:
        ev = replace(ev, record_id=ev.record_id if ev.record_id is not None else next_id)
        rid = int(ev.record_id or 0)
        body = _record_xml(ev, used + RECORD_HEADER, shared)
        if used + RECORD_HEADER + len(body) + 4 > CHUNK_SIZE and pending:
            chunks.append(_chunk(pending, first_id, last_id))  # full: the record starts the next chunk
            pending, used = [], CHUNK_HEADER
            shared = {} if shared is not None else None  # templates are defined per chunk
            body = _record_xml(ev, used + RECORD_HEADER, shared)  # its names and template sit at new offsets
        size = RECORD_HEADER + len(body) + 4
        if used + size > CHUNK_SIZE:
            raise ValueError(f"event record {rid} is too big for a 64 KiB chunk ({size} bytes)")
        if not pending:
            first_id = rid
        last_id = rid
        pending.append(b"**\0\0" + struct.pack("<IQQ", size, rid, filetime(ev.time)) + body + struct.pack("<I", size))
        used += size
        next_id = max(next_id, rid + 1)
    if pending:
        chunks.append(_chunk(pending, first_id, last_id))
    header = bytearray(FILE_HEADER)
    struct.pack_into("<8sQQQIHHHH", header, 0, b"ElfFile\0", 0, max(len(chunks) - 1, 0), next_id, 128, 1, 3,
                     FILE_HEADER, len(chunks))
    struct.pack_into("<I", header, 0x78, 1 if dirty else 0)
    struct.pack_into("<I", header, 0x7C, zlib.crc32(bytes(header[:0x78])))
    return bytes(header) + b"".join(chunks)


def write_evtx(path: Path, events: Iterable[Event], *, dirty: bool = False, shared_templates: bool = False) -> Path:
    """Write ``events`` to ``path`` as an event log (see :func:`evtx_bytes`); returns ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(evtx_bytes(events, dirty=dirty, shared_templates=shared_templates))
    return path
