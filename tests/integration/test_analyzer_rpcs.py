"""The analyzer's other RPCs and its request-path guarantees, on the real processes."""

from __future__ import annotations

import asyncio

import grpc
import pytest

from sanad.analyzer.v1 import analyzer_pb2
from sanad.type.v1 import error_class_pb2
from sanad_launcher.suite import LocalSuite
from tests.integration.conftest import ADMIN, Clients
from tests.integration.test_scenarios import ARABIC_POLICY, RETURN_POLICY, analyze_request
from tests.support.services import error_reason
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration


async def test_analyze_stream_reports_progress_then_the_result(clients: Clients) -> None:
    await clients.emulator.inject("openai", "server_error", status=502, count=1)

    stream = clients.analyzer.AnalyzeStream(
        analyzer_pb2.AnalyzeStreamRequest(request=analyze_request(RETURN_POLICY)), timeout=30
    )
    messages = [message async for message in stream]

    stages = [m.progress.stage for m in messages if m.WhichOneof("event") == "progress"]
    assert stages == [
        analyzer_pb2.STAGE_VALIDATED,
        analyzer_pb2.STAGE_IDEMPOTENCY_CHECKED,
        analyzer_pb2.STAGE_QUOTA_RESERVED,
        analyzer_pb2.STAGE_ATTEMPT_STARTED,
        analyzer_pb2.STAGE_ATTEMPT_FAILED,
        analyzer_pb2.STAGE_FAILOVER,
        analyzer_pb2.STAGE_QUOTA_RESERVED,
        analyzer_pb2.STAGE_ATTEMPT_STARTED,
        analyzer_pb2.STAGE_ATTEMPT_SUCCEEDED,
    ]
    assert messages[-1].WhichOneof("event") == "result"
    assert messages[-1].result.provider == "gemini"
    assert messages[-1].result.source == analyzer_pb2.SOURCE_FRESH


async def test_analyze_stream_rejects_bad_input(clients: Clients) -> None:
    stream = clients.analyzer.AnalyzeStream(
        analyzer_pb2.AnalyzeStreamRequest(request=analyzer_pb2.AnalyzeRequest()), timeout=30
    )
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        _ = [message async for message in stream]
    assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT


async def test_get_analysis_by_id_and_by_key(clients: Clients) -> None:
    fresh = await clients.analyzer.Analyze(
        analyze_request(RETURN_POLICY, idempotency_key="req-1", tenant_id="shop-a"), timeout=30
    )

    by_id = await clients.analyzer.GetAnalysis(
        analyzer_pb2.GetAnalysisRequest(analysis_id=fresh.analysis_id, tenant_id="shop-a")
    )
    by_key = await clients.analyzer.GetAnalysis(
        analyzer_pb2.GetAnalysisRequest(idempotency_key="req-1", tenant_id="shop-a")
    )

    assert by_id.result.analysis == fresh.analysis
    assert by_key.result.analysis_id == fresh.analysis_id
    with pytest.raises(grpc.aio.AioRpcError) as other_tenant:
        await clients.analyzer.GetAnalysis(
            analyzer_pb2.GetAnalysisRequest(analysis_id=fresh.analysis_id, tenant_id="shop-b")
        )
    assert other_tenant.value.code() == grpc.StatusCode.NOT_FOUND
    with pytest.raises(grpc.aio.AioRpcError) as empty:
        await clients.analyzer.GetAnalysis(analyzer_pb2.GetAnalysisRequest())
    assert empty.value.code() == grpc.StatusCode.INVALID_ARGUMENT


async def test_clear_cache_by_policy_type_and_stats(clients: Clients) -> None:
    await clients.analyzer.Analyze(analyze_request(RETURN_POLICY), timeout=30)
    shipping = analyze_request(ARABIC_POLICY)
    shipping.policy_type = analyzer_pb2.POLICY_TYPE_SHIPPING_DELIVERY
    await clients.analyzer.Analyze(shipping, timeout=30)

    stats = await clients.analyzer.GetCacheStats(
        analyzer_pb2.GetCacheStatsRequest(), metadata=ADMIN
    )
    counts = {entry.policy_type: entry.count for entry in stats.degradation_entries}
    assert counts[analyzer_pb2.POLICY_TYPE_RETURN_EXCHANGE] == 1
    assert counts[analyzer_pb2.POLICY_TYPE_SHIPPING_DELIVERY] == 1
    assert stats.idempotency_entries == 2

    cleared = await clients.analyzer.ClearCache(
        analyzer_pb2.ClearCacheRequest(
            policy_type=analyzer_pb2.POLICY_TYPE_RETURN_EXCHANGE, include_idempotency=True
        ),
        metadata=ADMIN,
    )

    assert cleared.degradation_entries_removed == 1
    assert cleared.idempotency_entries_removed == 1
    after = await clients.analyzer.GetCacheStats(
        analyzer_pb2.GetCacheStatsRequest(), metadata=ADMIN
    )
    counts = {entry.policy_type: entry.count for entry in after.degradation_entries}
    assert counts[analyzer_pb2.POLICY_TYPE_RETURN_EXCHANGE] == 0
    assert counts[analyzer_pb2.POLICY_TYPE_SHIPPING_DELIVERY] == 1


async def test_concurrent_identical_requests_share_one_provider_call(clients: Clients) -> None:
    await clients.emulator.inject("openai", "latency", latency_ms=500, count=1)

    responses = await asyncio.gather(
        *(clients.analyzer.Analyze(analyze_request(RETURN_POLICY), timeout=30) for _ in range(8))
    )

    assert {response.analysis_id for response in responses} == {responses[0].analysis_id}
    assert sorted(response.source for response in responses) == sorted(
        [analyzer_pb2.SOURCE_FRESH] + [analyzer_pb2.SOURCE_IDEMPOTENCY_CACHE] * 7
    )
    assert await clients.provider_requests() == {"openai": 1, "gemini": 0}


