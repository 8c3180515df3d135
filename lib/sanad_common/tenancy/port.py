"""How a call names its tenant: the interface every way of proving it implements.

A tenant key (``api_keys``) is the one implementation today; a verified mTLS identity or a
signed JWT would be others, each reading the same :class:`~sanad_common.security.caller.Caller`.
"""

from __future__ import annotations

from typing import Protocol

from sanad_common.security.caller import Caller


class TenantAuthenticator(Protocol):
    """Finds the tenant a caller has proved to be."""

    @property
    def scheme(self) -> str:
        """What the caller must present, for the error a caller without it gets
        (for example "authorization: Bearer <tenant key>")."""
        ...

    def tenant_of(self, caller: Caller) -> str | None:
        """The tenant the caller's credentials prove, or None when they prove none."""
        ...
