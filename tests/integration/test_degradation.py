"""Degradation through the public API, on each store: with the providers down near-duplicates
are served with their similarity, number changes and other tenants never are; a hanging
primary still gets the caller a degraded answer within its deadline; the cache admin RPCs see
the near-duplicate index; identical requests spread over two analyzer replicas make one
provider call."""

from __future__ import annotations

import asyncio
import collections
from collections.abc import AsyncIterator
from pathlib import Path

import grpc
import pytest

from sanad.analyzer.v1 import analyzer_pb2, analyzer_pb2_grpc
from sanad.quota.v1 import quota_pb2
from sanad_launcher.ports import free_port
from sanad_launcher.suite import LocalSuite
from tests.analyzer.text.near_duplicate_corpus import BASES, renamed
from tests.integration.conftest import ADMIN, Clients
from tests.support.services import service_process, wait_serving

pytestmark = pytest.mark.integration

POLICY = BASES[0]  # Arabic return policy: 14 days to return, 7 working days to refund.
NEAR_DUPLICATE = renamed(POLICY, "متجر السعادة") + " نسعى دائماً لتقديم أفضل خدمة لعملائنا."
NUMBER_CHANGED = POLICY.text.replace("١٤ يوماً", "ثلاثة أيام")


def request(text: str, **fields: object) -> analyzer_pb2.AnalyzeRequest:
    message = analyzer_pb2.AnalyzeRequest(
        shop_name=POLICY.shop,
        shop_specialization="fashion",
        policy_type=analyzer_pb2.POLICY_TYPE_RETURN_EXCHANGE,
        policy_text=text,
    )
    for name, value in fields.items():
        setattr(message, name, value)
    return message


async def stored_then_providers_down(clients: Clients) -> analyzer_pb2.AnalyzeResponse:
    seen = await clients.analyzer.Analyze(request(POLICY.text), timeout=30)
    assert seen.source == analyzer_pb2.SOURCE_FRESH
    await clients.emulator.inject("openai", "server_error", status=500)
    await clients.emulator.inject("gemini", "server_error", status=503)
    return seen


async def not_served_from(
    clients: Clients, seen: analyzer_pb2.AnalyzeResponse, message: analyzer_pb2.AnalyzeRequest
) -> None:
    """The request gets no stored analysis: UNAVAILABLE, or the rules layer's own answer."""
    try:
        answer = await clients.analyzer.Analyze(message, timeout=30)
    except grpc.aio.AioRpcError as error:
        assert error.code() == grpc.StatusCode.UNAVAILABLE
        return
    assert answer.source == analyzer_pb2.SOURCE_RULES
    assert answer.analysis_id != seen.analysis_id
    assert not answer.HasField("degraded_from")


async def degradation_stats(
    clients: Clients,
) -> dict[analyzer_pb2.PolicyType.ValueType, analyzer_pb2.CacheStats]:
    """The degradation cache's row per policy type (its counters run for the process's life:
    ClearCache empties the entries, not the hit counts)."""
    stats = await clients.analyzer.GetCacheStats(
        analyzer_pb2.GetCacheStatsRequest(), metadata=ADMIN
    )
    rows = {row.policy_type: row for row in stats.caches if row.cache == "degradation"}
    return collections.defaultdict(analyzer_pb2.CacheStats, rows)


async def test_a_near_duplicate_is_served_degraded_with_its_similarity(clients: Clients) -> None:
    before = await degradation_stats(clients)
    seen = await stored_then_providers_down(clients)

    degraded = await clients.analyzer.Analyze(
        request(NEAR_DUPLICATE, shop_name="متجر السعادة"), timeout=30
    )

    assert degraded.source == analyzer_pb2.SOURCE_DEGRADED_SIMILAR
    assert 0.8 <= degraded.similarity < 1.0
    assert degraded.degraded_from.analysis_id == seen.analysis_id
    assert degraded.degraded_from.analyzed_at == seen.analyzed_at
    assert degraded.note.ar == "تم استرجاع تحليل مشابه من الذاكرة المؤقتة"
    assert degraded.note.en == "A similar analysis was retrieved from cache"
    assert [attempt.success for attempt in degraded.attempts] == [False, False]

    after = await degradation_stats(clients)
    returns, total = analyzer_pb2.POLICY_TYPE_RETURN_EXCHANGE, analyzer_pb2.POLICY_TYPE_UNSPECIFIED
    assert after[returns].entries == 1
    assert after[returns].hits - before[returns].hits == 0
    assert after[returns].near_duplicate_hits - before[returns].near_duplicate_hits == 1
    assert after[total].near_duplicate_hits - before[total].near_duplicate_hits == 1


