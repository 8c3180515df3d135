"""How the roll-up merges health's view with what this replica saw, while health and quota
cannot be reached (their ports refuse connections) and the store answers: a provider seen
failing here is never shown healthy, and each entry says where its state came from."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import grpc
import pytest

from sanad.analyzer.v1 import analyzer_pb2
from sanad.health.v1 import health_pb2
from sanad_analyzer.downstream.health_fallback import LocalBan, LocalObservation, LocalOutcomes
from sanad_analyzer.downstream.provider_view import LastView
from sanad_analyzer.memory.cache_stats import CacheStatistics
from sanad_analyzer.ports import AttemptOutcome
from sanad_analyzer.system_health import SystemHealth, SystemHealthSources
from sanad_common.error_class import ErrorClass
from sanad_launcher.ports import free_port
from tests.support.services import FakeClock

UNHEALTHY = analyzer_pb2.HEALTH_STATE_UNHEALTHY
DEGRADED = analyzer_pb2.HEALTH_STATE_DEGRADED
THIS_REPLICA = analyzer_pb2.COMPONENT_SOURCE_THIS_REPLICA
LAST_KNOWN = analyzer_pb2.COMPONENT_SOURCE_LAST_KNOWN
NOW = 1_800_000_000.0


@dataclass
class Seen:
    """This replica's outcomes (the real LocalOutcomes) and health's last pushed view."""

    clock: FakeClock = field(default_factory=lambda: FakeClock(NOW))
    view: LastView | None = None
    outcomes: LocalOutcomes = field(init=False)

    def __post_init__(self) -> None:
        self.outcomes = LocalOutcomes(ttl=30.0, clock=self.clock)

    def local_bans(self) -> dict[str, LocalBan]:
        return self.outcomes.banned()

    def local_outcomes(self) -> dict[str, LocalObservation]:
        return self.outcomes.recent()

    def last_view(self) -> LastView | None:
        return self.view

    def followed_order(self) -> tuple[str, ...]:
        return tuple(name for name in ("openai", "gemini") if name not in self.local_bans())


def closed(provider: str) -> health_pb2.ProviderStatus:
    return health_pb2.ProviderStatus(
        provider=provider, circuit_state=health_pb2.CIRCUIT_STATE_CLOSED, success_rate=1.0
    )


@pytest.fixture
async def nowhere() -> AsyncIterator[grpc.aio.Channel]:
    """A channel to a port nobody listens on."""
    async with grpc.aio.insecure_channel(f"127.0.0.1:{free_port()}") as channel:
        yield channel


async def store_up() -> None:
    return None


async def rollup_of(seen: Seen, channel: grpc.aio.Channel) -> analyzer_pb2.GetSystemHealthResponse:
    rollup = SystemHealth(
        SystemHealthSources(
            health_channel=channel,
            quota_channel=channel,
            store_ping=store_up,
            configured_providers=("openai", "gemini"),
            callable_providers=frozenset({"openai", "gemini"}),
            cache_counters=CacheStatistics(),
            degradation_enabled=True,
            timeout=1.0,
            local=seen,
            quota_fallback=True,
        )
    )
    return await rollup.check()


async def providers(
    seen: Seen, channel: grpc.aio.Channel
) -> dict[str, analyzer_pb2.ComponentHealth]:
    reply = await rollup_of(seen, channel)
    return {c.name: c for c in reply.components if c.name.startswith("provider:")}


async def test_the_rollup_shows_the_order_this_replica_follows(
    nowhere: grpc.aio.Channel,
) -> None:
    seen = Seen()
    assert list((await rollup_of(seen, nowhere)).provider_order) == ["openai", "gemini"]

    seen.outcomes.record(AttemptOutcome("openai", 0.1, ErrorClass.SERVICE_CRASH))

    assert list((await rollup_of(seen, nowhere)).provider_order) == ["gemini"]


async def test_a_crash_seen_here_is_unhealthy_over_an_older_healthy_view(
    nowhere: grpc.aio.Channel,
) -> None:
    seen = Seen(view=LastView((closed("openai"), closed("gemini")), NOW - 5))
    seen.outcomes.record(AttemptOutcome("openai", 0.1, ErrorClass.SERVICE_CRASH))

    components = await providers(seen, nowhere)

    assert components["provider:openai"].state == UNHEALTHY
    assert components["provider:openai"].source == THIS_REPLICA
    assert components["provider:openai"].observed_at.seconds == int(NOW)
    assert components["provider:gemini"].source == LAST_KNOWN
    assert components["provider:gemini"].observed_at.seconds == int(NOW - 5)


async def test_a_crash_health_has_taken_and_reopened_is_still_not_healthy(
    nowhere: grpc.aio.Channel,
) -> None:
    seen = Seen()
    seen.outcomes.record(AttemptOutcome("openai", 0.1, ErrorClass.SERVICE_CRASH), sequence=1)
    # Health took the report (the ban ends), then its view says the circuit is closed again.
    seen.outcomes.follow_health("openai", open_=False, open_until=None, sequence=1)
    seen.view = LastView((closed("openai"), closed("gemini")), NOW + 1)

    components = await providers(seen, nowhere)

    assert components["provider:openai"].state == DEGRADED
    assert components["provider:openai"].source == THIS_REPLICA
    assert "failed here" in components["provider:openai"].detail


async def test_a_timeout_seen_here_degrades_a_provider_health_calls_closed(
    nowhere: grpc.aio.Channel,
) -> None:
    seen = Seen(view=LastView((closed("openai"), closed("gemini")), NOW - 5))
    seen.outcomes.record(AttemptOutcome("gemini", 2.0, ErrorClass.TIMEOUT))

    components = await providers(seen, nowhere)

    assert components["provider:gemini"].state == DEGRADED
    assert components["provider:gemini"].source == THIS_REPLICA


async def test_an_old_failure_no_longer_counts(nowhere: grpc.aio.Channel) -> None:
    seen = Seen()
    seen.outcomes.record(AttemptOutcome("openai", 0.1, ErrorClass.SERVICE_CRASH))
    seen.clock.advance(31.0)
    seen.view = LastView((closed("openai"), closed("gemini")), NOW + 1)

    components = await providers(seen, nowhere)

    assert components["provider:openai"].state != UNHEALTHY
    assert components["provider:openai"].source == LAST_KNOWN
