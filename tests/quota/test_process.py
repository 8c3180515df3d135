"""The quota service as a real process: configured by the environment, ready through
grpc.health.v1, listed by reflection, publishing metrics, and stopping cleanly on SIGTERM."""

from __future__ import annotations

import json
from pathlib import Path

import grpc
import pytest

from sanad.quota.v1 import quota_pb2, quota_pb2_grpc
from sanad_launcher.ports import free_port
from sanad_quota.app import SERVICE_NAME
from tests.support.services import (
    reflected_services,
    scrape_metrics,
    service_process,
    stop_service_process,
    wait_serving,
)

pytestmark = pytest.mark.integration


async def test_quota_process_serves_and_stops_on_sigterm(tmp_path: Path) -> None:
    port, metrics_port = free_port(), free_port()
    env = {
        "SANAD_HOST": "127.0.0.1",
        "SANAD_QUOTA_PORT": str(port),
        "SANAD_QUOTA_METRICS_PORT": str(metrics_port),
        "SANAD_STORE_URL": f"sqlite:///{tmp_path / 'x.db'}",
        "SANAD_LOG_FORMAT": "json",
    }
    target = f"127.0.0.1:{port}"
    with service_process("sanad_quota", env, tmp_path / "quota.log") as process:
        await wait_serving(target, process, tmp_path / "quota.log")
        assert SERVICE_NAME in await reflected_services(target)
        async with grpc.aio.insecure_channel(target) as channel:
            quota = quota_pb2_grpc.QuotaServiceStub(channel)
            reply = await quota.Reserve(
                quota_pb2.ReserveRequest(provider="openai", estimated_tokens=7), timeout=5
            )
        assert reply.allowed
        metrics = scrape_metrics(metrics_port)

        assert stop_service_process(process) == 0

    hour_tokens = {("provider", "openai"), ("window", "hour"), ("metric", "tokens")}
    assert metrics[("sanad_quota_used", frozenset(hour_tokens))] == 7
    granted = {("provider", "openai"), ("outcome", "granted")}
    assert metrics[("sanad_quota_reservations_total", frozenset(granted))] == 1
    events = [
        json.loads(line)["event"] for line in (tmp_path / "quota.log").read_text().splitlines()
    ]
    assert events[-1] == "server stopped"
