"""The circuit rules as pure functions: which failures open the circuit, for how long, how the
circuit moves through OPEN, HALF_OPEN and CLOSED, and how relapses eject for longer."""

from __future__ import annotations

import math

import pytest

from sanad_common.error_class import ErrorClass
from sanad_health.circuit import (
    BreakerPolicy,
    CircuitRecord,
    CircuitState,
    OutcomeEffect,
    Transition,
    Trip,
    WindowCounts,
    apply_outcome,
    ejection_seconds,
)
from tests.health.conftest import health_settings

NOW = 1_800_000_000.0  # a multiple of 86 400 plus 28 800: 8 h into a UTC day
POLICY = BreakerPolicy.from_settings(health_settings())
CRASH = POLICY.crash_ejection
BASE = POLICY.base_ejection
NO_COUNTS = WindowCounts()


def outcome(
    record: CircuitRecord,
    error_class: ErrorClass | None,
    *,
    now: float = NOW,
    retry_after: float | None = None,
    counts: WindowCounts = NO_COUNTS,
    policy: BreakerPolicy = POLICY,
) -> OutcomeEffect:
    return apply_outcome(
        record,
        error_class=error_class,
        retry_after=retry_after,
        now=now,
        counts=counts,
        policy=policy,
        jitter=lambda: 0.0,
    )


@pytest.mark.parametrize(
    ("error_class", "retry_after", "seconds"),
    [
        (ErrorClass.SERVICE_CRASH, None, CRASH),
        (ErrorClass.QUOTA_EXCEEDED, 120.0, 120.0),
        (ErrorClass.QUOTA_EXCEEDED, None, 86_400 - NOW % 86_400),
        (ErrorClass.AUTHENTICATION, None, math.inf),
        (ErrorClass.RATE_LIMITED, 30.0, 30.0),
        (ErrorClass.RATE_LIMITED, None, None),
        (ErrorClass.RATE_LIMITED, 0.0, None),
        (ErrorClass.TIMEOUT, None, None),
        (ErrorClass.INVALID_RESPONSE, 30.0, None),
        (ErrorClass.UNKNOWN, None, None),
    ],
)
def test_what_one_failure_does_to_a_closed_circuit(
    error_class: ErrorClass, retry_after: float | None, seconds: float | None
) -> None:
    effect = outcome(CircuitRecord(), error_class, retry_after=retry_after)
    if seconds is None:
        assert effect.transition is None
        assert effect.record.state(NOW) is CircuitState.CLOSED
    else:
        assert effect.transition is Transition.BLACKLISTED
        assert effect.blacklisted_for == pytest.approx(seconds)
        assert effect.record.open_reason is error_class


def test_consecutive_failures_open_at_the_threshold() -> None:
    below = WindowCounts(consecutive_failures=POLICY.consecutive_failures - 1)
    at = WindowCounts(consecutive_failures=POLICY.consecutive_failures)
    assert outcome(CircuitRecord(), ErrorClass.TIMEOUT, counts=below).transition is None
    opened = outcome(CircuitRecord(), ErrorClass.TIMEOUT, counts=at)
    assert (opened.transition, opened.trip) == (Transition.BLACKLISTED, Trip.CONSECUTIVE_FAILURES)
    assert opened.blacklisted_for == BASE


def test_the_failure_rate_opens_only_over_the_minimum_calls() -> None:
    calls = POLICY.minimum_calls
    failing = math.ceil(POLICY.failure_rate * calls)
    too_few = WindowCounts(calls=calls - 1, failures=calls - 1)
    under_rate = WindowCounts(calls=calls, failures=failing - 1)
    at_rate = WindowCounts(calls=calls, failures=failing)
    assert outcome(CircuitRecord(), ErrorClass.UNKNOWN, counts=too_few).transition is None
    assert outcome(CircuitRecord(), ErrorClass.UNKNOWN, counts=under_rate).transition is None
    opened = outcome(CircuitRecord(), ErrorClass.UNKNOWN, counts=at_rate)
    assert opened.trip is Trip.FAILURE_RATE


