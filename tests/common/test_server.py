"""The shared server start-up and interceptor, through a real gRPC server: statuses for every
kind of failure, admin authorisation, and health that follows readiness."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import os
import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import grpc
import pytest
import structlog
from pydantic import SecretStr

from sanad.quota.v1 import quota_pb2, quota_pb2_grpc
from sanad_common import interceptors
from sanad_common.config import Settings
from sanad_common.errors import FieldViolation, ServiceError, invalid_argument
from sanad_common.log_limits import CLIENT_GONE_EVENT, ClientGoneFilter, LogRate
from sanad_common.server import AddressInUseError, ServiceApp, ServiceDefinition, start_server
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
from tests.support.waiting import eventually, eventually_read


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

    async def ReserveStream(  # noqa: N802
        self, requests: AsyncIterator[quota_pb2.ReserveStreamRequest], context: Any
    ) -> AsyncIterator[quota_pb2.ReserveStreamResponse]:
        """Each message runs, as a call of its own, the unary handler its provider names."""
        handlers = {
            "reserve": self.Reserve,
            "commit": self.Commit,
            "release": self.Release,
            "get_usage": self.GetUsage,
        }
        async for message in requests:
            handler = functools.partial(handlers[message.reserve.provider], None, None)
            outcome = await interceptors.stream_message(STREAMED, handler)
            if isinstance(outcome, ServiceError):
                yield quota_pb2.ReserveStreamResponse(id=message.id, status=outcome.to_proto())
            else:
                yield quota_pb2.ReserveStreamResponse(id=message.id)


STREAMED = "/sanad.quota.v1.QuotaService/ReserveStream"


def streamed(message_id: int, handler: str) -> quota_pb2.ReserveStreamRequest:
    """A message FailingQuota.ReserveStream runs through the named unary handler."""
    return quota_pb2.ReserveStreamRequest(
        id=message_id, reserve=quota_pb2.ReserveRequest(provider=handler)
    )


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


def _app(
    readiness: Readiness,
    servicer: FailingQuota | None = None,
    service_readiness: Readiness | None = None,
) -> Any:
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
                    readiness_check=service_readiness,
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


@pytest.fixture
def rpc_durations(monkeypatch: pytest.MonkeyPatch) -> MeterProbe:
    """A probe that records the interceptor's sanad_rpc_duration_seconds."""
    probe = MeterProbe()
    monkeypatch.setattr(
        interceptors, "_rpc_duration", probe.meter.create_histogram("sanad_rpc_duration_seconds")
    )
    return probe


async def test_a_cancelled_call_is_recorded_as_cancelled(rpc_durations: MeterProbe) -> None:
    probe = rpc_durations
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
        await eventually_read(lambda: recorded("CANCELLED"), bool, what="a CANCELLED duration")

    assert recorded("CANCELLED") == 1
    assert recorded("OK") == 0


def _durations(probe: MeterProbe, method: str) -> dict[str, float]:
    """How many durations were recorded for method, by status code."""
    return {
        dict(labels)["code"]: count
        for (name, labels), count in probe.read().items()
        if name == "sanad_rpc_duration_seconds" and ("method", method) in labels
    }


async def test_streamed_calls_fail_as_their_unary_calls_do_and_are_measured(
    rpc_durations: MeterProbe,
) -> None:
    probe = rpc_durations
    settings = Settings(host="127.0.0.1")
    async with serve_in_process("test", _app(Readiness()), settings) as channel:
        call = quota_pb2_grpc.QuotaServiceStub(channel).ReserveStream(
            iter([streamed(n, name) for n, name in enumerate(HANDLERS)])
        )
        answers = {answer.id: answer for answer in [item async for item in call]}

    statuses = [answers[n].status for n in range(len(HANDLERS))]
    invalid, store_down, bug, answered = statuses
    assert invalid.code == grpc.StatusCode.INVALID_ARGUMENT.value[0]
    assert bad_request_fields(invalid) == ["provider"]
    assert store_down.code == grpc.StatusCode.UNAVAILABLE.value[0]
    assert error_reason(store_down) == "STORE_UNAVAILABLE"
    assert (bug.code, bug.message) == (grpc.StatusCode.INTERNAL.value[0], "internal error")
    assert not answers[3].HasField("status") and answered.code == 0
    assert _durations(probe, STREAMED) == {
        "INVALID_ARGUMENT": 1,
        "UNAVAILABLE": 1,
        "INTERNAL": 1,
        "OK": 1,
    }


