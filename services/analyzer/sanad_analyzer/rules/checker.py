"""The deterministic checker: one policy text against the rules of its jurisdiction and type.

The text is read as a document (document.py: sections, items, sentences, clauses with their
topic, scope, polarity and exceptions), its periods are bound to their clauses (periods.py),
and the rules run on what the clauses say (returns.py; clauses.py for shipping and privacy).
A finding is confident when the clause's topic, scope and polarity agree; otherwise it is
uncertain, says why, and is given at most a medium severity. It runs on every answer, fresh,
cached or degraded, and is the whole answer when nothing else can give one.
"""

from __future__ import annotations

import itertools
import re
import string
from dataclasses import dataclass
from typing import Final

from sanad_analyzer.jurisdiction import Jurisdiction
from sanad_analyzer.policy import PolicyType
from sanad_analyzer.rules.clauses import Clause, ClauseFinder
from sanad_analyzer.rules.document import Document
from sanad_analyzer.rules.normalised import NormalisedText, normalise, pattern
from sanad_analyzer.rules.periods import Purpose, find_periods, time_to_arrive
from sanad_analyzer.rules.returns import Doubt, Evidence, ReturnPolicy
from sanad_analyzer.rules.rulebook import Check, Rule, Rulebook, load_rulebook
from sanad_analyzer.rules.superseded import set_aside_superseded

# Letters are counted in C: the text is encoded to a one-byte charset that has them (ASCII
# for A-Z and a-z, Windows-1256 for the Arabic letters U+0621-U+064A but five rare ones,
# U+063B-U+063F, counted apiece), dropping what it lacks, and the other bytes are deleted.
_ARABIC_LETTERS: Final = "".join(map(chr, range(0x0621, 0x064B)))
_ARABIC_NOT_IN_1256: Final = tuple(
    letter for letter in _ARABIC_LETTERS if not letter.encode("cp1256", "ignore")
)
_ARABIC_IN_1256: Final = _ARABIC_LETTERS.encode("cp1256", "ignore")
_NOT_ARABIC_1256: Final = bytes(byte for byte in range(256) if byte not in _ARABIC_IN_1256)
_NOT_LATIN: Final = bytes(byte for byte in range(256) if chr(byte) not in string.ascii_letters)
_WORD: Final = re.compile(r"\w+")
_MIN_WORDS: Final = 3
# Words that show a text is about the stated policy type at all, on the matching form (so
# "نهائي" is looked for as the text is folded: "نهايي").
_TOPIC: Final = {
    PolicyType.RETURN_EXCHANGE: pattern(
        r"ارجاع|استرجاع|استبدال|استرداد|مرتجع|ترد|رجع|رجوع|ترجيع|بدل|الغاء|فسخ|عدول|نهائي"
        r"|refund|return|exchange|withdraw|final|money back|(?:send|sent) (?:\w+ ){0,2}back"
    ),
    PolicyType.SHIPPING_DELIVERY: pattern(
        r"شحن|توصيل|تسليم|الطلب|طلبات|ship|deliver|dispatch|courier|order"
    ),
    PolicyType.PRIVACY_ACCOUNT: pattern(
        r"بيانات|معلومات|خصوصي|شخصي|حساب|privacy|data|information|account|cookie|personal"
        r"|consent|contact details"
    ),
}
_SEVERITY_ORDER: Final = {"critical": 0, "high": 1, "medium": 2, "low": 3}
UNCERTAIN_SEVERITY: Final = {"critical": "medium", "high": "medium", "medium": "low", "low": "low"}
"""The severity an uncertain finding is given: a critical or high finding needs unambiguous
evidence."""
DOUBTS: Final[dict[Doubt, dict[str, str]]] = {
    Doubt.PURPOSE_UNSTATED: {
        "ar": "لا يذكر النص أن هذه المدة مدة الإرجاع، فقد تكون لغرض آخر.",
        "en": "The text does not say this period is the return window; it may be for "
        "something else.",
    },
    Doubt.JOINED: {
        "ar": "مدة واحدة تجمع الإرجاع واسترداد المبلغ، فقد تكون مدة الإرجاع أو مدة الاسترداد "
        "أو كليهما.",
        "en": "One period covers both the return and the refund: it may be the return window, "
        "the refund time, or both.",
    },
    Doubt.DEFECTS_UNSTATED: {
        "ar": "يحمّل البند العميل تكلفة الإرجاع دون أن يذكر المنتجات المعيبة أو الخاطئة أو "
        "يستثنيها.",
        "en": "The clause makes the customer pay for the return without saying whether "
        "defective or wrong items are excepted.",
    },
    Doubt.FEE_KIND_UNSTATED: {
        "ar": "لا يبيّن النص إن كانت الرسوم المخصومة تكلفة شحن الإرجاع (الجائز تحميلها للمستهلك) "
        "أم رسومًا أخرى.",
        "en": "The text does not say whether the fee kept is the return's shipping (which the "
        "consumer may lawfully bear) or another charge.",
    },
    Doubt.REFUSAL_BESIDE_RIGHT: {
        "ar": "ترفض السياسة الإرجاع هنا بصيغة عامة وتمنح مدة للإرجاع في موضع آخر، فلا يتضح ما "
        "يشمله الرفض.",
        "en": "The policy refuses returns here in general terms but grants a return period "
        "elsewhere; what the refusal covers is unclear.",
    },
    Doubt.PERIODS_DISAGREE: {
        "ar": "تحدد السياسة مدة إرجاع أطول في موضع، ومدة أقصر تصفها بأنها الوحيدة في موضع آخر، "
        "فلا يتضح أيهما المعمول بها.",
        "en": "The policy sets a longer return period in one place and, in another, a shorter "
        "one it calls the only one; which applies is not said.",
    },
    Doubt.WORKING_DAYS: {
        "ar": "مدة الإرجاع محسوبة بأيام العمل، ولا تبلغ المدة النظامية بالأيام إلا إذا كانت "
        "العطلة يومين في الأسبوع، والنص لا يذكر ذلك.",
        "en": "The return window is counted in working days; it reaches the legal minimum in "
        "calendar days only if the week has two days off, which the text does not say.",
    },
    Doubt.TIME_LIMITED: {
        "ar": "ترفض السياسة الإرجاع بعد وقت محدد ولا تمنح قبله مدة للإرجاع.",
        "en": "The policy refuses returns after a point in time and grants no return period "
        "before it.",
    },
    Doubt.METHOD_UNSTATED: {
        "ar": "الرصيد هو الطريقة الوحيدة المذكورة لرد المبلغ، لكن النص لا يقول إن المبلغ لا يُرد "
        "نقدًا.",
        "en": "Credit is the only refund method the policy names, but it does not say that "
        "money is never refunded.",
    },
}


