"""The roll-up of the analyzer's health and of everything it depends on.

Each component gets a state of its own (each provider, quota, health, the store, the caches);
the whole is healthy when every part is, unhealthy when no provider can be asked and the store
that holds the degraded answers is down too, and degraded otherwise.

A provider's state merges health's view with what this replica saw itself: a provider this
replica keeps out, or saw fail within its ban period, is never shown healthy, whatever health
last said (health may not have taken the report yet, or be unreachable). While health cannot
be asked, its last view (answered or pushed) stands, marked as such. Each component says where
its state comes from and when that was observed.

Readiness (grpc.health.v1) has two questions, answered here: can this replica give an answer at
all (a provider, a cache, or the rulebook; the overall service ``""``), and is the roll-up
unhealthy (the named service, ``sanad.analyzer.v1.AnalyzerService``).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol, TypeAlias

import grpc

from sanad.analyzer.v1 import analyzer_pb2
from sanad.health.v1 import health_pb2, health_pb2_grpc
from sanad.quota.v1 import quota_pb2, quota_pb2_grpc
from sanad_analyzer.downstream.health_fallback import KEEPS_OUT, LocalBan, LocalObservation
from sanad_analyzer.downstream.provider_view import LastView
from sanad_analyzer.memory.cache_stats import CacheName, CacheStatistics, Lookup
from sanad_common.error_class import ErrorClass
from sanad_common.proto_time import timestamp

HEALTHY = analyzer_pb2.HEALTH_STATE_HEALTHY
DEGRADED = analyzer_pb2.HEALTH_STATE_DEGRADED
UNHEALTHY = analyzer_pb2.HEALTH_STATE_UNHEALTHY

HEALTH_VIEW = analyzer_pb2.COMPONENT_SOURCE_HEALTH_VIEW
THIS_REPLICA = analyzer_pb2.COMPONENT_SOURCE_THIS_REPLICA
LAST_KNOWN = analyzer_pb2.COMPONENT_SOURCE_LAST_KNOWN

State: TypeAlias = analyzer_pb2.HealthState.ValueType
"""A roll-up state (HEALTH_STATE_*)."""
Source: TypeAlias = analyzer_pb2.ComponentSource.ValueType
"""Where a component's state comes from (COMPONENT_SOURCE_*)."""
Ping = Callable[[], Awaitable[None]]
"""Raises when the store does not answer."""


class SystemUnhealthyError(RuntimeError):
    """The roll-up is unhealthy; raised by the readiness check so the server goes NOT_SERVING."""


class LocalHealth(Protocol):
    """What this replica saw of the providers itself (the health gateway keeps it)."""

    def local_bans(self) -> dict[str, LocalBan]:
        """Providers this replica keeps out right now."""
        ...

    def local_outcomes(self) -> dict[str, LocalObservation]:
        """Each provider's latest outcome here, if recent."""
        ...

    def last_view(self) -> LastView | None:
        """The last provider statuses health pushed."""
        ...

    def followed_order(self) -> tuple[str, ...]:
        """The providers this replica would try now, best first."""
        ...


@dataclass(frozen=True)
class HealthView:
    """Provider statuses from health, where they come from and when they were observed."""

    statuses: Mapping[str, health_pb2.ProviderStatus]
    source: Source
    observed_at: float
    """Unix time."""


@dataclass(frozen=True)
class SystemHealthSources:
    """Where the roll-up reads each component's state."""

    health_channel: grpc.aio.Channel
    """Channel to the health service (GetProviderStatus)."""
    quota_channel: grpc.aio.Channel
    """Channel to the quota service (GetUsage)."""
    store_ping: Ping
    """The store's ping."""
    configured_providers: Sequence[str]
    """Every configured provider, in configured order."""
    callable_providers: frozenset[str]
    """Providers that have an adapter (an API key) in this process."""
    cache_counters: CacheStatistics
    """The pipeline's cache hit and miss counters."""
    degradation_enabled: bool
    """Whether degraded answers from the store are served."""
    timeout: float
    """Seconds each dependency has to answer."""
    local: LocalHealth
    """This replica's own bans and outcomes, and health's last pushed view."""
    quota_fallback: bool = False
    """True when providers may be called while quota cannot be asked (a safe budget)."""
    rules_answer: bool = True
    """True when the rulebook answers by itself (SOURCE_RULES) when nothing else can."""


