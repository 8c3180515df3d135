"""Outcomes per provider in expiring time buckets: success rate, failures by class and latency
percentiles over the circuit's window.

Each bucket is a set of store counters (successes, failures per class, a latency histogram)
that expire one window after their bucket ends, so nothing is ever cleaned up by hand and every
replica adds to the same counts.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from typing import Final

from sanad_common.error_class import ErrorClass
from sanad_common.storage import CounterDelta
from sanad_common.windows import TimeWindow
from sanad_health.circuit import BREAKER_CLASSES, BreakerPolicy, WindowCounts

LATENCY_BOUNDS: Final = (
    0.025,
    0.05,
    0.1,
    0.2,
    0.35,
    0.5,
    0.75,
    1.0,
    1.5,
    2.0,
    3.0,
    5.0,
    7.5,
    10.0,
    15.0,
    30.0,
    60.0,
)
"""Upper bounds (seconds) of the latency histogram's buckets; one more bucket holds the rest."""

_CLASSES: Final = tuple(ErrorClass)


def _bucket_prefix(provider: str, bucket: TimeWindow) -> str:
    return f"health:{{{provider}}}:w:{bucket.key}"


def _bucket_keys(provider: str, bucket: TimeWindow) -> list[str]:
    """Successes, failures of each class in ErrorClass order, then each latency bucket."""
    prefix = _bucket_prefix(provider, bucket)
    return [
        f"{prefix}:ok",
        *(f"{prefix}:fail:{error_class.value}" for error_class in _CLASSES),
        *(f"{prefix}:lat:{index}" for index in range(len(LATENCY_BOUNDS) + 1)),
    ]


_WIDTH: Final = 1 + len(_CLASSES) + len(LATENCY_BOUNDS) + 1


def outcome_deltas(
    provider: str,
    now: float,
    policy: BreakerPolicy,
    error_class: ErrorClass | None,
    latency: float | None,
) -> list[CounterDelta]:
    """The counter increments that record one outcome in its bucket."""
    bucket = TimeWindow.containing(now, policy.bucket_seconds)
    expires_at = float(bucket.end + policy.window_seconds)
    prefix = _bucket_prefix(provider, bucket)
    name = "ok" if error_class is None else f"fail:{error_class.value}"
    deltas = [CounterDelta(f"{prefix}:{name}", 1, expires_at=expires_at)]
    if latency is not None:
        index = bisect.bisect_left(LATENCY_BOUNDS, latency)
        deltas.append(CounterDelta(f"{prefix}:lat:{index}", 1, expires_at=expires_at))
    return deltas


def window_keys(provider: str, now: float, policy: BreakerPolicy) -> list[str]:
    """Every counter of the window at time now, in the order ``window_stats`` reads them."""
    return [key for bucket in policy.buckets(now) for key in _bucket_keys(provider, bucket)]


@dataclass(frozen=True)
class WindowStats:
    """One provider's outcomes over the window."""

    seconds: int
    """Length of the window."""
    successes: int
    failures_by_class: tuple[tuple[ErrorClass, int], ...]
    """Failure counts of the classes seen, in ErrorClass order."""
    latency_p50: float | None
    """Median latency of the attempts that reported one; None without any."""
    latency_p95: float | None
    """95th percentile latency; None without any attempt."""

    @property
    def failures(self) -> int:
        """Failures of every class."""
        return sum(count for _, count in self.failures_by_class)

    @property
    def calls(self) -> int:
        """Every attempt in the window."""
        return self.successes + self.failures

    @property
    def success_rate(self) -> float:
        """Share of attempts that succeeded; 1 when there were none."""
        return self.successes / self.calls if self.calls else 1.0

    def breaker_counts(
        self, consecutive_failures: int = 0, probe_successes: int = 0
    ) -> WindowCounts:
        """What the circuit rules read: refusals (rate limit, quota, key) are left out."""
        breaker_failures = sum(
            count for error_class, count in self.failures_by_class if error_class in BREAKER_CLASSES
        )
        return WindowCounts(
            calls=self.successes + breaker_failures,
            failures=breaker_failures,
            consecutive_failures=consecutive_failures,
            probe_successes=probe_successes,
        )


def window_stats(counts: list[int], policy: BreakerPolicy) -> WindowStats:
    """Sum the buckets' counters (read in ``window_keys`` order) into the window's stats."""
    successes = 0
    failures = [0] * len(_CLASSES)
    histogram = [0] * (len(LATENCY_BOUNDS) + 1)
    for start in range(0, len(counts), _WIDTH):
        group = counts[start : start + _WIDTH]
        successes += group[0]
        for index in range(len(_CLASSES)):
            failures[index] += group[1 + index]
        for index in range(len(histogram)):
            histogram[index] += group[1 + len(_CLASSES) + index]
    return WindowStats(
        seconds=policy.window_seconds,
        successes=successes,
        failures_by_class=tuple(
            (error_class, count)
            for error_class, count in zip(_CLASSES, failures, strict=True)
            if count
        ),
        latency_p50=percentile(histogram, 0.50),
        latency_p95=percentile(histogram, 0.95),
    )


def percentile(histogram: list[int], quantile: float) -> float | None:
    """The quantile of a latency histogram over LATENCY_BOUNDS, interpolated in its bucket
    (the overflow bucket answers its lower bound); None for an empty histogram."""
    total = sum(histogram)
    if not total:
        return None
    target = quantile * total
    seen = 0
    for index, count in enumerate(histogram):
        if count and seen + count >= target:
            lower = LATENCY_BOUNDS[index - 1] if index else 0.0
            if index == len(LATENCY_BOUNDS):
                return lower
            share = (target - seen) / count
            return lower + (LATENCY_BOUNDS[index] - lower) * share
        seen += count
    return LATENCY_BOUNDS[-1]
