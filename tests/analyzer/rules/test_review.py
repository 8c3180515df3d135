"""The rulebook on the request path: every template passes its own rules, and a model answer
that leaves out a critical finding is told apart from one that quotes it."""

from __future__ import annotations

import pytest

from sanad.analyzer.v1 import analyzer_pb2
from sanad_analyzer.jurisdiction import Jurisdiction
from sanad_analyzer.policy import PolicyType
from sanad_analyzer.rules.checker import check_policy
from sanad_analyzer.rules.review import ignored_critical_findings, load_templates
from sanad_analyzer.rules.rulebook import load_rulebook

SHORT_WINDOW = "يمكنك إرجاع المنتج خلال 3 أيام من الاستلام، ويعاد المبلغ خلال 5 أيام."


@pytest.mark.parametrize("policy_type", list(PolicyType))
@pytest.mark.parametrize("jurisdiction", list(Jurisdiction))
@pytest.mark.parametrize("language", ["ar", "en"])
def test_every_template_passes_its_own_rules(
    policy_type: PolicyType, jurisdiction: Jurisdiction, language: str
) -> None:
    rules = load_rulebook().applicable(jurisdiction, policy_type)
    text = load_templates().text(policy_type, language, rules)
    assert check_policy(text, policy_type, jurisdiction).findings == ()


def test_a_model_answer_that_quotes_the_window_does_not_ignore_it() -> None:
    checked = check_policy(SHORT_WINDOW, PolicyType.RETURN_EXCHANGE, Jurisdiction.SA)
    quoting = analyzer_pb2.Analysis(
        compliance_report=analyzer_pb2.ComplianceReport(
            critical_issues=[analyzer_pb2.CriticalIssue(phrase="خلال 3 أيام")]
        )
    )
    silent = analyzer_pb2.Analysis(
        compliance_report=analyzer_pb2.ComplianceReport(
            critical_issues=[analyzer_pb2.CriticalIssue(phrase="ويعاد المبلغ خلال 5 أيام")]
        )
    )

    def quoted(analysis: analyzer_pb2.Analysis) -> list[str]:
        return [issue.phrase for issue in analysis.compliance_report.critical_issues]

    assert ignored_critical_findings(quoted(quoting), checked) == []
    assert ignored_critical_findings(quoted(silent), checked) == ["return.window_too_short"]
