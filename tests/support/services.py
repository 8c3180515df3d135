"""Run a Sanad service for tests: in this process on a free port, or as a real process.

The store fixtures (a store on SQLite and on Redis, and a second connection to the same data as
another replica has) are defined here once; a test package's conftest imports them.

In-process servers use the service's own ``build_app`` and the shared ``start_server``, so the
interceptor (admin auth, rich errors), health and reflection are the production ones. A real
process is started with ``python -m <module>``, found ready through ``grpc.health.v1``, and
stopped by its PID with SIGTERM, never by name.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import grpc
import pytest
from google.rpc import error_details_pb2, status_pb2
from grpc_health.v1 import health_pb2 as grpc_health_pb2
from grpc_health.v1 import health_pb2_grpc as grpc_health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import (
    HistogramDataPoint,
    InMemoryMetricReader,
    NumberDataPoint,
)
from prometheus_client.parser import text_string_to_metric_families

from sanad_common.config import Settings
from sanad_common.errors import ServiceError, status_details
from sanad_common.server import AppFactory, start_server
from sanad_common.storage import Store, open_store
from sanad_launcher.ports import free_port

START_TIMEOUT = 120.0
"""Seconds a service process may take to report SERVING (a bound against a hang; a loaded
machine starts Python slowly, and a process that exits fails at once)."""
STOP_TIMEOUT = 15.0
"""Seconds a service process may take to exit after SIGTERM (its drain grace is 10 s)."""


def unique_namespace() -> str:
    """A store namespace no other test uses, so tests sharing a Redis never meet."""
    return f"t{uuid.uuid4().hex[:16]}"


@pytest.fixture(params=["sqlite", "redis"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """SQLite on a temporary file, or the session's Redis; Redis starts only when needed."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    url: str = request.getfixturevalue("redis_url")
    return url


@pytest.fixture
def namespace() -> str:
    """This test's store namespace."""
    return unique_namespace()


@pytest.fixture
async def store(store_url: str, namespace: str) -> AsyncIterator[Store]:
    """A store in this test's namespace on this test's adapter."""
    opened = await open_store(store_url, namespace=namespace)
    yield opened
    await opened.aclose()


@pytest.fixture
async def twin_store(store_url: str, namespace: str) -> AsyncIterator[Store]:
    """A second connection to the same data, as another replica of the service has."""
    opened = await open_store(store_url, namespace=namespace)
    yield opened
    await opened.aclose()


def admin_metadata(token: str) -> tuple[tuple[str, str], ...]:
    """Call metadata carrying an admin bearer token."""
    return (("authorization", f"Bearer {token}"),)


@contextlib.asynccontextmanager
async def serve_in_process(
    component: str,
    app: AppFactory,
    settings: Settings,
    channel_interceptors: Sequence[grpc.aio.ClientInterceptor] = (),
) -> AsyncIterator[grpc.aio.Channel]:
    """Serve the app on a free 127.0.0.1 port; yield a channel to it (through the given
    client interceptors); stop it on exit."""
    async with app(settings) as built:
        running = await start_server(
            component=component,
            services=built.services,
            port=0,
            settings=settings,
            readiness_check=built.readiness_check,
        )
        try:
            async with grpc.aio.insecure_channel(
                f"127.0.0.1:{running.port}", interceptors=channel_interceptors
            ) as channel:
                yield channel
        finally:
            await running.stop(grace=1.0)


SERVING = grpc_health_pb2.HealthCheckResponse.SERVING
NOT_SERVING = grpc_health_pb2.HealthCheckResponse.NOT_SERVING


async def health_status(channel: grpc.aio.Channel, service: str = "") -> int:
    """What grpc.health.v1 Check answers for service on channel."""
    # The typeshed stub declares no methods on HealthStub.
    health: Any = grpc_health_pb2_grpc.HealthStub(channel)
    reply = await health.Check(grpc_health_pb2.HealthCheckRequest(service=service), timeout=2)
    return int(reply.status)


async def wait_health(
    target: str,
    status: int,
    *,
    service: str = "",
    process: subprocess.Popen[bytes] | None = None,
    log: Path | None = None,
    within: float = START_TIMEOUT,
) -> None:
    """Wait until the server at target reports status for service (the overall one unless
    named), within the given seconds; fail early if its process exits."""
    deadline = time.monotonic() + within
    async with grpc.aio.insecure_channel(target) as channel:
        while True:
            if process is not None and process.poll() is not None:
                raise AssertionError(f"service exited early:\n{_tail(log)}")
            with contextlib.suppress(grpc.aio.AioRpcError):
                if await health_status(channel, service) == status:
                    return
            if time.monotonic() > deadline:
                raise AssertionError(f"{target} never reported {status}:\n{_tail(log)}")
            await asyncio.sleep(0.1)


async def wait_serving(
    target: str, process: subprocess.Popen[bytes], log: Path, within: float = START_TIMEOUT
) -> None:
    """Wait until the server at target reports SERVING; fail early if the process exits."""
    await wait_health(target, SERVING, process=process, log=log, within=within)


def _tail(log: Path | None) -> str:
    return log.read_text(errors="replace")[-4000:] if log and log.exists() else ""


