"""What the quota and health services share about configured providers: the error for a provider
that is not configured, and the request validation of a ``provider`` field."""

from __future__ import annotations

from collections.abc import Sequence

from sanad_common.errors import FieldViolation


class UnknownProviderError(LookupError):
    """The provider is not configured."""

    def __init__(self, provider: str) -> None:
        super().__init__(f"unknown provider {provider!r}")
        self.provider = provider


def provider_violations(
    provider: str, known: Sequence[str], *, required: bool
) -> list[FieldViolation]:
    """The violations of a request's ``provider`` field: empty when required, or not one of
    the known (configured) providers; an empty list when it is fine."""
    if not provider:
        return [FieldViolation("provider", "is required")] if required else []
    if provider not in known:
        return [
            FieldViolation("provider", f"unknown provider {provider!r}; known: {', '.join(known)}")
        ]
    return []
