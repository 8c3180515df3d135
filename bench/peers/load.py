"""The load generator every gateway and the direct call get: the same workers, the same texts.

A call is one request for a policy text; each text is new (the case, the gateway and an
index), so no cache anywhere answers it. A run is bounded in count and in time, and counts
a failed call instead of stopping.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Final

from bench.analyze_latency import POLICY
from bench.procstat import percentile

Call = Callable[[str], Awaitable[None]]
"""One request for the given policy text; raises when the gateway did not answer it."""
CALL_TIMEOUT: Final = 30.0
"""Seconds one request may take (each client's own timeout)."""


@dataclass(frozen=True)
class Sample:
    """What one run of calls measured."""

    target: str
    """Who was called: a gateway, or ``direct``."""
    phase: str
    """``healthy`` or ``outage`` (the primary answering 503)."""
    concurrency: int
    requests: int
    failures: int
    p50_ms: float | None
    """None when no request was answered (as for p99_ms and mean_ms)."""
    p99_ms: float | None
    mean_ms: float | None
    throughput: float
    """Answered requests per second over the run."""


def policy_text(target: str, tag: str, index: int) -> str:
    """A text no one has seen before, of the same length for every gateway."""
    return f"{POLICY} {target} {tag} {index}"


async def run(
    target: str,
    phase: str,
    call: Call,
    *,
    concurrency: int,
    requests: int,
    seconds: float,
    tag: str,
) -> Sample:
    """``requests`` calls from ``concurrency`` workers, stopping early after ``seconds``."""
    latencies: list[float] = []
    failures = 0
    next_index = 0
    stop = time.monotonic() + seconds

    async def worker() -> None:
        nonlocal next_index, failures
        while next_index < requests and time.monotonic() < stop:
            index, next_index = next_index, next_index + 1
            started = time.perf_counter()
            try:
                await call(policy_text(target, f"{phase} c{concurrency} {tag}", index))
            except Exception:
                failures += 1
                continue
            latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.perf_counter() - started
    answered = bool(latencies)
    return Sample(
        target=target,
        phase=phase,
        concurrency=concurrency,
        requests=len(latencies) + failures,
        failures=failures,
        p50_ms=percentile(latencies, 0.50) * 1000 if answered else None,
        p99_ms=percentile(latencies, 0.99) * 1000 if answered else None,
        mean_ms=statistics.fmean(latencies) * 1000 if answered else None,
        throughput=len(latencies) / elapsed if elapsed > 0 else 0.0,
    )
