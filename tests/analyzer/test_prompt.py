"""The provider prompt names the rules of the request's jurisdiction and policy type, with
their citations, and asks the model to cite those and invent none."""

from __future__ import annotations

from sanad_analyzer.analysis import ANALYSIS_JSON_SCHEMA
from sanad_analyzer.jurisdiction import Jurisdiction
from sanad_analyzer.policy import PolicyType
from sanad_analyzer.prompt import AnalysisPrompt, build_messages


def instructions(jurisdiction: Jurisdiction, policy_type: PolicyType) -> str:
    prompt = AnalysisPrompt(
        shop_name="Shop",
        shop_specialization="",
        policy_type=policy_type,
        policy_text="الإرجاع خلال 3 أيام",
        jurisdiction=jurisdiction,
    )
    return build_messages(prompt)[0]


def test_a_saudi_return_policy_is_grounded_in_the_saudi_rules() -> None:
    text = instructions(Jurisdiction.SA, PolicyType.RETURN_EXCHANGE)
    assert "Saudi Arabia" in text
    assert "return.window_too_short (critical)" in text
    assert "Saudi E-Commerce Law (Royal Decree M/126, 2019), Article 13" in text
    assert "Egypt" not in text
    assert "privacy." not in text


def test_an_egyptian_return_policy_is_grounded_in_the_egyptian_rules() -> None:
    text = instructions(Jurisdiction.EG, PolicyType.RETURN_EXCHANGE)
    assert "Egyptian Consumer Protection Law No. 181 of 2018, Article 17" in text
    assert "return.refund_time_too_long" in text
    assert "Saudi" not in text


def test_a_privacy_policy_gets_the_data_protection_rules() -> None:
    text = instructions(Jurisdiction.SA, PolicyType.PRIVACY_ACCOUNT)
    assert "privacy.deletion_right_missing" in text
    assert "Personal Data Protection Law" in text
    assert "return." not in text


def test_the_schema_asks_for_listed_citations_and_no_invented_ones() -> None:
    issue = ANALYSIS_JSON_SCHEMA["properties"]["compliance_report"]["properties"][
        "critical_issues"
    ]["items"]
    description = issue["properties"]["legal_reference"]["description"]
    assert "citation of a rule listed" in description
    assert "Never invent" in description
