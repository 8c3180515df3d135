"""The four scenarios of the original guide, through the public gRPC API only, on the real
processes, on each store: normal operation, primary quota exceeded, both providers failing,
primary crash. Another module runs the same scenarios with Anthropic as the primary."""

from __future__ import annotations

import grpc
import pytest
from google.rpc import error_details_pb2

from sanad.analyzer.v1 import analyzer_pb2
from sanad.health.v1 import health_pb2
from sanad.quota.v1 import quota_pb2
from sanad.type.v1 import error_class_pb2
from sanad_common.errors import ERROR_DOMAIN, status_details
from tests.integration.conftest import ADMIN, OPENAI_DAILY_REQUESTS, Clients

pytestmark = pytest.mark.integration

RETURN_POLICY = (
    "Returns are accepted within 3 days of delivery only if the product is unopened. "
    "Refunds are issued as store credit. Shipping fees are never refunded."
)
ARABIC_POLICY = (
    "يمكن إرجاع المنتجات خلال ثلاثة أيام من الاستلام بشرط عدم فتحها، "
    "ولا يتم رد المبلغ نقداً بل كرصيد في المتجر."
)


def analyze_request(text: str, **fields: object) -> analyzer_pb2.AnalyzeRequest:
    """A valid return-policy request for text."""
    request = analyzer_pb2.AnalyzeRequest(
        shop_name="Souq Test",
        shop_specialization="electronics",
        policy_type=analyzer_pb2.POLICY_TYPE_RETURN_EXCHANGE,
        policy_text=text,
    )
    for name, value in fields.items():
        setattr(request, name, value)
    return request


def attempt_classes(response: analyzer_pb2.AnalyzeResponse) -> list[tuple[str, str]]:
    """(provider, class) of each attempt; class "OK" for the successful one."""
    return [
        (
            attempt.provider,
            "OK"
            if attempt.success
            else error_class_pb2.ErrorClass.Name(attempt.error_class).removeprefix("ERROR_CLASS_"),
        )
        for attempt in response.attempts
    ]


async def test_normal_operation_then_idempotent_replay(clients: Clients) -> None:
    first = await clients.analyzer.Analyze(analyze_request(RETURN_POLICY), timeout=30)

    assert first.source == analyzer_pb2.SOURCE_FRESH
    assert first.provider == clients.primary
    assert attempt_classes(first) == [(clients.primary, "OK")]
    assert first.analysis.compliance_report.compliance_grade in {"A", "B", "C", "D", "F"}
    assert 0 <= first.analysis.compliance_report.overall_compliance_ratio <= 100
    assert first.token_usage.total_tokens > 0
    assert await clients.provider_requests() == {clients.primary: 1, "gemini": 0}

    again = await clients.analyzer.Analyze(analyze_request(RETURN_POLICY), timeout=30)

    assert again.source == analyzer_pb2.SOURCE_IDEMPOTENCY_CACHE
    assert again.analysis_id == first.analysis_id
    assert again.analysis == first.analysis
    assert not again.attempts
    assert await clients.provider_requests() == {clients.primary: 1, "gemini": 0}
    usage = await clients.quota.GetUsage(quota_pb2.GetUsageRequest(provider=clients.primary))
    day_requests = [
        window
        for window in usage.providers[0].windows
        if window.window == quota_pb2.WINDOW_DAY and window.metric == quota_pb2.METRIC_REQUESTS
    ]
    assert day_requests[0].used == 1


async def test_same_key_with_another_body_is_refused(clients: Clients) -> None:
    await clients.analyzer.Analyze(
        analyze_request(RETURN_POLICY, idempotency_key="order-42"), timeout=30
    )

    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await clients.analyzer.Analyze(
            analyze_request(ARABIC_POLICY, idempotency_key="order-42"), timeout=30
        )

    assert raised.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert await clients.provider_requests() == {clients.primary: 1, "gemini": 0}


async def test_primary_quota_exceeded_fails_over_to_gemini(clients: Clients) -> None:
    for index in range(OPENAI_DAILY_REQUESTS):
        spent = await clients.analyzer.Analyze(
            analyze_request(f"{RETURN_POLICY} Variant {index}."), timeout=30
        )
        assert spent.provider == clients.primary

    response = await clients.analyzer.Analyze(analyze_request(ARABIC_POLICY), timeout=30)

    assert response.source == analyzer_pb2.SOURCE_FRESH
    assert response.provider == "gemini"
    assert attempt_classes(response) == [(clients.primary, "QUOTA_EXCEEDED"), ("gemini", "OK")]
    assert await clients.provider_requests() == {
        clients.primary: OPENAI_DAILY_REQUESTS,
        "gemini": 1,
    }


