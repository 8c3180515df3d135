"""OpenAI, or any OpenAI-compatible endpoint (vLLM, Ollama, Azure), through the openai SDK."""

from __future__ import annotations

import json
import re
from typing import Any, Final, Self

import aiohttp
import httpx2
import openai
from openai.types.chat import ChatCompletion
from openai.types.shared_params import ResponseFormatJSONSchema

from sanad_analyzer.analysis import ANALYSIS_JSON_SCHEMA
from sanad_analyzer.prompt import AnalysisPrompt, approx_tokens
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
from sanad_common.config import ProviderSettings
from sanad_common.error_class import ErrorClass

RESPONSE_FORMAT: Final[ResponseFormatJSONSchema] = {
    "type": "json_schema",
    "json_schema": {"name": "policy_analysis", "schema": ANALYSIS_JSON_SCHEMA, "strict": True},
}
"""Strict structured output with the analysis schema; the benchmark's direct call sends it too."""

# Last resort when a 429 carries no structured reason: words of an exhausted (billing) quota.
_QUOTA_TEXT: Final = re.compile(r"insufficient[_ ]quota|exceeded your current quota", re.I)


class OpenAIProvider(SdkAdapter):
    """Chat Completions with strict structured output; one HTTP request per ``analyze``.

    The SDK's own retries are off (``max_retries=0``): retrying is the request path's
    decision, made per error class and within the caller's deadline. With an ``api_version``
    (Azure OpenAI) every request carries it as the ``api-version`` query parameter and the key
    also goes in Azure's ``api-key`` header. The SDK's client runs on ``transport`` (aiohttp
    unless a benchmark asks for httpx).
    """

    def __init__(
        self,
        name: str,
        api_key: str,
        base_url: str | None,
        model: str,
        max_output_tokens: int,
        *,
        api_version: str | None = None,
        transport: HttpTransport = HttpTransport.AIOHTTP,
    ) -> None:
        super().__init__(name, api_key, base_url, model, max_output_tokens)
        # The SDK's own defaults (timeouts, pool limits, redirects) on either stack; closing
        # the SDK's client closes this one (and aiohttp's session with it).
        http_client: httpx2.AsyncClient = (
            openai.DefaultAioHttpClient()
            if transport is HttpTransport.AIOHTTP
            else openai.DefaultAsyncHttpxClient()
        )
        self._client = openai.AsyncOpenAI(
            api_key=api_key,
            base_url=base_url,
            max_retries=0,
            default_query={"api-version": api_version} if api_version else None,
            default_headers={"api-key": api_key} if api_version else None,
            http_client=http_client,
        )

    @classmethod
    def from_settings(cls, settings: ProviderSettings, api_key: str) -> Self:
        """The adapter for one configured provider, with its Azure api-version if set."""
        return cls(
            name=settings.name,
            api_key=api_key,
            base_url=settings.base_url,
            model=settings.model,
            max_output_tokens=settings.max_output_tokens,
            api_version=settings.api_version,
        )

    async def _send(self, instructions: str, content: str, timeout: float) -> Any:  # noqa: ASYNC109
        # The SDK's own request (its auth, base URL and api-version, timeout, errors and the
        # ChatCompletion it casts the reply to) without ``chat.completions.create``'s walk of
        # every typed parameter against its TypedDict on every call, a third of the adapter's
        # CPU for a body that is already plain JSON (the same bytes on the wire as create's).
        return await self._client.post(
            "/chat/completions",
            cast_to=ChatCompletion,
            body={
                "model": self.model,
                "messages": [
                    {"role": "system", "content": instructions},
                    {"role": "user", "content": content},
                ],
                "max_completion_tokens": self._max_output_tokens,
                "response_format": RESPONSE_FORMAT,
            },
            options={"timeout": sdk_timeout(timeout), "security": {"bearer_auth": True}},
        )

    def _answer(self, response: Any, prompt: AnalysisPrompt, sent: str) -> ProviderAnswer:
        """Read the completion defensively: a compatible endpoint may omit any field."""
        choices = getattr(response, "choices", None) or []
        if not choices:
            raise invalid("no choices in the response")
        choice = choices[0]
        finish_reason = getattr(choice, "finish_reason", None)
        message = getattr(choice, "message", None)
        if finish_reason == "content_filter":
            raise invalid("answer withheld by the content filter")
        if getattr(message, "refusal", None):
            raise invalid("the model refused to answer")
        if finish_reason == "length":
            raise invalid("answer cut off at the output token limit")
        text = getattr(message, "content", None)
        if not isinstance(text, str) or not text.strip():
            raise invalid("empty answer")
        analysis = self.parse(text, prompt)
        usage = getattr(response, "usage", None)
        prompt_tokens = getattr(usage, "prompt_tokens", None)
        completion_tokens = getattr(usage, "completion_tokens", None)
        model = getattr(response, "model", None)
        return ProviderAnswer(
            analysis=analysis,
            model=model if isinstance(model, str) and model else self.model,
            prompt_tokens=prompt_tokens if isinstance(prompt_tokens, int) else approx_tokens(sent),
            completion_tokens=(
                completion_tokens if isinstance(completion_tokens, int) else approx_tokens(text)
            ),
        )

    def classify(self, exc: Exception) -> ProviderError:
        return classify_openai(exc, secret=self._api_key)

    async def aclose(self) -> None:
        """Close the SDK's HTTP client."""
        await self._client.close()