def test_half_open_closes_after_the_configured_probe_successes() -> None:
    policy = BreakerPolicy.from_settings(health_settings(circuit_half_open_probes=2))
    opened = outcome(CircuitRecord(), ErrorClass.SERVICE_CRASH, policy=policy).record
    later = NOW + CRASH + 1
    assert opened.state(later) is CircuitState.HALF_OPEN
    first = outcome(opened, None, now=later, counts=WindowCounts(probe_successes=1), policy=policy)
    assert first.transition is None
    second = outcome(opened, None, now=later, counts=WindowCounts(probe_successes=2), policy=policy)
    assert second.transition is Transition.RECOVERED
    assert second.record.state(later) is CircuitState.CLOSED
    assert second.record.recovered_at == later


def test_a_failed_probe_reopens_for_longer() -> None:
    opened = outcome(CircuitRecord(), ErrorClass.SERVICE_CRASH).record
    later = NOW + CRASH + 1
    reopened = outcome(opened, ErrorClass.TIMEOUT, now=later)
    assert (reopened.transition, reopened.trip) == (Transition.BLACKLISTED, Trip.FAILED_PROBE)
    assert reopened.blacklisted_for == 2 * CRASH
    assert reopened.record.ejection_streak == 2


def test_a_quick_relapse_ejects_for_longer_and_a_late_one_starts_over() -> None:
    opened = outcome(CircuitRecord(), ErrorClass.SERVICE_CRASH).record
    back = NOW + CRASH + 1
    recovered = outcome(opened, None, now=back, counts=WindowCounts(probe_successes=1)).record
    quick = outcome(recovered, ErrorClass.SERVICE_CRASH, now=back + 10)
    late = outcome(recovered, ErrorClass.SERVICE_CRASH, now=back + POLICY.relapse_window + 1)
    assert quick.blacklisted_for == 2 * CRASH
    assert late.blacklisted_for == CRASH
    assert late.record.ejection_streak == 1


def test_ejection_is_capped_and_jittered() -> None:
    policy = BreakerPolicy.from_settings(
        health_settings(circuit_max_ejection=100.0, circuit_ejection_jitter=0.2)
    )
    assert ejection_seconds(30.0, 2, policy, jitter=0.0) == 60.0
    assert ejection_seconds(30.0, 10, policy, jitter=0.0) == 100.0
    assert ejection_seconds(30.0, 10, policy, jitter=0.5) == pytest.approx(110.0)


def test_late_failures_lengthen_an_open_circuit_without_escalating() -> None:
    opened = outcome(CircuitRecord(), ErrorClass.SERVICE_CRASH).record
    late = outcome(opened, ErrorClass.SERVICE_CRASH, now=NOW + 10)
    assert late.transition is None
    assert late.record.open_until == NOW + 10 + CRASH
    assert late.record.ejection_streak == 1
    shorter = outcome(opened, ErrorClass.RATE_LIMITED, now=NOW + 10, retry_after=5.0)
    assert shorter.record.open_until == opened.open_until


def test_a_success_leaves_an_open_circuit_open() -> None:
    opened = outcome(CircuitRecord(), ErrorClass.SERVICE_CRASH).record
    assert outcome(opened, None, now=NOW + 1).record == opened


def test_authentication_stays_open_until_reset() -> None:
    opened = outcome(CircuitRecord(), ErrorClass.AUTHENTICATION).record
    assert opened.open_until is None
    assert opened.state(NOW + 10 * 86_400) is CircuitState.OPEN


def test_record_round_trips_through_json() -> None:
    record = outcome(CircuitRecord(), ErrorClass.SERVICE_CRASH).record
    assert CircuitRecord.from_json(record.to_json()) == record
    assert CircuitRecord.from_json(CircuitRecord().to_json()) == CircuitRecord()
