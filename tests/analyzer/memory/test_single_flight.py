"""SingleFlight and SharedFlight: one call per key, shared with everyone who asks meanwhile,
in one process and across replicas on one store."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any, NamedTuple, cast

import grpc
import pytest
from google.rpc import error_details_pb2

from sanad.analyzer.v1 import analyzer_pb2
from sanad_analyzer.deadline import Deadline
from sanad_analyzer.memory.single_flight import (
    FLIGHT_PREFIX,
    OUTCOME_INFIX,
    FingerprintMismatchError,
    SharedFlight,
    SingleFlight,
)
from sanad_common.errors import ServiceError, error_info
from sanad_common.storage import Store, open_store

WAIT_SECONDS = 10.0
"""Bound on waiting for a replica to reach a step of the flight."""


LOOP_TURNS = 5
"""Event-loop turns that let every task started so far run up to its first wait."""


async def turns() -> None:
    """Let the tasks started so far reach their waits: SingleFlight needs no I/O to get
    there, so a few turns of the loop order them, with no guessed time."""
    for _ in range(LOOP_TURNS):
        await asyncio.sleep(0)


async def test_concurrent_callers_share_one_call() -> None:
    flights: SingleFlight[str] = SingleFlight()
    calls = 0
    release = asyncio.Event()

    async def produce() -> str:
        nonlocal calls
        calls += 1
        await release.wait()
        return "answer"

    waiting = [asyncio.ensure_future(flights.run("k", "f", produce)) for _ in range(5)]
    await turns()
    release.set()
    results = await asyncio.gather(*waiting)

    assert calls == 1
    assert sorted(shared for _, shared in results) == [False, True, True, True, True]
    assert {value for value, _ in results} == {"answer"}


async def test_a_different_fingerprint_under_the_same_key_is_refused() -> None:
    flights: SingleFlight[str] = SingleFlight()
    release = asyncio.Event()

    async def produce() -> str:
        await release.wait()
        return "first"

    leader = asyncio.ensure_future(flights.run("k", "body-1", produce))
    await turns()
    with pytest.raises(FingerprintMismatchError):
        await flights.run("k", "body-2", produce)
    release.set()
    assert await leader == ("first", False)


async def test_an_error_reaches_every_caller_and_the_key_is_freed() -> None:
    flights: SingleFlight[str] = SingleFlight()
    release = asyncio.Event()

    async def fail() -> str:
        await release.wait()
        raise RuntimeError("provider down")

    waiting = [asyncio.ensure_future(flights.run("k", "f", fail)) for _ in range(3)]
    await turns()
    release.set()
    results = await asyncio.gather(*waiting, return_exceptions=True)

    assert all(isinstance(result, RuntimeError) for result in results)

    async def succeed() -> str:
        return "later"

    assert await flights.run("k", "f", succeed) == ("later", False)


async def test_a_waiting_caller_takes_over_when_the_leader_is_cancelled() -> None:
    flights: SingleFlight[str] = SingleFlight()
    calls = 0

    async def produce() -> str:
        nonlocal calls
        calls += 1
        if calls == 1:
            await asyncio.Event().wait()  # a call that never ends by itself
        return f"call {calls}"

    leader = asyncio.ensure_future(flights.run("k", "f", produce))
    await turns()
    joiner = asyncio.ensure_future(flights.run("k", "f", produce))
    await turns()
    leader.cancel()

    assert await joiner == ("call 2", False)
    assert leader.cancelled()


async def test_a_cancelled_waiter_does_not_cancel_the_leader() -> None:
    flights: SingleFlight[str] = SingleFlight()
    release = asyncio.Event()

    async def produce() -> str:
        await release.wait()
        return "answer"

    leader = asyncio.ensure_future(flights.run("k", "f", produce))
    await turns()
    joiner = asyncio.ensure_future(flights.run("k", "f", produce))
    await turns()
    joiner.cancel()
    release.set()

    assert await leader == ("answer", False)
    assert joiner.cancelled()


class PolledStore:
    """A real store that tells the test when a replica first looks for a leader's outcome,
    that is, when it is waiting for another replica (SharedFlight polls with get_many)."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self.waiting = asyncio.Event()

    async def get_many(self, keys: Sequence[str]) -> list[bytes | None]:
        self.waiting.set()
        return await self._store.get_many(keys)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)


class Replicas(NamedTuple):
    leader: SharedFlight
    follower: SharedFlight
    follower_waiting: asyncio.Event
    """Set once the follower waits for the leader's outcome."""


@pytest.fixture
async def two_replicas(tmp_path: Path) -> AsyncIterator[Replicas]:
    """Two SharedFlights on separate connections to one store, as two replicas have."""
    url = f"sqlite:///{tmp_path / 'store.db'}"
    one, other = await open_store(url), await open_store(url)
    polled = PolledStore(other)
    yield Replicas(
        SharedFlight(one, lease=0.5, poll_interval=0.01),
        SharedFlight(cast(Store, polled), lease=0.5, poll_interval=0.01),
        polled.waiting,
    )
    await one.aclose()
    await other.aclose()


async def started(event: asyncio.Event) -> None:
    """Wait until a leader's call has begun (it holds the lease then)."""
    await asyncio.wait_for(event.wait(), timeout=WAIT_SECONDS)


def _answer(analysis_id: str) -> analyzer_pb2.AnalyzeResponse:
    return analyzer_pb2.AnalyzeResponse(analysis_id=analysis_id)


async def _never() -> analyzer_pb2.AnalyzeResponse:
    raise AssertionError("must not be called")


