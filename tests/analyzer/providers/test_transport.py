"""Each adapter on its HTTP transport (aiohttp): closing it releases its connections, and a
provider that is not listening is a crash, not a timeout, after one attempt.

Connections are read from the kernel's own table (/proc/net/tcp*), matched to this process's
sockets, so the check sees what the SDK really left open rather than its private state.
"""

from __future__ import annotations

import gc
import os
import warnings
from pathlib import Path

import pytest

from sanad_analyzer.providers.base import ProviderError
from sanad_common.error_class import ErrorClass
from sanad_launcher.ports import free_port
from tests.analyzer.providers.support import PROMPT, PROVIDER_KINDS, make_provider
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration

_TIMEOUT_S = 10.0
_ESTABLISHED = "01"


def _own_socket_inodes() -> set[str]:
    """The inodes of every socket this process holds open."""
    inodes = set()
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[len("socket:[") : -1])
    return inodes


def _connections_to(port: int) -> set[str]:
    """This process's established TCP connections to ``port``, by socket inode."""
    own = _own_socket_inodes()
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            remote_port = int(fields[2].rsplit(":", 1)[1], 16)
            if remote_port == port and fields[3] == _ESTABLISHED and fields[9] in own:
                found.add(fields[9])
    return found


@pytest.mark.parametrize("kind", PROVIDER_KINDS)
async def test_aclose_releases_every_connection(emulator_url: str, kind: str) -> None:
    port = int(emulator_url.rsplit(":", 1)[1])
    others = _connections_to(port)
    provider = make_provider(kind, emulator_url)
    await provider.analyze(PROMPT, timeout=_TIMEOUT_S)
    mine = _connections_to(port) - others
    assert mine, "the answer's connection is kept open for the next call"

    await provider.aclose()

    # Still referenced: what closes them is aclose, not the garbage collector.
    async def still_open() -> set[str]:
        return _connections_to(port) & mine

    await eventually(
        still_open,
        lambda open_now: not open_now,
        what=f"{kind}'s connections to the emulator closed",
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        del provider
        gc.collect()
    assert not [str(w.message) for w in caught if "Unclosed" in str(w.message)]


@pytest.mark.parametrize("kind", PROVIDER_KINDS)
async def test_a_provider_not_listening_is_a_crash(kind: str) -> None:
    provider = make_provider(kind, f"http://127.0.0.1:{free_port()}")
    try:
        with pytest.raises(ProviderError) as caught:
            await provider.analyze(PROMPT, timeout=_TIMEOUT_S)
    finally:
        await provider.aclose()

    assert caught.value.error_class is ErrorClass.SERVICE_CRASH
    assert caught.value.status_code is None
