"""decode_error turns every google.rpc detail Sanad sends into plain values, for sync and
asyncio errors alike, and trusts nothing that contradicts the call's own status."""

from __future__ import annotations

import grpc
import pytest
from google.rpc import error_details_pb2

from sanad.analyzer.v1 import analyzer_pb2, analyzer_pb2_grpc
from sanad_client import (
    SANAD_DOMAIN,
    FieldViolation,
    QuotaViolation,
    RichError,
    decode_error,
    open_aio_channel,
    open_channel,
)
from tests.clients.python.servers import Probe, analyzer_server
from tests.clients.python.statuses import aio_error, retry_info, rich_status

UNAVAILABLE_AR = "الخدمة غير متاحة مؤقتا"
UNAVAILABLE_EN = "The service is temporarily unavailable"
EVERY_DETAIL = [
    error_details_pb2.ErrorInfo(
        reason="ALL_PROVIDERS_FAILED",
        domain=SANAD_DOMAIN,
        metadata={"openai": "QUOTA_EXCEEDED", "gemini": "SERVICE_CRASH"},
    ),
    retry_info(12.5),
    error_details_pb2.QuotaFailure(
        violations=[error_details_pb2.QuotaFailure.Violation(subject="openai", description="daily")]
    ),
    error_details_pb2.BadRequest(
        field_violations=[
            error_details_pb2.BadRequest.FieldViolation(field="shop_name", description="long")
        ]
    ),
    error_details_pb2.LocalizedMessage(locale="ar", message=UNAVAILABLE_AR),
    error_details_pb2.LocalizedMessage(locale="en-US", message=UNAVAILABLE_EN),
]


def test_every_detail_is_decoded() -> None:
    decoded = decode_error(aio_error(grpc.StatusCode.UNAVAILABLE, "no provider", EVERY_DETAIL))

    assert decoded.code == grpc.StatusCode.UNAVAILABLE
    assert decoded.message == "no provider"
    assert decoded.reason == "ALL_PROVIDERS_FAILED"
    assert decoded.is_sanad("ALL_PROVIDERS_FAILED")
    assert dict(decoded.metadata) == {"openai": "QUOTA_EXCEEDED", "gemini": "SERVICE_CRASH"}
    assert decoded.retry_delay == 12.5
    assert decoded.quota_violations == (QuotaViolation("openai", "daily"),)
    assert decoded.field_violations == (FieldViolation("shop_name", "long"),)
    assert dict(decoded.localized) == {"ar": UNAVAILABLE_AR, "en-US": UNAVAILABLE_EN}


def test_a_localized_message_is_found_by_locale_or_language() -> None:
    decoded = decode_error(aio_error(grpc.StatusCode.UNAVAILABLE, "no provider", EVERY_DETAIL))

    assert decoded.message_for("ar") == UNAVAILABLE_AR
    assert decoded.message_for("en") == UNAVAILABLE_EN
    assert decoded.message_for("EN-gb") == UNAVAILABLE_EN
    assert decoded.message_for("fr") == "no provider"


def test_violations_of_several_details_are_all_kept() -> None:
    bad = [
        error_details_pb2.BadRequest(
            field_violations=[
                error_details_pb2.BadRequest.FieldViolation(field=name, description="bad")
            ]
        )
        for name in ("policy_text", "policy_type")
    ]

    decoded = decode_error(aio_error(grpc.StatusCode.INVALID_ARGUMENT, "invalid", bad))

    assert [v.field for v in decoded.field_violations] == ["policy_text", "policy_type"]
    assert decoded.reason is None
    assert decoded.retry_delay is None


def test_another_domains_reason_is_not_sanads() -> None:
    info = error_details_pb2.ErrorInfo(reason="OVERLOADED", domain="example.com")

    decoded = decode_error(aio_error(grpc.StatusCode.RESOURCE_EXHAUSTED, "busy", [info]))

    assert decoded.reason == "OVERLOADED"
    assert not decoded.is_sanad("OVERLOADED")


def test_a_status_without_details_decodes_to_its_code_and_message() -> None:
    error = grpc.aio.AioRpcError(
        code=grpc.StatusCode.UNAVAILABLE,
        details="connection refused",
        initial_metadata=grpc.aio.Metadata(),
        trailing_metadata=grpc.aio.Metadata(),
    )

    assert decode_error(error) == RichError(grpc.StatusCode.UNAVAILABLE, "connection refused")


def test_details_that_contradict_the_status_are_not_trusted() -> None:
    status = rich_status(grpc.StatusCode.NOT_FOUND, "elsewhere", EVERY_DETAIL)
    rewritten = grpc.aio.AioRpcError(
        code=grpc.StatusCode.UNAVAILABLE,
        details="rewritten by a proxy",
        initial_metadata=grpc.aio.Metadata(),
        trailing_metadata=grpc.aio.Metadata(*status.trailing_metadata),
    )

    decoded = decode_error(rewritten)

    assert decoded == RichError(grpc.StatusCode.UNAVAILABLE, "rewritten by a proxy")


def test_details_that_do_not_parse_are_left_out() -> None:
    error = grpc.aio.AioRpcError(
        code=grpc.StatusCode.INTERNAL,
        details="broken",
        initial_metadata=grpc.aio.Metadata(),
        trailing_metadata=grpc.aio.Metadata(("grpc-status-details-bin", b"\xff\xff\xff")),
    )

    assert decode_error(error) == RichError(grpc.StatusCode.INTERNAL, "broken")


def test_an_error_that_is_not_a_call_is_unknown() -> None:
    assert decode_error(grpc.RpcError("raised by hand")) == RichError(
        grpc.StatusCode.UNKNOWN, "raised by hand"
    )


def test_a_sync_calls_error_from_a_server_is_decoded() -> None:
    probe = Probe(failures=[rich_status(grpc.StatusCode.UNAVAILABLE, "no provider", EVERY_DETAIL)])
    with (
        analyzer_server(probe) as target,
        open_channel(target, service_config_json=None) as channel,
        pytest.raises(grpc.RpcError) as raised,
    ):
        analyzer_pb2_grpc.AnalyzerServiceStub(channel).Analyze(
            analyzer_pb2.AnalyzeRequest(), timeout=10
        )

    decoded = decode_error(raised.value)
    assert decoded.code == grpc.StatusCode.UNAVAILABLE
    assert decoded.reason == "ALL_PROVIDERS_FAILED"
    assert decoded.retry_delay == 12.5
    assert set(decoded.localized) == {"ar", "en-US"}


async def test_an_asyncio_calls_error_from_a_server_is_decoded() -> None:
    bad = error_details_pb2.BadRequest(
        field_violations=[
            error_details_pb2.BadRequest.FieldViolation(field="policy_text", description="empty")
        ]
    )
    probe = Probe(failures=[rich_status(grpc.StatusCode.INVALID_ARGUMENT, "invalid", [bad])])
    with analyzer_server(probe) as target:
        async with open_aio_channel(target) as channel:
            with pytest.raises(grpc.aio.AioRpcError) as raised:
                await analyzer_pb2_grpc.AnalyzerServiceStub(channel).Analyze(
                    analyzer_pb2.AnalyzeRequest(), timeout=10
                )

    decoded = decode_error(raised.value)
    assert decoded.code == grpc.StatusCode.INVALID_ARGUMENT
    assert decoded.field_violations == (FieldViolation("policy_text", "empty"),)
