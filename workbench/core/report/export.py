"""One call from a case store to the bytes of an exported summary, shared by the CLI and the GUI.

File › Export summary, "Copy summary" and ``workbench report`` must produce the same text for the same case,
so they all come through here: build, optionally redact (notes included), render or wrap as e-mail.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from workbench.core.report.eml import build_eml, eml_bytes
from workbench.core.report.redact import Redactor, redaction_note
from workbench.core.report.render import FORMATS, render_summary
from workbench.core.report.summary import build_summary
from workbench.core.store import CaseStore

EXPORT_FORMATS = (*FORMATS, "eml")


def prepared_summary(store: CaseStore, *, lang: str = "zh", redact: bool = False, now: datetime | None = None,
                     redactor: Redactor | None = None) -> dict[str, Any]:
    """The summary data as it will be rendered: redacted with ``redactor`` (or one learned from the case)."""
    summary = build_summary(store, lang=lang, now=now)
    if redact or redactor is not None:
        summary = redacted_summary(summary, redactor or Redactor.for_case(store))
    return summary


def redacted_summary(summary: dict[str, Any], redactor: Redactor) -> dict[str, Any]:
    """``summary`` with personal values replaced and a ``redaction`` block saying what kinds were replaced
    (the templates print its sentence): the one way every export, the clipboard and the preview redact."""
    redacted = redactor.apply(summary)
    redacted["redaction"] = redaction_note(redactor.kinds(), str(summary.get("lang") or "en"))
    return redacted


def export_summary(store: CaseStore, fmt: str, *, lang: str = "zh", redact: bool = False, now: datetime | None = None,
                   attach_markdown: bool = False, attach_evidence: bool = False) -> bytes:
    """The exported file's bytes: UTF-8 text for ``md``/``html``/``txt``, a MIME message for ``eml``."""
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"format {fmt!r}: choose one of {', '.join(EXPORT_FORMATS)}")
    now = now or datetime.now(timezone.utc)
    summary = prepared_summary(store, lang=lang, redact=redact, now=now)
    if fmt == "eml":
        return eml_bytes(build_eml(summary, now=now, attach_markdown=attach_markdown,
                                   attach_evidence=attach_evidence))
    return render_summary(summary, fmt).encode("utf-8")
