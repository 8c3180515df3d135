"""Background work of the health process: a frequent refresh of the gauges, so they follow
other replicas' reports and open circuits turning half-open with time."""

from __future__ import annotations

import asyncio

import structlog

from sanad_common.storage import StoreUnavailableError
from sanad_health.tracker import ProviderHealthTracker

log = structlog.get_logger(__name__)

GAUGE_REFRESH_SECONDS = 15.0
"""How often every provider's status is read from the store when no RPC does it."""


async def refresh_gauges_periodically(
    tracker: ProviderHealthTracker, interval: float = GAUGE_REFRESH_SECONDS
) -> None:
    """Read every status now and then every interval (reading feeds the gauges)."""
    while True:
        try:
            await tracker.statuses()
        except StoreUnavailableError as error:
            log.warning("Health gauge refresh skipped: store unavailable", error=str(error))
        except Exception:
            log.exception("Health gauge refresh failed")
        await asyncio.sleep(interval)
