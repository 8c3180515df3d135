"""The rulebook's place in the request path: findings on every answer, and the rule-based
answer when no provider can answer, in time or at all."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from sanad.analyzer.v1 import analyzer_pb2
from sanad_analyzer.caches import DegradationStore, IdempotencyCache
from sanad_analyzer.downstream import ProviderOrder
from sanad_analyzer.hedging import HedgePolicy
from sanad_analyzer.pipeline import AnalysisPipeline
from sanad_analyzer.providers.base import ProviderError
from sanad_analyzer.request import AnalysisRequest, parse_request
from sanad_analyzer.retry import RetryPolicy
from sanad_analyzer.rules.answer import RuleReview
from sanad_common.error_class import ErrorClass
from sanad_common.storage import open_store
from tests.analyzer.test_pipeline import FakeHealth, FakeProvider, FakeQuota, Rig


@pytest.fixture
async def rig(tmp_path: Path) -> AsyncIterator[Rig]:
    store = await open_store(f"sqlite:///{tmp_path / 'store.db'}")
    providers = {"primary": FakeProvider("primary"), "secondary": FakeProvider("secondary")}
    quota = FakeQuota()
    health = FakeHealth(ProviderOrder(available=("primary", "secondary")))
    pipeline = AnalysisPipeline(
        providers=providers,
        quota=quota,
        health=health,
        store=store,
        idempotency=IdempotencyCache(store, ttl=60, analysis_ttl=60),
        degradation=DegradationStore(store, ttl=60),
        degradation_enabled=False,
        default_deadline=10.0,
        deadline_margin=0.1,
        retry=RetryPolicy(retries=1, backoff=0.01, backoff_max=0.02),
        hedging=HedgePolicy(always=False, fallback_delay=0.05),
        rules=RuleReview(answer_enabled=True),
    )
    yield Rig(pipeline, quota, health, providers)
    await pipeline.aclose()
    await store.aclose()


def short_window(jurisdiction: int = analyzer_pb2.JURISDICTION_EG) -> AnalysisRequest:
    return parse_request(
        analyzer_pb2.AnalyzeRequest(
            policy_type=analyzer_pb2.POLICY_TYPE_RETURN_EXCHANGE,
            policy_text="Returns are accepted within 7 days of delivery.",
            jurisdiction=jurisdiction,  # type: ignore[arg-type]
        ),
        10_000,
    )


async def test_a_fresh_answer_carries_the_findings_of_its_jurisdiction(rig: Rig) -> None:
    response = await rig.pipeline.analyze(short_window(), None)
    assert response.source == analyzer_pb2.SOURCE_FRESH
    assert response.jurisdiction == analyzer_pb2.JURISDICTION_EG
    assert response.rule_findings[0].rule_id == "return.window_too_short"


async def test_every_provider_failing_gets_the_rulebooks_answer(rig: Rig) -> None:
    for provider in rig.providers.values():
        provider.failures = [ProviderError(ErrorClass.SERVICE_CRASH, "down")]
    response = await rig.pipeline.analyze(short_window(), None)
    assert response.source == analyzer_pb2.SOURCE_RULES
    assert [a.provider for a in response.attempts] == ["primary", "secondary"]
    assert "14" in response.rule_findings[0].legal_reference


async def test_a_spent_deadline_still_gets_the_rulebooks_answer(rig: Rig) -> None:
    response = await rig.pipeline.analyze(short_window(analyzer_pb2.JURISDICTION_SA), 0.05)
    assert response.source == analyzer_pb2.SOURCE_RULES
    assert rig.providers["primary"].calls == 0
    assert "return.window_too_short" not in {f.rule_id for f in response.rule_findings}
