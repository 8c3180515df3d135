"""Precision and recall of the checker per rule id, on a labelled corpus of policies.

The corpus format (TOML, ``[[policy]]`` entries with ``id``, ``jurisdiction``,
``policy_type``, ``text`` and ``expected`` rule ids) is described in tests/data.
"""

from __future__ import annotations

import tomllib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from sanad_analyzer.jurisdiction import Jurisdiction
from sanad_analyzer.policy import PolicyType
from sanad_analyzer.rules.checker import check_policy, language_of


@dataclass(frozen=True)
class LabelledPolicy:
    """One corpus entry: a policy and the rule ids a careful reader says should fire."""

    id: str
    jurisdiction: Jurisdiction
    policy_type: PolicyType
    text: str
    expected: frozenset[str]


@dataclass
class RuleScore:
    """True positives, false positives and false negatives of one rule id."""

    true_positives: int = 0
    false_positives: int = 0
    false_negatives: int = 0
    missed: list[str] = field(default_factory=list)
    wrong: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        """Share of firings that were expected (1.0 when it never fired)."""
        fired = self.true_positives + self.false_positives
        return self.true_positives / fired if fired else 1.0

    @property
    def recall(self) -> float:
        """Share of expected firings that happened (1.0 when none were expected)."""
        expected = self.true_positives + self.false_negatives
        return self.true_positives / expected if expected else 1.0


def load_corpus(path: Path) -> list[LabelledPolicy]:
    """The labelled policies of a corpus file."""
    with path.open("rb") as file:
        entries = tomllib.load(file)["policy"]
    return [
        LabelledPolicy(
            id=entry["id"],
            jurisdiction=Jurisdiction(entry["jurisdiction"]),
            policy_type=PolicyType(entry["policy_type"]),
            text=entry["text"],
            expected=frozenset(entry["expected"]),
        )
        for entry in entries
    ]


def evaluate(policies: list[LabelledPolicy]) -> dict[str, RuleScore]:
    """Scores per rule id over every policy."""
    scores: dict[str, RuleScore] = {}
    for policy in policies:
        result = check_policy(policy.text, policy.policy_type, policy.jurisdiction)
        fired = {finding.rule_id for finding in result.findings}
        for rule_id in fired | policy.expected:
            score = scores.setdefault(rule_id, RuleScore())
            if rule_id in fired and rule_id in policy.expected:
                score.true_positives += 1
            elif rule_id in fired:
                score.false_positives += 1
                score.wrong.append(policy.id)
            else:
                score.false_negatives += 1
                score.missed.append(policy.id)
    return dict(sorted(scores.items()))


def language_counts(policies: list[LabelledPolicy]) -> Counter[str]:
    """How many policies are mostly Arabic and how many mostly English."""
    return Counter(language_of(policy.text) for policy in policies)
