"""The quota ledger on every real store: limits hold under concurrency, settlement is exactly
once, windows roll over, and warnings fire where they should."""

from __future__ import annotations

import asyncio
import time

import pytest
from structlog.testing import capture_logs

from sanad_common.config import ProviderLimits
from sanad_common.providers import UnknownProviderError
from sanad_common.storage import Store
from sanad_quota.ledger import (
    QuotaLedger,
    ReservationNotFoundError,
    ReservationReleasedError,
    Spend,
)
from sanad_quota.storage import quota_store
from sanad_quota.storage.port import ReservationState
from sanad_quota.usage import Metric, WarningLevel, Window, WindowUsage
from tests.quota.conftest import mid_hour, quota_settings
from tests.support.services import FakeClock

UNLIMITED = ProviderLimits(daily_requests=-1, daily_tokens=-1, hourly_requests=-1, hourly_tokens=-1)


def limits(**values: int) -> ProviderLimits:
    """Unlimited except for the given limits."""
    return UNLIMITED.model_copy(update=values)


def used(usage: tuple[WindowUsage, ...], window: Window, metric: Metric) -> int:
    return next(item.used for item in usage if item.window is window and item.metric is metric)


def hour_end_soon() -> float:
    """One second before an hour that ends within two hours and is not the end of a day."""
    hour = int(time.time()) // 3600 * 3600
    return next(end - 1.0 for end in (hour + 3600, hour + 7200) if end % 86_400)


def day_end_soon() -> float:
    """One second before the current UTC day ends."""
    return int(time.time()) // 86_400 * 86_400 + 86_400 - 1.0


async def test_concurrent_reserves_never_exceed_the_limit(store: Store, twin_store: Store) -> None:
    settings = quota_settings(openai=limits(hourly_requests=10))
    replicas = [QuotaLedger(store, settings), QuotaLedger(twin_store, settings)]

    results = await asyncio.gather(
        *(replicas[index % 2].reserve("openai", 5) for index in range(30))
    )

    assert sum(result.allowed for result in results) == 10
    usage = (await replicas[0].usage("openai")).windows
    assert used(usage, Window.HOUR, Metric.REQUESTS) == 10
    assert used(usage, Window.HOUR, Metric.TOKENS) == 50
    denied = [result for result in results if not result.allowed]
    assert all(result.reservation_id is None for result in denied)
    assert {
        (result.denied_by.window, result.denied_by.metric)
        for result in denied
        if result.denied_by is not None
    } == {(Window.HOUR, Metric.REQUESTS)}


async def test_reserve_counts_one_request_and_the_tokens_in_every_window(store: Store) -> None:
    ledger = QuotaLedger(store, quota_settings())

    result = await ledger.reserve("openai", 120, "req-1")

    assert result.allowed
    assert result.reservation_id is not None
    assert result.reservation_id.startswith("openai.")
    assert {(item.window, item.metric, item.used) for item in result.usage} == {
        (window, metric, 1 if metric is Metric.REQUESTS else 120)
        for window in Window
        for metric in Metric
    }
    assert all(item.used == 0 for item in (await ledger.usage("gemini")).windows)


async def test_a_denial_applies_nothing_and_says_when_to_retry(store: Store) -> None:
    clock = FakeClock(hour_end_soon() - 59)
    ledger = QuotaLedger(store, quota_settings(openai=limits(hourly_tokens=1000)), clock=clock)
    assert (await ledger.reserve("openai", 600)).allowed

    denied = await ledger.reserve("openai", 600)

    assert not denied.allowed
    assert denied.denied_by is not None
    assert (denied.denied_by.window, denied.denied_by.metric) == (Window.HOUR, Metric.TOKENS)
    assert denied.denied_by.used == 600
    assert denied.retry_after == pytest.approx(60.0)
    assert used(denied.usage, Window.HOUR, Metric.REQUESTS) == 1
    assert used((await ledger.usage("openai")).windows, Window.DAY, Metric.TOKENS) == 600


