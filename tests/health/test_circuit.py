"""The circuit rules as pure functions: which failures blacklist, for how long, and how the
circuit moves through OPEN, HALF_OPEN and CLOSED."""

from __future__ import annotations

import math

import pytest

from sanad_common.error_class import ErrorClass
from sanad_health.circuit import (
    CircuitRecord,
    CircuitState,
    Transition,
    apply_outcome,
    blacklist_seconds,
)

NOW = 1_800_000_000.0
BLACKLIST = 300.0


@pytest.mark.parametrize(
    ("error_class", "retry_after", "seconds"),
    [
        (ErrorClass.SERVICE_CRASH, None, BLACKLIST),
        (ErrorClass.QUOTA_EXCEEDED, None, BLACKLIST),
        (ErrorClass.AUTHENTICATION, None, math.inf),
        (ErrorClass.RATE_LIMITED, 30.0, 30.0),
        (ErrorClass.RATE_LIMITED, None, None),
        (ErrorClass.RATE_LIMITED, 0.0, None),
        (ErrorClass.TIMEOUT, None, None),
        (ErrorClass.INVALID_RESPONSE, 30.0, None),
        (ErrorClass.UNKNOWN, None, None),
    ],
)
def test_blacklist_seconds(
    error_class: ErrorClass, retry_after: float | None, seconds: float | None
) -> None:
    assert blacklist_seconds(error_class, retry_after, BLACKLIST) == seconds


def fail(
    record: CircuitRecord,
    error_class: ErrorClass,
    now: float = NOW,
    retry_after: float | None = None,
) -> tuple[CircuitRecord, Transition | None]:
    effect = apply_outcome(
        record,
        error_class=error_class,
        retry_after=retry_after,
        now=now,
        blacklist_duration=BLACKLIST,
    )
    return effect.record, effect.transition


def succeed(record: CircuitRecord, now: float) -> tuple[CircuitRecord, Transition | None]:
    effect = apply_outcome(
        record, error_class=None, retry_after=None, now=now, blacklist_duration=BLACKLIST
    )
    return effect.record, effect.transition


def test_crash_opens_then_half_opens_then_a_success_closes() -> None:
    opened, transition = fail(CircuitRecord(), ErrorClass.SERVICE_CRASH)

    assert transition is Transition.BLACKLISTED
    assert opened.state(NOW) is CircuitState.OPEN
    assert opened.open_until == NOW + BLACKLIST
    assert opened.times_blacklisted == 1
    assert (opened.last_error_class, opened.last_failure_time) == (ErrorClass.SERVICE_CRASH, NOW)
    assert opened.state(NOW + BLACKLIST) is CircuitState.HALF_OPEN
    assert succeed(opened, NOW + 1) == (opened, None)

    closed, transition = succeed(opened, NOW + BLACKLIST)

    assert transition is Transition.RECOVERED
    assert closed.state(NOW + BLACKLIST) is CircuitState.CLOSED
    assert closed.times_blacklisted == 1


def test_a_failure_while_half_open_reopens_only_if_its_class_blacklists() -> None:
    opened, _ = fail(CircuitRecord(), ErrorClass.SERVICE_CRASH)
    later = NOW + BLACKLIST + 1

    timed_out, quiet = fail(opened, ErrorClass.TIMEOUT, later)
    reopened, transition = fail(opened, ErrorClass.SERVICE_CRASH, later)

    assert quiet is None
    assert timed_out.state(later) is CircuitState.HALF_OPEN
    assert timed_out.last_error_class is ErrorClass.TIMEOUT
    assert transition is Transition.BLACKLISTED
    assert reopened.open_until == later + BLACKLIST
    assert reopened.times_blacklisted == 2


def test_an_open_circuit_is_lengthened_never_shortened() -> None:
    opened, _ = fail(CircuitRecord(), ErrorClass.SERVICE_CRASH)

    shorter, first = fail(opened, ErrorClass.RATE_LIMITED, NOW + 10, retry_after=5)
    longer, second = fail(opened, ErrorClass.SERVICE_CRASH, NOW + 10)
    forever, third = fail(opened, ErrorClass.AUTHENTICATION, NOW + 10)
    still_forever, fourth = fail(forever, ErrorClass.SERVICE_CRASH, NOW + 20)

    assert (first, second, third, fourth) == (None, None, None, None)
    assert shorter.open_until == NOW + BLACKLIST
    assert shorter.open_reason is ErrorClass.SERVICE_CRASH
    assert longer.open_until == NOW + 10 + BLACKLIST
    assert (forever.open_until, forever.open_reason) == (None, ErrorClass.AUTHENTICATION)
    assert still_forever.open_until is None
    assert {shorter.times_blacklisted, longer.times_blacklisted, forever.times_blacklisted} == {1}


def test_authentication_stays_open_until_reset() -> None:
    opened, transition = fail(CircuitRecord(), ErrorClass.AUTHENTICATION)

    assert transition is Transition.BLACKLISTED
    assert opened.open_until is None
    assert opened.state(NOW + 10 * 86_400) is CircuitState.OPEN


def test_record_round_trips_through_json() -> None:
    record, _ = fail(CircuitRecord(), ErrorClass.RATE_LIMITED, retry_after=12.5)

    assert CircuitRecord.from_json(record.to_json()) == record
    assert CircuitRecord.from_json(CircuitRecord().to_json()) == CircuitRecord()
