"""What the analyzer keeps for itself until the health service has taken it.

* :class:`LocalOutcomes`: the failures this process saw itself, so a provider that just
  crashed here is skipped by the very next request, before health has been told, and for a
  while when health cannot be told at all; and each provider's latest outcome here, so the
  roll-up never shows a provider this replica just saw fail as healthy.
* :class:`ReportQueue`: outcome reports on their way to health, sent in batches off the
  request path; kept (bounded, oldest dropped) while health is away and delivered in order
  once it answers again, so its circuits catch up.
"""

from __future__ import annotations

import collections
import dataclasses
import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass

from opentelemetry import metrics
from opentelemetry.metrics import CallbackOptions, Observation

from sanad_analyzer.ports import AttemptOutcome
from sanad_common.error_class import ErrorClass

_meter = metrics.get_meter("sanad.analyzer")
_dropped = _meter.create_counter(
    "sanad_health_reports_dropped",
    description="Outcome reports dropped because the queue for the health service was full",
)

KEEPS_OUT = frozenset(
    {ErrorClass.SERVICE_CRASH, ErrorClass.AUTHENTICATION, ErrorClass.QUOTA_EXCEEDED}
)
"""Classes after which health would keep a provider out at once (architecture §4); RATE_LIMITED
keeps it out for its Retry-After."""


@dataclass(frozen=True)
class LocalBan:
    """A provider this process keeps out on its own."""

    reason: ErrorClass
    """The class of the failure seen here."""
    until: float
    """Unix time until which it is kept out."""
    sequence: int = 0
    """Number of the report that set it: only health's answer to that report or a later one
    can settle it."""
    view_message: int = 0
    """How many messages of health's view this process had read when it saw the failure."""
    until_view_shows: bool = False
    """Health keeps the provider out too and this process follows health's live view: the ban
    only bridges until that view, which may not have taken health's push yet, shows it so in
    a message read after ``view_message``."""


@dataclass(frozen=True)
class LocalObservation:
    """A provider's latest attempt outcome in this process."""

    error_class: ErrorClass | None
    """The failure's class; None for a success."""
    at: float
    """Unix time the outcome was seen."""


class LocalOutcomes:
    """The latest failure this process saw per provider, for as long as it matters."""

    def __init__(self, ttl: float, clock: Callable[[], float] = time.time) -> None:
        self._ttl = ttl
        self._clock = clock
        self._bans: dict[str, LocalBan] = {}
        self._latest: dict[str, LocalObservation] = {}

    def record(self, outcome: AttemptOutcome, sequence: int = 0, view_message: int = 0) -> None:
        """Note an attempt: a success lifts a ban; a keep-out failure sets one (``view_message``:
        the count of health's view messages read so far)."""
        self._latest[outcome.provider] = LocalObservation(outcome.error_class, self._clock())
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
        self._bans[outcome.provider] = LocalBan(
            outcome.error_class, self._clock() + period, sequence, view_message
        )

    def follow_health(
        self,
        provider: str,
        *,
        open_: bool,
        open_until: float | None,
        sequence: int,
        view_follows: bool = False,
    ) -> None:
        """Health has taken the reports up to ``sequence``: a ban those reports set ends if
        ``open_`` is false (health does not keep the provider out), and otherwise lasts until
        ``open_until`` at the latest, or (``view_follows``: this process follows health's
        live view) until that view shows the provider kept out."""
        ban = self._bans.get(provider)
        if ban is None or ban.sequence > sequence:
            return
        if not open_:
            del self._bans[provider]
            return
        until = ban.until if open_until is None else min(ban.until, open_until)
        self._bans[provider] = dataclasses.replace(ban, until=until, until_view_shows=view_follows)

    def hand_to_view(self, view_kept_out_after: Callable[[str, int], bool]) -> None:
        """End the bans health confirmed once its view has kept the provider out in a message
        read after the failure (``view_kept_out_after(provider, message)``): from then on the
        view decides, so an operator's reset that it brings, even before anyone asked, is
        followed."""
        for provider in [
            name
            for name, ban in self._bans.items()
            if ban.until_view_shows and view_kept_out_after(name, ban.view_message)
        ]:
            del self._bans[provider]

    def banned(self) -> dict[str, LocalBan]:
        """Providers kept out right now."""
        now = self._clock()
        return {name: ban for name, ban in self._bans.items() if ban.until > now}

    def recent(self) -> dict[str, LocalObservation]:
        """Each provider's latest outcome here, if seen within the ban period: older ones say
        nothing health's own view would not say better."""
        since = self._clock() - self._ttl
        return {name: seen for name, seen in self._latest.items() if seen.at > since}


class ReportQueue:
    """Reports on their way to health, oldest first, at most ``capacity`` of them."""

    def __init__(self, capacity: int) -> None:
        self._items: collections.deque[tuple[int, AttemptOutcome]] = collections.deque()
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

    def put(self, sequence: int, outcome: AttemptOutcome) -> None:
        """Queue a report; past capacity the oldest is dropped (and counted)."""
        if self._capacity == 0:
            _dropped.add(1)
            return
        if len(self._items) >= self._capacity:
            self._items.popleft()
            _dropped.add(1)
        self._items.append((sequence, outcome))

    def head(self, count: int) -> list[tuple[int, AttemptOutcome]]:
        """The oldest ``count`` reports with their numbers, left in the queue."""
        return list(itertools.islice(self._items, count))

    def drop(self, delivered: list[tuple[int, AttemptOutcome]]) -> None:
        """Remove reports health took (those still at the head: the queue may have dropped
        some of them meanwhile to make room)."""
        taken = {sequence for sequence, _ in delivered}
        while self._items and self._items[0][0] in taken:
            self._items.popleft()
