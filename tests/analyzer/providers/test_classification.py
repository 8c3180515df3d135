"""Classification tables, with exceptions built the way each SDK builds them.

OpenAI errors come out of a real ``AsyncOpenAI`` whose HTTP transport is an httpx2
MockTransport, so the SDK itself picks the exception class from the response. Gemini errors
come from ``APIError.raise_error``, the SDK's own factory, with the transport's exceptions
alongside.
"""

from __future__ import annotations

import email.utils
import json
import time
from collections.abc import Callable
from typing import Any

import aiohttp
import httpx2
import openai
import pytest
from google.genai import errors as genai_errors
from openai._vendor.httpx_aiohttp.transport import map_aiohttp_exceptions

from sanad_analyzer.providers.base import ProviderError
from sanad_analyzer.providers.errors import retry_after_from_headers, scrub
from sanad_analyzer.providers.gemini_provider import classify_gemini
from sanad_analyzer.providers.openai_provider import classify_openai
from sanad_common.error_class import ErrorClass

_SECRET = "sk-proj-SECRETSECRETSECRET"
_RPC = "type.googleapis.com/google.rpc."

# ---------------------------------------------------------------------------------------------
# OpenAI


async def _openai_exception(handler: Callable[[httpx2.Request], httpx2.Response]) -> Exception:
    """What ``chat.completions.create`` raises when the server behaves like ``handler``."""
    client = openai.AsyncOpenAI(
        api_key=_SECRET,
        base_url="http://127.0.0.1:9/v1",
        max_retries=0,
        http_client=httpx2.AsyncClient(transport=httpx2.MockTransport(handler)),
    )
    try:
        await client.chat.completions.create(
            model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}]
        )
    except Exception as exc:
        return exc
    finally:
        await client.close()
    pytest.fail("the request did not fail")


def _status(
    status: int, error: dict[str, Any] | None = None, headers: dict[str, str] | None = None
) -> Callable[[httpx2.Request], httpx2.Response]:
    body = {"error": {"message": "m", "type": None, "param": None, "code": None} | (error or {})}
    return lambda request: httpx2.Response(status, json=body, headers=headers)


def _raises(exc: Exception) -> Callable[[httpx2.Request], httpx2.Response]:
    def handler(request: httpx2.Request) -> httpx2.Response:
        raise exc

    return handler


_OPENAI_CASES: list[tuple[str, Callable[[httpx2.Request], httpx2.Response], ErrorClass]] = [
    (
        "insufficient-quota",
        _status(429, {"type": "insufficient_quota", "code": "insufficient_quota"}),
        ErrorClass.QUOTA_EXCEEDED,
    ),
    (
        "quota-text-only",
        _status(429, {"message": "You exceeded your current quota, please check your plan."}),
        ErrorClass.QUOTA_EXCEEDED,
    ),
    (
        "rate-limit",
        _status(429, {"type": "requests", "code": "rate_limit_exceeded"}),
        ErrorClass.RATE_LIMITED,
    ),
    (
        "rate-limit-mentions-quota",
        _status(429, {"code": "rate_limit_exceeded", "message": "exceeded your current quota"}),
        ErrorClass.RATE_LIMITED,
    ),
    ("429-bare", lambda request: httpx2.Response(429), ErrorClass.RATE_LIMITED),
    ("401", _status(401, {"code": "invalid_api_key"}), ErrorClass.AUTHENTICATION),
    ("403", _status(403), ErrorClass.AUTHENTICATION),
    ("500", _status(500), ErrorClass.SERVICE_CRASH),
    ("502", lambda request: httpx2.Response(502, text="<html/>"), ErrorClass.SERVICE_CRASH),
    ("503", _status(503), ErrorClass.SERVICE_CRASH),
    ("504", _status(504), ErrorClass.SERVICE_CRASH),
    ("501", _status(501), ErrorClass.UNKNOWN),
    ("400", _status(400, {"code": "context_length_exceeded"}), ErrorClass.UNKNOWN),
    ("404", _status(404, {"code": "model_not_found"}), ErrorClass.UNKNOWN),
    ("422", _status(422), ErrorClass.UNKNOWN),
    ("connect-error", _raises(httpx2.ConnectError("refused")), ErrorClass.SERVICE_CRASH),
    (
        "connection-reset",
        _raises(httpx2.RemoteProtocolError("Server disconnected")),
        ErrorClass.SERVICE_CRASH,
    ),
    ("read-error", _raises(httpx2.ReadError("reset by peer")), ErrorClass.SERVICE_CRASH),
    ("read-timeout", _raises(httpx2.ReadTimeout("timed out")), ErrorClass.TIMEOUT),
    ("connect-timeout", _raises(httpx2.ConnectTimeout("timed out")), ErrorClass.TIMEOUT),
    (
        "body-not-json",
        lambda request: httpx2.Response(
            200, text="{not json", headers={"content-type": "application/json"}
        ),
        ErrorClass.INVALID_RESPONSE,
    ),
]


