"""The health process's metrics: transitions, circuit state and success rate gauges, attempt
latency, and the gauge refresh that follows other replicas and the passing of time."""

from __future__ import annotations

import asyncio
import contextlib
import time

from sanad_common.error_class import ErrorClass
from sanad_common.storage import Store
from sanad_health.background import refresh_gauges_periodically
from sanad_health.metrics import HealthMetrics
from sanad_health.tracker import ProviderHealthTracker
from tests.health.conftest import health_settings
from tests.support.services import FakeClock, MeterProbe
from tests.support.waiting import eventually_read


def labels(**values: str) -> frozenset[tuple[str, str]]:
    return frozenset(values.items())


async def test_transitions_states_and_latency_are_measured(store: Store) -> None:
    probe = MeterProbe()
    clock = FakeClock(time.time())
    tracker = ProviderHealthTracker(
        store, health_settings(), clock=clock, metrics=HealthMetrics(probe.meter)
    )

    await tracker.report("openai", error_class=None, latency=0.2)
    await tracker.report("openai", error_class=ErrorClass.SERVICE_CRASH, latency=0.1)
    opened = probe.read()
    clock.advance(300)
    await tracker.report("openai", error_class=None)
    await tracker.reset("openai")
    points = probe.read()

    assert opened[("sanad_provider_circuit_state", labels(provider="openai", state="open"))] == 1
    assert opened[("sanad_provider_circuit_state", labels(provider="openai", state="closed"))] == 0
    assert opened[("sanad_provider_success_rate", labels(provider="openai"))] == 0.5
    transitions = "sanad_provider_blacklist_transitions"
    crash = ErrorClass.SERVICE_CRASH.value
    assert (
        points[(transitions, labels(provider="openai", transition="blacklisted", reason=crash))]
        == 1
    )
    assert (
        points[(transitions, labels(provider="openai", transition="recovered", reason=crash))] == 1
    )
    assert points[(transitions, labels(provider="openai", transition="reset", reason=""))] == 1
    latency = "sanad_provider_attempt_latency_seconds"
    assert points[(latency, labels(provider="openai", outcome="success"))] == 1
    assert points[(latency, labels(provider="openai", outcome="failure"))] == 1
    assert points[("sanad_provider_circuit_state", labels(provider="openai", state="closed"))] == 1


async def test_gauges_follow_other_replicas(store: Store, twin_store: Store) -> None:
    probe = MeterProbe()
    settings = health_settings()
    watched = ProviderHealthTracker(store, settings, metrics=HealthMetrics(probe.meter))
    other_replica = ProviderHealthTracker(
        twin_store, settings, metrics=HealthMetrics(MeterProbe().meter)
    )
    await other_replica.report("local", error_class=ErrorClass.AUTHENTICATION)

    refresh = asyncio.create_task(refresh_gauges_periodically(watched, interval=0.01))
    expected = (
        ("sanad_provider_circuit_state", labels(provider="local", state="open")),
        ("sanad_provider_circuit_state", labels(provider="gemini", state="closed")),
        ("sanad_provider_success_rate", labels(provider="local")),
    )
    points = await eventually_read(
        probe.read,
        lambda seen: seen.get(expected[0]) == 1 and all(point in seen for point in expected),
        what="the other replica's outcome",
    )
    refresh.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await refresh

    assert points[("sanad_provider_circuit_state", labels(provider="local", state="open"))] == 1
    assert points[("sanad_provider_circuit_state", labels(provider="gemini", state="closed"))] == 1
    assert points[("sanad_provider_success_rate", labels(provider="local"))] == 0.0


async def test_loops_end_when_cancelled_during_a_store_call(store: Store) -> None:
    tracker = ProviderHealthTracker(
        store, health_settings(), metrics=HealthMetrics(MeterProbe().meter)
    )

    async def watch() -> None:
        async for _ in tracker.watch(poll_interval=0):
            pass

    for attempt in range(40):
        for loop in (refresh_gauges_periodically(tracker, interval=0), watch()):
            task = asyncio.create_task(loop)
            await asyncio.sleep(attempt * 0.0001)  # spreads cancel() over the loop's steps
            task.cancel()
            done, _ = await asyncio.wait([task], timeout=2)
            assert done, f"a loop ignored cancel() at attempt {attempt}"