async def reflected_services(target: str) -> set[str]:
    """Service names the server at target lists through server reflection."""
    async with grpc.aio.insecure_channel(target) as channel:
        # The typeshed stub accepts only a sync channel; the generated code takes either.
        reflection: Any = reflection_pb2_grpc.ServerReflectionStub(cast(grpc.Channel, channel))
        request = reflection_pb2.ServerReflectionRequest(list_services="")
        names: set[str] = set()
        async for reply in reflection.ServerReflectionInfo(iter([request]), timeout=5):
            names |= {service.name for service in reply.list_services_response.service}
        return names


def scrape_metrics(port: int) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """Every sample the Prometheus endpoint shows, by name and labels (OTel scope left out)."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
        text = response.read().decode()
    return {
        (
            sample.name,
            frozenset((k, v) for k, v in sample.labels.items() if not k.startswith("otel_")),
        ): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


@contextlib.contextmanager
def service_process(
    module: str, env: Mapping[str, str], log: Path
) -> Iterator[subprocess.Popen[bytes]]:
    """Run ``python -m module`` with env added to this environment, logging to a file.

    The process is killed by its PID on exit if the test did not stop it.
    """
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", module],
            env={**os.environ, **env},
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=STOP_TIMEOUT)


@dataclass(frozen=True)
class ServiceUnderTest:
    """A service process started by :func:`running_service`."""

    process: subprocess.Popen[bytes]
    """The process."""
    target: str
    """host:port of its gRPC server."""
    metrics_port: int
    """Its Prometheus port."""
    log: Path
    """File holding its output (JSON logs)."""


@contextlib.asynccontextmanager
async def running_service(component: str, tmp_path: Path) -> AsyncIterator[ServiceUnderTest]:
    """``python -m sanad_<component>`` on free ports and an SQLite store in tmp_path, SERVING."""
    port, metrics_port = free_port(), free_port()
    env = {
        "SANAD_HOST": "127.0.0.1",
        f"SANAD_{component.upper()}_PORT": str(port),
        f"SANAD_{component.upper()}_METRICS_PORT": str(metrics_port),
        "SANAD_STORE_URL": f"sqlite:///{tmp_path / 'store.db'}",
        "SANAD_LOG_FORMAT": "json",
    }
    log = tmp_path / f"{component}.log"
    target = f"127.0.0.1:{port}"
    with service_process(f"sanad_{component}", env, log) as process:
        await wait_serving(target, process, log)
        yield ServiceUnderTest(process, target, metrics_port, log)


def stop_service_process(process: subprocess.Popen[bytes]) -> int:
    """SIGTERM the process by its PID and wait for its exit code."""
    process.send_signal(signal.SIGTERM)
    return process.wait(timeout=STOP_TIMEOUT)


def bad_request_fields_of(error: ServiceError) -> list[str]:
    """The fields named by the google.rpc.BadRequest of a ServiceError, in order."""
    return [
        violation.field
        for detail in error.details
        if isinstance(detail, error_details_pb2.BadRequest)
        for violation in detail.field_violations
    ]


def rich_status(error: grpc.aio.AioRpcError | status_pb2.Status) -> status_pb2.Status | None:
    """The google.rpc.Status of a failed call, or the status itself (a streamed answer's)."""
    return error if isinstance(error, status_pb2.Status) else status_details(error)


def bad_request_fields(error: grpc.aio.AioRpcError | status_pb2.Status) -> list[str]:
    """The fields named by the google.rpc.BadRequest of a failed call or status, in order."""
    fields: list[str] = []
    status = rich_status(error)
    for detail in status.details if status is not None else ():
        if detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
            bad_request = error_details_pb2.BadRequest()
            detail.Unpack(bad_request)
            fields += [violation.field for violation in bad_request.field_violations]
    return fields


def error_reason(error: grpc.aio.AioRpcError | status_pb2.Status) -> str | None:
    """The reason of the google.rpc.ErrorInfo of a failed call or status, if it has one."""
    status = rich_status(error)
    for detail in status.details if status is not None else ():
        if detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
            info = error_details_pb2.ErrorInfo()
            detail.Unpack(info)
            return str(info.reason)
    return None


class FakeClock:
    """A clock a test sets and advances.

    Keep it near the real time: the store expires entries and counters by the real clock, so a
    fake time far in the past would write data that is already expired.
    """

    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        """Move the time forward."""
        self.now += seconds


MetricPoints = dict[tuple[str, frozenset[tuple[str, str]]], float]
"""Metric values by name and attributes."""


class MeterProbe:
    """A private OpenTelemetry meter whose measurements a test can read.

    Services take their metrics object as a dependency, so tests hand them instruments on this
    meter instead of touching the process-wide meter provider.
    """

    def __init__(self) -> None:
        self._reader = InMemoryMetricReader()
        self.meter = MeterProvider(metric_readers=[self._reader]).get_meter("test")

    def read(self) -> MetricPoints:
        """Every point now: gauge and counter values, and histogram counts."""
        points: MetricPoints = {}
        data = self._reader.get_metrics_data()
        for resource in data.resource_metrics if data is not None else ():
            for scope in resource.scope_metrics:
                for metric in scope.metrics:
                    for point in metric.data.data_points:
                        attributes = frozenset(
                            (str(key), str(value))
                            for key, value in (point.attributes or {}).items()
                        )
                        if isinstance(point, NumberDataPoint):
                            points[(metric.name, attributes)] = float(point.value)
                        elif isinstance(point, HistogramDataPoint):
                            points[(metric.name, attributes)] = float(point.count)
        return points
