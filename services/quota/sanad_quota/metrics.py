"""Quota metrics, through OpenTelemetry so the process's exporter (Prometheus) publishes them.

Gauges are observed from the last usage this process computed, because an observation callback
cannot await the store; every Reserve, Commit, GetUsage and the hourly statistics refresh them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from threading import Lock

from opentelemetry import metrics
from opentelemetry.metrics import CallbackOptions, Observation

from sanad_quota.usage import WarningLevel, WindowUsage


class QuotaMetrics:
    """Quota used and percent per provider, window and metric; reservations granted and denied."""

    def __init__(self, meter: metrics.Meter) -> None:
        self._lock = Lock()
        self._last: dict[tuple[str, str, str], WindowUsage] = {}
        meter.create_observable_gauge(
            "sanad_quota_used",
            callbacks=[self._observe_used],
            description="Requests or tokens used in the current window, reservations included",
        )
        meter.create_observable_gauge(
            "sanad_quota_used_percent",
            callbacks=[self._observe_percent],
            unit="%",
            description="Use as a percentage of the window's limit (0 when unlimited)",
        )
        self._reservations = meter.create_counter(
            "sanad_quota_reservations",
            description="Reservations asked for, by outcome (granted or denied)",
        )
        self._crossings = meter.create_counter(
            "sanad_quota_warnings",
            description="Warning levels crossed, once per level and window (counted by the "
            "replica whose operation crossed it)",
        )
        self._expired = meter.create_counter(
            "sanad_quota_reservations_expired",
            description="Reservations given back by the sweep because nobody settled them",
        )

    def observe(self, provider: str, usage: Sequence[WindowUsage]) -> None:
        """Remember the latest usage of a provider's windows for the gauges."""
        with self._lock:
            for item in usage:
                self._last[(provider, item.window.value, item.metric.value)] = item

    def count_reservation(self, provider: str, *, granted: bool) -> None:
        """Count one Reserve call by its outcome."""
        self._reservations.add(
            1, {"provider": provider, "outcome": "granted" if granted else "denied"}
        )

    def count_crossing(self, provider: str, window: str, metric: str, level: WarningLevel) -> None:
        """Count one warning level crossed in a window."""
        self._crossings.add(
            1,
            {"provider": provider, "window": window, "metric": metric, "level": level.name.lower()},
        )

    def count_expired(self, provider: str, count: int) -> None:
        """Count reservations the sweep gave back."""
        self._expired.add(count, {"provider": provider})

    def _snapshot(self) -> list[tuple[dict[str, str], WindowUsage]]:
        with self._lock:
            return [
                ({"provider": provider, "window": window, "metric": metric}, usage)
                for (provider, window, metric), usage in self._last.items()
            ]

    def _observe_used(self, _options: CallbackOptions) -> Iterable[Observation]:
        return [Observation(usage.used, labels) for labels, usage in self._snapshot()]

    def _observe_percent(self, _options: CallbackOptions) -> Iterable[Observation]:
        return [Observation(usage.percent, labels) for labels, usage in self._snapshot()]


quota_metrics = QuotaMetrics(metrics.get_meter("sanad.quota"))
"""The process's instruments: created once, as OpenTelemetry expects one instrument per name."""
