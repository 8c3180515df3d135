"""The pipeline's ordering logic with fakes of the quota and health ports and of the providers:
failover, the next step per error class, quota settlement, and what health is told."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import grpc
import pytest

from sanad.analyzer.v1 import analyzer_pb2
from sanad_analyzer.ports import AttemptOutcome, ProviderOrder, SkippedProvider
from sanad_analyzer.providers.base import ProviderError
from sanad_analyzer.request import AnalysisRequest, parse_request
from sanad_common.error_class import ErrorClass
from sanad_common.errors import ServiceError
from tests.analyzer.pipeline_rig import Rig, open_rig


@pytest.fixture
async def rig(tmp_path: Path) -> AsyncIterator[Rig]:
    async with open_rig(tmp_path) as opened:
        yield opened


def _request(*, hedge: bool = False) -> AnalysisRequest:
    return parse_request(
        analyzer_pb2.AnalyzeRequest(
            policy_type=analyzer_pb2.POLICY_TYPE_RETURN_EXCHANGE,
            policy_text="Returns within 7 days.",
            hedge=hedge,
        ),
        10_000,
    )


def _classes(response: analyzer_pb2.AnalyzeResponse) -> list[tuple[str, ErrorClass | None]]:
    return [
        (attempt.provider, ErrorClass.from_proto(attempt.error_class))
        for attempt in response.attempts
    ]


async def test_the_first_provider_answers_and_health_hears_one_success(rig: Rig) -> None:
    response = await rig.pipeline.analyze(_request(), None)
    await rig.pipeline.aclose()
    assert response.provider == "primary"
    assert [outcome.success for outcome in rig.health.reports] == [True]
    assert rig.quota.committed == [("r-primary", 30)]
    assert rig.providers["secondary"].calls == 0


@pytest.mark.parametrize(
    ("error_class", "calls", "settled"),
    [
        (ErrorClass.SERVICE_CRASH, 1, "released"),
        (ErrorClass.AUTHENTICATION, 1, "released"),
        (ErrorClass.QUOTA_EXCEEDED, 1, "released"),
        (ErrorClass.TIMEOUT, 1, "committed"),
        (ErrorClass.UNKNOWN, 1, "committed"),
    ],
)
async def test_a_failure_that_is_not_retried_fails_over(
    rig: Rig, error_class: ErrorClass, calls: int, settled: str
) -> None:
    rig.providers["primary"].failures = [ProviderError(error_class, "boom")]
    response = await rig.pipeline.analyze(_request(), None)
    await rig.pipeline.aclose()
    assert response.provider == "secondary"
    assert _classes(response) == [("primary", error_class), ("secondary", None)]
    assert rig.providers["primary"].calls == calls
    assert rig.health.reports[0] == AttemptOutcome(
        "primary", rig.health.reports[0].latency, error_class, None
    )
    if settled == "released":
        assert rig.quota.released == ["r-primary"]
    else:
        assert ("r-primary", 100) in rig.quota.committed


@pytest.mark.parametrize("error_class", [ErrorClass.RATE_LIMITED, ErrorClass.INVALID_RESPONSE])
async def test_a_retryable_failure_is_retried_once_on_the_same_provider(
    rig: Rig, error_class: ErrorClass
) -> None:
    rig.providers["primary"].failures = [ProviderError(error_class, "again", retry_after=0.0)]
    response = await rig.pipeline.analyze(_request(), None)
    assert response.provider == "primary"
    assert _classes(response) == [("primary", error_class), ("primary", None)]
    assert rig.providers["secondary"].calls == 0


async def test_a_quota_refusal_skips_the_provider_without_calling_it(rig: Rig) -> None:
    rig.quota.denied = {"primary"}
    response = await rig.pipeline.analyze(_request(), None)
    assert response.provider == "secondary"
    assert _classes(response)[0] == ("primary", ErrorClass.QUOTA_EXCEEDED)
    assert rig.providers["primary"].calls == 0
    assert [outcome.provider for outcome in rig.health.reports] == ["secondary"]


async def test_nothing_available_is_unavailable_with_every_class(rig: Rig) -> None:
    rig.health.order = ProviderOrder(
        available=("secondary",),
        skipped=(SkippedProvider("primary", ErrorClass.AUTHENTICATION, None),),
    )
    rig.providers["secondary"].failures = [ProviderError(ErrorClass.SERVICE_CRASH, "down")]
    with pytest.raises(ServiceError) as raised:
        await rig.pipeline.analyze(_request(), None)
    assert raised.value.code is grpc.StatusCode.UNAVAILABLE
    assert "primary: AUTHENTICATION" in raised.value.message
    assert "secondary: SERVICE_CRASH" in raised.value.message
    assert rig.providers["primary"].calls == 0


async def test_a_spent_deadline_is_deadline_exceeded_without_a_call(rig: Rig) -> None:
    with pytest.raises(ServiceError) as raised:
        await rig.pipeline.analyze(_request(), 0.05)
    assert raised.value.code is grpc.StatusCode.DEADLINE_EXCEEDED
    assert rig.providers["primary"].calls == 0


async def test_retries_stop_at_the_configured_number(rig: Rig) -> None:
    invalid = ErrorClass.INVALID_RESPONSE
    rig.providers["primary"].failures = [ProviderError(invalid, "bad") for _ in range(2)]
    response = await rig.pipeline.analyze(_request(), None)
    assert response.provider == "secondary"
    assert _classes(response) == [("primary", invalid), ("primary", invalid), ("secondary", None)]


async def test_a_retry_that_would_outlive_the_deadline_is_not_made(rig: Rig) -> None:
    rate_limited = ProviderError(ErrorClass.RATE_LIMITED, "slow down", retry_after=60.0)
    rig.providers["primary"].failures = [rate_limited]
    response = await rig.pipeline.analyze(_request(), 5.0)
    assert response.provider == "secondary"
    assert rig.providers["primary"].calls == 1


async def test_a_hedged_request_takes_the_first_valid_answer(rig: Rig) -> None:
    rig.providers["primary"].delay = 30.0
    events: list[analyzer_pb2.ProgressEvent] = []
    response = await rig.pipeline.analyze(_request(hedge=True), None, events.append)
    await rig.pipeline.aclose()

    assert response.provider == "secondary"
    assert [attempt.provider for attempt in response.attempts] == ["secondary", "primary"]
    cancelled = response.attempts[1]
    assert not cancelled.success
    assert "another provider answered first" in cancelled.message
    assert analyzer_pb2.STAGE_HEDGE_STARTED in [event.stage for event in events]
    assert rig.quota.released == ["r-primary"]
    assert rig.quota.committed == [("r-secondary", 30)]
    assert [outcome.provider for outcome in rig.health.reports] == ["secondary"]


async def test_a_hedge_lost_while_its_reserve_is_on_the_way_withdraws_it(rig: Rig) -> None:
    """Quota may still grant the Reserve the lost hedge gave up: its key withdraws it."""
    rig.quota.reserve_delay["primary"] = 30.0
    response = await rig.pipeline.analyze(_request(hedge=True), None)
    await rig.pipeline.aclose()

    assert response.provider == "secondary"
    assert rig.providers["primary"].calls == 0
    assert rig.quota.released == []
    primary_key = rig.quota.keys[0]
    assert primary_key
    assert rig.quota.withdrawn == [("primary", primary_key)]
    assert rig.quota.committed == [("r-secondary", 30)]


async def test_a_reserve_quota_did_not_answer_is_withdrawn_and_fails_over(rig: Rig) -> None:
    rig.quota.unanswered.add("primary")
    response = await rig.pipeline.analyze(_request(), None)
    await rig.pipeline.aclose()

    assert response.provider == "secondary"
    assert rig.providers["primary"].calls == 0
    first, second = rig.quota.keys
    assert first != second  # each attempt reserves under a key of its own
    assert rig.quota.withdrawn == [("primary", first)]


async def test_a_fast_first_provider_is_not_hedged(rig: Rig) -> None:
    response = await rig.pipeline.analyze(_request(hedge=True), None)
    assert response.provider == "primary"
    assert rig.providers["secondary"].calls == 0


async def test_the_hedge_delay_is_the_first_providers_p95(rig: Rig) -> None:
    rig.providers["primary"].delay = 0.3
    rig.health.order = ProviderOrder(
        available=("primary", "secondary"), latency_p95={"primary": 5.0}
    )
    response = await rig.pipeline.analyze(_request(hedge=True), None)
    assert response.provider == "primary"
    assert rig.providers["secondary"].calls == 0


async def test_a_tenant_over_its_own_quota_is_refused_before_any_provider(rig: Rig) -> None:
    rig.quota.tenants_over.add("shop-a")
    request = parse_request(
        analyzer_pb2.AnalyzeRequest(
            policy_type=analyzer_pb2.POLICY_TYPE_RETURN_EXCHANGE,
            policy_text="Returns within 7 days.",
        ),
        10_000,
        tenant="shop-a",
    )

    with pytest.raises(ServiceError) as raised:
        await rig.pipeline.analyze(request, None)

    assert raised.value.code == grpc.StatusCode.RESOURCE_EXHAUSTED
    kinds = {type(detail).__name__ for detail in raised.value.details}
    assert {"QuotaFailure", "RetryInfo", "ErrorInfo"} <= kinds
    assert rig.quota.tenants == ["shop-a"]  # asked once, no failover to the secondary
    assert [provider.calls for provider in rig.providers.values()] == [0, 0]
