"""The analyzer's health client against a real health service: the order answered from the
pushed view without a call per request, reports sent in batches off the request path, and a
crash kept out here at once, then for as long as health keeps the provider out."""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import grpc
from pydantic import SecretStr

from sanad.health.v1 import health_pb2, health_pb2_grpc
from sanad_analyzer.downstream.health import HealthGateway
from sanad_analyzer.ports import AttemptOutcome
from sanad_common.config import Settings
from sanad_common.error_class import ErrorClass
from sanad_common.server import start_server
from sanad_health.app import build_app
from tests.support.services import admin_metadata
from tests.support.waiting import eventually

ORDER = ("openai", "gemini")
ADMIN_TOKEN = "gateway-test-token"


class CallCounter(grpc.aio.UnaryUnaryClientInterceptor):
    """Counts the unary calls a channel makes, by method name (observes, changes nothing)."""

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()

    async def intercept_unary_unary(
        self,
        continuation: Callable[[Any, Any], Awaitable[Any]],
        client_call_details: grpc.aio.ClientCallDetails,
        request: Any,
    ) -> Any:
        method = client_call_details.method
        name = method.decode() if isinstance(method, bytes) else str(method)
        self.calls[name.rsplit("/", 1)[-1]] += 1
        return await continuation(client_call_details, request)


@contextlib.asynccontextmanager
async def health_service(
    tmp_path: Path, **overrides: Any
) -> AsyncIterator[tuple[grpc.aio.Channel, CallCounter]]:
    """A real health service in this process, and a counted channel to it."""
    settings = Settings(
        host="127.0.0.1",
        store_url=f"sqlite:///{tmp_path}/store.db",
        admin_token=SecretStr(ADMIN_TOKEN),
        **overrides,
    )
    async with build_app(settings) as app:
        server = await start_server(
            component="health",
            services=app.services,
            port=0,
            settings=settings,
            readiness_check=app.readiness_check,
        )
        counter = CallCounter()
        async with grpc.aio.insecure_channel(
            f"127.0.0.1:{server.port}", interceptors=[counter]
        ) as channel:
            yield channel, counter
        await server.stop(grace=0)


async def until(check: Callable[[], Awaitable[bool]]) -> None:
    """Poll check() until it holds; fail the test if it does not within the bound."""
    await eventually(check, bool, what=getattr(check, "__name__", "the condition"))


async def view_is_live(gateway: HealthGateway, counter: CallCounter) -> None:
    """Ask until an order comes without a call to GetProviderOrder (the view is live)."""

    async def answered_locally() -> bool:
        before = counter.calls["GetProviderOrder"]
        await gateway.provider_order(None)
        return counter.calls["GetProviderOrder"] == before

    await until(answered_locally)


async def test_the_order_comes_from_the_pushed_view_without_a_call_per_request(
    tmp_path: Path,
) -> None:
    async with health_service(tmp_path) as (channel, counter):
        gateway = HealthGateway(channel, 0.5, ORDER)
        await view_is_live(gateway, counter)
        asked = counter.calls["GetProviderOrder"]

        orders = [await gateway.provider_order(None) for _ in range(50)]
        await gateway.aclose()

    assert {order.available for order in orders} == {ORDER}
    assert counter.calls["GetProviderOrder"] == asked


async def test_the_view_follows_a_new_primary(tmp_path: Path) -> None:
    async with health_service(tmp_path) as (channel, counter):
        gateway = HealthGateway(channel, 0.5, ORDER)
        await view_is_live(gateway, counter)
        await health_pb2_grpc.ProviderHealthServiceStub(channel).SetPrimaryProvider(
            health_pb2.SetPrimaryProviderRequest(provider="gemini"),
            metadata=admin_metadata(ADMIN_TOKEN),
        )

        async def gemini_first() -> bool:
            return (await gateway.provider_order(None)).available == ("gemini", "openai")

        await until(gemini_first)
        await gateway.aclose()


async def test_the_followed_order_shows_a_new_primary_without_asking_health(
    tmp_path: Path,
) -> None:
    async with health_service(tmp_path) as (channel, counter):
        gateway = HealthGateway(channel, 0.5, ORDER)
        before = gateway.followed_order()
        await view_is_live(gateway, counter)
        await health_pb2_grpc.ProviderHealthServiceStub(channel).SetPrimaryProvider(
            health_pb2.SetPrimaryProviderRequest(provider="gemini"),
            metadata=admin_metadata(ADMIN_TOKEN),
        )

        async def gemini_followed() -> bool:
            return gateway.followed_order() == ("gemini", "openai")

        asked = counter.calls["GetProviderOrder"]
        await until(gemini_followed)
        await gateway.report(AttemptOutcome("gemini", 0.1, ErrorClass.SERVICE_CRASH), None)
        after_a_crash = gateway.followed_order()
        await gateway.aclose()

    assert before == ORDER
    assert counter.calls["GetProviderOrder"] == asked
    assert after_a_crash == ("openai",)


