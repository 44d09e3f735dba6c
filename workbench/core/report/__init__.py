"""The case summary: the e-mail an engineer sends, built from the store, rendered, redacted, exported.

``build_summary`` gathers the facts, findings, key timeline and notes into plain data; ``Redactor`` replaces
personal values in it with consistent pseudonyms; ``render_summary`` turns it into Markdown, e-mail-safe HTML
or plain text with the team's templates; ``build_eml`` wraps HTML and text into a MIME message.
"""

from workbench.core.report.eml import build_eml, eml_bytes
from workbench.core.report.export import EXPORT_FORMATS, export_summary, prepared_summary
from workbench.core.report.redact import Redactor
from workbench.core.report.render import FORMATS, render_summary
from workbench.core.report.summary import LANGUAGES, build_summary

__all__ = [
    "EXPORT_FORMATS", "FORMATS", "LANGUAGES", "Redactor", "build_eml", "build_summary", "eml_bytes",
    "export_summary", "prepared_summary", "render_summary",
]
