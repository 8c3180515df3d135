"""The quota port: each quota operation as one atomic step of the store.

The generic store's port (get, set, add_counters...) composes operations from several calls,
and a crash or a race between two calls can count a reservation twice or lose a spend. Quota
needs each operation whole, so every adapter implements these as one unit: a single Lua script
on Redis, a single ``BEGIN IMMEDIATE`` transaction on SQLite. One contract suite checks both.

Everything one operation touches belongs to one provider (the *scope*), and every key of it
carries the scope as hash tag (``quota:{openai}:...``, see ``keys``), so each script touches
one Redis Cluster slot.

The ledger speaks in windows and metrics; the adapters own the key layout. A *tally* is one
counter: a metric counted over one window, with its limit and how long it is kept.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

UNLIMITED = -1
"""The limit that means no limit."""


def milliseconds(seconds: float) -> int:
    """Unix seconds as whole milliseconds, rounded down: the precision at which every adapter
    compares a spend's time with a window's last reset."""
    return math.floor(seconds * 1000)


WITHDRAWN = "withdrawn"
"""What an idempotency claim holds once its attempt withdrew before any reservation was made
under it (a tombstone); reservation tokens are hex, so it is never a token."""

CROSSING_LOG_SIZE = 1000
"""Crossings kept per scope, in either adapter, for watchers that fell behind."""


class Level(enum.IntEnum):
    """How close a counter is to its limit; ordered, so the worst of several is their max."""

    NORMAL = 1
    WARNING = 2
    CRITICAL = 3
    EXHAUSTED = 4


@dataclass(frozen=True)
class Thresholds:
    """Shares of a limit at which a counter is a warning, then critical."""

    warning: float
    critical: float

    def level(self, used: int, limit: int) -> Level:
        """The level of used against limit; an unlimited counter is always NORMAL.

        The Lua scripts compute the same function (``level`` in the Redis adapter's prelude).
        """
        if limit == UNLIMITED:
            return Level.NORMAL
        if used >= limit:
            return Level.EXHAUSTED
        ratio = used / limit
        if ratio >= self.critical:
            return Level.CRITICAL
        if ratio >= self.warning:
            return Level.WARNING
        return Level.NORMAL


@dataclass(frozen=True)
class Tally:
    """One counter: a metric counted over one window of the scope."""

    window: str
    """Window name ("minute", "hour", "day"); with start it names the window."""
    start: int
    """Start of the window (Unix seconds)."""
    metric: str
    """What is counted ("requests", "tokens")."""
    limit: int = UNLIMITED
    """Bound enforced by reserve; UNLIMITED for none."""
    kept_until: float = 0.0
    """Unix time until which the counter is kept; a window past it is gone, and no operation
    counts into it any more."""


@dataclass(frozen=True)
class Crossing:
    """A counter reached a warning level it had not reached before in its window.

    Announced once per level and window on every store, whichever replica caused it; a reset
    of the window lets its levels be announced again.
    """

    seq: int
    """Position in the scope's crossing log (increasing)."""
    scope: str
    window: str
    start: int
    metric: str
    level: Level
    used: int
    limit: int
    at: float
    """Unix time of the operation that crossed."""


def crossing_from_event(scope: str, seq: int, event: Mapping[str, Any]) -> Crossing:
    """A crossing from its logged event (window, start, metric, level, used, limit, and at in
    Unix ms), as both adapters log it."""
    return Crossing(
        seq=seq,
        scope=scope,
        window=str(event["window"]),
        start=int(event["start"]),
        metric=str(event["metric"]),
        level=Level(int(event["level"])),
        used=int(event["used"]),
        limit=int(event["limit"]),
        at=int(event["at"]) / 1000,
    )


class ReservationState(enum.StrEnum):
    """Where a reservation is in its life."""

    PENDING = "pending"
    """Counted at its estimate; waits for Commit or Release."""
    COMMITTED = "committed"
    """Counted at its actual usage."""
    RELEASED = "released"
    """Given back by its caller."""
    EXPIRED = "expired"
    """Given back by the sweep because nobody settled it in time."""


@dataclass(frozen=True)
class Reservation:
    """A reservation's record."""

    token: str
    """Identifies the reservation within its scope."""
    request_id: str
    estimated_tokens: int
    reserved_at: float
    expires_at: float
    """When the sweep gives a still pending reservation back."""
    window_starts: tuple[tuple[str, int], ...]
    """The windows it was counted in, as (window, start)."""
    state: ReservationState = ReservationState.PENDING
    actual_tokens: int = 0
    """Tokens committed; 0 until committed."""


class ReserveStatus(enum.StrEnum):
    """What reserve did."""

    GRANTED = "granted"
    DENIED = "denied"
    REPEATED = "repeated"
    """The idempotency key was used before: nothing counted, the first reservation's token."""
    WITHDRAWN = "withdrawn"
    """The attempt of this idempotency key withdrew before this reserve: nothing counted."""


@dataclass(frozen=True)
class ReserveOutcome:
    """The answer of reserve."""

    status: ReserveStatus
    values: tuple[int, ...]
    """Each tally's value after the operation (as it stands when denied or repeated)."""
    token: str
    """The reservation's token (the first one's when repeated); empty when denied."""
    refused_index: int | None = None
    """When denied, the index of the first tally whose limit refused."""
    crossings: tuple[Crossing, ...] = ()


class Settlement(enum.StrEnum):
    """How a reservation is settled."""

    COMMIT = "commit"
    """At its actual usage."""
    RELEASE = "release"
    """Given back by its caller."""
    EXPIRE = "expire"
    """Given back by the sweep, only if still pending once its expiry passed."""


class SettleStatus(enum.StrEnum):
    """What settle did."""

    APPLIED = "applied"
    """The reservation changed state as asked (for Commit, also after its expiry)."""
    UNCHANGED = "unchanged"
    """Nothing to do: already in the asked state, or (Release, Expire) no longer pending."""
    CONFLICT = "conflict"
    """Commit of a released reservation: it was given back, so it cannot be committed."""
    NOT_FOUND = "not_found"
    """No record: never made, or kept no longer."""


@dataclass(frozen=True)
class SettleOutcome:
    """The answer of settle."""

    status: SettleStatus
    state: ReservationState | None
    """The reservation's state before the call; None when not found."""
    values: tuple[int, ...]
    crossings: tuple[Crossing, ...] = ()


@dataclass(frozen=True)
class SettleOrder:
    """One settlement of a batch (see QuotaStore.settle_all): settle's arguments."""

    scope: str
    token: str
    settlement: Settlement
    tallies: tuple[Tally, ...]
    """The reservation's own tallies, as settle takes them."""
    actual_tokens: int = 0


@dataclass(frozen=True)
class SpendOutcome:
    """The answer of record_spend."""

    recorded: bool
    """False if the spend id was recorded before (nothing counted this time)."""
    counted: tuple[bool, ...]
    """Per tally, whether the spend was counted in it (its window kept and not reset since)."""
    values: tuple[int, ...]
    crossings: tuple[Crossing, ...] = ()


class QuotaStore(Protocol):
    """Quota operations, each one atomic step (see the module docstring)."""

    async def reserve(
        self,
        scope: str,
        tallies: Sequence[Tally],
        amounts: Sequence[int],
        reservation: Reservation,
        *,
        idempotency_key: str,
        keep_until: float,
        thresholds: Thresholds,
        now: float,
    ) -> ReserveOutcome:
        """Add amounts to the tallies and keep the reservation pending, or change nothing.

        Denied if a positive amount takes a tally past its limit. With an idempotency key
        that an earlier reserve of the scope used (while its record is kept), nothing is
        counted and that reservation's token comes back; with one withdrawn (see withdraw),
        nothing is counted and the status is WITHDRAWN. The record, the idempotency key and
        the tallies are kept until keep_until (a tally's own kept_until when later).
        """

    async def withdraw(
        self, scope: str, idempotency_key: str, *, keep_until: float, now: float
    ) -> str | None:
        """Withdraw the reservation of an idempotency key: the token of the reservation made
        under it, for the caller to release, or None when none was; then the claim becomes
        the WITHDRAWN tombstone, kept until keep_until, and a later reserve with the key is
        refused. One atomic step, so a reserve and a withdrawal of one key meet in one order.
        """

    async def reservation(self, scope: str, token: str, *, now: float) -> Reservation | None:
        """A reservation's record, or None when unknown or no longer kept."""

    async def settle(
        self,
        scope: str,
        token: str,
        settlement: Settlement,
        tallies: Sequence[Tally],
        *,
        actual_tokens: int,
        thresholds: Thresholds,
        now: float,
    ) -> SettleOutcome:
        """Settle a reservation, counting the change only into tallies whose window is kept
        and was not reset since the reservation was made.

        tallies are the reservation's own (its windows, "requests" and "tokens" metrics).
        COMMIT of a pending one adds actual - estimated tokens; of an expired one, one request
        and the actual tokens (the expiry gave the estimate back). RELEASE and EXPIRE of a
        pending one give back one request and the estimate; EXPIRE only once expires_at passed.
        """

    async def settle_all(
        self, orders: Sequence[SettleOrder], *, thresholds: Thresholds, now: float
    ) -> list[SettleOutcome]:
        """Settle each order as settle would, in their order, in one round trip to the store.

        Each settlement is its own atomic step, as if settled one after another; the batch is
        not one transaction (on Redis another replica's step may fall between two of them).
        """

    async def record_spend(
        self,
        scope: str,
        spend_id: str,
        tallies: Sequence[Tally],
        amounts: Sequence[int],
        *,
        spent_at: float,
        remember_until: float,
        thresholds: Thresholds,
        now: float,
    ) -> SpendOutcome:
        """Count a spend made outside reservations once per spend id, without limits, into
        the tallies whose window is kept and was not reset after spent_at."""

    async def reset(
        self, scope: str, tallies: Sequence[Tally], *, now: float, marker_until: float
    ) -> None:
        """Set tallies to zero and let their levels be announced again; mark their windows as
        reset now (the marker is kept until marker_until), so settling an older reservation
        leaves them alone."""

    async def read(self, scope: str, tallies: Sequence[Tally], *, now: float) -> list[int]:
        """Current values, 0 for a missing or expired tally."""

    async def due_reservations(self, scope: str, now: float, limit: int) -> list[str]:
        """Tokens of pending reservations whose expiry has passed, at most limit, oldest first."""

    async def crossings_after(self, scope: str, seq: int) -> list[Crossing]:
        """Crossings of the scope with a seq above the given one, oldest first (the log keeps
        the most recent ones only)."""
