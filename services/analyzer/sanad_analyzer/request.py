"""Validation and normalisation of an Analyze request, before anything downstream is touched."""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass

from sanad.analyzer.v1 import analyzer_pb2
from sanad_analyzer.jurisdiction import Jurisdiction, JurisdictionSource
from sanad_analyzer.policy import PolicyType
from sanad_analyzer.prompt import AnalysisPrompt
from sanad_analyzer.rules.jurisdiction_signals import detect_jurisdiction
from sanad_common.errors import FieldViolation, invalid_argument
from sanad_common.tenancy.directory import TENANT_ID_PATTERN

MAX_SHOP_FIELD_CHARS = 200
MAX_IDEMPOTENCY_KEY_CHARS = 128
DEFAULT_TENANT = "default"
_TENANT_PATTERN = re.compile(TENANT_ID_PATTERN)
_IDEMPOTENCY_KEY_PATTERN = re.compile(r"^[\x21-\x7e]+$")
_WHITESPACE = re.compile(r"\s+")
# Arabic short vowels and other diacritics (tashkeel), and the tatweel used to stretch words:
# they change how a text looks, not what it says.
_ARABIC_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")


def normalise_text(text: str) -> str:
    """The form of a policy text used for hashing: same wording, same hash.

    Stricter than `sanad_analyzer.text.normalise.normalise_for_matching` (the similarity
    search's form): letters, digits and punctuation stay as written.
    """
    text = unicodedata.normalize("NFKC", text)
    text = _ARABIC_MARKS.sub("", text)
    return _WHITESPACE.sub(" ", text).strip().casefold()


@dataclass(frozen=True)
class AnalysisRequest:
    """A validated Analyze request."""

    tenant: str
    """Tenant the caches are kept for."""
    prompt: AnalysisPrompt
    """What the provider is asked to analyse."""
    idempotency_key: str
    """The caller's key, or "" when the content is the key."""
    force_refresh: bool
    """Skip both caches for the answer."""
    text_hash: str
    """Hash of the policy type and normalised text: the degradation store's key."""
    request_hash: str
    """Hash of everything that shapes the answer: the idempotency fingerprint."""
    hedge: bool = False
    """The caller asked for a hedged request."""
    jurisdiction_source: JurisdictionSource = JurisdictionSource.REQUESTED
    """How the jurisdiction was chosen: requested, detected in the text, or the default."""

    @property
    def policy_type(self) -> PolicyType:
        """The policy type the text claims to be."""
        return self.prompt.policy_type

    @property
    def jurisdiction(self) -> Jurisdiction:
        """Whose rules apply: the request's, else the one detected in the text, else the
        configured default."""
        return self.prompt.jurisdiction

    @property
    def idempotency_id(self) -> str:
        """The idempotency cache's key for this request."""
        return (
            f"key:{self.idempotency_key}" if self.idempotency_key else f"hash:{self.request_hash}"
        )


def _sha256(*parts: str) -> str:
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False).encode()).hexdigest()


def parse_request(
    request: analyzer_pb2.AnalyzeRequest,
    max_text_chars: int,
    default_jurisdiction: Jurisdiction = Jurisdiction.SA,
    *,
    tenant: str = "",
) -> AnalysisRequest:
    """Validate every field; raise INVALID_ARGUMENT listing all violations at once.

    tenant is the tenant the caller proved, which the request's tenant_id may only repeat;
    "" takes the request's (or the default tenant) when tenant keys are off.
    """
    violations: list[FieldViolation] = []
    jurisdiction = Jurisdiction.from_proto(request.jurisdiction)
    if jurisdiction is None and request.jurisdiction != analyzer_pb2.JURISDICTION_UNSPECIFIED:
        violations.append(
            FieldViolation(
                "jurisdiction",
                "one of JURISDICTION_SA, JURISDICTION_EG, or unspecified for the default",
            )
        )
    policy_type = PolicyType.from_proto(request.policy_type)
    if policy_type is None:
        violations.append(
            FieldViolation(
                "policy_type",
                "required: one of POLICY_TYPE_RETURN_EXCHANGE, POLICY_TYPE_SHIPPING_DELIVERY, "
                "POLICY_TYPE_PRIVACY_ACCOUNT",
            )
        )
    text = request.policy_text.strip()
    if not text:
        violations.append(FieldViolation("policy_text", "required: the policy text is empty"))
    elif len(text) > max_text_chars:
        violations.append(
            FieldViolation(
                "policy_text", f"too long: {len(text)} characters, at most {max_text_chars}"
            )
        )
    for name, value in (
        ("shop_name", request.shop_name),
        ("shop_specialization", request.shop_specialization),
    ):
        if len(value) > MAX_SHOP_FIELD_CHARS:
            violations.append(
                FieldViolation(name, f"too long: at most {MAX_SHOP_FIELD_CHARS} characters")
            )
    key = request.idempotency_key
    if key and (len(key) > MAX_IDEMPOTENCY_KEY_CHARS or not _IDEMPOTENCY_KEY_PATTERN.match(key)):
        violations.append(
            FieldViolation(
                "idempotency_key",
                f"at most {MAX_IDEMPOTENCY_KEY_CHARS} printable ASCII characters, no spaces",
            )
        )
    tenant = tenant or request.tenant_id or DEFAULT_TENANT
    if not _TENANT_PATTERN.match(tenant):
        violations.append(
            FieldViolation("tenant_id", "1 to 64 characters: letters, digits, '_', '.', '-'")
        )
    if violations or policy_type is None:
        raise invalid_argument(violations)
    normalised = normalise_text(text)
    source = JurisdictionSource.REQUESTED
    if jurisdiction is None:
        # Detection is a pure function of the text, so the same text keeps one fingerprint.
        jurisdiction = detect_jurisdiction(text).jurisdiction
        source = JurisdictionSource.DETECTED if jurisdiction else JurisdictionSource.DEFAULT
    prompt = AnalysisPrompt(
        shop_name=request.shop_name.strip(),
        shop_specialization=request.shop_specialization.strip(),
        policy_type=policy_type,
        policy_text=text,
        include_improved_policy=request.include_improved_policy,
        jurisdiction=jurisdiction or default_jurisdiction,
    )
    return AnalysisRequest(
        tenant=tenant,
        prompt=prompt,
        idempotency_key=key,
        force_refresh=request.force_refresh,
        hedge=request.hedge,
        jurisdiction_source=source,
        text_hash=_sha256(policy_type.value, normalised),
        request_hash=_sha256(
            policy_type.value,
            normalised,
            prompt.shop_name,
            prompt.shop_specialization,
            str(prompt.include_improved_policy),
            prompt.jurisdiction.value,
        ),
    )
