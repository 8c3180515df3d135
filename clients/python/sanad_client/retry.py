"""Trying a call again after the wait the server asked for (google.rpc.RetryInfo).

gRPC's retry policy (see :mod:`sanad_client.channels`) retries UNAVAILABLE on its own backoff
and knows nothing of RetryInfo. A shed call (RESOURCE_EXHAUSTED, reason OVERLOADED) carries
the delay after which the server expects to have room; these helpers wait it out, a little
longer with jitter so shed callers do not all come back at once, within a number of attempts
and the caller's own deadline, and give each attempt only the time that is left.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Final, TypeVar

import grpc

from sanad_client.errors import RichError, decode_error

T = TypeVar("T")

DEFAULT_JITTER: Final = 0.2
"""Up to this fraction of the server's delay is added to it."""


def is_overloaded(error: RichError) -> bool:
    """Whether Sanad shed the call to keep its latency: safe to retry after RetryInfo."""
    return error.code == grpc.StatusCode.RESOURCE_EXHAUSTED and error.is_sanad("OVERLOADED")


def call_with_retry_info(
    call: Callable[[float | None], T],
    *,
    max_attempts: int = 3,
    total_timeout: float | None = None,
    should_retry: Callable[[RichError], bool] = is_overloaded,
    jitter: float = DEFAULT_JITTER,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
    rng: Callable[[], float] = random.random,
) -> T:
    """call(seconds left, or None without a total_timeout) until it succeeds or must not be
    tried again; then the last error is raised as it came.

    A failure is tried again only when should_retry accepts it, it carries a RetryInfo, an
    attempt is left and the wait ends before total_timeout (seconds from now) runs out.
    """
    plan = _Plan(max_attempts, should_retry, jitter, rng, clock, _deadline(total_timeout, clock))
    attempt = 1
    while True:
        try:
            return call(plan.remaining())
        except grpc.RpcError as error:
            delay = plan.wait_after(attempt, error)
            if delay is None:
                raise
        sleep(delay)
        attempt += 1


async def call_with_retry_info_async(
    call: Callable[[float | None], Awaitable[T]],
    *,
    max_attempts: int = 3,
    total_timeout: float | None = None,
    should_retry: Callable[[RichError], bool] = is_overloaded,
    jitter: float = DEFAULT_JITTER,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    rng: Callable[[], float] = random.random,
) -> T:
    """:func:`call_with_retry_info` for asyncio calls (an aio stub's call is awaitable)."""
    plan = _Plan(max_attempts, should_retry, jitter, rng, clock, _deadline(total_timeout, clock))
    attempt = 1
    while True:
        try:
            return await call(plan.remaining())
        except grpc.RpcError as error:
            delay = plan.wait_after(attempt, error)
            if delay is None:
                raise
        await sleep(delay)
        attempt += 1


def _deadline(total_timeout: float | None, clock: Callable[[], float]) -> float | None:
    return None if total_timeout is None else clock() + total_timeout


@dataclass(frozen=True)
class _Plan:
    """When to try a failed call again."""

    max_attempts: int
    should_retry: Callable[[RichError], bool]
    jitter: float
    rng: Callable[[], float]
    clock: Callable[[], float]
    deadline: float | None

    def remaining(self) -> float | None:
        """Seconds left for an attempt; None without a deadline."""
        return None if self.deadline is None else max(self.deadline - self.clock(), 0.0)

    def wait_after(self, attempt: int, error: grpc.RpcError) -> float | None:
        """Seconds to wait before the attempt after this failed one; None for no more."""
        if attempt >= self.max_attempts:
            return None
        rich = decode_error(error)
        if rich.retry_delay is None or not self.should_retry(rich):
            return None
        delay = rich.retry_delay * (1.0 + self.jitter * self.rng())
        if self.deadline is not None and self.clock() + delay >= self.deadline:
            return None
        return delay
