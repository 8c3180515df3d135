"""GetSystemHealth on the real suite: healthy, degraded when a provider is blacklisted or quota
is gone, unhealthy when no provider can answer and the store is down too; grpc.health.v1 and
grpc-health-probe follow (SERVING for healthy and degraded, NOT_SERVING for unhealthy)."""

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
from sanad_launcher.redis_server import RedisServer
from sanad_launcher.suite import NO_METRICS_PORTS, LocalSuite, SuitePorts
from tests.support.services import NOT_SERVING, SERVING, wait_health

pytestmark = pytest.mark.integration

HEALTHY = analyzer_pb2.HEALTH_STATE_HEALTHY
DEGRADED = analyzer_pb2.HEALTH_STATE_DEGRADED
UNHEALTHY = analyzer_pb2.HEALTH_STATE_UNHEALTHY
NO_METRICS = {
    **NO_METRICS_PORTS,
}


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
        env=NO_METRICS,
    ) as running:
        yield running


@contextlib.asynccontextmanager
async def analyzer_channel(suite: LocalSuite) -> AsyncIterator[grpc.aio.Channel]:
    async with grpc.aio.insecure_channel(suite.analyzer_target) as channel:
        yield channel


def probe(target: str) -> int:
    """grpc-health-probe's exit code against target (0 means SERVING)."""
    binary = shutil.which("grpc-health-probe")
    assert binary, "grpc-health-probe is not on PATH: run the tests with `make test`"
    return subprocess.run(
        [binary, f"-addr={target}", "-connect-timeout=2s", "-rpc-timeout=2s"],
        capture_output=True,
        check=False,
    ).returncode


async def rollup(channel: grpc.aio.Channel) -> tuple[int, dict[str, int]]:
    """The overall state and each component's state."""
    analyzer = analyzer_pb2_grpc.AnalyzerServiceStub(channel)
    reply = await analyzer.GetSystemHealth(analyzer_pb2.GetSystemHealthRequest(), timeout=10)
    return reply.state, {component.name: component.state for component in reply.components}


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
        watch = grpc_health.Watch(grpc_health_pb2.HealthCheckRequest(service=""))
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
        assert await asyncio.to_thread(probe, suite.analyzer_target) == 0

        await blacklist(suite, "openai")
        state, components = await rollup(channel)
        assert state == DEGRADED, "degraded answers can still come from the store"

        redis.stop()
        state, components = await rollup(channel)
        assert state == UNHEALTHY
        assert components["store"] == UNHEALTHY
        await wait_health(suite.analyzer_target, NOT_SERVING)
        assert await asyncio.to_thread(probe, suite.analyzer_target) != 0

        redis.start()
        await wait_health(suite.analyzer_target, SERVING)
        assert (await rollup(channel))[0] != UNHEALTHY
        follower.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await follower

    assert seen[:3] == [SERVING, NOT_SERVING, SERVING]


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
