"""The local safe budget: its size from the settings, and the quota client spending from it
when the quota service cannot be reached (nothing listens on its address)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiosqlite
import grpc
import pytest

from sanad_analyzer.downstream import QuotaGateway
from sanad_analyzer.downstream.safe_budget import SafeBudget, safe_limit
from sanad_analyzer.downstream.spend_journal import BudgetLimit, SpendJournal, WindowUse
from sanad_common.config import ProviderLimits, ProviderSettings, Settings, load_settings
from sanad_launcher.ports import free_port

OPENAI = ProviderSettings(
    name="openai",
    kind="openai",
    model="gpt-4o-mini",
    limits=ProviderLimits(hourly_requests=200, hourly_tokens=200_000),
)


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({}, BudgetLimit(10, 10_000)),
        ({"quota_safe_fraction": 0.0}, BudgetLimit(0, 0)),
        ({"quota_safe_requests": 0}, BudgetLimit(0, 10_000)),
        ({"quota_safe_requests": -1, "quota_safe_tokens": 7}, BudgetLimit(-1, 7)),
        ({"quota_safe_fraction": 0.0001}, BudgetLimit(1, 20)),
    ],
)
def test_the_safe_budget_is_a_fraction_of_the_hourly_limit_unless_set(
    overrides: dict[str, Any], expected: BudgetLimit
) -> None:
    assert safe_limit(load_settings(**overrides), OPENAI) == expected


def test_an_unlimited_hourly_limit_gives_an_unlimited_safe_budget() -> None:
    unlimited = OPENAI.model_copy(update={"limits": ProviderLimits(hourly_requests=-1)})

    assert safe_limit(Settings(), unlimited).requests == -1


@pytest.fixture
async def journal(tmp_path: Path) -> AsyncIterator[SpendJournal]:
    opened = await SpendJournal.open(tmp_path / "spends.db")
    yield opened
    await opened.aclose()


@pytest.fixture
async def dead_quota() -> AsyncIterator[grpc.aio.Channel]:
    """A channel to an address where no quota service listens."""
    async with grpc.aio.insecure_channel(f"127.0.0.1:{free_port()}") as channel:
        yield channel


async def test_quota_unreachable_spends_the_safe_budget_then_refuses(
    journal: SpendJournal, dead_quota: grpc.aio.Channel
) -> None:
    budget = SafeBudget(
        journal, {"openai": BudgetLimit(2, 10_000)}, interval=3600, analyzer_id="test"
    )
    gateway = QuotaGateway(dead_quota, 0.5, budget)

    decisions = [await gateway.reserve("openai", 100, f"r{n}", None) for n in range(3)]
    granted = [decision.reservation for decision in decisions]
    assert granted[0] is not None and granted[1] is not None
    await gateway.commit(granted[0], 70)
    await gateway.release(granted[1])
    pending = await journal.unreported(10)

    assert [(d.allowed, d.local) for d in decisions] == [(True, True), (True, True), (False, True)]
    assert granted[0].local
    assert "safe budget is spent" in decisions[2].reason
    assert [(s.provider, s.tokens) for s in pending] == [("openai", 70)]
    assert await journal.used("openai", budget.window_start(pending[0].spent_at)) == WindowUse(
        1, 70
    )


async def test_a_zero_safe_budget_fails_closed(
    journal: SpendJournal, dead_quota: grpc.aio.Channel
) -> None:
    budget = SafeBudget(journal, {"openai": BudgetLimit(0, 0)}, interval=3600, analyzer_id="test")
    gateway = QuotaGateway(dead_quota, 0.5, budget)

    decision = await gateway.reserve("openai", 100, "r", None)

    assert (decision.allowed, decision.local) == (False, True)
    assert "safe budget is 0" in decision.reason
    assert await journal.backlog() == 0


async def test_a_provider_without_a_budget_fails_closed(
    journal: SpendJournal, dead_quota: grpc.aio.Channel
) -> None:
    budget = SafeBudget(journal, {}, interval=3600, analyzer_id="test")

    decision = await QuotaGateway(dead_quota, 0.5, budget).reserve("gemini", 1, "r", None)

    assert not decision.allowed


async def test_a_tenant_spends_its_own_safe_budget_beside_the_providers(
    journal: SpendJournal, dead_quota: grpc.aio.Channel
) -> None:
    budget = SafeBudget(
        journal,
        {"openai": BudgetLimit(10, 10_000)},
        interval=3600,
        analyzer_id="test",
        tenant_limits={"shop-a": BudgetLimit(1, 10_000)},
    )
    gateway = QuotaGateway(dead_quota, 0.5, budget)

    first = await gateway.reserve("openai", 100, "r1", None, "shop-a")
    second = await gateway.reserve("openai", 100, "r2", None, "shop-a")
    other = await gateway.reserve("openai", 100, "r3", None, "shop-b")
    assert first.reservation is not None
    await gateway.commit(first.reservation, 60)
    pending = await journal.unreported(10)

    assert (first.allowed, second.allowed, other.allowed) == (True, False, True)
    assert "tenant shop-a" in second.reason
    assert [(spend.tenant, spend.tokens) for spend in pending] == [("shop-a", 60)]


async def test_a_journal_from_before_tenants_opens_with_its_spends(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    async with aiosqlite.connect(path) as db:
        await db.execute(
            "CREATE TABLE spends (spend_id TEXT PRIMARY KEY, provider TEXT NOT NULL,"
            " requests INTEGER NOT NULL, tokens INTEGER NOT NULL, spent_at REAL NOT NULL,"
            " window_start REAL NOT NULL, settled INTEGER NOT NULL DEFAULT 0,"
            " reported INTEGER NOT NULL DEFAULT 0)"
        )
        await db.execute("INSERT INTO spends VALUES ('s1', 'openai', 1, 5, 10.0, 0.0, 1, 0)")
        await db.commit()

    journal = await SpendJournal.open(path)
    try:
        (spend,) = await journal.unreported(10)
    finally:
        await journal.aclose()

    assert (spend.spend_id, spend.tenant) == ("s1", "")
