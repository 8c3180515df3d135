"""Fixtures for the adapter tests: the provider emulator as a real process, and a canned server.

The emulator runs as ``python -m sanad_emulator`` so the real SDKs talk real HTTP to it. The
canned server answers whatever a test sets, for the corners the emulator does not model
(refusals, content filters, safety blocks, truncation).
"""

from __future__ import annotations

import re
import select
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from sanad_analyzer.providers.base import Provider
from sanad_emulator.control import EmulatorControl
from tests.analyzer.providers.support import PROVIDER_KINDS, CannedServer, make_provider

_START_TIMEOUT_S = 120.0
_STOP_TIMEOUT_S = 10.0
_BANNER = re.compile(r"sanad-emulator listening on (http://\S+)")


@pytest.fixture(scope="session")
def emulator_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Start the emulator on a free port of 127.0.0.1; stop it (by its PID) at the end."""
    stderr_path = tmp_path_factory.mktemp("emulator") / "stderr.log"
    with stderr_path.open("wb") as stderr:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "sanad_emulator",
                "--host",
                "127.0.0.1",
                "--port",
                "0",
                "--log-level",
                "WARNING",
            ],
            stdout=subprocess.PIPE,
            stderr=stderr,
        )
    try:
        yield _wait_for_banner(process, stderr_path)
    finally:
        _stop(process)


def _wait_for_banner(process: subprocess.Popen[bytes], stderr_path: Path) -> str:
    assert process.stdout is not None
    deadline = time.monotonic() + _START_TIMEOUT_S
    while (remaining := deadline - time.monotonic()) > 0:
        readable, _, _ = select.select([process.stdout], [], [], remaining)
        if not readable:
            break
        line = process.stdout.readline().decode()
        if match := _BANNER.search(line):
            return match.group(1)
        if not line and process.poll() is not None:
            break
    pytest.fail(f"the emulator did not start:\n{stderr_path.read_text(errors='replace')}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=_STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    if process.stdout is not None:
        process.stdout.close()


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
