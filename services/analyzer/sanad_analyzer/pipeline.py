"""The Analyze request path (DESIGN §2): idempotency, provider attempts under quota and
health, degradation store, and the clear error when nothing can answer."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Mapping
from dataclasses import dataclass
from typing import TypeVar

import grpc
import structlog
from opentelemetry import metrics

from sanad.analyzer.v1 import analyzer_pb2
from sanad_analyzer.analysis import analysis_to_proto
from sanad_analyzer.attempt import ProviderAttempt
from sanad_analyzer.attempt_log import QUOTA_UNAVAILABLE, AttemptLog, ProgressSink
from sanad_analyzer.caches import CachedAnswer, DegradationStore, IdempotencyCache
from sanad_analyzer.deadline import Deadline
from sanad_analyzer.ports import HealthPort, QuotaPort
from sanad_analyzer.providers.base import Provider, ProviderAnswer
from sanad_analyzer.request import AnalysisRequest
from sanad_analyzer.settlements import Settlements
from sanad_analyzer.single_flight import FingerprintMismatchError, SingleFlight
from sanad_common.errors import ServiceError, error_info, localized, retry_info
from sanad_common.proto_time import now
from sanad_common.storage import StoreUnavailableError

log = structlog.get_logger(__name__)
_meter = metrics.get_meter("sanad.analyzer")
_failovers = _meter.create_counter("sanad_failovers", description="Failovers to a next provider")
_cache_lookups = _meter.create_counter(
    "sanad_cache_lookups", description="Cache lookups by cache and result (hit or miss)"
)

DEGRADED_NOTE = analyzer_pb2.LocalizedNote(
    ar="تم استرجاع تحليل مشابه من الذاكرة المؤقتة",
    en="A similar analysis was retrieved from cache",
)
UNAVAILABLE_AR = "تعذر تحليل السياسة الآن: جميع مزودي التحليل غير متاحين. حاول مرة أخرى لاحقاً."
UNAVAILABLE_EN = "The policy cannot be analysed now: every analysis provider is unavailable."
DEFAULT_RETRY_AFTER = 30.0
"""Seconds a caller is told to wait when no provider said how long."""
DEPENDENCY_RETRY_AFTER = 1.0
"""Seconds a caller is told to wait when a dependency of Sanad, not a provider, was missing."""
T = TypeVar("T")


class AnalysisPipeline:
    """Turns a validated request into an answer, or into the clearest error there is."""

    def __init__(
        self,
        *,
        providers: Mapping[str, Provider],
        quota: QuotaPort,
        health: HealthPort,
        idempotency: IdempotencyCache,
        degradation: DegradationStore,
        degradation_enabled: bool,
        default_deadline: float,
        deadline_margin: float,
    ) -> None:
        self._providers = providers
        self._health = health
        self._settlements = Settlements()
        self._attempt = ProviderAttempt(quota, health, self._settlements)
        self._idempotency = idempotency
        self._degradation = degradation
        self._degradation_enabled = degradation_enabled
        self._default_deadline = default_deadline
        self._margin = deadline_margin
        self._flights: SingleFlight[analyzer_pb2.AnalyzeResponse] = SingleFlight()
        self.stats = CacheCounters()

    async def aclose(self) -> None:
        """Let quota settlements still in flight finish (within a bound)."""
        await self._settlements.aclose()

    async def analyze(
        self,
        request: AnalysisRequest,
        time_remaining: float | None,
        sink: ProgressSink | None = None,
    ) -> analyzer_pb2.AnalyzeResponse:
        """The answer to one request; raises ServiceError when there is none."""
        budget = time_remaining if time_remaining is not None else self._default_deadline
        deadline = Deadline.after(budget, self._margin)
        attempts = AttemptLog(uuid.uuid4().hex, sink)
        attempts.event(analyzer_pb2.STAGE_VALIDATED, "request is valid")
        if request.idempotency_key or not request.force_refresh:
            cached = await self._cached_answer(request, attempts)
            if cached is not None:
                return cached
        flight_key = f"{request.tenant}:{request.idempotency_id}:{request.force_refresh}"
        try:
            response, shared = await self._flights.run(
                flight_key,
                request.request_hash,
                lambda: self._produce(request, deadline, attempts),
            )
        except FingerprintMismatchError:
            raise _key_reused(request) from None
        return as_replay(response) if shared else response

    async def _cached_answer(
        self, request: AnalysisRequest, attempts: AttemptLog
    ) -> analyzer_pb2.AnalyzeResponse | None:
        """A stored answer to this request, unless force_refresh; a reused key is refused."""
        cached = await self._tolerant(
            self._idempotency.get(request.tenant, request.idempotency_id), None, "idempotency get"
        )
        if cached is not None and cached.fingerprint != request.request_hash:
            raise _key_reused(request)
        if request.force_refresh:
            return None
        if cached is None:
            self.stats.idempotency_misses += 1
            _cache_lookups.add(1, {"cache": "idempotency", "result": "miss"})
            attempts.event(analyzer_pb2.STAGE_IDEMPOTENCY_CHECKED, "idempotency cache miss")
            return None
        self.stats.idempotency_hits += 1
        _cache_lookups.add(1, {"cache": "idempotency", "result": "hit"})
        attempts.event(analyzer_pb2.STAGE_IDEMPOTENCY_CHECKED, "idempotency cache hit")
        log.info("Idempotency: Cache HIT", analysis_id=cached.response.analysis_id)
        return as_replay(cached.response)

    async def _produce(
        self, request: AnalysisRequest, deadline: Deadline, attempts: AttemptLog
    ) -> analyzer_pb2.AnalyzeResponse:
        order = await self._health.provider_order(deadline.remaining())
        candidates = [name for name in order.available if name in self._providers]
        for skipped in order.skipped:
            attempts.kept_out[skipped.name] = skipped.reason
            retry_after = skipped.retry_after(time.time())
            if retry_after is not None:
                attempts.retry_after.append(retry_after)
        out_of_time = False
        for index, name in enumerate(candidates):
            if index > 0:
                _failovers.add(1, {"from": candidates[index - 1], "to": name})
                log.warning("Failing over to secondary", previous=candidates[index - 1], next=name)
                attempts.event(analyzer_pb2.STAGE_FAILOVER, f"failing over to {name}", name)
            result = await self._attempt.run(
                self._providers[name], request, deadline, len(candidates) - index, attempts
            )
            if result.answer is not None:
                return await self._fresh(name, result.answer, request, attempts)
            out_of_time = result.out_of_time
            if out_of_time:
                break
        # Time ran out if too little of it is left for another attempt, whoever used it up.
        out_of_time = out_of_time or deadline.exhausted()
        degraded = await self._degraded(request, attempts)
        if degraded is not None:
            return degraded
        raise self._no_answer(candidates, attempts, out_of_time)

    async def _fresh(
        self, name: str, answer: ProviderAnswer, request: AnalysisRequest, attempts: AttemptLog
    ) -> analyzer_pb2.AnalyzeResponse:
        produced_at = now()
        response = analyzer_pb2.AnalyzeResponse(
            analysis=analysis_to_proto(answer.analysis),
            source=analyzer_pb2.SOURCE_FRESH,
            provider=name,
            model=answer.model,
            attempts=attempts.items,
            token_usage=analyzer_pb2.TokenUsage(
                prompt_tokens=answer.prompt_tokens,
                completion_tokens=answer.completion_tokens,
                total_tokens=answer.total_tokens,
            ),
            analysis_id=uuid.uuid4().hex,
            analyzed_at=produced_at,
            responded_at=produced_at,
            quota_accounted_locally=attempts.accounted_locally,
        )
        existing, _ = await asyncio.gather(
            self._tolerant(
                self._idempotency.put(
                    request.tenant,
                    request.idempotency_id,
                    request.request_hash,
                    request.policy_type,
                    response,
                    replace=request.force_refresh or not request.idempotency_key,
                ),
                None,
                "idempotency put",
            ),
            self._tolerant(
                self._degradation.put(
                    request.policy_type,
                    request.tenant,
                    request.text_hash,
                    request.request_hash,
                    response,
                ),
                None,
                "degradation put",
            ),
        )
        if existing is not None and existing.fingerprint != request.request_hash:
            raise _key_reused(request)
        return response

    async def _degraded(
        self, request: AnalysisRequest, attempts: AttemptLog
    ) -> analyzer_pb2.AnalyzeResponse | None:
        if not self._degradation_enabled or request.force_refresh:
            return None
        found: CachedAnswer | None = await self._tolerant(
            self._degradation.find_exact(request.policy_type, request.tenant, request.text_hash),
            None,
            "degradation lookup",
        )
        attempts.event(
            analyzer_pb2.STAGE_DEGRADATION_LOOKUP,
            "degradation store hit" if found else "degradation store miss",
        )
        if found is None:
            self.stats.degradation_misses += 1
            _cache_lookups.add(1, {"cache": "degradation", "result": "miss"})
            log.warning("Graceful Degradation: Cache MISS", policy_type=request.policy_type.value)
            return None
        self.stats.degradation_hits += 1
        _cache_lookups.add(1, {"cache": "degradation", "result": "hit"})
        log.info(
            "Graceful Degradation: Cache HIT",
            policy_type=request.policy_type.value,
            analysis_id=found.response.analysis_id,
        )
        response = found.response
        response.source = analyzer_pb2.SOURCE_DEGRADED_SIMILAR
        response.similarity = 1.0
        response.note.CopyFrom(DEGRADED_NOTE)
        del response.attempts[:]
        response.attempts.extend(attempts.items)
        response.responded_at.CopyFrom(now())
        return response

    def _no_answer(
        self, candidates: list[str], attempts: AttemptLog, out_of_time: bool
    ) -> ServiceError:
        classes = attempts.failure_classes()
        reason = "ALL_PROVIDERS_FAILED" if candidates else "NO_PROVIDER_AVAILABLE"
        if classes and set(classes.values()) == {QUOTA_UNAVAILABLE}:
            reason = QUOTA_UNAVAILABLE
            attempts.retry_after.append(DEPENDENCY_RETRY_AFTER)
        retry_after = min(attempts.retry_after, default=DEFAULT_RETRY_AFTER)
        details = [
            error_info(reason, classes),
            retry_info(retry_after),
            localized("ar", UNAVAILABLE_AR),
            localized("en-US", UNAVAILABLE_EN),
        ]
        summary = ", ".join(f"{name}: {cls}" for name, cls in classes.items()) or "none"
        if out_of_time:
            return ServiceError(
                grpc.StatusCode.DEADLINE_EXCEEDED,
                f"deadline reached before any provider answered ({summary})",
                details,
            )
        return ServiceError(
            grpc.StatusCode.UNAVAILABLE, f"no provider could answer ({summary})", details
        )

    async def _tolerant(self, operation: Awaitable[T], fallback: T, what: str) -> T:
        """Run a store operation; if the store is down, log and carry on without it."""
        try:
            return await operation
        except StoreUnavailableError as error:
            log.warning("store unavailable", operation=what, error=str(error))
            return fallback


def _key_reused(request: AnalysisRequest) -> ServiceError:
    return ServiceError(
        grpc.StatusCode.FAILED_PRECONDITION,
        "idempotency_key was already used with a different request",
        [error_info("IDEMPOTENCY_KEY_REUSED", {"idempotency_key": request.idempotency_key})],
    )


def as_replay(answer: analyzer_pb2.AnalyzeResponse) -> analyzer_pb2.AnalyzeResponse:
    """A stored or shared answer as a replay: labelled so, without the original attempts."""
    replay = analyzer_pb2.AnalyzeResponse()
    replay.CopyFrom(answer)
    if replay.source == analyzer_pb2.SOURCE_FRESH:
        replay.source = analyzer_pb2.SOURCE_IDEMPOTENCY_CACHE
    del replay.attempts[:]
    replay.quota_accounted_locally = False  # a replay spends nothing
    replay.responded_at.CopyFrom(now())
    return replay


@dataclass
class CacheCounters:
    """Cache hits and misses since the process started, for GetCacheStats."""

    idempotency_hits: int = 0
    idempotency_misses: int = 0
    degradation_hits: int = 0
    degradation_misses: int = 0
