"""Cache lookups are counted once: GetCacheStats rows and the OpenTelemetry counter agree."""

from __future__ import annotations

from sanad.analyzer.v1 import analyzer_pb2
from sanad_analyzer.memory.cache_stats import CacheName, CacheStatistics, Lookup
from sanad_analyzer.policy import PolicyType
from tests.support.services import MeterProbe

RETURNS = PolicyType.RETURN_EXCHANGE
SHIPPING = PolicyType.SHIPPING_DELIVERY


def test_counts_per_cache_type_and_result_and_the_metric_agree() -> None:
    probe = MeterProbe()
    stats = CacheStatistics(probe.meter)
    stats.record(CacheName.DEGRADATION, RETURNS, Lookup.HIT)
    stats.record(CacheName.DEGRADATION, RETURNS, Lookup.NEAR_DUPLICATE_HIT)
    stats.record(CacheName.DEGRADATION, RETURNS, Lookup.NEAR_DUPLICATE_HIT)
    stats.record(CacheName.DEGRADATION, SHIPPING, Lookup.MISS)
    stats.record(CacheName.IDEMPOTENCY, SHIPPING, Lookup.HIT)

    assert stats.count(CacheName.DEGRADATION, Lookup.NEAR_DUPLICATE_HIT) == 2
    assert stats.count(CacheName.DEGRADATION, Lookup.MISS, RETURNS) == 0
    assert stats.count(CacheName.IDEMPOTENCY, Lookup.HIT) == 1
    points = probe.read()
    near = frozenset(
        {
            ("cache", "degradation"),
            ("policy_type", RETURNS.value),
            ("result", "hit"),
            ("match", "near_duplicate"),
        }
    )
    assert points[("sanad_cache_lookups", near)] == 2
    hits = sum(
        value
        for (name, attributes), value in points.items()
        if name == "sanad_cache_lookups" and ("result", "hit") in attributes
    )
    assert hits == 4


def test_rows_per_policy_type_then_totals() -> None:
    stats = CacheStatistics(MeterProbe().meter)
    stats.record(CacheName.DEGRADATION, RETURNS, Lookup.NEAR_DUPLICATE_HIT)
    stats.record(CacheName.DEGRADATION, SHIPPING, Lookup.MISS)
    entries = {
        (CacheName.DEGRADATION, RETURNS): 3,
        (CacheName.DEGRADATION, SHIPPING): 1,
        (CacheName.IDEMPOTENCY, None): 7,
    }
    rows = {(row.cache, row.policy_type): row for row in stats.to_proto(entries)}

    returns = rows[("degradation", RETURNS.to_proto())]
    assert (returns.entries, returns.hits, returns.near_duplicate_hits, returns.misses) == (
        3,
        0,
        1,
        0,
    )
    total = rows[("degradation", analyzer_pb2.POLICY_TYPE_UNSPECIFIED)]
    assert (total.entries, total.near_duplicate_hits, total.misses) == (4, 1, 1)
    assert rows[("idempotency", analyzer_pb2.POLICY_TYPE_UNSPECIFIED)].entries == 7
    assert rows[("idempotency", RETURNS.to_proto())].entries == 0
    assert {cache for cache, _ in rows} == {"idempotency", "degradation", "rules"}
