"""The quota client's reservations on one open ReserveStream, against real quota servers in
process: each attempt gets its own answer, whatever fails falls back to the safe budget as the
unary call did, and a quota without ReserveStream is asked by unary calls."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable, Iterable
from pathlib import Path
from typing import Any

import grpc
import pytest
import structlog

from sanad.quota.v1 import quota_pb2, quota_pb2_grpc
from sanad_analyzer.downstream import QuotaGateway
from sanad_analyzer.downstream.safe_budget import SafeBudget
from sanad_analyzer.downstream.spend_journal import BudgetLimit, SpendJournal
from sanad_common.config import ProviderLimits, Settings
from sanad_common.server import RunningServer, start_server
from sanad_common.storage import open_store
from sanad_quota.app import SERVICE_NAME, build_app
from sanad_quota.ledger import QuotaLedger
from sanad_quota.servicer import QuotaServicer
from sanad_quota.watch import CrossingWatch
from tests.analyzer.downstream.test_quota_settlements import CallLog
from tests.quota.conftest import quota_settings
from tests.support.services import serve_in_process, unique_namespace
from tests.support.waiting import eventually_read

RESERVE = "/sanad.quota.v1.QuotaService/Reserve"


class StreamLog(grpc.aio.StreamStreamClientInterceptor):
    """How many bidirectional streams the channel opened."""

    def __init__(self) -> None:
        self.opened = 0

    async def intercept_stream_stream(
        self,
        continuation: Callable[[grpc.aio.ClientCallDetails, Any], Awaitable[Any]],
        client_call_details: grpc.aio.ClientCallDetails,
        request_iterator: AsyncIterable[Any] | Iterable[Any],
    ) -> Any:
        self.opened += 1
        return await continuation(client_call_details, request_iterator)


def _settings(tmp_path: Path) -> Settings:
    return quota_settings(
        openai=ProviderLimits(hourly_requests=1000, hourly_tokens=1_000_000),
        store_url=f"sqlite:///{tmp_path / 'quota.db'}",
        store_namespace=unique_namespace(),
        host="127.0.0.1",
    )


@pytest.fixture
def logs() -> tuple[CallLog, StreamLog]:
    return CallLog(), StreamLog()


@pytest.fixture
async def channel(
    tmp_path: Path, logs: tuple[CallLog, StreamLog]
) -> AsyncIterator[grpc.aio.Channel]:
    """A channel, its calls and streams logged, to a quota server on SQLite, given once the
    server has written its start-up "Quota statistics" line: a background task writes it on
    its own time, and on a busy machine it landed in a test's own capture of the logs."""
    with contextlib.ExitStack() as startup:
        captured = startup.enter_context(structlog.testing.capture_logs())
        async with serve_in_process("quota", build_app, _settings(tmp_path), logs) as opened:
            await eventually_read(
                lambda: [entry["event"] for entry in captured],
                lambda events: "Quota statistics" in events,
                what="the quota server's start-up statistics line",
            )
            startup.close()
            yield opened


def _gateway(journal: SpendJournal, channel: grpc.aio.Channel, timeout: float) -> QuotaGateway:
    """The analyzer's quota client with no safe budget: a fallback is a local refusal."""
    budget = SafeBudget(journal, {"openai": BudgetLimit(0, 0)}, interval=3600, analyzer_id="t")
    return QuotaGateway(channel, timeout, budget)


@pytest.fixture
async def journal(tmp_path: Path) -> AsyncIterator[SpendJournal]:
    opened = await SpendJournal.open(tmp_path / "spends.db")
    yield opened
    await opened.aclose()


async def test_concurrent_reservations_share_one_stream_and_each_gets_its_own_answer(
    channel: grpc.aio.Channel, journal: SpendJournal, logs: tuple[CallLog, StreamLog]
) -> None:
    calls, streams = logs
    gateway = _gateway(journal, channel, 2.0)
    keys = [f"attempt-{n}" for n in range(40)]
    decisions = await asyncio.gather(
        *(gateway.reserve("openai", 10, key, None, idempotency_key=key) for key in keys),
        gateway.reserve("mistral", 10, "unknown provider", None),
    )
    *granted, refused = decisions
    # Asked again by unary calls, quota names the reservation each key was granted.
    stub = quota_pb2_grpc.QuotaServiceStub(channel)
    again = [
        await stub.Reserve(quota_pb2.ReserveRequest(provider="openai", idempotency_key=key))
        for key in keys
    ]
    await gateway.aclose()

    assert streams.opened == 1
    assert calls.methods == [RESERVE] * len(keys)  # only the test's own
    assert all(item.reservation is not None and not item.local for item in granted)
    assert [item.reservation.id for item in granted if item.reservation] == [
        item.reservation_id for item in again
    ]
    # INVALID_ARGUMENT, as the unary call's, is no decision: the safe budget (0) refuses.
    assert refused.local and not refused.allowed


