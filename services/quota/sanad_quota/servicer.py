"""sanad.quota.v1.QuotaService: validate the request, ask the ledger, map the answer to protobuf."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from typing import Any

import grpc

from sanad.quota.v1 import quota_pb2, quota_pb2_grpc
from sanad_common.errors import (
    FieldViolation,
    ServiceError,
    error_info,
    invalid_argument,
    raise_if_violations,
)
from sanad_common.interceptors import stream_message
from sanad_common.proto_time import duration, timestamp
from sanad_common.providers import provider_violations
from sanad_quota.ledger import (
    ProviderUsage,
    QuotaLedger,
    ReservationNotFoundError,
    ReservationReleasedError,
    ReservationWithdrawnError,
    Spend,
    TenantUsage,
    Violation,
)
from sanad_quota.storage.keys import tenant_of, tenant_scope
from sanad_quota.storage.port import Crossing, Settlement, SettleStatus
from sanad_quota.usage import Metric, WarningLevel, Window, WindowUsage, worst_level
from sanad_quota.watch import CrossingWatch

Context = grpc.aio.ServicerContext[Any, Any]

MAX_SPENDS_PER_CALL = 1000
"""Most spends one RecordUsage call may carry; an analyzer sends a longer backlog in parts."""
SPEND_CLOCK_SKEW_SECONDS = 300.0
"""How far in this replica's future a spend's time may lie (clock skew between hosts)."""
MAX_SETTLEMENTS_PER_CALL = 1000
"""Most reservations one Settle call may settle."""
MAX_IDEMPOTENCY_KEY_CHARS = 200
"""Longest idempotency key accepted."""
MAX_TOKENS_PER_CALL = 1_000_000_000
"""Most tokens one reservation, commit or spend may count: far above any model's context, and
low enough that no window's sum can overflow the stores' 64-bit counters."""
MAX_REQUESTS_PER_SPEND = 1_000_000
"""Most requests one spend may count."""
MAX_RESERVATIONS_PER_STREAM = 256
"""Reservations of one ReserveStream handled at once; the stream is read no further until one
is answered. Above the server's concurrency limit (SANAD_MAX_CONCURRENT_RPCS, 64 by default),
so that the limit, not this bound, decides which are shed."""
RESERVE_STREAM_METHOD = "/sanad.quota.v1.QuotaService/ReserveStream"
"""The method each streamed reservation is counted and measured under, as one call."""

_WINDOWS = {
    Window.MINUTE: quota_pb2.WINDOW_MINUTE,
    Window.HOUR: quota_pb2.WINDOW_HOUR,
    Window.DAY: quota_pb2.WINDOW_DAY,
}
_METRICS = {Metric.REQUESTS: quota_pb2.METRIC_REQUESTS, Metric.TOKENS: quota_pb2.METRIC_TOKENS}
_LEVELS = {
    WarningLevel.NORMAL: quota_pb2.WARNING_LEVEL_NORMAL,
    WarningLevel.WARNING: quota_pb2.WARNING_LEVEL_WARNING,
    WarningLevel.CRITICAL: quota_pb2.WARNING_LEVEL_CRITICAL,
    WarningLevel.EXHAUSTED: quota_pb2.WARNING_LEVEL_EXHAUSTED,
}
_CALLER_GONE = ServiceError(
    grpc.StatusCode.DEADLINE_EXCEEDED, "the caller's time ran out before the reservation was made"
)
_WINDOW_FILTERS: dict[int, tuple[Window, ...]] = {
    quota_pb2.WINDOW_UNSPECIFIED: tuple(Window),
    quota_pb2.WINDOW_MINUTE: (Window.MINUTE,),
    quota_pb2.WINDOW_HOUR: (Window.HOUR,),
    quota_pb2.WINDOW_DAY: (Window.DAY,),
}


class QuotaServicer(quota_pb2_grpc.QuotaServiceServicer):
    """The gRPC face of the quota ledger."""

    def __init__(self, ledger: QuotaLedger, watch: CrossingWatch) -> None:
        self._ledger = ledger
        self._watch = watch

    async def Reserve(
        self, request: quota_pb2.ReserveRequest, context: Context
    ) -> quota_pb2.ReserveResponse:
        return await self._reserve(request)

    async def ReserveStream(
        self, requests: AsyncIterator[quota_pb2.ReserveStreamRequest], context: Context
    ) -> AsyncIterator[quota_pb2.ReserveStreamResponse]:
        """Each message a task of its own (at most MAX_RESERVATIONS_PER_STREAM at once), each
        answer sent as it is ready. Once the caller closes its side, the reservations under
        way are answered and the stream ends; if the caller goes away, they are cancelled."""
        loop = asyncio.get_running_loop()
        answers: asyncio.Queue[quota_pb2.ReserveStreamResponse | None] = asyncio.Queue()
        slots = asyncio.Semaphore(MAX_RESERVATIONS_PER_STREAM)
        handling: set[asyncio.Task[None]] = set()

        async def answer(message: quota_pb2.ReserveStreamRequest, received: float) -> None:
            try:
                answers.put_nowait(await self._streamed_reservation(message, received))
            finally:
                slots.release()

        async def read() -> None:
            try:
                await slots.acquire()
                async for message in requests:
                    task = loop.create_task(
                        answer(message, loop.time()), name="quota-streamed-reservation"
                    )
                    handling.add(task)
                    task.add_done_callback(handling.discard)
                    await slots.acquire()
                if handling:
                    await asyncio.wait(set(handling))
            finally:
                answers.put_nowait(None)

        reader = loop.create_task(read(), name="quota-reserve-stream")
        try:
            while (response := await answers.get()) is not None:
                yield response
            await reader  # raises the abort of an undecodable message
        finally:
            for task in (reader, *handling):
                task.cancel()
            await asyncio.gather(reader, *handling, return_exceptions=True)

    async def _streamed_reservation(
        self, message: quota_pb2.ReserveStreamRequest, received: float
    ) -> quota_pb2.ReserveStreamResponse:
        """One message's answer: the reservation as Reserve makes it, or the status Reserve
        would fail with, counted and measured as a call of its own."""
        outcome = await stream_message(
            RESERVE_STREAM_METHOD, lambda: self._reserve_in_time(message, received)
        )
        if isinstance(outcome, ServiceError):
            return quota_pb2.ReserveStreamResponse(id=message.id, status=outcome.to_proto())
        return quota_pb2.ReserveStreamResponse(id=message.id, reserve=outcome)

    async def _reserve_in_time(
        self, message: quota_pb2.ReserveStreamRequest, received: float
    ) -> quota_pb2.ReserveResponse:
        """The reservation, if it can be made before its caller stops waiting; otherwise
        DEADLINE_EXCEEDED, and nothing reserved unless the store had already counted it (as a
        Reserve call cancelled at its deadline; the caller then withdraws it by its key)."""
        timeout = message.timeout.ToNanoseconds() / 1e9
        if timeout <= 0:
            raise invalid_argument([FieldViolation("timeout", "is required, more than 0")])
        deadline = received + timeout
        if asyncio.get_running_loop().time() >= deadline:
            raise _CALLER_GONE
        try:
            async with asyncio.timeout_at(deadline) as scope:
                return await self._reserve(message.reserve)
        except TimeoutError:
            if scope.expired():
                raise _CALLER_GONE from None
            raise

    async def _reserve(self, request: quota_pb2.ReserveRequest) -> quota_pb2.ReserveResponse:
        """Validate, reserve and answer: the one reservation of Reserve and ReserveStream."""
        violations = provider_violations(request.provider, self._ledger.providers, required=True)
        violations.extend(_count_violations("estimated_tokens", request.estimated_tokens))
        if len(request.idempotency_key) > MAX_IDEMPOTENCY_KEY_CHARS:
            violations.append(
                FieldViolation("idempotency_key", f"at most {MAX_IDEMPOTENCY_KEY_CHARS} characters")
            )
        raise_if_violations(violations)
        try:
            result = await self._ledger.reserve(
                request.provider,
                request.estimated_tokens,
                request.request_id,
                idempotency_key=request.idempotency_key,
                tenant=request.tenant,
            )
        except ReservationWithdrawnError as error:
            raise ServiceError(
                grpc.StatusCode.ABORTED,
                f"{error}: its caller gave the attempt up before this Reserve arrived",
                [
                    error_info(
                        "RESERVATION_WITHDRAWN",
                        {"provider": request.provider, "idempotency_key": request.idempotency_key},
                    )
                ],
            ) from error
        response = quota_pb2.ReserveResponse(
            allowed=result.allowed,
            reservation_id=result.reservation_id or "",
            usage=[_window_usage(item) for item in result.usage],
            warning_level=_LEVELS[worst_level(result.usage)],
            violations=[
                _violation(request.provider, item, result.denied_tenant)
                for item in result.violations
            ],
            crossings=[_crossing(item) for item in result.crossings],
            denied_tenant=result.denied_tenant,
        )
        if result.denied_by is not None:
            response.denied_by.CopyFrom(_window_usage(result.denied_by))
        if result.retry_after is not None:
            response.retry_after.CopyFrom(duration(result.retry_after))
        if result.frees_at is not None:
            response.frees_at.CopyFrom(timestamp(result.frees_at))
        return response

    async def Commit(
        self, request: quota_pb2.CommitRequest, context: Context
    ) -> quota_pb2.CommitResponse:
        violations = []
        if not request.reservation_id:
            violations.append(FieldViolation("reservation_id", "is required"))
        violations.extend(_count_violations("actual_tokens", request.actual_tokens))
        raise_if_violations(violations)
        metadata = {"reservation_id": request.reservation_id}
        try:
            usage = await self._ledger.commit(request.reservation_id, request.actual_tokens)
        except ReservationNotFoundError as error:
            raise ServiceError(
                grpc.StatusCode.NOT_FOUND,
                f"no reservation {request.reservation_id!r}: unknown, or too old to be kept",
                [error_info("RESERVATION_NOT_FOUND", metadata)],
            ) from error
        except ReservationReleasedError as error:
            raise ServiceError(
                grpc.StatusCode.FAILED_PRECONDITION,
                f"reservation {request.reservation_id!r} was released and cannot be committed",
                [error_info("RESERVATION_RELEASED", metadata)],
            ) from error
        return quota_pb2.CommitResponse(
            usage=[_window_usage(item) for item in usage], warning_level=_LEVELS[worst_level(usage)]
        )

    async def Release(
        self, request: quota_pb2.ReleaseRequest, context: Context
    ) -> quota_pb2.ReleaseResponse:
        withdrawal = request.provider or request.idempotency_key or request.tenant
        if request.reservation_id:
            if withdrawal:
                raise invalid_argument(
                    [
                        FieldViolation(
                            "reservation_id",
                            "set reservation_id, or provider and idempotency_key, not both",
                        )
                    ]
                )
            released = await self._ledger.release(request.reservation_id)
            return quota_pb2.ReleaseResponse(released=released)
        if not withdrawal:
            raise invalid_argument(
                [FieldViolation("reservation_id", "is required, or provider and idempotency_key")]
            )
        violations = provider_violations(request.provider, self._ledger.providers, required=True)
        if not request.idempotency_key:
            violations.append(
                FieldViolation("idempotency_key", "is required to withdraw by provider")
            )
        elif len(request.idempotency_key) > MAX_IDEMPOTENCY_KEY_CHARS:
            violations.append(
                FieldViolation("idempotency_key", f"at most {MAX_IDEMPOTENCY_KEY_CHARS} characters")
            )
        raise_if_violations(violations)
        result = await self._ledger.withdraw(
            request.provider, request.idempotency_key, request.tenant
        )
        return quota_pb2.ReleaseResponse(
            released=result.released, withdrawn_before_reserve=result.before_reserve
        )

    async def Settle(
        self, request: quota_pb2.SettleRequest, context: Context
    ) -> quota_pb2.SettleResponse:
        count = len(request.settlements)
        violations = []
        if not 1 <= count <= MAX_SETTLEMENTS_PER_CALL:
            violations.append(
                FieldViolation(
                    "settlements", f"must hold 1 to {MAX_SETTLEMENTS_PER_CALL}, not {count}"
                )
            )
        for index, item in enumerate(request.settlements):
            path = f"settlements[{index}]"
            if not item.reservation_id:
                violations.append(FieldViolation(f"{path}.reservation_id", "is required"))
            action = item.WhichOneof("action")
            if action is None:
                violations.append(FieldViolation(path, "commit_tokens or release is required"))
            elif action == "commit_tokens":
                violations.extend(_count_violations(f"{path}.commit_tokens", item.commit_tokens))
            elif action == "release" and not item.release:
                violations.append(FieldViolation(f"{path}.release", "must be true when set"))
        raise_if_violations(violations)
        statuses = await self._ledger.settle_all(
            [
                (item.reservation_id, Settlement.RELEASE, 0)
                if item.WhichOneof("action") == "release"
                else (item.reservation_id, Settlement.COMMIT, item.commit_tokens)
                for item in request.settlements
            ]
        )
        return quota_pb2.SettleResponse(
            results=[
                quota_pb2.SettlementResult(
                    reservation_id=item.reservation_id, outcome=_settlement_outcome(item, status)
                )
                for item, status in zip(request.settlements, statuses, strict=True)
            ]
        )

    async def GetUsage(
        self, request: quota_pb2.GetUsageRequest, context: Context
    ) -> quota_pb2.GetUsageResponse:
        violations = provider_violations(request.provider, self._ledger.providers, required=False)
        violations += self._tenant_violations(request.tenant)
        raise_if_violations(violations)
        providers = [request.provider] if request.provider else list(self._ledger.providers)
        reports = [await self._ledger.usage(provider) for provider in providers]
        tenants = self._tenants_asked(request.tenant, request.all_tenants)
        tenant_reports = [await self._ledger.tenant_usage(tenant) for tenant in tenants]
        return quota_pb2.GetUsageResponse(
            providers=[
                _provider_usage(report, await self._watch.current(report.provider))
                for report in reports
            ],
            tenants=[
                _tenant_usage(report, await self._watch.current(tenant_scope(report.tenant)))
                for report in tenant_reports
            ],
        )

    def _tenant_violations(self, tenant: str) -> list[FieldViolation]:
        if tenant and tenant not in self._ledger.tenants:
            return [FieldViolation("tenant", "not a tenant of the tenants file")]
        return []

    def _tenants_asked(self, tenant: str, every: bool) -> list[str]:
        if every:
            return list(self._ledger.tenants)
        return [tenant] if tenant else []

    async def ResetQuota(
        self, request: quota_pb2.ResetQuotaRequest, context: Context
    ) -> quota_pb2.ResetQuotaResponse:
        if request.tenant:
            violations = self._tenant_violations(request.tenant)
            if request.provider:
                violations.append(FieldViolation("provider", "set a provider or a tenant"))
        else:
            violations = provider_violations(
                request.provider, self._ledger.providers, required=True
            )
        windows = _WINDOW_FILTERS.get(request.window, ())
        if not windows:
            violations.append(FieldViolation("window", f"unknown window {request.window}"))
        raise_if_violations(violations)
        if request.tenant:
            tenant_report = await self._ledger.reset_tenant(request.tenant, windows)
            return quota_pb2.ResetQuotaResponse(tenant_usage=_tenant_usage(tenant_report, ()))
        report = await self._ledger.reset(request.provider, windows)
        return quota_pb2.ResetQuotaResponse(usage=_provider_usage(report, ()))

    async def RecordUsage(
        self, request: quota_pb2.RecordUsageRequest, context: Context
    ) -> quota_pb2.RecordUsageResponse:
        raise_if_violations(self._spend_violations(request))
        result = await self._ledger.record(
            [
                Spend(
                    spend_id=spend.spend_id,
                    provider=spend.provider,
                    requests=spend.requests,
                    tokens=spend.tokens,
                    spent_at=spend.spent_at.ToNanoseconds() / 1e9,
                    analyzer_id=spend.analyzer_id,
                    tenant=spend.tenant,
                )
                for spend in request.spends
            ]
        )
        return quota_pb2.RecordUsageResponse(recorded=result.recorded, duplicates=result.duplicates)

    async def WatchUsage(
        self, request: quota_pb2.WatchUsageRequest, context: Context
    ) -> AsyncIterator[quota_pb2.WatchUsageResponse]:
        violations = provider_violations(request.provider, self._ledger.providers, required=False)
        violations += self._tenant_violations(request.tenant)
        raise_if_violations(violations)
        providers = [request.provider] if request.provider else list(self._ledger.providers)
        tenants = self._tenants_asked(request.tenant, request.all_tenants)
        scopes = [*providers, *(tenant_scope(tenant) for tenant in tenants)]
        # The headers go out once the watch follows the log, so a caller can tell when every
        # later crossing will reach it.
        feed = self._watch.follow(
            scopes,
            include_current=request.include_current,
            following=lambda: context.send_initial_metadata(()),
        )
        async for crossing in feed:
            yield quota_pb2.WatchUsageResponse(crossing=_crossing(crossing))

    def _spend_violations(self, request: quota_pb2.RecordUsageRequest) -> list[FieldViolation]:
        if len(request.spends) > MAX_SPENDS_PER_CALL:
            return [FieldViolation("spends", f"at most {MAX_SPENDS_PER_CALL} per call")]
        latest = self._ledger.now() + SPEND_CLOCK_SKEW_SECONDS
        violations: list[FieldViolation] = []
        for index, spend in enumerate(request.spends):
            field = f"spends[{index}]"
            if not spend.spend_id:
                violations.append(FieldViolation(f"{field}.spend_id", "is required"))
            violations += [
                FieldViolation(f"{field}.{item.field}", item.description)
                for item in provider_violations(
                    spend.provider, self._ledger.providers, required=True
                )
            ]
            violations.extend(
                _count_violations(f"{field}.requests", spend.requests, MAX_REQUESTS_PER_SPEND)
            )
            violations.extend(_count_violations(f"{field}.tokens", spend.tokens))
            if not spend.HasField("spent_at"):
                violations.append(FieldViolation(f"{field}.spent_at", "is required"))
            elif spend.spent_at.ToNanoseconds() / 1e9 > latest:
                violations.append(
                    FieldViolation(f"{field}.spent_at", "lies in the future beyond clock skew")
                )
        return violations


def _settlement_outcome(
    item: quota_pb2.Settlement, status: SettleStatus
) -> quota_pb2.SettlementOutcome.ValueType:
    """What one settlement of a Settle did, as Commit or Release would say it."""
    if item.WhichOneof("action") == "release":
        return (
            quota_pb2.SETTLEMENT_OUTCOME_RELEASED
            if status is SettleStatus.APPLIED
            else quota_pb2.SETTLEMENT_OUTCOME_NOT_PENDING
        )
    if status is SettleStatus.NOT_FOUND:
        return quota_pb2.SETTLEMENT_OUTCOME_NOT_FOUND
    if status is SettleStatus.CONFLICT:
        return quota_pb2.SETTLEMENT_OUTCOME_WAS_RELEASED
    return quota_pb2.SETTLEMENT_OUTCOME_COMMITTED


def _provider_usage(
    report: ProviderUsage, crossings: Sequence[Crossing]
) -> quota_pb2.ProviderUsage:
    return quota_pb2.ProviderUsage(
        provider=report.provider,
        windows=[_window_usage(item) for item in report.windows],
        warning_level=_LEVELS[worst_level(report.windows)],
        crossings=[_crossing(item) for item in crossings],
    )


def _tenant_usage(report: TenantUsage, crossings: Sequence[Crossing]) -> quota_pb2.TenantUsage:
    return quota_pb2.TenantUsage(
        tenant=report.tenant,
        windows=[_window_usage(item) for item in report.windows],
        warning_level=_LEVELS[worst_level(report.windows)],
        crossings=[_crossing(item) for item in crossings],
    )


def _window_usage(usage: WindowUsage) -> quota_pb2.WindowUsage:
    message = quota_pb2.WindowUsage(
        window=_WINDOWS[usage.window],
        metric=_METRICS[usage.metric],
        used=usage.used,
        limit=usage.limit,
        percent=usage.percent,
        warning_level=_LEVELS[usage.warning_level],
        window_start=timestamp(usage.window_start),
        window_end=timestamp(usage.window_end),
        projected_use=usage.projected_use,
        prediction_points=usage.prediction_points,
        prediction_confidence=usage.prediction_confidence,
    )
    if usage.projected_exhaustion is not None:
        message.projected_exhaustion_time.CopyFrom(timestamp(usage.projected_exhaustion))
    return message


def _violation(provider: str, violation: Violation, tenant: str) -> quota_pb2.QuotaViolation:
    """The violation of a provider's limit, or of the tenant's when tenant is set."""
    usage = violation.usage
    owner = f"tenants/{tenant}" if tenant else f"providers/{provider}"
    who = f"tenant {tenant}" if tenant else provider
    return quota_pb2.QuotaViolation(
        subject=f"{owner}/windows/{usage.window.value}/metrics/{usage.metric.value}",
        description=(
            f"{who} {usage.window.value} {usage.metric.value}: {usage.used} of "
            f"{usage.limit} used, {violation.requested} more asked"
        ),
        tenant=tenant,
        window=_WINDOWS[usage.window],
        metric=_METRICS[usage.metric],
        limit=usage.limit,
        used=usage.used,
        requested=violation.requested,
        window_end=timestamp(usage.window_end),
    )


def _crossing(crossing: Crossing) -> quota_pb2.WarningCrossing:
    tenant = tenant_of(crossing.scope)
    return quota_pb2.WarningCrossing(
        provider="" if tenant is not None else crossing.scope,
        tenant=tenant or "",
        window=_WINDOWS[Window(crossing.window)],
        metric=_METRICS[Metric(crossing.metric)],
        level=_LEVELS[WarningLevel(int(crossing.level))],
        used=crossing.used,
        limit=crossing.limit,
        window_start=timestamp(crossing.start),
        crossed_at=timestamp(crossing.at),
        sequence=crossing.seq,
    )


def _count_violations(
    path: str, value: int, most: int = MAX_TOKENS_PER_CALL
) -> list[FieldViolation]:
    """A count must lie in [0, most]: a negative one is no usage, a huge one would overflow the
    windows' sums in the store."""
    if 0 <= value <= most:
        return []
    return [FieldViolation(path, f"must be from 0 to {most}")]
