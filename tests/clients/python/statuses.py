"""Failed calls built in the tests: a google.rpc.Status packed as a server packs it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

import grpc
from google.protobuf import any_pb2
from google.protobuf.message import Message
from google.rpc import error_details_pb2, status_pb2
from grpc_status import rpc_status

from sanad_client import SANAD_DOMAIN


def rich_status(
    code: grpc.StatusCode, message: str, details: Sequence[Message] = ()
) -> grpc.Status:
    """The grpc.Status a server aborts with: code, message and the details in the trailer."""
    packed = []
    for detail in details:
        holder = any_pb2.Any()
        holder.Pack(detail)
        packed.append(holder)
    proto = status_pb2.Status(code=code.value[0], message=message, details=packed)
    return rpc_status.to_status(proto)


def aio_error(
    code: grpc.StatusCode, message: str, details: Sequence[Message] = ()
) -> grpc.aio.AioRpcError:
    """The AioRpcError an asyncio client raises for that status."""
    status = rich_status(code, message, details)
    return grpc.aio.AioRpcError(
        code=status.code,
        details=status.details,
        initial_metadata=grpc.aio.Metadata(),
        trailing_metadata=grpc.aio.Metadata(*status.trailing_metadata),
    )


def retry_info(seconds: float) -> error_details_pb2.RetryInfo:
    """A RetryInfo asking the caller to wait seconds."""
    retry = error_details_pb2.RetryInfo()
    retry.retry_delay.FromTimedelta(timedelta(seconds=seconds))
    return retry


def overloaded(seconds: float = 0.5) -> grpc.aio.AioRpcError:
    """A shed call, as Sanad's server interceptor refuses one."""
    return aio_error(
        grpc.StatusCode.RESOURCE_EXHAUSTED,
        "the service is at its concurrency limit; try again shortly",
        [
            error_details_pb2.ErrorInfo(reason="OVERLOADED", domain=SANAD_DOMAIN),
            retry_info(seconds),
        ],
    )