async def test_both_providers_down_serves_degraded_then_unavailable(clients: Clients) -> None:
    seen = await clients.analyzer.Analyze(analyze_request(ARABIC_POLICY), timeout=30)
    assert seen.source == analyzer_pb2.SOURCE_FRESH
    await clients.emulator.inject(clients.primary, "server_error", status=500)
    await clients.emulator.inject("gemini", "quota_exceeded")

    # Another shop's request for the same text: not an idempotent replay, so providers are tried.
    degraded = await clients.analyzer.Analyze(
        analyze_request(ARABIC_POLICY, shop_name="Another Shop"), timeout=30
    )

    assert degraded.source == analyzer_pb2.SOURCE_DEGRADED_SIMILAR
    assert degraded.analysis == seen.analysis
    assert degraded.similarity == pytest.approx(1.0)
    assert degraded.note.ar == "تم استرجاع تحليل مشابه من الذاكرة المؤقتة"
    assert degraded.note.en == "A similar analysis was retrieved from cache"
    assert attempt_classes(degraded) == [
        (clients.primary, "SERVICE_CRASH"),
        ("gemini", "QUOTA_EXCEEDED"),
    ]

    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await clients.analyzer.Analyze(analyze_request("A text never analysed before."), timeout=30)

    error = raised.value
    assert error.code() == grpc.StatusCode.UNAVAILABLE
    status = status_details(error)
    assert status is not None
    info = error_details_pb2.ErrorInfo()
    retry = error_details_pb2.RetryInfo()
    messages: dict[str, str] = {}
    for detail in status.details:
        if detail.Is(info.DESCRIPTOR):
            detail.Unpack(info)
        elif detail.Is(retry.DESCRIPTOR):
            detail.Unpack(retry)
        elif detail.Is(error_details_pb2.LocalizedMessage.DESCRIPTOR):
            message = error_details_pb2.LocalizedMessage()
            detail.Unpack(message)
            messages[message.locale] = message.message
    assert info.domain == ERROR_DOMAIN
    assert info.reason in {"ALL_PROVIDERS_FAILED", "NO_PROVIDER_AVAILABLE"}
    assert dict(info.metadata) == {clients.primary: "SERVICE_CRASH", "gemini": "QUOTA_EXCEEDED"}
    assert retry.retry_delay.ToTimedelta().total_seconds() > 0
    assert set(messages) == {"ar", "en-US"}


async def test_primary_crash_blacklists_it(clients: Clients) -> None:
    await clients.emulator.inject(clients.primary, "server_error", status=503, count=1)

    first = await clients.analyzer.Analyze(analyze_request(RETURN_POLICY), timeout=30)

    assert first.provider == "gemini"
    assert attempt_classes(first) == [(clients.primary, "SERVICE_CRASH"), ("gemini", "OK")]
    status = await clients.health.GetProviderStatus(
        health_pb2.GetProviderStatusRequest(provider=clients.primary)
    )
    assert status.providers[0].circuit_state == health_pb2.CIRCUIT_STATE_OPEN
    assert not status.providers[0].available

    for index in range(3):
        later = await clients.analyzer.Analyze(
            analyze_request(f"{ARABIC_POLICY} {index}"), timeout=30
        )
        assert later.provider == "gemini"
        assert attempt_classes(later) == [("gemini", "OK")]
    assert await clients.provider_requests() == {clients.primary: 1, "gemini": 4}


@pytest.mark.parametrize(
    ("fields", "violated"),
    [
        ({"policy_text": "   "}, {"policy_text"}),
        ({"policy_text": "x" * 20_001}, {"policy_text"}),
        ({"policy_type": analyzer_pb2.POLICY_TYPE_UNSPECIFIED}, {"policy_type"}),
        (
            {"policy_text": "", "policy_type": analyzer_pb2.POLICY_TYPE_UNSPECIFIED},
            {"policy_text", "policy_type"},
        ),
    ],
)
async def test_bad_input_is_refused_before_anything_happens(
    clients: Clients, fields: dict[str, object], violated: set[str]
) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await clients.analyzer.Analyze(analyze_request(RETURN_POLICY, **fields), timeout=30)

    assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    status = status_details(raised.value)
    assert status is not None
    bad_request = error_details_pb2.BadRequest()
    assert status.details[0].Unpack(bad_request)
    assert {violation.field for violation in bad_request.field_violations} == violated
    assert await clients.provider_requests() == {clients.primary: 0, "gemini": 0}
    usage = await clients.quota.GetUsage(quota_pb2.GetUsageRequest())
    assert all(window.used == 0 for provider in usage.providers for window in provider.windows)
    stats = await clients.analyzer.GetCacheStats(
        analyzer_pb2.GetCacheStatsRequest(), metadata=ADMIN
    )
    assert stats.idempotency_entries == 0
    assert all(entry.count == 0 for entry in stats.degradation_entries)
