"""Security and tenancy through the public API of the real processes: TLS on every link (quota
and health require the suite's certificate), tenants who are who their key says, their own
quotas, and bad bytes refused cleanly by all three services."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import grpc
import pytest
from google.rpc import error_details_pb2

from sanad.analyzer.v1 import analyzer_pb2, analyzer_pb2_grpc
from sanad.health.v1 import health_pb2, health_pb2_grpc
from sanad.quota.v1 import quota_pb2, quota_pb2_grpc
from sanad_client import Tls, decode_error, open_aio_channel
from sanad_common.errors import status_details
from sanad_emulator.control import EmulatorControl
from sanad_launcher.certificates import SuiteTls, suite_tls
from sanad_launcher.suite import NO_METRICS_PORTS, LocalSuite, SuitePorts, emulator_providers
from tests.integration.test_scenarios import RETURN_POLICY, analyze_request
from tests.support.manifests import kustomized
from tests.support.services import error_reason
from tests.support.tenants import KeyedTenant, write_tenants_file
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration

ADMIN_TOKEN = "security-admin-token"
ADMIN = (("authorization", f"Bearer {ADMIN_TOKEN}"),)
SHOP_A = KeyedTenant("shop-a", limits={"hourly_requests": 3})
SHOP_B = KeyedTenant("shop-b")
PROVIDERS = ("openai", "gemini")


@dataclass(frozen=True)
class SecureSuite:
    suite: LocalSuite
    tls: SuiteTls

    def target(self, name: str) -> str:
        return f"{self.suite.host}:{getattr(self.suite.ports, name)}"

    @property
    def server_tls(self) -> Tls:
        """TLS that verifies the services, with no client certificate."""
        return Tls(ca_file=self.tls.ca_file)

    @property
    def suite_certificate(self) -> Tls:
        """TLS presenting the suite's own certificate, as the analyzer does."""
        return Tls(self.tls.ca_file, self.tls.leaf.cert_file, self.tls.leaf.key_file)

    def logs(self) -> dict[str, str]:
        assert self.suite.log_dir is not None
        return {
            name: (self.suite.log_dir / f"{name}.log").read_text(errors="replace")
            for name in ("analyzer", "quota", "health")
        }


@pytest.fixture(scope="module")
def secure(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SecureSuite]:
    workdir = tmp_path_factory.mktemp("secure-suite")
    tls = suite_tls(workdir / "tls")
    tenants = write_tenants_file(workdir / "tenants.toml", SHOP_A, SHOP_B)
    ports = SuitePorts.free()
    suite = LocalSuite(
        store_url=f"sqlite:///{workdir}/sanad.db",
        ports=ports,
        log_dir=workdir / "logs",
        with_emulator=True,
        env={
            **tls.env("optional"),
            "SANAD_TENANTS_FILE": str(tenants),
            "SANAD_ADMIN_TOKEN": ADMIN_TOKEN,
            "SANAD_PROVIDERS": emulator_providers(f"http://127.0.0.1:{ports.emulator}"),
            **NO_METRICS_PORTS,
            "SANAD_DEFAULT_DEADLINE": "20",
        },
        service_env_overrides={
            name: {"SANAD_TLS_CLIENT_AUTH": "require"} for name in ("quota", "health")
        },
    )
    with suite:
        yield SecureSuite(suite, tls)


@dataclass
class Callers:
    shop_a: analyzer_pb2_grpc.AnalyzerServiceAsyncStub
    shop_b: analyzer_pb2_grpc.AnalyzerServiceAsyncStub
    anonymous: analyzer_pb2_grpc.AnalyzerServiceAsyncStub
    quota: quota_pb2_grpc.QuotaServiceAsyncStub
    emulator: EmulatorControl

    async def provider_requests(self) -> int:
        stats = await self.emulator.stats()
        return sum(stats[name].requests for name in PROVIDERS)


