"""The degradation store: every fresh analysis kept by policy type, tenant and normalised text
(7 d), with its near-duplicate index, to answer when every provider fails. An entry refers to
the answer stored once (``entries.StoredAnswers``)."""

from __future__ import annotations

from sanad_analyzer.memory.entries import (
    CachedAnswer,
    DegradedMatch,
    Reference,
    ShopFields,
    StoredAnswers,
)
from sanad_analyzer.memory.near_duplicates import IndexedText, NearDuplicateIndex
from sanad_analyzer.policy import PolicyType
from sanad_common.storage import Put, Store, Write

DEGRADATION_PREFIX = "degradation:"


class DegradationStore:
    """Fresh analyses by policy type, tenant and text hash, served when providers fail.

    With a near-duplicate index, every stored analysis is also indexed by its text, and a
    lookup that finds no analysis of the same text takes the most similar one instead.
    """

    def __init__(
        self,
        store: Store,
        answers: StoredAnswers,
        ttl: float,
        index: NearDuplicateIndex | None = None,
    ) -> None:
        self._store = store
        self._answers = answers
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
        answer: Put,
        *,
        text: str = "",
        shop: ShopFields | None = None,
    ) -> list[Write]:
        """The writes that keep a fresh analysis (``answer``, from ``StoredAnswers.put``) for later
        degraded answers and index its text, to send in one batch with it and others."""
        writes: list[Write] = [
            Put(
                self._key(policy, tenant, text_hash),
                Reference(answer.key, fingerprint, policy, shop).encode(),
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
        return await self._answers.read(self._key(policy, tenant, text_hash))

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
