"""The quota ledger: tallies per provider, window and metric, and reservations against them.

A tenant of the tenants file has tallies of its own (its *scope*, ``tenant:<id>``, beside each
provider's), counted by the same atomic operations: Reserve takes the tenant's room first and
then the provider's, giving the tenant's back if the provider has none, so a tenant over its
limit never touches a provider's windows. Its reservation shares the provider reservation's
token, its id names the tenant, and settling or expiring settles both.

Every operation is one atomic step of the store (a Lua script on Redis, a transaction on
SQLite; see ``sanad_quota.storage.port``), so concurrent replicas can neither admit past
a limit nor settle a reservation twice:

* Reserve counts one request and the estimate in every window at once, or nothing; repeated
  with the same idempotency key it returns the first reservation and counts nothing.
* Commit counts the actual tokens once: a repeat changes nothing, a Commit after the
  reservation expired counts the request and the actual tokens (expiry gave the estimate back).
* Release gives a pending reservation back; after Commit it does nothing.
* Withdraw gives back the reservation of an attempt that gave up before learning its id (its
  Reserve timed out or was cancelled on the caller's side), found by the idempotency key it
  was sent with. If that Reserve has not arrived yet, the key's claim becomes a tombstone and
  the Reserve, when it comes, counts nothing (ReservationWithdrawnError), so no slot is held
  by an attempt that will never use it.
* The sweep gives back reservations nobody settled within ``quota_reservation_ttl``.

Settling changes only windows still kept and not reset since the reservation was made, so an
old call is never charged to a new window and no counter goes below zero. Warning levels are
announced by the store once per level and window, whichever replica crossed them.
"""

from __future__ import annotations

import contextlib
import dataclasses
import time
import uuid
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

import structlog

