"""What the analyzer keeps for itself while the health service cannot be reached.

* :class:`LocalOutcomes`: the failures this process saw itself, so a provider that just
  crashed here is skipped even though health could not be told.
* :class:`ReportQueue`: outcome reports health did not take, kept (bounded, oldest dropped)
  and delivered in order once it answers again, so its circuits catch up.
"""

from __future__ import annotations

import collections
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import structlog
from opentelemetry import metrics
from opentelemetry.metrics import CallbackOptions, Observation

from sanad_analyzer.outcome import AttemptOutcome
from sanad_common.error_class import ErrorClass

log = structlog.get_logger(__name__)
_meter = metrics.get_meter("sanad.analyzer")
_dropped = _meter.create_counter(
    "sanad_health_reports_dropped",
    description="Outcome reports dropped because the queue for the health service was full",
)

KEEPS_OUT = frozenset(
    {ErrorClass.SERVICE_CRASH, ErrorClass.AUTHENTICATION, ErrorClass.QUOTA_EXCEEDED}
)
"""Classes after which health would keep a provider out at once (DESIGN §4); RATE_LIMITED
keeps it out for its Retry-After."""


@dataclass(frozen=True)
class LocalBan:
    """A provider this process keeps out on its own."""

    reason: ErrorClass
    """The class of the failure seen here."""
    until: float
    """Unix time until which it is kept out."""


class LocalOutcomes:
    """The latest failure this process saw per provider, for as long as it matters."""

    def __init__(self, ttl: float, clock: Callable[[], float] = time.time) -> None:
        self._ttl = ttl
        self._clock = clock
        self._bans: dict[str, LocalBan] = {}

    def record(self, outcome: AttemptOutcome) -> None:
        """Note an attempt: a success lifts a ban; a keep-out failure sets one."""
        if outcome.success:
            self._bans.pop(outcome.provider, None)
            return
        if outcome.error_class in KEEPS_OUT:
            period = self._ttl
        elif outcome.error_class is ErrorClass.RATE_LIMITED and outcome.retry_after:
            period = outcome.retry_after
        else:
            return
        assert outcome.error_class is not None
        self._bans[outcome.provider] = LocalBan(outcome.error_class, self._clock() + period)

    def banned(self) -> dict[str, LocalBan]:
        """Providers kept out right now."""
        now = self._clock()
        return {name: ban for name, ban in self._bans.items() if ban.until > now}


Deliver = Callable[[AttemptOutcome], Awaitable[bool]]
"""Sends one report to health; False if health could not take it."""


class ReportQueue:
    """Reports health could not take, oldest first, at most ``capacity`` of them."""

    def __init__(self, capacity: int) -> None:
        self._items: collections.deque[AttemptOutcome] = collections.deque()
        self._capacity = capacity
        _meter.create_observable_gauge(
            "sanad_health_reports_queued",
            callbacks=[self._observe],
            description="Outcome reports waiting for the health service",
        )

    def _observe(self, _: CallbackOptions) -> list[Observation]:
        return [Observation(len(self._items))]

    def __len__(self) -> int:
        return len(self._items)

    def put(self, outcome: AttemptOutcome) -> None:
        """Keep a report for later; past capacity the oldest is dropped (and counted)."""
        if self._capacity == 0:
            _dropped.add(1)
            return
        if len(self._items) >= self._capacity:
            self._items.popleft()
            _dropped.add(1)
        self._items.append(outcome)

    async def flush(self, deliver: Deliver) -> int:
        """Deliver queued reports in order until one fails; how many were delivered."""
        delivered = 0
        while self._items:
            if not await deliver(self._items[0]):
                break
            self._items.popleft()
            delivered += 1
        if delivered:
            log.info("queued outcome reports delivered to health", reports=delivered)
        return delivered
