"""Every fault kind, as each real SDK surfaces it (the classification input of architecture §4)."""

from __future__ import annotations

import json
import time

import aiohttp
import jsonschema
import openai
import pytest
from google import genai
from google.genai import errors as genai_errors
from google.genai import types
from openai import AsyncOpenAI

from tests.emulator.conftest import Emulator
from tests.emulator.schemas import ANALYSIS_SCHEMA
from tests.emulator.sdk import POLICY, ask_gemini, ask_openai

pytestmark = pytest.mark.integration


# --- OpenAI -------------------------------------------------------------------------------


async def test_openai_quota_exceeded(emulator: Emulator, openai_client: AsyncOpenAI) -> None:
    await emulator.control.inject("openai", "quota_exceeded", count=1)
    with pytest.raises(openai.RateLimitError) as caught:
        await ask_openai(openai_client, POLICY, ANALYSIS_SCHEMA)
    assert caught.value.status_code == 429
    assert caught.value.code == "insufficient_quota"
    assert caught.value.type == "insufficient_quota"
    body = caught.value.body
    assert isinstance(body, dict)
    assert {key: body[key] for key in ("type", "param", "code")} == {
        "type": "insufficient_quota",
        "param": None,
        "code": "insufficient_quota",
    }
    assert "exceeded your current quota" in body["message"]
    assert "retry-after" not in caught.value.response.headers


async def test_openai_rate_limited(emulator: Emulator, openai_client: AsyncOpenAI) -> None:
    await emulator.control.inject("openai", "rate_limited", count=1, retry_after=7)
    with pytest.raises(openai.RateLimitError) as caught:
        await ask_openai(openai_client, POLICY, ANALYSIS_SCHEMA)
    assert caught.value.code == "rate_limit_exceeded"
    assert caught.value.response.headers["retry-after"] == "7"
    assert caught.value.request_id is not None


@pytest.mark.parametrize("status", [500, 502, 503, 504])
async def test_openai_server_error(
    emulator: Emulator, openai_client: AsyncOpenAI, status: int
) -> None:
    await emulator.control.inject("openai", "server_error", status=status, count=1)
    with pytest.raises(openai.InternalServerError) as caught:
        await ask_openai(openai_client, POLICY, ANALYSIS_SCHEMA)
    assert isinstance(caught.value, openai.APIStatusError)
    assert caught.value.status_code == status
    assert caught.value.type == "server_error"


async def test_openai_auth(emulator: Emulator, openai_client: AsyncOpenAI) -> None:
    await emulator.control.inject("openai", "auth", count=1)
    with pytest.raises(openai.AuthenticationError) as caught:
        await ask_openai(openai_client, POLICY, ANALYSIS_SCHEMA)
    assert caught.value.status_code == 401
    assert caught.value.code == "invalid_api_key"

    await emulator.control.inject("openai", "auth", status=403, count=1)
    with pytest.raises(openai.PermissionDeniedError) as denied:
        await ask_openai(openai_client, POLICY, ANALYSIS_SCHEMA)
    assert denied.value.status_code == 403


async def test_openai_connection_reset(emulator: Emulator, openai_client: AsyncOpenAI) -> None:
    await emulator.control.inject("openai", "connection_reset", count=1)
    with pytest.raises(openai.APIConnectionError) as caught:
        await ask_openai(openai_client, POLICY, ANALYSIS_SCHEMA)
    assert not isinstance(caught.value, openai.APITimeoutError)


async def test_openai_hang_times_out(emulator: Emulator, openai_client: AsyncOpenAI) -> None:
    await emulator.control.inject("openai", "hang")
    started = time.monotonic()
    with pytest.raises(openai.APITimeoutError):
        await ask_openai(openai_client.with_options(timeout=0.3), POLICY, ANALYSIS_SCHEMA)
    assert time.monotonic() - started < 2


async def test_openai_latency_then_normal_answer(
    emulator: Emulator, openai_client: AsyncOpenAI
) -> None:
    await emulator.control.inject("openai", "latency", latency_ms=300, count=1)
    started = time.monotonic()
    completion = await ask_openai(openai_client, POLICY, ANALYSIS_SCHEMA)
    assert time.monotonic() - started >= 0.3
    jsonschema.validate(json.loads(completion.choices[0].message.content or ""), ANALYSIS_SCHEMA)


async def test_openai_content_faults(emulator: Emulator, openai_client: AsyncOpenAI) -> None:
    await emulator.control.inject("openai", "malformed_json", count=1)
    await emulator.control.inject("openai", "schema_invalid", count=1)
    await emulator.control.inject("openai", "empty", count=1)

    malformed = await ask_openai(openai_client, POLICY, ANALYSIS_SCHEMA)
    with pytest.raises(json.JSONDecodeError):
        json.loads(malformed.choices[0].message.content or "")

    invalid = await ask_openai(openai_client, POLICY, ANALYSIS_SCHEMA)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(json.loads(invalid.choices[0].message.content or ""), ANALYSIS_SCHEMA)

    empty = await ask_openai(openai_client, POLICY, ANALYSIS_SCHEMA)
    assert empty.choices[0].message.content == ""
    assert empty.choices[0].finish_reason == "stop"


# --- Gemini -------------------------------------------------------------------------------


