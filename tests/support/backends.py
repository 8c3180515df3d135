"""Store backends for the storage contract suites: SQLite on a temporary file, Redis, and Redis
Cluster, each test on all three.

Each test gets a fresh namespace (and, for SQLite, a fresh file), so tests never see each
other's keys even though the Redis servers are shared by the whole session. A test package's
conftest imports the fixtures.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from sanad_common.storage import Store, open_store
from tests.support.services import unique_namespace

BACKENDS = ("sqlite", "redis", "redis-cluster")


@dataclass
class Backend:
    """One kind of store under test; opens stores on it and closes them afterwards."""

    name: str
    url: str
    opened: list[Store] = field(default_factory=list)

    async def open(self, namespace: str | None = None) -> Store:
        """A store on this backend, in a fresh namespace unless one is given."""
        store = await open_store(self.url, namespace=namespace or unique_namespace())
        self.opened.append(store)
        return store

    async def open_twins(self) -> tuple[Store, Store]:
        """Two separate stores (two pools, or two SQLite connections) on one fresh namespace,
        as two replicas or processes would have."""
        namespace = unique_namespace()
        return await self.open(namespace), await self.open(namespace)

    async def close_all(self) -> None:
        """Close every store opened here."""
        for store in self.opened:
            await store.aclose()
        self.opened.clear()


def sqlite_url(path: Path) -> str:
    """The ``sqlite://`` URL of an absolute file path."""
    return f"sqlite:///{path.absolute()}"


@pytest.fixture(params=BACKENDS)
def backend_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of one backend; the Redis servers start only when a test needs them."""
    name: str = request.param
    if name == "sqlite":
        return sqlite_url(tmp_path / "store.db")
    fixture = "redis_url" if name == "redis" else "redis_cluster_url"
    url: str = request.getfixturevalue(fixture)
    return url


@pytest.fixture
async def backend(request: pytest.FixtureRequest, backend_url: str) -> AsyncIterator[Backend]:
    """The backend of this test's parameter."""
    opened = Backend(name=request.node.callspec.params["backend_url"], url=backend_url)
    yield opened
    await opened.close_all()
