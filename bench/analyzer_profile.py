"""Where the analyzer's CPU goes on the fresh path: a py-spy profile under load.

Starts the suite on Redis with the emulator, keeps fresh Analyze requests coming at
concurrency 8, and samples the analyzer process with ``py-spy record`` (raw collapsed stacks)
while it does. Reports the frames that hold the largest share of the samples (inclusive: a
frame counts every sample it is on the stack of), so one run before and one after a change
show what the change took away. Writes its section of docs/benchmarks.md and, with
``--raw``, keeps py-spy's collapsed stacks (which flamegraph tools turn into a picture).
"""

from __future__ import annotations

import argparse
import asyncio
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import grpc

from bench.analyze_latency import analyze_request
from bench.procstat import bench_suite, command_line
from bench.report import write_section
from sanad.analyzer.v1 import analyzer_pb2_grpc

POLICY = "Returns are accepted within 3 days of delivery if unopened; refunds as store credit."
CONCURRENCY = 8
SAMPLE_RATE = 200
"""py-spy samples per second."""
TOP = 25
"""Frames listed."""
_LINE_NUMBER = re.compile(r":\d+\)$")
_SITE_PACKAGES = re.compile(r"\(.*?site-packages/")
_REPOSITORY = re.compile(r"\(.*?/(services|lib|tools)/[^/]+/")


def frame_name(frame: str) -> str:
    """A frame of py-spy's raw output without its line number and the path up to the
    package, so the same function on different lines counts once."""
    frame = _LINE_NUMBER.sub(")", frame)
    frame = _SITE_PACKAGES.sub("(", frame)
    return _REPOSITORY.sub("(", frame)


def inclusive_shares(collapsed: str) -> tuple[int, Counter[str]]:
    """Samples in all, and per frame the samples it was on the stack of."""
    total = 0
    shares: Counter[str] = Counter()
    for line in collapsed.splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        samples = int(count)
        total += samples
        for name in {frame_name(frame) for frame in stack.split(";")}:
            shares[name] += samples
    return total, shares


async def load(target: str, seconds: float) -> int:
    """Fresh requests at CONCURRENCY for ``seconds``; how many were answered."""
    answered = 0
    stop = time.monotonic() + seconds
    async with grpc.aio.insecure_channel(target) as channel:
        analyzer = analyzer_pb2_grpc.AnalyzerServiceStub(channel)

        async def worker(number: int) -> None:
            nonlocal answered
            index = 0
            while time.monotonic() < stop:
                index += 1
                text = f"{POLICY} profile {number} {index} {time.time_ns()}"
                await analyzer.Analyze(analyze_request(text), timeout=30)
                answered += 1

        await asyncio.gather(*(worker(number) for number in range(CONCURRENCY)))
    return answered


def profile(seconds: float, workdir: Path) -> tuple[str, int]:
    """The analyzer's collapsed stacks over ``seconds`` of load, and the requests answered."""
    py_spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    output = workdir / "analyzer.txt"
    with bench_suite("redis", workdir, "profile") as (suite, pids):
        asyncio.run(load(suite.analyzer_target, 2.0))  # warm up: connections, caches
        spy = subprocess.Popen(
            [
                py_spy,
                "record",
                "--pid",
                str(pids["analyzer"]),
                "--format",
                "raw",
                "--rate",
                str(SAMPLE_RATE),
                "--duration",
                str(round(seconds)),
                "--nonblocking",
                "--output",
                str(output),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        answered = asyncio.run(load(suite.analyzer_target, seconds))
        _, errors = spy.communicate(timeout=seconds + 30)
    if spy.returncode != 0:
        raise RuntimeError(f"py-spy failed: {errors.decode(errors='replace').strip()}")
    return output.read_text(), answered


def render(collapsed: str, answered: int, seconds: float, command: str) -> str:
    """This benchmark's section of docs/benchmarks.md."""
    total, shares = inclusive_shares(collapsed)
    lines = [
        "## Analyzer profile, fresh path",
        "",
        f"py-spy samples of the analyzer at {SAMPLE_RATE} Hz while fresh Analyze requests came",
        f"at concurrency {CONCURRENCY} on Redis for {seconds:.0f} s ({answered} answered,",
        f"{total} samples). Share of the samples each frame was on the stack of (inclusive),",
        "and what that share comes to per request in sampled time (samples / rate / requests),",
        f"top {TOP}; the event loop's own frames are left out.",
        "",
        f"Command: `{command}`",
        "",
        "| share | ms per request | frame |",
        "|---:|---:|---|",
    ]
    per_request_ms = 1000 * total / SAMPLE_RATE / answered if answered else 0.0
    loop_frames = (
        "runpy",
        "<module>",
        "main (",
        "run (",
        "Runner.",
        "run_service",
        "uvloop",
        "BaseEventLoop.",
        "Handle._run",
    )
    listed = [
        (name, samples)
        for name, samples in shares.most_common()
        if not any(marker in name for marker in loop_frames)
    ][:TOP]
    for name, samples in listed:
        share = samples / total if total else 0.0
        lines.append(f"| {100 * share:.1f} % | {share * per_request_ms:.2f} | `{name}` |")
    lines.append("")
    return "\n".join(lines)


def main() -> None:
    """Parse arguments, profile, write the report."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=20.0, help="seconds of profiled load")
    parser.add_argument("--output", type=Path, default=Path("docs/benchmarks.md"))
    parser.add_argument("--raw", type=Path, help="also keep py-spy's collapsed stacks here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="sanad-profile-") as tmp:
        collapsed, answered = profile(args.seconds, Path(tmp))
    if args.raw is not None:
        args.raw.write_text(collapsed)
    report = render(collapsed, answered, args.seconds, command_line("bench.analyzer_profile"))
    write_section(args.output, report)
    sys.stdout.write(report)


if __name__ == "__main__":
    main()
