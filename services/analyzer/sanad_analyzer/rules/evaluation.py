"""Precision and recall of the checker per rule id, on corpora labelled with facts.

The corpora (``tests/data/policies/*.toml``) say what each policy states (return days,
refund days, who pays for what, fees, exclusions), never which rules should fire. The
expected findings are derived from those facts, the jurisdiction the service would use and
the rulebook's own thresholds, by one function (``expected_findings``), so a corpus cannot
be labelled to suit the checker and a threshold lives only in the rulebook.

The older corpora (``tests/data/rulebook_*.toml``), labelled with rule ids, are still read
(``load_rule_id_corpus``) as regression sets.
"""

from __future__ import annotations

import re
import tomllib
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from sanad_analyzer.jurisdiction import Jurisdiction
from sanad_analyzer.policy import PolicyType
from sanad_analyzer.rules.checker import CheckResult, check_policy, language_of
from sanad_analyzer.rules.jurisdiction_signals import detect_jurisdiction
from sanad_analyzer.rules.periods import BUSINESS_DAY
from sanad_analyzer.rules.rulebook import Rule, Rulebook, load_rulebook

DEFAULT_JURISDICTION: Final = Jurisdiction.SA
"""The service's configured default when nothing else decides (SANAD_DEFAULT_JURISDICTION)."""

Facts = Mapping[str, Any]


@dataclass(frozen=True)
class LabelledPolicy:
    """One corpus entry: a policy, the jurisdiction its caller sends, and what should fire."""

    id: str
    policy_type: PolicyType
    text: str
    expected: frozenset[str]
    """Rule ids that should fire under ``jurisdiction``."""
    jurisdiction: Jurisdiction
    """The jurisdiction the expectation is for (requested, else the shop's country, else the
    default)."""
    requested: Jurisdiction | None = None
    """What the caller sends; None when it leaves the jurisdiction to the service."""
    country: Jurisdiction | None = None
    """The shop's country as its text shows it (facts corpora only)."""
    ambiguous: str = ""


def _fee_is_shipping(description: str) -> bool:
    """True for a labelled fee that is a shipping or delivery cost (a return's own cost),
    False for any other fee (payment, service, handling, percentage, half the price)."""
    text = description.lower()
    shipping = re.search(r"shipping|delivery|postage|courier|pickup|transport", text)
    other = re.search(
        r"gateway|payment|service|handling|admin|restocking|\bcod\b|cash on delivery|"
        r"cancellation fee|bank|transfer|half|processing|assembly|\d+(?:\.\d+)?%(?! vat)",
        text,
    )
    return shipping is not None and other is None


def _window(facts: Facts) -> float | None:
    """The window the legal minimum applies to: the return window, else the exchange window
    when an exchange is all that is offered."""
    days = facts.get("return_window_days")
    if days is None and facts.get("exchange_only"):
        days = facts.get("exchange_window_days")
    return None if days is None else float(days)


def _refund_days(facts: Facts) -> float | None:
    days = facts.get("refund_days")
    if days is None:
        return None
    return float(days) * (BUSINESS_DAY if facts.get("refund_business_days") else 1.0)


def _fees(rule: Rule, facts: Facts) -> bool:
    fees: list[str] = list(facts.get("fees_deducted", []))
    if rule.shipping_deduction_allowed:
        fees = [fee for fee in fees if not _fee_is_shipping(fee)]
    return bool(fees)


