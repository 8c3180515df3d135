"""Warning crossings for operators: those of the current windows, and a live feed of new ones.

Crossings are logged in the store by whichever replica's operation caused them, so a watcher
on any replica sees every crossing of every replica, once each, in order. The feed polls the
log: a crossing is a rare event, and a poll every half second costs one small read per
provider while keeping the store the only thing replicas share.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence

import structlog

from sanad_common.storage import StoreUnavailableError
from sanad_quota.ledger import QuotaLedger
from sanad_quota.storage.port import Crossing
from sanad_quota.usage import Window

log = structlog.get_logger(__name__)

POLL_SECONDS = 0.5
"""How often a watch reads the crossing log for new entries."""


class CrossingWatch:
    """Reads a provider's crossing log for GetUsage and WatchUsage."""

    def __init__(self, ledger: QuotaLedger, *, poll_seconds: float = POLL_SECONDS) -> None:
        self._ledger = ledger
        self._poll_seconds = poll_seconds

    async def current(self, provider: str) -> list[Crossing]:
        """Crossings of the provider's windows that are running now, oldest first."""
        return self._of_current_windows(await self._ledger.crossings_after(provider, 0))

    def _of_current_windows(self, crossings: Sequence[Crossing]) -> list[Crossing]:
        now = self._ledger.now()
        return [
            crossing
            for crossing in crossings
            if Window(crossing.window).containing(now).start == crossing.start
        ]

    async def follow(
        self,
        providers: Sequence[str],
        *,
        include_current: bool,
        following: Callable[[], Awaitable[None]] | None = None,
    ) -> AsyncIterator[Crossing]:
        """Yield each new crossing of the providers as it is logged, until cancelled; first
        those of the current windows when include_current. ``following`` is awaited once the
        feed knows where the log stands: every crossing logged after it is yielded. A store
        outage pauses the feed and it resumes where it stopped."""
        last: dict[str, int] = {}
        current: list[Crossing] = []
        for provider in providers:
            logged = await self._ledger.crossings_after(provider, 0)
            last[provider] = logged[-1].seq if logged else 0
            current += self._of_current_windows(logged)
        if following is not None:
            await following()
        if include_current:
            for crossing in current:
                yield crossing
        while True:
            await asyncio.sleep(self._poll_seconds)
            for provider in providers:
                try:
                    new = await self._ledger.crossings_after(provider, last[provider])
                except StoreUnavailableError as error:
                    log.warning("Quota watch paused: store unavailable", error=str(error))
                    continue
                for crossing in new:
                    last[provider] = crossing.seq
                    yield crossing
