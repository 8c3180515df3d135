"""Wait for an asynchronous effect by checking for it, never by sleeping a guessed time.

A test of something that happens after the call returns (a report sent in the background, a
replica catching up) polls the condition itself until a bounded deadline and then fails with
what it last saw, so a slow machine only makes the test slower, never wrong.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")

DEFAULT_TIMEOUT = 10.0
"""Seconds an asynchronous effect may take before the test fails."""
POLL_INTERVAL = 0.05
"""Seconds between two looks at the condition."""


async def eventually(
    observe: Callable[[], Awaitable[T]],
    until: Callable[[T], bool],
    *,
    within: float = DEFAULT_TIMEOUT,
    what: str = "the condition",
) -> T:
    """Observe until `until(value)` holds; return that value, or fail with the last one seen."""
    deadline = time.monotonic() + within
    while True:
        value = await observe()
        if until(value):
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"{what} did not hold within {within} s; last seen: {value!r}")
        await asyncio.sleep(POLL_INTERVAL)


async def eventually_read(
    read: Callable[[], T],
    until: Callable[[T], bool],
    *,
    within: float = DEFAULT_TIMEOUT,
    what: str = "the condition",
) -> T:
    """`eventually` for a value the test reads without awaiting (a counter, captured logs)."""

    async def observe() -> T:
        return read()

    return await eventually(observe, until, within=within, what=what)