@pytest.fixture
async def callers(secure: SecureSuite) -> AsyncIterator[Callers]:
    """Tenant clients over TLS, and a quota client with the suite's certificate; every tenant's
    and provider's counters reset, every circuit closed, faults and caches cleared."""
    analyzer = secure.target("analyzer")
    async with contextlib.AsyncExitStack() as stack:
        channels = [
            await stack.enter_async_context(
                open_aio_channel(analyzer, tls=secure.server_tls, tenant_key=key)
            )
            for key in (SHOP_A.key, SHOP_B.key, None)
        ]
        quota_channel = await stack.enter_async_context(
            open_aio_channel(secure.target("quota"), tls=secure.suite_certificate)
        )
        health_channel = await stack.enter_async_context(
            open_aio_channel(secure.target("health"), tls=secure.suite_certificate)
        )
        health = health_pb2_grpc.ProviderHealthServiceStub(health_channel)
        emulator = await stack.enter_async_context(EmulatorControl(secure.suite.emulator_url))
        shop_a, shop_b, anonymous = (
            analyzer_pb2_grpc.AnalyzerServiceStub(channel) for channel in channels
        )
        found = Callers(
            shop_a=shop_a,
            shop_b=shop_b,
            anonymous=anonymous,
            quota=quota_pb2_grpc.QuotaServiceStub(quota_channel),
            emulator=emulator,
        )
        await emulator.reset()
        await found.anonymous.ClearCache(
            analyzer_pb2.ClearCacheRequest(include_idempotency=True), metadata=ADMIN
        )
        for tenant in (SHOP_A, SHOP_B):
            await found.quota.ResetQuota(
                quota_pb2.ResetQuotaRequest(tenant=tenant.id), metadata=ADMIN
            )
        for provider in PROVIDERS:
            await found.quota.ResetQuota(
                quota_pb2.ResetQuotaRequest(provider=provider), metadata=ADMIN
            )
            await health.ResetProvider(
                health_pb2.ResetProviderRequest(provider=provider), metadata=ADMIN
            )
        yield found


def _unique(text: str, tag: str) -> analyzer_pb2.AnalyzeRequest:
    return analyze_request(f"{text} ({tag})")


async def test_plaintext_is_refused_and_a_verified_tls_call_gets_a_fresh_answer(
    secure: SecureSuite, callers: Callers
) -> None:
    async with grpc.aio.insecure_channel(secure.target("analyzer")) as plaintext:
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await analyzer_pb2_grpc.AnalyzerServiceStub(plaintext).Analyze(
                analyze_request(RETURN_POLICY), metadata=SHOP_A.bearer, timeout=10
            )

    fresh = await callers.shop_a.Analyze(_unique(RETURN_POLICY, "tls"), timeout=30)

    assert refused.value.code() == grpc.StatusCode.UNAVAILABLE
    assert fresh.source == analyzer_pb2.SOURCE_FRESH
    assert not fresh.quota_accounted_locally  # quota, which requires mTLS, served the analyzer


async def test_quota_requires_a_suite_certificate(secure: SecureSuite, callers: Callers) -> None:
    asked = quota_pb2.GetUsageRequest()
    async with open_aio_channel(secure.target("quota"), tls=secure.server_tls) as channel:
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await quota_pb2_grpc.QuotaServiceStub(channel).GetUsage(asked, timeout=10)

    served = await callers.quota.GetUsage(asked, timeout=10)

    assert refused.value.code() == grpc.StatusCode.UNAVAILABLE
    assert [usage.provider for usage in served.providers] == list(PROVIDERS)


async def test_a_tenant_is_who_its_key_says(callers: Callers) -> None:
    codes = {}
    for name, call in (
        ("no key", callers.anonymous.Analyze(analyze_request(RETURN_POLICY), timeout=10)),
        (
            "another tenant_id",
            callers.shop_b.Analyze(analyze_request(RETURN_POLICY, tenant_id="shop-a"), timeout=10),
        ),
        (
            "no key, get",
            callers.anonymous.GetAnalysis(
                analyzer_pb2.GetAnalysisRequest(analysis_id="x"), timeout=10
            ),
        ),
    ):
        with pytest.raises(grpc.aio.AioRpcError) as raised:
            await call
        codes[name] = (raised.value.code(), error_reason(raised.value))

    assert codes == {
        "no key": (grpc.StatusCode.UNAUTHENTICATED, "TENANT_KEY_MISSING"),
        "another tenant_id": (grpc.StatusCode.PERMISSION_DENIED, "TENANT_MISMATCH"),
        "no key, get": (grpc.StatusCode.UNAUTHENTICATED, "TENANT_KEY_MISSING"),
    }
    own = await callers.shop_a.Analyze(
        analyze_request(RETURN_POLICY, tenant_id="shop-a"), timeout=30
    )
    assert own.source == analyzer_pb2.SOURCE_FRESH


