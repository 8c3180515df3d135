"""Analyze latency, throughput, CPU and memory against a direct SDK call to the same emulator.

Starts the suite as real processes (emulator, quota, health, analyzer) on free ports, for
each store, and measures on that one suite, in this order:
- at concurrency 1, the downstream calls a fresh Analyze makes, each alone (where time goes);
- at concurrency 1 and 16: the direct call (the openai SDK asking the emulator for the same
  structured output the analyzer asks for: what any client of the provider pays), Analyze
  fresh (a new text each time: the whole path) and Analyze replay (the idempotency cache);
- CPU: a dedicated run of fresh Analyze, then of the direct call, reading every process's
  utime + stime from /proc before and after, and the load generator's own CPU time;
- the outage path: the emulator answers every openai request with 503 until its circuit is
  open (a long ejection keeps it open), then fresh Analyze at concurrency 1 and 16 while the
  emulator counts what openai still receives;
- peak memory (VmHWM) of each process at the end.
The figures are checked against the goals of the performance issue, written to a Markdown
section and optionally to JSON, and a JSON of an earlier run renders beside them.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import grpc
from openai import AsyncOpenAI, DefaultAioHttpClient

from bench.procstat import (
    STORE,
    add_store_argument,
    bench_suite,
    command_line,
    cpu_seconds,
    own_cpu_seconds,
    peak_rss_mib,
    percentile,
    process_label,
)
from bench.report import write_section
from sanad.analyzer.v1 import analyzer_pb2, analyzer_pb2_grpc
from sanad.health.v1 import health_pb2, health_pb2_grpc
from sanad.quota.v1 import quota_pb2, quota_pb2_grpc
from sanad_analyzer.policy import PolicyType
from sanad_analyzer.prompt import AnalysisPrompt, build_messages
from sanad_analyzer.providers.openai_provider import RESPONSE_FORMAT
from sanad_common.proto_time import duration
from sanad_emulator.control import EmulatorControl
from sanad_launcher.suite import LocalSuite

CONCURRENCY_LEVELS = (1, 16)
CPU_CONCURRENCY = 8
POLICY = (
    "Returns are accepted within 3 days of delivery if the product is unopened. Refunds are "
    "issued as store credit only, and shipping fees are never refunded."
)
DIRECT = "direct SDK call"
FRESH = "Analyze, fresh"
REPLAY = "Analyze, replay"
OUTAGE = "Analyze, fresh, openai down"
PRIMARY = "openai"
EJECTION_SECONDS = 3600.0
"""First ejection of the primary, crash or not (defaults 300 s and 30 s): long enough that its
circuit cannot half-open during the outage measurement, so any request it gets is a leak."""
SUITE_ENV = {
    "SANAD_BLACKLIST_DURATION": str(EJECTION_SECONDS),
    "SANAD_CIRCUIT_BASE_EJECTION": str(EJECTION_SECONDS),
}
OPEN_TIMEOUT = 60.0
"""Seconds the bench waits for the primary's circuit to open and the analyzer to skip it."""
CLIENT = "client"
PROVIDER = "emulator"
SERVICES = ("analyzer", "quota", "health", STORE)
"""The processes whose CPU a fresh Analyze adds to what the direct call costs."""
CPU_LABELS = {
    "analyzer": "analyzer",
    "quota": "quota",
    "health": "health",
    STORE: process_label(STORE),
    PROVIDER: "provider (emulator)",
    CLIENT: "client (this bench)",
}
"""The processes of the CPU table, in its order, by their name among the pids."""


@dataclass(frozen=True)
class Memory:
    """Peak resident memory of one process of the suite after a store's run."""

    store: str
    process: str
    peak_rss_mib: float


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


@dataclass(frozen=True)
class Cpu:
    """CPU milliseconds one process spent per request of a path (fresh Analyze or direct)."""

    store: str
    path: str
    process: str
    ms_per_request: float


@dataclass(frozen=True)
class Outage:
    """What the dead primary received while the outage path was measured."""

    store: str
    primary_requests: int
    """Requests the emulator's openai endpoint counted over the measured window."""
    circuit_open_throughout: bool
    """The circuit was OPEN before and after, and did not reopen in between."""
    answered_by: dict[str, int]


