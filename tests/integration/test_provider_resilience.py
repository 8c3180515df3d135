"""The request path under a sick primary, on the real processes: a hanging primary is cut off
by its circuit after a bounded number of timeouts, and a hedged request answers at the
secondary's pace with quota counting it once."""

from __future__ import annotations

import asyncio
import contextlib

import pytest

from sanad.analyzer.v1 import analyzer_pb2
from sanad.health.v1 import health_pb2
from sanad.quota.v1 import quota_pb2
from sanad.type.v1 import error_class_pb2
from tests.integration.conftest import Clients
from tests.integration.test_scenarios import RETURN_POLICY, analyze_request, attempt_classes

pytestmark = [pytest.mark.integration, pytest.mark.parametrize("suite", ["redis"], indirect=True)]

CONSECUTIVE_FAILURES = 3
WORKERS = 3
REQUESTS_PER_WORKER = 6
DEADLINE = 6.0
"""The callers' deadline: a hanging primary times out at its share (half) of it."""


@pytest.fixture(scope="module")
def suite_env() -> dict[str, str]:
    return {
        "SANAD_CIRCUIT_CONSECUTIVE_FAILURES": str(CONSECUTIVE_FAILURES),
        "SANAD_HEDGE_DELAY": "0.3",
    }


async def test_a_hanging_primary_is_cut_off_after_a_bounded_number_of_timeouts(
    clients: Clients,
) -> None:
    await clients.emulator.inject("openai", "hang")

    async def worker(index: int) -> list[analyzer_pb2.AnalyzeResponse]:
        return [
            await clients.analyzer.Analyze(
                analyze_request(f"{RETURN_POLICY} Worker {index}, request {number}."),
                timeout=DEADLINE,
            )
            for number in range(REQUESTS_PER_WORKER)
        ]

    answered = await asyncio.gather(*(worker(index) for index in range(WORKERS)))
    status = (
        await clients.health.GetProviderStatus(
            health_pb2.GetProviderStatusRequest(provider="openai")
        )
    ).providers[0]
    requests = await clients.provider_requests()

    responses = [response for per_worker in answered for response in per_worker]
    timeouts = [
        response for response in responses if ("openai", "TIMEOUT") in attempt_classes(response)
    ]
    # Every timeout but the last few in flight when the circuit opened is needed to open it.
    assert CONSECUTIVE_FAILURES <= len(timeouts) <= CONSECUTIVE_FAILURES + WORKERS - 1
    assert requests["openai"] == len(timeouts)
    assert all(response.provider == "gemini" for response in responses)
    # Once each worker has seen the circuit open, its requests go straight to the secondary.
    for per_worker in answered:
        assert attempt_classes(per_worker[-1]) == [("gemini", "OK")]
    later = [response for per_worker in answered for response in per_worker[-3:]]
    assert all(attempt_classes(response) == [("gemini", "OK")] for response in later)
    assert status.circuit_state == health_pb2.CIRCUIT_STATE_OPEN
    assert status.open_reason == error_class_pb2.ERROR_CLASS_TIMEOUT


async def test_a_hedged_request_answers_from_the_secondary_and_is_counted_once(
    clients: Clients,
) -> None:
    await clients.emulator.inject("openai", "latency", count=1, latency_ms=10_000)
    events = [
        event
        async for event in clients.analyzer.AnalyzeStream(
            analyzer_pb2.AnalyzeStreamRequest(request=analyze_request(RETURN_POLICY, hedge=True)),
            timeout=20,
        )
    ]
    response = events[-1].result
    stages = [event.progress.stage for event in events if event.HasField("progress")]

    assert response.provider == "gemini"
    assert attempt_classes(response) == [("gemini", "OK"), ("openai", "UNSPECIFIED")]
    assert "another provider answered first" in response.attempts[1].message
    assert analyzer_pb2.STAGE_HEDGE_STARTED in stages
    assert await clients.provider_requests() == {"openai": 1, "gemini": 1}
    counted_once = {"openai": 0, "gemini": 1}
    assert await _day_requests(clients, counted_once) == counted_once
    openai = (
        await clients.health.GetProviderStatus(
            health_pb2.GetProviderStatusRequest(provider="openai")
        )
    ).providers[0]
    assert openai.window.calls == 0


async def test_without_the_flag_a_slow_primary_is_waited_for(clients: Clients) -> None:
    await clients.emulator.inject("openai", "latency", count=1, latency_ms=1_000)

    response = await clients.analyzer.Analyze(analyze_request(RETURN_POLICY), timeout=20)

    assert response.provider == "openai"
    assert await clients.provider_requests() == {"openai": 1, "gemini": 0}


async def _day_requests(clients: Clients, expected: dict[str, int]) -> dict[str, int]:
    """Requests quota counts today per provider, polled until they match (settlements run in
    the background) or a few seconds have passed."""
    counted: dict[str, int] = {}
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(5):
            while counted != expected:
                usage = await clients.quota.GetUsage(quota_pb2.GetUsageRequest())
                counted = {
                    provider.provider: window.used
                    for provider in usage.providers
                    for window in provider.windows
                    if window.window == quota_pb2.WINDOW_DAY
                    and window.metric == quota_pb2.METRIC_REQUESTS
                }
                await asyncio.sleep(0.05)
    return counted
