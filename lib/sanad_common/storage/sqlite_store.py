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
* The connection lives on one worker thread of its own, and each operation runs there whole,
  as one plain function: ``BEGIN IMMEDIATE``, its statements, ``COMMIT`` (or ``ROLLBACK`` on
  any error). An operation therefore costs one hop between the event loop and the thread,
  not one per statement (as with aiosqlite, whose per-statement hops made the store's CPU per
  request grow with the statements in it), and operations never interleave. A caller
  cancelled while waiting stops waiting; the function still runs to its end on the thread
  (or never starts, if it had not), so cancellation cannot leave a transaction open or half
  applied.
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
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import unquote, urlsplit

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


def _connect(path: Path, busy_timeout: float) -> sqlite3.Connection:
    """Open the file on the worker thread, the only thread that will use the connection."""
    with _unavailable_on_errors():
        # timeout is SQLite's busy timeout; isolation_level=None leaves transactions to us.
        return sqlite3.connect(path, timeout=busy_timeout, isolation_level=None)


def _in_transaction(operation: Callable[[sqlite3.Connection], _T], db: sqlite3.Connection) -> _T:
    """Run operation inside one write transaction holding the file's write lock from its start."""
    with _unavailable_on_errors():
        db.execute("BEGIN IMMEDIATE")
        try:
            result = operation(db)
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise
        return result


def _read_only(operation: Callable[[sqlite3.Connection], _T], db: sqlite3.Connection) -> _T:
    with _unavailable_on_errors():
        return operation(db)


def _prepare(db: sqlite3.Connection) -> None:
    """Switch the file to WAL and create the tables that are missing."""
    with _unavailable_on_errors():
        (mode,) = db.execute("PRAGMA journal_mode = WAL").fetchone()
        if str(mode).lower() != "wal":
            raise StoreUnavailableError(f"SQLite could not switch to WAL mode (got {mode})")
        db.execute("PRAGMA synchronous = NORMAL")
        db.execute(f"PRAGMA journal_size_limit = {WAL_SIZE_LIMIT}")

    def create(db: sqlite3.Connection) -> None:
        for statement in _SCHEMA:
            db.execute(statement)

    _in_transaction(create, db)


def _purge(db: sqlite3.Connection, table: str, now: float) -> None:
    """Delete a bounded batch of expired rows of table (entries or counters)."""
    db.execute(
        f"DELETE FROM {table} WHERE key IN (SELECT key FROM {table}"
        " WHERE expires_at IS NOT NULL AND expires_at <= ? LIMIT ?)",
        (now, _PURGE_BATCH),
    )


def _purge_sets(db: sqlite3.Connection, now: float) -> None:
    """Delete a bounded batch of expired sets with their members."""
    rows = db.execute(
        "DELETE FROM sets WHERE key IN"
        " (SELECT key FROM sets WHERE expires_at <= ? LIMIT ?) RETURNING key",
        (now, _PURGE_BATCH),
    ).fetchall()
    db.executemany("DELETE FROM set_members WHERE key = ?", rows)


_UPSERT_ENTRY = (
    "INSERT INTO entries (key, value, expires_at) VALUES (?, ?, ?)"
    " ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at"
)


