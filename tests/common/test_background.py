"""The shared periodic runner: it survives failures of one round and ends on cancel()."""

from __future__ import annotations

import asyncio

from structlog.testing import capture_logs

from sanad_common.background import run_periodically
from sanad_common.storage import StoreUnavailableError
from tests.support.waiting import eventually_read

LOOP_STEPS = 20
"""Event-loop turns given to a task that must not have done anything yet."""


async def test_failures_skip_one_round_and_cancel_ends_the_loop() -> None:
    rounds = 0
    failures: list[Exception] = [StoreUnavailableError("down"), KeyError("a bug")]

    async def operation() -> None:
        nonlocal rounds
        rounds += 1
        if failures:
            raise failures.pop(0)

    with capture_logs() as logs:
        task = asyncio.create_task(run_periodically(0.01, operation, what="Test refresh"))
        await eventually_read(lambda: rounds, lambda seen: seen >= 3, what="three rounds")
        task.cancel()
        done, _ = await asyncio.wait([task], timeout=2)

    assert done and task.cancelled()
    assert rounds >= 3
    events = [(entry["event"], entry["log_level"]) for entry in logs]
    assert events[:2] == [
        ("Test refresh skipped: store unavailable", "warning"),
        ("Test refresh failed", "error"),
    ]


async def test_delay_first_waits_one_interval_before_the_first_round() -> None:
    rounds = 0

    async def operation() -> None:
        nonlocal rounds
        rounds += 1

    task = asyncio.create_task(run_periodically(10, operation, what="Slow", delay_first=True))
    for _ in range(LOOP_STEPS):
        await asyncio.sleep(0)  # yields to the loop, so a round not delayed would have run
    task.cancel()
    await asyncio.wait([task], timeout=2)

    assert rounds == 0
