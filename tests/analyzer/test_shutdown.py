"""SIGTERM on a real analyzer process: it stops taking new RPCs at once, lets the one in
flight finish within SANAD_SHUTDOWN_GRACE, cancels what outlives the grace, and exits 0."""

from __future__ import annotations

import asyncio
import signal
import subprocess
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import grpc
import pytest
from grpc_health.v1 import health_pb2 as grpc_health_pb2
from grpc_health.v1 import health_pb2_grpc as grpc_health_pb2_grpc

from sanad.analyzer.v1 import analyzer_pb2, analyzer_pb2_grpc
from sanad_emulator.control import EmulatorControl
from sanad_launcher.ports import free_port
from sanad_launcher.suite import NO_METRICS_PORTS, LocalSuite, SuitePorts
from tests.support.services import STOP_TIMEOUT, service_process
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration

START_SECONDS = 90.0
"""How long the analyzer process may take to serve: its start imports every SDK, which takes
tens of seconds on a loaded machine."""

REQUEST = analyzer_pb2.AnalyzeRequest(
    shop_name="Souq Shutdown",
    shop_specialization="electronics",
    policy_type=analyzer_pb2.POLICY_TYPE_RETURN_EXCHANGE,
    policy_text="Returns are accepted within 14 days of delivery with a full refund.",
)


@pytest.fixture
def suite(tmp_path: Path) -> Iterator[LocalSuite]:
    """Quota, health, one analyzer and the emulator on an SQLite store."""
    with LocalSuite(
        store_url=f"sqlite:///{tmp_path / 'store.db'}",
        ports=SuitePorts.free(),
        log_dir=tmp_path / "logs",
        with_emulator=True,
        env=NO_METRICS_PORTS,
    ) as running:
        yield running


@pytest.fixture
async def emulator(suite: LocalSuite) -> AsyncIterator[EmulatorControl]:
    async with EmulatorControl(suite.emulator_url) as control:
        yield control


async def attempt_started(stream: Any) -> None:
    """Read the stream until the provider call is under way."""
    async for message in stream:
        if message.progress.stage == analyzer_pb2.STAGE_ATTEMPT_STARTED:
            return
    raise AssertionError("the stream ended before a provider was called")


async def result_of(stream: Any) -> analyzer_pb2.AnalyzeResponse:
    async for message in stream:
        if message.HasField("result"):
            return message.result  # type: ignore[no-any-return]
    raise AssertionError("the stream ended without a result")


async def overall_status(target: str) -> str:
    """The overall grpc.health.v1 status, or the code of a refused call."""
    async with grpc.aio.insecure_channel(target) as channel:
        stub: Any = grpc_health_pb2_grpc.HealthStub(channel)
        try:
            reply = await stub.Check(grpc_health_pb2.HealthCheckRequest(service=""), timeout=1)
        except grpc.aio.AioRpcError as error:
            return str(error.code().name)
    return str(grpc_health_pb2.HealthCheckResponse.ServingStatus.Name(reply.status))


async def serving(target: str, process: subprocess.Popen[bytes]) -> None:
    """Wait until the process serves (failing at once if it exits)."""

    async def status() -> str:
        assert process.poll() is None, "the analyzer exited"
        return await overall_status(target)

    await eventually(
        status, lambda seen: seen == "SERVING", within=START_SECONDS, what="the analyzer serving"
    )


async def test_sigterm_finishes_the_call_in_flight_and_takes_no_new_one(
    suite: LocalSuite, emulator: EmulatorControl, tmp_path: Path
) -> None:
    await emulator.inject("openai", "latency", count=1, latency_ms=3000)
    port = free_port()
    env = {**suite.env_of("analyzer"), "SANAD_ANALYZER_PORT": str(port)}
    env["SANAD_SHUTDOWN_GRACE"] = "30"
    target, log = f"127.0.0.1:{port}", tmp_path / "draining-analyzer.log"
    with service_process("sanad_analyzer", env, log) as process:
        await serving(target, process)
        async with grpc.aio.insecure_channel(target) as channel:
            stream: Any = analyzer_pb2_grpc.AnalyzerServiceStub(channel).AnalyzeStream(
                analyzer_pb2.AnalyzeStreamRequest(request=REQUEST), timeout=60
            )
            await attempt_started(stream)
            process.send_signal(signal.SIGTERM)
            refused = await eventually(
                lambda: overall_status(target),
                lambda status: status != "SERVING",
                what="the draining analyzer leaving SERVING",
            )
            result = await result_of(stream)
        code = await asyncio.to_thread(process.wait, STOP_TIMEOUT)

    assert refused in {"NOT_SERVING", "UNAVAILABLE"}
    assert result.source == analyzer_pb2.SOURCE_FRESH, "the call in flight finished"
    assert code == 0


async def test_a_call_that_outlives_the_grace_is_cancelled_and_the_process_exits(
    suite: LocalSuite, emulator: EmulatorControl, tmp_path: Path
) -> None:
    await emulator.inject("openai", "hang")
    port = free_port()
    env = {**suite.env_of("analyzer"), "SANAD_ANALYZER_PORT": str(port)}
    env["SANAD_SHUTDOWN_GRACE"] = "1"
    target, log = f"127.0.0.1:{port}", tmp_path / "draining-analyzer.log"
    try:
        with service_process("sanad_analyzer", env, log) as process:
            await serving(target, process)
            async with grpc.aio.insecure_channel(target) as channel:
                stream: Any = analyzer_pb2_grpc.AnalyzerServiceStub(channel).AnalyzeStream(
                    analyzer_pb2.AnalyzeStreamRequest(request=REQUEST), timeout=120
                )
                await attempt_started(stream)
                process.send_signal(signal.SIGTERM)
                with pytest.raises(grpc.aio.AioRpcError) as ended:
                    await result_of(stream)
            code = await asyncio.to_thread(process.wait, STOP_TIMEOUT)
    finally:
        await emulator.clear()

    assert ended.value.code() in {grpc.StatusCode.CANCELLED, grpc.StatusCode.UNAVAILABLE}
    assert code == 0
    assert "Traceback" not in log.read_text()
