"""While health cannot be reached: the analyzer skips providers it saw fail itself, queues its
outcome reports (bounded) and delivers them when health is back, so the circuit catches up."""

from __future__ import annotations

from pathlib import Path

from sanad.health.v1 import health_pb2, health_pb2_grpc
from sanad_analyzer.downstream.health import HealthGateway
from sanad_analyzer.downstream.health_fallback import LocalOutcomes, ReportQueue
from sanad_analyzer.ports import AttemptOutcome
from sanad_common.channels import dependency_channel
from sanad_common.config import Settings
from sanad_common.error_class import ErrorClass
from sanad_common.server import start_server
from sanad_health.app import build_app
from sanad_launcher.ports import free_port
from tests.support.services import FakeClock
from tests.support.waiting import eventually

ORDER = ("openai", "gemini")
CRASH = AttemptOutcome("openai", 0.1, ErrorClass.SERVICE_CRASH)


def test_a_provider_seen_crashing_is_kept_out_for_a_while() -> None:
    clock = FakeClock(1_000.0)
    local = LocalOutcomes(ttl=30.0, clock=clock)

    local.record(CRASH)
    during = set(local.banned())
    clock.advance(31.0)
    after = set(local.banned())

    assert during == {"openai"}
    assert after == set()


def test_a_success_lifts_the_ban_and_a_timeout_sets_none() -> None:
    local = LocalOutcomes(ttl=30.0)

    local.record(CRASH)
    local.record(AttemptOutcome("openai", 0.1))
    local.record(AttemptOutcome("gemini", 2.0, ErrorClass.TIMEOUT))

    assert local.banned() == {}


def test_rate_limited_is_kept_out_for_its_retry_after() -> None:
    clock = FakeClock(1_000.0)
    local = LocalOutcomes(ttl=30.0, clock=clock)

    local.record(AttemptOutcome("openai", 0.1, ErrorClass.RATE_LIMITED, retry_after=2.0))

    assert local.banned()["openai"].until == 1_002.0


def test_the_queue_keeps_the_newest_reports_and_drops_only_what_was_delivered() -> None:
    queue = ReportQueue(capacity=2)
    for sequence, provider in enumerate(("a", "b", "c"), start=1):
        queue.put(sequence, AttemptOutcome(provider, 0.1))

    sent = queue.head(5)
    queue.put(4, AttemptOutcome("d", 0.1))  # arrives while the batch is on its way
    queue.drop(sent)

    assert [outcome.provider for _, outcome in sent] == ["b", "c"]
    assert [outcome.provider for _, outcome in queue.head(5)] == ["d"]


def test_health_s_answer_settles_a_ban_to_its_own_open_period() -> None:
    clock = FakeClock(1_000.0)
    local = LocalOutcomes(ttl=30.0, clock=clock)

    local.record(CRASH, sequence=1)
    local.follow_health("openai", open_=True, open_until=1_003.0, sequence=1)
    kept = local.banned()["openai"].until
    local.follow_health("openai", open_=False, open_until=None, sequence=1)

    assert kept == 1_003.0
    assert local.banned() == {}


def test_a_ban_health_confirmed_lasts_until_the_view_shows_it_after_the_failure() -> None:
    # Health's answer to a report can reach this process before its push to the view does:
    # the ban bridges the gap, then the view decides (an operator's reset it brings counts).
    local = LocalOutcomes(ttl=30.0)
    kept_out_at = {"openai": 3}  # an earlier outage the view showed in its third message

    def view_kept_out_after(provider: str, message: int) -> bool:
        return kept_out_at.get(provider, -1) > message

    local.record(CRASH, sequence=1, view_message=5)
    local.follow_health("openai", open_=True, open_until=None, sequence=1, view_follows=True)
    local.hand_to_view(view_kept_out_after)
    before_the_push = set(local.banned())
    kept_out_at["openai"] = 6  # the push that shows this crash
    local.hand_to_view(view_kept_out_after)

    assert before_the_push == {"openai"}
    assert local.banned() == {}


def test_a_ban_without_a_live_view_is_not_handed_to_the_view() -> None:
    local = LocalOutcomes(ttl=30.0)

    local.record(CRASH, sequence=1)
    local.hand_to_view(lambda _, __: True)
    unanswered = set(local.banned())
    local.follow_health("openai", open_=True, open_until=None, sequence=1, view_follows=False)
    local.hand_to_view(lambda _, __: True)

    assert unanswered == {"openai"}
    assert set(local.banned()) == {"openai"}


def test_an_answer_to_earlier_reports_leaves_a_newer_ban() -> None:
    local = LocalOutcomes(ttl=30.0)

    local.record(CRASH, sequence=7)
    local.follow_health("openai", open_=False, open_until=None, sequence=6)

    assert set(local.banned()) == {"openai"}


async def test_without_health_a_crash_seen_here_skips_the_provider_and_health_learns_it_later(
    tmp_path: Path,
) -> None:
    settings = Settings(host="127.0.0.1", store_url=f"sqlite:///{tmp_path}/store.db")
    port = free_port()
    async with dependency_channel(f"127.0.0.1:{port}", 0.2) as channel:
        gateway = HealthGateway(channel, 0.5, ORDER, retry_after=0.1)
        async with build_app(settings) as app:
            server = await start_server(
                component="health",
                services=app.services,
                port=port,
                settings=settings,
                readiness_check=app.readiness_check,
            )
            live = await gateway.provider_order(None)
            await server.stop(grace=0)

        await gateway.report(CRASH, None)
        without_health = await gateway.provider_order(None)

        async with build_app(settings) as app:
            server = await start_server(
                component="health",
                services=app.services,
                port=port,
                settings=settings,
                readiness_check=app.readiness_check,
            )
            stub = health_pb2_grpc.ProviderHealthServiceStub(channel)

            async def circuit_state() -> int:
                status = await stub.GetProviderStatus(
                    health_pb2.GetProviderStatusRequest(), wait_for_ready=True, timeout=5
                )
                return status.providers[0].circuit_state

            circuit = await eventually(
                circuit_state,
                lambda state: state == health_pb2.CIRCUIT_STATE_OPEN,
                what="the queued crash reaching health",
            )
            await gateway.aclose()
            await server.stop(grace=0)

    assert live.available == ORDER
    assert without_health.available == ("gemini",)
    assert [skipped.name for skipped in without_health.skipped] == ["openai"]
    assert circuit == health_pb2.CIRCUIT_STATE_OPEN
