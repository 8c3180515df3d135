"""Every AnalyzeResponse the analyzer gives is built here, and only here: a fresh answer, a
replay of a stored or shared one, a degraded answer, and the rules' own answer.

Each says where it came from (``source``, provider, model, note), carries the rule findings
of the caller's own text and the jurisdiction they were checked under, and is addressed to
the caller's shop.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Final

import structlog
from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message
from opentelemetry import metrics

from sanad.analyzer.v1 import analyzer_pb2
from sanad_analyzer.analysis import SEVERITY_TO_PROTO, analysis_to_proto, validate_analysis
from sanad_analyzer.attempt_log import AttemptLog
from sanad_analyzer.memory.entries import DegradedMatch, ShopFields
from sanad_analyzer.providers.base import ProviderAnswer
from sanad_analyzer.request import AnalysisRequest
from sanad_analyzer.rules.checker import CheckResult, Finding
from sanad_analyzer.rules.review import RuleReview, ignored_critical_findings
from sanad_common.emulator import is_emulated_model
from sanad_common.proto_time import now

log = structlog.get_logger(__name__)
_meter = metrics.get_meter("sanad.analyzer")
_ignored = _meter.create_counter(
    "sanad_model_answers_ignoring_rules",
    description="Fresh model answers whose critical issues leave out a critical rule finding",
)

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
DEGRADED_NOTE: Final = analyzer_pb2.LocalizedNote(
    ar="تم استرجاع تحليل مشابه من الذاكرة المؤقتة",
    en="A similar analysis was retrieved from cache",
)


def findings_to_proto(findings: Sequence[Finding]) -> list[analyzer_pb2.RuleFinding]:
    """The wire form of the checker's findings."""
    return [
        analyzer_pb2.RuleFinding(
            rule_id=finding.rule_id,
            severity=SEVERITY_TO_PROTO[finding.severity],
            phrase=finding.phrase,
            finding=finding.finding,
            legal_reference=finding.legal_reference,
            suggestion=finding.suggestion,
            source_url=finding.source_url,
            confidence=(
                analyzer_pb2.FINDING_CONFIDENCE_CONFIDENT
                if finding.confident
                else analyzer_pb2.FINDING_CONFIDENCE_UNCERTAIN
            ),
            uncertainty=finding.uncertainty,
        )
        for finding in findings
    ]


