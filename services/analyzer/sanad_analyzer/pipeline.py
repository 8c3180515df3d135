"""The Analyze request path (DESIGN §2): idempotency, provider attempts under quota and
health, degradation store, and the clear error when nothing can answer."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import TypeAlias, TypeVar

import grpc
import structlog
from opentelemetry import metrics

from sanad.analyzer.v1 import analyzer_pb2
from sanad_analyzer.analysis import analysis_to_proto
from sanad_analyzer.caches import CachedAnswer, DegradationStore, IdempotencyCache
from sanad_analyzer.downstream import HealthGateway, QuotaGateway
from sanad_analyzer.providers.base import Provider, ProviderAnswer, ProviderError
from sanad_analyzer.request import AnalysisRequest
from sanad_analyzer.single_flight import FingerprintMismatchError, SingleFlight
from sanad_common.error_class import ErrorClass
from sanad_common.errors import ServiceError, error_info, localized, retry_info
from sanad_common.proto_time import duration, now
from sanad_common.storage import StoreUnavailableError

log = structlog.get_logger(__name__)
_meter = metrics.get_meter("sanad.analyzer")
_failovers = _meter.create_counter("sanad_failovers", description="Failovers to a next provider")
_cache_lookups = _meter.create_counter(
    "sanad_cache_lookups", description="Cache lookups by cache and result (hit or miss)"
)
_attempts = _meter.create_counter(
    "sanad_provider_attempts", description="Provider attempts by provider and outcome"
)

DEGRADED_NOTE = analyzer_pb2.LocalizedNote(
    ar="تم استرجاع تحليل مشابه من الذاكرة المؤقتة",
    en="A similar analysis was retrieved from cache",
)
UNAVAILABLE_AR = "تعذر تحليل السياسة الآن: جميع مزودي التحليل غير متاحين. حاول مرة أخرى لاحقاً."
UNAVAILABLE_EN = "The policy cannot be analysed now: every analysis provider is unavailable."
DEFAULT_RETRY_AFTER = 30.0
"""Seconds a caller is told to wait when no provider said how long."""
QUOTA_UNAVAILABLE = "QUOTA_UNAVAILABLE"
"""ErrorInfo reason (and per-provider value) when quota could not be asked and the local safe
budget refused: a dependency outage, never a provider's error class."""
DEPENDENCY_RETRY_AFTER = 1.0
"""Seconds a caller is told to wait when a dependency of Sanad, not a provider, was missing."""
RETRIED_ONCE = frozenset({ErrorClass.RATE_LIMITED, ErrorClass.INVALID_RESPONSE})
"""Classes that allow one more attempt on the same provider (DESIGN §4)."""
NOT_BILLED = frozenset(
    {
        ErrorClass.QUOTA_EXCEEDED,
        ErrorClass.RATE_LIMITED,
        ErrorClass.AUTHENTICATION,
        ErrorClass.SERVICE_CRASH,
    }
)
"""Failures where the provider refused the call, so its reservation is given back; after the
others (timeout, invalid answer, unknown) the provider may have billed, so the estimate stays."""

MIN_ATTEMPT_SECONDS = 0.1
"""Less time than this left for providers means the deadline, not the providers, ended it."""
SETTLE_GRACE_SECONDS = 5.0
"""How long shutdown waits for quota settlements still in flight."""

Stage: TypeAlias = analyzer_pb2.Stage.ValueType
ProgressSink = Callable[[analyzer_pb2.ProgressEvent], None]
T = TypeVar("T")


