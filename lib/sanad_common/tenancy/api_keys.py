"""Tenants named by their API key: ``authorization: Bearer <tenant key>``."""

from __future__ import annotations

import hmac

from sanad_common.security.caller import Caller
from sanad_common.tenancy.directory import TenantDirectory, key_digest


class ApiKeyAuthenticator:
    """The tenant whose key_sha256 is the SHA-256 of the caller's bearer token.

    The presented key is hashed first and the hash looked up, so no comparison ever runs on
    a key: the lookup's time depends only on the digest of what the caller sent, which tells
    nothing of any stored key, and the match is confirmed with ``hmac.compare_digest``. The
    cost is the same for one tenant or ten thousand.
    """

    scheme = "authorization: Bearer <tenant key>"

    def __init__(self, directory: TenantDirectory) -> None:
        self._owners = {
            digest: (digest, tenant.id) for tenant in directory for digest in tenant.key_digests
        }

    def tenant_of(self, caller: Caller) -> str | None:
        """See TenantAuthenticator.tenant_of."""
        if caller.bearer is None:
            return None
        presented = key_digest(caller.bearer)
        stored, tenant = self._owners.get(presented, (b"", ""))
        return tenant if hmac.compare_digest(stored, presented) and tenant else None
