"""The customer's or the engineer's own description of the failure, when the archive carries one.

Collections often hold a short text beside the logs (``问题描述.txt``, ``说明.txt``, ``description.txt``): what
the user saw, the code on the screen, when. It is what was *reported*, and the verdict compares it with what
the logs show (BRIEF.md: the upload held a down-level crash while the report said a second-boot rollback). The
file is identified by its name (a text file named like a description), read in whatever encoding Windows
wrote it (GBK, UTF-8, UTF-16), and kept as timeline rows (so it is searchable and quotable) and one
``reported.text`` fact the verdict reads (:mod:`workbench.core.verdict.reported`).
"""

from __future__ import annotations

import re

from workbench.core.parsers.base import CaseFile, Mediator
from workbench.core.plugins import hookimpl
from workbench.core.textio import read_lines

KIND = "description"
#: Name stems a description file carries, Chinese first (what customers and engineers name them).
NAME_STEMS = ("问题描述", "故障描述", "现象描述", "情况说明", "问题说明", "说明", "描述", "现象", "问题",
              "description", "problem", "symptom", "issue", "readme_case")
_NAME = re.compile(r"(?:^|[/\\_\-\s.])(" + "|".join(re.escape(s) for s in NAME_STEMS) + r")[^/\\]*\.(?:txt|md)$",
                   re.I)
#: A description is short; a larger text is a log or an export, not what someone typed.
MAX_BYTES = 64 * 1024
MAX_TEXT = 4000


def is_description(name: str, size_hint: int | None = None) -> bool:
    """True for a ``.txt``/``.md`` file whose name says it describes the problem."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    if size_hint is not None and size_hint > MAX_BYTES:
        return False
    return bool(_NAME.search("/" + base))


class DescriptionParser:
    """Reads a description text into timeline rows and the ``reported.text`` fact."""

    name = "description"
    kinds = frozenset({KIND})
    tables: dict[str, str] = {}
    version = 1

    def parse(self, file: CaseFile, mediator: Mediator) -> None:
        kept: list[str] = []
        first_line: int | None = None
        size = 0
        for line in read_lines(file.location):
            size += len(line.text)
            if size > MAX_BYTES:
                mediator.problem("the description text is longer than a description; only its start was read")
                break
            text = line.text.strip()
            if not text:
                continue
            if first_line is None:
                first_line = line.number
            kept.append(text)
            mediator.event(line=line.number, message=text, level="info", component="description")
        if kept:
            mediator.fact("reported.text", "\n".join(kept)[:MAX_TEXT], line=first_line,
                          text=f"{file.path}: {kept[0][:300]}", weight=10)


@hookimpl
def workbench_identify(name: str, head: bytes) -> str | None:
    """A text file named like a description (``问题描述.txt``) whose content is plain text."""
    if not is_description(name):
        return None
    from workbench.core.identify import identify_kind

    # a WinDbg output or a renamed setup log named "问题分析.txt" stays what its content says it is
    return KIND if identify_kind(name, head) == "text" else None


@hookimpl
def workbench_parsers() -> list[DescriptionParser]:
    return [DescriptionParser()]
