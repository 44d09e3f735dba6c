"""The command line's own reading of arguments: one sentence for a wrong argument, and values that start with ``-``.

argparse prints its usage block and then the error; everywhere else the CLI says what is wrong in one sentence
on stderr with exit code 2 (:mod:`workbench.commands.failures`), and a wrong argument is no different.
argparse also takes ``--tz -05:00`` for two options (only plain negative numbers count as values), so the
options whose values may start with a minus sign have such a value joined to them first (``--tz=-05:00``).
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Sequence
from typing import NoReturn

from workbench.core.printable import one_line

#: options whose value may begin with ``-``: a UTC offset west of Greenwich (``-05:00``, ``-0330``, ``-5``)
NEGATIVE_VALUE_OPTIONS = ("--tz",)
_NEGATIVE = re.compile(r"^[-\u2212]\d")


class OneSentenceParser(argparse.ArgumentParser):
    """An ``ArgumentParser`` whose errors are one sentence and exit 2 (its subparsers are of this class too)."""

    def error(self, message: str) -> NoReturn:
        sentence = one_line(message).rstrip(".")
        self.exit(2, f"{self.prog}: {sentence}; see {self.prog} --help.\n")


def join_negative_values(argv: Sequence[str], options: Sequence[str] = NEGATIVE_VALUE_OPTIONS) -> list[str]:
    """``argv`` with ``--tz -05:00`` written ``--tz=-05:00``, so argparse reads the offset as the option's value
    (any value that starts with a minus and a digit, after an option of ``options``)."""
    out: list[str] = []
    args = list(argv)
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--":
            out.extend(args[i:])
            break
        if arg in options and i + 1 < len(args) and _NEGATIVE.match(args[i + 1]):
            out.append(f"{arg}={args[i + 1]}")
            i += 2
            continue
        out.append(arg)
        i += 1
    return out


def parse(parser: argparse.ArgumentParser, argv: Sequence[str]) -> argparse.Namespace:
    """``parser.parse_args`` on ``argv`` with negative option values joined (:func:`join_negative_values`)."""
    return parser.parse_args(join_negative_values(argv))

