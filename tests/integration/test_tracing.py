"""One Analyze through the real services makes one trace: the analyzer's and quota's spans
(RPCs, store calls, cache operations, the provider attempt) share its trace id, sent over OTLP
to a receiver started by the test."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from pathlib import Path

import grpc
import pytest

from sanad.analyzer.v1 import analyzer_pb2, analyzer_pb2_grpc
from sanad_launcher.suite import NO_METRICS_PORTS, LocalSuite, SuitePorts
from sanad_launcher.trace_sink import ReceivedSpan, TraceSink
from tests.integration.test_scenarios import RETURN_POLICY, analyze_request

pytestmark = pytest.mark.integration

ANALYZE = "/sanad.analyzer.v1.AnalyzerService/Analyze"


@pytest.fixture
async def traced_suite(tmp_path: Path) -> AsyncIterator[tuple[LocalSuite, TraceSink]]:
    """The suite exporting every span over OTLP to a sink of this test."""
    with (
        TraceSink() as sink,
        LocalSuite(
            store_url=f"sqlite:///{tmp_path}/sanad.db",
            ports=SuitePorts.free(),
            log_dir=tmp_path / "logs",
            with_emulator=True,
            env={
                "OTEL_TRACES_EXPORTER": "otlp",
                "OTEL_EXPORTER_OTLP_ENDPOINT": sink.endpoint,
                "OTEL_EXPORTER_OTLP_INSECURE": "true",
                "OTEL_BSP_SCHEDULE_DELAY": "100",
                **NO_METRICS_PORTS,
            },
        ) as suite,
    ):
        yield suite, sink


def _trace_of_analyze(spans: Sequence[ReceivedSpan]) -> list[ReceivedSpan]:
    roots = [s for s in spans if s.name == ANALYZE and s.service == "sanad-analyzer"]
    if not roots:
        return []
    return [s for s in spans if s.trace_id == roots[0].trace_id]


def _complete(spans: Sequence[ReceivedSpan]) -> bool:
    """The analyzer's root arrived and quota's last server span too."""
    seen = {(s.service, s.name) for s in _trace_of_analyze(spans)}
    return ("sanad-quota", "/sanad.quota.v1.QuotaService/Settle") in seen


async def test_one_analyze_is_one_trace_across_the_services(
    traced_suite: tuple[LocalSuite, TraceSink],
) -> None:
    suite, sink = traced_suite
    async with grpc.aio.insecure_channel(suite.analyzer_target) as channel:
        analyzer = analyzer_pb2_grpc.AnalyzerServiceStub(channel)
        response = await analyzer.Analyze(analyze_request(RETURN_POLICY), timeout=30)

    spans = _trace_of_analyze(await asyncio.to_thread(sink.wait_for, _complete))
    by_service: dict[str, set[str]] = {}
    for span in spans:
        by_service.setdefault(span.service, set()).add(span.name)

    assert response.source == analyzer_pb2.SOURCE_FRESH
    # Health is not asked on a routine fresh request (the order comes from the view it pushes
    # and the success report goes in a later batch, outside any request's trace), unless this
    # first request beat the view's first snapshot.
    assert (
        {"sanad-analyzer", "sanad-quota"}
        <= by_service.keys()
        <= {
            "sanad-analyzer",
            "sanad-quota",
            "sanad-health",
        }
    )
    assert {
        "/sanad.quota.v1.QuotaService/Reserve",
        "cache idempotency get",
        "provider openai",
        "store get",
    } <= by_service["sanad-analyzer"]
    assert {"/sanad.quota.v1.QuotaService/Reserve", "/sanad.quota.v1.QuotaService/Settle"} <= (
        by_service["sanad-quota"]
    )
    assert any(name.startswith("store ") for name in by_service["sanad-quota"])
    (attempt,) = [s for s in spans if s.name == "provider openai"]
    assert attempt.attributes["gen_ai.provider.name"] == "openai"
    assert attempt.attributes["gen_ai.usage.input_tokens"] == response.token_usage.prompt_tokens
    assert attempt.attributes["gen_ai.usage.output_tokens"] == (
        response.token_usage.completion_tokens
    )
    (root,) = [s for s in spans if s.name == ANALYZE and s.service == "sanad-analyzer"]
    assert root.parent_span_id == ""
    assert all(s.parent_span_id for s in spans if s is not root), "every other span has a parent"


async def test_a_failed_attempt_span_carries_its_error_class(
    traced_suite: tuple[LocalSuite, TraceSink],
) -> None:
    from sanad_emulator.control import EmulatorControl

    suite, sink = traced_suite
    async with EmulatorControl(suite.emulator_url) as emulator:
        await emulator.inject("openai", "server_error", status=503, count=1)
    async with grpc.aio.insecure_channel(suite.analyzer_target) as channel:
        analyzer = analyzer_pb2_grpc.AnalyzerServiceStub(channel)
        response = await analyzer.Analyze(analyze_request(RETURN_POLICY), timeout=30)

    spans = _trace_of_analyze(
        await asyncio.to_thread(
            sink.wait_for,
            lambda s: any(x.name == "provider gemini" for x in _trace_of_analyze(s)),
        )
    )
    errors = {
        s.name: s.attributes.get("error.type") for s in spans if s.name.startswith("provider")
    }

    assert response.provider == "gemini"
    assert errors == {"provider openai": "SERVICE_CRASH", "provider gemini": None}
