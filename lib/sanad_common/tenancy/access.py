"""Which tenant a tenant RPC serves: the one the caller proved, never one a field claims."""

from __future__ import annotations

import grpc
import structlog

from sanad_common.errors import ServiceError, error_info
from sanad_common.log_limits import LogRate
from sanad_common.security.caller import Caller
from sanad_common.tenancy.port import TenantAuthenticator

log = structlog.get_logger(__name__)

REFUSAL_LOG_BURST = 5
"""Refused tenant credentials logged at once before the rate limit applies."""
REFUSAL_LOG_INTERVAL = 10.0
"""Seconds between two refusals logged once the burst is spent."""


class TenantAccess:
    """Decides the tenant of a call from its caller, with an authenticator; without one, the
    request's own ``tenant_id`` (anyone may name any tenant)."""

    def __init__(self, authenticator: TenantAuthenticator | None) -> None:
        self._authenticator = authenticator
        self._refusals = LogRate(REFUSAL_LOG_BURST, REFUSAL_LOG_INTERVAL)

    @property
    def enforced(self) -> bool:
        """True when callers must prove their tenant."""
        return self._authenticator is not None

    def tenant_for(self, caller: Caller, claimed: str) -> str:
        """The tenant the call is for; claimed is the request's tenant_id ("" for none).

        With an authenticator: UNAUTHENTICATED when the caller proves no tenant,
        PERMISSION_DENIED when claimed names another tenant than the one proved.
        """
        if self._authenticator is None:
            return claimed
        tenant = self._authenticator.tenant_of(caller)
        if tenant is None:
            reason = "TENANT_KEY_MISSING" if caller.bearer is None else "TENANT_KEY_INVALID"
            self._log_refusal(caller, reason)
            raise ServiceError(
                grpc.StatusCode.UNAUTHENTICATED,
                f"this RPC needs the tenant's credential: {self._authenticator.scheme}",
                [error_info(reason)],
            )
        if claimed and claimed != tenant:
            self._log_refusal(caller, "TENANT_MISMATCH")
            raise ServiceError(
                grpc.StatusCode.PERMISSION_DENIED,
                "tenant_id names another tenant than the one the credential proves",
                [error_info("TENANT_MISMATCH", {"tenant_id": claimed})],
            )
        return tenant

    def _log_refusal(self, caller: Caller, reason: str) -> None:
        self._refusals.warning(log, "tenant credential refused", reason=reason, peer=caller.peer)
