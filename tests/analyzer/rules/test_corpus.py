"""Precision and recall of the checker on the facts-labelled development corpus, and the
corpora's own shape (figures for every set in docs/rules.md, from bench/rules_checker.py).

The held-out corpora are only loaded here to check their shape: their scores are reported by
the bench, never asserted or tuned on. The second held-out corpus (``heldout-2.toml``, written
blind elsewhere) is checked and reported only when its file exists; the tests of that switch
use a tiny corpus of their own.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.rules_checker import score_table
from sanad_analyzer.jurisdiction import Jurisdiction
from sanad_analyzer.rules.evaluation import (
    evaluate,
    evaluate_detection,
    facts_corpus_paths,
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
    second = facts_corpus_paths(DATA / "policies").get("held-out-2")
    extra = [load_facts_corpus(second)] if second else []
    for corpus in (DEVELOPMENT, held_out, *extra):
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


TINY_CORPUS = """
[[policy]]
id = "t-1"
policy_type = "return_exchange"
jurisdiction = "SA"
country = "SA"
language = "en"
dialect = ""
phenomena = []
text = "Returns are accepted within 3 days of delivery. Refunds reach your card within 5 days."
ambiguous = ""
[policy.facts]
return_window_days = 3.0
refund_days = 5.0
refund_business_days = false
returns_refused_entirely = false
exchange_only = false
store_credit_only = false
excluded_goods = []
sale_items_excluded = false
customer_pays_for_defects = false
fees_deducted = []
"""


def test_a_second_held_out_corpus_is_skipped_when_its_file_is_absent(tmp_path: Path) -> None:
    (tmp_path / "development.toml").write_text(TINY_CORPUS, encoding="utf-8")
    assert list(facts_corpus_paths(tmp_path)) == ["development", "held-out"]


def test_a_second_held_out_corpus_is_scored_in_its_own_column_when_present(
    tmp_path: Path,
) -> None:
    (tmp_path / "heldout-2.toml").write_text(TINY_CORPUS, encoding="utf-8")
    paths = facts_corpus_paths(tmp_path)
    assert list(paths) == ["development", "held-out", "held-out-2"]
    corpora = {"development": DEVELOPMENT[:5], "held-out-2": load_facts_corpus(paths["held-out-2"])}
    header, _, *rows = score_table(corpora, confident_only=False)
    assert "held-out-2 P" in header and "development P" in header
    window = next(row for row in rows if "`return.window_too_short`" in row)
    # One column set per corpus: the tiny corpus's 3-day window is its one true positive.
    assert window.split(" | ")[-1] == "1/0/0 |"
