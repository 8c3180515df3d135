"""Windows, warning levels and projections, as pure arithmetic."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

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


def test_projection_at_the_rate_so_far() -> None:
    usage = measure(
        Window.HOUR,
        Metric.REQUESTS,
        start=HOUR_START,
        used=10,
        limit=20,
        now=NOW,
        thresholds=THRESHOLDS,
    )

    assert usage.percent == 50.0
    assert usage.projected_use == 40
    assert usage.projected_exhaustion == HOUR_START + 1800
    assert (usage.window_start, usage.window_end) == (HOUR_START, HOUR_START + 3600)


def test_no_exhaustion_when_the_rate_does_not_reach_the_limit_in_the_window() -> None:
    usage = measure(
        Window.HOUR,
        Metric.TOKENS,
        start=HOUR_START,
        used=10,
        limit=50,
        now=NOW,
        thresholds=THRESHOLDS,
    )

    assert usage.projected_use == 40
    assert usage.projected_exhaustion is None


def test_exhausted_now_and_unlimited_never() -> None:
    reached = measure(
        Window.DAY, Metric.TOKENS, start=DAY_START, used=5, limit=5, now=NOW, thresholds=THRESHOLDS
    )
    unlimited = measure(
        Window.DAY, Metric.TOKENS, start=DAY_START, used=5, limit=-1, now=NOW, thresholds=THRESHOLDS
    )
    closed = measure(
        Window.DAY, Metric.TOKENS, start=DAY_START, used=0, limit=0, now=NOW, thresholds=THRESHOLDS
    )

    assert reached.projected_exhaustion == NOW
    assert (unlimited.percent, unlimited.projected_exhaustion) == (0.0, None)
    assert (closed.percent, closed.warning_level) == (100.0, WarningLevel.EXHAUSTED)


def test_an_ended_window_projects_what_it_used() -> None:
    later = HOUR_START + 3 * 3600
    usage = measure(
        Window.HOUR,
        Metric.TOKENS,
        start=HOUR_START,
        used=30,
        limit=30,
        now=later,
        thresholds=THRESHOLDS,
    )

    assert (usage.window_start, usage.window_end) == (HOUR_START, HOUR_START + 3600)
    assert usage.projected_use == 30
    assert usage.projected_exhaustion == HOUR_START + 3600
