"""SQLite quota tables: each operation's purge of expired rows is served by an index, so it
costs the same on a full file as on an empty one."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from sanad_common.storage import open_store
from sanad_quota.storage import quota_store
from sanad_quota.storage.sqlite_adapter import PURGED
from tests.quota.storage.test_quota_store import reserve, tallies
from tests.support.backends import sqlite_url


async def test_every_purge_reads_an_index_not_the_table(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    store = await open_store(sqlite_url(path))
    try:
        now = time.time()
        await reserve(quota_store(store), now, tallies(now))  # creates the quota tables
    finally:
        await store.aclose()
    with sqlite3.connect(path) as connection:
        for table, column in PURGED:
            plan = connection.execute(
                f"EXPLAIN QUERY PLAN SELECT key FROM {table} WHERE {column} <= ? LIMIT 64",
                (time.time(),),
            ).fetchall()
            details = " ".join(str(row[-1]) for row in plan)
            assert "INDEX" in details and "SCAN" not in details, (table, details)
