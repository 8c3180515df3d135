"""Fault specs (validation, defaults) and the per-provider queue, without a server."""

from __future__ import annotations

import asyncio
import re
from typing import Any

import pytest

from sanad_emulator.faults import FaultBoard, FaultKind, FaultSpec, FaultSpecError, ProviderStats


def test_defaults_are_resolved() -> None:
    spec = FaultSpec.from_json({"provider": "gemini", "fault": "rate_limited"})
    assert spec == FaultSpec("gemini", FaultKind.RATE_LIMITED, status=429, retry_after=1.0)
    assert FaultSpec.from_json({"provider": "openai", "fault": "server_error"}).status == 503
    assert FaultSpec.from_json({"provider": "openai", "fault": "auth"}).status == 401
    assert FaultSpec.from_json({"provider": "gemini", "fault": "auth"}).status == 400
    assert FaultSpec.from_json({"provider": "openai", "fault": "latency"}).latency_ms == 1000


def test_round_trip_through_json() -> None:
    body = {
        "provider": "openai",
        "fault": "server_error",
        "status": 502,
        "count": 2,
        "retry_after": 3,
        "latency_ms": 10,
    }
    spec = FaultSpec.from_json(body)
    assert spec.to_json() == {**body, "retry_after": 3.0}
    assert FaultSpec.from_json(spec.to_json()) == spec


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ([], "JSON object"),
        ({"fault": "hang"}, "provider must be one of openai, gemini, anthropic"),
        ({"provider": "mistral", "fault": "hang"}, "provider must be one of"),
        ({"provider": "openai"}, "fault must be one of"),
        ({"provider": "openai", "fault": ["hang"]}, "fault must be one of"),
        ({"provider": "openai", "fault": "explode"}, "fault must be one of"),
        ({"provider": "openai", "fault": "hang", "count": 0}, "count must be >= 1"),
        ({"provider": "openai", "fault": "hang", "count": "2"}, "count must be an integer"),
        ({"provider": "openai", "fault": "hang", "count": True}, "count must be an integer"),
        ({"provider": "openai", "fault": "server_error", "status": 418}, "500, 502, 503, 504"),
        ({"provider": "openai", "fault": "auth", "status": 400}, "401, 403"),
        ({"provider": "gemini", "fault": "auth", "status": 401}, "400, 403"),
        ({"provider": "openai", "fault": "rate_limited", "status": 503}, "429"),
        ({"provider": "openai", "fault": "hang", "status": 500}, "does not apply"),
        ({"provider": "openai", "fault": "rate_limited", "retry_after": -1}, "retry_after"),
        ({"provider": "openai", "fault": "latency", "latency_ms": -5}, "latency_ms"),
        ({"provider": "openai", "fault": "hang", "times": 2}, "unknown field(s): times"),
    ],
)
def test_bad_specs_are_refused_with_a_clear_message(body: Any, message: str) -> None:
    with pytest.raises(FaultSpecError, match=re.escape(message)):
        FaultSpec.from_json(body)


def _spec(fault: str, count: int | None) -> FaultSpec:
    return FaultSpec.from_json({"provider": "openai", "fault": fault, "count": count})


def test_queue_serves_first_in_first_out_and_counts() -> None:
    board = FaultBoard()
    board.add(_spec("server_error", 2))
    board.add(_spec("auth", 1))
    served = [board.take("openai") for _ in range(4)]
    assert [spec.fault if spec else None for spec in served] == [
        FaultKind.SERVER_ERROR,
        FaultKind.SERVER_ERROR,
        FaultKind.AUTH,
        None,
    ]
    assert board.take("gemini") is None
    assert board.stats() == {
        "openai": ProviderStats(requests=4, faults_served=3),
        "gemini": ProviderStats(requests=1, faults_served=0),
        "anthropic": ProviderStats(requests=0, faults_served=0),
    }


def test_fault_without_count_stays_until_cleared() -> None:
    board = FaultBoard()
    board.add(_spec("empty", None))
    board.add(_spec("auth", 1))
    assert all(board.take("openai") == _spec("empty", None) for _ in range(5))
    assert board.pending()["openai"][0]["remaining"] is None
    board.clear("gemini")
    assert board.take("openai") is not None
    board.clear("openai")
    assert board.take("openai") is None
    assert board.pending() == {"openai": [], "gemini": [], "anthropic": []}


def test_reset_zeroes_counters() -> None:
    board = FaultBoard()
    board.add(_spec("hang", 1))
    board.take("openai")
    board.reset()
    assert board.stats()["openai"] == ProviderStats(0, 0)


async def test_clear_releases_hung_waiters() -> None:
    board = FaultBoard()
    waiter = asyncio.create_task(board.wait_released("openai"))
    await asyncio.sleep(0)  # the waiter runs up to its wait
    assert not waiter.done()
    board.clear("openai")
    await asyncio.wait_for(waiter, 1)
    # A new hang after the release waits again.
    again = asyncio.create_task(board.wait_released("openai"))
    await asyncio.sleep(0)  # the waiter runs up to its wait
    assert not again.done()
    board.reset()
    await asyncio.wait_for(again, 1)