async def test_rate_limited_primary_is_retried_once_after_retry_after(clients: Clients) -> None:
    await clients.emulator.inject("openai", "rate_limited", retry_after=1, count=1)

    response = await clients.analyzer.Analyze(analyze_request(RETURN_POLICY), timeout=30)

    assert response.provider == "openai"
    assert [(a.provider, a.success) for a in response.attempts] == [
        ("openai", False),
        ("openai", True),
    ]
    assert await clients.provider_requests() == {"openai": 2, "gemini": 0}


async def test_invalid_answer_is_never_passed_on(clients: Clients) -> None:
    await clients.emulator.inject("openai", "schema_invalid", count=2)

    response = await clients.analyzer.Analyze(analyze_request(RETURN_POLICY), timeout=30)

    assert response.provider == "gemini"
    assert [(a.provider, a.success) for a in response.attempts] == [
        ("openai", False),
        ("openai", False),
        ("gemini", True),
    ]


async def test_a_joiner_carries_on_when_the_leaders_caller_goes_away(clients: Clients) -> None:
    await clients.emulator.inject("openai", "latency", latency_ms=1500, count=1)
    leader = asyncio.ensure_future(
        clients.analyzer.Analyze(analyze_request(RETURN_POLICY), timeout=30)
    )
    await at_the_provider(clients, {"openai": 1, "gemini": 0})
    joiner = asyncio.ensure_future(
        clients.analyzer.Analyze(analyze_request(RETURN_POLICY), timeout=30)
    )
    # A joiner still on its way when the leader goes leads a call of its own: the same two
    # provider requests and the same answer, so this wait only makes the join likely.
    await asyncio.sleep(0.3)
    leader.cancel()

    response = await joiner

    assert response.source == analyzer_pb2.SOURCE_FRESH
    assert response.provider == "openai"
    assert leader.cancelled()
    assert await clients.provider_requests() == {"openai": 2, "gemini": 0}


async def test_a_key_reused_for_another_body_is_refused_even_concurrently(
    clients: Clients,
) -> None:
    await clients.emulator.inject("openai", "latency", latency_ms=800, count=1)
    first = asyncio.ensure_future(
        clients.analyzer.Analyze(analyze_request(RETURN_POLICY, idempotency_key="K1"), timeout=30)
    )
    await at_the_provider(clients, {"openai": 1, "gemini": 0})

    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await clients.analyzer.Analyze(
            analyze_request(ARABIC_POLICY, idempotency_key="K1"), timeout=30
        )

    assert raised.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert (await first).source == analyzer_pb2.SOURCE_FRESH
    assert await clients.provider_requests() == {"openai": 1, "gemini": 0}


async def test_force_refresh_asks_again_but_never_overwrites_another_body(
    clients: Clients,
) -> None:
    first = await clients.analyzer.Analyze(
        analyze_request(RETURN_POLICY, idempotency_key="K2"), timeout=30
    )

    refreshed = await clients.analyzer.Analyze(
        analyze_request(RETURN_POLICY, idempotency_key="K2", force_refresh=True), timeout=30
    )
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await clients.analyzer.Analyze(
            analyze_request(ARABIC_POLICY, idempotency_key="K2", force_refresh=True), timeout=30
        )
    replay = await clients.analyzer.Analyze(
        analyze_request(RETURN_POLICY, idempotency_key="K2"), timeout=30
    )

    assert refreshed.source == analyzer_pb2.SOURCE_FRESH
    assert refreshed.analysis_id != first.analysis_id
    assert raised.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert replay.source == analyzer_pb2.SOURCE_IDEMPOTENCY_CACHE
    assert replay.analysis_id == refreshed.analysis_id
    assert await clients.provider_requests() == {"openai": 2, "gemini": 0}


async def test_a_hanging_primary_gets_only_its_share_of_the_deadline(clients: Clients) -> None:
    await clients.emulator.inject("openai", "hang")

    response = await clients.analyzer.Analyze(analyze_request(RETURN_POLICY), timeout=4)

    assert response.provider == "gemini"
    assert [(a.provider, a.success) for a in response.attempts] == [
        ("openai", False),
        ("gemini", True),
    ]
    assert response.attempts[0].error_class == error_class_pb2.ERROR_CLASS_TIMEOUT


async def test_nothing_in_time_is_deadline_exceeded_with_details(clients: Clients) -> None:
    await clients.emulator.inject("openai", "hang")
    await clients.emulator.inject("gemini", "hang")

    # A text the rule checker cannot read either: nothing at all can answer it in time.
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await clients.analyzer.Analyze(analyze_request("Lorem ipsum dolor sit amet."), timeout=3)

    # The analyzer answers before the caller's deadline, so the status is its own, with details.
    assert raised.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
    assert "deadline reached before any provider answered" in (raised.value.details() or "")
    assert error_reason(raised.value) == "ALL_PROVIDERS_FAILED"


def test_without_a_tenants_file_the_analyzer_warns_that_anyone_names_any_tenant(
    suite: LocalSuite,
) -> None:
    assert suite.log_dir is not None
    log = (suite.log_dir / "analyzer.log").read_text()

    assert "tenant keys are off: any caller may name any tenant_id" in log


async def at_the_provider(clients: Clients, requests: dict[str, int]) -> None:
    """Wait until the providers have received these requests (a slow call is under way)."""
    await eventually(
        clients.provider_requests, lambda seen: seen == requests, what="the provider requests"
    )
