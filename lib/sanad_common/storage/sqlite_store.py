"""SQLite adapter of the storage port: the embedded default for a single host.

Why it looks the way it does:

* One database file may be shared by several processes (the three services on one host), so
  the file runs in WAL mode (readers never block the single writer) with a busy timeout, and
  every read-modify-write (``add_counters``, ``pop``, ``set_if_absent``...) runs inside
  ``BEGIN IMMEDIATE``: the write lock is taken before anything is read, so two processes can
  never both see the same state and act on it, and a waiting writer cannot fail with a stale
  snapshot.
* ``synchronous=NORMAL``: in WAL mode a commit is never lost or corrupted when a process
  crashes; only the last transactions before a power cut or kernel crash may roll back. What
  the store holds (rate windows, reservations, circuit state) is short-lived, and a lost
  millisecond of it after a power cut is harmless, whereas ``FULL`` would add an fsync to every
  counter update on the request path.
* aiosqlite runs the connection on its own thread and would interleave statements of
  concurrent coroutines, so every use of the connection holds an asyncio.Lock; a transaction
  interrupted by cancellation is rolled back before the lock is released.
* Expired rows stay in the table until removed but every read filters them out; each write
  also deletes a bounded batch of expired rows of the table it writes (through an index on
  ``expires_at``), so cleanup costs little per request and never scans the whole table, and
  under steady traffic the pages freed are reused, so the file stops growing once entries
  expire as fast as they come. The write-ahead log is truncated after checkpoints
  (``WAL_SIZE_LIMIT``).
* Entries, counters and sets are separate tables, so listing entries never shows counters.
  A set is its row in ``sets`` (its expiry) and its rows in ``set_members``; adding to it
  moves the one expiry, so the set expires as one, as a Redis set does, at a cost that does
  not grow with the set (the members' own ``expires_at`` column is kept for files written
  before, and no longer read).
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import unquote, urlsplit

import aiosqlite

from sanad_common.storage._common import check_namespace, ttl_milliseconds
from sanad_common.storage.extension import Extension
from sanad_common.storage.port import (
    AddToSets,
    CounterDelta,
    CounterResult,
    Put,
    StoreUnavailableError,
    Write,
)

_T = TypeVar("_T")

BUSY_TIMEOUT = 5.0
"""Seconds to wait for another process's write lock before the store counts as unavailable."""

WAL_SIZE_LIMIT = 16 * 1024 * 1024
"""Bytes the write-ahead log is truncated to after a checkpoint: without a limit it keeps the
size of its largest burst for good."""

# DELETE ... RETURNING needs SQLite 3.35.
_MIN_SQLITE_VERSION = (3, 35, 0)
_PURGE_BATCH = 64
# Well below SQLite's limit on bound parameters per statement.
_MAX_PARAMS = 500

# Primary result codes meaning the file cannot be opened, locked, read or written right now.
_UNAVAILABLE_CODES = frozenset(
    {
        sqlite3.SQLITE_PERM,
        sqlite3.SQLITE_BUSY,
        sqlite3.SQLITE_LOCKED,
        sqlite3.SQLITE_READONLY,
        sqlite3.SQLITE_IOERR,
        sqlite3.SQLITE_FULL,
        sqlite3.SQLITE_CANTOPEN,
        sqlite3.SQLITE_PROTOCOL,
    }
)