@dataclass(frozen=True)
class Finding:
    """A rule that fired, in the policy's language."""

    rule_id: str
    severity: str
    """The rule's severity; at most medium when the finding is uncertain."""
    title: str
    phrase: str
    finding: str
    suggestion: str
    legal_reference: str
    source_url: str
    confident: bool = True
    """Topic, scope and polarity of the clause agree; only confident findings count towards
    the ratio and grade."""
    uncertainty: str = ""
    """What the text leaves undecided, when the finding is not confident."""


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
    """Rules with a confident finding."""
    undecided: tuple[Rule, ...] = ()
    """Rules with only uncertain findings: neither passed nor failed."""


def language_of(text: str) -> str:
    """ "ar" when Arabic letters are at least as many as Latin ones, else "en"."""
    arabic = len(text.encode("cp1256", "ignore").translate(None, _NOT_ARABIC_1256)) + sum(
        map(text.count, _ARABIC_NOT_IN_1256)
    )
    latin = len(text.encode("ascii", "ignore").translate(None, _NOT_LATIN))
    return "ar" if arabic and arabic >= latin else "en"


class _Reading:
    """The document, its periods and its clauses, read once and shared by every rule; the
    terms the page no longer applies set aside first (superseded.py)."""

    def __init__(self, text: NormalisedText) -> None:
        document = Document(text)
        if document.mentions_the_past:
            current = set_aside_superseded(text)
            if current is not text:
                text, document = current, Document(current)
        self.text = text
        self.document = document
        self.periods = find_periods(self.document)
        self.returns = ReturnPolicy(self.document, self.periods)
        self.clauses = ClauseFinder(text)

    def written(self, evidence: Evidence) -> str:
        """The evidence's period as the store wrote it."""
        period = evidence.period
        return "" if period is None else self.text.quote(period.start, period.end)


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
        len(list(itertools.islice(_WORD.finditer(normalised.text), _MIN_WORDS))) >= _MIN_WORDS
        and _TOPIC[policy_type].search(normalised.text) is not None
    )
    if not readable:
        return CheckResult(jurisdiction, policy_type, language, False, (), (), ())
    reading = _Reading(normalised)
    findings: list[tuple[int, Finding]] = []
    passed: list[Rule] = []
    fired: list[Rule] = []
    undecided: list[Rule] = []
    for rule in book.applicable(jurisdiction, policy_type):
        evidence = _run(rule, reading)
        if not evidence:
            passed.append(rule)
            continue
        confident = [item for item in evidence if item.confident]
        kept = confident[:1] if confident else evidence[:1]
        (fired if confident else undecided).append(rule)
        for item in kept:
            findings.append((item.start, _finding(rule, item, reading, language)))
    findings.sort(key=lambda item: (_SEVERITY_ORDER[item[1].severity], item[0]))
    return CheckResult(
        jurisdiction=jurisdiction,
        policy_type=policy_type,
        language=language,
        readable=True,
        findings=tuple(finding for _, finding in findings),
        passed=tuple(passed),
        fired=tuple(fired),
        undecided=tuple(undecided),
    )


