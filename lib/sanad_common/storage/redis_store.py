"""Redis adapter of the storage port: the production store, shared by every replica.

Why it looks the way it does:

* Entries, counters and sets live under separate sub-prefixes (``<namespace>:e:``,
  ``<namespace>:c:`` and ``<namespace>:set:``), so a prefix scan over entries can never list a
  counter or a set.
* ``add_counters`` is one Lua script: Redis runs it atomically, so checking every limit and then
  applying every delta cannot interleave with another replica's update. The script only touches
  the KEYS it is given, which makes it valid in a Redis Cluster as long as those keys share a
  hash tag (``quota:{openai}:rpm``); the namespace contains no braces, so it never changes the
  slot a caller's hash tag selects.
* redis-py's blanket retry is off: ``pop``, ``set_if_absent``, ``add_counters`` and the
  deletes (whose counts depend on prior state) are not idempotent, and replaying one after
  its reply was lost could apply a counter twice or make a value this caller popped look
  absent. Reads and plain ``set`` are instead retried once by this adapter when their
  connection dropped (not on a timeout), so the first read after a Redis restart or failover
  succeeds on a fresh connection; any other failure surfaces at once as
  StoreUnavailableError and the caller decides how to degrade.
* Socket timeouts are short and connections idle for a while are health-checked with PING
  before use, so a dead server is detected in seconds rather than hanging a request.
* On one server, commands are packed by hiredis in C (``redis_packing``), as redis-py's
  synchronous client does; a cluster client keeps redis-py's own packer, since it builds its
  node connections from a class it picks itself.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from redis.asyncio import Redis
from redis.asyncio.client import Pipeline
from redis.asyncio.cluster import ClusterPipeline, RedisCluster
from redis.asyncio.connection import URL_QUERY_ARGUMENT_PARSERS, ConnectionPool
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import (
    ClusterDownError,
    NoScriptError,
    ReadOnlyError,
    RedisClusterException,
    ResponseError,
    TryAgainError,
)
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from sanad_common.storage._common import check_namespace, ttl_milliseconds
from sanad_common.storage.extension import Extension, ScriptBatchCall, ScriptCall, ScriptRun
from sanad_common.storage.port import (
    AddToSets,
    CounterDelta,
    CounterResult,
    Put,
    StoreUnavailableError,
    Write,
)
from sanad_common.storage.redis_packing import PACKED_CLASSES

SOCKET_TIMEOUT = 2.0
"""Seconds to wait for a reply (or to connect) before the store counts as unavailable."""
HEALTH_CHECK_INTERVAL = 15
"""Seconds a pooled connection may sit idle before it is checked with PING on its next use."""

SCRIPT_CONCURRENCY = 64
"""Scripts of adapter extensions one store runs at once. redis-py's pool refuses a command with
"Too many connections" past 100 per server instead of waiting, so a burst of requests (a few
thousand reservations at once) would fail; past this bound a script waits for its turn."""

_T = TypeVar("_T")

_SCAN_COUNT = 500
_DELETE_BATCH = 500

# Errors meaning "the store did not answer" rather than "the request was wrong". A
# RedisClusterException other than a cross-slot request (which is refused before sending) means
# the cluster cannot be reached or has no node for a slot. OSError covers socket errors that
# escape redis-py's own wrapping.
_UNAVAILABLE_ERRORS: tuple[type[BaseException], ...] = (
    RedisConnectionError,
    RedisTimeoutError,
    ClusterDownError,
    TryAgainError,
    ReadOnlyError,
    RedisClusterException,
    OSError,
)

# Query parameters accepted in a Redis URL besides ``cluster``: the ones redis-py parses, and
# the TLS options it passes through as strings.
_ALLOWED_QUERY = frozenset(URL_QUERY_ARGUMENT_PARSERS) | {
    "client_name",
    "ssl_ca_certs",
    "ssl_ca_path",
    "ssl_certfile",
    "ssl_keyfile",
    "ssl_cert_reqs",
}
_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})

# KEYS: one counter key per delta, in order (repeats allowed).
# ARGV[1]: "1" to enforce limits, else "0"; then for delta i (1-based) three values:
# ARGV[3i-1] amount, ARGV[3i] limit or "" for none, ARGV[3i+1] expiry (Unix ms) or "".
# Returns {applied (0/1), {value per delta}, refused index (0-based) or -1}.
_ADD_COUNTERS_LUA = """
local n = #KEYS
local current = {}
for i = 1, n do
  local key = KEYS[i]
  if current[key] == nil then
    current[key] = tonumber(redis.call('GET', key) or '0')
  end