class SQLiteStore:
    """The storage port on one SQLite file (see the module docstring)."""

    def __init__(
        self,
        connection: sqlite3.Connection,
        worker: ThreadPoolExecutor,
        *,
        namespace: str = "sanad",
    ) -> None:
        """Wrap a connection opened on worker by :meth:`open`; use that instead."""
        self._db = connection
        self._worker = worker
        self._prefix = check_namespace(namespace) + ":"
        self._closed = False

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
        worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sanad-sqlite")
        try:
            connection = await asyncio.get_running_loop().run_in_executor(
                worker, _connect, path, busy_timeout
            )
        except BaseException:
            worker.shutdown(wait=False)
            raise
        store = cls(connection, worker, namespace=namespace)
        try:
            await store._run(_prepare)
        except BaseException:
            await store.aclose()
            raise
        return store

    async def _run(self, operation: Callable[[sqlite3.Connection], _T]) -> _T:
        """Run operation whole on the worker thread, the only one that touches the connection."""
        if self._closed:
            raise StoreUnavailableError("the SQLite store is closed")
        return await asyncio.get_running_loop().run_in_executor(self._worker, operation, self._db)

    async def _write(self, operation: Callable[[sqlite3.Connection], _T]) -> _T:
        """Run operation as one write transaction on the worker thread."""
        return await self._run(partial(_in_transaction, operation))

    async def _read(self, sql: str, parameters: Sequence[Any]) -> list[Any]:
        return await self._run(
            partial(_read_only, lambda db: db.execute(sql, parameters).fetchall())
        )

    async def run_transaction(self, operation: Callable[[sqlite3.Connection], _T]) -> _T:
        """Run operation inside one write transaction, for an adapter extension (such as
        quota's) whose operation must be a single atomic step; keys it writes should start with
        :attr:`key_prefix`. It runs on the store's worker thread, so it must not await."""
        return await self._write(operation)

    @property
    def key_prefix(self) -> str:
        """The namespace prefix every key of this store starts with."""
        return self._prefix

    def extend(self, extension: Extension[_T]) -> _T:
        """What the extension builds on this store's transactions (see ``extension``)."""
        return extension.on_sqlite(self)

    def _key(self, key: str) -> str:
        return self._prefix + key

    async def ping(self) -> None:
        """Check the file can be read; raise StoreUnavailableError if not."""
        await self._read("SELECT count(*) FROM sqlite_schema", ())

    async def aclose(self) -> None:
        """Close the connection once the operations already started have run."""
        if self._closed:
            return
        self._closed = True
        try:
            await asyncio.get_running_loop().run_in_executor(self._worker, self._db.close)
        finally:
            self._worker.shutdown(wait=False)

    async def get(self, key: str) -> bytes | None:
        """The value of a live entry, or None."""
        rows = await self._read(
            f"SELECT value FROM entries WHERE key = ? AND {_LIVE}", (self._key(key), time.time())
        )
        return bytes(rows[0][0]) if rows else None

    async def get_many(self, keys: Sequence[str]) -> list[bytes | None]:
        """Values of several entries, in order; None for each missing one."""
        full_keys = [self._key(key) for key in keys]
        found = await self._live_values("entries", full_keys)
        return [None if (value := found.get(key)) is None else bytes(value) for key in full_keys]

    async def _live_values(self, table: str, full_keys: Sequence[str]) -> dict[str, Any]:
        """The values of table's live rows among full_keys, read in chunks in one hop."""
        now = time.time()

        def read(db: sqlite3.Connection) -> dict[str, Any]:
            found: dict[str, Any] = {}
            for chunk in _chunks(list(dict.fromkeys(full_keys))):
                found.update(
                    db.execute(
                        f"SELECT key, value FROM {table} WHERE key IN ({_marks(len(chunk))})"
                        f" AND {_LIVE}",
                        (*chunk, now),
                    ).fetchall()
                )
            return found

        return await self._run(partial(_read_only, read))

    async def set(self, key: str, value: bytes, *, ttl: float | None = None) -> None:
        """Write an entry, replacing any; it expires after ttl seconds when given."""
        now = time.time()
        put = Put(key, value, ttl)

        def write(db: sqlite3.Connection) -> None:
            self._put(db, put, now)
            _purge(db, "entries", now)

        await self._write(write)

    async def set_many(self, entries: Mapping[str, bytes], *, ttl: float | None = None) -> None:
        """Write several entries in one transaction, replacing any."""
        now = time.time()
        expires_at = None if ttl is None else now + ttl_milliseconds(ttl) / 1000
        if not entries:
            return
        rows = [(self._key(key), value, expires_at) for key, value in entries.items()]

        def write(db: sqlite3.Connection) -> None:
            db.executemany(_UPSERT_ENTRY, rows)
            _purge(db, "entries", now)

        await self._write(write)

    async def set_if_absent(self, key: str, value: bytes, *, ttl: float | None = None) -> bool:
        """Write an entry only if no live entry has the key; True if written.

        An expired row with the key is replaced, as if it were already gone.
        """
        now = time.time()
        put = Put(key, value, ttl, only_if_absent=True)

        def write(db: sqlite3.Connection) -> bool:
            written = self._put(db, put, now)
            _purge(db, "entries", now)
            return written

        return await self._write(write)

    async def write(self, writes: Sequence[Write]) -> list[bool]:
        """Apply several writes in one transaction, in order; for each, whether it was
        written."""
        if not writes:
            return []
        now = time.time()

        def write(db: sqlite3.Connection) -> list[bool]:
            written: list[bool] = []
            for item in writes:
                if isinstance(item, Put):
                    written.append(self._put(db, item, now))
                elif isinstance(item, AddToSets):
                    self._add_to_sets(db, item.additions, item.ttl, now)
                    written.append(True)
                else:
                    self._delete_rows(db, "entries", item.keys, now)
                    written.append(True)
            _purge(db, "entries", now)
            _purge_sets(db, now)
            return written

        return await self._write(write)

    def _put(self, db: sqlite3.Connection, put: Put, now: float) -> bool:
        """One entry written inside a transaction; False if only_if_absent found it taken."""
        expires_at = None if put.ttl is None else now + ttl_milliseconds(put.ttl) / 1000
        if not put.only_if_absent:
            db.execute(_UPSERT_ENTRY, (self._key(put.key), put.value, expires_at))
            return True
        row = db.execute(
            _UPSERT_ENTRY + " WHERE entries.expires_at IS NOT NULL AND entries.expires_at <= ?"
            " RETURNING 1",
            (self._key(put.key), put.value, expires_at, now),
        ).fetchone()
        return row is not None

    async def pop(self, key: str) -> bytes | None:
        """Remove an entry and return its value, atomically (DELETE ... RETURNING)."""
        now = time.time()
        full_key = self._key(key)

        def write(db: sqlite3.Connection) -> list[Any]:
            rows = db.execute(
                f"DELETE FROM entries WHERE key = ? AND {_LIVE} RETURNING value", (full_key, now)
            ).fetchall()
            _purge(db, "entries", now)
            return rows

        rows = await self._write(write)
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

        def write(db: sqlite3.Connection) -> int:
            rows = db.execute(
                f"DELETE FROM entries WHERE {where} AND {_LIVE} RETURNING 1", (*parameters, now)
            ).fetchall()
            _purge(db, "entries", now)
            return len(rows)

        return await self._write(write)

    async def add_counters(
        self, deltas: Sequence[CounterDelta], *, enforce_limits: bool = False
    ) -> CounterResult:
        """Add to several counters as one atomic step (one immediate transaction)."""
        if not deltas:
            return CounterResult(applied=True, values=())
        full_keys = [self._key(delta.key) for delta in deltas]
        unique = list(dict.fromkeys(full_keys))
        now = time.time()

        def write(db: sqlite3.Connection) -> CounterResult:
            current: dict[str, tuple[int, float | None]] = {}
            for chunk in _chunks(unique):
                rows = db.execute(
                    "SELECT key, value, expires_at FROM counters"
                    f" WHERE key IN ({_marks(len(chunk))}) AND {_LIVE}",
                    (*chunk, now),
                )
                current.update((row[0], (int(row[1]), row[2])) for row in rows)
            plan = _plan_counters(deltas, full_keys, current, enforce_limits)
            if plan.rows:
                db.executemany(
                    "INSERT INTO counters (key, value, expires_at) VALUES (?, ?, ?)"
                    " ON CONFLICT (key) DO UPDATE"
                    " SET value = excluded.value, expires_at = excluded.expires_at",
                    [(key, value, expires_at) for key, (value, expires_at) in plan.rows.items()],
                )
                _purge(db, "counters", now)
            return plan.result

        return await self._write(write)

    async def get_counters(self, keys: Sequence[str]) -> list[int]:
        """Current values of counters, 0 for missing or expired ones."""
        full_keys = [self._key(key) for key in keys]
        found = await self._live_values("counters", full_keys)
        return [int(found.get(key, 0)) for key in full_keys]

    async def delete_counters(self, *keys: str) -> int:
        """Remove counters; the number removed."""
        return await self._delete("counters", keys)

    async def set_add(self, additions: Mapping[str, Sequence[str]], *, ttl: float) -> None:
        """Add members to sets and move each set's expiry to ttl from now, in one transaction."""
        if not any(additions.values()):
            return
        now = time.time()

        def write(db: sqlite3.Connection) -> None:
            self._add_to_sets(db, additions, ttl, now)
            _purge_sets(db, now)

        await self._write(write)

    def _add_to_sets(
        self,
        db: sqlite3.Connection,
        additions: Mapping[str, Sequence[str]],
        ttl: float,
        now: float,
    ) -> None:
        expires_at = now + ttl_milliseconds(ttl) / 1000
        full = {self._key(key): members for key, members in additions.items() if members}
        if not full:
            return
        expired = db.execute(
            f"SELECT key FROM sets WHERE key IN ({_marks(len(full))}) AND expires_at <= ?",
            (*full, now),
        ).fetchall()
        if expired:
            # An expired set starts again empty, as a Redis set does.
            db.executemany("DELETE FROM set_members WHERE key = ?", expired)
        db.executemany(
            "INSERT INTO sets (key, expires_at) VALUES (?, ?)"
            " ON CONFLICT (key) DO UPDATE SET expires_at = excluded.expires_at",
            [(key, expires_at) for key in full],
        )
        db.executemany(
            "INSERT OR IGNORE INTO set_members (key, member, expires_at) VALUES (?, ?, ?)",
            [
                (key, member, expires_at)
                for key, members in full.items()
                for member in dict.fromkeys(members)
            ],
        )

    async def set_members(self, keys: Sequence[str]) -> list[frozenset[str]]:
        """Members of several sets, in order; empty for a missing or expired set."""
        full_keys = [self._key(key) for key in keys]
        now = time.time()

        def read(db: sqlite3.Connection) -> dict[str, set[str]]:
            found: dict[str, set[str]] = {}
            for chunk in _chunks(list(dict.fromkeys(full_keys))):
                rows = db.execute(
                    "SELECT m.key, m.member FROM set_members AS m JOIN sets AS s ON s.key = m.key"
                    f" WHERE m.key IN ({_marks(len(chunk))}) AND s.expires_at > ?",
                    (*chunk, now),
                )
                for row in rows:
                    found.setdefault(str(row[0]), set()).add(str(row[1]))
            return found

        found = await self._run(partial(_read_only, read))
        return [frozenset(found.get(key, ())) for key in full_keys]

    async def set_remove(self, key: str, members: Sequence[str]) -> int:
        """Remove members from a set; the number that were in it."""
        if not members:
            return 0
        now = time.time()
        full_key = self._key(key)

        def write(db: sqlite3.Connection) -> int:
            removed = 0
            for chunk in _chunks(list(dict.fromkeys(members))):
                rows = db.execute(
                    f"DELETE FROM set_members WHERE key = ? AND member IN ({_marks(len(chunk))})"
                    " AND EXISTS (SELECT 1 FROM sets WHERE key = ? AND expires_at > ?)"
                    " RETURNING 1",
                    (full_key, *chunk, full_key, now),
                ).fetchall()
                removed += len(rows)
            return removed

        return await self._write(write)

    async def delete_set_prefix(self, prefix: str) -> int:
        """Remove every live set whose key starts with prefix; the number of sets removed."""
        where, parameters = self._prefix_where(prefix)
        now = time.time()

        def write(db: sqlite3.Connection) -> int:
            rows = db.execute(
                f"DELETE FROM sets WHERE {where} AND expires_at > ? RETURNING key",
                (*parameters, now),
            ).fetchall()
            db.execute(f"DELETE FROM set_members WHERE {where}", parameters)
            _purge_sets(db, now)
            return len(rows)

        return await self._write(write)

    async def _delete(self, table: str, keys: Sequence[str]) -> int:
        if not keys:
            return 0
        now = time.time()

        def write(db: sqlite3.Connection) -> int:
            removed = self._delete_rows(db, table, keys, now)
            _purge(db, table, now)
            return removed

        return await self._write(write)

    def _delete_rows(
        self, db: sqlite3.Connection, table: str, keys: Sequence[str], now: float
    ) -> int:
        removed = 0
        for chunk in _chunks(list(dict.fromkeys(self._key(key) for key in keys))):
            rows = db.execute(
                f"DELETE FROM {table} WHERE key IN ({_marks(len(chunk))}) AND {_LIVE} RETURNING 1",
                (*chunk, now),
            ).fetchall()
            removed += len(rows)
        return removed

    def _prefix_where(self, prefix: str) -> tuple[str, tuple[str, str]]:
        return "key >= ? AND key < ?", _prefix_range(self._key(prefix))
