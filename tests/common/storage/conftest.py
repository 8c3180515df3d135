"""Store backends for the storage tests: SQLite on a temporary file, Redis, and Redis Cluster.

Each test gets a fresh namespace (and, for SQLite, a fresh file), so tests never see each
other's keys even though the Redis servers are shared by the whole session.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from sanad_common.storage import Store, open_store
from sanad_launcher.redis_server import RedisServer

BACKENDS = ("sqlite", "redis", "redis-cluster")


def unique_namespace() -> str:
    """A namespace no other test uses."""
    return f"t{uuid.uuid4().hex[:16]}"


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


@pytest.fixture(scope="session")
def redis_cluster_url() -> Iterator[str]:
    """URL (with ``?cluster=true``) of a one-node Redis Cluster owning every slot."""
    with RedisServer(cluster=True) as server:
        yield server.url


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


@pytest.fixture
async def store(backend: Backend) -> Store:
    """A store in a fresh namespace on this test's backend."""
    return await backend.open()
