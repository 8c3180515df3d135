"""Each chaos scenario, short, on the real processes: the invariant it must keep.

The same rig and scenarios as ``make chaos`` (two analyzers, Redis with an append-only file,
toxiproxy on every analyzer link), with a few seconds per phase instead of ten and half the
callers; the figures themselves are the chaos suite's, in docs/chaos.md.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import grpc
import pytest

from bench.chaos.load import POLICY
from bench.chaos.rig import ChaosRig
from bench.chaos.run import Phases, Report, reset, run_scenario
from bench.chaos.scenarios import SCENARIOS
from sanad.analyzer.v1 import analyzer_pb2, analyzer_pb2_grpc
from sanad_emulator.control import EmulatorControl

# The first test also starts the rig (seven processes), which on a loaded machine takes minutes.
pytestmark = [pytest.mark.integration, pytest.mark.timeout(600)]

CONCURRENCY = 4
"""Half the chaos suite's callers: these runs share the machine with the rest of the tests."""
PHASES = Phases(warm=1.0, fault=3.0, recover=3.0, concurrency=CONCURRENCY)
BY_NAME = {scenario.name: scenario for scenario in SCENARIOS}
DEPENDENCY_OUTAGES = ("quota-kill", "health-kill", "redis-kill-aof", "redis-kill-empty")
BLACKHOLE_DEADLINE = 4.0
"""Seconds: two store calls waiting out the socket timeout (2 s each) do not fit in it."""


@pytest.fixture(scope="module")
def rig(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ChaosRig]:
    with ChaosRig(tmp_path_factory.mktemp("chaos")) as running:
        yield running


@pytest.fixture(scope="module")
async def emulator(rig: ChaosRig) -> AsyncIterator[EmulatorControl]:
    async with EmulatorControl(rig.emulator_url) as control:
        yield control


async def run(rig: ChaosRig, emulator: EmulatorControl, name: str) -> Report:
    report = await run_scenario(rig, emulator, BY_NAME[name], PHASES)
    assert report.crashed == []
    assert report.outcomes
    return report


def assert_totals_kept(report: Report) -> None:
    """Quota counted every provider request; only a call whose fate was unknowable when the
    fault struck (at most one per caller in flight) may count once extra."""
    assert report.quota_requests is not None
    assert report.provider_requests <= report.quota_requests
    assert report.quota_requests <= report.provider_requests + CONCURRENCY


def refusal_reasons(report: Report) -> set[str]:
    return {outcome.reason for outcome in report.outcomes if not outcome.answered}


@pytest.mark.parametrize("name", DEPENDENCY_OUTAGES)
async def test_a_dependency_outage_costs_no_answer(
    rig: ChaosRig, emulator: EmulatorControl, name: str
) -> None:
    report = await run(rig, emulator, name)

    assert report.unavailable_while_a_provider_was_healthy() == 0
    assert report.lost_outcomes() == []
    assert report.fresh_again_after() is not None
    if BY_NAME[name].totals_kept:
        assert_totals_kept(report)
    if name.startswith("redis"):
        assert report.services_serving_at is not None
    if name == "quota-kill":
        assert report.locally_accounted > 0


async def test_a_killed_analyzer_loses_only_its_requests_in_flight(
    rig: ChaosRig, emulator: EmulatorControl
) -> None:
    report = await run(rig, emulator, "analyzer-kill")

    assert report.unavailable_while_a_provider_was_healthy() == 0
    assert report.lost <= CONCURRENCY, report.lost_outcomes()
    assert_totals_kept(report)


@pytest.mark.parametrize("name", ["latency", "resets", "partition", "bandwidth"])
async def test_a_broken_link_loses_nothing(
    rig: ChaosRig, emulator: EmulatorControl, name: str
) -> None:
    report = await run(rig, emulator, name)

    assert report.lost_outcomes() == []
    assert "QUOTA_EXCEEDED" not in refusal_reasons(report)


@pytest.mark.parametrize("name", ["primary-503", "primary-hang"])
async def test_a_failing_primary_is_answered_by_the_secondary(
    rig: ChaosRig, emulator: EmulatorControl, name: str
) -> None:
    report = await run(rig, emulator, name)

    assert report.unavailable_while_a_provider_was_healthy() == 0
    assert report.lost_outcomes() == []
    assert report.answered["FRESH"] > 0


async def test_both_providers_down_is_refused_clearly_never_lost(
    rig: ChaosRig, emulator: EmulatorControl
) -> None:
    report = await run(rig, emulator, "both-down")

    assert report.lost_outcomes() == []
    assert refusal_reasons(report) <= {"ALL_PROVIDERS_FAILED", "NO_PROVIDER_AVAILABLE"}
    assert report.fresh_again_after() is not None


async def test_a_blackholed_store_is_answered_within_the_deadline(
    rig: ChaosRig, emulator: EmulatorControl
) -> None:
    """Each store call on a blackholed link would wait the store's 2 s socket timeout: the
    lookup and the single-flight lease alone outlast a 4 s deadline unless the analyzer gives
    them no more than the caller's time."""
    await reset(rig, emulator)
    rig.toxiproxy.add_toxic("redis", "timeout", {"timeout": 0}, name="blackhole")
    try:
        async with grpc.aio.insecure_channel(rig.analyzer_targets[0]) as channel:
            response = await analyzer_pb2_grpc.AnalyzerServiceStub(channel).Analyze(
                analyzer_pb2.AnalyzeRequest(
                    shop_name="Souq Chaos",
                    policy_type=analyzer_pb2.POLICY_TYPE_RETURN_EXCHANGE,
                    policy_text=POLICY.format(case="blackholed store"),
                ),
                timeout=BLACKHOLE_DEADLINE,
            )
    finally:
        rig.toxiproxy.remove_toxic("redis", "blackhole")

    assert response.source in (analyzer_pb2.SOURCE_FRESH, analyzer_pb2.SOURCE_RULES)


async def test_a_rolling_restart_of_an_analyzer_fails_no_request(
    rig: ChaosRig, emulator: EmulatorControl
) -> None:
    report = await run(rig, emulator, "analyzer-rolling")

    failed = [outcome for outcome in report.outcomes if not outcome.answered]
    assert failed == []
    assert report.back_at > report.fault_at
    assert any(outcome.started >= report.back_at for outcome in report.outcomes)


def test_every_scenario_has_a_test() -> None:
    tested = {
        *DEPENDENCY_OUTAGES,
        "analyzer-kill",
        "analyzer-rolling",
        "latency",
        "resets",
        "partition",
        "bandwidth",
        "primary-503",
        "primary-hang",
        "both-down",
    }
    assert tested == set(BY_NAME)
