"""The server interceptor every Sanad service runs.

It keeps the cross-cutting rules out of the handlers: admin RPCs need the bearer token, and
each admin call is written to the audit log (who, what, when, result); a request whose bytes
do not decode as its message is INVALID_ARGUMENT (a warning, rate-limited, never a traceback)
before any handler sees it; a :class:`ServiceError` raised by a handler becomes the RPC's
rich status; a method the servicer leaves out is UNIMPLEMENTED; any other exception is logged
with its traceback and reaches the caller only as INTERNAL, never as a traceback, except a
store outage, which is UNAVAILABLE with a RetryInfo.
It also records RPC latency and outcome, and sheds load: past a configured number of RPCs in
flight, new ones are refused at once with RESOURCE_EXHAUSTED and a RetryInfo, so the admitted
ones keep their latency (health checks and reflection are never shed, so probes stay true).

A bidirectional stream whose every message is a call of its own (quota's ReserveStream) runs
each message through :func:`stream_message`: it is counted, shed, mapped to a status and
measured as a unary call is, so the limit and the latency histogram mean the same whichever
way the calls come.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import inspect
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar, cast

import grpc
import structlog
from opentelemetry import metrics
from pydantic import SecretStr

from sanad_common.errors import ServiceError, error_info, retry_info
from sanad_common.log_limits import LogRate
from sanad_common.security.caller import Caller
from sanad_common.storage.port import StoreUnavailableError
from sanad_common.telemetry import LATENCY_BUCKETS_SECONDS

log = structlog.get_logger(__name__)
audit = structlog.get_logger("sanad.audit")
"""The audit log: one line per admin action, under its own logger name to route it apart."""

_meter = metrics.get_meter("sanad.rpc")
_rpc_duration = _meter.create_histogram(
    "sanad_rpc_duration_seconds",
    unit="s",
    description="Server-side RPC latency",
    explicit_bucket_boundaries_advisory=LATENCY_BUCKETS_SECONDS,
)


_STORE_DOWN = ServiceError(
    grpc.StatusCode.UNAVAILABLE,
    "the store is unavailable; try again shortly",
    [error_info("STORE_UNAVAILABLE"), retry_info(1.0)],
)

SHED_RETRY_AFTER_SECONDS = 0.5
"""What a shed caller is told to wait before trying again."""
NEVER_SHED = ("/grpc.health.v1.Health/", "/grpc.reflection.")
"""Method prefixes exempt from the concurrency limit."""

_OVERLOADED = ServiceError(
    grpc.StatusCode.RESOURCE_EXHAUSTED,
    "the service is at its concurrency limit; try again shortly",
    [error_info("OVERLOADED"), retry_info(SHED_RETRY_AFTER_SECONDS)],
)
_shed = _meter.create_counter(
    "sanad_rpc_shed", description="RPCs refused because the service was at its concurrency limit"
)
_INTERNAL = ServiceError(grpc.StatusCode.INTERNAL, "internal error")

StreamBehaviour = Callable[[Any, Any], AsyncIterator[Any]]
"""A server-streaming handler written as an async generator, as every Sanad servicer's is."""
Deserializer = Callable[[bytes], Any]

UNDECODABLE_LOG_BURST = 5
"""Undecodable requests logged at once before the rate limit applies."""
UNDECODABLE_LOG_INTERVAL = 10.0
"""Seconds between two undecodable requests logged once the burst is spent."""
T = TypeVar("T")


@dataclass(frozen=True)
class Undecodable:
    """What the server's deserializer hands on for bytes that are not the request's message,
    so the call is refused by the interceptor instead of failing inside gRPC."""

    reason: str
    """The parser's complaint, naming the message type."""


def tolerant(deserializer: Deserializer | None) -> Deserializer | None:
    """A deserializer that returns :class:`Undecodable` instead of raising."""
    if deserializer is None:
        return None
    parse = deserializer

    def deserialize(data: bytes) -> Any:
        try:
            return parse(data)
        except Exception as error:
            return Undecodable(str(error) or type(error).__name__)

    return deserialize


