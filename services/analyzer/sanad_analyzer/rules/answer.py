"""The rulebook's part in an answer: findings on every response, and the whole answer when
nothing else can give one (SOURCE_RULES).

Every statement of a rule-based answer comes from a rule that fired (critical issues,
weaknesses, recommendations) or did not fire (strengths); the ratio and grade follow from
them by the formula in score.py.
"""

from __future__ import annotations

import functools
import tomllib
import uuid
from dataclasses import dataclass
from importlib import resources
from typing import Any, Final

import structlog
from opentelemetry import metrics

from sanad.analyzer.v1 import analyzer_pb2
from sanad_analyzer.analysis import analysis_to_proto, validate_analysis
from sanad_analyzer.attempt_log import AttemptLog
from sanad_analyzer.jurisdiction import Jurisdiction
from sanad_analyzer.policy import PolicyType
from sanad_analyzer.request import AnalysisRequest
from sanad_analyzer.rules.checker import CheckResult, Finding, check_policy
from sanad_analyzer.rules.normalised import normalise
from sanad_analyzer.rules.rulebook import Rule, Rulebook, load_rulebook
from sanad_analyzer.rules.score import compliance_ratio, grade
from sanad_common.emulator import is_emulated_model
from sanad_common.proto_time import now

log = structlog.get_logger(__name__)
_meter = metrics.get_meter("sanad.analyzer")
_ignored = _meter.create_counter(
    "sanad_model_answers_ignoring_rules",
    description="Fresh model answers whose critical issues leave out a critical rule finding",
)

CHECK_CACHE_SIZE: Final = 256
"""Texts whose check results are kept: the requests in flight, with room to spare."""
RULES_PROVIDER: Final = "sanad-rules"
RULES_MODEL: Final = "sanad-rulebook"
RULES_NOTE: Final = analyzer_pb2.LocalizedNote(
    ar=(
        "مراجعة آلية قائمة على قواعد سند، وليست تحليلاً كاملاً: تعذّر الوصول إلى مزودي التحليل. "
        "أعد المحاولة لاحقاً للحصول على تحليل كامل."
    ),
    en=(
        "An automatic rule-based review from Sanad's rulebook, not a full analysis: no "
        "analysis provider could answer. Retry later for a full analysis."
    ),
)
EMULATOR_NOTE: Final = analyzer_pb2.LocalizedNote(
    ar=(
        "هذه الإجابة من محاكي المزودين المدمج: نص تعبئة وليس تحليلاً. "
        "نتائج القواعد (rule_findings) حقيقية."
    ),
    en=(
        "This answer comes from the bundled provider emulator: filler text, not an analysis. "
        "The rule findings (rule_findings) are real."
    ),
)
_SEVERITY: Final = {
    "low": analyzer_pb2.SEVERITY_LOW,
    "medium": analyzer_pb2.SEVERITY_MEDIUM,
    "high": analyzer_pb2.SEVERITY_HIGH,
    "critical": analyzer_pb2.SEVERITY_CRITICAL,
}
_TYPE_NAMES: Final = {
    PolicyType.RETURN_EXCHANGE: ("سياسة استرجاع واستبدال", "return and exchange policy"),
    PolicyType.SHIPPING_DELIVERY: ("سياسة شحن وتوصيل", "shipping and delivery policy"),
    PolicyType.PRIVACY_ACCOUNT: ("سياسة خصوصية وحساب", "account and privacy policy"),
}


def findings_to_proto(findings: tuple[Finding, ...]) -> list[analyzer_pb2.RuleFinding]:
    """The wire form of the checker's findings."""
    return [
        analyzer_pb2.RuleFinding(
            rule_id=finding.rule_id,
            severity=_SEVERITY[finding.severity],
            phrase=finding.phrase,
            finding=finding.finding,
            legal_reference=finding.legal_reference,
            suggestion=finding.suggestion,
            source_url=finding.source_url,
        )
        for finding in findings
    ]


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
    """A schema-valid analysis made only of what the rules said."""
    language = result.language
    arabic_type, english_type = _TYPE_NAMES[result.policy_type]
    ratio = compliance_ratio(result)
    fired = len(result.fired)
    total = fired + len(result.passed)
    if language == "ar":
        reason = f"يتضمن النص مفردات {arabic_type} التي يقرؤها مدقق القواعد."
        summary = (
            f"مراجعة آلية قائمة على القواعد: خالف النص {fired} من {total} قاعدة تنطبق على "
            f"{arabic_type}، والنسبة {ratio:g}% محسوبة من هذه القواعد وحدها."
        )
    else:
        reason = f"The text uses the vocabulary of a {english_type} that the rule checker reads."
        summary = (
            f"Automatic rule-based review: the text breaks {fired} of the {total} rules that "
            f"apply to a {english_type}; the {ratio:g}% ratio is computed from these rules only."
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
                for finding in result.findings
            ],
            "strengths": [rule.text("strength", language) for rule in result.passed],
            "weaknesses": list(dict.fromkeys(finding.title for finding in result.findings)),
            "ambiguities": [],
            "summary": summary,
            "recommendations": list(
                dict.fromkeys(finding.suggestion for finding in result.findings)
            ),
        },
        "improved_policy": improved_policy,
    }


