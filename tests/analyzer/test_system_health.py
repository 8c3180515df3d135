"""GetSystemHealth on the real suite: healthy, degraded when a provider is blacklisted or quota
is gone, unhealthy when no provider can answer and the store is down too, and a provider this
replica saw crash never shown healthy; grpc.health.v1 and grpc-health-probe: the named service
follows the roll-up (NOT_SERVING when unhealthy), the overall one stays SERVING while the
rulebook answers."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import subprocess
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import grpc
import pytest
from google.protobuf import duration_pb2
from grpc_health.v1 import health_pb2 as grpc_health_pb2
from grpc_health.v1 import health_pb2_grpc as grpc_health_pb2_grpc

from sanad.analyzer.v1 import analyzer_pb2, analyzer_pb2_grpc
from sanad.health.v1 import health_pb2, health_pb2_grpc
from sanad.type.v1 import error_class_pb2
from sanad_analyzer.app import SERVICE_NAME
from sanad_emulator.control import EmulatorControl
from sanad_launcher.redis_server import RedisServer
from sanad_launcher.suite import NO_METRICS_PORTS, LocalSuite, SuitePorts
from tests.support.services import NOT_SERVING, SERVING, wait_health
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration

HEALTHY = analyzer_pb2.HEALTH_STATE_HEALTHY
DEGRADED = analyzer_pb2.HEALTH_STATE_DEGRADED
UNHEALTHY = analyzer_pb2.HEALTH_STATE_UNHEALTHY
HEALTH_VIEW = analyzer_pb2.COMPONENT_SOURCE_HEALTH_VIEW
THIS_REPLICA = analyzer_pb2.COMPONENT_SOURCE_THIS_REPLICA
LAST_KNOWN = analyzer_pb2.COMPONENT_SOURCE_LAST_KNOWN
PROVIDERS = ("provider:openai", "provider:gemini")


@pytest.fixture
def redis() -> Iterator[RedisServer]:
    """A Redis of this test's own, so the test can take the store down."""
    with RedisServer() as server:
        yield server


@pytest.fixture
def suite(redis: RedisServer, tmp_path: Path) -> Iterator[LocalSuite]:
    """The three services and the emulator on that Redis."""
    with LocalSuite(
        store_url=redis.url,
        ports=SuitePorts.free(),
        log_dir=tmp_path / "logs",
        with_emulator=True,
        env=NO_METRICS_PORTS,
    ) as running:
        yield running


@contextlib.asynccontextmanager
async def analyzer_channel(suite: LocalSuite) -> AsyncIterator[grpc.aio.Channel]:
    async with grpc.aio.insecure_channel(suite.analyzer_target) as channel:
        yield channel


def probe(target: str, service: str = "") -> int:
    """grpc-health-probe's exit code against target for service (0 means SERVING)."""
    binary = shutil.which("grpc-health-probe")
    assert binary, "grpc-health-probe is not on PATH: run the tests with `make test`"
    return subprocess.run(
        [
            binary,
            f"-addr={target}",
            "-connect-timeout=2s",
            "-rpc-timeout=2s",
            *([f"-service={service}"] if service else []),
        ],
        capture_output=True,
        check=False,
    ).returncode


async def full_rollup(channel: grpc.aio.Channel) -> analyzer_pb2.GetSystemHealthResponse:
    """GetSystemHealth's answer."""
    analyzer = analyzer_pb2_grpc.AnalyzerServiceStub(channel)
    return await analyzer.GetSystemHealth(analyzer_pb2.GetSystemHealthRequest(), timeout=10)


async def rollup(channel: grpc.aio.Channel) -> tuple[int, dict[str, int]]:
    """The overall state and each component's state."""
    reply = await full_rollup(channel)
    return reply.state, {component.name: component.state for component in reply.components}


async def analyze(channel: grpc.aio.Channel, case: str) -> analyzer_pb2.AnalyzeResponse:
    """One fresh request (a text no other request sent)."""
    analyzer = analyzer_pb2_grpc.AnalyzerServiceStub(channel)
    return await analyzer.Analyze(
        analyzer_pb2.AnalyzeRequest(
            shop_name="Souq Health",
            shop_specialization="electronics",
            policy_type=analyzer_pb2.POLICY_TYPE_RETURN_EXCHANGE,
            policy_text=(
                "Returns are accepted within 3 days of delivery if the product is unopened. "
                f"Refunds are issued as store credit only. Case {case}."
            ),
        ),
        timeout=30,
    )


async def crash_both_providers(suite: LocalSuite) -> None:
    """Every provider request answers 503 from now on."""
    async with EmulatorControl(suite.emulator_url) as emulator:
        for provider in ("openai", "gemini"):
            await emulator.inject(provider, "server_error", status=503)


async def blacklist(suite: LocalSuite, provider: str) -> None:
    """Report a crash of the provider to health, which blacklists it."""
    async with grpc.aio.insecure_channel(f"{suite.host}:{suite.ports.health}") as channel:
        health = health_pb2_grpc.ProviderHealthServiceStub(channel)
        await health.ReportOutcome(
            health_pb2.ReportOutcomeRequest(
                provider=provider,
                success=False,
                error_class=error_class_pb2.ERROR_CLASS_SERVICE_CRASH,
                latency=duration_pb2.Duration(nanos=1000),
            ),
            timeout=5,
        )