class ServiceInterceptor(grpc.aio.ServerInterceptor):
    """Authorises admin RPCs, maps errors to statuses and measures every RPC."""

    def __init__(
        self,
        component: str,
        admin_methods: frozenset[str],
        admin_token: SecretStr | None,
        *,
        max_concurrent: int = 0,
    ) -> None:
        """max_concurrent: RPCs run at once before new ones are shed; 0 for no limit."""
        self._max_concurrent = max_concurrent
        self._in_flight = 0
        self._component = component
        self._admin_methods = admin_methods
        self._admin_token = admin_token.get_secret_value().encode() if admin_token else None
        self._undecodable_log = LogRate(UNDECODABLE_LOG_BURST, UNDECODABLE_LOG_INTERVAL)

    async def intercept_service(
        self,
        continuation: Callable[
            [grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler[Any, Any] | None]
        ],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler[Any, Any] | None:
        handler = await continuation(handler_call_details)
        if handler is None:
            return handler
        method: str = handler_call_details.method
        admin = method in self._admin_methods
        deserializer = tolerant(handler.request_deserializer)
        if handler.unary_unary is not None:
            return grpc.unary_unary_rpc_method_handler(
                self._wrap_unary(method, admin, handler.unary_unary),
                request_deserializer=deserializer,
                response_serializer=handler.response_serializer,
            )
        if handler.unary_stream is not None:
            # A streaming handler either yields its responses or writes them with
            # context.write() from a coroutine (grpc.health.v1 Watch does).
            behaviour = handler.unary_stream
            return grpc.unary_stream_rpc_method_handler(
                self._wrap_unary(method, admin, behaviour)
                if inspect.iscoroutinefunction(behaviour)
                else self._wrap_stream(method, admin, cast(StreamBehaviour, behaviour)),
                request_deserializer=deserializer,
                response_serializer=handler.response_serializer,
            )
        if handler.stream_stream is not None:
            return grpc.stream_stream_rpc_method_handler(
                self._checked_requests(method, cast(StreamBehaviour, handler.stream_stream)),
                request_deserializer=deserializer,
                response_serializer=handler.response_serializer,
            )
        return handler

    def _wrap_unary(
        self, method: str, admin: bool, behaviour: Callable[[Any, Any], Awaitable[Any]]
    ) -> Callable[[Any, grpc.aio.ServicerContext[Any, Any]], Awaitable[Any]]:
        async def unary(request: Any, context: grpc.aio.ServicerContext[Any, Any]) -> Any:
            async with self._guard(method, admin, context, request):
                return await behaviour(request, context)

        return unary

    def _wrap_stream(
        self, method: str, admin: bool, behaviour: StreamBehaviour
    ) -> Callable[[Any, grpc.aio.ServicerContext[Any, Any]], AsyncIterator[Any]]:
        async def stream(
            request: Any, context: grpc.aio.ServicerContext[Any, Any]
        ) -> AsyncIterator[Any]:
            async with self._guard(method, admin, context, request):
                async for response in behaviour(request, context):
                    yield response

        return stream

    def _checked_requests(
        self, method: str, behaviour: StreamBehaviour
    ) -> Callable[[AsyncIterator[Any], grpc.aio.ServicerContext[Any, Any]], AsyncIterator[Any]]:
        """A bidirectional handler (server reflection, ReserveStream) whose undecodable
        requests end the call with INVALID_ARGUMENT, and whose messages can be run as calls of
        their own (:func:`stream_message`)."""

        async def stream(
            requests: AsyncIterator[Any], context: grpc.aio.ServicerContext[Any, Any]
        ) -> AsyncIterator[Any]:
            _serving_streams.set(self)

            async def decoded() -> AsyncIterator[Any]:
                async for request in requests:
                    if isinstance(request, Undecodable):
                        await context.abort_with_status(self._refuse(method, request).to_status())
                    yield request

            async for response in behaviour(decoded(), context):
                yield response

        return stream

    def _refuse(self, method: str, request: Undecodable) -> ServiceError:
        """The error of an undecodable request, logged as a rate-limited warning."""
        self._undecodable_log.warning(
            log, "undecodable request refused", method=method, reason=request.reason
        )
        return ServiceError(
            grpc.StatusCode.INVALID_ARGUMENT,
            f"the request does not decode as this method's message: {request.reason}",
            [error_info("UNDECODABLE_REQUEST", {"method": method})],
        )

    @contextlib.asynccontextmanager
    async def _guard(
        self,
        method: str,
        admin: bool,
        context: grpc.aio.ServicerContext[Any, Any],
        request: Any,
    ) -> AsyncIterator[None]:
        """Authorise, run the handler, turn its failure into a status, and measure it."""
        started = time.perf_counter()
        code = grpc.StatusCode.OK
        counted = self._max_concurrent > 0 and not method.startswith(NEVER_SHED)
        if counted and self._in_flight >= self._max_concurrent:
            _shed.add(1, {"component": self._component, "method": method})
            self._record(method, grpc.StatusCode.RESOURCE_EXHAUSTED, started)
            await context.abort_with_status(_OVERLOADED.to_status())
        if counted:
            self._in_flight += 1
        authorised = False
        try:
            if isinstance(request, Undecodable):
                raise self._refuse(method, request)
            if admin:
                self._authorise(context)
                authorised = True
            yield
        except (ServiceError, StoreUnavailableError) as error:
            failure = _failure(method, error)
            code = failure.code
            await context.abort_with_status(failure.to_status())
        except grpc.aio.AbortError:
            code = context.code() or grpc.StatusCode.UNKNOWN
            raise
        except asyncio.CancelledError:
            # The caller cancelled or its deadline passed: gRPC cancels the handler's task.
            code = grpc.StatusCode.CANCELLED
            raise
        except NotImplementedError:
            # What a generated servicer base raises for a method the servicer leaves out
            # (grpc_health's asyncio servicer has no List): a status, not a bug.
            code = grpc.StatusCode.UNIMPLEMENTED
            await context.abort(grpc.StatusCode.UNIMPLEMENTED, f"{method} is not implemented")
        except Exception as error:
            code = grpc.StatusCode.INTERNAL
            await context.abort(code, _failure(method, error).message)
        finally:
            if counted:
                self._in_flight -= 1
            self._record(method, code, started)
            if admin:
                _audit(method, context, authorised, code)

    async def run_message(self, method: str, call: Callable[[], Awaitable[T]]) -> T | ServiceError:
        """One message of a stream run as a unary call of method is: shed past the limit, its
        failure returned as the ServiceError the caller is to be told, and measured."""
        started = time.perf_counter()
        if self._max_concurrent > 0 and self._in_flight >= self._max_concurrent:
            _shed.add(1, {"component": self._component, "method": method})
            self._record(method, grpc.StatusCode.RESOURCE_EXHAUSTED, started)
            return _OVERLOADED
        self._in_flight += 1
        code = grpc.StatusCode.OK
        try:
            return await call()
        except asyncio.CancelledError:
            code = grpc.StatusCode.CANCELLED
            raise
        except Exception as error:
            failure = _failure(method, error)
            code = failure.code
            return failure
        finally:
            self._in_flight -= 1
            self._record(method, code, started)

    def _authorise(self, context: grpc.aio.ServicerContext[Any, Any]) -> None:
        """Raise unless the call carries the admin bearer token."""
        if self._admin_token is None:
            raise ServiceError(
                grpc.StatusCode.PERMISSION_DENIED,
                "admin RPCs are disabled: no admin token is configured (SANAD_ADMIN_TOKEN)",
                [error_info("ADMIN_DISABLED")],
            )
        presented = (Caller.of(context).bearer or "").encode()
        if not hmac.compare_digest(presented, self._admin_token):
            raise ServiceError(
                grpc.StatusCode.UNAUTHENTICATED,
                "admin RPC requires 'authorization: Bearer <admin token>'",
                [error_info("ADMIN_TOKEN_INVALID")],
            )

    def _record(self, method: str, code: grpc.StatusCode, started: float) -> None:
        _rpc_duration.record(
            time.perf_counter() - started,
            {"component": self._component, "method": method, "code": code.name},
        )


_serving_streams: ContextVar[ServiceInterceptor] = ContextVar("sanad_serving_streams")
"""The interceptor of the server whose bidirectional handler runs in this task: the handler's
signature is gRPC's, so this is how its messages find the limit they count against."""


async def stream_message(method: str, call: Callable[[], Awaitable[T]]) -> T | ServiceError:
    """Run call() for one message of the bidirectional stream being served, as the server's
    interceptor runs a unary call of method (:meth:`ServiceInterceptor.run_message`)."""
    return await _serving_streams.get().run_message(method, call)


def _failure(method: str, error: Exception) -> ServiceError:
    """What a handler's exception tells the caller; a store outage is a warning, anything
    unexpected is logged with its traceback (call it while handling the exception)."""
    if isinstance(error, ServiceError):
        return error
    if isinstance(error, StoreUnavailableError):
        log.warning("store unavailable", method=method, error=str(error))
        return _STORE_DOWN
    log.exception("unhandled error", method=method)
    return _INTERNAL


def _audit(
    method: str,
    context: grpc.aio.ServicerContext[Any, Any],
    authorised: bool,
    code: grpc.StatusCode,
) -> None:
    """One audit line per admin call: who (peer, certificate, credential), what, when, result.

    Never the token itself: only whether the admin token, another token or none was shown.
    """
    caller = Caller.of(context)
    if authorised:
        credential = "admin token"
    else:
        credential = "no token" if caller.bearer is None else "a token that is not the admin token"
    audit.info(
        "admin action",
        who={
            "peer": caller.peer,
            "certificate": caller.certificate_subject,
            "credential": credential,
        },
        what=method,
        when=datetime.now(UTC).isoformat(),
        result=code.name,
    )
