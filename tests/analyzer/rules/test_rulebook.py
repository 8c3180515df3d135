"""The shipped rulebook is complete and sourced, and a bad data file is refused."""

from __future__ import annotations

from importlib import resources

import pytest

from sanad_analyzer.jurisdiction import Jurisdiction
from sanad_analyzer.policy import PolicyType
from sanad_analyzer.rules.rulebook import RulebookError, load_rulebook, parse_rulebook

REQUIRED = {
    "return.window_too_short",
    "return.blanket_no_return",
    "return.customer_pays_for_defects",
    "return.fees_deducted",
    "return.store_credit_only",
    "return.refund_time_missing",
    "shipping.delivery_time_missing",
    "shipping.late_delivery_remedy_missing",
    "privacy.deletion_right_missing",
    "privacy.third_party_sharing_unclear",
}


@pytest.mark.parametrize("jurisdiction", list(Jurisdiction))
def test_every_jurisdiction_has_the_contract_rule_ids(jurisdiction: Jurisdiction) -> None:
    ids = {rule.id for rule in load_rulebook().rules if rule.jurisdiction == jurisdiction}
    assert ids >= REQUIRED


def test_every_rule_is_sourced_over_https_and_bilingual() -> None:
    for rule in load_rulebook().rules:
        assert rule.source_url.scheme == "https", rule.id
        assert any("\u0600" <= char <= "\u06ff" for char in rule.title_ar), rule.id
        assert rule.legal_reference_ar and rule.legal_reference_en


def test_the_minimum_window_differs_by_jurisdiction() -> None:
    book = load_rulebook()
    days = {
        rule.jurisdiction: rule.days for rule in book.rules if rule.id == "return.window_too_short"
    }
    assert days == {Jurisdiction.SA: 7, Jurisdiction.EG: 14, Jurisdiction.GENERIC: 7}


def test_saudi_law_lets_a_change_of_mind_return_cost_the_customer_but_egypt_does_not() -> None:
    fees = {
        rule.jurisdiction: rule.shipping_deduction_allowed
        for rule in load_rulebook().rules
        if rule.id == "return.fees_deducted"
    }
    assert fees[Jurisdiction.SA] is True
    assert fees[Jurisdiction.EG] is False


def test_applicable_rules_are_those_of_the_type_and_jurisdiction() -> None:
    rules = load_rulebook().applicable(Jurisdiction.EG, PolicyType.SHIPPING_DELIVERY)
    assert rules
    assert {rule.policy_type for rule in rules} == {PolicyType.SHIPPING_DELIVERY}
    assert {rule.jurisdiction for rule in rules} == {Jurisdiction.EG}


def _shipped(name: str) -> bytes:
    return (resources.files("sanad_analyzer.rules") / "data" / name).read_bytes()


def test_a_rule_without_its_checks_parameter_is_refused() -> None:
    broken = _shipped("sa.toml").replace(b"days = 7\n", b"", 1)
    with pytest.raises(RulebookError, match="needs days"):
        parse_rulebook({"sa.toml": broken})


def test_an_unknown_check_is_refused() -> None:
    broken = _shipped("sa.toml").replace(b'check = "clause_present"', b'check = "vibes"', 1)
    with pytest.raises(RulebookError, match="check"):
        parse_rulebook({"sa.toml": broken})


def test_a_duplicated_rule_is_refused() -> None:
    content = _shipped("eg.toml")
    with pytest.raises(RulebookError, match="twice"):
        parse_rulebook({"a.toml": content, "b.toml": content})


def test_a_file_that_is_not_toml_is_refused() -> None:
    with pytest.raises(RulebookError, match=r"x\.toml"):
        parse_rulebook({"x.toml": b"[[rules]\nid ="})
