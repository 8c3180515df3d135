"""The analyzer's client of the health service, off the request path wherever it can be.

* The provider order comes from the view health pushes (``provider_view``); health is asked
  only when the view cannot settle it (a probe permit, or no live view).
* Outcome reports are queued and sent (``ReportOutcomes``) by a background task that belongs
  to no request's trace: at once while no send is under way, and what queued during one
  together in the next. A routine success is not waited for; an outcome that may move a
  circuit is, briefly.
* A provider this process just saw crash is kept out by the very next request
  (``LocalOutcomes``), until health has the report and says for how long it keeps it out.
* When health cannot be reached: the last order it gave for a while (providers let back in
  when their open period ends), then the configured order, less local failures; reports wait
  in the bounded queue and are delivered in order when it is back.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import itertools
import time
from collections.abc import Sequence

import grpc
import structlog

from sanad.health.v1 import health_pb2, health_pb2_grpc
from sanad_analyzer.deadline import Deadline
from sanad_analyzer.downstream.health_fallback import LocalOutcomes, ReportQueue
from sanad_analyzer.downstream.provider_view import ProviderView
from sanad_analyzer.downstream.timeouts import call_timeout
from sanad_analyzer.ports import AttemptOutcome, ProviderOrder, SkippedProvider
from sanad_common.error_class import ErrorClass
from sanad_common.proto_time import duration

log = structlog.get_logger(__name__)

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
        self._stub = health_pb2_grpc.ProviderHealthServiceStub(channel)
        self._view = ProviderView(channel) if view is None else view
        self._timeout = timeout
        self._last_order_ttl = last_order_ttl
        self._configured = ProviderOrder(available=tuple(configured_order))
        self._last_order = self._configured
        self._last_order_at = 0.0
        self._share = deadline_share
        self._retry_after = retry_after
        self._batch_size = batch_size
        self._down_until = 0.0
        self._local = LocalOutcomes(local_outcome_ttl)
        self._queue = ReportQueue(queue_capacity)
        self._sequence = itertools.count(1)
        self._pending = asyncio.Event()
        self._sender: asyncio.Task[None] | None = None
        self._sending: asyncio.Future[bool] | None = None
        self._delivered = 0
        self._delivery = asyncio.Condition()

    def _asking(self) -> bool:
        return time.monotonic() >= self._down_until

    def _went_away(self, what: str, error: grpc.aio.AioRpcError) -> None:
        if self._asking():
            log.warning(what, code=error.code().name)
        self._down_until = time.monotonic() + self._retry_after

    def start(self) -> None:
        """Start following health's view (the first request would, too)."""
        self._view.start()

    async def provider_order(self, deadline: Deadline | None) -> ProviderOrder:
        """Providers to try now, best first, less those this process just saw fail."""
        self._view.start()
        now = time.time()
        order = self._view.provider_order(now)
        if order is not None:
            self._last_order, self._last_order_at = order, now
        elif not self._asking():
            order = self._fallback(now)
        else:
            order = await self._ask(deadline, now)
        return self._without_local_failures(order)

    async def _ask(self, deadline: Deadline | None, now: float) -> ProviderOrder:
        """The order from a call to health (it hands out probe permits); a fallback when
        health cannot answer."""
        try:
            response = await self._stub.GetProviderOrder(
                health_pb2.GetProviderOrderRequest(),
                timeout=call_timeout(self._timeout, deadline, self._share),
            )
        except grpc.aio.AioRpcError as error:
            self._went_away("health service unavailable, using a fallback provider order", error)
            return self._fallback(now)
        self._last_order = ProviderOrder(
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
        self._last_order_at = now
        return self._last_order

    def _without_local_failures(self, order: ProviderOrder) -> ProviderOrder:
        """The order less the providers this process saw fail and health may not know of."""
        banned = self._local.banned()
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

    def _fallback(self, now: float) -> ProviderOrder:
        if now - self._last_order_at > self._last_order_ttl:
            return self._configured
        reopened = {
            skipped.name
            for skipped in self._last_order.skipped
            if skipped.open_until is not None and skipped.open_until <= now
        }
        return ProviderOrder(
            available=tuple(
                name
                for name in self._configured.available
                if name in self._last_order.available or name in reopened
            ),
            skipped=tuple(
                skipped for skipped in self._last_order.skipped if skipped.name not in reopened
            ),
        )

    async def report(self, outcome: AttemptOutcome, deadline: Deadline | None) -> None:
        """Take one attempt's outcome: it counts here at once and goes to health in a batch.

        A routine outcome (a success of a provider the view has CLOSED) returns at once. One
        that may move a circuit (a failure, or a success of a provider that is not CLOSED) is
        sent at once and waited for, within a slice of the caller's deadline, so
        whoever asks health after this answer sees it counted; not while health is away.
        """
        sequence = next(self._sequence)
        self._local.record(outcome, sequence)
        self._queue.put(sequence, outcome)
        self._pending.set()
        routine = outcome.success and self._view.closed(outcome.provider)
        if self._sender is None or self._sender.done():
            self._sender = asyncio.create_task(
                self._send_forever(), name="health-reports", context=contextvars.Context()
            )
        if routine or not self._asking():
            return
        budget = call_timeout(self._timeout, deadline, self._share)
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(budget), self._delivery:
                await self._delivery.wait_for(lambda: self._delivered >= sequence)

    async def _send_forever(self) -> None:
        """Send queued reports: at once while no send is under way, and what queued during
        one together in the next (batches grow with the load, no timer); keep them while
        health is away."""
        while True:
            await self._pending.wait()
            self._pending.clear()
            await self._send_queued()

    async def _send_queued(self) -> None:
        """Send until the queue is empty, waiting between tries while health is away."""
        while self._queue:
            # Shielded: stopping the sender must not cut a send short, or a batch health has
            # applied would stay queued and be counted twice.
            self._sending = asyncio.ensure_future(self._send(self._queue.head(self._batch_size)))
            if not await asyncio.shield(self._sending):
                await asyncio.sleep(self._retry_after)

    async def aclose(self) -> None:
        """Stop following health; reports still queued get one last, short try."""
        await self._view.aclose()
        if self._sender is not None:
            self._sender.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sender
        if self._sending is not None:
            await asyncio.wait([self._sending], timeout=self._timeout)
        if self._queue:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._send(self._queue.head(self._batch_size)), 1.0)

    async def _send(self, batch: list[tuple[int, AttemptOutcome]]) -> bool:
        """One batch to health, taken off the queue once delivered; False (and health marked
        away) if it did not take it."""
        request = health_pb2.ReportOutcomesRequest(
            outcomes=[_report_request(outcome) for _, outcome in batch]
        )
        try:
            response = await self._stub.ReportOutcomes(request, timeout=self._timeout)
        except grpc.aio.AioRpcError as error:
            if error.code() is grpc.StatusCode.INVALID_ARGUMENT:
                # Health will never take this batch (it names a provider it is not
                # configured with): keeping it would hold up every later report.
                log.error("health refused a batch of reports", error=error.details())
                self._queue.drop(batch)
                return True
            self._went_away("health reports failed, queued", error)
            return False
        last = batch[-1][0]
        for circuit in response.circuits:
            # Health pushes a change to its watchers before it answers, so with a live view
            # the view already says what health decided; without one, the ban follows health.
            self._local.follow_health(
                circuit.provider,
                open_=circuit.circuit_state == health_pb2.CIRCUIT_STATE_OPEN
                and not self._view.live,
                open_until=circuit.open_until.ToNanoseconds() / 1e9
                if circuit.HasField("open_until")
                else None,
                sequence=last,
            )
        self._queue.drop(batch)
        self._down_until = 0.0
        self._delivered = max(self._delivered, last)
        async with self._delivery:
            self._delivery.notify_all()
        return True


def _report_request(outcome: AttemptOutcome) -> health_pb2.ReportOutcomeRequest:
    request = health_pb2.ReportOutcomeRequest(
        provider=outcome.provider, success=outcome.success, latency=duration(outcome.latency)
    )
    if outcome.error_class is not None:
        request.error_class = outcome.error_class.to_proto()
    if outcome.retry_after is not None:
        request.retry_after.CopyFrom(duration(outcome.retry_after))
    return request
