"""Client channels from one Sanad service to another.

gRPC's default reconnect backoff starts at 1 s and grows to 120 s, so a client keeps failing
for seconds after its dependency is back. Sanad's dependencies are on the same network, so
the analyzer retries a lost connection every few hundred milliseconds instead and answers
from a dependency within a second of it serving again.
"""

from __future__ import annotations

from collections.abc import Sequence

import grpc

INITIAL_RECONNECT_BACKOFF_MS = 100
"""First wait before reconnecting to a dependency that went away."""


def dependency_channel(
    target: str,
    max_reconnect_backoff: float,
    interceptors: Sequence[grpc.aio.ClientInterceptor] = (),
) -> grpc.aio.Channel:
    """An insecure channel to target that reconnects within max_reconnect_backoff seconds."""
    ceiling = max(round(max_reconnect_backoff * 1000), INITIAL_RECONNECT_BACKOFF_MS)
    return grpc.aio.insecure_channel(
        target,
        interceptors=interceptors,
        options=[
            ("grpc.initial_reconnect_backoff_ms", INITIAL_RECONNECT_BACKOFF_MS),
            ("grpc.min_reconnect_backoff_ms", INITIAL_RECONNECT_BACKOFF_MS),
            ("grpc.max_reconnect_backoff_ms", ceiling),
        ],
    )
