"""How past answers are kept in the shared Store, for the idempotency cache and the
degradation store alike.

Each fresh answer's response is stored once, as serialised protobuf bytes under
``answer:<policy>:<tenant>:<analysis id>`` (:class:`StoredAnswers`). The idempotency entry, the
entry by analysis id and the degradation entry are small JSON references to it that carry what
lookups must check (the request fingerprint, the policy type) and, for the degradation store,
the shop the answer was made for. Storing the response three times, base64 inside JSON, took
about 16 KB of Redis per answer; once in binary it is about a quarter of that, and compressed
(zlib at its fastest level) less than half again: an answer's text repeats itself.

A compressed answer starts with a zero byte. Field number 0 is invalid in protobuf, so no
serialised message starts with one: an answer stored uncompressed by an older release is still
read, and an older release reading a compressed one finds it unreadable, a miss.
"""

from __future__ import annotations

import json
import zlib
from dataclasses import dataclass, field
from typing import Final

import structlog
from google.protobuf.message import DecodeError

from sanad.analyzer.v1 import analyzer_pb2
from sanad_analyzer.policy import PolicyType
from sanad_common.storage import Put, Store

log = structlog.get_logger(__name__)

ANSWER_PREFIX = "answer:"
_COMPRESSED: Final = b"\x00"
"""What a compressed stored answer starts with (see the module docstring)."""


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


@dataclass(frozen=True)
class Reference:
    """What a cache entry holds: where the answer is, and what a lookup must check."""

    answer_key: str
    """Key of the stored response (see :class:`StoredAnswers`)."""
    fingerprint: str
    policy_type: PolicyType
    shop: ShopFields | None = None

    def encode(self) -> bytes:
        """The entry's bytes."""
        envelope = {
            "answer": self.answer_key,
            "fingerprint": self.fingerprint,
            "policy_type": self.policy_type.value,
        }
        if self.shop is not None:
            envelope["shop_name"] = self.shop.name
            envelope["shop_specialization"] = self.shop.specialization
        return json.dumps(envelope).encode()

    @classmethod
    def decode(cls, raw: bytes) -> Reference | None:
        """The reference, or None when it cannot be read (an older or damaged entry)."""
        try:
            envelope = json.loads(raw)
            return cls(
                answer_key=str(envelope["answer"]),
                fingerprint=str(envelope["fingerprint"]),
                policy_type=PolicyType(envelope["policy_type"]),
                shop=ShopFields(
                    str(envelope.get("shop_name", "")), str(envelope.get("shop_specialization", ""))
                ),
            )
        except (ValueError, KeyError, TypeError) as error:
            log.warning("unreadable cache entry ignored", error=repr(error))
            return None


class StoredAnswers:
    """Every fresh response, stored once for as long as the longest entry referring to it."""

    def __init__(self, store: Store, ttl: float) -> None:
        self._store = store
        self._ttl = ttl

    def put(self, tenant: str, policy: PolicyType, response: analyzer_pb2.AnalyzeResponse) -> Put:
        """The write that stores a response, to send in the batch with its references, first
        (a reader that finds a reference then finds the answer, where the batch is ordered)."""
        return Put(
            f"{ANSWER_PREFIX}{policy.value}:{tenant}:{response.analysis_id}",
            pack_response(response),
            self._ttl,
        )

    async def read(self, key: str) -> CachedAnswer | None:
        """The answer a live entry refers to; an unreadable entry, or one whose answer is gone,
        is deleted and counts as a miss."""
        raw = await self._store.get(key)
        if raw is None:
            return None
        reference = Reference.decode(raw)
        body = None if reference is None else await self._store.get(reference.answer_key)
        response = None if body is None else _response(body)
        if reference is None or response is None:
            await self._store.delete(key)
            return None
        return CachedAnswer(
            response=response,
            fingerprint=reference.fingerprint,
            policy_type=reference.policy_type,
            shop=reference.shop or ShopFields("", ""),
        )

    async def clear(self, policy: PolicyType | None) -> int:
        """Remove the stored responses of one policy type, or all; the number removed."""
        prefix = ANSWER_PREFIX if policy is None else f"{ANSWER_PREFIX}{policy.value}:"
        return await self._store.delete_prefix(prefix)


def pack_response(response: analyzer_pb2.AnalyzeResponse) -> bytes:
    """A response as the store keeps it: a zero byte and zlib, at its fastest level, of the
    serialised message (the stored answers and the single-flight outcomes alike)."""
    return _COMPRESSED + zlib.compress(response.SerializeToString(), 1)


def unpack_response(raw: bytes) -> analyzer_pb2.AnalyzeResponse:
    """The response pack_response() wrote, or one serialised uncompressed by an older
    release; DecodeError or zlib.error when the bytes are neither."""
    if raw.startswith(_COMPRESSED):
        raw = zlib.decompress(raw[len(_COMPRESSED) :])
    response = analyzer_pb2.AnalyzeResponse()
    response.ParseFromString(raw)
    return response


def _response(raw: bytes) -> analyzer_pb2.AnalyzeResponse | None:
    try:
        return unpack_response(raw)
    except (DecodeError, zlib.error) as error:
        log.warning("unreadable stored answer ignored", error=repr(error))
        return None
