"""Calls made the way Sanad makes them, through the real openai and google-genai clients."""

from __future__ import annotations

from typing import Any

from google import genai
from google.genai import types
from openai import AsyncOpenAI
from openai.types.chat import ChatCompletion

POLICY = "Returns accepted within 3 days. No refunds on sale items."
OTHER_POLICY = "We ship within 48 hours to every city in the Kingdom."
SYSTEM_PROMPT = "Analyse the store policy."
CLIENT_TIMEOUT_S = 5.0


def make_openai_client(url: str) -> AsyncOpenAI:
    """An openai client on the emulator with no SDK retries: one call, one request."""
    return AsyncOpenAI(
        base_url=f"{url}/v1", api_key="anything", max_retries=0, timeout=CLIENT_TIMEOUT_S
    )


def make_gemini_client(url: str, *, api_version: str | None = None) -> genai.Client:
    """A google-genai client on the emulator with a single attempt per call.

    Without ``retry_options`` google-genai silently retries a dropped connection once,
    after sleeping 1-10 s; one attempt makes faults surface as they happen.
    """
    return genai.Client(
        api_key="anything",
        http_options=types.HttpOptions(
            base_url=url,
            api_version=api_version,
            timeout=int(CLIENT_TIMEOUT_S * 1000),
            retry_options=types.HttpRetryOptions(attempts=1),
        ),
    )


async def ask_openai(client: AsyncOpenAI, text: str, schema: dict[str, Any]) -> ChatCompletion:
    return await client.chat.completions.create(
        model="gpt-4o-mini",
        messages=[
            {"role": "system", "content": SYSTEM_PROMPT},
            {"role": "user", "content": text},
        ],
        response_format={
            "type": "json_schema",
            "json_schema": {"name": "policy_analysis", "schema": schema, "strict": True},
        },
    )


async def ask_gemini(
    client: genai.Client, text: str, schema: dict[str, Any]
) -> types.GenerateContentResponse:
    return await client.aio.models.generate_content(
        model="gemini-2.5-flash",
        contents=text,
        config=types.GenerateContentConfig(
            system_instruction=SYSTEM_PROMPT,
            response_mime_type="application/json",
            response_json_schema=schema,
        ),
    )
