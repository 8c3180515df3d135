"""SingleFlight: one call per key, shared with everyone who asks meanwhile."""

from __future__ import annotations

import asyncio

import pytest

from sanad_analyzer.single_flight import FingerprintMismatchError, SingleFlight


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
    await asyncio.sleep(0.01)
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
    await asyncio.sleep(0.01)
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
    await asyncio.sleep(0.01)
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
            await asyncio.sleep(10)
        return f"call {calls}"

    leader = asyncio.ensure_future(flights.run("k", "f", produce))
    await asyncio.sleep(0.01)
    joiner = asyncio.ensure_future(flights.run("k", "f", produce))
    await asyncio.sleep(0.01)
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
    await asyncio.sleep(0.01)
    joiner = asyncio.ensure_future(flights.run("k", "f", produce))
    await asyncio.sleep(0.01)
    joiner.cancel()
    release.set()

    assert await leader == ("answer", False)
    assert joiner.cancelled()
