"""The storage port: the few operations Sanad's services need from a shared store.

Two adapters implement it (Redis for production, SQLite embedded) and pass one contract test
suite. Keys are plain strings chosen by the caller; a key that must live beside others in a
Redis Cluster slot carries a hash tag (``quota:{openai}:...``). Every adapter prefixes keys with
its namespace, so several deployments (or test runs) can share one server.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

from sanad_common.storage.extension import Extension

T = TypeVar("T")


class StoreUnavailableError(Exception):
    """The store cannot be reached or did not answer; callers decide how to degrade."""


@dataclass(frozen=True)
class CounterDelta:
    """One change to an integer counter."""

    key: str
    """Counter key."""
    amount: int
    """Amount to add; negative to give back."""
    limit: int | None = None
    """Upper bound the counter may not pass when limits are enforced; None for no bound."""
    expires_at: float | None = None
    """Unix time at which the counter disappears (the end of its window); None to keep it."""


@dataclass(frozen=True)
class CounterResult:
    """The outcome of an atomic counter update."""

    applied: bool
    """True if every delta was applied; False if a limit refused them all."""
    values: tuple[int, ...]
    """One value per delta, in order: its counter's value after the whole update, or its
    current value when refused (a key given twice shows the same value twice)."""
    refused_index: int | None = None
    """Index of the first delta whose limit refused the update."""


@dataclass(frozen=True)
class Put:
    """Write an entry as ``set`` does; with only_if_absent, as ``set_if_absent`` does."""

    key: str
    value: bytes
    ttl: float | None = None
    """Seconds until it expires; None to keep it."""
    only_if_absent: bool = False


@dataclass(frozen=True)
class AddToSets:
    """Add members to sets as ``set_add`` does."""

    additions: Mapping[str, Sequence[str]]
    """Set key -> members."""
    ttl: float


@dataclass(frozen=True)
class Delete:
    """Remove entries as ``delete`` does."""

    keys: tuple[str, ...]


Write = Put | AddToSets | Delete
"""One write of a batch given to ``Store.write``."""


class Store(Protocol):
    """Key-value entries with expiry, atomic multi-counter updates, and sets of strings."""

    async def ping(self) -> None:
        """Check the store answers; raise StoreUnavailableError if not."""

    async def aclose(self) -> None:
        """Release connections."""

    def extend(self, extension: Extension[T]) -> T:
        """What the extension builds on this store's own atomic primitive (see ``extension``)."""

    async def get(self, key: str) -> bytes | None:
        """The value of a live entry, or None."""

    async def get_many(self, keys: Sequence[str]) -> list[bytes | None]:
        """Values of several entries, in order; None for each missing one."""

    async def set(self, key: str, value: bytes, *, ttl: float | None = None) -> None:
        """Write an entry, replacing any (and its expiry); it expires after ttl seconds when
        given. A ttl that is not a positive number raises ValueError."""

    async def set_many(self, entries: Mapping[str, bytes], *, ttl: float | None = None) -> None:
        """Write several entries as one atomic step, each as ``set`` would. Keys written
        together must share a hash tag in Redis Cluster (ValueError otherwise)."""

    async def set_if_absent(self, key: str, value: bytes, *, ttl: float | None = None) -> bool:
        """Write an entry only if no live entry has the key; True if written."""

    async def write(self, writes: Sequence[Write]) -> list[bool]:
        """Apply several writes in one round trip, in order; for each, whether it was written
        (False only for a ``Put`` with only_if_absent that found the key taken).

        Each write is atomic on its own, as its single-operation form is; the batch as a whole
        is one transaction in SQLite but not in Redis (its keys may live in different cluster
        slots), so a reader may see part of it. Not retried on a dropped connection: a
        conditional write replayed could not tell its own write from another's.
        """

    async def pop(self, key: str) -> bytes | None:
        """Remove an entry and return its value, atomically: two callers never both get it."""

    async def delete(self, *keys: str) -> int:
        """Remove entries; the number of live entries removed."""

    async def keys_with_prefix(self, prefix: str) -> list[str]:
        """Keys of live entries (not counters) starting with prefix, without the namespace,
        sorted. The prefix is literal (no pattern characters)."""

    async def delete_prefix(self, prefix: str) -> int:
        """Remove every live entry whose key starts with prefix; the number removed.

        Not necessarily atomic (Redis scans then deletes): an entry written meanwhile may
        survive.
        """

    async def add_counters(
        self, deltas: Sequence[CounterDelta], *, enforce_limits: bool = False
    ) -> CounterResult:
        """Add to several counters as one atomic step.

        With enforce_limits, nothing is applied unless every counter stays within its limit
        (a delta that does not increase its counter is always allowed); deltas are applied in
        order, so a key given twice is checked on its running total. A missing or expired
        counter counts as 0. A delta with expires_at sets its counter's expiry; without it the
        counter keeps the expiry it has. Counters are meant for values below 2**53 (Redis Lua
        numbers are doubles).

        Keys updated together must share a hash tag (``quota:{openai}:rpm``,
        ``quota:{openai}:tpm``) so they live in one Redis Cluster slot; in cluster mode keys
        in different slots raise ValueError.
        """

    async def get_counters(self, keys: Sequence[str]) -> list[int]:
        """Current values of counters, 0 for missing or expired ones."""

    async def delete_counters(self, *keys: str) -> int:
        """Remove counters; the number removed."""

    async def set_add(self, additions: Mapping[str, Sequence[str]], *, ttl: float) -> None:
        """Add members to sets (set key -> members), as one atomic step; each set named
        expires ttl seconds after this call.

        A set lives as long as its newest member needs it; members that outlived what they
        stand for are the caller's to skip or remove. Sets added to together must share a hash
        tag in Redis Cluster (ValueError otherwise). A ttl that is not a positive number
        raises ValueError.
        """

    async def set_members(self, keys: Sequence[str]) -> list[frozenset[str]]:
        """Members of several sets, in order; empty for a missing or expired set."""

    async def set_remove(self, key: str, members: Sequence[str]) -> int:
        """Remove members from a set; the number that were in it."""

    async def delete_set_prefix(self, prefix: str) -> int:
        """Remove every live set whose key starts with prefix; the number of sets removed.

        Not necessarily atomic, like delete_prefix. Sets and entries are separate: an entry
        prefix never removes a set, nor the other way round.
        """
