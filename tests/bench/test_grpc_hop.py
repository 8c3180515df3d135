"""The gRPC hop benchmark answers every caller on both exchanges and reports each of them."""

from __future__ import annotations

import asyncio

from bench.grpc_hop import SECTION, measure, render


def test_every_round_trip_is_answered_and_reported() -> None:
    # A tag that found no caller, or a caller left waiting, would never finish.
    results = asyncio.run(asyncio.wait_for(measure(trips=64, rounds=1, concurrency=(1, 4)), 60))
    assert set(results) == {
        ("unary call", 1),
        ("stream message", 1),
        ("unary call", 4),
        ("stream message", 4),
    }
    for rounds in results.values():
        assert len(rounds) == 1
        client, server, wall = rounds[0]
        # CPU is read in clock ticks, so a short round may show none; time always passes.
        assert client >= 0 and server >= 0 and wall > 0
    report = render(results, 64, "python -m bench.grpc_hop")
    assert report.startswith(SECTION)
    assert report.count("| stream message |") == 2
