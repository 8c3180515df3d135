"""Channels between Sanad's services: a slow link still connects on the first try.

gRPC's ``min_reconnect_backoff_ms`` is the deadline of a connection attempt. Set to the
100 ms reconnect backoff, it made a link slower than that (here a relay that holds every
reply back 0.3 s, as a slow network or a TLS handshake on a loaded host can) fail each
attempt, and every call made meanwhile failed at once with UNAVAILABLE for about a second.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import grpc
import pytest
from grpc_health.v1 import health, health_pb2, health_pb2_grpc

from sanad_common.channels import dependency_channel
from tests.support.relay import TcpRelay

SLOW_REPLIES = 0.3
"""Seconds the relay holds each of the server's replies back."""


@pytest.fixture
async def health_server() -> AsyncIterator[int]:
    server = grpc.aio.server()
    health_pb2_grpc.add_HealthServicer_to_server(health.aio.HealthServicer(), server)
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    yield port
    await server.stop(None)


async def test_a_dependency_behind_a_slow_link_answers_the_first_calls(health_server: int) -> None:
    with TcpRelay("127.0.0.1", health_server, reply_delay=SLOW_REPLIES) as relay:
        async with dependency_channel(relay.target, max_reconnect_backoff=2.0) as channel:
            # The typeshed stub declares no methods on HealthStub.
            stub: Any = health_pb2_grpc.HealthStub(channel)

            async def check() -> str:
                try:
                    reply = await stub.Check(health_pb2.HealthCheckRequest(), timeout=10)
                except grpc.aio.AioRpcError as error:
                    return error.code().name
                return health_pb2.HealthCheckResponse.ServingStatus.Name(reply.status)

            statuses = await asyncio.gather(*(check() for _ in range(20)))
        assert statuses == ["SERVING"] * 20
        assert relay.accepted == 1
