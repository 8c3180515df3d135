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
from openai import AsyncOpenAI

from sanad_emulator.control import EmulatorControl
from sanad_launcher.emulator_process import EmulatorProcess
from tests.emulator.sdk import make_gemini_client, make_openai_client


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
    client = make_openai_client(emulator_url)
    yield client
    await client.close()


@pytest.fixture(scope="session")
async def gemini_client(emulator_url: str) -> AsyncIterator[genai.Client]:
    client = make_gemini_client(emulator_url)
    yield client
    await client.aio.aclose()