async def test_a_granted_reserve_is_pending_a_refused_one_leaves_nothing(store: Store) -> None:
    clock = FakeClock(time.time())
    settings = quota_settings(openai=limits(hourly_requests=1), quota_reservation_ttl=60)
    ledger = QuotaLedger(store, settings, clock=clock)

    granted = await ledger.reserve("openai", 70, "req-1")
    refused = await ledger.reserve("openai", 30, "req-2")

    assert granted.reservation_id is not None
    assert not refused.allowed
    token = granted.reservation_id.removeprefix("openai.")
    record = await quota_store(store).reservation("openai", token, now=clock.now)
    assert record is not None
    assert (record.state, record.estimated_tokens, record.request_id) == (
        ReservationState.PENDING,
        70,
        "req-1",
    )
    assert await quota_store(store).due_reservations("openai", clock.now + 60, 10) == [token]
    usage = (await ledger.usage("openai")).windows
    assert {item.used for item in usage if item.metric is Metric.TOKENS} == {70}


async def test_a_retried_reserve_with_its_key_counts_once(store: Store, twin_store: Store) -> None:
    settings = quota_settings()
    replicas = [QuotaLedger(store, settings), QuotaLedger(twin_store, settings)]

    results = await asyncio.gather(
        *(
            replicas[index % 2].reserve("openai", 50, "req-1", idempotency_key="req-1:0")
            for index in range(8)
        )
    )

    assert all(result.allowed for result in results)
    assert len({result.reservation_id for result in results}) == 1
    usage = (await replicas[0].usage("openai")).windows
    assert used(usage, Window.HOUR, Metric.REQUESTS) == 1
    assert used(usage, Window.HOUR, Metric.TOKENS) == 50


async def test_a_limit_of_zero_allows_nothing(store: Store) -> None:
    ledger = QuotaLedger(store, quota_settings(openai=limits(daily_tokens=0)))

    result = await ledger.reserve("openai", 0)

    assert not result.allowed
    assert result.denied_by is not None
    assert (result.denied_by.window, result.denied_by.metric) == (Window.DAY, Metric.TOKENS)
    assert all(item.used == 0 for item in (await ledger.usage("openai")).windows)


async def test_unlimited_windows_stay_normal(store: Store) -> None:
    ledger = QuotaLedger(store, quota_settings(openai=UNLIMITED))

    results = [await ledger.reserve("openai", 10_000) for _ in range(5)]

    assert all(result.allowed for result in results)
    assert {(item.percent, item.warning_level) for item in results[-1].usage} == {
        (0.0, WarningLevel.NORMAL)
    }


async def test_commit_adjusts_tokens_exactly_once(store: Store, twin_store: Store) -> None:
    settings = quota_settings()
    ledger = QuotaLedger(store, settings)
    reservation = await ledger.reserve("openai", 100)
    assert reservation.reservation_id is not None
    reservation_id = reservation.reservation_id

    outcomes = await asyncio.gather(
        *(
            (ledger if index % 2 else QuotaLedger(twin_store, settings)).commit(reservation_id, 250)
            for index in range(6)
        ),
        return_exceptions=True,
    )

    assert all(isinstance(outcome, tuple) for outcome in outcomes)
    usage = (await ledger.usage("openai")).windows
    assert used(usage, Window.HOUR, Metric.TOKENS) == 250
    assert used(usage, Window.DAY, Metric.TOKENS) == 250
    assert used(usage, Window.DAY, Metric.REQUESTS) == 1
    assert not await ledger.release(reservation_id)


async def test_release_gives_the_request_and_tokens_back(store: Store) -> None:
    ledger = QuotaLedger(store, quota_settings(openai=limits(hourly_requests=1)))
    first = await ledger.reserve("openai", 300)
    assert first.reservation_id is not None
    assert not (await ledger.reserve("openai", 1)).allowed

    assert await ledger.release(first.reservation_id)

    assert all(item.used == 0 for item in (await ledger.usage("openai")).windows)
    assert (await ledger.reserve("openai", 1)).allowed
    assert not await ledger.release(first.reservation_id)
    with pytest.raises(ReservationReleasedError):
        await ledger.commit(first.reservation_id, 10)


