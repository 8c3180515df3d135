"""The few settings the CLI needs, read from the same variables (and file) as the services'."""

from __future__ import annotations

import tomllib
from typing import Any

from pydantic import Field, SecretStr, ValidationError
from pydantic_settings import SettingsConfigDict

from sanad_cli.errors import EXIT_UNREACHABLE, CliError
from sanad_common.config import SanadSources

DEFAULT_TIMEOUT = 30.0
"""Seconds a call may take unless --timeout says otherwise."""


class CliSettings(SanadSources):
    """Where the services are, the admin token and the time a call may take.

    SANAD_ANALYZER_TARGET, SANAD_QUOTA_TARGET, SANAD_HEALTH_TARGET and SANAD_ADMIN_TOKEN (or
    the same keys in the SANAD_CONFIG_FILE), so the environment that configures the services
    configures the CLI; nothing else of theirs is read, so a setting only a service uses can
    never stop the CLI. Channel options such as TLS belong here when there are any.
    """

    model_config = SettingsConfigDict(
        frozen=True, use_attribute_docstrings=True, env_prefix="SANAD_", extra="ignore"
    )

    analyzer_target: str = "localhost:50051"
    """host:port of the analyzer (--analyzer)."""
    quota_target: str = "localhost:50052"
    """host:port of the quota service (--quota)."""
    health_target: str = "localhost:50053"
    """host:port of the health service (--health)."""
    admin_token: SecretStr | None = None
    """Bearer token for admin RPCs; None when not configured."""
    timeout: float = Field(default=DEFAULT_TIMEOUT, gt=0)
    """Seconds each call, and each first connection to a service, may take (--timeout)."""

    @classmethod
    def resolve(
        cls, analyzer: str | None, quota: str | None, health: str | None, timeout: float
    ) -> CliSettings:
        """The options given win over the environment and the file."""
        options: dict[str, Any] = {
            key: value
            for key, value in (
                ("analyzer_target", analyzer),
                ("quota_target", quota),
                ("health_target", health),
            )
            if value
        }
        try:
            return cls(timeout=timeout, **options)
        except ValidationError as error:
            problems = "; ".join(
                f"{'.'.join(str(part) for part in problem['loc'])}: {problem['msg']}"
                for problem in error.errors()
            )
            raise CliError(f"invalid configuration: {problems}", EXIT_UNREACHABLE) from None
        except (FileNotFoundError, tomllib.TOMLDecodeError) as error:
            raise CliError(f"invalid configuration: {error}", EXIT_UNREACHABLE) from None

    def admin_metadata(self) -> tuple[tuple[str, str], ...]:
        """Call metadata for an admin RPC; a clear error when no token is configured."""
        if not self.admin_token:
            raise CliError(
                "this command needs the admin token: set SANAD_ADMIN_TOKEN", EXIT_UNREACHABLE
            )
        return (("authorization", f"Bearer {self.admin_token.get_secret_value()}"),)
