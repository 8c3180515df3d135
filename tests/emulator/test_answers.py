"""Normal answers through the real SDKs: schema-valid, deterministic, well-formed."""

from __future__ import annotations

import json
import math

import jsonschema
import pytest
from google import genai
from google.genai import types
from openai import AsyncOpenAI

from tests.emulator.conftest import Emulator
from tests.emulator.schemas import (
    ANALYSIS_SCHEMA,
    GEMINI_OPENAPI_AS_JSON_SCHEMA,
    GEMINI_OPENAPI_SCHEMA,
)
from tests.emulator.sdk import (
    OTHER_POLICY,
    POLICY,
    SYSTEM_PROMPT,
    ask_gemini,
    ask_openai,
    make_gemini_client,
)

pytestmark = pytest.mark.integration


async def test_openai_answer_is_a_schema_valid_chat_completion(
    emulator: Emulator, openai_client: AsyncOpenAI
) -> None:
    completion = await ask_openai(openai_client, POLICY, ANALYSIS_SCHEMA)

    assert completion.object == "chat.completion"
    assert completion.id.startswith("chatcmpl-")
    assert completion.model == "gpt-4o-mini"
    choice = completion.choices[0]
    assert choice.finish_reason == "stop"
    assert choice.message.role == "assistant"
    content = choice.message.content
    assert content is not None
    jsonschema.validate(json.loads(content), ANALYSIS_SCHEMA)
    prompt_chars = len(SYSTEM_PROMPT) + 1 + len(POLICY)
    assert completion.usage is not None
    assert completion.usage.prompt_tokens == math.ceil(prompt_chars / 4)
    assert completion.usage.completion_tokens == math.ceil(len(content) / 4)
    assert completion.usage.total_tokens == (
        completion.usage.prompt_tokens + completion.usage.completion_tokens
    )


async def test_openai_answer_is_deterministic_per_input(
    emulator: Emulator, openai_client: AsyncOpenAI
) -> None:
    first = await ask_openai(openai_client, POLICY, ANALYSIS_SCHEMA)
    again = await ask_openai(openai_client, POLICY, ANALYSIS_SCHEMA)
    other = await ask_openai(openai_client, OTHER_POLICY, ANALYSIS_SCHEMA)
    assert first.choices[0].message.content == again.choices[0].message.content
    assert first.choices[0].message.content != other.choices[0].message.content


async def test_gemini_answer_is_a_schema_valid_response(
    emulator: Emulator, gemini_client: genai.Client
) -> None:
    response = await ask_gemini(gemini_client, POLICY, ANALYSIS_SCHEMA)

    assert response.text is not None
    jsonschema.validate(json.loads(response.text), ANALYSIS_SCHEMA)
    candidate = (response.candidates or [])[0]
    assert candidate.finish_reason == types.FinishReason.STOP
    assert response.model_version == "gemini-2.5-flash"
    usage = response.usage_metadata
    assert usage is not None
    prompt_chars = len(SYSTEM_PROMPT) + 1 + len(POLICY)
    assert usage.prompt_token_count == math.ceil(prompt_chars / 4)
    assert usage.candidates_token_count == math.ceil(len(response.text) / 4)
    assert usage.total_token_count == (usage.prompt_token_count + usage.candidates_token_count)


async def test_gemini_answer_is_deterministic_per_input(
    emulator: Emulator, gemini_client: genai.Client
) -> None:
    first = await ask_gemini(gemini_client, POLICY, ANALYSIS_SCHEMA)
    again = await ask_gemini(gemini_client, POLICY, ANALYSIS_SCHEMA)
    other = await ask_gemini(gemini_client, OTHER_POLICY, ANALYSIS_SCHEMA)
    assert first.text == again.text
    assert first.text != other.text


async def test_gemini_response_schema_openapi_dialect(
    emulator: Emulator, gemini_client: genai.Client
) -> None:
    response = await gemini_client.aio.models.generate_content(
        model="gemini-2.5-flash",
        contents=POLICY,
        config=types.GenerateContentConfig(
            response_mime_type="application/json",
            response_schema=types.Schema.model_validate(GEMINI_OPENAPI_SCHEMA),
        ),
    )
    assert response.text is not None
    jsonschema.validate(json.loads(response.text), GEMINI_OPENAPI_AS_JSON_SCHEMA)


async def test_gemini_v1beta_path_is_served(emulator: Emulator) -> None:
    client = make_gemini_client(emulator.url, api_version="v1beta")
    try:
        response = await ask_gemini(client, POLICY, ANALYSIS_SCHEMA)
    finally:
        await client.aio.aclose()
    assert response.text is not None
    jsonschema.validate(json.loads(response.text), ANALYSIS_SCHEMA)


async def test_without_a_schema_the_answer_is_readable_text(
    emulator: Emulator, openai_client: AsyncOpenAI, gemini_client: genai.Client
) -> None:
    completion = await openai_client.chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": POLICY}]
    )
    response = await gemini_client.aio.models.generate_content(
        model="gemini-2.5-flash", contents=POLICY
    )
    for text in (completion.choices[0].message.content, response.text):
        assert text is not None
        assert text.endswith(".")
        with pytest.raises(json.JSONDecodeError):
            json.loads(text)
