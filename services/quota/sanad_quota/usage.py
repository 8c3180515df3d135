"""What a counter value means: windows, limits, warning levels and projections.

Pure functions of numbers and the time, kept apart from the store so they can be checked
without one and reused by the ledger, the servicer and the statistics log alike.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from sanad_common.config import ProviderLimits
from sanad_common.windows import DAY, HOUR, TimeWindow

UNLIMITED = -1
"""The limit value that means no limit."""


class Window(enum.StrEnum):
    """An accounting period; Unix time is UTC, so whole multiples of it are UTC hours and days."""

    HOUR = "hour"
    DAY = "day"

    @property
    def seconds(self) -> int:
        """Length of the window."""
        return HOUR if self is Window.HOUR else DAY

    def containing(self, instant: float) -> TimeWindow:
        """The window of this kind that contains instant."""
        return TimeWindow.containing(instant, self.seconds)

    def bounds(self, now: float) -> tuple[int, int]:
        """Start and end (Unix seconds) of the window that contains now."""
        window = self.containing(now)
        return window.start, window.end


class Metric(enum.StrEnum):
    """What a limit counts."""

    REQUESTS = "requests"
    TOKENS = "tokens"


class WarningLevel(enum.IntEnum):
    """How close a limit is to being reached; ordered, so the worst of several is their max."""

    NORMAL = 1
    WARNING = 2
    CRITICAL = 3
    EXHAUSTED = 4


@dataclass(frozen=True)
class Thresholds:
    """Shares of a limit at which usage becomes a warning, then critical."""

    warning: float
    critical: float


@dataclass(frozen=True)
class WindowUsage:
    """The state of one limit: a metric counted over a window, at one instant."""

    window: Window
    metric: Metric
    used: int
    limit: int
    percent: float
    warning_level: WarningLevel
    window_start: float
    window_end: float
    projected_use: int
    projected_exhaustion: float | None


def limit_for(limits: ProviderLimits, window: Window, metric: Metric) -> int:
    """The configured limit of one window and metric (-1 unlimited, 0 allows nothing)."""
    if window is Window.HOUR:
        return limits.hourly_requests if metric is Metric.REQUESTS else limits.hourly_tokens
    return limits.daily_requests if metric is Metric.REQUESTS else limits.daily_tokens


def warning_level(used: int, limit: int, thresholds: Thresholds) -> WarningLevel:
    """The level of used against limit; an unlimited window is always NORMAL."""
    if limit == UNLIMITED:
        return WarningLevel.NORMAL
    if used >= limit:
        return WarningLevel.EXHAUSTED
    ratio = used / limit
    if ratio >= thresholds.critical:
        return WarningLevel.CRITICAL
    if ratio >= thresholds.warning:
        return WarningLevel.WARNING
    return WarningLevel.NORMAL


def measure(
    window: Window,
    metric: Metric,
    *,
    start: float,
    used: int,
    limit: int,
    now: float,
    thresholds: Thresholds,
) -> WindowUsage:
    """Describe the counter of the window that began at start, as seen at time now.

    The projection assumes use goes on at the average rate since the window started (a window
    that has ended projects what it used); a limit of 0 reads as 100 % used because it allows
    nothing.
    """
    end = start + window.seconds
    if limit == UNLIMITED:
        percent = 0.0
    elif limit == 0:
        percent = 100.0
    else:
        percent = used * 100.0 / limit
    elapsed = min(max(now - start, 1.0), float(window.seconds))
    projected_use = round(used * window.seconds / elapsed)
    exhaustion: float | None = None
    if limit != UNLIMITED:
        if used >= limit:
            exhaustion = min(now, end)
        elif used > 0:
            reached = start + limit * elapsed / used
            exhaustion = reached if reached < end else None
    return WindowUsage(
        window=window,
        metric=metric,
        used=used,
        limit=limit,
        percent=percent,
        warning_level=warning_level(used, limit, thresholds),
        window_start=start,
        window_end=end,
        projected_use=projected_use,
        projected_exhaustion=exhaustion,
    )


def worst_level(usage: tuple[WindowUsage, ...]) -> WarningLevel:
    """The highest warning level of several limits; NORMAL for none."""
    return max((item.warning_level for item in usage), default=WarningLevel.NORMAL)
