"""Tenants: the tenants file (``directory``: ids, key hashes, limits), the interface of a way
to prove a tenant (``port``), tenant keys as its implementation (``api_keys``), and the rule
that a call serves the tenant it proved (``access``).

May import the standard library, pydantic, grpc and ``sanad_common`` (config, errors,
log_limits, security); ``port`` imports only the Caller value it reads.
"""

from __future__ import annotations

import structlog

from sanad_common.tenancy.access import TenantAccess
from sanad_common.tenancy.api_keys import ApiKeyAuthenticator
from sanad_common.tenancy.directory import Tenant, TenantDirectory, load_tenants
from sanad_common.tenancy.port import TenantAuthenticator

__all__ = [
    "ApiKeyAuthenticator",
    "Tenant",
    "TenantAccess",
    "TenantAuthenticator",
    "TenantDirectory",
    "load_tenants",
    "tenant_access",
]

log = structlog.get_logger(__name__)


def tenant_access(directory: TenantDirectory | None) -> TenantAccess:
    """Tenant keys from the directory; without one, today's open access, said at start-up."""
    if directory is None:
        log.warning(
            "tenant keys are off: any caller may name any tenant_id (set SANAD_TENANTS_FILE)"
        )
        return TenantAccess(None)
    log.info("tenant keys required", tenants=len(directory.tenants))
    return TenantAccess(ApiKeyAuthenticator(directory))
