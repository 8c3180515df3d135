"""The idempotency cache: the same request answered again for 24 h, and past answers by id
(GetAnalysis), on the shared Store; both entries refer to the answer stored once
(``entries.StoredAnswers``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sanad_analyzer.memory.entries import CachedAnswer, Reference, StoredAnswers
from sanad_analyzer.policy import PolicyType
from sanad_common.storage import Put, Store, Write

IDEMPOTENCY_PREFIX = "idempotency:"
ANALYSIS_PREFIX = "analysis:"


@dataclass(frozen=True)
class IdempotentPut:
    """The writes that keep one answer by its idempotency id and by its analysis id.

    They travel in one batch with other writes; the by-key put is the one whose result tells
    this answer's win from another replica's (or a reused key), and it is found in the batch
    by name, never by its position.
    """

    by_analysis_id: Put
    """A reference to the answer under its analysis id, for GetAnalysis."""
    by_key: Put
    """A reference to the answer under its idempotency id; only-if-absent unless it
    replaces."""

    @property
    def writes(self) -> tuple[Put, Put]:
        """Both puts, to add to a batch."""
        return (self.by_analysis_id, self.by_key)

    def stored(self, batch: Sequence[Write], results: Sequence[bool]) -> bool:
        """True if the batch (and what ``Store.write`` said of it) stored the by-key put."""
        for write, applied in zip(batch, results, strict=True):
            if write is self.by_key:
                return applied
        raise ValueError("the batch does not carry this answer's idempotency put")


class IdempotencyCache:
    """Answers by tenant and idempotency id, and analyses by id for GetAnalysis."""

    def __init__(
        self, store: Store, answers: StoredAnswers, ttl: float, analysis_ttl: float
    ) -> None:
        self._store = store
        self._answers = answers
        self._ttl = ttl
        self._analysis_ttl = analysis_ttl

    @staticmethod
    def _key(tenant: str, idempotency_id: str) -> str:
        return f"{IDEMPOTENCY_PREFIX}{tenant}:{idempotency_id}"

    async def get(self, tenant: str, idempotency_id: str) -> CachedAnswer | None:
        """The stored answer, or None."""
        return await self._answers.read(self._key(tenant, idempotency_id))

    def put(
        self,
        tenant: str,
        idempotency_id: str,
        fingerprint: str,
        policy: PolicyType,
        *,
        analysis_id: str,
        answer: Put,
        replace: bool,
    ) -> IdempotentPut:
        """The writes that refer to a stored answer (``answer``, from ``StoredAnswers.put``) by its
        idempotency id and its analysis id, to send in one batch with it and others; hand what
        the batch did with them to ``settle``.

        Without replace, an entry already there (another replica answered the same key
        meanwhile) is kept, so ``settle`` can tell a reused key from a race."""
        raw = Reference(answer.key, fingerprint, policy).encode()
        return IdempotentPut(
            by_analysis_id=Put(f"{ANALYSIS_PREFIX}{tenant}:{analysis_id}", raw, self._analysis_ttl),
            by_key=Put(
                self._key(tenant, idempotency_id), raw, self._ttl, only_if_absent=not replace
            ),
        )

    async def settle(self, put: IdempotentPut, stored: bool) -> CachedAnswer | None:
        """After ``put`` went out in a batch (``stored``: its by-key put was applied): the
        entry another replica had stored first, or None when this answer is the one stored."""
        if stored:
            return None
        return await self._answers.read(put.by_key.key)

    async def get_analysis(self, tenant: str, analysis_id: str) -> CachedAnswer | None:
        """A past answer by its analysis id."""
        return await self._answers.read(f"{ANALYSIS_PREFIX}{tenant}:{analysis_id}")

    async def count(self) -> int:
        """Live idempotency entries."""
        return len(await self._store.keys_with_prefix(IDEMPOTENCY_PREFIX))

    async def clear(self, policy: PolicyType | None) -> int:
        """Remove answers (their entries by key and by id, and the answers themselves), of one
        policy type or all. The degradation entries of that policy refer to the same answers:
        ClearCache removes them first.

        Returns the number of idempotency entries removed.
        """
        if policy is None:
            await self._store.delete_prefix(ANALYSIS_PREFIX)
            removed = await self._store.delete_prefix(IDEMPOTENCY_PREFIX)
            await self._answers.clear(None)
            return removed
        removed = 0
        for prefix in (IDEMPOTENCY_PREFIX, ANALYSIS_PREFIX):
            keys = await self._store.keys_with_prefix(prefix)
            values = await self._store.get_many(keys)
            doomed = []
            for key, raw in zip(keys, values, strict=True):
                found = Reference.decode(raw) if raw is not None else None
                if found is not None and found.policy_type is policy:
                    doomed.append(key)
            deleted = await self._store.delete(*doomed) if doomed else 0
            if prefix == IDEMPOTENCY_PREFIX:
                removed = deleted
        await self._answers.clear(policy)
        return removed
