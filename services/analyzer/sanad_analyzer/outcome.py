"""What one provider attempt did, as the health service is told about it."""

from __future__ import annotations

from dataclasses import dataclass

from sanad_common.error_class import ErrorClass


@dataclass(frozen=True)
class AttemptOutcome:
    """One attempt's result: success, or the class of its failure and what the provider said."""

    provider: str
    """Provider name."""
    latency: float
    """Seconds from the call to its answer or failure."""
    error_class: ErrorClass | None = None
    """The failure's class; None for a success."""
    retry_after: float | None = None
    """Seconds the provider asked us to wait, when it said."""

    @property
    def success(self) -> bool:
        """True if the provider gave a valid answer."""
        return self.error_class is None
