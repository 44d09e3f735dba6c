"""What the CLI prints, made safe for the terminal it lands on (see :mod:`workbench.core.printable` for why).

* human-readable output (``analyze``, ``files``, ``processes`` …) shows each value from the case through
  :func:`one_line`, whether or not the output is a terminal;
* JSON output goes through :func:`dump_json`: still valid JSON, the same strings, with control characters
  in JSON's own ``\\uXXXX`` escapes;
* whatever else reaches a terminal (``report`` or ``timeline --format csv`` on screen, error sentences,
  progress) passes :func:`printable` on the way, through the streams :func:`safe_streams` puts in place.
  Written to a file or a pipe, a report or a CSV keeps its bytes as they are.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TextIO

from workbench.core.output_file import output_failure
from workbench.core.printable import dump_json, one_line, printable

__all__ = ["TerminalStream", "dump_json", "is_terminal", "one_line", "printable", "safe_streams", "unwrapped",
           "write_output"]


class TerminalStream:
    """A text stream that escapes controls on their way to the terminal it wraps; the rest is delegated."""

    def __init__(self, inner: TextIO) -> None:
        self._inner = inner

    def write(self, text: str) -> int:
        self._inner.write(printable(text))
        return len(text)

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def unwrapped(stream: Any) -> Any:
    """The stream under a :class:`TerminalStream`: for our own control characters (the progress line's CR),
    with the case's content escaped first by the caller."""
    return stream._inner if isinstance(stream, TerminalStream) else stream


def is_terminal(stream: Any) -> bool:
    try:
        return bool(stream is not None and stream.isatty())
    except (AttributeError, ValueError, OSError):
        return False


@contextmanager
def safe_streams() -> Iterator[None]:
    """For the duration of a command: stdout and stderr escape controls when they are terminals."""
    saved = sys.stdout, sys.stderr
    if is_terminal(sys.stdout) and not isinstance(sys.stdout, TerminalStream):
        sys.stdout = TerminalStream(sys.stdout)  # type: ignore[assignment]
    if is_terminal(sys.stderr) and not isinstance(sys.stderr, TerminalStream):
        sys.stderr = TerminalStream(sys.stderr)  # type: ignore[assignment]
    try:
        yield
    finally:
        sys.stdout, sys.stderr = saved


def write_result(data: bytes, output: str | None, quiet: bool = False) -> None:
    """A command's finished result (a report, a comparison): to ``output`` (its name then said on stderr),
    else to standard output through :func:`write_output`. A write error names the file the user gave."""
    if output:
        try:
            Path(output).expanduser().write_bytes(data)
        except OSError as exc:  # the user's to fix (exit 2), in a sentence naming the file they gave
            raise output_failure(output, exc) from exc
        if not quiet:
            sys.stderr.write(f"{output}\n")
    else:
        write_output(data)


def write_output(data: bytes) -> None:
    """A command's finished output (a report, UTF-8): its bytes as they are to a file or a pipe, escaped on a
    terminal."""
    if is_terminal(sys.stdout):
        sys.stdout.write(printable(data.decode("utf-8", "replace")))
    else:
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
    sys.stdout.flush()
