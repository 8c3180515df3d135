"""The quota port, one contract for SQLite, Redis and Redis Cluster: every operation is whole,
counts once, and announces each warning level once per window."""

from __future__ import annotations

import asyncio
import time
import uuid

import pytest

from sanad_quota.storage import quota_store
from sanad_quota.storage.port import (
    Level,
    QuotaStore,
    Reservation,
    ReservationState,
    ReserveStatus,
    Settlement,
    SettleOrder,
    SettleStatus,
    Tally,
    Thresholds,
)
from tests.support.backends import Backend

THRESHOLDS = Thresholds(0.75, 0.9)
SCOPE = "openai"


def tallies(now: float, *, requests: int = -1, tokens: int = -1) -> list[Tally]:
    """The hour's request and token tallies at now, kept for a day."""
    start = int(now) // 3600 * 3600
    kept = start + 86_400.0
    return [
        Tally("hour", start, "requests", requests, kept),
        Tally("hour", start, "tokens", tokens, kept),
    ]


def reservation(now: float, estimate: int = 10, ttl: float = 60.0) -> Reservation:
    start = int(now) // 3600 * 3600
    return Reservation(
        token=uuid.uuid4().hex,
        request_id="r",
        estimated_tokens=estimate,
        reserved_at=now,
        expires_at=now + ttl,
        window_starts=(("hour", start),),
    )


async def reserve(
    quota: QuotaStore,
    now: float,
    counted: list[Tally],
    estimate: int = 10,
    *,
    key: str = "",
    ttl: float = 60.0,
) -> tuple[ReserveStatus, str, tuple[int, ...]]:
    outcome = await quota.reserve(
        SCOPE,
        counted,
        [1, estimate],
        reservation(now, estimate, ttl),
        idempotency_key=key,
        keep_until=now + 3600,
        thresholds=THRESHOLDS,
        now=now,
    )
    return outcome.status, outcome.token, outcome.values


async def settle(
    quota: QuotaStore,
    token: str,
    settlement: Settlement,
    counted: list[Tally],
    now: float,
    *,
    actual: int = 0,
) -> tuple[SettleStatus, tuple[int, ...]]:
    outcome = await quota.settle(
        SCOPE, token, settlement, counted, actual_tokens=actual, thresholds=THRESHOLDS, now=now
    )
    return outcome.status, outcome.values


@pytest.fixture
async def quota(backend: Backend) -> QuotaStore:
    return quota_store(await backend.open())


async def test_reserve_counts_every_tally_or_none(quota: QuotaStore) -> None:
    now = time.time()
    counted = tallies(now, requests=2, tokens=25)

    first = await reserve(quota, now, counted)
    second = await reserve(quota, now, counted, 20)
    third = await quota.reserve(
        SCOPE,
        counted,
        [1, 5],
        reservation(now, 5),
        idempotency_key="",
        keep_until=now + 60,
        thresholds=THRESHOLDS,
        now=now,
    )

    assert (first[0], first[2]) == (ReserveStatus.GRANTED, (1, 10))
    assert (second[0], second[2]) == (ReserveStatus.DENIED, (1, 10))
    assert third.status is ReserveStatus.GRANTED
    denied = await quota.reserve(
        SCOPE,
        counted,
        [1, 0],
        reservation(now, 0),
        idempotency_key="",
        keep_until=now + 60,
        thresholds=THRESHOLDS,
        now=now,
    )
    assert (denied.status, denied.refused_index, denied.token) == (ReserveStatus.DENIED, 0, "")
    assert await quota.read(SCOPE, counted, now=now) == [2, 15]


async def test_a_repeated_idempotency_key_returns_the_first_reservation(
    quota: QuotaStore,
) -> None:
    now = time.time()
    counted = tallies(now)

    status, token, _ = await reserve(quota, now, counted, key="req-1:0")
    again, same, values = await reserve(quota, now, counted, key="req-1:0")

    assert (status, again, same, values) == (
        ReserveStatus.GRANTED,
        ReserveStatus.REPEATED,
        token,
        (1, 10),
    )
    record = await quota.reservation(SCOPE, token, now=now)
    assert record is not None
    assert (record.state, record.estimated_tokens) == (ReservationState.PENDING, 10)


