"""The provider interface: what the request path needs from any LLM adapter, and nothing more."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from sanad_analyzer.prompt import AnalysisPrompt
from sanad_common.error_class import ErrorClass


@dataclass(frozen=True)
class ProviderAnswer:
    """A schema-valid analysis and what it cost, so quota can commit the real token count."""

    analysis: dict[str, Any]
    model: str
    prompt_tokens: int
    completion_tokens: int

    @property
    def total_tokens(self) -> int:
        """Prompt and completion tokens together, as quota counts them."""
        return self.prompt_tokens + self.completion_tokens


class ProviderError(Exception):
    """The one exception an adapter raises; its class decides retry, health effect and failover.

    ``message`` is short and key-free, safe for logs and for ``ProviderAttempt.message``.
    ``retry_after`` is in seconds, when the provider said when to come back.
    """

    def __init__(
        self,
        error_class: ErrorClass,
        message: str,
        *,
        retry_after: float | None = None,
        status_code: int | None = None,
    ) -> None:
        super().__init__(f"{error_class.value}: {message}")
        self.error_class = error_class
        self.message = message
        self.retry_after = retry_after
        self.status_code = status_code


class Provider(Protocol):
    """An LLM that turns an AnalysisPrompt into a schema-valid analysis."""

    name: str
    model: str

    # The attempt's share of the caller's deadline is part of the contract, not a wrapper.
    async def analyze(self, prompt: AnalysisPrompt, *, timeout: float) -> ProviderAnswer:  # noqa: ASYNC109
        """One attempt, no hidden retries, within ``timeout`` seconds; raises ProviderError only."""
        ...

    def estimate_tokens(self, prompt: AnalysisPrompt) -> int:
        """Prompt plus expected completion tokens, to reserve quota before the call."""
        ...

    async def aclose(self) -> None:
        """Release the HTTP client."""
        ...
