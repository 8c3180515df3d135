"""gRPC server start-up shared by every service.

Each service hands over its servicers; this module adds what every Sanad server has: the
standard ``grpc.health.v1`` service (NOT_SERVING until the process can do its work, and kept
current by a readiness loop), server reflection, message size limits, the interceptor that
turns :class:`ServiceError` into rich statuses, refuses undecodable requests and guards admin
RPCs, TLS when the settings name a certificate (``sanad_common.security.tls``), and graceful
shutdown on SIGTERM or SIGINT.

grpc.health.v1 carries two answers. The overall service ``""`` follows the process's readiness
check (can it do its work at all); each named service follows its own check when it has one
(the analyzer's follows the roll-up), else the overall one. On a stop signal every status goes
NOT_SERVING (Watch streams hear it at once) while the server goes on serving for
``SANAD_SHUTDOWN_DRAIN`` seconds, so health-checking clients move away first; then new RPCs are
refused, and those in flight get ``SANAD_SHUTDOWN_GRACE`` seconds to finish before they are
cancelled; the service's app then releases what they held.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
from collections.abc import Awaitable, Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field

import grpc
import structlog
import uvloop
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection
from pydantic import ValidationError

from sanad_common.config import ConfigurationError, Settings, load_settings
from sanad_common.interceptors import ServiceInterceptor
from sanad_common.lean_process import release_free_heap
from sanad_common.security.tls import server_credentials
from sanad_common.telemetry import configure_logging, configure_metrics
from sanad_common.tracing import (
    TracingConfigurationError,
    configure_tracing,
    server_interceptors,
    untraced,
)

log = structlog.get_logger(__name__)

NOT_READY_INTERVAL_SECONDS = 0.5
"""How often the readiness check runs while the service is not ready."""

HEAP_TRIM_INTERVAL_SECONDS = 30.0
"""How often a serving process returns its free C heap to the system (a trim takes well under
a millisecond of the event loop)."""


class AddressInUseError(RuntimeError):
    """The server could not bind its address (taken, or not an address of this host)."""


ReadinessCheck = Callable[[], Awaitable[None]]
"""Raises if the service cannot do its work (for example the store does not answer)."""


@dataclass(frozen=True)
class ServiceDefinition:
    """One gRPC service a process serves."""

    name: str
    """Full service name, for example "sanad.quota.v1.QuotaService"."""
    register: Callable[[grpc.aio.Server], None]
    """Adds the servicer to a server (the generated ``add_*Servicer_to_server``)."""
    admin_methods: frozenset[str] = field(default_factory=frozenset)
    """Method names (without the service) that require the admin token."""
    readiness_check: ReadinessCheck | None = None
    """The named service's own grpc.health.v1 status; None to follow the process's."""


async def serve(
    *,
    component: str,
    services: Sequence[ServiceDefinition],
    port: int,
    settings: Settings,
    readiness_check: ReadinessCheck,
) -> None:
    """Serve until SIGTERM or SIGINT, then drain in-flight RPCs and return."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    server = await start_server(
        component=component,
        services=services,
        port=port,
        settings=settings,
        readiness_check=readiness_check,
    )
    trimming = asyncio.create_task(_release_free_heap_every(HEAP_TRIM_INTERVAL_SECONDS))
    try:
        await stop.wait()
        log.info("stopping", drain=settings.shutdown_drain, grace=settings.shutdown_grace)
    finally:
        trimming.cancel()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(signum)
        await server.stop(settings.shutdown_grace, drain=settings.shutdown_drain)


async def _release_free_heap_every(interval: float) -> None:
    """Give freed C heap back to the system now and then (lean_process.release_free_heap):
    memory a burst of requests freed would otherwise stay counted in the process's RSS."""
    if not release_free_heap():
        return
    while True:
        await asyncio.sleep(interval)
        release_free_heap()


@dataclass
class RunningServer:
    """A started server with its health state; stop() drains it."""

    server: grpc.aio.Server
    health: health.aio.HealthServicer
    port: int
    readiness_task: asyncio.Task[None]

    async def stop(self, grace: float, *, drain: float = 0.0) -> None:
        """Report NOT_SERVING and go on serving for drain seconds (clients watching health
        leave meanwhile: a call the server refuses as it stops is one gRPC may not retry),
        then refuse new RPCs, let those in flight finish within grace seconds, cancel the
        rest, and close."""
        self.readiness_task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self.readiness_task
        await self.health.enter_graceful_shutdown()
        if drain > 0:
            await asyncio.sleep(drain)
        await self.server.stop(grace)
        log.info("server stopped", port=self.port)


