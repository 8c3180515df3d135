"""Provider health on the shared store: outcome counters, the circuit record, the primary order.

Keys of one provider share its Redis Cluster hash tag (``health:{openai}:...``). Counts are
atomic counters, so concurrent reports from any number of replicas add up: lifetime totals,
the expiring buckets of the circuit's window (window.py), the failures in a row, and the probes
of the current HALF_OPEN period. The circuit record is read, moved by :func:`apply_outcome` and
written back while holding the provider's lock (an entry written with set_if_absent and a short
TTL), so replicas never lose each other's transitions; the TTL frees the lock if its holder
dies. Probes are admitted by a counter with a limit, so two replicas never admit more than the
configured number between them.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import random
import uuid
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Sequence
from dataclasses import replace

import structlog

from sanad_common.clock import Clock, system_clock
from sanad_common.config import Settings
from sanad_common.error_class import ErrorClass
from sanad_common.providers import UnknownProviderError
from sanad_common.storage import CounterDelta, Store, StoreUnavailableError
from sanad_health.circuit import (
    BREAKER_CLASSES,
    BreakerPolicy,
    CircuitRecord,
    CircuitState,
    OutcomeEffect,
    Transition,
    apply_outcome,
)
from sanad_health.metrics import HealthMetrics, health_metrics
from sanad_health.status import (
    CircuitView,
    ProviderOrder,
    ProviderSnapshot,
    ProviderStatus,
    ReportedOutcome,
)
from sanad_health.window import outcome_deltas, window_keys, window_stats

log = structlog.get_logger(__name__)

LOCK_TTL_SECONDS = 5.0
"""How long a provider's circuit lock lives if its holder never releases it."""
LOCK_RETRY_SECONDS = 0.01
"""Pause between attempts to take a provider's circuit lock held elsewhere."""
WATCH_POLL_SECONDS = 1.0
"""How often a watch reads the store, which is what makes it see every replica's changes."""

_ORDER_KEY = "health:order"


def _circuit_key(provider: str) -> str:
    return f"health:{{{provider}}}:circuit"


def _lock_key(provider: str) -> str:
    return f"health:{{{provider}}}:lock"


def _successes_key(provider: str) -> str:
    return f"health:{{{provider}}}:successes"


def _failures_key(provider: str, error_class: ErrorClass | None = None) -> str:
    suffix = "" if error_class is None else f":{error_class.value}"
    return f"health:{{{provider}}}:failures{suffix}"


def _consecutive_key(provider: str) -> str:
    return f"health:{{{provider}}}:consecutive"


def _probes_key(provider: str, period: int) -> str:
    """Probes admitted in the HALF_OPEN period after the circuit's ``period``-th opening."""
    return f"health:{{{provider}}}:probes:{period}"


def _probe_successes_key(provider: str, period: int) -> str:
    return f"health:{{{provider}}}:probe_ok:{period}"


def _counter_keys(provider: str) -> list[str]:
    """Successes, failures, then failures of each class in ErrorClass order."""
    return [
        _successes_key(provider),
        _failures_key(provider),
        *(_failures_key(provider, error_class) for error_class in ErrorClass),
    ]


