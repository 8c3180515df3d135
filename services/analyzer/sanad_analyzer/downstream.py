"""The analyzer's client of the quota service, with its fallback, and the answers the request
path gets from quota and health (the health client is ``health_gateway.HealthGateway``).

Quota may not take the analyzer down: when the service cannot be reached, is too slow for
the request's deadline, or answers UNAVAILABLE, the attempt is paid from the analyzer's local
safe budget (journaled, reconciled later; a budget of 0 fails closed).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

import grpc
import structlog

from sanad.quota.v1 import quota_pb2, quota_pb2_grpc
from sanad_analyzer.safe_budget import LOCAL_PREFIX, SafeBudget
from sanad_analyzer.spend_journal import JournalUnavailableError
from sanad_common.error_class import ErrorClass

log = structlog.get_logger(__name__)

MIN_TIMEOUT_SECONDS = 0.05
"""The shortest timeout a downstream call gets, even when the caller's time is nearly up."""
SETTLE_BATCH = 256
"""Most settlements in one Settle call (quota takes up to 1000)."""
_REFUSED = frozenset(
    {quota_pb2.SETTLEMENT_OUTCOME_NOT_FOUND, quota_pb2.SETTLEMENT_OUTCOME_WAS_RELEASED}
)


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
        self._unsettled: list[tuple[quota_pb2.Settlement, asyncio.Future[None]]] = []
        self._settler: asyncio.Task[None] | None = None

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
                timeout=bounded(self._timeout, share(remaining, self._share)),
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
        await self._settle(
            quota_pb2.Settlement(reservation_id=reservation_id, commit_tokens=tokens)
        )

    async def release(self, reservation_id: str) -> None:
        """Give a reservation back; a failure is logged, not raised."""
        if reservation_id.startswith(LOCAL_PREFIX):
            with _logged(JournalUnavailableError, "local spend not cancelled", reservation_id):
                await self._safe_budget.cancel(reservation_id)
            return
        await self._settle(quota_pb2.Settlement(reservation_id=reservation_id, release=True))

    async def _settle(self, settlement: quota_pb2.Settlement) -> None:
        """Queue a settlement and wait until quota has been told.

        Settlements go in one Settle call each while quota keeps up; those that arrive while
        a call is under way go together in the next one (up to SETTLE_BATCH), so batches
        grow with the load and never wait for a timer.
        """
        told = asyncio.get_running_loop().create_future()
        self._unsettled.append((settlement, told))
        if self._settler is None or self._settler.done():
            self._settler = asyncio.create_task(self._settle_queued(), name="quota-settlements")
        await told

    async def _settle_queued(self) -> None:
        while self._unsettled:
            batch = self._unsettled[:SETTLE_BATCH]
            del self._unsettled[:SETTLE_BATCH]
            try:
                await self._send_settlements([settlement for settlement, _ in batch])
            finally:
                for _, told in batch:
                    if not told.done():
                        told.set_result(None)

    async def _send_settlements(self, settlements: list[quota_pb2.Settlement]) -> None:
        """One Settle call; refusals and failures are logged, not raised."""
        try:
            response = await self._stub.Settle(
                quota_pb2.SettleRequest(settlements=settlements), timeout=self._timeout
            )
        except grpc.aio.AioRpcError as error:
            if error.code() is grpc.StatusCode.UNIMPLEMENTED:
                await self._send_one_by_one(settlements)  # a quota service older than Settle
                return
            log.warning(
                "quota settlements failed", settlements=len(settlements), code=error.code().name
            )
            return
        for result in response.results:
            if result.outcome in _REFUSED:
                log.warning(
                    "quota settlement refused",
                    reservation=result.reservation_id,
                    outcome=quota_pb2.SettlementOutcome.Name(result.outcome),
                )

    async def _send_one_by_one(self, settlements: list[quota_pb2.Settlement]) -> None:
        for settlement in settlements:
            reservation_id = settlement.reservation_id
            try:
                if settlement.WhichOneof("action") == "release":
                    await self._stub.Release(
                        quota_pb2.ReleaseRequest(reservation_id=reservation_id),
                        timeout=self._timeout,
                    )
                else:
                    await self._stub.Commit(
                        quota_pb2.CommitRequest(
                            reservation_id=reservation_id, actual_tokens=settlement.commit_tokens
                        ),
                        timeout=self._timeout,
                    )
            except grpc.aio.AioRpcError as error:
                log.warning(
                    "quota settlement failed", reservation=reservation_id, code=error.code().name
                )


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
    latency_p95: Mapping[str, float] = field(default_factory=dict)
    """Recent 95th percentile latency of the providers health has one for, in seconds."""


@contextlib.contextmanager
def _logged(error_type: type[Exception], event: str, reservation_id: str) -> Iterator[None]:
    """Log, not raise, a settlement failure: settling runs off the request path."""
    try:
        yield
    except error_type as error:
        log.warning(event, reservation=reservation_id, error=str(error))


def share(remaining: float | None, share: float) -> float | None:
    """The slice of the caller's remaining time one downstream call may take."""
    return None if remaining is None else remaining * share


def bounded(timeout: float, remaining: float | None) -> float:
    """A downstream call's timeout: its own, but never past the caller's remaining time."""
    return timeout if remaining is None else max(min(timeout, remaining), MIN_TIMEOUT_SECONDS)
