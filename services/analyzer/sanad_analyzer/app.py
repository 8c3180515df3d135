"""Builds the analyzer process from the settings: store, providers, downstream channels."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator
from pathlib import Path

import structlog

from sanad.analyzer.v1 import analyzer_pb2_grpc
from sanad.quota.v1 import quota_pb2_grpc
from sanad_analyzer.caches import DegradationStore, IdempotencyCache
from sanad_analyzer.downstream import HealthGateway, QuotaGateway
from sanad_analyzer.pipeline import AnalysisPipeline
from sanad_analyzer.providers.base import Provider
from sanad_analyzer.providers.gemini_provider import GeminiProvider
from sanad_analyzer.providers.openai_provider import OpenAIProvider
from sanad_analyzer.safe_budget import SafeBudget, safe_limit
from sanad_analyzer.servicer import AnalyzerServicer
from sanad_analyzer.spend_journal import SpendJournal
from sanad_common.channels import dependency_channel
from sanad_common.config import ProviderSettings, Settings
from sanad_common.server import ServiceApp, ServiceDefinition
from sanad_common.storage import open_store

log = structlog.get_logger(__name__)

SERVICE_NAME = "sanad.analyzer.v1.AnalyzerService"
ADMIN_METHODS = frozenset({"ClearCache", "GetCacheStats"})


def build_provider(settings: ProviderSettings) -> Provider | None:
    """The adapter for one configured provider; None when it has no API key."""
    if settings.api_key is None:
        log.warning("provider has no API key and will not be called", provider=settings.name)
        return None
    adapter = OpenAIProvider if settings.kind == "openai" else GeminiProvider
    return adapter(
        name=settings.name,
        api_key=settings.api_key.get_secret_value(),
        base_url=settings.base_url,
        model=settings.model,
        max_output_tokens=settings.max_output_tokens,
    )


@contextlib.asynccontextmanager
async def build_app(settings: Settings) -> AsyncIterator[ServiceApp]:
    """The analyzer's servicer and readiness check; closes everything on exit."""
    store = await open_store(settings.store_url, namespace=settings.store_namespace, check=False)
    providers: dict[str, Provider] = {}
    for provider_settings in settings.provider_list():
        provider = build_provider(provider_settings)
        if provider is not None:
            providers[provider.name] = provider
    quota_channel = dependency_channel(
        settings.quota_target, settings.downstream_max_reconnect_backoff
    )
    health_channel = dependency_channel(
        settings.health_target, settings.downstream_max_reconnect_backoff
    )
    journal = await SpendJournal.open(
        Path(settings.quota_journal_path or f"var/analyzer-{settings.analyzer_port}-spends.db")
    )
    safe_budget = SafeBudget(
        journal,
        {provider.name: safe_limit(settings, provider) for provider in settings.provider_list()},
        interval=settings.quota_safe_interval,
        analyzer_id=settings.analyzer_id or f"{socket.gethostname()}:{settings.analyzer_port}",
    )
    reconciler = asyncio.create_task(
        safe_budget.reconcile_forever(
            quota_pb2_grpc.QuotaServiceStub(quota_channel),
            settings.downstream_timeout,
            settings.quota_reconcile_interval,
        ),
        name="analyzer-reconcile-local-spends",
    )
    idempotency = IdempotencyCache(
        store, ttl=settings.idempotency_ttl, analysis_ttl=settings.graceful_degradation_ttl
    )
    degradation = DegradationStore(store, ttl=settings.graceful_degradation_ttl)
    pipeline = AnalysisPipeline(
        providers=providers,
        quota=QuotaGateway(
            quota_channel,
            settings.downstream_timeout,
            safe_budget,
            settings.downstream_deadline_share,
        ),
        health=HealthGateway(
            health_channel, settings.downstream_timeout, settings.provider_names()
        ),
        idempotency=idempotency,
        degradation=degradation,
        degradation_enabled=settings.graceful_degradation_enable,
        default_deadline=settings.default_deadline,
        deadline_margin=settings.deadline_margin,
    )
    servicer = AnalyzerServicer(
        pipeline,
        idempotency,
        degradation,
        max_text_chars=settings.max_policy_text_chars,
        idempotency_ttl=settings.idempotency_ttl,
        degradation_ttl=settings.graceful_degradation_ttl,
    )
    try:
        yield ServiceApp(
            services=[
                ServiceDefinition(
                    name=SERVICE_NAME,
                    register=lambda server: analyzer_pb2_grpc.add_AnalyzerServiceServicer_to_server(
                        servicer, server
                    ),
                    admin_methods=ADMIN_METHODS,
                )
            ],
            # The analyzer answers while its store is down (caches miss), so only its own
            # journal decides readiness.
            readiness_check=journal.ping,
        )
    finally:
        reconciler.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await reconciler
        await pipeline.aclose()
        for provider in providers.values():
            await provider.aclose()
        await quota_channel.close()
        await health_channel.close()
        await store.aclose()
        await journal.aclose()
