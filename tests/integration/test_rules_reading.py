"""The rule checker's reading of real policy structures, through the public API on the real
processes with both providers failing (so the answer is the rules' own, SOURCE_RULES): what
issue 16 names, and the jurisdiction detected when the caller leaves it unset."""

from __future__ import annotations

import pytest

from sanad.analyzer.v1 import analyzer_pb2
from tests.integration.conftest import Clients
from tests.integration.test_rules_layer import both_providers_fail, findings, return_policy

pytestmark = pytest.mark.integration

EXCHANGE_ONLY = "Exchanges only, no refunds, within 24 hours of delivery."
CANCELLATION_BESIDE_WINDOW = """إلغاء الطلب
يمكنك إلغاء الطلب خلال ساعتين من إتمامه قبل تسليمه لشركة الشحن.

الإرجاع
يحق لك إرجاع المنتج خلال 14 يوماً من تاريخ الاستلام، ويُرد المبلغ خلال 7 أيام."""
NOT_ACCEPTED_HEADING = """Returns
You may return any item within 7 days of delivery; refunds are paid within 5 days.

Cases in which returns are not accepted
- The item has been used or its seal removed.
- The request is made after the 7-day period.
- The item is a gift card."""
COSTS_UNLESS_DEFECTIVE = (
    "Returns are accepted within 14 days of delivery and refunded within 5 days. "
    "The customer pays return shipping unless the item is defective."
)
BLANKET = "البضاعة المباعة لا ترد ولا تستبدل، ويُرد المبلغ خلال 5 أيام في حال خطأ الطلب فقط."
EGYPTIAN_UNSET = """سياسة الاسترجاع
تقدر ترجّع أي منتج خلال 14 يوم من الاستلام، والفلوس بترجعلك خلال 7 أيام.
مصاريف الشحن 50 جنيه جوه القاهرة، وعنواننا: مدينة نصر، القاهرة."""


async def rules_answer(
    clients: Clients,
    text: str,
    jurisdiction: analyzer_pb2.Jurisdiction.ValueType = analyzer_pb2.JURISDICTION_UNSPECIFIED,
) -> analyzer_pb2.AnalyzeResponse:
    await both_providers_fail(clients)
    response = await clients.analyzer.Analyze(return_policy(text, jurisdiction), timeout=30)
    assert response.source == analyzer_pb2.SOURCE_RULES
    return response


async def test_exchange_only_within_24_hours_is_a_blanket_refusal_and_a_short_window(
    clients: Clients,
) -> None:
    response = await rules_answer(clients, EXCHANGE_ONLY, analyzer_pb2.JURISDICTION_SA)

    found = findings(response)
    assert {"return.blanket_no_return", "return.window_too_short"} <= found.keys()
    for rule_id in ("return.blanket_no_return", "return.window_too_short"):
        assert found[rule_id].confidence == analyzer_pb2.FINDING_CONFIDENCE_CONFIDENT
        assert found[rule_id].severity == analyzer_pb2.SEVERITY_CRITICAL
        assert found[rule_id].phrase in EXCHANGE_ONLY
    assert response.analysis.compliance_report.compliance_grade == "F"


async def test_a_cancellation_period_beside_a_14_day_window_is_not_the_window(
    clients: Clients,
) -> None:
    response = await rules_answer(clients, CANCELLATION_BESIDE_WINDOW, analyzer_pb2.JURISDICTION_EG)

    assert response.jurisdiction == analyzer_pb2.JURISDICTION_EG
    assert "return.window_too_short" not in findings(response)


async def test_a_heading_of_cases_not_accepted_is_not_a_blanket_refusal(clients: Clients) -> None:
    response = await rules_answer(clients, NOT_ACCEPTED_HEADING, analyzer_pb2.JURISDICTION_SA)

    assert "return.blanket_no_return" not in findings(response)
    assert response.analysis.compliance_report.compliance_grade == "A"


async def test_return_shipping_unless_defective_does_not_charge_for_defects(
    clients: Clients,
) -> None:
    response = await rules_answer(clients, COSTS_UNLESS_DEFECTIVE, analyzer_pb2.JURISDICTION_EG)

    assert "return.customer_pays_for_defects" not in findings(response)


async def test_a_confident_critical_finding_never_grades_a(clients: Clients) -> None:
    response = await rules_answer(clients, BLANKET, analyzer_pb2.JURISDICTION_SA)

    critical = [
        finding
        for finding in response.rule_findings
        if finding.severity == analyzer_pb2.SEVERITY_CRITICAL
        and finding.confidence == analyzer_pb2.FINDING_CONFIDENCE_CONFIDENT
    ]
    assert critical
    report = response.analysis.compliance_report
    assert report.compliance_grade != "A"
    assert report.overall_compliance_ratio <= 59


async def test_an_unset_jurisdiction_is_detected_and_the_answer_says_so(clients: Clients) -> None:
    response = await rules_answer(clients, EGYPTIAN_UNSET)

    assert response.jurisdiction == analyzer_pb2.JURISDICTION_EG
    assert response.jurisdiction_source == analyzer_pb2.JURISDICTION_SOURCE_DETECTED
    # Egypt's 14 days are met, and Egypt's citations ground whatever is found.
    assert "return.window_too_short" not in findings(response)
    assert all("181" in f.legal_reference for f in response.rule_findings if f.legal_reference)

    requested = await clients.analyzer.Analyze(
        return_policy(EGYPTIAN_UNSET, analyzer_pb2.JURISDICTION_SA), timeout=30
    )
    assert requested.jurisdiction == analyzer_pb2.JURISDICTION_SA
    assert requested.jurisdiction_source == analyzer_pb2.JURISDICTION_SOURCE_REQUESTED
    assert "return.window_too_short" not in findings(requested)
