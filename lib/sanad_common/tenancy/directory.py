"""The tenants file: who the tenants are, the SHA-256 of their keys, and their limits.

```toml
[[tenants]]
id = "shop-a"
key_sha256 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
hourly_requests = 100          # optional; unset is unlimited
daily_tokens = 2_000_000

[[tenants]]
id = "shop-b"
key_sha256 = ["<new key's hash>", "<old key's hash>"]   # both accepted while rotating
```

Keys are never stored, only their hashes: the analyzer hashes the key a call presents and
looks the hash up. Quota reads the same file for the limits.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from sanad_common.config import ConfigurationError, ProviderLimits

TENANT_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"
"""What a tenant id may be: what the analyzer accepts in ``tenant_id``."""
_HEX_SHA256 = re.compile(r"^[0-9a-f]{64}$")


def key_digest(key: str) -> bytes:
    """The SHA-256 of a tenant key, as the file stores it (in hex)."""
    return hashlib.sha256(key.encode()).digest()


def _as_list(value: object) -> object:
    return [value] if isinstance(value, str) else value


def _hex_digests(values: Sequence[str]) -> tuple[str, ...]:
    digests = tuple(value.strip().lower() for value in values)
    for digest in digests:
        if not _HEX_SHA256.match(digest):
            raise ValueError("each key_sha256 is 64 hexadecimal digits (the SHA-256 of a key)")
    if not digests:
        raise ValueError("key_sha256 needs at least one hash")
    return digests


class _TenantEntry(BaseModel):
    """One ``[[tenants]]`` table of the file."""

    model_config = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=True)

    id: str = Field(pattern=TENANT_ID_PATTERN)
    """The tenant's id, as requests name it in ``tenant_id``."""
    key_sha256: Annotated[tuple[str, ...], BeforeValidator(_as_list)]
    """Hex SHA-256 of each key the tenant may present (several while a key is rotated)."""
    hourly_requests: int = Field(default=-1, ge=-1)
    """Provider requests per UTC hour made for the tenant; -1 (unset) is unlimited."""
    daily_requests: int = Field(default=-1, ge=-1)
    """Provider requests per UTC day; -1 is unlimited."""
    hourly_tokens: int = Field(default=-1, ge=-1)
    """Provider tokens per UTC hour; -1 is unlimited."""
    daily_tokens: int = Field(default=-1, ge=-1)
    """Provider tokens per UTC day; -1 is unlimited."""


class _TenantsFile(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    tenants: tuple[_TenantEntry, ...] = ()


@dataclass(frozen=True)
class Tenant:
    """A tenant of the file."""

    id: str
    """Its id."""
    key_digests: tuple[bytes, ...]
    """SHA-256 of each key it may present."""
    limits: ProviderLimits
    """Its quota limits, in the shape of a provider's (the minute is always unlimited)."""


@dataclass(frozen=True)
class TenantDirectory:
    """The tenants of one file, in its order."""

    tenants: tuple[Tenant, ...]
    """Every tenant, in the file's order."""
    by_id: Mapping[str, Tenant]
    """The same tenants by id."""

    @classmethod
    def load(cls, path: Path) -> TenantDirectory:
        """Read the file; ConfigurationError says what is wrong with it."""
        try:
            raw = tomllib.loads(path.read_text())
            parsed = _TenantsFile.model_validate(raw)
        except OSError as error:
            raise ConfigurationError(f"tenants file {path}: {error.strerror or error}") from None
        except tomllib.TOMLDecodeError as error:
            raise ConfigurationError(f"tenants file {path}: not TOML ({error})") from None
        except ValidationError as error:
            raise ConfigurationError(f"tenants file {path}:\n{error}") from None
        try:
            return cls.of(parsed.tenants)
        except ValueError as error:
            raise ConfigurationError(f"tenants file {path}: {error}") from None

    @classmethod
    def of(cls, entries: Sequence[_TenantEntry]) -> TenantDirectory:
        """The directory of parsed entries; ValueError for a repeated id or key hash."""
        tenants = []
        owners: dict[bytes, str] = {}
        for entry in entries:
            digests = tuple(bytes.fromhex(value) for value in _hex_digests(entry.key_sha256))
            for digest in digests:
                owner = owners.setdefault(digest, entry.id)
                if owner != entry.id:
                    raise ValueError(f"tenants {owner} and {entry.id} share a key_sha256")
            tenants.append(
                Tenant(
                    id=entry.id,
                    key_digests=digests,
                    limits=ProviderLimits(
                        hourly_requests=entry.hourly_requests,
                        daily_requests=entry.daily_requests,
                        hourly_tokens=entry.hourly_tokens,
                        daily_tokens=entry.daily_tokens,
                        minute_requests=-1,
                        minute_tokens=-1,
                    ),
                )
            )
        by_id = {tenant.id: tenant for tenant in tenants}
        if len(by_id) < len(tenants):
            ids = [tenant.id for tenant in tenants]
            repeated = sorted({tenant for tenant in ids if ids.count(tenant) > 1})
            raise ValueError(f"tenant ids appear more than once: {', '.join(repeated)}")
        return cls(tuple(tenants), by_id)

    def __iter__(self) -> Iterator[Tenant]:
        return iter(self.tenants)

    def get(self, tenant_id: str) -> Tenant | None:
        """The tenant with this id, if the file has it."""
        return self.by_id.get(tenant_id)


def load_tenants(path: Path | None) -> TenantDirectory | None:
    """The directory of the settings' tenants file; None when no file is set."""
    return None if path is None else TenantDirectory.load(path)
