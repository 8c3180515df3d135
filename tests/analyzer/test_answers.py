"""Every response the analyzer builds: the rule-based answer obeys the analysis schema and says
only what the rules said; a fresh answer carries its findings and labels emulator filler; a
degraded answer is labelled as such, points at its origin and speaks of the caller's shop."""

from __future__ import annotations

from google.protobuf.timestamp_pb2 import Timestamp

from sanad.analyzer.v1 import analyzer_pb2
from sanad_analyzer.analysis import analysis_from_proto
from sanad_analyzer.answers import DEGRADED_NOTE, EMULATOR_NOTE, RULES_NOTE, Answers
from sanad_analyzer.attempt_log import AttemptLog
from sanad_analyzer.jurisdiction import Jurisdiction
from sanad_analyzer.memory.entries import CachedAnswer, DegradedMatch, ShopFields
from sanad_analyzer.policy import PolicyType
from sanad_analyzer.providers.base import ProviderAnswer
from sanad_analyzer.request import AnalysisRequest, parse_request
from sanad_analyzer.rules.review import RuleReview
from sanad_analyzer.rules.rulebook import load_rulebook
from sanad_analyzer.rules.score import grade
from sanad_common.emulator import emulated_model
from sanad_common.error_class import ErrorClass
from tests.analyzer.providers.support import valid_analysis

SHORT_WINDOW = "يمكنك إرجاع المنتج خلال 3 أيام من الاستلام، ويعاد المبلغ خلال 5 أيام."


def request(
    text: str = SHORT_WINDOW,
    jurisdiction: Jurisdiction = Jurisdiction.SA,
    *,
    improved: bool = False,
) -> AnalysisRequest:
    return parse_request(
        analyzer_pb2.AnalyzeRequest(
            policy_type=analyzer_pb2.POLICY_TYPE_RETURN_EXCHANGE,
            policy_text=text,
            jurisdiction=jurisdiction.to_proto(),
            include_improved_policy=improved,
        ),
        max_text_chars=10_000,
    )


def rules_answer(
    text: str = SHORT_WINDOW,
    jurisdiction: Jurisdiction = Jurisdiction.SA,
    *,
    improved: bool = False,
    enabled: bool = True,
) -> analyzer_pb2.AnalyzeResponse | None:
    attempts = AttemptLog("test", None)
    attempts.failed("openai", ErrorClass.SERVICE_CRASH, 0.01, "503", None)
    return Answers(RuleReview(answer_enabled=enabled)).from_rules(
        request(text, jurisdiction, improved=improved), attempts
    )


def test_the_rules_answer_is_labelled_and_schema_valid() -> None:
    answer = rules_answer()
    assert answer is not None
    assert answer.source == analyzer_pb2.SOURCE_RULES
    assert (answer.provider, answer.note) == ("sanad-rules", RULES_NOTE)
    assert answer.jurisdiction == analyzer_pb2.JURISDICTION_SA
    assert [attempt.provider for attempt in answer.attempts] == ["openai"]
    analysis = analysis_from_proto(answer.analysis)
    report = analysis["compliance_report"]
    assert report["compliance_grade"] == grade(report["overall_compliance_ratio"])
    assert analysis["improved_policy"] == ""
    assert [finding.rule_id for finding in answer.rule_findings] == ["return.window_too_short"]


def test_every_statement_comes_from_a_rule() -> None:
    answer = rules_answer()
    assert answer is not None
    book = load_rulebook()
    rules = book.applicable(Jurisdiction.SA, PolicyType.RETURN_EXCHANGE)
    report = answer.analysis.compliance_report
    assert set(report.strengths) <= {rule.strength_ar for rule in rules}
    assert set(report.weaknesses) <= {rule.title_ar for rule in rules}
    assert set(report.recommendations) <= {rule.suggestion_ar for rule in rules}
    [issue] = report.critical_issues
    assert issue.phrase == "يمكنك إرجاع المنتج خلال 3 أيام من الاستلام"
    assert "7" in issue.legal_reference