class Answers:
    """Builds the responses of one analyzer, with the rulebook's findings on each."""

    def __init__(self, review: RuleReview) -> None:
        self._review = review

    def check(self, request: AnalysisRequest) -> CheckResult:
        """The rule check of the request's text (computed once while the request is in flight;
        ask early to have it ready)."""
        return self._review.check(
            request.prompt.policy_text, request.policy_type, request.jurisdiction
        )

    def fresh(
        self, provider: str, answer: ProviderAnswer, request: AnalysisRequest, attempts: AttemptLog
    ) -> analyzer_pb2.AnalyzeResponse:
        """A provider's valid answer. Critical findings its critical issues leave out are
        counted; an emulator's filler is labelled as such."""
        checked = self.check(request)
        produced_at = now()
        response = analyzer_pb2.AnalyzeResponse(
            analysis=analysis_to_proto(answer.analysis),
            source=analyzer_pb2.SOURCE_FRESH,
            provider=provider,
            model=answer.model,
            attempts=attempts.items,
            token_usage=analyzer_pb2.TokenUsage(
                prompt_tokens=answer.prompt_tokens,
                completion_tokens=answer.completion_tokens,
                total_tokens=answer.total_tokens,
            ),
            analysis_id=uuid.uuid4().hex,
            analyzed_at=produced_at,
            responded_at=produced_at,
            quota_accounted_locally=attempts.accounted_locally,
            rule_findings=findings_to_proto(checked.findings),
            jurisdiction=request.jurisdiction.to_proto(),
            jurisdiction_source=request.jurisdiction_source.to_proto(),
        )
        quoted = [issue.phrase for issue in response.analysis.compliance_report.critical_issues]
        for rule_id in ignored_critical_findings(quoted, checked):
            _ignored.add(1, {"rule_id": rule_id, "provider": provider})
            log.info("model answer ignores a critical rule finding", rule_id=rule_id)
        if is_emulated_model(answer.model):
            response.note.CopyFrom(EMULATOR_NOTE)
        return response

    def degraded(
        self, match: DegradedMatch, request: AnalysisRequest, attempts: AttemptLog
    ) -> analyzer_pb2.AnalyzeResponse:
        """A stored analysis served for this request: labelled as what it is (its similarity,
        the note, the analysis it came from), with this text's findings, and speaking of the
        caller's shop where the stored analysis named the shop it was made for."""
        stored = match.answer.response
        response = analyzer_pb2.AnalyzeResponse()
        response.CopyFrom(stored)
        response.source = analyzer_pb2.SOURCE_DEGRADED_SIMILAR
        response.similarity = round(match.similarity, 4)
        response.note.CopyFrom(DEGRADED_NOTE)
        response.degraded_from.analysis_id = stored.analysis_id
        response.degraded_from.analyzed_at.CopyFrom(stored.analyzed_at)
        del response.attempts[:]
        response.attempts.extend(attempts.items)
        original, caller = match.answer.shop, shop_of(request)
        for old, new in (
            (original.name, caller.name),
            (original.specialization, caller.specialization),
        ):
            if old and new and old != new:
                _replace_in_strings(response.analysis, old, new)
        # The stored findings describe the stored text; this text has its own.
        del response.rule_findings[:]
        response.rule_findings.extend(findings_to_proto(self.check(request).findings))
        response.jurisdiction = request.jurisdiction.to_proto()
        response.jurisdiction_source = request.jurisdiction_source.to_proto()
        response.responded_at.CopyFrom(now())
        return response

    def from_rules(
        self, request: AnalysisRequest, attempts: AttemptLog
    ) -> analyzer_pb2.AnalyzeResponse | None:
        """The rulebook's own answer; None when it may not answer or cannot read the text."""
        checked = self.check(request)
        analysis = self._review.analysis(
            checked, include_improved_policy=request.prompt.include_improved_policy
        )
        if analysis is None:
            return None
        attempts.event(analyzer_pb2.STAGE_RULES_ANSWERED, "answered from the rulebook")
        log.warning(
            "Rulebook answered: no provider and no stored analysis",
            findings=len(checked.findings),
        )
        answered_at = now()
        return analyzer_pb2.AnalyzeResponse(
            analysis=analysis_to_proto(validate_analysis(analysis)),
            source=analyzer_pb2.SOURCE_RULES,
            provider=RULES_PROVIDER,
            model=RULES_MODEL,
            attempts=attempts.items,
            note=RULES_NOTE,
            analysis_id=uuid.uuid4().hex,
            analyzed_at=answered_at,
            responded_at=answered_at,
            rule_findings=findings_to_proto(checked.findings),
            jurisdiction=request.jurisdiction.to_proto(),
            jurisdiction_source=request.jurisdiction_source.to_proto(),
        )


def replay(
    answer: analyzer_pb2.AnalyzeResponse, request: AnalysisRequest | None = None
) -> analyzer_pb2.AnalyzeResponse:
    """A stored or shared answer given again: labelled a replay, without the original attempts
    (a replay spends nothing). Given for a request, it says how that request's jurisdiction
    was chosen: the same fingerprint may come from a named jurisdiction or the default."""
    response = analyzer_pb2.AnalyzeResponse()
    response.CopyFrom(answer)
    if request is not None:
        response.jurisdiction_source = request.jurisdiction_source.to_proto()
    if response.source == analyzer_pb2.SOURCE_FRESH:
        response.source = analyzer_pb2.SOURCE_IDEMPOTENCY_CACHE
    del response.attempts[:]
    response.quota_accounted_locally = False
    response.responded_at.CopyFrom(now())
    return response


def shop_of(request: AnalysisRequest) -> ShopFields:
    """The shop a request was made for."""
    return ShopFields(request.prompt.shop_name, request.prompt.shop_specialization)


def _replace_in_strings(message: Message, old: str, new: str) -> None:
    """Replace old by new in every string field of message and its sub-messages."""
    for field, value in message.ListFields():
        if field.type == FieldDescriptor.TYPE_STRING:
            if field.is_repeated:
                replaced = [item.replace(old, new) for item in value]
                del value[:]
                value.extend(replaced)
            else:
                setattr(message, field.name, value.replace(old, new))
        elif field.type == FieldDescriptor.TYPE_MESSAGE:
            for item in value if field.is_repeated else [value]:
                _replace_in_strings(item, old, new)
