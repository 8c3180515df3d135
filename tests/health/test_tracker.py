"""The health tracker on every real store: counts, blacklisting and recovery, the primary order,
replicas sharing one store, and watching for changes."""

from __future__ import annotations

import asyncio
import time

import pytest
from structlog.testing import capture_logs

from sanad_common.error_class import ErrorClass
from sanad_common.providers import UnknownProviderError
from sanad_common.storage import Store
from sanad_health.circuit import CircuitState
from sanad_health.status import ReportedOutcome
from sanad_health.tracker import ProviderHealthTracker
from tests.health.conftest import health_settings
from tests.support.services import FakeClock


def tracker_on(store: Store, clock: FakeClock | None = None) -> ProviderHealthTracker:
    return ProviderHealthTracker(store, health_settings(), clock=clock or FakeClock(time.time()))


async def test_a_provider_with_no_history_is_closed_and_fully_successful(store: Store) -> None:
    status = await tracker_on(store).status("gemini")

    assert status.circuit_state is CircuitState.CLOSED
    assert status.available
    assert (status.success_count, status.failure_count, status.success_rate) == (0, 0, 1.0)
    assert status.failures_by_class == ()
    assert not status.primary


async def test_outcomes_are_counted_by_class(store: Store) -> None:
    tracker = tracker_on(store)
    for _ in range(3):
        await tracker.report("openai", error_class=None, latency=0.5)
    await tracker.report("openai", error_class=ErrorClass.TIMEOUT)
    status = await tracker.report("openai", error_class=ErrorClass.INVALID_RESPONSE)

    assert (status.success_count, status.failure_count) == (3, 2)
    assert status.success_rate == 0.6
    assert status.failures_by_class == (
        (ErrorClass.TIMEOUT, 1),
        (ErrorClass.INVALID_RESPONSE, 1),
    )
    assert status.last_error_class is ErrorClass.INVALID_RESPONSE
    assert status.circuit_state is CircuitState.CLOSED


async def test_service_crash_blacklists_then_half_opens_then_recovers(store: Store) -> None:
    clock = FakeClock(time.time())
    started = clock.now
    tracker = tracker_on(store, clock)

    with capture_logs() as logs:
        crashed = await tracker.report("openai", error_class=ErrorClass.SERVICE_CRASH)
        order = await tracker.order()
        clock.advance(300)
        half_open = await tracker.status("openai")
        half_open_order = await tracker.order()
        recovered = await tracker.report("openai", error_class=None)

    assert crashed.circuit_state is CircuitState.OPEN
    assert not crashed.available
    assert crashed.open_until == pytest.approx(started + 300)
    assert (crashed.open_reason, crashed.times_blacklisted) == (ErrorClass.SERVICE_CRASH, 1)
    assert [status.provider for status in order.available] == ["gemini", "local"]
    assert [status.provider for status in order.unavailable] == ["openai"]
    assert half_open.circuit_state is CircuitState.HALF_OPEN
    assert [status.provider for status in half_open_order.available] == [
        "openai",
        "gemini",
        "local",
    ]
    assert half_open_order.available[0].circuit_state is CircuitState.HALF_OPEN
    assert recovered.circuit_state is CircuitState.CLOSED
    assert recovered.open_reason is None
    assert recovered.times_blacklisted == 1
    events = [(entry["event"], entry["provider"]) for entry in logs]
    assert events == [
        ("Provider blacklisted", "openai"),
        ("Provider half-open: probe admitted", "openai"),
        ("Provider recovered", "openai"),
    ]
    assert logs[0]["reason"] == ErrorClass.SERVICE_CRASH
    assert logs[0]["duration_seconds"] == 300


async def test_a_failed_probe_reopens_for_twice_as_long(store: Store) -> None:
    clock = FakeClock(time.time())
    tracker = tracker_on(store, clock)
    await tracker.report("gemini", error_class=ErrorClass.SERVICE_CRASH)
    clock.advance(301)

    reopened = await tracker.report("gemini", error_class=ErrorClass.TIMEOUT)

    assert reopened.circuit_state is CircuitState.OPEN
    assert (reopened.times_blacklisted, reopened.ejection_streak) == (2, 2)
    assert reopened.open_until == pytest.approx(clock.now + 600)


async def test_authentication_stays_open_until_reset(store: Store) -> None:
    clock = FakeClock(time.time())
    tracker = tracker_on(store, clock)
    await tracker.report("openai", error_class=None)
    with capture_logs() as logs:
        opened = await tracker.report("openai", error_class=ErrorClass.AUTHENTICATION)
    clock.advance(7 * 86_400)

    later = await tracker.report("openai", error_class=None)
    reset = await tracker.reset("openai")

    assert opened.circuit_state is CircuitState.OPEN
    assert opened.open_until is None
    assert logs[0]["until_reset"] is True
    assert later.circuit_state is CircuitState.OPEN
    assert reset.circuit_state is CircuitState.CLOSED
    assert (reset.success_count, reset.failure_count, reset.times_blacklisted) == (0, 0, 0)
    assert reset.last_error_class is None