async def test_no_tenant_reads_replays_or_is_served_another_tenants_analysis(
    callers: Callers,
) -> None:
    text = f"{RETURN_POLICY} (only shop-a's)"
    mine = await callers.shop_a.Analyze(
        analyze_request(text, idempotency_key="a-key-1"), timeout=30
    )

    lookups = [
        analyzer_pb2.GetAnalysisRequest(analysis_id=mine.analysis_id),
        analyzer_pb2.GetAnalysisRequest(idempotency_key="a-key-1"),
    ]
    codes = []
    for lookup in lookups:
        with pytest.raises(grpc.aio.AioRpcError) as raised:
            await callers.shop_b.GetAnalysis(lookup, timeout=10)
        codes.append(raised.value.code())
    replay = await callers.shop_b.Analyze(
        analyze_request(text, idempotency_key="a-key-1"), timeout=30
    )
    for provider in PROVIDERS:
        await callers.emulator.inject(provider, "server_error", status=503)
    during_outage = await callers.shop_b.Analyze(analyze_request(text), timeout=30)
    await callers.emulator.clear()
    own = await callers.shop_a.GetAnalysis(lookups[0], timeout=10)

    assert codes == [grpc.StatusCode.NOT_FOUND, grpc.StatusCode.NOT_FOUND]
    assert replay.source == analyzer_pb2.SOURCE_FRESH  # shop-b's own answer, not a replay
    assert replay.analysis_id != mine.analysis_id
    assert during_outage.source == analyzer_pb2.SOURCE_DEGRADED_SIMILAR
    assert during_outage.degraded_from.analysis_id == replay.analysis_id  # its own, never a's
    assert own.result.analysis_id == mine.analysis_id


async def test_a_tenant_over_its_hourly_requests_is_refused_before_any_provider(
    callers: Callers,
) -> None:
    answered = [
        await callers.shop_a.Analyze(_unique(RETURN_POLICY, f"quota {index}"), timeout=30)
        for index in range(3)
    ]
    before = await callers.provider_requests()
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await callers.shop_a.Analyze(_unique(RETURN_POLICY, "quota 4"), timeout=30)
    after = await callers.provider_requests()
    other = await callers.shop_b.Analyze(_unique(RETURN_POLICY, "quota b"), timeout=30)

    assert [answer.source for answer in answered] == [analyzer_pb2.SOURCE_FRESH] * 3
    assert refused.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
    assert after == before
    rich = decode_error(refused.value)
    assert rich.reason == "TENANT_QUOTA_EXCEEDED"
    assert [violation.subject for violation in rich.quota_violations] == [
        "tenants/shop-a/windows/hour/metrics/requests"
    ]
    assert rich.retry_delay is not None and rich.retry_delay > 0
    assert other.source == analyzer_pb2.SOURCE_FRESH
    usage = await callers.quota.GetUsage(quota_pb2.GetUsageRequest(tenant="shop-a"))
    hour = next(
        window
        for window in usage.tenants[0].windows
        if (window.window, window.metric) == (quota_pb2.WINDOW_HOUR, quota_pb2.METRIC_REQUESTS)
    )
    assert (hour.used, hour.limit) == (3, 3)


async def test_admin_rpcs_take_the_admin_token_not_a_tenant_key(
    secure: SecureSuite, callers: Callers
) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await callers.shop_a.ClearCache(analyzer_pb2.ClearCacheRequest(), timeout=10)

    # The audit line is written once the call has ended, so possibly after the caller has heard.
    await eventually(
        lambda: asyncio.to_thread(secure.logs),
        lambda logs: any(
            '"admin action"' in line and '"UNAUTHENTICATED"' in line and "ClearCache" in line
            for line in logs["analyzer"].splitlines()
        ),
        what="the audit line of the refused ClearCache",
    )
    assert refused.value.code() == grpc.StatusCode.UNAUTHENTICATED
    assert "tenant keys required" in secure.logs()["analyzer"]
    assert SHOP_A.key not in secure.logs()["analyzer"]
    assert hashlib.sha256(SHOP_A.key.encode()).hexdigest() not in secure.logs()["analyzer"]


async def test_undecodable_bytes_are_invalid_argument_on_all_three_services(
    secure: SecureSuite,
) -> None:
    garbage = b"\x0a\xff\xff\xff\xff"
    methods = {
        "analyzer": "/sanad.analyzer.v1.AnalyzerService/Analyze",
        "quota": "/sanad.quota.v1.QuotaService/Reserve",
        "health": "/sanad.health.v1.ProviderHealthService/ReportOutcome",
    }
    codes = {}
    for name, method in methods.items():
        async with open_aio_channel(secure.target(name), tls=secure.suite_certificate) as channel:
            call: grpc.aio.UnaryUnaryMultiCallable[bytes, bytes] = channel.unary_unary(method)
            with pytest.raises(grpc.aio.AioRpcError) as raised:
                await call(garbage, timeout=10)
            codes[name] = raised.value.code()
            details = status_details(raised.value)
            assert details is not None and details.message.startswith("the request does not")
            info = error_details_pb2.ErrorInfo()
            assert details.details[0].Unpack(info) and info.reason == "UNDECODABLE_REQUEST"

    assert set(codes.values()) == {grpc.StatusCode.INVALID_ARGUMENT}
    for name, text in secure.logs().items():
        assert "Traceback" not in text, name
        assert "undecodable request refused" in text, name


