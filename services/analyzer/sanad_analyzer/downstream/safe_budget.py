"""The local safe budget the analyzer spends from while the quota service cannot be asked.

Like Doorman's safe capacity: each analyzer replica may spend a small, configured budget per
provider and interval on its own, so N replicas together stay within a bound the operator
chose, and the suite keeps answering through a quota outage. Every spend is journaled on the
analyzer's side (``spend_journal``) and handed to the quota service with
``RecordUsage`` when it is back, so the windows' totals match what the providers were asked.

A tenant with limits has a safe budget of its own by the same rule (a share of its hourly
limits per interval), checked in the same journal transaction as the provider's.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import socket
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import grpc
import structlog
from opentelemetry import metrics
from opentelemetry.metrics import CallbackOptions, Observation

from sanad.quota.v1 import quota_pb2, quota_pb2_grpc
from sanad_analyzer.downstream.spend_journal import (
    KEEP_SECONDS,
    BudgetLimit,
    JournalUnavailableError,
    Spend,
    SpendJournal,
)
from sanad_common.config import ProviderLimits, ProviderSettings, Settings
from sanad_common.proto_time import timestamp
from sanad_common.tenancy import TenantDirectory

log = structlog.get_logger(__name__)
_meter = metrics.get_meter("sanad.analyzer")
_local_requests = _meter.create_counter(
    "sanad_quota_local_requests",
    description="Provider requests paid from the local safe budget, by provider and outcome",
)
_local_tokens = _meter.create_counter(
    "sanad_quota_local_tokens", description="Tokens estimated for calls paid from the safe budget"
)

RECONCILE_BATCH = 200
"""Spends handed to the quota service in one RecordUsage call."""


def safe_limit(settings: Settings, provider: ProviderSettings) -> BudgetLimit:
    """A provider's safe budget per interval: the explicit setting, else a fraction of its
    hourly limits (unlimited stays unlimited, a positive limit gives at least 1)."""
    return _budget(
        settings, provider.limits, settings.quota_safe_requests, settings.quota_safe_tokens
    )


def tenant_safe_limit(settings: Settings, limits: ProviderLimits) -> BudgetLimit:
    """A tenant's safe budget per interval: the same fraction of its own hourly limits."""
    return _budget(settings, limits, None, None)


def _budget(
    settings: Settings,
    limits: ProviderLimits,
    explicit_requests: int | None,
    explicit_tokens: int | None,
) -> BudgetLimit:

    def share(explicit: int | None, hourly: int) -> int:
        if explicit is not None:
            return explicit
        if hourly < 0:
            return -1
        scaled = math.floor(hourly * settings.quota_safe_fraction)
        return max(scaled, 1) if settings.quota_safe_fraction > 0 and hourly > 0 else scaled

    return BudgetLimit(
        requests=share(explicit_requests, limits.hourly_requests),
        tokens=share(explicit_tokens, limits.hourly_tokens),
    )


@dataclass(frozen=True)
class LocalGrant:
    """The safe budget's answer to one attempt."""

    spend_id: str
    """The journal's id of the spend when granted, else empty."""
    reason: str
    """Why not, when refused."""


