"""The whole suite as real processes (emulator, quota, health, analyzer) on free ports, once
per store, with every test starting from a clean state set through the public admin API."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import grpc
import pytest

from sanad.analyzer.v1 import analyzer_pb2, analyzer_pb2_grpc
from sanad.health.v1 import health_pb2, health_pb2_grpc
from sanad.quota.v1 import quota_pb2, quota_pb2_grpc
from sanad_emulator.control import EmulatorControl
from sanad_launcher.suite import NO_METRICS_PORTS, LocalSuite, SuitePorts, emulator_providers
from tests.support.waiting import eventually

ADMIN_TOKEN = "integration-admin-token"
ADMIN = (("authorization", f"Bearer {ADMIN_TOKEN}"),)
OPENAI_DAILY_REQUESTS = 3
"""The primary's daily requests: small enough for the quota scenario to spend through the API."""


@pytest.fixture(scope="module")
def suite_kinds() -> tuple[str, ...]:
    """The provider kinds of the suite, primary first (each provider is named after its kind);
    a module overrides it to run the same tests with another primary."""
    return ("openai", "gemini")


@pytest.fixture(scope="module")
def suite_env() -> dict[str, str]:
    """Extra settings of the suite's services; a module overrides it to tune them."""
    return {}


@pytest.fixture(scope="module", params=["sqlite", "redis"])
def suite(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    redis_url: str,
    suite_kinds: tuple[str, ...],
    suite_env: dict[str, str],
) -> Iterator[LocalSuite]:
    """The suite on one store; its logs land in the test's temp folder."""
    workdir = tmp_path_factory.mktemp(f"suite-{request.param}")
    store_url = f"sqlite:///{workdir}/sanad.db" if request.param == "sqlite" else redis_url
    ports = SuitePorts.free()
    emulator_url = f"http://127.0.0.1:{ports.emulator}"
    running = LocalSuite(
        store_url=store_url,
        ports=ports,
        log_dir=Path(workdir) / "logs",
        with_emulator=True,
        env={
            "SANAD_STORE_NAMESPACE": f"it-{request.param}-{workdir.name}",
            "SANAD_ADMIN_TOKEN": ADMIN_TOKEN,
            "SANAD_PROVIDERS": emulator_providers(
                emulator_url, {"daily_requests": OPENAI_DAILY_REQUESTS}, suite_kinds
            ),
            **NO_METRICS_PORTS,
            "SANAD_DEFAULT_DEADLINE": "20",
            **suite_env,
        },
    )
    with running:
        yield running


@dataclass
class Clients:
    """Async stubs of the three services and the emulator's control API."""

    analyzer: analyzer_pb2_grpc.AnalyzerServiceAsyncStub
    quota: quota_pb2_grpc.QuotaServiceAsyncStub
    health: health_pb2_grpc.ProviderHealthServiceAsyncStub
    emulator: EmulatorControl
    providers: tuple[str, ...]
    """The suite's providers, primary first."""

    @property
    def primary(self) -> str:
        """The primary provider."""
        return self.providers[0]

    async def provider_requests(self) -> dict[str, int]:
        """Requests each of the suite's providers has received from the emulator."""
        stats = await self.emulator.stats()
        return {name: stats[name].requests for name in self.providers}

    async def set_primary(self, provider: str) -> tuple[str, ...]:
        """Make provider the primary and wait until the analyzer follows health's new order.

        Health gives each replica the order with the next view it pushes, so a request sent
        the moment SetPrimaryProvider returns may still go by the old one; the analyzer's
        GetSystemHealth says which order it follows."""
        reply = await self.health.SetPrimaryProvider(
            health_pb2.SetPrimaryProviderRequest(provider=provider), metadata=ADMIN
        )
        await self.follows(reply.order)
        return tuple(reply.order)

    async def follows(self, order: Sequence[str]) -> None:
        """Wait until the analyzer follows this provider order."""

        async def followed() -> list[str]:
            rollup = await self.analyzer.GetSystemHealth(analyzer_pb2.GetSystemHealthRequest())
            return list(rollup.provider_order)

        await eventually(
            followed, lambda seen: seen == list(order), what=f"the analyzer following {order}"
        )


@pytest.fixture
async def clients(suite: LocalSuite, suite_kinds: tuple[str, ...]) -> AsyncIterator[Clients]:
    """Clients of a suite brought back to a clean state: no faults, no cached answers, zero
    quota use, every provider closed."""
    host = suite.host
    async with (
        grpc.aio.insecure_channel(suite.analyzer_target) as analyzer_channel,
        grpc.aio.insecure_channel(f"{host}:{suite.ports.quota}") as quota_channel,
        grpc.aio.insecure_channel(f"{host}:{suite.ports.health}") as health_channel,
        EmulatorControl(suite.emulator_url) as emulator,
    ):
        found = Clients(
            analyzer=analyzer_pb2_grpc.AnalyzerServiceStub(analyzer_channel),
            quota=quota_pb2_grpc.QuotaServiceStub(quota_channel),
            health=health_pb2_grpc.ProviderHealthServiceStub(health_channel),
            emulator=emulator,
            providers=suite_kinds,
        )
        await emulator.reset()
        await found.analyzer.ClearCache(
            analyzer_pb2.ClearCacheRequest(include_idempotency=True), metadata=ADMIN
        )
        for provider in suite_kinds:
            await found.quota.ResetQuota(
                quota_pb2.ResetQuotaRequest(provider=provider), metadata=ADMIN
            )
            await found.health.ResetProvider(
                health_pb2.ResetProviderRequest(provider=provider), metadata=ADMIN
            )
        await found.set_primary(found.primary)
        yield found
