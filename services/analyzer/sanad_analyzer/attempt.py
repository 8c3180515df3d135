"""One provider's turn on the request path: reserve quota, call, settle, report to health,
and retry once where the error class allows it. The pipeline decides the order; this decides
nothing about other providers."""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import structlog

from sanad.analyzer.v1 import analyzer_pb2
from sanad_analyzer.attempt_log import AttemptLog
from sanad_analyzer.deadline import Deadline
from sanad_analyzer.instrumentation import observed_attempt
from sanad_analyzer.ports import (
    AttemptOutcome,
    HealthPort,
    QuotaDecision,
    QuotaPort,
    Reservation,
    TenantOverQuota,
)
from sanad_analyzer.providers.base import Provider, ProviderAnswer, ProviderError
from sanad_analyzer.request import AnalysisRequest
from sanad_analyzer.retry import RetryPolicy
from sanad_analyzer.settlements import Settlements
from sanad_common.error_class import ErrorClass

log = structlog.get_logger(__name__)

HEDGE_LOST = "hedge lost"
"""Cancellation message of an attempt another provider's answer made unnecessary."""
NOT_BILLED = frozenset(
    {
        ErrorClass.QUOTA_EXCEEDED,
        ErrorClass.RATE_LIMITED,
        ErrorClass.AUTHENTICATION,
        ErrorClass.SERVICE_CRASH,
    }
)
"""Failures where the provider refused the call, so its reservation is given back; after the
others (timeout, invalid answer, unknown) the provider may have billed, so the estimate stays."""


@dataclass(frozen=True)
class AttemptResult:
    """How one provider's turn ended."""

    answer: ProviderAnswer | None = None
    """The valid answer, if the provider gave one."""
    out_of_time: bool = False
    """True if the caller's deadline ended the turn."""
    tenant_over: TenantOverQuota | None = None
    """The tenant's own quota refused: no provider may be asked for it."""


