"""Outcome reports on their way to health, off the request path.

Reports are queued and sent (``ReportOutcomes``) by a background task that belongs to no
request's trace: at once while no send is under way, and what queued during one together in
the next (batches grow with the load, no timer). While health is away they wait in the
bounded queue and are delivered in order when it is back. A report's sender may wait for its
delivery, briefly, when the outcome may move a circuit.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import itertools

import grpc
import structlog

from sanad.health.v1 import health_pb2, health_pb2_grpc
from sanad_analyzer.deadline import Deadline
from sanad_analyzer.downstream.health_fallback import LocalOutcomes, ReportQueue
from sanad_analyzer.downstream.provider_view import ProviderView
from sanad_analyzer.downstream.reachability import Reachability
from sanad_analyzer.downstream.timeouts import call_timeout
from sanad_analyzer.ports import AttemptOutcome
from sanad_common.proto_time import duration

log = structlog.get_logger(__name__)


class OutcomeReports:
    """Sends this replica's attempt outcomes to health, in order, in batches."""

    def __init__(
        self,
        channel: grpc.aio.Channel,
        view: ProviderView,
        reachability: Reachability,
        local: LocalOutcomes,
        *,
        timeout: float,
        deadline_share: float,
        queue_capacity: int,
        batch_size: int,
    ) -> None:
        self._stub = health_pb2_grpc.ProviderHealthServiceStub(channel)
        self._view = view
        self._reachability = reachability
        self._local = local
        self._timeout = timeout
        self._share = deadline_share
        self._batch_size = batch_size
        self._queue = ReportQueue(queue_capacity)
        self._sequence = itertools.count(1)
        self._pending = asyncio.Event()
        self._sender: asyncio.Task[None] | None = None
        self._sending: asyncio.Future[bool] | None = None
        self._delivered = 0
        self._delivery = asyncio.Condition()

    async def send(self, outcome: AttemptOutcome, deadline: Deadline | None) -> None:
        """Queue one outcome (it counts in this replica's own outcomes at once).

        A routine outcome (a success of a provider the view has CLOSED) returns at once. One
        that may move a circuit (a failure, or a success of a provider that is not CLOSED) is
        sent at once and waited for, within a slice of the caller's deadline, so whoever
        asks health after this answer sees it counted; not while health is away.
        """
        sequence = next(self._sequence)
        self._local.record(outcome, sequence, self._view.messages_read)
        self._queue.put(sequence, outcome)
        self._pending.set()
        routine = outcome.success and self._view.closed(outcome.provider)
        if self._sender is None or self._sender.done():
            self._sender = asyncio.create_task(
                self._send_forever(), name="health-reports", context=contextvars.Context()
            )
        if routine or not self._reachability.asking:
            return
        budget = call_timeout(self._timeout, deadline, self._share)
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(budget), self._delivery:
                await self._delivery.wait_for(lambda: self._delivered >= sequence)

    async def _send_forever(self) -> None:
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
                await asyncio.sleep(self._reachability.retry_after)

    async def aclose(self) -> None:
        """Stop sending; reports still queued get one last, short try."""
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
            self._reachability.failed("health reports failed, queued", error)
            return False
        last = batch[-1][0]
        for circuit in response.circuits:
            # Health pushes a change to its watchers before it answers, but this process may
            # read the answer before the push: with a live view, a ban health confirmed lasts
            # until the view shows it (HealthGateway hands it over); without one, it follows
            # health's open period.
            self._local.follow_health(
                circuit.provider,
                open_=circuit.circuit_state == health_pb2.CIRCUIT_STATE_OPEN,
                open_until=circuit.open_until.ToNanoseconds() / 1e9
                if circuit.HasField("open_until")
                else None,
                sequence=last,
                view_follows=self._view.live,
            )
        self._queue.drop(batch)
        self._reachability.answered()
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