end
if ARGV[1] == '1' then
  local running = {}
  for key, value in pairs(current) do running[key] = value end
  for i = 1, n do
    local key = KEYS[i]
    local amount = tonumber(ARGV[3 * i - 1])
    local limit = ARGV[3 * i]
    running[key] = running[key] + amount
    if amount > 0 and limit ~= '' and running[key] > tonumber(limit) then
      local values = {}
      for j = 1, n do values[j] = current[KEYS[j]] end
      return {0, values, i - 1}
    end
  end
end
for i = 1, n do
  local key = KEYS[i]
  current[key] = redis.call('INCRBY', key, ARGV[3 * i - 1])
  local expires_at = ARGV[3 * i + 1]
  if expires_at ~= '' then redis.call('PEXPIREAT', key, expires_at) end
end
local values = {}
for i = 1, n do values[i] = current[KEYS[i]] end
return {1, values, -1}
"""


# KEYS: the sets to add to. ARGV[1]: expiry in ms from now; then for each key in order, its
# member count and its members. Members go in SADDs of at most 500 (Lua's unpack has a stack
# limit), and each set's expiry moves to ARGV[1] from now, as SADD + PEXPIRE would.
_ADD_TO_SETS_LUA = """
local px = ARGV[1]
local at = 2
for i = 1, #KEYS do
  local last = at + tonumber(ARGV[at])
  local first = at + 1
  while first <= last do
    local stop = math.min(first + 499, last)
    redis.call('SADD', KEYS[i], unpack(ARGV, first, stop))
    first = stop + 1
  end
  redis.call('PEXPIRE', KEYS[i], px)
  at = last + 1
