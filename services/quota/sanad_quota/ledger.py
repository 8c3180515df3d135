"""The quota ledger: counters per provider, window and metric, and reservations against them.

Every counter of a provider carries the provider as its Redis Cluster hash tag
(``quota:{openai}:hour:1735689600:tokens``), so the four counters a reservation touches are
updated in one atomic step on any store. A counter's key holds its window's start, so a new
window starts from zero by itself, and the counter expires a little after its window ends.

A reservation is a record (which windows, how many tokens) kept for ``quota_reservation_ttl``.
Reserve writes the record first and charges the counters second, deleting the record if the
charge is refused: a failure between the two steps leaves at most an orphan record, which no
caller ever received the id of and which simply expires. Commit and Release take the record
with an atomic pop, so a reservation is settled exactly once; one that is never settled simply
expires and stays counted as spent. Settling changes only windows
that are still running and were not reset since the reservation (a reset leaves a marker per
window), so a new window is never charged for an old call and no counter goes below zero.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

import structlog

from sanad_common.clock import Clock, system_clock
from sanad_common.config import ProviderLimits, Settings
from sanad_common.providers import UnknownProviderError
from sanad_common.storage import CounterDelta, Store
from sanad_quota.metrics import QuotaMetrics, quota_metrics
from sanad_quota.usage import (
    Metric,
    Thresholds,
    WarningLevel,
    Window,
    WindowUsage,
    limit_for,
    measure,
    warning_level,
)

log = structlog.get_logger(__name__)

COUNTER_GRACE_SECONDS = 300
"""How long a counter outlives its window, so replicas with slightly skewed clocks agree."""

_RESERVATION_SEPARATOR = "."
"""Joins provider and token in a reservation id; provider names cannot contain it."""


class ReservationNotFoundError(LookupError):
    """No pending reservation has this id: it never existed, expired, or was settled."""

    def __init__(self, reservation_id: str) -> None:
        super().__init__(f"no pending reservation {reservation_id!r}")
        self.reservation_id = reservation_id


@dataclass(frozen=True)
class ReserveResult:
    """The answer to a reservation request."""

    allowed: bool
    reservation_id: str | None
    usage: tuple[WindowUsage, ...]
    """Every limit after the reservation, or as it stands when denied."""
    denied_by: WindowUsage | None = None
    retry_after: float | None = None
    """Seconds until the denying window ends."""


@dataclass(frozen=True)
class Spend:
    """Usage an analyzer paid from its local safe budget while quota could not be reached."""

    spend_id: str
    """Unique id; a spend sent again with the same id counts once."""
    provider: str
    requests: int
    tokens: int
    spent_at: float
    """Unix time of the spend; it counts in the windows that contain it."""
    analyzer_id: str = ""


@dataclass(frozen=True)
class RecordResult:
    """Which spends a RecordUsage call counted, and which had been counted before."""

    recorded: tuple[str, ...]
    duplicates: tuple[str, ...]


@dataclass(frozen=True)
class ProviderUsage:
    """A provider's usage in every window and metric."""

    provider: str
    windows: tuple[WindowUsage, ...]


@dataclass(frozen=True)
class _Limit:
    """One counter of the current windows, with what bounds it."""

    window: Window
    metric: Metric
    window_start: int
    window_end: int
    limit: int
    key: str
    kept_until: int
    """When the counter expires: the end of its day (so the day's hours stay readable for the
    trend and for late spends) plus a grace for clock skew."""


@dataclass(frozen=True)
class _Reservation:
    """What Commit and Release need to settle a reservation."""

    provider: str
    request_id: str
    estimated_tokens: int
    reserved_at: float
    window_starts: dict[Window, int]

    def to_json(self) -> bytes:
        return json.dumps(
            {
                "provider": self.provider,
                "request_id": self.request_id,
                "estimated_tokens": self.estimated_tokens,
                "reserved_at": self.reserved_at,
                "window_starts": {
                    window.value: start for window, start in self.window_starts.items()
                },
            }
        ).encode()

    @classmethod
    def from_json(cls, raw: bytes) -> _Reservation:
        data = json.loads(raw)
        return cls(
            provider=data["provider"],
            request_id=data["request_id"],
            estimated_tokens=int(data["estimated_tokens"]),
            reserved_at=float(data["reserved_at"]),
            window_starts={
                Window(name): int(start) for name, start in data["window_starts"].items()
            },
        )


def _counter_key(provider: str, window: Window, start: int, metric: Metric) -> str:
    return f"quota:{{{provider}}}:{window.value}:{start}:{metric.value}"


