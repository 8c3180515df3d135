"""Quota Reserve + Commit through the service against raw EVALSHA of the same Lua scripts.

Starts the suite as real processes on one Redis (no limits, so nothing is denied), then at
concurrency 1 and 16 measures, in the same run:
- the service: a Reserve RPC then a Commit RPC to the quota process (what an analyzer pays);
- raw Redis: EVALSHA of the reserve script then EVALSHA of the settle script, with the keys
  and arguments the quota process sends, from a redis-py client in this process (the floor:
  the store's own atomic work plus one round trip each).
Then CPU per Reserve, and per Reserve + Commit (a fresh request's quota calls): the quota
process's utime + stime from /proc over the RPCs, beside this process's own CPU over the raw
EVALSHA of the same scripts, so the figure does not depend on what else the machine runs.
Writes its own section of docs/benchmarks.md (replacing the previous one) with the figures,
the service/raw ratios and the command that produced them.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import grpc
from redis.asyncio import Redis

from bench.analyze_latency import Result, measure
from bench.procstat import cpu_seconds, own_cpu_seconds
from bench.report import write_section
from sanad.quota.v1 import quota_pb2, quota_pb2_grpc
from sanad_common.config import ProviderLimits, ProviderSettings, load_settings
from sanad_common.storage import open_store
from sanad_common.storage.extension import ScriptHost, TransactionHost
from sanad_launcher.redis_server import RedisServer
from sanad_launcher.suite import LocalSuite, SuitePorts
from sanad_quota.ledger import QuotaLedger
from sanad_quota.storage.port import Reservation, Settlement, Tally, Thresholds
from sanad_quota.storage.redis_adapter import RESERVE_LUA, SETTLE_LUA, reserve_call, settle_call
from sanad_quota.usage import Window

CONCURRENCY_LEVELS = (1, 16)
SECTION = "## Quota: Reserve + Commit against raw EVALSHA"
CPU_CONCURRENCY = 8
"""Concurrency of the CPU runs, as in bench.analyze_latency (CPU per call is what they
measure, not latency)."""
UNLIMITED = {
    "MAX_HOURLY_REQUESTS": "-1",
    "MAX_HOURLY_TOKENS": "-1",
    "MAX_DAILY_REQUESTS": "-1",
    "MAX_DAILY_TOKENS": "-1",
}


@dataclass(frozen=True)
class Measured:
    """One side's latency at each concurrency and its CPU per Reserve."""

    pairs: list[Result]
    reserve_cpu_ms: float
    pair_cpu_ms: float


async def cpu_per_call(
    requests: int, call: Callable[[int], Awaitable[object]], seconds: Callable[[], float]
) -> float:
    """CPU milliseconds per call of one process (`seconds` reads its CPU time so far)."""

    async def discarded(index: int) -> None:
        await call(index)

    before = seconds()
    await measure("cpu", "redis", CPU_CONCURRENCY, requests, discarded)
    return (seconds() - before) * 1000 / requests


async def measure_side(
    label: str,
    requests: int,
    reserve: Callable[[int], Awaitable[object]],
    reserve_commit: Callable[[int], Awaitable[None]],
    seconds: Callable[[], float],
) -> Measured:
    """One side's latency at each concurrency (after a warm-up) and its CPU per call."""
    pairs = []
    for concurrency in CONCURRENCY_LEVELS:
        await measure("warm-up", "redis", concurrency, 50, reserve_commit)
        pairs.append(await measure(label, "redis", concurrency, requests, reserve_commit))
    return Measured(
        pairs,
        await cpu_per_call(requests, reserve, seconds),
        await cpu_per_call(requests, reserve_commit, seconds),
    )


async def bench_service(target: str, pid: int, requests: int) -> Measured:
    """Reserve then Commit through gRPC; the quota process's CPU per Reserve RPC."""
    async with grpc.aio.insecure_channel(target) as channel:
        quota = quota_pb2_grpc.QuotaServiceStub(channel)

        async def reserve(index: int) -> str:
            reserved = await quota.Reserve(
                quota_pb2.ReserveRequest(provider="openai", estimated_tokens=500)
            )
            return reserved.reservation_id

        async def reserve_commit(index: int) -> None:
            reservation_id = await reserve(index)
            await quota.Commit(
                quota_pb2.CommitRequest(reservation_id=reservation_id, actual_tokens=400)
            )

        return await measure_side(
            "service Reserve + Commit", requests, reserve, reserve_commit, lambda: cpu_seconds(pid)
        )


class _ScriptKeyPrefix:
    """What the store's scripts put before their keys, so the raw calls touch the same keys."""

    def on_redis(self, store: ScriptHost) -> str:
        return store.script_key_prefix

    def on_sqlite(self, store: TransactionHost) -> str:
        raise ValueError("raw EVALSHA needs a Redis store")


