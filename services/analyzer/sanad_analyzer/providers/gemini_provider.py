"""Gemini (the Gemini Developer API) through google-genai."""

from __future__ import annotations

import asyncio
import math
from typing import Final

from google import genai
from google.genai import types

from sanad_analyzer.analysis import (
    ANALYSIS_JSON_SCHEMA,
    InvalidAnalysisError,
    approx_tokens,
    build_messages,
    estimate_tokens,
    parse_analysis,
)
from sanad_analyzer.providers.base import AnalysisPrompt, ProviderAnswer, ProviderError
from sanad_analyzer.providers.classify import classify_gemini, scrub
from sanad_common.error_class import ErrorClass

_COMPLETE: Final = frozenset(
    {types.FinishReason.STOP, types.FinishReason.FINISH_REASON_UNSPECIFIED}
)


class GeminiProvider:
    """generateContent with a JSON schema; one HTTP request per ``analyze``.

    google-genai retries behind the caller's back in two ways, both switched off here:
    client-level ``retry_options`` set to a single attempt (without them the aiohttp
    transport retries a failed connection once on its own), and automatic continuation
    (follow-up requests while the model reports ``CONTINUATION``).
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
        self._client = genai.Client(
            vertexai=False,
            api_key=api_key,
            http_options=types.HttpOptions(
                base_url=base_url,
                retry_options=types.HttpRetryOptions(attempts=1),
            ),
        )

    # The attempt's share of the caller's deadline is part of the contract, not a wrapper.
    async def analyze(self, prompt: AnalysisPrompt, *, timeout: float) -> ProviderAnswer:  # noqa: ASYNC109
        """One attempt within ``timeout`` seconds; raises ProviderError only."""
        instructions, content = build_messages(prompt)
        # HttpOptions wants whole milliseconds; an infinite timeout means no transport bound.
        timeout_ms = max(1, math.ceil(timeout * 1000)) if math.isfinite(timeout) else None
        config = types.GenerateContentConfig(
            system_instruction=instructions,
            response_mime_type="application/json",
            response_json_schema=ANALYSIS_JSON_SCHEMA,
            max_output_tokens=self._max_output_tokens,
            automatic_continuation=False,
            http_options=types.HttpOptions(timeout=timeout_ms),
        )
        try:
            # The transport's timeout is per request; asyncio bounds the whole call as well.
            async with asyncio.timeout(timeout):
                response = await self._client.aio.models.generate_content(
                    model=self.model, contents=content, config=config
                )
        except Exception as exc:
            raise classify_gemini(exc, secret=self._api_key) from exc
        return self._answer(response, prompt, instructions + content)

    def _answer(
        self, response: types.GenerateContentResponse, prompt: AnalysisPrompt, sent: str
    ) -> ProviderAnswer:
        candidates = response.candidates or []
        if not candidates:
            feedback = response.prompt_feedback
            if feedback is not None and feedback.block_reason is not None:
                raise _invalid(f"prompt blocked ({feedback.block_reason.value})")
            raise _invalid("no candidates in the response")
        candidate = candidates[0]
        finish = candidate.finish_reason
        if finish == types.FinishReason.MAX_TOKENS:
            raise _invalid("answer cut off at the output token limit")
        if finish is not None and finish not in _COMPLETE:
            raise _invalid(f"answer withheld (finish reason {finish.value})")
        parts = candidate.content.parts if candidate.content and candidate.content.parts else []
        text = "".join(part.text for part in parts if part.text and not part.thought)
        if not text.strip():
            raise _invalid("empty answer")
        try:
            analysis = parse_analysis(text, include_improved_policy=prompt.include_improved_policy)
        except InvalidAnalysisError as exc:
            raise _invalid(scrub(str(exc), self._api_key)) from exc
        usage = response.usage_metadata
        prompt_tokens = usage.prompt_token_count if usage else None
        output_tokens = usage.candidates_token_count if usage else None
        # Thinking tokens are billed as output, so quota counts them as completion.
        thought_tokens = (usage.thoughts_token_count if usage else None) or 0
        return ProviderAnswer(
            analysis=analysis,
            model=response.model_version or self.model,
            prompt_tokens=prompt_tokens if prompt_tokens is not None else approx_tokens(sent),
            completion_tokens=(
                output_tokens + thought_tokens
                if output_tokens is not None
                else approx_tokens(text) + thought_tokens
            ),
        )

    def estimate_tokens(self, prompt: AnalysisPrompt) -> int:
        """Prompt plus expected completion tokens, for the quota reservation."""
        return estimate_tokens(prompt, self._max_output_tokens)

    async def aclose(self) -> None:
        """Close the async transport and the sync client google-genai also creates."""
        await self._client.aio.aclose()
        self._client.close()


def _invalid(message: str) -> ProviderError:
    return ProviderError(ErrorClass.INVALID_RESPONSE, message)
