"""Memory soak: throughput, resident memory and store memory over many fresh Analyze requests.

Starts the suite as real processes (same environment as the latency bench, no quota limit)
for each store, sends N fresh Analyze requests (distinct texts, so each takes the whole path
and adds to every cache and store) at concurrency 16, and after every N/10 requests records
the tenth's throughput, the services' CPU per request, VmRSS of analyzer, quota, health,
emulator and (Redis) redis-server, and Redis's ``used_memory``. Goals: the last tenth's
throughput at least THROUGHPUT_GOAL of the first's (the store does not slow as it fills); at
most RSS_LIMIT_MIB per service process with no growth over the last half (a leak shows as
growth once bounded caches are full). The CPU per request is the same question asked in a way
other work on the machine does not answer for it: a store that slows as it fills costs more
CPU per request, whereas a tenth that merely shared the cores keeps its CPU per request.

Each store's soak can run as its own process (``--stores sqlite --json a.json``), and
``--render a.json b.json`` writes the section from several saved runs without soaking.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Final

import grpc
import redis.asyncio as aioredis

from bench.analyze_latency import POLICY, analyze_request, measure
from bench.procstat import (
    STORE,
    add_store_argument,
    bench_suite,
    command_line,
    cpu_seconds,
    peak_rss_mib,
    process_label,
    rss_mib,
)
from bench.report import provenance, write_section
from sanad.analyzer.v1 import analyzer_pb2_grpc

CONCURRENCY = 16
SAMPLES = 10
RSS_LIMIT_MIB = 120.0
THROUGHPUT_GOAL = 0.9
"""Least share of the first tenth's throughput the last tenth must keep."""
CALIBRATION_ROUNDS = 30_000
"""SHA-256 rounds of the machine-speed probe: about 20 ms of one core here."""
GROWTH_TOLERANCE_MIB = 1.0
"""Growth over the last half below which memory counts as flat: allocator and page noise.
A leak of 20 bytes per request is 1 MiB over 50,000 requests."""
KEY_SAMPLE = 200
"""Keys of each kind whose MEMORY USAGE is read to estimate what that kind takes."""
LIMITED = ("analyzer", "quota", "health")
"""The service processes the RSS limit applies to (redis-server holds the data it is given,
the emulator stands in for the providers)."""
SERVICES = (*LIMITED, STORE)
"""The processes whose CPU per request is Sanad's cost (the store's server when there is
one; SQLite runs inside the services)."""