_DERIVATIONS: Final[dict[str, Callable[[Rule, Facts], bool]]] = {
    "return.window_too_short": lambda rule, facts: (
        (window := _window(facts)) is not None and rule.days is not None and window < rule.days
    ),
    "return.blanket_no_return": lambda _, facts: bool(facts.get("returns_refused_entirely")),
    "return.sale_items_excluded": lambda _, facts: bool(facts.get("sale_items_excluded")),
    "return.customer_pays_for_defects": lambda _, facts: bool(
        facts.get("customer_pays_for_defects")
    ),
    "return.fees_deducted": _fees,
    "return.store_credit_only": lambda _, facts: bool(facts.get("store_credit_only")),
    "return.refund_time_missing": lambda _, facts: facts.get("refund_days") is None,
    "return.refund_time_too_long": lambda rule, facts: (
        (days := _refund_days(facts)) is not None and rule.days is not None and days > rule.days
    ),
    "shipping.delivery_time_missing": lambda _, facts: facts.get("delivery_days") is None,
    "shipping.late_delivery_remedy_missing": lambda _, facts: not facts.get("late_delivery_remedy"),
    "shipping.cost_disclosure_missing": lambda _, facts: not facts.get("shipping_cost_disclosed"),
    "privacy.deletion_right_missing": lambda _, facts: not facts.get("deletion_right"),
    "privacy.access_right_missing": lambda _, facts: not facts.get("access_right"),
    "privacy.purpose_missing": lambda _, facts: not facts.get("purpose_stated"),
    "privacy.retention_missing": lambda _, facts: not facts.get("retention_stated"),
    "privacy.third_party_sharing_unclear": lambda _, facts: (
        facts.get("third_party_sharing") in ("none_mentioned", "open_ended")
    ),
}
"""For each rule id, whether a policy with these facts breaks the rule (thresholds from the
rule itself)."""


def expected_findings(facts: Facts, rules: Iterable[Rule]) -> frozenset[str]:
    """The rule ids that should fire for a policy stating ``facts``, among ``rules`` (those of
    the jurisdiction used and the policy's type).

    - ``return.window_too_short``: the return window (else, for an exchange-only policy, the
      exchange window) is shorter than the rule's ``days``. A cancellation window before
      shipping and a damage-report period are not windows.
    - ``return.blanket_no_return``: returns are refused for all goods (this includes
      "exchange only" and "only defective items").
    - ``return.sale_items_excluded``, ``return.store_credit_only``,
      ``return.customer_pays_for_defects``: the fact of the same name.
    - ``return.fees_deducted``: a fee is deducted or not refunded; where the rule allows the
      return's shipping to be charged (``shipping_deduction_allowed``), only fees other than
      shipping count.
    - ``return.refund_time_missing``: no refund time is stated.
    - ``return.refund_time_too_long``: the refund time, business days counted as the checker
      counts them, exceeds the rule's ``days``.
    - Shipping and privacy rules: the matching fact is false or missing (sharing: none
      mentioned, or open-ended).
    """
    return frozenset(
        rule.id for rule in rules if rule.id in _DERIVATIONS and _DERIVATIONS[rule.id](rule, facts)
    )


_POLICY_TYPE_NAMES: Final = {"account_privacy": PolicyType.PRIVACY_ACCOUNT}
"""The facts corpora's names of a policy type where they differ from the enum's."""


def _policy_type(value: str) -> PolicyType:
    return _POLICY_TYPE_NAMES.get(value) or PolicyType(value)


def _jurisdiction(value: str) -> Jurisdiction | None:
    return Jurisdiction(value) if value else None


def load_facts_corpus(path: Path, rulebook: Rulebook | None = None) -> list[LabelledPolicy]:
    """The policies of a facts-labelled corpus, each with its derived expectation."""
    book = rulebook or load_rulebook()
    with path.open("rb") as file:
        entries = tomllib.load(file)["policy"]
    policies = []
    for entry in entries:
        requested = _jurisdiction(entry["jurisdiction"])
        country = _jurisdiction(entry["country"])
        used = requested or country or DEFAULT_JURISDICTION
        policy_type = _policy_type(entry["policy_type"])
        policies.append(
            LabelledPolicy(
                id=entry["id"],
                policy_type=policy_type,
                text=entry["text"],
                expected=expected_findings(entry["facts"], book.applicable(used, policy_type)),
                jurisdiction=used,
                requested=requested,
                country=country,
                ambiguous=entry.get("ambiguous", ""),
            )
        )
    return policies


