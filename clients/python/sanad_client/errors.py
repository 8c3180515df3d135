"""The rich details of a failed Sanad call, decoded into plain values.

Sanad puts a google.rpc.Status in the ``grpc-status-details-bin`` trailer of every failure:
why (ErrorInfo), when to try again (RetryInfo), which limit (QuotaFailure), which fields
(BadRequest) and what to tell a person, in Arabic and English (LocalizedMessage). Reading them
takes Any unpacking a caller should not have to repeat.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, cast

import grpc
from google.protobuf.message import DecodeError
from google.rpc import error_details_pb2
from grpc_status import rpc_status

SANAD_DOMAIN = "sanad.dev"
"""The domain of every google.rpc.ErrorInfo Sanad sends."""


@dataclass(frozen=True)
class FieldViolation:
    """One invalid field of a request (google.rpc.BadRequest)."""

    field: str
    """Path of the field, for example "policy_text"."""
    description: str
    """What is wrong with it."""


@dataclass(frozen=True)
class QuotaViolation:
    """One exhausted limit (google.rpc.QuotaFailure)."""

    subject: str
    """What the limit applies to, for example a provider."""
    description: str
    """Which limit and how it was exceeded."""


def _empty() -> Mapping[str, str]:
    return MappingProxyType({})


@dataclass(frozen=True)
class RichError:
    """What a failed call says: its status and every google.rpc detail Sanad sends."""

    code: grpc.StatusCode
    """The status code."""
    message: str
    """The status message (English, for logs)."""
    reason: str | None = None
    """ErrorInfo.reason, for example "OVERLOADED" or "ALL_PROVIDERS_FAILED"."""
    domain: str | None = None
    """ErrorInfo.domain; "sanad.dev" for Sanad's own reasons."""
    metadata: Mapping[str, str] = field(default_factory=_empty)
    """ErrorInfo.metadata, for example each provider's failure class."""
    retry_delay: float | None = None
    """RetryInfo.retry_delay in seconds: how long the server asks the caller to wait."""
    quota_violations: tuple[QuotaViolation, ...] = ()
    """QuotaFailure violations."""
    field_violations: tuple[FieldViolation, ...] = ()
    """BadRequest field violations."""
    localized: Mapping[str, str] = field(default_factory=_empty)
    """LocalizedMessage texts by locale, for example {"ar": ..., "en-US": ...}."""

    def message_for(self, locale: str) -> str:
        """The localized message for locale ("en" finds "en-US"), else the status message."""
        if locale in self.localized:
            return self.localized[locale]
        language = locale.split("-", 1)[0].lower()
        for known, text in self.localized.items():
            if known.split("-", 1)[0].lower() == language:
                return text
        return self.message

    def is_sanad(self, reason: str) -> bool:
        """Whether this is Sanad's ErrorInfo reason (not another domain's of the same name)."""
        return self.domain == SANAD_DOMAIN and self.reason == reason


def decode_error(error: grpc.RpcError) -> RichError:
    """The status and details of a failed call, sync (grpc.RpcError) or asyncio (AioRpcError).

    A status without the trailer has no details. Details whose code or message contradict the
    call's status (a proxy rewrote the status) are not trusted and left out, as are ones that
    do not parse.
    """
    if isinstance(error, grpc.aio.AioRpcError):
        # rpc_status.aio.from_call awaits a call object; the raised AioRpcError has code(),
        # details() and trailing_metadata() as plain methods, which is all from_call reads.
        call = cast(grpc.Call, error)
    elif isinstance(error, grpc.Call):
        call = error
    else:
        return RichError(code=grpc.StatusCode.UNKNOWN, message=str(error))
    decoded = RichError(code=call.code(), message=call.details() or "")
    try:
        status = rpc_status.from_call(call)
    except (ValueError, DecodeError):
        return decoded
    if status is None:
        return decoded
    return _with_details(decoded, status.details)


def _with_details(decoded: RichError, details: Any) -> RichError:
    """decoded with the known details of a google.rpc.Status: the first ErrorInfo and
    RetryInfo, every violation and every localized message."""
    info: Any = None
    retry: Any = None
    quota: list[QuotaViolation] = []
    fields: list[FieldViolation] = []
    localized: dict[str, str] = {}
    for detail in details:
        if info is None and detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
            info = _unpack(detail, error_details_pb2.ErrorInfo())
        elif retry is None and detail.Is(error_details_pb2.RetryInfo.DESCRIPTOR):
            retry = _unpack(detail, error_details_pb2.RetryInfo())
        elif detail.Is(error_details_pb2.QuotaFailure.DESCRIPTOR):
            failure = _unpack(detail, error_details_pb2.QuotaFailure())
            quota += [
                QuotaViolation(str(v.subject), str(v.description)) for v in failure.violations
            ]
        elif detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
            bad = _unpack(detail, error_details_pb2.BadRequest())
            fields += [
                FieldViolation(str(v.field), str(v.description)) for v in bad.field_violations
            ]
        elif detail.Is(error_details_pb2.LocalizedMessage.DESCRIPTOR):
            message = _unpack(detail, error_details_pb2.LocalizedMessage())
            localized[str(message.locale)] = str(message.message)
    return RichError(
        code=decoded.code,
        message=decoded.message,
        reason=None if info is None else str(info.reason),
        domain=None if info is None else str(info.domain),
        metadata=MappingProxyType(_string_map(info)),
        retry_delay=None if retry is None else _seconds(retry.retry_delay),
        quota_violations=tuple(quota),
        field_violations=tuple(fields),
        localized=MappingProxyType(localized),
    )


def _unpack(detail: Any, message: Any) -> Any:
    """message filled from the Any detail (whose type the caller has checked)."""
    detail.Unpack(message)
    return message


def _string_map(info: Any) -> dict[str, str]:
    """ErrorInfo.metadata as a plain dict (empty without an ErrorInfo)."""
    return {} if info is None else {str(k): str(v) for k, v in info.metadata.items()}


def _seconds(duration: Any) -> float:
    """A google.protobuf.Duration in seconds."""
    return float(duration.ToTimedelta().total_seconds())