@pytest.mark.parametrize(
    ("error_class", "retry_after", "open_for"),
    [
        (ErrorClass.RATE_LIMITED, 30.0, 30.0),
        (ErrorClass.RATE_LIMITED, None, None),
        (ErrorClass.QUOTA_EXCEEDED, 300.0, 300.0),
        (ErrorClass.UNKNOWN, None, None),
    ],
)
async def test_which_failures_open_the_circuit(
    store: Store, error_class: ErrorClass, retry_after: float | None, open_for: float | None
) -> None:
    clock = FakeClock(time.time())
    tracker = tracker_on(store, clock)

    status = await tracker.report("local", error_class=error_class, retry_after=retry_after)

    if open_for is None:
        assert status.circuit_state is CircuitState.CLOSED
    else:
        assert status.circuit_state is CircuitState.OPEN
        assert status.open_until == pytest.approx(clock.now + open_for)


async def test_primary_switch_is_shared_by_replicas(store: Store, twin_store: Store) -> None:
    tracker, replica = tracker_on(store), tracker_on(twin_store)
    before = await replica.order()

    order = await tracker.set_primary("gemini")

    assert [status.provider for status in before.available] == ["openai", "gemini", "local"]
    assert order == ("gemini", "openai", "local")
    assert [status.provider for status in (await replica.order()).available] == list(order)
    assert [status.primary for status in await replica.statuses()] == [False, True, False]
    assert await tracker.set_primary("local") == ("local", "gemini", "openai")


async def test_concurrent_crash_reports_blacklist_once(store: Store, twin_store: Store) -> None:
    replicas = [tracker_on(store), tracker_on(twin_store)]

    await asyncio.gather(
        *(
            replicas[index % 2].report("openai", error_class=ErrorClass.SERVICE_CRASH)
            for index in range(20)
        )
    )

    status = await replicas[0].status("openai")
    assert status.failure_count == 20
    assert status.failures_by_class == ((ErrorClass.SERVICE_CRASH, 20),)
    assert status.times_blacklisted == 1


async def test_watch_sends_a_snapshot_then_each_change(store: Store, twin_store: Store) -> None:
    watcher, reporter = tracker_on(store), tracker_on(twin_store)
    snapshots = watcher.watch(poll_interval=0.02)

    first = await anext(snapshots)
    await reporter.report("local", error_class=ErrorClass.TIMEOUT)
    second = await asyncio.wait_for(anext(snapshots), timeout=5)
    await snapshots.aclose()

    assert [status.provider for status in first.statuses] == ["openai", "gemini", "local"]
    assert first.order == ("openai", "gemini", "local")
    assert first.statuses[2].failure_count == 0
    assert second.statuses[2].failure_count == 1


async def test_watch_sends_a_change_of_order_that_leaves_the_primary_alone(
    store: Store, twin_store: Store
) -> None:
    watcher, admin = tracker_on(store), tracker_on(twin_store)
    await admin.set_primary("local")
    snapshots = watcher.watch(poll_interval=0.02)

    first = await anext(snapshots)
    await admin.set_primary("gemini")
    await admin.set_primary("local")
    second = await asyncio.wait_for(anext(snapshots), timeout=5)
    await snapshots.aclose()

    assert first.order == ("local", "openai", "gemini")
    assert second.order == ("local", "gemini", "openai")
    assert [status.primary for status in second.statuses] == [False, False, True]


async def test_a_batch_counts_runs_of_successes_and_applies_failures_in_order(
    store: Store,
) -> None:
    tracker = tracker_on(store)

    circuits = await tracker.report_many(
        [
            ReportedOutcome("openai", None, 0.01),
            ReportedOutcome("local", ErrorClass.TIMEOUT, 1.0),
            ReportedOutcome("openai", None, 0.02),
            ReportedOutcome("openai", ErrorClass.SERVICE_CRASH, 0.5),
            ReportedOutcome("local", None, 0.03),
        ]
    )

    openai, local = await tracker.status("openai"), await tracker.status("local")
    assert (openai.success_count, openai.failure_count) == (2, 1)
    assert openai.circuit_state is CircuitState.OPEN
    assert (local.success_count, local.failure_count) == (1, 1)
    assert local.consecutive_failures == 0
    assert local.window.calls == 2
    assert [(c.provider, c.circuit_state) for c in circuits] == [
        ("openai", CircuitState.OPEN),
        ("local", CircuitState.CLOSED),
    ]
    assert circuits[0].open_reason is ErrorClass.SERVICE_CRASH


async def test_a_batch_naming_an_unknown_provider_records_nothing(store: Store) -> None:
    tracker = tracker_on(store)

    with pytest.raises(UnknownProviderError):
        await tracker.report_many(
            [ReportedOutcome("openai", None, 0.01), ReportedOutcome("mistral", None, 0.01)]
        )

    assert (await tracker.status("openai")).success_count == 0


async def test_unknown_provider(store: Store) -> None:
    tracker = tracker_on(store)

    with pytest.raises(UnknownProviderError):
        await tracker.report("mistral", error_class=None)
    with pytest.raises(UnknownProviderError):
        await tracker.set_primary("mistral")