async def test_gemini_quota_exceeded(emulator: Emulator, gemini_client: genai.Client) -> None:
    await emulator.control.inject("gemini", "quota_exceeded", count=1)
    with pytest.raises(genai_errors.ClientError) as caught:
        await ask_gemini(gemini_client, POLICY, ANALYSIS_SCHEMA)
    assert caught.value.code == 429
    assert caught.value.status == "RESOURCE_EXHAUSTED"
    assert "quota" in (caught.value.message or "")
    detail_types = [detail["@type"] for detail in caught.value.details["error"]["details"]]
    assert "type.googleapis.com/google.rpc.QuotaFailure" in detail_types
    assert "type.googleapis.com/google.rpc.RetryInfo" not in detail_types


async def test_gemini_rate_limited(emulator: Emulator, gemini_client: genai.Client) -> None:
    await emulator.control.inject("gemini", "rate_limited", count=1, retry_after=2)
    with pytest.raises(genai_errors.ClientError) as caught:
        await ask_gemini(gemini_client, POLICY, ANALYSIS_SCHEMA)
    assert caught.value.code == 429
    assert caught.value.status == "RESOURCE_EXHAUSTED"
    retry_info = [
        detail
        for detail in caught.value.details["error"]["details"]
        if detail["@type"] == "type.googleapis.com/google.rpc.RetryInfo"
    ]
    assert retry_info == [{"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "2s"}]
    assert caught.value.response.headers["Retry-After"] == "2"


@pytest.mark.parametrize(
    ("status", "grpc_status"),
    [(500, "INTERNAL"), (502, "UNAVAILABLE"), (503, "UNAVAILABLE"), (504, "DEADLINE_EXCEEDED")],
)
async def test_gemini_server_error(
    emulator: Emulator, gemini_client: genai.Client, status: int, grpc_status: str
) -> None:
    await emulator.control.inject("gemini", "server_error", status=status, count=1)
    with pytest.raises(genai_errors.ServerError) as caught:
        await ask_gemini(gemini_client, POLICY, ANALYSIS_SCHEMA)
    assert caught.value.code == status
    assert caught.value.status == grpc_status


async def test_gemini_auth(emulator: Emulator, gemini_client: genai.Client) -> None:
    await emulator.control.inject("gemini", "auth", count=1)
    with pytest.raises(genai_errors.ClientError) as caught:
        await ask_gemini(gemini_client, POLICY, ANALYSIS_SCHEMA)
    assert caught.value.code == 400
    assert caught.value.status == "INVALID_ARGUMENT"
    reasons = [detail.get("reason") for detail in caught.value.details["error"]["details"]]
    assert "API_KEY_INVALID" in reasons

    await emulator.control.inject("gemini", "auth", status=403, count=1)
    with pytest.raises(genai_errors.ClientError) as denied:
        await ask_gemini(gemini_client, POLICY, ANALYSIS_SCHEMA)
    assert denied.value.code == 403
    assert denied.value.status == "PERMISSION_DENIED"


async def test_gemini_connection_reset(emulator: Emulator, gemini_client: genai.Client) -> None:
    # google-genai uses aiohttp when it is installed; a reset surfaces as aiohttp's error.
    await emulator.control.inject("gemini", "connection_reset", count=1)
    with pytest.raises((aiohttp.ClientOSError, aiohttp.ServerDisconnectedError)):
        await ask_gemini(gemini_client, POLICY, ANALYSIS_SCHEMA)


async def test_gemini_hang_times_out(emulator: Emulator, gemini_client: genai.Client) -> None:
    await emulator.control.inject("gemini", "hang")
    started = time.monotonic()
    with pytest.raises(TimeoutError):
        await gemini_client.aio.models.generate_content(
            model="gemini-2.5-flash",
            contents=POLICY,
            config=types.GenerateContentConfig(http_options=types.HttpOptions(timeout=300)),
        )
    assert time.monotonic() - started < 2


async def test_gemini_latency_then_normal_answer(
    emulator: Emulator, gemini_client: genai.Client
) -> None:
    await emulator.control.inject("gemini", "latency", latency_ms=300, count=1)
    started = time.monotonic()
    response = await ask_gemini(gemini_client, POLICY, ANALYSIS_SCHEMA)
    assert time.monotonic() - started >= 0.3
    jsonschema.validate(json.loads(response.text or ""), ANALYSIS_SCHEMA)


async def test_gemini_content_faults(emulator: Emulator, gemini_client: genai.Client) -> None:
    await emulator.control.inject("gemini", "malformed_json", count=1)
    await emulator.control.inject("gemini", "schema_invalid", count=1)
    await emulator.control.inject("gemini", "empty", count=1)

    malformed = await ask_gemini(gemini_client, POLICY, ANALYSIS_SCHEMA)
    with pytest.raises(json.JSONDecodeError):
        json.loads(malformed.text or "")

    invalid = await ask_gemini(gemini_client, POLICY, ANALYSIS_SCHEMA)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(json.loads(invalid.text or ""), ANALYSIS_SCHEMA)

    empty = await ask_gemini(gemini_client, POLICY, ANALYSIS_SCHEMA)
    assert empty.text is None
    candidate = (empty.candidates or [])[0]
    assert candidate.finish_reason == types.FinishReason.STOP
    assert candidate.content is not None
    assert not candidate.content.parts