class SystemHealth:
    """Computes the roll-up on demand; every dependency is asked at once, within a timeout."""

    def __init__(self, sources: SystemHealthSources) -> None:
        self._sources = sources
        self._health = health_pb2_grpc.ProviderHealthServiceStub(sources.health_channel)
        self._quota = quota_pb2_grpc.QuotaServiceStub(sources.quota_channel)
        self._last_answer: HealthView | None = None

    async def check(self) -> analyzer_pb2.GetSystemHealthResponse:
        """The roll-up now."""
        answered, usage, store_error = await asyncio.gather(
            self._provider_statuses(), self._usage(), self._store_error()
        )
        checked_at = time.time()
        if answered is not None:
            self._last_answer = answered
        # While health is away the analyzer decides on its last view, so does this.
        view = answered if answered is not None else self._last_known()
        local = self._sources.local
        bans, outcomes = local.local_bans(), local.local_outcomes()
        providers = [
            _provider_component(
                name,
                has_adapter=name in self._sources.callable_providers,
                view=view,
                usage=usage,
                ban=bans.get(name),
                seen=outcomes.get(name),
                checked_at=checked_at,
            )
            for name in self._sources.configured_providers
        ]
        components = [
            *providers,
            _quota_component(usage, checked_at),
            _health_component(answered is not None, view, checked_at),
            _store_component(store_error, checked_at),
            _caches_component(
                self._sources.cache_counters,
                self._sources.degradation_enabled,
                store_error,
                checked_at,
            ),
        ]
        can_call = (usage is not None or self._sources.quota_fallback) and any(
            c.state != UNHEALTHY for c in providers
        )
        state = _overall(components, can_call=can_call, store_up=store_error is None)
        return analyzer_pb2.GetSystemHealthResponse(
            state=state,
            components=components,
            checked_at=timestamp(checked_at),
            provider_order=local.followed_order(),
        )

    async def readiness(self) -> None:
        """Raises while the roll-up is unhealthy: the named service's readiness."""
        rollup = await self.check()
        if rollup.state == UNHEALTHY:
            raise SystemUnhealthyError(
                "; ".join(
                    f"{c.name}: {c.detail}" for c in rollup.components if c.state == UNHEALTHY
                )
            )

    async def can_answer(self) -> None:
        """Raises while this replica cannot give any answer: the overall (``""``) readiness.

        The rulebook answers whatever else is down, so with it on this asks nothing; a
        shared dependency going away must not take every replica out at once.
        """
        if not self._sources.rules_answer:
            await self.readiness()

    def _last_known(self) -> HealthView | None:
        """The newer of health's last answer and its last pushed view, marked last known."""
        pushed = self._sources.local.last_view()
        candidates = [
            *([self._last_answer] if self._last_answer is not None else []),
            *(
                [HealthView(_by_provider(pushed.statuses), LAST_KNOWN, pushed.heard_at)]
                if pushed is not None
                else []
            ),
        ]
        if not candidates:
            return None
        newest = max(candidates, key=lambda view: view.observed_at)
        return HealthView(newest.statuses, LAST_KNOWN, newest.observed_at)

    async def _provider_statuses(self) -> HealthView | None:
        try:
            response = await self._health.GetProviderStatus(
                health_pb2.GetProviderStatusRequest(), timeout=self._sources.timeout
            )
        except grpc.aio.AioRpcError:
            return None
        return HealthView(_by_provider(response.providers), HEALTH_VIEW, time.time())

    async def _usage(self) -> dict[str, quota_pb2.ProviderUsage] | None:
        try:
            response = await self._quota.GetUsage(
                quota_pb2.GetUsageRequest(), timeout=self._sources.timeout
            )
        except grpc.aio.AioRpcError:
            return None
        return {usage.provider: usage for usage in response.providers}

    async def _store_error(self) -> str | None:
        try:
            await asyncio.wait_for(self._sources.store_ping(), self._sources.timeout)
        except Exception as error:
            return str(error) or type(error).__name__
        return None