end
return #KEYS
"""


@contextmanager
def _unavailable_on_errors() -> Iterator[None]:
    """Turn transport and cluster failures into StoreUnavailableError, keeping the cause, and
    honour a cancellation redis-py swallowed.

    redis-py wraps socket I/O in asyncio.wait_for, which on Python 3.11 returns normally when
    a cancellation arrives just as the I/O completes. The request stays visible as
    ``Task.cancelling()``; raising it here means no caller of the store outlives its cancel().
    """
    try:
        yield
    except _UNAVAILABLE_ERRORS as error:
        raise StoreUnavailableError(f"Redis store unavailable: {error}") from error
    except RuntimeError as error:
        if not _closed_transport(error):
            raise
        raise StoreUnavailableError(f"Redis store unavailable: {error}") from error
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError


async def _retry_if_dropped(operation: Callable[[], Awaitable[_T]]) -> _T:
    """Run an idempotent operation, once more if its connection dropped.

    A connection the server closed (restart, failover, idle timeout) fails only the command
    that used it; the second attempt gets a fresh connection (and, in a cluster, a refreshed
    slot map). A timeout is not retried: the server is slow or gone, and waiting twice would
    only delay the caller's fallback.
    """
    with _unavailable_on_errors():
        try:
            return await operation()
        except RedisConnectionError:
            return await operation()
        except RuntimeError as error:
            if not _closed_transport(error):
                raise
            return await operation()


def _closed_transport(error: RuntimeError) -> bool:
    """Whether uvloop refused a write on a connection the server had already closed.

    redis-py takes a pooled connection, checks it, then writes; if the server's close lands
    between the two, uvloop raises RuntimeError ("... the handler is closed") where asyncio's
    own loop would report a connection error. It is the same dropped connection (a chaos run
    turned it into INTERNAL before it was read as one), and the pool's next check replaces it.
    """
    return "handler is closed" in str(error)


def _parse_url(url: str) -> tuple[str, bool]:
    """Validate a Redis URL; return it without the ``cluster`` flag, and that flag.

    Raises ValueError for anything redis-py would silently misread or reject late (a
    non-numeric database, an unknown query parameter, a database other than 0 in a cluster).
    """
    parts = urlsplit(url)
    if parts.scheme not in ("redis", "rediss"):
        raise ValueError(f"not a Redis URL (redis:// or rediss://): {url!r}")
    try:
        port = parts.port
    except ValueError as error:
        raise ValueError(f"invalid port in Redis URL {url!r}") from error
    if port == 0:
        raise ValueError(f"invalid port in Redis URL {url!r}")
    if not parts.hostname:
        raise ValueError(f"Redis URL needs a host: {url!r}")
    database = parts.path.strip("/")
    if database and not database.isdigit():
        raise ValueError(f"Redis database must be a number, not {database!r} in {url!r}")
    if parts.fragment:
        raise ValueError(f"Redis URL may not have a fragment: {url!r}")
    cluster = False
    query: list[tuple[str, str]] = []
    for name, value in parse_qsl(parts.query, keep_blank_values=True):
        if name == "cluster":
            if value.lower() in _TRUE:
                cluster = True
            elif value.lower() not in _FALSE:
                raise ValueError(f"cluster must be true or false, not {value!r} in {url!r}")
        elif name in _ALLOWED_QUERY:
            query.append((name, value))
        else:
            raise ValueError(f"unknown Redis URL parameter {name!r} in {url!r}")
    if cluster and database not in ("", "0"):
        raise ValueError(f"Redis Cluster has only database 0: {url!r}")
    clean = urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))
    return clean, cluster


class RedisStore:
    """The storage port on one Redis server or a Redis Cluster (see the module docstring)."""

    def __init__(self, client: Redis | RedisCluster, *, namespace: str = "sanad") -> None:
        """Wrap a connected-on-demand client; prefer :meth:`from_url`."""
        self._client = client
        namespace = check_namespace(namespace)
        self._entry_prefix = f"{namespace}:e:"
        self._counter_prefix = f"{namespace}:c:"
        self._set_prefix = f"{namespace}:set:"
        self._script_prefix = f"{namespace}:s:"
        self._script_turns = asyncio.Semaphore(SCRIPT_CONCURRENCY)
        self._add_counters = client.register_script(_ADD_COUNTERS_LUA)

    @classmethod
    def from_url(cls, url: str, *, namespace: str = "sanad") -> RedisStore:
        """A store for ``redis://[:password@]host:port/db`` or ``rediss://``.

        ``?cluster=true`` selects Redis Cluster. Other query parameters understood by redis-py
        (``socket_timeout``, ``health_check_interval``, TLS options...) override the defaults.
        Nothing is contacted until the first command; call :meth:`ping` to check.
        """
        clean_url, cluster = _parse_url(url)
        options: dict[str, Any] = {
            "socket_timeout": SOCKET_TIMEOUT,
            "socket_connect_timeout": SOCKET_TIMEOUT,
            "health_check_interval": HEALTH_CHECK_INTERVAL,
            "retry": Retry(NoBackoff(), 0),
        }
        client: Redis | RedisCluster
        if cluster:
            client = RedisCluster.from_url(clean_url, **options)
        else:
            pool = ConnectionPool.from_url(clean_url, **options)
            pool.connection_class = PACKED_CLASSES.get(pool.connection_class, pool.connection_class)
            client = Redis.from_pool(pool)
        return cls(client, namespace=namespace)

    def _check_one_slot(self, full_keys: Sequence[str], what: str) -> None:
        """In a cluster, refuse keys of one atomic step that live in different slots."""
        client = self._client
        if isinstance(client, RedisCluster) and len({client.keyslot(k) for k in full_keys}) > 1:
            raise ValueError(f"{what} must share a hash tag in Redis Cluster: {full_keys}")

    def script(self, source: str) -> ScriptCall:
        """Register a Lua script for an adapter extension (such as quota's) to run atomically.

        The returned coroutine function takes keys and args; keys are namespaced under
        ``<namespace>:s:``, apart from entries and counters. In a cluster the keys of one call
        must share a hash tag (ValueError otherwise, before anything is sent). A call is never
        retried: scripts are not assumed idempotent.
        """
        registered = self._client.register_script(source)

        async def call(keys: Sequence[str], args: Sequence[str | int | float]) -> Any:
            full_keys = [self._script_prefix + key for key in keys]
            self._check_one_slot(full_keys, "keys of one script call")
            async with self._script_turns:
                with _unavailable_on_errors():
                    return await registered(keys=full_keys, args=list(args))

        return call

    def script_batch(self, source: str) -> ScriptBatchCall:
        """Register a Lua script whose runs go together, as one pipeline: one round trip to a
        server. redis-py's cluster pipeline refuses EVALSHA, so in a cluster the runs go one
        after another instead, in their order.

        Each run is atomic on its own and, in a cluster, its keys must share a hash tag
        (ValueError for any run, before anything is sent). The batch is not a transaction. A
        run the server refused with NOSCRIPT (its script cache was flushed or it restarted)
        never started, so those runs alone go again once the script is loaded; no other run
        is retried. The first error a run met is raised once every reply is read.
        """
        registered = self._client.register_script(source)

        async def call(runs: Sequence[ScriptRun]) -> list[Any]:
            if not runs:
                return []
            prefixed = [
                ([self._script_prefix + key for key in keys], list(args)) for keys, args in runs
            ]
            for full_keys, _ in prefixed:
                self._check_one_slot(full_keys, "keys of one script call")
            async with self._script_turns:
                with _unavailable_on_errors():
                    replies = await self._pipelined(registered.sha, prefixed)
                    missing = [
                        index
                        for index, reply in enumerate(replies)
                        if isinstance(reply, NoScriptError)
                    ]
                    if missing:
                        registered.sha = await self._client.script_load(source)
                        again = await self._pipelined(
                            registered.sha, [prefixed[index] for index in missing]
                        )
                        for index, reply in zip(missing, again, strict=True):
                            replies[index] = reply
            for reply in replies:
                if isinstance(reply, Exception):
                    raise reply
            return replies

        return call

    async def _pipelined(
        self, sha: str, runs: Sequence[tuple[list[str], list[str | int | float]]]
    ) -> list[Any]:
        """EVALSHA of each run in one pipeline (one by one in a cluster); a run's error is its
        reply."""
        client = self._client
        if isinstance(client, RedisCluster):
            replies: list[Any] = []
            for keys, args in runs:
                try:
                    replies.append(await client.evalsha(sha, len(keys), *keys, *args))
                except ResponseError as error:
                    replies.append(error)
            return replies
        async with client.pipeline(transaction=False) as pipe:
            for keys, args in runs:
                pipe.evalsha(sha, len(keys), *keys, *args)
            return list(await pipe.execute(raise_on_error=False))

    @property
    def script_key_prefix(self) -> str:
        """What :meth:`script` and :meth:`script_batch` put before every key (for tools that
        call a script raw)."""
        return self._script_prefix

    def extend(self, extension: Extension[_T]) -> _T:
        """What the extension builds on this store's Lua scripts (see ``extension``)."""
        return extension.on_redis(self)

    def _entry(self, key: str) -> str:
        return self._entry_prefix + key

    def _counter(self, key: str) -> str:
        return self._counter_prefix + key

    async def ping(self) -> None:
        """Check the store answers; raise StoreUnavailableError if not."""
        await _retry_if_dropped(self._client.ping)

    async def aclose(self) -> None:
        """Release connections."""
        await self._client.aclose()

    async def get(self, key: str) -> bytes | None:
        """The value of a live entry, or None."""
        value = await _retry_if_dropped(lambda: self._client.get(self._entry(key)))
        return _raw(value)

    async def get_many(self, keys: Sequence[str]) -> list[bytes | None]:
        """Values of several entries, in order; None for each missing one."""
        return await self._mget([self._entry(key) for key in keys])

    async def set(self, key: str, value: bytes, *, ttl: float | None = None) -> None:
        """Write an entry, replacing any; it expires after ttl seconds when given."""
        px = None if ttl is None else ttl_milliseconds(ttl)
        await _retry_if_dropped(lambda: self._client.set(self._entry(key), value, px=px))

    async def set_many(self, entries: Mapping[str, bytes], *, ttl: float | None = None) -> None:
        """Write several entries in one MULTI; in a cluster they must share a hash tag."""
        px = None if ttl is None else ttl_milliseconds(ttl)
        full = {self._entry(key): value for key, value in entries.items()}
        if not full:
            return
        self._check_one_slot(list(full), "entries written together")

        async def write() -> None:
            async with self._client.pipeline(transaction=True) as pipe:
                for key, value in full.items():
                    pipe.set(key, value, px=px)
                await pipe.execute()

        # Plain writes give the same result when replayed.
        await _retry_if_dropped(write)

    async def set_if_absent(self, key: str, value: bytes, *, ttl: float | None = None) -> bool:
        """Write an entry only if no live entry has the key; True if written."""
        px = None if ttl is None else ttl_milliseconds(ttl)
        with _unavailable_on_errors():
            written = await self._client.set(self._entry(key), value, px=px, nx=True)
        return bool(written)

    async def write(self, writes: Sequence[Write]) -> list[bool]:
        """Apply several writes in one pipeline (no MULTI: in a cluster they may span slots),
        in order; for each, whether it was written."""
        if not writes:
            return []
        shape: list[int] = []
        with _unavailable_on_errors():
            async with self._client.pipeline(transaction=False) as pipe:
                for item in writes:
                    if isinstance(item, Put):
                        px = None if item.ttl is None else ttl_milliseconds(item.ttl)
                        pipe.set(self._entry(item.key), item.value, px=px, nx=item.only_if_absent)
                        shape.append(1)
                    elif isinstance(item, AddToSets):
                        queued = self._queue_set_additions(
                            pipe, item.additions, item.ttl, one_slot=False
                        )
                        shape.append(queued)
                    else:
                        # One DEL per key: in a cluster the keys may live in different slots.
                        for key in item.keys:
                            pipe.delete(self._entry(key))
                        shape.append(len(item.keys))
                replies = await pipe.execute()
        written: list[bool] = []
        offset = 0
        for item, commands in zip(writes, shape, strict=True):
            written.append(bool(replies[offset]) if isinstance(item, Put) else True)
            offset += commands
        return written

    async def pop(self, key: str) -> bytes | None:
        """Remove an entry and return its value, atomically (GETDEL)."""
        with _unavailable_on_errors():
            value = await self._client.getdel(self._entry(key))
        return _raw(value)

    async def delete(self, *keys: str) -> int:
        """Remove entries; the number of live entries removed."""
        return await self._delete([self._entry(key) for key in keys])

    async def keys_with_prefix(self, prefix: str) -> list[str]:
        """Keys of live entries (not counters) starting with prefix, without the namespace."""
        strip = len(self._entry_prefix)

        async def scan() -> set[str]:
            return {key.decode()[strip:] async for key in self._scan(self._entry(prefix))}

        return sorted(await _retry_if_dropped(scan))

    async def delete_prefix(self, prefix: str) -> int:
        """Remove every live entry whose key starts with prefix; the number removed.

        Keys are found with SCAN (on every primary in a cluster) and deleted in batches, so this
        is not atomic: an entry written meanwhile may survive.
        """
        return await self._delete_scanned(self._entry(prefix))

    async def _delete_scanned(self, full_prefix: str) -> int:
        removed = 0
        batch: list[bytes] = []
        with _unavailable_on_errors():
            async for key in self._scan(full_prefix):
                batch.append(key)
                if len(batch) >= _DELETE_BATCH:
                    removed += await self._client.delete(*batch)
                    batch.clear()
            if batch:
                removed += await self._client.delete(*batch)
        return removed

    async def add_counters(
        self, deltas: Sequence[CounterDelta], *, enforce_limits: bool = False
    ) -> CounterResult:
        """Add to several counters as one atomic step (one Lua script).

        In a cluster every key of one call must map to the same slot (share a hash tag);
        otherwise ValueError is raised before anything is sent.
        """
        if not deltas:
            return CounterResult(applied=True, values=())
        keys = [self._counter(delta.key) for delta in deltas]
        self._check_one_slot(keys, "counters updated together")
        args: list[str | int] = [1 if enforce_limits else 0]
        for delta in deltas:
            args.append(delta.amount)
            args.append("" if delta.limit is None else delta.limit)
            args.append("" if delta.expires_at is None else math.ceil(delta.expires_at * 1000))
        with _unavailable_on_errors():
            applied, values, refused = await self._add_counters(keys=keys, args=args)
        return CounterResult(
            applied=bool(applied),
            values=tuple(int(value) for value in values),
            refused_index=None if int(refused) < 0 else int(refused),
        )

    async def get_counters(self, keys: Sequence[str]) -> list[int]:
        """Current values of counters, 0 for missing or expired ones."""
        values = await self._mget([self._counter(key) for key in keys])
        return [0 if value is None else int(value) for value in values]

    async def delete_counters(self, *keys: str) -> int:
        """Remove counters; the number removed."""
        return await self._delete([self._counter(key) for key in keys])

    async def set_add(self, additions: Mapping[str, Sequence[str]], *, ttl: float) -> None:
        """Add members to sets and push their expiry to ttl from now, in one script call (the
        sets must share a hash tag in a cluster)."""

        async def add() -> None:
            async with self._client.pipeline(transaction=False) as pipe:
                if self._queue_set_additions(pipe, additions, ttl, one_slot=True):
                    await pipe.execute()

        # Adding members and setting an expiry give the same result when replayed.
        await _retry_if_dropped(add)

    def _queue_set_additions(
        self,
        pipe: Pipeline | ClusterPipeline,
        additions: Mapping[str, Sequence[str]],
        ttl: float,
        *,
        one_slot: bool,
    ) -> int:
        """Queue script calls that add every member and move each set's expiry: one per hash
        slot (so one unless in a cluster), each atomic as a MULTI of SADDs and PEXPIREs but a
        single command to pack and parse (a fresh answer indexes 20 bands: 40 commands before);
        the number of commands queued.

        With one_slot, sets in several slots of a cluster raise ValueError before anything is sent.
        """
        px = ttl_milliseconds(ttl)
        client = self._client
        cluster = client if isinstance(client, RedisCluster) else None
        calls: dict[int, tuple[list[str], list[str | int]]] = {}
        for key, members in additions.items():
            if members:
                full_key = self._set_prefix + key
                keys, args = calls.setdefault(
                    0 if cluster is None else cluster.keyslot(full_key), ([], [px])
                )
                keys.append(full_key)
                args.append(len(members))
                args.extend(members)
        if one_slot and len(calls) > 1:
            every_key = [key for keys, _ in calls.values() for key in keys]
            self._check_one_slot(every_key, "sets added to together")
        for keys, args in calls.values():
            pipe.eval(_ADD_TO_SETS_LUA, len(keys), *keys, *args)
        return len(calls)

    async def set_members(self, keys: Sequence[str]) -> list[frozenset[str]]:
        """Members of several sets (SMEMBERS in one pipeline), in order."""
        if not keys:
            return []

        async def read() -> list[Any]:
            async with self._client.pipeline(transaction=False) as pipe:
                for key in keys:
                    pipe.smembers(self._set_prefix + key)
                return list(await pipe.execute())

        found = await _retry_if_dropped(read)
        return [frozenset(member.decode() for member in members) for members in found]

    async def set_remove(self, key: str, members: Sequence[str]) -> int:
        """Remove members from a set (SREM); the number that were in it."""
        if not members:
            return 0
        with _unavailable_on_errors():
            removed: int = await self._client.srem(self._set_prefix + key, *members)
        return removed

    async def delete_set_prefix(self, prefix: str) -> int:
        """Remove every set whose key starts with prefix (SCAN, then DEL in batches)."""
        return await self._delete_scanned(self._set_prefix + prefix)

    async def _mget(self, full_keys: list[str]) -> list[bytes | None]:
        if not full_keys:
            return []
        client = self._client
        if isinstance(client, RedisCluster):
            values = await _retry_if_dropped(lambda: client.mget_nonatomic(full_keys))
        else:
            values = await _retry_if_dropped(lambda: client.mget(full_keys))
        return [_raw(value) for value in values]

    async def _delete(self, full_keys: list[str]) -> int:
        if not full_keys:
            return 0
        with _unavailable_on_errors():
            # In a cluster, redis-py splits a multi-key DEL by slot.
            removed: int = await self._client.delete(*full_keys)
        return removed

    def _scan(self, full_prefix: str) -> AsyncIterator[bytes]:
        """Iterate over keys starting with full_prefix (every primary in a cluster)."""
        return self._client.scan_iter(match=_glob_escape(full_prefix) + "*", count=_SCAN_COUNT)


def _raw(value: object) -> bytes | None:
    """A value as Redis returned it: bytes, since the client never decodes responses."""
    if value is None or isinstance(value, bytes):
        return value
    raise TypeError(f"expected bytes from Redis, got {type(value).__name__}")


def _glob_escape(text: str) -> str:
    """Escape the characters SCAN MATCH treats as a pattern."""
    return "".join("\\" + char if char in "*?[]\\" else char for char in text)
