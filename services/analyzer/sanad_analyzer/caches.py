"""The analyzer's two stores of past answers, both on the shared Store.

The idempotency cache answers the same request again (24 h); the degradation store keeps
every fresh analysis by policy type and normalised text (7 d) to answer when every provider
fails. Entries are serialised AnalyzeResponse messages inside a small JSON envelope that
carries what lookups must check (the request fingerprint, the policy type).
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field

import structlog
from google.protobuf.message import DecodeError

from sanad.analyzer.v1 import analyzer_pb2
from sanad_analyzer.near_duplicates import IndexedText, NearDuplicateIndex
from sanad_analyzer.policy import PolicyType
from sanad_common.storage import Put, Store, Write

IDEMPOTENCY_PREFIX = "idempotency:"
DEGRADATION_PREFIX = "degradation:"
ANALYSIS_PREFIX = "analysis:"

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class CachedAnswer:
    """An answer found in a cache."""

    response: analyzer_pb2.AnalyzeResponse
    """The response as it was first given."""
    fingerprint: str
    """Fingerprint of the request that produced it."""
    policy_type: PolicyType
    """Policy type of that request."""
    shop: ShopFields = field(default_factory=lambda: ShopFields("", ""))
    """Shop fields of that request (kept by the degradation store)."""


@dataclass(frozen=True)
class ShopFields:
    """The shop a request was made for."""

    name: str
    """The shop's name."""
    specialization: str
    """What the shop sells."""


@dataclass(frozen=True)
class DegradedMatch:
    """A stored analysis found for a text: the same one, or a near-duplicate."""

    answer: CachedAnswer
    """The stored answer."""
    similarity: float
    """1.0 for the same normalised text; less for a near-duplicate."""


def _encode(
    response: analyzer_pb2.AnalyzeResponse,
    fingerprint: str,
    policy: PolicyType,
    shop: ShopFields | None = None,
) -> bytes:
    envelope = {
        "fingerprint": fingerprint,
        "policy_type": policy.value,
        "response": base64.b64encode(response.SerializeToString()).decode(),
    }
    if shop is not None:
        envelope["shop_name"] = shop.name
        envelope["shop_specialization"] = shop.specialization
    return json.dumps(envelope).encode()


def _decode(raw: bytes) -> CachedAnswer | None:
    """The entry, or None when it cannot be read (written by a newer version, or damaged)."""
    try:
        envelope = json.loads(raw)
        response = analyzer_pb2.AnalyzeResponse()
        response.ParseFromString(base64.b64decode(envelope["response"], validate=True))
        return CachedAnswer(
            response=response,
            fingerprint=str(envelope["fingerprint"]),
            policy_type=PolicyType(envelope["policy_type"]),
            shop=ShopFields(
                str(envelope.get("shop_name", "")), str(envelope.get("shop_specialization", ""))
            ),
        )
    except (ValueError, KeyError, TypeError, DecodeError) as error:
        log.warning("unreadable cache entry ignored", error=repr(error))
        return None


async def _read(store: Store, key: str) -> CachedAnswer | None:
    """A live entry; an unreadable one is deleted and counts as a miss."""
    raw = await store.get(key)
    if raw is None:
        return None
    found = _decode(raw)
    if found is None:
        await store.delete(key)
    return found


