"""Real processes racing for quota: two quota replicas on one store, two analyzer processes.

Two ``python -m sanad_quota`` replicas share one Redis (then a three-node Redis Cluster this
test starts). Two driver processes stand in for two analyzers: each opens a channel to both
replicas and, on a common start signal, fires its half of 5,000 concurrent Reserve calls
through the quota gRPC API, for an hourly limit of N requests. Exactly N are granted, every
other one is denied with violations naming the hourly request limit, and each warning level is
announced exactly once across both replicas.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import grpc
import pytest

from sanad.quota.v1 import quota_pb2, quota_pb2_grpc
from sanad_launcher.ports import free_port
from tests.support.redis_cluster import RedisCluster3, cluster_tools_missing
from tests.support.reserve_driver import READY
from tests.support.services import (
    scrape_metrics,
    service_process,
    stop_service_process,
    unique_namespace,
    wait_serving,
)

pytestmark = [pytest.mark.integration, pytest.mark.timeout(600)]

RESERVATIONS = 5000
"""Reserve calls in the race, split between the two drivers."""
LIMIT = 1234
"""The hourly request limit they race for."""
DRIVERS = 2


@contextlib.asynccontextmanager
async def quota_replicas(
    store_url: str, tmp_path: Path, count: int = 2
) -> AsyncIterator[list[tuple[str, int, Path]]]:
    """Quota replica processes on one store and namespace: (target, metrics port, log) each."""
    namespace = unique_namespace()
    with contextlib.ExitStack() as stack:
        replicas = []
        for index in range(count):
            port, metrics_port = free_port(), free_port()
            env = {
                "SANAD_HOST": "127.0.0.1",
                "SANAD_QUOTA_PORT": str(port),
                "SANAD_QUOTA_METRICS_PORT": str(metrics_port),
                "SANAD_STORE_URL": store_url,
                "SANAD_STORE_NAMESPACE": namespace,
                "SANAD_LOG_FORMAT": "json",
                "MAX_HOURLY_REQUESTS": str(LIMIT),
                "MAX_DAILY_REQUESTS": "-1",
                "MAX_HOURLY_TOKENS": "-1",
                "MAX_DAILY_TOKENS": "-1",
                # The drivers keep 1,000 calls on the wire: this test is about exactness, so
                # no call may be shed for load (shedding has tests of its own).
                "SANAD_MAX_CONCURRENT_RPCS": "0",
            }
            log = tmp_path / f"quota-{index}.log"
            process = stack.enter_context(service_process("sanad_quota", env, log))
            target = f"127.0.0.1:{port}"
            await wait_serving(target, process, log)
            replicas.append((target, metrics_port, log, process))
        yield [(target, metrics, log) for target, metrics, log, _ in replicas]
        for *_, process in replicas:
            assert stop_service_process(process) == 0


@contextlib.contextmanager
def drivers(targets: list[str]) -> Iterator[list[subprocess.Popen[str]]]:
    """The analyzer stand-ins, connected and waiting for the start line."""
    processes = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.support.reserve_driver",
                ",".join(targets),
                str(RESERVATIONS // DRIVERS),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(DRIVERS)
    ]
    try:
        yield processes
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait(timeout=10)


async def race(store_url: str, tmp_path: Path) -> None:
    async with quota_replicas(store_url, tmp_path) as replicas:
        targets = [target for target, _, _ in replicas]
        with drivers(targets) as processes:
            for process in processes:
                assert process.stdout is not None
                line = await asyncio.to_thread(process.stdout.readline)
                assert line.strip() == READY, f"driver exited before connecting: {line!r}"
            for process in processes:
                assert process.stdin is not None
                process.stdin.write("go\n")
                process.stdin.flush()
            outputs = [
                await asyncio.to_thread(process.communicate, timeout=500) for process in processes
            ]
        results = [json.loads(stdout) for stdout, _ in outputs]
        async with grpc.aio.insecure_channel(targets[1]) as channel:
            usage = await quota_pb2_grpc.QuotaServiceStub(channel).GetUsage(
                quota_pb2.GetUsageRequest(provider="openai")
            )
        metrics = [scrape_metrics(port) for _, port, _ in replicas]
    logs = [log.read_text() for _, _, log in replicas]

    granted = [reservation for result in results for reservation in result["granted"]]
    assert len(granted) == LIMIT
    assert len(set(granted)) == LIMIT
    assert sum(result["denied"] for result in results) == RESERVATIONS - LIMIT
    assert sum(result["denials_without_details"] for result in results) == 0
    assert {item for result in results for item in result["violations"]} == {
        f"providers/openai/windows/hour/metrics/requests|{LIMIT}"
    }
    hour = next(
        item
        for item in usage.providers[0].windows
        if (item.window, item.metric) == (quota_pb2.WINDOW_HOUR, quota_pb2.METRIC_REQUESTS)
    )
    assert hour.used == LIMIT
    crossings = [(item.window, item.metric, item.level) for item in usage.providers[0].crossings]
    assert crossings == [
        (quota_pb2.WINDOW_HOUR, quota_pb2.METRIC_REQUESTS, level)
        for level in (
            quota_pb2.WARNING_LEVEL_WARNING,
            quota_pb2.WARNING_LEVEL_CRITICAL,
            quota_pb2.WARNING_LEVEL_EXHAUSTED,
        )
    ]
    warning_lines = [
        json.loads(line) for text in logs for line in text.splitlines() if '"Quota warning"' in line
    ]
    assert sorted(entry["warning_level"] for entry in warning_lines) == [
        "CRITICAL",
        "EXHAUSTED",
        "WARNING",
    ]
    counted = sum(
        value
        for points in metrics
        for (name, _), value in points.items()
        if name == "sanad_quota_warnings_total"
    )
    assert counted == 3


async def test_two_replicas_on_one_redis_admit_exactly_the_limit(
    redis_url: str, tmp_path: Path
) -> None:
    await race(redis_url, tmp_path)


async def test_two_replicas_on_a_three_node_redis_cluster_admit_exactly_the_limit(
    tmp_path: Path,
) -> None:
    missing = cluster_tools_missing()
    if missing:
        pytest.skip(missing)
    with RedisCluster3() as cluster:
        await race(cluster.url, tmp_path)
