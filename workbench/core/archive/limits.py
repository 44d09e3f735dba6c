"""Safety limits for extraction, and the running budget that enforces them while bytes stream."""

from __future__ import annotations

from dataclasses import dataclass

from workbench.core.errors import ArchiveLimitExceeded, RatioExceeded

GiB = 1024**3
MiB = 1024**2


@dataclass(frozen=True)
class ExtractionLimits:
    """What an archive may expand to before we call it a decompression bomb.

    Collected logs compress well (text 10-30x, sparse EVTX chunks more), so the ratio limit is generous;
    what stops a bomb is that no member may exceed it *and* the whole case may not exceed ``max_total_bytes``.
    """

    max_total_bytes: int = 64 * GiB
    max_ratio: float = 1000.0
    ratio_floor_bytes: int = 8 * MiB  # a member smaller than this is never judged by ratio
    max_members: int = 200_000
    max_depth: int = 4  # archives inside archives


class ExtractionBudget:
    """Counts bytes as they are written and raises :class:`ArchiveLimitExceeded` the moment one is crossed.

    Declared sizes in archive headers are never trusted: only bytes actually produced count.
    """

    def __init__(self, limits: ExtractionLimits) -> None:
        self.limits = limits
        self.total = 0
        self.members = 0

    def start_member(self, name: str) -> None:
        self.members += 1
        if self.members > self.limits.max_members:
            raise ArchiveLimitExceeded(
                f"{name}: the archive holds more than {self.limits.max_members} files; "
                "extraction stopped (raise the limit if this case is genuine)."
            )

    def add(self, name: str, produced: int, member_total: int, compressed: int | None) -> None:
        """Account ``produced`` new bytes of member ``name`` (``member_total`` so far, ``compressed`` on disk)."""
        self.total += produced
        lim = self.limits
        if self.total > lim.max_total_bytes:
            raise ArchiveLimitExceeded(
                f"{name}: the case expands to more than {lim.max_total_bytes / GiB:.0f} GiB; "
                "extraction stopped as a likely decompression bomb."
            )
        if (
            compressed is not None
            and member_total > lim.ratio_floor_bytes
            and member_total > lim.max_ratio * max(compressed, 1)
        ):
            raise RatioExceeded(  # filed under the member's own name: the sentence need not repeat it
                f"expands more than {lim.max_ratio:.0f} times its compressed size "
                f"({compressed} bytes); extraction stopped as a likely decompression bomb."
            )
