"""Gemini (the Gemini Developer API) through google-genai."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping
from typing import Any, Final

import aiohttp
import httpx2
import pydantic
from google import genai
from google.genai import errors as genai_errors
from google.genai import types

from sanad_analyzer.analysis import ANALYSIS_JSON_SCHEMA
from sanad_analyzer.prompt import AnalysisPrompt, approx_tokens
from sanad_analyzer.providers.adapter import HttpTransport, SdkAdapter
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

_COMPLETE: Final = frozenset(
    {types.FinishReason.STOP, types.FinishReason.FINISH_REASON_UNSPECIFIED}
)
# Last resort when a 429 names no limit: words of a per-day (billing) quota.
_QUOTA_TEXT: Final = re.compile(r"per[\s_-]?day|daily|billing", re.I)
_PER_DAY: Final = re.compile(r"per[\s_-]?day|daily", re.I)
_KEY_TEXT: Final = re.compile(r"api[\s_]?key[\s_]?(not[\s_]valid|invalid)", re.I)
_RPC_TYPE_PREFIX: Final = "type.googleapis.com/google.rpc."


class GeminiProvider(SdkAdapter):
    """generateContent with a JSON schema; one HTTP request per ``analyze``.

    google-genai retries behind the caller's back in two ways, both switched off here:
    client-level ``retry_options`` set to a single attempt (without them the aiohttp
    transport retries a failed connection once on its own), and automatic continuation
    (follow-up requests while the model reports ``CONTINUATION``). google-genai uses aiohttp
    whenever it is installed and no httpx transport is given; ``transport`` gives it one
    only when a benchmark asks for httpx.
    """

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
        self._client = genai.Client(
            vertexai=False,
            api_key=api_key,
            http_options=types.HttpOptions(
                base_url=base_url,
                retry_options=types.HttpRetryOptions(attempts=1),
                async_client_args=(
                    {"transport": httpx2.AsyncHTTPTransport()}
                    if transport is HttpTransport.HTTPX
                    else None
                ),
            ),
        )

    async def _send(self, instructions: str, content: str, timeout: float) -> Any:  # noqa: ASYNC109
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
        return await self._client.aio.models.generate_content(
            model=self.model, contents=content, config=config
        )

    def _answer(
        self, response: types.GenerateContentResponse, prompt: AnalysisPrompt, sent: str
    ) -> ProviderAnswer:
        candidates = response.candidates or []
        if not candidates:
            feedback = response.prompt_feedback
            if feedback is not None and feedback.block_reason is not None:
                raise invalid(f"prompt blocked ({feedback.block_reason.value})")
            raise invalid("no candidates in the response")
        candidate = candidates[0]
        finish = candidate.finish_reason
        if finish == types.FinishReason.MAX_TOKENS:
            raise invalid("answer cut off at the output token limit")
        if finish is not None and finish not in _COMPLETE:
            raise invalid(f"answer withheld (finish reason {finish.value})")
        parts = candidate.content.parts if candidate.content and candidate.content.parts else []
        text = "".join(part.text for part in parts if part.text and not part.thought)
        if not text.strip():
            raise invalid("empty answer")
        analysis = self.parse(text, prompt)
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

    def classify(self, exc: Exception) -> ProviderError:
        return classify_gemini(exc, secret=self._api_key)

    async def aclose(self) -> None:
        """Close the async transport and the sync client google-genai also creates."""
        await self._client.aio.aclose()
        self._client.close()


def classify_gemini(exc: Exception, *, secret: str) -> ProviderError:
    """The ProviderError for anything google-genai (aiohttp transport) or our timeout raised."""
    if isinstance(exc, ProviderError):
        return exc
    # aiohttp's ServerTimeoutError is also a connection error: timeouts are checked first.
    if isinstance(exc, TimeoutError | httpx2.TimeoutException):
        return timed_out()
    if isinstance(exc, genai_errors.APIError):
        return _classify_gemini_status(exc, secret)
    if isinstance(exc, aiohttp.ClientConnectionError | aiohttp.ClientPayloadError):
        return ProviderError(ErrorClass.SERVICE_CRASH, describe(exc, secret))
    if isinstance(exc, httpx2.TransportError):
        return ProviderError(ErrorClass.SERVICE_CRASH, describe(exc, secret))
    if isinstance(
        exc, json.JSONDecodeError | genai_errors.UnknownApiResponseError | pydantic.ValidationError
    ):
        return invalid("response body is not a valid answer")
    return ProviderError(ErrorClass.UNKNOWN, describe(exc, secret))


def _classify_gemini_status(exc: genai_errors.APIError, secret: str) -> ProviderError:
    code = exc.code
    status = exc.status or ""
    text = exc.message or ""
    details = _rpc_details(exc.details)
    retry_after = _retry_delay(details)
    if retry_after is None:
        headers = getattr(exc.response, "headers", None)
        retry_after = retry_after_from_headers(headers) if isinstance(headers, Mapping) else None
    if code == 429 or status == "RESOURCE_EXHAUSTED":
        exhausted = _gemini_quota_exhausted(text, details)
        error_class = ErrorClass.QUOTA_EXCEEDED if exhausted else ErrorClass.RATE_LIMITED
    elif (
        code in (401, 403)
        or status in ("UNAUTHENTICATED", "PERMISSION_DENIED")
        or (code == 400 and _gemini_key_invalid(text, details))
    ):
        error_class = ErrorClass.AUTHENTICATION
    elif code in CRASH_STATUSES:
        error_class = ErrorClass.SERVICE_CRASH
    else:
        error_class = ErrorClass.UNKNOWN
    message = scrub(f"HTTP {code} {status}: {text}".strip(), secret)
    return ProviderError(error_class, message, retry_after=retry_after, status_code=code)


def _rpc_details(body: Any) -> list[dict[str, Any]]:
    """The google.rpc detail objects of a Google error body (``{"error": {"details": [...]}}``)."""
    error = body.get("error", body) if isinstance(body, dict) else None
    details = error.get("details") if isinstance(error, dict) else None
    if not isinstance(details, list):
        return []
    return [detail for detail in details if isinstance(detail, dict)]


def _of_type(details: Iterable[dict[str, Any]], name: str) -> list[dict[str, Any]]:
    return [detail for detail in details if detail.get("@type") == _RPC_TYPE_PREFIX + name]


def _retry_delay(details: list[dict[str, Any]]) -> float | None:
    """Seconds from a google.rpc.RetryInfo detail; its JSON form is a Duration like "36.5s"."""
    for info in _of_type(details, "RetryInfo"):
        delay = info.get("retryDelay")
        if isinstance(delay, str) and delay.endswith("s"):
            try:
                seconds = float(delay[:-1])
            except ValueError:
                continue
            if math.isfinite(seconds) and seconds >= 0:
                return seconds
    return None


def _gemini_quota_exhausted(text: str, details: list[dict[str, Any]]) -> bool:
    """A per-day (billing) quota rather than a per-minute rate: named limits decide, text if none.

    Google sends the same "You exceeded your current quota" text for both, but the
    QuotaFailure violations (and ErrorInfo metadata) name the limit, e.g. "...PerDay...".
    """
    limits = [
        str(violation.get(key, ""))
        for failure in _of_type(details, "QuotaFailure")
        for violation in failure.get("violations", [])
        if isinstance(violation, dict)
        for key in ("quotaId", "quotaMetric")
    ]
    limits += [
        str(info.get("metadata", {}).get(key, ""))
        for info in _of_type(details, "ErrorInfo")
        if isinstance(info.get("metadata"), dict)
        for key in ("quota_limit", "quota_metric")
    ]
    limits = [limit for limit in limits if limit]
    if limits:
        return any(_PER_DAY.search(limit) for limit in limits)
    return bool(_QUOTA_TEXT.search(text))


def _gemini_key_invalid(text: str, details: list[dict[str, Any]]) -> bool:
    """Google answers a bad key with 400 INVALID_ARGUMENT and ErrorInfo reason API_KEY_INVALID."""
    reasons = {info.get("reason") for info in _of_type(details, "ErrorInfo")}
    if reasons:
        return "API_KEY_INVALID" in reasons
    return bool(_KEY_TEXT.search(text))