@dataclass
class _Attempts:
    """The attempts of one request, and how to tell the caller about them."""

    request_id: str
    sink: ProgressSink | None
    items: list[analyzer_pb2.ProviderAttempt] = field(default_factory=list)
    retry_after: list[float] = field(default_factory=list)
    kept_out: dict[str, ErrorClass] = field(default_factory=dict)
    quota_down: set[str] = field(default_factory=set)
    accounted_locally: bool = False

    def event(
        self,
        stage: Stage,
        message: str,
        provider: str = "",
        error_class: ErrorClass | None = None,
    ) -> None:
        if self.sink is None:
            return
        event = analyzer_pb2.ProgressEvent(
            stage=stage, provider=provider, message=message, time=now()
        )
        if error_class is not None:
            event.error_class = error_class.to_proto()
        self.sink(event)

    def failed(
        self,
        provider: str,
        error_class: ErrorClass,
        latency: float,
        message: str,
        retry_after: float | None,
    ) -> None:
        self.items.append(
            analyzer_pb2.ProviderAttempt(
                provider=provider,
                success=False,
                error_class=error_class.to_proto(),
                latency=duration(latency),
                message=message,
            )
        )
        if retry_after is not None:
            self.retry_after.append(retry_after)
        _attempts.add(1, {"provider": provider, "outcome": error_class.value})

    def unaccountable(self, provider: str, reason: str) -> None:
        """Not attempted: quota could not be asked and the safe budget refused."""
        self.quota_down.add(provider)
        self.items.append(
            analyzer_pb2.ProviderAttempt(provider=provider, success=False, message=reason)
        )
        self.event(analyzer_pb2.STAGE_QUOTA_DENIED, reason, provider)

    def succeeded(self, provider: str, latency: float) -> None:
        self.items.append(
            analyzer_pb2.ProviderAttempt(provider=provider, success=True, latency=duration(latency))
        )
        _attempts.add(1, {"provider": provider, "outcome": "SUCCESS"})


