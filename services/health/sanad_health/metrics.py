"""Provider health metrics, through OpenTelemetry so the process's exporter publishes them.

Gauges are observed from the last statuses this process computed, because an observation
callback cannot await the store; every RPC and a periodic refresh keep them current.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from threading import Lock

from opentelemetry import metrics
from opentelemetry.metrics import CallbackOptions, Observation

from sanad_common.error_class import ErrorClass
from sanad_common.telemetry import LATENCY_BUCKETS_SECONDS
from sanad_health.circuit import CircuitState, Transition
from sanad_health.status import ProviderStatus


class HealthMetrics:
    """Success rate and circuit state per provider; blacklist transitions; attempt latency."""

    def __init__(self, meter: metrics.Meter) -> None:
        self._lock = Lock()
        self._last: dict[str, ProviderStatus] = {}
        meter.create_observable_gauge(
            "sanad_provider_success_rate",
            callbacks=[self._observe_success_rate],
            description="Successful attempts over all recorded attempts (1 when none)",
        )
        meter.create_observable_gauge(
            "sanad_provider_circuit_state",
            callbacks=[self._observe_circuit_state],
            description="1 for the provider's current circuit state, 0 for the others",
        )
        self._transitions = meter.create_counter(
            "sanad_provider_blacklist_transitions",
            description="Circuit transitions: blacklisted, half-opened (first probe), recovered, "
            "reset by an operator",
        )
        self._latency = meter.create_histogram(
            "sanad_provider_attempt_latency_seconds",
            unit="s",
            explicit_bucket_boundaries_advisory=LATENCY_BUCKETS_SECONDS,
            description="Latency of provider attempts as reported to health",
        )

    def observe(self, statuses: Sequence[ProviderStatus]) -> None:
        """Remember the latest statuses for the gauges."""
        with self._lock:
            for status in statuses:
                self._last[status.provider] = status

    def count_transition(
        self, provider: str, transition: Transition, reason: ErrorClass | None
    ) -> None:
        """Count one circuit transition."""
        self._transitions.add(
            1,
            {
                "provider": provider,
                "transition": transition.value,
                "reason": reason.value if reason else "",
            },
        )

    def record_latency(self, provider: str, seconds: float, *, success: bool) -> None:
        """Record one attempt's latency."""
        self._latency.record(
            seconds, {"provider": provider, "outcome": "success" if success else "failure"}
        )

    def _snapshot(self) -> list[ProviderStatus]:
        with self._lock:
            return list(self._last.values())

    def _observe_success_rate(self, _options: CallbackOptions) -> Iterable[Observation]:
        return [
            Observation(status.success_rate, {"provider": status.provider})
            for status in self._snapshot()
        ]

    def _observe_circuit_state(self, _options: CallbackOptions) -> Iterable[Observation]:
        return [
            Observation(
                1 if status.circuit_state is state else 0,
                {"provider": status.provider, "state": state.value},
            )
            for status in self._snapshot()
            for state in CircuitState
        ]


health_metrics = HealthMetrics(metrics.get_meter("sanad.health"))
"""The process's instruments: created once, as OpenTelemetry expects one instrument per name."""
