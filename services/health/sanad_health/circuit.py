"""A provider's circuit as data, and the pure rules that move it.

The rules live here, apart from the store, so they read (and test) as one table. The state is
derived from the record and the time: an open circuit whose ``open_until`` has passed is
HALF_OPEN, with no timer anywhere, so every replica sees the same state.

What opens a circuit, and for how long:

- SERVICE_CRASH at once, for the crash ejection (the blacklist duration);
- TIMEOUT, INVALID_RESPONSE and UNKNOWN when the window's failure rate passes its threshold
  over enough calls, or after enough failures in a row, for the base ejection;
- any of those while HALF_OPEN (a failed probe), as a relapse;
- AUTHENTICATION until an operator resets the provider;
- QUOTA_EXCEEDED for its Retry-After, else until the provider's quota window ends;
- RATE_LIMITED for its Retry-After (without one it is only counted).

A crash or breaker opening within the relapse window after a recovery (or a failed probe)
ejects for longer: base x ejections in a row, capped, plus jitter, as Envoy's outlier
detection does.
"""

from __future__ import annotations

import enum
import json
import math
from collections.abc import Callable
from dataclasses import dataclass, replace

from sanad_common.config import Settings
from sanad_common.error_class import ErrorClass
from sanad_common.windows import TimeWindow

UNTIL_RESET = math.inf
"""Blacklist length meaning "until an operator resets the provider"."""

BREAKER_CLASSES = frozenset(
    {
        ErrorClass.SERVICE_CRASH,
        ErrorClass.TIMEOUT,
        ErrorClass.INVALID_RESPONSE,
        ErrorClass.UNKNOWN,
    }
)
"""Failures that say the provider is unhealthy: they count toward the failure rate and the
consecutive failures. Refusals (rate limit, quota, key) have their own effect instead."""


class CircuitState(enum.StrEnum):
    """CLOSED lets calls through, OPEN keeps the provider out, HALF_OPEN lets probes through."""

    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


class Transition(enum.StrEnum):
    """A change of circuit worth logging and counting."""

    BLACKLISTED = "blacklisted"
    HALF_OPENED = "half_opened"
    RECOVERED = "recovered"
    RESET = "reset"


class Trip(enum.StrEnum):
    """Why a circuit opened."""

    ERROR_CLASS = "error_class"
    FAILURE_RATE = "failure_rate"
    CONSECUTIVE_FAILURES = "consecutive_failures"
    FAILED_PROBE = "failed_probe"


@dataclass(frozen=True)
class BreakerPolicy:
    """The circuit breaker's thresholds (see the ``circuit_*`` settings)."""

    bucket_seconds: int
    window_buckets: int
    failure_rate: float
    minimum_calls: int
    consecutive_failures: int
    half_open_probes: int
    probe_timeout: float
    crash_ejection: float
    base_ejection: float
    max_ejection: float
    ejection_jitter: float
    relapse_window: float
    quota_window: int

    @classmethod
    def from_settings(cls, settings: Settings) -> BreakerPolicy:
        """The policy the settings describe."""
        return cls(
            bucket_seconds=settings.circuit_bucket_seconds,
            window_buckets=settings.circuit_window_buckets,
            failure_rate=settings.circuit_failure_rate,
            minimum_calls=settings.circuit_minimum_calls,
            consecutive_failures=settings.circuit_consecutive_failures,
            half_open_probes=settings.circuit_half_open_probes,
            probe_timeout=settings.circuit_probe_timeout,
            crash_ejection=settings.blacklist_duration,
            base_ejection=settings.circuit_base_ejection,
            max_ejection=settings.circuit_max_ejection,
            ejection_jitter=settings.circuit_ejection_jitter,
            relapse_window=settings.circuit_relapse_window,
            quota_window=settings.provider_quota_window,
        )

    @property
    def window_seconds(self) -> int:
        """Length of the whole window."""
        return self.bucket_seconds * self.window_buckets

    def buckets(self, now: float) -> list[TimeWindow]:
        """The window's buckets at time now, newest first."""
        newest = TimeWindow.containing(now, self.bucket_seconds)
        return [newest.shifted(-index) for index in range(self.window_buckets)]


