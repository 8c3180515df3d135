"""The roll-up of the analyzer's health and of everything it depends on.

Each component gets a state of its own (each provider, quota, health, the store, the caches);
the whole is healthy when every part is, unhealthy when no answer can be produced (no
provider can be called and the store that holds the degraded answers is down too), and
degraded otherwise. grpc.health.v1 reports SERVING for healthy and degraded, NOT_SERVING for
unhealthy, so a probe or a mesh takes the analyzer out only when it cannot answer at all.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TypeAlias

import grpc

from sanad.analyzer.v1 import analyzer_pb2
from sanad.health.v1 import health_pb2, health_pb2_grpc
from sanad.quota.v1 import quota_pb2, quota_pb2_grpc
from sanad_analyzer.memory.cache_stats import CacheName, CacheStatistics, Lookup
from sanad_common.error_class import ErrorClass
from sanad_common.proto_time import now

HEALTHY = analyzer_pb2.HEALTH_STATE_HEALTHY
DEGRADED = analyzer_pb2.HEALTH_STATE_DEGRADED
UNHEALTHY = analyzer_pb2.HEALTH_STATE_UNHEALTHY

State: TypeAlias = analyzer_pb2.HealthState.ValueType
"""A roll-up state (HEALTH_STATE_*)."""
Ping = Callable[[], Awaitable[None]]
"""Raises when the store does not answer."""


class SystemUnhealthyError(RuntimeError):
    """The roll-up is unhealthy; raised by the readiness check so the server goes NOT_SERVING."""


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
    quota_fallback: bool = False
    """True when providers may be called while quota cannot be asked (a safe budget)."""


class SystemHealth:
    """Computes the roll-up on demand; every dependency is asked at once, within a timeout."""

    def __init__(self, sources: SystemHealthSources) -> None:
        self._sources = sources
        self._health = health_pb2_grpc.ProviderHealthServiceStub(sources.health_channel)
        self._quota = quota_pb2_grpc.QuotaServiceStub(sources.quota_channel)
        self._last_statuses: dict[str, health_pb2.ProviderStatus] | None = None

    async def check(self) -> analyzer_pb2.GetSystemHealthResponse:
        """The roll-up now."""
        statuses, usage, store_error = await asyncio.gather(
            self._provider_statuses(), self._usage(), self._store_error()
        )
        if statuses is not None:
            self._last_statuses = statuses
        providers = [
            _provider_component(
                name,
                name in self._sources.callable_providers,
                # While health is away the analyzer decides on its last view, so does this.
                statuses if statuses is not None else self._last_statuses,
                usage,
            )
            for name in self._sources.configured_providers
        ]
        components = [
            *providers,
            _quota_component(usage),
            _health_component(statuses),
            _store_component(store_error),
            _caches_component(
                self._sources.cache_counters, self._sources.degradation_enabled, store_error
            ),
        ]
        can_call = (usage is not None or self._sources.quota_fallback) and any(
            c.state != UNHEALTHY for c in providers
        )
        state = _overall(components, can_call=can_call, store_up=store_error is None)
        return analyzer_pb2.GetSystemHealthResponse(
            state=state, components=components, checked_at=now()
        )

    async def readiness(self) -> None:
        """Raises while the roll-up is unhealthy: the server's readiness check."""
        rollup = await self.check()
        if rollup.state == UNHEALTHY:
            raise SystemUnhealthyError(
                "; ".join(
                    f"{c.name}: {c.detail}" for c in rollup.components if c.state == UNHEALTHY
                )
            )

    async def _provider_statuses(self) -> dict[str, health_pb2.ProviderStatus] | None:
        try:
            response = await self._health.GetProviderStatus(
                health_pb2.GetProviderStatusRequest(), timeout=self._sources.timeout
            )
        except grpc.aio.AioRpcError:
            return None
        return {status.provider: status for status in response.providers}

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


def _component(name: str, state: State, detail: str) -> analyzer_pb2.ComponentHealth:
    return analyzer_pb2.ComponentHealth(name=name, state=state, detail=detail)