@dataclass
class Run:
    """Every figure of one run, as written to and read from JSON."""

    command: str
    machine: str
    requests: int
    cpu_requests: int
    results: list[Result] = field(default_factory=list)
    cpu: list[Cpu] = field(default_factory=list)
    outages: list[Outage] = field(default_factory=list)
    memory: list[Memory] = field(default_factory=list)

    @property
    def stores(self) -> list[str]:
        """The stores measured, in the order they ran."""
        return list(dict.fromkeys([r.store for r in self.results] + [c.store for c in self.cpu]))

    def result(self, case: str, store: str, concurrency: int) -> Result | None:
        """One case's figures, if measured."""
        for result in self.results:
            if (result.case, result.store, result.concurrency) == (case, store, concurrency):
                return result
        return None

    def cpu_of(self, store: str, path: str) -> dict[str, float]:
        """CPU ms per request of each process, for one store and path."""
        return {c.process: c.ms_per_request for c in self.cpu if (c.store, c.path) == (store, path)}

    def outage(self, store: str) -> Outage | None:
        """The outage counts of one store, if measured."""
        return next((o for o in self.outages if o.store == store), None)

    def to_json(self) -> dict[str, Any]:
        """Plain data for json.dump."""
        return asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Run:
        """A run written by to_json (of this or an earlier version of this bench)."""
        return cls(
            command=data.get("command", ""),
            machine=data.get("machine", ""),
            requests=data.get("requests", 0),
            cpu_requests=data.get("cpu_requests", 0),
            results=[Result(**item) for item in data.get("results", [])],
            cpu=[Cpu(**item) for item in data.get("cpu", [])],
            outages=[Outage(**item) for item in data.get("outages", [])],
            memory=[Memory(**item) for item in data.get("memory", [])],
        )


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
        p50_ms=percentile(latencies, 0.50) * 1000,
        p99_ms=percentile(latencies, 0.99) * 1000,
        mean_ms=statistics.fmean(latencies) * 1000,
        throughput=requests / elapsed,
    )


def analyze_request(text: str) -> analyzer_pb2.AnalyzeRequest:
    """An Analyze request for ``text``; a text not seen before takes the whole fresh path."""
    return analyzer_pb2.AnalyzeRequest(
        shop_name="Bench Shop",
        shop_specialization="electronics",
        policy_type=analyzer_pb2.POLICY_TYPE_RETURN_EXCHANGE,
        policy_text=text,
    )


async def measure_cpu(
    store: str,
    path: str,
    pids: Mapping[str, int],
    requests: int,
    call: Callable[[int], Awaitable[None]],
) -> list[Cpu]:
    """CPU per request of each process (and of this one, as the client) over `requests` calls
    at CPU_CONCURRENCY, from each process's own accounting."""
    before = {name: cpu_seconds(pid) for name, pid in pids.items()}
    client_before = own_cpu_seconds()
    await measure(path, store, CPU_CONCURRENCY, requests, call)
    spent = {name: cpu_seconds(pid) - before[name] for name, pid in pids.items()}
    spent[CLIENT] = own_cpu_seconds() - client_before
    return [Cpu(store, path, name, seconds * 1000 / requests) for name, seconds in spent.items()]


