"""When a dependency dies, nothing else does: the analyzer answers without health (configured
order), spends its journaled local safe budget without the quota service (or refuses clearly
when that budget is 0); a service whose store is down reports NOT_SERVING and recovers when
the store comes back; quota killed under open reservations costs no answer either, and is
asked again once it is back."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest

from sanad.analyzer.v1 import analyzer_pb2, analyzer_pb2_grpc
from sanad_emulator.control import EmulatorControl
from sanad_launcher.ports import free_port
from sanad_launcher.redis_server import RedisServer
from sanad_launcher.suite import NO_METRICS_PORTS, LocalSuite, SuitePorts
from tests.integration.test_scenarios import (
    ARABIC_POLICY,
    RETURN_POLICY,
    analyze_request,
    attempt_classes,
)
from tests.support.services import (
    NOT_SERVING,
    SERVING,
    error_reason,
    service_process,
    wait_health,
)
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration

NO_METRICS = {
    **NO_METRICS_PORTS,
}


@pytest.fixture
def suite_env() -> dict[str, str]:
    """Environment of the suite beyond the defaults."""
    return {}


@pytest.fixture
def suite(tmp_path: Path, suite_env: dict[str, str]) -> Iterator[LocalSuite]:
    """A suite of its own, since these tests stop parts of it."""
    with LocalSuite(
        store_url=f"sqlite:///{tmp_path}/sanad.db",
        ports=SuitePorts.free(),
        log_dir=tmp_path / "logs",
        with_emulator=True,
        env={**NO_METRICS, **suite_env},
    ) as running:
        yield running


async def test_analyzer_answers_without_the_health_service(suite: LocalSuite) -> None:
    suite.stop_process("health")
    async with grpc.aio.insecure_channel(suite.analyzer_target) as channel:
        analyzer = analyzer_pb2_grpc.AnalyzerServiceStub(channel)

        response = await analyzer.Analyze(analyze_request(RETURN_POLICY), timeout=30)

    assert response.source == analyzer_pb2.SOURCE_FRESH
    assert response.provider == "openai"


@pytest.mark.parametrize("suite_env", [{"SANAD_QUOTA_SAFE_REQUESTS": "0"}])
async def test_without_quota_and_a_zero_safe_budget_the_analyzer_spends_nothing(
    suite: LocalSuite,
) -> None:
    async with (
        grpc.aio.insecure_channel(suite.analyzer_target) as channel,
        EmulatorControl(suite.emulator_url) as emulator,
    ):
        analyzer = analyzer_pb2_grpc.AnalyzerServiceStub(channel)
        seen = await analyzer.Analyze(analyze_request(ARABIC_POLICY), timeout=30)
        suite.stop_process("quota")

        degraded = await analyzer.Analyze(
            analyze_request(ARABIC_POLICY, shop_name="Other Shop"), timeout=30
        )
        with pytest.raises(grpc.aio.AioRpcError) as raised:
            await analyzer.Analyze(analyze_request("Never seen before."), timeout=30)

        counts = {name: stats.requests for name, stats in (await emulator.stats()).items()}

    assert degraded.source == analyzer_pb2.SOURCE_DEGRADED_SIMILAR
    assert degraded.analysis == seen.analysis
    assert attempt_classes(degraded) == [("openai", "UNSPECIFIED"), ("gemini", "UNSPECIFIED")]
    assert not degraded.quota_accounted_locally
    assert raised.value.code() == grpc.StatusCode.UNAVAILABLE
    assert error_reason(raised.value) == "QUOTA_UNAVAILABLE"
    assert "QUOTA_EXCEEDED" not in (raised.value.details() or "")
    assert counts == {"openai": 1, "gemini": 0, "anthropic": 0}


async def test_without_quota_the_analyzer_answers_from_its_safe_budget(
    suite: LocalSuite,
) -> None:
    async with (
        grpc.aio.insecure_channel(suite.analyzer_target) as channel,
        EmulatorControl(suite.emulator_url) as emulator,
    ):
        analyzer = analyzer_pb2_grpc.AnalyzerServiceStub(channel)
        suite.stop_process("quota")

        response = await analyzer.Analyze(analyze_request(ARABIC_POLICY), timeout=30)
        counts = {name: stats.requests for name, stats in (await emulator.stats()).items()}

    assert response.source == analyzer_pb2.SOURCE_FRESH
    assert response.quota_accounted_locally
    assert counts == {"openai": 1, "gemini": 0, "anthropic": 0}


async def test_a_service_waits_for_its_store(tmp_path: Path) -> None:
    redis = RedisServer()
    redis.start()
    url = redis.url
    redis.stop()
    port = free_port()
    env = {
        **NO_METRICS,
        "SANAD_HOST": "127.0.0.1",
        "SANAD_QUOTA_PORT": str(port),
        "SANAD_STORE_URL": url,
    }
    target = f"127.0.0.1:{port}"
    with service_process("sanad_quota", env, tmp_path / "quota.log") as process:
        await wait_health(target, NOT_SERVING)
        assert process.poll() is None

        redis.start()
        try:
            await wait_health(target, SERVING)
            redis.stop()
            await wait_health(target, NOT_SERVING)
        finally:
            redis.stop()


async def test_a_locked_sqlite_store_costs_no_answer(suite: LocalSuite, tmp_path: Path) -> None:
    holder = sqlite3.connect(tmp_path / "sanad.db", isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # another process holding the write lock
    try:
        async with grpc.aio.insecure_channel(suite.analyzer_target) as channel:
            analyzer = analyzer_pb2_grpc.AnalyzerServiceStub(channel)
            response = await analyzer.Analyze(analyze_request(RETURN_POLICY), timeout=30)
    finally:
        holder.execute("ROLLBACK")
        holder.close()

    for port in (suite.ports.quota, suite.ports.health, suite.ports.analyzer):
        await wait_health(f"{suite.host}:{port}", SERVING)
    assert response.source == analyzer_pb2.SOURCE_FRESH
    assert response.quota_accounted_locally


@pytest.mark.parametrize("suite_env", [{"SANAD_DOWNSTREAM_TIMEOUT": "20"}])
async def test_quota_killed_mid_stream_the_attempts_waiting_on_it_spend_the_safe_budget(
    suite: LocalSuite,
) -> None:
    quota_pid = suite.pids()["quota"]
    async with grpc.aio.insecure_channel(suite.analyzer_target) as channel:
        analyzer = analyzer_pb2_grpc.AnalyzerServiceStub(channel)
        before = await analyzer.Analyze(analyze_request(RETURN_POLICY), timeout=60)

        os.kill(quota_pid, signal.SIGSTOP)  # the stream stays open, its reservations unanswered
        waiting = [
            analyzer.Analyze(analyze_request(f"{ARABIC_POLICY} ({n})"), timeout=60)
            for n in range(3)
        ]
        await asyncio.sleep(1.0)
        killed_at = time.monotonic()
        os.kill(quota_pid, signal.SIGKILL)
        during = await asyncio.gather(*waiting)
        answered_in = time.monotonic() - killed_at
        suite.stop_process("quota")

        suite.start_process("quota")
        after = await eventually(
            lambda: analyzer.Analyze(analyze_request(f"{RETURN_POLICY} {time.time()}"), timeout=60),
            lambda response: not response.quota_accounted_locally,
            what="a reservation quota made again",
        )

    assert before.source == analyzer_pb2.SOURCE_FRESH and not before.quota_accounted_locally
    assert [(item.source, item.quota_accounted_locally) for item in during] == [
        (analyzer_pb2.SOURCE_FRESH, True)
    ] * 3
    # The broken stream answered them at once: their reservations' own time (6 s) had not run.
    assert answered_in < 4.0
    assert after.source == analyzer_pb2.SOURCE_FRESH
