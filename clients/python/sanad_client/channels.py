"""Channels to Sanad, sync and asyncio, with TLS, a tenant key and a default service config.

The tenant key travels as ``authorization: Bearer <key>`` on every call. Over TLS it is a call
credential, which gRPC sends only on a secure channel; over plaintext (local development, or a
mesh that encrypts for you) gRPC refuses call credentials (UNAUTHENTICATED: "does not have a
sufficient security level"), so a client interceptor adds the header instead.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import grpc

SANAD_SERVICES: Final = (
    "sanad.analyzer.v1.AnalyzerService",
    "sanad.quota.v1.QuotaService",
    "sanad.health.v1.ProviderHealthService",
)
"""The fully qualified names of Sanad's services, as the service config names them."""

DEFAULT_TIMEOUT_SECONDS: Final = 30.0
"""Deadline of a call that sets none: below the analyzer's own default (60 s), so the server
plans its provider attempts and its fallback within what the caller will wait."""
DEFAULT_MAX_ATTEMPTS: Final = 3
"""Attempts of a call that fails with UNAVAILABLE, the first included."""

Options = Sequence[tuple[str, Any]]
"""gRPC channel options."""


def service_config(
    timeout: float = DEFAULT_TIMEOUT_SECONDS, max_attempts: int = DEFAULT_MAX_ATTEMPTS
) -> str:
    """The service config JSON: a default deadline and retries of UNAVAILABLE for every Sanad
    method.

    UNAVAILABLE is what a call gets while a replica restarts or a connection is lost, and what
    Sanad answers when a dependency is down; in each case the call changed nothing, so trying
    it again is safe. gRPC's own retries cover these within the call's deadline; waiting out a
    RetryInfo (an overload shed) is the caller's choice, see :func:`call_with_retry_info`.
    """
    if max_attempts < 1:
        raise ValueError("max_attempts must be at least 1")
    method: dict[str, Any] = {
        "name": [{"service": name} for name in SANAD_SERVICES],
        "timeout": f"{timeout:.3f}s",
    }
    if max_attempts > 1:
        method["retryPolicy"] = {
            "maxAttempts": max_attempts,
            "initialBackoff": "0.2s",
            "maxBackoff": "2s",
            "backoffMultiplier": 2,
            "retryableStatusCodes": ["UNAVAILABLE"],
        }
    return json.dumps({"methodConfig": [method]})


DEFAULT_SERVICE_CONFIG: Final = service_config()
"""The service config every channel of this module gets unless told otherwise."""


@dataclass(frozen=True)
class Tls:
    """TLS to the server, and mutual TLS when the client's certificate and key are given."""

    ca_file: Path | None = None
    """PEM roots that sign the server's certificate; None for gRPC's default roots."""
    cert_file: Path | None = None
    """PEM certificate chain of the client, for mTLS."""
    key_file: Path | None = None
    """PEM private key of the client, for mTLS."""

    def __post_init__(self) -> None:
        if (self.cert_file is None) != (self.key_file is None):
            raise ValueError("mTLS needs both cert_file and key_file")

    def credentials(self) -> grpc.ChannelCredentials:
        """The channel credentials, the files read now."""
        return grpc.ssl_channel_credentials(
            root_certificates=_read(self.ca_file),
            private_key=_read(self.key_file),
            certificate_chain=_read(self.cert_file),
        )


def _read(path: Path | None) -> bytes | None:
    return None if path is None else path.read_bytes()


def channel_options(
    service_config_json: str | None = DEFAULT_SERVICE_CONFIG,
) -> list[tuple[str, Any]]:
    """Options that apply the service config (None: gRPC's defaults, no retries), for a
    channel made some other way."""
    if service_config_json is None:
        return []
    return [("grpc.service_config", service_config_json), ("grpc.enable_retries", 1)]


def open_channel(
    target: str,
    *,
    tls: Tls | None = None,
    tenant_key: str | None = None,
    service_config_json: str | None = DEFAULT_SERVICE_CONFIG,
    options: Options = (),
) -> grpc.Channel:
    """A sync channel to target (host:port); without tls it is plaintext."""
    header = _bearer(tenant_key)
    all_options = [*channel_options(service_config_json), *options]
    if tls is not None:
        return grpc.secure_channel(target, _secure(tls, tenant_key), all_options)
    channel = grpc.insecure_channel(target, all_options)
    if header is None:
        return channel
    return grpc.intercept_channel(channel, _BearerInterceptor(header))


def open_aio_channel(
    target: str,
    *,
    tls: Tls | None = None,
    tenant_key: str | None = None,
    service_config_json: str | None = DEFAULT_SERVICE_CONFIG,
    options: Options = (),
    interceptors: Sequence[grpc.aio.ClientInterceptor] = (),
) -> grpc.aio.Channel:
    """An asyncio channel to target (host:port); without tls it is plaintext."""
    header = _bearer(tenant_key)
    all_options = [*channel_options(service_config_json), *options]
    if tls is not None:
        return grpc.aio.secure_channel(
            target, _secure(tls, tenant_key), all_options, interceptors=interceptors
        )
    if header is not None:
        interceptors = [*_aio_bearer(header), *interceptors]
    return grpc.aio.insecure_channel(target, all_options, interceptors=interceptors)