def _by_provider(
    statuses: Sequence[health_pb2.ProviderStatus],
) -> dict[str, health_pb2.ProviderStatus]:
    return {status.provider: status for status in statuses}


def _component(
    name: str, state: State, detail: str, source: Source, observed_at: float | None
) -> analyzer_pb2.ComponentHealth:
    """The one place a component's entry is built."""
    component = analyzer_pb2.ComponentHealth(name=name, state=state, detail=detail, source=source)
    if observed_at is not None:
        component.observed_at.CopyFrom(timestamp(observed_at))
    return component


def _provider_component(
    name: str,
    *,
    has_adapter: bool,
    view: HealthView | None,
    usage: dict[str, quota_pb2.ProviderUsage] | None,
    ban: LocalBan | None,
    seen: LocalObservation | None,
    checked_at: float,
) -> analyzer_pb2.ComponentHealth:
    """Health's view of the provider, overruled by what this replica saw when that is worse."""
    component = f"provider:{name}"
    if not has_adapter:
        return _component(
            component, UNHEALTHY, "no API key configured: never called", THIS_REPLICA, checked_at
        )
    exhausted = _exhausted_window(usage.get(name)) if usage is not None else None
    if exhausted is not None:
        return _component(
            component, UNHEALTHY, f"quota exhausted: {exhausted}", THIS_REPLICA, checked_at
        )
    status = view.statuses.get(name) if view is not None else None
    if status is None or view is None:
        health_state, health_detail = DEGRADED, "circuit state unknown: health unreachable"
    else:
        health_state, health_detail = _health_says(status)
    if ban is not None:
        return _component(
            component,
            UNHEALTHY,
            f"kept out by this replica ({ban.reason.value}) "
            f"until {time.strftime('%H:%M:%S', time.gmtime(ban.until))} UTC; "
            f"health: {health_detail}",
            THIS_REPLICA,
            seen.at if seen is not None else checked_at,
        )
    if seen is not None and seen.error_class is not None:
        # Health keeps a crash out at once; a view from before the crash cannot have
        # overruled what this replica saw, so the crash stands. (A ban outlives the failure
        # until health has taken its report, so a newer view has counted it.)
        stale = view is None or view.observed_at < seen.at
        local_state = UNHEALTHY if stale and seen.error_class in KEEPS_OUT else DEGRADED
        if _worse(local_state, health_state):
            return _component(
                component,
                local_state,
                f"failed here {checked_at - seen.at:.0f} s ago ({seen.error_class.value}); "
                f"health: {health_detail}",
                THIS_REPLICA,
                seen.at,
            )
    if view is None or status is None:
        return _component(
            component,
            health_state,
            health_detail,
            THIS_REPLICA,
            seen.at if seen is not None else None,
        )
    return _component(component, health_state, health_detail, view.source, view.observed_at)


def _health_says(status: health_pb2.ProviderStatus) -> tuple[State, str]:
    """The state and detail health's status of a provider gives."""
    rate = f"success rate {status.success_rate:.0%}"
    if status.circuit_state == health_pb2.CIRCUIT_STATE_OPEN:
        reason = ErrorClass.from_proto(status.open_reason) or ErrorClass.UNKNOWN
        until = (
            f"until {status.open_until.ToDatetime():%H:%M:%S} UTC"
            if status.HasField("open_until")
            else "until an operator resets it"
        )
        return UNHEALTHY, f"blacklisted ({reason.value}) {until}; {rate}"
    if status.circuit_state == health_pb2.CIRCUIT_STATE_HALF_OPEN:
        return DEGRADED, f"half-open: probing; {rate}"
    primary = "primary, " if status.primary else ""
    return HEALTHY, f"{primary}circuit closed; {rate}"