@pytest.mark.parametrize("reservation_id", ["openai.unknown", "nobody.abc", "no-separator", "."])
async def test_unknown_reservations(store: Store, reservation_id: str) -> None:
    ledger = QuotaLedger(store, quota_settings())

    assert not await ledger.release(reservation_id)
    with pytest.raises(ReservationNotFoundError):
        await ledger.commit(reservation_id, 1)


async def test_an_expired_reservation_is_given_back_and_a_late_commit_counts_actual_use(
    store: Store,
) -> None:
    clock = FakeClock(mid_hour())
    settings = quota_settings(quota_reservation_ttl=60, default_deadline=30)
    ledger = QuotaLedger(store, settings, clock=clock)
    reservation = await ledger.reserve("openai", 40)
    assert reservation.reservation_id is not None

    clock.advance(59)
    assert await ledger.sweep() == 0
    clock.advance(1)
    assert await ledger.sweep() == 1
    assert await ledger.sweep() == 0

    assert all(item.used == 0 for item in (await ledger.usage("openai")).windows)
    assert not await ledger.release(reservation.reservation_id)
    await ledger.commit(reservation.reservation_id, 25)
    await ledger.commit(reservation.reservation_id, 25)
    usage = (await ledger.usage("openai")).windows
    assert used(usage, Window.HOUR, Metric.TOKENS) == 25
    assert used(usage, Window.HOUR, Metric.REQUESTS) == 1


async def test_hour_rollover_starts_the_hour_from_zero(store: Store) -> None:
    clock = FakeClock(hour_end_soon())
    ledger = QuotaLedger(store, quota_settings(openai=limits(hourly_requests=2)), clock=clock)
    assert (await ledger.reserve("openai", 10)).allowed
    assert (await ledger.reserve("openai", 10)).allowed
    assert not (await ledger.reserve("openai", 10)).allowed

    clock.advance(2)
    result = await ledger.reserve("openai", 10)

    assert result.allowed
    assert used(result.usage, Window.HOUR, Metric.REQUESTS) == 1
    assert used(result.usage, Window.DAY, Metric.REQUESTS) == 3


async def test_day_rollover_starts_both_windows_from_zero(store: Store) -> None:
    clock = FakeClock(day_end_soon())
    ledger = QuotaLedger(store, quota_settings(openai=limits(daily_tokens=100)), clock=clock)
    assert (await ledger.reserve("openai", 100)).allowed
    assert not (await ledger.reserve("openai", 1)).allowed

    clock.advance(2)
    result = await ledger.reserve("openai", 100)

    assert result.allowed
    assert {item.used for item in result.usage} == {1, 100}


async def test_settling_after_a_window_ended_leaves_the_new_window_alone(store: Store) -> None:
    clock = FakeClock(hour_end_soon())
    ledger = QuotaLedger(store, quota_settings(), clock=clock)
    late = await ledger.reserve("openai", 100)
    released = await ledger.reserve("openai", 100)
    assert late.reservation_id is not None
    assert released.reservation_id is not None

    clock.advance(2)
    usage = await ledger.commit(late.reservation_id, 500)
    assert await ledger.release(released.reservation_id)

    assert used(usage, Window.DAY, Metric.TOKENS) == 600
    old_hour = next(item for item in usage if item.window is Window.HOUR)
    assert old_hour.window_end == clock.now - 1
    current = (await ledger.usage("openai")).windows
    assert used(current, Window.HOUR, Metric.TOKENS) == 0
    assert used(current, Window.DAY, Metric.TOKENS) == 500
    assert used(current, Window.DAY, Metric.REQUESTS) == 1