FACTS_CORPORA: Final = {
    "development": "development.toml",
    "held-out": "heldout.toml",
    "held-out-2": "heldout-2.toml",
}
"""The facts-labelled corpora by the name their figures are reported under, and their files
in ``tests/data/policies``."""

OPTIONAL_CORPORA: Final = frozenset({"held-out-2"})
"""Corpora that may not exist yet (a second blind set, written elsewhere): skipped when absent."""


def facts_corpus_paths(directory: Path) -> dict[str, Path]:
    """The facts-labelled corpora found in ``directory``, in report order: every required one
    (a missing one is an error when it is loaded), and an optional one only when its file is
    there."""
    return {
        name: directory / file_name
        for name, file_name in FACTS_CORPORA.items()
        if name not in OPTIONAL_CORPORA or (directory / file_name).is_file()
    }


def load_rule_id_corpus(path: Path) -> list[LabelledPolicy]:
    """The policies of an older corpus labelled with the rule ids that should fire."""
    with path.open("rb") as file:
        entries = tomllib.load(file)["policy"]
    return [
        LabelledPolicy(
            id=entry["id"],
            policy_type=PolicyType(entry["policy_type"]),
            text=entry["text"],
            expected=frozenset(entry["expected"]),
            jurisdiction=Jurisdiction(entry["jurisdiction"]),
            requested=Jurisdiction(entry["jurisdiction"]),
        )
        for entry in entries
    ]


def jurisdiction_applied(policy: LabelledPolicy) -> Jurisdiction:
    """The jurisdiction the service applies: the requested one, else the one detected in the
    text, else the default (so a detection error shows up in the scores)."""
    return policy.requested or detect_jurisdiction(policy.text).jurisdiction or DEFAULT_JURISDICTION


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


def fired_rules(result: CheckResult, *, confident_only: bool) -> set[str]:
    """The rule ids a result reports (only those with a confident finding, if asked)."""
    return {
        finding.rule_id for finding in result.findings if finding.confident or not confident_only
    }


def evaluate(
    policies: Iterable[LabelledPolicy], *, confident_only: bool = False
) -> dict[str, RuleScore]:
    """Scores per rule id over every policy. By default every finding counts as a firing,
    uncertain ones included (what a caller sees in ``rule_findings``); with
    ``confident_only``, only the findings that count towards the grade."""
    book = load_rulebook()
    scores: dict[str, RuleScore] = {}
    for policy in policies:
        result = check_policy(policy.text, policy.policy_type, jurisdiction_applied(policy), book)
        fired = fired_rules(result, confident_only=confident_only)
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


@dataclass(frozen=True)
class DetectionScore:
    """How often detection names the shop's country, per corpus."""

    correct: int
    wrong: tuple[str, ...]
    """Policies detected as another country than their text shows."""
    undetected: tuple[str, ...]
    """Policies whose country the text shows but detection left undecided."""
    invented: tuple[str, ...]
    """Policies whose text shows no country but detection named one."""


def evaluate_detection(policies: Iterable[LabelledPolicy]) -> DetectionScore:
    """Detection against the corpus's ``country`` labels (on every policy, requested or not)."""
    correct = 0
    wrong: list[str] = []
    undetected: list[str] = []
    invented: list[str] = []
    for policy in policies:
        found = detect_jurisdiction(policy.text).jurisdiction
        if found is policy.country:
            correct += 1
        elif policy.country is None:
            invented.append(policy.id)
        elif found is None:
            undetected.append(policy.id)
        else:
            wrong.append(policy.id)
    return DetectionScore(correct, tuple(wrong), tuple(undetected), tuple(invented))


def language_counts(policies: Iterable[LabelledPolicy]) -> Counter[str]:
    """How many policies are mostly Arabic and how many mostly English."""
    return Counter(language_of(policy.text) for policy in policies)
