"""Analyze latency and throughput against a direct SDK call to the same emulator.

Starts the suite as real processes (emulator, quota, health, analyzer) on free ports, for
each store, then measures at concurrency 1 and 16:
- the direct call: the openai SDK asking the emulator for the same structured output the
  analyzer asks for (the floor: what any client of the provider pays);
- Analyze, fresh: a new text each time, so every request takes the whole path
  (idempotency miss, health order, quota reserve and commit, provider call, two stores);
- Analyze, replay: the same request again, answered from the idempotency cache;
and, at concurrency 1, the downstream calls a fresh Analyze makes, to show where its time goes.
Writes the figures and the command that produced them to a Markdown file.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import grpc
from openai import AsyncOpenAI

from bench.report import write_section
from sanad.analyzer.v1 import analyzer_pb2, analyzer_pb2_grpc
from sanad.health.v1 import health_pb2, health_pb2_grpc
from sanad.quota.v1 import quota_pb2, quota_pb2_grpc
from sanad_analyzer.analysis import build_messages
from sanad_analyzer.policy import PolicyType
from sanad_analyzer.providers.base import AnalysisPrompt
from sanad_analyzer.providers.openai_provider import RESPONSE_FORMAT
from sanad_common.proto_time import duration
from sanad_launcher.redis_server import RedisServer
from sanad_launcher.suite import LocalSuite, SuitePorts

CONCURRENCY_LEVELS = (1, 16)
POLICY = (
    "Returns are accepted within 3 days of delivery if the product is unopened. Refunds are "
    "issued as store credit only, and shipping fees are never refunded."
)


@dataclass(frozen=True)
class Memory:
    """Peak resident memory of one process of the suite after a store's run."""

    store: str
    process: str
    peak_rss_mib: float


