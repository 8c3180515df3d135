"""The analyzer's health client against a real health service: the order it gives, and the
fallback when health stops answering (the last order for a while, with providers let back in
when their open period ends, then the configured order)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import grpc

from sanad.health.v1 import health_pb2, health_pb2_grpc
from sanad.type.v1 import error_class_pb2
from sanad_analyzer.downstream.health import HealthGateway
from sanad_common.config import Settings
from sanad_common.error_class import ErrorClass
from sanad_common.server import RunningServer, start_server
from sanad_health.app import build_app

BLACKLIST_SECONDS = 1.0
ORDER = ("openai", "gemini")


@contextlib.asynccontextmanager
async def health_after_failure(
    tmp_path: Path, error_class: error_class_pb2.ErrorClass.ValueType
) -> AsyncIterator[tuple[grpc.aio.Channel, RunningServer]]:
    """A real health service in this process that has seen openai fail with error_class."""
    settings = Settings(
        host="127.0.0.1",
        store_url=f"sqlite:///{tmp_path}/store.db",
        blacklist_duration=BLACKLIST_SECONDS,
    )
    async with build_app(settings) as app:
        server = await start_server(
            component="health",
            services=app.services,
            port=0,
            settings=settings,
            readiness_check=app.readiness_check,
        )
        async with grpc.aio.insecure_channel(f"127.0.0.1:{server.port}") as channel:
            await health_pb2_grpc.ProviderHealthServiceStub(channel).ReportOutcome(
                health_pb2.ReportOutcomeRequest(
                    provider="openai", success=False, error_class=error_class
                )
            )
            yield channel, server
            await server.stop(grace=0)


async def test_fallback_keeps_a_blacklisted_provider_out_until_its_time(tmp_path: Path) -> None:
    crash = error_class_pb2.ERROR_CLASS_SERVICE_CRASH
    async with health_after_failure(tmp_path, crash) as (channel, server):
        gateway = HealthGateway(channel, timeout=0.5, configured_order=ORDER)
        live = await gateway.provider_order(None)
        await server.stop(grace=0)

        during = await gateway.provider_order(None)
        await asyncio.sleep(BLACKLIST_SECONDS + 0.2)  # waits out the blacklisting on purpose
        after = await gateway.provider_order(None)
        await gateway.aclose()

    assert live.available == ("gemini",)
    assert [(s.name, s.reason) for s in live.skipped] == [("openai", ErrorClass.SERVICE_CRASH)]
    assert during.available == ("gemini",)
    assert after.available == ORDER
    assert after.skipped == ()


async def test_fallback_returns_to_the_configured_order_after_a_while(tmp_path: Path) -> None:
    authentication = error_class_pb2.ERROR_CLASS_AUTHENTICATION
    async with health_after_failure(tmp_path, authentication) as (channel, server):
        gateway = HealthGateway(channel, timeout=0.5, configured_order=ORDER, last_order_ttl=0.5)
        await gateway.provider_order(None)
        await server.stop(grace=0)

        during = await gateway.provider_order(None)
        await asyncio.sleep(0.7)  # waits out last_order_ttl on purpose
        after = await gateway.provider_order(None)
        await gateway.aclose()

    assert during.available == ("gemini",)
    assert after.available == ORDER