def classify_openai(exc: Exception, *, secret: str) -> ProviderError:
    """The ProviderError for anything the openai SDK (or our timeout around it) raised."""
    if isinstance(exc, ProviderError):
        return exc
    # APITimeoutError is also an APIConnectionError: timeouts are checked first.
    if isinstance(exc, TimeoutError | openai.APITimeoutError):
        dropped = _dropped_connection(exc)
        if dropped is None:
            return timed_out()
        return ProviderError(
            ErrorClass.SERVICE_CRASH, f"connection failed: {describe(dropped, secret)}"
        )
    if isinstance(exc, openai.APIConnectionError):
        return ProviderError(ErrorClass.SERVICE_CRASH, _connection_message(exc, secret))
    if isinstance(exc, openai.APIStatusError):
        return _classify_openai_status(exc, secret)
    if isinstance(exc, openai.APIResponseValidationError | json.JSONDecodeError):
        return invalid("response body is not a chat completion")
    return ProviderError(ErrorClass.UNKNOWN, describe(exc, secret))


def _classify_openai_status(exc: openai.APIStatusError, secret: str) -> ProviderError:
    status = exc.status_code
    detail = exc.body.get("message") if isinstance(exc.body, dict) else None
    message = scrub(f"HTTP {status}: {detail}" if detail else f"HTTP {status}", secret)
    retry_after = retry_after_from_headers(exc.response.headers)
    if isinstance(exc, openai.RateLimitError):
        reasons = {reason for reason in (exc.code, exc.type) if reason}
        exhausted = (
            "insufficient_quota" in reasons if reasons else bool(_QUOTA_TEXT.search(exc.message))
        )
        error_class = ErrorClass.QUOTA_EXCEEDED if exhausted else ErrorClass.RATE_LIMITED
    elif isinstance(exc, openai.AuthenticationError | openai.PermissionDeniedError):
        error_class = ErrorClass.AUTHENTICATION
    elif status in CRASH_STATUSES:
        error_class = ErrorClass.SERVICE_CRASH
    else:
        error_class = ErrorClass.UNKNOWN
    return ProviderError(error_class, message, retry_after=retry_after, status_code=status)


def _dropped_connection(exc: BaseException) -> aiohttp.ClientConnectionError | None:
    """The aiohttp error behind an SDK "timeout" that was a refused or broken connection.

    The aiohttp transport the openai SDK ships maps every aiohttp connection error (a reset or
    refused connection too) to httpx's ConnectTimeout, which the SDK raises as
    APITimeoutError; aiohttp's own timeouts are ServerTimeoutError and stay timeouts.
    """
    cause = exc.__cause__
    while cause is not None:
        if isinstance(cause, aiohttp.ClientConnectionError):
            return None if isinstance(cause, aiohttp.ServerTimeoutError) else cause
        cause = cause.__cause__
    return None


def _connection_message(exc: openai.APIConnectionError, secret: str) -> str:
    """The SDK says only "Connection error."; the transport error it wraps says what happened."""
    cause = exc.__cause__
    if cause is None:
        return scrub(exc.message, secret)
    return scrub(f"connection failed: {describe(cause, secret)}", secret)
