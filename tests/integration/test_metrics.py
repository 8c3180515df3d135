"""Each service's Prometheus endpoint, scraped before and after the original guide's four
scenarios (the walk of `make demo`), shows the changes those scenarios must cause, under the
names docs/metrics.md documents and deploy/prometheus/alerts.yml uses."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from sanad_launcher.demo import ADMIN_TOKEN, OPENAI_DAILY_REQUESTS, walk
from sanad_launcher.ports import free_port
from sanad_launcher.suite import LocalSuite, SuitePorts, emulator_providers
from tests.support.services import MetricPoints, scrape_metrics
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration

COMPONENTS = ("analyzer", "quota", "health")


@pytest.fixture
def metrics_suite(tmp_path: Path) -> Iterator[tuple[LocalSuite, dict[str, int]]]:
    """The demo's suite, with each service's metrics endpoint on a free port."""
    ports = SuitePorts.free()
    metrics_ports = {component: free_port() for component in COMPONENTS}
    with LocalSuite(
        store_url=f"sqlite:///{tmp_path}/sanad.db",
        ports=ports,
        log_dir=tmp_path / "logs",
        with_emulator=True,
        env={
            "SANAD_PROVIDERS": emulator_providers(
                f"http://127.0.0.1:{ports.emulator}", {"daily_requests": OPENAI_DAILY_REQUESTS}
            ),
            "SANAD_ADMIN_TOKEN": ADMIN_TOKEN,
            **{
                f"SANAD_{component.upper()}_METRICS_PORT": str(port)
                for component, port in metrics_ports.items()
            },
        },
    ) as suite:
        yield suite, metrics_ports


def value(points: MetricPoints, name: str, **labels: str) -> float:
    """Sum of the samples of name whose labels include the given ones (0 when none)."""
    wanted = set(labels.items())
    return sum(v for (n, found), v in points.items() if n == name and wanted <= found)


def scrape_all(ports: dict[str, int]) -> dict[str, MetricPoints]:
    return {component: scrape_metrics(port) for component, port in ports.items()}


async def test_the_four_scenarios_show_in_every_services_metrics(
    metrics_suite: tuple[LocalSuite, dict[str, int]],
) -> None:
    suite, ports = metrics_suite
    before = scrape_all(ports)

    await walk(suite)
    after = scrape_all(ports)

    def grew(component: str, name: str, **labels: str) -> float:
        return value(after[component], name, **labels) - value(before[component], name, **labels)

    # Routine successes reach health after Analyze has returned: wait for the third of gemini's.
    gemini_latencies = "sanad_provider_attempt_latency_seconds_count"
    after["health"] = await eventually(
        lambda: asyncio.to_thread(scrape_metrics, ports["health"]),
        lambda points: (
            value(points, gemini_latencies, provider="gemini")
            - value(before["health"], gemini_latencies, provider="gemini")
            >= 3
        ),
        what="health's latency count of three gemini outcomes",
    )

    # 1. Normal operation: the same request again is an idempotency hit.
    assert grew("analyzer", "sanad_cache_lookups_total", cache="idempotency", result="hit") >= 1
    assert grew("analyzer", "sanad_cache_lookups_total", cache="idempotency", result="miss") >= 1
    assert grew("analyzer", "sanad_provider_attempts_total", provider="openai", outcome="SUCCESS")
    # 2. Primary quota exceeded: quota denies openai, the request fails over to gemini.
    assert grew("quota", "sanad_quota_reservations_total", provider="openai", outcome="denied")
    assert grew("analyzer", "sanad_failovers_total", **{"from": "openai", "to": "gemini"}) >= 2
    assert grew(
        "analyzer", "sanad_provider_attempts_total", provider="openai", outcome="QUOTA_EXCEEDED"
    )
    assert value(after["quota"], "sanad_quota_used", provider="gemini", metric="requests") >= 1
    assert any(
        name == "sanad_quota_used_percent" and ("provider", "openai") in labels
        for name, labels in after["quota"]
    )
    # 3. Both providers failing: a degraded answer, then nothing.
    assert grew("analyzer", "sanad_cache_lookups_total", cache="degradation", result="hit") >= 1
    assert grew("analyzer", "sanad_cache_lookups_total", cache="degradation", result="miss") >= 1
    assert grew(
        "analyzer", "sanad_provider_attempts_total", provider="gemini", outcome="SERVICE_CRASH"
    )
    assert grew(
        "analyzer",
        "sanad_rpc_duration_seconds_count",
        method="/sanad.analyzer.v1.AnalyzerService/Analyze",
        code="UNAVAILABLE",
    )
    # 4. Primary crash: openai blacklisted, later requests straight to gemini.
    assert (
        grew(
            "health",
            "sanad_provider_blacklist_transitions_total",
            provider="openai",
            transition="blacklisted",
        )
        >= 1
    )
    assert value(after["health"], "sanad_provider_circuit_state", provider="openai", state="open")
    assert value(after["health"], "sanad_provider_success_rate", provider="gemini") == 1.0
    # Every scenario: provider calls measured under the GenAI semantic conventions.
    assert grew(
        "analyzer",
        "gen_ai_client_operation_duration_seconds_count",
        gen_ai_provider_name="openai",
        error_type="SERVICE_CRASH",
    )
    assert grew(
        "analyzer",
        "gen_ai_client_token_usage_sum",
        gen_ai_provider_name="gemini",
        gen_ai_token_type="output",
    )
    for component in COMPONENTS:
        assert grew(component, "sanad_rpc_duration_seconds_count") >= 1, component