async def test_warning_levels_and_the_quota_warning_log(store: Store) -> None:
    ledger = QuotaLedger(store, quota_settings(openai=limits(hourly_requests=20)))
    levels = []
    with capture_logs() as logs:
        for _ in range(20):
            result = await ledger.reserve("openai", 0)
            levels.append(
                next(item for item in result.usage if item.window is Window.HOUR).warning_level
            )

    assert levels[13] is WarningLevel.NORMAL
    assert levels[14] is WarningLevel.WARNING
    assert levels[16] is WarningLevel.WARNING
    assert levels[17] is WarningLevel.CRITICAL
    assert levels[19] is WarningLevel.EXHAUSTED
    warnings = [entry for entry in logs if entry["event"] == "Quota warning"]
    assert [(entry["warning_level"], entry["used"]) for entry in warnings] == [
        ("WARNING", 15),
        ("CRITICAL", 18),
        ("EXHAUSTED", 20),
    ]
    assert {(entry["provider"], entry["window"], entry["metric"]) for entry in warnings} == {
        ("openai", "hour", "requests")
    }


async def test_usage_projects_the_recent_trend_to_the_window_end(store: Store) -> None:
    hour_start = int(mid_hour()) // 3600 * 3600
    clock = FakeClock(hour_start + 1200)
    settings = quota_settings(
        openai=limits(hourly_requests=100), gemini=limits(hourly_requests=500)
    )
    ledger = QuotaLedger(store, settings, clock=clock)
    for provider in ("openai", "gemini"):
        await ledger.record(
            [
                Spend(f"{provider}-{minute}", provider, 2, 0, hour_start + minute * 60 + 30)
                for minute in range(20)
            ]
        )

    openai, gemini = await ledger.usage_of_all()

    openai_hour = next(
        item
        for item in openai.windows
        if (item.window, item.metric) == (Window.HOUR, Metric.REQUESTS)
    )
    gemini_hour = next(
        item
        for item in gemini.windows
        if (item.window, item.metric) == (Window.HOUR, Metric.REQUESTS)
    )
    assert openai_hour.projected_use == 120
    assert openai_hour.projected_exhaustion == pytest.approx(hour_start + 3000)
    assert (openai_hour.prediction_points, openai_hour.prediction_confidence) == (15, 1.0)
    assert (gemini_hour.projected_use, gemini_hour.projected_exhaustion) == (120, None)
    assert openai_hour.percent == 40.0
    assert (openai_hour.window_start, openai_hour.window_end) == (hour_start, hour_start + 3600)


async def test_reset_clears_the_chosen_window_and_pending_releases_stay_correct(
    store: Store,
) -> None:
    clock = FakeClock(time.time())
    ledger = QuotaLedger(store, quota_settings(), clock=clock)
    pending = await ledger.reserve("openai", 70)
    assert pending.reservation_id is not None
    clock.advance(0.01)

    usage = await ledger.reset("openai", [Window.HOUR])

    assert used(usage.windows, Window.HOUR, Metric.TOKENS) == 0
    assert used(usage.windows, Window.DAY, Metric.TOKENS) == 70
    clock.advance(0.01)
    assert await ledger.release(pending.reservation_id)
    after = (await ledger.usage("openai")).windows
    assert used(after, Window.HOUR, Metric.TOKENS) == 0
    assert used(after, Window.HOUR, Metric.REQUESTS) == 0
    assert used(after, Window.DAY, Metric.TOKENS) == 0

    fresh = await ledger.reserve("openai", 5)
    assert fresh.reservation_id is not None
    await ledger.reset("openai", list(Window))
    clock.advance(0.01)
    assert await ledger.release(fresh.reservation_id)
    assert all(item.used == 0 for item in (await ledger.usage("openai")).windows)


async def test_unknown_provider(store: Store) -> None:
    ledger = QuotaLedger(store, quota_settings())

    with pytest.raises(UnknownProviderError):
        await ledger.reserve("mistral", 1)
    with pytest.raises(UnknownProviderError):
        await ledger.usage("mistral")
