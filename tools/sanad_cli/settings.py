"""The few settings the CLI needs, read from the same variables (and file) as the services'."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from pydantic import Field, SecretStr, ValidationError
from pydantic_settings import SettingsConfigDict

from sanad_cli.errors import EXIT_UNREACHABLE, CliError
from sanad_client import Tls
from sanad_common.config import SanadSources

DEFAULT_TIMEOUT = 30.0
"""Seconds a call may take unless --timeout says otherwise."""


class CliSettings(SanadSources):
    """Where the services are, how to reach them, the admin token and the time a call may take.

    SANAD_ANALYZER_TARGET, SANAD_QUOTA_TARGET, SANAD_HEALTH_TARGET, SANAD_ADMIN_TOKEN and the
    clients' TLS files SANAD_TLS_CA_FILE, SANAD_TLS_CERT_FILE and SANAD_TLS_KEY_FILE (or the
    same keys in the SANAD_CONFIG_FILE), so the environment that configures the services
    configures the CLI; nothing else of theirs is read, so a setting only a service uses can
    never stop the CLI. SANAD_TENANT_KEY is the CLI's own: the key its analyses carry.
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
    tls_ca_file: Path | None = None
    """CA bundle that verifies the services; set, every channel is TLS (as the analyzer's to
    quota and health are)."""
    tls_cert_file: Path | None = None
    """Client certificate to present, which quota and health ask for with require."""
    tls_key_file: Path | None = None
    """Private key of tls_cert_file."""
    tenant_key: SecretStr | None = None
    """Tenant key that analyze and analyze-batch send (SANAD_TENANT_KEY), when the analyzer
    has a tenants file; never sent to quota or health."""
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
            settings = cls(timeout=timeout, **options)
            settings.tls()
        except ValidationError as error:
            problems = "; ".join(
                f"{'.'.join(str(part) for part in problem['loc'])}: {problem['msg']}"
                for problem in error.errors()
            )
            raise CliError(f"invalid configuration: {problems}", EXIT_UNREACHABLE) from None
        except (FileNotFoundError, tomllib.TOMLDecodeError) as error:
            raise CliError(f"invalid configuration: {error}", EXIT_UNREACHABLE) from None
        except ValueError as error:
            raise CliError(f"invalid configuration: {error}", EXIT_UNREACHABLE) from None
        return settings

    def tls(self) -> Tls | None:
        """TLS for the channels, None for plaintext (no CA file)."""
        if self.tls_ca_file is None:
            return None
        return Tls(self.tls_ca_file, self.tls_cert_file, self.tls_key_file)

    def tenant_metadata(self) -> tuple[tuple[str, str], ...]:
        """Call metadata for an analysis: the tenant key when there is one."""
        if not self.tenant_key:
            return ()
        return (("authorization", f"Bearer {self.tenant_key.get_secret_value()}"),)

    def admin_metadata(self) -> tuple[tuple[str, str], ...]:
        """Call metadata for an admin RPC; a clear error when no token is configured."""
        if not self.admin_token:
            raise CliError(
                "this command needs the admin token: set SANAD_ADMIN_TOKEN", EXIT_UNREACHABLE
            )
        return (("authorization", f"Bearer {self.admin_token.get_secret_value()}"),)