def _secure(tls: Tls, tenant_key: str | None) -> grpc.ChannelCredentials:
    credentials = tls.credentials()
    if tenant_key is None:
        return credentials
    return grpc.composite_channel_credentials(
        credentials, grpc.access_token_call_credentials(tenant_key)
    )


def _bearer(tenant_key: str | None) -> tuple[str, str] | None:
    """The authorization header for tenant_key, the same that access_token_call_credentials
    sends; refuses a key the server would not read back as it is."""
    if tenant_key is None:
        return None
    if not tenant_key or tenant_key != tenant_key.strip():
        raise ValueError("the tenant key must be non-empty, without surrounding spaces")
    return ("authorization", f"Bearer {tenant_key}")


@dataclass(frozen=True)
class _CallDetails(grpc.ClientCallDetails):
    method: str
    timeout: float | None
    metadata: Any
    credentials: grpc.CallCredentials | None
    wait_for_ready: bool | None
    compression: grpc.Compression | None


class _BearerInterceptor(
    grpc.UnaryUnaryClientInterceptor,
    grpc.UnaryStreamClientInterceptor,
    grpc.StreamUnaryClientInterceptor,
    grpc.StreamStreamClientInterceptor,
):
    """Adds the authorization header to every call of a plaintext sync channel."""

    def __init__(self, header: tuple[str, str]) -> None:
        self._header = header

    def _details(self, details: grpc.ClientCallDetails) -> grpc.ClientCallDetails:
        return _CallDetails(
            method=details.method,
            timeout=details.timeout,
            metadata=(*(details.metadata or ()), self._header),
            credentials=details.credentials,
            wait_for_ready=details.wait_for_ready,
            compression=details.compression,
        )

    def intercept_unary_unary(
        self, continuation: Callable[[Any, Any], Any], client_call_details: Any, request: Any
    ) -> Any:
        return continuation(self._details(client_call_details), request)

    def intercept_unary_stream(
        self, continuation: Callable[[Any, Any], Any], client_call_details: Any, request: Any
    ) -> Any:
        return continuation(self._details(client_call_details), request)

    def intercept_stream_unary(
        self,
        continuation: Callable[[Any, Any], Any],
        client_call_details: Any,
        request_iterator: Any,
    ) -> Any:
        return continuation(self._details(client_call_details), request_iterator)

    def intercept_stream_stream(
        self,
        continuation: Callable[[Any, Any], Any],
        client_call_details: Any,
        request_iterator: Any,
    ) -> Any:
        return continuation(self._details(client_call_details), request_iterator)


class _AioBearer:
    """Adds the authorization header to the calls of a plaintext asyncio channel."""

    def __init__(self, header: tuple[str, str]) -> None:
        self._header = header

    def _details(self, details: grpc.aio.ClientCallDetails) -> grpc.aio.ClientCallDetails:
        return grpc.aio.ClientCallDetails(
            details.method,
            details.timeout,
            grpc.aio.Metadata(*(details.metadata or ()), self._header),
            details.credentials,
            details.wait_for_ready,
        )


class _AioBearerUnaryUnary(_AioBearer, grpc.aio.UnaryUnaryClientInterceptor):
    async def intercept_unary_unary(
        self, continuation: Callable[[Any, Any], Any], client_call_details: Any, request: Any
    ) -> Any:
        return await continuation(self._details(client_call_details), request)


class _AioBearerUnaryStream(_AioBearer, grpc.aio.UnaryStreamClientInterceptor):
    async def intercept_unary_stream(
        self, continuation: Callable[[Any, Any], Any], client_call_details: Any, request: Any
    ) -> Any:
        return await continuation(self._details(client_call_details), request)


class _AioBearerStreamUnary(_AioBearer, grpc.aio.StreamUnaryClientInterceptor):
    async def intercept_stream_unary(
        self,
        continuation: Callable[[Any, Any], Any],
        client_call_details: Any,
        request_iterator: Any,
    ) -> Any:
        return await continuation(self._details(client_call_details), request_iterator)


class _AioBearerStreamStream(_AioBearer, grpc.aio.StreamStreamClientInterceptor):
    async def intercept_stream_stream(
        self,
        continuation: Callable[[Any, Any], Any],
        client_call_details: Any,
        request_iterator: Any,
    ) -> Any:
        return await continuation(self._details(client_call_details), request_iterator)


def _aio_bearer(header: tuple[str, str]) -> list[grpc.aio.ClientInterceptor]:
    """One interceptor per kind of call: an asyncio channel files each interceptor under the
    first kind it implements only, so one class of all four would miss streaming calls."""
    return [
        _AioBearerUnaryUnary(header),
        _AioBearerUnaryStream(header),
        _AioBearerStreamUnary(header),
        _AioBearerStreamStream(header),
    ]
