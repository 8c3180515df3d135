"""The rulebook's place in the request path: findings on every answer, and the rule-based
answer when no provider can answer, in time or at all."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from sanad.analyzer.v1 import analyzer_pb2
from sanad_analyzer.providers.base import ProviderError
from sanad_analyzer.request import AnalysisRequest, parse_request
from sanad_analyzer.rules.review import RuleReview
from sanad_common.error_class import ErrorClass
from tests.analyzer.pipeline_rig import Rig, open_rig


@pytest.fixture
async def rig(tmp_path: Path) -> AsyncIterator[Rig]:
    async with open_rig(tmp_path, RuleReview(answer_enabled=True)) as opened:
        yield opened


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
