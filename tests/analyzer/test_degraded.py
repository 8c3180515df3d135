"""The degraded answer: labelled as such, pointing at its origin, about the caller's shop."""

from __future__ import annotations

from google.protobuf.timestamp_pb2 import Timestamp

from sanad.analyzer.v1 import analyzer_pb2
from sanad_analyzer.caches import CachedAnswer, DegradedMatch, ShopFields
from sanad_analyzer.degraded import DEGRADED_NOTE, degraded_answer
from sanad_analyzer.policy import PolicyType


def stored() -> CachedAnswer:
    response = analyzer_pb2.AnalyzeResponse(
        source=analyzer_pb2.SOURCE_FRESH,
        provider="openai",
        analysis_id="a1",
        analyzed_at=Timestamp(seconds=1_700_000_000),
        attempts=[analyzer_pb2.ProviderAttempt(provider="openai", success=True)],
        rule_findings=[analyzer_pb2.RuleFinding(rule_id="sa-return-7-days")],
    )
    report = response.analysis.compliance_report
    report.summary = "Old Shop gives 14 days; Old Shop sells perfume."
    report.recommendations.extend(["Old Shop should name a refund date."])
    report.critical_issues.add(phrase="Old Shop keeps the fee", suggestion="perfume only")
    response.analysis.improved_policy = "At Old Shop returns are accepted within 14 days."
    return CachedAnswer(
        response=response,
        fingerprint="f",
        policy_type=PolicyType.RETURN_EXCHANGE,
        shop=ShopFields("Old Shop", "perfume"),
    )


def test_labelled_with_similarity_note_and_origin() -> None:
    attempts = [analyzer_pb2.ProviderAttempt(provider="gemini", success=False)]
    answer = degraded_answer(DegradedMatch(stored(), 0.87654), ShopFields("", ""), attempts)

    assert answer.source == analyzer_pb2.SOURCE_DEGRADED_SIMILAR
    assert answer.similarity == 0.8765
    assert answer.note == DEGRADED_NOTE
    assert answer.degraded_from.analysis_id == "a1"
    assert answer.degraded_from.analyzed_at.seconds == 1_700_000_000
    assert [attempt.provider for attempt in answer.attempts] == ["gemini"]
    assert not answer.rule_findings
    assert answer.HasField("responded_at")


def test_the_callers_shop_replaces_the_stored_one() -> None:
    answer = degraded_answer(
        DegradedMatch(stored(), 0.9), ShopFields("New Shop", "fashion"), attempts=[]
    )

    report = answer.analysis.compliance_report
    assert report.summary == "New Shop gives 14 days; New Shop sells fashion."
    assert list(report.recommendations) == ["New Shop should name a refund date."]
    assert report.critical_issues[0].phrase == "New Shop keeps the fee"
    assert report.critical_issues[0].suggestion == "fashion only"
    assert answer.analysis.improved_policy == "At New Shop returns are accepted within 14 days."


def test_the_stored_answer_is_left_unchanged() -> None:
    found = stored()
    degraded_answer(DegradedMatch(found, 0.9), ShopFields("New Shop", "fashion"), attempts=[])
    assert found.response.source == analyzer_pb2.SOURCE_FRESH
    assert "Old Shop" in found.response.analysis.compliance_report.summary