def ignored_critical_findings(
    analysis: analyzer_pb2.Analysis, findings: tuple[Finding, ...]
) -> list[str]:
    """Ids of critical findings that no critical issue of the model's answer quotes."""
    quoted = [
        normalise(issue.phrase).text
        for issue in analysis.compliance_report.critical_issues
        if issue.phrase.strip()
    ]
    ignored = []
    for finding in findings:
        if finding.severity != "critical" or not finding.phrase:
            continue
        phrase = normalise(finding.phrase).text
        if not any(quote in phrase or phrase in quote for quote in quoted):
            ignored.append(finding.rule_id)
    return ignored


class RuleReview:
    """What the request path asks of the rulebook."""

    def __init__(
        self,
        *,
        answer_enabled: bool = True,
        rulebook: Rulebook | None = None,
        templates: Templates | None = None,
    ) -> None:
        self._answer_enabled = answer_enabled
        self._rulebook = rulebook or load_rulebook()
        self._templates = templates or load_templates()
        # The request path checks a text while it waits on quota and the provider, and
        # annotates the answer after: the second asks the cache.
        self._checked = functools.lru_cache(maxsize=CHECK_CACHE_SIZE)(self._check)

    def check(self, request: AnalysisRequest) -> CheckResult:
        """The checker's result for the request's text, type and jurisdiction."""
        return self._checked(request.prompt.policy_text, request.policy_type, request.jurisdiction)

    def _check(self, text: str, policy_type: PolicyType, jurisdiction: Jurisdiction) -> CheckResult:
        return check_policy(text, policy_type, jurisdiction, self._rulebook)

    def annotate(
        self,
        response: analyzer_pb2.AnalyzeResponse,
        request: AnalysisRequest,
        *,
        fresh: bool = False,
    ) -> analyzer_pb2.AnalyzeResponse:
        """Put this request's findings and jurisdiction on ``response`` (replacing any stored
        ones: a degraded answer may be another text's). For a fresh model answer, count the
        critical findings it left out, and label an emulator's filler as such."""
        result = self.check(request)
        del response.rule_findings[:]
        response.rule_findings.extend(findings_to_proto(result.findings))
        response.jurisdiction = request.jurisdiction.to_proto()
        if fresh:
            for rule_id in ignored_critical_findings(response.analysis, result.findings):
                _ignored.add(1, {"rule_id": rule_id, "provider": response.provider})
                log.info("model answer ignores a critical rule finding", rule_id=rule_id)
            if is_emulated_model(response.model):
                response.note.CopyFrom(EMULATOR_NOTE)
        return response

    def answer(
        self, request: AnalysisRequest, attempts: AttemptLog
    ) -> analyzer_pb2.AnalyzeResponse | None:
        """The rule-based answer; None when it is turned off or the text is not a policy
        the checker can read."""
        if not self._answer_enabled:
            return None
        result = self.check(request)
        if not result.readable:
            return None
        rules = self._rulebook.applicable(request.jurisdiction, request.policy_type)
        improved = (
            self._templates.text(request.policy_type, result.language, rules)
            if request.prompt.include_improved_policy
            else ""
        )
        analysis = analysis_to_proto(validate_analysis(rules_analysis(result, improved)))
        attempts.event(analyzer_pb2.STAGE_RULES_ANSWERED, "answered from the rulebook")
        log.warning(
            "Rulebook answered: no provider and no stored analysis",
            findings=len(result.findings),
        )
        answered_at = now()
        return analyzer_pb2.AnalyzeResponse(
            analysis=analysis,
            source=analyzer_pb2.SOURCE_RULES,
            provider=RULES_PROVIDER,
            model=RULES_MODEL,
            attempts=attempts.items,
            note=RULES_NOTE,
            analysis_id=uuid.uuid4().hex,
            analyzed_at=answered_at,
            responded_at=answered_at,
            rule_findings=findings_to_proto(result.findings),
            jurisdiction=request.jurisdiction.to_proto(),
        )
