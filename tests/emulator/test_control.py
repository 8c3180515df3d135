"""The control API and the process: queues, counters, validation, hang release, shutdown."""

from __future__ import annotations

import asyncio
import re
import signal
import time
from pathlib import Path
from typing import Any

import aiohttp
import openai
import pytest
from google import genai
from openai import AsyncOpenAI

from sanad_emulator.control import EmulatorControl, EmulatorControlError, ProviderStats
from sanad_emulator.faults import FaultKind, FaultSpec
from sanad_launcher.emulator_process import EmulatorProcess
from tests.emulator.conftest import Emulator
from tests.emulator.schemas import ANALYSIS_SCHEMA
from tests.emulator.sdk import POLICY, ask_gemini, ask_openai, make_openai_client
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration


async def _raw(method: str, url: str, **kwargs: Any) -> tuple[int, Any]:
    async with (
        aiohttp.ClientSession() as session,
        session.request(method, url, **kwargs) as response,
    ):
        return response.status, await response.json()


async def test_healthz(emulator: Emulator) -> None:
    assert await _raw("GET", f"{emulator.url}/healthz") == (200, {"status": "ok"})


async def test_inject_returns_the_stored_fault(emulator: Emulator) -> None:
    body = {
        "provider": "openai",
        "fault": "server_error",
        "status": 503,
        "count": 2,
        "retry_after": 1,
        "latency_ms": 0,
    }
    status, stored = await _raw("POST", f"{emulator.url}/control/faults", json=body)
    assert (status, stored) == (200, {**body, "retry_after": 1.0})

    spec = await emulator.control.inject("gemini", FaultKind.RATE_LIMITED)
    assert spec == FaultSpec("gemini", FaultKind.RATE_LIMITED, status=429, retry_after=1.0)
    _, pending = await _raw("GET", f"{emulator.url}/control/faults")
    assert [entry["remaining"] for entry in pending["openai"]] == [2]
    assert [entry["fault"] for entry in pending["gemini"]] == ["rate_limited"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"not json", "body must be a JSON object"),
        (b"[1, 2]", "body must be a JSON object"),
        (
            b'{"provider": "azure", "fault": "hang"}',
            "provider must be one of openai, gemini, anthropic",
        ),
        (b'{"provider": "openai", "fault": "boom"}', "fault must be one of"),
        (b'{"provider": "openai", "fault": "hang", "count": -1}', "count must be >= 1"),
        (b'{"provider": "gemini", "fault": "server_error", "status": 501}', "must be one of"),
        (b'{"provider": "openai", "fault": "hang", "cuont": 1}', "unknown field(s): cuont"),
    ],
)
async def test_bad_control_bodies_get_400(emulator: Emulator, body: bytes, message: str) -> None:
    status, answer = await _raw(
        "POST",
        f"{emulator.url}/control/faults",
        data=body,
        headers={"Content-Type": "application/json"},
    )
    assert status == 400
    assert re.search(re.escape(message), answer["error"])
    _, pending = await _raw("GET", f"{emulator.url}/control/faults")
    assert pending == {"openai": [], "gemini": [], "anthropic": []}


async def test_control_client_raises_on_refusal(emulator: Emulator) -> None:
    with pytest.raises(EmulatorControlError) as caught:
        await emulator.control.inject("openai", "auth", status=500)
    assert caught.value.status == 400
    assert "401, 403" in caught.value.message
    status, answer = await _raw("DELETE", f"{emulator.url}/control/faults?provider=bard")
    assert status == 400
    assert "provider must be one of" in answer["error"]


async def test_count_expires_after_n_requests(
    emulator: Emulator, openai_client: AsyncOpenAI
) -> None:
    await emulator.control.inject("openai", "server_error", status=503, count=2)
    for _ in range(2):
        with pytest.raises(openai.InternalServerError):
            await ask_openai(openai_client, POLICY, ANALYSIS_SCHEMA)
    await ask_openai(openai_client, POLICY, ANALYSIS_SCHEMA)
    assert (await emulator.control.stats())["openai"] == ProviderStats(3, 2)


async def test_queued_faults_are_served_in_order(
    emulator: Emulator, gemini_client: genai.Client
) -> None:
    await emulator.control.inject("gemini", "quota_exceeded", count=1)
    await emulator.control.inject("gemini", "empty", count=1)
    with pytest.raises(genai.errors.ClientError):
        await ask_gemini(gemini_client, POLICY, ANALYSIS_SCHEMA)
    assert (await ask_gemini(gemini_client, POLICY, ANALYSIS_SCHEMA)).text is None
    assert (await ask_gemini(gemini_client, POLICY, ANALYSIS_SCHEMA)).text


