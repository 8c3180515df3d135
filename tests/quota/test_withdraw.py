"""Withdrawing an attempt's reservation by its idempotency key, on every real store: a reservation
granted to an attempt that gave up is released at once, in the provider's windows and the
tenant's; a Reserve that arrives after its withdrawal counts nothing; withdrawals and Reserves
of one key racing over two replicas never leave a slot held."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from sanad_common.config import ProviderLimits
from sanad_common.storage import Store
from sanad_common.tenancy import TenantDirectory
from sanad_quota.ledger import QuotaLedger, ReservationWithdrawnError
from sanad_quota.usage import Metric, Window, WindowUsage
from tests.quota.conftest import quota_settings
from tests.support.tenants import KeyedTenant, tenant_directory

SHOP = KeyedTenant("shop-a", limits={"hourly_requests": 5})
LIMIT = ProviderLimits(hourly_requests=4, daily_requests=-1, daily_tokens=-1, hourly_tokens=-1)


def used(usage: tuple[WindowUsage, ...], window: Window, metric: Metric) -> int:
    return next(item.used for item in usage if item.window is window and item.metric is metric)


@pytest.fixture
def tenants(tmp_path: Path) -> TenantDirectory:
    return tenant_directory(tmp_path, SHOP)


def ledger(store: Store, tenants: TenantDirectory) -> QuotaLedger:
    settings = quota_settings(openai=LIMIT, quota_reservation_ttl=60, default_deadline=60)
    return QuotaLedger(store, settings, tenants=tenants)


async def hour_requests(quota: QuotaLedger) -> tuple[int, int]:
    """Hourly requests used: the provider's, the tenant's."""
    provider = (await quota.usage("openai")).windows
    tenant = (await quota.tenant_usage(SHOP.id)).windows
    return used(provider, Window.HOUR, Metric.REQUESTS), used(tenant, Window.HOUR, Metric.REQUESTS)


async def test_a_withdrawal_after_reserve_releases_the_provider_and_tenant_windows(
    store: Store, tenants: TenantDirectory
) -> None:
    quota = ledger(store, tenants)
    granted = await quota.reserve("openai", 10, idempotency_key="attempt-1", tenant=SHOP.id)
    assert granted.allowed
    assert await hour_requests(quota) == (1, 1)

    withdrawal = await quota.withdraw("openai", "attempt-1", SHOP.id)
    again = await quota.withdraw("openai", "attempt-1", SHOP.id)

    assert (withdrawal.released, withdrawal.before_reserve) == (True, False)
    assert (again.released, again.before_reserve) == (False, False)
    assert await hour_requests(quota) == (0, 0)
    assert granted.reservation_id is not None
    assert not await quota.release(granted.reservation_id)  # nothing left to give back


async def test_a_reserve_arriving_after_its_withdrawal_counts_nothing(
    store: Store, tenants: TenantDirectory
) -> None:
    quota = ledger(store, tenants)

    withdrawal = await quota.withdraw("openai", "attempt-2", SHOP.id)
    with pytest.raises(ReservationWithdrawnError):
        await quota.reserve("openai", 10, idempotency_key="attempt-2", tenant=SHOP.id)
    other = await quota.reserve("openai", 10, idempotency_key="attempt-3", tenant=SHOP.id)

    assert (withdrawal.released, withdrawal.before_reserve) == (False, True)
    assert other.allowed
    assert await hour_requests(quota) == (1, 1)


async def test_a_reserve_refused_by_the_providers_tombstone_gives_the_tenants_room_back(
    store: Store, tenants: TenantDirectory
) -> None:
    """The withdrawal reached the provider's scope before the Reserve did, and the tenant's
    after it: the Reserve took the tenant's room, then found the provider's tombstone."""
    quota = ledger(store, tenants)
    await quota.withdraw("openai", "attempt-4")  # no tenant: only the provider's tombstone

    with pytest.raises(ReservationWithdrawnError):
        await quota.reserve("openai", 10, idempotency_key="attempt-4", tenant=SHOP.id)

    assert await hour_requests(quota) == (0, 0)


async def test_reserves_and_withdrawals_racing_on_two_replicas_hold_no_slot(
    store: Store, twin_store: Store, tenants: TenantDirectory
) -> None:
    """Every attempt gives up: whichever order its Reserve and withdrawal meet in, on
    whichever replica, nothing stays counted, and the limit is whole afterwards."""
    replicas = [ledger(store, tenants), ledger(twin_store, tenants)]

    async def give_up(index: int) -> None:
        key = f"race-{index}"
        reserve = replicas[index % 2].reserve("openai", 10, idempotency_key=key, tenant=SHOP.id)
        withdraw = replicas[(index + 1) % 2].withdraw("openai", key, SHOP.id)
        steps = (reserve, withdraw) if index % 3 else (withdraw, reserve)
        results = await asyncio.gather(*steps, return_exceptions=True)
        for result in results:
            if isinstance(result, BaseException) and not isinstance(
                result, ReservationWithdrawnError
            ):
                raise result

    await asyncio.gather(*(give_up(index) for index in range(40)))

    assert await hour_requests(replicas[0]) == (0, 0)
    granted = [await replicas[index % 2].reserve("openai", 1) for index in range(5)]
    assert [result.allowed for result in granted] == [True] * 4 + [False]
