"""The circuit breaker through real gRPC: two health replicas on one Redis, short ejections so
the clock can really move. Each test reports on both replicas and reads from both."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeAlias

import pytest
from google.protobuf import duration_pb2

from sanad.health.v1 import health_pb2, health_pb2_grpc
from sanad.type.v1 import error_class_pb2
from sanad_health.app import build_app
from tests.health.conftest import health_settings
from tests.support.services import serve_in_process, unique_namespace

if TYPE_CHECKING:
    Stub: TypeAlias = health_pb2_grpc.ProviderHealthServiceAsyncStub

EJECTION = 0.5
"""Seconds of a first ejection in these tests (crash and breaker alike)."""
PATIENCE = 10.0
"""Longest wait for a circuit to change with time, in seconds (never reached when it works)."""


@dataclass
class Replicas:
    """Two health servers sharing one Redis namespace."""

    stubs: tuple[
        Stub,
        Stub,
    ]

    async def report(
        self,
        index: int,
        provider: str,
        error_class: error_class_pb2.ErrorClass.ValueType | None,
        latency: float = 0.2,
    ) -> health_pb2.ProviderStatus:
        request = health_pb2.ReportOutcomeRequest(
            provider=provider,
            success=error_class is None,
            error_class=error_class or error_class_pb2.ERROR_CLASS_UNSPECIFIED,
            latency=duration_pb2.Duration(nanos=int(latency * 1e9)),
        )
        reply = await self.stubs[index % 2].ReportOutcome(request)
        return reply.status

    async def status(self, index: int, provider: str) -> health_pb2.ProviderStatus:
        reply = await self.stubs[index % 2].GetProviderStatus(
            health_pb2.GetProviderStatusRequest(provider=provider)
        )
        return reply.providers[0]

    async def states(self, provider: str) -> set[int]:
        return {(await self.status(index, provider)).circuit_state for index in (0, 1)}

    async def wait_for(self, provider: str, state: int) -> None:
        """Poll both replicas until they agree on state (the change comes with time, not an
        event)."""
        async with asyncio.timeout(PATIENCE):
            while await self.states(provider) != {state}:  # noqa: ASYNC110
                await asyncio.sleep(0.05)


@contextlib.asynccontextmanager
async def replicas_on(redis_url: str, **overrides: object) -> AsyncIterator[Replicas]:
    settings = health_settings(
        store_url=redis_url,
        store_namespace=unique_namespace(),
        host="127.0.0.1",
        blacklist_duration=EJECTION,
        circuit_base_ejection=EJECTION,
        **overrides,
    )
    async with (
        serve_in_process("health", build_app, settings) as first,
        serve_in_process("health", build_app, settings) as second,
    ):
        yield Replicas(
            (
                health_pb2_grpc.ProviderHealthServiceStub(first),
                health_pb2_grpc.ProviderHealthServiceStub(second),
            )
        )


TIMEOUT = error_class_pb2.ERROR_CLASS_TIMEOUT
CRASH = error_class_pb2.ERROR_CLASS_SERVICE_CRASH
OPEN = health_pb2.CIRCUIT_STATE_OPEN
HALF_OPEN = health_pb2.CIRCUIT_STATE_HALF_OPEN
CLOSED = health_pb2.CIRCUIT_STATE_CLOSED


async def test_consecutive_failures_open_the_circuit_for_its_time(redis_url: str) -> None:
    async with replicas_on(redis_url, circuit_consecutive_failures=3) as replicas:
        before = [await replicas.report(index, "openai", TIMEOUT) for index in range(2)]
        opened = await replicas.report(2, "openai", TIMEOUT)
        seen = [await replicas.status(index, "openai") for index in (0, 1)]
        await replicas.wait_for("openai", HALF_OPEN)

    assert [status.circuit_state for status in before] == [CLOSED, CLOSED]
    assert [status.consecutive_failures for status in before] == [1, 2]
    assert opened.circuit_state == OPEN
    assert opened.open_reason == TIMEOUT
    open_for = opened.open_until.ToNanoseconds() - opened.last_failure_time.ToNanoseconds()
    assert open_for / 1e9 == pytest.approx(EJECTION, abs=0.05)
    assert {status.circuit_state for status in seen} == {OPEN}


async def test_a_success_breaks_the_run_of_failures(redis_url: str) -> None:
    async with replicas_on(redis_url, circuit_consecutive_failures=3) as replicas:
        for index in range(2):
            await replicas.report(index, "openai", TIMEOUT)
        await replicas.report(0, "openai", None)
        after = [await replicas.report(index, "openai", TIMEOUT) for index in range(2)]

    assert [status.circuit_state for status in after] == [CLOSED, CLOSED]
    assert after[-1].consecutive_failures == 2


async def test_the_failure_rate_opens_the_circuit_over_the_minimum_calls(redis_url: str) -> None:
    async with replicas_on(
        redis_url, circuit_minimum_calls=10, circuit_failure_rate=0.5
    ) as replicas:
        statuses = []
        for index in range(10):
            outcome = TIMEOUT if index % 2 else None
            statuses.append(await replicas.report(index, "gemini", outcome, latency=0.1 * index))

    assert [status.circuit_state for status in statuses[:-1]] == [CLOSED] * 9
    last = statuses[-1]
    assert last.circuit_state == OPEN
    assert last.consecutive_failures == 1
    assert (last.window.calls, last.window.success_count) == (10, 5)
    assert last.window.success_rate == 0.5
    assert last.window.latency_p50.ToNanoseconds() > 0
    assert last.window.latency_p95.ToNanoseconds() >= last.window.latency_p50.ToNanoseconds()


async def test_half_open_admits_exactly_the_configured_probes(redis_url: str) -> None:
    async with replicas_on(redis_url, circuit_half_open_probes=2) as replicas:
        await replicas.report(0, "openai", CRASH)
        await replicas.wait_for("openai", HALF_OPEN)
        orders = await asyncio.gather(
            *(
                replicas.stubs[index % 2].GetProviderOrder(health_pb2.GetProviderOrderRequest())
                for index in range(8)
            )
        )
        admitted = [order for order in orders if "openai" in [c.provider for c in order.providers]]
        first = await replicas.report(0, "openai", None)
        second = await replicas.report(1, "openai", None)

    assert len(admitted) == 2
    refused = [order for order in orders if order not in admitted]
    assert all(order.unavailable[0].circuit_state == HALF_OPEN for order in refused)
    assert first.circuit_state == HALF_OPEN
    assert second.circuit_state == CLOSED


async def test_a_quick_relapse_ejects_for_longer(redis_url: str) -> None:
    async with replicas_on(redis_url) as replicas:
        first = await replicas.report(0, "local", CRASH)
        await replicas.wait_for("local", HALF_OPEN)
        await replicas.stubs[1].GetProviderOrder(health_pb2.GetProviderOrderRequest())
        recovered = await replicas.report(1, "local", None)
        relapsed = await replicas.report(0, "local", CRASH)

    def open_for(status: health_pb2.ProviderStatus) -> float:
        ended = status.open_until.ToNanoseconds() - status.last_failure_time.ToNanoseconds()
        return ended / 1e9

    assert recovered.circuit_state == CLOSED
    assert open_for(first) == pytest.approx(EJECTION, abs=0.05)
    assert relapsed.circuit_state == OPEN
    assert relapsed.ejection_streak == 2
    assert open_for(relapsed) == pytest.approx(2 * EJECTION, abs=0.05)


async def test_a_failed_probe_reopens_and_both_replicas_agree(redis_url: str) -> None:
    async with replicas_on(redis_url) as replicas:
        await replicas.report(1, "gemini", CRASH)
        await replicas.wait_for("gemini", HALF_OPEN)
        await replicas.stubs[0].GetProviderOrder(health_pb2.GetProviderOrderRequest())
        reopened = await replicas.report(0, "gemini", TIMEOUT)
        views = [await replicas.status(index, "gemini") for index in (0, 1)]

    assert reopened.circuit_state == OPEN
    assert {view.circuit_state for view in views} == {OPEN}
    assert {view.ejection_streak for view in views} == {2}
    assert {view.open_until.ToNanoseconds() for view in views} == {
        reopened.open_until.ToNanoseconds()
    }
