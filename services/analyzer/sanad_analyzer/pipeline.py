"""The Analyze request path (architecture §2): idempotency, provider attempts under quota and
health, degradation store, and the clear error when nothing can answer."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Mapping
from typing import TypeVar

import grpc
import structlog
from google.protobuf.message import Message
from google.rpc import error_details_pb2
from opentelemetry import metrics

from sanad.analyzer.v1 import analyzer_pb2
from sanad_analyzer.answers import Answers, replay, shop_of
from sanad_analyzer.attempt import AttemptResult, ProviderAttempt
from sanad_analyzer.attempt_log import QUOTA_UNAVAILABLE, AttemptLog, ProgressSink
from sanad_analyzer.deadline import Deadline
from sanad_analyzer.hedging import HedgePolicy, RaceResult, race
from sanad_analyzer.instrumentation import traced_cache
from sanad_analyzer.memory.cache_stats import CacheName, CacheStatistics, Lookup
from sanad_analyzer.memory.degradation import DegradationStore
from sanad_analyzer.memory.entries import CachedAnswer, DegradedMatch, StoredAnswers
from sanad_analyzer.memory.idempotency import IdempotencyCache
from sanad_analyzer.memory.near_duplicates import IndexedText
from sanad_analyzer.memory.single_flight import FingerprintMismatchError, SharedFlight, SingleFlight
from sanad_analyzer.ports import HealthPort, ProviderOrder, QuotaPort, TenantOverQuota
from sanad_analyzer.providers.base import Provider, ProviderAnswer
from sanad_analyzer.request import AnalysisRequest
from sanad_analyzer.retry import RetryPolicy
from sanad_analyzer.rules.review import RuleReview
from sanad_analyzer.settlements import SETTLE_GRACE_SECONDS, Settlements
from sanad_common.errors import ServiceError, error_info, localized, retry_info
from sanad_common.storage import Store, StoreUnavailableError

log = structlog.get_logger(__name__)
_meter = metrics.get_meter("sanad.analyzer")
_failovers = _meter.create_counter("sanad_failovers", description="Failovers to a next provider")

UNAVAILABLE_AR = "تعذر تحليل السياسة الآن: جميع مزودي التحليل غير متاحين. حاول مرة أخرى لاحقاً."
UNAVAILABLE_EN = "The policy cannot be analysed now: every analysis provider is unavailable."
TENANT_QUOTA_AR = "استنفد المتجر حصته من التحليلات لهذه الفترة. حاول مرة أخرى بعد انتهائها."
TENANT_QUOTA_EN = "This tenant has used its analyses for the period; try again once it ends."
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
        store: Store,
        stored_answers: StoredAnswers,
        idempotency: IdempotencyCache,
        degradation: DegradationStore,
        degradation_enabled: bool,
        default_deadline: float,
        deadline_margin: float,
        retry: RetryPolicy,
        hedging: HedgePolicy,
        rules: RuleReview | None = None,
        shared_flight: SharedFlight | None = None,
    ) -> None:
        self._providers = providers
        self._health = health
        self._settlements = Settlements()
        self._attempt = ProviderAttempt(quota, health, self._settlements, retry)
        self._hedging = hedging
        self._store = store
        self._stored_answers = stored_answers
        self._idempotency = idempotency
        self._degradation = degradation
        self._degradation_enabled = degradation_enabled
        self._default_deadline = default_deadline
        self._margin = deadline_margin
        self._flights: SingleFlight[tuple[analyzer_pb2.AnalyzeResponse, bool]] = SingleFlight()
        self._shared_flight = shared_flight
        self.stats = CacheStatistics()
        # Without a configured review, findings are still given but rules never answer.
        self._answers = Answers(rules or RuleReview(answer_enabled=False))
        self._running: set[asyncio.Task[object]] = set()

    async def aclose(self) -> None:
        """Release what this replica holds: let the analyses still running (the server
        cancelled them past its grace) settle their reservations, then let quota settlements
        and lease releases finish, all within bounds."""
        if self._running:
            await asyncio.wait(self._running, timeout=SETTLE_GRACE_SECONDS)
        await self._settlements.aclose()
        if self._shared_flight is not None:
            await self._shared_flight.aclose()

    async def analyze(
        self,
        request: AnalysisRequest,
        time_remaining: float | None,
        sink: ProgressSink | None = None,
    ) -> analyzer_pb2.AnalyzeResponse:
        """The answer to one request; raises ServiceError when there is none."""
        task = asyncio.current_task()
        if task is None:
            return await self._analyze(request, time_remaining, sink)
        self._running.add(task)
        try:
            return await self._analyze(request, time_remaining, sink)
        finally:
            self._running.discard(task)

    async def _analyze(
        self,
        request: AnalysisRequest,
        time_remaining: float | None,
        sink: ProgressSink | None,
    ) -> analyzer_pb2.AnalyzeResponse:
        budget = time_remaining if time_remaining is not None else self._default_deadline
        deadline = Deadline.after(budget, self._margin)
        attempts = AttemptLog(uuid.uuid4().hex, sink)
        attempts.event(analyzer_pb2.STAGE_VALIDATED, "request is valid")
        if request.idempotency_key or not request.force_refresh:
            cached = await self._cached_answer(request, attempts, deadline)
            if cached is not None:
                # The same request answered before: its findings are this request's already.
                return cached
        flight_key = f"{request.tenant}:{request.idempotency_id}:{request.force_refresh}"
        try:
            (response, remote), shared = await self._flights.run(
                flight_key,
                request.request_hash,
                lambda: self._across_replicas(flight_key, request, deadline, attempts),
            )
        except FingerprintMismatchError:
            raise _key_reused(request) from None
        # Every answer produced for this request carries its findings (the fresh, degraded and
        # rule answers are annotated where they are made), shared ones too.
        return replay(response, request) if shared or remote else response

    async def _across_replicas(
        self, flight_key: str, request: AnalysisRequest, deadline: Deadline, attempts: AttemptLog
    ) -> tuple[analyzer_pb2.AnalyzeResponse, bool]:
        """Produce the answer, unless another replica is already producing it."""

        async def produce() -> analyzer_pb2.AnalyzeResponse:
            return await self._produce(request, deadline, attempts)

        if self._shared_flight is None:
            return await produce(), False
        return await self._shared_flight.run(
            flight_key,
            request.request_hash,
            deadline,
            produce,
            lambda: self._give_up(request, attempts, deadline),
        )

    async def _give_up(
        self, request: AnalysisRequest, attempts: AttemptLog, deadline: Deadline
    ) -> analyzer_pb2.AnalyzeResponse:
        """The caller's deadline is passing while another replica works: degrade or fail."""
        return await self._without_providers(request, attempts, deadline, [], out_of_time=True)

    async def _without_providers(
        self,
        request: AnalysisRequest,
        attempts: AttemptLog,
        deadline: Deadline,
        candidates: list[str],
        *,
        out_of_time: bool,
    ) -> analyzer_pb2.AnalyzeResponse:
        """No provider answered: a stored analysis, else the rulebook's answer, else the
        clearest error there is."""
        degraded = await self._degraded(request, attempts, deadline)
        if degraded is not None:
            return degraded
        reviewed = self._answers.from_rules(request, attempts)
        if reviewed is not None:
            return reviewed
        raise self._no_answer(candidates, attempts, out_of_time)

    async def _cached_answer(
        self, request: AnalysisRequest, attempts: AttemptLog, deadline: Deadline
    ) -> analyzer_pb2.AnalyzeResponse | None:
        """A stored answer to this request, unless force_refresh; a reused key is refused."""
        cached = await self._tolerant(
            self._idempotency.get(request.tenant, request.idempotency_id),
            None,
            "idempotency get",
            deadline.reply_remaining(),  # a hit is the answer: it may use what a reply may
        )
        if cached is not None and cached.fingerprint != request.request_hash:
            raise _key_reused(request)
        if request.force_refresh:
            return None
        if cached is None:
            self.stats.record(CacheName.IDEMPOTENCY, request.policy_type, Lookup.MISS)
            attempts.event(analyzer_pb2.STAGE_IDEMPOTENCY_CHECKED, "idempotency cache miss")
            return None
        self.stats.record(CacheName.IDEMPOTENCY, request.policy_type, Lookup.HIT)
        attempts.event(analyzer_pb2.STAGE_IDEMPOTENCY_CHECKED, "idempotency cache hit")
        log.info("Idempotency: Cache HIT", analysis_id=cached.response.analysis_id)
        return replay(cached.response, request)

    async def _produce(
        self, request: AnalysisRequest, deadline: Deadline, attempts: AttemptLog
    ) -> analyzer_pb2.AnalyzeResponse:
        # CPU the answer will need (the rule check, the text's fingerprint) runs at the loop's
        # next turn, while this request waits on quota and the provider, not after them.
        asyncio.get_running_loop().call_soon(self._prepare, request)
        order = await self._health.provider_order(deadline)
        candidates = [name for name in order.available if name in self._providers]
        for skipped in order.skipped:
            attempts.kept_out[skipped.name] = skipped.reason
            retry_after = skipped.retry_after(time.time())
            if retry_after is not None:
                attempts.retry_after.append(retry_after)
        out_of_time = False
        hedged = self._hedging.applies(request)
        index = 0
        while index < len(candidates):
            name = candidates[index]
            if index > 0:
                _failovers.add(1, {"from": candidates[index - 1], "to": name})
                log.warning("Failing over to secondary", previous=candidates[index - 1], next=name)
                attempts.event(analyzer_pb2.STAGE_FAILOVER, f"failing over to {name}", name)
            if hedged and index + 1 < len(candidates):
                raced = await self._race(
                    candidates, index, order, request=request, deadline=deadline, attempts=attempts
                )
                winner, result, index = raced.provider, raced.result, index + raced.providers_used
            else:
                result = await self._attempt.run(
                    self._providers[name], request, deadline, len(candidates) - index, attempts
                )
                winner, index = name, index + 1
            if result.answer is not None and winner is not None:
                return await self._fresh(winner, result.answer, request, attempts, deadline)
            if result.tenant_over is not None:
                raise _over_tenant_quota(result.tenant_over)
            out_of_time = result.out_of_time
            if out_of_time:
                break
        # Time ran out if too little of it is left for another attempt, whoever used it up.
        return await self._without_providers(
            request, attempts, deadline, candidates, out_of_time=out_of_time or deadline.exhausted()
        )

    async def _race(
        self,
        candidates: list[str],
        index: int,
        order: ProviderOrder,
        *,
        request: AnalysisRequest,
        deadline: Deadline,
        attempts: AttemptLog,
    ) -> RaceResult:
        """Candidates index and index + 1 as a hedged pair."""
        first, second = candidates[index], candidates[index + 1]
        left = len(candidates) - index

        def run(name: str) -> Awaitable[AttemptResult]:
            share = left if name == first else left - 1
            return self._attempt.run(self._providers[name], request, deadline, share, attempts)

        def hedge_started() -> None:
            log.info("Hedging: first provider is slow", first=first, hedge=second)
            attempts.event(
                analyzer_pb2.STAGE_HEDGE_STARTED, f"{first} is slow: also asking {second}", second
            )

        return await race(first, second, run, self._hedging.delay(order, first), hedge_started)

    async def _fresh(
        self,
        name: str,
        answer: ProviderAnswer,
        request: AnalysisRequest,
        attempts: AttemptLog,
        deadline: Deadline,
    ) -> analyzer_pb2.AnalyzeResponse:
        response = self._answers.fresh(name, answer, request, attempts)
        existing = await self._tolerant(
            self._keep(request, response), None, "cache writes", deadline.reply_remaining()
        )
        if existing is not None and existing.fingerprint != request.request_hash:
            raise _key_reused(request)
        return response

    def _prepare(self, request: AnalysisRequest) -> None:
        """Compute ahead what a fresh answer to the request will need (both are cached)."""
        self._answers.check(request)
        if self._degradation_enabled:
            IndexedText.of(request.text_hash, request.prompt.policy_text)

    async def _keep(
        self, request: AnalysisRequest, response: analyzer_pb2.AnalyzeResponse
    ) -> CachedAnswer | None:
        """Write a fresh answer once, and the idempotency and degradation entries that refer
        to it, in one store round trip; the entry another replica stored first under the same
        key, if any."""
        tenant, key = request.tenant, request.idempotency_id
        answer = self._stored_answers.put(tenant, request.policy_type, response)
        idempotent = self._idempotency.put(
            tenant,
            key,
            request.request_hash,
            request.policy_type,
            analysis_id=response.analysis_id,
            answer=answer,
            replace=request.force_refresh or not request.idempotency_key,
        )
        degradation = self._degradation.writes(
            request.policy_type,
            tenant,
            request.text_hash,
            request.request_hash,
            answer,
            text=request.prompt.policy_text,
            shop=shop_of(request),
        )
        batch = [answer, *degradation, *idempotent.writes]
        results = await self._store.write(batch)
        return await self._idempotency.settle(idempotent, idempotent.stored(batch, results))

    async def _degraded(
        self, request: AnalysisRequest, attempts: AttemptLog, deadline: Deadline | None = None
    ) -> analyzer_pb2.AnalyzeResponse | None:
        if not self._degradation_enabled or request.force_refresh:
            return None
        search = self._degradation.find(
            request.policy_type, request.tenant, request.text_hash, request.prompt.policy_text
        )
        # A degraded answer that would arrive after the caller stopped waiting is no answer,
        # and the rulebook still needs a moment to answer instead (half the margin is kept).
        found: DegradedMatch | None = await self._tolerant(
            search,
            None,
            "degradation lookup",
            None if deadline is None else deadline.reply_remaining(),
        )
        attempts.event(
            analyzer_pb2.STAGE_DEGRADATION_LOOKUP,
            "degradation store hit" if found else "degradation store miss",
        )
        if found is None:
            self.stats.record(CacheName.DEGRADATION, request.policy_type, Lookup.MISS)
            log.warning("Graceful Degradation: Cache MISS", policy_type=request.policy_type.value)
            return None
        exact = found.similarity >= 1.0
        lookup = Lookup.HIT if exact else Lookup.NEAR_DUPLICATE_HIT
        self.stats.record(CacheName.DEGRADATION, request.policy_type, lookup)
        log.info(
            "Graceful Degradation: Cache HIT",
            policy_type=request.policy_type.value,
            analysis_id=found.answer.response.analysis_id,
            similarity=round(found.similarity, 4),
        )
        return self._answers.degraded(found, request, attempts)

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

    async def _tolerant(
        self, operation: Awaitable[T], fallback: T, what: str, within: float | None = None
    ) -> T:
        """Run a store operation; if the store is down, or has not answered ``within`` seconds
        (the caller's time: a blackholed link would hold each call for the socket timeout, and
        a few of them would outlast the caller), log and carry on without it."""
        try:
            async with asyncio.timeout(within):
                return await traced_cache(what, operation)
        except StoreUnavailableError as error:
            log.warning("store unavailable", operation=what, error=str(error))
            return fallback
        except TimeoutError:
            log.warning("store too slow for the caller's deadline", operation=what)
            return fallback


