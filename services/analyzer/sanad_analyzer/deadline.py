"""The caller's deadline as one value, so "time left for providers" is computed in one place."""

from __future__ import annotations

import time
from dataclasses import dataclass

MIN_ATTEMPT_SECONDS = 0.1
"""Less time than this left for providers means the deadline, not the providers, ended it."""


@dataclass(frozen=True)
class Deadline:
    """When the caller stops waiting (monotonic seconds), less a margin kept for the reply."""

    at: float
    """``time.monotonic()`` value at which the caller's deadline passes."""
    margin: float
    """Seconds kept back from providers to build and send the response."""

    @classmethod
    def after(cls, seconds: float, margin: float) -> Deadline:
        """The deadline ``seconds`` from now."""
        return cls(time.monotonic() + seconds, margin)

    def reply_remaining(self) -> float:
        """Seconds left for work done once the answer is known (storing it), keeping half the
        margin to send it (never negative)."""
        return max(self.at - time.monotonic() - self.margin / 2, 0.0)

    def remaining(self) -> float:
        """Seconds left for provider work (negative once it has passed)."""
        return self.at - time.monotonic() - self.margin

    def expired(self) -> bool:
        """True once no time is left for provider work."""
        return self.remaining() <= 0

    def exhausted(self) -> bool:
        """True once too little time is left for another provider attempt."""
        return self.remaining() < MIN_ATTEMPT_SECONDS

    def allows(self, wait: float) -> bool:
        """True if waiting ``wait`` seconds still leaves time for provider work."""
        return wait < self.remaining()

    def share(self, parts: int) -> float:
        """An equal share of the time left, for one of ``parts`` providers still to try."""
        return self.remaining() / max(parts, 1)
