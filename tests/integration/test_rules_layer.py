"""Sanad's rulebook through the public API on the real processes: findings on fresh answers,
grounding in the prompt the provider receives, and the rule-based answer when both providers
fail and nothing similar is stored."""

from __future__ import annotations

import grpc
import pytest

from sanad.analyzer.v1 import analyzer_pb2
from tests.integration.conftest import Clients

pytestmark = pytest.mark.integration

SHORT_WINDOW = "Returns are accepted within 3 days of delivery. Refunds are paid within 5 days."
EGYPTIAN_COMPLIANT = (
    "يحق لك إرجاع أو استبدال المنتج خلال 14 يوماً من الاستلام دون إبداء أسباب، "
    "ويُرد المبلغ بنفس طريقة الدفع خلال 7 أيام."
)


def return_policy(
    text: str,
    jurisdiction: analyzer_pb2.Jurisdiction.ValueType = analyzer_pb2.JURISDICTION_UNSPECIFIED,
) -> analyzer_pb2.AnalyzeRequest:
    return analyzer_pb2.AnalyzeRequest(
        shop_name="Rules Test",
        policy_type=analyzer_pb2.POLICY_TYPE_RETURN_EXCHANGE,
        policy_text=text,
        jurisdiction=jurisdiction,
    )


def findings(response: analyzer_pb2.AnalyzeResponse) -> dict[str, analyzer_pb2.RuleFinding]:
    return {finding.rule_id: finding for finding in response.rule_findings}


async def both_providers_fail(clients: Clients) -> None:
    await clients.emulator.inject("openai", "server_error", status=500)
    await clients.emulator.inject("gemini", "server_error", status=503)


async def test_with_both_providers_down_the_rulebook_answers_under_each_jurisdiction(
    clients: Clients,
) -> None:
    await both_providers_fail(clients)

    saudi = await clients.analyzer.Analyze(return_policy(SHORT_WINDOW), timeout=30)

    assert saudi.source == analyzer_pb2.SOURCE_RULES
    assert saudi.provider == "sanad-rules"
    assert saudi.jurisdiction == analyzer_pb2.JURISDICTION_SA
    assert {a.provider for a in saudi.attempts} == {"openai", "gemini"}
    window = findings(saudi)["return.window_too_short"]
    assert window.phrase == "Returns are accepted within 3 days of delivery"
    assert window.severity == analyzer_pb2.SEVERITY_CRITICAL
    assert "7 days" in window.legal_reference
    assert "Article 13" in window.legal_reference
    assert window.source_url.startswith("https://")
    assert "retry later" in saudi.note.en.lower()
    assert saudi.note.ar
    report = saudi.analysis.compliance_report
    assert report.compliance_grade == "F"
    assert [issue.phrase for issue in report.critical_issues] == [window.phrase]

    egyptian = await clients.analyzer.Analyze(
        return_policy(SHORT_WINDOW, analyzer_pb2.JURISDICTION_EG), timeout=30
    )

    assert egyptian.source == analyzer_pb2.SOURCE_RULES
    assert egyptian.jurisdiction == analyzer_pb2.JURISDICTION_EG
    window = findings(egyptian)["return.window_too_short"]
    assert "14 days" in window.legal_reference
    assert "181 of 2018" in window.legal_reference

    compliant = await clients.analyzer.Analyze(
        return_policy(EGYPTIAN_COMPLIANT, analyzer_pb2.JURISDICTION_EG), timeout=30
    )

    assert compliant.source == analyzer_pb2.SOURCE_RULES
    assert "return.window_too_short" not in findings(compliant)
    assert compliant.analysis.compliance_report.compliance_grade == "A"


async def test_text_the_checker_cannot_read_is_still_unavailable(clients: Clients) -> None:
    await both_providers_fail(clients)

    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await clients.analyzer.Analyze(return_policy("Lorem ipsum dolor sit amet."), timeout=30)

    assert raised.value.code() == grpc.StatusCode.UNAVAILABLE


async def test_a_fresh_answer_carries_findings_and_its_prompt_names_the_rules(
    clients: Clients,
) -> None:
    response = await clients.analyzer.Analyze(
        return_policy(SHORT_WINDOW, analyzer_pb2.JURISDICTION_EG), timeout=30
    )

    assert response.source == analyzer_pb2.SOURCE_FRESH
    assert response.jurisdiction == analyzer_pb2.JURISDICTION_EG
    # The emulator's filler is named and labelled as such.
    assert response.model.startswith("sanad-emulator-")
    assert "filler" in response.note.en
    assert response.note.ar
    assert "return.window_too_short" in findings(response)
    [received] = await clients.emulator.requests()
    assert received["provider"] == "openai"
    assert "Egyptian Consumer Protection Law No. 181 of 2018, Article 17" in received["prompt"]
    assert "return.window_too_short" in received["prompt"]
    assert "Saudi" not in received["prompt"]

    replay = await clients.analyzer.Analyze(
        return_policy(SHORT_WINDOW, analyzer_pb2.JURISDICTION_EG), timeout=30
    )
    assert replay.source == analyzer_pb2.SOURCE_IDEMPOTENCY_CACHE
    assert findings(replay).keys() == findings(response).keys()