@pytest.mark.parametrize(
    ("handler", "expected"),
    [case[1:] for case in _OPENAI_CASES],
    ids=[case[0] for case in _OPENAI_CASES],
)
async def test_openai_table(
    handler: Callable[[httpx2.Request], httpx2.Response], expected: ErrorClass
) -> None:
    error = classify_openai(await _openai_exception(handler), secret=_SECRET)

    assert error.error_class is expected
    assert _SECRET not in error.message
    assert error.message


async def test_openai_status_and_retry_after() -> None:
    exc = await _openai_exception(
        _status(429, {"code": "rate_limit_exceeded"}, headers={"retry-after-ms": "1500"})
    )

    error = classify_openai(exc, secret=_SECRET)

    assert (error.status_code, error.retry_after) == (429, 1.5)


async def test_openai_message_is_the_error_message_without_the_key() -> None:
    exc = await _openai_exception(
        _status(401, {"message": f"Incorrect API key provided: {_SECRET}.", "code": "x"})
    )

    error = classify_openai(exc, secret=_SECRET)

    assert error.message == "HTTP 401: Incorrect API key provided: [redacted]."


def _aiohttp_raises(exc: Exception) -> Callable[[httpx2.Request], httpx2.Response]:
    """A transport failing the way the SDK's aiohttp transport does: ``exc`` mapped by its
    own table (which turns every aiohttp connection error into ConnectTimeout)."""

    def handler(request: httpx2.Request) -> httpx2.Response:
        with map_aiohttp_exceptions():
            raise exc
        pytest.fail("the transport did not raise")

    return handler


@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        (aiohttp.ClientOSError(104, "Connection reset by peer"), ErrorClass.SERVICE_CRASH),
        (aiohttp.ServerDisconnectedError(), ErrorClass.SERVICE_CRASH),
        (aiohttp.SocketTimeoutError("Timeout on reading data from socket"), ErrorClass.TIMEOUT),
        (aiohttp.ConnectionTimeoutError("Connection timeout"), ErrorClass.TIMEOUT),
        (aiohttp.ClientPayloadError("Response payload is not completed"), ErrorClass.SERVICE_CRASH),
    ],
    ids=["reset", "disconnected", "socket-timeout", "connect-timeout", "payload"],
)
async def test_openai_on_aiohttp(exc: Exception, expected: ErrorClass) -> None:
    error = classify_openai(await _openai_exception(_aiohttp_raises(exc)), secret=_SECRET)

    assert error.error_class is expected
    assert error.message


@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        (TimeoutError(), ErrorClass.TIMEOUT),
        (ValueError("something else"), ErrorClass.UNKNOWN),
        (RuntimeError(), ErrorClass.UNKNOWN),
    ],
    ids=["timeout", "value-error", "runtime-error"],
)
def test_openai_non_sdk_exceptions(exc: Exception, expected: ErrorClass) -> None:
    assert classify_openai(exc, secret=_SECRET).error_class is expected


@pytest.mark.parametrize("classify", [classify_openai, classify_gemini])
def test_provider_error_passes_through(classify: Callable[..., ProviderError]) -> None:
    original = ProviderError(ErrorClass.INVALID_RESPONSE, "empty answer")

    assert classify(original, secret=_SECRET) is original


# ---------------------------------------------------------------------------------------------
# Gemini