async def test_every_service_answers_grpc_health_probe(suite: LocalSuite) -> None:
    for port in (suite.ports.analyzer, suite.ports.quota, suite.ports.health):
        assert await asyncio.to_thread(probe, f"{suite.host}:{port}") == 0


async def test_rollup_moves_from_healthy_to_degraded_to_unhealthy(
    suite: LocalSuite, redis: RedisServer
) -> None:
    async with analyzer_channel(suite) as channel:
        # The typeshed stub declares no methods on HealthStub.
        grpc_health: Any = grpc_health_pb2_grpc.HealthStub(channel)
        watch = grpc_health.Watch(grpc_health_pb2.HealthCheckRequest(service=SERVICE_NAME))
        seen: list[int] = []

        async def follow() -> None:
            async for reply in watch:
                seen.append(reply.status)

        follower = asyncio.create_task(follow())

        state, components = await rollup(channel)
        assert state == HEALTHY
        assert components == {
            "provider:openai": HEALTHY,
            "provider:gemini": HEALTHY,
            "quota": HEALTHY,
            "health": HEALTHY,
            "store": HEALTHY,
            "caches": HEALTHY,
        }

        await blacklist(suite, "gemini")
        state, components = await rollup(channel)
        assert state == DEGRADED
        assert components["provider:gemini"] == UNHEALTHY
        assert components["provider:openai"] == HEALTHY
        assert await asyncio.to_thread(probe, suite.analyzer_target, SERVICE_NAME) == 0

        await blacklist(suite, "openai")
        state, components = await rollup(channel)
        assert state == DEGRADED, "degraded answers can still come from the store"

        redis.stop()
        state, components = await rollup(channel)
        assert state == UNHEALTHY
        assert components["store"] == UNHEALTHY
        await wait_health(suite.analyzer_target, NOT_SERVING, service=SERVICE_NAME)
        assert await asyncio.to_thread(probe, suite.analyzer_target, SERVICE_NAME) != 0
        assert await asyncio.to_thread(probe, suite.analyzer_target) == 0, (
            "the rulebook still answers"
        )

        redis.start()
        await wait_health(suite.analyzer_target, SERVING, service=SERVICE_NAME)
        assert (await rollup(channel))[0] != UNHEALTHY
        follower.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await follower

    assert seen[:3] == [SERVING, NOT_SERVING, SERVING]


async def test_both_providers_crash_then_the_store_dies_is_unhealthy_naming_both(
    suite: LocalSuite, redis: RedisServer
) -> None:
    await crash_both_providers(suite)
    async with analyzer_channel(suite) as channel:
        before = await analyze(channel, "before the store dies")
        redis.stop()
        reply = await eventually(
            lambda: full_rollup(channel),
            lambda reply: reply.state == UNHEALTHY,
            what="the roll-up turning UNHEALTHY",
        )
        after = await analyze(channel, "after the store died")
        await wait_health(suite.analyzer_target, NOT_SERVING, service=SERVICE_NAME)
        overall_probe = await asyncio.to_thread(probe, suite.analyzer_target)
        named_probe = await asyncio.to_thread(probe, suite.analyzer_target, SERVICE_NAME)

    assert before.source == analyzer_pb2.SOURCE_RULES
    assert after.source == analyzer_pb2.SOURCE_RULES, "the rulebook answers with nothing else"
    components = {component.name: component for component in reply.components}
    for name in PROVIDERS:
        assert components[name].state == UNHEALTHY, components[name]
        assert components[name].source in (THIS_REPLICA, LAST_KNOWN), components[name]
        assert components[name].HasField("observed_at")
    assert components["store"].state == UNHEALTHY
    assert overall_probe == 0
    assert named_probe != 0


async def test_a_provider_seen_crashing_here_is_not_shown_healthy_while_health_is_away(
    suite: LocalSuite,
) -> None:
    async with analyzer_channel(suite) as channel:
        healthy = {c.name: c for c in (await full_rollup(channel)).components}
        suite.stop_process("health")
        await crash_both_providers(suite)
        answer = await analyze(channel, "health is away")
        reply = await full_rollup(channel)

    assert all(healthy[name].source == HEALTH_VIEW for name in PROVIDERS)
    assert answer.source in (analyzer_pb2.SOURCE_RULES, analyzer_pb2.SOURCE_DEGRADED_SIMILAR)
    components = {component.name: component for component in reply.components}
    for name in PROVIDERS:
        # Health's last view says both are closed and healthy; this replica saw them crash.
        assert components[name].state == UNHEALTHY, components[name]
        assert components[name].source == THIS_REPLICA, components[name]
        assert "SERVICE_CRASH" in components[name].detail
        assert components[name].observed_at.ToDatetime() >= healthy[name].observed_at.ToDatetime()
    assert components["health"].state == DEGRADED
    assert components["health"].source == LAST_KNOWN
    assert reply.state == DEGRADED, "the store still holds degraded answers"


async def test_quota_service_down_is_degraded_while_the_store_answers(
    suite: LocalSuite,
) -> None:
    suite.stop_process("quota")
    async with analyzer_channel(suite) as channel:
        state, components = await rollup(channel)

    assert state == DEGRADED
    assert components["quota"] == UNHEALTHY
    assert components["store"] == HEALTHY
    assert await asyncio.to_thread(probe, suite.analyzer_target) == 0
