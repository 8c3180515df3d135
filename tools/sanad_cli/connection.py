"""Where the CLI finds the services, the admin token, and one-line errors instead of tracebacks."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from dataclasses import dataclass

import grpc
from pydantic import ValidationError

from sanad_common.config import load_settings

EXIT_FAILED = 1
"""A service answered with an error (or the system is unhealthy)."""
EXIT_UNREACHABLE = 2
"""A service could not be reached, or the CLI was misconfigured."""
ADMIN_TOKEN_VARIABLE = "SANAD_ADMIN_TOKEN"
"""Environment variable holding the admin bearer token."""


class CliError(Exception):
    """A failure the CLI reports as one line on stderr, with an exit code."""

    def __init__(self, message: str, exit_code: int = EXIT_FAILED) -> None:
        super().__init__(message)
        self.exit_code = exit_code


@dataclass(frozen=True)
class Targets:
    """The services' addresses and the admin token, from the options or the settings."""

    analyzer: str
    """host:port of the analyzer."""
    quota: str
    """host:port of the quota service."""
    health: str
    """host:port of the health service."""
    admin_token: str | None
    """Bearer token for admin RPCs; None when not configured."""
    timeout: float
    """Seconds each RPC may take."""

    @classmethod
    def resolve(
        cls,
        analyzer: str | None,
        quota: str | None,
        health: str | None,
        timeout: float,
    ) -> Targets:
        """Options win; otherwise SANAD_ANALYZER_TARGET and the other settings."""
        try:
            settings = load_settings()
        except (ValidationError, FileNotFoundError) as error:
            raise CliError(f"invalid configuration: {error}", EXIT_UNREACHABLE) from None
        token = settings.admin_token.get_secret_value() if settings.admin_token else None
        return cls(
            analyzer=analyzer or settings.analyzer_target,
            quota=quota or settings.quota_target,
            health=health or settings.health_target,
            admin_token=token,
            timeout=timeout,
        )

    def admin(self) -> tuple[tuple[str, str], ...]:
        """Call metadata for an admin RPC; a clear error when no token is configured."""
        if not self.admin_token:
            raise CliError(
                f"this command needs the admin token: set {ADMIN_TOKEN_VARIABLE}", EXIT_UNREACHABLE
            )
        return (("authorization", f"Bearer {self.admin_token}"),)


def describe_rpc_error(error: grpc.RpcError, target: str) -> CliError:
    """One line for a failed call: unreachable, or what the service said."""
    code: grpc.StatusCode = error.code()
    details: str = error.details() or ""
    if code == grpc.StatusCode.UNAVAILABLE and _is_connection_failure(details):
        return CliError(f"cannot reach {target}: {code.name}", EXIT_UNREACHABLE)
    if code == grpc.StatusCode.DEADLINE_EXCEEDED and not details.strip():
        return CliError(f"{target} did not answer in time", EXIT_UNREACHABLE)
    return CliError(f"{target} answered {code.name}: {details}")


def _is_connection_failure(details: str) -> bool:
    lowered = details.lower()
    return any(
        marker in lowered
        for marker in ("failed to connect", "connection refused", "resolution", "socket closed")
    )


@contextlib.contextmanager
def reported_errors() -> Iterator[None]:
    """Turn a CliError into one line on stderr and its exit code."""
    try:
        yield
    except CliError as error:
        sys.stderr.write(f"sanad: {error}\n")
        raise SystemExit(error.exit_code) from None