async def test_commit_counts_once_and_release_after_it_does_nothing(quota: QuotaStore) -> None:
    now = time.time()
    counted = tallies(now)
    _, token, _ = await reserve(quota, now, counted, 10)

    assert await settle(quota, token, Settlement.COMMIT, counted, now, actual=4) == (
        SettleStatus.APPLIED,
        (1, 4),
    )
    assert await settle(quota, token, Settlement.COMMIT, counted, now, actual=4) == (
        SettleStatus.UNCHANGED,
        (1, 4),
    )
    assert await settle(quota, token, Settlement.RELEASE, counted, now) == (
        SettleStatus.UNCHANGED,
        (1, 4),
    )
    assert await settle(quota, token, Settlement.EXPIRE, counted, now + 120) == (
        SettleStatus.UNCHANGED,
        (1, 4),
    )
    assert await settle(quota, "nope", Settlement.COMMIT, counted, now) == (
        SettleStatus.NOT_FOUND,
        (1, 4),
    )


async def test_release_gives_back_once_and_commit_after_it_conflicts(quota: QuotaStore) -> None:
    now = time.time()
    counted = tallies(now)
    _, token, _ = await reserve(quota, now, counted, 10)

    assert await settle(quota, token, Settlement.RELEASE, counted, now) == (
        SettleStatus.APPLIED,
        (0, 0),
    )
    assert (await settle(quota, token, Settlement.RELEASE, counted, now))[
        0
    ] is SettleStatus.UNCHANGED
    assert (await settle(quota, token, Settlement.COMMIT, counted, now, actual=5))[
        0
    ] is SettleStatus.CONFLICT
    assert await quota.read(SCOPE, counted, now=now) == [0, 0]


async def test_expiry_gives_back_only_when_due_and_a_late_commit_counts_actual_use(
    quota: QuotaStore,
) -> None:
    now = time.time()
    counted = tallies(now)
    _, token, _ = await reserve(quota, now, counted, 10, ttl=30)

    assert await quota.due_reservations(SCOPE, now + 29, 10) == []
    assert (await settle(quota, token, Settlement.EXPIRE, counted, now + 29))[
        0
    ] is SettleStatus.UNCHANGED
    assert await quota.due_reservations(SCOPE, now + 30, 10) == [token]
    assert await settle(quota, token, Settlement.EXPIRE, counted, now + 30) == (
        SettleStatus.APPLIED,
        (0, 0),
    )
    assert await quota.due_reservations(SCOPE, now + 30, 10) == []
    assert await settle(quota, token, Settlement.COMMIT, counted, now + 31, actual=7) == (
        SettleStatus.APPLIED,
        (1, 7),
    )
    assert (await settle(quota, token, Settlement.COMMIT, counted, now + 32, actual=7))[1] == (1, 7)


async def test_a_batch_settles_in_order_as_one_settlement_after_another(
    quota: QuotaStore,
) -> None:
    now = time.time()
    counted = tallies(now, requests=4)
    tokens = [(await reserve(quota, now, counted, 10))[1] for _ in range(3)]
    first, second, third = tokens

    def order(token: str, settlement: Settlement, actual: int = 0) -> SettleOrder:
        return SettleOrder(SCOPE, token, settlement, tuple(counted), actual)

    outcomes = await quota.settle_all(
        [
            order(first, Settlement.COMMIT, 4),
            order(second, Settlement.RELEASE),
            order(second, Settlement.COMMIT, 9),
            order("nope", Settlement.COMMIT, 9),
            order(first, Settlement.COMMIT, 4),
            order(third, Settlement.EXPIRE),
            order(third, Settlement.RELEASE),
        ],
        thresholds=THRESHOLDS,
        now=now,
    )

    assert [(item.status, item.values) for item in outcomes] == [
        (SettleStatus.APPLIED, (3, 24)),
        (SettleStatus.APPLIED, (2, 14)),
        (SettleStatus.CONFLICT, (2, 14)),
        (SettleStatus.NOT_FOUND, (2, 14)),
        (SettleStatus.UNCHANGED, (2, 14)),
        (SettleStatus.UNCHANGED, (2, 14)),
        (SettleStatus.APPLIED, (1, 4)),
    ]
    assert [item.state for item in outcomes[:3]] == [
        ReservationState.PENDING,
        ReservationState.PENDING,
        ReservationState.RELEASED,
    ]
    assert await quota.read(SCOPE, counted, now=now) == [1, 4]
    assert await quota.settle_all([], thresholds=THRESHOLDS, now=now) == []