def test_an_improved_policy_is_the_jurisdictions_template() -> None:
    saudi = rules_answer(improved=True)
    egyptian = rules_answer(jurisdiction=Jurisdiction.EG, improved=True)
    assert saudi is not None and egyptian is not None
    assert "خلال 7 يومًا" in saudi.analysis.improved_policy
    assert "خلال 14 يومًا" in egyptian.analysis.improved_policy


def test_no_rules_answer_when_turned_off_or_unreadable() -> None:
    assert rules_answer(enabled=False) is None
    assert rules_answer("lorem ipsum dolor sit amet") is None


def fresh(model: str, jurisdiction: Jurisdiction = Jurisdiction.SA) -> analyzer_pb2.AnalyzeResponse:
    answer = ProviderAnswer(valid_analysis(), model, 10, 20)
    return Answers(RuleReview()).fresh(
        "openai", answer, request(jurisdiction=jurisdiction), AttemptLog("test", None)
    )


def test_a_fresh_answer_carries_its_findings_and_labels_emulator_filler() -> None:
    response = fresh(emulated_model("gpt-4o-mini"), Jurisdiction.EG)
    assert response.source == analyzer_pb2.SOURCE_FRESH
    assert [f.rule_id for f in response.rule_findings] == ["return.window_too_short"]
    assert response.jurisdiction == analyzer_pb2.JURISDICTION_EG
    assert response.note == EMULATOR_NOTE


def test_a_real_models_answer_gets_no_emulator_note() -> None:
    assert not fresh("gpt-4o-mini").HasField("note")


def degraded(
    match: DegradedMatch, shop: ShopFields, attempts: AttemptLog | None = None
) -> analyzer_pb2.AnalyzeResponse:
    caller = parse_request(
        analyzer_pb2.AnalyzeRequest(
            policy_type=analyzer_pb2.POLICY_TYPE_RETURN_EXCHANGE,
            policy_text=SHORT_WINDOW,
            shop_name=shop.name,
            shop_specialization=shop.specialization,
        ),
        max_text_chars=10_000,
    )
    return Answers(RuleReview()).degraded(match, caller, attempts or AttemptLog("test", None))


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
    attempts = AttemptLog("test", None)
    attempts.failed("gemini", ErrorClass.SERVICE_CRASH, 0.01, "503", None)
    answer = degraded(DegradedMatch(stored(), 0.87654), ShopFields("", ""), attempts)

    assert answer.source == analyzer_pb2.SOURCE_DEGRADED_SIMILAR
    assert answer.similarity == 0.8765
    assert answer.note == DEGRADED_NOTE
    assert answer.degraded_from.analysis_id == "a1"
    assert answer.degraded_from.analyzed_at.seconds == 1_700_000_000
    assert [attempt.provider for attempt in answer.attempts] == ["gemini"]
    assert [f.rule_id for f in answer.rule_findings] == ["return.window_too_short"]
    assert answer.HasField("responded_at")


def test_the_callers_shop_replaces_the_stored_one() -> None:
    answer = degraded(DegradedMatch(stored(), 0.9), ShopFields("New Shop", "fashion"))

    report = answer.analysis.compliance_report
    assert report.summary == "New Shop gives 14 days; New Shop sells fashion."
    assert list(report.recommendations) == ["New Shop should name a refund date."]
    assert report.critical_issues[0].phrase == "New Shop keeps the fee"
    assert report.critical_issues[0].suggestion == "fashion only"
    assert answer.analysis.improved_policy == "At New Shop returns are accepted within 14 days."


def test_the_stored_answer_is_left_unchanged() -> None:
    found = stored()
    degraded(DegradedMatch(found, 0.9), ShopFields("New Shop", "fashion"))
    assert found.response.source == analyzer_pb2.SOURCE_FRESH
    assert "Old Shop" in found.response.analysis.compliance_report.summary
