"""Periodic background work shared by the services: run an operation every interval, log and
survive its failures, and stop when cancelled."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import structlog

from sanad_common.storage import StoreUnavailableError

log = structlog.get_logger(__name__)


async def run_periodically(
    interval: float,
    operation: Callable[[], Awaitable[object]],
    *,
    what: str,
    delay_first: bool = False,
) -> None:
    """Await operation now and then every interval (after one interval first with delay_first)
    until cancelled.

    A failure skips one round only: StoreUnavailableError is logged as a warning
    ("<what> skipped: store unavailable"), any other exception with its traceback
    ("<what> failed"). Cancellation is never swallowed, so the task ends on cancel().
    """
    if delay_first:
        await asyncio.sleep(interval)
    while True:
        try:
            await operation()
        except StoreUnavailableError as error:
            log.warning(f"{what} skipped: store unavailable", error=str(error))
        except Exception:
            log.exception(f"{what} failed")
        await asyncio.sleep(interval)
