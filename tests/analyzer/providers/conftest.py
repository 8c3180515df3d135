"""Fixtures for the adapter tests: the provider emulator as a real process, and a canned server.

The emulator runs as ``python -m sanad_emulator`` so the real SDKs talk real HTTP to it. The
canned server answers whatever a test sets, for the corners the emulator does not model
(refusals, content filters, safety blocks, truncation).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from sanad_analyzer.providers.base import Provider
from sanad_emulator.control import EmulatorControl
from sanad_launcher.emulator_process import EmulatorProcess
from tests.analyzer.providers.support import PROVIDER_KINDS, CannedServer, make_provider


@pytest.fixture(scope="session")
def emulator_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Start the emulator on a free port of 127.0.0.1; stop it (by its PID) at the end."""
    log_path = tmp_path_factory.mktemp("emulator") / "emulator.log"
    with EmulatorProcess(log_path, log_level="WARNING") as url:
        yield url


@pytest.fixture
async def emulator(emulator_url: str) -> AsyncIterator[EmulatorControl]:
    """The emulator's control API, with faults and counters reset around each test."""
    async with EmulatorControl(emulator_url) as control:
        await control.reset()
        yield control
        # Also releases requests a ``hang`` fault is still holding.
        await control.reset()


@pytest.fixture(params=PROVIDER_KINDS)
async def provider(request: pytest.FixtureRequest, emulator_url: str) -> AsyncIterator[Provider]:
    """Each adapter in turn, pointed at the emulator."""
    adapter = make_provider(request.param, emulator_url)
    yield adapter
    await adapter.aclose()


@pytest.fixture
async def canned() -> AsyncIterator[CannedServer]:
    server = CannedServer()
    await server.start()
    yield server
    await server.close()
