"""The near-duplicate index of stored analyses, kept in the shared store.

Every replica finds what any replica stored: the index is entries and sets in the Store, not
a structure in one process. Per policy type and scope (the tenant, or every tenant when
configured) it keeps:

* one document entry per stored analysis (``similarity:doc:``): the text's words (matching
  form) and numbers, and where its analysis is (tenant and text hash of the degradation
  store);
* one set per MinHash band value (``similarity:band:``) listing the documents that have it.

Everything expires with the degradation store's TTL (7 days by default); a band set lives as
long as its newest document, and documents that expired before it are skipped and dropped
from it when met. Band keys and document keys of one scope share a Redis Cluster hash tag.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Final

import structlog

from sanad_analyzer.policy import PolicyType
from sanad_analyzer.text.similarity import Fingerprint, bands, features
from sanad_common.storage import AddToSets, Put, Store, Write

DOC_PREFIX = "similarity:doc:"
BAND_PREFIX = "similarity:band:"
MAX_CANDIDATES = 64
"""Most stored texts scored exactly per lookup: those sharing the most bands with the text."""
ALL_TENANTS = "*"
"""The scope when matches may cross tenants; no tenant id can be "*"."""

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class NearDuplicate:
    """A stored analysis of a text like the one asked about."""

    tenant: str
    """Tenant the analysis was stored for."""
    text_hash: str
    """Its key in the degradation store."""
    similarity: float
    """How alike the two texts are, 0 to 1."""


@dataclass(frozen=True)
class IndexedText:
    """A text ready to be indexed: its fingerprint and its band keys."""

    text_hash: str
    """Its key in the degradation store."""
    fingerprint: Fingerprint
    """What lookups compare."""
    bands: tuple[str, ...]
    """Its MinHash band keys."""

    @classmethod
    def of(cls, text_hash: str, text: str) -> IndexedText:
        """Fingerprint and bands of a text (the last few are kept: the request path
        computes them while it waits on the provider, and stores them after)."""
        return _indexed(text_hash, text)


INDEXED_CACHE_SIZE: Final = 64
"""Texts whose IndexedText is kept between the request path's two uses: about the requests in
flight (max_concurrent_rpcs's default); a text that drops out is only computed again. Each
holds its text and its words: about 0.5 MiB for a 20,000-character policy (docs/decisions.md)."""


@functools.lru_cache(maxsize=INDEXED_CACHE_SIZE)
def _indexed(text_hash: str, text: str) -> IndexedText:
    fingerprint = Fingerprint.of(text)
    # The bands from features not cached on the fingerprint: they are the larger part of it
    # and the writes need only its words and numbers.
    return IndexedText(text_hash, fingerprint, tuple(bands(features(fingerprint.words))))


def _document_id(tenant: str, text_hash: str) -> str:
    """A short id for an indexed text, repeated in every band set: a signed 64-bit integer
    from a hash of tenant and text hash. Redis keeps sets of integers compactly (an intset),
    and among a million texts the chance of two sharing an id is below one in ten million."""
    digest = hashlib.blake2b(f"{tenant}:{text_hash}".encode(), digest_size=8).digest()
    return str(int.from_bytes(digest, "big", signed=True))


def _encode(tenant: str, text_hash: str, fingerprint: Fingerprint) -> bytes:
    return json.dumps(
        {
            "tenant": tenant,
            "text_hash": text_hash,
            "words": " ".join(fingerprint.words),
            "numbers": sorted([str(value), unit] for value, unit in fingerprint.numbers),
        },
        ensure_ascii=False,
    ).encode()


def _decode(raw: bytes) -> tuple[str, str, Fingerprint] | None:
    try:
        document = json.loads(raw)
        numbers = frozenset((Decimal(value), str(unit)) for value, unit in document["numbers"])
        words = str(document["words"])
        fingerprint = Fingerprint(tuple(words.split(" ")) if words else (), numbers)
        return str(document["tenant"]), str(document["text_hash"]), fingerprint
    except (ValueError, KeyError, TypeError, ArithmeticError) as error:
        log.warning("unreadable similarity document ignored", error=repr(error))
        return None


class NearDuplicateIndex:
    """Finds the stored analysis most like a text, among one policy type and tenant."""

    def __init__(self, store: Store, *, ttl: float, threshold: float, cross_tenant: bool) -> None:
        self._store = store
        self._ttl = ttl
        self._threshold = threshold
        self._cross_tenant = cross_tenant

    def _scope(self, policy: PolicyType, tenant: str) -> str:
        """Hash-tagged scope: one policy type and one tenant (or every tenant)."""
        return f"{{{policy.value}:{ALL_TENANTS if self._cross_tenant else tenant}}}"

    async def add(self, policy: PolicyType, tenant: str, text_hash: str, text: str) -> None:
        """Index a stored analysis's text."""
        await self.add_many(policy, tenant, [IndexedText.of(text_hash, text)])

    async def add_many(self, policy: PolicyType, tenant: str, texts: Sequence[IndexedText]) -> None:
        """Index several texts of one policy type and tenant in one store round trip."""
        await self._store.write(self.writes(policy, tenant, texts))

    def writes(self, policy: PolicyType, tenant: str, texts: Sequence[IndexedText]) -> list[Write]:
        """The store writes that index texts, to send in one batch with others."""
        scope = self._scope(policy, tenant)
        documents: list[Write] = []
        members: dict[str, list[str]] = defaultdict(list)
        for text in texts:
            document = _document_id(tenant, text.text_hash)
            documents.append(
                Put(
                    f"{DOC_PREFIX}{scope}:{document}",
                    _encode(tenant, text.text_hash, text.fingerprint),
                    self._ttl,
                )
            )
            for band in text.bands:
                members[f"{BAND_PREFIX}{scope}:{band}"].append(document)
        return [*documents, AddToSets(members, self._ttl)]

    async def find(self, policy: PolicyType, tenant: str, text: str) -> NearDuplicate | None:
        """The most similar stored text at or above the threshold, with equal numbers."""
        fingerprint = Fingerprint.of(text)
        scope = self._scope(policy, tenant)
        band_keys = [f"{BAND_PREFIX}{scope}:{band}" for band in bands(fingerprint.features)]
        member_sets = await self._store.set_members(band_keys)
        shared = Counter(member for members in member_sets for member in members)
        # The texts sharing the most bands are the likeliest matches; reading a bounded
        # number keeps a lookup cheap even where thousands of stored texts share a template.
        candidates = sorted(member for member, _ in shared.most_common(MAX_CANDIDATES))
        if not candidates:
            return None
        raws = await self._store.get_many([f"{DOC_PREFIX}{scope}:{doc}" for doc in candidates])
        best: NearDuplicate | None = None
        expired: set[str] = set()
        for document, raw in zip(candidates, raws, strict=True):
            decoded = _decode(raw) if raw is not None else None
            if decoded is None:
                expired.add(document)
                continue
            found_tenant, text_hash, stored = decoded
            score = fingerprint.similarity_to(stored)
            if score >= self._threshold and (best is None or score > best.similarity):
                best = NearDuplicate(found_tenant, text_hash, score)
        if expired:
            for key, members in zip(band_keys, member_sets, strict=True):
                if members & expired:
                    await self._store.set_remove(key, sorted(members & expired))
        return best

    async def forget(self, policy: PolicyType, tenant: str, text_hash: str) -> None:
        """Drop one document (its analysis is gone); band sets skip it from then on."""
        scope = self._scope(policy, tenant)
        await self._store.delete(f"{DOC_PREFIX}{scope}:{_document_id(tenant, text_hash)}")

    async def clear(self, policy: PolicyType | None) -> int:
        """Remove the index of one policy type, or all of it; the documents removed."""
        scope = "" if policy is None else f"{{{policy.value}:"
        removed = await self._store.delete_prefix(f"{DOC_PREFIX}{scope}")
        await self._store.delete_set_prefix(f"{BAND_PREFIX}{scope}")
        return removed