class IdempotencyCache:
    """Answers by tenant and idempotency id, and analyses by id for GetAnalysis."""

    def __init__(self, store: Store, ttl: float, analysis_ttl: float) -> None:
        self._store = store
        self._ttl = ttl
        self._analysis_ttl = analysis_ttl

    @staticmethod
    def _key(tenant: str, idempotency_id: str) -> str:
        return f"{IDEMPOTENCY_PREFIX}{tenant}:{idempotency_id}"

    async def get(self, tenant: str, idempotency_id: str) -> CachedAnswer | None:
        """The stored answer, or None."""
        return await _read(self._store, self._key(tenant, idempotency_id))

    def writes(
        self,
        tenant: str,
        idempotency_id: str,
        fingerprint: str,
        policy: PolicyType,
        response: analyzer_pb2.AnalyzeResponse,
        *,
        replace: bool,
    ) -> list[Write]:
        """The writes that store an answer under its idempotency id and its analysis id, to
        send in one batch with others; hand what the batch says of them to ``settle``.

        Without replace, an entry already there (another replica answered the same key
        meanwhile) is kept, so ``settle`` can tell a reused key from a race."""
        raw = _encode(response, fingerprint, policy)
        return [
            Put(f"{ANALYSIS_PREFIX}{tenant}:{response.analysis_id}", raw, self._analysis_ttl),
            Put(self._key(tenant, idempotency_id), raw, self._ttl, only_if_absent=not replace),
        ]

    async def settle(
        self, tenant: str, idempotency_id: str, written: list[bool]
    ) -> CachedAnswer | None:
        """After ``writes`` were applied (``written``, in their order): the entry another
        replica had stored first, or None when this answer is the one stored."""
        if written[-1]:
            return None
        return await _read(self._store, self._key(tenant, idempotency_id))

    async def get_analysis(self, tenant: str, analysis_id: str) -> CachedAnswer | None:
        """A past answer by its analysis id."""
        return await _read(self._store, f"{ANALYSIS_PREFIX}{tenant}:{analysis_id}")

    async def count(self) -> int:
        """Live idempotency entries."""
        return len(await self._store.keys_with_prefix(IDEMPOTENCY_PREFIX))

    async def clear(self, policy: PolicyType | None) -> int:
        """Remove answers (and their by-id copies), of one policy type or all.

        Returns the number of idempotency entries removed.
        """
        if policy is None:
            await self._store.delete_prefix(ANALYSIS_PREFIX)
            return await self._store.delete_prefix(IDEMPOTENCY_PREFIX)
        removed = 0
        for prefix in (IDEMPOTENCY_PREFIX, ANALYSIS_PREFIX):
            keys = await self._store.keys_with_prefix(prefix)
            values = await self._store.get_many(keys)
            doomed = []
            for key, raw in zip(keys, values, strict=True):
                found = _decode(raw) if raw is not None else None
                if found is not None and found.policy_type is policy:
                    doomed.append(key)
            deleted = await self._store.delete(*doomed) if doomed else 0
            if prefix == IDEMPOTENCY_PREFIX:
                removed = deleted
        return removed


class DegradationStore:
    """Fresh analyses by policy type, tenant and text hash, served when providers fail.

    With a near-duplicate index, every stored analysis is also indexed by its text, and a
    lookup that finds no analysis of the same text takes the most similar one instead.
    """

    def __init__(self, store: Store, ttl: float, index: NearDuplicateIndex | None = None) -> None:
        self._store = store
        self._ttl = ttl
        self._index = index

    @staticmethod
    def _key(policy: PolicyType, tenant: str, text_hash: str) -> str:
        return f"{DEGRADATION_PREFIX}{policy.value}:{tenant}:{text_hash}"

    def writes(
        self,
        policy: PolicyType,
        tenant: str,
        text_hash: str,
        fingerprint: str,
        response: analyzer_pb2.AnalyzeResponse,
        *,
        text: str = "",
        shop: ShopFields | None = None,
    ) -> list[Write]:
        """The writes that keep a fresh analysis for later degraded answers and index its
        text, to send in one batch with others."""
        writes: list[Write] = [
            Put(
                self._key(policy, tenant, text_hash),
                _encode(response, fingerprint, policy, shop),
                self._ttl,
            )
        ]
        if self._index is not None and text:
            writes += self._index.writes(policy, tenant, [IndexedText.of(text_hash, text)])
        return writes

    async def find_exact(
        self, policy: PolicyType, tenant: str, text_hash: str
    ) -> CachedAnswer | None:
        """The analysis of the same normalised text, or None."""
        return await _read(self._store, self._key(policy, tenant, text_hash))

    async def find(
        self, policy: PolicyType, tenant: str, text_hash: str, text: str
    ) -> DegradedMatch | None:
        """The analysis of the same text, else of the most similar one with the same numbers."""
        exact = await self.find_exact(policy, tenant, text_hash)
        if exact is not None:
            return DegradedMatch(exact, 1.0)
        if self._index is None:
            return None
        near = await self._index.find(policy, tenant, text)
        if near is None:
            return None
        found = await self.find_exact(policy, near.tenant, near.text_hash)
        if found is None:
            await self._index.forget(policy, near.tenant, near.text_hash)
            return None
        return DegradedMatch(found, near.similarity)

    async def count(self, policy: PolicyType) -> int:
        """Live entries of one policy type."""
        return len(await self._store.keys_with_prefix(f"{DEGRADATION_PREFIX}{policy.value}:"))

    async def clear(self, policy: PolicyType | None) -> tuple[int, int]:
        """Remove entries and their index, of one policy type or all.

        Returns the numbers of entries and of similarity index documents removed.
        """
        prefix = DEGRADATION_PREFIX if policy is None else f"{DEGRADATION_PREFIX}{policy.value}:"
        removed = await self._store.delete_prefix(prefix)
        indexed = await self._index.clear(policy) if self._index is not None else 0
        return removed, indexed