@dataclass(frozen=True)
class WindowCounts:
    """What the breaker needs from the outcome window."""

    calls: int = 0
    """Successes plus breaker failures in the window."""
    failures: int = 0
    """Breaker failures in the window."""
    consecutive_failures: int = 0
    """Breaker failures since the last success."""
    probe_successes: int = 0
    """Successes of the current HALF_OPEN period, this one included."""


@dataclass(frozen=True)
class CircuitRecord:
    """What is stored about a provider's circuit besides its counters."""

    open_reason: ErrorClass | None = None
    """Class of the failure that opened the circuit; None while closed."""
    open_until: float | None = None
    """When the open period ends; None with an open_reason means until reset."""
    times_blacklisted: int = 0
    """Openings since the last reset; also names the current open period's probe counters."""
    last_error_class: ErrorClass | None = None
    last_failure_time: float | None = None
    ejection_streak: int = 0
    """Ejections in a row without a lasting recovery: the next ejection's multiplier - 1."""
    recovered_at: float | None = None
    """When the circuit last closed after being open."""

    def state(self, now: float) -> CircuitState:
        """The circuit state at time now."""
        if self.open_reason is None:
            return CircuitState.CLOSED
        if self.open_until is None or now < self.open_until:
            return CircuitState.OPEN
        return CircuitState.HALF_OPEN

    def to_json(self) -> bytes:
        return json.dumps(
            {
                "open_reason": self.open_reason,
                "open_until": self.open_until,
                "times_blacklisted": self.times_blacklisted,
                "last_error_class": self.last_error_class,
                "last_failure_time": self.last_failure_time,
                "ejection_streak": self.ejection_streak,
                "recovered_at": self.recovered_at,
            }
        ).encode()

    @classmethod
    def from_json(cls, raw: bytes) -> CircuitRecord:
        data = json.loads(raw)
        return cls(
            open_reason=_error_class(data.get("open_reason")),
            open_until=data.get("open_until"),
            times_blacklisted=int(data.get("times_blacklisted", 0)),
            last_error_class=_error_class(data.get("last_error_class")),
            last_failure_time=data.get("last_failure_time"),
            ejection_streak=int(data.get("ejection_streak", 0)),
            recovered_at=data.get("recovered_at"),
        )


def _error_class(value: str | None) -> ErrorClass | None:
    return None if value is None else ErrorClass(value)


@dataclass(frozen=True)
class OutcomeEffect:
    """The record after an outcome, and the transition it caused if any."""

    record: CircuitRecord
    transition: Transition | None = None
    blacklisted_for: float | None = None
    """Seconds of the new blacklist (inf until reset), when the transition is BLACKLISTED."""
    trip: Trip | None = None
    """Why it opened, when the transition is BLACKLISTED."""


@dataclass(frozen=True)
class _Opening:
    seconds: float
    trip: Trip
    escalates: bool


def _opening(
    record: CircuitRecord,
    state: CircuitState,
    error_class: ErrorClass,
    *,
    retry_after: float | None,
    counts: WindowCounts,
    policy: BreakerPolicy,
    now: float,
) -> _Opening | None:
    """Whether this failure opens the circuit, for how long before escalation, and why."""
    match error_class:
        case ErrorClass.AUTHENTICATION:
            return _Opening(UNTIL_RESET, Trip.ERROR_CLASS, escalates=False)
        case ErrorClass.QUOTA_EXCEEDED:
            if retry_after is not None and retry_after > 0:
                return _Opening(retry_after, Trip.ERROR_CLASS, escalates=False)
            window_end = TimeWindow.containing(now, policy.quota_window).end
            return _Opening(window_end - now, Trip.ERROR_CLASS, escalates=False)
        case ErrorClass.RATE_LIMITED:
            if retry_after is not None and retry_after > 0:
                return _Opening(retry_after, Trip.ERROR_CLASS, escalates=False)
            return None
        case ErrorClass.SERVICE_CRASH:
            return _Opening(policy.crash_ejection, Trip.ERROR_CLASS, escalates=True)
    if state is CircuitState.HALF_OPEN:
        return _Opening(_base_for(record, policy), Trip.FAILED_PROBE, escalates=True)
    if counts.consecutive_failures >= policy.consecutive_failures:
        return _Opening(policy.base_ejection, Trip.CONSECUTIVE_FAILURES, escalates=True)
    if (
        counts.calls >= policy.minimum_calls
        and counts.failures >= policy.failure_rate * counts.calls
    ):
        return _Opening(policy.base_ejection, Trip.FAILURE_RATE, escalates=True)
    return None