async def test_an_answer_not_in_time_falls_back_and_the_stream_serves_the_next(
    tmp_path: Path,
    channel: grpc.aio.Channel,
    journal: SpendJournal,
    logs: tuple[CallLog, StreamLog],
) -> None:
    _, streams = logs
    gateway = _gateway(journal, channel, 0.2)
    assert not (await gateway.reserve("openai", 10, "first", None)).local
    holder = sqlite3.connect(tmp_path / "quota.db", isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # quota's store cannot write until the lock goes
    try:
        with structlog.testing.capture_logs() as captured:
            late = await gateway.reserve("openai", 10, "late", None)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    after = await gateway.reserve("openai", 10, "after", None)
    await gateway.aclose()

    assert late.local and not late.allowed
    assert [(entry["event"], entry["code"]) for entry in captured] == [
        ("quota service unavailable", "DEADLINE_EXCEEDED")
    ]
    assert after.allowed and not after.local
    assert streams.opened == 1


async def test_reservations_waiting_on_a_stream_that_breaks_fall_back_and_the_next_reopens_it(
    tmp_path: Path, journal: SpendJournal
) -> None:
    settings = _settings(tmp_path)
    holder = sqlite3.connect(tmp_path / "quota.db", isolation_level=None)

    async def serve(port: int) -> RunningServer:
        return await start_server(
            component="quota",
            services=app.services,
            port=port,
            settings=settings,
            readiness_check=app.readiness_check,
        )

    async with build_app(settings) as app:
        server = await serve(0)
        async with grpc.aio.insecure_channel(f"127.0.0.1:{server.port}") as channel:
            gateway = _gateway(journal, channel, 5.0)
            assert not (await gateway.reserve("openai", 10, "first", None)).local
            holder.execute("BEGIN EXCLUSIVE")  # the next reservations wait on quota's store
            waiting = [
                asyncio.create_task(gateway.reserve("openai", 10, f"w{n}", None)) for n in range(3)
            ]
            await asyncio.sleep(0.3)
            await server.stop(grace=0)  # the stream breaks under its waiting reservations
            holder.execute("ROLLBACK")
            broken = await asyncio.wait_for(asyncio.gather(*waiting), timeout=2.0)

            server = await serve(server.port)
            await channel.channel_ready()
            reopened = await gateway.reserve("openai", 10, "reopened", None)
            await gateway.aclose()
            await server.stop(grace=0)
    holder.close()

    assert [(item.local, item.allowed) for item in broken] == [(True, False)] * 3
    assert reopened.allowed and not reopened.local


@pytest.fixture
async def older_quota(
    tmp_path: Path, logs: tuple[CallLog, StreamLog]
) -> AsyncIterator[grpc.aio.Channel]:
    """A quota server from before ReserveStream: the real Reserve, and no other method."""
    settings = _settings(tmp_path)
    store = await open_store(settings.store_url, namespace=settings.store_namespace)
    ledger = QuotaLedger(store, settings)
    servicer = QuotaServicer(ledger, CrossingWatch(ledger))
    server = grpc.aio.server()
    reserve = grpc.unary_unary_rpc_method_handler(
        servicer.Reserve,
        request_deserializer=quota_pb2.ReserveRequest.FromString,
        response_serializer=quota_pb2.ReserveResponse.SerializeToString,
    )
    server.add_generic_rpc_handlers(
        [grpc.method_handlers_generic_handler(SERVICE_NAME, {"Reserve": reserve})]
    )
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{port}", interceptors=logs) as channel:
            yield channel
    finally:
        await server.stop(grace=None)
        await store.aclose()


async def test_an_older_quota_without_reserve_stream_is_asked_by_unary_calls_from_then_on(
    older_quota: grpc.aio.Channel, journal: SpendJournal, logs: tuple[CallLog, StreamLog]
) -> None:
    calls, streams = logs
    gateway = _gateway(journal, older_quota, 2.0)
    with structlog.testing.capture_logs() as captured:
        decisions = [await gateway.reserve("openai", 10, f"r{n}", None) for n in range(3)]
    await gateway.aclose()

    assert all(item.allowed and not item.local for item in decisions)
    assert streams.opened == 1
    assert calls.methods == [RESERVE] * 3
    assert [entry["event"] for entry in captured] == [
        "quota has no ReserveStream: reserving by unary calls from now on"
    ]


async def test_closing_ends_the_stream_quietly(
    channel: grpc.aio.Channel, journal: SpendJournal, caplog: pytest.LogCaptureFixture
) -> None:
    gateway = _gateway(journal, channel, 2.0)
    with structlog.testing.capture_logs() as captured:
        assert (await gateway.reserve("openai", 10, "r", None)).allowed
        await asyncio.wait_for(gateway.aclose(), timeout=1.0)
        await asyncio.sleep(0.1)

    assert captured == []
    assert [record for record in caplog.records if record.levelname != "DEBUG"] == []
