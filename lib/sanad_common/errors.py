"""gRPC errors with google.rpc details, so that every failure reaches the caller as a status."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import grpc
from google.protobuf import any_pb2
from google.protobuf.message import Message
from google.rpc import error_details_pb2, status_pb2
from grpc_status import rpc_status

from sanad_common.proto_time import duration

ERROR_DOMAIN = "sanad.dev"
"""The domain of every google.rpc.ErrorInfo Sanad sends."""

STATUS_DETAILS_KEY = "grpc-status-details-bin"
"""Trailer that carries the serialised google.rpc.Status."""
RETRY_PUSHBACK_KEY = "grpc-retry-pushback-ms"
"""Trailer through which a server tells gRPC's own retry policy whether to retry (gRFC A6)."""
NO_RETRY_PUSHBACK = "-1"
"""A negative pushback: the client's retry policy must not retry this call."""


class ServiceError(Exception):
    """A failure meant for the caller: a status code, a message and google.rpc details.

    Handlers raise it; the server interceptor turns it into the RPC's status, so handler code
    stays free of context plumbing.
    """

    def __init__(
        self, code: grpc.StatusCode, message: str, details: Sequence[Message] = ()
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = tuple(details)

    def to_status(self) -> grpc.Status:
        """The grpc.Status carrying the rich google.rpc.Status in its trailers.

        An error that says when to come back (RetryInfo) also tells a client's own retry
        policy not to retry at once: the same request would get the same answer, and the
        caller would lose this error's details to a later attempt's.
        """
        status = rpc_status.to_status(self.to_proto())
        if any(isinstance(detail, error_details_pb2.RetryInfo) for detail in self.details):
            return _Status(
                status.code,
                status.details,
                (*status.trailing_metadata, (RETRY_PUSHBACK_KEY, NO_RETRY_PUSHBACK)),
            )
        return status

    def to_proto(self) -> status_pb2.Status:
        """The rich google.rpc.Status: as a call's trailer carries it, or as a message of its
        own where one stream answers many calls."""
        packed = []
        for detail in self.details:
            holder = any_pb2.Any()
            holder.Pack(detail)
            packed.append(holder)
        return status_pb2.Status(code=self.code.value[0], message=self.message, details=packed)


@dataclass(frozen=True)
class _Status(grpc.Status):
    """A grpc.Status with trailers of Sanad's choosing (grpc.Status is an interface)."""

    code: grpc.StatusCode
    details: str
    trailing_metadata: tuple[tuple[str, str | bytes], ...]


@dataclass(frozen=True)
class FieldViolation:
    """One invalid field of a request."""

    field: str
    """Path of the field, for example "policy_text"."""
    description: str
    """What is wrong with it."""


def invalid_argument(violations: Sequence[FieldViolation]) -> ServiceError:
    """INVALID_ARGUMENT with a google.rpc.BadRequest listing every violation."""
    bad_request = error_details_pb2.BadRequest(
        field_violations=[
            error_details_pb2.BadRequest.FieldViolation(field=v.field, description=v.description)
            for v in violations
        ]
    )
    summary = "; ".join(f"{v.field}: {v.description}" for v in violations)
    return ServiceError(
        grpc.StatusCode.INVALID_ARGUMENT, f"invalid request: {summary}", [bad_request]
    )


def raise_if_violations(violations: Sequence[FieldViolation]) -> None:
    """Raise INVALID_ARGUMENT listing every violation, if there are any."""
    if violations:
        raise invalid_argument(violations)


def error_info(reason: str, metadata: dict[str, str] | None = None) -> error_details_pb2.ErrorInfo:
    """A google.rpc.ErrorInfo in Sanad's domain."""
    return error_details_pb2.ErrorInfo(reason=reason, domain=ERROR_DOMAIN, metadata=metadata or {})


def retry_info(seconds: float) -> error_details_pb2.RetryInfo:
    """A google.rpc.RetryInfo telling the caller when to try again."""
    return error_details_pb2.RetryInfo(retry_delay=duration(seconds))


def localized(locale: str, message: str) -> error_details_pb2.LocalizedMessage:
    """A google.rpc.LocalizedMessage."""
    return error_details_pb2.LocalizedMessage(locale=locale, message=message)


def status_details(error: grpc.aio.AioRpcError) -> status_pb2.Status | None:
    """The rich status of a failed call, as a client sees it; None when there is none."""
    for key, value in error.trailing_metadata() or ():
        if key == STATUS_DETAILS_KEY and isinstance(value, bytes):
            status = status_pb2.Status()
            status.ParseFromString(value)
            return status
    return None
