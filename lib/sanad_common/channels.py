"""Client channels from one Sanad service to another.

gRPC's default reconnect backoff starts at 1 s and grows to 120 s, so a client keeps failing
for seconds after its dependency is back. Sanad's dependencies are on the same network, so
the analyzer retries a lost connection every few hundred milliseconds instead and answers
from a dependency within a second of it serving again.

With TLS material the channel is TLS, verified against the CA and presenting the process's
own certificate, and it follows the files when they are replaced
(``sanad_common.security.channel``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import grpc

from sanad_common.security.channel import ReloadingChannel
from sanad_common.security.tls import ReloadingMaterial

INITIAL_RECONNECT_BACKOFF_MS = 100
"""First wait before reconnecting to a dependency that went away."""
MIN_CONNECT_TIMEOUT_MS = 2_000
"""Longest a connection attempt may take to finish its handshake (TCP, TLS, the server's
HTTP/2 settings) when the backoff is shorter. gRPC sets it with ``min_reconnect_backoff_ms``,
which is a connect deadline and not a floor on the backoff: at 100 ms, a link slower than that
(TLS on a loaded host, a slow network) could never connect until the backoff had grown, and
every call meanwhile failed at once with UNAVAILABLE."""


def dependency_channel(
    target: str,
    max_reconnect_backoff: float,
    interceptors: Sequence[grpc.aio.ClientInterceptor] = (),
    tls: ReloadingMaterial | None = None,
) -> grpc.aio.Channel:
    """A channel to target that reconnects within max_reconnect_backoff seconds; TLS with
    the given material, plaintext without."""
    ceiling = max(round(max_reconnect_backoff * 1000), INITIAL_RECONNECT_BACKOFF_MS)
    options: list[tuple[str, Any]] = [
        ("grpc.initial_reconnect_backoff_ms", INITIAL_RECONNECT_BACKOFF_MS),
        ("grpc.min_reconnect_backoff_ms", MIN_CONNECT_TIMEOUT_MS),
        ("grpc.max_reconnect_backoff_ms", ceiling),
    ]
    if tls is None:
        return grpc.aio.insecure_channel(target, interceptors=interceptors, options=options)
    return ReloadingChannel(
        tls,
        lambda credentials: grpc.aio.secure_channel(
            target, credentials, interceptors=interceptors, options=options
        ),
    )
