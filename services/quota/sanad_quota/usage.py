"""What a counter value means: windows, limits, warning levels and projections.

Pure functions of numbers and the time, kept apart from the store so they can be checked
without one and reused by the ledger, the servicer and the statistics log alike.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from sanad_common.config import ProviderLimits
from sanad_common.windows import DAY, HOUR, MINUTE, TimeWindow
from sanad_quota.prediction import Prediction
from sanad_quota.storage.port import UNLIMITED, Level, Thresholds

__all__ = ["UNLIMITED", "Thresholds"]  # re-exported: the quota service's vocabulary


class Window(enum.StrEnum):
    """An accounting period; Unix time is UTC, so whole multiples of it are UTC minutes, hours
    and days."""

    MINUTE = "minute"
    HOUR = "hour"
    DAY = "day"

    @property
    def seconds(self) -> int:
        """Length of the window."""
        return _SECONDS[self]

    @property
    def kept_after_end(self) -> int:
        """How long a tally of this window is kept after the window ends: minutes for two
        hours and hours for a day and an hour (they are the history of the hour's and the
        day's trend, and late spends still land in them), days for an hour (clock skew)."""
        return _KEPT_AFTER_END[self]

    @property
    def bucket(self) -> Window:
        """The shorter window whose recent counts give this window's trend."""
        return Window.HOUR if self is Window.DAY else Window.MINUTE

    @property
    def bucket_seconds(self) -> int:
        """Length of the trend's sub-windows."""
        return self.bucket.seconds

    @property
    def history_points(self) -> int:
        """Completed sub-windows the trend is fitted on."""
        return _HISTORY_POINTS[self]

    def containing(self, instant: float) -> TimeWindow:
        """The window of this kind that contains instant."""
        return TimeWindow.containing(instant, self.seconds)

    def bounds(self, now: float) -> tuple[int, int]:
        """Start and end (Unix seconds) of the window that contains now."""
        window = self.containing(now)
        return window.start, window.end


_SECONDS = {Window.MINUTE: MINUTE, Window.HOUR: HOUR, Window.DAY: DAY}
_KEPT_AFTER_END = {Window.MINUTE: 2 * HOUR, Window.HOUR: DAY + HOUR, Window.DAY: HOUR}
_HISTORY_POINTS = {Window.MINUTE: 10, Window.HOUR: 15, Window.DAY: 12}


class Metric(enum.StrEnum):
    """What a limit counts."""

    REQUESTS = "requests"
    TOKENS = "tokens"


WarningLevel = Level
"""How close a limit is to being reached (the store's levels, which it announces)."""


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
    prediction_points: int = 0
    """Completed sub-windows behind the projection."""
    prediction_confidence: float = 0.0
    """How closely those sub-windows follow the fitted trend, between 0 and 1."""


def limit_for(limits: ProviderLimits, window: Window, metric: Metric) -> int:
    """The configured limit of one window and metric (-1 unlimited, 0 allows nothing)."""
    requests = metric is Metric.REQUESTS
    if window is Window.MINUTE:
        return limits.minute_requests if requests else limits.minute_tokens
    if window is Window.HOUR:
        return limits.hourly_requests if requests else limits.hourly_tokens
    return limits.daily_requests if requests else limits.daily_tokens


def warning_level(used: int, limit: int, thresholds: Thresholds) -> WarningLevel:
    """The level of used against limit; an unlimited window is always NORMAL."""
    return thresholds.level(used, limit)


def measure(
    window: Window,
    metric: Metric,
    *,
    start: float,
    used: int,
    limit: int,
    thresholds: Thresholds,
    prediction: Prediction,
) -> WindowUsage:
    """Describe the tally of the window that began at start, with its prediction.

    A limit of 0 reads as 100 % used because it allows nothing.
    """
    if limit == UNLIMITED:
        percent = 0.0
    elif limit == 0:
        percent = 100.0
    else:
        percent = used * 100.0 / limit
    return WindowUsage(
        window=window,
        metric=metric,
        used=used,
        limit=limit,
        percent=percent,
        warning_level=warning_level(used, limit, thresholds),
        window_start=start,
        window_end=start + window.seconds,
        projected_use=prediction.projected_use,
        projected_exhaustion=prediction.exhaustion,
        prediction_points=prediction.points,
        prediction_confidence=prediction.confidence,
    )


def worst_level(usage: tuple[WindowUsage, ...]) -> WarningLevel:
    """The highest warning level of several limits; NORMAL for none."""
    return max((item.warning_level for item in usage), default=WarningLevel.NORMAL)
