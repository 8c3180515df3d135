"""Analyze latency with tracing off (OTEL_TRACES_EXPORTER=none) against tracing on (OTLP to a
local receiver), on the real processes and the SQLite store.

Both configurations run as suites side by side, requests alternating between them, for the
same cases: a fresh Analyze (the whole
path: caches, quota, health, provider, stores, about twenty spans when on) and a replay from
the idempotency cache. Writes the figures and the command into this benchmark's own section
of the output file, leaving the rest of the file alone.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import grpc

from bench.report import provenance, write_section
from sanad.analyzer.v1 import analyzer_pb2, analyzer_pb2_grpc
from sanad_launcher.suite import NO_METRICS_PORTS, LocalSuite, SuitePorts
from sanad_launcher.trace_sink import TraceSink

SECTION = "## Tracing on against off"
POLICY = "Returns are accepted within 3 days of delivery if unopened; refunds as store credit."


@dataclass(frozen=True)
class Row:
    """One configuration and case."""

    tracing: str
    case: str
    requests: int
    p50_ms: float
    p99_ms: float
    mean_ms: float
    spans: int


def _request(text: str) -> analyzer_pb2.AnalyzeRequest:
    return analyzer_pb2.AnalyzeRequest(
        shop_name="Bench", policy_type=analyzer_pb2.POLICY_TYPE_RETURN_EXCHANGE, policy_text=text
    )


async def _timed(analyzer: analyzer_pb2_grpc.AnalyzerServiceAsyncStub, text: str) -> float:
    started = time.perf_counter()
    await analyzer.Analyze(_request(text), timeout=30)
    return (time.perf_counter() - started) * 1000


def _row(tracing: str, case: str, samples: list[float], spans: int) -> Row:
    ordered = sorted(samples)
    return Row(
        tracing=tracing,
        case=case,
        requests=len(samples),
        p50_ms=statistics.median(ordered),
        p99_ms=ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))],
        mean_ms=statistics.fmean(ordered),
        spans=spans,
    )


def _suite(tracing: str, sink: TraceSink, workdir: Path) -> LocalSuite:
    env = {
        **NO_METRICS_PORTS,
        "SANAD_LOG_LEVEL": "WARNING",
        "OTEL_TRACES_EXPORTER": tracing,
    }
    if tracing == "otlp":
        env.update(OTEL_EXPORTER_OTLP_ENDPOINT=sink.endpoint, OTEL_EXPORTER_OTLP_INSECURE="true")
    return LocalSuite(
        store_url=f"sqlite:///{workdir}/{tracing}.db",
        ports=SuitePorts.free(),
        log_dir=workdir / tracing,
        with_emulator=True,
        env=env,
    )


async def bench(requests: int, workdir: Path) -> list[Row]:
    """Both configurations side by side, each request sent to one then the other, so both
    see the same load from the rest of the machine."""
    configurations = ("none", "otlp")
    samples: dict[tuple[str, str], list[float]] = {}
    with (
        TraceSink() as sink,
        _suite("none", sink, workdir) as off,
        _suite("otlp", sink, workdir) as on,
    ):
        async with (
            grpc.aio.insecure_channel(off.analyzer_target) as off_channel,
            grpc.aio.insecure_channel(on.analyzer_target) as on_channel,
        ):
            stubs = {
                "none": analyzer_pb2_grpc.AnalyzerServiceStub(off_channel),
                "otlp": analyzer_pb2_grpc.AnalyzerServiceStub(on_channel),
            }
            for index in range(20):
                for tracing in configurations:
                    await _timed(stubs[tracing], f"{POLICY} (warm-up {index})")
            for case, text in (
                ("Analyze, fresh", "{policy} ({index})"),
                ("Analyze, replay", "{policy}"),
            ):
                for index in range(requests):
                    for tracing in configurations:
                        samples.setdefault((tracing, case), []).append(
                            await _timed(stubs[tracing], text.format(policy=POLICY, index=index))
                        )
        spans = len(sink.spans)
    return [
        _row(tracing, case, values, spans if tracing == "otlp" else 0)
        for (tracing, case), values in sorted(samples.items())
    ]


NOOP_CALLS = 100_000
"""Calls timed for the cost of Sanad's own span helpers with tracing off."""


async def noop_span_cost_us() -> tuple[float, float]:
    """Microseconds per call of a trivial coroutine awaited directly and through the cache
    span helper, in this process where no tracer provider is installed."""
    from sanad_analyzer.instrumentation import traced_cache

    async def lookup() -> None:
        return None

    started = time.perf_counter()
    for _ in range(NOOP_CALLS):
        await lookup()
    direct = time.perf_counter() - started
    started = time.perf_counter()
    for _ in range(NOOP_CALLS):
        await traced_cache("idempotency get", lookup())
    traced = time.perf_counter() - started
    return direct / NOOP_CALLS * 1e6, traced / NOOP_CALLS * 1e6


def render(rows: list[Row], command: str, noop: tuple[float, float]) -> str:
    """This benchmark's section of docs/benchmarks.md."""
    off = {row.case: row for row in rows if row.tracing == "none"}
    lines = [
        SECTION,
        "",
        "Analyze at concurrency 1 on SQLite with the emulator, tracing off "
        "(`OTEL_TRACES_EXPORTER=none`, the default) against on (`otlp`, batched export to a "
        "receiver on this machine). Both suites run side by side and each request goes to "
        "one then the other, so background load hits both alike.",
        "",
        *provenance(command),
        "",
        "| tracing | case | requests | p50 ms | p99 ms | mean ms | mean vs off | spans |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        base = off[row.case].mean_ms
        delta = "" if row.tracing == "none" else f"{(row.mean_ms - base) / base:+.0%}"
        lines.append(
            f"| {row.tracing} | {row.case} | {row.requests} | {row.p50_ms:.1f} | "
            f"{row.p99_ms:.1f} | {row.mean_ms:.1f} | {delta} | {row.spans} |"
        )
    lines += [
        "",
        "Off installs no tracer provider, no gRPC interceptor and no store wrapper, and "
        "Sanad's span helpers await the operation directly. On pays for "
        "about twenty spans per fresh request (three services' RPC spans, store calls, cache "
        "operations, the provider attempt) and their export. On 2 cores shared with other "
        "work the means and p99 move by tens of percent between runs; p50 is steadier.",
        "",
        f"Tracing off, in-process: a trivial lookup awaited directly takes {noop[0]:.2f} µs, "
        f"through Sanad's span helper {noop[1]:.2f} µs ({NOOP_CALLS} calls each). A fresh "
        "Analyze goes through four such helpers, so off costs about "
        f"{4 * (noop[1] - noop[0]):.0f} µs of a request that takes milliseconds: nothing "
        "measurable against the run-to-run spread.",
        "",
    ]
    return "\n".join(lines)


async def main_async(requests: int) -> tuple[list[Row], tuple[float, float]]:
    with tempfile.TemporaryDirectory(prefix="sanad-bench-tracing-") as workdir:
        return await bench(requests, Path(workdir)), await noop_span_cost_us()


def main() -> None:
    """Parse arguments, run, write the section."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--output", type=Path, default=Path("docs/benchmarks.md"))
    args = parser.parse_args()
    rows, noop = asyncio.run(main_async(args.requests))
    command = "make bench  (python -m bench.tracing_overhead --output docs/benchmarks.md)"
    section = render(rows, command, noop)
    write_section(args.output, section)
    sys.stdout.write(section)


if __name__ == "__main__":
    main()
