"""The installed ``sanad`` command against the real suite: read-outs, admin actions, one
analysis with Arabic text intact, one connection per service for a whole batch, a service lost
mid-run reported as unreachable, and a 200-policy batch that is killed and resumed without a
second provider request for any finished item."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from sanad.analyzer.v1 import analyzer_pb2
from sanad_emulator.control import EmulatorControl
from sanad_launcher.suite import NO_METRICS_PORTS, LocalSuite, SuitePorts, emulator_providers
from tests.integration.conftest import ADMIN_TOKEN, Clients
from tests.integration.test_scenarios import ARABIC_POLICY, RETURN_POLICY
from tests.support.relay import TcpRelay

pytestmark = pytest.mark.integration

SANAD = Path(sys.executable).parent / "sanad"
"""The entry point installed with the project."""
BATCH_SIZE = 200
SIMILAR_NOTE_AR = "تم استرجاع تحليل مشابه من الذاكرة المؤقتة"


@dataclass(frozen=True)
class Cli:
    """Runs ``sanad`` against the suite, with or without the admin token."""

    suite: LocalSuite

    def env(self, admin: bool = True) -> dict[str, str]:
        host = self.suite.host
        env = {key: value for key, value in os.environ.items() if key != "SANAD_ADMIN_TOKEN"}
        env.update(
            SANAD_ANALYZER_TARGET=f"{host}:{self.suite.ports.analyzer}",
            SANAD_QUOTA_TARGET=f"{host}:{self.suite.ports.quota}",
            SANAD_HEALTH_TARGET=f"{host}:{self.suite.ports.health}",
            COLUMNS="200",
        )
        if admin:
            env["SANAD_ADMIN_TOKEN"] = ADMIN_TOKEN
        return env

    def run(self, *args: str, admin: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(SANAD), *args],
            env=self.env(admin),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    def json(self, *args: str) -> Any:
        done = self.run(*args, "--json")
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)

    def start(self, args: Sequence[str], log: Path) -> subprocess.Popen[bytes]:
        with log.open("wb") as output:
            return subprocess.Popen(
                [str(SANAD), *args], env=self.env(), stdout=output, stderr=subprocess.STDOUT
            )


@pytest.fixture
def cli(suite: LocalSuite, clients: Clients) -> Cli:
    """``sanad`` against a suite brought back to a clean state."""
    return Cli(suite)


def test_health_providers_and_quota(cli: Cli) -> None:
    health = cli.json("health")
    table = cli.run("health")
    providers = cli.json("providers")
    quota = cli.json("quota")

    assert health["state"] == "HEALTH_STATE_HEALTHY"
    assert {c["name"] for c in health["components"]} >= {"provider:openai", "store", "quota"}
    assert table.returncode == 0
    assert "Sanad is HEALTHY" in table.stdout
    assert [p["provider"] for p in providers["providers"]] == ["openai", "gemini"]
    assert {p["provider"] for p in quota["providers"]} == {"openai", "gemini"}


async def test_admin_commands_change_the_services(cli: Cli, clients: Clients) -> None:
    await clients.analyzer.Analyze(
        analyzer_pb2.AnalyzeRequest(
            shop_name="Shop",
            policy_type=analyzer_pb2.POLICY_TYPE_RETURN_EXCHANGE,
            policy_text=RETURN_POLICY,
        ),
        timeout=30,
    )

    refused = cli.run("cache", "stats", admin=False)
    stats = cli.json("cache", "stats")
    order = cli.json("set-primary", "gemini")
    providers = cli.json("providers")
    quota_before = cli.json("quota")
    reset = cli.run("reset-quota", "openai")
    quota_after = cli.json("quota")
    cleared = cli.json("cache", "clear", "return-exchange", "--include-idempotency")
    reset_provider = cli.run("reset-provider", "gemini")
    unknown_type = cli.run("cache", "clear", "warranty")

    assert refused.returncode == 2
    assert (
        refused.stderr.strip() == "sanad: this command needs the admin token: set SANAD_ADMIN_TOKEN"
    )
    assert stats["idempotency_entries"] == "1"
    assert order["order"][0] == "gemini"
    assert [p["provider"] for p in providers["providers"] if p.get("primary")] == ["gemini"]
    assert _used(quota_before, "openai") > 0
    assert reset.returncode == 0
    assert _used(quota_after, "openai") == 0
    assert int(cleared["degradation_entries_removed"]) == 1
    assert int(cleared["idempotency_entries_removed"]) == 1
    assert reset_provider.returncode == 0
    assert unknown_type.returncode == 1
    assert "unknown policy type 'warranty'" in unknown_type.stderr


def _used(quota: Any, provider: str) -> int:
    return sum(
        int(window.get("used", 0))
        for usage in quota["providers"]
        if usage["provider"] == provider
        for window in usage["windows"]
    )


async def test_analyze_prints_arabic_text_intact(
    cli: Cli, clients: Clients, tmp_path: Path
) -> None:
    policy = tmp_path / "policy.txt"
    policy.write_text(ARABIC_POLICY, encoding="utf-8")
    first = cli.run("analyze", str(policy), "--shop-name", "متجر الاختبار")
    for provider in ("openai", "gemini"):
        await clients.emulator.inject(provider, "server_error")

    degraded = cli.run("analyze", str(policy), "--shop-name", "متجر آخر")
    as_json = cli.run("analyze", str(policy), "--shop-name", "متجر ثالث", "--json")

    assert first.returncode == 0, first.stderr
    assert "Source: FRESH" in first.stdout
    assert degraded.returncode == 0, degraded.stderr
    assert "Source: DEGRADED_SIMILAR" in degraded.stdout
    assert SIMILAR_NOTE_AR in degraded.stdout
    assert json.loads(as_json.stdout)["note"]["ar"] == SIMILAR_NOTE_AR


def test_unreachable_service_is_one_line(cli: Cli) -> None:
    done = cli.run("--analyzer", "127.0.0.1:1", "health")

    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == ["sanad: cannot reach 127.0.0.1:1: UNAVAILABLE"]
    assert "Traceback" not in done.stdout + done.stderr


def test_watch_prints_provider_and_quota_updates(cli: Cli) -> None:
    done = cli.run("watch", "--updates", "1", "--json")

    assert done.returncode == 0, done.stderr
    (update,) = [json.loads(line) for line in done.stdout.splitlines()]
    assert [p["provider"] for p in update["providers"]["providers"]] == ["openai", "gemini"]
    assert {p["provider"] for p in update["quota"]["providers"]} == {"openai", "gemini"}


def test_a_batch_sends_every_analysis_on_one_connection(cli: Cli, tmp_path: Path) -> None:
    source, output = tmp_path / "policies.jsonl", tmp_path / "results.jsonl"
    _batch_input(source, size=6)

    with TcpRelay(cli.suite.host, cli.suite.ports.analyzer) as analyzer:
        done = cli.run(
            *("--analyzer", analyzer.target, "analyze-batch", str(source)),
            *("--output", str(output), "--concurrency", "3"),
        )

    assert done.returncode == 0, done.stderr
    assert len(_written_ids(output)) == 6
    assert analyzer.accepted == 1


def test_a_service_lost_mid_run_is_unreachable(cli: Cli, tmp_path: Path) -> None:
    log = tmp_path / "watch.log"
    with TcpRelay(cli.suite.host, cli.suite.ports.health) as health:
        watching = cli.start(["--health", health.target, "watch", "--json"], log)
        deadline = time.monotonic() + 30
        while not log.read_text(encoding="utf-8").strip() and time.monotonic() < deadline:
            assert watching.poll() is None, log.read_text(encoding="utf-8")
            time.sleep(0.05)
        health.cut()
        code = watching.wait(30)

    first, *rest = log.read_text(encoding="utf-8").splitlines()
    assert json.loads(first)["providers"]["providers"], "connected before the cut"
    assert code == 2, rest
    assert rest == [f"sanad: cannot reach {health.target}: UNAVAILABLE"]


def _batch_input(path: Path, size: int = BATCH_SIZE) -> None:
    with path.open("w", encoding="utf-8") as lines:
        for number in range(size):
            item = {
                "id": f"policy-{number}",
                "shop_name": f"متجر {number}",
                "policy_type": "return-exchange",
                "jurisdiction": "sa" if number % 2 else "eg",
                "policy_text": f"{ARABIC_POLICY} رقم السياسة {number}.",
            }
            lines.write(json.dumps(item, ensure_ascii=False) + "\n")


async def _provider_requests(emulator: EmulatorControl) -> int:
    return sum(stats.requests for stats in (await emulator.stats()).values())


async def _settled_provider_requests(emulator: EmulatorControl) -> int:
    """The provider request count once it stops moving: calls the analyzer had already
    started for a killed client still reach the provider a moment after the kill."""
    count = await _provider_requests(emulator)
    for _ in range(40):
        await asyncio.sleep(0.25)
        latest = await _provider_requests(emulator)
        if latest == count:
            return count
        count = latest
    return count


def _written_ids(path: Path) -> list[str]:
    if not path.exists():
        return []
    return [
        json.loads(line)["id"]
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.endswith("}")
    ]


@pytest.fixture
def unlimited_suite(tmp_path: Path) -> Iterator[LocalSuite]:
    """A suite of its own whose providers have no quota limits, for a 200-policy batch."""
    ports = SuitePorts.free()
    providers = json.loads(emulator_providers(f"http://127.0.0.1:{ports.emulator}"))
    unlimited = dict.fromkeys(
        ("daily_requests", "daily_tokens", "hourly_requests", "hourly_tokens"), -1
    )
    with LocalSuite(
        store_url=f"sqlite:///{tmp_path}/sanad.db",
        ports=ports,
        log_dir=tmp_path / "logs",
        with_emulator=True,
        env={
            "SANAD_PROVIDERS": json.dumps([{**p, "limits": unlimited} for p in providers]),
            **NO_METRICS_PORTS,
        },
    ) as running:
        yield running


async def test_analyze_batch_resumes_after_a_kill_without_rebilling(
    unlimited_suite: LocalSuite, tmp_path: Path
) -> None:
    cli = Cli(unlimited_suite)
    source, output = tmp_path / "policies.jsonl", tmp_path / "results.jsonl"
    _batch_input(source)
    emulator = EmulatorControl(unlimited_suite.emulator_url)
    # Slow answers, so the kill lands in the middle of the run.
    for provider in ("openai", "gemini"):
        await emulator.inject(provider, "latency", latency_ms=40)
    args = ["analyze-batch", str(source), "--output", str(output), "--concurrency", "4"]

    first = cli.start(args, tmp_path / "first.log")
    deadline = time.monotonic() + 90
    while len(_written_ids(output)) < BATCH_SIZE // 4 and time.monotonic() < deadline:
        assert first.poll() is None, (tmp_path / "first.log").read_text()
        await asyncio.sleep(0.05)
    first.send_signal(signal.SIGKILL)
    first.wait()
    finished_before = set(_written_ids(output))
    requests_before = await _settled_provider_requests(emulator)

    resumed = cli.run(*args)
    requests_after = await _provider_requests(emulator)
    await emulator.close()
    ids = _written_ids(output)

    assert BATCH_SIZE // 4 <= len(finished_before) < BATCH_SIZE
    assert resumed.returncode == 0, resumed.stderr
    assert f"{BATCH_SIZE}/{BATCH_SIZE}" in resumed.stderr, "the progress bar reached the end"
    assert sorted(ids) == sorted(f"policy-{n}" for n in range(BATCH_SIZE)), "each result once"
    assert requests_after - requests_before <= BATCH_SIZE - len(finished_before), (
        "no provider request for an item finished before the kill"
    )
    results = [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()]
    assert all(r["result"]["analysis"]["compliance_report"] for r in results)
