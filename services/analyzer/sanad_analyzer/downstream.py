"""The analyzer's clients of the quota and health services, with their fallback policies.

Neither service may take the analyzer down. Quota: when the service cannot be reached, is
too slow for the request's deadline, or answers UNAVAILABLE, the attempt is paid from the
analyzer's local safe budget (journaled, reconciled later; a budget of 0 fails closed).
Health: the last order it gave for a while, then the configured order, less the providers
this process just saw fail; reports it cannot take are queued and delivered when it is back.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import grpc
import structlog

from sanad.health.v1 import health_pb2, health_pb2_grpc
from sanad.quota.v1 import quota_pb2, quota_pb2_grpc
from sanad_analyzer.health_fallback import LocalOutcomes, ReportQueue
from sanad_analyzer.outcome import AttemptOutcome
from sanad_analyzer.safe_budget import LOCAL_PREFIX, SafeBudget
from sanad_analyzer.spend_journal import JournalUnavailableError
from sanad_common.error_class import ErrorClass
from sanad_common.proto_time import duration

log = structlog.get_logger(__name__)

LAST_ORDER_TTL_SECONDS = 60.0
"""How long the last order from health is trusted while health cannot be reached."""
MIN_TIMEOUT_SECONDS = 0.05
"""The shortest timeout a downstream call gets, even when the caller's time is nearly up."""
HEALTH_RETRY_SECONDS = 0.5
"""After health failed to answer, how long requests use the fallback without asking it; the
queue of reports probes it at this pace meanwhile."""
LOCAL_OUTCOME_TTL_SECONDS = 30.0
"""How long a provider seen failing here is kept out while health cannot be told."""
REPORT_QUEUE_CAPACITY = 1000
"""Outcome reports kept for health while it is away."""


@dataclass(frozen=True)
class QuotaDecision:
    """The quota service's answer to a reservation."""

    allowed: bool
    """True if the attempt may go ahead."""
    reservation_id: str = ""
    """Id to commit or release."""
    reason: str = ""
    """Why not, when refused."""
    retry_after: float | None = None
    """Seconds until the refusing window resets, when known."""
    local: bool = False
    """True when quota could not be asked and the safe budget decided."""


class QuotaGateway:
    """Reserve, commit and release provider quota through the quota service, or through the
    local safe budget while the service cannot be asked."""

    def __init__(
        self,
        channel: grpc.aio.Channel,
        timeout: float,
        safe_budget: SafeBudget,
        deadline_share: float = 1.0,
    ) -> None:
        self._stub = quota_pb2_grpc.QuotaServiceStub(channel)
        self._timeout = timeout
        self._safe_budget = safe_budget
        self._share = deadline_share

    async def reserve(
        self, provider: str, tokens: int, request_id: str, remaining: float | None
    ) -> QuotaDecision:
        """Ask for room for one call; from the safe budget when the service cannot answer
        within its slice of the caller's time."""
        try:
            response = await self._stub.Reserve(
                quota_pb2.ReserveRequest(
                    provider=provider, estimated_tokens=tokens, request_id=request_id
                ),
                timeout=_bounded(self._timeout, _share(remaining, self._share)),
            )
        except grpc.aio.AioRpcError as error:
            log.warning("quota service unavailable", provider=provider, code=error.code().name)
            grant = await self._safe_budget.spend(provider, tokens, request_id)
            return QuotaDecision(
                allowed=bool(grant.reservation_id),
                reservation_id=grant.reservation_id,
                reason=grant.reason,
                local=True,
            )
        if response.allowed:
            return QuotaDecision(allowed=True, reservation_id=response.reservation_id)
        denied = response.denied_by
        window = quota_pb2.Window.Name(denied.window).removeprefix("WINDOW_").lower()
        metric = quota_pb2.Metric.Name(denied.metric).removeprefix("METRIC_").lower()
        return QuotaDecision(
            allowed=False,
            reason=f"{window} {metric} limit reached ({denied.used}/{denied.limit})",
            retry_after=response.retry_after.ToTimedelta().total_seconds()
            if response.HasField("retry_after")
            else None,
        )

    async def commit(self, reservation_id: str, tokens: int) -> None:
        """Settle a reservation with the tokens used; a failure is logged, not raised."""
        if reservation_id.startswith(LOCAL_PREFIX):
            with _logged(JournalUnavailableError, "local spend not settled", reservation_id):
                await self._safe_budget.settle(reservation_id, tokens)
            return
        try:
            await self._stub.Commit(
                quota_pb2.CommitRequest(reservation_id=reservation_id, actual_tokens=tokens),
                timeout=self._timeout,
            )
        except grpc.aio.AioRpcError as error:
            log.warning("quota commit failed", reservation=reservation_id, code=error.code().name)

    async def release(self, reservation_id: str) -> None:
        """Give a reservation back; a failure is logged, not raised."""
        if reservation_id.startswith(LOCAL_PREFIX):
            with _logged(JournalUnavailableError, "local spend not cancelled", reservation_id):
                await self._safe_budget.cancel(reservation_id)
            return
        try:
            await self._stub.Release(
                quota_pb2.ReleaseRequest(reservation_id=reservation_id), timeout=self._timeout
            )
        except grpc.aio.AioRpcError as error:
            log.warning("quota release failed", reservation=reservation_id, code=error.code().name)


