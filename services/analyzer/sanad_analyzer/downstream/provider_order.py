"""Where the analyzer's provider order comes from, by one stated rule.

1. The view health pushes (``provider_view``), when it is live and can settle the order on its
   own: the routine case, no call.
2. Otherwise health is asked (``GetProviderOrder``): a provider needs one of its probe permits
   (HALF_OPEN, or an open period that has run out), or no live view exists. Not while health
   is marked away after a failed call.
3. Otherwise the last order health gave, by either way, for ``last_order_ttl`` seconds, with
   the providers whose open period has ended let back in.
4. Otherwise the configured order.

This replica's own recent failures are laid over the result by the gateway.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import grpc

from sanad.health.v1 import health_pb2, health_pb2_grpc
from sanad_analyzer.deadline import Deadline
from sanad_analyzer.downstream.provider_view import ProviderView
from sanad_analyzer.downstream.reachability import Reachability
from sanad_analyzer.downstream.timeouts import call_timeout
from sanad_analyzer.ports import ProviderOrder, SkippedProvider
from sanad_common.error_class import ErrorClass


class ProviderOrders:
    """The provider order by the rule above."""

    def __init__(
        self,
        channel: grpc.aio.Channel,
        view: ProviderView,
        reachability: Reachability,
        *,
        timeout: float,
        deadline_share: float,
        configured_order: Sequence[str],
        last_order_ttl: float,
    ) -> None:
        self._stub = health_pb2_grpc.ProviderHealthServiceStub(channel)
        self._view = view
        self._reachability = reachability
        self._timeout = timeout
        self._share = deadline_share
        self._configured = ProviderOrder(available=tuple(configured_order))
        self._last_order_ttl = last_order_ttl
        self._last = self._configured
        self._last_at = float("-inf")

    async def current(self, deadline: Deadline | None) -> ProviderOrder:
        """The order to try now."""
        now = time.time()
        order = self._view.provider_order(now)
        if order is None:
            order = await self._ask(deadline, now) if self._reachability.asking else None
            if order is None:
                return self._fallback(now)
        self._last, self._last_at = order, now
        return order

    def followed(self) -> ProviderOrder:
        """The order this replica follows now, read without asking health (so no probe permit
        is taken): the live view's, else the last order health gave, else the configured."""
        now = time.time()
        order = self._view.provider_order(now)
        return order if order is not None else self._fallback(now)

    async def _ask(self, deadline: Deadline | None, now: float) -> ProviderOrder | None:
        """Health's answer (it hands out probe permits); None when it cannot answer."""
        try:
            response = await self._stub.GetProviderOrder(
                health_pb2.GetProviderOrderRequest(),
                timeout=call_timeout(self._timeout, deadline, self._share),
            )
        except grpc.aio.AioRpcError as error:
            self._reachability.failed(
                "health service unavailable, using a fallback provider order", error
            )
            return None
        return ProviderOrder(
            available=tuple(candidate.provider for candidate in response.providers),
            skipped=tuple(
                SkippedProvider(
                    name=candidate.provider,
                    reason=ErrorClass.from_proto(candidate.open_reason) or ErrorClass.UNKNOWN,
                    open_until=candidate.open_until.ToNanoseconds() / 1e9
                    if candidate.HasField("open_until")
                    else None,
                )
                for candidate in response.unavailable
            ),
            latency_p95={
                candidate.provider: candidate.latency_p95.ToNanoseconds() / 1e9
                for candidate in response.providers
                if candidate.HasField("latency_p95")
            },
        )

    def _fallback(self, now: float) -> ProviderOrder:
        """The last order health gave while it is recent enough, else the configured one."""
        if now - self._last_at > self._last_order_ttl:
            return self._configured
        reopened = {
            skipped.name
            for skipped in self._last.skipped
            if skipped.open_until is not None and skipped.open_until <= now
        }
        return ProviderOrder(
            available=tuple(
                name
                for name in self._configured.available
                if name in self._last.available or name in reopened
            ),
            skipped=tuple(
                skipped for skipped in self._last.skipped if skipped.name not in reopened
            ),
        )
