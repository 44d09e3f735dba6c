"""Windows Setup's ``setupact.log`` / ``setuperr.log``: the fixed-column Panther format, and free text.

Layout (reference/setupdiag.md §3.3, checked on real files)::

    col 0-18  YYYY-MM-DD HH:MM:SS      col 19-20  ", "
    col 21-31 level, padded to 11      col 32-42  "[0xNNNNNN] " message id, or 11 spaces
    col 43-49 component, padded to 7   col 50-    message

Lines that start with whitespace continue the previous message (the SP "Host system information" block);
lines with no timestamp (WIMGAPI's ``[8312] [0xc142011c] ...``) become rows of their own that carry the time
of the line before. ``C:\\Windows\\setupact.log`` is free text from class installers: one row per line,
no time. Times are the machine's local wall clock.
"""

from __future__ import annotations

import re
from functools import lru_cache

from workbench.core.parsers.base import CaseFile, Mediator, wall_us
from workbench.core.plugins import hookimpl
from workbench.core.setup_host import WEIGHT as HOST_WEIGHT
from workbench.core.setup_host import host_facts
from workbench.core.textio import looks_binary, read_lines

LEVELS = {
    "info": "info",
    "warning": "warning",
    "error": "error",
    "fatal error": "critical",
    "fatal": "critical",
    "perf": "verbose",
}


def _is_stamp(text: str) -> bool:
    return (
        len(text) >= 21
        and text[4] == "-"
        and text[7] == "-"
        and text[10] == " "
        and text[13] == ":"
        and text[16] == ":"
        and text[19:21] == ", "
        and text[:4].isdigit()
    )


@lru_cache(maxsize=256)
def _day_us(day: str) -> int | None:
    """Wall µs of the midnight starting ``YYYY-MM-DD``; None for a date that does not exist."""
    try:
        return wall_us(int(day[0:4]), int(day[5:7]), int(day[8:10]))
    except ValueError:
        return None


def _minute_us(minute: str) -> int | None:
    """Wall µs of ``YYYY-MM-DD HH:MM``; None where :class:`datetime` would refuse it (hour 24, ...)."""
    day = _day_us(minute[:10])
    if day is None:
        return None
    try:
        hour, minutes = int(minute[11:13]), int(minute[14:16])
    except ValueError:
        return None
    if not (0 <= hour < 24 and 0 <= minutes < 60):
        return None
    return day + (hour * 60 + minutes) * 60_000_000


#: :func:`_minute_us` of the minutes met lately (a log writes many lines a minute; emptied when full)
_MINUTES: dict[str, int | None] = {}
_MINUTES_KEPT = 4096


def _stamp_us(stamp: str) -> int | None:
    """Wall µs of ``YYYY-MM-DD HH:MM:SS``: the minute from a cache, the second by arithmetic (0.75 µs a line
    was spent here before); None where :class:`datetime` would refuse the stamp (hour 24, second 60, ...)."""
    key = stamp[:16]
    try:
        start = _MINUTES[key]
    except KeyError:  # once a minute of the log
        if len(_MINUTES) >= _MINUTES_KEPT:
            _MINUTES.clear()
        start = _MINUTES[key] = _minute_us(key)
    if start is None:
        return None
    try:
        second = int(stamp[17:19])
    except ValueError:
        return None
    if not 0 <= second < 60:
        return None
    return start + second * 1_000_000


def split_line(text: str) -> tuple[int, str, str | None, str, str] | None:
    """(wall µs, level, message id, component, message) for a stamped line; None when it has no stamp."""
    if not _is_stamp(text):
        return None
    local = _stamp_us(text[:19])
    if local is None:
        return None
    # the columns are read from the line itself (text[21:] copied first cost a copy of every line)
    if len(text) >= 50 and text[32:33] in ("[", " ") and (text[31] == " " or text[21:32] == "Fatal Error"):
        # fixed columns
        msg_id = text[32:43].strip() or None
        component = text[43:50].strip()
        if msg_id is not None and not msg_id.startswith("["):
            # not a message id after all: columns are off, fall back to splitting on spaces
            return _loose(local, text[21:])
        if msg_id:
            msg_id = msg_id.strip("[]")
        if " " in component:  # a component never has a space: the message started early
            return _loose(local, text[21:])
        return local, _level(text[21:32]), msg_id, component, text[50:]
    return _loose(local, text[21:])


