"""OpenAI, or any OpenAI-compatible endpoint (vLLM, Ollama, Azure), through the openai SDK."""

from __future__ import annotations

import asyncio
from typing import Any, Final

import openai
from openai.types.shared_params import ResponseFormatJSONSchema

from sanad_analyzer.analysis import (
    ANALYSIS_JSON_SCHEMA,
    InvalidAnalysisError,
    approx_tokens,
    build_messages,
    estimate_tokens,
    parse_analysis,
)
from sanad_analyzer.providers.base import AnalysisPrompt, ProviderAnswer, ProviderError
from sanad_analyzer.providers.classify import classify_openai, scrub
from sanad_common.error_class import ErrorClass

RESPONSE_FORMAT: Final[ResponseFormatJSONSchema] = {
    "type": "json_schema",
    "json_schema": {"name": "policy_analysis", "schema": ANALYSIS_JSON_SCHEMA, "strict": True},
}
"""Strict structured output with the analysis schema; the benchmark's direct call sends it too."""


class OpenAIProvider:
    """Chat Completions with strict structured output; one HTTP request per ``analyze``.

    The SDK's own retries are off (``max_retries=0``): retrying is the request path's
    decision, made per error class and within the caller's deadline.
    """

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
        self._max_output_tokens = max_output_tokens
        self._client = openai.AsyncOpenAI(api_key=api_key, base_url=base_url, max_retries=0)

    # The attempt's share of the caller's deadline is part of the contract, not a wrapper.
    async def analyze(self, prompt: AnalysisPrompt, *, timeout: float) -> ProviderAnswer:  # noqa: ASYNC109
        """One attempt within ``timeout`` seconds; raises ProviderError only."""
        instructions, content = build_messages(prompt)
        try:
            # The SDK timeout bounds each phase (connect, read...); asyncio bounds the whole.
            async with asyncio.timeout(timeout):
                completion = await self._client.chat.completions.create(
                    model=self.model,
                    messages=[
                        {"role": "system", "content": instructions},
                        {"role": "user", "content": content},
                    ],
                    response_format=RESPONSE_FORMAT,
                    max_completion_tokens=self._max_output_tokens,
                    timeout=timeout,
                )
        except Exception as exc:
            raise classify_openai(exc, secret=self._api_key) from exc
        return self._answer(completion, prompt, instructions + content)

    def _answer(self, completion: Any, prompt: AnalysisPrompt, sent: str) -> ProviderAnswer:
        """Read the completion defensively: a compatible endpoint may omit any field."""
        choices = getattr(completion, "choices", None) or []
        if not choices:
            raise _invalid("no choices in the response")
        choice = choices[0]
        finish_reason = getattr(choice, "finish_reason", None)
        message = getattr(choice, "message", None)
        if finish_reason == "content_filter":
            raise _invalid("answer withheld by the content filter")
        if getattr(message, "refusal", None):
            raise _invalid("the model refused to answer")
        if finish_reason == "length":
            raise _invalid("answer cut off at the output token limit")
        text = getattr(message, "content", None)
        if not isinstance(text, str) or not text.strip():
            raise _invalid("empty answer")
        try:
            analysis = parse_analysis(text, include_improved_policy=prompt.include_improved_policy)
        except InvalidAnalysisError as exc:
            raise _invalid(scrub(str(exc), self._api_key)) from exc
        usage = getattr(completion, "usage", None)
        prompt_tokens = getattr(usage, "prompt_tokens", None)
        completion_tokens = getattr(usage, "completion_tokens", None)
        model = getattr(completion, "model", None)
        return ProviderAnswer(
            analysis=analysis,
            model=model if isinstance(model, str) and model else self.model,
            prompt_tokens=prompt_tokens if isinstance(prompt_tokens, int) else approx_tokens(sent),
            completion_tokens=(
                completion_tokens if isinstance(completion_tokens, int) else approx_tokens(text)
            ),
        )

    def estimate_tokens(self, prompt: AnalysisPrompt) -> int:
        """Prompt plus expected completion tokens, for the quota reservation."""
        return estimate_tokens(prompt, self._max_output_tokens)

    async def aclose(self) -> None:
        """Close the SDK's HTTP client."""
        await self._client.close()


def _invalid(message: str) -> ProviderError:
    return ProviderError(ErrorClass.INVALID_RESPONSE, message)
