"""Load the shared server refuses on purpose: RPCs past its concurrency limit are shed at once
with RESOURCE_EXHAUSTED and a RetryInfo, and request metadata has one explicit size limit
(accepted below it, refused above it, every time)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import grpc
import pytest
from google.rpc import error_details_pb2, status_pb2

from sanad.quota.v1 import quota_pb2, quota_pb2_grpc
from sanad_common.config import Settings
from tests.common.test_server import HangingQuota, Readiness, _app, streamed
from tests.support.services import (
    NOT_SERVING,
    error_reason,
    health_status,
    rich_status,
    serve_in_process,
)

TRIES = 10


def retry_delay(error: grpc.aio.AioRpcError | status_pb2.Status) -> float | None:
    """Seconds the RetryInfo of a failed call or status asks the caller to wait, if any."""
    status = rich_status(error)
    for detail in status.details if status is not None else ():
        if detail.Is(error_details_pb2.RetryInfo.DESCRIPTOR):
            info = error_details_pb2.RetryInfo()
            detail.Unpack(info)
            return float(info.retry_delay.ToTimedelta().total_seconds())
    return None


@pytest.fixture
async def limited() -> AsyncIterator[tuple[grpc.aio.Channel, HangingQuota]]:
    """A server that runs one RPC at a time, with the HangingQuota it serves."""
    servicer = HangingQuota()
    settings = Settings(host="127.0.0.1", max_concurrent_rpcs=1)
    async with serve_in_process("test", _app(Readiness(), servicer), settings) as channel:
        yield channel, servicer


async def hold_the_limit(
    quota: quota_pb2_grpc.QuotaServiceAsyncStub, servicer: HangingQuota
) -> grpc.aio.UnaryUnaryCall[quota_pb2.GetUsageRequest, quota_pb2.GetUsageResponse]:
    """A GetUsage that never answers, once its handler runs."""
    holding = quota.GetUsage(quota_pb2.GetUsageRequest())
    await asyncio.wait_for(servicer.started.wait(), timeout=5)
    return holding


async def test_rpcs_past_the_concurrency_limit_are_shed_with_retry_info(
    limited: tuple[grpc.aio.Channel, HangingQuota],
) -> None:
    channel, servicer = limited
    quota = quota_pb2_grpc.QuotaServiceStub(channel)
    holding = await hold_the_limit(quota, servicer)
    with pytest.raises(grpc.aio.AioRpcError) as shed:
        await quota.Reserve(quota_pb2.ReserveRequest(), timeout=5)
    probe_answered = await health_status(channel)
    holding.cancel()
    with pytest.raises(grpc.aio.AioRpcError) as admitted:
        await quota.Reserve(quota_pb2.ReserveRequest(), timeout=5)

    assert shed.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
    assert error_reason(shed.value) == "OVERLOADED"
    assert retry_delay(shed.value) == 0.5
    assert probe_answered == NOT_SERVING
    assert admitted.value.code() == grpc.StatusCode.INVALID_ARGUMENT


async def test_streamed_calls_count_against_the_concurrency_limit_as_calls(
    limited: tuple[grpc.aio.Channel, HangingQuota],
) -> None:
    channel, servicer = limited
    quota = quota_pb2_grpc.QuotaServiceStub(channel)
    holding = await hold_the_limit(quota, servicer)
    (shed,) = [answer async for answer in quota.ReserveStream(iter([streamed(7, "reserve")]))]
    holding.cancel()

    servicer.started.clear()
    stream = quota.ReserveStream()
    await stream.write(streamed(8, "get_usage"))
    await asyncio.wait_for(servicer.started.wait(), timeout=5)
    with pytest.raises(grpc.aio.AioRpcError) as shed_by_stream:
        await quota.Reserve(quota_pb2.ReserveRequest(), timeout=5)
    stream.cancel()

    assert shed.id == 7
    assert shed.status.code == grpc.StatusCode.RESOURCE_EXHAUSTED.value[0]
    assert error_reason(shed.status) == "OVERLOADED"
    assert retry_delay(shed.status) == 0.5
    assert shed_by_stream.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED


@pytest.mark.parametrize(("header_bytes", "accepted"), [(10_000, True), (20_000, False)])
async def test_a_large_header_is_accepted_or_refused_every_time(
    header_bytes: int, accepted: bool
) -> None:
    settings = Settings(host="127.0.0.1")
    metadata = (("x-large", "a" * header_bytes),)
    codes = []
    async with serve_in_process("test", _app(Readiness()), settings) as channel:
        quota = quota_pb2_grpc.QuotaServiceStub(channel)
        for _ in range(TRIES):
            try:
                await quota.GetUsage(quota_pb2.GetUsageRequest(), metadata=metadata, timeout=5)
                codes.append(grpc.StatusCode.OK)
            except grpc.aio.AioRpcError as error:
                codes.append(error.code())

    expected = grpc.StatusCode.OK if accepted else grpc.StatusCode.RESOURCE_EXHAUSTED
    assert codes == [expected] * TRIES
