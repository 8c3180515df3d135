"""Windows, warning levels and projections, as pure arithmetic."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from sanad_common.windows import TimeWindow
from sanad_quota.prediction import fit_trend, predict
from sanad_quota.usage import Metric, Thresholds, WarningLevel, Window, measure, warning_level

THRESHOLDS = Thresholds(warning=0.75, critical=0.90)
# 2026-03-14 15:15:00 UTC: a quarter into an hour, 15.25 hours into a day.
NOW = datetime(2026, 3, 14, 15, 15, tzinfo=UTC).timestamp()
HOUR_START = datetime(2026, 3, 14, 15, tzinfo=UTC).timestamp()
DAY_START = datetime(2026, 3, 14, tzinfo=UTC).timestamp()


def test_windows_are_utc_hours_and_days() -> None:
    assert Window.HOUR.bounds(NOW) == (HOUR_START, HOUR_START + 3600)
    assert Window.DAY.bounds(NOW) == (DAY_START, DAY_START + 86_400)


@pytest.mark.parametrize(
    ("used", "limit", "level"),
    [
        (0, 100, WarningLevel.NORMAL),
        (74, 100, WarningLevel.NORMAL),
        (75, 100, WarningLevel.WARNING),
        (89, 100, WarningLevel.WARNING),
        (90, 100, WarningLevel.CRITICAL),
        (99, 100, WarningLevel.CRITICAL),
        (100, 100, WarningLevel.EXHAUSTED),
        (130, 100, WarningLevel.EXHAUSTED),
        (0, 0, WarningLevel.EXHAUSTED),
        (10**9, -1, WarningLevel.NORMAL),
    ],
)
def test_warning_level(used: int, limit: int, level: WarningLevel) -> None:
    assert warning_level(used, limit, THRESHOLDS) is level


def test_percent_and_levels_of_unlimited_and_closed_windows() -> None:
    flat = predict(
        TimeWindow(int(DAY_START), 86_400), 3600, fit_trend([]), used=5, limit=-1, now=NOW
    )
    unlimited = measure(
        Window.DAY,
        Metric.TOKENS,
        start=DAY_START,
        used=5,
        limit=-1,
        thresholds=THRESHOLDS,
        prediction=flat,
    )
    closed = measure(
        Window.DAY,
        Metric.TOKENS,
        start=DAY_START,
        used=0,
        limit=0,
        thresholds=THRESHOLDS,
        prediction=flat,
    )

    assert (unlimited.percent, unlimited.projected_exhaustion) == (0.0, None)
    assert (closed.percent, closed.warning_level) == (100.0, WarningLevel.EXHAUSTED)
    assert (unlimited.window_start, unlimited.window_end) == (DAY_START, DAY_START + 86_400)


def test_minute_windows_and_their_trend_sub_windows() -> None:
    assert Window.MINUTE.bounds(NOW) == (NOW, NOW + 60)
    assert (Window.MINUTE.bucket, Window.HOUR.bucket, Window.DAY.bucket) == (
        Window.MINUTE,
        Window.MINUTE,
        Window.HOUR,
    )
