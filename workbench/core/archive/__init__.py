"""Reading collected case archives safely: zip, 7z, nested archives, folders and single files.

Nothing here writes a file by the name an archive gives it: members are pushed, as byte streams, into
writers the caller supplies (see :mod:`workbench.core.catalogue`), which store them under names of their
own. That makes path traversal, device names and case collisions harmless by construction.
"""

from workbench.core.archive.limits import ExtractionBudget, ExtractionLimits
from workbench.core.archive.members import Member, MemberWriter
from workbench.core.archive.readers import ArchiveReader, open_reader, sniff_container

__all__ = [
    "ArchiveReader",
    "ExtractionBudget",
    "ExtractionLimits",
    "Member",
    "MemberWriter",
    "open_reader",
    "sniff_container",
]
