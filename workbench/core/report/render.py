"""Rendering a summary with the team's Jinja2 templates: Markdown, e-mail-safe HTML and plain text.

Templates are files a team edits (``resources/report/summary.<lang>.<format>.j2``), looked up in this order:
the folder in ``WORKBENCH_REPORT_TEMPLATES``, ``<workbench home>/templates/report`` (a user's or team's
copies), the bundled folder of a frozen build (``<bundle>/resources/report``), ``workbench/_resources/report``
(where ``setup.py`` puts them in a wheel), then the source tree's ``resources/report``. A template found
earlier wins, so a team overrides one file without forking the rest.

HTML templates are autoescaped: every value from the case (log lines, file names, notes) is text, so a line
holding ``<script>`` shows as that text and runs nothing. Markdown output puts case text in code fences or
escapes Markdown's active characters, for the same reason one level up.
"""

from __future__ import annotations

import os
import re
import sys
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2

from workbench.core.errors import WorkbenchError
from workbench.core.printable import one_line, printable
from workbench.core.report.markdown import to_html

FORMATS = ("md", "html", "txt")
#: extra templates the e-mail export uses, per language
AUX_TEMPLATES = ("subject", "evidence")

#: Summary keys whose values are one line in every template (names, codes, titles): a CR/LF or a control
#: character in them (a computer name from a hostile NFO) is shown as an escape, never as a forged line.
ONE_LINE_KEYS = frozenset({
    "source", "os_name", "os_version", "os_build", "computer", "time_zone", "result_code", "extend_code", "phase",
    "operation", "rollback", "source_build", "target_build", "result_name", "result_text", "phase_text",
    "operation_text", "bugcheck_code", "bugcheck_name", "culprit", "title", "process", "name", "file",
    "component", "time", "failure_time", "severity_text", "level", "clock",
})

_MD_ACTIVE = re.compile(r"([`*_\[\]<>|])")
_MD_LINE_START = re.compile(r"^(\s*)([#+\-]|\d+\.)(?=\s)", re.MULTILINE)


def template_dirs() -> list[Path]:
    """Where templates are looked for, first match wins (see the module docstring)."""
    dirs: list[Path] = []
    env = os.environ.get("WORKBENCH_REPORT_TEMPLATES")
    if env:
        dirs.append(Path(env))
    from workbench.core.case import workbench_home

    dirs.append(workbench_home() / "templates" / "report")
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        dirs.append(Path(bundle) / "resources" / "report")
    here = Path(__file__).resolve()
    dirs.append(here.parents[2] / "_resources" / "report")  # an installed wheel (setup.py copies resources/ there)
    dirs.append(here.parents[3] / "resources" / "report")  # the source tree
    return [d for d in dirs if d.is_dir()] or dirs[-1:]


def md_escape(value: Any) -> str:
    """Text safe inside Markdown prose: active characters backslash-escaped, list/heading starts defused."""
    text = "" if value is None else str(value)
    text = _MD_ACTIVE.sub(r"\\\1", text)
    return _MD_LINE_START.sub(lambda m: f"{m.group(1)}\\{m.group(2)}", text)


def code_fence(value: Any, info: str = "text") -> str:
    """A fenced code block that no backtick run in ``value`` can close early."""
    text = "" if value is None else str(value).strip("\n")
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{info}\n{text}\n{fence}"


def notes_md(body: Any, offset: int = 2) -> str:
    """A note's Markdown under the summary's own headings: headings demoted ``offset`` levels, and ``<``
    escaped outside code so a Markdown viewer shows a typed tag instead of rendering it."""
    out: list[str] = []
    fence: str | None = None
    for line in ("" if body is None else str(body)).split("\n"):
        stripped = line.lstrip()
        if fence is not None:
            if stripped.startswith(fence):
                fence = None
            out.append(line)
            continue
        m = re.match(r"(`{3,}|~{3,})", stripped)
        if m:
            fence = m.group(1)
            out.append(line)
            continue
        if re.match(r"#{1,6}\s", line):
            line = "#" * offset + line
        parts = re.split(r"(`[^`\n]*`)", line)
        out.append("".join(p if p.startswith("`") else p.replace("<", "\\<") for p in parts))
    return "\n".join(out)


