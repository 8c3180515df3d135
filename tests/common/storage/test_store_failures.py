"""What callers see when the store is misconfigured or cannot be reached.

A store that does not answer must raise StoreUnavailableError (never a raw driver exception),
so services can degrade in one place; a malformed URL or namespace is a configuration error
and raises ValueError before anything is contacted.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from sanad_common.storage import CounterDelta, Store, StoreUnavailableError, open_store
from sanad_common.storage.redis_store import _retry_if_dropped
from sanad_common.storage.sqlite_store import SQLiteStore
from sanad_launcher.ports import free_port
from sanad_launcher.redis_server import RedisServer
from tests.support.backends import sqlite_url
from tests.support.services import unique_namespace

# Generous: a refused connection fails in milliseconds; this only guards against hanging.
QUICKLY = 5.0


@pytest.mark.parametrize("suffix", ["", "?cluster=true"])
async def test_open_store_on_a_closed_port_is_unavailable(suffix: str) -> None:
    url = f"redis://127.0.0.1:{free_port()}/0{suffix}"
    with pytest.raises(StoreUnavailableError) as raised:
        await asyncio.wait_for(open_store(url), QUICKLY)
    assert raised.value.__cause__ is not None


_OPERATIONS: dict[str, Callable[[Store], Awaitable[object]]] = {
    "ping": lambda store: store.ping(),
    "get": lambda store: store.get("k"),
    "get_many": lambda store: store.get_many(["k", "j"]),
    "set": lambda store: store.set("k", b"v", ttl=5),
    "set_if_absent": lambda store: store.set_if_absent("k", b"v"),
    "pop": lambda store: store.pop("k"),
    "delete": lambda store: store.delete("k"),
    "keys_with_prefix": lambda store: store.keys_with_prefix(""),
    "delete_prefix": lambda store: store.delete_prefix(""),
    "add_counters": lambda store: store.add_counters(
        [CounterDelta("{q}a", 1, limit=5)], enforce_limits=True
    ),
    "get_counters": lambda store: store.get_counters(["{q}a"]),
    "delete_counters": lambda store: store.delete_counters("{q}a"),
}


@pytest.mark.parametrize("cluster", [False, True], ids=["redis", "redis-cluster"])
async def test_operations_on_a_killed_redis_are_unavailable(cluster: bool) -> None:
    server = RedisServer(cluster=cluster)
    server.start()
    try:
        store = await open_store(server.url, namespace=unique_namespace())
        await store.set("k", b"v")
        await store.add_counters([CounterDelta("{q}a", 1)])
    finally:
        server.stop()
    try:
        for name, operation in _OPERATIONS.items():
            with pytest.raises(StoreUnavailableError) as raised:
                await asyncio.wait_for(operation(store), QUICKLY)
            assert raised.value.__cause__ is not None, name
    finally:
        await store.aclose()


@pytest.mark.parametrize(
    "url",
    [
        "",
        "memory://",
        "ftp://127.0.0.1/x",
        "redis://",
        "redis://127.0.0.1:notaport/0",
        "redis://127.0.0.1:0/0",
        "redis://127.0.0.1:6379/abc",
        "redis://127.0.0.1:6379/0?cluster=maybe",
        "redis://127.0.0.1:6379/1?cluster=true",
        "redis://127.0.0.1:6379/0?bogus=1",
        "redis://127.0.0.1:6379/0#fragment",
        "sqlite:relative.db",
        "sqlite://host/file.db",
        "sqlite:///",
        "sqlite:///dir/",
        "sqlite:///:memory:",
        "sqlite:///file.db?mode=ro",
    ],
)
async def test_bad_urls_are_value_errors(url: str) -> None:
    with pytest.raises(ValueError):
        await open_store(url)


@pytest.mark.parametrize("namespace", ["", "a:b", "{tag}", "with space", "star*"])
async def test_bad_namespaces_are_value_errors(
    namespace: str, redis_url: str, tmp_path: Path
) -> None:
    with pytest.raises(ValueError):
        await open_store(redis_url, namespace=namespace)
    with pytest.raises(ValueError):
        await open_store(sqlite_url(tmp_path / "store.db"), namespace=namespace)
    assert not (tmp_path / "store.db").exists()


async def test_redis_cluster_refuses_counters_in_different_slots(redis_cluster_url: str) -> None:
    store = await open_store(redis_cluster_url, namespace=unique_namespace())
    try:
        with pytest.raises(ValueError, match="hash tag"):
            await store.add_counters([CounterDelta("{a}x", 1), CounterDelta("{b}x", 1)])
        assert await store.get_counters(["{a}x", "{b}x"]) == [0, 0]
    finally:
        await store.aclose()


async def test_redis_cluster_refuses_sets_added_together_in_different_slots(
    redis_cluster_url: str,
) -> None:
    store = await open_store(redis_cluster_url, namespace=unique_namespace())
    try:
        with pytest.raises(ValueError, match="hash tag"):
            await store.set_add({"{a}s": ["m"], "{b}s": ["m"]}, ttl=60)
        assert await store.set_members(["{a}s", "{b}s"]) == [frozenset(), frozenset()]
    finally:
        await store.aclose()


async def test_sqlite_locked_for_too_long_is_unavailable(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    store = await SQLiteStore.open(sqlite_url(path), busy_timeout=0.1)
    await store.set("k", b"v")
    blocker = sqlite3.connect(path, isolation_level=None)
    try:
        blocker.execute("BEGIN IMMEDIATE")
        with pytest.raises(StoreUnavailableError) as raised:
            await store.add_counters([CounterDelta("a", 1)])
        assert isinstance(raised.value.__cause__, sqlite3.OperationalError)
        # WAL: readers are not blocked by the writer.
        assert await store.get("k") == b"v"
        blocker.execute("ROLLBACK")
        assert await store.add_counters([CounterDelta("a", 1)]) is not None
    finally:
        blocker.close()
        await store.aclose()


async def test_sqlite_file_that_cannot_be_opened_is_unavailable(tmp_path: Path) -> None:
    (tmp_path / "store.db").mkdir()  # a directory where the file should be
    with pytest.raises(StoreUnavailableError):
        await open_store(sqlite_url(tmp_path / "store.db"))


async def test_redis_restart_costs_reads_nothing_and_writes_at_most_one_failure() -> None:
    server = RedisServer()
    server.start()
    try:
        store = await open_store(server.url, namespace=unique_namespace())
        await asyncio.gather(*(store.set(f"k{i}", b"v") for i in range(5)))
        server.stop()
        server.start()  # same port, empty data
        # Reads and plain SET are retried once on a dropped connection.
        assert await store.get("k0") is None
        assert await store.get_many(["k1", "k2"]) == [None, None]
        await store.set("k3", b"again")
        # Non-idempotent operations are never replayed: each may fail once, then recovers.
        outcomes: list[bool] = []
        for _ in range(3):
            try:
                outcomes.append((await store.add_counters([CounterDelta("a", 1)])).applied)
            except StoreUnavailableError:
                outcomes.append(False)
        assert outcomes[1:] == [True, True]
        assert await store.pop("k3") == b"again"
    finally:
        await store.aclose()
        server.stop()


_UVLOOP_CLOSED = RuntimeError(
    "unable to perform operation on <TCPTransport closed=True reading=False 0x7f>; "
    "the handler is closed"
)
"""What uvloop raises on a write to a connection the server closed after redis-py's check."""


async def test_a_write_on_a_connection_closed_under_it_is_retried_once() -> None:
    attempts: list[int] = []

    async def operation() -> str:
        attempts.append(len(attempts))
        if len(attempts) == 1:
            raise _UVLOOP_CLOSED
        return "answered"

    assert await _retry_if_dropped(operation) == "answered"
    assert len(attempts) == 2


async def test_a_connection_closed_under_every_attempt_is_unavailable_not_a_runtime_error() -> None:
    async def operation() -> str:
        raise _UVLOOP_CLOSED

    with pytest.raises(StoreUnavailableError) as raised:
        await _retry_if_dropped(operation)
    assert raised.value.__cause__ is _UVLOOP_CLOSED


async def test_another_runtime_error_is_not_taken_for_the_store() -> None:
    async def operation() -> str:
        raise RuntimeError("a bug of our own")

    with pytest.raises(RuntimeError, match="a bug of our own"):
        await _retry_if_dropped(operation)