async def bench_store(store: str, args: argparse.Namespace, run: Run) -> None:
    """Every case on one store, on one suite."""
    requests: int = args.requests
    with bench_suite(store, args.workdir, "bench", SUITE_ENV) as (suite, pids):
        # The adapters' own transport (aiohttp), so the direct call's CPU compares like with like.
        sdk = AsyncOpenAI(
            base_url=f"{suite.emulator_url}/v1",
            api_key="bench",
            max_retries=0,
            http_client=DefaultAioHttpClient(),
        )
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

            def fresh(tag: str) -> Callable[[int], Awaitable[None]]:
                async def call(index: int) -> None:
                    await analyzer.Analyze(
                        analyze_request(f"{POLICY} {store} {tag} {index}"), timeout=30
                    )

                return call

            async def replay(index: int) -> None:
                await analyzer.Analyze(analyze_request(POLICY), timeout=30)

            await analyzer.Analyze(analyze_request(POLICY), timeout=30)
            if not args.cpu_only:
                await _measure_hops(suite, store, requests, run.results)
                for concurrency in CONCURRENCY_LEVELS:
                    for case, call in (
                        (DIRECT, direct),
                        (FRESH, fresh(f"c{concurrency}")),
                        (REPLAY, replay),
                    ):
                        run.results.append(await measure(case, store, concurrency, requests, call))

            run.cpu += await measure_cpu(store, FRESH, pids, args.cpu_requests, fresh("cpu"))
            run.cpu += await measure_cpu(store, DIRECT, pids, args.cpu_requests, direct)

            if not args.cpu_only:
                await _measure_outage(suite, store, requests, analyzer, run)
        await sdk.close()
        run.memory += [Memory(store, name, peak_rss_mib(pid)) for name, pid in sorted(pids.items())]


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


async def _primary_status(
    health: health_pb2_grpc.ProviderHealthServiceAsyncStub,
) -> health_pb2.ProviderStatus:
    reply = await health.GetProviderStatus(health_pb2.GetProviderStatusRequest(provider=PRIMARY))
    return reply.providers[0]


async def _open_primary_circuit(
    analyzer: analyzer_pb2_grpc.AnalyzerServiceAsyncStub,
    health: health_pb2_grpc.ProviderHealthServiceAsyncStub,
    emulator: EmulatorControl,
    store: str,
) -> None:
    """Send fresh requests until health reports the primary's circuit OPEN and a batch of
    requests leaves the primary untouched (the analyzer no longer tries it)."""
    deadline = time.monotonic() + OPEN_TIMEOUT
    index = 0
    while time.monotonic() < deadline:
        before = (await emulator.stats())[PRIMARY].requests
        for _ in range(5):
            index += 1
            await analyzer.Analyze(analyze_request(f"{POLICY} {store} opening {index}"), timeout=30)
        untouched = (await emulator.stats())[PRIMARY].requests == before
        status = await _primary_status(health)
        if untouched and status.circuit_state == health_pb2.CIRCUIT_STATE_OPEN:
            return
    raise RuntimeError(f"the {PRIMARY} circuit did not open within {OPEN_TIMEOUT:.0f} s")


async def _measure_outage(
    suite: LocalSuite,
    store: str,
    requests: int,
    analyzer: analyzer_pb2_grpc.AnalyzerServiceAsyncStub,
    run: Run,
) -> None:
    """Fresh Analyze at each concurrency while the primary answers 503 and its circuit is open;
    count what the primary receives over the measured window only."""
    async with (
        EmulatorControl(suite.emulator_url) as emulator,
        grpc.aio.insecure_channel(f"{suite.host}:{suite.ports.health}") as health_channel,
    ):
        health = health_pb2_grpc.ProviderHealthServiceStub(health_channel)
        # No count: every request gets the 503 until the fault is cleared.
        await emulator.inject(PRIMARY, "server_error", status=503)
        try:
            await _open_primary_circuit(analyzer, health, emulator, store)
            answered_by: Counter[str] = Counter()
            opened = await _primary_status(health)
            received_before = (await emulator.stats())[PRIMARY].requests
            for concurrency in CONCURRENCY_LEVELS:

                async def call(index: int, tag: str = f"outage c{concurrency}") -> None:
                    reply = await analyzer.Analyze(
                        analyze_request(f"{POLICY} {store} {tag} {index}"), timeout=30
                    )
                    answered_by[reply.provider or analyzer_pb2.Source.Name(reply.source)] += 1

                run.results.append(await measure(OUTAGE, store, concurrency, requests, call))
            received = (await emulator.stats())[PRIMARY].requests - received_before
            after = await _primary_status(health)
        finally:
            await emulator.clear(PRIMARY)
    run.outages.append(
        Outage(
            store=store,
            primary_requests=received,
            circuit_open_throughout=(
                after.circuit_state == health_pb2.CIRCUIT_STATE_OPEN
                and after.times_blacklisted == opened.times_blacklisted
            ),
            answered_by=dict(sorted(answered_by.items())),
        )
    )


