"""The outcome window: which bucket an outcome lands in, how buckets add up, and percentiles."""

from __future__ import annotations

import pytest

from sanad_common.error_class import ErrorClass
from sanad_health.circuit import BreakerPolicy
from sanad_health.window import (
    LATENCY_BOUNDS,
    outcome_deltas,
    percentile,
    window_keys,
    window_stats,
)
from tests.health.conftest import health_settings

POLICY = BreakerPolicy.from_settings(health_settings())
NOW = 1_800_000_003.0


def test_an_outcome_lands_in_the_newest_bucket_and_expires_a_window_after_it() -> None:
    deltas = outcome_deltas("openai", NOW, POLICY, ErrorClass.TIMEOUT, latency=0.3)
    keys = window_keys("openai", NOW, POLICY)
    bucket_end = (NOW // POLICY.bucket_seconds + 1) * POLICY.bucket_seconds

    assert all(delta.key in keys[: len(keys) // POLICY.window_buckets] for delta in deltas)
    assert {delta.expires_at for delta in deltas} == {bucket_end + POLICY.window_seconds}
    assert all(key.startswith("health:{openai}:") for key in keys)


def test_an_outcome_leaves_the_window_after_its_length() -> None:
    (delta,) = outcome_deltas("openai", NOW, POLICY, None, latency=None)
    later = NOW + POLICY.window_seconds

    assert delta.key in window_keys("openai", NOW + POLICY.window_seconds - 6.5, POLICY)
    assert delta.key not in window_keys("openai", later, POLICY)


def test_buckets_add_up_to_the_window() -> None:
    keys = window_keys("gemini", NOW, POLICY)
    counts = dict.fromkeys(keys, 0)
    for offset, error_class, latency in [
        (0, None, 0.1),
        (-6, None, 0.1),
        (-12, ErrorClass.RATE_LIMITED, 0.05),
        (-18, ErrorClass.TIMEOUT, 9.0),
    ]:
        for delta in outcome_deltas("gemini", NOW + offset, POLICY, error_class, latency):
            counts[delta.key] += 1

    stats = window_stats([counts[key] for key in keys], POLICY)

    assert (stats.calls, stats.successes, stats.success_rate) == (4, 2, 0.5)
    assert stats.failures_by_class == ((ErrorClass.RATE_LIMITED, 1), (ErrorClass.TIMEOUT, 1))
    breaker = stats.breaker_counts()
    assert (breaker.calls, breaker.failures) == (3, 1)
    assert stats.latency_p50 is not None
    assert stats.latency_p95 is not None
    assert 0.05 <= stats.latency_p50 <= 0.1
    assert 7.5 <= stats.latency_p95 <= 10.0


def test_percentiles_interpolate_within_a_bucket() -> None:
    histogram = [0] * (len(LATENCY_BOUNDS) + 1)
    histogram[LATENCY_BOUNDS.index(1.0)] = 10
    overflow = [0] * len(LATENCY_BOUNDS) + [3]

    assert percentile([0] * len(histogram), 0.5) is None
    assert percentile(histogram, 0.5) == pytest.approx(0.875)
    assert percentile(overflow, 0.95) == LATENCY_BOUNDS[-1]