async def start_server(
    *,
    component: str,
    services: Sequence[ServiceDefinition],
    port: int,
    settings: Settings,
    readiness_check: ReadinessCheck,
) -> RunningServer:
    """Start a server with health, reflection and the shared interceptor on host:port."""
    admin_methods = frozenset(
        f"/{service.name}/{method}" for service in services for method in service.admin_methods
    )
    server = grpc.aio.server(
        interceptors=[
            *server_interceptors(),
            ServiceInterceptor(
                component,
                admin_methods,
                settings.admin_token,
                max_concurrent=settings.max_concurrent_rpcs,
            ),
        ],
        options=[
            # gRPC binds with SO_REUSEPORT by default: a second process given the same port
            # would share it silently and take half the connections. Refuse it instead.
            ("grpc.so_reuseport", 0),
            ("grpc.max_receive_message_length", settings.max_message_bytes),
            ("grpc.max_send_message_length", settings.max_message_bytes),
            *metadata_limits(settings.max_metadata_bytes),
        ],
    )
    for service in services:
        service.register(server)
    health_servicer = health.aio.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    names = [service.name for service in services]
    reflection.enable_server_reflection(
        [*names, health.SERVICE_NAME, reflection.SERVICE_NAME], server
    )
    for name in ("", *names):
        await health_servicer.set(name, health_pb2.HealthCheckResponse.NOT_SERVING)
    address = f"{settings.host}:{port}"
    credentials = server_credentials(settings)
    try:
        if credentials is None:
            bound = server.add_insecure_port(address)
        else:
            bound = server.add_secure_port(address, credentials)
    except RuntimeError as error:
        raise AddressInUseError(f"cannot listen on {address}: {error}") from None
    await server.start()
    log.info(
        "server listening",
        component=component,
        host=settings.host,
        port=bound,
        tls="off" if credentials is None else f"client certificates: {settings.tls_client_auth}",
    )
    checks = {
        "": readiness_check,
        **{
            service.name: service.readiness_check
            for service in services
            if service.readiness_check is not None
        },
    }
    task = asyncio.create_task(
        _keep_readiness(health_servicer, names, checks, settings.readiness_interval),
        name=f"{component}-readiness",
    )
    return RunningServer(server=server, health=health_servicer, port=bound, readiness_task=task)


async def _keep_readiness(
    health_servicer: health.aio.HealthServicer,
    names: Sequence[str],
    checks: Mapping[str, ReadinessCheck],
    interval: float,
) -> None:
    """Each status SERVING while its check passes, NOT_SERVING while it fails.

    ``checks`` has the process's check under ``""`` and the named services' own; a named
    service without one follows ``""``, and none is SERVING while ``""`` is not.
    """
    serving: dict[str, bool] = {}
    while True:
        ready = {name: await _passes(name, check, serving) for name, check in checks.items()}
        for name in names:
            ready[name] = ready[""] and ready.get(name, True)
        for name, now_ready in ready.items():
            if serving.get(name) == now_ready:
                continue
            await health_servicer.set(
                name,
                health_pb2.HealthCheckResponse.SERVING
                if now_ready
                else health_pb2.HealthCheckResponse.NOT_SERVING,
            )
            if now_ready:
                log.info("ready", service=name or "(overall)")
            serving[name] = now_ready
        all_ready = all(ready.values())
        await asyncio.sleep(interval if all_ready else min(interval, NOT_READY_INTERVAL_SECONDS))


async def _passes(name: str, check: ReadinessCheck, serving: Mapping[str, bool]) -> bool:
    """Whether one readiness check passes now; a failure is logged when the status turns."""
    try:
        with untraced():
            await check()
    except Exception as error:
        if serving.get(name) is not False:
            log.warning("not ready", service=name or "(overall)", error=str(error))
        return False
    return True


def metadata_limits(max_bytes: int) -> list[tuple[str, int]]:
    """gRPC options that accept request metadata up to max_bytes and refuse anything larger.

    gRPC has a soft limit (``grpc.max_metadata_size``, 8 KiB by default) above which it refuses
    a request at random, with a probability growing up to the hard limit
    (``grpc.absolute_max_metadata_size``, 16 KiB). Both set to one value make the outcome
    the same every time: RESOURCE_EXHAUSTED above it, accepted below it.
    """
    return [("grpc.max_metadata_size", max_bytes), ("grpc.absolute_max_metadata_size", max_bytes)]


@dataclass(frozen=True)
class ServiceApp:
    """What a service process serves, built from the settings by the service."""

    services: Sequence[ServiceDefinition]
    """The gRPC services of the process."""
    readiness_check: ReadinessCheck
    """Passes when the process can do its work."""


AppFactory = Callable[[Settings], AbstractAsyncContextManager[ServiceApp]]
"""Builds a service's app and releases its resources (store, channels) on exit."""


def run_service(
    component: str,
    *,
    port: Callable[[Settings], int],
    metrics_port: Callable[[Settings], int],
    app: AppFactory,
) -> None:
    """The body of every service's ``main``: settings, telemetry, serve until a stop signal."""
    try:
        settings = load_settings()
    except (ValidationError, FileNotFoundError) as error:
        sys.stderr.write(f"sanad-{component}: invalid configuration:\n{error}\n")
        raise SystemExit(2) from None
    configure_logging(component, settings)
    configure_metrics(component, settings.host, metrics_port(settings))
    try:
        configure_tracing(component)
    except TracingConfigurationError as error:
        sys.stderr.write(f"sanad-{component}: invalid configuration: {error}\n")
        raise SystemExit(2) from None

    async def main() -> None:
        async with app(settings) as built:
            await serve(
                component=component,
                services=built.services,
                port=port(settings),
                settings=settings,
                readiness_check=built.readiness_check,
            )

    try:
        if settings.event_loop == "uvloop":
            uvloop.run(main())
        else:
            asyncio.run(main())
    except AddressInUseError as error:
        log.error("cannot start", error=str(error))
        raise SystemExit(1) from None
    except ConfigurationError as error:
        sys.stderr.write(f"sanad-{component}: invalid configuration:\n{error}\n")
        raise SystemExit(2) from None
