"""The quota ledger: tallies per provider, window and metric, and reservations against them.

Every operation is one atomic step of the store (a Lua script on Redis, a transaction on
SQLite; see ``sanad_quota.storage.port``), so concurrent replicas can neither admit past
a limit nor settle a reservation twice:

* Reserve counts one request and the estimate in every window at once, or nothing; repeated
  with the same idempotency key it returns the first reservation and counts nothing.
* Commit counts the actual tokens once: a repeat changes nothing, a Commit after the
  reservation expired counts the request and the actual tokens (expiry gave the estimate back).
* Release gives a pending reservation back; after Commit it does nothing.
* The sweep gives back reservations nobody settled within ``quota_reservation_ttl``.

Settling changes only windows still kept and not reset since the reservation was made, so an
old call is never charged to a new window and no counter goes below zero. Warning levels are
announced by the store once per level and window, whichever replica crossed them.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

import structlog

from sanad_common.clock import Clock, system_clock
from sanad_common.config import ProviderLimits, Settings
from sanad_common.providers import UnknownProviderError
from sanad_common.storage import Store
from sanad_common.windows import TimeWindow
from sanad_quota.metrics import QuotaMetrics, quota_metrics
from sanad_quota.prediction import Trend, fit_trend, predict
from sanad_quota.storage import quota_store
from sanad_quota.storage.port import (
    Crossing,
    QuotaStore,
    Reservation,
    ReserveStatus,
    Settlement,
    SettleStatus,
    Tally,
    Thresholds,
)
from sanad_quota.usage import (
    Metric,
    WarningLevel,
    Window,
    WindowUsage,
    limit_for,
    measure,
)

log = structlog.get_logger(__name__)

SPEND_MEMORY_SECONDS = 3600.0
"""Least time a spend id is remembered, so a repeat of a spend counted nowhere is still known."""
SWEEP_BATCH = 100
"""Expired reservations given back per provider and sweep round."""
HISTORY_CACHE_SECONDS = 10.0
"""How long the completed sub-windows behind a prediction are reused before being read again."""

_RESERVATION_SEPARATOR = "."
"""Joins provider and token in a reservation id; provider names cannot contain it."""


class ReservationNotFoundError(LookupError):
    """No reservation has this id: it never existed, or its record is no longer kept."""

    def __init__(self, reservation_id: str) -> None:
        super().__init__(f"no reservation {reservation_id!r}")
        self.reservation_id = reservation_id


class ReservationReleasedError(RuntimeError):
    """Commit of a reservation its caller released: it was given back and cannot be spent."""

    def __init__(self, reservation_id: str) -> None:
        super().__init__(f"reservation {reservation_id!r} was released")
        self.reservation_id = reservation_id


@dataclass(frozen=True)
class Violation:
    """A limit a reservation would have gone over."""

    usage: WindowUsage
    requested: int


@dataclass(frozen=True)
class ReserveResult:
    """The answer to a reservation request."""

    allowed: bool
    reservation_id: str | None
    usage: tuple[WindowUsage, ...]
    """Every limit after the reservation, or as it stands when denied."""
    denied_by: WindowUsage | None = None
    """The first limit that refused."""
    retry_after: float | None = None
    """Seconds until every refusing window has ended."""
    frees_at: float | None = None
    """When every refusing window has ended (Unix seconds)."""
    violations: tuple[Violation, ...] = ()
    """Every limit the reservation would have gone over."""
    crossings: tuple[Crossing, ...] = ()
    """Warning levels this reservation crossed."""


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
class _History:
    """Counts of the completed sub-windows before now, read at one time."""

    read_at: float
    bucket_start: int
    trends: dict[tuple[Window, Metric], Trend]


class QuotaLedger:
    """Reserve, commit, release, record, usage, reset and sweep for every provider."""

    def __init__(
        self,
        store: Store,
        settings: Settings,
        *,
        clock: Clock = system_clock,
        metrics: QuotaMetrics = quota_metrics,
        quota: QuotaStore | None = None,
    ) -> None:
        self._quota = quota or quota_store(store)
        self._clock = clock
        self._metrics = metrics
        self._limits: dict[str, ProviderLimits] = {
            provider.name: provider.limits for provider in settings.provider_list()
        }
        self._thresholds = Thresholds(settings.quota_warning_ratio, settings.quota_critical_ratio)
        self._reservation_ttl = settings.quota_reservation_ttl
        self._history: dict[tuple[str, Window], _History] = {}

    def now(self) -> float:
        """The ledger's current time (Unix seconds)."""
        return self._clock()

    @property
    def providers(self) -> tuple[str, ...]:
        """Configured provider names, in preference order."""
        return tuple(self._limits)

    @property
    def thresholds(self) -> Thresholds:
        """Shares of a limit at which use becomes a warning, then critical."""
        return self._thresholds

    async def reserve(
        self,
        provider: str,
        estimated_tokens: int,
        request_id: str = "",
        *,
        idempotency_key: str = "",
    ) -> ReserveResult:
        """Count one request and the estimated tokens in every window, or nothing at all.

        A limit of 0 denies without counting, even a call estimated at zero tokens.
        """
        if estimated_tokens < 0:
            raise ValueError("estimated_tokens must be at least 0")
        now = self._clock()
        tallies = self.tallies(provider, now)
        closed = next((index for index, item in enumerate(tallies) if item.limit == 0), None)
        amounts = [_amount(item, 1, estimated_tokens) for item in tallies]
        if closed is not None:
            values = await self._quota.read(provider, tallies, now=now)
            return await self._denied(
                provider, tallies=tallies, amounts=amounts, values=values, refused=closed, now=now
            )
        reservation = Reservation(
            token=uuid.uuid4().hex,
            request_id=request_id,
            estimated_tokens=estimated_tokens,
            reserved_at=now,
            expires_at=now + self._reservation_ttl,
            window_starts=tuple((window.value, window.containing(now).start) for window in Window),
        )
        outcome = await self._quota.reserve(
            provider,
            tallies,
            amounts,
            reservation,
            idempotency_key=idempotency_key,
            keep_until=now + self._reservation_ttl,
            thresholds=self._thresholds,
            now=now,
        )
        if outcome.status is ReserveStatus.DENIED:
            refused = outcome.refused_index if outcome.refused_index is not None else 0
            return await self._denied(
                provider,
                tallies=tallies,
                amounts=amounts,
                values=outcome.values,
                refused=refused,
                now=now,
            )
        usage = await self._measure(provider, tallies, outcome.values, now)
        self._announce(outcome.crossings)
        self._metrics.observe(provider, usage)
        if outcome.status is ReserveStatus.GRANTED:
            self._metrics.count_reservation(provider, granted=True)
        return ReserveResult(
            allowed=True,
            reservation_id=f"{provider}{_RESERVATION_SEPARATOR}{outcome.token}",
            usage=usage,
            crossings=outcome.crossings,
        )

    async def commit(self, reservation_id: str, actual_tokens: int) -> tuple[WindowUsage, ...]:
        """Count a reservation at the tokens really used; usage of its windows after it.

        A repeated Commit changes nothing; a Commit after expiry counts the request and the
        actual tokens. Raises ReservationNotFoundError for an unknown id and
        ReservationReleasedError for a released reservation.
        """
        if actual_tokens < 0:
            raise ValueError("actual_tokens must be at least 0")
        usage, status = await self._settle(reservation_id, Settlement.COMMIT, actual_tokens)
        if status is SettleStatus.CONFLICT:
            raise ReservationReleasedError(reservation_id)
        return usage

    async def release(self, reservation_id: str) -> bool:
        """Give back a pending reservation; False if it was not pending (unknown, committed,
        released or expired), which changes nothing."""
        try:
            _, status = await self._settle(reservation_id, Settlement.RELEASE, 0)
        except ReservationNotFoundError:
            return False
        return status is SettleStatus.APPLIED

    async def sweep(self) -> int:
        """Give back every reservation whose expiry passed unsettled; how many were.

        Every replica sweeps; settling is atomic, so a reservation two replicas find due is
        given back once.
        """
        total = 0
        now = self._clock()
        for provider in self._limits:
            expired = 0
            for token in await self._quota.due_reservations(provider, now, SWEEP_BATCH):
                reservation_id = f"{provider}{_RESERVATION_SEPARATOR}{token}"
                try:
                    _, status = await self._settle(reservation_id, Settlement.EXPIRE, 0)
                except ReservationNotFoundError:
                    continue
                if status is SettleStatus.APPLIED:
                    expired += 1
                    log.info("Quota reservation expired", reservation_id=reservation_id)
            if expired:
                self._metrics.count_expired(provider, expired)
            total += expired
        return total

    async def record(self, spends: Sequence[Spend]) -> RecordResult:
        """Count spends made outside reservations into the windows that contain them.

        No limit is enforced (the money is already spent) but warnings still fire. A window
        that ended is still counted while it is kept; a spend whose windows are all gone is
        only logged. A repeated spend id counts once, on any replica.
        """
        recorded: list[str] = []
        duplicates: list[str] = []
        for spend in spends:
            if await self._record_one(spend):
                recorded.append(spend.spend_id)
            else:
                duplicates.append(spend.spend_id)
        return RecordResult(recorded=tuple(recorded), duplicates=tuple(duplicates))

    async def usage(self, provider: str) -> ProviderUsage:
        """A provider's usage in the current windows."""
        now = self._clock()
        tallies = self.tallies(provider, now)
        values = await self._quota.read(provider, tallies, now=now)
        usage = await self._measure(provider, tallies, values, now)
        self._metrics.observe(provider, usage)
        return ProviderUsage(provider=provider, windows=usage)

    async def usage_of_all(self) -> list[ProviderUsage]:
        """Usage of every configured provider, in configured order."""
        return [await self.usage(provider) for provider in self._limits]

    async def crossings_after(self, provider: str, seq: int) -> list[Crossing]:
        """A provider's logged warning crossings after seq, oldest first."""
        return await self._quota.crossings_after(provider, seq)

    async def reset(self, provider: str, windows: Sequence[Window]) -> ProviderUsage:
        """Set a provider's tallies of the current given windows back to zero.

        Reservations made before the reset no longer change those windows when settled
        (their counts went with the reset), and the windows' warnings can fire again.
        """
        now = self._clock()
        tallies = [item for item in self.tallies(provider, now) if Window(item.window) in windows]
        await self._quota.reset(
            provider,
            tallies,
            now=now,
            marker_until=max(item.kept_until for item in tallies),
        )
        self._history.clear()
        log.warning("Quota reset", provider=provider, windows=[window.value for window in windows])
        return await self.usage(provider)

    async def _record_one(self, spend: Spend) -> bool:
        limits = self._limits.get(spend.provider)
        if limits is None:
            raise UnknownProviderError(spend.provider)
        now = self._clock()
        tallies = self.tallies(spend.provider, spend.spent_at)
        outcome = await self._quota.record_spend(
            spend.provider,
            spend.spend_id,
            tallies,
            [_amount(item, spend.requests, spend.tokens) for item in tallies],
            spent_at=spend.spent_at,
            remember_until=max(now + SPEND_MEMORY_SECONDS, *(t.kept_until for t in tallies)),
            thresholds=self._thresholds,
            now=now,
        )
        if not outcome.recorded:
            return False
        self._announce(outcome.crossings)
        counted = sorted(
            {item.window for item, flag in zip(tallies, outcome.counted, strict=True) if flag}
        )
        log.info(
            "Quota local spend recorded" if counted else "Quota local spend outside kept windows",
            provider=spend.provider,
            spend_id=spend.spend_id,
            analyzer_id=spend.analyzer_id,
            requests=spend.requests,
            tokens=spend.tokens,
            spent_at=spend.spent_at,
            windows=counted,
        )
        return True

    async def _settle(
        self, reservation_id: str, settlement: Settlement, actual_tokens: int
    ) -> tuple[tuple[WindowUsage, ...], SettleStatus]:
        provider, separator, token = reservation_id.partition(_RESERVATION_SEPARATOR)
        if not separator or provider not in self._limits or not token:
            raise ReservationNotFoundError(reservation_id)
        now = self._clock()
        reservation = await self._quota.reservation(provider, token, now=now)
        if reservation is None:
            raise ReservationNotFoundError(reservation_id)
        tallies = self._tallies_of(provider, reservation)
        outcome = await self._quota.settle(
            provider,
            token,
            settlement,
            tallies,
            actual_tokens=actual_tokens,
            thresholds=self._thresholds,
            now=now,
        )
        if outcome.status is SettleStatus.NOT_FOUND:
            raise ReservationNotFoundError(reservation_id)
        self._announce(outcome.crossings)
        usage = await self._measure(provider, tallies, outcome.values, now)
        self._metrics.observe(provider, [item for item in usage if item.window_end > now])
        return usage, outcome.status

    def tallies(self, provider: str, instant: float) -> list[Tally]:
        """The tallies of the windows that contain instant, every window and metric."""
        return [
            self._tally(provider, window, window.containing(instant).start, metric)
            for window in Window
            for metric in Metric
        ]

    def _tallies_of(self, provider: str, reservation: Reservation) -> list[Tally]:
        return [
            self._tally(provider, Window(window), start, metric)
            for window, start in reservation.window_starts
            for metric in Metric
        ]

    def _tally(self, provider: str, window: Window, start: int, metric: Metric) -> Tally:
        limits = self._limits.get(provider)
        if limits is None:
            raise UnknownProviderError(provider)
        return Tally(
            window=window.value,
            start=start,
            metric=metric.value,
            limit=limit_for(limits, window, metric),
            kept_until=start + window.seconds + window.kept_after_end,
        )

    async def _trends(self, provider: str, window: Window, now: float) -> dict[Metric, Trend]:
        """The trend of each metric over the completed sub-windows before now (cached)."""
        bucket_start = TimeWindow.containing(now, window.bucket_seconds).start
        cached = self._history.get((provider, window))
        fresh = cached is not None and cached.bucket_start == bucket_start
        if cached is None or not fresh or time.monotonic() - cached.read_at > HISTORY_CACHE_SECONDS:
            bucket = window.bucket
            starts = [
                TimeWindow(bucket_start, window.bucket_seconds).shifted(-offset).start
                for offset in range(window.history_points, 0, -1)
            ]
            tallies = [
                self._tally(provider, bucket, start, metric)
                for metric in Metric
                for start in starts
            ]
            values = await self._quota.read(provider, tallies, now=now)
            points = len(starts)
            cached = _History(
                read_at=time.monotonic(),
                bucket_start=bucket_start,
                trends={
                    (window, metric): fit_trend(values[index * points : (index + 1) * points])
                    for index, metric in enumerate(Metric)
                },
            )
            self._history[(provider, window)] = cached
        return {metric: cached.trends[(window, metric)] for metric in Metric}

    async def _measure(
        self, provider: str, tallies: Sequence[Tally], values: Sequence[int], now: float
    ) -> tuple[WindowUsage, ...]:
        usage = []
        trends: dict[Window, dict[Metric, Trend]] = {}
        for item, value in zip(tallies, values, strict=True):
            window = Window(item.window)
            if window not in trends:
                trends[window] = await self._trends(provider, window, now)
            span = TimeWindow(item.start, window.seconds)
            prediction = predict(
                span,
                window.bucket_seconds,
                trends[window][Metric(item.metric)],
                used=value,
                limit=item.limit,
                now=now,
            )
            usage.append(
                measure(
                    window,
                    Metric(item.metric),
                    start=item.start,
                    used=value,
                    limit=item.limit,
                    thresholds=self._thresholds,
                    prediction=prediction,
                )
            )
        return tuple(usage)

    async def _denied(
        self,
        provider: str,
        *,
        tallies: Sequence[Tally],
        amounts: Sequence[int],
        values: Sequence[int],
        refused: int,
        now: float,
    ) -> ReserveResult:
        usage = await self._measure(provider, tallies, values, now)
        denied_by = usage[refused]
        violations = tuple(
            Violation(item, amount)
            for item, amount in zip(usage, amounts, strict=True)
            if item.limit == 0 or (amount > 0 and 0 <= item.limit < item.used + amount)
        ) or (Violation(denied_by, amounts[refused]),)
        frees_at = max(violation.usage.window_end for violation in violations)
        retry_after = frees_at - now
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
            frees_at=frees_at,
            violations=violations,
        )

    def _announce(self, crossings: Sequence[Crossing]) -> None:
        """Log "Quota warning" and count each crossing this replica's operation caused."""
        for crossing in crossings:
            level = WarningLevel(int(crossing.level))
            log.warning(
                "Quota warning",
                provider=crossing.scope,
                window=crossing.window,
                metric=crossing.metric,
                warning_level=level.name,
                used=crossing.used,
                limit=crossing.limit,
                percent=round(crossing.used * 100 / crossing.limit, 1) if crossing.limit else 100.0,
                window_start=crossing.start,
            )
            self._metrics.count_crossing(crossing.scope, crossing.window, crossing.metric, level)


def _amount(tally: Tally, requests: int, tokens: int) -> int:
    return requests if tally.metric == Metric.REQUESTS.value else tokens
