"""Each provider adapter's client CPU per call on httpx and on aiohttp, against the emulator.

Starts the bundled provider emulator as its own process, then, for every adapter (openai,
anthropic, gemini) and HTTP transport (httpx, aiohttp), a worker process that builds the
adapter on that transport, warms it up and calls ``analyze`` at concurrency 1 and 16 on
uvloop (the analyzer's event loop). A worker's figure is its own process CPU time
(utime + stime) over the measured calls divided by their number: wall time would measure the
machine's other load, CPU time measures what the call costs. Workers run in rounds, every
combination once per round in a rotated order, and the section reports the median of the
rounds with their range. A worker fails the run if closing the adapter left an aiohttp
session or connector unclosed (its warnings are turned on and read from its stderr).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import re
import select
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Final

import uvloop

from bench.analyze_latency import POLICY
from bench.procstat import command_line
from bench.report import provenance, write_section
from sanad_analyzer.policy import PolicyType
from sanad_analyzer.prompt import AnalysisPrompt
from sanad_analyzer.providers.adapter import HttpTransport, SdkAdapter
from sanad_common.emulator import emulated_model
from sanad_launcher.suite import EMULATOR_MODELS

SECTION: Final = "## Provider adapters: client CPU per call on httpx and on aiohttp"
ADAPTERS: Final = ("openai", "anthropic", "gemini")
CONCURRENCY_LEVELS: Final = (1, 16)
WARM_UP_CALLS: Final = 50
CALL_TIMEOUT: Final = 30.0
MAX_OUTPUT_TOKENS: Final = 4096
START_TIMEOUT: Final = 30.0
STOP_TIMEOUT: Final = 10.0
WORKER_TIMEOUT: Final = 600.0
_BANNER: Final = re.compile(r"sanad-emulator listening on (http://\S+)")
_UNCLOSED: Final = re.compile(r"Unclosed (client session|connector)")


@dataclass(frozen=True)
class Sample:
    """One worker's figures for one concurrency."""

    adapter: str
    transport: str
    concurrency: int
    round: int
    calls: int
    cpu_ms_per_call: float
    wall_ms_per_call: float


def build_adapter(kind: str, url: str, transport: HttpTransport) -> SdkAdapter:
    """The adapter of ``kind`` on ``transport``, pointed at the emulator as the suite does."""
    model = emulated_model(EMULATOR_MODELS[kind])
    if kind == "openai":
        from sanad_analyzer.providers.openai_provider import OpenAIProvider

        return OpenAIProvider(
            kind, "emulator", f"{url}/v1", model, MAX_OUTPUT_TOKENS, transport=transport
        )
    if kind == "anthropic":
        from sanad_analyzer.providers.anthropic_provider import AnthropicProvider

        return AnthropicProvider(
            kind, "emulator", url, model, MAX_OUTPUT_TOKENS, transport=transport
        )
    from sanad_analyzer.providers.gemini_provider import GeminiProvider

    return GeminiProvider(kind, "emulator", url, model, MAX_OUTPUT_TOKENS, transport=transport)


def _prompt(tag: str, index: int) -> AnalysisPrompt:
    """A new policy text per call, as a fresh Analyze sends."""
    return AnalysisPrompt(
        shop_name="Bench Shop",
        shop_specialization="electronics",
        policy_type=PolicyType.RETURN_EXCHANGE,
        policy_text=f"{POLICY} {tag} {index}",
    )


async def _calls(adapter: SdkAdapter, tag: str, concurrency: int, calls: int) -> None:
    """``calls`` analyses by ``concurrency`` workers."""
    pending = iter(range(calls))

    async def worker() -> None:
        for index in pending:
            await adapter.analyze(_prompt(tag, index), timeout=CALL_TIMEOUT)

    await asyncio.gather(*(worker() for _ in range(concurrency)))


async def measure_worker(
    kind: str, transport: HttpTransport, url: str, calls: int, round_: int
) -> list[Sample]:
    """This process's CPU per call of one adapter on one transport, at each concurrency."""
    adapter = build_adapter(kind, url, transport)
    samples: list[Sample] = []
    try:
        await _calls(adapter, "warm-up", max(CONCURRENCY_LEVELS), WARM_UP_CALLS)
        for concurrency in CONCURRENCY_LEVELS:
            cpu, wall = time.process_time(), time.perf_counter()
            await _calls(adapter, f"c{concurrency} r{round_}", concurrency, calls)
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
            samples.append(
                Sample(
                    adapter=kind,
                    transport=transport.value,
                    concurrency=concurrency,
                    round=round_,
                    calls=calls,
                    cpu_ms_per_call=cpu * 1000 / calls,
                    wall_ms_per_call=wall * 1000 / calls,
                )
            )
    finally:
        await adapter.aclose()
    return samples


@contextmanager
def emulator() -> Iterator[str]:
    """The emulator on a free port of 127.0.0.1, stopped by its PID on exit."""
    process = subprocess.Popen(
        [sys.executable, "-m", "sanad_emulator", "--port", "0", "--log-level", "WARNING"],
        stdout=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
    )
    try:
        yield _banner_url(process)
    finally:
        process.terminate()
        try:
            process.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()


