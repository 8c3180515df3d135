"""``create_app`` inside a test's own event loop, sharing its FaultBoard with the test."""

from __future__ import annotations

import openai
import pytest
from aiohttp.test_utils import TestServer

from sanad_emulator.faults import FaultBoard, FaultSpec, ProviderStats
from sanad_emulator.server import create_app
from tests.emulator.schemas import ANALYSIS_SCHEMA
from tests.emulator.sdk import (
    POLICY,
    ask_gemini,
    ask_openai,
    make_gemini_client,
    make_openai_client,
)


async def test_in_process_server_with_a_shared_board() -> None:
    board = FaultBoard()
    board.add(FaultSpec.from_json({"provider": "openai", "fault": "rate_limited", "count": 1}))
    async with TestServer(create_app(board), host="127.0.0.1") as server:
        url = str(server.make_url("")).rstrip("/")
        openai_client = make_openai_client(url)
        gemini_client = make_gemini_client(url)
        try:
            with pytest.raises(openai.RateLimitError) as caught:
                await ask_openai(openai_client, POLICY, ANALYSIS_SCHEMA)
            assert caught.value.response.headers["retry-after"] == "1"
            await ask_openai(openai_client, POLICY, ANALYSIS_SCHEMA)
            assert (await ask_gemini(gemini_client, POLICY, ANALYSIS_SCHEMA)).text
        finally:
            await openai_client.close()
            await gemini_client.aio.aclose()
    assert board.stats() == {
        "openai": ProviderStats(requests=2, faults_served=1),
        "gemini": ProviderStats(requests=1, faults_served=0),
        "anthropic": ProviderStats(requests=0, faults_served=0),
    }
