"""How past answers are kept in the shared Store, for the idempotency cache and the
degradation store alike.

An entry is a serialised AnalyzeResponse inside a small JSON envelope that carries what
lookups must check (the request fingerprint, the policy type) and, for the degradation store,
the shop the answer was made for.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field

import structlog
from google.protobuf.message import DecodeError

from sanad.analyzer.v1 import analyzer_pb2
from sanad_analyzer.policy import PolicyType
from sanad_common.storage import Store

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


def encode(
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


def decode(raw: bytes) -> CachedAnswer | None:
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


async def read(store: Store, key: str) -> CachedAnswer | None:
    """A live entry; an unreadable one is deleted and counts as a miss."""
    raw = await store.get(key)
    if raw is None:
        return None
    found = decode(raw)
    if found is None:
        await store.delete(key)
    return found
