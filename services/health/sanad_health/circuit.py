"""A provider's circuit as data, and the pure rules that move it.

The rules live here, apart from the store, so the deeper circuit breaker (failure-rate windows,
escalating ejection, probe limits) can replace :func:`apply_outcome` without touching storage.
The state is derived from the record and the time: an open circuit whose ``open_until`` has
passed is HALF_OPEN, with no timer anywhere, so every replica sees the same state.
"""

from __future__ import annotations

import enum
import json
import math
from dataclasses import dataclass, replace

from sanad_common.error_class import ErrorClass

UNTIL_RESET = math.inf
"""Blacklist length meaning "until an operator resets the provider"."""


class CircuitState(enum.StrEnum):
    """CLOSED lets calls through, OPEN keeps the provider out, HALF_OPEN lets probes through."""

    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


class Transition(enum.StrEnum):
    """A change of circuit worth logging and counting."""

    BLACKLISTED = "blacklisted"
    RECOVERED = "recovered"
    RESET = "reset"


@dataclass(frozen=True)
class CircuitRecord:
    """What is stored about a provider's circuit besides its counters."""

    open_reason: ErrorClass | None = None
    """Class of the failure that opened the circuit; None while closed."""
    open_until: float | None = None
    """When the open period ends; None with an open_reason means until reset."""
    times_blacklisted: int = 0
    last_error_class: ErrorClass | None = None
    last_failure_time: float | None = None

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
        )


def _error_class(value: str | None) -> ErrorClass | None:
    return None if value is None else ErrorClass(value)


def blacklist_seconds(
    error_class: ErrorClass, retry_after: float | None, blacklist_duration: float
) -> float | None:
    """How long a failure of this class keeps the provider out (DESIGN §4); None: only counted.

    A crash or a provider-reported quota exhaustion blacklists for the configured duration, a
    rejected key until an operator resets it, a rate limit for the provider's Retry-After.
    """
    match error_class:
        case ErrorClass.SERVICE_CRASH | ErrorClass.QUOTA_EXCEEDED:
            return blacklist_duration
        case ErrorClass.AUTHENTICATION:
            return UNTIL_RESET
        case ErrorClass.RATE_LIMITED if retry_after is not None and retry_after > 0:
            return retry_after
        case _:
            return None


@dataclass(frozen=True)
class OutcomeEffect:
    """The record after an outcome, and the transition it caused if any."""

    record: CircuitRecord
    transition: Transition | None = None
    blacklisted_for: float | None = None
    """Seconds of the new blacklist (inf until reset), when the transition is BLACKLISTED."""


def apply_outcome(
    record: CircuitRecord,
    *,
    error_class: ErrorClass | None,
    retry_after: float | None,
    now: float,
    blacklist_duration: float,
) -> OutcomeEffect:
    """Move the circuit for one attempt's outcome; error_class None means success.

    A success closes a HALF_OPEN circuit (recovery) and leaves an OPEN one alone (a call that
    started before it opened). A failure that blacklists opens a CLOSED or HALF_OPEN circuit,
    and lengthens an OPEN one, never shortening it.
    """
    state = record.state(now)
    if error_class is None:
        if state is CircuitState.HALF_OPEN:
            return OutcomeEffect(
                replace(record, open_reason=None, open_until=None), Transition.RECOVERED
            )
        return OutcomeEffect(record)
    failed = replace(record, last_error_class=error_class, last_failure_time=now)
    seconds = blacklist_seconds(error_class, retry_after, blacklist_duration)
    if seconds is None:
        return OutcomeEffect(failed)
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
        ),
        Transition.BLACKLISTED,
        seconds,
    )