def _banner_url(process: subprocess.Popen[bytes]) -> str:
    assert process.stdout is not None
    deadline = time.monotonic() + START_TIMEOUT
    while (remaining := deadline - time.monotonic()) > 0:
        readable, _, _ = select.select([process.stdout], [], [], remaining)
        if not readable:
            break
        line = process.stdout.readline().decode()
        if match := _BANNER.search(line):
            return match.group(1)
        if not line and process.poll() is not None:
            break
    raise RuntimeError("the emulator did not start")


def run_worker(kind: str, transport: str, url: str, calls: int, round_: int) -> list[Sample]:
    """One worker process; fails if it errs or leaves an aiohttp session unclosed."""
    completed = subprocess.run(
        [
            sys.executable,
            "-W",
            "always::ResourceWarning",
            "-m",
            "bench.provider_transports",
            "--worker",
            kind,
            transport,
            "--url",
            url,
            "--calls",
            str(calls),
            "--round",
            str(round_),
        ],
        capture_output=True,
        text=True,
        timeout=WORKER_TIMEOUT,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    if completed.returncode != 0:
        raise RuntimeError(f"{kind} on {transport} failed:\n{completed.stderr[-3000:]}")
    if _UNCLOSED.search(completed.stderr):
        raise RuntimeError(f"{kind} on {transport} left aiohttp open:\n{completed.stderr[-3000:]}")
    return [Sample(**item) for item in json.loads(completed.stdout)]


def combinations(round_: int) -> list[tuple[str, str]]:
    """Every (adapter, transport), rotated by the round so none always runs first."""
    pairs = [(kind, transport.value) for kind in ADAPTERS for transport in HttpTransport]
    shift = round_ % len(pairs)
    return pairs[shift:] + pairs[:shift]


def measure_all(calls: int, rounds: int) -> list[Sample]:
    """Every combination, ``rounds`` times, against one emulator."""
    samples: list[Sample] = []
    with emulator() as url:
        for round_ in range(rounds):
            for kind, transport in combinations(round_):
                samples += run_worker(kind, transport, url, calls, round_)
    return samples


@dataclass(frozen=True)
class Figure:
    """The median and range over the rounds of one adapter, transport and concurrency."""

    median: float
    low: float
    high: float

    @classmethod
    def of(cls, values: Sequence[float]) -> Figure:
        """The figure of the rounds' values."""
        return cls(statistics.median(values), min(values), max(values))

    def cell(self) -> str:
        """``median (low–high)`` in ms."""
        return f"{self.median:.2f} ({self.low:.2f}–{self.high:.2f})"


def figures(samples: Sequence[Sample]) -> dict[tuple[str, str, int], Figure]:
    """CPU ms per call by (adapter, transport, concurrency)."""
    grouped: dict[tuple[str, str, int], list[float]] = {}
    for sample in samples:
        key = (sample.adapter, sample.transport, sample.concurrency)
        grouped.setdefault(key, []).append(sample.cpu_ms_per_call)
    return {key: Figure.of(values) for key, values in grouped.items()}


def render(samples: Sequence[Sample], command: str, calls: int, rounds: int) -> str:
    """The Markdown section: CPU per call per adapter, transport and concurrency."""
    table = figures(samples)
    lines = [
        SECTION,
        "",
        *provenance(command),
        "",
        "Client CPU per call of each adapter's `analyze` (the SDK, its HTTP stack and the",
        "adapter's own parsing) against the bundled emulator, on uvloop: the worker process's",
        "utime + stime over the measured calls divided by their number, not wall time.",
        f"Each figure is the median over {rounds} rounds of {calls} measured calls (the range",
        "in brackets); every combination runs in its own process, in a rotated order each round.",
        "",
        "| adapter | concurrency | httpx, CPU ms/call | aiohttp, CPU ms/call | aiohttp ÷ httpx |",
        "|---|---|---|---|---|",
    ]
    for kind in ADAPTERS:
        for concurrency in CONCURRENCY_LEVELS:
            httpx = table.get((kind, HttpTransport.HTTPX.value, concurrency))
            aiohttp = table.get((kind, HttpTransport.AIOHTTP.value, concurrency))
            if httpx is None or aiohttp is None:
                continue
            lines.append(
                f"| {kind} | {concurrency} | {httpx.cell()} | {aiohttp.cell()} | "
                f"{aiohttp.median / httpx.median:.2f} |"
            )
    lines += [
        "",
        "Every adapter runs on aiohttp (decisions.md, *Provider SDKs on aiohttp*); httpx is",
        "measured beside it on every run so the choice stays checked as the SDKs move.",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    """Measure every combination and write the section, or be one worker."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=200, help="measured calls per case")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of every combination")
    parser.add_argument("--output", type=Path, default=Path("docs/benchmarks.md"))
    parser.add_argument("--json", type=Path, help="also write every sample as JSON here")
    parser.add_argument(
        "--worker", nargs=2, metavar=("ADAPTER", "TRANSPORT"), help=argparse.SUPPRESS
    )
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--round", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        kind, transport = args.worker
        samples = uvloop.run(
            measure_worker(kind, HttpTransport(transport), args.url, args.calls, args.round)
        )
        # The adapter is unreachable now: an aiohttp session it left open warns here.
        gc.collect()
        sys.stdout.write(json.dumps([asdict(sample) for sample in samples]))
        return
    samples = measure_all(args.calls, args.rounds)
    section = render(samples, command_line("bench.provider_transports"), args.calls, args.rounds)
    write_section(args.output, section)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps([asdict(sample) for sample in samples], indent=2))
    sys.stdout.write(section)


if __name__ == "__main__":
    main()