HANDLERS = ("reserve", "commit", "release", "get_usage")


async def test_a_streamed_call_its_caller_left_is_recorded_as_cancelled(
    rpc_durations: MeterProbe,
) -> None:
    probe = rpc_durations
    servicer = HangingQuota()
    settings = Settings(host="127.0.0.1")
    async with serve_in_process("test", _app(Readiness(), servicer), settings) as channel:
        call = quota_pb2_grpc.QuotaServiceStub(channel).ReserveStream()
        await call.write(streamed(1, "get_usage"))
        await asyncio.wait_for(servicer.started.wait(), timeout=5)
        call.cancel()
        await eventually_read(
            lambda: _durations(probe, STREAMED).get("CANCELLED", 0.0), bool, what="CANCELLED"
        )

    assert _durations(probe, STREAMED) == {"CANCELLED": 1}


async def test_health_follows_readiness(quota_stub: Any) -> None:
    _, channel, readiness = quota_stub
    assert await health_status(channel) == NOT_SERVING
    assert await health_status(channel, "sanad.quota.v1.QuotaService") == NOT_SERVING

    readiness.ready = True
    await eventually(lambda: health_status(channel), lambda status: status == SERVING)
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


async def test_a_port_another_server_holds_is_refused_not_shared(tmp_path: Path) -> None:
    settings = Settings(host="127.0.0.1", store_url=f"sqlite:///{tmp_path}/store.db")
    first = await start_server(
        component="test",
        services=[],
        port=0,
        settings=settings,
        readiness_check=Readiness(),
    )
    try:
        with pytest.raises(AddressInUseError):
            await start_server(
                component="test",
                services=[],
                port=first.port,
                settings=settings,
                readiness_check=Readiness(),
            )
    finally:
        await first.stop(grace=0)


GARBAGE = b"\xff\xff\xff\xff"
"""Bytes no protobuf message decodes from (a field tag with a varint that never ends)."""


async def test_undecodable_bytes_are_invalid_argument_on_every_kind_of_rpc(
    quota_stub: Any,
) -> None:
    _, channel, _ = quota_stub
    calls = {
        "unary": channel.unary_unary("/sanad.quota.v1.QuotaService/Reserve"),
        "admin": channel.unary_unary("/sanad.quota.v1.QuotaService/ResetQuota"),
        "server streaming": channel.unary_stream("/sanad.quota.v1.QuotaService/WatchUsage"),
        "health check": channel.unary_unary("/grpc.health.v1.Health/Check"),
        "health watch": channel.unary_stream("/grpc.health.v1.Health/Watch"),
    }
    codes: dict[str, grpc.StatusCode] = {}
    messages: dict[str, str] = {}
    with structlog.testing.capture_logs() as logs:
        for name, call in calls.items():
            with pytest.raises(grpc.aio.AioRpcError) as raised:
                answer = call(GARBAGE, timeout=5)
                if isinstance(answer, grpc.aio.UnaryStreamCall):
                    await answer.read()
                else:
                    await answer
            codes[name] = raised.value.code()
            messages[name] = raised.value.details() or ""
        reflection = channel.stream_stream(
            "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo"
        )(iter([GARBAGE]), timeout=5)
        with pytest.raises(grpc.aio.AioRpcError) as raised:
            await reflection.read()
        codes["reflection"] = raised.value.code()

    assert set(codes.values()) == {grpc.StatusCode.INVALID_ARGUMENT}, codes
    assert "'sanad.quota.v1.ReserveRequest'" in messages["unary"]
    assert "'grpc.health.v1.HealthCheckRequest'" in messages["health check"]
    refused = [entry for entry in logs if entry["event"] == "undecodable request refused"]
    assert refused and all(entry["log_level"] == "warning" for entry in refused)
    assert not [entry for entry in logs if entry.get("exc_info") or entry["log_level"] == "error"]


