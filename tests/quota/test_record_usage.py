"""RecordUsage on every real store: spends made from an analyzer's local budget count once,
in the windows that contain them, without limits, with warnings."""

from __future__ import annotations

import asyncio
import time

import pytest
from structlog.testing import capture_logs

from sanad_common.config import ProviderLimits
from sanad_common.providers import UnknownProviderError
from sanad_common.storage import Store
from sanad_quota.ledger import QuotaLedger, Spend
from sanad_quota.usage import Metric, Window, WindowUsage
from tests.quota.conftest import mid_hour, mid_hour_after_another, quota_settings
from tests.support.services import FakeClock

UNLIMITED = ProviderLimits(daily_requests=-1, daily_tokens=-1, hourly_requests=-1, hourly_tokens=-1)


def used(usage: tuple[WindowUsage, ...], window: Window, metric: Metric) -> int:
    return next(item.used for item in usage if item.window is window and item.metric is metric)


def spend(spend_id: str, spent_at: float, *, tokens: int = 100, requests: int = 1) -> Spend:
    return Spend(
        spend_id=spend_id,
        provider="openai",
        requests=requests,
        tokens=tokens,
        spent_at=spent_at,
        analyzer_id="analyzer-1",
    )


async def test_spends_count_once_even_when_sent_again(store: Store, twin_store: Store) -> None:
    clock = FakeClock(mid_hour())
    settings = quota_settings(openai=UNLIMITED)
    replicas = [
        QuotaLedger(store, settings, clock=clock),
        QuotaLedger(twin_store, settings, clock=clock),
    ]
    spends = [spend(f"req-{index}:1", clock.now - 60) for index in range(5)]

    results = await asyncio.gather(*(replica.record(spends) for replica in replicas))

    assert sorted(results[0].recorded + results[1].recorded) == sorted(s.spend_id for s in spends)
    assert sorted(results[0].duplicates + results[1].duplicates) == sorted(
        s.spend_id for s in spends
    )
    again = await replicas[0].record(spends[:2])
    assert (again.recorded, again.duplicates) == ((), ("req-0:1", "req-1:1"))
    usage = (await replicas[0].usage("openai")).windows
    assert used(usage, Window.HOUR, Metric.REQUESTS) == 5
    assert used(usage, Window.HOUR, Metric.TOKENS) == 500
    assert used(usage, Window.DAY, Metric.TOKENS) == 500


async def test_a_spend_counts_in_the_windows_that_contain_it(store: Store) -> None:
    # Not mid_hour(): in a day's last hour it moves to the next day, and the hour before that
    # is another day.
    clock = FakeClock(mid_hour_after_another())
    ledger = QuotaLedger(store, quota_settings(openai=UNLIMITED), clock=clock)
    previous_hour = clock.now - 3600

    await ledger.record([spend("earlier", previous_hour, tokens=30)])

    usage = (await ledger.usage("openai")).windows
    assert used(usage, Window.HOUR, Metric.TOKENS) == 0
    assert used(usage, Window.DAY, Metric.TOKENS) == 30
    clock.now = previous_hour
    past = (await ledger.usage("openai")).windows
    assert used(past, Window.HOUR, Metric.TOKENS) == 30
    assert used(past, Window.HOUR, Metric.REQUESTS) == 1


async def test_a_spend_whose_windows_are_gone_is_only_logged(store: Store) -> None:
    clock = FakeClock(mid_hour())
    ledger = QuotaLedger(store, quota_settings(openai=UNLIMITED), clock=clock)
    two_days_ago = clock.now - 2 * 86_400

    with capture_logs() as logs:
        result = await ledger.record([spend("ancient", two_days_ago)])

    assert result.recorded == ("ancient",)
    assert all(item.used == 0 for item in (await ledger.usage("openai")).windows)
    assert [
        entry["spend_id"]
        for entry in logs
        if entry["event"] == "Quota local spend outside kept windows"
    ] == ["ancient"]
    assert (await ledger.record([spend("ancient", two_days_ago)])).duplicates == ("ancient",)


async def test_spends_ignore_limits_but_warnings_fire(store: Store) -> None:
    clock = FakeClock(mid_hour())
    limits = UNLIMITED.model_copy(update={"hourly_requests": 4})
    ledger = QuotaLedger(store, quota_settings(openai=limits), clock=clock)

    with capture_logs() as logs:
        result = await ledger.record(
            [spend(f"s{index}", clock.now, tokens=1) for index in range(6)]
        )

    assert len(result.recorded) == 6
    assert used((await ledger.usage("openai")).windows, Window.HOUR, Metric.REQUESTS) == 6
    levels = [
        entry["warning_level"]
        for entry in logs
        if entry["event"] == "Quota warning" and entry["window"] == "hour"
    ]
    assert levels == ["WARNING", "EXHAUSTED"]
    assert not (await ledger.reserve("openai", 1)).allowed


async def test_a_spend_on_an_unknown_provider_is_refused(store: Store) -> None:
    ledger = QuotaLedger(store, quota_settings())
    unknown = Spend("x", "mistral", 1, 1, time.time())

    with pytest.raises(UnknownProviderError):
        await ledger.record([unknown])