def _probe(
    command: list[str], port: int, files: dict[str, Path]
) -> subprocess.CompletedProcess[str]:
    """A probe command of the manifests run here: the pod's mounted files and port replaced by
    the suite's."""
    probe = shutil.which(command[0])
    assert probe, f"{command[0]} is needed (make .venv/go-bin/grpc-health-probe, on PATH)"
    arguments = []
    for argument in command[1:]:
        flag, _, value = argument.partition("=")
        if flag == "-addr":
            value = f"127.0.0.1:{port}"
        arguments.append(f"{flag}={files.get(value, value)}" if value else flag)
    return subprocess.run(
        [probe, *arguments], capture_output=True, text=True, timeout=60, check=False
    )


async def test_the_tls_manifests_probes_pass_over_tls_and_fail_without_it(
    secure: SecureSuite, callers: Callers
) -> None:
    """deploy/k8s-tls's readiness probes, as a pod runs them, against the real TLS services."""
    objects = await asyncio.to_thread(kustomized, "deploy/k8s-tls")
    files = {
        "/etc/sanad/tls/ca.crt": secure.tls.ca_file,
        "/etc/sanad/tls/tls.crt": secure.tls.leaf.cert_file,
        "/etc/sanad/tls/tls.key": secure.tls.leaf.key_file,
    }
    for name in ("analyzer", "quota", "health"):
        (container,) = objects[("Deployment", name)]["containers"]
        command = container["readiness"]["command"]
        port = getattr(secure.suite.ports, name)
        without_certificate = [arg for arg in command if not arg.startswith("-tls-client")]
        plaintext = [arg for arg in command if not arg.startswith("-tls")]

        passed = await asyncio.to_thread(_probe, command, port, files)
        anonymous = await asyncio.to_thread(_probe, without_certificate, port, files)
        refused = await asyncio.to_thread(_probe, plaintext, port, files)

        assert passed.returncode == 0 and "status: SERVING" in passed.stderr, (name, passed.stderr)
        assert refused.returncode != 0, name
        assert (anonymous.returncode == 0) is (name == "analyzer"), (name, anonymous.stderr)


def test_the_key_hashes_on_disk_are_not_keys(secure: SecureSuite) -> None:
    assert secure.suite.env.get("SANAD_TENANTS_FILE")
    content = Path(secure.suite.env["SANAD_TENANTS_FILE"]).read_text()
    assert SHOP_A.key not in content and SHOP_B.key not in content


def _cli(secure: SecureSuite, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
    """The installed ``sanad`` command against the secure suite, over TLS with the suite's
    certificate (which quota and health require)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("SANAD_")}
    env.update(
        SANAD_ANALYZER_TARGET=secure.target("analyzer"),
        SANAD_QUOTA_TARGET=secure.target("quota"),
        SANAD_HEALTH_TARGET=secure.target("health"),
        SANAD_TLS_CA_FILE=str(secure.tls.ca_file),
        SANAD_TLS_CERT_FILE=str(secure.tls.leaf.cert_file),
        SANAD_TLS_KEY_FILE=str(secure.tls.leaf.key_file),
        COLUMNS="200",
        **extra,
    )
    return subprocess.run(
        [str(Path(sys.executable).parent / "sanad"), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


async def test_the_cli_runs_over_tls_with_a_tenant_key(
    secure: SecureSuite, callers: Callers, tmp_path: Path
) -> None:
    policy = tmp_path / "policy.txt"
    policy.write_text(f"{RETURN_POLICY} (from the cli)")

    analysed = await asyncio.to_thread(
        _cli, secure, "analyze", str(policy), "--json", SANAD_TENANT_KEY=SHOP_B.key
    )
    keyless = await asyncio.to_thread(_cli, secure, "analyze", str(policy))
    usage = await asyncio.to_thread(_cli, secure, "quota", "--tenants", "--json")

    assert analysed.returncode == 0, analysed.stderr
    assert json.loads(analysed.stdout)["source"] == "SOURCE_FRESH"
    assert keyless.returncode == 1 and "UNAUTHENTICATED" in keyless.stderr
    assert usage.returncode == 0, usage.stderr
    tenants = {entry["tenant"] for entry in json.loads(usage.stdout)["tenants"]}
    assert tenants == {"shop-a", "shop-b"}
