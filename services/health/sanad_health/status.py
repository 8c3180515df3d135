"""What health tells callers about a provider, assembled from its record and counters."""

from __future__ import annotations

from dataclasses import dataclass

from sanad_common.error_class import ErrorClass
from sanad_health.circuit import CircuitState
from sanad_health.window import WindowStats


@dataclass(frozen=True)
class ProviderStatus:
    """One provider's health at one instant; equal statuses mean nothing changed."""

    provider: str
    primary: bool
    circuit_state: CircuitState
    open_until: float | None
    """When the open period ends (past when HALF_OPEN); None when closed or until reset."""
    open_reason: ErrorClass | None
    """Why the circuit opened, while OPEN or HALF_OPEN."""
    success_count: int
    failure_count: int
    failures_by_class: tuple[tuple[ErrorClass, int], ...]
    """Failure counts of the classes seen, in ErrorClass order."""
    last_error_class: ErrorClass | None
    last_failure_time: float | None
    times_blacklisted: int
    window: WindowStats
    """Outcomes over the circuit's window."""
    consecutive_failures: int
    """Breaker failures since the last success."""
    ejection_streak: int
    """Ejections in a row without a lasting recovery."""
    probes_admitted: int
    """Probes let through in the current HALF_OPEN period."""
    probe_limit: int
    """Probes a HALF_OPEN period lets through."""

    @property
    def available(self) -> bool:
        """True if the provider may be called now: CLOSED, or HALF_OPEN with a probe left."""
        if self.circuit_state is CircuitState.HALF_OPEN:
            return self.probes_admitted < self.probe_limit
        return self.circuit_state is CircuitState.CLOSED

    @property
    def success_rate(self) -> float:
        """Share of recorded attempts that succeeded; 1 when none are recorded."""
        attempts = self.success_count + self.failure_count
        return self.success_count / attempts if attempts else 1.0


@dataclass(frozen=True)
class ProviderOrder:
    """Providers to try now, best first, and those left out because their circuit is open."""

    available: tuple[ProviderStatus, ...]
    unavailable: tuple[ProviderStatus, ...]


@dataclass(frozen=True)
class ReportedOutcome:
    """One attempt's outcome as a caller reported it."""

    provider: str
    error_class: ErrorClass | None
    """None for a success."""
    latency: float | None = None
    retry_after: float | None = None
    """For RATE_LIMITED: the provider's Retry-After, used as the cool-down."""


@dataclass(frozen=True)
class CircuitView:
    """Where a provider's circuit stands, without its counts (cheap to read)."""

    provider: str
    circuit_state: CircuitState
    open_until: float | None
    open_reason: ErrorClass | None


@dataclass(frozen=True)
class ProviderSnapshot:
    """What a watcher is sent: the preference order and every provider's status."""

    order: tuple[str, ...]
    statuses: tuple[ProviderStatus, ...]