async def test_replicas_share_one_call(two_replicas: Replicas) -> None:
    leader, follower, follower_waiting = two_replicas
    release, leading = asyncio.Event(), asyncio.Event()
    calls = 0

    async def produce() -> analyzer_pb2.AnalyzeResponse:
        nonlocal calls
        calls += 1
        leading.set()
        await release.wait()
        return _answer("a1")

    deadline = Deadline.after(10, 0)
    first = asyncio.ensure_future(leader.run("k", "f", deadline, produce, _never))
    await started(leading)
    second = asyncio.ensure_future(follower.run("k", "f", deadline, produce, _never))
    await started(follower_waiting)
    release.set()
    (one, shared_one), (two, shared_two) = await asyncio.gather(first, second)

    assert calls == 1
    assert (one.analysis_id, shared_one, two.analysis_id, shared_two) == ("a1", False, "a1", True)


async def test_an_error_reaches_the_other_replica_as_it_was(two_replicas: Replicas) -> None:
    leader, follower, follower_waiting = two_replicas
    release, leading = asyncio.Event(), asyncio.Event()

    async def fail() -> analyzer_pb2.AnalyzeResponse:
        leading.set()
        await release.wait()
        raise ServiceError(
            grpc.StatusCode.UNAVAILABLE, "no provider", [error_info("ALL_PROVIDERS_FAILED")]
        )

    deadline = Deadline.after(10, 0)
    first = asyncio.ensure_future(leader.run("k", "f", deadline, fail, _never))
    await started(leading)
    second = asyncio.ensure_future(follower.run("k", "f", deadline, _never, _never))
    await started(follower_waiting)
    release.set()
    with pytest.raises(ServiceError):
        await first
    with pytest.raises(ServiceError) as raised:
        await second
    assert raised.value.code == grpc.StatusCode.UNAVAILABLE
    assert raised.value.message == "no provider"
    (info,) = raised.value.details
    assert isinstance(info, error_details_pb2.ErrorInfo)
    assert info.reason == "ALL_PROVIDERS_FAILED"


async def test_a_dead_leaders_lease_is_taken_over(tmp_path: Path) -> None:
    store = await open_store(f"sqlite:///{tmp_path / 'store.db'}")
    try:
        # A replica took the lease and died: nobody renews, releases or publishes it.
        lease = json.dumps({"token": "dead", "fingerprint": "f"}).encode()
        await store.set(f"{FLIGHT_PREFIX}k", lease, ttl=0.3)
        follower = SharedFlight(store, lease=0.5, poll_interval=0.01)
        response, shared = await follower.run(
            "k", "f", Deadline.after(10, 0), lambda: _produce_now("taken over"), _never
        )
        await follower.aclose()  # the lease is given back off the request path
        assert (response.analysis_id, shared) == ("taken over", False)
        assert await store.get(f"{FLIGHT_PREFIX}k") is None
    finally:
        await store.aclose()


async def _produce_now(analysis_id: str) -> analyzer_pb2.AnalyzeResponse:
    return _answer(analysis_id)


async def test_a_waiter_gives_up_when_its_deadline_passes(two_replicas: Replicas) -> None:
    leader, follower, _ = two_replicas
    release, leading = asyncio.Event(), asyncio.Event()

    async def slow() -> analyzer_pb2.AnalyzeResponse:
        leading.set()
        await release.wait()
        return _answer("late")

    first = asyncio.ensure_future(leader.run("k", "f", Deadline.after(10, 0), slow, _never))
    await started(leading)
    response, shared = await follower.run(
        "k", "f", Deadline.after(0.3, 0), _never, lambda: _produce_now("degraded")
    )
    assert (response.analysis_id, shared) == ("degraded", False)
    release.set()
    await first


async def test_another_request_under_the_same_key_is_refused(two_replicas: Replicas) -> None:
    leader, follower, _ = two_replicas
    release, leading = asyncio.Event(), asyncio.Event()

    async def slow() -> analyzer_pb2.AnalyzeResponse:
        leading.set()
        await release.wait()
        return _answer("a1")

    first = asyncio.ensure_future(leader.run("k", "f", Deadline.after(10, 0), slow, _never))
    await started(leading)
    with pytest.raises(FingerprintMismatchError):
        await follower.run("k", "other", Deadline.after(10, 0), _never, _never)
    release.set()
    await first


async def test_a_published_response_is_compressed_under_its_own_key(tmp_path: Path) -> None:
    """Every fresh answer is published for a minute (and Redis may keep it longer, until
    its expiry sampling reaches it), so the outcome is the compressed message, not JSON of
    base64; waiting replicas still read it as it was."""
    store = await open_store(f"sqlite:///{tmp_path / 'store.db'}")
    try:
        leader = SharedFlight(store, lease=0.5, poll_interval=0.01)
        release, leading = asyncio.Event(), asyncio.Event()
        response = analyzer_pb2.AnalyzeResponse(
            analysis_id="a1",
            analysis=analyzer_pb2.Analysis(
                improved_policy="Returns within 14 days of delivery. " * 40
            ),
        )

        async def produce() -> analyzer_pb2.AnalyzeResponse:
            leading.set()
            await release.wait()
            return response

        first = asyncio.ensure_future(leader.run("k", "f", Deadline.after(10, 0), produce, _never))
        await started(leading)
        held = await store.get(f"{FLIGHT_PREFIX}k")
        assert held is not None
        token = json.loads(held)["token"]
        release.set()
        await first
        await leader.aclose()  # the outcome is published off the request path

        published = await store.get(f"{FLIGHT_PREFIX}k{OUTCOME_INFIX}{token}")
        assert published is not None
        assert published.startswith(b"\x00")
        assert len(published) < len(response.SerializeToString()) / 4
    finally:
        await store.aclose()
