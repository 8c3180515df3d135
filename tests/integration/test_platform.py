"""What operators and the mesh rely on: grpc.health.v1 and reflection on every service, and
admin RPCs refused without the token."""

from __future__ import annotations

import grpc
import pytest

from sanad.analyzer.v1 import analyzer_pb2
from sanad_launcher.suite import LocalSuite
from tests.integration.conftest import Clients
from tests.support.services import SERVING, health_status, reflected_services

pytestmark = pytest.mark.integration

SERVICES = {
    "analyzer": "sanad.analyzer.v1.AnalyzerService",
    "quota": "sanad.quota.v1.QuotaService",
    "health": "sanad.health.v1.ProviderHealthService",
}


def _port(suite: LocalSuite, component: str) -> int:
    port: int = getattr(suite.ports, component)
    return port


@pytest.mark.parametrize("component", sorted(SERVICES))
async def test_health_and_reflection(suite: LocalSuite, component: str) -> None:
    target = f"{suite.host}:{_port(suite, component)}"
    async with grpc.aio.insecure_channel(target) as channel:
        for service in ("", SERVICES[component]):
            assert await health_status(channel, service) == SERVING

    assert {SERVICES[component], "grpc.health.v1.Health"} <= await reflected_services(target)


async def test_admin_rpc_needs_the_token(clients: Clients) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await clients.analyzer.ClearCache(analyzer_pb2.ClearCacheRequest())
    assert raised.value.code() == grpc.StatusCode.UNAUTHENTICATED

    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await clients.analyzer.GetCacheStats(
            analyzer_pb2.GetCacheStatsRequest(), metadata=(("authorization", "Bearer wrong"),)
        )
    assert raised.value.code() == grpc.StatusCode.UNAUTHENTICATED
