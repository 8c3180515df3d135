"""call_with_retry_info waits as long as the server's RetryInfo asks, only for failures the
caller accepts, within its attempts and its deadline, and gives each attempt the time left."""

from __future__ import annotations

import time
from collections.abc import Callable

import grpc
import pytest
from google.rpc import error_details_pb2

from sanad_client import RichError, call_with_retry_info, call_with_retry_info_async
from tests.clients.python.statuses import aio_error, overloaded, retry_info


class FakeClock:
    """A clock that moves only when the code under test sleeps on it."""

    def __init__(self) -> None:
        self.now = 100.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    async def async_sleep(self, seconds: float) -> None:
        self.sleep(seconds)


class Flaky:
    """A call that raises the given errors in turn, then answers; records the timeouts given."""

    def __init__(self, *errors: grpc.RpcError) -> None:
        self.errors = list(errors)
        self.timeouts: list[float | None] = []

    def __call__(self, timeout: float | None) -> str:
        self.timeouts.append(timeout)
        if self.errors:
            raise self.errors.pop(0)
        return "answer"

    async def call_async(self, seconds_left: float | None) -> str:
        return self(seconds_left)


def run(flaky: Flaky, clock: FakeClock, **options: object) -> str:
    retry: Callable[..., str] = call_with_retry_info
    return retry(flaky, clock=clock, sleep=clock.sleep, jitter=0.0, **options)


def test_a_shed_call_is_tried_again_after_the_servers_delay() -> None:
    clock, flaky = FakeClock(), Flaky(overloaded(0.5), overloaded(0.25))

    assert run(flaky, clock, total_timeout=10.0) == "answer"
    assert clock.sleeps == [0.5, 0.25]
    assert flaky.timeouts == pytest.approx([10.0, 9.5, 9.25])


def test_attempts_are_bounded_and_the_last_error_is_raised_as_it_came() -> None:
    clock, last = FakeClock(), overloaded()
    flaky = Flaky(overloaded(), overloaded(), last, overloaded())

    with pytest.raises(grpc.RpcError) as raised:
        run(flaky, clock, max_attempts=3)

    assert raised.value is last
    assert clock.sleeps == [0.5, 0.5]
    assert flaky.timeouts == [None, None, None]


def test_no_wait_that_would_end_past_the_deadline() -> None:
    clock, flaky = FakeClock(), Flaky(overloaded(0.5), overloaded(0.5))

    with pytest.raises(grpc.RpcError):
        run(flaky, clock, total_timeout=0.9)

    assert clock.sleeps == [0.5]
    assert flaky.timeouts == pytest.approx([0.9, 0.4])


def test_a_failure_without_retry_info_is_not_tried_again() -> None:
    clock = FakeClock()
    info = error_details_pb2.ErrorInfo(reason="OVERLOADED", domain="sanad.dev")
    flaky = Flaky(aio_error(grpc.StatusCode.RESOURCE_EXHAUSTED, "busy", [info]))

    with pytest.raises(grpc.RpcError):
        run(flaky, clock)

    assert clock.sleeps == []


def test_only_failures_the_caller_accepts_are_tried_again() -> None:
    clock = FakeClock()
    no_provider = aio_error(
        grpc.StatusCode.UNAVAILABLE,
        "no provider could answer",
        [error_details_pb2.ErrorInfo(reason="ALL_PROVIDERS_FAILED"), retry_info(2.0)],
    )

    with pytest.raises(grpc.RpcError):
        run(Flaky(no_provider), clock)
    assert clock.sleeps == []

    def unavailable(error: RichError) -> bool:
        return error.code == grpc.StatusCode.UNAVAILABLE

    assert run(Flaky(no_provider), clock, should_retry=unavailable) == "answer"
    assert clock.sleeps == [2.0]


def test_jitter_only_ever_adds_to_the_servers_delay() -> None:
    clock = FakeClock()

    call_with_retry_info(
        Flaky(overloaded(0.5)), clock=clock, sleep=clock.sleep, jitter=0.2, rng=lambda: 1.0
    )
    call_with_retry_info(
        Flaky(overloaded(0.5)), clock=clock, sleep=clock.sleep, jitter=0.2, rng=lambda: 0.0
    )

    assert clock.sleeps == [pytest.approx(0.6), 0.5]


async def test_the_asyncio_variant_waits_the_same_way() -> None:
    clock, flaky = FakeClock(), Flaky(overloaded(0.5))

    answer = await call_with_retry_info_async(
        flaky.call_async, total_timeout=3.0, clock=clock, sleep=clock.async_sleep, jitter=0.0
    )

    assert answer == "answer"
    assert clock.sleeps == [0.5]
    assert flaky.timeouts == pytest.approx([3.0, 2.5])


async def test_the_asyncio_variant_really_sleeps_by_default() -> None:
    flaky = Flaky(overloaded(0.05))
    started = time.monotonic()

    assert await call_with_retry_info_async(flaky.call_async, jitter=0.0) == "answer"

    assert time.monotonic() - started >= 0.05
