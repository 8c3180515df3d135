"""The analyzer's client of the health service (``HealthPort``), off the request path wherever
it can be.

* The provider order comes by one rule (``provider_order``): the view health pushes, health
  asked only when the view cannot settle it, then the last order health gave, then the
  configured one.
* Over that order lies what this replica saw itself (``LocalOutcomes``): a provider that just
  crashed here is kept out by the very next request, until health has the report and says
  for how long it keeps it out, and for a while when health cannot be told at all.
* Outcomes go to health in batches from a queue (``health_reports``); the request waits only
  for one that may move a circuit.
"""

from __future__ import annotations

from collections.abc import Sequence

import grpc

from sanad_analyzer.deadline import Deadline
from sanad_analyzer.downstream.health_fallback import LocalBan, LocalObservation, LocalOutcomes
from sanad_analyzer.downstream.health_reports import OutcomeReports
from sanad_analyzer.downstream.provider_order import ProviderOrders
from sanad_analyzer.downstream.provider_view import LastView, ProviderView
from sanad_analyzer.downstream.reachability import Reachability
from sanad_analyzer.ports import AttemptOutcome, ProviderOrder, SkippedProvider

LAST_ORDER_TTL_SECONDS = 60.0
"""How long the last order from health is trusted while health cannot be reached."""
HEALTH_RETRY_SECONDS = 0.5
"""After health failed to answer, how long requests use the fallback without asking it; the
queue of reports is retried at this pace meanwhile."""
LOCAL_OUTCOME_TTL_SECONDS = 30.0
"""How long a provider seen failing here is kept out while health cannot be told."""
REPORT_QUEUE_CAPACITY = 1000
"""Outcome reports kept for health while it is away."""
REPORT_BATCH = 256
"""Most reports in one ReportOutcomes call (health takes up to 1000)."""


class HealthGateway:
    """Provider order and outcome reports through the health service."""

    def __init__(
        self,
        channel: grpc.aio.Channel,
        timeout: float,
        configured_order: Sequence[str],
        last_order_ttl: float = LAST_ORDER_TTL_SECONDS,
        *,
        deadline_share: float = 1.0,
        queue_capacity: int = REPORT_QUEUE_CAPACITY,
        local_outcome_ttl: float = LOCAL_OUTCOME_TTL_SECONDS,
        retry_after: float = HEALTH_RETRY_SECONDS,
        batch_size: int = REPORT_BATCH,
        view: ProviderView | None = None,
    ) -> None:
        self._view = ProviderView(channel) if view is None else view
        reachability = Reachability(retry_after)
        self._local = LocalOutcomes(local_outcome_ttl)
        self._orders = ProviderOrders(
            channel,
            self._view,
            reachability,
            timeout=timeout,
            deadline_share=deadline_share,
            configured_order=configured_order,
            last_order_ttl=last_order_ttl,
        )
        self._reports = OutcomeReports(
            channel,
            self._view,
            reachability,
            self._local,
            timeout=timeout,
            deadline_share=deadline_share,
            queue_capacity=queue_capacity,
            batch_size=batch_size,
        )

    def start(self) -> None:
        """Start following health's view (the first request would, too)."""
        self._view.start()

    async def provider_order(self, deadline: Deadline | None) -> ProviderOrder:
        """Providers to try now, best first, less those this process just saw fail."""
        self._view.start()
        return self._without_local_failures(await self._orders.current(deadline))

    async def report(self, outcome: AttemptOutcome, deadline: Deadline | None) -> None:
        """Take one attempt's outcome: it counts here at once and goes to health in a batch."""
        await self._reports.send(outcome, deadline)

    def local_bans(self) -> dict[str, LocalBan]:
        """Providers this replica keeps out on its own right now (the roll-up shows them)."""
        self._local.hand_to_view(self._view.kept_out_after)
        return self._local.banned()

    def local_outcomes(self) -> dict[str, LocalObservation]:
        """Each provider's latest outcome in this replica, if recent (the roll-up merges
        them with health's view)."""
        return self._local.recent()

    def last_view(self) -> LastView | None:
        """The last provider statuses health pushed, kept after the stream is lost."""
        return self._view.last

    def followed_order(self) -> tuple[str, ...]:
        """The providers this replica would try now, best first (the roll-up shows it)."""
        return self._without_local_failures(self._orders.followed()).available

    async def aclose(self) -> None:
        """Stop following health; reports still queued get one last, short try."""
        await self._view.aclose()
        await self._reports.aclose()

    def _without_local_failures(self, order: ProviderOrder) -> ProviderOrder:
        """The order less the providers this process saw fail and health may not know of."""
        banned = self.local_bans()
        if not banned:
            return order
        return ProviderOrder(
            available=tuple(name for name in order.available if name not in banned),
            skipped=(
                *order.skipped,
                *(
                    SkippedProvider(name, ban.reason, ban.until)
                    for name, ban in banned.items()
                    if name in order.available
                ),
            ),
            latency_p95=order.latency_p95,
        )
