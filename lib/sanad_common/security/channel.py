"""A TLS client channel that follows its certificate files.

gRPC's Python channel credentials are fixed when the channel is made, so a client certificate
replaced on disk would be presented again by every new connection until it expired. This
channel keeps one gRPC channel per generation of the files: when they change (checked at most
once per ``RELOAD_CHECK_SECONDS``, on the next call), the next calls go through a new channel
made with the new files, and the old one is closed once its calls have had time to end.
Stubs keep working across the change: the multicallables they hold pick the current channel
on every call.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Sequence
from types import TracebackType
from typing import Any, Self

import grpc

from sanad_common.security.tls import ReloadingMaterial, TlsMaterial, channel_credentials

RELOAD_CHECK_SECONDS = 1.0
"""Least time between two looks at the certificate files."""
RETIRED_GRACE_SECONDS = 30.0
"""How long calls on a replaced channel may still run before it is closed."""

ChannelFactory = Callable[[grpc.ChannelCredentials], grpc.aio.Channel]
"""Makes one channel from credentials (target, options and interceptors already chosen)."""


class ReloadingChannel(grpc.aio.Channel):
    """An asyncio channel whose TLS credentials follow their files (see the module docstring)."""

    def __init__(
        self,
        material: ReloadingMaterial,
        factory: ChannelFactory,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._material = material
        self._factory = factory
        self._clock = clock
        self._checked = clock()
        self._generation = 0
        self._used = material.latest()
        self._channel = factory(channel_credentials(self._used))
        self._retiring: set[asyncio.Task[None]] = set()

    @property
    def generation(self) -> int:
        """How many times the files changed since the channel was made."""
        return self._generation

    def current(self) -> tuple[int, grpc.aio.Channel]:
        """The channel of the files' current generation, made anew if they changed."""
        now = self._clock()
        if now - self._checked >= RELOAD_CHECK_SECONDS:
            self._checked = now
            fresh = self._material.latest()
            if fresh is not self._used:
                self._replace(fresh)
        return self._generation, self._channel

    def _replace(self, material: TlsMaterial) -> None:
        retired = self._channel
        self._used = material
        self._channel = self._factory(channel_credentials(material))
        self._generation += 1
        task = asyncio.get_running_loop().create_task(retired.close(RETIRED_GRACE_SECONDS))
        self._retiring.add(task)
        task.add_done_callback(self._retiring.discard)

    async def close(self, grace: float | None = None) -> None:
        for task in list(self._retiring):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self._channel.close(grace)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc_val: BaseException | None,
        exc_tb: TracebackType | None,
    ) -> None:
        await self.close()

    def get_state(self, try_to_connect: bool = False) -> grpc.ChannelConnectivity:
        return self.current()[1].get_state(try_to_connect)

    async def wait_for_state_change(self, last_observed_state: grpc.ChannelConnectivity) -> None:
        await self.current()[1].wait_for_state_change(last_observed_state)

    async def channel_ready(self) -> None:
        await self.current()[1].channel_ready()

    def unary_unary(self, method: str, *args: Any, **kwargs: Any) -> Any:
        return _Reloaded(self, "unary_unary", method, args, kwargs)

    def unary_stream(self, method: str, *args: Any, **kwargs: Any) -> Any:
        return _Reloaded(self, "unary_stream", method, args, kwargs)

    def stream_unary(self, method: str, *args: Any, **kwargs: Any) -> Any:
        return _Reloaded(self, "stream_unary", method, args, kwargs)

    def stream_stream(self, method: str, *args: Any, **kwargs: Any) -> Any:
        return _Reloaded(self, "stream_stream", method, args, kwargs)


class _Reloaded:
    """A multicallable that makes each call on the channel's current generation."""

    def __init__(
        self,
        channel: ReloadingChannel,
        kind: str,
        method: str,
        args: Sequence[Any],
        kwargs: dict[str, Any],
    ) -> None:
        self._channel = channel
        self._kind = kind
        self._method = method
        self._args = tuple(args)
        self._kwargs = kwargs
        self._made: tuple[int, Any] | None = None

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        generation, channel = self._channel.current()
        if self._made is None or self._made[0] != generation:
            factory = getattr(channel, self._kind)
            self._made = (generation, factory(self._method, *self._args, **self._kwargs))
        return self._made[1](*args, **kwargs)
