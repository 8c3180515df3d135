"""The jurisdiction of a request: the caller's, else detected in the text, else the configured
default; part of what makes two requests the same."""

from __future__ import annotations

import pytest

from sanad.analyzer.v1 import analyzer_pb2
from sanad_analyzer.jurisdiction import Jurisdiction, JurisdictionSource
from sanad_analyzer.request import parse_request
from sanad_common.errors import ServiceError
from tests.support.services import bad_request_fields_of

MAX_CHARS = 1000


def request(jurisdiction: int = 0) -> analyzer_pb2.AnalyzeRequest:
    return analyzer_pb2.AnalyzeRequest(
        policy_type=analyzer_pb2.POLICY_TYPE_RETURN_EXCHANGE,
        policy_text="Returns within 7 days.",
        jurisdiction=jurisdiction,  # type: ignore[arg-type]
    )


def test_unspecified_means_the_configured_default() -> None:
    assert parse_request(request(), MAX_CHARS).jurisdiction is Jurisdiction.SA
    assert parse_request(request(), MAX_CHARS, Jurisdiction.EG).jurisdiction is Jurisdiction.EG


def test_a_named_jurisdiction_wins_over_the_default() -> None:
    parsed = parse_request(request(analyzer_pb2.JURISDICTION_EG), MAX_CHARS, Jurisdiction.SA)
    assert parsed.jurisdiction is Jurisdiction.EG
    assert parsed.prompt.jurisdiction is Jurisdiction.EG


def test_an_unknown_jurisdiction_is_refused() -> None:
    with pytest.raises(ServiceError) as raised:
        parse_request(request(99), MAX_CHARS)
    assert "jurisdiction" in bad_request_fields_of(raised.value)


def test_the_jurisdiction_is_part_of_the_fingerprint_but_not_of_the_text_key() -> None:
    saudi = parse_request(request(analyzer_pb2.JURISDICTION_SA), MAX_CHARS)
    egyptian = parse_request(request(analyzer_pb2.JURISDICTION_EG), MAX_CHARS)
    default = parse_request(request(), MAX_CHARS, Jurisdiction.SA)
    assert saudi.request_hash != egyptian.request_hash
    assert saudi.request_hash == default.request_hash
    assert saudi.text_hash == egyptian.text_hash


@pytest.mark.parametrize(
    ("jurisdiction", "wire"),
    [
        (Jurisdiction.SA, analyzer_pb2.JURISDICTION_SA),
        (Jurisdiction.EG, analyzer_pb2.JURISDICTION_EG),
        (Jurisdiction.GENERIC, analyzer_pb2.JURISDICTION_UNSPECIFIED),
    ],
)
def test_wire_values(jurisdiction: Jurisdiction, wire: int) -> None:
    assert jurisdiction.to_proto() == wire


EGYPTIAN_TEXT = "الاسترجاع خلال 14 يوم، والشحن 50 جنيه داخل القاهرة."
SAUDI_TEXT = "Returns within 7 days of delivery. Prices in SAR include 15% VAT."


def request_for(text: str, jurisdiction: int = 0) -> analyzer_pb2.AnalyzeRequest:
    return analyzer_pb2.AnalyzeRequest(
        policy_type=analyzer_pb2.POLICY_TYPE_RETURN_EXCHANGE,
        policy_text=text,
        jurisdiction=jurisdiction,  # type: ignore[arg-type]
    )


def test_unset_jurisdiction_is_detected_from_the_text_and_says_so() -> None:
    egyptian = parse_request(request_for(EGYPTIAN_TEXT), MAX_CHARS, Jurisdiction.SA)
    saudi = parse_request(request_for(SAUDI_TEXT), MAX_CHARS, Jurisdiction.EG)
    assert (egyptian.jurisdiction, egyptian.jurisdiction_source) == (
        Jurisdiction.EG,
        JurisdictionSource.DETECTED,
    )
    assert (saudi.jurisdiction, saudi.jurisdiction_source) == (
        Jurisdiction.SA,
        JurisdictionSource.DETECTED,
    )


def test_without_signals_the_default_applies_and_says_so() -> None:
    parsed = parse_request(request(), MAX_CHARS, Jurisdiction.EG)
    assert (parsed.jurisdiction, parsed.jurisdiction_source) == (
        Jurisdiction.EG,
        JurisdictionSource.DEFAULT,
    )


def test_detection_never_overrides_a_requested_jurisdiction() -> None:
    parsed = parse_request(request_for(EGYPTIAN_TEXT, analyzer_pb2.JURISDICTION_SA), MAX_CHARS)
    assert (parsed.jurisdiction, parsed.jurisdiction_source) == (
        Jurisdiction.SA,
        JurisdictionSource.REQUESTED,
    )


def test_a_detected_jurisdiction_keeps_the_fingerprint_deterministic() -> None:
    first = parse_request(request_for(EGYPTIAN_TEXT), MAX_CHARS, Jurisdiction.SA)
    again = parse_request(request_for(EGYPTIAN_TEXT), MAX_CHARS, Jurisdiction.SA)
    named = parse_request(request_for(EGYPTIAN_TEXT, analyzer_pb2.JURISDICTION_EG), MAX_CHARS)
    assert first.request_hash == again.request_hash == named.request_hash
    saudi = parse_request(request_for(EGYPTIAN_TEXT, analyzer_pb2.JURISDICTION_SA), MAX_CHARS)
    assert saudi.request_hash != first.request_hash


@pytest.mark.parametrize(
    ("source", "wire"),
    [
        (JurisdictionSource.REQUESTED, analyzer_pb2.JURISDICTION_SOURCE_REQUESTED),
        (JurisdictionSource.DETECTED, analyzer_pb2.JURISDICTION_SOURCE_DETECTED),
        (JurisdictionSource.DEFAULT, analyzer_pb2.JURISDICTION_SOURCE_DEFAULT),
    ],
)
def test_source_wire_values(source: JurisdictionSource, wire: int) -> None:
    assert source.to_proto() == wire