_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS entries (
        key TEXT PRIMARY KEY,
        value BLOB NOT NULL,
        expires_at REAL
    ) WITHOUT ROWID""",
    """CREATE INDEX IF NOT EXISTS entries_expires_at
        ON entries (expires_at) WHERE expires_at IS NOT NULL""",
    """CREATE TABLE IF NOT EXISTS counters (
        key TEXT PRIMARY KEY,
        value INTEGER NOT NULL,
        expires_at REAL
    ) WITHOUT ROWID""",
    """CREATE INDEX IF NOT EXISTS counters_expires_at
        ON counters (expires_at) WHERE expires_at IS NOT NULL""",
    """CREATE TABLE IF NOT EXISTS set_members (
        key TEXT NOT NULL,
        member TEXT NOT NULL,
        expires_at REAL NOT NULL,
        PRIMARY KEY (key, member)
    ) WITHOUT ROWID""",
    # Members' own expiry is no longer read; its index only cost every set addition a write.
    """DROP INDEX IF EXISTS set_members_expires_at""",
    """CREATE TABLE IF NOT EXISTS sets (
        key TEXT PRIMARY KEY,
        expires_at REAL NOT NULL
    ) WITHOUT ROWID""",
    """CREATE INDEX IF NOT EXISTS sets_expires_at ON sets (expires_at)""",
    # A file written before the sets table: each set's expiry was on its members.
    """INSERT OR IGNORE INTO sets (key, expires_at)
        SELECT key, max(expires_at) FROM set_members GROUP BY key""",
)

_LIVE = "(expires_at IS NULL OR expires_at > ?)"


@contextmanager
def _unavailable_on_errors() -> Iterator[None]:
    """Turn "cannot open / lock / write the file" errors into StoreUnavailableError."""
    try:
        yield
    except sqlite3.Error as error:
        code = getattr(error, "sqlite_errorcode", None)
        if code is not None and code & 0xFF in _UNAVAILABLE_CODES:
            raise StoreUnavailableError(f"SQLite store unavailable: {error}") from error
        raise


def sqlite_path(url: str) -> Path:
    """The database file of ``sqlite:///relative/path.db`` or ``sqlite:////absolute/path.db``.

    A relative path is resolved against the current working directory now, so a later
    ``chdir`` does not move the store. Raises ValueError for any other form (a host, a query,
    no file name, or ``:memory:``, which would not be shared or durable).
    """
    parts = urlsplit(url)
    if parts.scheme != "sqlite" or not url[len("sqlite:") :].startswith("///"):
        raise ValueError(
            f"not an SQLite URL (sqlite:///relative.db or sqlite:////absolute.db): {url!r}"
        )
    if parts.query or parts.fragment:
        raise ValueError(f"SQLite URL takes no query or fragment: {url!r}")
    path = unquote(parts.path)[1:]
    if not path or path.endswith("/") or path == ":memory:":
        raise ValueError(f"SQLite URL must name a database file: {url!r}")
    return Path(path).absolute()


@dataclass
class _CounterPlan:
    """What add_counters does to the counters it read: the result, and the rows to write."""

    result: CounterResult
    rows: dict[str, tuple[int, float | None]]


def _plan_counters(
    deltas: Sequence[CounterDelta],
    full_keys: Sequence[str],
    current: dict[str, tuple[int, float | None]],
    enforce_limits: bool,
) -> _CounterPlan:
    """Apply deltas in order to the live values in ``current`` (missing keys count as 0).

    With enforce_limits a positive delta that takes its counter's running total past its limit
    refuses the whole update. A delta with expires_at sets the counter's expiry; otherwise a
    live counter keeps its own. The same rules as the Redis Lua script.
    """
    before = {key: current.get(key, (0, None)) for key in full_keys}
    after = dict(before)
    for index, (delta, key) in enumerate(zip(deltas, full_keys, strict=True)):
        value, expires_at = after[key]
        value += delta.amount
        if enforce_limits and delta.amount > 0 and delta.limit is not None and value > delta.limit:
            values = tuple(before[key][0] for key in full_keys)
            return _CounterPlan(CounterResult(False, values, index), {})
        if delta.expires_at is not None:
            expires_at = delta.expires_at
        after[key] = (value, expires_at)
    return _CounterPlan(CounterResult(True, tuple(after[key][0] for key in full_keys)), after)


def _chunks(items: Sequence[str]) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), _MAX_PARAMS):
        yield items[start : start + _MAX_PARAMS]


def _marks(count: int) -> str:
    return ",".join("?" * count)


def _prefix_range(prefix: str) -> tuple[str, str]:
    """Bounds [low, high) of the keys starting with prefix, so the primary key index serves.

    Text compares as UTF-8 bytes, which orders like code points, so the smallest string after
    every extension of prefix is prefix with its last incrementable code point incremented.
    Our prefixes start with the (ASCII) namespace, so one always is.
    """
    for index in range(len(prefix) - 1, -1, -1):
        code = ord(prefix[index]) + 1
        if code == 0xD800:  # skip the surrogates, which UTF-8 cannot encode
            code = 0xE000
        if code <= 0x10FFFF:
            return prefix, prefix[:index] + chr(code)
    raise ValueError(f"no key range for prefix {prefix!r}")


class SQLiteStore:
    """The storage port on one SQLite file (see the module docstring)."""

    def __init__(self, connection: aiosqlite.Connection, *, namespace: str = "sanad") -> None:
        """Wrap an open connection prepared by :meth:`open`; use that instead."""
        self._db = connection
        self._prefix = check_namespace(namespace) + ":"
        self._lock = asyncio.Lock()

    @classmethod
    async def open(
        cls, url: str, *, namespace: str = "sanad", busy_timeout: float = BUSY_TIMEOUT
    ) -> SQLiteStore:
        """Open (creating if needed) the database of an ``sqlite://`` URL and its tables."""
        if sqlite3.sqlite_version_info < _MIN_SQLITE_VERSION:
            raise RuntimeError(
                f"SQLite {sqlite3.sqlite_version} is too old; the store needs 3.35 or newer"
            )
        path = sqlite_path(url)
        check_namespace(namespace)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise StoreUnavailableError(f"cannot create {path.parent}: {error}") from error
        with _unavailable_on_errors():
            # timeout is SQLite's busy timeout; isolation_level=None leaves transactions to us.
            connection = await aiosqlite.connect(path, timeout=busy_timeout, isolation_level=None)
        store = cls(connection, namespace=namespace)
        try:
            await store._prepare()
        except BaseException:
            await connection.close()
            raise
        return store

    async def _prepare(self) -> None:
        with _unavailable_on_errors():
            rows = await self._db.execute_fetchall("PRAGMA journal_mode = WAL")
            mode = next(iter(rows))[0]
            if str(mode).lower() != "wal":
                raise StoreUnavailableError(f"SQLite could not switch to WAL mode (got {mode})")
            await self._db.execute("PRAGMA synchronous = NORMAL")
            await self._db.execute(f"PRAGMA journal_size_limit = {WAL_SIZE_LIMIT}")
        async with self._write() as db:
            for statement in _SCHEMA:
                await db.execute(statement)

    @asynccontextmanager
    async def _write(self) -> AsyncIterator[aiosqlite.Connection]:
        """One write transaction holding the file's write lock from its start."""
        async with self._lock:
            with _unavailable_on_errors():
                try:
                    # Inside the try: if cancelled while BEGIN is queued on aiosqlite's
                    # thread, the rollback queued after it still ends the transaction.
                    await self._db.execute("BEGIN IMMEDIATE")
                    yield self._db
                    await self._db.commit()
                except BaseException:
                    await self._db.rollback()
                    raise

    def transaction(self) -> AbstractAsyncContextManager[aiosqlite.Connection]:
        """One write transaction, for an adapter extension (such as quota's) whose operation
        must be a single atomic step; keys it writes should start with :attr:`key_prefix`."""
        return self._write()

    @property
    def key_prefix(self) -> str:
        """The namespace prefix every key of this store starts with."""
        return self._prefix

    def extend(self, extension: Extension[_T]) -> _T:
        """What the extension builds on this store's transactions (see ``extension``)."""
        return extension.on_sqlite(self)

    async def _read(self, sql: str, parameters: Sequence[Any]) -> list[sqlite3.Row]:
        async with self._lock:
            with _unavailable_on_errors():
                return list(await self._db.execute_fetchall(sql, parameters))

    async def _purge(self, db: aiosqlite.Connection, table: str, now: float) -> None:
        """Delete a bounded batch of expired rows of table (entries or counters)."""
        await db.execute(
            f"DELETE FROM {table} WHERE key IN (SELECT key FROM {table}"
            " WHERE expires_at IS NOT NULL AND expires_at <= ? LIMIT ?)",
            (now, _PURGE_BATCH),
        )

    def _key(self, key: str) -> str:
        return self._prefix + key

    async def ping(self) -> None:
        """Check the file can be read; raise StoreUnavailableError if not."""
        await self._read("SELECT count(*) FROM sqlite_schema", ())

    async def aclose(self) -> None:
        """Close the connection (waiting for an operation in progress)."""
        async with self._lock:
            await self._db.close()

    async def get(self, key: str) -> bytes | None:
        """The value of a live entry, or None."""
        rows = await self._read(
            f"SELECT value FROM entries WHERE key = ? AND {_LIVE}", (self._key(key), time.time())
        )
        return bytes(rows[0][0]) if rows else None

    async def get_many(self, keys: Sequence[str]) -> list[bytes | None]:
        """Values of several entries, in order; None for each missing one."""
        full_keys = [self._key(key) for key in keys]
        found: dict[str, bytes] = {}
        now = time.time()
        for chunk in _chunks(list(dict.fromkeys(full_keys))):
            rows = await self._read(
                f"SELECT key, value FROM entries WHERE key IN ({_marks(len(chunk))}) AND {_LIVE}",
                (*chunk, now),
            )
            found.update((row[0], bytes(row[1])) for row in rows)
        return [found.get(key) for key in full_keys]

    async def set(self, key: str, value: bytes, *, ttl: float | None = None) -> None:
        """Write an entry, replacing any; it expires after ttl seconds when given."""
        now = time.time()
        async with self._write() as db:
            await self._put(db, Put(key, value, ttl), now)
            await self._purge(db, "entries", now)

    async def set_many(self, entries: Mapping[str, bytes], *, ttl: float | None = None) -> None:
        """Write several entries in one transaction, replacing any."""
        now = time.time()
        expires_at = None if ttl is None else now + ttl_milliseconds(ttl) / 1000
        if not entries:
            return
        async with self._write() as db:
            await db.executemany(
                "INSERT INTO entries (key, value, expires_at) VALUES (?, ?, ?)"
                " ON CONFLICT (key) DO UPDATE"
                " SET value = excluded.value, expires_at = excluded.expires_at",
                [(self._key(key), value, expires_at) for key, value in entries.items()],
            )
            await self._purge(db, "entries", now)

    async def set_if_absent(self, key: str, value: bytes, *, ttl: float | None = None) -> bool:
        """Write an entry only if no live entry has the key; True if written.

        An expired row with the key is replaced, as if it were already gone.
        """
        now = time.time()
        async with self._write() as db:
            written = await self._put(db, Put(key, value, ttl, only_if_absent=True), now)
            await self._purge(db, "entries", now)
        return written

    async def write(self, writes: Sequence[Write]) -> list[bool]:
        """Apply several writes in one transaction, in order; for each, whether it was
        written."""
        if not writes:
            return []
        now = time.time()
        written: list[bool] = []
        async with self._write() as db:
            for item in writes:
                if isinstance(item, Put):
                    written.append(await self._put(db, item, now))
                elif isinstance(item, AddToSets):
                    await self._add_to_sets(db, item.additions, item.ttl, now)
                    written.append(True)
                else:
                    await self._delete_rows(db, "entries", item.keys, now)
                    written.append(True)
            await self._purge(db, "entries", now)
            await self._purge_sets(db, now)
        return written

    async def _put(self, db: aiosqlite.Connection, put: Put, now: float) -> bool:
        """One entry written inside a transaction; False if only_if_absent found it taken."""
        expires_at = None if put.ttl is None else now + ttl_milliseconds(put.ttl) / 1000
        if not put.only_if_absent:
            await db.execute(
                "INSERT INTO entries (key, value, expires_at) VALUES (?, ?, ?)"
                " ON CONFLICT (key) DO UPDATE"
                " SET value = excluded.value, expires_at = excluded.expires_at",
                (self._key(put.key), put.value, expires_at),
            )
            return True
        rows = await db.execute_fetchall(
            "INSERT INTO entries (key, value, expires_at) VALUES (?, ?, ?)"
            " ON CONFLICT (key) DO UPDATE"
            " SET value = excluded.value, expires_at = excluded.expires_at"
            " WHERE entries.expires_at IS NOT NULL AND entries.expires_at <= ?"
            " RETURNING 1",
            (self._key(put.key), put.value, expires_at, now),
        )
        return bool(list(rows))

    async def pop(self, key: str) -> bytes | None:
        """Remove an entry and return its value, atomically (DELETE ... RETURNING)."""
        now = time.time()
        async with self._write() as db:
            rows = list(
                await db.execute_fetchall(
                    f"DELETE FROM entries WHERE key = ? AND {_LIVE} RETURNING value",
                    (self._key(key), now),
                )
            )
            await self._purge(db, "entries", now)
        return bytes(rows[0][0]) if rows else None

    async def delete(self, *keys: str) -> int:
        """Remove entries; the number of live entries removed."""
        return await self._delete("entries", keys)

    async def keys_with_prefix(self, prefix: str) -> list[str]:
        """Keys of live entries (not counters) starting with prefix, without the namespace."""
        where, parameters = self._prefix_where(prefix)
        rows = await self._read(
            f"SELECT key FROM entries WHERE {where} AND {_LIVE} ORDER BY key",
            (*parameters, time.time()),
        )
        strip = len(self._prefix)
        return [str(row[0])[strip:] for row in rows]

    async def delete_prefix(self, prefix: str) -> int:
        """Remove every live entry whose key starts with prefix; the number removed."""
        where, parameters = self._prefix_where(prefix)
        now = time.time()
        async with self._write() as db:
            rows = await db.execute_fetchall(
                f"DELETE FROM entries WHERE {where} AND {_LIVE} RETURNING 1",
                (*parameters, now),
            )
            removed = len(list(rows))
            await self._purge(db, "entries", now)
        return removed

    async def add_counters(
        self, deltas: Sequence[CounterDelta], *, enforce_limits: bool = False
    ) -> CounterResult:
        """Add to several counters as one atomic step (one immediate transaction)."""
        if not deltas:
            return CounterResult(applied=True, values=())
        full_keys = [self._key(delta.key) for delta in deltas]
        unique = list(dict.fromkeys(full_keys))
        now = time.time()
        async with self._write() as db:
            current: dict[str, tuple[int, float | None]] = {}
            for chunk in _chunks(unique):
                rows = await db.execute_fetchall(
                    "SELECT key, value, expires_at FROM counters"
                    f" WHERE key IN ({_marks(len(chunk))}) AND {_LIVE}",
                    (*chunk, now),
                )
                current.update((row[0], (int(row[1]), row[2])) for row in rows)
            plan = _plan_counters(deltas, full_keys, current, enforce_limits)
            if plan.rows:
                await db.executemany(
                    "INSERT INTO counters (key, value, expires_at) VALUES (?, ?, ?)"
                    " ON CONFLICT (key) DO UPDATE"
                    " SET value = excluded.value, expires_at = excluded.expires_at",
                    [(key, value, expires_at) for key, (value, expires_at) in plan.rows.items()],
                )
                await self._purge(db, "counters", now)
        return plan.result

    async def get_counters(self, keys: Sequence[str]) -> list[int]:
        """Current values of counters, 0 for missing or expired ones."""
        full_keys = [self._key(key) for key in keys]
        found: dict[str, int] = {}
        now = time.time()
        for chunk in _chunks(list(dict.fromkeys(full_keys))):
            rows = await self._read(
                f"SELECT key, value FROM counters WHERE key IN ({_marks(len(chunk))}) AND {_LIVE}",
                (*chunk, now),
            )
            found.update((row[0], int(row[1])) for row in rows)
        return [found.get(key, 0) for key in full_keys]

    async def delete_counters(self, *keys: str) -> int:
        """Remove counters; the number removed."""
        return await self._delete("counters", keys)

    async def set_add(self, additions: Mapping[str, Sequence[str]], *, ttl: float) -> None:
        """Add members to sets and move each set's expiry to ttl from now, in one transaction."""
        if not any(additions.values()):
            return
        now = time.time()
        async with self._write() as db:
            await self._add_to_sets(db, additions, ttl, now)
            await self._purge_sets(db, now)

    async def _add_to_sets(
        self,
        db: aiosqlite.Connection,
        additions: Mapping[str, Sequence[str]],
        ttl: float,
        now: float,
    ) -> None:
        expires_at = now + ttl_milliseconds(ttl) / 1000
        full = {self._key(key): members for key, members in additions.items() if members}
        if not full:
            return
        expired = [
            str(row[0])
            for row in await db.execute_fetchall(
                f"SELECT key FROM sets WHERE key IN ({_marks(len(full))}) AND expires_at <= ?",
                (*full, now),
            )
        ]
        if expired:
            # An expired set starts again empty, as a Redis set does.
            await db.executemany("DELETE FROM set_members WHERE key = ?", [(k,) for k in expired])
        await db.executemany(
            "INSERT INTO sets (key, expires_at) VALUES (?, ?)"
            " ON CONFLICT (key) DO UPDATE SET expires_at = excluded.expires_at",
            [(key, expires_at) for key in full],
        )
        await db.executemany(
            "INSERT OR IGNORE INTO set_members (key, member, expires_at) VALUES (?, ?, ?)",
            [
                (key, member, expires_at)
                for key, members in full.items()
                for member in dict.fromkeys(members)
            ],
        )

    async def _purge_sets(self, db: aiosqlite.Connection, now: float) -> None:
        """Delete a bounded batch of expired sets with their members."""
        rows = await db.execute_fetchall(
            "DELETE FROM sets WHERE key IN"
            " (SELECT key FROM sets WHERE expires_at <= ? LIMIT ?) RETURNING key",
            (now, _PURGE_BATCH),
        )
        await db.executemany("DELETE FROM set_members WHERE key = ?", [(row[0],) for row in rows])

    async def set_members(self, keys: Sequence[str]) -> list[frozenset[str]]:
        """Members of several sets, in order; empty for a missing or expired set."""
        full_keys = [self._key(key) for key in keys]
        found: dict[str, set[str]] = {}
        now = time.time()
        for chunk in _chunks(list(dict.fromkeys(full_keys))):
            rows = await self._read(
                "SELECT m.key, m.member FROM set_members AS m JOIN sets AS s ON s.key = m.key"
                f" WHERE m.key IN ({_marks(len(chunk))}) AND s.expires_at > ?",
                (*chunk, now),
            )
            for row in rows:
                found.setdefault(str(row[0]), set()).add(str(row[1]))
        return [frozenset(found.get(key, ())) for key in full_keys]

    async def set_remove(self, key: str, members: Sequence[str]) -> int:
        """Remove members from a set; the number that were in it."""
        if not members:
            return 0
        now = time.time()
        full_key = self._key(key)
        removed = 0
        async with self._write() as db:
            for chunk in _chunks(list(dict.fromkeys(members))):
                rows = await db.execute_fetchall(
                    f"DELETE FROM set_members WHERE key = ? AND member IN ({_marks(len(chunk))})"
                    " AND EXISTS (SELECT 1 FROM sets WHERE key = ? AND expires_at > ?)"
                    " RETURNING 1",
                    (full_key, *chunk, full_key, now),
                )
                removed += len(list(rows))
        return removed

    async def delete_set_prefix(self, prefix: str) -> int:
        """Remove every live set whose key starts with prefix; the number of sets removed."""
        where, parameters = self._prefix_where(prefix)
        now = time.time()
        async with self._write() as db:
            rows = await db.execute_fetchall(
                f"DELETE FROM sets WHERE {where} AND expires_at > ? RETURNING key",
                (*parameters, now),
            )
            await db.execute(f"DELETE FROM set_members WHERE {where}", parameters)
            await self._purge_sets(db, now)
        return len(list(rows))

    async def _delete(self, table: str, keys: Sequence[str]) -> int:
        if not keys:
            return 0
        now = time.time()
        async with self._write() as db:
            removed = await self._delete_rows(db, table, keys, now)
            await self._purge(db, table, now)
        return removed

    async def _delete_rows(
        self, db: aiosqlite.Connection, table: str, keys: Sequence[str], now: float
    ) -> int:
        removed = 0
        for chunk in _chunks(list(dict.fromkeys(self._key(key) for key in keys))):
            rows = await db.execute_fetchall(
                f"DELETE FROM {table} WHERE key IN ({_marks(len(chunk))}) AND {_LIVE} RETURNING 1",
                (*chunk, now),
            )
            removed += len(list(rows))
        return removed

    def _prefix_where(self, prefix: str) -> tuple[str, tuple[str, str]]:
        return "key >= ? AND key < ?", _prefix_range(self._key(prefix))