#: :func:`_level` of the level columns met (a handful in a log; emptied when full)
_LEVEL_COLUMNS: dict[str, str] = {}


def _level(column: str) -> str:
    """The level of an 11-character level column (``Info       ``, ``Fatal Error``)."""
    level = _LEVEL_COLUMNS.get(column)
    if level is None:
        raw = column.strip().lower()
        level = LEVELS.get(raw, raw or "info")
        if len(_LEVEL_COLUMNS) >= 256:
            _LEVEL_COLUMNS.clear()
        _LEVEL_COLUMNS[column] = level
    return level


def _loose(local: int, rest: str) -> tuple[int, str, str | None, str, str]:
    """Split a stamped line whose columns do not line up: level, optional [id], message."""
    rest = rest.lstrip()
    level_raw, _, tail = rest.partition(" ")
    if rest.lower().startswith("fatal error"):
        level_raw, tail = "Fatal Error", rest[11:]
    tail = tail.lstrip()
    msg_id = None
    if tail.startswith("[0x") and "]" in tail[:12]:
        msg_id, tail = tail[1 : tail.index("]")], tail[tail.index("]") + 1 :].lstrip()
    return local, LEVELS.get(level_raw.lower(), "info"), msg_id, "", tail


_BRACKET_STAMP = re.compile(r"^\[(\d{2})/(\d{2})/(\d{4}) (\d{2}):(\d{2})[.:](\d{2})(?:\.(\d{1,3}))?\]\s*")
_WIMGAPI = re.compile(r"^\[\d+\] ")
_PROCESS = re.compile(r"^\[([\w .-]+?\.(?:exe|EXE|dll|DLL)|Shell Unattend)\]\s*")
MAX_MESSAGE = 64 * 1024  # a row never grows past this, however many continuation lines follow
# Text logs never hold C0 controls (other than tab/CR) or undecodable bytes; a binary tail does, even after
# textio dropped its NULs, so a line with one is junk unless it is a well-formed stamped line.
_CONTROL = re.compile("[\x01-\x08\x0b\x0c\x0e-\x1f\x7f\ufffd]")


def is_junk(text: str) -> bool:
    """True for a line that is binary noise: mostly unreadable, or carrying control bytes and no stamp."""
    if text.isascii() and text.isprintable():
        return False  # the common case: only space to "~", decided at C speed, in half the regex's time
    if _CONTROL.search(text) is None and "\r" not in text:
        return False  # decided by one regex scan instead of a per-character loop
    return looks_binary(text) or split_line(text) is None


def bracket_stamp(text: str) -> tuple[int, str] | None:
    """``[05/12/2025 07:44.06.575] WudfCoInstaller: ...`` (C:\\Windows\\setupact.log) → (wall µs, rest)."""
    m = _BRACKET_STAMP.match(text)
    if not m:
        return None
    mo, d, y, h, mi, s = (int(g) for g in m.groups()[:6])
    ms = int((m.group(7) or "0").ljust(3, "0"))
    try:
        return wall_us(y, mo, d, h, mi, s, ms * 1000), text[m.end():]
    except ValueError:
        return None


