"""Quota commits and releases run off the request path; shutdown waits for those in flight."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable

SETTLE_GRACE_SECONDS = 5.0
"""How long shutdown waits for quota settlements still in flight."""


class Settlements:
    """Background quota settlements, kept referenced until they finish."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[None]] = set()

    def start(self, settlement: Awaitable[None]) -> None:
        """Run a commit or release in the background."""
        task = asyncio.ensure_future(settlement)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def aclose(self) -> None:
        """Let settlements still in flight finish (within a bound)."""
        if self._tasks:
            await asyncio.wait(self._tasks, timeout=SETTLE_GRACE_SECONDS)