_SEVERITY = {HEALTHY: 0, DEGRADED: 1, UNHEALTHY: 2}


def _worse(state: State, than: State) -> bool:
    return _SEVERITY.get(state, 0) > _SEVERITY.get(than, 0)


def _exhausted_window(usage: quota_pb2.ProviderUsage | None) -> str | None:
    for window in usage.windows if usage is not None else ():
        if window.warning_level == quota_pb2.WARNING_LEVEL_EXHAUSTED:
            name = quota_pb2.Window.Name(window.window).removeprefix("WINDOW_").lower()
            metric = quota_pb2.Metric.Name(window.metric).removeprefix("METRIC_").lower()
            return f"{name} {metric} {window.used}/{window.limit}"
    return None


def _quota_component(
    usage: dict[str, quota_pb2.ProviderUsage] | None, checked_at: float
) -> analyzer_pb2.ComponentHealth:
    if usage is None:
        return _component(
            "quota", UNHEALTHY, "unreachable: provider calls are refused", THIS_REPLICA, checked_at
        )
    levels = {
        name: quota_pb2.WarningLevel.Name(entry.warning_level).removeprefix("WARNING_LEVEL_")
        for name, entry in usage.items()
        if entry.warning_level
        in (quota_pb2.WARNING_LEVEL_WARNING, quota_pb2.WARNING_LEVEL_CRITICAL)
    }
    if levels:
        detail = ", ".join(f"{name} {level.lower()}" for name, level in levels.items())
        return _component("quota", DEGRADED, f"reachable; {detail}", THIS_REPLICA, checked_at)
    return _component("quota", HEALTHY, "reachable", THIS_REPLICA, checked_at)


def _health_component(
    reachable: bool, view: HealthView | None, checked_at: float
) -> analyzer_pb2.ComponentHealth:
    if reachable:
        return _component("health", HEALTHY, "reachable", THIS_REPLICA, checked_at)
    if view is None:
        return _component(
            "health",
            DEGRADED,
            "unreachable: no view from health yet, configured order",
            THIS_REPLICA,
            checked_at,
        )
    return _component(
        "health",
        DEGRADED,
        f"unreachable: its last view is {checked_at - view.observed_at:.0f} s old",
        LAST_KNOWN,
        view.observed_at,
    )


def _store_component(error: str | None, checked_at: float) -> analyzer_pb2.ComponentHealth:
    if error is not None:
        return _component("store", UNHEALTHY, f"unreachable: {error}", THIS_REPLICA, checked_at)
    return _component("store", HEALTHY, "reachable", THIS_REPLICA, checked_at)


def _caches_component(
    counters: CacheStatistics, degradation_enabled: bool, store_error: str | None, checked_at: float
) -> analyzer_pb2.ComponentHealth:
    idempotency, degradation = CacheName.IDEMPOTENCY, CacheName.DEGRADATION
    lookups = (
        f"idempotency {counters.count(idempotency, Lookup.HIT)} hits / "
        f"{counters.count(idempotency, Lookup.MISS)} misses, "
        f"degradation {counters.count(degradation, Lookup.HIT)} hits, "
        f"{counters.count(degradation, Lookup.NEAR_DUPLICATE_HIT)} near-duplicate hits / "
        f"{counters.count(degradation, Lookup.MISS)} misses"
    )
    if store_error is not None:
        state, detail = UNHEALTHY, f"store unreachable; {lookups}"
    elif not degradation_enabled:
        state, detail = DEGRADED, f"graceful degradation disabled; {lookups}"
    else:
        state, detail = HEALTHY, lookups
    return _component("caches", state, detail, THIS_REPLICA, checked_at)


def _overall(
    components: Sequence[analyzer_pb2.ComponentHealth], *, can_call: bool, store_up: bool
) -> State:
    if not can_call and not store_up:
        return UNHEALTHY
    if all(component.state == HEALTHY for component in components):
        return HEALTHY
    return DEGRADED