from sanad_common.clock import Clock, system_clock
from sanad_common.config import ProviderLimits, Settings
from sanad_common.providers import UnknownProviderError
from sanad_common.storage import Store
from sanad_common.tenancy import TenantDirectory
from sanad_common.windows import TimeWindow
from sanad_quota.metrics import QuotaMetrics, quota_metrics
from sanad_quota.prediction import Prediction, Trend, fit_trend, predict
from sanad_quota.storage import quota_store
from sanad_quota.storage.keys import tenant_of, tenant_scope
from sanad_quota.storage.port import (
    Crossing,
    QuotaStore,
    Reservation,
    ReserveOutcome,
    ReserveStatus,
    Settlement,
    SettleOrder,
    SettleOutcome,
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
REMEMBERED_RESERVATIONS = 10_000
"""Granted reservations whose window starts this replica keeps, so that settling one needs no
read of its record first (the starts never change once it is made; others are read)."""

_RESERVATION_SEPARATOR = "."
"""Joins provider, token and tenant in a reservation id; provider names and tokens cannot
contain it (a tenant id may: it is everything after the token)."""
OTHER_TENANTS = "other"
"""The metrics label of tenants past the ``tenant_metric_labels`` first ones."""


class ReservationNotFoundError(LookupError):
    """No reservation has this id: it never existed, or its record is no longer kept."""

    def __init__(self, reservation_id: str) -> None:
        super().__init__(f"no reservation {reservation_id!r}")
        self.reservation_id = reservation_id


class UnknownTenantError(LookupError):
    """A tenant without an entry in the tenants file, where one is needed."""

    def __init__(self, tenant: str) -> None:
        super().__init__(f"no tenant {tenant!r} in the tenants file")
        self.tenant = tenant


class ReservationReleasedError(RuntimeError):
    """Commit of a reservation its caller released: it was given back and cannot be spent."""

    def __init__(self, reservation_id: str) -> None:
        super().__init__(f"reservation {reservation_id!r} was released")
        self.reservation_id = reservation_id


class ReservationWithdrawnError(RuntimeError):
    """Reserve under an idempotency key whose attempt withdrew first: nothing was counted."""

    def __init__(self, idempotency_key: str) -> None:
        super().__init__(f"the reservation of idempotency key {idempotency_key!r} was withdrawn")
        self.idempotency_key = idempotency_key


@dataclass(frozen=True)
class Withdrawal:
    """What withdrawing an attempt's reservation did."""

    released: bool
    """A pending reservation of the provider was made under the key and is now given back."""
    before_reserve: bool
    """No reservation of the provider had been made under the key: one arriving later counts
    nothing."""


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
    denied_tenant: str = ""
    """When the tenant's own limits refused (not the provider's), the tenant."""


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
    tenant: str = ""
    """The tenant it was spent for; counted in its windows too when it has an entry."""


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
class TenantUsage:
    """A tenant's usage in every window and metric, over all providers."""

    tenant: str
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
        tenants: TenantDirectory | None = None,
    ) -> None:
        self._quota = quota or quota_store(store)
        self._clock = clock
        self._metrics = metrics
        self._providers = tuple(provider.name for provider in settings.provider_list())
        self._tenants = tuple(tenant.id for tenant in tenants or ())
        # Every scope's limits: each provider's, and each tenant's under its own scope.
        self._limits: dict[str, ProviderLimits] = {
            provider.name: provider.limits for provider in settings.provider_list()
        }
        self._limits.update({tenant_scope(item.id): item.limits for item in tenants or ()})
        self._tenant_labels = {
            tenant: tenant if index < settings.tenant_metric_labels else OTHER_TENANTS
            for index, tenant in enumerate(self._tenants)
        }
        self._thresholds = Thresholds(settings.quota_warning_ratio, settings.quota_critical_ratio)
        self._reservation_ttl = settings.quota_reservation_ttl
        self._history: dict[tuple[str, Window], _History] = {}
        self._window_starts: OrderedDict[tuple[str, str], tuple[tuple[str, int], ...]] = (
            OrderedDict()
        )
        self._current: dict[str, tuple[int, tuple[Tally, ...]]] = {}

    def now(self) -> float:
        """The ledger's current time (Unix seconds)."""
        return self._clock()

    @property
    def providers(self) -> tuple[str, ...]:
        """Configured provider names, in preference order."""
        return self._providers

    @property
    def tenants(self) -> tuple[str, ...]:
        """Tenants with their own windows (the tenants file's), in the file's order."""
        return self._tenants

    def _tenant_scope(self, tenant: str) -> str | None:
        """The scope of a tenant with an entry; None for no tenant or one without."""
        scope = tenant_scope(tenant)
        return scope if tenant and scope in self._limits else None

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
        tenant: str = "",
    ) -> ReserveResult:
        """Count one request and the estimated tokens in every window, or nothing at all.

        A limit of 0 denies without counting, even a call estimated at zero tokens. A tenant
        with an entry is counted first in its own windows; over its limit, the provider's are
        never touched.
        """
        if estimated_tokens < 0:
            raise ValueError("estimated_tokens must be at least 0")
        now = self._clock()
        provider_tallies = self.tallies(provider, now)
        reservation = Reservation(
            token=uuid.uuid4().hex,
            request_id=request_id,
            estimated_tokens=estimated_tokens,
            reserved_at=now,
            expires_at=now + self._reservation_ttl,
            window_starts=tuple((window.value, window.containing(now).start) for window in Window),
        )
        crossings: tuple[Crossing, ...] = ()
        scope = self._tenant_scope(tenant)
        if scope is not None:
            tallies = self.tallies(scope, now)
            held = await self._reserve_in(scope, tallies, reservation, idempotency_key, now)
            if held.status is ReserveStatus.WITHDRAWN:
                raise ReservationWithdrawnError(idempotency_key)
            if held.status is ReserveStatus.DENIED:
                return await self._denied(scope, tallies, held, estimated_tokens, now)
            await self._granted(scope, tallies, held, reservation, now)
            reservation = dataclasses.replace(reservation, token=held.token)
            crossings = held.crossings
        outcome = await self._reserve_in(
            provider, provider_tallies, reservation, idempotency_key, now
        )
        if outcome.status is ReserveStatus.WITHDRAWN:
            if scope is not None:
                # The withdrawal gave the tenant's room back already, or will find it released.
                with contextlib.suppress(ReservationNotFoundError):
                    await self._settle_in(scope, reservation.token, Settlement.RELEASE, 0, now)
            raise ReservationWithdrawnError(idempotency_key)
        if outcome.status is ReserveStatus.DENIED:
            if scope is not None:
                # The tenant's room was taken for a call the provider has no room for.
                await self._settle_in(scope, reservation.token, Settlement.RELEASE, 0, now)
            return await self._denied(provider, provider_tallies, outcome, estimated_tokens, now)
        usage = await self._granted(provider, provider_tallies, outcome, reservation, now)
        return ReserveResult(
            allowed=True,
            reservation_id=_reservation_id(provider, outcome.token, tenant if scope else ""),
            usage=usage,
            crossings=(*crossings, *outcome.crossings),
        )

    async def _reserve_in(
        self,
        scope: str,
        tallies: Sequence[Tally],
        reservation: Reservation,
        idempotency_key: str,
        now: float,
    ) -> ReserveOutcome:
        """One scope's reservation; a limit of 0 denies without asking the store to count."""
        amounts = [_amount(item, 1, reservation.estimated_tokens) for item in tallies]
        closed = next((index for index, item in enumerate(tallies) if item.limit == 0), None)
        if closed is not None:
            values = await self._quota.read(scope, tallies, now=now)
            return ReserveOutcome(ReserveStatus.DENIED, tuple(values), "", refused_index=closed)
        return await self._quota.reserve(
            scope,
            tallies,
            amounts,
            reservation,
            idempotency_key=idempotency_key,
            keep_until=now + self._reservation_ttl,
            thresholds=self._thresholds,
            now=now,
        )

    async def _granted(
        self,
        scope: str,
        tallies: Sequence[Tally],
        outcome: ReserveOutcome,
        reservation: Reservation,
        now: float,
    ) -> tuple[WindowUsage, ...]:
        """Announce, measure and count a granted (or repeated) reservation of one scope."""
        usage = await self._measure(scope, tallies, outcome.values, now)
        self._announce(outcome.crossings)
        self._observe(scope, usage)
        if outcome.status is ReserveStatus.GRANTED:
            self._remember(scope, outcome.token, reservation.window_starts)
            self._count_reservation(scope, granted=True)
        return usage

    def _remember(self, scope: str, token: str, window_starts: tuple[tuple[str, int], ...]) -> None:
        """Keep the window starts of a reservation this replica made (only a granted one: a
        repeated Reserve's token is the first reservation's, made at another time)."""
        self._window_starts[(scope, token)] = window_starts
        if len(self._window_starts) > REMEMBERED_RESERVATIONS:
            self._window_starts.popitem(last=False)

    async def commit(
        self, reservation_id: str, actual_tokens: int, *, predicted: bool = True
    ) -> tuple[WindowUsage, ...]:
        """Count a reservation at the tokens really used; usage of its windows after it (with
        predictions unless predicted is False: a Settle's caller reads only the outcome).

        A repeated Commit changes nothing; a Commit after expiry counts the request and the
        actual tokens. Raises ReservationNotFoundError for an unknown id and
        ReservationReleasedError for a released reservation.
        """
        if actual_tokens < 0:
            raise ValueError("actual_tokens must be at least 0")
        usage, status = await self._settle(
            reservation_id, Settlement.COMMIT, actual_tokens, predicted=predicted
        )
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

    async def withdraw(self, provider: str, idempotency_key: str, tenant: str = "") -> Withdrawal:
        """Give back the reservation an attempt made (or is making) under idempotency_key, in
        the provider's windows and the tenant's.

        Each scope's step is atomic with its Reserve: either the Reserve came first and its
        reservation is released here, or it finds the tombstone (kept for the reservation
        TTL, the longest a reservation could matter) and counts nothing.
        """
        if provider not in self._providers:
            raise UnknownProviderError(provider)
        if not idempotency_key:
            raise ValueError("idempotency_key is required")
        now = self._clock()
        keep_until = now + self._reservation_ttl
        released = False
        before_reserve = True
        scope = self._tenant_scope(tenant)
        for each in (provider, *((scope,) if scope is not None else ())):
            token = await self._quota.withdraw(
                each, idempotency_key, keep_until=keep_until, now=now
            )
            if token is None:
                continue
            try:
                _, status = await self._settle_in(each, token, Settlement.RELEASE, 0, now)
            except ReservationNotFoundError:
                continue
            if each == provider:
                before_reserve = False
                released = status is SettleStatus.APPLIED
        log.info(
            "Quota reservation withdrawn",
            provider=provider,
            tenant=tenant,
            idempotency_key=idempotency_key,
            released=released,
            before_reserve=before_reserve,
        )
        if released or before_reserve:
            self._metrics.count_withdrawal(provider, before_reserve=before_reserve)
        return Withdrawal(released=released, before_reserve=before_reserve)

    async def sweep(self) -> int:
        """Give back every reservation whose expiry passed unsettled; how many were.

        Every replica sweeps every scope (providers' and tenants'); settling is atomic, so a
        reservation two replicas find due is given back once.
        """
        total = 0
        now = self._clock()
        for scope in self._limits:
            expired = 0
            for token in await self._quota.due_reservations(scope, now, SWEEP_BATCH):
                try:
                    _, status = await self._settle_in(scope, token, Settlement.EXPIRE, 0, now)
                except ReservationNotFoundError:
                    continue
                if status is SettleStatus.APPLIED:
                    expired += 1
                    log.info("Quota reservation expired", scope=scope, token=token)
            if expired and tenant_of(scope) is None:
                self._metrics.count_expired(scope, expired)
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
        return [await self.usage(provider) for provider in self._providers]

    async def tenant_usage(self, tenant: str) -> TenantUsage:
        """A tenant's usage in the current windows (a tenant of the tenants file)."""
        scope = self._tenant_scope(tenant)
        if scope is None:
            raise UnknownTenantError(tenant)
        now = self._clock()
        tallies = self.tallies(scope, now)
        values = await self._quota.read(scope, tallies, now=now)
        usage = await self._measure(scope, tallies, values, now)
        self._observe(scope, usage)
        return TenantUsage(tenant=tenant, windows=usage)

    async def labelled_tenants_usage(self) -> list[TenantUsage]:
        """Usage of the tenants the metrics name (the first ``tenant_metric_labels``)."""
        named = [tenant for tenant, label in self._tenant_labels.items() if label == tenant]
        return [await self.tenant_usage(tenant) for tenant in named]

    async def crossings_after(self, scope: str, seq: int) -> list[Crossing]:
        """A scope's logged warning crossings after seq, oldest first (a provider's name, or
        a tenant's scope from ``sanad_quota.storage.keys.tenant_scope``)."""
        return await self._quota.crossings_after(scope, seq)

    async def reset(self, provider: str, windows: Sequence[Window]) -> ProviderUsage:
        """Set a provider's tallies of the current given windows back to zero.

        Reservations made before the reset no longer change those windows when settled
        (their counts went with the reset), and the windows' warnings can fire again.
        """
        await self._reset(provider, windows)
        log.warning("Quota reset", provider=provider, windows=[window.value for window in windows])
        return await self.usage(provider)

    async def reset_tenant(self, tenant: str, windows: Sequence[Window]) -> TenantUsage:
        """Set a tenant's own tallies of the current given windows back to zero (as reset)."""
        scope = self._tenant_scope(tenant)
        if scope is None:
            raise UnknownTenantError(tenant)
        await self._reset(scope, windows)
        log.warning("Quota reset", tenant=tenant, windows=[window.value for window in windows])
        return await self.tenant_usage(tenant)

    async def _reset(self, scope: str, windows: Sequence[Window]) -> None:
        now = self._clock()
        tallies = [item for item in self.tallies(scope, now) if Window(item.window) in windows]
        await self._quota.reset(
            scope,
            tallies,
            now=now,
            marker_until=max(item.kept_until for item in tallies),
        )
        self._history.clear()

    async def _record_one(self, spend: Spend) -> bool:
        if spend.provider not in self._providers:
            raise UnknownProviderError(spend.provider)
        now = self._clock()
        scope = self._tenant_scope(spend.tenant)
        if scope is not None:
            # Its own claim in the tenant's scope: a repeat counts there once too.
            await self._record_in(scope, spend, now)
        counted = await self._record_in(spend.provider, spend, now)
        if counted is None:
            return False
        log.info(
            "Quota local spend recorded" if counted else "Quota local spend outside kept windows",
            provider=spend.provider,
            tenant=spend.tenant,
            spend_id=spend.spend_id,
            analyzer_id=spend.analyzer_id,
            requests=spend.requests,
            tokens=spend.tokens,
            spent_at=spend.spent_at,
            windows=counted,
        )
        return True

    async def _record_in(self, scope: str, spend: Spend, now: float) -> list[str] | None:
        """Count a spend into one scope's windows: the windows it landed in, or None for a
        spend that scope had counted before."""
        tallies = self.tallies(scope, spend.spent_at)
        outcome = await self._quota.record_spend(
            scope,
            spend.spend_id,
            tallies,
            [_amount(item, spend.requests, spend.tokens) for item in tallies],
            spent_at=spend.spent_at,
            remember_until=max(now + SPEND_MEMORY_SECONDS, *(t.kept_until for t in tallies)),
            thresholds=self._thresholds,
            now=now,
        )
        if not outcome.recorded:
            return None
        self._announce(outcome.crossings)
        return sorted(
            {item.window for item, flag in zip(tallies, outcome.counted, strict=True) if flag}
        )

    async def settle_all(
        self, settlements: Sequence[tuple[str, Settlement, int]]
    ) -> list[SettleStatus]:
        """Settle several reservations, each given as (reservation id, COMMIT or RELEASE,
        actual tokens), as commit (without predictions) or release would one by one: what
        settling did to each in its provider's scope, NOT_FOUND for an unknown id.

        The providers' scopes are settled in one round trip to the store, then the tenants'
        scopes of those found in one more, as Settle's batch asks.
        """
        now = self._clock()
        statuses = [SettleStatus.NOT_FOUND] * len(settlements)
        found: list[tuple[int, SettleOrder]] = []
        tenant_scopes: dict[int, str] = {}
        for index, (reservation_id, settlement, actual_tokens) in enumerate(settlements):
            parts = self._reservation_parts(reservation_id)
            if parts is None:
                continue
            provider, token, tenant = parts
            order = await self._order(provider, token, settlement, actual_tokens, now)
            if order is None:
                continue
            found.append((index, order))
            scope = self._tenant_scope(tenant)
            if scope is not None:
                tenant_scopes[index] = scope
        outcomes = await self._settled_all([order for _, order in found], now)
        tenant_orders = []
        for (index, order), outcome in zip(found, outcomes, strict=True):
            statuses[index] = outcome.status
            scope = tenant_scopes.get(index)
            if outcome.status is not SettleStatus.NOT_FOUND and scope is not None:
                tenant_order = await self._order(
                    scope, order.token, order.settlement, order.actual_tokens, now
                )
                if tenant_order is not None:
                    tenant_orders.append(tenant_order)
        await self._settled_all(tenant_orders, now)
        return statuses

    def _reservation_parts(self, reservation_id: str) -> tuple[str, str, str] | None:
        """A reservation id's provider, token and tenant ("" for none); None if it cannot be
        one of this ledger's."""
        provider, separator, rest = reservation_id.partition(_RESERVATION_SEPARATOR)
        token, _, tenant = rest.partition(_RESERVATION_SEPARATOR)
        if not separator or provider not in self._providers or not token:
            return None
        return provider, token, tenant

    async def _settle(
        self,
        reservation_id: str,
        settlement: Settlement,
        actual_tokens: int,
        *,
        predicted: bool = False,
    ) -> tuple[tuple[WindowUsage, ...], SettleStatus]:
        """Settle a reservation in its provider's scope, then in its tenant's (if it names
        one): the provider's usage after it and what settling did there."""
        parts = self._reservation_parts(reservation_id)
        if parts is None:
            raise ReservationNotFoundError(reservation_id)
        provider, token, tenant = parts
        now = self._clock()
        try:
            result = await self._settle_in(
                provider, token, settlement, actual_tokens, now, predicted=predicted
            )
        except ReservationNotFoundError:
            raise ReservationNotFoundError(reservation_id) from None
        scope = self._tenant_scope(tenant)
        if scope is not None:
            with contextlib.suppress(ReservationNotFoundError):
                await self._settle_in(scope, token, settlement, actual_tokens, now)
        return result

    async def _settle_in(
        self,
        scope: str,
        token: str,
        settlement: Settlement,
        actual_tokens: int,
        now: float,
        *,
        predicted: bool = False,
    ) -> tuple[tuple[WindowUsage, ...], SettleStatus]:
        """Settle one scope's record of a reservation; ReservationNotFoundError if it has none.
        Its usage has predictions only when asked (the gauges need none)."""
        order = await self._order(scope, token, settlement, actual_tokens, now)
        if order is None:
            raise ReservationNotFoundError(token)
        outcome = await self._quota.settle(
            scope,
            token,
            settlement,
            order.tallies,
            actual_tokens=actual_tokens,
            thresholds=self._thresholds,
            now=now,
        )
        if outcome.status is SettleStatus.NOT_FOUND:
            raise ReservationNotFoundError(token)
        return await self._after_settle(order, outcome, now, predicted=predicted), outcome.status

    async def _order(
        self, scope: str, token: str, settlement: Settlement, actual_tokens: int, now: float
    ) -> SettleOrder | None:
        """The settlement of one scope's record of a reservation, with the reservation's
        tallies; None when the scope has no record of it.

        The record is read only for the window starts of a reservation another replica made
        (or one forgotten): the settle step itself finds a missing record.
        """
        window_starts = self._window_starts.pop((scope, token), None)
        if window_starts is None:
            reservation = await self._quota.reservation(scope, token, now=now)
            if reservation is None:
                return None
            window_starts = reservation.window_starts
        tallies = tuple(self._tallies_of(scope, window_starts))
        return SettleOrder(scope, token, settlement, tallies, actual_tokens)

    async def _settled_all(self, orders: Sequence[SettleOrder], now: float) -> list[SettleOutcome]:
        """Settle orders in one round trip, and announce and observe what each changed."""
        if not orders:
            return []
        outcomes = await self._quota.settle_all(orders, thresholds=self._thresholds, now=now)
        for order, outcome in zip(orders, outcomes, strict=True):
            if outcome.status is not SettleStatus.NOT_FOUND:
                await self._after_settle(order, outcome, now, predicted=False)
        return outcomes

    async def _after_settle(
        self, order: SettleOrder, outcome: SettleOutcome, now: float, *, predicted: bool
    ) -> tuple[WindowUsage, ...]:
        """Announce the crossings a settlement caused and feed the gauges: its scope's usage
        (with predictions only when asked)."""
        self._announce(outcome.crossings)
        usage = await self._measure(
            order.scope, order.tallies, outcome.values, now, predicted=predicted
        )
        self._observe(order.scope, [item for item in usage if item.window_end > now])
        return usage

    def tallies(self, scope: str, instant: float) -> list[Tally]:
        """The tallies of a scope (a provider, or a tenant's scope) of the windows that contain
        instant, every window and metric (built once per scope and minute: the limits are
        fixed and a minute's start fixes its hour's and day's)."""
        minute = Window.MINUTE.containing(instant).start
        cached = self._current.get(scope)
        if cached is not None and cached[0] == minute:
            return list(cached[1])
        built = tuple(
            self._tally(scope, window, window.containing(instant).start, metric)
            for window in Window
            for metric in Metric
        )
        if cached is None or minute > cached[0]:
            # Only a later minute replaces the kept one (a spend's instant may lie in the past).
            self._current[scope] = (minute, built)
        return list(built)

    def _tallies_of(self, scope: str, window_starts: Sequence[tuple[str, int]]) -> list[Tally]:
        return [
            self._tally(scope, Window(window), start, metric)
            for window, start in window_starts
            for metric in Metric
        ]

    def _tally(self, scope: str, window: Window, start: int, metric: Metric) -> Tally:
        limits = self._limits.get(scope)
        if limits is None:
            raise UnknownProviderError(scope)
        return Tally(
            window=window.value,
            start=start,
            metric=metric.value,
            limit=limit_for(limits, window, metric),
            kept_until=start + window.seconds + window.kept_after_end,
        )

    async def _trends(self, scope: str, window: Window, now: float) -> dict[Metric, Trend]:
        """The trend of each metric over the completed sub-windows before now (cached)."""
        bucket_start = TimeWindow.containing(now, window.bucket_seconds).start
        cached = self._history.get((scope, window))
        fresh = cached is not None and cached.bucket_start == bucket_start
        if cached is None or not fresh or time.monotonic() - cached.read_at > HISTORY_CACHE_SECONDS:
            bucket = window.bucket
            starts = [
                TimeWindow(bucket_start, window.bucket_seconds).shifted(-offset).start
                for offset in range(window.history_points, 0, -1)
            ]
            tallies = [
                self._tally(scope, bucket, start, metric) for metric in Metric for start in starts
            ]
            values = await self._quota.read(scope, tallies, now=now)
            points = len(starts)
            cached = _History(
                read_at=time.monotonic(),
                bucket_start=bucket_start,
                trends={
                    (window, metric): fit_trend(values[index * points : (index + 1) * points])
                    for index, metric in enumerate(Metric)
                },
            )
            self._history[(scope, window)] = cached
        return {metric: cached.trends[(window, metric)] for metric in Metric}

    async def _measure(
        self,
        scope: str,
        tallies: Sequence[Tally],
        values: Sequence[int],
        now: float,
        *,
        predicted: bool = True,
    ) -> tuple[WindowUsage, ...]:
        """The usage of each tally at values; without predictions (no trend read, no
        projection) when only the gauges will see it."""
        usage = []
        trends: dict[Window, dict[Metric, Trend]] = {}
        for item, value in zip(tallies, values, strict=True):
            window = Window(item.window)
            if not predicted:
                prediction = Prediction(
                    projected_use=value, exhaustion=None, points=0, confidence=0.0
                )
            else:
                if window not in trends:
                    trends[window] = await self._trends(scope, window, now)
                prediction = predict(
                    TimeWindow(item.start, window.seconds),
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
        scope: str,
        tallies: Sequence[Tally],
        outcome: ReserveOutcome,
        estimated_tokens: int,
        now: float,
    ) -> ReserveResult:
        amounts = [_amount(item, 1, estimated_tokens) for item in tallies]
        refused = outcome.refused_index if outcome.refused_index is not None else 0
        usage = await self._measure(scope, tallies, outcome.values, now)
        denied_by = usage[refused]
        violations = tuple(
            Violation(item, amount)
            for item, amount in zip(usage, amounts, strict=True)
            if item.limit == 0 or (amount > 0 and 0 <= item.limit < item.used + amount)
        ) or (Violation(denied_by, amounts[refused]),)
        frees_at = max(violation.usage.window_end for violation in violations)
        retry_after = frees_at - now
        tenant = tenant_of(scope)
        log.info(
            "Quota reservation denied",
            **({"tenant": tenant} if tenant is not None else {"provider": scope}),
            window=denied_by.window.value,
            metric=denied_by.metric.value,
            used=denied_by.used,
            limit=denied_by.limit,
            retry_after=retry_after,
        )
        self._observe(scope, usage)
        self._count_reservation(scope, granted=False)
        return ReserveResult(
            allowed=False,
            reservation_id=None,
            usage=usage,
            denied_by=denied_by,
            retry_after=retry_after,
            frees_at=frees_at,
            violations=violations,
            denied_tenant=tenant or "",
        )

    def _observe(self, scope: str, usage: Sequence[WindowUsage]) -> None:
        """Feed the gauges: a provider's under its name, a tenant's under its label (none for
        the tenants counted as "other": a sum of their percentages would mean nothing)."""
        tenant = tenant_of(scope)
        if tenant is None:
            self._metrics.observe(scope, usage)
        elif self._tenant_labels.get(tenant) == tenant:
            self._metrics.observe_tenant(tenant, usage)

    def _count_reservation(self, scope: str, *, granted: bool) -> None:
        tenant = tenant_of(scope)
        if tenant is None:
            self._metrics.count_reservation(scope, granted=granted)
        else:
            label = self._tenant_labels.get(tenant, OTHER_TENANTS)
            self._metrics.count_tenant_reservation(label, granted=granted)

    def _announce(self, crossings: Sequence[Crossing]) -> None:
        """Log "Quota warning" and count each crossing this replica's operation caused."""
        for crossing in crossings:
            level = WarningLevel(int(crossing.level))
            tenant = tenant_of(crossing.scope)
            log.warning(
                "Quota warning",
                **({"tenant": tenant} if tenant is not None else {"provider": crossing.scope}),
                window=crossing.window,
                metric=crossing.metric,
                warning_level=level.name,
                used=crossing.used,
                limit=crossing.limit,
                percent=round(crossing.used * 100 / crossing.limit, 1) if crossing.limit else 100.0,
                window_start=crossing.start,
            )
            if tenant is None:
                self._metrics.count_crossing(
                    crossing.scope, crossing.window, crossing.metric, level
                )
            else:
                label = self._tenant_labels.get(tenant, OTHER_TENANTS)
                self._metrics.count_tenant_crossing(label, crossing.window, crossing.metric, level)


def _amount(tally: Tally, requests: int, tokens: int) -> int:
    return requests if tally.metric == Metric.REQUESTS.value else tokens


def _reservation_id(provider: str, token: str, tenant: str) -> str:
    """provider.token, and .tenant when the tenant's windows hold the reservation too."""
    parts = (provider, token, tenant) if tenant else (provider, token)
    return _RESERVATION_SEPARATOR.join(parts)
