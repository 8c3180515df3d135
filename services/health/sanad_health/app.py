"""Builds the health process: store, tracker, servicer, and the gauge refresh task."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import grpc

from sanad.health.v1 import health_pb2, health_pb2_grpc
from sanad_common.config import Settings
from sanad_common.server import ServiceApp, ServiceDefinition
from sanad_common.storage import open_store
from sanad_health.background import refresh_gauges_periodically
from sanad_health.servicer import ProviderHealthServicer
from sanad_health.tracker import ProviderHealthTracker

SERVICE_NAME = health_pb2.DESCRIPTOR.services_by_name["ProviderHealthService"].full_name
"""sanad.health.v1.ProviderHealthService."""


@contextlib.asynccontextmanager
async def build_app(settings: Settings) -> AsyncIterator[ServiceApp]:
    """Open the store and serve the tracker; on exit stop the refresh task and close the store."""
    store = await open_store(settings.store_url, namespace=settings.store_namespace, check=False)
    try:
        tracker = ProviderHealthTracker(store, settings)
        servicer = ProviderHealthServicer(tracker)

        def register(server: grpc.aio.Server) -> None:
            health_pb2_grpc.add_ProviderHealthServiceServicer_to_server(servicer, server)

        refresh = asyncio.create_task(refresh_gauges_periodically(tracker), name="health-gauges")
        try:
            yield ServiceApp(
                services=(
                    ServiceDefinition(
                        name=SERVICE_NAME,
                        register=register,
                        admin_methods=frozenset({"SetPrimaryProvider", "ResetProvider"}),
                    ),
                ),
                readiness_check=store.ping,
            )
        finally:
            refresh.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await refresh
    finally:
        await store.aclose()
