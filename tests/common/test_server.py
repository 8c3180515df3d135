"""The shared server start-up and interceptor, through a real gRPC server: statuses for every
kind of failure, admin authorisation, and health that follows readiness."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import grpc
import pytest
from pydantic import SecretStr

from sanad.quota.v1 import quota_pb2, quota_pb2_grpc
from sanad_common import interceptors
from sanad_common.config import Settings
from sanad_common.errors import FieldViolation, invalid_argument
from sanad_common.server import ServiceApp, ServiceDefinition
from sanad_common.storage import StoreUnavailableError
from tests.support.services import (
    NOT_SERVING,
    SERVING,
    MeterProbe,
    bad_request_fields,
    error_reason,
    health_status,
    serve_in_process,
)


class FailingQuota(quota_pb2_grpc.QuotaServiceServicer):
    """Each RPC fails in its own way, as real handlers can."""

    async def Reserve(self, request: Any, context: Any) -> quota_pb2.ReserveResponse:  # noqa: N802
        raise invalid_argument([FieldViolation("provider", "unknown provider")])

    async def Commit(self, request: Any, context: Any) -> quota_pb2.CommitResponse:  # noqa: N802
        raise StoreUnavailableError("connection refused")

    async def Release(self, request: Any, context: Any) -> quota_pb2.ReleaseResponse:  # noqa: N802
        raise KeyError("a bug")

    async def Settle(self, request: Any, context: Any) -> quota_pb2.SettleResponse:  # noqa: N802
        return quota_pb2.SettleResponse()

    async def GetUsage(self, request: Any, context: Any) -> quota_pb2.GetUsageResponse:  # noqa: N802
        return quota_pb2.GetUsageResponse()

    async def ResetQuota(  # noqa: N802
        self, request: Any, context: Any
    ) -> quota_pb2.ResetQuotaResponse:
        return quota_pb2.ResetQuotaResponse()

    async def RecordUsage(  # noqa: N802
        self, request: Any, context: Any
    ) -> quota_pb2.RecordUsageResponse:
        return quota_pb2.RecordUsageResponse()

    def WatchUsage(  # noqa: N802
        self, request: Any, context: Any
    ) -> Iterator[quota_pb2.WatchUsageResponse]:
        return iter(())


class Readiness:
    """A readiness check a test switches on and off."""

    def __init__(self) -> None:
        self.ready = False

    async def __call__(self) -> None:
        if not self.ready:
            raise StoreUnavailableError("not yet")


class HangingQuota(FailingQuota):
    """GetUsage never answers, so the caller can cancel it while the handler runs."""

    def __init__(self) -> None:
        self.started = asyncio.Event()

    async def GetUsage(self, request: Any, context: Any) -> quota_pb2.GetUsageResponse:  # noqa: N802
        self.started.set()
        await asyncio.Event().wait()
        raise AssertionError("unreachable")


def _app(readiness: Readiness, servicer: FailingQuota | None = None) -> Any:
    @contextlib.asynccontextmanager
    async def build(settings: Settings) -> AsyncIterator[ServiceApp]:
        yield ServiceApp(
            services=[
                ServiceDefinition(
                    name="sanad.quota.v1.QuotaService",
                    register=lambda server: quota_pb2_grpc.add_QuotaServiceServicer_to_server(
                        servicer or FailingQuota(), server
                    ),
                    admin_methods=frozenset({"ResetQuota"}),
                )
            ],
            readiness_check=readiness,
        )

    return build


@pytest.fixture
async def quota_stub() -> AsyncIterator[
    tuple[quota_pb2_grpc.QuotaServiceAsyncStub, Any, Readiness]
]:
    readiness = Readiness()
    settings = Settings(host="127.0.0.1", admin_token=SecretStr("s3cret"))
    async with serve_in_process("test", _app(readiness), settings) as channel:
        yield quota_pb2_grpc.QuotaServiceStub(channel), channel, readiness


async def test_service_error_becomes_its_status_with_details(quota_stub: Any) -> None:
    quota, _, _ = quota_stub
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await quota.Reserve(quota_pb2.ReserveRequest())
    assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert bad_request_fields(raised.value) == ["provider"]


async def test_store_outage_is_unavailable_with_a_reason(quota_stub: Any) -> None:
    quota, _, _ = quota_stub
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await quota.Commit(quota_pb2.CommitRequest())
    assert raised.value.code() == grpc.StatusCode.UNAVAILABLE
    assert error_reason(raised.value) == "STORE_UNAVAILABLE"


async def test_unexpected_exception_is_internal_without_a_traceback(quota_stub: Any) -> None:
    quota, _, _ = quota_stub
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await quota.Release(quota_pb2.ReleaseRequest())
    assert raised.value.code() == grpc.StatusCode.INTERNAL
    assert raised.value.details() == "internal error"
    assert "KeyError" not in str(raised.value.debug_error_string())


async def test_admin_rpc_needs_the_bearer_token(quota_stub: Any) -> None:
    quota, _, _ = quota_stub
    for metadata in ((), (("authorization", "Bearer wrong"),), (("authorization", "s3cret"),)):
        with pytest.raises(grpc.aio.AioRpcError) as raised:
            await quota.ResetQuota(quota_pb2.ResetQuotaRequest(), metadata=metadata)
        assert raised.value.code() == grpc.StatusCode.UNAUTHENTICATED
        assert error_reason(raised.value) == "ADMIN_TOKEN_INVALID"
    await quota.ResetQuota(
        quota_pb2.ResetQuotaRequest(), metadata=(("authorization", "Bearer s3cret"),)
    )


async def test_admin_rpcs_are_refused_when_no_token_is_configured() -> None:
    readiness = Readiness()
    async with serve_in_process("test", _app(readiness), Settings(host="127.0.0.1")) as channel:
        quota = quota_pb2_grpc.QuotaServiceStub(channel)
        with pytest.raises(grpc.aio.AioRpcError) as raised:
            await quota.ResetQuota(
                quota_pb2.ResetQuotaRequest(), metadata=(("authorization", "Bearer "),)
            )
    assert raised.value.code() == grpc.StatusCode.PERMISSION_DENIED
    assert error_reason(raised.value) == "ADMIN_DISABLED"


async def test_a_cancelled_call_is_recorded_as_cancelled(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    probe = MeterProbe()
    monkeypatch.setattr(
        interceptors, "_rpc_duration", probe.meter.create_histogram("sanad_rpc_duration_seconds")
    )
    servicer = HangingQuota()
    method = "/sanad.quota.v1.QuotaService/GetUsage"

    def recorded(code: str) -> float:
        key = frozenset({("component", "test"), ("method", method), ("code", code)})
        return probe.read().get(("sanad_rpc_duration_seconds", key), 0.0)

    settings = Settings(host="127.0.0.1")
    async with serve_in_process("test", _app(Readiness(), servicer), settings) as channel:
        call = quota_pb2_grpc.QuotaServiceStub(channel).GetUsage(quota_pb2.GetUsageRequest())
        await asyncio.wait_for(servicer.started.wait(), timeout=5)
        call.cancel()
        with pytest.raises(asyncio.CancelledError):
            await call
        for _ in range(100):
            if recorded("CANCELLED"):
                break
            await asyncio.sleep(0.02)

    assert recorded("CANCELLED") == 1
    assert recorded("OK") == 0


async def test_health_follows_readiness(quota_stub: Any) -> None:
    _, channel, readiness = quota_stub
    assert await health_status(channel) == NOT_SERVING
    assert await health_status(channel, "sanad.quota.v1.QuotaService") == NOT_SERVING

    readiness.ready = True
    for _ in range(50):
        if await health_status(channel) == SERVING:
            break
        await asyncio.sleep(0.1)
    assert await health_status(channel, "sanad.quota.v1.QuotaService") == SERVING


def test_a_taken_port_is_a_clear_error_not_a_traceback(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "sanad_quota"],
            env={
                **os.environ,
                "SANAD_HOST": "127.0.0.1",
                "SANAD_QUOTA_PORT": str(port),
                "SANAD_QUOTA_METRICS_PORT": "0",
                "SANAD_STORE_URL": f"sqlite:///{tmp_path}/store.db",
            },
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert result.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr
    assert "Traceback" not in result.stderr
