"""How long one call to quota or health may take: its own timeout, cut to its slice of the
caller's deadline, never below a floor (a call with no time at all would only fail)."""

from __future__ import annotations

from sanad_analyzer.deadline import Deadline

MIN_TIMEOUT_SECONDS = 0.05
"""The shortest timeout a downstream call gets, even when the caller's time is nearly up."""


def call_timeout(timeout: float, deadline: Deadline | None, fraction: float) -> float:
    """``timeout``, but never more than ``fraction`` of the time the deadline leaves."""
    if deadline is None:
        return timeout
    return max(min(timeout, deadline.remaining() * fraction), MIN_TIMEOUT_SECONDS)
