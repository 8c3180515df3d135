"""The gRPC face of the analyzer: requests in, pipeline, responses out.

Analyze, AnalyzeStream and GetAnalysis serve the tenant the caller proved (``TenantAccess``):
a request's ``tenant_id`` may only repeat it, so every cache lookup is the caller's own.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import grpc
import structlog

from sanad.analyzer.v1 import analyzer_pb2, analyzer_pb2_grpc
from sanad_analyzer.answers import replay
from sanad_analyzer.jurisdiction import Jurisdiction
from sanad_analyzer.memory.cache_stats import CacheName, Lookup
from sanad_analyzer.memory.degradation import DegradationStore
from sanad_analyzer.memory.idempotency import IdempotencyCache
from sanad_analyzer.pipeline import AnalysisPipeline
from sanad_analyzer.policy import PolicyType
from sanad_analyzer.request import DEFAULT_TENANT, parse_request
from sanad_analyzer.system_health import SystemHealth
from sanad_common.errors import FieldViolation, ServiceError, error_info, invalid_argument
from sanad_common.proto_time import duration
from sanad_common.security.caller import Caller
from sanad_common.tenancy import TenantAccess

log = structlog.get_logger(__name__)

Context = grpc.aio.ServicerContext[Any, Any]


class AnalyzerServicer(analyzer_pb2_grpc.AnalyzerServiceServicer):
    """sanad.analyzer.v1.AnalyzerService."""

    def __init__(
        self,
        pipeline: AnalysisPipeline,
        idempotency: IdempotencyCache,
        degradation: DegradationStore,
        *,
        max_text_chars: int,
        idempotency_ttl: float,
        degradation_ttl: float,
        system_health: SystemHealth,
        default_jurisdiction: Jurisdiction = Jurisdiction.SA,
        tenants: TenantAccess | None = None,
    ) -> None:
        self._pipeline = pipeline
        self._idempotency = idempotency
        self._degradation = degradation
        self._max_text_chars = max_text_chars
        self._idempotency_ttl = idempotency_ttl
        self._degradation_ttl = degradation_ttl
        self._system_health = system_health
        self._default_jurisdiction = default_jurisdiction
        self._tenants = tenants or TenantAccess(None)

    def _tenant(self, context: Context, claimed: str) -> str:
        """The tenant the call serves ("" leaves it to the request, when keys are off)."""
        return self._tenants.tenant_for(Caller.of(context), claimed)

    async def Analyze(
        self, request: analyzer_pb2.AnalyzeRequest, context: Context
    ) -> analyzer_pb2.AnalyzeResponse:
        tenant = self._tenant(context, request.tenant_id)
        parsed = parse_request(
            request, self._max_text_chars, self._default_jurisdiction, tenant=tenant
        )
        with structlog.contextvars.bound_contextvars(
            tenant=parsed.tenant, policy_type=parsed.policy_type.value
        ):
            return await self._pipeline.analyze(parsed, context.time_remaining())

    async def AnalyzeStream(
        self, request: analyzer_pb2.AnalyzeStreamRequest, context: Context
    ) -> AsyncIterator[analyzer_pb2.AnalyzeStreamResponse]:
        tenant = self._tenant(context, request.request.tenant_id)
        parsed = parse_request(
            request.request, self._max_text_chars, self._default_jurisdiction, tenant=tenant
        )
        events: asyncio.Queue[analyzer_pb2.ProgressEvent] = asyncio.Queue()
        task = asyncio.create_task(
            self._pipeline.analyze(parsed, context.time_remaining(), events.put_nowait)
        )
        getter: asyncio.Future[analyzer_pb2.ProgressEvent] | None = None
        try:
            while not task.done() or not events.empty():
                getter = asyncio.ensure_future(events.get())
                await asyncio.wait({getter, task}, return_when=asyncio.FIRST_COMPLETED)
                if getter.done():
                    yield analyzer_pb2.AnalyzeStreamResponse(progress=getter.result())
                else:
                    getter.cancel()
            yield analyzer_pb2.AnalyzeStreamResponse(result=task.result())
        finally:
            if getter is not None and not getter.done():
                getter.cancel()
            if not task.done():
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    async def GetAnalysis(
        self, request: analyzer_pb2.GetAnalysisRequest, context: Context
    ) -> analyzer_pb2.GetAnalysisResponse:
        tenant = self._tenant(context, request.tenant_id) or DEFAULT_TENANT
        lookup = request.WhichOneof("lookup")
        if lookup == "analysis_id" and request.analysis_id:
            found = await self._idempotency.get_analysis(tenant, request.analysis_id)
        elif lookup == "idempotency_key" and request.idempotency_key:
            found = await self._idempotency.get(tenant, f"key:{request.idempotency_key}")
        else:
            raise invalid_argument([FieldViolation("lookup", "set analysis_id or idempotency_key")])
        if found is None:
            raise ServiceError(
                grpc.StatusCode.NOT_FOUND,
                "no stored analysis for this lookup (it may have expired)",
                [error_info("ANALYSIS_NOT_FOUND")],
            )
        return analyzer_pb2.GetAnalysisResponse(result=replay(found.response))

    async def ClearCache(
        self, request: analyzer_pb2.ClearCacheRequest, context: Context
    ) -> analyzer_pb2.ClearCacheResponse:
        policy = PolicyType.from_proto(request.policy_type)
        if policy is None and request.policy_type != analyzer_pb2.POLICY_TYPE_UNSPECIFIED:
            raise invalid_argument([FieldViolation("policy_type", "unknown policy type")])
        degradation, indexed = await self._degradation.clear(policy)
        idempotency = await self._idempotency.clear(policy) if request.include_idempotency else 0
        log.info(
            "cache cleared",
            policy_type=policy.value if policy else "all",
            degradation_entries=degradation,
            idempotency_entries=idempotency,
            similarity_index_entries=indexed,
        )
        return analyzer_pb2.ClearCacheResponse(
            degradation_entries_removed=degradation,
            idempotency_entries_removed=idempotency,
            similarity_index_entries_removed=indexed,
        )

    async def GetCacheStats(
        self, request: analyzer_pb2.GetCacheStatsRequest, context: Context
    ) -> analyzer_pb2.GetCacheStatsResponse:
        stats = self._pipeline.stats
        degradation = {policy: await self._degradation.count(policy) for policy in PolicyType}
        idempotency = await self._idempotency.count()
        entries: dict[tuple[CacheName, PolicyType | None], int] = {
            (CacheName.DEGRADATION, policy): count for policy, count in degradation.items()
        }
        entries[(CacheName.IDEMPOTENCY, None)] = idempotency
        degradation_hits = stats.count(CacheName.DEGRADATION, Lookup.HIT) + stats.count(
            CacheName.DEGRADATION, Lookup.NEAR_DUPLICATE_HIT
        )
        return analyzer_pb2.GetCacheStatsResponse(
            degradation_entries=[
                analyzer_pb2.PolicyTypeCount(policy_type=policy.to_proto(), count=count)
                for policy, count in degradation.items()
            ],
            idempotency_entries=idempotency,
            idempotency_hits=stats.count(CacheName.IDEMPOTENCY, Lookup.HIT),
            idempotency_misses=stats.count(CacheName.IDEMPOTENCY, Lookup.MISS),
            degradation_hits=degradation_hits,
            degradation_misses=stats.count(CacheName.DEGRADATION, Lookup.MISS),
            degradation_ttl=duration(self._degradation_ttl),
            idempotency_ttl=duration(self._idempotency_ttl),
            caches=stats.to_proto(entries),
        )

    async def GetSystemHealth(
        self, request: analyzer_pb2.GetSystemHealthRequest, context: Context
    ) -> analyzer_pb2.GetSystemHealthResponse:
        return await self._system_health.check()
