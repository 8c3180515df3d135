"""Provider outage: the primary fails every request for a stretch, then recovers.

For each outage (every OpenAI request answered 503; every OpenAI request hanging), starts the
suite as real processes on Redis (emulator, quota, health, analyzer) with OpenAI then Gemini,
keeps a steady load of fresh Analyze requests, and splits it in three phases: before the
outage, during it, and after it (the fault is cleared). Reports per phase the success rate,
p50/p99 latency and who answered, and how many requests the dead provider still received (the
failures that opened its circuit plus the half-open probes). Writes its own section of
docs/benchmarks.md (between markers, so other sections stay).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import grpc

from sanad.analyzer.v1 import analyzer_pb2, analyzer_pb2_grpc
from sanad_emulator.control import EmulatorControl
from sanad_launcher.redis_server import RedisServer
from sanad_launcher.suite import NO_METRICS_PORTS, LocalSuite, SuitePorts

BEGIN = "<!-- bench:provider-outage -->"
END = "<!-- /bench:provider-outage -->"
POLICY = (
    "Returns are accepted within 3 days of delivery if the product is unopened. Refunds are "
    "issued as store credit only, and shipping fees are never refunded."
)
CRASH_EJECTION = 3.0
"""Seconds of the first ejection after a crash; relapses eject for 2x, 3x... (jittered)."""
BASE_EJECTION = 5.0
"""Seconds of the first ejection after consecutive timeouts (the default is 30 s)."""
DEADLINE = 10.0
"""Each request's deadline, in seconds."""


@dataclass(frozen=True)
class Outage:
    """How the primary fails during the outage."""

    name: str
    fault: str
    extra: dict[str, int]


OUTAGES = (
    Outage("503", "server_error", {"status": 503}),
    Outage("hang", "hang", {}),
)


@dataclass
class Phase:
    """What the load saw in one phase."""

    outage: str
    name: str
    seconds: float
    latencies: list[float] = field(default_factory=list)
    failures: int = 0
    answered_by: Counter[str] = field(default_factory=Counter)
    primary_requests: int = 0
    """Requests the primary's endpoint received during the phase."""
    primary_back_after: float | None = None
    """Seconds from the phase's start to the primary's first answer in it."""

    @property
    def requests(self) -> int:
        return len(self.latencies) + self.failures

    def percentile_ms(self, fraction: float) -> float:
        ordered = sorted(self.latencies)
        if not ordered:
            return float("nan")
        index = min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))
        return ordered[index] * 1000


async def run_load(
    analyzer: analyzer_pb2_grpc.AnalyzerServiceAsyncStub,
    phase: Phase,
    workers: int,
    counter: list[int],
) -> None:
    """Fresh requests from `workers` callers until the phase's time is up."""
    started_phase = time.monotonic()
    stop = started_phase + phase.seconds

    async def worker() -> None:
        while time.monotonic() < stop:
            counter[0] += 1
            request = analyzer_pb2.AnalyzeRequest(
                shop_name="Bench Shop",
                shop_specialization="electronics",
                policy_type=analyzer_pb2.POLICY_TYPE_RETURN_EXCHANGE,
                policy_text=f"{POLICY} outage {counter[0]} {time.time_ns()}",
            )
            started = time.perf_counter()
            try:
                response = await analyzer.Analyze(request, timeout=DEADLINE)
            except grpc.aio.AioRpcError:
                phase.failures += 1
                continue
            phase.latencies.append(time.perf_counter() - started)
            phase.answered_by[response.provider] += 1
            if response.provider == "openai" and phase.primary_back_after is None:
                phase.primary_back_after = time.monotonic() - started_phase

    await asyncio.gather(*(worker() for _ in range(workers)))


async def measure(outage: Outage, phases: list[Phase], workers: int, workdir: Path) -> None:
    """The three phases of one outage on a suite of its own, on Redis."""
    with RedisServer() as redis:
        suite = LocalSuite(
            store_url=redis.url,
            ports=SuitePorts.free(),
            log_dir=workdir / f"logs-{outage.name}",
            with_emulator=True,
            env={
                "SANAD_STORE_NAMESPACE": f"bench-outage-{time.time_ns()}",
                "MAX_DAILY_REQUESTS": "-1",
                "MAX_DAILY_TOKENS": "-1",
                "MAX_HOURLY_REQUESTS": "-1",
                "MAX_HOURLY_TOKENS": "-1",
                "SANAD_BLACKLIST_DURATION": str(CRASH_EJECTION),
                "SANAD_CIRCUIT_BASE_EJECTION": str(BASE_EJECTION),
                **NO_METRICS_PORTS,
                "SANAD_LOG_LEVEL": "WARNING",
            },
        )
        with suite:
            async with (
                grpc.aio.insecure_channel(suite.analyzer_target) as channel,
                EmulatorControl(suite.emulator_url) as emulator,
            ):
                analyzer = analyzer_pb2_grpc.AnalyzerServiceStub(channel)
                counter = [0]
                for phase in phases:
                    if phase.name == "during":
                        await emulator.inject("openai", outage.fault, **outage.extra)
                    elif phase.name == "after":
                        await emulator.clear("openai")
                    before = (await emulator.stats())["openai"].requests
                    await run_load(analyzer, phase, workers, counter)
                    phase.primary_requests = (await emulator.stats())["openai"].requests - before


