"""The summary as an ``.eml`` file: a MIME message Outlook and Thunderbird open as a draft to send.

Built with the standard library's :mod:`email` package: ``multipart/alternative`` with the plain-text and the
HTML rendering (clients show the richest they can), wrapped in ``multipart/mixed`` when attachments are asked
for (the summary as Markdown, the evidence excerpts as text). ``X-Unsent: 1`` makes Outlook open it ready to
address and send. Boundaries and the Message-ID are derived from the content, and ``Date`` from the ``now``
given, so the same summary exported twice gives the same bytes.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any

from workbench.core.report.render import render_summary, render_template


def build_eml(summary: dict[str, Any], *, now: datetime, attach_markdown: bool = False,
              attach_evidence: bool = False, kind: str = "summary") -> EmailMessage:
    """A draft e-mail of ``summary`` (redact it first when it leaves the customer).

    ``kind`` is the template set (:func:`render_summary`); its subject is ``subject`` for a case and
    ``<kind>-subject`` otherwise. The evidence attachment exists for a case's summary only."""
    lang = summary["lang"]
    text = render_summary(summary, "txt", kind)
    html = render_summary(summary, "html", kind)
    subject_template = "subject" if kind == "summary" else f"{kind}-subject"
    subject = " ".join(render_template(subject_template, lang, "txt", {"s": summary}).split())
    msg = EmailMessage(policy=policy.SMTP)
    msg["Subject"] = subject
    msg["Date"] = format_datetime(now)
    digest = hashlib.sha256("\0".join((subject, text, html)).encode("utf-8")).hexdigest()
    msg["Message-ID"] = f"<{digest[:32]}@case-workbench.invalid>"
    msg["X-Unsent"] = "1"
    msg["X-Mailer"] = "Case Workbench"
    msg.set_content(text, subtype="plain", charset="utf-8")
    msg.add_alternative(html, subtype="html", charset="utf-8")
    if attach_markdown:
        msg.add_attachment(render_summary(summary, "md", kind), subtype="markdown", charset="utf-8",
                           filename=_filename(summary, "summary", "md"))
    if attach_evidence and kind == "summary":
        excerpt = render_template("evidence", lang, "txt", {"s": summary})
        msg.add_attachment(excerpt, subtype="plain", charset="utf-8",
                           filename=_filename(summary, "evidence", "txt"))
    for number, part in enumerate(msg.walk()):
        if part.is_multipart():
            part.set_boundary(f"=_cw_{number}_{digest[32:56]}")
    return msg


def _filename(summary: dict[str, Any], kind: str, ext: str) -> str:
    code = ((summary.get("upgrade") or {}).get("result_code") or "case").replace(" ", "")
    return f"{kind}-{code}.{summary['lang']}.{ext}"


def eml_bytes(msg: EmailMessage) -> bytes:
    """The message as an ``.eml`` file's bytes (CRLF line ends, as mail files are written)."""
    return msg.as_bytes(policy=policy.SMTP)
