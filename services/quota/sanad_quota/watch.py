"""Warning crossings for operators: those of the current windows, and a live feed of new ones.

Crossings are logged in the store by whichever replica's operation caused them, so a watcher
on any replica sees every crossing of every replica, once each, in order. The feed polls the
log: a crossing is a rare event, and a poll every half second costs one small read per
provider while keeping the store the only thing replicas share.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence

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
        self, providers: Sequence[str], *, include_current: bool
    ) -> AsyncIterator[Crossing]:
        """Yield each new crossing of the providers as it is logged, until cancelled; first
        those of the current windows when include_current. A store outage pauses the feed and
        it resumes where it stopped."""
        last: dict[str, int] = {}
        for provider in providers:
            logged = await self._ledger.crossings_after(provider, 0)
            last[provider] = logged[-1].seq if logged else 0
            if include_current:
                for crossing in self._of_current_windows(logged):
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
