"""SQLite-only behaviour: the file's location, durability, and sharing it between processes.

Two SQLiteStore instances on one file have two connections, exactly as two service processes
would, so their races go through SQLite's file locking rather than the in-process lock.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from pathlib import Path

import pytest

from sanad_common.storage import (
    AddToSets,
    CounterDelta,
    Put,
    StoreUnavailableError,
    open_store,
)
from sanad_common.storage.sqlite_store import SQLiteStore, sqlite_path
from tests.support.backends import sqlite_url


def test_relative_and_absolute_urls(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert sqlite_path("sqlite:///data/sanad.db") == tmp_path / "data" / "sanad.db"
    assert sqlite_path("sqlite:////var/lib/sanad.db") == Path("/var/lib/sanad.db")
    assert sqlite_path("sqlite:///with%20space.db") == tmp_path / "with space.db"


async def test_relative_url_creates_parent_directories(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    store = await open_store("sqlite:///var/nested/sanad.db")
    await store.aclose()
    assert (tmp_path / "var" / "nested" / "sanad.db").is_file()


async def test_data_survives_reopening(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path / "store.db")
    store = await open_store(url, namespace="durable")
    await store.set("entry", b"value")
    await store.set("expiring", b"value", ttl=60)
    await store.add_counters([CounterDelta("counter", 7, expires_at=time.time() + 60)])
    await store.aclose()

    reopened = await open_store(url, namespace="durable")
    try:
        assert await reopened.get_many(["entry", "expiring"]) == [b"value", b"value"]
        assert await reopened.get_counters(["counter"]) == [7]
    finally:
        await reopened.aclose()


async def test_file_is_in_wal_mode(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    store = await open_store(sqlite_url(path))
    await store.aclose()
    with sqlite3.connect(path) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)


async def test_limits_hold_across_two_connections(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path / "store.db")
    first, second = await SQLiteStore.open(url), await SQLiteStore.open(url)
    try:
        delta = [CounterDelta("slots", 1, limit=10)]
        results = await asyncio.gather(
            *(
                (first if i % 2 else second).add_counters(delta, enforce_limits=True)
                for i in range(50)
            )
        )
        applied = [result for result in results if result.applied]
        assert len(applied) == 10
        assert await second.get_counters(["slots"]) == [10]
    finally:
        await first.aclose()
        await second.aclose()


async def test_expired_rows_are_purged_a_batch_per_write(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    store = await open_store(sqlite_url(path))
    try:
        # In one write, so none of them can expire (and be purged) before the last is written.
        await store.set_many({f"old:{index}": b"v" for index in range(100)}, ttl=0.05)
        await asyncio.sleep(0.2)  # waits out the TTL on purpose
        await store.set("trigger", b"v")
        with sqlite3.connect(path) as connection:
            (remaining,) = connection.execute("SELECT count(*) FROM entries").fetchone()
        # One write purged some expired rows, but not necessarily all of them.
        assert 1 < remaining < 101
        await store.add_counters([CounterDelta("c", 1)])
        assert await store.keys_with_prefix("old:") == []
    finally:
        await store.aclose()


def _file_bytes(path: Path) -> int:
    """The database file's size once its write-ahead log is checkpointed into it."""
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path.stat().st_size


async def test_the_file_stops_growing_under_steady_traffic_with_ttls(tmp_path: Path) -> None:
    # Each round writes fresh entries, set members and counters as the analyzer does per
    # answer, then waits out their TTL on purpose: the file must settle at the size of what is
    # live, not grow with everything ever written.
    path = tmp_path / "store.db"
    store = await open_store(sqlite_url(path))
    sizes = []
    try:
        for round_ in range(24):
            for batch in range(20):
                tag = f"{round_}:{batch}"
                await store.write(
                    [
                        *(Put(f"answer:{tag}:{n}", bytes(2000), ttl=0.3) for n in range(5)),
                        AddToSets({f"band:{tag}:{n}": [tag] for n in range(5)}, ttl=0.3),
                    ]
                )
                await store.add_counters(
                    [CounterDelta(f"count:{tag}", 1, expires_at=time.time() + 0.3)]
                )
            sizes.append(_file_bytes(path))
            await asyncio.sleep(0.4)  # waits out the TTL on purpose
        with sqlite3.connect(path) as connection:
            (entries,) = connection.execute("SELECT count(*) FROM entries").fetchone()
    finally:
        await store.aclose()
    # 24 rounds wrote 2,400 entries of 2 KB (4.8 MB); a round's worth is live at a time.
    assert entries < 400
    assert sizes[-1] <= sizes[5] * 1.2, sizes


