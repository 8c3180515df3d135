"""The run's connections against a real gRPC server (a stand-in quota service behind a relay
that counts connections): one connection per service however many calls, closed with the run;
an UNAVAILABLE the service answers is its answer (exit 1), a server that never completes the
connection is unreachable (exit 2); the admin token is checked before anything is sent."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import NoReturn

import grpc
import pytest
from pydantic import SecretStr

from sanad.quota.v1 import quota_pb2
from sanad_cli.connection import Connections
from sanad_cli.settings import CliSettings
from tests.support.relay import TcpRelay

GET_USAGE = quota_pb2.GetUsageRequest()
RESET = quota_pb2.ResetQuotaRequest(provider="openai")


def _get_usage(
    request: quota_pb2.GetUsageRequest, context: grpc.ServicerContext
) -> quota_pb2.GetUsageResponse:
    return quota_pb2.GetUsageResponse()


def _reset_quota(request: quota_pb2.ResetQuotaRequest, context: grpc.ServicerContext) -> NoReturn:
    context.abort(grpc.StatusCode.UNAVAILABLE, "store unavailable")


@pytest.fixture
def quota() -> Iterator[TcpRelay]:
    """A quota service that answers GetUsage and refuses ResetQuota with UNAVAILABLE, reached
    through a relay."""
    server = grpc.server(ThreadPoolExecutor(max_workers=4))
    server.add_generic_rpc_handlers(
        (
            grpc.method_handlers_generic_handler(
                "sanad.quota.v1.QuotaService",
                {
                    "GetUsage": grpc.unary_unary_rpc_method_handler(
                        _get_usage,
                        request_deserializer=quota_pb2.GetUsageRequest.FromString,
                        response_serializer=quota_pb2.GetUsageResponse.SerializeToString,
                    ),
                    "ResetQuota": grpc.unary_unary_rpc_method_handler(
                        _reset_quota,
                        request_deserializer=quota_pb2.ResetQuotaRequest.FromString,
                        response_serializer=quota_pb2.ResetQuotaResponse.SerializeToString,
                    ),
                },
            ),
        )
    )
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    try:
        with TcpRelay("127.0.0.1", port) as relay:
            yield relay
    finally:
        server.stop(grace=None)


def _connections(
    quota_target: str, timeout: float = 5.0, token: SecretStr | None = None
) -> Connections:
    return Connections(CliSettings(quota_target=quota_target, timeout=timeout, admin_token=token))


def test_calls_to_one_service_share_one_connection_closed_with_the_run(quota: TcpRelay) -> None:
    with _connections(quota.target) as connections:
        for _ in range(3):
            connections.quota.call(lambda stub: stub.GetUsage, GET_USAGE)

        async def concurrently() -> None:
            await asyncio.gather(
                *(connections.quota.invoke(lambda stub: stub.GetUsage, GET_USAGE) for _ in range(4))
            )

        connections.run(concurrently())
        open_during_the_run = quota.open_connections

    assert (quota.accepted, open_during_the_run) == (1, 1)
    assert quota.all_closed_within(5.0), "the run's end closes its connection"


def test_an_unavailable_answer_is_the_services_not_unreachable(
    quota: TcpRelay, capsys: pytest.CaptureFixture[str]
) -> None:
    with (
        _connections(quota.target, token=SecretStr("t")) as connections,
        pytest.raises(SystemExit) as stop,
    ):
        connections.quota.call(lambda stub: stub.ResetQuota, RESET, admin=True)

    assert stop.value.code == 1
    assert capsys.readouterr().err == (
        f"sanad: {quota.target} answered UNAVAILABLE: store unavailable\n"
    )


def test_without_the_admin_token_nothing_is_sent(
    quota: TcpRelay, capsys: pytest.CaptureFixture[str]
) -> None:
    with _connections(quota.target) as connections, pytest.raises(SystemExit) as stop:
        connections.quota.call(lambda stub: stub.ResetQuota, RESET, admin=True)

    assert stop.value.code == 2
    assert "needs the admin token" in capsys.readouterr().err
    assert quota.accepted == 0


def test_a_server_that_never_completes_the_connection_is_unreachable(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with socket.create_server(("127.0.0.1", 0)) as silent:
        target = f"127.0.0.1:{silent.getsockname()[1]}"
        with (
            _connections(target, timeout=0.3) as connections,
            pytest.raises(SystemExit) as stop,
        ):
            connections.quota.call(lambda stub: stub.GetUsage, GET_USAGE)

    assert stop.value.code == 2
    assert capsys.readouterr().err == f"sanad: cannot reach {target}: DEADLINE_EXCEEDED\n"