async def test_without_count_the_fault_stays_until_cleared(
    emulator: Emulator, openai_client: AsyncOpenAI, gemini_client: genai.Client
) -> None:
    await emulator.control.inject("openai", "auth")
    await emulator.control.inject("gemini", "auth")
    for _ in range(3):
        with pytest.raises(openai.AuthenticationError):
            await ask_openai(openai_client, POLICY, ANALYSIS_SCHEMA)

    await emulator.control.clear("openai")
    await ask_openai(openai_client, POLICY, ANALYSIS_SCHEMA)
    with pytest.raises(genai.errors.ClientError):  # gemini's fault was not cleared
        await ask_gemini(gemini_client, POLICY, ANALYSIS_SCHEMA)

    await emulator.control.clear()
    await ask_gemini(gemini_client, POLICY, ANALYSIS_SCHEMA)


async def test_stats_count_every_request_per_provider(
    emulator: Emulator, openai_client: AsyncOpenAI, gemini_client: genai.Client
) -> None:
    await emulator.control.inject("openai", "connection_reset", count=1)
    with pytest.raises(openai.APIConnectionError):
        await ask_openai(openai_client, POLICY, ANALYSIS_SCHEMA)
    await ask_openai(openai_client, POLICY, ANALYSIS_SCHEMA)
    for _ in range(3):
        await ask_gemini(gemini_client, POLICY, ANALYSIS_SCHEMA)
    assert await emulator.control.stats() == {
        "openai": ProviderStats(requests=2, faults_served=1),
        "gemini": ProviderStats(requests=3, faults_served=0),
        "anthropic": ProviderStats(requests=0, faults_served=0),
    }

    await emulator.control.reset()
    assert await emulator.control.stats() == {
        "openai": ProviderStats(0, 0),
        "gemini": ProviderStats(0, 0),
        "anthropic": ProviderStats(0, 0),
    }


async def test_hang_blocks_nobody_else_and_clear_releases_it(
    emulator: Emulator, openai_client: AsyncOpenAI, gemini_client: genai.Client
) -> None:
    await emulator.control.inject("openai", "hang")
    hung = asyncio.create_task(ask_openai(openai_client, POLICY, ANALYSIS_SCHEMA))
    await hang_served(emulator.control)

    # The server keeps answering: the other provider, the control API, itself.
    assert (await ask_gemini(gemini_client, POLICY, ANALYSIS_SCHEMA)).text
    assert (await emulator.control.stats())["openai"].faults_served == 1
    assert not hung.done()

    await emulator.control.clear("openai")
    completion = await asyncio.wait_for(hung, 2)
    assert completion.choices[0].message.content


async def hang_served(control: EmulatorControl) -> None:
    """Wait until the emulator holds the hung request (it counts the fault as it takes it)."""
    await eventually(
        control.stats,
        lambda stats: stats["openai"].faults_served == 1,
        what="the hung request reaching the emulator",
    )


async def test_invalid_provider_request_gets_the_provider_400(emulator: Emulator) -> None:
    status, body = await _raw("POST", f"{emulator.url}/v1/chat/completions", json={"model": "m"})
    assert status == 400
    assert body["error"]["type"] == "invalid_request_error"
    assert body["error"]["param"] == "messages"
    status, body = await _raw(
        "POST", f"{emulator.url}/v1beta/models/gemini-2.5-flash:generateContent", json={}
    )
    assert (status, body["error"]["status"]) == (400, "INVALID_ARGUMENT")


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
async def test_process_prints_one_line_and_exits_cleanly(
    tmp_path: Path, signum: signal.Signals
) -> None:
    process = EmulatorProcess(tmp_path / "emulator.log")
    url = process.start()
    try:
        assert re.fullmatch(
            r"sanad-emulator listening on http://127\.0\.0\.1:\d+", process.listening_line
        )
        client = make_openai_client(url)
        async with EmulatorControl(url) as control:
            await control.inject("openai", "hang")
            hung = asyncio.create_task(ask_openai(client, POLICY, ANALYSIS_SCHEMA))
            await hang_served(control)
    finally:
        started = time.monotonic()
        exit_code = await asyncio.to_thread(process.stop, signum)
    assert exit_code == 0
    assert time.monotonic() - started < 5
    # The hung request was released by the shutdown rather than left dangling.
    await asyncio.wait_for(asyncio.gather(hung, return_exceptions=True), 5)
    await client.close()
    log = (tmp_path / "emulator.log").read_text()
    assert "aiohttp.access" in log
    assert "Traceback" not in log
