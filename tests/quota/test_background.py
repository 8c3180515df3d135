"""The quota process's observability: metrics of reservations and usage, the gauge refresh
that follows other replicas, and the periodic "Quota statistics" log."""

from __future__ import annotations

import asyncio
import contextlib

from structlog.testing import capture_logs

from sanad_common.config import ProviderLimits
from sanad_common.storage import Store
from sanad_quota.background import (
    log_statistics,
    log_statistics_periodically,
    refresh_gauges_periodically,
)
from sanad_quota.ledger import QuotaLedger
from sanad_quota.metrics import QuotaMetrics
from tests.quota.conftest import quota_settings
from tests.support.services import MeterProbe


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
    await asyncio.sleep(0.1)
    refresh.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await refresh

    points = probe.read()
    assert (
        points[("sanad_quota_used", labels(provider="gemini", window="hour", metric="requests"))]
        == 3
    )
    assert (
        points[("sanad_quota_used", labels(provider="openai", window="day", metric="tokens"))] == 0
    )


async def test_statistics_log_every_provider(store: Store) -> None:
    ledger = QuotaLedger(store, quota_settings())
    await ledger.reserve("gemini", 42)

    with capture_logs() as logs:
        await log_statistics(ledger)
        task = asyncio.create_task(log_statistics_periodically(ledger, interval=0.01))
        await asyncio.sleep(0.2)
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    assert sum(entry["event"] == "Quota statistics" for entry in logs) >= 3
    statistics = next(entry for entry in logs if entry["event"] == "Quota statistics")
    assert list(statistics["providers"]) == ["openai", "gemini"]
    assert statistics["providers"]["gemini"]["day_tokens"]["used"] == 42
    assert statistics["providers"]["openai"]["hour_requests"]["level"] == "NORMAL"


async def test_background_loops_end_when_cancelled_during_a_store_call(store: Store) -> None:
    ledger = QuotaLedger(store, quota_settings(), metrics=QuotaMetrics(MeterProbe().meter))

    for attempt in range(40):
        for loop in (refresh_gauges_periodically, log_statistics_periodically):
            task = asyncio.create_task(loop(ledger, interval=0))
            await asyncio.sleep(attempt * 0.0001)
            task.cancel()
            done, _ = await asyncio.wait([task], timeout=2)
            assert done, f"{loop.__name__} ignored cancel() at attempt {attempt}"
