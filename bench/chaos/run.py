"""One scenario under load on a running rig, measured: what every request got, quota's totals
against what the providers received, how soon fresh answers came back, what crashed."""

from __future__ import annotations

import asyncio
import collections
import contextlib
import sqlite3
import statistics
import time
from dataclasses import dataclass, field

import grpc

from bench.chaos.load import LoadGenerator, Outcome, balanced_client_options
from bench.chaos.rig import ADMIN_TOKEN, ChaosRig
from bench.chaos.scenarios import Scenario
from sanad.analyzer.v1 import analyzer_pb2, analyzer_pb2_grpc
from sanad.health.v1 import health_pb2, health_pb2_grpc
from sanad.quota.v1 import quota_pb2, quota_pb2_grpc
from sanad_emulator.control import EmulatorControl

ADMIN = (("authorization", f"Bearer {ADMIN_TOKEN}"),)
PROVIDERS = ("openai", "gemini")
SETTLE_SECONDS = 20.0
"""How long to wait, before and after the load, for local spends to reach quota."""


@dataclass(frozen=True)
class Phases:
    """How long each phase of a scenario lasts, in seconds."""

    warm: float = 3.0
    """Load before the fault."""
    fault: float = 10.0
    """The fault."""
    recover: float = 6.0
    """Load after the fault is healed."""
    concurrency: int = 8
    """Callers sending at once."""


@dataclass
class Report:
    """The figures of one scenario."""

    scenario: Scenario
    outcomes: list[Outcome]
    started_at: float
    fault_at: float
    back_at: float
    services_serving_at: float | None
    quota_requests: int | None
    provider_requests: int
    crashed: list[str]
    answered: collections.Counter[str] = field(default_factory=collections.Counter)
    refused: collections.Counter[str] = field(default_factory=collections.Counter)

    def __post_init__(self) -> None:
        for outcome in self.outcomes:
            if outcome.answered:
                self.answered[outcome.result] += 1
            elif outcome.result != "LOST":
                self.refused[f"{outcome.result}/{outcome.reason}"] += 1

    @property
    def lost(self) -> int:
        """Requests with no answer and no status from Sanad."""
        return len(self.lost_outcomes())

    def lost_outcomes(self) -> list[Outcome]:
        """The lost requests themselves, with what each caller saw."""
        return [outcome for outcome in self.outcomes if outcome.result == "LOST"]

    @property
    def locally_accounted(self) -> int:
        """Answers paid from an analyzer's safe budget."""
        return sum(1 for outcome in self.outcomes if outcome.accounted_locally)

    def unavailable_while_a_provider_was_healthy(self) -> int:
        """UNAVAILABLE refusals (with this suite's providers healthy unless the scenario
        breaks them)."""
        return sum(1 for outcome in self.outcomes if outcome.result == "UNAVAILABLE")

    def fresh_again_after(self) -> float | None:
        """Seconds from the dependency serving again to the first fresh answer sent after it
        and accounted by quota itself (None if there was none)."""
        ends = [
            outcome.finished
            for outcome in self.outcomes
            if outcome.result == "FRESH"
            and not outcome.accounted_locally
            and outcome.started >= self.back_at
        ]
        return min(ends) - self.back_at if ends else None

    def latency_ms(self, fraction: float) -> float:
        """A latency percentile of every request, in milliseconds."""
        latencies = sorted(outcome.latency for outcome in self.outcomes)
        if not latencies:
            return 0.0
        if len(latencies) == 1:
            return latencies[0] * 1000
        return (
            statistics.quantiles(latencies, n=100, method="inclusive")[round(fraction * 100) - 1]
            * 1000
        )


async def quota_requests(rig: ChaosRig) -> int | None:
    """Requests quota counts today over every provider; None when it cannot say."""
    async with grpc.aio.insecure_channel(rig.target("quota")) as channel:
        stub = quota_pb2_grpc.QuotaServiceStub(channel)
        try:
            usage = await stub.GetUsage(quota_pb2.GetUsageRequest(), timeout=5)
        except grpc.aio.AioRpcError:
            return None
    return sum(
        window.used
        for provider in usage.providers
        for window in provider.windows
        if window.window == quota_pb2.WINDOW_DAY and window.metric == quota_pb2.METRIC_REQUESTS
    )


async def provider_requests(emulator: EmulatorControl) -> int:
    """Requests the emulator's provider endpoints have received."""
    return sum(stats.requests for stats in (await emulator.stats()).values())


async def reset(rig: ChaosRig, emulator: EmulatorControl) -> None:
    """Back to a clean state between scenarios: no toxics, no faults, providers closed."""
    rig.toxiproxy.reset()
    await emulator.clear()
    async with grpc.aio.insecure_channel(rig.target("health")) as channel:
        health = health_pb2_grpc.ProviderHealthServiceStub(channel)
        for provider in PROVIDERS:
            await health.ResetProvider(
                health_pb2.ResetProviderRequest(provider=provider), metadata=ADMIN, timeout=5
            )
        await health.SetPrimaryProvider(
            health_pb2.SetPrimaryProviderRequest(provider="openai"), metadata=ADMIN, timeout=5
        )
    async with grpc.aio.insecure_channel(rig.analyzer_targets[0]) as channel:
        await analyzer_pb2_grpc.AnalyzerServiceStub(channel).ClearCache(
            analyzer_pb2.ClearCacheRequest(include_idempotency=True), metadata=ADMIN, timeout=5
        )


async def run_scenario(
    rig: ChaosRig, emulator: EmulatorControl, scenario: Scenario, phases: Phases
) -> Report:
    """Run one scenario under load and measure it."""
    await reset(rig, emulator)
    # Spends of the scenario before, paid locally and handed over late, are not this one's.
    await local_spends_reported(rig)
    quota_before = await quota_requests(rig)
    providers_before = await provider_requests(emulator)
    load = LoadGenerator(
        rig.analyzer_targets,
        concurrency=phases.concurrency,
        options=balanced_client_options() if scenario.client_retries else (),
    )
    stop = asyncio.Event()
    started = time.monotonic()
    running = asyncio.create_task(load.run(stop))
    await asyncio.sleep(phases.warm)
    fault_at = time.monotonic()
    healed = await scenario.fault(rig, emulator, phases.fault)
    await asyncio.sleep(phases.recover)
    stop.set()
    outcomes = await running
    provider_total = await provider_requests(emulator) - providers_before
    await local_spends_reported(rig)
    quota_after = await quota_requests(rig)
    quota_total = (
        None if quota_after is None or quota_before is None else quota_after - quota_before
    )
    return Report(
        scenario=scenario,
        outcomes=outcomes,
        started_at=started,
        fault_at=fault_at,
        back_at=healed.back_at,
        services_serving_at=healed.services_serving_at,
        quota_requests=quota_total,
        provider_requests=provider_total,
        crashed=rig.crashed(),
    )


async def local_spends_reported(rig: ChaosRig) -> None:
    """Wait until the analyzers have handed every locally paid spend to quota, or until
    SETTLE_SECONDS have passed (quota's count then falls short, as the table shows)."""
    deadline = time.monotonic() + SETTLE_SECONDS
    while time.monotonic() < deadline:
        with contextlib.suppress(sqlite3.OperationalError):  # a journal being written
            if not await asyncio.to_thread(rig.unreported_spends):
                return
        await asyncio.sleep(0.25)