@dataclass(frozen=True)
class SkippedProvider:
    """A provider health keeps out right now."""

    name: str
    """Provider name."""
    reason: ErrorClass
    """The failure class that opened its circuit."""
    open_until: float | None
    """Unix time at which it may be tried again; None while it waits for an operator."""

    def retry_after(self, now: float) -> float | None:
        """Seconds until it may be tried again, if known."""
        return None if self.open_until is None else max(self.open_until - now, 0.0)


@dataclass(frozen=True)
class ProviderOrder:
    """Providers to try, best first, and those health keeps out."""

    available: tuple[str, ...]
    """Providers to try, in order."""
    skipped: tuple[SkippedProvider, ...] = ()
    """Providers with an open circuit."""


@contextlib.contextmanager
def _logged(error_type: type[Exception], event: str, reservation_id: str) -> Iterator[None]:
    """Log, not raise, a settlement failure: settling runs off the request path."""
    try:
        yield
    except error_type as error:
        log.warning(event, reservation=reservation_id, error=str(error))


def _share(remaining: float | None, share: float) -> float | None:
    """The slice of the caller's remaining time one downstream call may take."""
    return None if remaining is None else remaining * share


def _bounded(timeout: float, remaining: float | None) -> float:
    """A downstream call's timeout: its own, but never past the caller's remaining time."""
    return timeout if remaining is None else max(min(timeout, remaining), MIN_TIMEOUT_SECONDS)


class HealthGateway:
    """Provider order and outcome reports through the health service.

    While health cannot be reached, the order it last gave is used for last_order_ttl
    seconds, with skipped providers let back in once their open period has passed; after
    that, the configured order. Either way, providers this process just saw fail are kept
    out. A call to health takes at most deadline_share of the caller's remaining time, and
    after a failure requests use the fallback at once for a short while.
    """

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
    ) -> None:
        self._stub = health_pb2_grpc.ProviderHealthServiceStub(channel)
        self._timeout = timeout
        self._last_order_ttl = last_order_ttl
        self._configured = ProviderOrder(available=tuple(configured_order))
        self._last_order = self._configured
        self._last_order_at = 0.0
        self._share = deadline_share
        self._retry_after = retry_after
        self._down_until = 0.0
        self._local = LocalOutcomes(local_outcome_ttl)
        self._queue = ReportQueue(queue_capacity)
        self._flusher: asyncio.Task[None] | None = None

    def _asking(self) -> bool:
        return time.monotonic() >= self._down_until

    def _went_away(self, what: str, error: grpc.aio.AioRpcError) -> None:
        if self._asking():
            log.warning(what, code=error.code().name)
        self._down_until = time.monotonic() + self._retry_after

    async def provider_order(self, remaining: float | None) -> ProviderOrder:
        """Providers to try now, best first; a fallback when health cannot answer."""
        if not self._asking():
            return self._without_local_failures(self._fallback(time.time()))
        try:
            response = await self._stub.GetProviderOrder(
                health_pb2.GetProviderOrderRequest(),
                timeout=_bounded(self._timeout, _share(remaining, self._share)),
            )
        except grpc.aio.AioRpcError as error:
            self._went_away("health service unavailable, using a fallback provider order", error)
            return self._without_local_failures(self._fallback(time.time()))
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
        )
        self._last_order_at = time.time()
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

    async def report(self, outcome: AttemptOutcome, remaining: float | None) -> None:
        """Report one attempt within a slice of the caller's remaining time; what health
        cannot take now is queued and delivered, in order, once it answers again."""
        self._local.record(outcome)
        if self._asking() and not self._queue:
            budget = _bounded(self._timeout, _share(remaining, self._share))
            if await self._send(outcome, budget):
                return
        self._queue.put(outcome)
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush(), name="health-report-queue")

    async def _flush(self) -> None:
        """Deliver queued reports as soon as health answers again."""
        while self._queue:
            await asyncio.sleep(self._retry_after)
            await self._queue.flush(lambda outcome: self._send(outcome, self._timeout))

    async def aclose(self) -> None:
        """Stop delivering queued reports (they are lost with the process)."""
        if self._flusher is not None:
            self._flusher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._flusher

    async def _send(self, outcome: AttemptOutcome, timeout: float) -> bool:  # noqa: ASYNC109
        """One report to health; False (and health marked away) if it did not take it."""
        request = health_pb2.ReportOutcomeRequest(
            provider=outcome.provider,
            success=outcome.success,
            latency=duration(outcome.latency),
        )
        if outcome.error_class is not None:
            request.error_class = outcome.error_class.to_proto()
        if outcome.retry_after is not None:
            request.retry_after.CopyFrom(duration(outcome.retry_after))
        try:
            await self._stub.ReportOutcome(request, timeout=timeout)
        except grpc.aio.AioRpcError as error:
            self._went_away("health report failed, queued", error)
            return False
        self._down_until = 0.0
        return True
