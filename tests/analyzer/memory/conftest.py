"""The analyzer's caches run on both embedded and shared stores: each test gets a fresh
namespace on SQLite (a file of its own) and on Redis."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from sanad_common.storage import Store, open_store
from tests.support.backends import sqlite_url
from tests.support.services import unique_namespace


@pytest.fixture(params=["sqlite", "redis"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Store]:
    """A store in a fresh namespace, on SQLite and then on Redis."""
    if request.param == "sqlite":
        url = sqlite_url(tmp_path / "store.db")
    else:
        url = request.getfixturevalue("redis_url")
    opened = await open_store(url, namespace=unique_namespace())
    yield opened
    await opened.aclose()