async def test_an_operators_reset_after_a_crash_seen_here_is_followed(tmp_path: Path) -> None:
    async with health_service(tmp_path) as (channel, counter):
        gateway = HealthGateway(channel, 0.5, ORDER)
        await view_is_live(gateway, counter)
        await gateway.report(AttemptOutcome("gemini", 0.1, ErrorClass.SERVICE_CRASH), None)

        async def the_view_shows_it_open() -> bool:
            last = gateway.last_view()
            return last is not None and any(
                status.provider == "gemini"
                and status.circuit_state == health_pb2.CIRCUIT_STATE_OPEN
                for status in last.statuses
            )

        # Read only the view, not the order, until the reset: the hand-over must not depend
        # on someone asking for the order while the view showed the circuit open.
        await until(the_view_shows_it_open)
        await health_pb2_grpc.ProviderHealthServiceStub(channel).ResetProvider(
            health_pb2.ResetProviderRequest(provider="gemini"),
            metadata=admin_metadata(ADMIN_TOKEN),
        )

        async def both_followed() -> bool:
            return gateway.followed_order() == ORDER

        await until(both_followed)
        await gateway.aclose()


async def test_routine_successes_reach_health_in_one_batch(tmp_path: Path) -> None:
    async with health_service(tmp_path) as (channel, counter):
        gateway = HealthGateway(channel, 0.5, ORDER)
        await view_is_live(gateway, counter)
        for _ in range(10):
            await gateway.report(AttemptOutcome("openai", 0.02), None)
        stub = health_pb2_grpc.ProviderHealthServiceStub(channel)

        async def all_counted() -> bool:
            status = await stub.GetProviderStatus(
                health_pb2.GetProviderStatusRequest(provider="openai")
            )
            return status.providers[0].success_count == 10

        await until(all_counted)
        await gateway.aclose()

    assert counter.calls["ReportOutcomes"] == 1
    assert counter.calls["ReportOutcome"] == 0


async def test_a_failure_is_counted_by_health_when_report_returns(tmp_path: Path) -> None:
    async with health_service(tmp_path) as (channel, counter):
        gateway = HealthGateway(channel, 0.5, ORDER)
        await view_is_live(gateway, counter)
        await gateway.report(AttemptOutcome("gemini", 2.0, ErrorClass.TIMEOUT), None)
        status = await health_pb2_grpc.ProviderHealthServiceStub(channel).GetProviderStatus(
            health_pb2.GetProviderStatusRequest(provider="gemini")
        )
        await gateway.aclose()

    assert status.providers[0].failure_count == 1
    assert status.providers[0].consecutive_failures == 1


async def test_a_crash_is_kept_out_at_once_then_as_long_as_health_says(tmp_path: Path) -> None:
    async with health_service(tmp_path, blacklist_duration=1.0, circuit_base_ejection=1.0) as (
        channel,
        counter,
    ):
        gateway = HealthGateway(channel, 0.5, ORDER)
        await view_is_live(gateway, counter)

        await gateway.report(AttemptOutcome("openai", 0.1, ErrorClass.SERVICE_CRASH), None)
        at_once = await gateway.provider_order(None)
        stub = health_pb2_grpc.ProviderHealthServiceStub(channel)

        async def health_opened() -> bool:
            status = await stub.GetProviderStatus(
                health_pb2.GetProviderStatusRequest(provider="openai")
            )
            return status.providers[0].circuit_state == health_pb2.CIRCUIT_STATE_OPEN

        await until(health_opened)
        asked = counter.calls["GetProviderOrder"]

        async def back_after_its_open_period() -> bool:
            return "openai" in (await gateway.provider_order(None)).available

        await until(back_after_its_open_period)
        await gateway.aclose()

    assert at_once.available == ("gemini",)
    assert [(s.name, s.reason) for s in at_once.skipped] == [("openai", ErrorClass.SERVICE_CRASH)]
    # Let back in through health: a probe permit needs a call, the view cannot grant it.
    assert counter.calls["GetProviderOrder"] > asked


async def test_before_the_view_has_a_snapshot_health_is_asked(tmp_path: Path) -> None:
    async with health_service(tmp_path) as (channel, counter):
        gateway = HealthGateway(channel, 0.5, ORDER)
        first = await gateway.provider_order(None)
        await gateway.aclose()

    assert first.available == ORDER
    assert counter.calls["GetProviderOrder"] == 1