class AnalysisPipeline:
    """Turns a validated request into an answer, or into the clearest error there is."""

    def __init__(
        self,
        *,
        providers: Mapping[str, Provider],
        quota: QuotaGateway,
        health: HealthGateway,
        idempotency: IdempotencyCache,
        degradation: DegradationStore,
        degradation_enabled: bool,
        default_deadline: float,
        deadline_margin: float,
    ) -> None:
        self._providers = providers
        self._quota = quota
        self._health = health
        self._idempotency = idempotency
        self._degradation = degradation
        self._degradation_enabled = degradation_enabled
        self._default_deadline = default_deadline
        self._margin = deadline_margin
        self._flights: SingleFlight[analyzer_pb2.AnalyzeResponse] = SingleFlight()
        self._settling: set[asyncio.Task[None]] = set()
        self.stats = CacheCounters()

    async def aclose(self) -> None:
        """Let quota settlements still in flight finish (within a bound)."""
        if self._settling:
            await asyncio.wait(self._settling, timeout=SETTLE_GRACE_SECONDS)

    async def analyze(
        self,
        request: AnalysisRequest,
        time_remaining: float | None,
        sink: ProgressSink | None = None,
    ) -> analyzer_pb2.AnalyzeResponse:
        """The answer to one request; raises ServiceError when there is none."""
        budget = time_remaining if time_remaining is not None else self._default_deadline
        deadline = time.monotonic() + budget
        attempts = _Attempts(uuid.uuid4().hex, sink)
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
        self, request: AnalysisRequest, attempts: _Attempts
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
        self, request: AnalysisRequest, deadline: float, attempts: _Attempts
    ) -> analyzer_pb2.AnalyzeResponse:
        order = await self._health.provider_order(deadline - time.monotonic())
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
            answer, out_of_time = await self._try_provider(
                name, request, deadline, len(candidates) - index, attempts
            )
            if answer is not None:
                return await self._fresh(name, answer, request, attempts)
            if out_of_time:
                break
        # Time ran out if too little of it is left for another attempt, whoever used it up.
        out_of_time = out_of_time or (
            deadline - time.monotonic() - self._margin < MIN_ATTEMPT_SECONDS
        )
        degraded = await self._degraded(request, attempts)
        if degraded is not None:
            return degraded
        raise self._no_answer(candidates, attempts, out_of_time)

    async def _try_provider(
        self,
        name: str,
        request: AnalysisRequest,
        deadline: float,
        providers_left: int,
        attempts: _Attempts,
    ) -> tuple[ProviderAnswer | None, bool]:
        """One provider, with at most one retry where its error class allows it.

        Returns the answer (or None) and whether the deadline ran out.
        """
        provider = self._providers[name]
        estimate = provider.estimate_tokens(request.prompt)
        retried = False
        while True:
            time_left = deadline - time.monotonic() - self._margin
            if time_left <= 0:
                return None, True
            decision = await self._quota.reserve(name, estimate, attempts.request_id, time_left)
            attempts.accounted_locally |= decision.local and decision.allowed
            if decision.local and not decision.allowed:
                attempts.unaccountable(name, decision.reason)
                return None, False
            if not decision.allowed:
                attempts.failed(
                    name, ErrorClass.QUOTA_EXCEEDED, 0.0, decision.reason, decision.retry_after
                )
                attempts.event(
                    analyzer_pb2.STAGE_QUOTA_DENIED,
                    decision.reason,
                    name,
                    ErrorClass.QUOTA_EXCEEDED,
                )
                log.warning("quota denied", provider=name, reason=decision.reason)
                return None, False
            attempts.event(analyzer_pb2.STAGE_QUOTA_RESERVED, "quota reserved", name)
            attempts.event(analyzer_pb2.STAGE_ATTEMPT_STARTED, f"calling {name}", name)
            share = (deadline - time.monotonic() - self._margin) / providers_left
            started = time.monotonic()
            try:
                answer = await self._call(provider, request, share)
            except asyncio.CancelledError:
                # The caller went away mid-call; the provider may still bill it.
                self._settle(self._quota.commit(decision.reservation_id, estimate))
                raise
            except ProviderError as error:
                latency = time.monotonic() - started
                self._settle(
                    self._quota.release(decision.reservation_id)
                    if error.error_class in NOT_BILLED
                    else self._quota.commit(decision.reservation_id, estimate)
                )
                attempts.failed(name, error.error_class, latency, error.message, error.retry_after)
                attempts.event(
                    analyzer_pb2.STAGE_ATTEMPT_FAILED, error.message, name, error.error_class
                )
                log.warning(
                    "provider attempt failed",
                    provider=name,
                    error_class=error.error_class.value,
                    detail=error.message,
                    latency=round(latency, 3),
                )
                await self._health.report(
                    name,
                    error.error_class,
                    latency,
                    error.retry_after,
                    deadline - time.monotonic() - self._margin,
                )
                wait = error.retry_after or 0.0
                fits = time.monotonic() + wait < deadline - self._margin
                if retried or error.error_class not in RETRIED_ONCE or not fits:
                    return None, False
                retried = True
                if wait:
                    await asyncio.sleep(wait)
                continue
            latency = time.monotonic() - started
            self._settle(self._quota.commit(decision.reservation_id, answer.total_tokens))
            await self._health.report(
                name, None, latency, None, deadline - time.monotonic() - self._margin
            )
            attempts.succeeded(name, latency)
            attempts.event(analyzer_pb2.STAGE_ATTEMPT_SUCCEEDED, f"{name} answered", name)
            return answer, False

    @staticmethod
    async def _call(provider: Provider, request: AnalysisRequest, share: float) -> ProviderAnswer:
        """The provider's answer; anything an adapter lets escape is an UNKNOWN failure."""
        try:
            return await provider.analyze(request.prompt, timeout=max(share, 0.01))
        except (ProviderError, asyncio.CancelledError):
            raise
        except Exception as error:
            log.exception("provider adapter raised an unexpected error", provider=provider.name)
            raise ProviderError(
                ErrorClass.UNKNOWN, f"unexpected {type(error).__name__} from the adapter"
            ) from error

    def _settle(self, settlement: Awaitable[None]) -> None:
        """Commit or release a reservation off the request path; aclose() waits for it."""
        task = asyncio.ensure_future(settlement)
        self._settling.add(task)
        task.add_done_callback(self._settling.discard)

    async def _fresh(
        self, name: str, answer: ProviderAnswer, request: AnalysisRequest, attempts: _Attempts
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
        self, request: AnalysisRequest, attempts: _Attempts
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
        self, candidates: list[str], attempts: _Attempts, out_of_time: bool
    ) -> ServiceError:
        classes: dict[str, str] = {name: cls.value for name, cls in attempts.kept_out.items()}
        for attempt in attempts.items:
            classes[attempt.provider] = (
                QUOTA_UNAVAILABLE
                if attempt.provider in attempts.quota_down
                else (ErrorClass.from_proto(attempt.error_class) or ErrorClass.UNKNOWN).value
            )
        reason = "ALL_PROVIDERS_FAILED" if candidates else "NO_PROVIDER_AVAILABLE"
        if attempts.quota_down and set(classes.values()) == {QUOTA_UNAVAILABLE}:
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
