"""Builds the analyzer process from the settings: store, providers, downstream channels."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from sanad.analyzer.v1 import analyzer_pb2_grpc
from sanad_analyzer.downstream import HealthGateway, QuotaGateway, open_safe_budget
from sanad_analyzer.hedging import HedgePolicy
from sanad_analyzer.jurisdiction import Jurisdiction
from sanad_analyzer.memory.degradation import DegradationStore
from sanad_analyzer.memory.entries import StoredAnswers
from sanad_analyzer.memory.idempotency import IdempotencyCache
from sanad_analyzer.memory.near_duplicates import NearDuplicateIndex
from sanad_analyzer.memory.single_flight import SharedFlight
from sanad_analyzer.pipeline import AnalysisPipeline
from sanad_analyzer.providers.base import Provider
from sanad_analyzer.providers.registry import build_provider
from sanad_analyzer.retry import RetryPolicy
from sanad_analyzer.rules.review import RuleReview
from sanad_analyzer.servicer import AnalyzerServicer
from sanad_analyzer.system_health import SystemHealth, SystemHealthSources
from sanad_common.channels import dependency_channel
from sanad_common.config import Settings
from sanad_common.security.tls import client_material
from sanad_common.server import ServiceApp, ServiceDefinition
from sanad_common.storage import open_store
from sanad_common.tenancy import load_tenants, tenant_access
from sanad_common.tracing import client_interceptors

SERVICE_NAME = "sanad.analyzer.v1.AnalyzerService"
ADMIN_METHODS = frozenset({"ClearCache", "GetCacheStats"})


@contextlib.asynccontextmanager
async def build_app(settings: Settings) -> AsyncIterator[ServiceApp]:
    """The analyzer's servicer and readiness check; closes everything on exit."""
    # Read first: an unknown kind or unusable tenants or TLS files stop the start before
    # anything needs closing.
    tenants = load_tenants(settings.tenants_file)
    tls = client_material(settings)
    providers: dict[str, Provider] = {}
    for provider_settings in settings.provider_list():
        provider = build_provider(provider_settings)
        if provider is not None:
            providers[provider.name] = provider
    store = await open_store(settings.store_url, namespace=settings.store_namespace, check=False)
    backoff = settings.downstream_max_reconnect_backoff
    quota_channel = dependency_channel(settings.quota_target, backoff, client_interceptors(), tls)
    health_channel = dependency_channel(settings.health_target, backoff, client_interceptors(), tls)
    safe_budget = await open_safe_budget(settings, quota_channel, tenants)
    health = HealthGateway(
        health_channel,
        settings.downstream_timeout,
        settings.provider_names(),
        deadline_share=settings.downstream_deadline_share,
        queue_capacity=settings.health_report_queue,
        local_outcome_ttl=settings.local_outcome_ttl,
    )
    health.start()
    # An answer stays as long as the longest entry that refers to it.
    stored_answers = StoredAnswers(
        store, ttl=max(settings.idempotency_ttl, settings.graceful_degradation_ttl)
    )
    idempotency = IdempotencyCache(
        store,
        stored_answers,
        ttl=settings.idempotency_ttl,
        analysis_ttl=settings.graceful_degradation_ttl,
    )
    degradation = DegradationStore(
        store,
        stored_answers,
        ttl=settings.graceful_degradation_ttl,
        index=NearDuplicateIndex(
            store,
            ttl=settings.graceful_degradation_ttl,
            threshold=settings.near_duplicate_threshold,
            cross_tenant=settings.degradation_cross_tenant,
        ),
    )
    quota = QuotaGateway(
        quota_channel, settings.downstream_timeout, safe_budget, settings.downstream_deadline_share
    )
    pipeline = AnalysisPipeline(
        providers=providers,
        quota=quota,
        health=health,
        store=store,
        stored_answers=stored_answers,
        idempotency=idempotency,
        degradation=degradation,
        degradation_enabled=settings.graceful_degradation_enable,
        default_deadline=settings.default_deadline,
        deadline_margin=settings.deadline_margin,
        retry=RetryPolicy.from_settings(settings),
        hedging=HedgePolicy.from_settings(settings),
        rules=RuleReview(answer_enabled=settings.rules_answer_enable),
        shared_flight=SharedFlight(store, lease=settings.single_flight_lease),
    )
    system_health = SystemHealth(
        SystemHealthSources(
            health_channel=health_channel,
            quota_channel=quota_channel,
            store_ping=store.ping,
            configured_providers=settings.provider_names(),
            callable_providers=frozenset(providers),
            cache_counters=pipeline.stats,
            degradation_enabled=settings.graceful_degradation_enable,
            timeout=settings.downstream_timeout,
            local=health,
            quota_fallback=safe_budget.open,
            rules_answer=settings.rules_answer_enable,
        )
    )
    servicer = AnalyzerServicer(
        pipeline,
        idempotency,
        degradation,
        max_text_chars=settings.max_policy_text_chars,
        idempotency_ttl=settings.idempotency_ttl,
        degradation_ttl=settings.graceful_degradation_ttl,
        system_health=system_health,
        default_jurisdiction=Jurisdiction(settings.default_jurisdiction),
        tenants=tenant_access(tenants),
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
                    readiness_check=system_health.readiness,
                )
            ],
            readiness_check=system_health.can_answer,
        )
    finally:
        await pipeline.aclose()
        await quota.aclose()
        await health.aclose()
        for provider in providers.values():
            await provider.aclose()
        await quota_channel.close()
        await health_channel.close()
        await store.aclose()
        await safe_budget.aclose()
