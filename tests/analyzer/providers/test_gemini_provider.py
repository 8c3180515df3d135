"""GeminiProvider against a canned server: the request it sends and the answers it refuses."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import pytest

from sanad_analyzer.analysis import ANALYSIS_JSON_SCHEMA
from sanad_analyzer.prompt import build_messages
from sanad_analyzer.providers.base import Provider, ProviderError
from sanad_common.error_class import ErrorClass
from tests.analyzer.providers.support import (
    GEMINI_KEY,
    GEMINI_MODEL,
    MAX_OUTPUT_TOKENS,
    PROMPT,
    CannedServer,
    make_provider,
    valid_analysis,
)


@pytest.fixture
async def gemini_provider(canned: CannedServer) -> AsyncIterator[Provider]:
    adapter = make_provider("gemini", canned.url)
    yield adapter
    await adapter.aclose()


def _response(
    parts: list[dict[str, Any]] | None,
    *,
    finish_reason: str = "STOP",
    usage: dict[str, int] | None = None,
) -> dict[str, Any]:
    content: dict[str, Any] = {"role": "model"}
    if parts is not None:
        content["parts"] = parts
    body: dict[str, Any] = {
        "candidates": [{"content": content, "finishReason": finish_reason, "index": 0}],
        "modelVersion": "gemini-2.5-flash-001",
    }
    if usage is not None:
        body["usageMetadata"] = usage
    return body


_USAGE = {"promptTokenCount": 900, "candidatesTokenCount": 400, "totalTokenCount": 1300}


async def test_sends_json_schema_and_policy_as_data(
    gemini_provider: Provider, canned: CannedServer
) -> None:
    canned.reply_json(_response([{"text": json.dumps(valid_analysis())}], usage=_USAGE))

    answer = await gemini_provider.analyze(PROMPT, timeout=5)

    path, headers, body = canned.requests[0]
    assert path.endswith(f"/models/{GEMINI_MODEL}:generateContent")
    assert headers["x-goog-api-key"] == GEMINI_KEY
    config = body["generationConfig"]
    assert config["responseMimeType"] == "application/json"
    assert config["responseJsonSchema"] == ANALYSIS_JSON_SCHEMA
    assert config["maxOutputTokens"] == MAX_OUTPUT_TOKENS
    instructions, content = build_messages(PROMPT)
    assert body["systemInstruction"]["parts"] == [{"text": instructions}]
    assert body["contents"] == [{"role": "user", "parts": [{"text": content}]}]
    assert answer.analysis == valid_analysis()
    assert (answer.model, answer.prompt_tokens, answer.completion_tokens) == (
        "gemini-2.5-flash-001",
        900,
        400,
    )


async def test_thoughts_are_skipped_but_counted(
    gemini_provider: Provider, canned: CannedServer
) -> None:
    """Thinking tokens are billed as output, so quota must see them as completion tokens."""
    parts: list[dict[str, Any]] = [
        {"text": "Let me think about the 7-day rule...", "thought": True},
        {"text": json.dumps(valid_analysis())},
    ]
    canned.reply_json(_response(parts, usage=_USAGE | {"thoughtsTokenCount": 250}))

    answer = await gemini_provider.analyze(PROMPT, timeout=5)

    assert answer.analysis == valid_analysis()
    assert answer.completion_tokens == 400 + 250


async def test_split_text_parts_are_joined(gemini_provider: Provider, canned: CannedServer) -> None:
    text = json.dumps(valid_analysis())
    canned.reply_json(_response([{"text": text[:100]}, {"text": text[100:]}], usage=_USAGE))

    answer = await gemini_provider.analyze(PROMPT, timeout=5)

    assert answer.analysis == valid_analysis()


@pytest.mark.parametrize(
    ("response", "reason"),
    [
        ({"promptFeedback": {"blockReason": "SAFETY"}}, "blocked (SAFETY)"),
        ({"candidates": []}, "no candidates"),
        (_response(None, finish_reason="SAFETY"), "SAFETY"),
        (_response([{"text": "{}"}], finish_reason="RECITATION"), "RECITATION"),
        (_response([{"text": '{"policy_match": '}], finish_reason="MAX_TOKENS"), "cut off"),
        (_response(None), "empty"),
        (_response([{"text": "```json\n{}"}]), "not JSON"),
        (_response([{"text": '{"policy_match": {}}'}]), "required property"),
    ],
    ids=[
        "prompt-blocked",
        "no-candidates",
        "safety",
        "recitation",
        "max-tokens",
        "empty",
        "not-json",
        "schema-invalid",
    ],
)
async def test_unusable_answers_are_invalid_response(
    gemini_provider: Provider, canned: CannedServer, response: dict[str, Any], reason: str
) -> None:
    canned.reply_json(response)

    with pytest.raises(ProviderError) as caught:
        await gemini_provider.analyze(PROMPT, timeout=5)

    assert caught.value.error_class is ErrorClass.INVALID_RESPONSE
    assert reason in caught.value.message


async def test_a_body_that_is_not_json_is_invalid_response(
    gemini_provider: Provider, canned: CannedServer
) -> None:
    canned.reply_text('{"candidates": [')

    with pytest.raises(ProviderError) as caught:
        await gemini_provider.analyze(PROMPT, timeout=5)

    assert caught.value.error_class is ErrorClass.INVALID_RESPONSE


async def test_model_not_found_is_unknown(gemini_provider: Provider, canned: CannedServer) -> None:
    error = {"code": 404, "message": "models/x is not found", "status": "NOT_FOUND"}
    canned.reply_json({"error": error}, status=404)

    with pytest.raises(ProviderError) as caught:
        await gemini_provider.analyze(PROMPT, timeout=5)

    assert caught.value.error_class is ErrorClass.UNKNOWN
    assert caught.value.status_code == 404
    assert len(canned.requests) == 1


async def test_missing_usage_falls_back_to_an_estimate(
    gemini_provider: Provider, canned: CannedServer
) -> None:
    canned.reply_json(_response([{"text": json.dumps(valid_analysis())}]))

    answer = await gemini_provider.analyze(PROMPT, timeout=5)

    assert answer.prompt_tokens > 0
    assert answer.completion_tokens > 0


def test_estimate_covers_prompt_and_expected_completion(gemini_provider: Provider) -> None:
    short = gemini_provider.estimate_tokens(PROMPT)
    longer = gemini_provider.estimate_tokens(replace(PROMPT, policy_text=PROMPT.policy_text * 50))
    improved = gemini_provider.estimate_tokens(replace(PROMPT, include_improved_policy=True))

    assert 0 < short < longer
    assert short < improved
