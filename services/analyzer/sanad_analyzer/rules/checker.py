"""The deterministic checker: one policy text against the rules of its jurisdiction and type.

Pure and fast (a few regex passes over the normalised text): it runs on every answer, fresh,
cached or degraded, and is the whole answer when nothing else can give one.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Final

from sanad_analyzer.jurisdiction import Jurisdiction
from sanad_analyzer.policy import PolicyType
from sanad_analyzer.rules.clauses import Clause, ClauseFinder, ClauseHit
from sanad_analyzer.rules.normalised import NormalisedText, normalise
from sanad_analyzer.rules.periods import Period, Purpose, find_periods
from sanad_analyzer.rules.rulebook import Check, Rule, Rulebook, load_rulebook

# Runs of Arabic or Latin letters: counting letters by runs keeps the loop in C.
_ARABIC_RUN: Final = re.compile("[\u0621-\u064a]+")
_LATIN_RUN: Final = re.compile("[A-Za-z]+")
_WORD: Final = re.compile(r"\w+")
_MIN_WORDS: Final = 3
# Words that show a text is about the stated policy type at all.
_TOPIC: Final = {
    PolicyType.RETURN_EXCHANGE: re.compile(
        r"ارجاع|استرجاع|استبدال|استرداد|مرتجع|ترد|رجع|ترجيع|بدل|الغاء|refund|return|exchange"
    ),
    PolicyType.SHIPPING_DELIVERY: re.compile(
        r"شحن|توصيل|تسليم|الطلب|طلبات|ship|deliver|dispatch|courier|order"
    ),
    PolicyType.PRIVACY_ACCOUNT: re.compile(
        r"بيانات|معلومات|خصوصي|حساب|privacy|data|information|account|cookie"
    ),
}
_SEVERITY_ORDER: Final = {"critical": 0, "high": 1, "medium": 2, "low": 3}


@dataclass(frozen=True)
class Finding:
    """A rule that fired, in the policy's language."""

    rule_id: str
    severity: str
    title: str
    phrase: str
    finding: str
    suggestion: str
    legal_reference: str
    source_url: str


@dataclass(frozen=True)
class CheckResult:
    """What the checker concluded about one text."""

    jurisdiction: Jurisdiction
    policy_type: PolicyType
    language: str
    readable: bool
    findings: tuple[Finding, ...]
    passed: tuple[Rule, ...]
    fired: tuple[Rule, ...]


def language_of(text: str) -> str:
    """ "ar" when Arabic letters are at least as many as Latin ones, else "en"."""
    arabic = sum(map(len, _ARABIC_RUN.findall(text)))
    latin = sum(map(len, _LATIN_RUN.findall(text)))
    return "ar" if arabic and arabic >= latin else "en"


class _Facts:
    """The periods and clauses of one text, found once and shared by every rule."""

    def __init__(self, text: NormalisedText) -> None:
        self.text = text
        self._clauses = ClauseFinder(text)

    @functools.cached_property
    def periods(self) -> list[Period]:
        return find_periods(self.text)

    def hits(self, clause: Clause) -> list[ClauseHit]:
        return self._clauses.hits(clause)

    def of_purpose(self, purpose: Purpose) -> list[Period]:
        return [period for period in self.periods if period.purpose == purpose]

    def return_windows(self) -> list[Period]:
        """Periods that are the return window: for return, not only for defective items."""
        windows = [p for p in self.of_purpose(Purpose.RETURN) if not p.about_defects]
        if windows or self.of_purpose(Purpose.EXCHANGE):
            return windows
        # A policy that only says "خلال 3 أيام" under a heading of its own.
        return [
            p
            for p in self.of_purpose(Purpose.UNKNOWN)
            if p.unit != "business_day" and not p.about_defects
        ]

    def written(self, period: Period) -> str:
        """The period as the store wrote it."""
        return self.text.quote(period.start, period.end)

    def clause(self, start: int) -> str:
        """The comma-bounded part of the sentence holding ``start``, as written."""
        first, last = self.text.sentence_bounds(start)
        text = self.text.text
        comma = text.rfind(",", first, start)
        first = first if comma == -1 else comma + 1
        comma = text.find(",", start, last)
        last = last if comma == -1 else comma
        while first < last and text[first] == " ":
            first += 1
        return self.text.quote(first, last)

    def sentence(self, start: int) -> str:
        first, last = self.text.sentence_bounds(start)
        return self.text.quote(first, last)