def _finding(rule: Rule, evidence: Evidence, reading: _Reading, language: str) -> Finding:
    phrase = (
        reading.text.quote(evidence.start, evidence.end) if evidence.end > evidence.start else ""
    )
    return Finding(
        rule_id=rule.id,
        severity=rule.severity if evidence.confident else UNCERTAIN_SEVERITY[rule.severity],
        title=rule.text("title", language),
        phrase=phrase,
        finding=rule.text("finding", language).format(days=f"«{reading.written(evidence)}»"),
        suggestion=rule.text("suggestion", language),
        legal_reference=rule.text("legal_reference", language),
        source_url=str(rule.source_url),
        confident=evidence.confident,
        uncertainty="" if evidence.doubt is None else DOUBTS[evidence.doubt][language],
    )


def _missing(reading: _Reading) -> list[Evidence]:
    end = len(reading.text.text)
    return [Evidence(end, end)]


def _run(rule: Rule, reading: _Reading) -> list[Evidence]:
    """The evidence that makes ``rule`` fire; empty when it passes."""
    returns = reading.returns
    if rule.check is Check.MIN_RETURN_DAYS:
        assert rule.days is not None
        short = returns.short_window(rule.days)
        return [short] if short else []
    if rule.check is Check.MAX_PERIOD_DAYS:
        assert rule.days is not None
        long = returns.long_refund(rule.days)
        return [long] if long else []
    if rule.check is Check.PERIOD_MISSING:
        if rule.purpose is Purpose.REFUND:
            missing = returns.refund_time_missing()
            return [missing] if missing else []
        stated = any(
            period.purpose is rule.purpose
            and (rule.purpose is not Purpose.DELIVERY or time_to_arrive(period, reading.document))
            for period in reading.periods
        )
        return [] if stated else _missing(reading)
    if rule.check is Check.FEES_DEDUCTED:
        return returns.fees(shipping_allowed=rule.shipping_deduction_allowed)
    if rule.check is Check.CLAUSE_PRESENT:
        if rule.clause is Clause.NO_RETURN:
            return returns.blanket_refusals()
        if rule.clause is Clause.SALE_EXCLUSION:
            return returns.sale_exclusions()
        if rule.clause is Clause.DEFECT_COSTS_ON_CUSTOMER:
            return returns.defect_costs()
        if rule.clause is Clause.CREDIT_ONLY:
            credit = returns.credit_only()
            return [credit] if credit else []
        assert rule.clause is not None
        return [Evidence(hit.start, hit.end) for hit in reading.clauses.hits(rule.clause)]
    if rule.check is Check.CLAUSE_ABSENT:
        assert rule.clause is not None
        return [] if reading.clauses.hits(rule.clause) else _missing(reading)
    # Check.SHARING_UNCLEAR: open-ended sharing is quoted; no word on sharing at all is missing.
    open_ended = reading.clauses.hits(Clause.SHARING_OPEN_ENDED)
    if open_ended:
        return [Evidence(open_ended[0].start, open_ended[0].end)]
    return [] if reading.clauses.hits(Clause.SHARING) else _missing(reading)
