"""What the request path asks of the rulebook: a policy's check (once per text in flight), and
the analysis the rules alone can give (SOURCE_RULES) when nothing else can answer.

Every statement of a rule-based analysis comes from a rule that fired (critical issues,
weaknesses, recommendations) or did not fire (strengths); the ratio and grade follow from
them by the formula in score.py. This package knows rules and findings; the responses that
carry them are built in ``answers``.
"""

from __future__ import annotations

import functools
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any, Final

from sanad_analyzer.jurisdiction import Jurisdiction
from sanad_analyzer.policy import PolicyType
from sanad_analyzer.rules.checker import CheckResult, Finding, check_policy
from sanad_analyzer.rules.normalised import normalise
from sanad_analyzer.rules.rulebook import Rule, Rulebook, load_rulebook
from sanad_analyzer.rules.score import compliance_ratio, grade

CHECK_CACHE_SIZE: Final = 256
"""Texts whose check results are kept: the requests in flight, with room to spare."""
_TYPE_NAMES: Final = {
    PolicyType.RETURN_EXCHANGE: ("سياسة استرجاع واستبدال", "return and exchange policy"),
    PolicyType.SHIPPING_DELIVERY: ("سياسة شحن وتوصيل", "shipping and delivery policy"),
    PolicyType.PRIVACY_ACCOUNT: ("سياسة خصوصية وحساب", "account and privacy policy"),
}


@dataclass(frozen=True)
class Templates:
    """Model policies, per policy type and language, for a rule-based improved policy."""

    texts: dict[tuple[PolicyType, str], str]

    def text(self, policy_type: PolicyType, language: str, rules: tuple[Rule, ...]) -> str:
        """The template, with the jurisdiction's minimum return window filled in."""
        days = next((rule.days for rule in rules if rule.id == "return.window_too_short"), 7)
        return self.texts[(policy_type, language)].format(return_days=f"{days:g}")


def load_templates() -> Templates:
    """The templates shipped in rules/data/templates.toml."""
    data = tomllib.loads(
        (resources.files("sanad_analyzer.rules") / "data" / "templates.toml").read_text("utf-8")
    )
    return Templates(
        {
            (PolicyType(entry["policy_type"]), language): entry[f"text_{language}"]
            for entry in data["templates"]
            for language in ("ar", "en")
        }
    )


def rules_analysis(result: CheckResult, improved_policy: str) -> dict[str, Any]:
    """A schema-valid analysis made only of what the rules said: confident findings are its
    issues, uncertain ones its ambiguities (with what the text leaves undecided)."""
    language = result.language
    arabic_type, english_type = _TYPE_NAMES[result.policy_type]
    ratio = compliance_ratio(result)
    fired = len(result.fired)
    total = fired + len(result.passed)
    undecided = len(result.undecided)
    confident = [finding for finding in result.findings if finding.confident]
    if language == "ar":
        reason = f"يتضمن النص مفردات {arabic_type} التي يقرؤها مدقق القواعد."
        summary = (
            f"مراجعة آلية قائمة على القواعد: خالف النص {fired} من {total} قاعدة تنطبق على "
            f"{arabic_type}، والنسبة {ratio:g}% محسوبة من هذه القواعد وحدها."
        )
        if undecided:
            summary += f" وتعذّر الحسم في {undecided} قاعدة لغموض النص (انظر مواضع الغموض)."
    else:
        reason = f"The text uses the vocabulary of a {english_type} that the rule checker reads."
        summary = (
            f"Automatic rule-based review: the text breaks {fired} of the {total} rules that "
            f"apply to a {english_type}; the {ratio:g}% ratio is computed from these rules only."
        )
        if undecided:
            summary += (
                f" {undecided} more could not be decided from the text (see the ambiguities)."
            )
    return {
        "policy_match": {"is_match": True, "confidence": 0.5, "reason": reason},
        "compliance_report": {
            "overall_compliance_ratio": ratio,
            "compliance_grade": grade(ratio),
            "critical_issues": [
                {
                    "issue": finding.finding,
                    "phrase": finding.phrase,
                    "severity": finding.severity,
                    "suggestion": finding.suggestion,
                    "legal_reference": finding.legal_reference,
                }
                for finding in confident
            ],
            "strengths": [rule.text("strength", language) for rule in result.passed],
            "weaknesses": list(dict.fromkeys(finding.title for finding in confident)),
            "ambiguities": [
                _ambiguity(finding) for finding in result.findings if not finding.confident
            ],
            "summary": summary,
            "recommendations": list(dict.fromkeys(finding.suggestion for finding in confident)),
        },
        "improved_policy": improved_policy,
    }


def _ambiguity(finding: Finding) -> str:
    """What an uncertain finding leaves undecided, with the phrase it is about."""
    quoted = f" «{finding.phrase}»" if finding.phrase else ""
    return f"{finding.title}{quoted}: {finding.uncertainty}"


def ignored_critical_findings(quoted_phrases: Sequence[str], result: CheckResult) -> list[str]:
    """Ids of critical findings that none of a model's quoted phrases (those of its critical
    issues) quotes."""
    quoted = [normalise(phrase).text for phrase in quoted_phrases if phrase.strip()]
    ignored = []
    for finding in result.findings:
        if finding.severity != "critical" or not finding.phrase:
            continue
        phrase = normalise(finding.phrase).text
        if not any(quote in phrase or phrase in quote for quote in quoted):
            ignored.append(finding.rule_id)
    return ignored


class RuleReview:
    """The rulebook on the request path: checks, and the rule-based analysis."""

    def __init__(
        self,
        *,
        answer_enabled: bool = True,
        rulebook: Rulebook | None = None,
        templates: Templates | None = None,
    ) -> None:
        self.answer_enabled = answer_enabled
        """False when the rules may not answer by themselves (findings are still given)."""
        self._rulebook = rulebook or load_rulebook()
        self._templates = templates or load_templates()
        # A request's text is checked while it waits on quota and the provider, and its
        # answer carries the findings after: both ask the same check, which runs once.
        self._checked = functools.lru_cache(maxsize=CHECK_CACHE_SIZE)(self._check)

    def check(self, text: str, policy_type: PolicyType, jurisdiction: Jurisdiction) -> CheckResult:
        """The checker's result for a text, its policy type and jurisdiction."""
        return self._checked(text, policy_type, jurisdiction)

    def _check(self, text: str, policy_type: PolicyType, jurisdiction: Jurisdiction) -> CheckResult:
        return check_policy(text, policy_type, jurisdiction, self._rulebook)

    def analysis(
        self, result: CheckResult, *, include_improved_policy: bool
    ) -> dict[str, Any] | None:
        """The rule-based analysis of a checked text (schema-shaped); None when the rules may
        not answer or the text is not a policy the checker can read."""
        if not self.answer_enabled or not result.readable:
            return None
        rules = self._rulebook.applicable(result.jurisdiction, result.policy_type)
        improved = (
            self._templates.text(result.policy_type, result.language, rules)
            if include_improved_policy
            else ""
        )
        return rules_analysis(result, improved)
