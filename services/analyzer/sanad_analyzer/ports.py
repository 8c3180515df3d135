"""The request path's view of the quota and health services, and the values it trades with them.

Small enough to fake in tests, and concrete-free: this module imports only the deadline and
the shared error classes. ``downstream.QuotaGateway`` and ``downstream.HealthGateway`` are the
real implementations.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from sanad_analyzer.deadline import Deadline
from sanad_common.error_class import ErrorClass


@dataclass(frozen=True)
class Reservation:
    """Room granted for one provider call, to commit or release once the call has ended."""

    id: str
    """The reservation's id at whoever granted it."""
    local: bool = False
    """True when this replica's safe budget granted it (quota could not be asked): it is
    settled in the local journal, never at the quota service."""


@dataclass(frozen=True)
class TenantOverQuota:
    """The tenant's own limit refused the call: no provider may be asked for this tenant
    until its window ends."""

    tenant: str
    """The tenant."""
    violations: tuple[tuple[str, str], ...]
    """Each limit it would go over, as google.rpc.QuotaFailure names it: (subject,
    description), for example ("tenants/shop-a/windows/hour/metrics/requests", "...")."""
    retry_after: float | None
    """Seconds until the refusing windows have ended, when known."""


@dataclass(frozen=True)
class QuotaDecision:
    """The answer to a reservation: room for the call, or why not."""

    reservation: Reservation | None = None
    """The granted reservation; None when refused."""
    reason: str = ""
    """Why not, when refused."""
    retry_after: float | None = None
    """Seconds until the refusing window resets, when known."""
    local: bool = False
    """True when quota did not answer in time and the safe budget decided; quota may still
    have granted the Reserve, so the attempt withdraws it."""
    tenant_over: TenantOverQuota | None = None
    """When the tenant's own limit refused, not the provider's."""

    @property
    def allowed(self) -> bool:
        """True if the attempt may go ahead."""
        return self.reservation is not None


@dataclass(frozen=True)
class SkippedProvider:
    """A provider kept out right now."""

    name: str
    """Provider name."""
    reason: ErrorClass
    """The failure class that keeps it out."""
    open_until: float | None
    """Unix time at which it may be tried again; None while it waits for an operator."""

    def retry_after(self, now: float) -> float | None:
        """Seconds until it may be tried again, if known."""
        return None if self.open_until is None else max(self.open_until - now, 0.0)


@dataclass(frozen=True)
class ProviderOrder:
    """Providers to try, best first, and those kept out."""

    available: tuple[str, ...]
    """Providers to try, in order."""
    skipped: tuple[SkippedProvider, ...] = ()
    """Providers kept out (an open circuit, or a failure this replica just saw)."""
    latency_p95: Mapping[str, float] = field(default_factory=dict)
    """Recent 95th percentile latency of the providers health has one for, in seconds."""


@dataclass(frozen=True)
class AttemptOutcome:
    """One attempt's result, as health is told: success, or the class of its failure."""

    provider: str
    """Provider name."""
    latency: float
    """Seconds from the call to its answer or failure."""
    error_class: ErrorClass | None = None
    """The failure's class; None for a success."""
    retry_after: float | None = None
    """Seconds the provider asked us to wait, when it said."""

    @property
    def success(self) -> bool:
        """True if the provider gave a valid answer."""
        return self.error_class is None


class QuotaPort(Protocol):
    """Reserve provider quota before a call, then commit what it used or release it."""

    async def reserve(
        self,
        provider: str,
        tokens: int,
        request_id: str,
        deadline: Deadline | None,
        tenant: str = "",
        *,
        idempotency_key: str = "",
    ) -> QuotaDecision:
        """Room for one call of ``tokens`` estimated tokens made for tenant, or why not,
        within a slice of the caller's deadline. The key names this attempt's reservation,
        so that it can be withdrawn without its id."""
        ...

    async def withdraw(self, provider: str, idempotency_key: str, tenant: str = "") -> None:
        """Give back the reservation an attempt asked for under idempotency_key but never
        learned (its Reserve timed out or was cancelled), or keep it from being made."""
        ...

    async def commit(self, reservation: Reservation, tokens: int) -> None:
        """Settle a reservation with the tokens really used."""
        ...

    async def release(self, reservation: Reservation) -> None:
        """Give a reservation back: the provider did not bill the call."""
        ...


class HealthPort(Protocol):
    """Which providers to try, and what each attempt did."""

    async def provider_order(self, deadline: Deadline | None) -> ProviderOrder:
        """Providers to try now, best first, and those kept out."""
        ...

    async def report(self, outcome: AttemptOutcome, deadline: Deadline | None) -> None:
        """Tell health what one attempt did, and keep a provider that just crashed out of this
        process's next order. A routine success goes off the request path; an outcome that
        may move a circuit is waited for within a slice of the deadline."""
        ...
