"""Tenants files for tests: each tenant's key is made here and only its hash is written."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from sanad_common.tenancy import TenantDirectory


@dataclass(frozen=True)
class KeyedTenant:
    """A tenant of a test's file, with its key in the clear."""

    id: str
    key: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    limits: Mapping[str, int] = field(default_factory=dict)
    """Any of hourly_requests, daily_requests, hourly_tokens, daily_tokens."""

    @property
    def bearer(self) -> tuple[tuple[str, str], ...]:
        """Call metadata presenting the key."""
        return (("authorization", f"Bearer {self.key}"),)


def write_tenants_file(path: Path, *tenants: KeyedTenant) -> Path:
    """The TOML file of the tenants (the hash of each key, never the key)."""
    lines = []
    for tenant in tenants:
        digest = hashlib.sha256(tenant.key.encode()).hexdigest()
        lines += ["[[tenants]]", f'id = "{tenant.id}"', f'key_sha256 = "{digest}"']
        lines += [f"{name} = {value}" for name, value in tenant.limits.items()]
        lines.append("")
    path.write_text("\n".join(lines))
    return path


def tenant_directory(folder: Path, *tenants: KeyedTenant) -> TenantDirectory:
    """The directory quota and the analyzer would read from those tenants' file."""
    return TenantDirectory.load(write_tenants_file(folder / "tenants.toml", *tenants))
