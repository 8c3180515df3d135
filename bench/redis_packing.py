"""CPU per Lua script call through the store, packed by hiredis against redis-py's packer.

Starts one real Redis and, in this process, two stores on it: one as ``RedisStore.from_url``
builds it (commands packed by hiredis, ``sanad_common.storage.redis_packing``) and one whose
pool uses redis-py's own asyncio connection (commands packed in Python). Each runs a script
with quota's shape of call (12 keys, 27 arguments) from 8 concurrent callers; the rounds of
the two alternate so that a change in the machine's speed reaches both. Reports this
process's CPU per call (utime + stime from /proc), medians over the rounds. Writes its
section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
from pathlib import Path

from redis.asyncio.connection import Connection

from bench.procstat import command_line, own_cpu_seconds
from bench.report import provenance, write_section
from sanad_common.storage.extension import ScriptCall
from sanad_common.storage.redis_store import RedisStore
from sanad_launcher.redis_server import RedisServer

SECTION = "## Redis commands packed by hiredis"
CALLERS = 8
KEYS = [
    f"quota:{{openai}}:{window}:{index}:{metric}"
    for window in ("minute", "hour", "day")
    for index in range(2)
    for metric in ("requests", "tokens")
]
ARGUMENTS: list[str | int | float] = [
    1,
    500,
    1765000000.123,
    3600,
    "a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5",
    "request-1",
    60,
    80,
    95,
] * 3


async def _cpu_per_call(call: ScriptCall, calls: int) -> float:
    """Microseconds of this process's CPU per call, over ``calls`` calls."""

    async def caller(count: int) -> None:
        for _ in range(count):
            await call(KEYS, ARGUMENTS)

    before = own_cpu_seconds()
    await asyncio.gather(*(caller(calls // CALLERS) for _ in range(CALLERS)))
    return (own_cpu_seconds() - before) * 1e6 / (calls // CALLERS * CALLERS)


async def measure(calls: int, rounds: int) -> dict[str, list[float]]:
    """CPU per call of each packer, one list of rounds each."""
    with RedisServer() as server:
        packed = RedisStore.from_url(server.url, namespace="bench-packed")
        python = RedisStore.from_url(server.url, namespace="bench-python")
        python._client.connection_pool.connection_class = Connection  # type: ignore[union-attr]
        scripts = {"hiredis": packed.script("return 1"), "redis-py": python.script("return 1")}
        try:
            for call in scripts.values():
                await _cpu_per_call(call, 1600)  # warm up: connections, script cache
            results: dict[str, list[float]] = {name: [] for name in scripts}
            for _ in range(rounds):
                for name, call in scripts.items():
                    results[name].append(await _cpu_per_call(call, calls))
            return results
        finally:
            await packed.aclose()
            await python.aclose()


def render(results: dict[str, list[float]], calls: int, command: str) -> str:
    """This benchmark's section of docs/benchmarks.md."""
    medians = {name: statistics.median(values) for name, values in results.items()}
    saved = 1 - medians["hiredis"] / medians["redis-py"]
    lines = [
        SECTION,
        "",
        f"CPU of this process per Lua script call of {len(KEYS)} keys and {len(ARGUMENTS)}",
        f"arguments (quota's shape of call) through `RedisStore.script`, {CALLERS} concurrent",
        f"callers on one real Redis, {calls} calls a round, rounds of the two alternated;",
        "median and range over the rounds.",
        "",
        *provenance(command),
        "",
        "| packer | CPU µs per call (median) | range |",
        "|---|---:|---:|",
    ]
    for name, values in results.items():
        lines.append(f"| {name} | {medians[name]:.1f} | {min(values):.1f} to {max(values):.1f} |")
    lines += ["", f"hiredis packing saves {100 * saved:.0f} % of the CPU per call.", ""]
    return "\n".join(lines)


def main() -> None:
    """Parse arguments, measure, write the report."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=16000, help="calls per round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--output", type=Path, default=Path("docs/benchmarks.md"))
    args = parser.parse_args()
    results = asyncio.run(measure(args.calls, args.rounds))
    report = render(results, args.calls, command_line("bench.redis_packing"))
    write_section(args.output, report)
    sys.stdout.write(report)


if __name__ == "__main__":
    main()