@dataclass(frozen=True)
class Goal:
    """One goal of the performance issue, with what each store measured and whether it is met."""

    name: str
    target: str
    measured: dict[str, str]
    met: dict[str, bool]

    @property
    def verdict(self) -> str:
        """yes when every store measured meets it; otherwise which stores do not."""
        failing = [store for store, met in self.met.items() if not met]
        if not self.met:
            return "not measured"
        return "yes" if not failing else "no (" + ", ".join(failing) + ")"


def cpu_totals(run: Run, store: str) -> tuple[float, float] | None:
    """CPU ms per request of the services (analyzer, quota, health, store) on the fresh path,
    and of the direct call (client + provider); None if not measured."""
    fresh, direct = run.cpu_of(store, FRESH), run.cpu_of(store, DIRECT)
    if not fresh or not direct:
        return None
    services = sum(fresh.get(name, 0.0) for name in SERVICES)
    return services, direct[CLIENT] + direct[PROVIDER]


def evaluate_goals(run: Run) -> list[Goal]:
    """The issue's goals, checked against this run's figures, store by store."""
    goals: list[Goal] = []

    def goal(
        name: str,
        target: str,
        value: Callable[[str], float | None],
        fmt: str,
        met: Callable[[float], bool],
    ) -> None:
        measured: dict[str, str] = {}
        verdicts: dict[str, bool] = {}
        for store in run.stores:
            figure = value(store)
            if figure is None:
                measured[store] = "—"
                continue
            measured[store] = fmt.format(figure)
            verdicts[store] = met(figure)
        goals.append(Goal(name, target, measured, verdicts))

    def diff(case: str, concurrency: int, base: str, attr: str) -> Callable[[str], float | None]:
        def value(store: str) -> float | None:
            a, b = run.result(case, store, concurrency), run.result(base, store, concurrency)
            if a is None or b is None:
                return None
            figure: float = getattr(a, attr) - getattr(b, attr)
            return figure

        return value

    def share(case: str, base: str) -> Callable[[str], float | None]:
        def value(store: str) -> float | None:
            a, b = run.result(case, store, 16), run.result(base, store, 16)
            return None if a is None or b is None else a.throughput / b.throughput

        return value

    def figure(case: str, attr: str) -> Callable[[str], float | None]:
        def value(store: str) -> float | None:
            result = run.result(case, store, 16)
            return None if result is None else float(getattr(result, attr))

        return value

    def dead_primary() -> Goal:
        # A circuit that reopened mid-measurement invalidates the count: it fails the goal.
        measured: dict[str, str] = {}
        verdicts: dict[str, bool] = {}
        for store in run.stores:
            outage = run.outage(store)
            if outage is None:
                measured[store] = "—"
                continue
            reopened = "" if outage.circuit_open_throughout else " (circuit reopened)"
            measured[store] = f"{outage.primary_requests}{reopened}"
            verdicts[store] = outage.primary_requests == 0 and outage.circuit_open_throughout
        return Goal("requests openai received while its circuit was open", "0", measured, verdicts)

    def cpu_ratio(store: str) -> float | None:
        totals = cpu_totals(run, store)
        return None if totals is None or totals[1] <= 0 else totals[0] / totals[1]

    def peak_memory(store: str) -> float | None:
        peaks = [m.peak_rss_mib for m in run.memory if m.store == store]
        return max(peaks) if peaks else None

    goal("fresh − direct, c=1, p50", "≤ 2.5 ms", diff(FRESH, 1, DIRECT, "p50_ms"),
         "{:.1f} ms", lambda v: v <= 2.5)  # fmt: skip
    goal("fresh − direct, c=1, p99", "≤ 6 ms", diff(FRESH, 1, DIRECT, "p99_ms"),
         "{:.1f} ms", lambda v: v <= 6)  # fmt: skip
    goal("fresh ÷ direct throughput, c=16", "≥ 70 %", share(FRESH, DIRECT),
         "{:.0%}", lambda v: v >= 0.70)  # fmt: skip
    goal("openai down − healthy fresh, c=1, p50", "≤ 0 ms", diff(OUTAGE, 1, FRESH, "p50_ms"),
         "{:+.1f} ms", lambda v: v <= 0)  # fmt: skip
    goal("openai down − healthy fresh, c=1, p99", "≤ 0 ms", diff(OUTAGE, 1, FRESH, "p99_ms"),
         "{:+.1f} ms", lambda v: v <= 0)  # fmt: skip
    goal("openai down ÷ healthy fresh throughput, c=16", "≥ 100 %", share(OUTAGE, FRESH),
         "{:.0%}", lambda v: v >= 1.0)  # fmt: skip
    goals.append(dead_primary())
    goal("replay throughput, c=16", "≥ 1,500 req/s", figure(REPLAY, "throughput"),
         "{:,.0f} req/s", lambda v: v >= 1500)  # fmt: skip
    goal("replay p99, c=16", "≤ 15 ms", figure(REPLAY, "p99_ms"),
         "{:.1f} ms", lambda v: v <= 15)  # fmt: skip
    goal("CPU per fresh request: services ÷ (direct client + provider)", "≤ 2", cpu_ratio,
         "{:.2f}", lambda v: v <= 2)  # fmt: skip
    goal("largest peak RSS (VmHWM) of a process after this run", "≤ 120 MiB", peak_memory,
         "{:.0f} MiB", lambda v: v <= 120)  # fmt: skip
    return goals


