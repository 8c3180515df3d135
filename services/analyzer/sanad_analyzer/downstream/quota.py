"""The analyzer's client of the quota service, with its fallback.

Quota may not take the analyzer down: when the service cannot be reached, is too slow for
the request's deadline, or answers UNAVAILABLE, the attempt is paid from the analyzer's local
safe budget (journaled, reconciled later; a budget of 0 fails closed).

Reservations go as messages of one open ReserveStream (downstream.reserve_stream), each still
decided by quota on its own; by unary Reserve calls instead when quota has no ReserveStream
(an older version) and while tracing is on, so that quota's spans stay in each request's trace.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Iterator
from typing import TypeVar

import grpc
import structlog

from sanad.quota.v1 import quota_pb2, quota_pb2_grpc
from sanad_analyzer.deadline import Deadline
from sanad_analyzer.downstream.reserve_stream import (
    ReserveStream,
    ReserveStreamUnimplementedError,
    ReserveUnansweredError,
)
from sanad_analyzer.downstream.safe_budget import SafeBudget
from sanad_analyzer.downstream.spend_journal import JournalUnavailableError
from sanad_analyzer.downstream.timeouts import call_timeout
from sanad_analyzer.ports import QuotaDecision, Reservation, TenantOverQuota
from sanad_common.tracing import tracing_enabled

log = structlog.get_logger(__name__)

SETTLE_BATCH = 256
"""Most settlements in one Settle call (quota takes up to 1000)."""
SETTLE_LINGER_SECONDS = 0.05
"""How long the first settlement of a batch waits for others before the Settle call goes:
under load a Settle RPC then carries a dozen settlements instead of one (quota spends about
0.5 ms of CPU on each call besides the settlements it carries). Settling is off the request
path, so the wait delays only when a reservation's estimate becomes its actual count."""
_REFUSED = frozenset(
    {quota_pb2.SETTLEMENT_OUTCOME_NOT_FOUND, quota_pb2.SETTLEMENT_OUTCOME_WAS_RELEASED}
)
SETTLE_ATTEMPTS = 4
"""Tries of one Settle or withdrawal call that timed out or found quota unreachable or
overloaded. Both are idempotent (a commit or release sent again changes nothing), so a call
that did land is harmless to repeat, and one that did not is not lost: a lost commit would
leave its reservation pending until the sweep gave its estimate back."""
SETTLE_BACKOFF_SECONDS = 0.25
"""Wait before the second try; doubled before each later one."""
_TRY_AGAIN = frozenset(
    {
        grpc.StatusCode.DEADLINE_EXCEEDED,
        grpc.StatusCode.UNAVAILABLE,
        grpc.StatusCode.RESOURCE_EXHAUSTED,
    }
)
T = TypeVar("T")


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
        self._stream = None if tracing_enabled() else ReserveStream(self._stub)
        self._timeout = timeout
        self._safe_budget = safe_budget
        self._share = deadline_share
        self._unsettled: list[tuple[quota_pb2.Settlement, asyncio.Future[None]]] = []
        self._settler: asyncio.Task[None] | None = None

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
        """Ask for room for one call; from the safe budget when the service cannot answer
        within its slice of the caller's time."""
        request = quota_pb2.ReserveRequest(
            provider=provider,
            estimated_tokens=tokens,
            request_id=request_id,
            tenant=tenant,
            idempotency_key=idempotency_key,
        )
        try:
            response = await self._reserved(
                request, call_timeout(self._timeout, deadline, self._share)
            )
        except ReserveUnansweredError as error:
            log.warning("quota service unavailable", provider=provider, code=error.code.name)
            grant = await self._safe_budget.spend(provider, tokens, request_id, tenant)
            return QuotaDecision(
                reservation=Reservation(grant.spend_id, local=True) if grant.spend_id else None,
                reason=grant.reason,
                local=True,
            )
        if response.allowed:
            return QuotaDecision(Reservation(response.reservation_id))
        denied = response.denied_by
        window = quota_pb2.Window.Name(denied.window).removeprefix("WINDOW_").lower()
        metric = quota_pb2.Metric.Name(denied.metric).removeprefix("METRIC_").lower()
        retry_after = (
            response.retry_after.ToTimedelta().total_seconds()
            if response.HasField("retry_after")
            else None
        )
        over = None
        if response.denied_tenant:
            over = TenantOverQuota(
                tenant=response.denied_tenant,
                violations=tuple((item.subject, item.description) for item in response.violations),
                retry_after=retry_after,
            )
        return QuotaDecision(
            reason=f"{window} {metric} limit reached ({denied.used}/{denied.limit})",
            retry_after=retry_after,
            tenant_over=over,
        )

    async def _reserved(
        self, request: quota_pb2.ReserveRequest, wait_seconds: float
    ) -> quota_pb2.ReserveResponse:
        """Quota's decision within wait_seconds, on the stream or by a unary call; raises
        ReserveUnansweredError when there is none."""
        if self._stream is not None:
            try:
                return await self._stream.reserve(request, wait_seconds)
            except ReserveStreamUnimplementedError as older:
                log.info("quota has no ReserveStream: reserving by unary calls from now on")
                self._stream = None
                wait_seconds = older.time_left
                if wait_seconds <= 0:
                    raise ReserveUnansweredError(grpc.StatusCode.DEADLINE_EXCEEDED) from older
        try:
            return await self._stub.Reserve(request, timeout=wait_seconds)
        except grpc.aio.AioRpcError as error:
            raise ReserveUnansweredError(error.code()) from error

    async def aclose(self) -> None:
        """Close the reservation stream (settlements have their own calls and are not waited
        for here)."""
        if self._stream is not None:
            await self._stream.aclose()

    async def commit(self, reservation: Reservation, tokens: int) -> None:
        """Settle a reservation with the tokens used; a failure is logged, not raised."""
        if reservation.local:
            with _logged(JournalUnavailableError, "local spend not settled", reservation.id):
                await self._safe_budget.settle(reservation.id, tokens)
            return
        await self._settle(
            quota_pb2.Settlement(reservation_id=reservation.id, commit_tokens=tokens)
        )

    async def release(self, reservation: Reservation) -> None:
        """Give a reservation back; a failure is logged, not raised."""
        if reservation.local:
            with _logged(JournalUnavailableError, "local spend not cancelled", reservation.id):
                await self._safe_budget.cancel(reservation.id)
            return
        await self._settle(quota_pb2.Settlement(reservation_id=reservation.id, release=True))

    async def withdraw(self, provider: str, idempotency_key: str, tenant: str = "") -> None:
        """Withdraw the reservation of an attempt by its idempotency key; a failure is logged,
        not raised (a reservation quota did grant then waits for the sweep)."""
        request = quota_pb2.ReleaseRequest(
            provider=provider, idempotency_key=idempotency_key, tenant=tenant
        )
        try:
            response = await _tried_again(
                lambda: self._stub.Release(request, timeout=self._timeout)
            )
        except grpc.aio.AioRpcError as error:
            log.warning(
                "quota withdrawal failed",
                provider=provider,
                idempotency_key=idempotency_key,
                code=error.code().name,
            )
            return
        log.info(
            "quota reservation withdrawn",
            provider=provider,
            idempotency_key=idempotency_key,
            released=response.released,
            before_reserve=response.withdrawn_before_reserve,
        )

    async def _settle(self, settlement: quota_pb2.Settlement) -> None:
        """Queue a settlement and wait until quota has been told.

        Each Settle call waits SETTLE_LINGER_SECONDS for settlements to gather, unless a full
        batch (SETTLE_BATCH) is waiting already, and carries them together, so batches grow
        with the load and a call's cost is shared by all it carries.
        """
        told = asyncio.get_running_loop().create_future()
        self._unsettled.append((settlement, told))
        if self._settler is None or self._settler.done():
            self._settler = asyncio.create_task(self._settle_queued(), name="quota-settlements")
        await told

    async def _settle_queued(self) -> None:
        while self._unsettled:
            if len(self._unsettled) < SETTLE_BATCH:
                await asyncio.sleep(SETTLE_LINGER_SECONDS)
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
        request = quota_pb2.SettleRequest(settlements=settlements)
        try:
            response = await _tried_again(lambda: self._stub.Settle(request, timeout=self._timeout))
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


async def _tried_again(call: Callable[[], Awaitable[T]]) -> T:
    """call(), tried again (up to SETTLE_ATTEMPTS, with backoff) while quota times out, cannot
    be reached or sheds load; only for idempotent calls."""
    delay = SETTLE_BACKOFF_SECONDS
    for _ in range(SETTLE_ATTEMPTS - 1):
        try:
            return await call()
        except grpc.aio.AioRpcError as error:
            if error.code() not in _TRY_AGAIN:
                raise
        await asyncio.sleep(delay)
        delay *= 2
    return await call()


@contextlib.contextmanager
def _logged(error_type: type[Exception], event: str, reservation_id: str) -> Iterator[None]:
    """Log, not raise, a settlement failure: settling runs off the request path."""
    try:
        yield
    except error_type as error:
        log.warning(event, reservation=reservation_id, error=str(error))
