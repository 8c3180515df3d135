"""Fixtures: one real emulator process per session, driven through the real SDKs.

Every test that asks for ``emulator`` starts from a reset emulator (no faults, zero
counters). The SDK clients are configured the way Sanad uses them: no SDK retries, so
each call is exactly one request the emulator can count.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

import pytest
from google import genai
from google.genai import types
from openai import AsyncOpenAI

from sanad_emulator.control import EmulatorControl
from tests.emulator.process import EmulatorProcess

CLIENT_TIMEOUT_S = 5.0


@dataclass(frozen=True)
class Emulator:
    url: str
    control: EmulatorControl


@pytest.fixture(scope="session")
def emulator_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    log_path = tmp_path_factory.mktemp("emulator") / "emulator.log"
    with EmulatorProcess(log_path) as url:
        yield url


@pytest.fixture(scope="session")
async def emulator_control(emulator_url: str) -> AsyncIterator[EmulatorControl]:
    async with EmulatorControl(emulator_url) as control:
        yield control


@pytest.fixture
async def emulator(emulator_url: str, emulator_control: EmulatorControl) -> Emulator:
    await emulator_control.reset()
    return Emulator(emulator_url, emulator_control)


@pytest.fixture(scope="session")
async def openai_client(emulator_url: str) -> AsyncIterator[AsyncOpenAI]:
    client = AsyncOpenAI(
        base_url=f"{emulator_url}/v1",
        api_key="anything",
        max_retries=0,
        timeout=CLIENT_TIMEOUT_S,
    )
    yield client
    await client.close()


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


@pytest.fixture(scope="session")
async def gemini_client(emulator_url: str) -> AsyncIterator[genai.Client]:
    client = make_gemini_client(emulator_url)
    yield client
    await client.aio.aclose()
