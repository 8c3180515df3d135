"""Each answer is stored once: the idempotency, by-id and degradation entries refer to it, on
real stores."""

from __future__ import annotations

from sanad.analyzer.v1 import analyzer_pb2
from sanad_analyzer.memory.degradation import DegradationStore
from sanad_analyzer.memory.entries import ANSWER_PREFIX, ShopFields, StoredAnswers
from sanad_analyzer.memory.idempotency import IdempotencyCache
from sanad_analyzer.policy import PolicyType
from sanad_common.storage import Store

TENANT = "shop-platform"


def _response(analysis_id: str) -> analyzer_pb2.AnalyzeResponse:
    return analyzer_pb2.AnalyzeResponse(
        analysis_id=analysis_id,
        analysis=analyzer_pb2.Analysis(improved_policy="x" * 4000),
    )


async def _keep(
    store: Store,
    response: analyzer_pb2.AnalyzeResponse,
    policy: PolicyType = PolicyType.RETURN_EXCHANGE,
) -> tuple[IdempotencyCache, DegradationStore]:
    """Store one answer as the pipeline does: the answer, then the entries that refer to it."""
    answers = StoredAnswers(store, ttl=600)
    idempotency = IdempotencyCache(store, answers, ttl=60, analysis_ttl=600)
    degradation = DegradationStore(store, answers, ttl=600)
    answer = answers.put(TENANT, policy, response)
    put = idempotency.put(
        TENANT,
        f"key:{response.analysis_id}",
        "fingerprint",
        policy,
        analysis_id=response.analysis_id,
        answer=answer,
        replace=False,
    )
    shop = ShopFields("Shop", "books")
    writes = degradation.writes(policy, TENANT, "hash", "fingerprint", answer, shop=shop)
    await store.write([answer, *writes, *put.writes])
    return idempotency, degradation


async def test_the_response_is_stored_once_and_every_entry_reads_it(store: Store) -> None:
    response = _response("a1")
    idempotency, degradation = await _keep(store, response)

    stored = await store.keys_with_prefix(ANSWER_PREFIX)
    assert len(stored) == 1
    body = await store.get(stored[0])
    assert body is not None and len(body) < len(response.SerializeToString()) / 4
    by_key = await idempotency.get(TENANT, "key:a1")
    by_id = await idempotency.get_analysis(TENANT, "a1")
    degraded = await degradation.find_exact(PolicyType.RETURN_EXCHANGE, TENANT, "hash")
    assert by_key is not None and by_id is not None and degraded is not None
    assert by_key.response == by_id.response == degraded.response == response
    assert degraded.shop == ShopFields("Shop", "books")
    assert by_key.fingerprint == "fingerprint" and by_key.policy_type is PolicyType.RETURN_EXCHANGE
    # The references are small: the response is not copied into them.
    for key in await store.keys_with_prefix(""):
        if not key.startswith(ANSWER_PREFIX):
            raw = await store.get(key)
            assert raw is not None and len(raw) < 400


async def test_an_entry_whose_answer_is_gone_is_a_miss_and_is_removed(store: Store) -> None:
    idempotency, _ = await _keep(store, _response("a2"))
    [answer] = await store.keys_with_prefix(ANSWER_PREFIX)
    await store.delete(answer)

    assert await idempotency.get(TENANT, "key:a2") is None
    assert await store.keys_with_prefix("idempotency:") == []


async def test_clearing_one_policy_with_idempotency_removes_its_answers_only(store: Store) -> None:
    idempotency, degradation = await _keep(store, _response("r1"), PolicyType.RETURN_EXCHANGE)
    await _keep(store, _response("p1"), PolicyType.PRIVACY_ACCOUNT)

    await degradation.clear(PolicyType.RETURN_EXCHANGE)
    assert await idempotency.clear(PolicyType.RETURN_EXCHANGE) == 1

    assert await idempotency.get_analysis(TENANT, "r1") is None
    kept = await idempotency.get_analysis(TENANT, "p1")
    assert kept is not None and kept.response.analysis_id == "p1"
    assert await store.keys_with_prefix(f"{ANSWER_PREFIX}{PolicyType.RETURN_EXCHANGE.value}:") == []


async def test_an_answer_stored_uncompressed_by_an_older_release_is_still_read(
    store: Store,
) -> None:
    response = _response("old")
    idempotency, _ = await _keep(store, response)
    [answer] = await store.keys_with_prefix(ANSWER_PREFIX)
    await store.set(answer, response.SerializeToString(), ttl=600)

    found = await idempotency.get(TENANT, "key:old")
    assert found is not None and found.response == response


async def test_a_damaged_compressed_answer_is_a_miss_and_its_entry_is_removed(
    store: Store,
) -> None:
    idempotency, _ = await _keep(store, _response("bad"))
    [answer] = await store.keys_with_prefix(ANSWER_PREFIX)
    body = await store.get(answer)
    assert body is not None
    await store.set(answer, body[:20], ttl=600)

    assert await idempotency.get(TENANT, "key:bad") is None
    assert await store.keys_with_prefix("idempotency:") == []
