"""When one provider is asked again after a failure, and how long to wait first."""

from __future__ import annotations

from dataclasses import dataclass

from sanad_common.config import Settings
from sanad_common.error_class import ErrorClass

RETRYABLE = frozenset({ErrorClass.RATE_LIMITED, ErrorClass.INVALID_RESPONSE})
"""Classes that allow another attempt on the same provider (architecture §4): a rate limit passes,
and a model may answer validly the next time. A crash, a timeout, a refused key or an exhausted
quota go to the next provider instead."""


@dataclass(frozen=True)
class RetryPolicy:
    """Retries per provider, with exponential backoff and full jitter."""

    retries: int
    """Further attempts on the same provider."""
    backoff: float
    """Base backoff in seconds; the n-th retry waits up to backoff x 2**n."""
    backoff_max: float
    """Cap of the jittered part of the wait, in seconds."""

    @classmethod
    def from_settings(cls, settings: Settings) -> RetryPolicy:
        """The policy the settings describe."""
        return cls(settings.provider_retries, settings.retry_backoff, settings.retry_backoff_max)

    def allows(self, error_class: ErrorClass, retries_done: int) -> bool:
        """True if a failure of this class may be retried after retries_done retries."""
        return error_class in RETRYABLE and retries_done < self.retries

    def wait(self, retries_done: int, retry_after: float | None, jitter: float) -> float:
        """Seconds before the next retry: a full-jitter backoff (jitter in [0, 1)), never less
        than the provider's Retry-After."""
        backoff = jitter * min(self.backoff_max, self.backoff * 2.0**retries_done)
        return max(retry_after or 0.0, backoff)
