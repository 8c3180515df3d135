"""The request path's view of the quota and health services: small enough to fake in tests.

``downstream.QuotaGateway`` and ``health_gateway.HealthGateway`` are the real implementations.
"""

from __future__ import annotations

from typing import Protocol

from sanad_analyzer.downstream import ProviderOrder, QuotaDecision
from sanad_analyzer.outcome import AttemptOutcome


class QuotaPort(Protocol):
    """Reserve provider quota before a call, then commit what it used or release it."""

    async def reserve(
        self, provider: str, tokens: int, request_id: str, remaining: float | None
    ) -> QuotaDecision:
        """Room for one call of ``tokens`` estimated tokens, or why not."""
        ...

    async def commit(self, reservation_id: str, tokens: int) -> None:
        """Settle a reservation with the tokens really used."""
        ...

    async def release(self, reservation_id: str) -> None:
        """Give a reservation back: the provider did not bill the call."""
        ...


class HealthPort(Protocol):
    """Which providers to try, and what each attempt did."""

    async def provider_order(self, remaining: float | None) -> ProviderOrder:
        """Providers to try now, best first, and those kept out."""
        ...

    async def report(self, outcome: AttemptOutcome, remaining: float | None) -> None:
        """Tell health what one attempt did, and keep a provider that just crashed out of this
        process's next order. A routine success goes off the request path; an outcome that
        may move a circuit is waited for within a slice of ``remaining``."""
        ...
