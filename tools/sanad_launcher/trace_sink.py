"""A throwaway OTLP/gRPC trace receiver for tests and benchmarks.

The services export spans with the standard OTLP exporter to ``endpoint``; the sink keeps
every span it receives in memory, with the ``service.name`` of the process that sent it, so a
test can check that one Analyze produced one trace across the three processes.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent import futures
from dataclasses import dataclass
from typing import Any

import grpc
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2, trace_service_pb2_grpc


@dataclass(frozen=True)
class ReceivedSpan:
    """One span as exported."""

    service: str
    """The exporting process's service.name."""
    name: str
    """Span name."""
    trace_id: str
    """Hex trace id."""
    span_id: str
    """Hex span id."""
    parent_span_id: str
    """Hex parent span id; empty for a root span."""
    attributes: dict[str, Any]
    """Span attributes (string, int, float or bool values)."""


class _Receiver(trace_service_pb2_grpc.TraceServiceServicer):
    def __init__(self, spans: list[ReceivedSpan], received: threading.Condition) -> None:
        self._spans = spans
        self._received = received

    def Export(  # noqa: N802 (the OTLP service's method name)
        self, request: trace_service_pb2.ExportTraceServiceRequest, context: Any
    ) -> trace_service_pb2.ExportTraceServiceResponse:
        received = [
            _received_span(_service_name(resource_spans.resource.attributes), span)
            for resource_spans in request.resource_spans
            for scope_spans in resource_spans.scope_spans
            for span in scope_spans.spans
        ]
        with self._received:
            self._spans.extend(received)
            self._received.notify_all()
        return trace_service_pb2.ExportTraceServiceResponse()


def _service_name(attributes: Any) -> str:
    return next((a.value.string_value for a in attributes if a.key == "service.name"), "")


def _received_span(service: str, span: Any) -> ReceivedSpan:
    return ReceivedSpan(
        service=service,
        name=span.name,
        trace_id=span.trace_id.hex(),
        span_id=span.span_id.hex(),
        parent_span_id=span.parent_span_id.hex(),
        attributes={
            attribute.key: getattr(attribute.value, attribute.value.WhichOneof("value"))
            for attribute in span.attributes
            if attribute.value.WhichOneof("value")
        },
    )


class TraceSink:
    """An OTLP/gRPC receiver on a free 127.0.0.1 port, served from its own threads so it
    answers even while the caller's event loop is blocked; a context manager."""

    def __init__(self) -> None:
        self.spans: list[ReceivedSpan] = []
        self.port = 0
        self._received = threading.Condition()
        self._server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
        trace_service_pb2_grpc.add_TraceServiceServicer_to_server(  # type: ignore[no-untyped-call]
            _Receiver(self.spans, self._received), self._server
        )

    @property
    def endpoint(self) -> str:
        """OTEL_EXPORTER_OTLP_ENDPOINT for the services."""
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> TraceSink:
        self.port = self._server.add_insecure_port("127.0.0.1:0")
        self._server.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._server.stop(None)

    def wait_for(
        self, condition: Callable[[Sequence[ReceivedSpan]], bool], seconds: float = 20.0
    ) -> list[ReceivedSpan]:
        """The spans once condition(spans) holds; the spans so far when seconds pass."""
        with self._received:
            self._received.wait_for(lambda: condition(self.spans), timeout=seconds)
            return list(self.spans)
