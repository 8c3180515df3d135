"""Hypothesis fuzzing of every RPC of every service, on the real processes.

Each RPC gets random and mutated request bytes built from its message's descriptor (wrong
field types, oversized strings, invalid UTF-8, unknown enum values and fields, huge repeated
fields, deep nesting) and random raw bytes, sent with the credentials a real caller has (the
tenant key, the admin token) so requests that decode reach the handlers. Every answer must be
a clear status, never UNKNOWN or INTERNAL; afterwards no process has died, no traceback was
logged, and the providers received exactly the calls the answered analyses list.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, cast

import grpc
import pytest
from google.protobuf.descriptor import MethodDescriptor
from grpc_health.v1 import health_pb2 as grpc_health_pb2
from grpc_reflection.v1alpha import reflection_pb2
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sanad.analyzer.v1 import analyzer_pb2
from sanad.health.v1 import health_pb2
from sanad.quota.v1 import quota_pb2
from sanad_emulator.control import EmulatorControl
from sanad_launcher.suite import NO_METRICS_PORTS, LocalSuite, SuitePorts, emulator_providers
from tests.fuzz.report import REPORT, Aftermath
from tests.fuzz.wire import request_bytes
from tests.support.tenants import KeyedTenant, write_tenants_file
from tests.support.waiting import eventually

pytestmark = [pytest.mark.integration, pytest.mark.timeout(600)]

EXAMPLES_PER_RPC = 100
"""Messages each RPC is sent (about 3,300 in all)."""
UNCLEAR = frozenset({grpc.StatusCode.UNKNOWN, grpc.StatusCode.INTERNAL})
ADMIN_TOKEN = "fuzz-admin-token"
TENANT = KeyedTenant("fuzz-shop")
CALL_TIMEOUT = 20.0
WATCH_TIMEOUT = 0.2
"""How long a watch that has nothing to say yet is listened to."""
TENANT_METHODS = frozenset({"Analyze", "AnalyzeStream", "GetAnalysis"})
ADMIN_METHODS = frozenset(
    {"ClearCache", "GetCacheStats", "ResetQuota", "SetPrimaryProvider", "ResetProvider"}
)
SERVICES = {
    "analyzer": analyzer_pb2.DESCRIPTOR.services_by_name["AnalyzerService"],
    "quota": quota_pb2.DESCRIPTOR.services_by_name["QuotaService"],
    "health": health_pb2.DESCRIPTOR.services_by_name["ProviderHealthService"],
}
EVERY_SERVER = (
    grpc_health_pb2.DESCRIPTOR.services_by_name["Health"],
    reflection_pb2.DESCRIPTOR.services_by_name["ServerReflection"],
)
"""Services every process serves beside its own."""


def _analysis(number: int) -> analyzer_pb2.AnalyzeRequest:
    """A valid analysis request; each number a new text, so a provider answers it fresh."""
    return analyzer_pb2.AnalyzeRequest(
        policy_type=analyzer_pb2.POLICY_TYPE_RETURN_EXCHANGE,
        policy_text=f"Returns are accepted within 3 days of delivery (clause {number}).",
        shop_name="Fuzz",
    )


def _valid_bases() -> dict[str, st.SearchStrategy[bytes]]:
    """Valid requests of each message that needs fields to get past validation."""
    spend = quota_pb2.LocalSpend(spend_id="s", provider="openai", requests=1, tokens=5)
    spend.spent_at.GetCurrentTime()
    outcome = health_pb2.ReportOutcomeRequest(provider="openai", success=True)
    examples = [
        analyzer_pb2.GetAnalysisRequest(analysis_id="0" * 32),
        quota_pb2.ReserveRequest(provider="openai", estimated_tokens=10, tenant=TENANT.id),
        quota_pb2.CommitRequest(reservation_id="openai.0", actual_tokens=1),
        quota_pb2.ReleaseRequest(reservation_id="openai.0"),
        quota_pb2.SettleRequest(
            settlements=[quota_pb2.Settlement(reservation_id="openai.0", release=True)]
        ),
        quota_pb2.RecordUsageRequest(spends=[spend]),
        quota_pb2.GetUsageRequest(provider="openai", tenant=TENANT.id),
        quota_pb2.ResetQuotaRequest(provider="openai"),
        quota_pb2.WatchUsageRequest(provider="openai", include_current=True),
        outcome,
        health_pb2.ReportOutcomesRequest(outcomes=[outcome]),
        health_pb2.SetPrimaryProviderRequest(provider="openai"),
        health_pb2.ResetProviderRequest(provider="openai"),
    ]
    bases = {
        example.DESCRIPTOR.full_name: st.just(example.SerializeToString()) for example in examples
    }
    numbers = st.integers(0, 10**9)
    bases["sanad.analyzer.v1.AnalyzeRequest"] = numbers.map(
        lambda number: _analysis(number).SerializeToString()
    )
    bases["sanad.analyzer.v1.AnalyzeStreamRequest"] = numbers.map(
        lambda number: analyzer_pb2.AnalyzeStreamRequest(
            request=_analysis(number)
        ).SerializeToString()
    )
    return bases


BASES = _valid_bases()


@dataclass(frozen=True)
class Rpc:
    """One RPC of one process."""

    process: str
    method: MethodDescriptor

    @property
    def path(self) -> str:
        return f"/{self.method.containing_service.full_name}/{self.method.name}"

    @property
    def name(self) -> str:
        return f"{self.process} {self.method.containing_service.name}.{self.method.name}"

    @property
    def metadata(self) -> tuple[tuple[str, str], ...]:
        if self.process == "analyzer" and self.method.name in TENANT_METHODS:
            return TENANT.bearer
        if self.method.name in ADMIN_METHODS:
            return (("authorization", f"Bearer {ADMIN_TOKEN}"),)
        return ()


RPCS = [
    # grpc_health's and grpc_reflection's modules type their descriptors as either kind.
    Rpc(process, cast(MethodDescriptor, method))
    for process, service in SERVICES.items()
    for served in (service, *EVERY_SERVER)
    for method in served.methods
]


@pytest.fixture(scope="module")
def suite(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalSuite]:
    """The suite on SQLite with a tenants file, an admin token and no quota limit (so every
    analysis that is valid is answered by a provider, and counted)."""
    workdir = tmp_path_factory.mktemp("fuzz-suite")
    ports = SuitePorts.free()
    with LocalSuite(
        store_url=f"sqlite:///{workdir}/sanad.db",
        ports=ports,
        log_dir=workdir / "logs",
        with_emulator=True,
        env={
            "SANAD_TENANTS_FILE": str(write_tenants_file(workdir / "tenants.toml", TENANT)),
            "SANAD_ADMIN_TOKEN": ADMIN_TOKEN,
            "SANAD_PROVIDERS": emulator_providers(f"http://127.0.0.1:{ports.emulator}"),
            "MAX_DAILY_REQUESTS": "-1",
            "MAX_DAILY_TOKENS": "-1",
            "MAX_HOURLY_REQUESTS": "-1",
            "MAX_HOURLY_TOKENS": "-1",
            **NO_METRICS_PORTS,
            "SANAD_DEFAULT_DEADLINE": "15",
        },
    ) as running:
        yield running


@pytest.fixture(scope="module")
def channels(suite: LocalSuite) -> Iterator[dict[str, grpc.Channel]]:
    opened = {
        name: grpc.insecure_channel(f"{suite.host}:{getattr(suite.ports, name)}")
        for name in SERVICES
    }
    yield opened
    for channel in opened.values():
        channel.close()


def _provider_calls(method: str, answers: list[bytes]) -> int:
    """Provider attempts the answered analyses list (each is one request to a provider)."""
    if method == "Analyze":
        return sum(len(analyzer_pb2.AnalyzeResponse.FromString(data).attempts) for data in answers)
    if method == "AnalyzeStream":
        results = [analyzer_pb2.AnalyzeStreamResponse.FromString(data) for data in answers]
        return sum(len(item.result.attempts) for item in results if item.HasField("result"))
    return 0


def _call(channel: grpc.Channel, rpc: Rpc, data: bytes) -> tuple[grpc.StatusCode, list[bytes]]:
    """Send the bytes as they are; the status the call ended with and the messages it got."""
    method = rpc.method
    try:
        if method.client_streaming:
            both: grpc.StreamStreamMultiCallable[bytes, bytes] = channel.stream_stream(rpc.path)
            return grpc.StatusCode.OK, [next(both(iter([data]), timeout=WATCH_TIMEOUT * 5))]
        if method.server_streaming:
            endless = method.name.startswith("Watch")
            stream: grpc.UnaryStreamMultiCallable[bytes, bytes] = channel.unary_stream(rpc.path)
            replies = stream(
                data, metadata=rpc.metadata, timeout=WATCH_TIMEOUT if endless else CALL_TIMEOUT
            )
            return grpc.StatusCode.OK, [next(replies)] if endless else list(replies)
        unary: grpc.UnaryUnaryMultiCallable[bytes, bytes] = channel.unary_unary(rpc.path)
        return grpc.StatusCode.OK, [unary(data, metadata=rpc.metadata, timeout=CALL_TIMEOUT)]
    except grpc.RpcError as error:
        # Every RpcError a call raises is also a grpc.Call; typeshed keeps them apart.
        failed: Any = error
        code: grpc.StatusCode = failed.code()
        return code, []
    except StopIteration:
        return grpc.StatusCode.OK, []


@pytest.mark.parametrize("rpc", RPCS, ids=[rpc.name for rpc in RPCS])
def test_every_answer_is_a_clear_status(
    rpc: Rpc, channels: dict[str, grpc.Channel], suite: LocalSuite
) -> None:
    channel = channels[rpc.process]
    descriptor = rpc.method.input_type

    @settings(
        max_examples=EXAMPLES_PER_RPC,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(request_bytes(descriptor, BASES.get(descriptor.full_name)))
    def one(data: bytes) -> None:
        code, answers = _call(channel, rpc, data)
        REPORT.record(rpc.name, code, _provider_calls(rpc.method.name, answers))
        assert code not in UNCLEAR, f"{rpc.name} answered {code.name} to {data[:200]!r}"

    one()
    for name, pid in suite.pids().items():
        assert _alive(pid), f"{name} died while {rpc.name} was fuzzed"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _logs(suite: LocalSuite) -> dict[str, str]:
    assert suite.log_dir is not None
    return {path.stem: path.read_text(errors="replace") for path in suite.log_dir.glob("*.log")}


async def test_no_process_died_no_traceback_and_no_provider_asked_by_an_invalid_request(
    suite: LocalSuite,
) -> None:
    assert REPORT.messages(), "the fuzzing tests above did not run"
    async with EmulatorControl(suite.emulator_url) as emulator:

        async def received() -> int:
            return sum(stats.requests for stats in (await emulator.stats()).values())

        # Reports of the calls the fuzzing made may still be on their way to the emulator.
        counted = await eventually(
            received,
            lambda seen: seen >= REPORT.provider_calls,
            what="the provider calls the fuzzing made",
        )
    logs = _logs(suite)
    REPORT.aftermath = Aftermath(
        died=tuple(name for name, pid in suite.pids().items() if not _alive(pid)),
        tracebacks={
            name: text.count("Traceback") + text.count('"exception"') for name, text in logs.items()
        },
    )

    assert REPORT.aftermath.died == ()
    for name, text in logs.items():
        assert "Traceback" not in text, f"{name} logged a traceback"
        assert '"exception"' not in text, f"{name} logged an exception"
    assert counted == REPORT.provider_calls
