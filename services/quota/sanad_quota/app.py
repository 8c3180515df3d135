"""Builds the quota process: store, ledger, servicer, and the background tasks."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import grpc

from sanad.quota.v1 import quota_pb2, quota_pb2_grpc
from sanad_common.config import Settings
from sanad_common.server import ServiceApp, ServiceDefinition
from sanad_common.storage import open_store
from sanad_common.tenancy import load_tenants
from sanad_quota.background import (
    StatisticsLease,
    log_statistics_hourly,
    refresh_gauges_periodically,
    sweep_periodically,
)
from sanad_quota.ledger import QuotaLedger
from sanad_quota.servicer import QuotaServicer
from sanad_quota.watch import CrossingWatch

SERVICE_NAME = quota_pb2.DESCRIPTOR.services_by_name["QuotaService"].full_name
"""sanad.quota.v1.QuotaService."""


@contextlib.asynccontextmanager
async def build_app(settings: Settings) -> AsyncIterator[ServiceApp]:
    """Open the store and serve the ledger; on exit stop the background tasks, close the store."""
    tenants = load_tenants(settings.tenants_file)
    store = await open_store(settings.store_url, namespace=settings.store_namespace, check=False)
    try:
        ledger = QuotaLedger(store, settings, tenants=tenants)
        servicer = QuotaServicer(ledger, CrossingWatch(ledger))

        def register(server: grpc.aio.Server) -> None:
            quota_pb2_grpc.add_QuotaServiceServicer_to_server(servicer, server)

        tasks = [
            asyncio.create_task(
                log_statistics_hourly(StatisticsLease(store, ledger)), name="quota-statistics"
            ),
            asyncio.create_task(refresh_gauges_periodically(ledger), name="quota-gauges"),
            asyncio.create_task(
                sweep_periodically(ledger, settings.quota_sweep_interval), name="quota-sweep"
            ),
        ]
        try:
            yield ServiceApp(
                services=(
                    ServiceDefinition(
                        name=SERVICE_NAME,
                        register=register,
                        admin_methods=frozenset({"ResetQuota"}),
                    ),
                ),
                readiness_check=store.ping,
            )
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
    finally:
        await store.aclose()