def render(phases: list[Phase], workers: int, command: str) -> str:
    """This benchmark's Markdown section."""
    lines = [
        BEGIN,
        "## Provider outage: the primary fails 100 %, then recovers",
        "",
        f"Command: `{command}` (this section alone: `.venv/bin/python -m bench.provider_outage`)",
        "",
        f"The suite on Redis with OpenAI then Gemini on the emulator; {workers} callers send",
        f"fresh Analyze requests (deadline {DEADLINE:.0f} s) without pause. *during*: the",
        "emulator answers every OpenAI request with 503 (*503*), or holds every OpenAI request",
        "without answering (*hang*); *after*: the fault is cleared. A 503 is a SERVICE_CRASH,",
        f"which opens the circuit at once for {CRASH_EJECTION:.0f} s (the bench shortens the 300 s",
        "default); a hang times out at the attempt's share of the deadline (half of it with two",
        f"providers) and opens the circuit after 5 timeouts in a row for {BASE_EJECTION:.0f} s",
        "(30 s by default). Each failed",
        "half-open probe reopens it for one base longer (jittered up to 10 %).",
        "",
        "| outage | phase | seconds | requests | success rate | p50 ms | p99 ms | answered by "
        "| requests OpenAI received |",
        "|---|---|---:|---:|---:|---:|---:|---|---:|",
    ]
    for phase in phases:
        success = len(phase.latencies) / phase.requests if phase.requests else float("nan")
        answered = ", ".join(f"{name} {count}" for name, count in sorted(phase.answered_by.items()))
        lines.append(
            f"| {phase.outage} | {phase.name} | {phase.seconds:.0f} | {phase.requests} | "
            f"{success:.1%} | {phase.percentile_ms(0.50):.1f} | {phase.percentile_ms(0.99):.1f} "
            f"| {answered} | {phase.primary_requests} |"
        )
    lines.append("")
    for outage in OUTAGES:
        mine = {phase.name: phase for phase in phases if phase.outage == outage.name}
        during, after = mine["during"], mine["after"]
        back = (
            "did not answer again in the phase"
            if after.primary_back_after is None
            else f"answered again {after.primary_back_after:.1f} s after the fault was cleared"
        )
        lines.append(
            f"- *{outage.name}*: OpenAI received {during.primary_requests} of "
            f"{during.requests} requests during the outage, and {back}."
        )
    lines += [
        "",
        "During an outage OpenAI receives only the requests that open its circuit (plus those",
        "already on their way to it) and then one half-open probe per ejection; every other",
        "request goes straight to Gemini. Under a hang, only the requests that waited out a",
        "timeout before the circuit opened are slow: they make the p99 of the *during* phase.",
        "After the fault is cleared, OpenAI is back as soon as its current ejection ends and the",
        "next probe succeeds.",
        END,
        "",
    ]
    return "\n".join(lines)


def write_section(output: Path, section: str) -> None:
    """Replace this benchmark's section of ``output``, or append it."""
    text = output.read_text() if output.exists() else "# Benchmarks\n"
    if BEGIN in text and END in text:
        before, rest = text.split(BEGIN, 1)
        after = rest.split(END, 1)[1].removeprefix("\n")
        text = before + section + after
    else:
        text = text.rstrip("\n") + "\n\n" + section
    output.write_text(text)


def main() -> None:
    """Parse arguments, measure, write the section."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--before", type=float, default=5.0, help="seconds before the outage")
    parser.add_argument("--during", type=float, default=15.0, help="seconds of the outage")
    parser.add_argument("--after", type=float, default=15.0, help="seconds after it")
    parser.add_argument("--workers", type=int, default=4, help="concurrent callers")
    parser.add_argument("--output", type=Path, default=Path("docs/benchmarks.md"))
    args = parser.parse_args()
    phases: list[Phase] = []
    with tempfile.TemporaryDirectory(prefix="sanad-bench-outage-") as tmp:
        for outage in OUTAGES:
            mine = [
                Phase(outage.name, "before", args.before),
                Phase(outage.name, "during", args.during),
                Phase(outage.name, "after", args.after),
            ]
            asyncio.run(measure(outage, mine, args.workers, Path(tmp)))
            phases += mine
    section = render(phases, args.workers, "make bench")
    write_section(args.output, section)
    sys.stdout.write(section)


if __name__ == "__main__":
    main()