def render_goals(run: Run) -> list[str]:
    """The goals table: one row per goal, one column per store."""
    stores = run.stores
    lines = [
        "| goal | target | " + " | ".join(f"{s} measured" for s in stores) + " | met |",
        "|---|---|" + "---:|" * len(stores) + "---|",
    ]
    for goal in evaluate_goals(run):
        cells = " | ".join(goal.measured.get(store, "—") for store in stores)
        lines.append(f"| {goal.name} | {goal.target} | {cells} | {goal.verdict} |")
    return lines


def headline(run: Run) -> dict[tuple[str, str], float]:
    """The figures compared before and after, by (store, figure)."""
    rows: dict[tuple[str, str], float] = {}
    picks = (
        (DIRECT, 1, "p50_ms", "direct SDK call, c=1, p50 ms"),
        (FRESH, 1, "p50_ms", "Analyze fresh, c=1, p50 ms"),
        (FRESH, 16, "throughput", "Analyze fresh, c=16, req/s"),
        (DIRECT, 16, "throughput", "direct SDK call, c=16, req/s"),
        (REPLAY, 16, "throughput", "Analyze replay, c=16, req/s"),
        (REPLAY, 16, "p99_ms", "Analyze replay, c=16, p99 ms"),
    )
    for store in run.stores:
        for case, concurrency, attr, label in picks:
            result = run.result(case, store, concurrency)
            if result is not None:
                rows[store, label] = float(getattr(result, attr))
        fresh, direct = run.cpu_of(store, FRESH), run.cpu_of(store, DIRECT)
        for process, label in CPU_LABELS.items():
            if process in fresh:
                rows[store, f"CPU ms per fresh request: {label}"] = fresh[process]
        for process in (CLIENT, PROVIDER):
            if process in direct:
                rows[store, f"CPU ms per direct request: {CPU_LABELS[process]}"] = direct[process]
        totals = cpu_totals(run, store)
        if totals is not None:
            rows[store, "CPU ms per fresh request: analyzer + quota + health + store"] = totals[0]
            if totals[1] > 0:
                rows[store, "CPU ratio: services ÷ (direct client + provider)"] = (
                    totals[0] / totals[1]
                )
    return rows


def render_before_after(before: Run, after: Run) -> list[str]:
    """The headline figures of an earlier run beside this one's."""
    old, new = headline(before), headline(after)
    lines = [
        "| store | figure | before | after | change |",
        "|---|---|---:|---:|---:|",
    ]
    for key in [*new, *(key for key in old if key not in new)]:
        was, now = old.get(key), new.get(key)
        change = f"{now / was - 1:+.0%}" if was is not None and now is not None and was > 0 else "—"
        cells = [f"{v:,.2f}" if v is not None else "—" for v in (was, now)]
        lines.append(f"| {key[0]} | {key[1]} | {cells[0]} | {cells[1]} | {change} |")
    return lines


