"""Map SDK exceptions to ErrorClass: typed exceptions and status codes first, text last.

One function per SDK, so the whole table for a provider reads in one place. Messages are
short, single-line and scrubbed of the API key, fit for logs and for the caller.
"""

from __future__ import annotations

import email.utils
import json
import math
import re
import time
from collections.abc import Iterable, Mapping
from typing import Any, Final

import aiohttp
import httpx2
import openai
import pydantic
from google.genai import errors as genai_errors

from sanad_analyzer.providers.base import ProviderError
from sanad_common.error_class import ErrorClass

CRASH_STATUSES: Final = frozenset({500, 502, 503, 504})

_MAX_MESSAGE_CHARS: Final = 200
_REDACTED: Final = "[redacted]"
# Key shapes of OpenAI ("sk-...") and Google ("AIza...") in case an echo reaches a message.
_KEY_SHAPES: Final = re.compile(r"sk-[A-Za-z0-9_\-]{8,}|AIza[0-9A-Za-z_\-]{20,}")
# Last resort when a 429 carries no structured reason: words of an exhausted (billing) quota.
_OPENAI_QUOTA_TEXT: Final = re.compile(r"insufficient[_ ]quota|exceeded your current quota", re.I)
_GEMINI_QUOTA_TEXT: Final = re.compile(r"per[\s_-]?day|daily|billing", re.I)
_PER_DAY: Final = re.compile(r"per[\s_-]?day|daily", re.I)
_GEMINI_KEY_TEXT: Final = re.compile(r"api[\s_]?key[\s_]?(not[\s_]valid|invalid)", re.I)

_RPC_TYPE_PREFIX: Final = "type.googleapis.com/google.rpc."


def classify_openai(exc: Exception, *, secret: str) -> ProviderError:
    """The ProviderError for anything the openai SDK (or our timeout around it) raised."""
    if isinstance(exc, ProviderError):
        return exc
    if isinstance(exc, TimeoutError | openai.APITimeoutError):
        return ProviderError(ErrorClass.TIMEOUT, "no answer within the timeout")
    if isinstance(exc, openai.APIConnectionError):
        return ProviderError(ErrorClass.SERVICE_CRASH, _connection_message(exc, secret))
    if isinstance(exc, openai.APIStatusError):
        return _classify_openai_status(exc, secret)
    if isinstance(exc, openai.APIResponseValidationError | json.JSONDecodeError):
        return ProviderError(ErrorClass.INVALID_RESPONSE, "response body is not a chat completion")
    return ProviderError(ErrorClass.UNKNOWN, _describe(exc, secret))


def _classify_openai_status(exc: openai.APIStatusError, secret: str) -> ProviderError:
    status = exc.status_code
    detail = exc.body.get("message") if isinstance(exc.body, dict) else None
    message = scrub(f"HTTP {status}: {detail}" if detail else f"HTTP {status}", secret)
    retry_after = retry_after_from_headers(exc.response.headers)
    if isinstance(exc, openai.RateLimitError):
        reasons = {reason for reason in (exc.code, exc.type) if reason}
        exhausted = (
            "insufficient_quota" in reasons
            if reasons
            else bool(_OPENAI_QUOTA_TEXT.search(exc.message))
        )
        error_class = ErrorClass.QUOTA_EXCEEDED if exhausted else ErrorClass.RATE_LIMITED
    elif isinstance(exc, openai.AuthenticationError | openai.PermissionDeniedError):
        error_class = ErrorClass.AUTHENTICATION
    elif status in CRASH_STATUSES:
        error_class = ErrorClass.SERVICE_CRASH
    else:
        error_class = ErrorClass.UNKNOWN
    return ProviderError(error_class, message, retry_after=retry_after, status_code=status)


def classify_gemini(exc: Exception, *, secret: str) -> ProviderError:
    """The ProviderError for anything google-genai (aiohttp transport) or our timeout raised."""
    if isinstance(exc, ProviderError):
        return exc
    # aiohttp's ServerTimeoutError is also a connection error: timeouts are checked first.
    if isinstance(exc, TimeoutError | httpx2.TimeoutException):
        return ProviderError(ErrorClass.TIMEOUT, "no answer within the timeout")
    if isinstance(exc, genai_errors.APIError):
        return _classify_gemini_status(exc, secret)
    if isinstance(exc, aiohttp.ClientConnectionError | aiohttp.ClientPayloadError):
        return ProviderError(ErrorClass.SERVICE_CRASH, _describe(exc, secret))
    if isinstance(exc, httpx2.TransportError):
        return ProviderError(ErrorClass.SERVICE_CRASH, _describe(exc, secret))
    if isinstance(
        exc, json.JSONDecodeError | genai_errors.UnknownApiResponseError | pydantic.ValidationError
    ):
        return ProviderError(ErrorClass.INVALID_RESPONSE, "response body is not a valid answer")
    return ProviderError(ErrorClass.UNKNOWN, _describe(exc, secret))


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
    return bool(_GEMINI_QUOTA_TEXT.search(text))


def _gemini_key_invalid(text: str, details: list[dict[str, Any]]) -> bool:
    """Google answers a bad key with 400 INVALID_ARGUMENT and ErrorInfo reason API_KEY_INVALID."""
    reasons = {info.get("reason") for info in _of_type(details, "ErrorInfo")}
    if reasons:
        return "API_KEY_INVALID" in reasons
    return bool(_GEMINI_KEY_TEXT.search(text))


def retry_after_from_headers(headers: Mapping[str, str] | None) -> float | None:
    """Seconds to wait from ``retry-after-ms`` or ``retry-after`` (seconds or an HTTP date)."""
    if headers is None:
        return None
    for name, divisor in (("retry-after-ms", 1000.0), ("retry-after", 1.0)):
        value = headers.get(name)
        if value is None:
            continue
        try:
            seconds = float(value) / divisor
        except ValueError:
            seconds = _seconds_until(value) if name == "retry-after" else math.nan
        if math.isfinite(seconds) and seconds >= 0:
            return seconds
    return None


def _seconds_until(http_date: str) -> float:
    try:
        when = email.utils.parsedate_to_datetime(http_date)
    except (TypeError, ValueError):
        return math.nan
    return max(0.0, when.timestamp() - time.time())


def scrub(text: str, secret: str) -> str:
    """One short line without the API key (or anything shaped like a key)."""
    if secret:
        text = text.replace(secret, _REDACTED)
    text = " ".join(_KEY_SHAPES.sub(_REDACTED, text).split())
    if len(text) > _MAX_MESSAGE_CHARS:
        text = text[: _MAX_MESSAGE_CHARS - 1] + "…"
    return text


def _describe(exc: BaseException, secret: str) -> str:
    detail = str(exc)
    return scrub(f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__, secret)


def _connection_message(exc: openai.APIConnectionError, secret: str) -> str:
    """The SDK says only "Connection error."; the transport error it wraps says what happened."""
    cause = exc.__cause__
    if cause is None:
        return scrub(exc.message, secret)
    return scrub(f"connection failed: {_describe(cause, secret)}", secret)
