"""The verdict of a case: what broke the upgrade, made by whom, and what to do (issue 19).

:func:`build_verdict` gives the ``verdict`` object of the analysis JSON; :func:`rank_findings` orders the
findings causally; :mod:`.reported` reads what the customer reported. See :mod:`.build` for the rules.
"""

from workbench.core.verdict.build import STATES, build_verdict
from workbench.core.verdict.rank import rank_findings
from workbench.core.verdict.reported import parse_reported, reported_of, set_reported

__all__ = ["STATES", "build_verdict", "parse_reported", "rank_findings", "reported_of", "set_reported"]
