"""A stand-in analyzer in the test's process: it answers, fails with given statuses or stalls,
and records the metadata of every call, so what a client channel sends can be seen."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import grpc

from sanad.analyzer.v1 import analyzer_pb2

SERVICE = "sanad.analyzer.v1.AnalyzerService"


@dataclass
class Probe:
    """What the stand-in does and what it saw."""

    failures: list[grpc.Status] = field(default_factory=list)
    """Statuses the next calls fail with, in order; then calls succeed."""
    delay: float = 0.0
    """Seconds each call takes before answering, cut short when the server stops."""
    seen: list[dict[str, str]] = field(default_factory=list)
    """The text metadata of each call, in order."""
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _stopped: threading.Event = field(default_factory=threading.Event)

    def _enter(self, context: grpc.ServicerContext) -> grpc.Status | None:
        metadata = {
            key: value for key, value in context.invocation_metadata() if isinstance(value, str)
        }
        with self._lock:
            self.seen.append(metadata)
            failure = self.failures.pop(0) if self.failures else None
        self._stopped.wait(self.delay)
        return failure

    def stop(self) -> None:
        """Ends every delay at once, so a long stall costs a test nothing after its call."""
        self._stopped.set()

    def analyze(
        self, request: analyzer_pb2.AnalyzeRequest, context: grpc.ServicerContext
    ) -> analyzer_pb2.AnalyzeResponse:
        failure = self._enter(context)
        if failure is not None:
            context.abort_with_status(failure)
        return analyzer_pb2.AnalyzeResponse(provider="probe", model=request.policy_text)

    def analyze_stream(
        self, request: analyzer_pb2.AnalyzeStreamRequest, context: grpc.ServicerContext
    ) -> Iterator[analyzer_pb2.AnalyzeStreamResponse]:
        failure = self._enter(context)
        if failure is not None:
            context.abort_with_status(failure)
        yield analyzer_pb2.AnalyzeStreamResponse()


@contextlib.contextmanager
def analyzer_server(
    probe: Probe, credentials: grpc.ServerCredentials | None = None
) -> Iterator[str]:
    """The stand-in serving on a free port of 127.0.0.1 (TLS with credentials); its target."""
    server = grpc.server(ThreadPoolExecutor(max_workers=4))
    handlers: dict[str, grpc.RpcMethodHandler[Any, Any]] = {
        "Analyze": grpc.unary_unary_rpc_method_handler(
            probe.analyze,
            request_deserializer=analyzer_pb2.AnalyzeRequest.FromString,
            response_serializer=analyzer_pb2.AnalyzeResponse.SerializeToString,
        ),
        "AnalyzeStream": grpc.unary_stream_rpc_method_handler(
            probe.analyze_stream,
            request_deserializer=analyzer_pb2.AnalyzeStreamRequest.FromString,
            response_serializer=analyzer_pb2.AnalyzeStreamResponse.SerializeToString,
        ),
    }
    server.add_generic_rpc_handlers([grpc.method_handlers_generic_handler(SERVICE, handlers)])
    address = "127.0.0.1:0"
    if credentials is None:
        port = server.add_insecure_port(address)
    else:
        port = server.add_secure_port(address, credentials)
    server.start()
    try:
        yield f"127.0.0.1:{port}"
    finally:
        probe.stop()
        server.stop(None)
