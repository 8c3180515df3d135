"""Where a window's use is heading: projected use at its end and when its limit will be reached.

The estimator looks at the last few completed sub-windows (minutes for the hour, hours for the
day) and fits a line through their counts with the Theil-Sen method: the slope is the median of
the slopes between every pair of points, the level the median of what is left. A median ignores
a single burst (one outlier moves it by one rank, not by its size), yet a steady ramp moves
every pairwise slope alike and is followed. The fitted line is extended from now to the
window's end and added to what the window has used so far. Confidence is 1 when the points sit
on the line and falls as their median distance from it grows against the level.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations

from sanad_common.windows import TimeWindow


@dataclass(frozen=True)
class Trend:
    """A robust line through counts per sub-window: count(x) = level + slope * x, where x is
    the sub-window's offset from the one in progress (x = 0), the last completed being -1."""

    level: float
    slope: float
    points: int
    """Completed sub-windows behind the fit."""
    confidence: float
    """Between 0 and 1: how closely the points follow the line."""

    def count(self, offset: float) -> float:
        """Expected count of the sub-window at offset; never negative."""
        return max(0.0, self.level + self.slope * offset)


@dataclass(frozen=True)
class Prediction:
    """A window's projected use at its end and the projected time its limit is reached."""

    projected_use: int
    exhaustion: float | None
    """Unix time the limit is reached; None if unlimited or not within the window."""
    points: int
    confidence: float


def fit_trend(counts: Sequence[int]) -> Trend:
    """Theil-Sen fit of counts of consecutive completed sub-windows, oldest first."""
    points = len(counts)
    if points == 0:
        return Trend(level=0.0, slope=0.0, points=0, confidence=0.0)
    offsets = range(-points, 0)
    pairs = list(combinations(zip(offsets, counts, strict=True), 2))
    slope = statistics.median((y2 - y1) / (x2 - x1) for (x1, y1), (x2, y2) in pairs) if pairs else 0
    level = statistics.median(y - slope * x for x, y in zip(offsets, counts, strict=True))
    residual = statistics.median(
        abs(y - (level + slope * x)) for x, y in zip(offsets, counts, strict=True)
    )
    scale = max(statistics.median(abs(level + slope * x) for x in offsets), 1.0)
    confidence = max(0.0, 1.0 - residual / scale)
    return Trend(level=level, slope=slope, points=points, confidence=confidence)


def predict(
    window: TimeWindow, bucket: int, trend: Trend, *, used: int, limit: int, now: float
) -> Prediction:
    """Extend trend (per sub-window of bucket seconds) from now to the window's end.

    The sub-window in progress contributes its expected count for the part of it still ahead;
    each later one its whole expected count. A limit of -1 is unlimited. A window already at
    its limit was exhausted now; one that has ended projects what it used.
    """
    projected = float(used)
    exhaustion: float | None = None
    if used >= limit >= 0:
        exhaustion = min(now, float(window.end))
    end = window.end
    instant = min(max(now, float(window.start)), float(end))
    offset = 0
    # The sub-windows' ends as plain integers: this runs on every Reserve and Commit, up to
    # sixty steps for an hour, and a TimeWindow per step was most of its cost.
    current_end = TimeWindow.containing(instant, bucket).end
    while instant < end:
        segment_end = float(min(current_end, end))
        rate = trend.count(offset) / bucket
        ahead = rate * (segment_end - instant)
        if exhaustion is None and limit >= 0 and rate > 0 and projected + ahead >= limit:
            exhaustion = instant + (limit - projected) / rate
        projected += ahead
        instant = segment_end
        current_end += bucket
        offset += 1
    return Prediction(
        projected_use=round(projected),
        exhaustion=exhaustion,
        points=trend.points,
        confidence=trend.confidence,
    )
