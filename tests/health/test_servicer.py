"""ProviderHealthService through real gRPC, in process: mapping, validation details, admin auth
and the watch stream."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import grpc
import pytest
from google.protobuf import duration_pb2

from sanad.health.v1 import health_pb2, health_pb2_grpc
from sanad.type.v1 import error_class_pb2
from sanad_health.app import build_app
from tests.health.conftest import ADMIN_TOKEN, health_settings
from tests.support.services import (
    admin_metadata,
    bad_request_fields,
    serve_in_process,
    unique_namespace,
)


@pytest.fixture
async def health(tmp_path: Path) -> AsyncIterator[health_pb2_grpc.ProviderHealthServiceAsyncStub]:
    """A health server on SQLite with providers openai, gemini, local."""
    settings = health_settings(
        store_url=f"sqlite:///{tmp_path / 'health.db'}",
        store_namespace=unique_namespace(),
        host="127.0.0.1",
        admin_token=ADMIN_TOKEN,
    )
    async with serve_in_process("health", build_app, settings) as channel:
        yield health_pb2_grpc.ProviderHealthServiceStub(channel)


def crash(provider: str) -> health_pb2.ReportOutcomeRequest:
    return health_pb2.ReportOutcomeRequest(
        provider=provider,
        success=False,
        error_class=error_class_pb2.ERROR_CLASS_SERVICE_CRASH,
        latency=duration_pb2.Duration(nanos=250_000_000),
    )


async def test_a_crash_moves_the_provider_out_of_the_order(
    health: health_pb2_grpc.ProviderHealthServiceAsyncStub,
) -> None:
    before = await health.GetProviderOrder(health_pb2.GetProviderOrderRequest())

    reported = await health.ReportOutcome(crash("openai"))
    after = await health.GetProviderOrder(health_pb2.GetProviderOrderRequest())

    assert [candidate.provider for candidate in before.providers] == ["openai", "gemini", "local"]
    assert {candidate.circuit_state for candidate in before.providers} == {
        health_pb2.CIRCUIT_STATE_CLOSED
    }
    status = reported.status
    assert status.circuit_state == health_pb2.CIRCUIT_STATE_OPEN
    assert not status.available
    assert status.primary
    assert status.open_reason == error_class_pb2.ERROR_CLASS_SERVICE_CRASH
    assert status.times_blacklisted == 1
    assert status.HasField("last_failure_time")
    assert list(status.failures_by_class) == [
        health_pb2.ErrorClassCount(error_class=error_class_pb2.ERROR_CLASS_SERVICE_CRASH, count=1)
    ]
    assert [candidate.provider for candidate in after.providers] == ["gemini", "local"]
    (left_out,) = after.unavailable
    assert left_out.provider == "openai"
    assert left_out.circuit_state == health_pb2.CIRCUIT_STATE_OPEN
    assert left_out.open_reason == error_class_pb2.ERROR_CLASS_SERVICE_CRASH
    open_for = left_out.open_until.ToSeconds() - status.last_failure_time.ToSeconds()
    assert 299 <= open_for <= 300


async def test_provider_status_one_and_all(
    health: health_pb2_grpc.ProviderHealthServiceAsyncStub,
) -> None:
    await health.ReportOutcome(health_pb2.ReportOutcomeRequest(provider="gemini", success=True))

    one = await health.GetProviderStatus(health_pb2.GetProviderStatusRequest(provider="gemini"))
    every = await health.GetProviderStatus(health_pb2.GetProviderStatusRequest())

    assert [status.provider for status in one.providers] == ["gemini"]
    assert (one.providers[0].success_count, one.providers[0].success_rate) == (1, 1.0)
    assert not one.providers[0].HasField("open_until")
    assert [status.provider for status in every.providers] == ["openai", "gemini", "local"]


@pytest.mark.parametrize(
    ("request_message", "fields"),
    [
        (health_pb2.ReportOutcomeRequest(success=True), ["provider"]),
        (health_pb2.ReportOutcomeRequest(provider="mistral", success=True), ["provider"]),
        (
            health_pb2.ReportOutcomeRequest(
                provider="openai", success=True, error_class=error_class_pb2.ERROR_CLASS_TIMEOUT
            ),
            ["error_class"],
        ),
        (health_pb2.ReportOutcomeRequest(provider="openai", success=False), ["error_class"]),
        (
            health_pb2.ReportOutcomeRequest(
                provider="",
                success=False,
                latency=duration_pb2.Duration(seconds=-1),
                retry_after=duration_pb2.Duration(seconds=-2),
            ),
            ["provider", "error_class", "latency", "retry_after"],
        ),
    ],
)
async def test_invalid_outcomes_list_every_bad_field(
    health: health_pb2_grpc.ProviderHealthServiceAsyncStub,
    request_message: health_pb2.ReportOutcomeRequest,
    fields: list[str],
) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await health.ReportOutcome(request_message)

    assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert bad_request_fields(raised.value) == fields


async def test_unknown_provider_is_invalid_everywhere(
    health: health_pb2_grpc.ProviderHealthServiceAsyncStub,
) -> None:
    admin = admin_metadata(ADMIN_TOKEN)
    with pytest.raises(grpc.aio.AioRpcError) as status:
        await health.GetProviderStatus(health_pb2.GetProviderStatusRequest(provider="mistral"))
    with pytest.raises(grpc.aio.AioRpcError) as primary:
        await health.SetPrimaryProvider(
            health_pb2.SetPrimaryProviderRequest(provider="mistral"), metadata=admin
        )
    with pytest.raises(grpc.aio.AioRpcError) as reset:
        await health.ResetProvider(health_pb2.ResetProviderRequest(), metadata=admin)

    errors = [status.value, primary.value, reset.value]
    assert {error.code() for error in errors} == {grpc.StatusCode.INVALID_ARGUMENT}
    assert [bad_request_fields(error) for error in errors] == [["provider"]] * 3


async def test_admin_rpcs_need_the_token(
    health: health_pb2_grpc.ProviderHealthServiceAsyncStub,
) -> None:
    await health.ReportOutcome(crash("openai"))
    primary = health_pb2.SetPrimaryProviderRequest(provider="gemini")
    reset = health_pb2.ResetProviderRequest(provider="openai")

    for metadata in ((), admin_metadata("wrong-token")):
        with pytest.raises(grpc.aio.AioRpcError) as refused_primary:
            await health.SetPrimaryProvider(primary, metadata=metadata)
        with pytest.raises(grpc.aio.AioRpcError) as refused_reset:
            await health.ResetProvider(reset, metadata=metadata)
        assert refused_primary.value.code() == grpc.StatusCode.UNAUTHENTICATED
        assert refused_reset.value.code() == grpc.StatusCode.UNAUTHENTICATED

    switched = await health.SetPrimaryProvider(primary, metadata=admin_metadata(ADMIN_TOKEN))
    cleared = await health.ResetProvider(reset, metadata=admin_metadata(ADMIN_TOKEN))
    order = await health.GetProviderOrder(health_pb2.GetProviderOrderRequest())

    assert list(switched.order) == ["gemini", "openai", "local"]
    assert cleared.status.circuit_state == health_pb2.CIRCUIT_STATE_CLOSED
    assert cleared.status.failure_count == 0
    assert [candidate.provider for candidate in order.providers] == ["gemini", "openai", "local"]
    assert not order.unavailable


async def test_watch_sends_a_new_snapshot_after_an_outcome(
    health: health_pb2_grpc.ProviderHealthServiceAsyncStub,
) -> None:
    stream = health.WatchProviders(health_pb2.WatchProvidersRequest())

    first = await asyncio.wait_for(stream.read(), timeout=5)
    await health.ReportOutcome(crash("local"))
    second = await asyncio.wait_for(stream.read(), timeout=5)
    stream.cancel()

    assert isinstance(first, health_pb2.WatchProvidersResponse)
    assert isinstance(second, health_pb2.WatchProvidersResponse)
    assert [status.provider for status in first.providers] == ["openai", "gemini", "local"]
    assert list(first.order) == ["openai", "gemini", "local"]
    assert first.providers[2].circuit_state == health_pb2.CIRCUIT_STATE_CLOSED
    assert second.providers[2].circuit_state == health_pb2.CIRCUIT_STATE_OPEN
    assert second.providers[2].failure_count == 1


async def test_a_batch_of_outcomes_is_recorded_in_order_and_answers_the_circuits(
    health: health_pb2_grpc.ProviderHealthServiceAsyncStub,
) -> None:
    success = health_pb2.ReportOutcomeRequest(
        provider="openai", success=True, latency=duration_pb2.Duration(nanos=20_000_000)
    )

    answer = await health.ReportOutcomes(
        health_pb2.ReportOutcomesRequest(outcomes=[success, success, crash("local"), success])
    )
    openai = await health.GetProviderStatus(health_pb2.GetProviderStatusRequest(provider="openai"))
    order = await health.GetProviderOrder(health_pb2.GetProviderOrderRequest())

    assert [(c.provider, c.circuit_state) for c in answer.circuits] == [
        ("openai", health_pb2.CIRCUIT_STATE_CLOSED),
        ("local", health_pb2.CIRCUIT_STATE_OPEN),
    ]
    assert answer.circuits[1].open_reason == error_class_pb2.ERROR_CLASS_SERVICE_CRASH
    assert answer.circuits[1].HasField("open_until")
    assert openai.providers[0].success_count == 3
    assert openai.providers[0].window.latency_p50.ToNanoseconds() > 0
    assert [candidate.provider for candidate in order.providers] == ["openai", "gemini"]


@pytest.mark.parametrize(
    ("outcomes", "fields"),
    [
        ([], ["outcomes"]),
        (
            [
                health_pb2.ReportOutcomeRequest(provider="openai", success=True),
                health_pb2.ReportOutcomeRequest(provider="mistral", success=False),
            ],
            ["outcomes[1].provider", "outcomes[1].error_class"],
        ),
    ],
)
async def test_an_invalid_batch_is_refused_whole(
    health: health_pb2_grpc.ProviderHealthServiceAsyncStub,
    outcomes: list[health_pb2.ReportOutcomeRequest],
    fields: list[str],
) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await health.ReportOutcomes(health_pb2.ReportOutcomesRequest(outcomes=outcomes))
    openai = await health.GetProviderStatus(health_pb2.GetProviderStatusRequest(provider="openai"))

    assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert bad_request_fields(raised.value) == fields
    assert openai.providers[0].success_count == 0