def _base_for(record: CircuitRecord, policy: BreakerPolicy) -> float:
    """A failed probe's base: the crash ejection if a crash opened the circuit."""
    if record.open_reason is ErrorClass.SERVICE_CRASH:
        return policy.crash_ejection
    return policy.base_ejection


def ejection_seconds(base: float, streak: int, policy: BreakerPolicy, jitter: float) -> float:
    """base x ejections in a row, capped, plus up to ``ejection_jitter`` of it (jitter: [0, 1))."""
    capped = min(base * streak, max(policy.max_ejection, base))
    return capped * (1 + policy.ejection_jitter * jitter)


def apply_outcome(
    record: CircuitRecord,
    *,
    error_class: ErrorClass | None,
    retry_after: float | None,
    now: float,
    counts: WindowCounts,
    policy: BreakerPolicy,
    jitter: Callable[[], float],
) -> OutcomeEffect:
    """Move the circuit for one attempt's outcome; error_class None means success.

    A success closes a HALF_OPEN circuit once the configured probes have succeeded, and leaves
    an OPEN one alone (a call that started before it opened). A failure that opens the circuit
    opens a CLOSED or HALF_OPEN one, and lengthens an OPEN one, never shortening it.
    """
    state = record.state(now)
    if error_class is None:
        if state is CircuitState.HALF_OPEN and counts.probe_successes >= policy.half_open_probes:
            return OutcomeEffect(
                replace(record, open_reason=None, open_until=None, recovered_at=now),
                Transition.RECOVERED,
            )
        return OutcomeEffect(record)
    failed = replace(record, last_error_class=error_class, last_failure_time=now)
    opening = _opening(
        record,
        state,
        error_class,
        retry_after=retry_after,
        counts=counts,
        policy=policy,
        now=now,
    )
    if opening is None:
        return OutcomeEffect(failed)
    streak = record.ejection_streak
    seconds = opening.seconds
    if opening.escalates:
        # Late failures of calls made before the circuit opened lengthen it at the same streak.
        streak = max(streak, 1) if state is CircuitState.OPEN else _next_streak(record, now, policy)
        seconds = ejection_seconds(seconds, streak, policy, jitter())
    until = None if math.isinf(seconds) else now + seconds
    if state is CircuitState.OPEN:
        if record.open_until is None:
            return OutcomeEffect(failed)
        if until is not None and until <= record.open_until:
            return OutcomeEffect(failed)
        return OutcomeEffect(replace(failed, open_reason=error_class, open_until=until))
    return OutcomeEffect(
        replace(
            failed,
            open_reason=error_class,
            open_until=until,
            times_blacklisted=record.times_blacklisted + 1,
            ejection_streak=streak,
        ),
        Transition.BLACKLISTED,
        seconds,
        opening.trip,
    )


def _next_streak(record: CircuitRecord, now: float, policy: BreakerPolicy) -> int:
    """The new opening's multiplier: one more after a failed probe or a quick relapse."""
    half_open = record.state(now) is CircuitState.HALF_OPEN
    relapse = half_open or (
        record.recovered_at is not None and now - record.recovered_at <= policy.relapse_window
    )
    return record.ejection_streak + 1 if relapse else 1
