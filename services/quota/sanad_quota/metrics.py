"""Quota metrics, through OpenTelemetry so the process's exporter (Prometheus) publishes them.

Gauges are observed from the last usage this process computed, because an observation callback
cannot await the store; every Reserve, Commit, GetUsage and the hourly statistics refresh them.

Tenants have metrics of their own (``sanad_quota_tenant_*``), labelled by tenant. The label is
bounded: only the first ``tenant_metric_labels`` tenants of the tenants file have their own
value; the others' reservations and warnings are counted under ``tenant="other"``, and they
have no usage gauge (a sum of several tenants' percentages would mean nothing).
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
        self._tenants_last: dict[tuple[str, str, str], WindowUsage] = {}
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
        self._withdrawn = meter.create_counter(
            "sanad_quota_reservations_withdrawn",
            description="Reservations withdrawn by an analyzer that gave up on its Reserve, by "
            "when the withdrawal came (after the reservation, or before it, as a tombstone)",
        )
        meter.create_observable_gauge(
            "sanad_quota_tenant_used",
            callbacks=[self._observe_tenant_used],
            description="Requests or tokens used for a tenant in the current window, over all "
            "providers, reservations included",
        )
        meter.create_observable_gauge(
            "sanad_quota_tenant_used_percent",
            callbacks=[self._observe_tenant_percent],
            unit="%",
            description="A tenant's use as a percentage of its own limit (0 when unlimited)",
        )
        self._tenant_reservations = meter.create_counter(
            "sanad_quota_tenant_reservations",
            description="Reservations asked for a tenant, by outcome (granted, or denied by "
            "the tenant's own limit)",
        )
        self._tenant_crossings = meter.create_counter(
            "sanad_quota_tenant_warnings",
            description="Warning levels a tenant's windows crossed, once per level and window",
        )

    def observe(self, provider: str, usage: Sequence[WindowUsage]) -> None:
        """Remember the latest usage of a provider's windows for the gauges."""
        with self._lock:
            for item in usage:
                self._last[(provider, item.window.value, item.metric.value)] = item

    def observe_tenant(self, tenant: str, usage: Sequence[WindowUsage]) -> None:
        """Remember the latest usage of a tenant's windows for the tenant gauges."""
        with self._lock:
            for item in usage:
                self._tenants_last[(tenant, item.window.value, item.metric.value)] = item

    def count_tenant_reservation(self, tenant: str, *, granted: bool) -> None:
        """Count one reservation asked for a tenant (its label: its id, or "other")."""
        self._tenant_reservations.add(
            1, {"tenant": tenant, "outcome": "granted" if granted else "denied"}
        )

    def count_tenant_crossing(
        self, tenant: str, window: str, metric: str, level: WarningLevel
    ) -> None:
        """Count one warning level crossed in a tenant's window."""
        self._tenant_crossings.add(
            1,
            {"tenant": tenant, "window": window, "metric": metric, "level": level.name.lower()},
        )

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

    def count_withdrawal(self, provider: str, *, before_reserve: bool) -> None:
        """Count one withdrawn reservation: released, or refused before it was made."""
        self._withdrawn.add(
            1,
            {"provider": provider, "when": "before_reserve" if before_reserve else "after_reserve"},
        )

    def _snapshot(self, *, tenants: bool = False) -> list[tuple[dict[str, str], WindowUsage]]:
        name, last = ("tenant", self._tenants_last) if tenants else ("provider", self._last)
        with self._lock:
            return [
                ({name: owner, "window": window, "metric": metric}, usage)
                for (owner, window, metric), usage in last.items()
            ]

    def _observe_used(self, _options: CallbackOptions) -> Iterable[Observation]:
        return [Observation(usage.used, labels) for labels, usage in self._snapshot()]

    def _observe_percent(self, _options: CallbackOptions) -> Iterable[Observation]:
        return [Observation(usage.percent, labels) for labels, usage in self._snapshot()]

    def _observe_tenant_used(self, _options: CallbackOptions) -> Iterable[Observation]:
        return [Observation(item.used, labels) for labels, item in self._snapshot(tenants=True)]

    def _observe_tenant_percent(self, _options: CallbackOptions) -> Iterable[Observation]:
        return [Observation(item.percent, labels) for labels, item in self._snapshot(tenants=True)]


quota_metrics = QuotaMetrics(metrics.get_meter("sanad.quota"))
"""The process's instruments: created once, as OpenTelemetry expects one instrument per name."""