@pytest.mark.parametrize("steps", range(12))
async def test_a_cancelled_transaction_leaves_the_store_usable(tmp_path: Path, steps: int) -> None:
    # Cancel after a varying number of event-loop steps, so the cancellation lands before the
    # operation reaches the worker thread, while it runs there, and after it finished.
    store = await open_store(sqlite_url(tmp_path / "store.db"))
    try:
        task = asyncio.create_task(store.add_counters([CounterDelta("c", 1)]))
        for _ in range(steps):
            await asyncio.sleep(0)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        result = await store.add_counters([CounterDelta("c", 1)])
        assert result.applied
        assert result.values[0] in (1, 2)
        assert await store.set_if_absent("k", b"v")
    finally:
        await store.aclose()


async def test_sets_written_before_the_sets_table_keep_their_members_and_expiry(
    tmp_path: Path,
) -> None:
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as db:
        db.execute(
            "CREATE TABLE set_members (key TEXT NOT NULL, member TEXT NOT NULL,"
            " expires_at REAL NOT NULL, PRIMARY KEY (key, member)) WITHOUT ROWID"
        )
        later, past = time.time() + 600, time.time() - 1
        db.executemany(
            "INSERT INTO set_members VALUES (?, ?, ?)",
            [("sanad:live", "a", later), ("sanad:live", "b", later), ("sanad:gone", "c", past)],
        )
    store = await open_store(f"sqlite:///{path}")
    try:
        members = await store.set_members(["live", "gone"])
        await store.set_add({"gone": ["d"]}, ttl=60)
        again = await store.set_members(["gone"])
    finally:
        await store.aclose()

    assert members == [frozenset({"a", "b"}), frozenset()]
    assert again == [frozenset({"d"})]


async def test_a_caller_cancelled_mid_operation_leaves_it_whole_and_no_transaction_open(
    tmp_path: Path,
) -> None:
    # The operation is known to be running on the worker thread (it said so) when its caller
    # is cancelled: it still runs to its end, so both of its writes land, and the next
    # operation starts a transaction of its own.
    store = await SQLiteStore.open(sqlite_url(tmp_path / "store.db"))
    started, release = threading.Event(), threading.Event()
    prefix = store.key_prefix

    def two_writes(db: sqlite3.Connection) -> None:
        db.execute("INSERT INTO entries (key, value) VALUES (?, ?)", (prefix + "first", b"1"))
        started.set()
        release.wait(10)
        db.execute("INSERT INTO entries (key, value) VALUES (?, ?)", (prefix + "second", b"2"))

    try:
        task = asyncio.create_task(store.run_transaction(two_writes))
        assert await asyncio.to_thread(started.wait, 10)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        assert task.cancelled()
        release.set()
        assert await store.get_many(["first", "second"]) == [b"1", b"2"]
        assert await store.set_if_absent("k", b"v")
    finally:
        release.set()
        await store.aclose()


async def test_an_extension_transaction_that_raises_is_rolled_back(tmp_path: Path) -> None:
    store = await SQLiteStore.open(sqlite_url(tmp_path / "store.db"))
    key = store.key_prefix + "written"

    def write_then_fail(db: sqlite3.Connection) -> None:
        db.execute("INSERT INTO entries (key, value) VALUES (?, ?)", (key, b"v"))
        raise LookupError("the operation found something wrong")

    try:
        with pytest.raises(LookupError):
            await store.run_transaction(write_then_fail)
        assert await store.get("written") is None
        assert await store.run_transaction(lambda db: db.in_transaction) is True
        assert await store.set_if_absent("written", b"later")
    finally:
        await store.aclose()


async def test_a_closed_store_refuses_operations_as_unavailable(tmp_path: Path) -> None:
    store = await SQLiteStore.open(sqlite_url(tmp_path / "store.db"))
    pending = asyncio.create_task(store.set("before", b"v"))
    await asyncio.sleep(0)
    await store.aclose()
    await pending  # started before aclose, so it ran before the connection closed
    with pytest.raises(StoreUnavailableError, match="closed"):
        await store.get("before")
    await store.aclose()
    reopened = await SQLiteStore.open(sqlite_url(tmp_path / "store.db"))
    try:
        assert await reopened.get("before") == b"v"
    finally:
        await reopened.aclose()
