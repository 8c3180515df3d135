"""Anthropic (the Messages API) through the official anthropic SDK."""

from __future__ import annotations

import json
from typing import Any, Final

import anthropic
import httpx2
from anthropic.types import Message, ToolParam

from sanad_analyzer.analysis import ANALYSIS_JSON_SCHEMA
from sanad_analyzer.prompt import AnalysisPrompt
from sanad_analyzer.providers.adapter import HttpTransport, SdkAdapter, sdk_timeout
from sanad_analyzer.providers.base import ProviderAnswer, ProviderError
from sanad_analyzer.providers.errors import (
    CRASH_STATUSES,
    describe,
    invalid,
    retry_after_from_headers,
    scrub,
    timed_out,
)
from sanad_common.error_class import ErrorClass

TOOL_NAME: Final = "record_policy_analysis"
ANALYSIS_TOOL: Final[ToolParam] = {
    "name": TOOL_NAME,
    "description": "Record the compliance analysis of the store policy.",
    "input_schema": ANALYSIS_JSON_SCHEMA,
}
"""Structured output as tool use: the analysis schema is the one tool's input, and it is forced."""

OVERLOADED_STATUS: Final = 529
"""Anthropic's "overloaded" status: the provider cannot serve, like a 503."""
_BILLING: Final = frozenset({"billing_error"})
"""Error types of an exhausted balance: the provider's quota, not a rate."""


class AnthropicProvider(SdkAdapter):
    """Messages with a forced tool whose input schema is the analysis; one HTTP request per
    ``analyze``, the SDK's own retries off (``max_retries=0``), on ``transport`` (aiohttp
    unless a benchmark asks for httpx)."""

    def __init__(
        self,
        name: str,
        api_key: str,
        base_url: str | None,
        model: str,
        max_output_tokens: int,
        *,
        transport: HttpTransport = HttpTransport.AIOHTTP,
    ) -> None:
        super().__init__(name, api_key, base_url, model, max_output_tokens)
        # The SDK's own defaults on either stack; closing the SDK's client closes this one.
        http_client: httpx2.AsyncClient = (
            anthropic.DefaultAioHttpClient()
            if transport is HttpTransport.AIOHTTP
            else anthropic.DefaultAsyncHttpxClient()
        )
        self._client = anthropic.AsyncAnthropic(
            api_key=api_key, base_url=base_url, max_retries=0, http_client=http_client
        )

    async def _send(self, instructions: str, content: str, timeout: float) -> Message:  # noqa: ASYNC109
        return await self._client.messages.create(
            model=self.model,
            max_tokens=self._max_output_tokens,
            system=instructions,
            messages=[{"role": "user", "content": content}],
            tools=[ANALYSIS_TOOL],
            tool_choice={"type": "tool", "name": TOOL_NAME},
            timeout=sdk_timeout(timeout),
        )

    def _answer(self, response: Message, prompt: AnalysisPrompt, sent: str) -> ProviderAnswer:
        if response.stop_reason == "max_tokens":
            raise invalid("answer cut off at the output token limit")
        if response.stop_reason == "refusal":
            raise invalid("the model refused to answer")
        calls = [
            block
            for block in response.content
            if block.type == "tool_use" and block.name == TOOL_NAME
        ]
        if not calls:
            raise invalid("no tool_use block with the analysis")
        analysis = self.parse(json.dumps(calls[0].input, ensure_ascii=False), prompt)
        return ProviderAnswer(
            analysis=analysis,
            model=response.model or self.model,
            prompt_tokens=response.usage.input_tokens,
            completion_tokens=response.usage.output_tokens,
        )

    def classify(self, exc: Exception) -> ProviderError:
        return classify_anthropic(exc, secret=self._api_key)

    async def aclose(self) -> None:
        """Close the SDK's HTTP client."""
        await self._client.close()


def classify_anthropic(exc: Exception, *, secret: str) -> ProviderError:
    """The ProviderError for anything the anthropic SDK (or our timeout around it) raised."""
    if isinstance(exc, ProviderError):
        return exc
    # APITimeoutError is also an APIConnectionError: timeouts are checked first.
    if isinstance(exc, TimeoutError | anthropic.APITimeoutError):
        return timed_out()
    if isinstance(exc, anthropic.APIConnectionError):
        cause = exc.__cause__
        detail = describe(cause, secret) if cause is not None else scrub(exc.message, secret)
        return ProviderError(ErrorClass.SERVICE_CRASH, f"connection failed: {detail}")
    if isinstance(exc, anthropic.APIStatusError):
        return _classify_status(exc, secret)
    if isinstance(exc, anthropic.APIResponseValidationError | json.JSONDecodeError):
        return invalid("response body is not a message")
    return ProviderError(ErrorClass.UNKNOWN, describe(exc, secret))


def _classify_status(exc: anthropic.APIStatusError, secret: str) -> ProviderError:
    status = exc.status_code
    error_type, detail = _error_body(exc.body)
    text = f"HTTP {status} {error_type}: {detail}" if detail else f"HTTP {status} {error_type}"
    message = scrub(text.strip(), secret)
    retry_after = retry_after_from_headers(exc.response.headers)
    if isinstance(exc, anthropic.PaymentRequiredError) or error_type in _BILLING:
        error_class = ErrorClass.QUOTA_EXCEEDED
    elif isinstance(exc, anthropic.RateLimitError):
        error_class = ErrorClass.RATE_LIMITED
    elif isinstance(exc, anthropic.AuthenticationError | anthropic.PermissionDeniedError):
        error_class = ErrorClass.AUTHENTICATION
    elif status in CRASH_STATUSES or status == OVERLOADED_STATUS:
        error_class = ErrorClass.SERVICE_CRASH
    else:
        error_class = ErrorClass.UNKNOWN
    return ProviderError(error_class, message, retry_after=retry_after, status_code=status)


def _error_body(body: object) -> tuple[str, str]:
    """``error.type`` and ``error.message`` of an Anthropic error body, empty when absent."""
    error: Any = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        return "", ""
    error_type = error.get("type")
    detail = error.get("message")
    return (
        error_type if isinstance(error_type, str) else "",
        detail if isinstance(detail, str) else "",
    )
