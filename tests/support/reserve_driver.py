"""One analyzer's worth of concurrent Reserve calls, as its own process, for the race tests.

Run as ``python -m tests.support.reserve_driver TARGETS COUNT``: it opens several channels per
quota replica, prints READY once they are connected, waits for a line on stdin (so several
drivers start together), fires COUNT Reserve calls spread over the replicas (at most
MAX_IN_FLIGHT on the wire at once), and prints one JSON line: the granted reservation ids,
how many were denied, how many denials lacked details, and the distinct subject and limit of
every denial's violations.
"""

from __future__ import annotations

import asyncio
import json
import sys

import grpc

from sanad.quota.v1 import quota_pb2, quota_pb2_grpc

MAX_IN_FLIGHT = 500
"""Calls one driver keeps on the wire at once. Started all at the same instant, bursts of more
than about 1,500 calls from one gRPC Python client ended CANCELLED on this machine (cause not
pinned down), so the rest wait for a free slot: the two drivers still race 1,000 calls at a
time against the two replicas."""
CHANNELS_PER_REPLICA = 8
"""Separate connections per replica, as a pool of analyzer workers would have."""
READY = "connected"
"""The line a driver prints once every channel is ready, before it waits for the start line."""


async def drive(targets: list[str], count: int) -> dict[str, object]:
    channels = [
        grpc.aio.insecure_channel(target, options=[("grpc.use_local_subchannel_pool", 1)])
        for target in targets
        for _ in range(CHANNELS_PER_REPLICA)
    ]
    stubs = [quota_pb2_grpc.QuotaServiceStub(channel) for channel in channels]
    for channel in channels:
        await channel.channel_ready()
    sys.stdout.write(READY + "\n")
    sys.stdout.flush()
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    in_flight = asyncio.Semaphore(MAX_IN_FLIGHT)

    async def reserve(index: int) -> quota_pb2.ReserveResponse:
        async with in_flight:
            return await stubs[index % len(stubs)].Reserve(
                quota_pb2.ReserveRequest(provider="openai", estimated_tokens=10), timeout=120
            )

    replies = await asyncio.gather(*(reserve(index) for index in range(count)))
    for channel in channels:
        await channel.close()
    denied = [reply for reply in replies if not reply.allowed]
    return {
        "granted": [reply.reservation_id for reply in replies if reply.allowed],
        "denied": len(denied),
        "denials_without_details": sum(
            not reply.violations or not reply.HasField("frees_at") for reply in denied
        ),
        "violations": sorted(
            {
                f"{violation.subject}|{violation.limit}"
                for reply in denied
                for violation in reply.violations
            }
        ),
    }


def main() -> None:
    targets, count = sys.argv[1].split(","), int(sys.argv[2])
    sys.stdout.write(json.dumps(asyncio.run(drive(targets, count))) + "\n")


if __name__ == "__main__":
    main()