class ProviderHealthTracker:
    """Records outcomes and answers which providers to try, for every configured provider."""

    def __init__(
        self,
        store: Store,
        settings: Settings,
        *,
        clock: Clock = system_clock,
        metrics: HealthMetrics = health_metrics,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self._store = store
        self._clock = clock
        self._metrics = metrics
        self._jitter = jitter
        self._providers = settings.provider_names()
        self._policy = BreakerPolicy.from_settings(settings)
        self._local_locks = {provider: asyncio.Lock() for provider in self._providers}
        self._watchers: set[asyncio.Queue[ProviderSnapshot]] = set()

    @property
    def providers(self) -> tuple[str, ...]:
        """Configured provider names, in configured order."""
        return self._providers

    async def report(
        self,
        provider: str,
        *,
        error_class: ErrorClass | None,
        latency: float | None = None,
        retry_after: float | None = None,
    ) -> ProviderStatus:
        """Record one attempt (error_class None for a success); the provider's status after it."""
        self._check(provider)
        if error_class is None:
            await self._record_successes(provider, [latency])
        else:
            await self._record_failure(provider, error_class, latency, retry_after)
        return await self.status(provider)

    async def report_many(self, outcomes: Sequence[ReportedOutcome]) -> tuple[CircuitView, ...]:
        """Record attempts in the order they ended; the circuits of the providers named.

        A run of successes of one provider is counted in one store step, so a batch of a
        busy analyzer's reports costs about what one report does; a failure is applied on its
        own, after the successes reported before it.
        """
        for outcome in outcomes:
            self._check(outcome.provider)
        successes: dict[str, list[float | None]] = {}
        for outcome in outcomes:
            if outcome.error_class is None:
                successes.setdefault(outcome.provider, []).append(outcome.latency)
                continue
            earlier = successes.pop(outcome.provider, None)
            if earlier:
                await self._record_successes(outcome.provider, earlier)
            await self._record_failure(
                outcome.provider, outcome.error_class, outcome.latency, outcome.retry_after
            )
        for provider, latencies in successes.items():
            await self._record_successes(provider, latencies)
        named = [name for name in self._providers if any(o.provider == name for o in outcomes)]
        raw_records = await self._store.get_many([_circuit_key(name) for name in named])
        now = self._clock()
        views = []
        for name, raw in zip(named, raw_records, strict=True):
            record = CircuitRecord() if raw is None else CircuitRecord.from_json(raw)
            state = record.state(now)
            views.append(
                CircuitView(
                    provider=name,
                    circuit_state=state,
                    open_until=record.open_until if state is not CircuitState.CLOSED else None,
                    open_reason=record.open_reason,
                )
            )
        return tuple(views)

    async def _record_successes(self, provider: str, latencies: Sequence[float | None]) -> None:
        """Count successful attempts; on a circuit that is not CLOSED, move it on."""
        now = self._clock()
        record = await self._record(provider)
        period = record.times_blacklisted
        deltas = [
            delta
            for latency in latencies
            for delta in outcome_deltas(provider, now, self._policy, None, latency)
        ]
        deltas.append(CounterDelta(_successes_key(provider), len(latencies)))
        if record.state(now) is CircuitState.HALF_OPEN:
            deltas.append(
                self._probe_delta(_probe_successes_key(provider, period), now, len(latencies))
            )
        merged = _merged(deltas)
        counted = await self._store.add_counters(merged)
        await self._store.delete_counters(_consecutive_key(provider))
        for latency in latencies:
            if latency is not None:
                self._metrics.record_latency(provider, latency, success=True)
        # A success on a closed circuit changes only the counters: no lock on the hot path.
        if record.state(now) is not CircuitState.CLOSED:
            values = dict(zip((delta.key for delta in merged), counted.values, strict=True))
            await self._move_circuit(
                provider, values, period=period, now=now, error_class=None, retry_after=None
            )

    async def _record_failure(
        self,
        provider: str,
        error_class: ErrorClass,
        latency: float | None,
        retry_after: float | None,
    ) -> None:
        """Count one failed attempt and move the circuit accordingly."""
        now = self._clock()
        record = await self._record(provider)
        period = record.times_blacklisted
        deltas = [
            *outcome_deltas(provider, now, self._policy, error_class, latency),
            CounterDelta(_failures_key(provider), 1),
            CounterDelta(_failures_key(provider, error_class), 1),
        ]
        if error_class in BREAKER_CLASSES:
            deltas.append(CounterDelta(_consecutive_key(provider), 1))
        counted = await self._store.add_counters(deltas)
        if latency is not None:
            self._metrics.record_latency(provider, latency, success=False)
        values = dict(zip((delta.key for delta in deltas), counted.values, strict=True))
        await self._move_circuit(
            provider,
            values,
            period=period,
            now=now,
            error_class=error_class,
            retry_after=retry_after,
        )

    async def _move_circuit(
        self,
        provider: str,
        values: dict[str, int],
        *,
        period: int,
        now: float,
        error_class: ErrorClass | None,
        retry_after: float | None,
    ) -> None:
        """Apply an outcome to the circuit record under the provider's lock."""
        window = window_stats(
            await self._store.get_counters(window_keys(provider, now, self._policy)),
            self._policy,
        )
        counts = window.breaker_counts(
            consecutive_failures=values.get(_consecutive_key(provider), 0),
            probe_successes=values.get(_probe_successes_key(provider, period), 0),
        )
        async with self._locked(provider):
            record = await self._record(provider)
            effect = apply_outcome(
                record,
                error_class=error_class,
                retry_after=retry_after,
                now=self._clock(),
                counts=counts,
                policy=self._policy,
                jitter=self._jitter,
            )
            if effect.record != record:
                await self._store.set(_circuit_key(provider), effect.record.to_json())
        self._announce(provider, record, effect)
        if effect.record != record:
            await self._publish()

    def _probe_delta(
        self, key: str, now: float, amount: int = 1, limit: int | None = None
    ) -> CounterDelta:
        """An increment of a HALF_OPEN period's counter, forgotten a probe timeout later."""
        return CounterDelta(key, amount, limit=limit, expires_at=now + self._policy.probe_timeout)

    async def status(self, provider: str) -> ProviderStatus:
        """One provider's status now."""
        self._check(provider)
        return (await self._statuses([provider], await self._order()))[0]

    async def statuses(self) -> tuple[ProviderStatus, ...]:
        """Every provider's status now, in configured order."""
        return await self._statuses(self._providers, await self._order())

    async def order(self) -> ProviderOrder:
        """Providers in preference order, split into those callable now and those left out.

        A HALF_OPEN provider is callable only if it gets one of its period's probe permits,
        so the configured number of probes goes out across every replica.
        """
        order = await self._order()
        ranked = await self._statuses(order, order)
        available: list[ProviderStatus] = []
        unavailable: list[ProviderStatus] = []
        for ranked_status in ranked:
            status = ranked_status
            if status.circuit_state is CircuitState.HALF_OPEN and status.available:
                status = await self._admit_probe(status)
            (available if status.available else unavailable).append(status)
        return ProviderOrder(available=tuple(available), unavailable=tuple(unavailable))

    async def _admit_probe(self, status: ProviderStatus) -> ProviderStatus:
        """Take a probe permit for a HALF_OPEN provider; its status says whether it got one."""
        provider = status.provider
        result = await self._store.add_counters(
            [
                self._probe_delta(
                    _probes_key(provider, status.times_blacklisted),
                    self._clock(),
                    limit=self._policy.half_open_probes,
                )
            ],
            enforce_limits=True,
        )
        if not result.applied:
            return replace(status, probes_admitted=status.probe_limit)
        admitted = result.values[0]
        if admitted == 1:
            log.info(
                "Provider half-open: probe admitted",
                provider=provider,
                opened_by=status.open_reason,
                probes=status.probe_limit,
            )
            self._metrics.count_transition(provider, Transition.HALF_OPENED, status.open_reason)
        # This caller holds the permit: the provider is available to it whatever is left.
        return replace(status, probes_admitted=admitted - 1)

    async def set_primary(self, provider: str) -> tuple[str, ...]:
        """Move a provider to the front of the preference order; the new order."""
        self._check(provider)
        current = await self._order()
        order = (provider, *(name for name in current if name != provider))
        await self._store.set(_ORDER_KEY, json.dumps(order).encode())
        if current[0] != provider:
            log.warning("Primary provider changed", provider=provider, previous=current[0])
        await self._publish()
        return order

    async def reset(self, provider: str) -> ProviderStatus:
        """Close a provider's circuit and clear its counts (an operator's decision)."""
        self._check(provider)
        async with self._locked(provider):
            record = await self._record(provider)
            period = record.times_blacklisted
            await self._store.delete(_circuit_key(provider))
            await self._store.delete_counters(
                *_counter_keys(provider),
                *window_keys(provider, self._clock(), self._policy),
                _consecutive_key(provider),
                _probes_key(provider, period),
                _probe_successes_key(provider, period),
            )
        previous = record.state(self._clock())
        log.warning("Provider reset", provider=provider, previous_state=previous.value)
        self._metrics.count_transition(provider, Transition.RESET, record.open_reason)
        await self._publish()
        return await self.status(provider)

    async def watch(
        self, poll_interval: float = WATCH_POLL_SECONDS
    ) -> AsyncGenerator[ProviderSnapshot, None]:
        """The preference order and every provider's status at once, then again each time
        any of it changes.

        A change this replica makes (a circuit moved, a reset, a new primary) is sent at once,
        before the call that made it returns; changes other replicas make are found by reading
        the store every poll_interval. A store failure on the first read is raised; later ones
        are logged and polled again, so a watcher outlives a short outage.
        """
        published: asyncio.Queue[ProviderSnapshot] = asyncio.Queue()
        self._watchers.add(published)
        try:
            last = await self._snapshot()
            yield last
            while True:
                try:
                    current = await asyncio.wait_for(published.get(), poll_interval)
                    while not published.empty():
                        current = published.get_nowait()
                except TimeoutError:
                    try:
                        current = await self._snapshot()
                    except StoreUnavailableError as error:
                        log.warning("Watch poll failed: store unavailable", error=str(error))
                        continue
                if current != last:
                    last = current
                    yield current
        finally:
            self._watchers.discard(published)

    async def _publish(self) -> None:
        """Hand every watcher of this replica the snapshot after a change made here."""
        if not self._watchers:
            return
        try:
            snapshot = await self._snapshot()
        except StoreUnavailableError as error:
            log.warning("Watch publish failed: store unavailable", error=str(error))
            return
        for watcher in self._watchers:
            watcher.put_nowait(snapshot)

    async def _snapshot(self) -> ProviderSnapshot:
        order = await self._order()
        return ProviderSnapshot(order, await self._statuses(self._providers, order))

    def _check(self, provider: str) -> None:
        if provider not in self._providers:
            raise UnknownProviderError(provider)

    async def _order(self) -> tuple[str, ...]:
        """The stored order, kept to configured providers, with new ones after it."""
        raw = await self._store.get(_ORDER_KEY)
        stored = [] if raw is None else json.loads(raw)
        kept = [name for name in stored if name in self._providers]
        return (*kept, *(name for name in self._providers if name not in kept))

    async def _record(self, provider: str) -> CircuitRecord:
        raw = await self._store.get(_circuit_key(provider))
        return CircuitRecord() if raw is None else CircuitRecord.from_json(raw)

    async def _statuses(
        self, providers: Sequence[str], order: Sequence[str]
    ) -> tuple[ProviderStatus, ...]:
        """Statuses of providers, given the preference order (whose head is the primary)."""
        raw_records = await self._store.get_many([_circuit_key(p) for p in providers])
        records = [
            CircuitRecord() if raw is None else CircuitRecord.from_json(raw) for raw in raw_records
        ]
        now = self._clock()
        groups = [
            [
                *_counter_keys(provider),
                _consecutive_key(provider),
                _probes_key(provider, record.times_blacklisted),
                *window_keys(provider, now, self._policy),
            ]
            for provider, record in zip(providers, records, strict=True)
        ]
        counts = await self._store.get_counters([key for group in groups for key in group])
        primary = order[0]
        statuses = []
        offset = 0
        lifetime = len(_counter_keys(primary))
        for provider, record, group in zip(providers, records, groups, strict=True):
            values = counts[offset : offset + len(group)]
            offset += len(group)
            successes, failures, *by_class = values[:lifetime]
            consecutive, probes = values[lifetime : lifetime + 2]
            state = record.state(now)
            statuses.append(
                ProviderStatus(
                    provider=provider,
                    primary=provider == primary,
                    circuit_state=state,
                    open_until=record.open_until if state is not CircuitState.CLOSED else None,
                    open_reason=record.open_reason,
                    success_count=successes,
                    failure_count=failures,
                    failures_by_class=tuple(
                        (error_class, count)
                        for error_class, count in zip(ErrorClass, by_class, strict=True)
                        if count
                    ),
                    last_error_class=record.last_error_class,
                    last_failure_time=record.last_failure_time,
                    times_blacklisted=record.times_blacklisted,
                    window=window_stats(values[lifetime + 2 :], self._policy),
                    consecutive_failures=consecutive,
                    ejection_streak=record.ejection_streak,
                    probes_admitted=probes if state is CircuitState.HALF_OPEN else 0,
                    probe_limit=self._policy.half_open_probes,
                )
            )
        self._metrics.observe(statuses)
        return tuple(statuses)

    @contextlib.asynccontextmanager
    async def _locked(self, provider: str) -> AsyncIterator[None]:
        """Hold the provider's circuit lock, in this process and across replicas.

        Release compares the owner before deleting; the compare and the delete are two steps,
        which only matters if the lock outlived its TTL, far beyond a few store calls.
        """
        owner = uuid.uuid4().hex.encode()
        async with self._local_locks[provider]:
            while True:
                if await self._store.set_if_absent(
                    _lock_key(provider), owner, ttl=LOCK_TTL_SECONDS
                ):
                    break
                await asyncio.sleep(LOCK_RETRY_SECONDS)
            try:
                yield
            finally:
                if await self._store.get(_lock_key(provider)) == owner:
                    await self._store.delete(_lock_key(provider))

    def _announce(self, provider: str, before: CircuitRecord, effect: OutcomeEffect) -> None:
        """Log and count a transition."""
        if effect.transition is Transition.BLACKLISTED:
            seconds = effect.blacklisted_for
            until_reset = seconds is not None and math.isinf(seconds)
            log.warning(
                "Provider blacklisted",
                provider=provider,
                reason=effect.record.open_reason,
                trip=effect.trip,
                duration_seconds=None if until_reset else seconds,
                until_reset=until_reset,
                times_blacklisted=effect.record.times_blacklisted,
                ejection_streak=effect.record.ejection_streak,
            )
            self._metrics.count_transition(
                provider, Transition.BLACKLISTED, effect.record.open_reason
            )
        elif effect.transition is Transition.RECOVERED:
            log.info("Provider recovered", provider=provider, opened_by=before.open_reason)
            self._metrics.count_transition(provider, Transition.RECOVERED, before.open_reason)


def _merged(deltas: Sequence[CounterDelta]) -> list[CounterDelta]:
    """Deltas of the same counter added together (first position and expiry kept), so a run
    of outcomes is one increment per counter."""
    merged: dict[str, CounterDelta] = {}
    for delta in deltas:
        seen = merged.get(delta.key)
        merged[delta.key] = (
            delta if seen is None else replace(seen, amount=seen.amount + delta.amount)
        )
    return list(merged.values())