async def bench_raw(url: str, namespace: str, requests: int) -> Measured:
    """EVALSHA of the reserve and settle scripts with the service's keys and arguments."""
    store = await open_store(url, namespace=namespace)
    settings = load_settings(
        providers=(
            ProviderSettings(
                name="openai",
                kind="openai",
                model="gpt-4o-mini",
                limits=ProviderLimits(
                    daily_requests=-1, daily_tokens=-1, hourly_requests=-1, hourly_tokens=-1
                ),
            ),
        )
    )
    ledger = QuotaLedger(store, settings)
    thresholds = Thresholds(settings.quota_warning_ratio, settings.quota_critical_ratio)
    prefix = store.extend(_ScriptKeyPrefix())
    client = Redis.from_url(url)
    reserve_sha = await client.script_load(RESERVE_LUA)
    settle_sha = await client.script_load(SETTLE_LUA)

    async def evalsha(sha: str, keys: list[str], args: list[str | int | float]) -> None:
        await client.evalsha(sha, len(keys), *(prefix + key for key in keys), *args)

    async def reserve(index: int) -> tuple[list[Tally], str, float]:
        now = time.time()
        tallies = ledger.tallies("openai", now)
        token = uuid.uuid4().hex
        reservation = Reservation(
            token=token,
            request_id="",
            estimated_tokens=500,
            reserved_at=now,
            expires_at=now + settings.quota_reservation_ttl,
            window_starts=tuple((window.value, window.containing(now).start) for window in Window),
        )
        amounts = [1 if tally.metric == "requests" else 500 for tally in tallies]
        await evalsha(
            reserve_sha,
            *reserve_call(
                "openai",
                tallies,
                amounts,
                reservation,
                idempotency_key="",
                keep_until=now + settings.quota_reservation_ttl,
                thresholds=thresholds,
                now=now,
            ),
        )
        return tallies, token, now

    async def reserve_commit(index: int) -> None:
        tallies, token, now = await reserve(index)
        await evalsha(
            settle_sha,
            *settle_call(
                "openai",
                token,
                Settlement.COMMIT,
                tallies,
                actual_tokens=400,
                thresholds=thresholds,
                now=now,
            ),
        )

    try:
        return await measure_side(
            "raw EVALSHA reserve + settle", requests, reserve, reserve_commit, own_cpu_seconds
        )
    finally:
        await client.aclose()
        await store.aclose()


async def run(requests: int) -> tuple[Measured, Measured]:
    """Both sides at every concurrency, on one Redis and one quota process."""
    namespace = f"bench-quota-{time.time_ns()}"
    with tempfile.TemporaryDirectory(prefix="sanad-bench-quota-") as tmp, RedisServer() as server:
        suite = LocalSuite(
            store_url=server.url,
            ports=SuitePorts.free(),
            log_dir=Path(tmp),
            with_emulator=True,
            env={"SANAD_STORE_NAMESPACE": namespace, "SANAD_LOG_LEVEL": "WARNING", **UNLIMITED},
        )
        with suite:
            target = f"{suite.host}:{suite.ports.quota}"
            service = await bench_service(target, suite.pids()["quota"], requests)
            raw = await bench_raw(server.url, namespace, requests)
    return service, raw


def render(service: Measured, raw: Measured, command: str, requests: int) -> str:
    """The section of docs/benchmarks.md, from its heading on."""
    lines = [
        SECTION,
        "",
        "A Reserve RPC then a Commit RPC to the quota process on Redis, beside EVALSHA of the",
        "same two scripts (reserve, then settle as commit) with the same keys and arguments,",
        "sent by a redis-py client straight to the same Redis, measured in the same run.",
        "",
        f"Command: `{command}`",
        "",
        f"Machine: {platform.machine()}, {_cores()} cores, Python {platform.python_version()}. "
        f"Pairs per case: {requests}.",
        "",
        "| case | concurrency | p50 ms | p99 ms | mean ms | pairs/s |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    pairs = list(zip(service.pairs, raw.pairs, strict=True))
    for pair in pairs:
        for result in pair:
            lines.append(
                f"| {result.case} | {result.concurrency} | {result.p50_ms:.2f} | "
                f"{result.p99_ms:.2f} | {result.mean_ms:.2f} | {result.throughput:.0f} |"
            )
    lines += [
        "",
        "Ratio, service over raw (latency: how many times slower; throughput: what share):",
        "",
        "| concurrency | p50 | p99 | throughput |",
        "|---:|---:|---:|---:|",
    ]
    for ours, floor in pairs:
        lines.append(
            f"| {ours.concurrency} | {ours.p50_ms / floor.p50_ms:.1f}x | "
            f"{ours.p99_ms / floor.p99_ms:.1f}x | "
            f"{ours.throughput / floor.throughput:.2f} |"
        )
    lines += [
        "",
        f"CPU per call (utime + stime of the process over {requests} calls at concurrency "
        f"{CPU_CONCURRENCY}, not wall time; a fresh request costs quota one Reserve and one "
        "commit):",
        "",
        "| process | ms CPU per Reserve | ms CPU per Reserve + Commit |",
        "|---|---:|---:|",
        f"| quota (the RPCs) | {service.reserve_cpu_ms:.2f} | {service.pair_cpu_ms:.2f} |",
        f"| redis-py client (raw EVALSHA of the scripts) | {raw.reserve_cpu_ms:.2f} | "
        f"{raw.pair_cpu_ms:.2f} |",
    ]
    lines += [
        "",
        "The service does more than the two scripts: two gRPC round trips through the",
        "interceptor, validation, the prediction (its history read at most every 10 s),",
        "metrics and the protobuf answer with six windows; a Commit of a reservation another",
        "replica made first reads its record (a third script). Its process shares the two",
        "cores with the load generator. The raw rows are the floor the store itself sets.",
        "",
    ]
    return "\n".join(lines)


def _cores() -> int:
    return os.cpu_count() or 0


def main() -> None:
    """Parse arguments, run, write the section."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=1000, help="pairs per case")
    parser.add_argument("--output", type=Path, default=Path("docs/benchmarks.md"))
    args = parser.parse_args()
    service, raw = asyncio.run(run(args.requests))
    section = render(service, raw, "make bench", args.requests)
    write_section(args.output, section)
    sys.stdout.write(section)


if __name__ == "__main__":
    main()
