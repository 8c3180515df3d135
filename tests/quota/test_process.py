"""The quota service as a real process (see ``tests.support.process_run``): a reservation is
granted and counted in its metrics."""

from __future__ import annotations

from pathlib import Path

import grpc
import pytest

from sanad.quota.v1 import quota_pb2, quota_pb2_grpc
from sanad_quota.app import SERVICE_NAME
from tests.support.process_run import serve_one_call

pytestmark = pytest.mark.integration


async def reserve_seven_tokens(channel: grpc.aio.Channel) -> quota_pb2.ReserveResponse:
    quota = quota_pb2_grpc.QuotaServiceStub(channel)
    return await quota.Reserve(
        quota_pb2.ReserveRequest(provider="openai", estimated_tokens=7), timeout=5
    )


async def test_quota_process_serves_and_stops_on_sigterm(tmp_path: Path) -> None:
    run = await serve_one_call("quota", SERVICE_NAME, tmp_path, reserve_seven_tokens)

    assert run.reply.allowed
    hour_tokens = {("provider", "openai"), ("window", "hour"), ("metric", "tokens")}
    assert run.metrics[("sanad_quota_used", frozenset(hour_tokens))] == 7
    granted = {("provider", "openai"), ("outcome", "granted")}
    assert run.metrics[("sanad_quota_reservations_total", frozenset(granted))] == 1
