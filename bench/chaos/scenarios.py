"""The chaos scenarios: each breaks one thing for a while, then heals it, and returns the
moment the broken dependency served again."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bench.chaos.rig import ANALYZERS, LINKS, ChaosRig
from sanad_emulator.control import EmulatorControl


@dataclass(frozen=True)
class Healed:
    """When a fault ended."""

    back_at: float
    """Monotonic time the dependency served again (or the fault was lifted)."""
    services_serving_at: float | None = None
    """For a store outage: when quota and health both reported SERVING again."""


RESTART_READY_SECONDS = 90.0
"""How long a restarted replica may take to serve: a start imports every SDK, which takes
tens of seconds on a loaded machine, and the load goes on meanwhile."""

Fault = Callable[[ChaosRig, EmulatorControl, float], Awaitable[Healed]]
"""Breaks something for the given seconds, heals it, and says when it was back."""


@dataclass(frozen=True)
class Scenario:
    """One row of the chaos table."""

    name: str
    """Short name (also the plot's file name)."""
    description: str
    """What is broken, for the table."""
    fault: Fault
    """The fault itself."""
    totals_kept: bool = True
    """Whether quota's totals survive it (not when Redis restarts empty)."""
    client_retries: bool = False
    """Whether the load's callers use the Python client's service config (UNAVAILABLE
    retried by gRPC) with client-side health checking, as a deployment's clients would;
    off, every refusal is counted raw."""


def kill_and_restart(name: str) -> Fault:
    """kill -9 a process, wait, start it again with the same ports."""

    async def fault(rig: ChaosRig, _: EmulatorControl, seconds: float) -> Healed:
        rig.kill(name)
        await asyncio.sleep(seconds)
        rig.spawn(name)
        return Healed(await asyncio.to_thread(rig.wait_ready, name))

    return fault


def rolling_restart(name: str) -> Fault:
    """SIGTERM a process (it drains within its grace), wait for it to exit, start it again:
    one step of a rolling restart. The fault lasts as long as the drain and the start take."""

    async def fault(rig: ChaosRig, _: EmulatorControl, __: float) -> Healed:
        code = await asyncio.to_thread(rig.terminate, name)
        if code != 0:
            raise RuntimeError(f"{name} exited with {code} after SIGTERM")
        rig.spawn(name)
        return Healed(await asyncio.to_thread(rig.wait_ready, name, RESTART_READY_SECONDS))

    return fault


def redis_restart(*, empty: bool) -> Fault:
    """kill -9 Redis; restart it from its append-only file, or empty."""

    async def fault(rig: ChaosRig, _: EmulatorControl, seconds: float) -> Healed:
        rig.kill("redis")
        await asyncio.sleep(seconds)
        if empty:
            rig.wipe_redis()
        rig.spawn("redis")
        back = await asyncio.to_thread(rig.wait_ready, "redis")
        await asyncio.sleep(0.2)  # let quota and health notice before asking them
        serving = max(
            [await asyncio.to_thread(rig.wait_ready, name) for name in ("quota", "health")]
        )
        return Healed(back, serving)

    return fault


def toxic_on_each_link(kind: str, attributes: dict[str, int]) -> Fault:
    """The toxic on each analyzer link in turn, an equal share of the time each."""

    async def fault(rig: ChaosRig, _: EmulatorControl, seconds: float) -> Healed:
        for link in LINKS:
            rig.toxiproxy.add_toxic(link, kind, attributes, name=kind)
            await asyncio.sleep(seconds / len(LINKS))
            rig.toxiproxy.remove_toxic(link, kind)
        return Healed(time.monotonic())

    return fault


def provider_fault(providers: tuple[str, ...], kind: str, status: int | None = None) -> Fault:
    """The emulator answers every request of the providers with a fault, then recovers."""

    async def fault(_: ChaosRig, emulator: EmulatorControl, seconds: float) -> Healed:
        for provider in providers:
            await emulator.inject(provider, kind, status=status)
        await asyncio.sleep(seconds)
        await emulator.clear()
        return Healed(time.monotonic())

    return fault


SCENARIOS = (
    Scenario("quota-kill", "kill -9 quota, restart", kill_and_restart("quota")),
    Scenario("health-kill", "kill -9 health, restart", kill_and_restart("health")),
    Scenario("redis-kill-aof", "kill -9 Redis, restart from its AOF", redis_restart(empty=False)),
    Scenario(
        "redis-kill-empty",
        "kill -9 Redis, restart empty",
        redis_restart(empty=True),
        totals_kept=False,
    ),
    Scenario(
        "analyzer-kill",
        "kill -9 one of two analyzers, restart",
        kill_and_restart(ANALYZERS[0]),
    ),
    Scenario(
        "analyzer-rolling",
        "SIGTERM one of two analyzers (drain), restart; clients health-check, retry UNAVAILABLE",
        rolling_restart(ANALYZERS[0]),
        client_retries=True,
    ),
    Scenario(
        "latency",
        "500 ms latency on each link in turn",
        toxic_on_each_link("latency", {"latency": 500}),
    ),
    Scenario(
        "resets",
        "TCP resets on each link in turn",
        toxic_on_each_link("reset_peer", {"timeout": 0}),
    ),
    Scenario(
        "partition",
        "partition (blackhole) of each link in turn",
        toxic_on_each_link("timeout", {"timeout": 0}),
    ),
    Scenario(
        "bandwidth",
        "16 KB/s bandwidth on each link in turn",
        toxic_on_each_link("bandwidth", {"rate": 16}),
    ),
    Scenario(
        "primary-503",
        "primary provider 100 % 503, then back",
        provider_fault(("openai",), "server_error", 503),
    ),
    Scenario(
        "primary-hang", "primary provider hangs, then back", provider_fault(("openai",), "hang")
    ),
    Scenario(
        "both-down",
        "both providers 100 % 503, then back",
        provider_fault(("openai", "gemini"), "server_error", 503),
    ),
)
"""Every scenario, in the order ``make chaos`` runs them."""