async def test_a_number_changed_variant_never_gets_the_stored_analysis(clients: Clients) -> None:
    seen = await stored_then_providers_down(clients)
    await not_served_from(clients, seen, request(NUMBER_CHANGED))
    digits_changed = POLICY.text.replace("١٤", "٢١")
    await not_served_from(clients, seen, request(digits_changed))


async def test_another_tenant_is_never_served(clients: Clients) -> None:
    seen = await stored_then_providers_down(clients)
    await not_served_from(clients, seen, request(POLICY.text, tenant_id="another-platform"))
    await not_served_from(clients, seen, request(NEAR_DUPLICATE, tenant_id="another-platform"))


async def test_a_hanging_primary_still_gets_a_degraded_answer_within_the_deadline(
    clients: Clients,
) -> None:
    seen = await clients.analyzer.Analyze(request(POLICY.text), timeout=30)
    await clients.emulator.inject("openai", "hang")
    await clients.emulator.inject("gemini", "hang")
    try:
        degraded = await clients.analyzer.Analyze(request(NEAR_DUPLICATE), timeout=4)
    finally:
        await clients.emulator.clear()

    assert degraded.source == analyzer_pb2.SOURCE_DEGRADED_SIMILAR
    assert degraded.degraded_from.analysis_id == seen.analysis_id


async def test_clear_cache_removes_the_similarity_index(clients: Clients) -> None:
    seen = await stored_then_providers_down(clients)

    cleared = await clients.analyzer.ClearCache(
        analyzer_pb2.ClearCacheRequest(policy_type=analyzer_pb2.POLICY_TYPE_RETURN_EXCHANGE),
        metadata=ADMIN,
    )

    assert cleared.degradation_entries_removed == 1
    assert cleared.similarity_index_entries_removed == 1
    await not_served_from(clients, seen, request(NEAR_DUPLICATE))


@pytest.fixture
async def second_analyzer(suite: LocalSuite, tmp_path: Path) -> AsyncIterator[str]:
    """Another analyzer replica on the same store, quota and health: its target."""
    port = free_port()
    env = suite.service_env() | {
        "SANAD_ANALYZER_PORT": str(port),
        "SANAD_ANALYZER_METRICS_PORT": "0",
    }
    log = tmp_path / "analyzer-2.log"
    target = f"{suite.host}:{port}"
    with service_process("sanad_analyzer", env, log) as process:
        await wait_serving(target, process, log)
        yield target


async def test_identical_requests_across_two_replicas_make_one_provider_call(
    clients: Clients, second_analyzer: str
) -> None:
    await clients.emulator.inject("openai", "latency", latency_ms=1500)
    text = BASES[6].text
    async with grpc.aio.insecure_channel(second_analyzer) as channel:
        other = analyzer_pb2_grpc.AnalyzerServiceStub(channel)
        replicas = [clients.analyzer, other]
        answers = await asyncio.gather(
            *(
                replicas[index % 2].Analyze(request(text, shop_name="Nile Threads"), timeout=30)
                for index in range(50)
            )
        )

    assert await clients.provider_requests() == {"openai": 1, "gemini": 0}
    usage = await clients.quota.GetUsage(quota_pb2.GetUsageRequest(provider="openai"))
    day_requests = [
        window.used
        for window in usage.providers[0].windows
        if window.window == quota_pb2.WINDOW_DAY and window.metric == quota_pb2.METRIC_REQUESTS
    ]
    assert day_requests == [1]
    assert len({answer.analysis_id for answer in answers}) == 1
    assert len({answer.analysis.SerializeToString() for answer in answers}) == 1
    sources = [answer.source for answer in answers]
    assert sources.count(analyzer_pb2.SOURCE_FRESH) == 1
