"""Background work of the quota process: the hourly "Quota statistics" log, and a frequent
refresh of the usage gauges so they follow other replicas' spending and window rollovers."""

from __future__ import annotations

import structlog

from sanad_common.background import run_periodically
from sanad_quota.ledger import QuotaLedger

log = structlog.get_logger(__name__)

STATISTICS_INTERVAL_SECONDS = 3600.0
"""How often the statistics are logged (hourly, as in the original system)."""
GAUGE_REFRESH_SECONDS = 15.0
"""How often the usage gauges are read from the store when no RPC does it."""


async def log_statistics(ledger: QuotaLedger) -> None:
    """Log one "Quota statistics" event with every provider's usage in every window."""
    reports = await ledger.usage_of_all()
    log.info(
        "Quota statistics",
        providers={
            report.provider: {
                f"{item.window.value}_{item.metric.value}": {
                    "used": item.used,
                    "limit": item.limit,
                    "percent": round(item.percent, 1),
                    "level": item.warning_level.name,
                    "projected_use": item.projected_use,
                }
                for item in report.windows
            }
            for report in reports
        },
    )


async def log_statistics_periodically(
    ledger: QuotaLedger, interval: float = STATISTICS_INTERVAL_SECONDS
) -> None:
    """Log the statistics every interval until cancelled; a failure skips one round only."""
    await run_periodically(
        interval, lambda: log_statistics(ledger), what="Quota statistics", delay_first=True
    )


async def refresh_gauges_periodically(
    ledger: QuotaLedger, interval: float = GAUGE_REFRESH_SECONDS
) -> None:
    """Read every provider's usage now and then every interval (reading feeds the gauges)."""
    await run_periodically(interval, ledger.usage_of_all, what="Quota gauge refresh")