def indent_rest(value: Any, width: int = 4) -> str:
    """Continuation lines of a multi-line log record indented under the first (plain text and code blocks)."""
    lines = ("" if value is None else str(value)).split("\n")
    return ("\n" + " " * width).join(lines)


def where(item: Any, key: str = "name") -> str:
    """Where an evidence line is: ``Rollback/setupact.log:5680``, or the file alone when the line has no number
    (a dump's record, a debugger text's stack excerpt), never ``:-``."""
    name = item.get(key) if isinstance(item, dict) else None
    line = item.get("line") if isinstance(item, dict) else None
    if line is not None:
        return f"{name or '?'}:{line}"
    return str(name or "")


def evidence_line(item: Any, width: int = 4, key: str = "name") -> str:
    """One evidence item as a text block: ``time  file:line  text``; a multi-line text (a stack excerpt)
    starts under that head, each line on its own line ``width`` spaces in. No time shows as nothing."""
    head = "  ".join(p for p in ((item.get("time") or ""), where(item, key)) if p)
    text = str(item.get("text") or "")
    lines = text.split("\n")
    if len(lines) > 1:
        return head + "".join("\n" + " " * width + ln for ln in lines)
    return f"{head}  {text}"


def _autoescape(name: str | None) -> bool:
    return bool(name) and ".html" in str(name)


@lru_cache(maxsize=8)
def _environment(dirs: tuple[Path, ...]) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(d) for d in dirs], encoding="utf-8"),
        autoescape=_autoescape,
        undefined=jinja2.StrictUndefined,  # a template typo fails loudly instead of printing nothing
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["md_escape"] = md_escape
    env.filters["code_fence"] = code_fence
    env.filters["indent_rest"] = indent_rest
    env.filters["where"] = where
    env.filters["evidence_line"] = evidence_line
    env.filters["notes_md"] = notes_md
    env.filters["notes_html"] = lambda body: to_html(body or "")
    return env


def environment() -> jinja2.Environment:
    """The Jinja2 environment over :func:`template_dirs` (cached per set of folders)."""
    return _environment(tuple(template_dirs()))


def displayable(value: Any, key: str | None = None) -> Any:
    """A copy of summary data fit to show: one-line fields (:data:`ONE_LINE_KEYS`) with every control written
    as an escape, other text with its line breaks kept and its other controls escaped (ESC, C1, bidi: a log
    line from the case must not recolour the terminal a report is printed on, nor reorder what a reader sees).
    NULs are dropped: a note may hold them (typed or pasted), and they mean nothing in an e-mail.
    """
    if isinstance(value, str):
        value = value.replace("\x00", "")
        return one_line(value) if key in ONE_LINE_KEYS else printable(value)
    if isinstance(value, dict):
        return {k: displayable(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [displayable(v, key) for v in value]
    return value


def render_template(kind: str, lang: str, fmt: str, context: dict[str, Any]) -> str:
    """Render ``<kind>.<lang>.<fmt>.j2`` (``summary.zh.html.j2``, ``subject.en.txt.j2``) with ``context``;
    the summary (``context["s"]``) is shown through :func:`displayable`."""
    if "s" in context:
        context = {**context, "s": displayable(context["s"])}
    name = f"{kind}.{lang}.{fmt}.j2"
    try:
        template = environment().get_template(name)
    except jinja2.TemplateNotFound as exc:
        raise WorkbenchError(
            f"report template {name} not found in {', '.join(str(d) for d in template_dirs())}") from exc
    return template.render(**context)


def render_summary(summary: dict[str, Any], fmt: str, kind: str = "summary") -> str:
    """The summary (from :func:`build_summary`, redacted or not) as ``md``, ``html`` or ``txt`` text.

    ``kind`` names the template set: ``summary`` for a case, ``compare`` for a customer case's machines
    (:mod:`workbench.core.customer.summary`)."""
    if fmt not in FORMATS:
        raise ValueError(f"format {fmt!r}: choose one of {', '.join(FORMATS)}")
    text = render_template(kind, summary["lang"], fmt, {"s": summary})
    # one trailing newline, and none of the blank-line runs template conditionals leave behind
    text = re.sub(r"\n{3,}", "\n\n", text).strip("\n") + "\n"
    return text