def _cpu_table(run: Run, store: str) -> list[str]:
    fresh, direct = run.cpu_of(store, FRESH), run.cpu_of(store, DIRECT)
    totals = cpu_totals(run, store)
    if totals is None:
        return []
    names = {**CPU_LABELS, STORE: CPU_LABELS[STORE] if STORE in fresh else "store (SQLite)"}

    def cell(values: dict[str, float], process: str) -> str:
        if process == STORE and process not in values:
            return "in process"
        return f"{values[process]:.2f}" if process in values else "—"

    lines = [
        f"{store}, CPU ms per request ({run.cpu_requests} requests at concurrency "
        f"{CPU_CONCURRENCY}):",
        "",
        "| process | Analyze, fresh | direct SDK call |",
        "|---|---:|---:|",
    ]
    lines += [
        f"| {label} | {cell(fresh, process)} | {cell(direct, process)} |"
        for process, label in names.items()
    ]
    services, floor = totals
    ratio = f"{services / floor:.2f}" if floor > 0 else "—"
    lines += [
        f"| **analyzer + quota + health + store** | **{services:.2f}** | |",
        f"| **direct: client + provider** | | **{floor:.2f}** |",
        f"| **ratio** | **{ratio}** | |",
        "",
    ]
    return lines


def render(run: Run, before: Run | None = None) -> str:
    """This benchmark's section of docs/benchmarks.md."""
    lines = [
        "## Analyze latency",
        "",
        "Analyze latency, throughput, CPU and memory, measured against a direct SDK call to",
        "the same provider emulator (the floor any client of the provider pays). Every process",
        "runs on this machine; the emulator answers at once, so the figures are Sanad's own",
        "overhead.",
        "",
        f"Command: `{run.command}`",
        "",
        f"Machine: {run.machine}. Requests per case: {run.requests}; CPU runs: "
        f"{run.cpu_requests} requests at concurrency {CPU_CONCURRENCY}.",
        "",
        "### Goals",
        "",
        *render_goals(run),
        "",
    ]
    if before is not None:
        lines += [
            "### Before → after",
            "",
            f"Before: `{before.command}` ({before.machine}, {before.requests} requests per case).",
            "",
            *render_before_after(before, run),
            "",
        ]
    lines += [
        "### Latency and throughput",
        "",
        "| store | case | concurrency | p50 ms | p99 ms | mean ms | requests/s |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {r.store} | {r.case} | {r.concurrency} | {r.p50_ms:.1f} | {r.p99_ms:.1f} | "
        f"{r.mean_ms:.1f} | {r.throughput:.0f} |"
        for r in run.results
        if r.case != OUTAGE
    ]
    lines += [
        "",
        "### Outage path: openai answers 503, its circuit open",
        "",
        "| store | concurrency | p50 ms | p99 ms | requests/s | healthy p50 ms | healthy p99 ms "
        "| healthy requests/s |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in run.results:
        healthy = run.result(FRESH, r.store, r.concurrency) if r.case == OUTAGE else None
        if healthy is not None:
            lines.append(
                f"| {r.store} | {r.concurrency} | {r.p50_ms:.1f} | {r.p99_ms:.1f} | "
                f"{r.throughput:.0f} | {healthy.p50_ms:.1f} | {healthy.p99_ms:.1f} | "
                f"{healthy.throughput:.0f} |"
            )
    lines += [
        "",
        "| store | requests openai received while open | circuit open throughout | answered by |",
        "|---|---:|---|---|",
    ]
    for outage in run.outages:
        answered = ", ".join(f"{name} {count}" for name, count in outage.answered_by.items())
        lines.append(
            f"| {outage.store} | {outage.primary_requests} | "
            f"{'yes' if outage.circuit_open_throughout else 'no'} | {answered} |"
        )
    lines += ["", "### CPU per request", ""]
    for store in run.stores:
        lines += _cpu_table(run, store)
    lines += [
        "### Memory",
        "",
        "Peak resident memory of each process after the run (VmHWM):",
        "",
        "| store | process | peak RSS MiB |",
        "|---|---|---:|",
        *(f"| {m.store} | {process_label(m.process)} | {m.peak_rss_mib:.0f} |" for m in run.memory),
        "",
        "### What is measured",
        "",
        "- *direct SDK call*: `AsyncOpenAI.chat.completions.create` with the analysis schema,",
        "  straight to the emulator, on the SDK's aiohttp transport (the adapters' own).",
        "- *Analyze, fresh*: a new text every time: validation, idempotency miss, provider order,",
        "  quota reserve and commit, the provider call through the same SDK, schema validation,",
        "  outcome report, and both stores written.",
        "- *Analyze, replay*: the same request again, answered from the idempotency cache.",
        "- *health GetProviderOrder*, *quota Reserve + Commit*, *health ReportOutcome*: the",
        "  downstream calls of one fresh Analyze, measured alone at concurrency 1.",
        "- Goals: the fresh-path overhead is p50(fresh) − p50(direct) and p99(fresh) −",
        "  p99(direct) at concurrency 1; the throughput share is fresh ÷ direct requests/s at",
        "  concurrency 16, both from the same run on the same suite.",
        "- Outage path: the emulator answers every openai request with 503 (a crash, which opens",
        f"  the circuit at once); the suite runs with a first ejection of {EJECTION_SECONDS:.0f} s",
        "  so the circuit cannot half-open during the measurement. Fresh requests are sent until",
        "  health's GetProviderStatus reports the circuit OPEN and a batch of requests leaves",
        "  openai untouched; then fresh Analyze runs at concurrency 1 and 16 and is compared",
        "  with the healthy fresh rows of the same run. The requests openai received are the",
        "  emulator's counter over the measured window only; *circuit open throughout* checks",
        "  that the circuit was OPEN before and after and was not opened again in between. The",
        "  fault is cleared afterwards.",
        "- CPU: a dedicated run of fresh Analyze, then one of the direct call, each reading every",
        "  process's utime + stime (/proc/PID/stat) before and after, divided by the requests;",
        "  the client row is this bench's own process time. The ratio is (analyzer + quota +",
        "  health + store) of the fresh run over (client + provider) of the direct run. With",
        "  SQLite the store runs inside the services, so its CPU is in their rows.",
        "- Memory: VmHWM of each process at the end of its store's run; the memory soak section",
        "  measures resident memory over many more requests.",
        "- Figures move between runs on this shared 2-core machine, for every row alike: compare",
        "  the rows of one run with each other, and before with after only from runs on the same",
        "  machine.",
        "",
    ]
    return "\n".join(lines)


async def main_async(args: argparse.Namespace, run: Run) -> None:
    """Every store asked for, one after another."""
    with tempfile.TemporaryDirectory(prefix="sanad-bench-") as tmp:
        args.workdir = Path(tmp)
        for store in args.stores:
            await bench_store(store, args, run)


def main() -> None:
    """Parse arguments, run, write the report (and the JSON)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=400, help="requests per case")
    parser.add_argument(
        "--cpu-requests", type=int, default=600, help="requests of each CPU run (concurrency 8)"
    )
    parser.add_argument(
        "--cpu-only",
        action="store_true",
        help="only the CPU runs (for before/after figures); the report section is not written",
    )
    add_store_argument(parser)
    parser.add_argument("--output", type=Path, default=Path("docs/benchmarks.md"))
    parser.add_argument("--json", type=Path, help="also write every figure to this JSON file")
    parser.add_argument(
        "--before", type=Path, help="JSON of an earlier run (--json) to render beside this one"
    )
    args = parser.parse_args()
    before = Run.from_json(json.loads(args.before.read_text())) if args.before else None
    run = Run(
        command=command_line("bench.analyze_latency"),
        machine=f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        requests=args.requests,
        cpu_requests=args.cpu_requests,
    )
    asyncio.run(main_async(args, run))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(run.to_json(), indent=2) + "\n")
    if args.cpu_only:
        sys.stdout.write("\n".join(line for store in run.stores for line in _cpu_table(run, store)))
        return
    report = render(run, before)
    write_section(args.output, report)
    sys.stdout.write(report)


if __name__ == "__main__":
    main()