class SafeBudget:
    """Spends from the local budget, journals them, and reconciles them with quota."""

    def __init__(
        self,
        journal: SpendJournal,
        limits: Mapping[str, BudgetLimit],
        *,
        interval: float,
        analyzer_id: str,
        clock: Callable[[], float] = time.time,
        tenant_limits: Mapping[str, BudgetLimit] | None = None,
    ) -> None:
        self._journal = journal
        self._limits = dict(limits)
        self._tenant_limits = dict(tenant_limits or {})
        self._interval = interval
        self._analyzer_id = analyzer_id
        self._clock = clock
        self._backlog = 0
        self._reconciler: asyncio.Task[None] | None = None
        _meter.create_observable_gauge(
            "sanad_quota_local_backlog",
            callbacks=[self._observe_backlog],
            description="Spends from the safe budget not yet reported to the quota service",
        )

    def _observe_backlog(self, _: CallbackOptions) -> list[Observation]:
        return [Observation(self._backlog)]

    def window_start(self, at: float) -> float:
        """Start of the budget interval containing at."""
        return math.floor(at / self._interval) * self._interval

    async def spend(
        self, provider: str, tokens: int, request_id: str, tenant: str = ""
    ) -> LocalGrant:
        """Take one request and the token estimate from the provider's budget (and the
        tenant's, when it has one), if it fits."""
        limit = self._limits.get(provider, BudgetLimit(0, 0))
        tenant_limit = self._tenant_limits.get(tenant)
        if limit.closed or (tenant_limit is not None and tenant_limit.closed):
            return LocalGrant("", "quota service unreachable and the local safe budget is 0")
        now = self._clock()
        spend = Spend(
            f"{request_id}:{provider}:{uuid.uuid4().hex[:8]}", provider, 1, tokens, now, tenant
        )
        try:
            use = await self._journal.try_spend(spend, self.window_start(now), limit, tenant_limit)
        except JournalUnavailableError as error:
            log.error("spend journal unavailable, attempt refused", error=str(error))
            return LocalGrant("", "quota service unreachable and the spend journal is locked")
        if use is None:
            _local_requests.add(1, {"provider": provider, "outcome": "refused"})
            budgets = f"{limit.requests} requests, {limit.tokens} tokens per interval"
            if tenant_limit is not None:
                budgets += f"; tenant {tenant}: {tenant_limit.requests}, {tenant_limit.tokens}"
            return LocalGrant(
                "", f"quota service unreachable and the local safe budget is spent ({budgets})"
            )
        self._backlog += 1
        _local_requests.add(1, {"provider": provider, "outcome": "spent"})
        _local_tokens.add(tokens, {"provider": provider})
        log.warning(
            "quota unreachable: attempt paid from the local safe budget",
            provider=provider,
            spend_id=spend.spend_id,
            requests_used=use.requests,
            requests_budget=limit.requests,
            tokens_used=use.tokens,
            tokens_budget=limit.tokens,
        )
        return LocalGrant(spend.spend_id, "")

    async def settle(self, spend_id: str, tokens: int) -> None:
        """Record the tokens a locally paid attempt really used."""
        await self._journal.settle(spend_id, tokens)

    async def cancel(self, spend_id: str) -> None:
        """Give back a locally paid attempt the provider refused."""
        await self._journal.cancel(spend_id)

    async def reconcile(
        self, stub: quota_pb2_grpc.QuotaServiceAsyncStub, rpc_timeout: float
    ) -> int:
        """Hand settled spends to the quota service; how many it accepted (new or repeats).

        Raises grpc.aio.AioRpcError when quota cannot take them; they stay for next time.
        """
        accepted = 0
        while True:
            pending = await self._journal.unreported(RECONCILE_BATCH)
            if not pending:
                break
            response = await stub.RecordUsage(
                quota_pb2.RecordUsageRequest(
                    spends=[
                        quota_pb2.LocalSpend(
                            spend_id=spend.spend_id,
                            provider=spend.provider,
                            requests=spend.requests,
                            tokens=spend.tokens,
                            spent_at=timestamp(spend.spent_at),
                            analyzer_id=self._analyzer_id,
                            tenant=spend.tenant,
                        )
                        for spend in pending
                    ]
                ),
                timeout=rpc_timeout,
            )
            done = [*response.recorded, *response.duplicates]
            await self._journal.mark_reported(done, self._clock() - KEEP_SECONDS)
            accepted += len(done)
            if len(done) < len(pending):
                break
        self._backlog = await self._journal.backlog()
        if accepted:
            log.info("local spends reconciled with quota", spends=accepted)
        return accepted

    def start_reconciling(
        self, stub: quota_pb2_grpc.QuotaServiceAsyncStub, rpc_timeout: float, interval: float
    ) -> None:
        """Reconcile in the background every interval until aclose()."""
        self._reconciler = asyncio.create_task(
            self._reconcile_forever(stub, rpc_timeout, interval), name="reconcile-local-spends"
        )

    @property
    def open(self) -> bool:
        """True when some provider may be paid from the safe budget (it is not all 0)."""
        return any(not limit.closed for limit in self._limits.values())

    async def aclose(self) -> None:
        """Stop reconciling and close the journal."""
        if self._reconciler is not None:
            self._reconciler.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reconciler
        await self._journal.aclose()

    async def _reconcile_forever(
        self, stub: quota_pb2_grpc.QuotaServiceAsyncStub, rpc_timeout: float, interval: float
    ) -> None:
        while True:
            try:
                await self.reconcile(stub, rpc_timeout)
            except grpc.aio.AioRpcError as error:
                log.debug("reconciliation postponed", code=error.code().name)
            except JournalUnavailableError as error:
                log.warning("reconciliation postponed", error=str(error))
            await asyncio.sleep(interval)


async def open_safe_budget(
    settings: Settings, quota_channel: grpc.aio.Channel, tenants: TenantDirectory | None = None
) -> SafeBudget:
    """The analyzer's safe budget from its settings (and the tenants' limits), reconciling
    through quota_channel."""
    journal = await SpendJournal.open(
        Path(settings.quota_journal_path or f"var/analyzer-{settings.analyzer_port}-spends.db")
    )
    budget = SafeBudget(
        journal,
        {provider.name: safe_limit(settings, provider) for provider in settings.provider_list()},
        interval=settings.quota_safe_interval,
        analyzer_id=settings.analyzer_id or f"{socket.gethostname()}:{settings.analyzer_port}",
        tenant_limits={
            tenant.id: tenant_safe_limit(settings, tenant.limits) for tenant in tenants or ()
        },
    )
    budget.start_reconciling(
        quota_pb2_grpc.QuotaServiceStub(quota_channel),
        settings.downstream_timeout,
        settings.quota_reconcile_interval,
    )
    return budget
