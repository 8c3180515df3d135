"""The quota key layout, one for both adapters, so each names its data in the same way.

Keys (after the store's namespace), for a scope such as ``openai``:

* ``quota:{openai}:hour:1735689600:tokens``: a tally's counter; ``...:warned`` beside it holds
  the highest level announced for that window;
* ``quota:{openai}:reset:hour:1735689600``: the window's reset marker, its reset ``epoch`` (how
  many resets so far) and the time ``at`` of the last one (Unix ms);
* ``quota:{openai}:res:<token>``: a reservation's record;
  ``quota:{openai}:pending``: pending reservations by expiry, for the sweep;
* ``quota:{openai}:idem:<key>`` and ``quota:{openai}:spend:<id>``: idempotency claims;
* ``quota:{openai}:crossings`` (a capped log) and ``quota:{openai}:crossing-seq``.

A tenant's windows use the same layout under the scope ``tenant:<id>`` (``tenant_scope``):
``quota:{tenant:shop-a}:hour:1735689600:requests``. Provider names cannot hold a colon, so the
two kinds of scope never meet, and every provider key stays what it was.

The scope is the hash tag, so on Redis every key of one operation is in one Cluster slot.
SQLite keeps the same names as row keys of its quota tables; its pending index and crossing log
are tables of their own, so it uses neither of those two names. Renaming a key here would
orphan what a store already holds under the old name.
"""

from __future__ import annotations

from sanad_quota.storage.port import Tally

TENANT_SCOPE_PREFIX = "tenant:"
"""What a tenant's scope starts with; no provider name can (they have no colon)."""


def tenant_scope(tenant: str) -> str:
    """The scope of a tenant's own windows."""
    return f"{TENANT_SCOPE_PREFIX}{tenant}"


def tenant_of(scope: str) -> str | None:
    """The tenant whose scope this is; None for a provider's scope."""
    if scope.startswith(TENANT_SCOPE_PREFIX):
        return scope.removeprefix(TENANT_SCOPE_PREFIX)
    return None


def _tag(scope: str) -> str:
    return f"quota:{{{scope}}}"


def counter_key(scope: str, tally: Tally) -> str:
    """The counter of a tally."""
    return f"{_tag(scope)}:{tally.window}:{tally.start}:{tally.metric}"


def warned_key(scope: str, tally: Tally) -> str:
    """The highest level announced for a tally in its window."""
    return f"{counter_key(scope, tally)}:warned"


def reset_marker_key(scope: str, tally: Tally) -> str:
    """The reset marker of a tally's window."""
    return f"{_tag(scope)}:reset:{tally.window}:{tally.start}"


def record_key(scope: str, token: str) -> str:
    """A reservation's record."""
    return f"{_tag(scope)}:res:{token}"


def pending_key(scope: str) -> str:
    """The scope's pending reservations by expiry (Redis only)."""
    return f"{_tag(scope)}:pending"


def idempotency_claim_key(scope: str, idempotency_key: str) -> str:
    """The claim of a Reserve idempotency key: the first reservation's token."""
    return f"{_tag(scope)}:idem:{idempotency_key}"


def spend_claim_key(scope: str, spend_id: str) -> str:
    """The claim of a recorded spend, so it counts once."""
    return f"{_tag(scope)}:spend:{spend_id}"


def crossing_seq_key(scope: str) -> str:
    """The last crossing sequence number of the scope (Redis only)."""
    return f"{_tag(scope)}:crossing-seq"


def crossing_log_key(scope: str) -> str:
    """The scope's capped crossing log (Redis only)."""
    return f"{_tag(scope)}:crossings"