def _reset_key(provider: str, window: Window, start: int) -> str:
    return f"quota:{{{provider}}}:reset:{window.value}:{start}"


def _reservation_key(provider: str, token: str) -> str:
    return f"quota:{{{provider}}}:reservation:{token}"


def _spend_key(provider: str, spend_id: str) -> str:
    return f"quota:{{{provider}}}:spend:{spend_id}"


SPEND_MEMORY_SECONDS = 3600.0
"""Least time a spend id is remembered, so a repeat of a spend counted nowhere is still known."""


class QuotaLedger:
    """Reserve, commit, release, usage and reset for every configured provider."""

    def __init__(
        self,
        store: Store,
        settings: Settings,
        *,
        clock: Clock = system_clock,
        metrics: QuotaMetrics = quota_metrics,
    ) -> None:
        self._store = store
        self._clock = clock
        self._metrics = metrics
        self._limits: dict[str, ProviderLimits] = {
            provider.name: provider.limits for provider in settings.provider_list()
        }
        self._thresholds = Thresholds(settings.quota_warning_ratio, settings.quota_critical_ratio)
        self._reservation_ttl = settings.quota_reservation_ttl

    def now(self) -> float:
        """The ledger's current time (Unix seconds)."""
        return self._clock()

    @property
    def providers(self) -> tuple[str, ...]:
        """Configured provider names, in preference order."""
        return tuple(self._limits)

    async def reserve(
        self, provider: str, estimated_tokens: int, request_id: str = ""
    ) -> ReserveResult:
        """Count one request and the estimated tokens in every window, or nothing at all.

        The reservation record is written before the counters are charged in one atomic step,
        and deleted again if the charge is refused. A crash between the two leaves an orphan
        record that only expires (its id was never returned), never counters charged for a
        reservation nobody can settle.

        A limit of 0 denies without touching the store: it allows nothing, not even a call
        estimated at zero tokens.
        """
        if estimated_tokens < 0:
            raise ValueError("estimated_tokens must be at least 0")
        now = self._clock()
        limits = self._current_limits(provider, now)
        amounts = [1 if item.metric is Metric.REQUESTS else estimated_tokens for item in limits]
        closed = next((index for index, item in enumerate(limits) if item.limit == 0), None)
        if closed is not None:
            values = await self._store.get_counters([item.key for item in limits])
            return self._denied(provider, limits, values, closed, now)
        token = uuid.uuid4().hex
        record_key = _reservation_key(provider, token)
        reservation = _Reservation(
            provider=provider,
            request_id=request_id,
            estimated_tokens=estimated_tokens,
            reserved_at=now,
            window_starts={item.window: item.window_start for item in limits},
        )
        # Record first, charge second: a failure in between leaves only an orphan record that
        # no caller holds the id of and that expires, never charged counters with no record.
        await self._store.set(record_key, reservation.to_json(), ttl=self._reservation_ttl)
        result = await self._store.add_counters(
            [
                CounterDelta(
                    key=item.key,
                    amount=amount,
                    limit=None if item.limit < 0 else item.limit,
                    expires_at=item.kept_until,
                )
                for item, amount in zip(limits, amounts, strict=True)
            ],
            enforce_limits=True,
        )
        if not result.applied:
            await self._store.delete(record_key)
            refused = result.refused_index if result.refused_index is not None else 0
            return self._denied(provider, limits, result.values, refused, now)
        usage = self._measure(limits, result.values, now)
        self._warn_on_crossing(provider, usage, amounts)
        self._metrics.observe(provider, usage)
        self._metrics.count_reservation(provider, granted=True)
        return ReserveResult(
            allowed=True,
            reservation_id=f"{provider}{_RESERVATION_SEPARATOR}{token}",
            usage=usage,
        )

    async def commit(self, reservation_id: str, actual_tokens: int) -> tuple[WindowUsage, ...]:
        """Settle a reservation with the tokens really used; usage of its windows after it.

        The record is popped first and the counters adjusted second: a crash between the two
        leaves the window over-counted by the estimate, which is the safe direction (it can
        deny too early, never allow past a limit).

        Raises ReservationNotFoundError if it is unknown, expired or already settled.
        """
        if actual_tokens < 0:
            raise ValueError("actual_tokens must be at least 0")
        reservation = await self._take(reservation_id)
        if reservation is None:
            raise ReservationNotFoundError(reservation_id)
        now = self._clock()
        limits = self._reserved_limits(reservation)
        difference = actual_tokens - reservation.estimated_tokens
        adjusted = {
            item.key
            for item in await self._adjustable(reservation, limits, now)
            if item.metric is Metric.TOKENS and difference != 0
        }
        if adjusted:
            await self._store.add_counters(
                [
                    CounterDelta(item.key, difference, expires_at=item.kept_until)
                    for item in limits
                    if item.key in adjusted
                ]
            )
        values = await self._store.get_counters([item.key for item in limits])
        usage = self._measure(limits, values, now)
        added = [difference if item.key in adjusted else 0 for item in limits]
        self._warn_on_crossing(reservation.provider, usage, added)
        self._metrics.observe(reservation.provider, usage)
        return usage

    async def release(self, reservation_id: str) -> bool:
        """Give back a reservation's request and tokens; False if there was none pending.

        Like Commit, pop then adjust: a crash between the two leaves the request and tokens
        counted as spent until the window ends, the safe direction.
        """
        reservation = await self._take(reservation_id)
        if reservation is None:
            return False
        limits = self._reserved_limits(reservation)
        adjustable = await self._adjustable(reservation, limits, self._clock())
        deltas = [
            CounterDelta(
                item.key,
                -1 if item.metric is Metric.REQUESTS else -reservation.estimated_tokens,
                expires_at=item.kept_until,
            )
            for item in adjustable
        ]
        if deltas:
            await self._store.add_counters(deltas)
        return True

    async def record(self, spends: Sequence[Spend]) -> RecordResult:
        """Count spends made outside reservations into the windows that contain them.

        No limit is enforced (the money is already spent) but warnings still fire. A window
        that ended is still charged while its counter is kept; a spend whose windows are all
        gone is only logged. A spend id is claimed in the same atomic step that charges its
        counters, so a repeat (even on another replica at the same moment) counts once, and a
        store failing mid-way never leaves a spend claimed but uncounted.
        """
        recorded: list[str] = []
        duplicates: list[str] = []
        for spend in spends:
            if await self._record_one(spend):
                recorded.append(spend.spend_id)
            else:
                duplicates.append(spend.spend_id)
        return RecordResult(recorded=tuple(recorded), duplicates=tuple(duplicates))

    async def _record_one(self, spend: Spend) -> bool:
        limits = self._limits.get(spend.provider)
        if limits is None:
            raise UnknownProviderError(spend.provider)
        now = self._clock()
        day_end = Window.DAY.containing(spend.spent_at).end
        every = [
            self._limit(
                spend.provider, limits, window, window.containing(spend.spent_at).start, metric
            )
            for window in Window
            for metric in Metric
        ]
        kept = [item for item in every if item.kept_until > now]
        amounts = [
            spend.requests if item.metric is Metric.REQUESTS else spend.tokens for item in kept
        ]
        # The claim is a counter limited to 1, applied in the same atomic step as the
        # windows: a store dying in between can neither count a spend twice nor mark it
        # counted without counting it.
        claim = CounterDelta(
            _spend_key(spend.provider, spend.spend_id),
            1,
            limit=1,
            expires_at=max(day_end + COUNTER_GRACE_SECONDS, now + SPEND_MEMORY_SECONDS),
        )
        result = await self._store.add_counters(
            [
                claim,
                *(
                    CounterDelta(item.key, amount, expires_at=item.kept_until)
                    for item, amount in zip(kept, amounts, strict=True)
                ),
            ],
            enforce_limits=True,
        )
        if not result.applied:
            return False
        if kept:
            usage = self._measure(kept, result.values[1:], now)
            self._warn_on_crossing(spend.provider, usage, amounts)
        log.info(
            "Quota local spend recorded" if kept else "Quota local spend outside kept windows",
            provider=spend.provider,
            spend_id=spend.spend_id,
            analyzer_id=spend.analyzer_id,
            requests=spend.requests,
            tokens=spend.tokens,
            spent_at=spend.spent_at,
            windows=sorted({item.window.value for item in kept}),
        )
        return True

    async def usage(self, provider: str) -> ProviderUsage:
        """A provider's usage in the current windows."""
        now = self._clock()
        limits = self._current_limits(provider, now)
        values = await self._store.get_counters([item.key for item in limits])
        usage = self._measure(limits, values, now)
        self._metrics.observe(provider, usage)
        return ProviderUsage(provider=provider, windows=usage)

    async def usage_of_all(self) -> list[ProviderUsage]:
        """Usage of every configured provider, in configured order."""
        return [await self.usage(provider) for provider in self._limits]

    async def reset(self, provider: str, windows: Sequence[Window]) -> ProviderUsage:
        """Set a provider's counters of the current given windows back to zero.

        A reset marker per window tells Commit and Release of reservations made before the
        reset not to give back what the reset already removed (counters would go negative).
        """
        now = self._clock()
        limits = [item for item in self._current_limits(provider, now) if item.window in windows]
        for window in windows:
            start, end = window.bounds(now)
            await self._store.set(
                _reset_key(provider, window, start),
                str(now).encode(),
                ttl=end + COUNTER_GRACE_SECONDS - now,
            )
        await self._store.delete_counters(*(item.key for item in limits))
        log.warning("Quota reset", provider=provider, windows=[window.value for window in windows])
        return await self.usage(provider)

    def _current_limits(self, provider: str, now: float) -> list[_Limit]:
        limits = self._limits.get(provider)
        if limits is None:
            raise UnknownProviderError(provider)
        return [
            self._limit(provider, limits, window, window.bounds(now)[0], metric)
            for window in Window
            for metric in Metric
        ]

    def _reserved_limits(self, reservation: _Reservation) -> list[_Limit]:
        limits = self._limits[reservation.provider]
        return [
            self._limit(reservation.provider, limits, window, start, metric)
            for window, start in reservation.window_starts.items()
            for metric in Metric
        ]

    @staticmethod
    def _limit(
        provider: str, limits: ProviderLimits, window: Window, start: int, metric: Metric
    ) -> _Limit:
        return _Limit(
            window=window,
            metric=metric,
            window_start=start,
            window_end=start + window.seconds,
            limit=limit_for(limits, window, metric),
            key=_counter_key(provider, window, start, metric),
            kept_until=Window.DAY.containing(start).end + COUNTER_GRACE_SECONDS,
        )

    async def _take(self, reservation_id: str) -> _Reservation | None:
        """Pop a pending reservation; None for an unknown or malformed id."""
        provider, separator, token = reservation_id.partition(_RESERVATION_SEPARATOR)
        if not separator or provider not in self._limits or not token:
            return None
        raw = await self._store.pop(_reservation_key(provider, token))
        return None if raw is None else _Reservation.from_json(raw)

    async def _adjustable(
        self, reservation: _Reservation, limits: list[_Limit], now: float
    ) -> list[_Limit]:
        """The reservation's counters whose window is still running and was not reset since."""
        windows = list(reservation.window_starts.items())
        markers = await self._store.get_many(
            [_reset_key(reservation.provider, window, start) for window, start in windows]
        )
        reset_after = {
            window
            for (window, _), marker in zip(windows, markers, strict=True)
            if marker is not None and float(marker) >= reservation.reserved_at
        }
        return [item for item in limits if item.window_end > now and item.window not in reset_after]

    def _measure(
        self, limits: Sequence[_Limit], values: Sequence[int], now: float
    ) -> tuple[WindowUsage, ...]:
        return tuple(
            measure(
                item.window,
                item.metric,
                start=item.window_start,
                used=value,
                limit=item.limit,
                now=now,
                thresholds=self._thresholds,
            )
            for item, value in zip(limits, values, strict=True)
        )

    def _denied(
        self,
        provider: str,
        limits: Sequence[_Limit],
        values: Sequence[int],
        refused: int,
        now: float,
    ) -> ReserveResult:
        usage = self._measure(limits, values, now)
        denied_by = usage[refused]
        retry_after = limits[refused].window_end - now
        log.info(
            "Quota reservation denied",
            provider=provider,
            window=denied_by.window.value,
            metric=denied_by.metric.value,
            used=denied_by.used,
            limit=denied_by.limit,
            retry_after=retry_after,
        )
        self._metrics.observe(provider, usage)
        self._metrics.count_reservation(provider, granted=False)
        return ReserveResult(
            allowed=False,
            reservation_id=None,
            usage=usage,
            denied_by=denied_by,
            retry_after=retry_after,
        )

    def _warn_on_crossing(
        self, provider: str, usage: Sequence[WindowUsage], added: Sequence[int]
    ) -> None:
        """Log "Quota warning" for each limit this change pushed past a threshold."""
        for item, amount in zip(usage, added, strict=True):
            before = warning_level(item.used - amount, item.limit, self._thresholds)
            if item.warning_level > before and item.warning_level >= WarningLevel.WARNING:
                log.warning(
                    "Quota warning",
                    provider=provider,
                    window=item.window.value,
                    metric=item.metric.value,
                    level=item.warning_level.name,
                    used=item.used,
                    limit=item.limit,
                    percent=round(item.percent, 1),
                )