def _provider_component(
    name: str,
    has_adapter: bool,
    statuses: dict[str, health_pb2.ProviderStatus] | None,
    usage: dict[str, quota_pb2.ProviderUsage] | None,
) -> analyzer_pb2.ComponentHealth:
    component = f"provider:{name}"
    if not has_adapter:
        return _component(component, UNHEALTHY, "no API key configured: never called")
    exhausted = _exhausted_window(usage.get(name)) if usage is not None else None
    if exhausted is not None:
        return _component(component, UNHEALTHY, f"quota exhausted: {exhausted}")
    status = statuses.get(name) if statuses is not None else None
    if status is None:
        return _component(component, DEGRADED, "circuit state unknown: health unreachable")
    rate = f"success rate {status.success_rate:.0%}"
    if status.circuit_state == health_pb2.CIRCUIT_STATE_OPEN:
        reason = ErrorClass.from_proto(status.open_reason) or ErrorClass.UNKNOWN
        until = (
            f"until {status.open_until.ToDatetime():%H:%M:%S} UTC"
            if status.HasField("open_until")
            else "until an operator resets it"
        )
        return _component(component, UNHEALTHY, f"blacklisted ({reason.value}) {until}; {rate}")
    if status.circuit_state == health_pb2.CIRCUIT_STATE_HALF_OPEN:
        return _component(component, DEGRADED, f"half-open: probing; {rate}")
    primary = "primary, " if status.primary else ""
    return _component(component, HEALTHY, f"{primary}circuit closed; {rate}")


def _exhausted_window(usage: quota_pb2.ProviderUsage | None) -> str | None:
    for window in usage.windows if usage is not None else ():
        if window.warning_level == quota_pb2.WARNING_LEVEL_EXHAUSTED:
            name = quota_pb2.Window.Name(window.window).removeprefix("WINDOW_").lower()
            metric = quota_pb2.Metric.Name(window.metric).removeprefix("METRIC_").lower()
            return f"{name} {metric} {window.used}/{window.limit}"
    return None


def _quota_component(
    usage: dict[str, quota_pb2.ProviderUsage] | None,
) -> analyzer_pb2.ComponentHealth:
    if usage is None:
        return _component("quota", UNHEALTHY, "unreachable: provider calls are refused")
    levels = {
        name: quota_pb2.WarningLevel.Name(entry.warning_level).removeprefix("WARNING_LEVEL_")
        for name, entry in usage.items()
        if entry.warning_level
        in (quota_pb2.WARNING_LEVEL_WARNING, quota_pb2.WARNING_LEVEL_CRITICAL)
    }
    if levels:
        detail = ", ".join(f"{name} {level.lower()}" for name, level in levels.items())
        return _component("quota", DEGRADED, f"reachable; {detail}")
    return _component("quota", HEALTHY, "reachable")


def _health_component(
    statuses: dict[str, health_pb2.ProviderStatus] | None,
) -> analyzer_pb2.ComponentHealth:
    if statuses is None:
        return _component("health", DEGRADED, "unreachable: last known or configured order")
    return _component("health", HEALTHY, "reachable")


def _store_component(error: str | None) -> analyzer_pb2.ComponentHealth:
    if error is not None:
        return _component("store", UNHEALTHY, f"unreachable: {error}")
    return _component("store", HEALTHY, "reachable")


def _caches_component(
    counters: CacheStatistics, degradation_enabled: bool, store_error: str | None
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
        return _component("caches", UNHEALTHY, f"store unreachable; {lookups}")
    if not degradation_enabled:
        return _component("caches", DEGRADED, f"graceful degradation disabled; {lookups}")
    return _component("caches", HEALTHY, lookups)


def _overall(
    components: Sequence[analyzer_pb2.ComponentHealth], *, can_call: bool, store_up: bool
) -> State:
    if not can_call and not store_up:
        return UNHEALTHY
    if all(component.state == HEALTHY for component in components):
        return HEALTHY
    return DEGRADED
