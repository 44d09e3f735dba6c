"""Declarative signatures: YAML detectors compiled to SQL over the case store (after Sigma and Hayabusa).

A signature names selections over any table of the store (timeline rows, facts, parsers' detail tables),
combines them with a small condition language (and/or/not, ``1 of``/``all of``, ``within``, ``then``), and
turns a match into a finding with evidence lines, a one-line details text and remediation in English and
Chinese. The format is documented in docs/signatures.md. No Qt here, ever.
"""

from workbench.core.signatures.engine import Hit, scan, write_findings
from workbench.core.signatures.loader import Signature, SignatureError, load_signature
from workbench.core.signatures.packs import PackSet, discover, load_packs

__all__ = ["Hit", "PackSet", "Signature", "SignatureError", "discover", "load_packs", "load_signature", "scan",
           "write_findings"]