async def test_a_batch_announces_the_levels_its_settlements_reach(quota: QuotaStore) -> None:
    now = time.time()
    counted = tallies(now, tokens=100)
    tokens = [(await reserve(quota, now, counted, 10))[1] for _ in range(2)]

    outcomes = await quota.settle_all(
        [SettleOrder(SCOPE, token, Settlement.COMMIT, tuple(counted), 40) for token in tokens],
        thresholds=THRESHOLDS,
        now=now,
    )

    assert [
        [(item.metric, item.level, item.used) for item in outcome.crossings] for outcome in outcomes
    ] == [[], [("tokens", Level.WARNING, 80)]]


async def test_settling_leaves_windows_reset_since_the_reservation_alone(
    quota: QuotaStore,
) -> None:
    now = time.time()
    counted = tallies(now)
    _, before, _ = await reserve(quota, now, counted, 10)

    await quota.reset(SCOPE, counted, now=now, marker_until=now + 3600)
    _, after, _ = await reserve(quota, now, counted, 3)
    assert await settle(quota, before, Settlement.RELEASE, counted, now) == (
        SettleStatus.APPLIED,
        (1, 3),
    )
    assert await settle(quota, after, Settlement.COMMIT, counted, now, actual=5) == (
        SettleStatus.APPLIED,
        (1, 5),
    )


async def test_a_spend_counts_once_and_only_in_windows_still_kept(quota: QuotaStore) -> None:
    now = time.time()
    live = tallies(now)
    gone = [
        Tally("hour", live[0].start - 7200, metric, -1, now - 1)
        for metric in ("requests", "tokens")
    ]

    async def record(spend_id: str, counted: list[Tally]) -> tuple[bool, tuple[bool, ...]]:
        outcome = await quota.record_spend(
            SCOPE,
            spend_id,
            counted,
            [1, 40],
            spent_at=now,
            remember_until=now + 3600,
            thresholds=THRESHOLDS,
            now=now,
        )
        return outcome.recorded, outcome.counted

    assert await record("s1", live) == (True, (True, True))
    assert (await record("s1", live))[0] is False
    assert await record("s2", gone) == (True, (False, False))
    assert await quota.read(SCOPE, live, now=now) == [1, 40]
    assert await quota.read(SCOPE, gone, now=now) == [0, 0]


async def test_each_level_is_announced_once_per_window_across_replicas(backend: Backend) -> None:
    stores = await backend.open_twins()
    replicas = [quota_store(store) for store in stores]
    now = time.time()
    counted = tallies(now, requests=40)

    outcomes = await asyncio.gather(
        *(reserve(replicas[index % 2], now, counted, 0) for index in range(60))
    )

    assert sum(status is ReserveStatus.GRANTED for status, _, _ in outcomes) == 40
    logged = await replicas[0].crossings_after(SCOPE, 0)
    assert [(item.metric, item.level, item.used) for item in logged] == [
        ("requests", Level.WARNING, 30),
        ("requests", Level.CRITICAL, 36),
        ("requests", Level.EXHAUSTED, 40),
    ]
    assert [item.seq for item in await replicas[1].crossings_after(SCOPE, logged[0].seq)] == [
        item.seq for item in logged[1:]
    ]
    await replicas[0].reset(SCOPE, counted, now=now, marker_until=now + 3600)
    await reserve(replicas[1], now, counted, 0)
    assert len(await replicas[0].crossings_after(SCOPE, 0)) == 3