class ProviderAttempt:
    """Runs one provider's turn against the quota and health ports."""

    def __init__(
        self,
        quota: QuotaPort,
        health: HealthPort,
        settlements: Settlements,
        retry: RetryPolicy,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self._quota = quota
        self._health = health
        self._settlements = settlements
        self._retry = retry
        self._jitter = jitter

    async def run(
        self,
        provider: Provider,
        request: AnalysisRequest,
        deadline: Deadline,
        providers_left: int,
        attempts: AttemptLog,
    ) -> AttemptResult:
        """The provider's answer, retried where its error class allows it and the wait fits in
        the deadline."""
        estimate = provider.estimate_tokens(request.prompt)
        retries = 0
        while True:
            if deadline.expired():
                return AttemptResult(out_of_time=True)
            decision = await self._reserve(provider.name, estimate, request, deadline, attempts)
            if decision.reservation is None:
                return AttemptResult(tenant_over=decision.tenant_over)
            try:
                answer = await self.call(
                    provider,
                    request,
                    deadline=deadline,
                    providers_left=providers_left,
                    reservation=decision.reservation,
                    estimate=estimate,
                    attempts=attempts,
                )
            except ProviderError as error:
                if not self._retry.allows(error.error_class, retries):
                    return AttemptResult()
                wait = self._retry.wait(retries, error.retry_after, self._jitter())
                if not deadline.allows(wait):
                    return AttemptResult()
                retries += 1
                log.info("retrying provider", provider=provider.name, wait=round(wait, 3))
                await asyncio.sleep(wait)
                continue
            return AttemptResult(answer=answer)

    async def _reserve(
        self,
        name: str,
        estimate: int,
        request: AnalysisRequest,
        deadline: Deadline,
        attempts: AttemptLog,
    ) -> QuotaDecision:
        """Reserve under a key of this attempt's own. If the attempt gives the Reserve up (quota
        did not answer in time, or the attempt was cancelled: a lost hedge, a caller gone),
        quota may still grant it; the key withdraws it at once, off the request path, so no
        slot waits for the sweep."""
        tenant = request.tenant
        key = uuid.uuid4().hex
        try:
            decision = await self._quota.reserve(
                name, estimate, attempts.request_id, deadline, tenant, idempotency_key=key
            )
        except asyncio.CancelledError:
            self._settlements.start(self._quota.withdraw(name, key, tenant))
            raise
        if decision.local:
            self._settlements.start(self._quota.withdraw(name, key, tenant))
        attempts.accounted_locally |= decision.local and decision.allowed
        if decision.tenant_over is not None:
            attempts.event(analyzer_pb2.STAGE_QUOTA_DENIED, decision.reason, name)
            log.warning("tenant quota denied", tenant=tenant, reason=decision.reason)
            return decision
        if decision.local and not decision.allowed:
            attempts.unaccountable(name, decision.reason)
            return decision
        if decision.allowed:
            attempts.event(analyzer_pb2.STAGE_QUOTA_RESERVED, "quota reserved", name)
            return decision
        attempts.failed(name, ErrorClass.QUOTA_EXCEEDED, 0.0, decision.reason, decision.retry_after)
        attempts.event(
            analyzer_pb2.STAGE_QUOTA_DENIED, decision.reason, name, ErrorClass.QUOTA_EXCEEDED
        )
        log.warning("quota denied", provider=name, reason=decision.reason)
        return decision

    async def call(
        self,
        provider: Provider,
        request: AnalysisRequest,
        *,
        deadline: Deadline,
        providers_left: int,
        reservation: Reservation,
        estimate: int,
        attempts: AttemptLog,
    ) -> ProviderAnswer:
        """One call under a granted reservation: settle it, report to health, log the attempt.

        Raises the ProviderError of a failed call, after all of that.
        """
        name = provider.name
        attempts.event(analyzer_pb2.STAGE_ATTEMPT_STARTED, f"calling {name}", name)
        started = time.monotonic()
        try:
            answer = await observed_attempt(
                name, _analyze(provider, request, deadline.share(providers_left))
            )
        except asyncio.CancelledError as cancelled:
            if cancelled.args == (HEDGE_LOST,):
                # Another provider answered first: this call is not billed by Sanad's quota.
                self._settlements.start(self._quota.release(reservation))
                attempts.cancelled(name, time.monotonic() - started)
            else:
                # The caller went away mid-call; the provider may still bill it.
                self._settlements.start(self._quota.commit(reservation, estimate))
            raise
        except ProviderError as error:
            latency = time.monotonic() - started
            self._settlements.start(
                self._quota.release(reservation)
                if error.error_class in NOT_BILLED
                else self._quota.commit(reservation, estimate)
            )
            attempts.failed(name, error.error_class, latency, error.message, error.retry_after)
            attempts.event(
                analyzer_pb2.STAGE_ATTEMPT_FAILED, error.message, name, error.error_class
            )
            log.warning(
                "provider attempt failed",
                provider=name,
                error_class=error.error_class.value,
                detail=error.message,
                latency=round(latency, 3),
            )
            await self._health.report(
                AttemptOutcome(name, latency, error.error_class, error.retry_after),
                deadline,
            )
            raise
        latency = time.monotonic() - started
        self._settlements.start(self._quota.commit(reservation, answer.total_tokens))
        await self._health.report(AttemptOutcome(name, latency), deadline)
        attempts.succeeded(name, latency)
        attempts.event(analyzer_pb2.STAGE_ATTEMPT_SUCCEEDED, f"{name} answered", name)
        return answer


async def _analyze(provider: Provider, request: AnalysisRequest, timeout: float) -> ProviderAnswer:  # noqa: ASYNC109
    """The provider's answer; anything an adapter lets escape is an UNKNOWN failure."""
    try:
        return await provider.analyze(request.prompt, timeout=max(timeout, 0.01))
    except (ProviderError, asyncio.CancelledError):
        raise
    except Exception as error:
        log.exception("provider adapter raised an unexpected error", provider=provider.name)
        raise ProviderError(
            ErrorClass.UNKNOWN, f"unexpected {type(error).__name__} from the adapter"
        ) from error
