"""Precision and recall of the checker on the facts-labelled development corpus, and the
corpora's own shape (figures for every set in docs/rules.md, from bench/rules_checker.py).

The held-out corpus is only loaded here to check its shape: its scores are reported by the
bench, never asserted or tuned on.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sanad_analyzer.jurisdiction import Jurisdiction
from sanad_analyzer.rules.evaluation import (
    evaluate,
    evaluate_detection,
    language_counts,
    load_facts_corpus,
    load_rule_id_corpus,
)

DATA = Path(__file__).parents[2] / "data"
DEVELOPMENT = load_facts_corpus(DATA / "policies" / "development.toml")
RETURN_RULES = (
    "return.window_too_short",
    "return.blanket_no_return",
    "return.customer_pays_for_defects",
    "return.fees_deducted",
    "return.store_credit_only",
)


MINIMUM_POLICIES = 150
"""What the issue asks for; a third of it is held out."""


def test_the_corpora_have_150_policies_a_third_held_out_in_both_languages() -> None:
    held_out = load_facts_corpus(DATA / "policies" / "heldout.toml")
    assert len(DEVELOPMENT) + len(held_out) >= MINIMUM_POLICIES
    # The held-out part was written blind, once; the development part keeps growing after it,
    # so the held-out part is a third of the 150 asked for, not of every policy since.
    assert len(held_out) >= MINIMUM_POLICIES // 3
    for corpus in (DEVELOPMENT, held_out):
        assert len({policy.id for policy in corpus}) == len(corpus)
        languages = language_counts(corpus)
        assert languages["ar"] and languages["en"]
        assert {policy.jurisdiction for policy in corpus} >= {Jurisdiction.SA, Jurisdiction.EG}


@pytest.mark.parametrize("rule_id", RETURN_RULES)
@pytest.mark.parametrize("confident_only", [False, True])
def test_return_rules_reach_the_goal_on_the_development_corpus(
    rule_id: str, confident_only: bool
) -> None:
    score = evaluate(DEVELOPMENT, confident_only=confident_only)[rule_id]
    assert score.true_positives >= 5, "too few positive examples to measure"
    assert score.precision >= 0.9, f"false positives: {score.wrong}"
    assert score.recall >= 0.8, f"missed: {score.missed}"


def test_detection_never_names_the_wrong_country_on_the_development_corpus() -> None:
    detection = evaluate_detection(DEVELOPMENT)
    assert detection.wrong == ()
    assert detection.invented == ()
    assert detection.correct >= 0.9 * len(DEVELOPMENT)


@pytest.mark.parametrize("name", ["rulebook_corpus.toml", "rulebook_holdout.toml"])
def test_the_older_rule_id_corpora_still_pass_as_regression_sets(name: str) -> None:
    scores = evaluate(load_rule_id_corpus(DATA / name))
    for rule_id in RETURN_RULES:
        if rule_id in scores:
            assert scores[rule_id].precision >= 0.9, f"{rule_id}: {scores[rule_id].wrong}"
            assert scores[rule_id].recall >= 0.8, f"{rule_id}: {scores[rule_id].missed}"
