"""Cache lookups counted once, per cache, policy type and result.

One `record` call per lookup feeds both views of the count: GetCacheStats reads the counts
held here, and the OpenTelemetry counter ``sanad_cache_lookups`` is observed from the same
counts, so the two can never disagree or count a hit twice.
"""

from __future__ import annotations

import threading
import weakref
from collections import Counter
from collections.abc import Iterable, Mapping
from enum import StrEnum

from opentelemetry import metrics
from opentelemetry.metrics import CallbackOptions, Meter, Observation

from sanad.analyzer.v1 import analyzer_pb2
from sanad_analyzer.policy import PolicyType


class CacheName(StrEnum):
    """The analyzer's caches."""

    IDEMPOTENCY = "idempotency"
    DEGRADATION = "degradation"
    RULES = "rules"


class Lookup(StrEnum):
    """How a lookup ended."""

    HIT = "hit"
    NEAR_DUPLICATE_HIT = "near_duplicate_hit"
    MISS = "miss"


_Key = tuple[CacheName, PolicyType, Lookup]
_live: weakref.WeakSet[CacheStatistics] = weakref.WeakSet()
_METRIC = "sanad_cache_lookups"
_DESCRIPTION = "Cache lookups by cache, policy type and result (hit or miss)"


def _observations(counts: Counter[_Key]) -> Iterable[Observation]:
    for (cache, policy, lookup), count in counts.items():
        result = "miss" if lookup is Lookup.MISS else "hit"
        attributes = {"cache": cache.value, "policy_type": policy.value, "result": result}
        if result == "hit":
            exact = lookup is Lookup.HIT
            attributes["match"] = "exact" if exact else "near_duplicate"
        yield Observation(count, attributes)


def _observe_process(options: CallbackOptions) -> Iterable[Observation]:
    totals: Counter[_Key] = Counter()
    for statistics in list(_live):
        totals.update(statistics.snapshot())
    return _observations(totals)


metrics.get_meter("sanad.analyzer").create_observable_counter(
    _METRIC, callbacks=[_observe_process], description=_DESCRIPTION
)


class CacheStatistics:
    """Lookup counts since the process started."""

    def __init__(self, meter: Meter | None = None) -> None:
        """Counts observed by the process-wide ``sanad_cache_lookups``, or by one of its own
        on meter when given (tests read their own meter)."""
        self._counts: Counter[_Key] = Counter()
        self._lock = threading.Lock()
        if meter is None:
            _live.add(self)
        else:
            meter.create_observable_counter(
                _METRIC,
                callbacks=[lambda options: _observations(self.snapshot())],
                description=_DESCRIPTION,
            )

    def record(self, cache: CacheName, policy: PolicyType, lookup: Lookup) -> None:
        """Count one lookup."""
        with self._lock:
            self._counts[(cache, policy, lookup)] += 1

    def snapshot(self) -> Counter[_Key]:
        """A copy of the counts."""
        with self._lock:
            return Counter(self._counts)

    def count(self, cache: CacheName, lookup: Lookup, policy: PolicyType | None = None) -> int:
        """Lookups of one cache that ended one way, for one policy type or all."""
        counts = self.snapshot()
        policies = list(PolicyType) if policy is None else [policy]
        return sum(counts[(cache, each, lookup)] for each in policies)

    def to_proto(
        self, entries: Mapping[tuple[CacheName, PolicyType | None], int]
    ) -> list[analyzer_pb2.CacheStats]:
        """Per cache: one row per policy type, then the totals (policy type unspecified).

        entries holds the live entries per cache and policy type; None as the policy type
        for a cache that cannot tell its entries apart by type.
        """
        rows = []
        for cache in CacheName:
            for policy in (*PolicyType, None):
                hits, near, misses = (
                    self.count(cache, lookup, policy)
                    for lookup in (Lookup.HIT, Lookup.NEAR_DUPLICATE_HIT, Lookup.MISS)
                )
                if policy is None:
                    typed = [entries.get((cache, each)) for each in PolicyType]
                    total = entries.get((cache, None))
                    count = total if total is not None else sum(n or 0 for n in typed)
                else:
                    count = entries.get((cache, policy)) or 0
                rows.append(
                    analyzer_pb2.CacheStats(
                        cache=cache.value,
                        policy_type=(
                            policy.to_proto()
                            if policy is not None
                            else analyzer_pb2.POLICY_TYPE_UNSPECIFIED
                        ),
                        entries=count,
                        hits=hits,
                        near_duplicate_hits=near,
                        misses=misses,
                    )
                )
        return rows
