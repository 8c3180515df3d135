"""Fixtures shared by every test package: keep this small and general."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from sanad_launcher.redis_server import RedisServer


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """URL of a real, empty-at-start ``redis-server`` on 127.0.0.1, shared by the session.

    Tests sharing it must keep their keys apart, e.g. with a unique storage namespace.
    """
    with RedisServer() as server:
        yield server.url


@pytest.fixture(scope="session")
def redis_cluster_url() -> Iterator[str]:
    """URL (with ``?cluster=true``) of a one-node Redis Cluster owning every slot, shared by
    the session like redis_url."""
    with RedisServer(cluster=True) as server:
        yield server.url
