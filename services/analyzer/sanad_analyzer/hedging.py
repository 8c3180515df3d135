"""Hedged requests: when the first provider is slow, ask the next one too and keep the first
valid answer. The loser is cancelled with HEDGE_LOST, so its attempt releases its reservation
(Sanad's quota never bills it), or withdraws its Reserve if that was still on its way, and
reports nothing to health."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from sanad_analyzer.attempt import HEDGE_LOST, AttemptResult
from sanad_analyzer.ports import ProviderOrder
from sanad_analyzer.request import AnalysisRequest
from sanad_common.config import Settings


@dataclass(frozen=True)
class HedgePolicy:
    """Whether a request is hedged, and after how long."""

    always: bool
    """Hedge every request, not only those that ask."""
    fallback_delay: float
    """Seconds to wait when health knows no recent p95 for the first provider."""

    @classmethod
    def from_settings(cls, settings: Settings) -> HedgePolicy:
        """The policy the settings describe."""
        return cls(always=settings.hedging_enabled, fallback_delay=settings.hedge_delay)

    def applies(self, request: AnalysisRequest) -> bool:
        """True if this request is hedged."""
        return self.always or request.hedge

    def delay(self, order: ProviderOrder, provider: str) -> float:
        """The provider's recent p95 latency, or the fallback delay."""
        return order.latency_p95.get(provider, self.fallback_delay)


@dataclass(frozen=True)
class RaceResult:
    """How a hedged pair of providers ended."""

    provider: str | None
    """The provider whose answer won; None if neither answered."""
    result: AttemptResult
    """The winner's result, or the last failure's."""
    providers_used: int
    """1 if the first provider finished before the delay (no hedge), else 2."""


async def race(
    first: str,
    second: str,
    run: Callable[[str], Awaitable[AttemptResult]],
    delay: float,
    hedge_started: Callable[[], None],
) -> RaceResult:
    """Run ``first``; if it is still running after ``delay``, run ``second`` beside it.

    The first valid answer wins and the other attempt is cancelled. If ``first`` fails before
    the delay, nothing is hedged and the caller fails over as usual.
    """
    tasks = {asyncio.ensure_future(run(first)): first}
    lost: str | None = HEDGE_LOST
    try:
        done, _ = await asyncio.wait(tasks, timeout=delay)
        if done:
            return RaceResult(first, done.pop().result(), providers_used=1)
        hedge_started()
        tasks[asyncio.ensure_future(run(second))] = second
        last = AttemptResult()
        pending = set(tasks)
        while pending:
            done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                result = task.result()
                if result.answer is not None:
                    return RaceResult(tasks[task], result, providers_used=2)
                last = AttemptResult(
                    out_of_time=last.out_of_time or result.out_of_time,
                    tenant_over=last.tenant_over or result.tenant_over,
                )
        return RaceResult(None, last, providers_used=2)
    except asyncio.CancelledError:
        # The caller went away: both attempts end as a cancelled call, not a lost hedge.
        lost = None
        raise
    finally:
        await _cancel(list(tasks), lost)


async def _cancel(tasks: list[asyncio.Future[AttemptResult]], message: str | None) -> None:
    """Cancel the attempts still running (as a lost hedge when message is HEDGE_LOST) and wait
    for them to settle their reservations."""
    running = [task for task in tasks if not task.done()]
    for task in running:
        task.cancel(message)
    for task in running:
        with contextlib.suppress(asyncio.CancelledError):
            await task
