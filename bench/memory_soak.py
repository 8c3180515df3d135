"""Memory soak: resident memory of every process over many fresh Analyze requests.

Starts the suite as real processes (same environment as the latency bench, no quota limit)
for each store, sends N fresh Analyze requests (distinct texts, so each takes the whole path
and adds to every cache and store) at concurrency 16, and samples VmRSS of analyzer, quota,
health, emulator and (Redis) redis-server every N/10 requests. A leak shows as growth over
the second half, when caches should have reached their bounds; the goal is at most
RSS_LIMIT_MIB per process at N with no growth over the last half.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import grpc

from bench.analyze_latency import POLICY, analyze_request, measure
from bench.procstat import (
    add_store_argument,
    bench_suite,
    command_line,
    peak_rss_mib,
    process_label,
    rss_mib,
)
from bench.report import write_section
from sanad.analyzer.v1 import analyzer_pb2_grpc

CONCURRENCY = 16
SAMPLES = 10
RSS_LIMIT_MIB = 120.0
GROWTH_TOLERANCE_MIB = 1.0
"""Growth over the last half below which memory counts as flat: allocator and page noise.
A leak of 20 bytes per request is 1 MiB over 50,000 requests."""


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
        """At most RSS_LIMIT_MIB at the end, and flat over the last half."""
        return self.end <= RSS_LIMIT_MIB and self.growth_mib <= GROWTH_TOLERANCE_MIB


async def soak_store(store: str, requests: int, workdir: Path) -> list[Soak]:
    """N fresh requests on one store's suite, sampling every process's RSS as they go."""
    with bench_suite(store, workdir, "bench-soak") as (suite, pids):
        samples: dict[str, list[float]] = {name: [] for name in pids}
        step = requests // SAMPLES
        started = time.monotonic()
        async with grpc.aio.insecure_channel(suite.analyzer_target) as channel:
            analyzer = analyzer_pb2_grpc.AnalyzerServiceStub(channel)
            for sample in range(1, SAMPLES + 1):

                async def fresh(index: int, sample: int = sample) -> None:
                    text = f"{POLICY} soak {store} {sample} {index}"
                    await analyzer.Analyze(analyze_request(text), timeout=30)

                result = await measure("soak", store, CONCURRENCY, step, fresh)
                for name, pid in pids.items():
                    samples[name].append(rss_mib(pid))
                elapsed = time.monotonic() - started
                left = elapsed / sample * (SAMPLES - sample)
                print(
                    f"soak {store}: {sample * step}/{step * SAMPLES} requests, "
                    f"{result.throughput:.0f} req/s, {elapsed:.0f} s, about {left:.0f} s left; RSS "
                    + ", ".join(f"{name} {values[-1]:.0f}" for name, values in samples.items()),
                    file=sys.stderr,
                    flush=True,
                )
        return [
            Soak(store, process_label(name), samples[name], peak_rss_mib(pid))
            for name, pid in sorted(pids.items())
        ]


def render(soaks: list[Soak], command: str, requests: int) -> str:
    """This benchmark's section of docs/benchmarks.md."""
    lines = [
        "## Memory soak",
        "",
        f"Command: `{command}`",
        "",
        f"{requests:,} fresh Analyze requests (distinct texts) at concurrency {CONCURRENCY} per",
        f"store; VmRSS of each process sampled every {requests // SAMPLES:,} requests. Goal:",
        f"at most {RSS_LIMIT_MIB:.0f} MiB per process after the last request, and no growth over",
        f"the last half (up to {GROWTH_TOLERANCE_MIB:.0f} MiB counts as noise).",
        "",
        f"| store | process | RSS MiB at {requests // 2:,} | RSS MiB at {requests:,} | "
        "growth MiB | growth % | peak MiB (VmHWM) | met |",
        "|---|---|---:|---:|---:|---:|---:|---|",
    ]
    lines += [
        f"| {s.store} | {s.process} | {s.half:.1f} | {s.end:.1f} | {s.growth_mib:+.1f} | "
        f"{s.growth_mib / s.half:+.1%} | {s.peak_mib:.1f} | {'yes' if s.met else 'no'} |"
        for s in soaks
    ]
    lines += [
        "",
        "- RSS (VmRSS, /proc/PID/status) is read after each tenth of the requests; growth is",
        "  RSS at the end minus RSS at half-way, so start-up and the filling of bounded caches",
        "  fall in the first half. Peak is VmHWM at the end, which catches spikes between",
        "  samples. With SQLite the store lives inside the services' own memory; with Redis,",
        "  redis-server's memory includes the data the stores keep (idempotency cache,",
        "  degradation store), which grows with distinct texts until their entries expire.",
        "",
    ]
    return "\n".join(lines)


async def main_async(args: argparse.Namespace) -> list[Soak]:
    """Every store asked for, one after another."""
    soaks: list[Soak] = []
    with tempfile.TemporaryDirectory(prefix="sanad-bench-soak-") as tmp:
        for store in args.stores:
            soaks += await soak_store(store, args.requests, Path(tmp))
    return soaks


def main() -> None:
    """Parse arguments, soak, write the section."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=100_000, help="fresh requests per store")
    add_store_argument(parser)
    parser.add_argument("--output", type=Path, default=Path("docs/benchmarks.md"))
    args = parser.parse_args()
    if args.requests < SAMPLES or args.requests % SAMPLES:
        parser.error(f"--requests must be a multiple of {SAMPLES}")
    soaks = asyncio.run(main_async(args))
    report = render(soaks, command_line("bench.memory_soak"), args.requests)
    write_section(args.output, report)
    sys.stdout.write(report)


if __name__ == "__main__":
    main()
