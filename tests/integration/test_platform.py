"""What operators and the mesh rely on: grpc.health.v1 and reflection on every service, and
admin RPCs refused without the token."""

from __future__ import annotations

from typing import Any

import grpc
import pytest
from grpc_health.v1 import health_pb2 as grpc_health_pb2
from grpc_health.v1 import health_pb2_grpc as grpc_health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

from sanad.analyzer.v1 import analyzer_pb2
from sanad_launcher.suite import LocalSuite
from tests.integration.conftest import Clients

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
    async with grpc.aio.insecure_channel(f"{suite.host}:{_port(suite, component)}") as channel:
        # The typeshed stub declares no methods on HealthStub.
        health: Any = grpc_health_pb2_grpc.HealthStub(channel)
        for service in ("", SERVICES[component]):
            reply = await health.Check(
                grpc_health_pb2.HealthCheckRequest(service=service), timeout=5
            )
            assert reply.status == grpc_health_pb2.HealthCheckResponse.SERVING

        # typeshed's ServerReflectionStub accepts only a sync channel; grpc.aio works the same.
        reflection: Any = reflection_pb2_grpc.ServerReflectionStub(channel)  # type: ignore[arg-type]
        request = reflection_pb2.ServerReflectionRequest(list_services="")
        names = set()
        async for reply in reflection.ServerReflectionInfo(iter([request]), timeout=5):
            names |= {service.name for service in reply.list_services_response.service}
        assert {SERVICES[component], "grpc.health.v1.Health"} <= names


async def test_admin_rpc_needs_the_token(clients: Clients) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await clients.analyzer.ClearCache(analyzer_pb2.ClearCacheRequest())
    assert raised.value.code() == grpc.StatusCode.UNAUTHENTICATED

    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await clients.analyzer.GetCacheStats(
            analyzer_pb2.GetCacheStatsRequest(), metadata=(("authorization", "Bearer wrong"),)
        )
    assert raised.value.code() == grpc.StatusCode.UNAUTHENTICATED
