"""Background work of the quota process: the sweep that gives back expired reservations, the
hourly "Quota statistics" log written by one replica per hour, and a frequent refresh of the
usage gauges so they follow other replicas' spending and window rollovers."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import structlog

from sanad_common.background import run_periodically
from sanad_common.storage import Store
from sanad_common.windows import HOUR, TimeWindow
from sanad_quota.ledger import QuotaLedger
from sanad_quota.usage import WindowUsage

log = structlog.get_logger(__name__)

STATISTICS_CHECK_SECONDS = 60.0
"""How often each replica asks for the statistics lease of the current hour."""
GAUGE_REFRESH_SECONDS = 15.0
"""How often the usage gauges are read from the store when no RPC does it."""
LEASE_GRACE_SECONDS = 300.0
"""How long a statistics lease outlives its hour, so a replica with a late clock cannot take it
again."""


def _windows(usage: Sequence[WindowUsage]) -> dict[str, dict[str, object]]:
    return {
        f"{item.window.value}_{item.metric.value}": {
            "used": item.used,
            "limit": item.limit,
            "percent": round(item.percent, 1),
            "level": item.warning_level.name,
            "projected_use": item.projected_use,
            "projected_exhaustion": item.projected_exhaustion,
            "prediction_points": item.prediction_points,
            "prediction_confidence": round(item.prediction_confidence, 2),
        }
        for item in usage
    }


async def log_statistics(ledger: QuotaLedger) -> None:
    """Log one "Quota statistics" event with every provider's usage, warning level and
    prediction in every window, and those of the tenants the metrics name."""
    reports = await ledger.usage_of_all()
    tenants = await ledger.labelled_tenants_usage()
    log.info(
        "Quota statistics",
        providers={report.provider: _windows(report.windows) for report in reports},
        tenants={report.tenant: _windows(report.windows) for report in tenants},
    )


class StatisticsLease:
    """Lets exactly one replica log the statistics of each UTC hour: the first to claim the
    hour's lease entry in the shared store."""

    def __init__(self, store: Store, ledger: QuotaLedger, *, holder: str | None = None) -> None:
        self._store = store
        self._ledger = ledger
        self.holder = holder or uuid.uuid4().hex
        """This replica's name in the lease."""

    async def log_if_due(self) -> bool:
        """Log the statistics if this replica wins the current hour's lease; True if it did."""
        hour = TimeWindow.containing(self._ledger.now(), HOUR)
        won = await self._store.set_if_absent(
            f"quota:statistics-lease:{hour.start}",
            self.holder.encode(),
            ttl=hour.remaining(self._ledger.now()) + LEASE_GRACE_SECONDS,
        )
        if won:
            await log_statistics(self._ledger)
        return won


async def log_statistics_hourly(
    lease: StatisticsLease, interval: float = STATISTICS_CHECK_SECONDS
) -> None:
    """Try for the hour's statistics lease every interval until cancelled."""
    await run_periodically(interval, lease.log_if_due, what="Quota statistics")


async def sweep_periodically(ledger: QuotaLedger, interval: float) -> None:
    """Give back expired reservations every interval until cancelled, whether or not any
    request arrives."""
    await run_periodically(interval, ledger.sweep, what="Quota reservation sweep")


async def refresh_gauges_periodically(
    ledger: QuotaLedger, interval: float = GAUGE_REFRESH_SECONDS
) -> None:
    """Read every provider's usage, and the named tenants', now and then every interval
    (reading feeds the gauges)."""

    async def refresh() -> None:
        await ledger.usage_of_all()
        await ledger.labelled_tenants_usage()

    await run_periodically(interval, refresh, what="Quota gauge refresh")