def check_policy(
    text: str,
    policy_type: PolicyType,
    jurisdiction: Jurisdiction,
    rulebook: Rulebook | None = None,
) -> CheckResult:
    """Check ``text`` as a policy of ``policy_type`` under ``jurisdiction``'s rules."""
    book = rulebook or load_rulebook()
    language = language_of(text)
    normalised = normalise(text)
    readable = (
        len(_WORD.findall(normalised.text)) >= _MIN_WORDS
        and _TOPIC[policy_type].search(normalised.text) is not None
    )
    if not readable:
        return CheckResult(jurisdiction, policy_type, language, False, (), (), ())
    facts = _Facts(normalised)
    findings: list[tuple[int, Finding]] = []
    passed: list[Rule] = []
    fired: list[Rule] = []
    for rule in book.applicable(jurisdiction, policy_type):
        results = _run(rule, facts)
        if not results:
            passed.append(rule)
            continue
        fired.append(rule)
        for position, phrase, period in results:
            findings.append(
                (
                    position,
                    Finding(
                        rule_id=rule.id,
                        severity=rule.severity,
                        title=rule.text("title", language),
                        phrase=phrase,
                        finding=rule.text("finding", language).format(days=f"«{period}»"),
                        suggestion=rule.text("suggestion", language),
                        legal_reference=rule.text("legal_reference", language),
                        source_url=str(rule.source_url),
                    ),
                )
            )
    findings.sort(key=lambda item: (_SEVERITY_ORDER[item[1].severity], item[0]))
    return CheckResult(
        jurisdiction=jurisdiction,
        policy_type=policy_type,
        language=language,
        readable=True,
        findings=tuple(finding for _, finding in findings),
        passed=tuple(passed),
        fired=tuple(fired),
    )


def _run(rule: Rule, facts: _Facts) -> list[tuple[int, str, str]]:
    """(position, quoted phrase, period as written) for each firing; empty if it passes."""
    if rule.check is Check.MIN_RETURN_DAYS:
        assert rule.days is not None
        short = [p for p in facts.return_windows() if p.days < rule.days]
        return [(p.start, facts.clause(p.start), facts.written(p)) for p in short[:1]]
    if rule.check is Check.MAX_PERIOD_DAYS:
        assert rule.purpose is not None and rule.days is not None
        long = [p for p in facts.of_purpose(rule.purpose) if p.days > rule.days]
        return [(p.start, facts.clause(p.start), facts.written(p)) for p in long[:1]]
    if rule.check is Check.PERIOD_MISSING:
        assert rule.purpose is not None
        if facts.of_purpose(rule.purpose):
            return []
        if rule.purpose is Purpose.REFUND and facts.hits(Clause.IMMEDIATE_REFUND):
            return []
        return [(len(facts.text.text), "", "")]
    if rule.check is Check.CLAUSE_PRESENT:
        assert rule.clause is not None
        return [
            (hit.start, facts.text.quote(hit.start, hit.end), "")
            for hit in facts.hits(rule.clause)[:1]
        ]
    if rule.check is Check.CLAUSE_ABSENT:
        assert rule.clause is not None
        return [] if facts.hits(rule.clause) else [(len(facts.text.text), "", "")]
    if rule.check is Check.FEES_DEDUCTED:
        hits = list(facts.hits(Clause.FEE_DEDUCTION))
        if not rule.shipping_deduction_allowed:
            hits += facts.hits(Clause.SHIPPING_DEDUCTION)
        hits.sort(key=lambda hit: hit.start)
        return [(hit.start, facts.text.quote(hit.start, hit.end), "") for hit in hits[:1]]
    # Check.SHARING_UNCLEAR: open-ended sharing is quoted; no word on sharing at all is missing.
    open_ended = facts.hits(Clause.SHARING_OPEN_ENDED)
    if open_ended:
        hit = open_ended[0]
        return [(hit.start, facts.text.quote(hit.start, hit.end), "")]
    return [] if facts.hits(Clause.SHARING) else [(len(facts.text.text), "", "")]
