"""The run's connections: one channel per service address, opened when first used and closed
when the command ends; an unreachable service is told apart by status codes (of the connection
attempt, of the failed call and of a health check after it), never by an error's text."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any, Generic, TypeAlias, TypeVar

import grpc
from grpc_health.v1 import health_pb2 as grpc_health_pb2
from grpc_health.v1 import health_pb2_grpc as grpc_health_pb2_grpc

from sanad.analyzer.v1 import analyzer_pb2_grpc
from sanad.health.v1 import health_pb2_grpc
from sanad.quota.v1 import quota_pb2_grpc
from sanad_cli.errors import EXIT_UNREACHABLE, CliError, reported_errors
from sanad_cli.settings import CliSettings
from sanad_client import open_aio_channel

Stub = TypeVar("Stub")
Request = TypeVar("Request")
Reply = TypeVar("Reply")
Result = TypeVar("Result")
Metadata: TypeAlias = tuple[tuple[str, str], ...]
Method: TypeAlias = Callable[[Stub], grpc.aio.UnaryUnaryMultiCallable[Request, Reply]]
"""Picks a unary method of a service's stub, e.g. ``lambda stub: stub.GetUsage``."""

CONNECTION_CODES = frozenset({grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED})
"""Codes that mean the service was not reached, unless it still answers a health check: then
they are its own answer (every provider failed, its deadline)."""
PROBE_TIMEOUT = 2.0
"""Longest wait, in seconds, for the health check that follows such a code; a service that
cannot answer one in this long is as good as unreachable."""
_SETTLED = frozenset(
    {
        grpc.ChannelConnectivity.READY,
        grpc.ChannelConnectivity.TRANSIENT_FAILURE,
        grpc.ChannelConnectivity.SHUTDOWN,
    }
)
"""States that end a connection attempt: connected, or failed (refused, no such host)."""


class Connections:
    """The channels of one CLI run, one per target, on the run's own event loop.

    The typer callback makes one for the run and the command's context closes it, so every
    call to a service shares one connection, a batch's hundreds included. Channels are opened
    by sanad_client without its service config (no automatic retries: an operator sees each
    failure), TLS when the settings name a CA file, plaintext otherwise.
    """

    def __init__(self, settings: CliSettings) -> None:
        self.settings = settings
        """Where the services are, the admin token, and how long a call may take."""
        self._runner = asyncio.Runner()
        self._channels: dict[str, grpc.aio.Channel] = {}
        self.analyzer: Service[analyzer_pb2_grpc.AnalyzerServiceAsyncStub] = Service(
            self, settings.analyzer_target, analyzer_pb2_grpc.AnalyzerServiceStub
        )
        """The analyzer."""
        self.quota: Service[quota_pb2_grpc.QuotaServiceAsyncStub] = Service(
            self, settings.quota_target, quota_pb2_grpc.QuotaServiceStub
        )
        """The quota service."""
        self.health: Service[health_pb2_grpc.ProviderHealthServiceAsyncStub] = Service(
            self, settings.health_target, health_pb2_grpc.ProviderHealthServiceStub
        )
        """The health service."""

    def __enter__(self) -> Connections:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def run(self, work: Coroutine[Any, Any, Result]) -> Result:
        """Run work on the run's event loop; a CliError becomes one line and the exit code."""
        with reported_errors():
            return self._runner.run(work)

    async def channel(self, target: str) -> grpc.aio.Channel:
        """target's channel, connected on first use; CliError when the service is unreachable
        (refused, unknown host) or no connection is made within the timeout."""
        channel = self._channels.get(target)
        if channel is None:
            channel = self._channels[target] = open_aio_channel(
                target, tls=self.settings.tls(), service_config_json=None
            )
            state = channel.get_state(try_to_connect=True)
            try:
                async with asyncio.timeout(self.settings.timeout):
                    while state not in _SETTLED:
                        await channel.wait_for_state_change(state)
                        state = channel.get_state(try_to_connect=True)
            except TimeoutError:
                raise _unreachable(target, grpc.StatusCode.DEADLINE_EXCEEDED) from None
            if state is not grpc.ChannelConnectivity.READY:
                raise _unreachable(target, grpc.StatusCode.UNAVAILABLE)
        return channel

    async def reachable(self, target: str) -> bool:
        """Whether target answers a grpc.health.v1 check on its channel now: any answer but
        UNAVAILABLE or DEADLINE_EXCEEDED (even UNIMPLEMENTED) means it was reached. A probe,
        not the channel's state, because a connection the server just closed can still read
        READY for a moment."""
        channel = self._channels.get(target)
        if channel is None:
            return False
        # The typeshed stub declares no methods on HealthStub.
        health: Any = grpc_health_pb2_grpc.HealthStub(channel)
        try:
            await health.Check(
                grpc_health_pb2.HealthCheckRequest(),
                timeout=min(self.settings.timeout, PROBE_TIMEOUT),
            )
        except grpc.aio.AioRpcError as error:
            return error.code() not in CONNECTION_CODES
        return True

    def close(self) -> None:
        """Close every channel, then the event loop."""
        channels = list(self._channels.values())
        self._channels.clear()
        if channels:
            self._runner.run(_close(channels))
        self._runner.close()


class Service(Generic[Stub]):
    """One service of the suite as this run reaches it: its address, its stub, its calls."""

    def __init__(
        self, connections: Connections, target: str, stub: Callable[[grpc.aio.Channel], Stub]
    ) -> None:
        self.target = target
        """host:port of the service."""
        self._connections = connections
        self._stub = stub

    def call(
        self,
        method: Method[Stub, Request, Reply],
        request: Request,
        *,
        admin: bool = False,
        tenant: bool = False,
    ) -> Reply:
        """One unary call, from a command; admin sends the admin token (and stops with a clear
        error when there is none), tenant the tenant key (when there is one)."""
        settings = self._connections.settings
        with reported_errors():
            metadata = settings.admin_metadata() if admin else ()
        if tenant:
            metadata = settings.tenant_metadata()
        return self._connections.run(self.invoke(method, request, metadata))

    async def invoke(
        self,
        method: Method[Stub, Request, Reply],
        request: Request,
        metadata: Metadata = (),
    ) -> Reply:
        """One unary call within the run's timeout; a failure is a CliError."""
        stub = await self.stub()
        try:
            return await method(stub)(
                request, metadata=metadata, timeout=self._connections.settings.timeout
            )
        except grpc.aio.AioRpcError as error:
            raise await self.failure(error) from None

    async def stub(self) -> Stub:
        """The service's stub on the run's channel to it, connected."""
        return self._stub(await self._connections.channel(self.target))

    async def failure(self, error: grpc.aio.AioRpcError) -> CliError:
        """One line for a failed call: unreachable when its code says so and the service no
        longer answers (it went away), otherwise what the service said."""
        code = error.code()
        if code in CONNECTION_CODES and not await self._connections.reachable(self.target):
            return _unreachable(self.target, code)
        return CliError(f"{self.target} answered {code.name}: {error.details() or ''}")


def _unreachable(target: str, code: grpc.StatusCode) -> CliError:
    return CliError(f"cannot reach {target}: {code.name}", EXIT_UNREACHABLE)


async def _close(channels: list[grpc.aio.Channel]) -> None:
    await asyncio.gather(*(channel.close() for channel in channels))
