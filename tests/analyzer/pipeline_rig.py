"""The pipeline test rig: fakes of the quota and health ports and of the providers, and a
pipeline over them on a real SQLite store."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

from sanad_analyzer.deadline import Deadline
from sanad_analyzer.hedging import HedgePolicy
from sanad_analyzer.memory.degradation import DegradationStore
from sanad_analyzer.memory.entries import StoredAnswers
from sanad_analyzer.memory.idempotency import IdempotencyCache
from sanad_analyzer.pipeline import AnalysisPipeline
from sanad_analyzer.ports import (
    AttemptOutcome,
    ProviderOrder,
    QuotaDecision,
    Reservation,
    TenantOverQuota,
)
from sanad_analyzer.prompt import AnalysisPrompt
from sanad_analyzer.providers.base import ProviderAnswer, ProviderError
from sanad_analyzer.retry import RetryPolicy
from sanad_analyzer.rules.review import RuleReview
from sanad_common.storage import open_store
from tests.analyzer.providers.support import valid_analysis


@dataclass
class FakeProvider:
    """Fails with the queued errors in turn, then answers."""

    name: str
    failures: list[ProviderError] = field(default_factory=list)
    model: str = "fake-model"
    calls: int = 0
    delay: float = 0.0
    """Seconds before each answer (a slow provider)."""

    async def analyze(self, prompt: AnalysisPrompt, *, timeout: float) -> ProviderAnswer:  # noqa: ASYNC109
        self.calls += 1
        await asyncio.sleep(self.delay)
        if self.failures:
            raise self.failures.pop(0)
        return ProviderAnswer(valid_analysis(), self.model, 10, 20)

    def estimate_tokens(self, prompt: AnalysisPrompt) -> int:
        return 100

    async def aclose(self) -> None:
        return None


@dataclass
class FakeQuota:
    """Grants everything except the providers in ``denied``; records settlements."""

    denied: set[str] = field(default_factory=set)
    tenants_over: set[str] = field(default_factory=set)
    """Tenants whose own quota refuses every reservation."""
    tenants: list[str] = field(default_factory=list)
    """The tenant of each reservation asked for, in order."""
    committed: list[tuple[str, int]] = field(default_factory=list)
    released: list[str] = field(default_factory=list)
    withdrawn: list[tuple[str, str]] = field(default_factory=list)
    """(provider, idempotency key) of each attempt that withdrew its Reserve."""
    keys: list[str] = field(default_factory=list)
    """The idempotency key of each reservation asked for, in order."""
    reserve_delay: dict[str, float] = field(default_factory=dict)
    """Seconds a provider's Reserve takes before its answer."""
    unanswered: set[str] = field(default_factory=set)
    """Providers whose Reserve quota does not answer in time (the safe budget refuses)."""

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
        self.tenants.append(tenant)
        self.keys.append(idempotency_key)
        await asyncio.sleep(self.reserve_delay.get(provider, 0.0))
        if provider in self.unanswered:
            return QuotaDecision(reason="quota unavailable, safe budget 0", local=True)
        if tenant in self.tenants_over:
            return QuotaDecision(
                reason="hour requests limit reached (3/3)",
                retry_after=120.0,
                tenant_over=TenantOverQuota(
                    tenant,
                    ((f"tenants/{tenant}/windows/hour/metrics/requests", "3 of 3 used"),),
                    120.0,
                ),
            )
        if provider in self.denied:
            return QuotaDecision(reason="daily requests limit reached (1/1)")
        return QuotaDecision(Reservation(f"r-{provider}"))

    async def commit(self, reservation: Reservation, tokens: int) -> None:
        self.committed.append((reservation.id, tokens))

    async def release(self, reservation: Reservation) -> None:
        self.released.append(reservation.id)

    async def withdraw(self, provider: str, idempotency_key: str, tenant: str = "") -> None:
        self.withdrawn.append((provider, idempotency_key))


@dataclass
class FakeHealth:
    """A fixed order; records every reported outcome."""

    order: ProviderOrder
    reports: list[AttemptOutcome] = field(default_factory=list)

    async def provider_order(self, deadline: Deadline | None) -> ProviderOrder:
        return self.order

    async def report(self, outcome: AttemptOutcome, deadline: Deadline | None) -> None:
        self.reports.append(outcome)


@dataclass
class Rig:
    pipeline: AnalysisPipeline
    quota: FakeQuota
    health: FakeHealth
    providers: dict[str, FakeProvider]


@contextlib.asynccontextmanager
async def open_rig(tmp_path: Path, rules: RuleReview | None = None) -> AsyncIterator[Rig]:
    """A pipeline over two fake providers (primary, secondary) and an SQLite store."""
    store = await open_store(f"sqlite:///{tmp_path / 'store.db'}")
    providers = {"primary": FakeProvider("primary"), "secondary": FakeProvider("secondary")}
    quota = FakeQuota()
    stored = StoredAnswers(store, ttl=60)
    health = FakeHealth(ProviderOrder(available=("primary", "secondary")))
    pipeline = AnalysisPipeline(
        providers=providers,
        quota=quota,
        health=health,
        store=store,
        stored_answers=stored,
        idempotency=IdempotencyCache(store, stored, ttl=60, analysis_ttl=60),
        degradation=DegradationStore(store, stored, ttl=60),
        degradation_enabled=False,
        default_deadline=10.0,
        deadline_margin=0.1,
        retry=RetryPolicy(retries=1, backoff=0.01, backoff_max=0.02),
        hedging=HedgePolicy(always=False, fallback_delay=0.05),
        rules=rules,
    )
    yield Rig(pipeline, quota, health, providers)
    await pipeline.aclose()
    await store.aclose()
