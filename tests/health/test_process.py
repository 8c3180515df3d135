"""The health service as a real process (see ``tests.support.process_run``): a crash report
opens the circuit, which its metrics and its log show."""

from __future__ import annotations

from pathlib import Path

import grpc
import pytest

from sanad.health.v1 import health_pb2, health_pb2_grpc
from sanad.type.v1 import error_class_pb2
from sanad_health.app import SERVICE_NAME
from tests.support.process_run import serve_one_call

pytestmark = pytest.mark.integration


async def report_gemini_crash(channel: grpc.aio.Channel) -> health_pb2.ReportOutcomeResponse:
    health = health_pb2_grpc.ProviderHealthServiceStub(channel)
    return await health.ReportOutcome(
        health_pb2.ReportOutcomeRequest(
            provider="gemini",
            success=False,
            error_class=error_class_pb2.ERROR_CLASS_SERVICE_CRASH,
        ),
        timeout=5,
    )


async def test_health_process_serves_and_stops_on_sigterm(tmp_path: Path) -> None:
    run = await serve_one_call("health", SERVICE_NAME, tmp_path, report_gemini_crash)

    assert run.reply.status.circuit_state == health_pb2.CIRCUIT_STATE_OPEN
    metrics = run.metrics
    open_gemini = frozenset({("provider", "gemini"), ("state", "open")})
    closed_openai = frozenset({("provider", "openai"), ("state", "closed")})
    blacklisted = frozenset(
        {("provider", "gemini"), ("transition", "blacklisted"), ("reason", "SERVICE_CRASH")}
    )
    assert metrics[("sanad_provider_circuit_state", open_gemini)] == 1
    assert metrics[("sanad_provider_circuit_state", closed_openai)] == 1
    assert metrics[("sanad_provider_success_rate", frozenset({("provider", "gemini")}))] == 0
    assert metrics[("sanad_provider_blacklist_transitions_total", blacklisted)] == 1
    blacklisted_event = next(
        event for event in run.events if event["event"] == "Provider blacklisted"
    )
    assert blacklisted_event["provider"] == "gemini"
    # The default 300 s crash ejection, plus up to 10 % jitter.
    assert 300 <= blacklisted_event["duration_seconds"] <= 330
