"""Per-tenant quotas on every real store: a tenant's limit holds across replicas beside the
provider's, refuses before the provider's windows are touched, leaves other tenants alone, and
settles, expires and records with the provider's reservation."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from sanad_common.config import ProviderLimits
from sanad_common.storage import Store
from sanad_common.tenancy import TenantDirectory
from sanad_quota.ledger import OTHER_TENANTS, QuotaLedger, Spend, UnknownTenantError
from sanad_quota.metrics import QuotaMetrics
from sanad_quota.usage import Metric, Window, WindowUsage
from tests.quota.conftest import mid_hour, quota_settings
from tests.support.services import FakeClock, MeterProbe
from tests.support.tenants import KeyedTenant, tenant_directory

SHOP_A = KeyedTenant("shop-a", limits={"hourly_requests": 3, "daily_tokens": 1000})
SHOP_B = KeyedTenant("shop-b", limits={"hourly_requests": 3})
UNLIMITED = ProviderLimits(daily_requests=-1, daily_tokens=-1, hourly_requests=-1, hourly_tokens=-1)


def used(usage: tuple[WindowUsage, ...], window: Window, metric: Metric) -> int:
    return next(item.used for item in usage if item.window is window and item.metric is metric)


@pytest.fixture
def tenants(tmp_path: Path) -> TenantDirectory:
    return tenant_directory(tmp_path, SHOP_A, SHOP_B)


def ledger(
    store: Store,
    tenants: TenantDirectory,
    provider: ProviderLimits = UNLIMITED,
    clock: FakeClock | None = None,
) -> QuotaLedger:
    settings = quota_settings(openai=provider, quota_reservation_ttl=60, default_deadline=60)
    if clock is None:
        return QuotaLedger(store, settings, tenants=tenants)
    return QuotaLedger(store, settings, tenants=tenants, clock=clock)


async def test_a_tenant_over_its_limit_is_refused_across_replicas_and_others_are_not(
    store: Store, twin_store: Store, tenants: TenantDirectory
) -> None:
    replicas = [ledger(store, tenants), ledger(twin_store, tenants)]

    results = await asyncio.gather(
        *(replicas[index % 2].reserve("openai", 10, tenant="shop-a") for index in range(8))
    )
    other = await replicas[1].reserve("openai", 10, tenant="shop-b")

    granted = [result for result in results if result.allowed]
    denied = [result for result in results if not result.allowed]
    assert len(granted) == 3
    assert all(
        result.reservation_id.endswith(".shop-a") for result in granted if result.reservation_id
    )
    assert {result.denied_tenant for result in denied} == {"shop-a"}
    assert {
        (violation.usage.window, violation.usage.metric, violation.usage.limit)
        for result in denied
        for violation in result.violations
    } == {(Window.HOUR, Metric.REQUESTS, 3)}
    assert all(result.retry_after is not None and result.retry_after > 0 for result in denied)
    assert other.allowed
    provider = (await replicas[0].usage("openai")).windows
    assert used(provider, Window.HOUR, Metric.REQUESTS) == 4  # shop-a's 3 and shop-b's 1
    shop_a = (await replicas[0].tenant_usage("shop-a")).windows
    assert used(shop_a, Window.HOUR, Metric.REQUESTS) == 3
    assert used(shop_a, Window.DAY, Metric.TOKENS) == 30


async def test_settling_a_reservation_settles_the_tenants_too(
    store: Store, tenants: TenantDirectory
) -> None:
    quota = ledger(store, tenants)
    kept = await quota.reserve("openai", 100, tenant="shop-a")
    given_back = await quota.reserve("openai", 100, tenant="shop-a")
    assert kept.reservation_id and given_back.reservation_id

    await quota.commit(kept.reservation_id, 40)
    assert await quota.release(given_back.reservation_id)
    assert not await quota.release(given_back.reservation_id)

    for usage in (
        (await quota.usage("openai")).windows,
        (await quota.tenant_usage("shop-a")).windows,
    ):
        assert used(usage, Window.HOUR, Metric.REQUESTS) == 1
        assert used(usage, Window.DAY, Metric.TOKENS) == 40


async def test_a_provider_without_room_gives_the_tenants_room_back(
    store: Store, tenants: TenantDirectory
) -> None:
    quota = ledger(store, tenants, provider=UNLIMITED.model_copy(update={"hourly_requests": 1}))
    first = await quota.reserve("openai", 10, tenant="shop-a")
    second = await quota.reserve("openai", 10, tenant="shop-a")

    assert first.allowed and not second.allowed
    assert second.denied_tenant == ""
    shop_a = (await quota.tenant_usage("shop-a")).windows
    assert used(shop_a, Window.HOUR, Metric.REQUESTS) == 1


async def test_a_repeated_reserve_counts_once_for_the_tenant(
    store: Store, tenants: TenantDirectory
) -> None:
    quota = ledger(store, tenants)
    first = await quota.reserve("openai", 10, tenant="shop-a", idempotency_key="req-1:0")
    again = await quota.reserve("openai", 10, tenant="shop-a", idempotency_key="req-1:0")

    assert first.reservation_id == again.reservation_id
    shop_a = (await quota.tenant_usage("shop-a")).windows
    assert used(shop_a, Window.HOUR, Metric.REQUESTS) == 1


async def test_the_sweep_gives_an_expired_reservation_back_to_the_tenant(
    store: Store, tenants: TenantDirectory
) -> None:
    clock = FakeClock(mid_hour())
    quota = ledger(store, tenants, clock=clock)
    await quota.reserve("openai", 10, tenant="shop-a")
    clock.advance(61)

    assert await quota.sweep() == 2  # the provider's record and the tenant's

    shop_a = (await quota.tenant_usage("shop-a")).windows
    assert used(shop_a, Window.HOUR, Metric.REQUESTS) == 0


async def test_a_spend_made_without_quota_counts_once_in_the_tenants_windows(
    store: Store, tenants: TenantDirectory
) -> None:
    clock = FakeClock(mid_hour())
    quota = ledger(store, tenants, clock=clock)
    spend = Spend("s-1", "openai", 1, 25, clock(), tenant="shop-a")

    await quota.record([spend])
    repeated = await quota.record([spend])

    assert repeated.duplicates == ("s-1",)
    shop_a = (await quota.tenant_usage("shop-a")).windows
    assert used(shop_a, Window.HOUR, Metric.REQUESTS) == 1
    assert used(shop_a, Window.DAY, Metric.TOKENS) == 25


async def test_a_tenant_without_an_entry_counts_only_the_provider(
    store: Store, tenants: TenantDirectory
) -> None:
    quota = ledger(store, tenants)
    result = await quota.reserve("openai", 10, tenant="walk-in")

    assert result.allowed and result.reservation_id and result.reservation_id.count(".") == 1
    with pytest.raises(UnknownTenantError):
        await quota.tenant_usage("walk-in")


async def test_resetting_a_tenant_leaves_the_provider_alone(
    store: Store, tenants: TenantDirectory
) -> None:
    quota = ledger(store, tenants)
    for _ in range(3):
        await quota.reserve("openai", 10, tenant="shop-a")

    after = await quota.reset_tenant("shop-a", tuple(Window))

    assert used(after.windows, Window.HOUR, Metric.REQUESTS) == 0
    assert (await quota.reserve("openai", 10, tenant="shop-a")).allowed
    provider = (await quota.usage("openai")).windows
    assert used(provider, Window.HOUR, Metric.REQUESTS) == 4


async def test_tenant_metrics_name_the_first_tenants_and_count_the_rest_as_other(
    store: Store, tenants: TenantDirectory
) -> None:
    """The tenant label stays bounded however many tenants the file lists."""
    probe = MeterProbe()
    settings = quota_settings(openai=UNLIMITED, tenant_metric_labels=1)
    counted = QuotaLedger(store, settings, tenants=tenants, metrics=QuotaMetrics(probe.meter))
    for tenant in ("shop-a", "shop-b"):
        for _ in range(4):
            await counted.reserve("openai", 10, tenant=tenant)

    points = probe.read()
    tenant_labels = {
        dict(attributes)["tenant"]
        for (name, attributes) in points
        if name.startswith("sanad_quota_tenant_")
    }
    hour_requests = frozenset({"tenant": "shop-a", "window": "hour", "metric": "requests"}.items())
    assert tenant_labels == {"shop-a", OTHER_TENANTS}
    assert points[("sanad_quota_tenant_used", hour_requests)] == 3
    assert (
        points[
            (
                "sanad_quota_tenant_reservations",
                frozenset({"tenant": OTHER_TENANTS, "outcome": "denied"}.items()),
            )
        ]
        == 1
    )
    assert not any(
        name == "sanad_quota_tenant_used" and dict(attributes)["tenant"] == OTHER_TENANTS
        for (name, attributes) in points
    ), "a sum of several tenants' use would mean nothing"