@dataclass(frozen=True)
class Soak:
    """VmRSS samples of one process over one store's soak, and its peak."""

    store: str
    process: str
    rss_mib: list[float]
    """Sample k (1..SAMPLES) is taken after k x N/SAMPLES requests."""
    peak_mib: float

    @property
    def half(self) -> float:
        """RSS after N/2 requests."""
        return self.rss_mib[len(self.rss_mib) // 2 - 1]

    @property
    def end(self) -> float:
        """RSS after N requests."""
        return self.rss_mib[-1]

    @property
    def growth_mib(self) -> float:
        """Growth over the last half."""
        return self.end - self.half

    @property
    def met(self) -> bool:
        """Flat over the last half, and (for a service process) at most RSS_LIMIT_MIB."""
        limited = self.process in LIMITED
        return (not limited or self.end <= RSS_LIMIT_MIB) and self.growth_mib <= (
            GROWTH_TOLERANCE_MIB
        )


@dataclass(frozen=True)
class KeyKind:
    """What one kind of Redis key takes at the end of a soak."""

    kind: str
    keys: int
    mean_bytes: float
    """Mean MEMORY USAGE over a sample of KEY_SAMPLE keys of the kind."""


@dataclass(frozen=True)
class StoreRun:
    """One store's soak: throughput per tenth, every process's memory, Redis's growth."""

    store: str
    requests: int
    throughput: list[float]
    """Fresh requests a second over each tenth."""
    processes: list[Soak]
    redis_bytes: list[int]
    """Redis ``used_memory`` before the first request, then after each tenth (empty on
    SQLite)."""
    key_kinds: list[KeyKind]
    cpu_ms: list[float] = field(default_factory=list)
    """CPU milliseconds per request of the services (SERVICES) over each tenth; empty in
    runs saved before it was measured."""
    process_cpu_ms: dict[str, list[float]] = field(default_factory=dict)
    """The same, per service process: which one costs more as the store fills."""
    calibration_ms: list[float] = field(default_factory=list)
    """CPU milliseconds of a fixed piece of work after each tenth (``machine_speed_probe``):
    when the host slows every process alike, this grows with the CPU per request."""

    @property
    def calibrated_cpu_ratio(self) -> float | None:
        """The CPU-per-request ratio with the machine's own change of speed taken out."""
        if self.cpu_ratio is None or len(self.calibration_ms) != SAMPLES:
            return None
        return self.cpu_ratio / (self.calibration_ms[-1] / self.calibration_ms[0])

    @property
    def calibrated_cpu_met(self) -> bool:
        """``cpu_met``'s goal, on the ratio with the machine's speed taken out."""
        return _cpu_goal_met(self.calibrated_cpu_ratio)

    @property
    def ratio(self) -> float:
        """The last tenth's throughput over the first's."""
        return self.throughput[-1] / self.throughput[0]

    @property
    def cpu_ratio(self) -> float | None:
        """The last tenth's CPU per request over the first's (None when not measured)."""
        return self.cpu_ms[-1] / self.cpu_ms[0] if len(self.cpu_ms) == SAMPLES else None

    @property
    def cpu_met(self) -> bool:
        """The last tenth cost at most 1 / THROUGHPUT_GOAL of the first's CPU per request:
        the same goal as throughput's, on a figure the machine's other work does not move."""
        return _cpu_goal_met(self.cpu_ratio)

    @property
    def throughput_met(self) -> bool:
        """Every tenth ran, and the last kept at least THROUGHPUT_GOAL of the first's."""
        return len(self.throughput) == SAMPLES and self.ratio >= THROUGHPUT_GOAL

    @property
    def bytes_per_answer(self) -> float | None:
        """Redis's growth per fresh answer over the whole soak."""
        if not self.redis_bytes:
            return None
        return (self.redis_bytes[-1] - self.redis_bytes[0]) / self.requests

    def to_json(self) -> dict[str, Any]:
        """The run as JSON, for --render."""
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> StoreRun:
        """A run saved by to_json."""
        return cls(
            store=data["store"],
            requests=data["requests"],
            throughput=data["throughput"],
            processes=[Soak(**item) for item in data["processes"]],
            redis_bytes=data["redis_bytes"],
            key_kinds=[KeyKind(**item) for item in data["key_kinds"]],
            cpu_ms=data.get("cpu_ms", []),
            process_cpu_ms=data.get("process_cpu_ms", {}),
            calibration_ms=data.get("calibration_ms", []),
        )


def key_kind(key: str) -> str:
    """A Redis key's kind, its namespace and the store's sub-prefix (``e:``, ``set:``...)
    dropped: ``answer``, ``idempotency``, ``similarity:band``, ``quota:{openai}:res``..."""
    parts = key.split(":")[2:]
    depth = {"similarity": 2, "quota": 3}.get(parts[0], 1) if parts else 1
    return ":".join(parts[:depth])


async def redis_key_kinds(client: aioredis.Redis) -> list[KeyKind]:
    """Every key kind in Redis, with a sampled mean size."""
    counts: Counter[str] = Counter()
    samples: dict[str, list[str]] = {}
    async for raw in client.scan_iter(count=1000):
        key = raw.decode()
        kind = key_kind(key)
        counts[kind] += 1
        if len(samples.setdefault(kind, [])) < KEY_SAMPLE:
            samples[kind].append(key)
    kinds = []
    for kind, keys in samples.items():
        sizes = [await client.memory_usage(key) or 0 for key in keys]
        kinds.append(KeyKind(kind, counts[kind], sum(sizes) / len(sizes)))
    return sorted(kinds, key=lambda k: -k.keys * k.mean_bytes)


def _cpu_goal_met(ratio: float | None) -> bool:
    """The last tenth cost at most 1 / THROUGHPUT_GOAL of the first's CPU per request."""
    return ratio is not None and ratio <= 1 / THROUGHPUT_GOAL


def machine_speed_probe() -> float:
    """CPU milliseconds this process spends on a fixed piece of work, the best of three: a
    shared virtual machine's speed drifts by tens of percent over minutes, every process's
    alike, and this shows it (taken between tenths, while the suite is idle)."""
    best = float("inf")
    for _ in range(3):
        started = time.thread_time()
        digest = b""
        for _ in range(CALIBRATION_ROUNDS):
            digest = hashlib.sha256(digest).digest()
        best = min(best, (time.thread_time() - started) * 1000)
    return best


async def used_memory(client: aioredis.Redis | None) -> list[int]:
    """Redis's used_memory as a one-item list, or nothing without Redis."""
    if client is None:
        return []
    info = await client.info("memory")
    return [int(info["used_memory"])]


async def soak_store(
    store: str, requests: int, workdir: Path, progress: Callable[[StoreRun], None]
) -> StoreRun:
    """N fresh requests on one store's suite, sampling throughput and memory as they go;
    progress is given the run so far after each tenth (a stopped run keeps its tenths)."""
    with bench_suite(store, workdir, "bench-soak") as (suite, pids):
        samples: dict[str, list[float]] = {name: [] for name in pids}
        client = aioredis.from_url(suite.store_url) if STORE in pids else None
        redis_bytes = await used_memory(client)
        throughput: list[float] = []
        cpu_ms: list[float] = []
        calibration_ms: list[float] = []
        services = {name: pid for name, pid in pids.items() if name in SERVICES}
        process_cpu_ms: dict[str, list[float]] = {process_label(name): [] for name in services}
        step = requests // SAMPLES
        started = time.monotonic()

        def run_so_far(kinds: list[KeyKind]) -> StoreRun:
            processes = [
                Soak(store, process_label(name), samples[name], peak_rss_mib(pid))
                for name, pid in sorted(pids.items())
            ]
            return StoreRun(
                store,
                requests,
                throughput,
                processes,
                redis_bytes,
                kinds,
                cpu_ms,
                process_cpu_ms,
                calibration_ms,
            )

        async with grpc.aio.insecure_channel(suite.analyzer_target) as channel:
            analyzer = analyzer_pb2_grpc.AnalyzerServiceStub(channel)
            for sample in range(1, SAMPLES + 1):

                async def fresh(index: int, sample: int = sample) -> None:
                    text = f"{POLICY} soak {store} {sample} {index}"
                    await analyzer.Analyze(analyze_request(text), timeout=30)

                cpu_before = {name: cpu_seconds(pid) for name, pid in services.items()}
                result = await measure("soak", store, CONCURRENCY, step, fresh)
                cpu_after = {name: cpu_seconds(pid) for name, pid in services.items()}
                throughput.append(result.throughput)
                spent = {name: cpu_after[name] - cpu_before[name] for name in services}
                cpu_ms.append(sum(spent.values()) * 1000 / step)
                for name, seconds in spent.items():
                    process_cpu_ms[process_label(name)].append(seconds * 1000 / step)
                calibration_ms.append(machine_speed_probe())
                redis_bytes += await used_memory(client)
                for name, pid in pids.items():
                    samples[name].append(rss_mib(pid))
                elapsed = time.monotonic() - started
                left = elapsed / sample * (SAMPLES - sample)
                print(
                    f"soak {store}: {sample * step}/{step * SAMPLES} requests, "
                    f"{result.throughput:.1f} req/s, {cpu_ms[-1]:.2f} CPU ms/request, "
                    f"{elapsed:.0f} s, about {left:.0f} s left; RSS "
                    + ", ".join(f"{name} {values[-1]:.0f}" for name, values in samples.items()),
                    file=sys.stderr,
                    flush=True,
                )
                if sample < SAMPLES:
                    progress(run_so_far([]))
        kinds = await redis_key_kinds(client) if client is not None else []
        if client is not None:
            await client.aclose()
        run = run_so_far(kinds)
        progress(run)
        return run


_Column = tuple[str, str]
"""A table column: its name and its alignment rule ("---:" numbers, "---" text)."""
_STORE: Final[_Column] = ("store", "---")
_RATIO_MET: Final[list[_Column]] = [("last / first", "---:"), ("met", "---")]
"""The closing columns of a table whose goal is a last-to-first ratio."""


def _tenths_header(before: list[_Column], after: list[_Column]) -> list[str]:
    """The header and rule of a table: the ``before`` columns, one number column per tenth,
    then the ``after`` columns."""
    columns = [*before, *((str(k), "---:") for k in range(1, SAMPLES + 1)), *after]
    names = [name for name, _ in columns]
    rules = [rule for _, rule in columns]
    return ["| " + " | ".join(names) + " |", "|" + "|".join(rules) + "|"]


def _tenths(values: list[float], decimals: int) -> str:
    """One table cell per tenth; "not run" for the tenths a stopped soak did not reach."""
    return " | ".join(
        f"{values[k]:.{decimals}f}" if k < len(values) else "not run" for k in range(SAMPLES)
    )


def render(runs: list[StoreRun], command: str) -> str:
    """This benchmark's section of docs/benchmarks.md."""
    lines = [
        "## Memory soak",
        "",
        *provenance(command),
        "",
        f"Fresh Analyze requests (distinct texts) at concurrency {CONCURRENCY}, per store; after",
        "every tenth of them, that tenth's throughput, VmRSS of each process and Redis's",
        f"used_memory. Goals: the last tenth at least {THROUGHPUT_GOAL:.0%} of the first tenth's",
        f"throughput; analyzer, quota and health at most {RSS_LIMIT_MIB:.0f} MiB after the last",
        f"request, and no process growing over the last half (up to {GROWTH_TOLERANCE_MIB:.0f} MiB",
        "counts as noise).",
        "",
        "### Throughput per tenth (fresh requests a second)",
        "",
        *_tenths_header([_STORE, ("requests", "---:")], _RATIO_MET),
    ]
    lines += [
        f"| {run.store} | {run.requests:,} | {_tenths(run.throughput, 1)} | "
        f"{run.ratio:.0%} | {'yes' if run.throughput_met else 'no'} |"
        for run in runs
    ]
    measured = [run for run in runs if run.cpu_ms]
    if measured:
        lines += [
            "",
            "### CPU per fresh request per tenth (ms, analyzer + quota + health + store)",
            "",
            "The same question as throughput's, in a figure other work on the machine does not",
            "move: a store that slows as it fills costs more CPU per request. Goal: the last",
            f"tenth at most {1 / THROUGHPUT_GOAL:.0%} of the first's.",
            "",
            *_tenths_header([_STORE], _RATIO_MET),
        ]
        lines += [
            f"| {run.store} | {_tenths(run.cpu_ms, 2)} | "
            f"{f'{run.cpu_ratio:.0%}' if run.cpu_ratio is not None else 'not run'} | "
            f"{'yes' if run.cpu_met else 'no'} |"
            for run in measured
        ]
    split = [run for run in measured if run.process_cpu_ms]
    if split:
        lines += [
            "",
            "The same per process (ms per fresh request over each tenth):",
            "",
            *_tenths_header([_STORE, ("process", "---")], _RATIO_MET[:1]),
        ]
        lines += [
            f"| {run.store} | {process} | {_tenths(values, 2)} | {values[-1] / values[0]:.0%} |"
            for run in split
            for process, values in sorted(run.process_cpu_ms.items())
            if len(values) == SAMPLES and values[0] > 0
        ]
    calibrated = [run for run in measured if run.calibrated_cpu_ratio is not None]
    if calibrated:
        lines += [
            "",
            "The machine's own speed over the same tenths: CPU ms of a fixed piece of work",
            "(`machine_speed_probe`, taken after each tenth while the suite is idle). When it",
            "moves with the CPU per request, the host slowed every process, not the store; the",
            "last column divides it out of the CPU-per-request ratio.",
            "",
            *_tenths_header(
                [_STORE],
                [_RATIO_MET[0], ("CPU per request, machine taken out", "---:"), _RATIO_MET[1]],
            ),
        ]
        lines += [
            f"| {run.store} | {_tenths(run.calibration_ms, 1)} | "
            f"{run.calibration_ms[-1] / run.calibration_ms[0]:.0%} | "
            f"{run.calibrated_cpu_ratio:.0%} | {'yes' if run.calibrated_cpu_met else 'no'} |"
            for run in calibrated
        ]
    lines += [
        "",
        "### Resident memory per process",
        "",
        "| store | process | RSS MiB at half-way | RSS MiB at the end | growth MiB | "
        "peak MiB (VmHWM) | met |",
        "|---|---|---:|---:|---:|---:|---|",
    ]
    lines += [
        f"| {s.store} | {s.process} | {s.half:.1f} | {s.end:.1f} | {s.growth_mib:+.1f} | "
        f"{s.peak_mib:.1f} | {'yes' if s.met else 'no'} |"
        for run in runs
        for s in run.processes
    ]
    for run in runs:
        per_answer = run.bytes_per_answer
        if per_answer is None:
            continue
        lines += [
            "",
            f"### Redis memory per answer ({run.store}, {run.requests:,} requests)",
            "",
            f"used_memory grew by {per_answer:,.0f} bytes per fresh answer. What is in Redis at",
            f"the end, by kind of key (mean MEMORY USAGE of up to {KEY_SAMPLE} keys of each):",
            "",
            "| kind | keys | mean bytes | bytes per answer |",
            "|---|---:|---:|---:|",
        ]
        lines += [
            f"| `{kind.kind}` | {kind.keys:,} | {kind.mean_bytes:,.0f} | "
            f"{kind.keys * kind.mean_bytes / run.requests:,.0f} |"
            for kind in run.key_kinds
        ]
    lines += [
        "",
        "- RSS (VmRSS, /proc/PID/status) is read after each tenth; growth is RSS at the end",
        "  minus RSS at half-way, so start-up and the filling of bounded caches fall in the first",
        "  half. Peak is VmHWM at the end. With SQLite the store lives in the services' own",
        "  memory; redis-server's memory is the data the stores keep, which grows with distinct",
        "  texts until their entries expire (single-flight outcomes after 60 s, idempotency",
        "  entries after 24 h, answers and degradation entries after 7 days).",
        "- Throughput is measured on a shared machine: a tenth that shared the cores with other",
        "  work is slower for that reason alone.",
        "",
    ]
    return "\n".join(lines)


async def main_async(args: argparse.Namespace) -> list[StoreRun]:
    """Every store asked for, one after another; with --json, the runs so far are saved after
    every tenth."""
    runs: list[StoreRun] = []

    def save(current: StoreRun) -> None:
        if args.json:
            write_json(args.json, [*runs, current])

    with tempfile.TemporaryDirectory(prefix="sanad-bench-soak-") as tmp:
        for store in args.stores:
            runs.append(await soak_store(store, args.requests, Path(tmp), save))
    return runs


def write_json(path: Path, runs: list[StoreRun]) -> None:
    """Save runs for --render."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps([run.to_json() for run in runs], indent=1))


def main() -> None:
    """Parse arguments, soak (or read saved runs), write the section."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=100_000, help="fresh requests per store")
    add_store_argument(parser)
    parser.add_argument("--output", type=Path, default=Path("docs/benchmarks.md"))
    parser.add_argument("--json", type=Path, help="also save this run's figures here")
    parser.add_argument(
        "--render", type=Path, nargs="+", help="write the section from saved runs; no soak"
    )
    args = parser.parse_args()
    if args.requests < SAMPLES or args.requests % SAMPLES:
        parser.error(f"--requests must be a multiple of {SAMPLES}")
    if args.render:
        runs = [
            StoreRun.from_json(item)
            for path in args.render
            for item in json.loads(path.read_text())
        ]
    else:
        runs = asyncio.run(main_async(args))
    report = render(runs, command_line("bench.memory_soak"))
    write_section(args.output, report)
    sys.stdout.write(report)


if __name__ == "__main__":
    main()
