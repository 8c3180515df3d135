"""Precision and recall of the checker on the labelled corpus (figures in docs/rules.md)."""

from __future__ import annotations

from pathlib import Path

import pytest

from sanad_analyzer.rules.evaluation import evaluate, language_counts, load_corpus

DATA = Path(__file__).parents[2] / "data"
CORPUS = load_corpus(DATA / "rulebook_corpus.toml")
RETURN_RULES = (
    "return.window_too_short",
    "return.blanket_no_return",
    "return.customer_pays_for_defects",
    "return.fees_deducted",
    "return.store_credit_only",
)


def test_the_corpus_is_large_mostly_arabic_and_covers_both_jurisdictions() -> None:
    assert len(CORPUS) >= 60
    languages = language_counts(CORPUS)
    assert languages["ar"] > 2 * languages["en"]
    assert {policy.jurisdiction.value for policy in CORPUS} >= {"SA", "EG", "GENERIC"}
    assert len({policy.id for policy in CORPUS}) == len(CORPUS)


@pytest.mark.parametrize("rule_id", RETURN_RULES)
def test_return_rules_reach_the_goal_on_the_corpus(rule_id: str) -> None:
    score = evaluate(CORPUS)[rule_id]
    assert score.true_positives >= 3, "too few positive examples to measure"
    assert score.precision >= 0.9, f"false positives: {score.wrong}"
    assert score.recall >= 0.9, f"missed: {score.missed}"


def test_the_held_out_set_is_scored_too() -> None:
    scores = evaluate(load_corpus(DATA / "rulebook_holdout.toml"))
    assert all(score.true_positives + score.false_negatives >= 0 for score in scores.values())
    assert scores["return.window_too_short"].recall >= 0.9
