"""AnthropicProvider against a canned server: the Messages request it sends (forced tool use
with the analysis schema) and the answers it refuses."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from sanad_analyzer.analysis import ANALYSIS_JSON_SCHEMA
from sanad_analyzer.prompt import build_messages
from sanad_analyzer.providers.anthropic_provider import TOOL_NAME
from sanad_analyzer.providers.base import Provider, ProviderError
from sanad_common.error_class import ErrorClass
from tests.analyzer.providers.support import (
    ANTHROPIC_KEY,
    ANTHROPIC_MODEL,
    MAX_OUTPUT_TOKENS,
    PROMPT,
    CannedServer,
    make_provider,
    valid_analysis,
)


@pytest.fixture
async def anthropic_provider(canned: CannedServer) -> AsyncIterator[Provider]:
    adapter = make_provider("anthropic", canned.url)
    yield adapter
    await adapter.aclose()


def _message(content: list[dict[str, Any]], stop_reason: str = "tool_use") -> dict[str, Any]:
    return {
        "id": "msg_0123",
        "type": "message",
        "role": "assistant",
        "model": "claude-sonnet-5-20261001",
        "content": content,
        "stop_reason": stop_reason,
        "stop_sequence": None,
        "usage": {"input_tokens": 812, "output_tokens": 345},
    }


def _tool_use(value: object, name: str = TOOL_NAME) -> dict[str, Any]:
    return {"type": "tool_use", "id": "toolu_01", "name": name, "input": value}


async def test_sends_the_schema_as_a_forced_tool(
    anthropic_provider: Provider, canned: CannedServer
) -> None:
    canned.reply_json(_message([_tool_use(valid_analysis())]))

    answer = await anthropic_provider.analyze(PROMPT, timeout=5)

    path, headers, body = canned.requests[0]
    assert path == "/v1/messages"
    assert ANTHROPIC_KEY in (headers.get("x-api-key"), headers.get("authorization", "")[7:])
    assert headers["anthropic-version"]
    instructions, content = build_messages(PROMPT)
    assert body["model"] == ANTHROPIC_MODEL
    assert body["max_tokens"] == MAX_OUTPUT_TOKENS
    assert body["system"] == instructions
    assert body["messages"] == [{"role": "user", "content": content}]
    assert body["tools"][0]["name"] == TOOL_NAME
    assert body["tools"][0]["input_schema"] == ANALYSIS_JSON_SCHEMA
    assert body["tool_choice"] == {"type": "tool", "name": TOOL_NAME}
    assert answer.analysis == valid_analysis()
    assert (answer.model, answer.prompt_tokens, answer.completion_tokens) == (
        "claude-sonnet-5-20261001",
        812,
        345,
    )


@pytest.mark.parametrize(
    ("message", "detail"),
    [
        (_message([{"type": "text", "text": "I cannot."}], "end_turn"), "no tool_use block"),
        (_message([_tool_use(valid_analysis(), name="other")]), "no tool_use block"),
        (_message([_tool_use(valid_analysis())], "max_tokens"), "cut off"),
        (_message([_tool_use({"policy_match": {}})]), ""),
    ],
)
async def test_unusable_answers_are_invalid_responses(
    anthropic_provider: Provider, canned: CannedServer, message: dict[str, Any], detail: str
) -> None:
    canned.reply_json(message)

    with pytest.raises(ProviderError) as caught:
        await anthropic_provider.analyze(PROMPT, timeout=5)

    assert caught.value.error_class is ErrorClass.INVALID_RESPONSE
    assert detail in caught.value.message


async def test_a_billing_error_is_quota_exceeded(
    anthropic_provider: Provider, canned: CannedServer
) -> None:
    canned.reply_json(
        {"type": "error", "error": {"type": "billing_error", "message": "credit balance too low"}},
        status=400,
    )

    with pytest.raises(ProviderError) as caught:
        await anthropic_provider.analyze(PROMPT, timeout=5)

    assert caught.value.error_class is ErrorClass.QUOTA_EXCEEDED
    assert len(canned.requests) == 1
