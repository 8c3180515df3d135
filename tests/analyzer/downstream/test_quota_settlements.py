"""The quota client's settlements, against a real quota server in process: they wait briefly
for each other and go together in one Settle call, and every one of them is counted."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import grpc
import pytest

from sanad.quota.v1 import quota_pb2, quota_pb2_grpc
from sanad_analyzer.downstream import QuotaGateway
from sanad_analyzer.downstream.quota import SETTLE_BATCH
from sanad_analyzer.downstream.safe_budget import SafeBudget
from sanad_analyzer.downstream.spend_journal import BudgetLimit, SpendJournal
from sanad_common.config import ProviderLimits
from sanad_quota.app import build_app
from tests.quota.conftest import quota_settings
from tests.support.services import serve_in_process, unique_namespace


class CallLog(grpc.aio.UnaryUnaryClientInterceptor):
    """The method of every unary call the channel makes, in order."""

    def __init__(self) -> None:
        self.methods: list[str] = []

    async def intercept_unary_unary(
        self,
        continuation: Callable[[grpc.aio.ClientCallDetails, Any], Awaitable[Any]],
        client_call_details: grpc.aio.ClientCallDetails,
        request: Any,
    ) -> Any:
        method = client_call_details.method
        self.methods.append(method.decode() if isinstance(method, bytes) else method)
        return await continuation(client_call_details, request)


@pytest.fixture
async def calls() -> CallLog:
    return CallLog()


@pytest.fixture
async def channel(tmp_path: Path, calls: CallLog) -> AsyncIterator[grpc.aio.Channel]:
    """A channel, logged by calls, to a quota server on SQLite."""
    settings = quota_settings(
        openai=ProviderLimits(hourly_requests=1000, hourly_tokens=1_000_000),
        store_url=f"sqlite:///{tmp_path / 'quota.db'}",
        store_namespace=unique_namespace(),
        host="127.0.0.1",
    )
    async with serve_in_process("quota", build_app, settings, [calls]) as opened:
        yield opened


@pytest.fixture
async def gateway(tmp_path: Path, channel: grpc.aio.Channel) -> AsyncIterator[QuotaGateway]:
    """The analyzer's quota client on channel, with no safe budget."""
    journal = await SpendJournal.open(tmp_path / "spends.db")
    budget = SafeBudget(journal, {"openai": BudgetLimit(0, 0)}, interval=3600, analyzer_id="t")
    yield QuotaGateway(channel, 2.0, budget)
    await journal.aclose()


async def _used(channel: grpc.aio.Channel) -> dict[tuple[int, int], int]:
    """What quota counts for openai in each window and metric."""
    stub = quota_pb2_grpc.QuotaServiceStub(channel)
    usage = await stub.GetUsage(quota_pb2.GetUsageRequest(provider="openai"))
    return {(item.window, item.metric): item.used for item in usage.providers[0].windows}


async def test_settlements_made_together_go_in_one_settle_call_and_all_count(
    gateway: QuotaGateway, channel: grpc.aio.Channel, calls: CallLog
) -> None:
    decisions = [await gateway.reserve("openai", 100, f"r{n}", None) for n in range(5)]
    reservations = [decision.reservation for decision in decisions]
    assert all(item is not None and not item.local for item in reservations)
    calls.methods.clear()

    await asyncio.gather(
        *(gateway.commit(item, 40) for item in reservations[:4] if item is not None),
        *(gateway.release(item) for item in reservations[4:] if item is not None),
    )

    assert calls.methods == ["/sanad.quota.v1.QuotaService/Settle"]
    used = await _used(channel)
    assert used[(quota_pb2.WINDOW_HOUR, quota_pb2.METRIC_REQUESTS)] == 4
    assert used[(quota_pb2.WINDOW_HOUR, quota_pb2.METRIC_TOKENS)] == 160


async def test_more_settlements_than_a_batch_holds_go_in_several_calls(
    gateway: QuotaGateway, channel: grpc.aio.Channel, calls: CallLog
) -> None:
    count = SETTLE_BATCH + 3
    decisions = [await gateway.reserve("openai", 10, f"r{n}", None) for n in range(count)]
    calls.methods.clear()

    await asyncio.gather(
        *(gateway.commit(item.reservation, 1) for item in decisions if item.reservation)
    )

    assert calls.methods == ["/sanad.quota.v1.QuotaService/Settle"] * 2
    used = await _used(channel)
    assert used[(quota_pb2.WINDOW_HOUR, quota_pb2.METRIC_TOKENS)] == count
