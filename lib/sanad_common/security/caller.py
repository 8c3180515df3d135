"""What a call presents about its caller: a bearer token, and a verified client certificate.

Read once here for every check that needs it (the admin token, tenant keys, the audit log),
so each reads the same header the same way. Values are never logged, only described.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import grpc

BEARER_SCHEME = "bearer"
"""The authorization scheme Sanad reads (case-insensitive, as HTTP's)."""


def bearer_token(metadata: Iterable[tuple[str, str | bytes]] | None) -> str | None:
    """The token of ``authorization: Bearer <token>``, None when there is none."""
    for key, value in metadata or ():
        if key == "authorization" and isinstance(value, str):
            scheme, _, token = value.partition(" ")
            if scheme.lower() == BEARER_SCHEME and token.strip():
                return token.strip()
    return None


@dataclass(frozen=True)
class Caller:
    """Who a call comes from, as far as the transport and its headers say."""

    bearer: str | None
    """The bearer token, if the call carries one."""
    peer: str
    """gRPC's peer address, for example "ipv4:10.0.0.7:51544"."""
    certificate_subject: str | None
    """Subject of the client certificate the TLS handshake verified, if any."""
    certificate_names: tuple[str, ...] = ()
    """Its subject alternative names."""

    @classmethod
    def of(cls, context: grpc.aio.ServicerContext[Any, Any]) -> Caller:
        """The caller of the current call."""
        auth = _auth_context(context)
        subject = auth.get("x509_subject")
        names = auth.get("x509_subject_alternative_name", ())
        return cls(
            bearer=bearer_token(context.invocation_metadata()),
            peer=context.peer() or "",
            certificate_subject=_text(subject[0]) if subject else None,
            certificate_names=tuple(_text(name) for name in names),
        )


def _auth_context(context: grpc.aio.ServicerContext[Any, Any]) -> Mapping[str, Any]:
    auth: Mapping[str, Any] = context.auth_context() or {}
    if auth.get("transport_security_type") != [b"ssl"]:
        return {}
    return auth


def _text(value: str | bytes) -> str:
    return value.decode(errors="replace") if isinstance(value, bytes) else value
