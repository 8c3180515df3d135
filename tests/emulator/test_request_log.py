"""The control API's request log: tests can see the prompt a provider endpoint was sent."""

from __future__ import annotations

import openai
import pytest
from openai import AsyncOpenAI

from tests.emulator.conftest import Emulator


async def test_the_log_holds_each_parsed_request_until_reset(
    emulator: Emulator, openai_client: AsyncOpenAI
) -> None:
    await openai_client.chat.completions.create(
        model="gpt-4o-mini",
        messages=[
            {"role": "system", "content": "Rules: return.window_too_short"},
            {"role": "user", "content": "الإرجاع خلال 3 أيام"},
        ],
    )

    [logged] = await emulator.control.requests()
    assert logged["provider"] == "openai"
    assert logged["model"] == "gpt-4o-mini"
    assert "Rules: return.window_too_short" in logged["prompt"]
    assert "الإرجاع خلال 3 أيام" in logged["prompt"]

    await emulator.control.reset()
    assert await emulator.control.requests() == []


async def test_a_request_refused_by_a_fault_is_not_logged(
    emulator: Emulator, openai_client: AsyncOpenAI
) -> None:
    await emulator.control.inject("openai", "server_error", status=503, count=1)
    with pytest.raises(openai.InternalServerError):
        await openai_client.with_options(max_retries=0).chat.completions.create(
            model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}]
        )
    assert await emulator.control.requests() == []
