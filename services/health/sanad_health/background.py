"""Background work of the health process: a frequent refresh of the gauges, so they follow
other replicas' reports and open circuits turning half-open with time."""

from __future__ import annotations

from sanad_common.background import run_periodically
from sanad_health.tracker import ProviderHealthTracker

GAUGE_REFRESH_SECONDS = 15.0
"""How often every provider's status is read from the store when no RPC does it."""


async def refresh_gauges_periodically(
    tracker: ProviderHealthTracker, interval: float = GAUGE_REFRESH_SECONDS
) -> None:
    """Read every status now and then every interval (reading feeds the gauges)."""
    await run_periodically(interval, tracker.statuses, what="Health gauge refresh")
