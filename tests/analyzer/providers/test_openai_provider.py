"""OpenAIProvider against a canned server: the request it sends and the answers it refuses."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import pytest
from pydantic import SecretStr

from sanad_analyzer.analysis import ANALYSIS_JSON_SCHEMA
from sanad_analyzer.prompt import build_messages
from sanad_analyzer.providers.base import Provider, ProviderError
from sanad_analyzer.providers.registry import build_provider
from sanad_common.config import ProviderSettings
from sanad_common.error_class import ErrorClass
from tests.analyzer.providers.support import (
    MAX_OUTPUT_TOKENS,
    OPENAI_KEY,
    OPENAI_MODEL,
    PROMPT,
    CannedServer,
    make_provider,
    valid_analysis,
)


@pytest.fixture
async def openai_provider(canned: CannedServer) -> AsyncIterator[Provider]:
    adapter = make_provider("openai", canned.url)
    yield adapter
    await adapter.aclose()


def _completion(
    content: str | None,
    *,
    finish_reason: str = "stop",
    refusal: str | None = None,
    usage: dict[str, int] | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 0,
        "model": "gpt-4o-mini-2024-07-18",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content, "refusal": refusal},
                "finish_reason": finish_reason,
            }
        ],
    }
    if usage is not None:
        body["usage"] = usage
    return body


_USAGE = {"prompt_tokens": 812, "completion_tokens": 345, "total_tokens": 1157}


async def test_sends_strict_schema_and_policy_as_data(
    openai_provider: Provider, canned: CannedServer
) -> None:
    canned.reply_json(_completion(json.dumps(valid_analysis()), usage=_USAGE))

    answer = await openai_provider.analyze(PROMPT, timeout=5)

    path, headers, body = canned.requests[0]
    assert path == "/v1/chat/completions"
    assert headers["authorization"] == f"Bearer {OPENAI_KEY}"
    assert set(body) == {"model", "messages", "max_completion_tokens", "response_format"}
    assert body["model"] == OPENAI_MODEL
    assert body["max_completion_tokens"] == MAX_OUTPUT_TOKENS
    assert body["response_format"] == {
        "type": "json_schema",
        "json_schema": {"name": "policy_analysis", "schema": ANALYSIS_JSON_SCHEMA, "strict": True},
    }
    instructions, content = build_messages(PROMPT)
    assert body["messages"] == [
        {"role": "system", "content": instructions},
        {"role": "user", "content": content},
    ]
    assert answer.analysis == valid_analysis()
    assert (answer.model, answer.prompt_tokens, answer.completion_tokens) == (
        "gpt-4o-mini-2024-07-18",
        812,
        345,
    )


async def test_an_azure_endpoint_gets_its_api_version_and_key_header(
    canned: CannedServer,
) -> None:
    canned.reply_json(_completion(json.dumps(valid_analysis()), usage=_USAGE))
    settings = ProviderSettings(
        name="azure",
        kind="openai",
        model="gpt-4o-mini",
        api_key=SecretStr(OPENAI_KEY),
        base_url=f"{canned.url}/openai/deployments/analysis",
        api_version="2024-10-21",
    )
    adapter = build_provider(settings)
    assert adapter is not None

    answer = await adapter.analyze(PROMPT, timeout=5)
    await adapter.aclose()

    path, headers, _ = canned.requests[0]
    assert path == "/openai/deployments/analysis/chat/completions"
    assert canned.queries[0] == {"api-version": "2024-10-21"}
    assert headers["api-key"] == OPENAI_KEY
    assert answer.analysis == valid_analysis()


async def test_without_an_api_version_no_query_is_sent(
    openai_provider: Provider, canned: CannedServer
) -> None:
    canned.reply_json(_completion(json.dumps(valid_analysis()), usage=_USAGE))

    await openai_provider.analyze(PROMPT, timeout=5)

    assert canned.queries[0] == {}
    assert "api-key" not in canned.requests[0][1]


@pytest.mark.parametrize(
    ("completion", "reason"),
    [
        (_completion(None, finish_reason="content_filter"), "content filter"),
        (_completion(None, refusal="I can't help with that."), "refused"),
        (_completion('{"policy_match": {"is_match": tr', finish_reason="length"), "cut off"),
        (_completion(""), "empty"),
        (_completion("   \n"), "empty"),
        (_completion('{"policy_match": {}}'), "required property"),
        (_completion("Sure! Here is the analysis."), "not JSON"),
        ({"id": "x", "object": "chat.completion", "choices": []}, "no choices"),
    ],
    ids=[
        "content-filter",
        "refusal",
        "length",
        "empty",
        "blank",
        "schema-invalid",
        "not-json",
        "no-choices",
    ],
)
async def test_unusable_answers_are_invalid_response(
    openai_provider: Provider, canned: CannedServer, completion: dict[str, Any], reason: str
) -> None:
    canned.reply_json(completion)

    with pytest.raises(ProviderError) as caught:
        await openai_provider.analyze(PROMPT, timeout=5)

    assert caught.value.error_class is ErrorClass.INVALID_RESPONSE
    assert reason in caught.value.message


@pytest.mark.parametrize(
    ("body", "content_type"),
    [('{"choices": [', "application/json"), ("<html>Bad gateway</html>", "text/html")],
    ids=["truncated-json", "html"],
)
async def test_a_body_that_is_not_a_completion_is_invalid_response(
    openai_provider: Provider, canned: CannedServer, body: str, content_type: str
) -> None:
    canned.reply_text(body, content_type=content_type)

    with pytest.raises(ProviderError) as caught:
        await openai_provider.analyze(PROMPT, timeout=5)

    assert caught.value.error_class is ErrorClass.INVALID_RESPONSE


async def test_unrequested_improved_policy_is_dropped(
    openai_provider: Provider, canned: CannedServer
) -> None:
    analysis = valid_analysis() | {"improved_policy": "سياسة محسّنة"}
    canned.reply_json(_completion(json.dumps(analysis), usage=_USAGE))

    plain = await openai_provider.analyze(PROMPT, timeout=5)
    improved = await openai_provider.analyze(
        replace(PROMPT, include_improved_policy=True), timeout=5
    )

    assert plain.analysis["improved_policy"] == ""
    assert improved.analysis["improved_policy"] == "سياسة محسّنة"


async def test_missing_usage_falls_back_to_an_estimate(
    openai_provider: Provider, canned: CannedServer
) -> None:
    """Some OpenAI-compatible servers omit usage; quota still needs a token count."""
    canned.reply_json(_completion(json.dumps(valid_analysis())))

    answer = await openai_provider.analyze(PROMPT, timeout=5)

    assert answer.prompt_tokens > 0
    assert answer.completion_tokens > 0


async def test_model_not_found_is_unknown(openai_provider: Provider, canned: CannedServer) -> None:
    error = {"message": "The model does not exist", "type": "invalid_request_error"}
    canned.reply_json({"error": error | {"code": "model_not_found"}}, status=404)

    with pytest.raises(ProviderError) as caught:
        await openai_provider.analyze(PROMPT, timeout=5)

    assert caught.value.error_class is ErrorClass.UNKNOWN
    assert caught.value.status_code == 404
    assert len(canned.requests) == 1


def test_estimate_covers_prompt_and_expected_completion(openai_provider: Provider) -> None:
    short = openai_provider.estimate_tokens(PROMPT)
    longer = openai_provider.estimate_tokens(replace(PROMPT, policy_text=PROMPT.policy_text * 50))
    improved = openai_provider.estimate_tokens(replace(PROMPT, include_improved_policy=True))

    assert 0 < short < longer
    assert short < improved