def peak_rss_mib(pid: int) -> float:
    """VmHWM (peak resident set size) of a live process, from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmHWM for process {pid}")


@dataclass(frozen=True)
class Result:
    """Latency figures of one measured case."""

    case: str
    store: str
    concurrency: int
    requests: int
    p50_ms: float
    p99_ms: float
    mean_ms: float
    throughput: float


def _percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))
    return ordered[index]


async def measure(
    case: str,
    store: str,
    concurrency: int,
    requests: int,
    call: Callable[[int], Awaitable[None]],
) -> Result:
    """Run call(i) for i in range(requests) with `concurrency` workers; time each call."""
    latencies: list[float] = []
    queue: asyncio.Queue[int] = asyncio.Queue()
    for index in range(requests):
        queue.put_nowait(index)

    async def worker() -> None:
        while not queue.empty():
            index = queue.get_nowait()
            started = time.perf_counter()
            await call(index)
            latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.perf_counter() - started
    return Result(
        case=case,
        store=store,
        concurrency=concurrency,
        requests=requests,
        p50_ms=_percentile(latencies, 0.50) * 1000,
        p99_ms=_percentile(latencies, 0.99) * 1000,
        mean_ms=statistics.fmean(latencies) * 1000,
        throughput=requests / elapsed,
    )


def _request(text: str) -> analyzer_pb2.AnalyzeRequest:
    return analyzer_pb2.AnalyzeRequest(
        shop_name="Bench Shop",
        shop_specialization="electronics",
        policy_type=analyzer_pb2.POLICY_TYPE_RETURN_EXCHANGE,
        policy_text=text,
    )


async def bench_store(
    store: str, store_url: str, requests: int, workdir: Path, memory: list[Memory]
) -> list[Result]:
    """Every case on one store."""
    suite = LocalSuite(
        store_url=store_url,
        ports=SuitePorts.free(),
        log_dir=workdir / f"logs-{store}",
        with_emulator=True,
        env={
            "SANAD_STORE_NAMESPACE": f"bench-{time.time_ns()}",
            "MAX_DAILY_REQUESTS": "-1",
            "MAX_DAILY_TOKENS": "-1",
            "MAX_HOURLY_REQUESTS": "-1",
            "MAX_HOURLY_TOKENS": "-1",
            "SANAD_ANALYZER_METRICS_PORT": "0",
            "SANAD_QUOTA_METRICS_PORT": "0",
            "SANAD_HEALTH_METRICS_PORT": "0",
            "SANAD_LOG_LEVEL": "WARNING",
        },
    )
    results: list[Result] = []
    with suite:
        sdk = AsyncOpenAI(base_url=f"{suite.emulator_url}/v1", api_key="bench", max_retries=0)
        async with grpc.aio.insecure_channel(suite.analyzer_target) as channel:
            analyzer = analyzer_pb2_grpc.AnalyzerServiceStub(channel)

            async def direct(index: int) -> None:
                prompt = AnalysisPrompt(
                    shop_name="Bench Shop",
                    shop_specialization="electronics",
                    policy_type=PolicyType.RETURN_EXCHANGE,
                    policy_text=f"{POLICY} direct {store} {index}",
                )
                instructions, content = build_messages(prompt)
                await sdk.chat.completions.create(
                    model="gpt-4o-mini",
                    messages=[
                        {"role": "system", "content": instructions},
                        {"role": "user", "content": content},
                    ],
                    response_format=RESPONSE_FORMAT,
                )

            await _measure_hops(suite, store, requests, results)
            for concurrency in CONCURRENCY_LEVELS:
                run = f"c{concurrency}"

                async def fresh(index: int, run: str = run) -> None:
                    await analyzer.Analyze(_request(f"{POLICY} {store} {run} {index}"), timeout=30)

                async def replay(index: int) -> None:
                    await analyzer.Analyze(_request(POLICY), timeout=30)

                await analyzer.Analyze(_request(POLICY), timeout=30)
                results.append(
                    await measure("direct SDK call", store, concurrency, requests, direct)
                )
                results.append(await measure("Analyze, fresh", store, concurrency, requests, fresh))
                results.append(
                    await measure("Analyze, replay", store, concurrency, requests, replay)
                )
        await sdk.close()
        memory.extend(
            Memory(store, name, peak_rss_mib(pid)) for name, pid in sorted(suite.pids().items())
        )
    return results


async def _measure_hops(
    suite: LocalSuite, store: str, requests: int, results: list[Result]
) -> None:
    """The quota and health calls of one fresh Analyze, each on its own, at concurrency 1."""
    async with (
        grpc.aio.insecure_channel(f"{suite.host}:{suite.ports.quota}") as quota_channel,
        grpc.aio.insecure_channel(f"{suite.host}:{suite.ports.health}") as health_channel,
    ):
        quota = quota_pb2_grpc.QuotaServiceStub(quota_channel)
        health = health_pb2_grpc.ProviderHealthServiceStub(health_channel)

        async def order(index: int) -> None:
            await health.GetProviderOrder(health_pb2.GetProviderOrderRequest())

        async def reserve_commit(index: int) -> None:
            reserved = await quota.Reserve(
                quota_pb2.ReserveRequest(provider="openai", estimated_tokens=1000)
            )
            await quota.Commit(
                quota_pb2.CommitRequest(reservation_id=reserved.reservation_id, actual_tokens=900)
            )

        async def report(index: int) -> None:
            await health.ReportOutcome(
                health_pb2.ReportOutcomeRequest(
                    provider="openai", success=True, latency=duration(0.01)
                )
            )

        results.append(await measure("health GetProviderOrder", store, 1, requests, order))
        results.append(await measure("quota Reserve + Commit", store, 1, requests, reserve_commit))
        results.append(await measure("health ReportOutcome", store, 1, requests, report))


def render(results: list[Result], memory: list[Memory], command: str, requests: int) -> str:
    """This benchmark's section of docs/benchmarks.md."""
    lines = [
        "## Analyze latency",
        "",
        "Analyze latency and throughput, measured against a direct SDK call to the same",
        "provider emulator (the floor any client of the provider pays). Every process runs on",
        "this machine; the emulator answers at once, so the figures are Sanad's own overhead.",
        "",
        f"Command: `{command}`",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}. Requests per case: {requests}.",
        "",
        "| store | case | concurrency | p50 ms | p99 ms | mean ms | requests/s |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for result in results:
        lines.append(
            f"| {result.store} | {result.case} | {result.concurrency} | {result.p50_ms:.1f} | "
            f"{result.p99_ms:.1f} | {result.mean_ms:.1f} | {result.throughput:.0f} |"
        )
    lines += [
        "",
        "Peak resident memory of each process after the run (VmHWM):",
        "",
        "| store | process | peak RSS MiB |",
        "|---|---|---:|",
        *(f"| {m.store} | {m.process} | {m.peak_rss_mib:.0f} |" for m in memory),
        "",
        "- *direct SDK call*: `AsyncOpenAI.chat.completions.create` with the analysis schema,",
        "  straight to the emulator.",
        "- *Analyze, fresh*: a new text every time: validation, idempotency miss, provider order",
        "  from health, quota reserve and commit, the provider call through the same SDK, schema",
        "  validation, outcome report, and both stores written.",
        "- *Analyze, replay*: the same request again, answered from the idempotency cache.",
        "- *health GetProviderOrder*, *quota Reserve + Commit*, *health ReportOutcome*: the",
        "  downstream calls of one fresh Analyze, measured alone (Commit and ReportOutcome run",
        "  concurrently inside Analyze).",
        "",
        "### Reading the figures",
        "",
        "Figures move between runs on this shared 2-core machine (seen: up to a third at",
        "concurrency 1, for every row alike), so compare the rows of one run with each other.",
        "",
        "A fresh Analyze costs about ten milliseconds more than the bare SDK call at concurrency",
        "1: the provider order (one call to health), the quota reservation and its commit (two",
        "calls to quota, each an atomic store update), the outcome report (one call to health),",
        "and two store writes (idempotency cache and degradation store); the rows above add up",
        "to that. At concurrency 16 the two cores are shared by five processes (load generator,",
        "emulator, analyzer, quota, health), so throughput is CPU-bound; Redis does better than",
        "SQLite there because SQLite serialises writers on one file. A replay from the",
        "idempotency cache is one store read and costs about a millisecond.",
        "",
        "Next steps, if the overhead matters: keep the provider order in the analyzer from",
        "`WatchProviders` instead of asking for it on every request, and batch the quota commit",
        "with the next reservation.",
        "",
    ]
    return "\n".join(lines)


async def main_async(args: argparse.Namespace) -> tuple[list[Result], list[Memory]]:
    """Every store asked for, one after another."""
    results: list[Result] = []
    memory: list[Memory] = []
    with tempfile.TemporaryDirectory(prefix="sanad-bench-") as tmp:
        workdir = Path(tmp)
        for store in args.stores:
            if store == "sqlite":
                results += await bench_store(
                    store, f"sqlite:///{workdir}/bench.db", args.requests, workdir, memory
                )
            else:
                with RedisServer() as server:
                    results += await bench_store(store, server.url, args.requests, workdir, memory)
    return results, memory


def main() -> None:
    """Parse arguments, run, write the report."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=400, help="requests per case")
    parser.add_argument(
        "--stores", nargs="+", choices=("sqlite", "redis"), default=["sqlite", "redis"]
    )
    parser.add_argument("--output", type=Path, default=Path("docs/benchmarks.md"))
    args = parser.parse_args()
    results, memory = asyncio.run(main_async(args))
    command = "make bench"
    report = render(results, memory, command, args.requests)
    write_section(args.output, report)
    sys.stdout.write(report)


if __name__ == "__main__":
    main()
