"""The quota service as a real process: configured by the environment, ready through
grpc.health.v1, listed by reflection, publishing metrics, and stopping cleanly on SIGTERM."""

from __future__ import annotations

import json
from pathlib import Path

import grpc
import pytest

from sanad.quota.v1 import quota_pb2, quota_pb2_grpc
from sanad_quota.app import SERVICE_NAME
from tests.support.services import (
    reflected_services,
    running_service,
    scrape_metrics,
    stop_service_process,
)

pytestmark = pytest.mark.integration


async def test_quota_process_serves_and_stops_on_sigterm(tmp_path: Path) -> None:
    async with running_service("quota", tmp_path) as service:
        assert SERVICE_NAME in await reflected_services(service.target)
        async with grpc.aio.insecure_channel(service.target) as channel:
            quota = quota_pb2_grpc.QuotaServiceStub(channel)
            reply = await quota.Reserve(
                quota_pb2.ReserveRequest(provider="openai", estimated_tokens=7), timeout=5
            )
        assert reply.allowed
        metrics = scrape_metrics(service.metrics_port)

        assert stop_service_process(service.process) == 0

    hour_tokens = {("provider", "openai"), ("window", "hour"), ("metric", "tokens")}
    assert metrics[("sanad_quota_used", frozenset(hour_tokens))] == 7
    granted = {("provider", "openai"), ("outcome", "granted")}
    assert metrics[("sanad_quota_reservations_total", frozenset(granted))] == 1
    events = [json.loads(line)["event"] for line in service.log.read_text().splitlines()]
    assert events[-1] == "server stopped"
