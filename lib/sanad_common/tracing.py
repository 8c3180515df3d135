"""Traces: one per Analyze, across the analyzer, quota, health, the store and the provider.

Configured by the standard OpenTelemetry variables, as any instrumented service is:
``OTEL_TRACES_EXPORTER`` (``otlp``, ``console``, ``none``, or a comma-separated list;
Sanad's default is ``none``), ``OTEL_EXPORTER_OTLP_ENDPOINT`` and the other exporter
variables, ``OTEL_SERVICE_NAME`` (default ``sanad-<service>``), ``OTEL_RESOURCE_ATTRIBUTES``,
``OTEL_TRACES_SAMPLER``, ``OTEL_BSP_*`` and ``OTEL_SDK_DISABLED``. Context crosses processes in
gRPC metadata (W3C traceparent) through opentelemetry-instrumentation-grpc.

With ``none`` no tracer provider is installed and no interceptor is added: the spans Sanad
starts itself are OpenTelemetry's non-recording no-ops, so tracing off costs nothing
measurable (``make bench`` shows it). Nor is the trace SDK or the gRPC instrumentation
imported then: together they hold about 3 MiB of every process's memory (docs/decisions.md).
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import os
from collections.abc import Awaitable, Callable, Iterator
from typing import TYPE_CHECKING, Any, TypeVar, cast

import grpc
from opentelemetry import trace

if TYPE_CHECKING:
    from opentelemetry.sdk.trace.export import SpanExporter

EXPORTER_VARIABLE = "OTEL_TRACES_EXPORTER"
"""The standard variable naming the span exporters."""
DEFAULT_EXPORTER = "none"
"""Sanad traces nothing unless asked to."""
EXPORTERS = frozenset({"otlp", "console", "none"})
"""Exporter names understood."""

T = TypeVar("T")


class _State:
    """Whether this process traces; read on every request, so kept as a plain flag (asking
    OpenTelemetry for its tracer provider costs microseconds)."""

    enabled = False


class TracingConfigurationError(ValueError):
    """OTEL_TRACES_EXPORTER names an exporter Sanad does not know."""


def exporter_names(environ: dict[str, str] | None = None) -> list[str]:
    """The exporters asked for; [] when tracing is off."""
    env = os.environ if environ is None else environ
    if env.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return []
    names = [
        name.strip().lower()
        for name in env.get(EXPORTER_VARIABLE, DEFAULT_EXPORTER).split(",")
        if name.strip()
    ]
    unknown = sorted(set(names) - EXPORTERS)
    if unknown:
        raise TracingConfigurationError(
            f"{EXPORTER_VARIABLE}: unknown exporter {', '.join(unknown)}; "
            f"use {', '.join(sorted(EXPORTERS))}"
        )
    return [name for name in names if name != "none"]


def configure_tracing(service: str) -> bool:
    """Install the tracer provider the environment asks for; False when tracing is off."""
    names = exporter_names()
    if not names:
        return False
    # Imported only when tracing is on, as is everything below that needs the SDK or the
    # instrumentation (PLC0415 allows it for these imports alone).
    from opentelemetry.sdk.resources import Resource  # noqa: PLC0415
    from opentelemetry.sdk.trace import TracerProvider  # noqa: PLC0415
    from opentelemetry.sdk.trace.export import BatchSpanProcessor  # noqa: PLC0415

    provider = TracerProvider(resource=Resource.create({"service.name": f"sanad-{service}"}))
    for name in names:
        provider.add_span_processor(BatchSpanProcessor(_exporter(name)))
    trace.set_tracer_provider(provider)
    _State.enabled = True
    return True


def _exporter(name: str) -> SpanExporter:
    if name == "console":
        from opentelemetry.sdk.trace.export import ConsoleSpanExporter  # noqa: PLC0415

        return ConsoleSpanExporter()
    # Imported only when used: the OTLP exporter pulls in its own gRPC and protobuf code.
    from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import (  # noqa: PLC0415
        OTLPSpanExporter,
    )

    return OTLPSpanExporter()


def tracing_enabled() -> bool:
    """True once configure_tracing installed a recording tracer provider."""
    return _State.enabled


def _untraced_rpcs() -> Any:
    """Health checks and reflection make no spans: probes would drown the traces."""
    from opentelemetry.instrumentation.grpc.filters import (  # noqa: PLC0415
        any_of,
        health_check,
        negate,
        service_prefix,
    )

    return negate(any_of(health_check(), service_prefix("grpc.reflection")))


def server_interceptors() -> list[grpc.aio.ServerInterceptor]:
    """The server interceptor that continues the caller's trace; none when tracing is off."""
    if not tracing_enabled():
        return []
    from opentelemetry.instrumentation.grpc import aio_server_interceptor  # noqa: PLC0415

    return [aio_server_interceptor(filter_=_untraced_rpcs())]  # type: ignore[no-untyped-call]


def client_interceptors() -> list[grpc.aio.ClientInterceptor]:
    """Channel interceptors that send the current trace context; none when tracing is off."""
    if not tracing_enabled():
        return []
    from opentelemetry.instrumentation.grpc import aio_client_interceptors  # noqa: PLC0415

    interceptors = aio_client_interceptors(filter_=_untraced_rpcs())  # type: ignore[no-untyped-call]
    return cast(list[grpc.aio.ClientInterceptor], interceptors)


@contextlib.contextmanager
def untraced() -> Iterator[None]:
    """No spans inside (the readiness loop's own calls are not requests worth a trace); with
    tracing off nothing makes spans, so there is nothing to suppress."""
    if not tracing_enabled():
        yield
        return
    from opentelemetry.instrumentation.utils import suppress_instrumentation  # noqa: PLC0415

    with suppress_instrumentation():
        yield


_store_tracer = trace.get_tracer("sanad.store")


def traced_store(store: T, system: str) -> T:
    """The store with a span around each of its coroutine methods; itself when tracing is off.

    The span is named ``store <method>`` and carries the database system, as the
    OpenTelemetry database conventions describe.
    """
    if not tracing_enabled():
        return store
    return cast(T, _TracedStore(store, system))


class _TracedStore:
    """Delegates every attribute to the store, wrapping coroutine methods in a span."""

    def __init__(self, store: Any, system: str) -> None:
        self._store = store
        self._system = system

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._store, name)
        # Plain methods (Store.extend) are not calls to the store; they pass through as they are.
        if name.startswith("_") or name == "aclose" or not inspect.iscoroutinefunction(attribute):
            return attribute
        return _span_around(
            attribute,
            f"store {name}",
            {
                "db.system.name": self._system,
                "db.operation.name": name,
            },
        )


def _span_around(
    method: Callable[..., Awaitable[Any]], span_name: str, attributes: dict[str, str]
) -> Callable[..., Awaitable[Any]]:
    from opentelemetry.instrumentation.utils import is_instrumentation_enabled  # noqa: PLC0415

    @functools.wraps(method)
    async def traced(*args: Any, **kwargs: Any) -> Any:
        if not is_instrumentation_enabled():
            return await method(*args, **kwargs)
        with _store_tracer.start_as_current_span(
            span_name, kind=trace.SpanKind.CLIENT, attributes=attributes
        ):
            return await method(*args, **kwargs)

    return traced
