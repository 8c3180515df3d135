"""QuotaService through real gRPC, in process: mapping, validation details and admin auth."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterable, AsyncIterator, Awaitable
from pathlib import Path

import grpc
import pytest
from google.protobuf import timestamp_pb2

from sanad.quota.v1 import quota_pb2, quota_pb2_grpc
from sanad_common.config import ProviderLimits
from sanad_common.errors import status_details
from sanad_common.proto_time import duration
from sanad_quota.app import build_app
from sanad_quota.servicer import MAX_TOKENS_PER_CALL
from tests.quota.conftest import ADMIN_TOKEN, quota_settings
from tests.support.services import (
    admin_metadata,
    bad_request_fields,
    error_reason,
    serve_in_process,
    unique_namespace,
)
from tests.support.tenants import KeyedTenant, write_tenants_file
from tests.support.waiting import eventually_read


@contextlib.asynccontextmanager
async def quota_server(
    tmp_path: Path, hourly_requests: int
) -> AsyncIterator[quota_pb2_grpc.QuotaServiceAsyncStub]:
    """A quota server on SQLite where openai may make hourly_requests an hour."""
    settings = quota_settings(
        openai=ProviderLimits(hourly_requests=hourly_requests),
        store_url=f"sqlite:///{tmp_path / 'quota.db'}",
        store_namespace=unique_namespace(),
        host="127.0.0.1",
        admin_token=ADMIN_TOKEN,
    )
    async with serve_in_process("quota", build_app, settings) as channel:
        yield quota_pb2_grpc.QuotaServiceStub(channel)


@pytest.fixture
async def quota(tmp_path: Path) -> AsyncIterator[quota_pb2_grpc.QuotaServiceAsyncStub]:
    """A quota server on SQLite where openai may make 2 requests an hour."""
    async with quota_server(tmp_path, 2) as stub:
        yield stub


async def test_reserve_commit_and_usage(quota: quota_pb2_grpc.QuotaServiceAsyncStub) -> None:
    reserved = await quota.Reserve(
        quota_pb2.ReserveRequest(provider="openai", estimated_tokens=100, request_id="r1")
    )
    assert reserved.allowed
    assert reserved.reservation_id
    assert len(reserved.usage) == 6
    hour_requests = next(
        item
        for item in reserved.usage
        if (item.window, item.metric) == (quota_pb2.WINDOW_HOUR, quota_pb2.METRIC_REQUESTS)
    )
    assert (hour_requests.used, hour_requests.limit, hour_requests.percent) == (1, 2, 50.0)
    assert hour_requests.window_end.ToSeconds() - hour_requests.window_start.ToSeconds() == 3600
    assert reserved.warning_level == quota_pb2.WARNING_LEVEL_NORMAL

    committed = await quota.Commit(
        quota_pb2.CommitRequest(reservation_id=reserved.reservation_id, actual_tokens=80)
    )
    tokens = {
        item.window: item.used for item in committed.usage if item.metric == quota_pb2.METRIC_TOKENS
    }
    assert tokens == {
        quota_pb2.WINDOW_MINUTE: 80,
        quota_pb2.WINDOW_HOUR: 80,
        quota_pb2.WINDOW_DAY: 80,
    }

    usage = await quota.GetUsage(quota_pb2.GetUsageRequest())
    assert [provider.provider for provider in usage.providers] == ["openai", "gemini"]
    assert len(usage.providers[0].windows) == 6
    assert {item.prediction_points for item in usage.providers[0].windows} == {10, 15, 12}


async def test_denial_is_an_answer_not_an_error(
    quota: quota_pb2_grpc.QuotaServiceAsyncStub,
) -> None:
    for _ in range(2):
        assert (await quota.Reserve(quota_pb2.ReserveRequest(provider="openai"))).allowed

    denied = await quota.Reserve(quota_pb2.ReserveRequest(provider="openai", estimated_tokens=1))

    assert not denied.allowed
    assert not denied.reservation_id
    assert denied.denied_by.window == quota_pb2.WINDOW_HOUR
    assert denied.denied_by.metric == quota_pb2.METRIC_REQUESTS
    assert denied.denied_by.warning_level == quota_pb2.WARNING_LEVEL_EXHAUSTED
    assert 0 < denied.retry_after.ToTimedelta().total_seconds() <= 3600
    assert denied.warning_level == quota_pb2.WARNING_LEVEL_EXHAUSTED
    assert denied.denied_by.HasField("projected_exhaustion_time")
    [violation] = denied.violations
    assert violation.subject == "providers/openai/windows/hour/metrics/requests"
    assert (violation.used, violation.limit, violation.requested) == (2, 2, 1)
    assert violation.description == "openai hour requests: 2 of 2 used, 1 more asked"
    assert denied.frees_at == violation.window_end == denied.denied_by.window_end


async def test_invalid_reserve_lists_every_bad_field(
    quota: quota_pb2_grpc.QuotaServiceAsyncStub,
) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as empty:
        await quota.Reserve(quota_pb2.ReserveRequest(provider="", estimated_tokens=-1))
    with pytest.raises(grpc.aio.AioRpcError) as unknown:
        await quota.Reserve(quota_pb2.ReserveRequest(provider="mistral", estimated_tokens=1))

    assert empty.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert bad_request_fields(empty.value) == ["provider", "estimated_tokens"]
    assert unknown.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert bad_request_fields(unknown.value) == ["provider"]


async def test_counts_that_would_overflow_a_window_are_invalid(
    quota: quota_pb2_grpc.QuotaServiceAsyncStub,
) -> None:
    huge = 2**62
    now = timestamp_pb2.Timestamp(seconds=int(time.time()))
    calls: list[Awaitable[object]] = [
        quota.Reserve(quota_pb2.ReserveRequest(provider="openai", estimated_tokens=huge)),
        quota.Commit(quota_pb2.CommitRequest(reservation_id="openai.x", actual_tokens=huge)),
        quota.Settle(
            quota_pb2.SettleRequest(
                settlements=[quota_pb2.Settlement(reservation_id="openai.x", commit_tokens=huge)]
            )
        ),
        quota.RecordUsage(
            quota_pb2.RecordUsageRequest(
                spends=[
                    quota_pb2.LocalSpend(
                        spend_id="s", provider="openai", requests=huge, tokens=huge, spent_at=now
                    )
                ]
            )
        ),
    ]
    errors = []
    for call in calls:
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await call
        errors.append(caught.value)

    assert {error.code() for error in errors} == {grpc.StatusCode.INVALID_ARGUMENT}
    assert [bad_request_fields(error) for error in errors] == [
        ["estimated_tokens"],
        ["actual_tokens"],
        ["settlements[0].commit_tokens"],
        ["spends[0].requests", "spends[0].tokens"],
    ]
    largest = await quota.Reserve(
        quota_pb2.ReserveRequest(provider="openai", estimated_tokens=MAX_TOKENS_PER_CALL)
    )
    assert largest.allowed or largest.violations


async def test_commit_release_and_usage_validation(
    quota: quota_pb2_grpc.QuotaServiceAsyncStub,
) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as commit:
        await quota.Commit(quota_pb2.CommitRequest(actual_tokens=-5))
    with pytest.raises(grpc.aio.AioRpcError) as release:
        await quota.Release(quota_pb2.ReleaseRequest())
    with pytest.raises(grpc.aio.AioRpcError) as usage:
        await quota.GetUsage(quota_pb2.GetUsageRequest(provider="mistral"))

    errors = [commit.value, release.value, usage.value]
    assert {error.code() for error in errors} == {grpc.StatusCode.INVALID_ARGUMENT}
    assert [bad_request_fields(error) for error in errors] == [
        ["reservation_id", "actual_tokens"],
        ["reservation_id"],
        ["provider"],
    ]


async def test_commit_and_release_are_idempotent(
    quota: quota_pb2_grpc.QuotaServiceAsyncStub,
) -> None:
    reserved = await quota.Reserve(quota_pb2.ReserveRequest(provider="gemini", estimated_tokens=9))
    commit = quota_pb2.CommitRequest(reservation_id=reserved.reservation_id, actual_tokens=7)

    first = await quota.Commit(commit)
    again = await quota.Commit(commit)
    release = await quota.Release(quota_pb2.ReleaseRequest(reservation_id=reserved.reservation_id))

    assert first.usage == again.usage
    assert {item.used for item in again.usage if item.metric == quota_pb2.METRIC_TOKENS} == {7}
    assert not release.released


async def test_commit_of_unknown_or_released_reservations_is_refused(
    quota: quota_pb2_grpc.QuotaServiceAsyncStub,
) -> None:
    reserved = await quota.Reserve(quota_pb2.ReserveRequest(provider="gemini", estimated_tokens=9))
    released = quota_pb2.ReleaseRequest(reservation_id=reserved.reservation_id)
    assert (await quota.Release(released)).released

    with pytest.raises(grpc.aio.AioRpcError) as after_release:
        await quota.Commit(quota_pb2.CommitRequest(reservation_id=reserved.reservation_id))
    with pytest.raises(grpc.aio.AioRpcError) as unknown:
        await quota.Commit(quota_pb2.CommitRequest(reservation_id="gemini.nothing"))

    assert after_release.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert error_reason(after_release.value) == "RESERVATION_RELEASED"
    assert unknown.value.code() == grpc.StatusCode.NOT_FOUND
    assert error_reason(unknown.value) == "RESERVATION_NOT_FOUND"


async def test_a_retried_reserve_with_its_idempotency_key_counts_once(
    quota: quota_pb2_grpc.QuotaServiceAsyncStub,
) -> None:
    request = quota_pb2.ReserveRequest(
        provider="openai", estimated_tokens=5, request_id="r9", idempotency_key="r9:0"
    )

    first = await quota.Reserve(request)
    second = await quota.Reserve(request)

    assert first.allowed and second.allowed
    assert first.reservation_id == second.reservation_id
    hour = next(
        item
        for item in second.usage
        if (item.window, item.metric) == (quota_pb2.WINDOW_HOUR, quota_pb2.METRIC_REQUESTS)
    )
    assert hour.used == 1


async def first_response(
    stream: AsyncIterable[quota_pb2.WatchUsageResponse],
) -> quota_pb2.WatchUsageResponse:
    async for response in stream:
        return response
    raise AssertionError("the stream ended without a response")


async def test_watch_usage_streams_each_crossing_once(
    quota: quota_pb2_grpc.QuotaServiceAsyncStub,
) -> None:
    watch = quota.WatchUsage(quota_pb2.WatchUsageRequest(provider="openai"))
    await asyncio.wait_for(watch.initial_metadata(), timeout=10)  # the watch follows the log

    first = await quota.Reserve(quota_pb2.ReserveRequest(provider="openai"))
    second = await quota.Reserve(quota_pb2.ReserveRequest(provider="openai"))
    streamed = await asyncio.wait_for(first_response(watch), timeout=10)
    watch.cancel()

    assert not first.crossings
    [crossing] = second.crossings
    assert streamed.crossing == crossing
    assert (crossing.provider, crossing.window, crossing.metric, crossing.level) == (
        "openai",
        quota_pb2.WINDOW_HOUR,
        quota_pb2.METRIC_REQUESTS,
        quota_pb2.WARNING_LEVEL_EXHAUSTED,
    )
    usage = await quota.GetUsage(quota_pb2.GetUsageRequest(provider="openai"))
    assert list(usage.providers[0].crossings) == [crossing]
    replay = quota.WatchUsage(quota_pb2.WatchUsageRequest(include_current=True))
    assert (await asyncio.wait_for(first_response(replay), timeout=10)).crossing == crossing
    replay.cancel()


async def test_watch_usage_refuses_an_unknown_provider(
    quota: quota_pb2_grpc.QuotaServiceAsyncStub,
) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        async for _ in quota.WatchUsage(quota_pb2.WatchUsageRequest(provider="mistral")):
            pass

    assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert bad_request_fields(raised.value) == ["provider"]


async def test_reset_quota_needs_the_admin_token(
    quota: quota_pb2_grpc.QuotaServiceAsyncStub,
) -> None:
    await quota.Reserve(quota_pb2.ReserveRequest(provider="openai", estimated_tokens=50))
    request = quota_pb2.ResetQuotaRequest(provider="openai", window=quota_pb2.WINDOW_HOUR)

    for metadata in ((), admin_metadata("wrong-token")):
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await quota.ResetQuota(request, metadata=metadata)
        assert refused.value.code() == grpc.StatusCode.UNAUTHENTICATED
    reset = await quota.ResetQuota(request, metadata=admin_metadata(ADMIN_TOKEN))

    used = {(item.window, item.metric): item.used for item in reset.usage.windows}
    assert used[(quota_pb2.WINDOW_HOUR, quota_pb2.METRIC_TOKENS)] == 0
    assert used[(quota_pb2.WINDOW_DAY, quota_pb2.METRIC_TOKENS)] == 50
    assert reset.usage.provider == "openai"


@pytest.mark.parametrize(
    ("request_message", "fields"),
    [
        (quota_pb2.ResetQuotaRequest(), ["provider"]),
        (quota_pb2.ResetQuotaRequest(provider="openai", window=7), ["window"]),  # type: ignore[arg-type]
    ],
)
async def test_invalid_reset(
    quota: quota_pb2_grpc.QuotaServiceAsyncStub,
    request_message: quota_pb2.ResetQuotaRequest,
    fields: list[str],
) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await quota.ResetQuota(request_message, metadata=admin_metadata(ADMIN_TOKEN))

    assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert bad_request_fields(raised.value) == fields


async def test_record_usage_counts_once_and_reports_repeats(
    quota: quota_pb2_grpc.QuotaServiceAsyncStub,
) -> None:
    spent_at = timestamp_pb2.Timestamp()
    spent_at.GetCurrentTime()
    spend = quota_pb2.LocalSpend(
        spend_id="req-1:0", provider="gemini", requests=1, tokens=250, spent_at=spent_at
    )

    first = await quota.RecordUsage(quota_pb2.RecordUsageRequest(spends=[spend]))
    again = await quota.RecordUsage(quota_pb2.RecordUsageRequest(spends=[spend]))

    assert (list(first.recorded), list(first.duplicates)) == (["req-1:0"], [])
    assert (list(again.recorded), list(again.duplicates)) == ([], ["req-1:0"])
    usage = await quota.GetUsage(quota_pb2.GetUsageRequest(provider="gemini"))
    tokens = {
        item.window: item.used
        for item in usage.providers[0].windows
        if item.metric == quota_pb2.METRIC_TOKENS
    }
    assert tokens == {
        quota_pb2.WINDOW_MINUTE: 250,
        quota_pb2.WINDOW_HOUR: 250,
        quota_pb2.WINDOW_DAY: 250,
    }


async def test_invalid_record_usage_lists_every_bad_field(
    quota: quota_pb2_grpc.QuotaServiceAsyncStub,
) -> None:
    future = timestamp_pb2.Timestamp(seconds=int(time.time()) + 3600)
    request = quota_pb2.RecordUsageRequest(
        spends=[
            quota_pb2.LocalSpend(provider="mistral", requests=-1, tokens=-2),
            quota_pb2.LocalSpend(spend_id="a", provider="openai", spent_at=future),
        ]
    )

    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await quota.RecordUsage(request)

    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert set(bad_request_fields(caught.value)) == {
        "spends[0].spend_id",
        "spends[0].provider",
        "spends[0].requests",
        "spends[0].tokens",
        "spends[0].spent_at",
        "spends[1].spent_at",
    }


async def test_settle_commits_and_releases_each_as_commit_and_release_would(
    quota: quota_pb2_grpc.QuotaServiceAsyncStub,
) -> None:
    reserved = [
        (
            await quota.Reserve(quota_pb2.ReserveRequest(provider="gemini", estimated_tokens=9))
        ).reservation_id
        for _ in range(3)
    ]
    await quota.Release(quota_pb2.ReleaseRequest(reservation_id=reserved[2]))

    settled = await quota.Settle(
        quota_pb2.SettleRequest(
            settlements=[
                quota_pb2.Settlement(reservation_id=reserved[0], commit_tokens=4),
                quota_pb2.Settlement(reservation_id=reserved[1], release=True),
                quota_pb2.Settlement(reservation_id=reserved[2], commit_tokens=4),
                quota_pb2.Settlement(reservation_id="gemini.nothing", commit_tokens=1),
                quota_pb2.Settlement(reservation_id=reserved[1], release=True),
                quota_pb2.Settlement(reservation_id=reserved[0], commit_tokens=4),
            ]
        )
    )
    usage = await quota.GetUsage(quota_pb2.GetUsageRequest(provider="gemini"))

    assert [(r.reservation_id, r.outcome) for r in settled.results] == [
        (reserved[0], quota_pb2.SETTLEMENT_OUTCOME_COMMITTED),
        (reserved[1], quota_pb2.SETTLEMENT_OUTCOME_RELEASED),
        (reserved[2], quota_pb2.SETTLEMENT_OUTCOME_WAS_RELEASED),
        ("gemini.nothing", quota_pb2.SETTLEMENT_OUTCOME_NOT_FOUND),
        (reserved[1], quota_pb2.SETTLEMENT_OUTCOME_NOT_PENDING),
        (reserved[0], quota_pb2.SETTLEMENT_OUTCOME_COMMITTED),
    ]
    windows = usage.providers[0].windows
    assert {w.used for w in windows if w.metric == quota_pb2.METRIC_TOKENS} == {4}
    assert {w.used for w in windows if w.metric == quota_pb2.METRIC_REQUESTS} == {1}


async def test_an_invalid_settle_lists_every_bad_field(
    quota: quota_pb2_grpc.QuotaServiceAsyncStub,
) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as empty:
        await quota.Settle(quota_pb2.SettleRequest())
    with pytest.raises(grpc.aio.AioRpcError) as bad:
        await quota.Settle(
            quota_pb2.SettleRequest(
                settlements=[
                    quota_pb2.Settlement(commit_tokens=-1),
                    quota_pb2.Settlement(reservation_id="gemini.x"),
                    quota_pb2.Settlement(reservation_id="gemini.y", release=False),
                ]
            )
        )

    assert empty.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert bad_request_fields(empty.value) == ["settlements"]
    assert bad_request_fields(bad.value) == [
        "settlements[0].reservation_id",
        "settlements[0].commit_tokens",
        "settlements[1]",
        "settlements[2].release",
    ]


@pytest.fixture
async def tenant_quota(tmp_path: Path) -> AsyncIterator[quota_pb2_grpc.QuotaServiceAsyncStub]:
    """A quota server whose tenant shop-a may make 1 request an hour."""
    tenants = write_tenants_file(
        tmp_path / "tenants.toml",
        KeyedTenant("shop-a", limits={"hourly_requests": 1}),
        KeyedTenant("shop-b"),
    )
    settings = quota_settings(
        store_url=f"sqlite:///{tmp_path / 'quota.db'}",
        store_namespace=unique_namespace(),
        host="127.0.0.1",
        admin_token=ADMIN_TOKEN,
        tenants_file=tenants,
    )
    async with serve_in_process("quota", build_app, settings) as channel:
        yield quota_pb2_grpc.QuotaServiceStub(channel)


async def test_a_tenants_denial_names_its_window_and_usage_shows_each_tenant(
    tenant_quota: quota_pb2_grpc.QuotaServiceAsyncStub,
) -> None:
    asked = quota_pb2.ReserveRequest(provider="openai", estimated_tokens=10, tenant="shop-a")
    granted = await tenant_quota.Reserve(asked)
    denied = await tenant_quota.Reserve(asked)
    usage = await tenant_quota.GetUsage(quota_pb2.GetUsageRequest(all_tenants=True))
    only_b = await tenant_quota.GetUsage(quota_pb2.GetUsageRequest(tenant="shop-b"))

    assert granted.allowed and granted.reservation_id.endswith(".shop-a")
    assert not denied.allowed and denied.denied_tenant == "shop-a"
    (violation,) = denied.violations
    assert violation.subject == "tenants/shop-a/windows/hour/metrics/requests"
    assert (violation.tenant, violation.limit, violation.used) == ("shop-a", 1, 1)
    assert denied.retry_after.ToTimedelta().total_seconds() > 0
    assert [tenant.tenant for tenant in usage.tenants] == ["shop-a", "shop-b"]
    assert usage.tenants[0].warning_level == quota_pb2.WARNING_LEVEL_EXHAUSTED
    assert usage.tenants[0].crossings[-1].tenant == "shop-a"
    assert usage.tenants[0].crossings[-1].provider == ""
    assert [tenant.tenant for tenant in only_b.tenants] == ["shop-b"]
    assert len(usage.providers) == 2


async def test_a_settle_batch_settles_the_tenants_windows_too(
    tenant_quota: quota_pb2_grpc.QuotaServiceAsyncStub,
) -> None:
    of_a = quota_pb2.ReserveRequest(provider="openai", estimated_tokens=10, tenant="shop-a")
    of_b = quota_pb2.ReserveRequest(provider="openai", estimated_tokens=10, tenant="shop-b")
    a_first = await tenant_quota.Reserve(of_a)
    b_first = await tenant_quota.Reserve(of_b)
    assert not (await tenant_quota.Reserve(of_a)).allowed

    settled = await tenant_quota.Settle(
        quota_pb2.SettleRequest(
            settlements=[
                quota_pb2.Settlement(reservation_id=a_first.reservation_id, release=True),
                quota_pb2.Settlement(reservation_id=b_first.reservation_id, commit_tokens=3),
            ]
        )
    )
    b_usage = await tenant_quota.GetUsage(quota_pb2.GetUsageRequest(tenant="shop-b"))

    assert [result.outcome for result in settled.results] == [
        quota_pb2.SETTLEMENT_OUTCOME_RELEASED,
        quota_pb2.SETTLEMENT_OUTCOME_COMMITTED,
    ]
    assert (await tenant_quota.Reserve(of_a)).allowed
    (tenant,) = b_usage.tenants
    assert {w.used for w in tenant.windows if w.metric == quota_pb2.METRIC_TOKENS} == {3}


async def test_a_tenants_counters_are_reset_by_an_admin(
    tenant_quota: quota_pb2_grpc.QuotaServiceAsyncStub,
) -> None:
    asked = quota_pb2.ReserveRequest(provider="openai", estimated_tokens=10, tenant="shop-a")
    await tenant_quota.Reserve(asked)

    reset = await tenant_quota.ResetQuota(
        quota_pb2.ResetQuotaRequest(tenant="shop-a"), metadata=admin_metadata(ADMIN_TOKEN)
    )
    with pytest.raises(grpc.aio.AioRpcError) as unknown:
        await tenant_quota.GetUsage(quota_pb2.GetUsageRequest(tenant="walk-in"))

    assert reset.tenant_usage.tenant == "shop-a"
    assert not reset.HasField("usage")
    assert (await tenant_quota.Reserve(asked)).allowed
    assert unknown.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert bad_request_fields(unknown.value) == ["tenant"]


async def test_watch_usage_streams_a_tenants_crossings_and_refuses_an_unknown_tenant(
    tenant_quota: quota_pb2_grpc.QuotaServiceAsyncStub,
) -> None:
    asked = quota_pb2.ReserveRequest(provider="openai", estimated_tokens=10, tenant="shop-a")
    await tenant_quota.Reserve(asked)
    usage = await tenant_quota.GetUsage(quota_pb2.GetUsageRequest(tenant="shop-a"))
    watch = tenant_quota.WatchUsage(
        quota_pb2.WatchUsageRequest(tenant="shop-a", include_current=True)
    )
    streamed = await asyncio.wait_for(first_response(watch), timeout=10)
    watch.cancel()
    with pytest.raises(grpc.aio.AioRpcError) as unknown:
        async for _ in tenant_quota.WatchUsage(quota_pb2.WatchUsageRequest(tenant="walk-in")):
            pass

    assert (streamed.crossing.tenant, streamed.crossing.provider) == ("shop-a", "")
    assert (streamed.crossing.window, streamed.crossing.metric, streamed.crossing.level) == (
        quota_pb2.WINDOW_HOUR,
        quota_pb2.METRIC_REQUESTS,
        quota_pb2.WARNING_LEVEL_EXHAUSTED,
    )
    assert streamed.crossing == usage.tenants[0].crossings[-1]
    assert unknown.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert bad_request_fields(unknown.value) == ["tenant"]


async def test_a_withdrawal_by_key_releases_and_a_late_reserve_is_aborted(
    quota: quota_pb2_grpc.QuotaServiceAsyncStub,
) -> None:
    reserved = await quota.Reserve(
        quota_pb2.ReserveRequest(provider="openai", estimated_tokens=5, idempotency_key="a-1")
    )
    after = await quota.Release(quota_pb2.ReleaseRequest(provider="openai", idempotency_key="a-1"))
    before = await quota.Release(quota_pb2.ReleaseRequest(provider="openai", idempotency_key="a-2"))
    with pytest.raises(grpc.aio.AioRpcError) as late:
        await quota.Reserve(
            quota_pb2.ReserveRequest(provider="openai", estimated_tokens=5, idempotency_key="a-2")
        )
    # Both slots of the hour are free again: the withdrawn ones hold nothing.
    two = [await quota.Reserve(quota_pb2.ReserveRequest(provider="openai")) for _ in range(2)]

    assert reserved.allowed
    assert (after.released, after.withdrawn_before_reserve) == (True, False)
    assert (before.released, before.withdrawn_before_reserve) == (False, True)
    assert late.value.code() == grpc.StatusCode.ABORTED
    assert error_reason(late.value) == "RESERVATION_WITHDRAWN"
    assert [item.allowed for item in two] == [True, True]


async def test_release_takes_an_id_or_a_provider_and_key(
    quota: quota_pb2_grpc.QuotaServiceAsyncStub,
) -> None:
    asked = [
        quota_pb2.ReleaseRequest(reservation_id="openai.x", provider="openai"),
        quota_pb2.ReleaseRequest(provider="openai"),
        quota_pb2.ReleaseRequest(idempotency_key="k"),
        quota_pb2.ReleaseRequest(provider="openai", idempotency_key="k" * 201),
    ]
    fields = []
    for request in asked:
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await quota.Release(request)
        assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        fields.append(bad_request_fields(refused.value))

    assert fields == [["reservation_id"], ["idempotency_key"], ["provider"], ["idempotency_key"]]


def streamed(
    message_id: int, request: quota_pb2.ReserveRequest, timeout: float = 5.0
) -> quota_pb2.ReserveStreamRequest:
    """One ReserveStream message: the reservation and the time its caller still waits."""
    return quota_pb2.ReserveStreamRequest(id=message_id, reserve=request, timeout=duration(timeout))


async def stream_answers(
    quota: quota_pb2_grpc.QuotaServiceAsyncStub, *messages: quota_pb2.ReserveStreamRequest
) -> list[quota_pb2.ReserveStreamResponse]:
    """The answers of one ReserveStream that sends messages and closes, in the order sent."""
    answers = [answer async for answer in quota.ReserveStream(iter(messages))]
    return sorted(answers, key=lambda answer: [m.id for m in messages].index(answer.id))


async def test_a_streamed_reservation_is_granted_and_denied_as_reserve_does(
    quota: quota_pb2_grpc.QuotaServiceAsyncStub,
) -> None:
    grant = quota_pb2.ReserveRequest(provider="openai", estimated_tokens=3)
    (streamed_grant,) = await stream_answers(quota, streamed(1, grant))
    await quota.Release(
        quota_pb2.ReleaseRequest(reservation_id=streamed_grant.reserve.reservation_id)
    )
    unary_grant = await quota.Reserve(grant)  # in the state the streamed one was made in
    await quota.Reserve(grant)  # the last request of the hour
    denial = quota_pb2.ReserveRequest(provider="openai", estimated_tokens=1)
    (streamed_denial,) = await stream_answers(quota, streamed(2, denial))
    unary_denial = await quota.Reserve(denial)

    assert (streamed_grant.id, streamed_denial.id) == (1, 2)
    granted = streamed_grant.reserve
    assert granted.allowed and granted.reservation_id
    assert granted.reservation_id != unary_grant.reservation_id
    granted.ClearField("reservation_id")
    unary_grant.ClearField("reservation_id")
    assert timeless(granted) == timeless(unary_grant)
    denied = streamed_denial.reserve
    assert not denied.allowed and denied.violations[0].used == 2
    assert 0 < unary_denial.retry_after.ToNanoseconds() <= denied.retry_after.ToNanoseconds()
    assert timeless(denied) == timeless(unary_denial)


def timeless(response: quota_pb2.ReserveResponse) -> quota_pb2.ReserveResponse:
    """The response without what is counted from the moment it was made (the wait before a
    retry, when a window on its trend runs out)."""
    response.ClearField("retry_after")
    for usage in (*response.usage, response.denied_by):
        usage.ClearField("projected_exhaustion_time")
    return response


async def test_a_streamed_reservation_fails_with_the_status_and_details_reserve_would(
    quota: quota_pb2_grpc.QuotaServiceAsyncStub,
) -> None:
    invalid = quota_pb2.ReserveRequest(provider="", estimated_tokens=-1)
    await quota.Release(quota_pb2.ReleaseRequest(provider="openai", idempotency_key="gone"))
    withdrawn = quota_pb2.ReserveRequest(provider="openai", idempotency_key="gone")
    answers = await stream_answers(quota, streamed(1, invalid), streamed(2, withdrawn))
    with pytest.raises(grpc.aio.AioRpcError) as unary_invalid:
        await quota.Reserve(invalid)
    with pytest.raises(grpc.aio.AioRpcError) as unary_withdrawn:
        await quota.Reserve(withdrawn)

    for answer, unary in zip(answers, (unary_invalid.value, unary_withdrawn.value), strict=True):
        assert answer.WhichOneof("result") == "status"
        assert answer.status == status_details(unary)
    assert bad_request_fields(answers[0].status) == ["provider", "estimated_tokens"]
    assert answers[1].status.code == grpc.StatusCode.ABORTED.value[0]
    assert error_reason(answers[1].status) == "RESERVATION_WITHDRAWN"


async def test_a_streamed_reservation_whose_caller_stopped_waiting_reserves_nothing(
    quota: quota_pb2_grpc.QuotaServiceAsyncStub,
) -> None:
    request = quota_pb2.ReserveRequest(provider="openai", estimated_tokens=7)
    late, untimed = await stream_answers(
        quota, streamed(1, request, timeout=1e-9), streamed(2, request, timeout=0)
    )
    usage = await quota.GetUsage(quota_pb2.GetUsageRequest(provider="openai"))

    assert late.status.code == grpc.StatusCode.DEADLINE_EXCEEDED.value[0]
    assert untimed.status.code == grpc.StatusCode.INVALID_ARGUMENT.value[0]
    assert bad_request_fields(untimed.status) == ["timeout"]
    assert all(item.used == 0 for item in usage.providers[0].windows)


@pytest.fixture
async def roomy_quota(tmp_path: Path) -> AsyncIterator[quota_pb2_grpc.QuotaServiceAsyncStub]:
    """A quota server on SQLite where openai has room for a thousand requests an hour."""
    async with quota_server(tmp_path, 1000) as stub:
        yield stub


async def test_many_reservations_on_one_stream_are_answered_as_they_finish_each_by_its_id(
    roomy_quota: quota_pb2_grpc.QuotaServiceAsyncStub,
) -> None:
    count = 60
    keyed = [
        streamed(100 + n, quota_pb2.ReserveRequest(provider="openai", idempotency_key=f"k{n}"))
        for n in range(count)
    ]
    # Answered without the store, so before the reservations sent ahead of it that need it.
    invalid = streamed(7, quota_pb2.ReserveRequest(provider="openai", estimated_tokens=-1))
    answers = [answer async for answer in roomy_quota.ReserveStream(iter([*keyed, invalid]))]
    # The same keys again, by unary calls: each names the reservation its message was answered.
    again = [await roomy_quota.Reserve(message.reserve) for message in keyed]

    assert sorted(answer.id for answer in answers) == sorted([7, *(m.id for m in keyed)])
    assert [answer.id for answer in answers].index(7) < count
    by_id = {answer.id: answer.reserve.reservation_id for answer in answers if answer.id != 7}
    assert [by_id[message.id] for message in keyed] == [item.reservation_id for item in again]
    assert len(set(by_id.values())) == count


async def test_a_stream_its_caller_leaves_cancels_the_reservations_under_way(
    roomy_quota: quota_pb2_grpc.QuotaServiceAsyncStub,
) -> None:
    call = roomy_quota.ReserveStream()
    for n in range(50):
        await call.write(streamed(n, quota_pb2.ReserveRequest(provider="openai")))
    call.cancel()

    def handling() -> list[asyncio.Task[object]]:
        return [
            task
            for task in asyncio.all_tasks()
            if task.get_name() in {"quota-streamed-reservation", "quota-reserve-stream"}
        ]

    await eventually_read(handling, lambda left: not left, what="no reservation left running")
