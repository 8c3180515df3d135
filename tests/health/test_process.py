"""The health service as a real process: configured by the environment, ready through
grpc.health.v1, listed by reflection, publishing metrics, and stopping cleanly on SIGTERM."""

from __future__ import annotations

import json
from pathlib import Path

import grpc
import pytest

from sanad.health.v1 import health_pb2, health_pb2_grpc
from sanad.type.v1 import error_class_pb2
from sanad_health.app import SERVICE_NAME
from tests.support.services import (
    reflected_services,
    running_service,
    scrape_metrics,
    stop_service_process,
)

pytestmark = pytest.mark.integration


async def test_health_process_serves_and_stops_on_sigterm(tmp_path: Path) -> None:
    async with running_service("health", tmp_path) as service:
        assert SERVICE_NAME in await reflected_services(service.target)
        async with grpc.aio.insecure_channel(service.target) as channel:
            health = health_pb2_grpc.ProviderHealthServiceStub(channel)
            reply = await health.ReportOutcome(
                health_pb2.ReportOutcomeRequest(
                    provider="gemini",
                    success=False,
                    error_class=error_class_pb2.ERROR_CLASS_SERVICE_CRASH,
                ),
                timeout=5,
            )
        metrics = scrape_metrics(service.metrics_port)

        assert stop_service_process(service.process) == 0

    assert reply.status.circuit_state == health_pb2.CIRCUIT_STATE_OPEN
    open_gemini = frozenset({("provider", "gemini"), ("state", "open")})
    closed_openai = frozenset({("provider", "openai"), ("state", "closed")})
    blacklisted = frozenset(
        {("provider", "gemini"), ("transition", "blacklisted"), ("reason", "SERVICE_CRASH")}
    )
    assert metrics[("sanad_provider_circuit_state", open_gemini)] == 1
    assert metrics[("sanad_provider_circuit_state", closed_openai)] == 1
    assert metrics[("sanad_provider_success_rate", frozenset({("provider", "gemini")}))] == 0
    assert metrics[("sanad_provider_blacklist_transitions_total", blacklisted)] == 1
    events = [json.loads(line) for line in service.log.read_text().splitlines()]
    blacklisted_event = next(event for event in events if event["event"] == "Provider blacklisted")
    assert blacklisted_event["provider"] == "gemini"
    # The default 300 s crash ejection, plus up to 10 % jitter.
    assert 300 <= blacklisted_event["duration_seconds"] <= 330
    assert events[-1]["event"] == "server stopped"
