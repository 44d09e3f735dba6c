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

from workbench.core.parsers.base import CaseFile, Mediator, wall_us
from workbench.core.plugins import hookimpl
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


def split_line(text: str) -> tuple[int, str, str | None, str, str] | None:
    """(wall µs, level, message id, component, message) for a stamped line; None when it has no stamp."""
    if not _is_stamp(text):
        return None
    try:
        local = wall_us(int(text[0:4]), int(text[5:7]), int(text[8:10]),
                        int(text[11:13]), int(text[14:16]), int(text[17:19]))
    except ValueError:
        return None
    rest = text[21:]
    if len(rest) >= 29 and rest[11:12] in ("[", " ") and (rest[10] == " " or rest[:11] == "Fatal Error"):
        # fixed columns
        level_raw = rest[:11].strip()
        msg_id = rest[11:22].strip() or None
        component = rest[22:29].strip()
        message = rest[29:]
        if msg_id is not None and not msg_id.startswith("["):
            # not a message id after all: columns are off, fall back to splitting on spaces
            return _loose(local, rest)
        if msg_id:
            msg_id = msg_id.strip("[]")
        if " " in component:  # a component never has a space: the message started early
            return _loose(local, rest)
        return local, LEVELS.get(level_raw.lower(), level_raw.lower() or "info"), msg_id, component, message
    return _loose(local, rest)


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


class SetupLogParser:
    """Reads setupact/setuperr logs into the timeline, streamed line by line."""

    name = "setuplog"
    kinds = frozenset({"setupact", "setuperr"})
    tables: dict[str, str] = {}
    version = 1

    def parse(self, file: CaseFile, mediator: Mediator) -> None:
        source = file.kind  # setupact or setuperr
        pending: list = []  # the row being built: [line, local, level, component, message]
        last_local: int | None = None
        binary_from: int | None = None
        for ln in read_lines(file.location):
            if ln.number % 20000 == 0:
                mediator.check(ln.offset)
            text = ln.text
            if looks_binary(text):
                if binary_from is None:
                    binary_from = ln.offset
                continue
            if binary_from is not None and text.strip():
                mediator.problem(f"unreadable binary bytes at offset {binary_from}; skipped", binary_from)
                binary_from = None
            parts = split_line(text)
            if parts is not None:
                if pending:
                    self._emit(mediator, source, pending)
                local, level, msg_id, component, message = parts
                last_local = local
                if msg_id:
                    message = f"[{msg_id}] {message}" if message else f"[{msg_id}]"
                pending = [ln.number, local, level, component or None, message]
            elif not text.strip():
                continue
            elif pending and text[:1] in (" ", "\t"):
                pending[4] += "\n" + text.strip()
            else:
                # a line with no stamp: its own row, at the time of the line before
                if pending:
                    self._emit(mediator, source, pending)
                pending = [ln.number, last_local, None, None, text.strip()]
        if pending:
            self._emit(mediator, source, pending)
        if binary_from is not None:
            mediator.problem(f"the file ends in unreadable binary bytes from offset {binary_from} "
                             "(cut short while Setup was writing it)", binary_from)

    @staticmethod
    def _emit(mediator: Mediator, source: str, row: list) -> None:
        line, local, level, component, message = row
        mediator.event(line=line, local=local, level=level, component=component, message=message, source=source)


@hookimpl
def workbench_parsers() -> list[SetupLogParser]:
    return [SetupLogParser()]