class SetupLogParser:
    """Reads setupact/setuperr logs into the timeline, streamed line by line in bounded memory.

    Rotated and renamed copies (``setupact_1.log``, ``setupact_rollback.log``, ``setupact.log.old``) are
    the same format; the folder a file sits in (its role) tells the phase, so nothing here depends on it.
    """

    name = "setuplog"
    kinds = frozenset({"setupact", "setuperr"})
    tables: dict[str, str] = {}
    version = 3  # 3: a line past 64 KiB is one line, cut, not one row per piece

    def parse(self, file: CaseFile, mediator: Mediator) -> None:
        source = file.kind  # setupact or setuperr
        host: set[tuple[str, str]] | None = set() if source == "setupact" else None  # Host OS facts said
        pending: list = []  # the row being built: [line, local, level, component, message]
        last_local: int | None = None
        binary_from: int | None = None
        stamped = 0
        lines = 0
        for ln in read_lines(file.location, mediator.problem):
            lines = ln.number
            if ln.number % 4096 == 0:  # cancel within a few ms, and a progress bar that moves on any size
                mediator.check(ln.offset)
            text = ln.text
            # inside a binary run, only a stamped line ends it: random bytes also make short "clean" lines
            if is_junk(text) or (binary_from is not None and stamped and split_line(text) is None):
                if binary_from is None:
                    binary_from = ln.offset
                continue
            if binary_from is not None and text.strip():
                mediator.problem(f"unreadable binary bytes at offset {binary_from}; skipped", binary_from)
                binary_from = None
            parts = split_line(text)
            if parts is not None:
                if pending:
                    self._emit(mediator, source, pending, host)
                local, level, msg_id, component, message = parts
                stamped += 1
                last_local = local
                if not component and (m := _PROCESS.match(message)):
                    component = m.group(1)  # empty column: the process names itself in the message
                if msg_id:
                    message = f"[{msg_id}] {message}" if message else f"[{msg_id}]"
                pending = [ln.number, local, level, component or None, message]
                continue
            if not text.strip():
                continue
            if (br := bracket_stamp(text)) is not None:  # free text with its own [MM/DD/YYYY ...] stamp
                if pending:
                    self._emit(mediator, source, pending, host)
                last_local = br[0]
                pending = [ln.number, br[0], None, None, br[1].strip()]
            elif pending and pending[1] is not None and not _WIMGAPI.match(text) and (
                    text[:1] in (" ", "\t") or stamped):
                # an indented block, or a message cut by a bare LF: it belongs to the row before
                if len(pending[4]) + len(text) > MAX_MESSAGE:
                    self._emit(mediator, source, pending, host)
                    pending = [ln.number, pending[1], pending[2], pending[3], text.strip()]
                else:
                    pending[4] += "\n" + text.strip()
            else:
                # a line with no stamp (WIMGAPI, or free text): its own row, at the time of the line before
                if pending:
                    self._emit(mediator, source, pending, host)
                pending = [ln.number, last_local, None, None, text.strip()]
        if pending:
            self._emit(mediator, source, pending, host)
        if binary_from is not None:
            mediator.problem(f"the file ends in unreadable binary bytes from offset {binary_from} "
                             "(cut short while Setup was writing it)", binary_from)
        if lines and not stamped and mediator.events and file.role not in ("preinit", None):
            mediator.problem("no timestamped Setup lines: read as free text (like C:\\Windows\\setupact.log)")

    @staticmethod
    def _emit(mediator: Mediator, source: str, row: list, host: set[tuple[str, str]] | None = None) -> None:
        line, local, level, component, message = row
        mediator.event(line=line, local=local, level=level, component=component, message=message, source=source)
        if host is not None and "Host" in message:
            # the OS Setup ran on, as the log says it (core/setup_host.py): a fact as soon as it is read, so the
            # overview names the machine while the rest of a big log streams in; each value once per file
            for name, value in host_facts(message):
                if (name, value) not in host:
                    host.add((name, value))
                    mediator.fact(name, value, line=line, text=message[:300], local=local, weight=HOST_WEIGHT)


@hookimpl
def workbench_parsers() -> list[SetupLogParser]:
    return [SetupLogParser()]
