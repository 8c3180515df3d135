"""Hypothesis stateful tests of the quota ledger on SQLite and on Redis.

For any sequence of reserve (fresh or retried with its idempotency key), commit (also
repeated, and after expiry), release, withdrawal by idempotency key (before or after its
reserve), expiry sweeps, resets of some windows and late spends:
no window admits past its limit, and every window's total equals what the model says, namely
the committed usage plus the open reservations plus the spends, of everything not wiped by a
reset.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Coroutine
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    invariant,
    rule,
    run_state_machine_as_test,
)

from sanad_common.config import ProviderLimits
from sanad_common.storage import Store, open_store
from sanad_quota.ledger import (
    QuotaLedger,
    ReservationReleasedError,
    ReservationWithdrawnError,
    Spend,
)
from sanad_quota.storage.port import milliseconds
from sanad_quota.usage import Metric, Window, limit_for
from tests.quota.conftest import quota_settings
from tests.support.services import FakeClock, unique_namespace

LIMITS = ProviderLimits(
    minute_requests=4,
    minute_tokens=-1,
    hourly_requests=7,
    hourly_tokens=120,
    daily_requests=-1,
    daily_tokens=-1,
)
TTL = 90.0
STEPS = settings(
    max_examples=20,
    stateful_step_count=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
WindowKey = tuple[Window, int]
T = TypeVar("T")


@dataclass
class ModelReservation:
    """What the model knows of one reservation."""

    estimate: int
    windows: dict[Window, int]
    epochs: dict[WindowKey, int]
    expires_at: float
    state: str = "pending"
    actual: int = 0


@dataclass
class ModelSpend:
    windows: dict[Window, int]
    epochs: dict[WindowKey, int]
    requests: int
    tokens: int


@dataclass
class Model:
    """The expected state: reservations, spends and window resets."""

    reservations: dict[str, ModelReservation] = field(default_factory=dict)
    spends: dict[str, ModelSpend | None] = field(default_factory=dict)
    keys: dict[str, str] = field(default_factory=dict)
    tombstones: dict[str, float] = field(default_factory=dict)
    """Keys withdrawn before any reserve, and when their tombstone may end (the ledger's
    clock; Redis keeps it by its own, which is earlier, so at least as long)."""
    epochs: dict[WindowKey, int] = field(default_factory=dict)
    reset_seq: dict[WindowKey, int] = field(default_factory=dict)
    """The last logged crossing when each window was last reset."""
    reset_at: dict[WindowKey, int] = field(default_factory=dict)
    """When each window was last reset, in Unix milliseconds."""

    def epoch(self, key: WindowKey) -> int:
        return self.epochs.get(key, 0)

    def total(self, window: Window, start: int, metric: Metric) -> int:
        key = (window, start)
        total = 0
        for item in self.reservations.values():
            if item.windows[window] != start or item.epochs[key] != self.epoch(key):
                continue
            if item.state == "pending":
                total += 1 if metric is Metric.REQUESTS else item.estimate
            elif item.state == "committed":
                total += 1 if metric is Metric.REQUESTS else item.actual
        for spend in self.spends.values():
            if spend is None or spend.windows[window] != start:
                continue
            if spend.epochs[key] == self.epoch(key):
                total += spend.requests if metric is Metric.REQUESTS else spend.tokens
        return total


class QuotaMachine(RuleBasedStateMachine):
    """Drives one ledger against the model."""

    store_url = ""

    def __init__(self) -> None:
        super().__init__()
        self.loop = asyncio.new_event_loop()
        self.clock = FakeClock(time.time())
        self.store: Store = self.run(open_store(self.store_url, namespace=unique_namespace()))
        self.ledger = QuotaLedger(
            self.store,
            quota_settings(openai=LIMITS, quota_reservation_ttl=TTL, default_deadline=TTL),
            clock=self.clock,
        )
        self.model = Model()

    reservations = Bundle("reservations")

    def run(self, operation: Coroutine[Any, Any, T]) -> T:
        return self.loop.run_until_complete(operation)

    def teardown(self) -> None:
        self.run(self.store.aclose())
        self.loop.close()

    def current(self) -> dict[Window, int]:
        return {window: window.containing(self.clock.now).start for window in Window}

    @rule(
        target=reservations,
        estimate=st.integers(0, 60),
        key=st.one_of(st.none(), st.sampled_from(["k0", "k1", "k2"])),
    )
    def reserve(self, estimate: int, key: str | None) -> str:
        windows = self.current()
        try:
            result = self.run(
                self.ledger.reserve("openai", estimate, "r", idempotency_key=key or "")
            )
        except ReservationWithdrawnError:
            assert key in self.model.tombstones, "refused a key that was never withdrawn"
            return ""
        if key is not None and key in self.model.tombstones:
            assert self.clock.now >= self.model.tombstones.pop(key), "a tombstone was ignored"
        if key is not None and key in self.model.keys:
            assert result.allowed
            assert result.reservation_id == self.model.keys[key]
            return result.reservation_id
        fits = all(
            amount == 0
            or limit < 0
            or self.model.total(window, windows[window], metric) + amount <= limit
            for window in Window
            for metric, amount in ((Metric.REQUESTS, 1), (Metric.TOKENS, estimate))
            for limit in [_limit(window, metric)]
        )
        assert result.allowed == fits
        if not result.allowed:
            assert result.denied_by is not None
            return ""
        assert result.reservation_id is not None
        for item in result.usage:
            if item.limit >= 0 and (item.metric is Metric.REQUESTS or estimate > 0):
                assert item.used <= item.limit, "a window admitted past its limit"
        self.model.reservations[result.reservation_id] = ModelReservation(
            estimate=estimate,
            windows=windows,
            epochs={(w, s): self.model.epoch((w, s)) for w, s in windows.items()},
            expires_at=self.clock.now + TTL,
        )
        if key is not None:
            self.model.keys[key] = result.reservation_id
        return result.reservation_id

    @rule(reservation_id=reservations, actual=st.integers(0, 60))
    def commit(self, reservation_id: str, actual: int) -> None:
        if not reservation_id:
            return
        item = self.model.reservations[reservation_id]
        if item.state == "released":
            with pytest.raises(ReservationReleasedError):
                self.run(self.ledger.commit(reservation_id, actual))
            return
        self.run(self.ledger.commit(reservation_id, actual))
        if item.state != "committed":
            item.state, item.actual = "committed", actual

    @rule(reservation_id=reservations)
    def release(self, reservation_id: str) -> None:
        if not reservation_id:
            return
        item = self.model.reservations[reservation_id]
        released = self.run(self.ledger.release(reservation_id))
        assert released == (item.state == "pending")
        if item.state == "pending":
            item.state = "released"

    @rule(key=st.sampled_from(["k0", "k1", "k2"]))
    def withdraw(self, key: str) -> None:
        result = self.run(self.ledger.withdraw("openai", key))
        if key in self.model.keys:
            item = self.model.reservations[self.model.keys[key]]
            assert not result.before_reserve
            assert result.released == (item.state == "pending")
            if item.state == "pending":
                item.state = "released"
            return
        assert result.before_reserve
        assert not result.released
        if self.model.tombstones.get(key, self.clock.now) <= self.clock.now:
            self.model.tombstones[key] = self.clock.now + TTL

    @rule(seconds=st.floats(1, 120))
    def time_passes_and_the_sweep_runs(self, seconds: float) -> None:
        self.clock.advance(seconds)
        swept = self.run(self.ledger.sweep())
        due = [
            item
            for item in self.model.reservations.values()
            if item.state == "pending" and item.expires_at <= self.clock.now
        ]
        assert swept == len(due)
        for item in due:
            item.state = "expired"

    @rule(windows=st.sets(st.sampled_from(list(Window)), min_size=1))
    def reset(self, windows: set[Window]) -> None:
        self.run(self.ledger.reset("openai", sorted(windows)))
        logged = self.run(self.ledger.crossings_after("openai", 0))
        for window in windows:
            key = (window, window.containing(self.clock.now).start)
            self.model.epochs[key] = self.model.epoch(key) + 1
            self.model.reset_at[key] = milliseconds(self.clock.now)
            self.model.reset_seq[key] = logged[-1].seq if logged else 0

    @rule(
        spend=st.sampled_from(["s0", "s1", "s2", "s3"]),
        ago=st.floats(0, 150),
        tokens=st.integers(0, 50),
    )
    def late_spend(self, spend: str, ago: float, tokens: int) -> None:
        spent_at = self.clock.now - ago
        result = self.run(self.ledger.record([Spend(spend, "openai", 1, tokens, spent_at)]))
        if spend in self.model.spends:
            assert result.duplicates == (spend,)
            return
        assert result.recorded == (spend,)
        windows = {window: window.containing(spent_at).start for window in Window}
        counted = {
            (w, s): self.model.epoch((w, s))
            if self.model.reset_at.get((w, s), -1) <= milliseconds(spent_at)
            else -1
            for w, s in windows.items()
        }
        self.model.spends[spend] = ModelSpend(windows, counted, 1, tokens)

    @invariant()
    def each_level_is_announced_once_per_window_since_its_last_reset(self) -> None:
        logged = self.run(self.ledger.crossings_after("openai", 0))
        seen: dict[tuple[str, int, str], int] = {}
        for crossing in logged:
            key = (crossing.window, crossing.start, crossing.metric)
            if crossing.seq > self.model.reset_seq.get(
                (Window(crossing.window), crossing.start), 0
            ):
                assert crossing.level > seen.get(key, 0), "a level was announced twice"
                seen[key] = crossing.level

    @invariant()
    def totals_match_the_model(self) -> None:
        usage = self.run(self.ledger.usage("openai")).windows
        for item in usage:
            expected = self.model.total(item.window, int(item.window_start), item.metric)
            assert item.used == expected, (item.window, item.metric)


def _limit(window: Window, metric: Metric) -> int:
    return limit_for(LIMITS, window, metric)


@pytest.mark.parametrize("adapter", ["sqlite", "redis"])
def test_the_ledger_matches_the_model(
    adapter: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    url = (
        f"sqlite:///{tmp_path / 'quota.db'}"
        if adapter == "sqlite"
        else request.getfixturevalue("redis_url")
    )
    machine = type("Machine", (QuotaMachine,), {"store_url": url})
    run_state_machine_as_test(machine, settings=STEPS)
