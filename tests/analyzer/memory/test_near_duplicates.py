"""The near-duplicate index on real stores: matching quality on the corpus, the numbers rule,
tenants, expiry and clearing."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

from sanad_analyzer.memory.near_duplicates import NearDuplicateIndex
from sanad_analyzer.policy import PolicyType
from sanad_common.storage import Store, open_store
from tests.analyzer.text.near_duplicate_corpus import (
    BASES,
    different_policies,
    number_changes,
    true_near_duplicates,
)

THRESHOLD = 0.8
TENANT = "shop-platform"


def index_on(store: Store, *, ttl: float = 600, cross_tenant: bool = False) -> NearDuplicateIndex:
    return NearDuplicateIndex(store, ttl=ttl, threshold=THRESHOLD, cross_tenant=cross_tenant)


async def test_matching_quality_on_the_corpus(
    store: Store, record_property: Callable[[str, object], None]
) -> None:
    """Recall on true near-duplicates among every stored policy; false matches on number
    changes and on other policies of the same type, each searched where only the one policy
    it must not match is stored (its own tenant), so any match is a false one."""
    index = index_on(store)
    for number, policy in enumerate(BASES):
        await index.add(policy.policy_type, TENANT, policy.name, policy.text)
        await index.add(policy.policy_type, f"solo-{number}", policy.name, policy.text)
    true_total = true_found = 0
    misses: list[str] = []
    for policy in BASES:
        for variant in true_near_duplicates(policy):
            true_total += 1
            found = await index.find(policy.policy_type, TENANT, variant.text)
            if found is not None and found.text_hash == policy.name:
                true_found += 1
                assert THRESHOLD <= found.similarity <= 1.0
            else:
                misses.append(f"{policy.name}: {variant.kind}")
    number_total = number_matched = other_total = other_matched = 0
    for number, policy in enumerate(BASES):
        alone = f"solo-{number}"
        for variant in number_changes(policy):
            number_total += 1
            number_matched += await index.find(policy.policy_type, alone, variant.text) is not None
        for other in different_policies(policy):
            other_total += 1
            other_matched += await index.find(policy.policy_type, alone, other.text) is not None
    recall = true_found / true_total
    report = (
        f"recall {recall:.3f} ({true_found}/{true_total}); "
        f"number changes matched {number_matched}/{number_total}; "
        f"different policies matched {other_matched}/{other_total}; misses {misses}"
    )
    print(report)
    assert recall >= 0.95, report
    assert number_matched == 0, report
    assert other_matched == 0, report


async def test_the_exact_text_matches_with_similarity_one(store: Store) -> None:
    index = index_on(store)
    policy = BASES[0]
    await index.add(policy.policy_type, TENANT, "h1", policy.text)
    found = await index.find(policy.policy_type, TENANT, policy.text)
    assert found is not None
    assert (found.tenant, found.text_hash, found.similarity) == (TENANT, "h1", 1.0)


async def test_the_most_similar_of_several_candidates_wins(store: Store) -> None:
    index = index_on(store)
    policy = BASES[6]
    extra = " Please keep your receipt."
    await index.add(policy.policy_type, TENANT, "plain", policy.text)
    await index.add(policy.policy_type, TENANT, "longer", policy.text + extra + extra)
    found = await index.find(policy.policy_type, TENANT, policy.text + extra)
    assert found is not None
    assert found.text_hash == "longer"
    assert found.similarity < 1.0


async def test_matches_stay_within_the_policy_type_and_tenant(store: Store) -> None:
    index = index_on(store)
    policy = BASES[0]
    await index.add(policy.policy_type, TENANT, "h1", policy.text)
    assert await index.find(PolicyType.SHIPPING_DELIVERY, TENANT, policy.text) is None
    assert await index.find(policy.policy_type, "another-tenant", policy.text) is None


async def test_crossing_tenants_only_when_configured(store: Store) -> None:
    index = index_on(store, cross_tenant=True)
    policy = BASES[0]
    await index.add(policy.policy_type, TENANT, "h1", policy.text)
    found = await index.find(policy.policy_type, "another-tenant", policy.text)
    assert found is not None
    assert (found.tenant, found.text_hash) == (TENANT, "h1")


async def test_every_replica_finds_what_another_stored(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    one, other = await open_store(url), await open_store(url)
    try:
        policy = BASES[3]
        await index_on(one).add(policy.policy_type, TENANT, "h1", policy.text)
        found = await index_on(other).find(policy.policy_type, TENANT, policy.text)
        assert found is not None
    finally:
        await one.aclose()
        await other.aclose()


async def test_the_index_expires_with_its_entries(store: Store) -> None:
    index = index_on(store, ttl=0.2)
    policy = BASES[1]
    await index.add(policy.policy_type, TENANT, "h1", policy.text)
    assert await index.find(policy.policy_type, TENANT, policy.text) is not None
    await asyncio.sleep(0.5)  # waits out the TTL on purpose
    assert await index.find(policy.policy_type, TENANT, policy.text) is None


async def test_a_forgotten_document_is_not_found(store: Store) -> None:
    index = index_on(store)
    policy = BASES[2]
    await index.add(policy.policy_type, TENANT, "h1", policy.text)
    await index.forget(policy.policy_type, TENANT, "h1")
    assert await index.find(policy.policy_type, TENANT, policy.text) is None


async def test_clear_by_policy_type_or_all(store: Store) -> None:
    index = index_on(store)
    returns, shipping = BASES[0], BASES[3]
    await index.add(returns.policy_type, TENANT, "r", returns.text)
    await index.add(shipping.policy_type, TENANT, "s", shipping.text)
    assert await index.clear(PolicyType.RETURN_EXCHANGE) == 1
    assert await index.find(returns.policy_type, TENANT, returns.text) is None
    assert await index.find(shipping.policy_type, TENANT, shipping.text) is not None
    assert await index.clear(None) == 1
    assert await index.find(shipping.policy_type, TENANT, shipping.text) is None
