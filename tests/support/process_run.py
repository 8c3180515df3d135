"""One service as a real process, from start to SIGTERM: the checks every service's process
test makes, so each test adds only its own call and what that call should have left."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

import grpc

from tests.support.services import (
    reflected_services,
    running_service,
    scrape_metrics,
    stop_service_process,
)

R = TypeVar("R")


@dataclass(frozen=True)
class ProcessRun(Generic[R]):
    """What one run of a service process left behind."""

    reply: R
    """The answer to the test's call."""
    metrics: dict[tuple[str, frozenset[tuple[str, str]]], float]
    """Every sample its Prometheus endpoint showed after the call."""
    events: list[dict[str, Any]]
    """Its JSON log lines, in order."""


async def serve_one_call(
    component: str,
    service_name: str,
    tmp_path: Path,
    call: Callable[[grpc.aio.Channel], Awaitable[R]],
) -> ProcessRun[R]:
    """Run ``sanad_<component>`` configured by the environment until SERVING (grpc.health.v1),
    check reflection lists service_name, make the call on a channel to it, scrape its metrics,
    then SIGTERM it and check it exits 0 with "server stopped" as its last log event."""
    async with running_service(component, tmp_path) as service:
        assert service_name in await reflected_services(service.target)
        async with grpc.aio.insecure_channel(service.target) as channel:
            reply = await call(channel)
        metrics = scrape_metrics(service.metrics_port)

        assert stop_service_process(service.process) == 0

    events = [json.loads(line) for line in service.log.read_text().splitlines()]
    assert events[-1]["event"] == "server stopped"
    return ProcessRun(reply, metrics, events)
