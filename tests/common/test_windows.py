"""TimeWindow: UTC-aligned windows of any length, with keys unique across lengths."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sanad_common.windows import DAY, HOUR, MINUTE, TimeWindow

INSTANTS = st.floats(min_value=0, max_value=4e9, allow_nan=False)
LENGTHS = st.sampled_from([MINUTE, 300, HOUR, DAY])


def test_windows_are_utc_aligned() -> None:
    instant = datetime(2026, 3, 14, 15, 9, 26, 535_000, tzinfo=UTC).timestamp()

    day = TimeWindow.containing(instant, DAY)
    hour = TimeWindow.containing(instant, HOUR)
    minute = TimeWindow.containing(instant, MINUTE)

    assert datetime.fromtimestamp(day.start, UTC) == datetime(2026, 3, 14, tzinfo=UTC)
    assert datetime.fromtimestamp(hour.start, UTC) == datetime(2026, 3, 14, 15, tzinfo=UTC)
    assert datetime.fromtimestamp(minute.end, UTC) == datetime(2026, 3, 14, 15, 10, tzinfo=UTC)
    assert hour.elapsed(instant) == pytest.approx(566.535)
    assert hour.remaining(instant) == pytest.approx(3600 - 566.535)


@given(INSTANTS, LENGTHS)
def test_the_window_containing_an_instant_contains_it(instant: float, length: int) -> None:
    window = TimeWindow.containing(instant, length)

    assert window.contains(instant)
    assert not window.shifted(1).contains(instant)
    assert not window.shifted(-1).contains(instant)
    assert window.shifted(1).start == window.end


def test_keys_differ_between_lengths_that_share_a_start() -> None:
    assert TimeWindow(0, HOUR).key != TimeWindow(0, DAY).key
    assert TimeWindow(3600, HOUR).key == "3600@3600"


def test_a_window_splits_into_shorter_ones() -> None:
    hours = TimeWindow(DAY, DAY).split(HOUR)

    assert len(hours) == 24
    assert hours[0] == TimeWindow(DAY, HOUR)
    assert hours[-1].end == 2 * DAY
    with pytest.raises(ValueError, match="does not split"):
        TimeWindow(0, HOUR).split(7 * MINUTE + 1)


@pytest.mark.parametrize(("start", "length"), [(30, MINUTE), (0, 0), (0, -60)])
def test_an_unaligned_or_empty_window_is_refused(start: int, length: int) -> None:
    with pytest.raises(ValueError):
        TimeWindow(start, length)
