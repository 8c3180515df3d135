"""The prediction against synthetic usage curves: steady, a single burst, and a ramp."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sanad_common.windows import DAY, HOUR, MINUTE, TimeWindow
from sanad_quota.prediction import fit_trend, predict

HOUR_WINDOW = TimeWindow(int(datetime(2026, 3, 14, 15, tzinfo=UTC).timestamp()), HOUR)
NOW = HOUR_WINDOW.start + 20 * MINUTE
"""Twenty minutes into the hour, at a minute boundary."""


def test_a_steady_rate_projects_the_same_rate_to_the_end() -> None:
    trend = fit_trend([6] * 15)

    prediction = predict(HOUR_WINDOW, MINUTE, trend, used=120, limit=400, now=NOW)

    assert (trend.level, trend.slope, trend.confidence) == (6.0, 0.0, 1.0)
    assert prediction.projected_use == 120 + 40 * 6
    assert prediction.exhaustion is None
    assert prediction.points == 15


def test_a_steady_rate_reaches_the_limit_where_the_line_crosses_it() -> None:
    prediction = predict(HOUR_WINDOW, MINUTE, fit_trend([6] * 15), used=120, limit=300, now=NOW)

    assert prediction.exhaustion == pytest.approx(NOW + 30 * MINUTE)


def test_a_single_burst_does_not_move_the_projection() -> None:
    steady = fit_trend([6] * 15)
    burst = fit_trend([6] * 7 + [600] + [6] * 7)
    late_burst = fit_trend([6] * 14 + [600])

    for trend in (burst, late_burst):
        prediction = predict(HOUR_WINDOW, MINUTE, trend, used=714, limit=2000, now=NOW)
        assert prediction.projected_use == 714 + 40 * 6
        assert trend.level == pytest.approx(steady.level)
        assert trend.confidence > 0.9


def test_a_ramp_is_followed_to_the_end_of_the_window() -> None:
    counts = [2 * minute for minute in range(5, 20)]  # 2 more requests each minute
    trend = fit_trend(counts)

    prediction = predict(HOUR_WINDOW, MINUTE, trend, used=sum(range(0, 40, 2)), limit=-1, now=NOW)

    assert trend.slope == pytest.approx(2.0)
    assert trend.level == pytest.approx(40.0)
    expected_rest = sum(2 * minute for minute in range(20, 60))
    assert prediction.projected_use == sum(range(0, 40, 2)) + expected_rest
    assert trend.confidence == 1.0


def test_a_falling_ramp_never_projects_negative_use() -> None:
    trend = fit_trend([30 - 2 * index for index in range(15)])

    prediction = predict(HOUR_WINDOW, MINUTE, trend, used=300, limit=-1, now=NOW)

    assert trend.slope == pytest.approx(-2.0)
    assert trend.level == pytest.approx(0.0)
    assert prediction.projected_use == 300


def test_the_day_follows_the_hourly_trend() -> None:
    day = TimeWindow(HOUR_WINDOW.start - 15 * HOUR, DAY)
    now = day.start + 12 * HOUR + 30 * MINUTE
    trend = fit_trend([100 * hour for hour in range(12)])  # the hours of the day so far

    prediction = predict(day, HOUR, trend, used=sum(range(0, 1200, 100)) + 600, limit=-1, now=now)

    # The rest of hour 12 at its trend (1200 an hour), then hours 13 to 23 at theirs.
    rest = 1200 / 2 + sum(100 * hour for hour in range(13, 24))
    assert prediction.projected_use == round(sum(range(0, 1200, 100)) + 600 + rest)
    assert prediction.points == 12


def test_no_history_projects_what_is_used_with_no_confidence() -> None:
    prediction = predict(HOUR_WINDOW, MINUTE, fit_trend([]), used=50, limit=50, now=NOW)

    assert (prediction.projected_use, prediction.exhaustion) == (50, NOW)
    assert (prediction.points, prediction.confidence) == (0, 0.0)


def test_scattered_counts_lower_the_confidence() -> None:
    assert fit_trend([0, 12, 1, 11, 0, 13, 2, 10, 1, 12]).confidence < 0.5


@given(st.lists(st.integers(0, 1000), min_size=2, max_size=15), st.integers(0, 5000))
def test_projection_never_falls_below_what_is_used(counts: list[int], used: int) -> None:
    prediction = predict(HOUR_WINDOW, MINUTE, fit_trend(counts), used=used, limit=-1, now=NOW)

    assert prediction.projected_use >= used
    assert 0.0 <= prediction.confidence <= 1.0
