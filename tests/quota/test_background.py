"""The quota process's observability: metrics of reservations and usage, the gauge refresh
that follows other replicas, and the periodic "Quota statistics" log."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Coroutine, Mapping, Sequence
from typing import Any

from structlog.testing import capture_logs

from sanad_common.config import ProviderLimits
from sanad_common.storage import Store
from sanad_quota.background import (
    StatisticsLease,
    log_statistics,
    log_statistics_hourly,
    refresh_gauges_periodically,
    sweep_periodically,
)
from sanad_quota.ledger import QuotaLedger
from sanad_quota.metrics import QuotaMetrics
from sanad_quota.usage import Metric, Window
from tests.quota.conftest import mid_hour, quota_settings
from tests.support.services import FakeClock, MeterProbe
from tests.support.waiting import eventually_read


def labels(**values: str) -> frozenset[tuple[str, str]]:
    return frozenset(values.items())


async def test_reservations_and_usage_are_measured(store: Store) -> None:
    probe = MeterProbe()
    settings = quota_settings(openai=ProviderLimits(hourly_requests=1))
    ledger = QuotaLedger(store, settings, metrics=QuotaMetrics(probe.meter))

    await ledger.reserve("openai", 40)
    await ledger.reserve("openai", 40)

    points = probe.read()
    hour_requests = labels(provider="openai", window="hour", metric="requests")
    assert points[("sanad_quota_reservations", labels(provider="openai", outcome="granted"))] == 1
    assert points[("sanad_quota_reservations", labels(provider="openai", outcome="denied"))] == 1
    assert points[("sanad_quota_used", hour_requests)] == 1
    assert points[("sanad_quota_used_percent", hour_requests)] == 100.0
    assert (
        points[("sanad_quota_used", labels(provider="openai", window="day", metric="tokens"))] == 40
    )


async def test_gauges_follow_what_other_replicas_spend(store: Store, twin_store: Store) -> None:
    probe = MeterProbe()
    settings = quota_settings()
    watched = QuotaLedger(store, settings, metrics=QuotaMetrics(probe.meter))
    other_replica = QuotaLedger(twin_store, settings, metrics=QuotaMetrics(MeterProbe().meter))
    for _ in range(3):
        await other_replica.reserve("gemini", 10)

    refresh = asyncio.create_task(refresh_gauges_periodically(watched, interval=0.01))
    gemini_hour = ("sanad_quota_used", labels(provider="gemini", window="hour", metric="requests"))
    openai_day = ("sanad_quota_used", labels(provider="openai", window="day", metric="tokens"))
    points = await eventually_read(
        probe.read,
        lambda seen: seen.get(gemini_hour) == 3 and openai_day in seen,
        what="the other replica's spend",
    )
    refresh.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await refresh

    assert points[gemini_hour] == 3
    assert points[openai_day] == 0


async def test_statistics_log_every_provider(store: Store) -> None:
    ledger = QuotaLedger(store, quota_settings())
    await ledger.reserve("gemini", 42)

    with capture_logs() as logs:
        await log_statistics(ledger)

    statistics = next(entry for entry in logs if entry["event"] == "Quota statistics")
    assert list(statistics["providers"]) == ["openai", "gemini"]
    assert statistics["providers"]["gemini"]["day_tokens"]["used"] == 42
    assert statistics["providers"]["openai"]["hour_requests"]["level"] == "NORMAL"
    assert statistics["providers"]["gemini"]["hour_tokens"]["prediction_points"] == 15


async def test_one_replica_logs_the_statistics_of_each_hour(
    store: Store, twin_store: Store
) -> None:
    clock = FakeClock(time.time())
    settings = quota_settings()
    leases = [
        StatisticsLease(replica, QuotaLedger(replica, settings, clock=clock), holder=name)
        for replica, name in ((store, "a"), (twin_store, "b"))
    ]

    with capture_logs() as logs:
        tasks = [
            asyncio.create_task(log_statistics_hourly(lease, interval=0.01)) for lease in leases
        ]
        await eventually_read(lambda: statistics_logged(logs), lambda seen: seen == 1)
        clock.advance(3600)
        await eventually_read(lambda: statistics_logged(logs), lambda seen: seen == 2)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    assert statistics_logged(logs) == 2
    assert await leases[0].log_if_due() is False


def statistics_logged(logs: Sequence[Mapping[str, Any]]) -> int:
    """How many times the hourly statistics were logged."""
    return sum(entry["event"] == "Quota statistics" for entry in logs)


async def test_the_sweep_gives_back_expired_reservations_without_traffic(store: Store) -> None:
    clock = FakeClock(mid_hour())
    probe = MeterProbe()
    settings = quota_settings(quota_reservation_ttl=60, default_deadline=30)
    ledger = QuotaLedger(store, settings, clock=clock, metrics=QuotaMetrics(probe.meter))
    kept = await ledger.reserve("openai", 10)
    await ledger.reserve("openai", 25)
    assert kept.reservation_id is not None
    await ledger.commit(kept.reservation_id, 10)
    clock.advance(61)

    with capture_logs() as logs:
        sweep = asyncio.create_task(sweep_periodically(ledger, interval=0.01))
        await eventually_read(
            lambda: [entry["event"] for entry in logs].count("Quota reservation expired"),
            lambda seen: seen >= 1,
            what="the sweep",
        )
        sweep.cancel()
        await asyncio.gather(sweep, return_exceptions=True)

    usage = {
        (item.window, item.metric): item.used for item in (await ledger.usage("openai")).windows
    }
    assert usage[(Window.HOUR, Metric.REQUESTS)] == 1
    assert usage[(Window.DAY, Metric.TOKENS)] == 10
    assert [entry["event"] for entry in logs].count("Quota reservation expired") == 1
    assert probe.read()[("sanad_quota_reservations_expired", labels(provider="openai"))] == 1


async def test_background_loops_end_when_cancelled_during_a_store_call(store: Store) -> None:
    ledger = QuotaLedger(store, quota_settings(), metrics=QuotaMetrics(MeterProbe().meter))
    lease = StatisticsLease(store, ledger)
    loops: dict[str, Callable[[], Coroutine[Any, Any, None]]] = {
        "gauges": lambda: refresh_gauges_periodically(ledger, interval=0),
        "statistics": lambda: log_statistics_hourly(lease, interval=0),
        "sweep": lambda: sweep_periodically(ledger, interval=0),
    }

    for attempt in range(40):
        for name, loop in loops.items():
            task = asyncio.create_task(loop())
            await asyncio.sleep(attempt * 0.0001)  # spreads cancel() over the loop's steps
            task.cancel()
            done, _ = await asyncio.wait([task], timeout=2)
            assert done, f"{name} ignored cancel() at attempt {attempt}"