async def test_undecodable_requests_are_logged_at_a_bounded_rate(quota_stub: Any) -> None:
    _, channel, _ = quota_stub
    reserve = channel.unary_unary("/sanad.quota.v1.QuotaService/Reserve")
    with structlog.testing.capture_logs() as logs:
        for _ in range(60):
            with pytest.raises(grpc.aio.AioRpcError):
                await reserve(GARBAGE, timeout=5)

    refused = [entry for entry in logs if entry["event"] == "undecodable request refused"]
    assert len(refused) == interceptors.UNDECODABLE_LOG_BURST


def test_the_log_rate_admits_a_burst_then_one_per_interval_and_counts_the_rest() -> None:
    clock = [0.0]
    rate = LogRate(2, 10.0, clock=lambda: clock[0])

    first = [rate.admit() for _ in range(5)]
    clock[0] = 10.0
    later = rate.admit()

    assert first == [0, 0, None, None, None]
    assert later == 3


async def test_admin_calls_are_written_to_the_audit_log(quota_stub: Any) -> None:
    quota, _, _ = quota_stub
    with structlog.testing.capture_logs() as logs:
        await quota.ResetQuota(
            quota_pb2.ResetQuotaRequest(), metadata=(("authorization", "Bearer s3cret"),)
        )
        for metadata in ((), (("authorization", "Bearer guess"),)):
            with pytest.raises(grpc.aio.AioRpcError):
                await quota.ResetQuota(quota_pb2.ResetQuotaRequest(), metadata=metadata)
        await quota.GetUsage(quota_pb2.GetUsageRequest())

    lines = [entry for entry in logs if entry["event"] == "admin action"]
    assert [(line["result"], line["who"]["credential"]) for line in lines] == [
        ("OK", "admin token"),
        ("UNAUTHENTICATED", "no token"),
        ("UNAUTHENTICATED", "a token that is not the admin token"),
    ]
    for line in lines:
        assert line["what"] == "/sanad.quota.v1.QuotaService/ResetQuota"
        assert line["who"]["peer"].startswith("ipv4:127.0.0.1:")
        assert datetime.fromisoformat(line["when"]).tzinfo is not None
        assert "s3cret" not in repr(line) and "guess" not in repr(line)


def test_grpcs_traceback_for_a_vanished_client_is_a_bounded_one_line_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    logger = logging.getLogger("test.grpc-core")
    logger.addFilter(ClientGoneFilter(LogRate(2, 60.0)))
    with caplog.at_level(logging.INFO, logger="test.grpc-core"):
        for _ in range(5):
            try:
                raise RuntimeError("Failed execute_batch")
            except RuntimeError:
                logger.exception("%s [%s]", CLIENT_GONE_EVENT, "/grpc.health.v1.Health/Watch")
        logger.error("something else")

    gone = [record for record in caplog.records if CLIENT_GONE_EVENT in record.getMessage()]
    assert len(gone) == 2
    assert all(record.levelname == "WARNING" and record.exc_info is None for record in gone)
    assert "the client went away" in gone[0].getMessage()
    assert [record.levelname for record in caplog.records][-1] == "ERROR"


async def test_a_named_service_with_its_own_check_follows_it_and_the_overall_one() -> None:
    overall, named = Readiness(), Readiness()
    overall.ready = True
    settings = Settings(host="127.0.0.1", readiness_interval=0.1)
    service = "sanad.quota.v1.QuotaService"
    async with serve_in_process(
        "test", _app(overall, service_readiness=named), settings
    ) as channel:

        async def statuses() -> tuple[int, int]:
            return await health_status(channel), await health_status(channel, service)

        apart = await eventually(statuses, lambda seen: seen == (SERVING, NOT_SERVING))
        named.ready = True
        both = await eventually(statuses, lambda seen: seen == (SERVING, SERVING))
        overall.ready = False
        neither = await eventually(statuses, lambda seen: seen == (NOT_SERVING, NOT_SERVING))

    assert (apart, both, neither) == (
        (SERVING, NOT_SERVING),
        (SERVING, SERVING),
        (NOT_SERVING, NOT_SERVING),
    )
