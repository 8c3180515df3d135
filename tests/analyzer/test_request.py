"""Validation and normalisation of Analyze requests: what is refused, and what counts as the
same request or the same text."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sanad.analyzer.v1 import analyzer_pb2
from sanad_analyzer.policy import PolicyType
from sanad_analyzer.request import normalise_text, parse_request
from sanad_common.errors import ServiceError
from tests.support.services import bad_request_fields_of

MAX_CHARS = 100


def request(**fields: object) -> analyzer_pb2.AnalyzeRequest:
    message = analyzer_pb2.AnalyzeRequest(
        policy_type=analyzer_pb2.POLICY_TYPE_RETURN_EXCHANGE,
        policy_text="Returns within 7 days.",
    )
    for name, value in fields.items():
        setattr(message, name, value)
    return message


def violations(message: analyzer_pb2.AnalyzeRequest) -> list[str]:
    with pytest.raises(ServiceError) as raised:
        parse_request(message, MAX_CHARS)
    return bad_request_fields_of(raised.value)


def test_a_valid_request_is_parsed() -> None:
    parsed = parse_request(request(shop_name=" Souq ", tenant_id="shop-1"), MAX_CHARS)
    assert parsed.policy_type is PolicyType.RETURN_EXCHANGE
    assert parsed.prompt.shop_name == "Souq"
    assert parsed.tenant == "shop-1"
    assert parsed.idempotency_id == f"hash:{parsed.request_hash}"


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"policy_text": ""}, ["policy_text"]),
        ({"policy_text": " \n\t "}, ["policy_text"]),
        ({"policy_text": "x" * (MAX_CHARS + 1)}, ["policy_text"]),
        ({"policy_type": analyzer_pb2.POLICY_TYPE_UNSPECIFIED}, ["policy_type"]),
        ({"policy_type": 42}, ["policy_type"]),
        ({"shop_name": "s" * 201}, ["shop_name"]),
        ({"shop_specialization": "s" * 201}, ["shop_specialization"]),
        ({"idempotency_key": "has space"}, ["idempotency_key"]),
        ({"idempotency_key": "k" * 129}, ["idempotency_key"]),
        ({"tenant_id": "bad/tenant"}, ["tenant_id"]),
        (
            {"policy_type": analyzer_pb2.POLICY_TYPE_UNSPECIFIED, "policy_text": ""},
            ["policy_type", "policy_text"],
        ),
    ],
)
def test_every_violation_is_reported(fields: dict[str, object], expected: list[str]) -> None:
    assert violations(request(**fields)) == expected


def test_a_text_at_the_limit_is_accepted() -> None:
    parse_request(request(policy_text="x" * MAX_CHARS), MAX_CHARS)


def test_arabic_marks_case_and_spacing_do_not_change_the_text_hash() -> None:
    plain = parse_request(request(policy_text="يمكن الإرجاع خلال سبعة أيام Returns OK"), MAX_CHARS)
    marked = parse_request(
        request(policy_text="  يُمْكِنُ   الإرجـــاع خلال سبعة أيام\nreturns ok  "), MAX_CHARS
    )
    assert marked.text_hash == plain.text_hash
    assert marked.request_hash == plain.request_hash


def test_shop_changes_the_request_hash_but_not_the_text_hash() -> None:
    first = parse_request(request(shop_name="A"), MAX_CHARS)
    second = parse_request(request(shop_name="B"), MAX_CHARS)
    assert first.text_hash == second.text_hash
    assert first.request_hash != second.request_hash


def test_policy_type_changes_both_hashes() -> None:
    returns = parse_request(request(), MAX_CHARS)
    shipping = parse_request(
        request(policy_type=analyzer_pb2.POLICY_TYPE_SHIPPING_DELIVERY), MAX_CHARS
    )
    assert returns.text_hash != shipping.text_hash
    assert returns.request_hash != shipping.request_hash


def test_a_caller_key_is_the_idempotency_id() -> None:
    parsed = parse_request(request(idempotency_key="order-42"), MAX_CHARS)
    assert parsed.idempotency_id == "key:order-42"


@given(st.text(max_size=200))
def test_normalising_twice_changes_nothing(text: str) -> None:
    once = normalise_text(text)
    assert normalise_text(once) == once