def _over_tenant_quota(over: TenantOverQuota) -> ServiceError:
    """RESOURCE_EXHAUSTED naming the tenant's windows: no provider is asked, and no stored or
    rule-based answer stands in for one (the tenant is to wait, not to be served less)."""
    failure = error_details_pb2.QuotaFailure(
        violations=[
            error_details_pb2.QuotaFailure.Violation(subject=subject, description=description)
            for subject, description in over.violations
        ]
    )
    details: list[Message] = [
        error_info("TENANT_QUOTA_EXCEEDED", {"tenant": over.tenant}),
        failure,
        localized("ar", TENANT_QUOTA_AR),
        localized("en-US", TENANT_QUOTA_EN),
    ]
    if over.retry_after is not None:
        details.insert(1, retry_info(over.retry_after))
    return ServiceError(
        grpc.StatusCode.RESOURCE_EXHAUSTED,
        f"tenant {over.tenant} has used its quota: "
        + "; ".join(description for _, description in over.violations),
        details,
    )


def _key_reused(request: AnalysisRequest) -> ServiceError:
    return ServiceError(
        grpc.StatusCode.FAILED_PRECONDITION,
        "idempotency_key was already used with a different request",
        [error_info("IDEMPOTENCY_KEY_REUSED", {"idempotency_key": request.idempotency_key})],
    )