def _gemini_error(
    code: int,
    status: str,
    message: str,
    details: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> genai_errors.APIError:
    """The exception google-genai raises for this error response."""
    error: dict[str, Any] = {"code": code, "message": message, "status": status}
    if details is not None:
        error["details"] = details
    response = httpx2.Response(code, json={"error": error}, headers=headers)
    try:
        genai_errors.APIError.raise_error(code, response.json(), response)
    except genai_errors.APIError as exc:
        return exc
    pytest.fail("raise_error did not raise")


def _quota_failure(quota_id: str) -> dict[str, Any]:
    return {
        "@type": _RPC + "QuotaFailure",
        "violations": [
            {
                "quotaMetric": "generativelanguage.googleapis.com/generate_content_requests",
                "quotaId": quota_id,
            }
        ],
    }


def _error_info(reason: str, metadata: dict[str, str] | None = None) -> dict[str, Any]:
    return {
        "@type": _RPC + "ErrorInfo",
        "reason": reason,
        "domain": "googleapis.com",
        "metadata": metadata or {},
    }


_BILLING = "You exceeded your current quota, please check your plan and billing details."

_GEMINI_CASES: list[tuple[str, Exception, ErrorClass]] = [
    (
        "quota-per-day",
        _gemini_error(
            429, "RESOURCE_EXHAUSTED", _BILLING, [_quota_failure("GenerateRequestsPerDayPerModel")]
        ),
        ErrorClass.QUOTA_EXCEEDED,
    ),
    (
        # Google sends the billing text for per-minute limits too; the named limit decides.
        "quota-per-minute-with-billing-text",
        _gemini_error(
            429, "RESOURCE_EXHAUSTED", _BILLING, [_quota_failure("GenerateRequestsPerMinute")]
        ),
        ErrorClass.RATE_LIMITED,
    ),
    (
        "quota-error-info-per-day",
        _gemini_error(
            429,
            "RESOURCE_EXHAUSTED",
            "Quota exceeded.",
            [_error_info("RATE_LIMIT_EXCEEDED", {"quota_limit": "Gemini25ProRequestsPerDay"})],
        ),
        ErrorClass.QUOTA_EXCEEDED,
    ),
    (
        "quota-billing-text-only",
        _gemini_error(429, "RESOURCE_EXHAUSTED", _BILLING),
        ErrorClass.QUOTA_EXCEEDED,
    ),
    (
        "resource-exhausted-generic",
        _gemini_error(429, "RESOURCE_EXHAUSTED", "Resource has been exhausted (e.g. check quota)."),
        ErrorClass.RATE_LIMITED,
    ),
    (
        "api-key-invalid",
        _gemini_error(
            400,
            "INVALID_ARGUMENT",
            "API key not valid. Please pass a valid API key.",
            [_error_info("API_KEY_INVALID")],
        ),
        ErrorClass.AUTHENTICATION,
    ),
    (
        "api-key-invalid-text-only",
        _gemini_error(400, "INVALID_ARGUMENT", "API key not valid. Please pass a valid API key."),
        ErrorClass.AUTHENTICATION,
    ),
    (
        "bad-request",
        _gemini_error(400, "INVALID_ARGUMENT", "Invalid JSON payload received."),
        ErrorClass.UNKNOWN,
    ),
    (
        "401",
        _gemini_error(401, "UNAUTHENTICATED", "Request had invalid authentication credentials."),
        ErrorClass.AUTHENTICATION,
    ),
    (
        "403",
        _gemini_error(403, "PERMISSION_DENIED", "Suspended.", [_error_info("CONSUMER_SUSPENDED")]),
        ErrorClass.AUTHENTICATION,
    ),
    ("404", _gemini_error(404, "NOT_FOUND", "models/x is not found"), ErrorClass.UNKNOWN),
    ("500", _gemini_error(500, "INTERNAL", "An internal error."), ErrorClass.SERVICE_CRASH),
    ("502", _gemini_error(502, "UNAVAILABLE", "Bad Gateway"), ErrorClass.SERVICE_CRASH),
    ("503", _gemini_error(503, "UNAVAILABLE", "Overloaded."), ErrorClass.SERVICE_CRASH),
    ("504", _gemini_error(504, "DEADLINE_EXCEEDED", "Deadline."), ErrorClass.SERVICE_CRASH),
    ("501", _gemini_error(501, "UNIMPLEMENTED", "Not implemented."), ErrorClass.UNKNOWN),
    ("server-disconnected", aiohttp.ServerDisconnectedError(), ErrorClass.SERVICE_CRASH),
    (
        "connection-reset",
        aiohttp.ClientOSError(104, "Connection reset by peer"),
        ErrorClass.SERVICE_CRASH,
    ),
    ("payload-cut", aiohttp.ClientPayloadError("incomplete body"), ErrorClass.SERVICE_CRASH),
    ("aiohttp-timeout", aiohttp.ServerTimeoutError("read timeout"), ErrorClass.TIMEOUT),
    ("asyncio-timeout", TimeoutError(), ErrorClass.TIMEOUT),
    ("httpx2-connect", httpx2.ConnectError("refused"), ErrorClass.SERVICE_CRASH),
    ("httpx2-timeout", httpx2.ReadTimeout("timed out"), ErrorClass.TIMEOUT),
    (
        "body-not-json",
        json.JSONDecodeError("Expecting value", "<html>", 0),
        ErrorClass.INVALID_RESPONSE,
    ),
    (
        "unknown-api-response",
        genai_errors.UnknownApiResponseError("Failed to parse response as JSON."),
        ErrorClass.INVALID_RESPONSE,
    ),
    ("other", RuntimeError("boom"), ErrorClass.UNKNOWN),
]


@pytest.mark.parametrize(
    ("exc", "expected"),
    [case[1:] for case in _GEMINI_CASES],
    ids=[case[0] for case in _GEMINI_CASES],
)
def test_gemini_table(exc: Exception, expected: ErrorClass) -> None:
    error = classify_gemini(exc, secret=_SECRET)

    assert error.error_class is expected
    assert error.message


def test_gemini_retry_info_gives_retry_after() -> None:
    exc = _gemini_error(
        429,
        "RESOURCE_EXHAUSTED",
        "Rate limit exceeded.",
        [_quota_failure("PerMinute"), {"@type": _RPC + "RetryInfo", "retryDelay": "12.5s"}],
        headers={"Retry-After": "99"},
    )

    error = classify_gemini(exc, secret=_SECRET)

    assert (error.error_class, error.retry_after, error.status_code) == (
        ErrorClass.RATE_LIMITED,
        12.5,
        429,
    )


def test_gemini_retry_after_header_without_retry_info() -> None:
    exc = _gemini_error(429, "RESOURCE_EXHAUSTED", "Slow down.", headers={"Retry-After": "4"})

    assert classify_gemini(exc, secret=_SECRET).retry_after == 4


def test_gemini_message_is_short_and_keyless() -> None:
    exc = _gemini_error(400, "INVALID_ARGUMENT", f"API key not valid: {_SECRET} " + "x" * 500)

    error = classify_gemini(exc, secret=_SECRET)

    assert error.message.startswith("HTTP 400 INVALID_ARGUMENT: API key not valid: [redacted]")
    assert len(error.message) <= 200


# ---------------------------------------------------------------------------------------------
# Helpers


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"retry-after-ms": "250", "retry-after": "9"}, 0.25),
        ({"Retry-After": "3"}, 3.0),
        ({"retry-after": "1.5"}, 1.5),
        ({"retry-after": "soon"}, None),
        ({"retry-after": "-1"}, None),
        ({"retry-after-ms": "nan", "retry-after": "2"}, 2.0),
        ({}, None),
    ],
)
def test_retry_after_from_headers(headers: dict[str, str], expected: float | None) -> None:
    assert retry_after_from_headers(httpx2.Headers(headers)) == expected


def test_retry_after_http_date() -> None:
    when = email.utils.formatdate(time.time() + 30, usegmt=True)

    seconds = retry_after_from_headers(httpx2.Headers({"retry-after": when}))

    assert seconds is not None
    assert 25 <= seconds <= 31


def test_scrub_removes_keys_and_clips() -> None:
    text = f"key {_SECRET}\nand AIzaSyA1234567890abcdefghijklmnop and sk-other12345678 " * 20

    scrubbed = scrub(text, _SECRET)

    assert "SECRET" not in scrubbed
    assert "AIza" not in scrubbed
    assert "sk-other" not in scrubbed
    assert "\n" not in scrubbed
    assert len(scrubbed) <= 200


def test_provider_error_fields() -> None:
    error = ProviderError(
        ErrorClass.RATE_LIMITED, "HTTP 429: slow down", retry_after=2.0, status_code=429
    )

    assert str(error) == "RATE_LIMITED: HTTP 429: slow down"
    assert (error.error_class, error.message, error.retry_after, error.status_code) == (
        ErrorClass.RATE_LIMITED,
        "HTTP 429: slow down",
        2.0,
        429,
    )
