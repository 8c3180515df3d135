"""The skeleton every SDK adapter shares, so an adapter module holds only what differs:
how to send one request, how to read the answer, and how to classify the SDK's errors."""

from __future__ import annotations

import asyncio
import math
from abc import ABC, abstractmethod
from enum import StrEnum
from typing import Any, Self

from sanad_analyzer.analysis import InvalidAnalysisError, parse_analysis
from sanad_analyzer.prompt import AnalysisPrompt, build_messages, estimate_tokens
from sanad_analyzer.providers.base import ProviderAnswer, ProviderError
from sanad_analyzer.providers.errors import invalid, scrub
from sanad_common.config import ProviderSettings


class HttpTransport(StrEnum):
    """The HTTP stack under an SDK's client. Every adapter runs on aiohttp, which costs less
    CPU per call than httpx (docs/decisions.md has the figures); httpx stays selectable, as a
    constructor argument and not a setting, so ``bench.provider_transports`` measures both."""

    AIOHTTP = "aiohttp"
    HTTPX = "httpx"


def sdk_timeout(timeout: float) -> float | None:
    """``timeout`` for an SDK's per-request timeout: None (the SDKs' "no bound") when infinite,
    since aiohttp cannot arm a timer at infinity."""
    return timeout if math.isfinite(timeout) else None


class SdkAdapter(ABC):
    """One HTTP request per ``analyze``, bounded by the attempt's timeout, its SDK's own
    retries off; every SDK exception becomes a ProviderError through ``classify``."""

    def __init__(
        self,
        name: str,
        api_key: str,
        base_url: str | None,
        model: str,
        max_output_tokens: int,
    ) -> None:
        self.name = name
        self.model = model
        self._api_key = api_key
        self._base_url = base_url
        self._max_output_tokens = max_output_tokens

    @classmethod
    def from_settings(cls, settings: ProviderSettings, api_key: str) -> Self:
        """The adapter for one configured provider (the registry's factory)."""
        return cls(
            name=settings.name,
            api_key=api_key,
            base_url=settings.base_url,
            model=settings.model,
            max_output_tokens=settings.max_output_tokens,
        )

    # The attempt's share of the caller's deadline is part of the contract, not a wrapper.
    async def analyze(self, prompt: AnalysisPrompt, *, timeout: float) -> ProviderAnswer:  # noqa: ASYNC109
        """One attempt within ``timeout`` seconds; raises ProviderError only."""
        instructions, content = build_messages(prompt)
        try:
            # The SDK's timeout bounds each transport phase; asyncio bounds the whole call.
            async with asyncio.timeout(timeout):
                response = await self._send(instructions, content, timeout)
        except ProviderError:
            raise
        except Exception as exc:
            raise self.classify(exc) from exc
        return self._answer(response, prompt, instructions + content)

    def parse(self, text: str, prompt: AnalysisPrompt) -> dict[str, Any]:
        """The analysis in ``text``; INVALID_RESPONSE when it does not fit the schema."""
        try:
            return parse_analysis(text, include_improved_policy=prompt.include_improved_policy)
        except InvalidAnalysisError as exc:
            raise invalid(scrub(str(exc), self._api_key)) from exc

    def estimate_tokens(self, prompt: AnalysisPrompt) -> int:
        """Prompt plus expected completion tokens, for the quota reservation."""
        return estimate_tokens(prompt, self._max_output_tokens)

    @abstractmethod
    async def _send(self, instructions: str, content: str, timeout: float) -> Any:  # noqa: ASYNC109
        """The SDK call for one request; its exceptions go to ``classify``."""

    @abstractmethod
    def _answer(self, response: Any, prompt: AnalysisPrompt, sent: str) -> ProviderAnswer:
        """The analysis and token counts in the SDK's response; raises ProviderError."""

    @abstractmethod
    def classify(self, exc: Exception) -> ProviderError:
        """The ProviderError for anything the SDK (or the timeout around it) raised."""

    @abstractmethod
    async def aclose(self) -> None:
        """Release the SDK's HTTP client."""
